"""Intervals for results over seeds: a mean (or a paired difference) with its Student-t 95 % interval."""
from __future__ import annotations

import math
from typing import Sequence

__all__ = ["mean_interval", "paired_difference", "t_quantile", "check_level", "check_values"]


def check_level(level) -> float:
    """The confidence level as a float strictly between 0 and 1 (0.95, not 95), or ValueError."""
    try:
        lv = float(level)
    except (TypeError, ValueError):
        raise ValueError(f"level must be a number between 0 and 1 such as 0.95, got {level!r}") from None
    if isinstance(level, bool) or not 0 < lv < 1:  # also refuses NaN
        hint = f" (for a {lv:g} % interval write level={lv / 100:g})" if 50 <= lv < 100 else ""
        raise ValueError(f"level is the interval's coverage, a fraction strictly between 0 and 1 such as 0.95, "
                         f"got {level!r}{hint}")
    return lv


def check_values(values, what: str = "values") -> list[float]:
    """The values as floats, all finite: a NaN or inf (a diverged run, a missing result) would make the
    interval NaN without a word, so it is refused with the positions of the bad values."""
    try:
        xs = [float(v) for v in values]
    except (TypeError, ValueError) as e:
        raise ValueError(f"{what} must be numbers (one per seed), got {values!r:.80}: {e}") from None
    bad = [i for i, x in enumerate(xs) if not math.isfinite(x)]
    if bad:
        raise ValueError(f"{what} hold NaN or inf at position(s) {bad[:5]} of {len(xs)}: a run diverged or a result is "
                         f"missing; fix or rerun those seeds (or drop them and say so) before computing an interval")
    return xs


def t_quantile(p: float, df: int) -> float:
    """The p-quantile of Student's t distribution with df degrees of freedom (scipy.stats.t.ppf)."""
    if df < 1:
        raise ValueError(f"need at least 2 values for an interval (df >= 1), got df={df}")
    from scipy.stats import t
    return float(t.ppf(p, df))


def mean_interval(values: Sequence[float], level: float = 0.95) -> dict:
    """Mean, sample std and the t interval mean ± t_{(1+level)/2, n-1} * std / sqrt(n)."""
    xs = check_values(values)
    level = check_level(level)
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
    a, b = check_values(a, "the first values"), check_values(b, "the second values")
    if len(a) != len(b):
        raise ValueError(f"paired values need the same seeds on both sides: {len(a)} against {len(b)}")
    out = mean_interval([x - y for x, y in zip(a, b)], level)
    out["excludes_zero"] = out["low"] > 0 or out["high"] < 0
    return out
