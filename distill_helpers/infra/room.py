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
take seconds: in a prepared room a block that runs past its limit is stopped as soon as the training
notices, not when the work is done. Every training entry point checks the deadline where it already
calls `refuse_training` (`fit`, and `train_epoch` at the start of every epoch), and the loops that are one
call (`batched.distill_students` per epoch, `lm.train_lm` per step) call `check_live_deadline`: a clock
read, no synchronisation with a device. A block that ran past its limit without training (or inside one
epoch) still raises when it ends.
Toy optimisations on random inputs (notebook 03's tiny linear layers, written out with torch.optim;
notebook 08's two-parameter Gaussian fit, `lm.fit_gaussian`) take milliseconds, train no model of the
series, and are not guarded.
"""
from __future__ import annotations

import contextlib
import os
import time

__all__ = ["NO_TRAINING_ENV", "LIVE_LIMIT_S", "TrainingRefused", "training_refused", "refuse_training",
           "live_training", "check_live_deadline"]

#: Set to "1" to make every training entry point raise (a prepared room; see prepare.py).
NO_TRAINING_ENV = "DISTILL_NO_TRAINING"

#: Default wall-clock limit, in seconds, of a `live_training` block in a prepared room.
LIVE_LIMIT_S = 30.0

_live: list[tuple[str, float, float | None]] = []  # (why, limit_s, deadline or None) of the open live blocks


class TrainingRefused(RuntimeError):
    """Training was asked for in a prepared room (DISTILL_NO_TRAINING=1) outside any cache."""


def training_refused() -> bool:
    """True when DISTILL_NO_TRAINING=1 and no `live_training` block allows training right now."""
    return os.environ.get(NO_TRAINING_ENV) == "1" and not _live


def _overrun(why: str, limit_s: float, took: float) -> TrainingRefused:
    return TrainingRefused(f"the live training block {why!r} took {took:.1f} s, more than its {limit_s:g} s limit "
                           f"in a prepared room ({NO_TRAINING_ENV}=1): cache its result with "
                           f"distill_helpers.results.cached_result instead")


def check_live_deadline() -> None:
    """Raise `TrainingRefused` if a `live_training` block of a prepared room has run past its limit.

    Called by the training loops between epochs (or steps), so that an overlong live demonstration stops
    at once instead of finishing its work first. Costs a clock read inside a block, nothing outside.
    """
    for why, limit_s, deadline in _live:
        if deadline is not None:
            now = time.perf_counter()
            if now > deadline:
                raise _overrun(why, limit_s, now - deadline + limit_s)


def refuse_training(what: str, root=None) -> None:
    """Raise `TrainingRefused` if training is refused now (see `training_refused`).

    `root`: the cache root, when the caller is a cache about to train on a miss; None for a training
    function called directly. Inside a `live_training` block, checks its deadline (`check_live_deadline`).
    """
    check_live_deadline()
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
    the block must end within `limit_s` seconds: training inside it is stopped with `TrainingRefused` at
    the first epoch (or step) past the deadline, and a block that overran otherwise raises when it ends.
    A live block is for seconds of training, never for an experiment.
    """
    if not isinstance(why, str) or not why.strip():
        raise ValueError("live_training needs a reason: say what trains live and why it cannot be cached")
    if not limit_s > 0:
        raise ValueError(f"limit_s must be a positive number of seconds, got {limit_s}")
    guarded = os.environ.get(NO_TRAINING_ENV) == "1"
    t0 = time.perf_counter()
    entry = (why, float(limit_s), t0 + limit_s if guarded else None)
    _live.append(entry)
    try:
        yield
    finally:
        _live.remove(entry)
    took = time.perf_counter() - t0
    if guarded and took > limit_s:
        raise _overrun(why, limit_s, took)
