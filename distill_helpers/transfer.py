"""Transfer sets: the inputs on which a student learns to match its teacher.

The transfer set need not be the teacher's training set, and it needs no labels: the teacher supplies
the targets. One cheap way to enlarge it is to add jittered copies of the training digits, each shifted
by up to `max_shift` pixels (the jitter the paper's MNIST teacher was trained with). The copies are made
once, so the teacher's logits can be computed once per copy and cached like those of the originals.
"""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F

__all__ = ["random_shift", "jittered_copies", "shift_view", "view_count", "view_index"]


def random_shift(max_shift: int = 2) -> Callable[[torch.Tensor, torch.Generator], torch.Tensor]:
    """Augmentation: translate each image by up to `max_shift` pixels (the paper jittered inputs by 2 px).

    The shifts are drawn with `generator` on its own device (fit's CPU generator gives the same shifts for
    the same seed on every device); every index tensor is then built on the batch's device.
    """
    def shift(X: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        B, C, H, W = X.shape
        s = max_shift
        padded = F.pad(X, (s, s, s, s))
        dy = torch.randint(0, 2 * s + 1, (B,), generator=generator, device=generator.device).to(X.device)
        dx = torch.randint(0, 2 * s + 1, (B,), generator=generator, device=generator.device).to(X.device)
        rows = (dy[:, None] + torch.arange(H, device=X.device))[:, :, None]  # (B, H, 1)
        cols = (dx[:, None] + torch.arange(W, device=X.device))[:, None, :]  # (B, 1, W)
        out = padded[torch.arange(B, device=X.device)[:, None, None], :, rows, cols]  # (B, H, W, C)
        return out.permute(0, 3, 1, 2).contiguous()
    shift.max_shift = max_shift  # lets a trainer recognise the shift and use its finite set of views
    return shift


def view_count(max_shift: int) -> int:
    """How many distinct images `random_shift(max_shift)` can make of one digit: (2 * max_shift + 1) ** 2."""
    return (2 * int(max_shift) + 1) ** 2


def view_index(dy: torch.Tensor, dx: torch.Tensor, max_shift: int) -> torch.Tensor:
    """The number of the view a shift (dy, dx), each in 0 .. 2 * max_shift, makes: dy * (2 * max_shift + 1) + dx.

    View number (2 * max_shift + 1) * max_shift + max_shift is the digit itself (dy = dx = max_shift)."""
    return dy * (2 * max_shift + 1) + dx


def shift_view(X: torch.Tensor, view: int, max_shift: int) -> torch.Tensor:
    """Every image of X shifted as `random_shift(max_shift)` shifts it when it draws the shift number `view`.

    The same values, bit for bit: both read the zero-padded image at rows dy .. dy + H - 1 and columns
    dx .. dx + W - 1, with (dy, dx) = divmod(view, 2 * max_shift + 1).
    """
    s = int(max_shift)
    if not 0 <= int(view) < view_count(s):
        raise ValueError(f"view must be a number from 0 to {view_count(s) - 1} for max_shift={s}, got {view!r}")
    dy, dx = divmod(int(view), 2 * s + 1)
    H, W = X.shape[-2:]
    return F.pad(X, (s, s, s, s))[..., dy:dy + H, dx:dx + W].contiguous()


def jittered_copies(X: torch.Tensor, y: torch.Tensor, copies: int, max_shift: int = 2,
                    seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """(X, y) followed by `copies` shifted copies of every row: rows k*n .. (k+1)*n - 1 are copy k of X.

    Each copy shifts each image by its own random (dy, dx) in [-max_shift, max_shift] pixels, filling
    with zeros (the background); labels are repeated, since a shifted digit is the same digit. The
    shifts come from a generator seeded with `seed`, so the same call always gives the same set.
    """
    if not isinstance(copies, int) or isinstance(copies, bool) or copies < 0:
        raise ValueError(f"copies must be a whole number >= 0 (0 keeps the set as it is), got {copies!r}")
    if not isinstance(max_shift, int) or max_shift < 1:
        raise ValueError(f"max_shift must be a whole number of pixels >= 1, got {max_shift!r}")
    if X.dim() != 4 or len(X) != len(y):
        raise ValueError(f"need images X of shape (n, C, H, W) and n labels, got X {tuple(X.shape)} and "
                         f"y {tuple(y.shape)}")
    if copies == 0:
        return X, y
    gen = torch.Generator().manual_seed(seed)
    shift = random_shift(max_shift)
    return torch.cat([X] + [shift(X, gen) for _ in range(copies)]), y.repeat(copies + 1)
