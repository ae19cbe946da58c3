"""Reporting multi-seed experiments: the share of a gap a method closes, and results cached by config."""
from __future__ import annotations

import hashlib
import json
import warnings
from pathlib import Path
from typing import Callable

import torch

from .safeio import atomic_torch_save

__all__ = ["gap_closed", "cached_result"]

#: Bump when the code behind a cached result changes in a way its config does not show.
RESULT_CACHE_VERSION = 2  # 2: batched training (distill_students) computes its loss with kd_terms: float-level changes


def gap_closed(student: float, baseline: float, target: float) -> float:
    """(baseline - student) / (baseline - target): the share of the baseline-to-target gap a student closes.

    Works for error counts and for accuracies alike (both signs flip together). The paper's MNIST
    student closed (146 - 74) / (146 - 67) = 91 % of the scratch-to-teacher gap in test errors.
    """
    if baseline == target:
        raise ValueError(f"baseline and target are equal ({baseline}): there is no gap to close")
    return (baseline - student) / (baseline - target)


def _result_path(root, name: str, config: dict) -> Path:
    blob = json.dumps({"result_cache_version": RESULT_CACHE_VERSION, "name": name, **config}, sort_keys=True)
    return Path(root) / "cache" / f"result-{name}-{hashlib.sha256(blob.encode()).hexdigest()[:16]}.pt"


def cached_result(name: str, config: dict, compute: Callable[[], dict], root="data", recompute: bool = False) -> dict:
    """`compute()` once for exactly this (name, config), saved under root/cache; later calls load it.

    `config` must name everything the result depends on (seeds, epochs, T, the teacher's config, ...):
    it is hashed into the file name and stored inside, and a file made for another config is never
    used. The result is a dict of numbers, lists, strings and tensors; the write is atomic.
    """
    config = json.loads(json.dumps(config))  # plain JSON types, so the stored copy compares equal
    path = _result_path(root, name, config)
    if path.exists() and not recompute:
        try:
            stored = torch.load(path, weights_only=True)
            if stored.get("config") == config:
                return stored["result"]
            warnings.warn(f"cached result {path.name} was made for another config; recomputing")
        except Exception as e:  # a damaged file is recomputed, never trusted
            warnings.warn(f"cached result {path.name} is unreadable ({type(e).__name__}: {e}); recomputing")
    result = compute()
    if not isinstance(result, dict):
        raise TypeError(f"compute() must return a dict, got {type(result).__name__}")
    atomic_torch_save({"config": config, "result": result}, path)
    return result
