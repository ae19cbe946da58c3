"""Reporting multi-seed experiments: the share of a gap a method closes, and results cached by config."""
from __future__ import annotations

from typing import Callable

from .cache import VERSIONS, cached

__all__ = ["gap_closed", "cached_result"]

#: Bump cache.VERSIONS["result"] when the code behind a cached result changes in a way its config does not show
#: (2: batched training computes its loss with kd_terms, float-level changes; 3: checksummed entries).


def gap_closed(student: float, baseline: float, target: float) -> float:
    """(baseline - student) / (baseline - target): the share of the baseline-to-target gap a student closes.

    Works for error counts and for accuracies alike (both signs flip together). The paper's MNIST
    student closed (146 - 74) / (146 - 67) = 91 % of the scratch-to-teacher gap in test errors.
    """
    if baseline == target:
        raise ValueError(f"baseline and target are equal ({baseline}): there is no gap to close")
    return (baseline - student) / (baseline - target)


def cached_result(name: str, config: dict, compute: Callable[[], dict], root=None, recompute: bool = False) -> dict:
    """`compute()` once for exactly this (name, config), saved under root/cache (root None: `data_root()`);
    later calls load it.

    `config` must name everything the result depends on (seeds, epochs, T, the teacher's config, ...):
    it is hashed into the file name and stored inside, and a file made for another config is never
    used. The result is a dict of numbers, lists, strings and tensors; the write is atomic and checksummed,
    and a damaged or stale file warns and is recomputed (see cache.py).
    """
    def checked() -> dict:
        result = compute()
        if not isinstance(result, dict):
            raise TypeError(f"compute() must return a dict, got {type(result).__name__}")
        return result
    return cached(f"result-{name}", config, checked, version=VERSIONS["result"], root=root, recompute=recompute)
