"""Intervals for results over seeds: a mean (or a paired difference) with its Student-t 95 % interval."""
from __future__ import annotations

import math
from typing import Sequence

__all__ = ["mean_interval", "paired_difference", "t_quantile"]


def t_quantile(p: float, df: int) -> float:
    """The p-quantile of Student's t distribution with df degrees of freedom (scipy.stats.t.ppf)."""
    if df < 1:
        raise ValueError(f"need at least 2 values for an interval (df >= 1), got df={df}")
    from scipy.stats import t
    return float(t.ppf(p, df))


def mean_interval(values: Sequence[float], level: float = 0.95) -> dict:
    """Mean, sample std and the t interval mean ± t_{(1+level)/2, n-1} * std / sqrt(n)."""
    xs = [float(v) for v in values]
    n = len(xs)
    if n < 2:
        raise ValueError(f"an interval needs at least 2 values (seeds), got {n}")
    mean = sum(xs) / n
    std = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    half = t_quantile((1 + level) / 2, n - 1) * std / math.sqrt(n)
    return {"mean": mean, "std": std, "n": n, "half_width": half, "low": mean - half, "high": mean + half}


def paired_difference(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> dict:
    """Mean of a[i] - b[i] over paired runs (same seed) with its t interval.

    Pairing by seed removes the part of the seed-to-seed variation the two settings share (the same
    initialisation and batch order), so a paired interval is usually much narrower than comparing two
    separate means. `excludes_zero` says whether the interval lies entirely on one side of zero.
    """
    if len(a) != len(b):
        raise ValueError(f"paired values need the same seeds on both sides: {len(a)} against {len(b)}")
    out = mean_interval([x - y for x, y in zip(a, b)], level)
    out["excludes_zero"] = out["low"] > 0 or out["high"] < 0
    return out
