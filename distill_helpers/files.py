"""Atomic writes: a file is written beside its destination, synced, then renamed over it, so a crash or
an interrupt never leaves half a file where a good one was."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Callable

import torch

__all__ = ["atomic_write", "atomic_write_text", "atomic_torch_save"]


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> Path:
    """Call write(f) on a temporary binary file in the same folder, then rename it to `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write `text` (UTF-8) to `path` atomically."""
    return atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def atomic_torch_save(obj, path: str | os.PathLike) -> Path:
    """torch.save(obj) to `path` atomically."""
    return atomic_write(path, lambda f: torch.save(obj, f))
