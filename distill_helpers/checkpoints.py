"""Save and load models as one self-describing file: weights plus the config that builds them.

What a checkpoint guarantees (see docs/safety.md):
- it is written atomically (a crash leaves the old file or the new one, never half of one), and with
  overwrite=False it is published exclusively: of two concurrent writers exactly one succeeds;
- it is read with torch.load(weights_only=True), so no code stored in the file ever runs;
- it carries a sha256 of its config, weights and metadata, checked on every load, so a damaged
  (byte-flipped, truncated, edited) file is refused instead of loading changed weights;
- the tensor shapes are compared with the stored config before any full-size model is built, so a
  config that asks for a huge model cannot make loading allocate it.
"""
from __future__ import annotations

import hashlib
import os
import struct
from collections import OrderedDict
from pathlib import Path

import torch
from torch import nn

from .models import build_model
from .infra.safeio import atomic_torch_save

__all__ = ["CheckpointError", "save_model", "load_model", "load_checkpoint", "state_digest", "digest", "check_storable",
           "weights_are_finite", "FORMAT"]

FORMAT = "distill_helpers.model/2"
_LEGACY_FORMATS = ("distill_helpers.model/1",)  # written before checksums; loaded without verification
_SCALARS = (type(None), bool, int, float, str, bytes)
_KEYS = (str, int, float, bool, type(None))
_SUPPORTED = "None, bool, int, float, str, bytes, list, tuple, dict and torch.Tensor"


class CheckpointError(ValueError):
    """A checkpoint file is damaged, not ours, or does not match the model it describes."""


def _check_value(value, where: str) -> None:
    """Raise ValueError naming `where` if `value` holds anything torch.load(weights_only=True) would refuse."""
    t = type(value)
    if t in _SCALARS or isinstance(value, torch.Tensor):
        return
    if t in (list, tuple):
        for i, v in enumerate(value):
            _check_value(v, f"{where}[{i}]")
        return
    if t in (dict, OrderedDict):
        for k, v in value.items():
            if type(k) not in _KEYS:
                raise ValueError(f"{where} has a key {k!r} of type {type(k).__module__}.{type(k).__qualname__}; "
                                 f"use str keys")
            _check_value(v, f"{where}[{k!r}]")
        return
    hint = " (a numpy number: convert it with float(x) or int(x))" if t.__module__ == "numpy" else ""
    raise ValueError(f"{where} is a {t.__module__}.{t.__qualname__}{hint}, which a checkpoint cannot hold: it is "
                     f"loaded with weights_only=True, which accepts only {_SUPPORTED}")


def _feed(h, value) -> None:
    """Hash a canonical, type-tagged encoding of `value` (the types _check_value accepts)."""
    if isinstance(value, torch.Tensor):
        t = value.detach().cpu().contiguous().reshape(-1)
        h.update(f"T{t.dtype}{tuple(value.shape)}".encode())
        h.update(t.view(torch.uint8).numpy().tobytes() if t.numel() else b"")
    elif value is None or type(value) is bool:
        h.update(f"B{value}".encode())
    elif type(value) is int:
        h.update(f"I{value};".encode())
    elif type(value) is float:
        h.update(b"F" + struct.pack("<d", value))
    elif type(value) in (str, bytes):
        raw = value.encode() if isinstance(value, str) else value
        h.update(f"{'S' if isinstance(value, str) else 'Y'}{len(raw)}:".encode() + raw)
    elif isinstance(value, (list, tuple)):
        h.update(f"{'L' if type(value) is list else 'U'}{len(value)}:".encode())
        for v in value:
            _feed(h, v)
    elif isinstance(value, dict):
        h.update(f"D{len(value)}:".encode())
        for k, v in value.items():
            _feed(h, k)
            _feed(h, v)
    else:
        raise ValueError(f"cannot hash a {type(value).__qualname__}")


def digest(*parts) -> str:
    """sha256 over a canonical, type-tagged encoding of `parts` (values `check_storable` accepts): every tensor's
    dtype, shape and bytes, every number's exact value, every string's text. The cache checksums its entries
    with it too (cache.py)."""
    h = hashlib.sha256()
    for part in parts:
        _feed(h, part)
    return h.hexdigest()


def state_digest(config: dict, state_dict: dict, metadata: dict) -> str:
    """sha256 over the config, every tensor's dtype, shape and bytes, and the metadata."""
    return digest(config, state_dict, metadata)


def check_storable(value, where: str) -> None:
    """Raise ValueError naming `where` if `value` holds anything torch.load(weights_only=True) would refuse
    (numpy numbers, objects): such a file could be written but never read back."""
    _check_value(value, where)


def save_model(model: nn.Module, path: str | os.PathLike, metadata: dict | None = None,
               overwrite: bool = False) -> Path:
    """Write {format, config, state_dict, metadata, sha256} atomically; never replace a file unless overwrite=True."""
    path = Path(path)
    if not hasattr(model, "config"):
        raise ValueError("save_model needs a model built by distill_helpers (it must carry .config); "
                         "for other models use torch.save(model.state_dict(), path)")
    if type(overwrite) is not bool:
        raise ValueError(f"overwrite must be True or False, got {overwrite!r}")
    if metadata is not None and not isinstance(metadata, dict):
        raise ValueError(f"metadata must be a dict, got {type(metadata).__name__}")
    config, metadata = dict(model.config), dict(metadata or {})
    _check_value(config, "model.config")
    _check_value(metadata, "metadata")
    if path.exists() and not overwrite:  # early and clear; the exclusive publish below closes the race
        raise FileExistsError(f"{str(path)!r} already exists; pass overwrite=True to replace it, "
                              f"or choose another file name")
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    ckpt = {"format": FORMAT, "config": config, "state_dict": state, "metadata": metadata,
            "sha256": state_digest(config, state, metadata)}
    return atomic_torch_save(ckpt, path, overwrite=overwrite)


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Read and verify a checkpoint dict (weights_only=True: no code in the file is ever run)."""
    path = Path(path)
    if not path.is_file():
        what = "a folder" if path.is_dir() else "no checkpoint"
        raise FileNotFoundError(f"{what} at {str(path)!r}: check the path, or train and "
                                f"save a model first with save_model(model, path)")
    damaged = f"{str(path)!r} is corrupt or not a PyTorch file"
    again = "delete it and save or train the model again"
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except MemoryError:
        raise CheckpointError(f"{damaged} (loading it ran out of memory); {again}") from None
    except Exception as e:  # any parse failure of a damaged file: KeyError, UnpicklingError, BadZipFile...
        if "weights only" in str(e).lower() or "weights_only" in str(e):
            raise CheckpointError(f"{str(path)!r} holds an object of an unsupported type in its metadata or "
                                  f"data, which the safe loader (weights_only=True) refuses to unpickle; if "
                                  f"you trust the file, read it with torch.load(path, weights_only=False) and "
                                  f"save the model again with plain metadata") from e
        raise CheckpointError(f"{damaged} ({type(e).__name__}); {again}") from e
    if not isinstance(ckpt, dict) or ckpt.get("format") not in (FORMAT, *_LEGACY_FORMATS) \
            or "config" not in ckpt or "state_dict" not in ckpt:
        raise CheckpointError(f"{str(path)!r} is not a distill_helpers checkpoint (expected format "
                              f"{FORMAT!r}); plain state_dicts load with model.load_state_dict(torch.load(path))")
    config, state, metadata = ckpt["config"], ckpt["state_dict"], ckpt.get("metadata", {})
    if not isinstance(config, dict) or not isinstance(metadata, dict) or not isinstance(state, dict) \
            or not all(isinstance(k, str) and isinstance(v, torch.Tensor) for k, v in state.items()):
        raise CheckpointError(f"{damaged}: its config, metadata or weights are not what save_model writes; {again}")
    if ckpt["format"] == FORMAT or "sha256" in ckpt:
        try:
            ok = ckpt.get("sha256") == state_digest(config, state, metadata)
        except (ValueError, RuntimeError, TypeError):
            ok = False
        if not ok:
            raise CheckpointError(f"{damaged}: its checksum does not match its contents (the file was changed "
                                  f"after it was saved: a disk or copy error, or an edit); {again}")
    ckpt["metadata"] = metadata
    return ckpt


def _check_shapes(path: Path, config: dict, state: dict) -> None:
    """Compare the weights' names and shapes with the model the config describes, built on the meta device
    (no memory is allocated), so an absurd config is refused before it costs anything."""
    try:
        with torch.device("meta"):
            skeleton = build_model(config)
    except (ValueError, TypeError, RuntimeError) as e:
        raise CheckpointError(f"{str(path)!r}: its stored config cannot build a model ({e}); "
                              f"save the model again") from e
    expected = {k: tuple(v.shape) for k, v in skeleton.state_dict().items()}
    found = {k: tuple(v.shape) for k, v in state.items()}
    if expected != found:
        diff = sorted(set(expected) ^ set(found)) or \
            [f"{k}: stored {found[k]}, config needs {expected[k]}" for k in expected if expected[k] != found[k]]
        raise CheckpointError(f"{str(path)!r}: weights do not match the stored config ({'; '.join(diff[:3])}); "
                              f"the file was edited or damaged, so save the model again")


def load_model(path: str | os.PathLike, device: str | torch.device = "cpu") -> nn.Module:
    """Rebuild the model from the file alone and return it in eval mode, with `.metadata` attached."""
    path = Path(path)
    ckpt = load_checkpoint(path)
    _check_shapes(path, ckpt["config"], ckpt["state_dict"])
    try:
        model = build_model(ckpt["config"])
        model.load_state_dict(ckpt["state_dict"])
    except (ValueError, RuntimeError) as e:
        raise CheckpointError(f"{str(path)!r}: weights do not match the stored config ({e}); "
                              f"the file was edited or damaged, so save the model again") from e
    model.metadata = ckpt["metadata"]
    return model.to(device).eval()


def weights_are_finite(model: nn.Module) -> bool:
    """True when every floating-point parameter and buffer is finite (no NaN or inf)."""
    return all(bool(torch.isfinite(t).all()) for t in model.state_dict().values() if t.is_floating_point())
