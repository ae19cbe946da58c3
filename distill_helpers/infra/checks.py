"""Checks at the training boundary: bad data or settings fail at once, with a message that names the fix.

Instead of a raw error from inside torch, NaN weights, or a silently meaningless model.
"""
from __future__ import annotations

import math
import operator

import torch
from torch import nn

__all__ = ["check_int", "check_training_settings", "check_dataset"]


def check_int(value, name: str, minimum: int = 1) -> int:
    """`value` as an int >= `minimum` (bools and floats refused), or ValueError naming `name`."""
    try:
        if isinstance(value, bool):
            raise TypeError
        v = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r} ({type(value).__name__})") from None
    if v < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return v


def check_training_settings(epochs, lr, batch_size, seed=0) -> tuple[int, float, int, int]:
    """epochs >= 0, a finite lr > 0, batch_size >= 1 and an integer seed, returned normalised."""
    epochs = check_int(epochs, "epochs", 0)
    batch_size = check_int(batch_size, "batch_size", 1)
    seed = check_int(seed, "seed", 0)
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
        raise ValueError(f"lr (the learning rate) must be a finite number > 0 such as 1e-3, got {lr!r}")
    return epochs, float(lr), batch_size, seed


def check_dataset(X, y, model: nn.Module | None = None, what: str = "training set") -> None:
    """Images: a non-empty float tensor of finite values on a 0-1 scale; labels: one int per image, in range."""
    if not isinstance(X, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise ValueError(f"the {what} must hold tensors (images X, labels y), got "
                         f"{type(X).__name__} and {type(y).__name__}")
    if len(X) == 0:
        raise ValueError(f"the {what} is empty: it needs at least one example")
    if len(X) != len(y):
        raise ValueError(f"the {what} has {len(X)} images but {len(y)} labels: pass one label per image")
    if not X.is_floating_point():
        scale = " on a 0-255 scale" if X.dtype == torch.uint8 else ""
        raise ValueError(f"the {what}'s images are {X.dtype}{scale}; the models expect float images in [0, 1]: "
                         f"convert with X.float() / 255 (load_dataset already returns them so)")
    if not bool(torch.isfinite(X).all()):
        raise ValueError(f"the {what}'s images contain NaN or inf: remove or repair those examples")
    if X.numel() and float(X.max()) > 2.0:
        raise ValueError(f"the {what}'s images go up to {float(X.max()):g}: they look like 0-255 pixel values, "
                         f"but the models expect [0, 1]; divide by 255")
    if y.dim() != 1 or y.is_floating_point() or y.dtype == torch.bool or y.is_complex():
        raise ValueError(f"the {what}'s labels must be a 1-D integer tensor of class indices, got {y.dtype} "
                         f"of shape {tuple(y.shape)}")
    n = (getattr(model, "config", None) or {}).get("num_classes") if model is not None else None
    lo, hi = int(y.min()), int(y.max())
    if lo < 0 or (n is not None and hi >= n):
        raise ValueError(f"the {what}'s labels run from {lo} to {hi}, but the model has "
                         f"{n if n is not None else 'its'} classes (labels 0 to {(n or 1) - 1}): fix the labels "
                         f"or build the model with num_classes={hi + 1}")
