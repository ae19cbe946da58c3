"""A prepared room trains nothing: the guard that every training entry point of the package calls.

With the environment variable ``DISTILL_NO_TRAINING=1`` (set in a classroom after
`python -m distill_helpers prepare`), every function that takes optimiser steps raises instead:
`fit` and `train_epoch` (so `train_model`, `distill`, `distill_with_hint`, `replicate`),
`batched.distill_students`, `experiments.train_grid` and `lm.train_lm`. Results that come from a cache
never reach them: the model cache (`get_teacher`, `get_student`, `get_lm_*`, `train_grid`) and
`results.cached_result` load what `prepare` stored, so a prepared room runs the whole series without
training a model.

One exception, stated where it happens: a demonstration that exists to be watched live (two loops
compared weight by weight, one epoch under a guard) runs inside ``with live_training(why):``. It must
take seconds: in a prepared room a block that runs longer than its limit raises when it ends.
Toy optimisations on random inputs (notebook 03's tiny linear layers, written out with torch.optim;
notebook 08's two-parameter Gaussian fit, `lm.fit_gaussian`) take milliseconds, train no model of the
series, and are not guarded.
"""
from __future__ import annotations

import contextlib
import os
import time

__all__ = ["NO_TRAINING_ENV", "LIVE_LIMIT_S", "TrainingRefused", "training_refused", "refuse_training",
           "live_training"]

#: Set to "1" to make every training entry point raise (a prepared room; see prepare.py).
NO_TRAINING_ENV = "DISTILL_NO_TRAINING"

#: Default wall-clock limit, in seconds, of a `live_training` block in a prepared room.
LIVE_LIMIT_S = 30.0

_live: list[str] = []  # the reasons of the live_training blocks we are inside


class TrainingRefused(RuntimeError):
    """Training was asked for in a prepared room (DISTILL_NO_TRAINING=1) outside any cache."""


def training_refused() -> bool:
    """True when DISTILL_NO_TRAINING=1 and no `live_training` block allows training right now."""
    return os.environ.get(NO_TRAINING_ENV) == "1" and not _live


def refuse_training(what: str, root=None) -> None:
    """Raise `TrainingRefused` if training is refused now (see `training_refused`).

    `root`: the cache root, when the caller is a cache about to train on a miss; None for a training
    function called directly.
    """
    if not training_refused():
        return
    if root is not None:
        raise TrainingRefused(
            f"{what} is not in the cache under {root} and {NO_TRAINING_ENV}=1 forbids training; run "
            f"`python -m distill_helpers prepare --root {root}` first, or unset {NO_TRAINING_ENV}")
    raise TrainingRefused(
        f"{what} would train a model, and {NO_TRAINING_ENV}=1 (a prepared room) forbids training outside "
        f"a cache: load the result through the model cache or distill_helpers.results.cached_result (which "
        f"`python -m distill_helpers prepare` fills), wrap a seconds-long demonstration in "
        f"`with live_training(why):`, or unset {NO_TRAINING_ENV}")


@contextlib.contextmanager
def live_training(why: str, limit_s: float = LIVE_LIMIT_S):
    """Allow training inside the block, in a prepared room too: for a demonstration watched live.

    `why` says what trains and why it cannot come from a cache. In a prepared room (DISTILL_NO_TRAINING=1)
    the block must end within `limit_s` seconds, or it raises `TrainingRefused` when it ends: a live
    block is for seconds of training, never for an experiment.
    """
    if not isinstance(why, str) or not why.strip():
        raise ValueError("live_training needs a reason: say what trains live and why it cannot be cached")
    if not limit_s > 0:
        raise ValueError(f"limit_s must be a positive number of seconds, got {limit_s}")
    guarded = os.environ.get(NO_TRAINING_ENV) == "1"
    _live.append(why)
    t0 = time.perf_counter()
    try:
        yield
    finally:
        _live.pop()
    took = time.perf_counter() - t0
    if guarded and took > limit_s:
        raise TrainingRefused(f"the live training block {why!r} took {took:.1f} s, more than its {limit_s:g} s limit "
                              f"in a prepared room ({NO_TRAINING_ENV}=1): cache its result with "
                              f"distill_helpers.results.cached_result instead")
