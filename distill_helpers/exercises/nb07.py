"""Exercises of notebook 07 (scaling out): references, folded solutions and plausible mistakes."""
from __future__ import annotations

from ..distributed import epoch_order
from . import register

register(
    "07.1", "bytes of a float16 logit cache for CIFAR-100", kind="exact",
    reference=lambda: 50_000 * 100 * 2,
    solution=lambda: 50_000 * 100 * 2,
    wrong={"float32": lambda: 50_000 * 100 * 4, "bits, not bytes": lambda: 50_000 * 100 * 16,
           "ten classes": lambda: 50_000 * 10 * 2})

register(
    "07.2", "which rank trains on example 4 in epoch 2", kind="exact",
    reference=lambda: next(r for r in (0, 1) if 4 in epoch_order(12, 4, 0, 2, 2, r).tolist()),
    solution=lambda: [r for r in (0, 1) if 4 in epoch_order(12, 4, seed=0, epoch=2, world=2, rank=r)][0],
    wrong={"epoch 1 read instead": lambda: next(r for r in (0, 1) if 4 in epoch_order(12, 4, 0, 1, 2, r).tolist()),
           "the other rank": lambda: 1 - next(r for r in (0, 1) if 4 in epoch_order(12, 4, 0, 2, 2, r).tolist())})

register(
    "07.3", "does each of 2 processes compute its gradient on 64 examples when batch_size=64?", kind="exact",
    reference=lambda: len(epoch_order(64, 64, 0, 1, 2, 0)) == 64,
    solution=lambda: False,
    wrong={"true": lambda: True})
