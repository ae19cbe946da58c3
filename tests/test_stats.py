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


# ---------------------------------------------------------------- issue 24 item 9: no NaN interval without a word

@pytest.mark.parametrize("values", [[1.0, float("nan"), 3.0], [1.0, float("inf")], [-math.inf, 2.0, 3.0]])
def test_nan_or_inf_values_are_refused_not_turned_into_a_nan_interval(values):
    with pytest.raises(ValueError, match="NaN or inf at position"):
        mean_interval(values)
    with pytest.raises(ValueError, match="NaN or inf"):
        paired_difference(values, [0.0] * len(values))
    with pytest.raises(ValueError, match="NaN or inf"):
        paired_difference([0.0] * len(values), values)


@pytest.mark.parametrize("level, hint", [(1.5, ""), (95, "level=0.95"), (0.0, ""), (1.0, ""), (-0.5, ""),
                                         (float("nan"), ""), (True, ""), ("high", "")])
def test_a_level_outside_zero_one_is_refused(level, hint):
    with pytest.raises(ValueError, match="between 0 and 1") as e:
        mean_interval([1.0, 2.0, 3.0], level=level)
    assert hint in str(e.value)
    with pytest.raises(ValueError, match="between 0 and 1"):
        paired_difference([1.0, 2.0], [0.0, 0.5], level=level)
    # a level inside (0, 1) still works: a 50 % interval is narrower than the 95 % one
    assert mean_interval([1.0, 2.0, 3.0], level=0.5)["half_width"] < mean_interval([1.0, 2.0, 3.0])["half_width"]


def test_calibration_error_of_nan_logits_is_an_error():
    import torch
    from distill_helpers import expected_calibration_error
    logits = torch.tensor([[2.0, 0.0], [float("nan"), 1.0], [0.0, 3.0]])
    y = torch.tensor([0, 1, 1])
    with pytest.raises(ValueError, match="NaN or inf"):
        expected_calibration_error(logits, y)
    with pytest.raises(ValueError, match="NaN or inf"):
        expected_calibration_error(torch.tensor([[math.inf, 0.0]]), torch.tensor([0]))
    with pytest.raises(ValueError, match="n_bins"):
        expected_calibration_error(logits.nan_to_num(), y, n_bins=0)
    # finite logits: the hand value. Confidences 0.881 (right), 0.953 (right), 0.731 (row 2 predicts 1: right)
    ok = torch.tensor([[2.0, 0.0], [0.0, 3.0], [0.0, 1.0]])
    conf = torch.softmax(ok.double(), 1).max(1).values
    assert expected_calibration_error(ok, torch.tensor([0, 1, 1])) == pytest.approx(float((1 - conf).mean()))
