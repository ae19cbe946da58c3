"""Exercises of notebook 07 (scaling out): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import torch
from torch.utils.data import DataLoader, DistributedSampler

from ..distributed import Context, epoch_order
from . import Compare, register

register(
    "07.1", "bytes of a float16 logit cache for CIFAR-100", compare=Compare("exact"),
    reference=lambda: 50_000 * 100 * 2,
    solution=lambda: 50_000 * 100 * 2,
    wrong={"float32": lambda: 50_000 * 100 * 4, "bits, not bytes": lambda: 50_000 * 100 * 16,
           "ten classes": lambda: 50_000 * 10 * 2})

register(
    "07.2", "which rank trains on example 4 in epoch 3", compare=Compare("exact"),
    reference=lambda: next(r for r in (0, 1) if 4 in epoch_order(12, 4, 0, 3, 2, r).tolist()),
    solution=lambda: [r for r in (0, 1) if 4 in epoch_order(12, 4, seed=0, epoch=3, world=2, rank=r)][0],
    wrong={"epoch 2 (the printed table) read instead":
           lambda: next(r for r in (0, 1) if 4 in epoch_order(12, 4, 0, 2, 2, r).tolist()),
           "the other rank": lambda: 1 - next(r for r in (0, 1) if 4 in epoch_order(12, 4, 0, 3, 2, r).tolist())})


def _examples_per_step(world: int = 4, batch_size: int = 64) -> tuple[int, int]:
    """(a) this package: one process's share of a global batch; (b) plain PyTorch: one step over all processes."""
    share = len(Context(rank=0, world=world).shard(torch.arange(batch_size)))
    data = list(range(10 * batch_size * world))
    per_step = sum(len(next(iter(DataLoader(data, batch_size=batch_size,
                                            sampler=DistributedSampler(data, num_replicas=world, rank=r)))))
                   for r in range(world))
    return share, per_step


register(
    "07.3", "examples per process (this package) and per step (plain PyTorch), 4 processes, batch_size=64",
    compare=Compare("exact"), reference=lambda: _examples_per_step(world=4, batch_size=64),
    solution=lambda: (64 // 4, 4 * 64),
    wrong={"both conventions read as PyTorch's": lambda: (64, 4 * 64),
           "both conventions read as this package's": lambda: (64 // 4, 64),
           "the conventions swapped": lambda: (64, 64),
           "2 processes, as in the notebook's example": lambda: (64 // 2, 2 * 64)})
