"""The bug zoo: distillation bugs that shipped in public code, each beside its fix and the reviewer check that catches it.

Every bug is reproduced in a few lines from its description in the cited thread (no code is copied).
The checks are the kind a reviewer writes without knowing the bug: the gradient reaches the student;
the loss is zero when, and only when, student and teacher agree; it is never negative; a JSD stays
below its bound; a training step moves the student and not the teacher; cached teacher logits equal
the teacher's output on the batch they are used for. `BUGS` maps a name to a `Bug` whose `run(case,
fixed)` applies its check to the buggy (fixed=False) or the fixed version on a `Case`, a small real batch.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .conventions import keras_example_kd_loss, trl_generalized_jsd
from ..distributed import PositionLookup, epoch_order
from ..infra.i18n import tr
from ..losses import kd_loss
from ..models import eval_mode

__all__ = ["Case", "Bug", "BUGS", "gradient_reaches_student", "zero_iff_equal", "non_negative", "jsd_within_bound",
           "only_student_moves", "lookup_matches_teacher", "intel_detached_kd", "softmax_into_kl_div",
           "teacher_on_both_sides", "trl_jsd_log_space_mixture", "trl_jsd_swapped_mixture", "keras_swapped_step",
           "binary_entropy"]


@dataclass(frozen=True)
class Case:
    """A small real batch: the two models, inputs, labels, and the temperature the losses use."""
    student: nn.Module
    teacher: nn.Module
    X: torch.Tensor
    y: torch.Tensor
    T: float = 4.0

    def logits(self):
        """Student logits (with a graph) and teacher logits (without, in eval mode: no dropout), on this batch."""
        with torch.no_grad(), eval_mode(self.teacher):
            t = self.teacher(self.X)
        return self.student(self.X), t


# ---------------------------------------------------------------- the reviewer's checks: (passed, what was seen)

def gradient_reaches_student(loss_fn, case: Case) -> tuple[bool, str]:
    """loss_fn(s, t, y, T).backward() must give the student's parameters a non-zero gradient."""
    case.student.zero_grad()
    s, t = case.logits()
    loss = loss_fn(s, t, case.y, case.T)
    if not loss.requires_grad:
        return False, tr("the loss has no graph back to the student")
    loss.backward()
    norm = sum(p.grad.norm().item() for p in case.student.parameters() if p.grad is not None)
    return norm > 0, tr(f"student gradient norm {norm:.2e}")


def zero_iff_equal(loss_fn, case: Case, tol: float = 1e-6) -> tuple[bool, str]:
    """loss(t, t) is 0 and loss(s, t) > 0 for a student that disagrees with the teacher."""
    s, t = case.logits()
    same, diff = loss_fn(t.clone(), t, case.y, case.T).item(), loss_fn(s.detach(), t, case.y, case.T).item()
    return abs(same) < tol < diff, f"loss(teacher, teacher) = {same:.3g}, loss(student, teacher) = {diff:.3g}"


def non_negative(loss_fn, case: Case, tol: float = 1e-9) -> tuple[bool, str]:
    """A divergence is never negative: on the batch, on the teacher itself and on 8 perturbed students."""
    s, t = case.logits()
    g = torch.Generator().manual_seed(0)
    values = [loss_fn(x, t, case.y, case.T).item() for x in
              [s.detach(), t.clone()] + [s.detach() + torch.randn(s.shape, generator=g, dtype=s.dtype) for _ in range(8)]]
    return min(values) >= -tol, tr(f"smallest value {min(values):.3g}")


def binary_entropy(beta: float) -> float:
    """h(beta) = -beta log beta - (1 - beta) log(1 - beta): the largest a beta-JSD can be."""
    return -sum(b * math.log(b) for b in (beta, 1 - beta) if b > 0)


def jsd_within_bound(jsd_fn, case: Case, betas=(0.1, 0.5, 0.9)) -> tuple[bool, str]:
    """0 <= JSD_beta <= h(beta), on the batch and on nearly disjoint distributions (where it nears h)."""
    s, t = (x.detach().double() for x in case.logits())
    far_t, far_s = torch.full_like(t, -30.0), torch.full_like(t, -30.0)
    far_t[:, 0], far_s[:, 1] = 30.0, 30.0
    ratios = [jsd_fn(a, b, beta).item() / binary_entropy(beta) for beta in betas for a, b in ((s, t), (far_s, far_t))]
    return 0 <= min(ratios) and max(ratios) <= 1 + 1e-9, tr(f"largest JSD / h(beta) = {max(ratios):.3g}")


def only_student_moves(step_fn, case: Case) -> tuple[bool, str]:
    """After one training step the student's weights changed and the teacher's did not."""
    before = [[p.detach().clone() for p in m.parameters()] for m in (case.student, case.teacher)]
    step_fn(case)
    moved = [any(not torch.equal(a, p) for a, p in zip(b, m.parameters())) for b, m in zip(before, (case.student, case.teacher))]
    return moved == [True, False], tr(f"student moved: {moved[0]}, teacher moved: {moved[1]}")


def lookup_matches_teacher(loss_fn_for, case: Case, batch_size: int = 16, epochs: int = 2) -> tuple[bool, str]:
    """Every batch of `epochs` shuffled epochs gets the loss that the teacher's own logits for it give.

    `loss_fn_for(logits_in_epoch_1_order, teacher_logits, T)` builds the fit()-style loss under review.
    """
    s, t = case.logits()
    s, n = s.detach(), len(case.y)
    loss_fn, bad = loss_fn_for(t[epoch_order(n, batch_size, seed=0, epoch=1)], t, case.T), []
    for epoch in range(1, epochs + 1):
        order = epoch_order(n, batch_size, seed=0, epoch=epoch)
        for idx in order.split(batch_size):
            got = loss_fn(s[idx], _Batch(case.y[idx], idx)).item()
            want = kd_loss(s[idx], t[idx], case.y[idx], case.T, 0.9).item()
            if abs(got - want) > 1e-6 * max(1.0, abs(want)):
                bad.append(epoch)
    return not bad, (tr(f"wrong teacher rows from epoch {min(bad)} on") if bad else tr("every batch matches"))


@dataclass(frozen=True)
class _Batch:
    y: torch.Tensor
    index: torch.Tensor


# ---------------------------------------------------------------- the bugs (and their fixes)

def intel_detached_kd(s, t, y, T):
    """IntelLabs/distiller#234: `out.new_tensor(out, requires_grad=True)` copies the logits off the graph.

    As in distiller/knowledge_distillation.py (commit 06faf4c), `KnowledgeDistillationPolicy.forward`.
    """
    s_copy = s.detach().clone().requires_grad_(True)  # what new_tensor does: a new leaf, no history
    return F.kl_div(F.log_softmax(s_copy / T, 1), F.softmax(t / T, 1), reduction="sum") / len(s)


def softmax_into_kl_div(s, t, y, T):
    """microsoft/ProDA#43 and others: probabilities passed where F.kl_div expects log-probabilities."""
    return F.kl_div(F.softmax(s / T, 1), F.softmax(t / T, 1), reduction="batchmean") * T ** 2


def teacher_on_both_sides(s, t, y, T):
    """labmlai/annotated_deep_learning_paper_implementations#66: the teacher's logits on both sides."""
    return F.kl_div(F.log_softmax(t / T, 1), F.softmax(t / T, 1), reduction="batchmean") * T ** 2


def _soft_kd(s, t, y, T):
    return kd_loss(s, t, None, T=T, alpha=1.0)


def trl_jsd_log_space_mixture(s, t, beta):
    """huggingface/trl#2202 (fixed by PR #2204): log-probabilities mixed, beta log S + (1 - beta) log T.

    A weighted geometric mean, not a mixture of distributions (and, as there, beta on the student's side).
    """
    log_s, log_t = F.log_softmax(s, -1), F.log_softmax(t, -1)
    log_m = beta * log_s + (1 - beta) * log_t
    return (beta * F.kl_div(log_m, log_t, reduction="sum", log_target=True)
            + (1 - beta) * F.kl_div(log_m, log_s, reduction="sum", log_target=True)) / len(s)


def trl_jsd_swapped_mixture(s, t, beta):
    """huggingface/trl PR #3043 fixed this: the mixture's weights swapped, M = beta S + (1 - beta) T."""
    log_s, log_t = F.log_softmax(s, -1), F.log_softmax(t, -1)
    log_m = torch.logsumexp(torch.stack([log_s + math.log(beta), log_t + math.log1p(-beta)]), 0)
    return (beta * F.kl_div(log_m, log_t, reduction="sum", log_target=True)
            + (1 - beta) * F.kl_div(log_m, log_s, reduction="sum", log_target=True)) / len(s)


def _trl_fixed(s, t, beta):
    return trl_generalized_jsd(s, t, beta=beta)


def keras_swapped_step(case: Case, fixed: bool = False, lr: float = 0.1):
    """keras-io#257: `Distiller.__init__` stored self.teacher = student and self.student = teacher.

    One step of the example's train_step: the teacher's forward pass without a tape, the student's with
    one, and an optimiser over `self.student`'s weights, which the bug made the teacher's.
    """
    student, teacher = (case.student, case.teacher) if fixed else (case.teacher, case.student)
    with torch.no_grad(), eval_mode(teacher):  # the example's teacher(x, training=False)
        t = teacher(case.X)
    params = list(student.parameters())
    grads = torch.autograd.grad(keras_example_kd_loss(student(case.X), t, case.y, alpha=0.1, temperature=case.T), params)
    with torch.no_grad():  # a plain SGD step on the weights the optimiser was given
        for p, g in zip(params, grads):
            p -= lr * g


def _position_lookup(seen_order_logits, t, T):
    """haitongli/knowledge-distillation-pytorch PR #16: the k-th cached row used for the k-th example drawn."""
    return PositionLookup(seen_order_logits, T=T, alpha=0.9)


def _index_lookup(seen_order_logits, t, T):
    return lambda logits, batch: kd_loss(logits, t[batch.index], batch.y, T, 0.9)


@dataclass(frozen=True)
class Bug:
    """One exhibit: where it shipped, what goes wrong, and the reviewer check that catches it."""
    name: str
    source: str
    symptom: str
    check: str
    run: Callable[[Case, bool], tuple[bool, str]]


def _bug(name, source, symptom, check, *, apply, buggy, fixed) -> Bug:
    return Bug(name, source, symptom, check.__name__, lambda case, fix=False: apply(check, fixed if fix else buggy, case))


def _call(check, impl, case):
    return check(impl, case)


def _step(check, fixed, case):
    return check(lambda c: keras_swapped_step(c, fixed=fixed), case)


BUGS: dict[str, Bug] = {b.name: b for b in [
    _bug("detached student logits", "IntelLabs/distiller#234", "the KD term trains nothing",
         gradient_reaches_student, apply=_call, buggy=intel_detached_kd, fixed=_soft_kd),
    _bug("softmax into F.kl_div", "microsoft/ProDA#43", "not a divergence: non-zero for equal logits, can go negative",
         zero_iff_equal, apply=_call, buggy=softmax_into_kl_div, fixed=_soft_kd),
    _bug("teacher on both sides", "labmlai/annotated_deep_learning_paper_implementations#66",
         "the loss is always 0: distillation silently off", gradient_reaches_student, apply=_call, buggy=teacher_on_both_sides,
         fixed=_soft_kd),
    _bug("JSD mixture in log space", "huggingface/trl#2202, PR #2204", "unbounded: a geometric mean, not a mixture",
         jsd_within_bound, apply=_call, buggy=trl_jsd_log_space_mixture, fixed=_trl_fixed),
    _bug("JSD mixture weights swapped", "huggingface/trl PR #3043", "above the bound h(beta) for small or large beta",
         jsd_within_bound, apply=_call, buggy=trl_jsd_swapped_mixture, fixed=_trl_fixed),
    _bug("teacher and student swapped", "keras-team/keras-io#257", "the teacher is trained towards the student",
         only_student_moves, apply=_step, buggy=False, fixed=True),
    _bug("cached logits read by position", "haitongli/knowledge-distillation-pytorch PR #16",
         "from epoch 2 on, each example gets another example's teacher logits", lookup_matches_teacher,
         apply=_call, buggy=_position_lookup, fixed=_index_lookup),
]}
