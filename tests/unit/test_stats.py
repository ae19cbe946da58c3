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
# ---- p-values, Holm, McNemar, bootstrap: against scipy and a hand computation ---------------------------

def test_paired_t_pvalue_matches_scipy_and_the_interval():
    from scipy.stats import ttest_rel

    from distill_helpers.stats import paired_t_pvalue
    a, b = [50.0, 47.0, 52.0, 49.0, 45.0, 51.0, 48.0, 46.0], [49.0, 49.0, 53.0, 52.0, 47.0, 52.0, 49.0, 50.0]
    p = paired_t_pvalue(a, b)
    assert p == pytest.approx(ttest_rel(a, b).pvalue, rel=1e-9)
    assert (p < 0.05) == paired_difference(a, b)["excludes_zero"]
    assert paired_t_pvalue([1.0, 2.0], [0.0, 1.0]) == 0.0 and paired_t_pvalue([1.0, 2.0], [1.0, 2.0]) == 1.0


def test_holm_by_hand():
    from distill_helpers.stats import holm
    # p sorted: 0.01 (x4 = 0.04), 0.02 (x3 = 0.06), 0.03 (x2 = 0.06), 0.04 (x1 = 0.04 -> running max 0.06)
    r = holm([0.03, 0.01, 0.04, 0.02])
    assert r["adjusted"] == pytest.approx([0.06, 0.04, 0.06, 0.06])
    assert r["reject"] == [False, True, False, False]
    assert r["expected_false_positives"] == pytest.approx(0.2)
    assert holm([0.5, 0.9])["adjusted"] == pytest.approx([1.0, 1.0])  # 2 x 0.5 capped at 1; never below an earlier one


def _holm_step_down(ps, level):
    """The textbook procedure, a second formulation: reject in order while p_(i) <= level / (m - i + 1)."""
    rejected = set()
    for i, k in enumerate(sorted(range(len(ps)), key=lambda j: ps[j])):
        if ps[k] > level / (len(ps) - i):
            break
        rejected.add(k)
    return [k in rejected for k in range(len(ps))]


def test_holm_equals_the_step_down_procedure():
    import random

    from distill_helpers.stats import holm
    rng = random.Random(3)
    for _ in range(300):
        ps = [rng.random() ** 3 for _ in range(rng.randint(1, 16))]
        for level in (0.05, 0.1):
            assert holm(ps, level)["reject"] == _holm_step_down(ps, level)
            # Holm rejects everything Bonferroni rejects, and only what the raw test rejects
            r = holm(ps, level)["reject"]
            assert all(r[i] for i, p in enumerate(ps) if p <= level / len(ps))
            assert not any(r[i] for i, p in enumerate(ps) if p > level)


def test_mcnemar_matches_scipy_binomtest():
    from scipy.stats import binomtest

    from distill_helpers.stats import mcnemar
    import random
    rng = random.Random(7)
    for _ in range(50):
        a = [rng.random() < 0.9 for _ in range(200)]
        b = [rng.random() < 0.85 for _ in range(200)]
        r = mcnemar(a, b)
        assert r["a_only"] == sum(x and not y for x, y in zip(a, b))
        assert r["b_only"] == sum(y and not x for x, y in zip(a, b))
        n = r["a_only"] + r["b_only"]
        assert r["p_value"] == pytest.approx(binomtest(min(r["a_only"], r["b_only"]), n, 0.5).pvalue, rel=1e-9)
    # by hand: 0 against 5 disagreements, p = 2 / 32
    assert mcnemar([True] * 5 + [False] * 5, [False] * 5 + [False] * 5)["p_value"] == pytest.approx(2 / 32)
    assert mcnemar([True, False], [True, False])["p_value"] == 1.0
    with pytest.raises(ValueError, match="same digits"):
        mcnemar([True], [True, False])


def test_bootstrap_interval_of_an_error_rate_matches_the_normal_approximation():
    import torch

    from distill_helpers.stats import bootstrap_interval
    wrong = torch.zeros(1000)
    wrong[:100] = 1  # 10 % errors: standard error sqrt(0.1 * 0.9 / 1000) = 0.0095
    r = bootstrap_interval(lambda idx: wrong[idx].mean(), 1000, resamples=4000)
    half = 1.96 * math.sqrt(0.1 * 0.9 / 1000)
    assert r["low"] == pytest.approx(0.1 - half, abs=0.003) and r["high"] == pytest.approx(0.1 + half, abs=0.003)
