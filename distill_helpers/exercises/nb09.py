"""Exercises of notebook 09 (reading other people's KD code): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import warnings

import torch
import torch.nn.functional as F
from torch import nn

from ..teaching.bugzoo import Case, gradient_reaches_student, non_negative, zero_iff_equal
from ..losses import kd_loss
from . import Compare, register

W, T1 = 0.5, 4.0  # exercise 1: loss = W * CE + (1 - W) * KL(batchmean) at T1, no T^2


def _solve(w_hard: float, w_kl: float, T: float) -> tuple[float, float]:
    """(alpha, scale) with w_hard CE + w_kl KL == scale * (alpha T^2 KL + (1 - alpha) CE): two equations."""
    soft = w_kl / T ** 2          # scale * alpha
    return soft / (soft + w_hard), soft + w_hard


register(
    "09.1", "the snippet as kd_loss: (alpha, scale)", compare=Compare(rtol=1e-3),
    reference=lambda: _solve(W, 1 - W, T1),
    solution=lambda: ((1 - W) / T1 ** 2 / (W + (1 - W) / T1 ** 2), W + (1 - W) / T1 ** 2),
    wrong={"alpha copied as it is": lambda: (W, 1.0),
           "alpha flipped, T^2 assumed": lambda: (1 - W, 1.0),
           "right alpha, scale forgotten": lambda: (_solve(W, 1 - W, T1)[0], 1.0),
           "T^2 divided only into the scale": lambda: (1 - W, W + (1 - W) / T1 ** 2)})


def _snippet_inputs() -> list[tuple]:
    g = torch.Generator().manual_seed(9)
    return [(torch.randn(8, 10, generator=g), torch.randn(8, 10, generator=g) * 3, T) for T in (1.0, 4.0, 10.0)]


def _quiet_kl(inp, target, **kw):
    with warnings.catch_warnings():  # reduction="mean" warns; it is one of the mistakes tried here
        warnings.simplefilter("ignore")
        return F.kl_div(inp, target, **kw)


register(
    "09.2", "the snippet fixed", compare=Compare("function", inputs=_snippet_inputs),
    reference=lambda s, t, T: kd_loss(s, t, None, T=T, alpha=1.0),
    solution=lambda: lambda s, t, T: T ** 2 * F.kl_div(F.log_softmax(s / T, 1), F.log_softmax(t / T, 1),
                                                       reduction="batchmean", log_target=True),
    wrong={"the snippet as given": lambda: lambda s, t, T: _quiet_kl(F.softmax(s / T, 1), F.softmax(t / T, 1),
                                                                     reduction="mean"),
           "log fixed, reduction still 'mean'": lambda: lambda s, t, T: T ** 2 * _quiet_kl(
               F.log_softmax(s / T, 1), F.softmax(t / T, 1), reduction="mean"),
           "T^2 forgotten": lambda: lambda s, t, T: F.kl_div(F.log_softmax(s / T, 1), F.softmax(t / T, 1),
                                                             reduction="batchmean"),
           "teacher and student swapped": lambda: lambda s, t, T: T ** 2 * F.kl_div(
               F.log_softmax(t / T, 1), F.softmax(s / T, 1), reduction="batchmean")})

CHECKS = {c.__name__: c for c in (gradient_reaches_student, zero_iff_equal, non_negative)}


def _snippet_3(student_out, teacher_out, labels, T):
    s = student_out.detach()  # "the teacher needs no gradient"
    return T ** 2 * F.kl_div(F.log_softmax(s / T, 1), F.softmax(teacher_out / T, 1), reduction="batchmean")


def _failing_check(snippet) -> str:
    """The one of the three loss checks that the snippet fails, found by running them on a small case."""
    torch.manual_seed(0)
    case = Case(nn.Linear(6, 4), nn.Linear(6, 4), torch.randn(16, 6), torch.randint(0, 4, (16,)), T=2.0)
    failed = [name for name, c in CHECKS.items() if not c(snippet, case)[0]]
    return failed[0] if len(failed) == 1 else ", ".join(failed)


register(
    "09.3", "which reviewer check catches the snippet",
    compare=Compare("exact"), example=lambda: {"snippet": _snippet_3},
    reference=lambda snippet: _failing_check(snippet),
    solution=lambda snippet: "gradient_reaches_student",
    wrong={"values look fine, so it must be the zero test": lambda snippet: "zero_iff_equal",
           "non_negative": lambda snippet: "non_negative"})
