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


# ---- many comparisons, and the sampling of the digits -------------------------------------------------
# New functions only (kept apart from the interval helpers above): a p-value for a paired comparison over
# seeds, Holm's correction for a family of them, and two views of the uncertainty that the seed interval
# leaves out, because every model is scored on one fixed sample of digits.

def paired_t_pvalue(a: Sequence[float], b: Sequence[float]) -> float:
    """Two-sided p-value of the paired t test of mean(a[i] - b[i]) = 0 (scipy.stats.ttest_rel).

    It agrees with `paired_difference`: the 95 % interval excludes zero exactly when p < 0.05. All
    differences equal: p = 0 if they are not 0, 1 if they are (no spread, nothing to test).
    """
    r = paired_difference(a, b)
    if r["std"] == 0:
        return 1.0 if r["mean"] == 0 else 0.0
    from scipy.stats import t
    stat = r["mean"] / (r["std"] / math.sqrt(r["n"]))
    return float(2 * t.sf(abs(stat), r["n"] - 1))


def holm(pvalues: Sequence[float], level: float = 0.05) -> dict:
    """Holm's step-down correction for m tests read together (family-wise error rate at most `level`).

    Sort the p-values; the i-th smallest (i = 1..m) is compared with level / (m - i + 1), and the
    procedure stops at the first that fails. Equivalently each gets the adjusted p-value
    max_{j <= i} min(1, (m - j + 1) p_(j)), rejected when it is at most `level`. Returns `adjusted` and
    `reject` in the input order, and `expected_false_positives` = m * level: how many of m tests of
    true null hypotheses one expects to pass at `level` uncorrected.
    """
    ps = [float(p) for p in pvalues]
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    adjusted, running = [0.0] * m, 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * ps[i]))
        adjusted[i] = running
    return {"adjusted": adjusted, "reject": [p <= level for p in adjusted], "m": m,
            "expected_false_positives": m * level}


def mcnemar(correct_a: Sequence[bool], correct_b: Sequence[bool]) -> dict:
    """Exact McNemar test for two models scored on the same digits (a per-digit paired test).

    Only the digits on which the two disagree carry information: `a_only` (a right, b wrong) and `b_only`.
    Under "equally accurate" each disagreement is a fair coin, so the two-sided p-value is
    min(1, 2 P(X <= min(a_only, b_only))) with X ~ Binomial(a_only + b_only, 1/2).
    """
    if len(correct_a) != len(correct_b):
        raise ValueError(f"McNemar needs both models scored on the same digits: {len(correct_a)} against "
                         f"{len(correct_b)}")
    a_only = sum(1 for x, y in zip(correct_a, correct_b) if bool(x) and not bool(y))
    b_only = sum(1 for x, y in zip(correct_a, correct_b) if bool(y) and not bool(x))
    n = a_only + b_only
    tail = sum(math.comb(n, k) for k in range(min(a_only, b_only) + 1)) / 2 ** n
    return {"a_only": a_only, "b_only": b_only, "p_value": min(1.0, 2 * tail)}


def bootstrap_interval(statistic, n: int, level: float = 0.95, resamples: int = 2000, seed: int = 0) -> dict:
    """Percentile bootstrap over the n scored digits: `statistic(idx)` on `resamples` resamples.

    `idx` is a LongTensor of n indices drawn with replacement; the statistic must index every model's
    per-digit results with the same idx (a *paired* bootstrap), so that what it varies is the sample of
    digits, not the models. The interval covers the sampling of the digits only (the seeds are fixed).
    """
    import torch
    g = torch.Generator().manual_seed(seed)
    values = sorted(float(statistic(torch.randint(0, n, (n,), generator=g))) for _ in range(resamples))
    lo = values[int(math.floor((1 - level) / 2 * resamples))]
    hi = values[min(resamples - 1, int(math.ceil((1 + level) / 2 * resamples)) - 1)]
    return {"low": lo, "high": hi, "resamples": resamples}


__all__ += ["bootstrap_interval", "holm", "mcnemar", "paired_t_pvalue"]
