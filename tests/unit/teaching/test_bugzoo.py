"""The bug zoo: every bug fails its reviewer check and its fix passes; each bug's symptom checked by hand too."""
import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from distill_helpers.teaching import bugzoo as Z
from distill_helpers.losses import kd_loss


def _case(seed=0, n=48, d=12, k=5):
    torch.manual_seed(seed)
    student, teacher = nn.Linear(d, k).double(), nn.Linear(d, k).double()
    with torch.no_grad():
        teacher.weight.mul_(3.0)
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g, dtype=torch.float64)
    return Z.Case(student, teacher, X, torch.randint(0, k, (n,), generator=g), T=4.0)


@pytest.mark.parametrize("name", sorted(Z.BUGS))
def test_the_check_fails_on_the_bug_and_passes_on_the_fix(name):
    bug = Z.BUGS[name]
    for seed in (0, 1):
        caught, why = bug.run(_case(seed), False)
        assert not caught, f"{name}: the reviewer check missed the bug ({why})"
        ok, why = bug.run(_case(seed), True)
        assert ok, f"{name}: the fix fails the check ({why})"


def test_every_check_passes_on_the_reference_loss():
    """The checks themselves are not too strict: kd_loss and TRL's JSD pass every one of them."""
    case = _case()
    soft = lambda s, t, y, T: kd_loss(s, t, None, T=T, alpha=1.0)  # noqa: E731
    for check in (Z.gradient_reaches_student, Z.zero_iff_equal, Z.non_negative):
        assert check(soft, case)[0], check.__name__


def test_detached_logits_give_no_gradient_to_the_student_at_all():
    s = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    t = torch.randn(4, 3, dtype=torch.float64)
    loss = Z.intel_detached_kd(s, t, None, 2.0)
    assert loss.requires_grad  # backward() runs without error, which is why the bug went unnoticed
    assert torch.autograd.grad(loss, s, allow_unused=True)[0] is None
    # the value itself is the KL without T^2: right number, wrong graph
    assert abs(loss.item() - kd_loss(s, t, None, T=2.0, alpha=1.0).item() / 4) < 1e-12


def test_softmax_into_kl_div_by_hand_and_negative():
    """F.kl_div(q, p) computes sum p (log p - q): with q a probability it is not a divergence."""
    s = torch.tensor([[2.0, 0.0, -1.0]], dtype=torch.float64)
    t = torch.tensor([[0.0, 1.0, 0.0]], dtype=torch.float64)
    q, p = F.softmax(s, 1)[0].tolist(), F.softmax(t, 1)[0].tolist()
    by_hand = sum(pi * (math.log(pi) - qi) for pi, qi in zip(p, q))
    assert abs(Z.softmax_into_kl_div(s, t, None, 1.0).item() - by_hand) < 1e-12
    assert by_hand < 0  # negative, where any divergence is >= 0
    assert not Z.non_negative(Z.softmax_into_kl_div, _case())[0]


def test_teacher_on_both_sides_is_zero_whatever_the_student():
    case = _case()
    s, t = case.logits()
    for shift in (0.0, 5.0):
        assert abs(Z.teacher_on_both_sides(s + shift, t, None, 4.0).item()) < 1e-12
    assert not Z.zero_iff_equal(Z.teacher_on_both_sides, case)[0]


def test_log_space_mixture_is_a_weighted_sum_of_both_kls():
    """With log M = beta log S + (1 - beta) log T, the "JSD" is beta^2 KL(T||S) + (1 - beta)^2 KL(S||T): unbounded."""
    s, t = torch.randn(8, 6, dtype=torch.float64), torch.randn(8, 6, dtype=torch.float64) * 3
    forward = kd_loss(s, t, None, T=1.0, alpha=1.0)
    reverse = kd_loss(t, s, None, T=1.0, alpha=1.0)
    for beta in (0.1, 0.5, 0.8):
        got = Z.trl_jsd_log_space_mixture(s, t, beta)
        assert abs(got - beta ** 2 * forward - (1 - beta) ** 2 * reverse) < 1e-10


def test_swapped_mixture_on_disjoint_distributions_by_hand():
    """Disjoint T and S: the right JSD is exactly h(beta); the swapped one beta log 1/(1-beta) + (1-beta) log 1/beta."""
    t = torch.tensor([[60.0, -60.0]], dtype=torch.float64)
    s = torch.tensor([[-60.0, 60.0]], dtype=torch.float64)
    for beta in (0.1, 0.3):
        assert abs(Z._trl_fixed(s, t, beta).item() - Z.binary_entropy(beta)) < 1e-9
        swapped = beta * math.log(1 / (1 - beta)) + (1 - beta) * math.log(1 / beta)
        assert abs(Z.trl_jsd_swapped_mixture(s, t, beta).item() - swapped) < 1e-9
        assert swapped > Z.binary_entropy(beta)


def test_a_symmetry_check_alone_would_miss_both_trl_bugs():
    """At beta = 0.5 both buggy JSDs are symmetric in S and T, like the right one: symmetry is not enough."""
    s, t = torch.randn(8, 6, dtype=torch.float64), torch.randn(8, 6, dtype=torch.float64) * 3
    for fn in (Z.trl_jsd_log_space_mixture, Z.trl_jsd_swapped_mixture, Z._trl_fixed):
        assert abs(fn(s, t, 0.5) - fn(t, s, 0.5)) < 1e-10


def test_position_lookup_is_right_in_epoch_one_only():
    case = _case(n=48)
    assert Z.lookup_matches_teacher(Z._position_lookup, case, epochs=1)[0]
    assert not Z.lookup_matches_teacher(Z._position_lookup, case, epochs=2)[0]
