"""One cache for everything the series computes once: trained models, grids of students, experiment results.

Every entry is one file, `root/cache/<kind>-<key>.pt`, and this module is the only place that knows it:
- `root` is the data root: `data_root()` ($DISTILL_DATA, else the repository's data/ folder) when None;
- `key` is a sha256 of the family's version (`VERSIONS`) and the full config (as JSON), so a changed config
  or a bumped version never finds an old entry; the config is stored inside too and compared on load, so a
  file renamed onto another key is never served;
- every entry carries a checksum of all it holds (a model entry is a checkpoint, see checkpoints.py; other
  entries are checksummed payloads, `write_payload`), checked on every load, and stored weights must be
  finite: a damaged, edited, diverged, foreign or stale entry is reported with a warning and recomputed;
- a lock per entry makes a second process wait while the first computes, then load its result; the lock
  file is deleted when the lock is released (safeio.file_lock says how that stays race-free), so nothing
  is left behind in root/cache;
- on a miss in a prepared room (DISTILL_NO_TRAINING=1) it refuses before computing (room.refuse_training);
- an entry that cannot be written (read-only root, disk full) warns and returns the computed value.

Anything distilled names its teacher in its config with `teacher_identity`: the teacher's own cache config
when it came from this cache unchanged, otherwise a hash of its weights, so two teachers of one
architecture never share a student.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import warnings
import weakref
from pathlib import Path
from typing import Callable, NamedTuple

import torch
from torch import nn

from .checkpoints import CheckpointError, check_storable, digest, load_model, save_model, weights_are_finite
from .distributed import is_main
from .infra.room import refuse_training
from .infra.safeio import atomic_torch_save, file_lock

__all__ = ["DATA_ENV", "VERSIONS", "FORMAT", "StaleEntry", "Codec", "data_root", "resolve_root", "entry_path",
           "entries", "entry_kind", "write_payload", "read_payload", "payload_codec", "MODEL", "cached",
           "cached_model", "teacher_identity", "weights_digest", "provenance", "adopt"]

#: The environment variable that moves the data root (a course's shared, prepared cache).
DATA_ENV = "DISTILL_DATA"

#: Bump a family's number when the code behind its entries changes in a way their config does not show.
#: model 2: (the checkpoint format is the entry); grid 5: checksummed entries, teacher identity in the key;
#: result 3: checksummed entries; dataset 2: the mnist5k tensors checksummed and checked.
VERSIONS = {"model": 2, "grid": 5, "result": 3, "dataset": 2}

#: The file format of a payload entry (everything but models, which are checkpoints).
FORMAT = "distill_helpers.cache/1"

_KEY = re.compile(r"^(?P<kind>.+)-(?P<key>[0-9a-f]{16})\.pt$")


class StaleEntry(ValueError):
    """A cache file that must not be served: damaged, made for another config or version, or with bad weights."""


class Codec(NamedTuple):
    """How one family of entries is written and read back: read(path, header) raises StaleEntry (or
    CheckpointError, OSError) for an entry it must not serve; header = {"kind", "version", "config"}."""
    read: Callable[[Path, dict], object]
    write: Callable[[Path, object, dict], None]


# ---------------------------------------------------------------- where

def _is_repository(folder: Path) -> bool:
    return (folder / "pyproject.toml").is_file() and (folder / "notebooks").is_dir() \
        and (folder / "distill_helpers").is_dir()


def data_root() -> Path:
    """The folder every default `root` means: datasets under it, cached results under its cache/.

    In this order: $DISTILL_DATA when set (a course's shared cache, a folder of your choice); else the data/
    folder of the repository the package was installed from in editable mode (`pip install -e .`: the
    same folder whatever the current folder, so notebooks/, tools/ and tests share one cache); else the
    data/ folder of the repository that holds the current folder (a non-editable install used from a
    clone, e.g. a notebook running in notebooks/); else ./data.
    """
    env = os.environ.get(DATA_ENV, "").strip()
    if env:
        return Path(env).expanduser().absolute()
    here = Path(__file__).resolve().parents[1]
    cwd = Path.cwd().resolve()
    for folder in (here, cwd, *cwd.parents):
        if _is_repository(folder):
            return folder / "data"
    return cwd / "data"


def resolve_root(root) -> Path:
    """`root` as a Path, `data_root()` when None."""
    return data_root() if root is None else Path(root)


def _normalise(config: dict) -> dict:
    """The config as plain JSON types (what is hashed, stored and compared); a clear error for anything else."""
    if not isinstance(config, dict):
        raise TypeError(f"a cache config must be a dict, got {type(config).__name__}")
    try:
        return json.loads(json.dumps(config, allow_nan=False))
    except (TypeError, ValueError) as e:
        raise TypeError(f"a cache config must hold only JSON values (dict, list, str, int, float, bool, None; "
                        f"no NaN): {e}. Convert tensors and numpy numbers with .tolist() or float()") from e


def _key(config: dict, version: int) -> str:
    import hashlib
    blob = json.dumps({"cache_version": version, **config}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def entry_path(kind: str, config: dict, version: int, root=None) -> Path:
    """root/cache/<kind>-<key>.pt, the key hashing `version` and the (JSON) config."""
    if not isinstance(kind, str) or not kind or "/" in kind or os.sep in kind or kind.startswith("."):
        raise ValueError(f"a cache kind must be a plain file-name part like 'teacher' or 'result-gap', got {kind!r}")
    return resolve_root(root) / "cache" / f"{kind}-{_key(_normalise(config), version)}.pt"


def entries(root=None, kind: str | None = None) -> list[Path]:
    """The cache files under root/cache (sorted), only those of `kind` when given (exactly that kind)."""
    folder = resolve_root(root) / "cache"
    if not folder.is_dir():
        return []
    found = [p for p in folder.iterdir() if _KEY.match(p.name) and p.is_file()]
    return sorted(p for p in found if kind is None or entry_kind(p) == kind)


def entry_kind(path) -> str:
    """The kind part of a cache file's name ('teacher', 'student-distilled', 'grid', 'result-<name>')."""
    m = _KEY.match(Path(path).name)
    if not m:
        raise ValueError(f"{Path(path).name!r} is not a cache entry name (<kind>-<16 hex digits>.pt)")
    return m["kind"]


# ---------------------------------------------------------------- what: checksummed payloads

def write_payload(path, payload: dict, header: dict) -> None:
    """Atomically write {format, kind, version, config, payload, sha256}; the checksum covers all of it."""
    check_storable(payload, "the cached value")
    blob = {"format": FORMAT, **header, "payload": payload}
    blob["sha256"] = digest(FORMAT, header["kind"], header["version"], header["config"], payload)
    atomic_torch_save(blob, path)


def read_payload(path, header: dict, check: Callable[[dict], str | None] | None = None) -> dict:
    """The payload at `path` if its checksum, kind, version and config are those of `header` (and `check`,
    if given, finds no problem); else StaleEntry saying what is wrong."""
    try:
        blob = torch.load(path, map_location="cpu", weights_only=True)
    except MemoryError:
        raise StaleEntry("is unreadable (loading it ran out of memory: a damaged file)") from None
    except Exception as e:  # any parse failure of a damaged file: KeyError, UnpicklingError, BadZipFile...
        raise StaleEntry(f"is unreadable ({type(e).__name__}: {str(e)[:120]})") from e
    fields = ("format", "kind", "version", "config", "payload", "sha256")
    if not isinstance(blob, dict) or blob.get("format") != FORMAT or set(blob) != set(fields):
        raise StaleEntry(f"is unreadable: not a cache entry of format {FORMAT} (an older format, or another file)")
    try:
        ok = blob["sha256"] == digest(FORMAT, blob["kind"], blob["version"], blob["config"], blob["payload"])
    except (ValueError, TypeError, RuntimeError):
        ok = False
    if not ok:
        raise StaleEntry("is damaged: its checksum does not match its contents (a disk or copy error, or an edit)")
    if (blob["kind"], blob["version"]) != (header["kind"], header["version"]):
        raise StaleEntry(f"was made by another version of the code ({blob['kind']} v{blob['version']}, this code "
                         f"makes {header['kind']} v{header['version']})")
    if blob["config"] != header["config"]:
        raise StaleEntry("was made for another config")
    problem = check(blob["payload"]) if check is not None else None
    if problem:
        raise StaleEntry(problem)
    return blob["payload"]


def payload_codec(check: Callable[[dict], str | None] | None = None) -> Codec:
    """The codec of dict payloads (grids, results, the dataset); `check(payload)` returns a problem or None."""
    return Codec(read=lambda path, header: read_payload(path, header, check),
                 write=lambda path, value, header: write_payload(path, value, header))


# ---------------------------------------------------------------- models and their identity

_FROM_CACHE: "weakref.WeakKeyDictionary[nn.Module, str]" = weakref.WeakKeyDictionary()


def weights_digest(model: nn.Module) -> str:
    """sha256 of every parameter and buffer (names, dtypes, shapes, bytes): the identity of trained weights."""
    return digest({k: v for k, v in model.state_dict().items()})


def _remember(model: nn.Module) -> nn.Module:
    _FROM_CACHE[model] = weights_digest(model)
    return model


def provenance(model: nn.Module) -> str | None:
    """The weights digest this cache saw when it served or stored `model` (None: not from this cache)."""
    return _FROM_CACHE.get(model)


def adopt(model: nn.Module, digest: str | None) -> nn.Module:
    """Trust a copy of a cached model made in another process (e.g. pickled to a worker) as from this cache,
    when its weights still hash to `digest`, the parent's `provenance(model)`; otherwise leave it untrusted."""
    if digest is not None and weights_digest(model) == digest:
        _FROM_CACHE[model] = digest
    return model


def teacher_identity(model: nn.Module) -> dict:
    """What a distilled entry's config says about its teacher.

    A teacher that came from this cache and whose weights are unchanged since is named by its own cache
    config (so a freshly trained teacher and the same one loaded later give one student key); any other
    teacher (built by hand, loaded from a file, trained further in place) by a hash of its weights.
    """
    metadata = getattr(model, "metadata", None)
    config = metadata.get("cache_config") if isinstance(metadata, dict) else None
    current = weights_digest(model)
    if config is not None and _FROM_CACHE.get(model) == current:
        return config
    arch = getattr(model, "config", None)
    return {"arch": arch if isinstance(arch, dict) else type(model).__name__, "weights_sha256": current[:32]}


def _read_model(path: Path, header: dict) -> nn.Module:
    model = load_model(path)  # CheckpointError when damaged: its checksum covers weights and metadata
    if model.metadata.get("cache_config") != header["config"]:
        raise StaleEntry("was made for another config")
    if not weights_are_finite(model):
        raise StaleEntry("holds NaN or inf weights (a diverged run)")
    model.history = model.metadata.get("history", {})
    return _remember(model)


def _write_model(path: Path, model: nn.Module, header: dict) -> None:
    save_model(model, path, metadata=model.metadata, overwrite=True)


#: The codec of trained models: the entry is a checkpoint (checkpoints.py), with the cache config in its metadata.
MODEL = Codec(read=_read_model, write=_write_model)


# ---------------------------------------------------------------- the cache

def _load(path: Path, codec: Codec, header: dict):
    """The entry's value, or None (with a warning saying why) when it is missing or must not be served."""
    if not path.exists():
        return None
    if path.is_dir():
        warnings.warn(f"cache entry {str(path)!r} is a folder, not a file; recomputing it (remove that folder "
                      f"so the result can be cached)")
        return None
    try:
        return codec.read(path, header)
    except StaleEntry as e:
        warnings.warn(f"cache entry {path.name} {e}; recomputing it")
    except (CheckpointError, OSError) as e:
        warnings.warn(f"cache entry {path.name} is unreadable ({e}); recomputing it")
    return None


def cached(kind: str, config: dict, compute: Callable[[], object], *, version: int, root=None,
           recompute: bool = False, codec: Codec | None = None, primary: bool = True):
    """The value cached for exactly (kind, version, config) under root/cache, or compute(), store and return it.

    codec: how the value is stored (default: a checksummed dict payload). primary=False (a torchrun rank
    other than 0) computes in step with rank 0 without locking or writing. `recompute=True` ignores the
    entry and replaces it. In a prepared room a miss raises TrainingRefused before compute() runs.
    """
    codec = codec or payload_codec()
    root = resolve_root(root)
    header = {"kind": kind, "version": version, "config": _normalise(config)}
    path = entry_path(kind, header["config"], version, root)
    with contextlib.ExitStack() as stack:
        if primary:
            # Only rank 0 locks under torchrun: the other ranks must train in step with it (DDP), and a rank
            # waiting for the lock while rank 0 waits in an all-reduce would deadlock.
            with contextlib.suppress(OSError):  # a read-only or unusable root: no lock, but no lost work either
                stack.enter_context(file_lock(path.with_name(path.name + ".lock")))
        if not recompute:
            value = _load(path, codec, header)
            if value is not None:
                return value
        refuse_training(f"{kind} ({path.name})", root)  # DISTILL_NO_TRAINING=1: a prepared room computes nothing
        value = compute()
        if primary:
            try:
                codec.write(path, value, header)
            except (OSError, ValueError) as e:
                warnings.warn(f"the result could not be cached as {str(path)!r} ({e}); it is returned, but will be "
                              f"computed again next time")
        return value


def cached_model(config: dict, build_and_train: Callable[[], tuple[nn.Module, dict]], root=None,
                 retrain: bool = False) -> nn.Module:
    """The model trained for exactly `config` (its "role" is the kind), from root/cache or trained and saved.

    build_and_train() returns (model, history). A damaged entry (unreadable, made for another config, NaN
    weights, a folder in its place) warns and is retrained. Under torchrun every rank trains, rank 0 writes.
    The model comes back on the CPU, in eval mode, with `.metadata` {"cache_config", "history"} and `.history`.
    """
    config = _normalise(config)

    def compute() -> nn.Module:
        model, history = build_and_train()
        model.metadata, model.history = {"cache_config": config, "history": history}, history
        return _remember(model.cpu().eval())
    return cached(config.get("role", "model"), config, compute, version=VERSIONS["model"], root=root,
                  recompute=retrain, codec=MODEL, primary=is_main())
