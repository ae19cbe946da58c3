"""Intervals over seeds, against textbook values and a hand computation."""
import math

import pytest

from distill_helpers.stats import mean_interval, paired_difference, t_quantile


def test_t_quantiles_match_printed_tables():
    # two-sided 95 % critical values from any statistics table
    for df, value in ((1, 12.706), (4, 2.776), (7, 2.365), (9, 2.262), (30, 2.042)):
        assert t_quantile(0.975, df) == pytest.approx(value, abs=5e-4)


def test_mean_interval_by_hand():
    r = mean_interval([1.0, 2.0, 3.0, 4.0, 5.0])
    # mean 3, sample variance 10 / 4 = 2.5, half width 2.776 * sqrt(2.5 / 5)
    assert r["mean"] == 3.0 and r["std"] == pytest.approx(math.sqrt(2.5))
    assert r["half_width"] == pytest.approx(2.7764451 * math.sqrt(0.5), rel=1e-6)
    assert r["low"] < 3.0 < r["high"]
    with pytest.raises(ValueError, match="at least 2"):
        mean_interval([1.0])


def test_paired_difference_removes_the_shared_seed_effect():
    base = [60.0, 70.0, 65.0, 80.0]  # large seed-to-seed spread
    better = [b - 3 + e for b, e in zip(base, (0.5, -0.5, 0.0, 0.0))]
    r = paired_difference(better, base)
    assert r["mean"] == pytest.approx(-3.0)
    assert r["excludes_zero"] and r["high"] < 0
    # unpaired, the same data could not tell the two apart
    assert mean_interval(better)["high"] > mean_interval(base)["low"]
    assert not paired_difference([1.0, -1.0, 2.0], [0.0, 0.0, 0.0])["excludes_zero"]
    with pytest.raises(ValueError, match="same seeds"):
        paired_difference([1.0, 2.0], [1.0])
