"""Save and load models as one self-describing file: weights plus the config that builds them."""
from __future__ import annotations

import os
import pickle
import zipfile
from pathlib import Path

import torch
from torch import nn

from .files import atomic_torch_save
from .models import build_model

__all__ = ["CheckpointError", "save_model", "load_model", "load_checkpoint", "FORMAT"]

FORMAT = "distill_helpers.model/1"


class CheckpointError(ValueError):
    """A checkpoint file is damaged, not ours, or does not match the model it describes."""


def save_model(model: nn.Module, path: str | os.PathLike, metadata: dict | None = None,
               overwrite: bool = False) -> Path:
    """Write {format, config, state_dict, metadata} atomically; refuse to replace a file unless overwrite=True."""
    path = Path(path)
    if not hasattr(model, "config"):
        raise ValueError("save_model needs a model built by distill_helpers (it must carry .config); "
                         "for other models use torch.save(model.state_dict(), path)")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{str(path)!r} already exists; pass overwrite=True to replace it, "
                              f"or choose another file name")
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    atomic_torch_save({"format": FORMAT, "config": dict(model.config), "state_dict": state,
                       "metadata": dict(metadata or {})}, path)
    return path


def load_checkpoint(path: str | os.PathLike) -> dict:
    """Read and validate a checkpoint dict (weights_only=True: no code in the file is ever run)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {str(path)!r}: check the path, or train and "
                                f"save a model first with save_model(model, path)")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except (pickle.UnpicklingError, RuntimeError, EOFError, zipfile.BadZipFile, ValueError, OSError) as e:
        raise CheckpointError(f"{str(path)!r} is corrupt or not a PyTorch file ({type(e).__name__}); "
                              f"delete it and save or train the model again") from e
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT or "config" not in ckpt \
            or "state_dict" not in ckpt:
        raise CheckpointError(f"{str(path)!r} is not a distill_helpers checkpoint (expected format "
                              f"{FORMAT!r}); plain state_dicts load with model.load_state_dict(torch.load(path))")
    return ckpt


def load_model(path: str | os.PathLike, device: str | torch.device = "cpu") -> nn.Module:
    """Rebuild the model from the file alone and return it in eval mode, with `.metadata` attached."""
    ckpt = load_checkpoint(path)
    try:
        model = build_model(ckpt["config"])
        model.load_state_dict(ckpt["state_dict"])
    except (ValueError, RuntimeError) as e:
        raise CheckpointError(f"{str(path)!r}: weights do not match the stored config ({e}); "
                              f"the file was edited or damaged, so save the model again") from e
    model.metadata = ckpt.get("metadata", {})
    return model.to(device).eval()
