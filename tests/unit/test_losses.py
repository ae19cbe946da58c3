"""The distillation loss, each property checked against an independent reference.

Where each pitfall of docs/pitfalls.md is tested (the same map, with sources, is in that file):
1. reduction="mean"              test_reduction_mean_trap_gives_a_different_wrong_value
2. missing T^2                   test_T_squared_keeps_soft_gradient_size_roughly_constant
3. probabilities / p.log()       test_probabilities_instead_of_log_probabilities_is_wrong_and_we_are_stable
4. teacher in train mode/grads   tests/unit/test_train.py::test_teacher_is_frozen_and_in_eval_mode
5. misaligned cached logits      tests/unit/test_train.py::test_cached_teacher_logits_match_per_batch_teacher,
                                 test_batch_indices_keep_rows_aligned
6. swapped / duplicated logits   test_loss_depends_on_student_and_teacher_and_arguments_are_not_symmetric
7. alpha convention              test_alpha_is_the_soft_weight
8. single seed, best epoch       tests/unit/test_cli.py::test_replicate_small_run_writes_loadable_models
9. lookup by sample index       tests/unit/test_train.py::test_fit_contract_batch_index_eval_data_and_history
10. choices made on the test set see docs/pitfalls.md
"""
import math

import pytest
import torch
import torch.nn.functional as F

from distill_helpers.losses import (entropy, kd_loss, kd_loss_terms, kl_divergence, logit_matching_loss,
                                    soft_cross_entropy, soft_targets, softmax_with_temperature)


def _hand_softmax(row, T):
    e = [math.exp(v / T) for v in row]
    s = sum(e)
    return [x / s for x in e]


def test_softmax_with_temperature_matches_hand_computation():
    z = torch.tensor([[1.0, 2.0, 3.0]])
    for T in (0.5, 1.0, 4.0):
        expected = torch.tensor([_hand_softmax([1.0, 2.0, 3.0], T)])
        assert torch.allclose(softmax_with_temperature(z, T), expected, atol=1e-6)


def test_temperature_limits():
    z = torch.tensor([[1.0, 5.0, 2.0]], dtype=torch.float64)
    assert torch.allclose(softmax_with_temperature(z, 1e-3), torch.tensor([[0.0, 1.0, 0.0]], dtype=torch.float64))
    assert torch.allclose(softmax_with_temperature(z, 1e6), torch.full((1, 3), 1 / 3, dtype=torch.float64), atol=1e-5)


def test_soft_targets_are_detached():
    v = torch.randn(2, 4, requires_grad=True)
    assert not soft_targets(v, 3.0).requires_grad


def test_kd_loss_equals_hand_computation():
    # Two examples, three classes, computed with math (no torch) from the definition.
    z = [[1.0, 0.0, -1.0], [0.5, 2.0, 0.0]]
    v = [[2.0, 1.0, 0.0], [0.0, 3.0, -1.0]]
    y = [0, 1]
    T, alpha = 2.0, 0.7
    kl = 0.0
    ce = 0.0
    for zr, vr, lab in zip(z, v, y):
        p, q = _hand_softmax(vr, T), _hand_softmax(zr, T)
        kl += sum(pi * math.log(pi / qi) for pi, qi in zip(p, q))
        ce += -math.log(_hand_softmax(zr, 1.0)[lab])
    expected = alpha * T * T * kl / 2 + (1 - alpha) * ce / 2
    got = kd_loss(torch.tensor(z), torch.tensor(v), torch.tensor(y), T=T, alpha=alpha)
    assert got.item() == pytest.approx(expected, rel=1e-5)
    got64 = kd_loss(torch.tensor(z, dtype=torch.float64), torch.tensor(v, dtype=torch.float64), torch.tensor(y), T, alpha)
    assert got64.dtype == torch.float64
    assert got64.item() == pytest.approx(expected, rel=1e-12)


def test_gradient_matches_closed_form():
    # d/dz [alpha T^2 KL / B + (1-alpha) CE / B] = alpha T (q_T - p_T) / B + (1-alpha) (softmax(z) - onehot) / B
    g = torch.Generator().manual_seed(1)
    B, C, T, alpha = 5, 7, 3.0, 0.8
    z = torch.randn(B, C, generator=g, dtype=torch.float64, requires_grad=True)
    v = torch.randn(B, C, generator=g, dtype=torch.float64) * 2
    y = torch.randint(0, C, (B,), generator=g)
    kd_loss(z, v, y, T, alpha).backward()
    q = torch.exp(z.detach() / T) / torch.exp(z.detach() / T).sum(1, keepdim=True)
    p = torch.exp(v / T) / torch.exp(v / T).sum(1, keepdim=True)
    s = torch.exp(z.detach()) / torch.exp(z.detach()).sum(1, keepdim=True)
    onehot = torch.eye(C, dtype=torch.float64)[y]
    expected = alpha * T * (q - p) / B + (1 - alpha) * (s - onehot) / B
    assert torch.allclose(z.grad, expected, atol=1e-12)


def test_gradcheck_float64():
    g = torch.Generator().manual_seed(2)
    z = torch.randn(4, 5, generator=g, dtype=torch.float64, requires_grad=True)
    v = torch.randn(4, 5, generator=g, dtype=torch.float64)
    y = torch.tensor([0, 1, 4, 2])
    assert torch.autograd.gradcheck(lambda z: kd_loss(z, v, y, T=2.5, alpha=0.6), (z,))
    assert torch.autograd.gradcheck(lambda z: kd_loss(z, v, None, T=7.0, alpha=1.0), (z,))


def test_kl_and_soft_cross_entropy_same_gradient_values_differ_by_teacher_entropy():
    g = torch.Generator().manual_seed(3)
    v = torch.randn(6, 10, generator=g, dtype=torch.float64) * 3
    T = 4.0
    z1 = torch.randn(6, 10, generator=g, dtype=torch.float64, requires_grad=True)
    z2 = z1.detach().clone().requires_grad_(True)
    kl = kl_divergence(z1, v, T)
    ce = soft_cross_entropy(z2, v, T)
    kl.backward()
    ce.backward()
    assert torch.allclose(z1.grad, z2.grad, atol=1e-12)
    H = entropy(softmax_with_temperature(v, T)).mean()
    assert (ce - kl).item() == pytest.approx(H.item(), rel=1e-10)
    assert kl.item() > 0


def test_kl_is_zero_iff_distributions_match_and_is_shift_invariant():
    v = torch.randn(3, 5, dtype=torch.float64)
    assert kl_divergence(v.clone(), v, 2.0).item() == pytest.approx(0.0, abs=1e-12)
    assert kl_divergence(v + 7.0, v, 2.0).item() == pytest.approx(0.0, abs=1e-12)  # softmax ignores shifts
    assert kl_divergence(v * 2, v, 2.0).item() > 1e-3


def test_T_squared_keeps_soft_gradient_size_roughly_constant():
    g = torch.Generator().manual_seed(4)
    z0 = torch.randn(64, 10, generator=g, dtype=torch.float64) * 3
    v = torch.randn(64, 10, generator=g, dtype=torch.float64) * 3
    with_t2, without = [], []
    for T in (2.0, 5.0, 10.0, 20.0):
        z = z0.clone().requires_grad_(True)
        kd_loss(z, v, None, T=T, alpha=1.0).backward()
        with_t2.append(z.grad.norm().item())
        z = z0.clone().requires_grad_(True)
        kl_divergence(z, v, T).backward()  # pitfall 2: no T^2
        without.append(z.grad.norm().item())
    assert max(with_t2) / min(with_t2) < 2.0
    assert without[0] / without[-1] > 50  # falls roughly as 1/T^2 (here 100x from T=2 to T=20)


def test_high_temperature_limit_is_logit_matching():
    g = torch.Generator().manual_seed(5)
    z = torch.randn(8, 10, generator=g, dtype=torch.float64)
    v = torch.randn(8, 10, generator=g, dtype=torch.float64)
    z, v = z - z.mean(1, keepdim=True), v - v.mean(1, keepdim=True)  # zero-mean logits per example
    zl = z.clone().requires_grad_(True)
    logit_matching_loss(zl, v).backward()
    # closed form of the limit: (z - v) / (N * B)
    assert torch.allclose(zl.grad, (z - v) / (10 * 8), atol=1e-14)
    errs = []
    for T in (5.0, 50.0, 500.0):
        zk = z.clone().requires_grad_(True)
        kd_loss(zk, v, None, T=T, alpha=1.0).backward()
        errs.append(((zk.grad - zl.grad).norm() / zl.grad.norm()).item())
    assert errs[0] > errs[1] > errs[2]
    assert errs[-1] < 1e-2


def test_logit_matching_centres_the_logits_as_the_high_T_limit_requires():
    # Logits whose rows do NOT have zero mean: the high-T limit of T^2 KL is matching centred logits.
    g = torch.Generator().manual_seed(7)
    z = torch.randn(6, 10, generator=g, dtype=torch.float64) + 5.0
    v = torch.randn(6, 10, generator=g, dtype=torch.float64) - 3.0
    zk = z.clone().requires_grad_(True)
    kd_loss(zk, v, None, T=1e4, alpha=1.0).backward()
    zc, zr = z.clone().requires_grad_(True), z.clone().requires_grad_(True)
    logit_matching_loss(zc, v).backward()
    logit_matching_loss(zr, v, centre=False).backward()
    zbar, vbar = z - z.mean(1, keepdim=True), v - v.mean(1, keepdim=True)
    assert torch.allclose(zc.grad, (zbar - vbar) / (10 * 6), atol=1e-14)  # hand-written closed form
    assert torch.allclose(zr.grad, (z - v) / (10 * 6), atol=1e-14)
    assert ((zk.grad - zc.grad).norm() / zc.grad.norm()).item() < 1e-3  # centred: the limit
    assert ((zk.grad - zr.grad).norm() / zc.grad.norm()).item() > 1.0  # raw: far from it
    assert zk.grad.sum(1).abs().max() < 1e-12 and zc.grad.sum(1).abs().max() < 1e-12  # the mean never moves
    # a constant shift of a row changes nothing for the centred loss, as for a softmax
    assert logit_matching_loss(z + 7.0, v).item() == pytest.approx(logit_matching_loss(z, v).item(), rel=1e-12)


def test_reduction_mean_trap_gives_a_different_wrong_value():
    # Pitfall 1: F.kl_div(reduction="mean") divides by batch*classes instead of batch.
    g = torch.Generator().manual_seed(6)
    z = torch.randn(4, 10, generator=g, dtype=torch.float64)
    v = torch.randn(4, 10, generator=g, dtype=torch.float64)
    p, log_q = F.softmax(v, 1), F.log_softmax(z, 1)
    true_kl = (p * (p.log() - log_q)).sum(1).mean()  # textbook definition, batch mean
    wrong = F.kl_div(log_q, p, reduction="mean")
    assert wrong.item() == pytest.approx(true_kl.item() / 10, rel=1e-10)
    assert kl_divergence(z, v, 1.0).item() == pytest.approx(true_kl.item(), rel=1e-10)


def test_probabilities_instead_of_log_probabilities_is_wrong_and_we_are_stable():
    # Pitfall 3: F.kl_div's first argument must be log-probabilities.
    g = torch.Generator().manual_seed(7)
    z = torch.randn(4, 10, generator=g, dtype=torch.float64)
    v = torch.randn(4, 10, generator=g, dtype=torch.float64)
    p, q = F.softmax(v, 1), F.softmax(z, 1)
    true_kl = (p * (p.log() - q.log())).sum(1).mean().item()
    wrong = F.kl_div(q, p, reduction="batchmean").item()
    assert abs(wrong - true_kl) > 0.1
    # p.log() by hand with a one-hot teacher: 0 * log 0 = nan.
    v_hard = torch.tensor([[1e4, -1e4, 0.0]], dtype=torch.float64)
    p_hard = F.softmax(v_hard, 1)
    assert torch.isnan((p_hard * p_hard.log()).sum())
    zz = torch.zeros(1, 3, dtype=torch.float64, requires_grad=True)
    loss = kd_loss(zz, v_hard, None, T=1.0, alpha=1.0)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(zz.grad).all()
    assert loss.item() == pytest.approx(math.log(3), rel=1e-9)  # KL(onehot || uniform) = log 3


@pytest.mark.parametrize("T", [0.05, 1.0, 4.0, 100.0, 1e4])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_extreme_logits_stay_finite(T, dtype):
    z = torch.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 5.0]], dtype=dtype, requires_grad=True)
    v = torch.tensor([[-1e4, 1e4, 0.0], [1e4, -1e4, -3.0]], dtype=dtype)
    loss = kd_loss(z, v, torch.tensor([0, 1]), T=T, alpha=0.5)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(z.grad).all()


def test_loss_depends_on_student_and_teacher_and_arguments_are_not_symmetric():
    # Pitfall 6: swapped arguments or teacher logits on both sides silently disable distillation.
    g = torch.Generator().manual_seed(8)
    z = torch.randn(5, 10, generator=g, dtype=torch.float64, requires_grad=True)
    v = (torch.randn(5, 10, generator=g, dtype=torch.float64) * 3).requires_grad_(True)
    loss = kd_loss(z, v, None, T=2.0, alpha=1.0)
    assert loss.item() > 0
    (gz,) = torch.autograd.grad(loss, z)
    assert gz.abs().sum() > 0
    # the teacher is a target: no gradient flows into it, but its value changes the loss
    assert not kd_loss(z.detach(), v, None, 2.0, 1.0).requires_grad
    assert kd_loss(z, v * 0.5, None, 2.0, 1.0).item() != pytest.approx(loss.item())
    assert kd_loss(v, z, None, 2.0, 1.0).item() != pytest.approx(loss.item())  # KL is asymmetric


def test_alpha_is_the_soft_weight():
    # Pitfall 7: alpha=1 is the pure soft term, alpha=0 pure cross-entropy.
    g = torch.Generator().manual_seed(9)
    z = torch.randn(5, 4, generator=g)
    v = torch.randn(5, 4, generator=g)
    y = torch.tensor([0, 1, 2, 3, 0])
    terms = kd_loss_terms(z, v, y, T=3.0)
    assert kd_loss(z, v, y, 3.0, 1.0).item() == pytest.approx(terms["soft"].item(), rel=1e-6)
    assert kd_loss(z, v, y, 3.0, 0.0).item() == pytest.approx(F.cross_entropy(z, y).item(), rel=1e-6)
    assert terms["soft"].item() == pytest.approx(9 * kl_divergence(z, v, 3.0).item(), rel=1e-6)


@pytest.mark.parametrize("kwargs, match", [
    ({"T": 0}, "temperature"), ({"T": -1.0}, "temperature"), ({"T": float("inf")}, "temperature"),
    ({"T": float("nan")}, "temperature"), ({"T": "hot"}, "temperature"),
    ({"alpha": 1.5}, "alpha"), ({"alpha": -0.1}, "alpha"), ({"alpha": float("nan")}, "alpha"),
])
def test_bad_hyperparameters_raise_clear_errors(kwargs, match):
    z, v, y = torch.zeros(2, 3), torch.zeros(2, 3), torch.tensor([0, 1])
    with pytest.raises(ValueError, match=match):
        kd_loss(z, v, y, **kwargs)


def test_bad_tensors_raise_clear_errors():
    z, y = torch.zeros(2, 3), torch.tensor([0, 1])
    with pytest.raises(ValueError, match="same shape"):
        kd_loss(z, torch.zeros(2, 4), y)
    with pytest.raises(ValueError, match="labels must lie in"):
        kd_loss(z, z, torch.tensor([0, 3]))
    with pytest.raises(ValueError, match="labels must lie in"):
        kd_loss(z, z, torch.tensor([-1, 0]))
    with pytest.raises(ValueError, match="labels has 3 entries"):
        kd_loss(z, z, torch.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="NaN"):
        kd_loss(torch.tensor([[0.0, float("nan"), 1.0]] * 2), z, y)
    with pytest.raises(ValueError, match="NaN"):
        kd_loss(z, torch.tensor([[0.0, float("nan"), 1.0]] * 2), y)
    with pytest.raises(ValueError, match="labels=None"):
        kd_loss(z, z, None, alpha=0.5)
    with pytest.raises(ValueError, match=r"\(batch, classes\)"):
        kd_loss(torch.zeros(3), torch.zeros(3), None, alpha=1.0)
    with pytest.raises(ValueError, match="1-D integer"):
        kd_loss(z, z, torch.tensor([0.0, 1.0]))


# ---------------------------------------------------------------- issue 14: no silent NaN

@pytest.mark.parametrize("bad", [float("inf"), float("-inf")])
def test_infinite_logits_are_refused_not_nan(bad):
    z, y = torch.zeros(2, 3), torch.tensor([0, 1])
    with pytest.raises(ValueError, match="inf"):
        kd_loss(torch.tensor([[0.0, bad, 1.0]] * 2), z, y)
    with pytest.raises(ValueError, match="inf"):
        kd_loss(z, torch.tensor([[0.0, bad, 1.0]] * 2), y)


def test_an_empty_batch_is_refused_not_nan():
    with pytest.raises(ValueError, match="empty"):
        kd_loss(torch.zeros(0, 10), torch.zeros(0, 10), torch.zeros(0, dtype=torch.long))
    with pytest.raises(ValueError, match="empty"):
        kd_loss(torch.zeros(0, 10), torch.zeros(0, 10), None, alpha=1.0)


def test_huge_temperature_is_refused_and_large_ones_stay_accurate():
    g = torch.Generator().manual_seed(3)
    z, v = torch.randn(4, 10, generator=g), torch.randn(4, 10, generator=g)
    y = torch.tensor([0, 1, 2, 3])
    with pytest.raises(ValueError, match="too large.*logit_matching_loss"):
        kd_loss(z, v, y, T=1e30)  # was NaN
    # independent reference: as T grows, T^2 * KL tends to the logit-matching value (1/2N) mean_b sum_i
    # of the squared difference of the zero-mean logits (Hinton et al., section 2.1)
    zc, vc = z.double() - z.double().mean(1, keepdim=True), v.double() - v.double().mean(1, keepdim=True)
    limit = ((zc - vc) ** 2).sum(1).mean().item() / (2 * 10)
    for T in (1e3, 1e4):
        soft = kd_loss(z, v, None, T=T, alpha=1.0)  # float32 inputs
        assert soft.dtype == torch.float32 and torch.isfinite(soft)
        assert soft.item() == pytest.approx(limit, rel=1e-3)  # float32 arithmetic gave 3.4 instead of 1.17 at 1e4


@pytest.mark.parametrize("kwargs", [{"T": True}, {"alpha": True}, {"alpha": False}, {"T": torch.tensor(True)}])
def test_boolean_hyperparameters_are_refused(kwargs):
    z, y = torch.zeros(2, 3), torch.tensor([0, 1])
    with pytest.raises(ValueError, match="boolean"):
        kd_loss(z, z, y, **kwargs)


def test_uniform_soft_targets_by_hand():
    from distill_helpers.losses import as_target_logits, softmax_with_temperature, uniform_soft_targets
    t = torch.tensor([[2.0, 0.0, 0.0, 1.0], [0.0, 0.0, 4.0, 0.0]])
    # row 0 at T = 2: softmax([1, 0, 0, 0.5]) = e / (e + 2 + e^0.5) on class 0, the rest split three ways
    e, r = math.e, math.exp(0.5)
    top = e / (e + 2 + r)
    got = uniform_soft_targets(t, T=2.0)
    assert got[0].tolist() == pytest.approx([top, (1 - top) / 3, (1 - top) / 3, (1 - top) / 3], rel=1e-6)
    top1 = math.exp(2) / (math.exp(2) + 3)  # row 1 at T = 2: softmax([0, 0, 2, 0])
    assert got[1].tolist() == pytest.approx([(1 - top1) / 3] * 2 + [top1] + [(1 - top1) / 3], rel=1e-6)
    # as logits at the same T, the tempered softmax gives the targets back
    torch.testing.assert_close(softmax_with_temperature(as_target_logits(got, 2.0), 2.0), got)


def test_label_smoothing_as_kd_equals_cross_entropy_with_label_smoothing():
    from distill_helpers.losses import as_target_logits, kd_loss, label_smoothing_targets
    y = torch.tensor([3, 0, 9])
    p = label_smoothing_targets(y, 10, eps=0.1)
    assert p[0, 3].item() == pytest.approx(0.91) and p[0, 0].item() == pytest.approx(0.01)  # by hand: 0.9 + 0.1 / 10
    z = torch.randn(3, 10, requires_grad=True, generator=torch.Generator().manual_seed(0))
    # KD at T = 1, alpha = 1 against the smoothed labels: KL = CE(smoothed) - H(smoothed), the same gradient
    kd = kd_loss(z, as_target_logits(p), y, 1.0, 1.0)
    ce = F.cross_entropy(z, y, label_smoothing=0.1)
    H = -(p * p.log()).sum(1).mean()
    assert kd.item() == pytest.approx((ce - H).item(), rel=1e-5)
    g1, = torch.autograd.grad(kd, z)
    g2, = torch.autograd.grad(ce, z)
    torch.testing.assert_close(g1, g2)
    with pytest.raises(ValueError, match="eps"):
        label_smoothing_targets(y, 10, eps=1.0)
    with pytest.raises(ValueError, match="probabilities > 0"):
        as_target_logits(torch.tensor([[1.0, 0.0]]))
