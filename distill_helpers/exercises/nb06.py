"""Exercises of notebook 06 (beyond the blog): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import torch

from ..evaluate import class_errors
from ..models import shift_class_bias
from ..probe import fit_linear_probe, probe_mse
from ..results import gap_closed
from . import Compare, register


def _omitted_digit_context() -> dict:
    """Synthetic logits where class 3 is under-predicted: a shift of 2 recovers some 3s and costs a few others."""
    g = torch.Generator().manual_seed(6)
    y = torch.arange(300) % 10
    logits = torch.randn(300, 10, generator=g)
    logits[torch.arange(300), y] += 3.0
    logits[:, 3] -= 2.5  # the class never seen in training: its bias is too low
    return {"test_logits": logits, "y_test": y, "delta": 2.0}


def _right_3s_by_bias(test_logits, y_test, delta) -> int:
    """Independent route: raise the bias of a linear layer that outputs the logits, then count."""
    layer = torch.nn.Linear(10, 10)
    with torch.no_grad():
        layer.weight.copy_(torch.eye(10))
        layer.bias.zero_()
    shifted = shift_class_bias(layer, 3, delta)(test_logits).detach()
    _, wrong_3s, n3 = class_errors(shifted, y_test, 3)
    return n3 - wrong_3s


def _right_3s(test_logits, y_test, delta, sign=1.0, cls=3) -> int:
    return int(((test_logits + sign * delta * torch.eye(10)[cls]).argmax(1)[y_test == 3] == 3).sum())


register(
    "06.1", "test 3s right after the bias correction", compare=Compare("exact"), example=_omitted_digit_context,
    reference=_right_3s_by_bias,
    solution=lambda test_logits, y_test, delta: _right_3s(test_logits, y_test, delta),
    wrong={"shift subtracted": lambda test_logits, y_test, delta: _right_3s(test_logits, y_test, delta, -1.0),
           "no shift (count before the correction)": lambda test_logits, y_test, delta: _right_3s(test_logits, y_test, 0.0),
           "errors on 3s instead of right 3s":
               lambda test_logits, y_test, delta: int((y_test == 3).sum()) - _right_3s(test_logits, y_test, delta)})


def _gap_context() -> dict:
    return {"student": 31, "scratch": 43, "teacher": 27}


register(
    "06.2", "share of the scratch-to-teacher gap closed", example=_gap_context, compare=Compare(rtol=1e-6, atol=1e-9),
    reference=lambda student, scratch, teacher: gap_closed(student, scratch, teacher),
    solution=lambda student, scratch, teacher: (scratch - student) / (scratch - teacher),
    wrong={"gap measured to zero errors": lambda student, scratch, teacher: (scratch - student) / scratch,
           "the share still open": lambda student, scratch, teacher: (student - teacher) / (scratch - teacher),
           "a percentage": lambda student, scratch, teacher: 100 * (scratch - student) / (scratch - teacher)})


def _probe_context() -> dict:
    """Student features with a non-zero mean, teacher features a noisy affine map of them (offset 3)."""
    g = torch.Generator().manual_seed(3)
    f_tr, f_va = torch.rand(300, 6, generator=g) * 2, torch.rand(100, 6, generator=g) * 2
    W = torch.randn(6, 4, generator=g)
    noise = lambda n: 0.3 * torch.randn(n, 4, generator=g)  # noqa: E731
    return {"feats_train": f_tr, "t_feats_train": f_tr @ W + 3.0 + noise(300),
            "feats_val": f_va, "t_feats_val": f_va @ W + 3.0 + noise(100)}


def _lstsq_probe(feats_train, t_feats_train, feats_val, t_feats_val, bias=True, score_on_train=False) -> float:
    ones = (lambda F: torch.cat([F, torch.ones(len(F), 1)], 1)) if bias else (lambda F: F)
    sol = torch.linalg.lstsq(ones(feats_train).double(), t_feats_train.double()).solution
    F, T = (feats_train, t_feats_train) if score_on_train else (feats_val, t_feats_val)
    return ((ones(F).double() @ sol - T.double()) ** 2).mean().item()


def _probe_reference(feats_train, t_feats_train, feats_val, t_feats_val) -> float:
    W, b = fit_linear_probe(feats_train, t_feats_train)
    return probe_mse(W, b, feats_val, t_feats_val)


register(
    "06.3", "linear probe error on validation", example=_probe_context, compare=Compare(rtol=1e-3, atol=1e-6),
    reference=_probe_reference,
    solution=lambda **ctx: _lstsq_probe(**ctx),
    wrong={"no bias column": lambda **ctx: _lstsq_probe(**ctx, bias=False),
           "scored on the training digits": lambda **ctx: _lstsq_probe(**ctx, score_on_train=True)})
