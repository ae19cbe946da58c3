"""Helpers for notebook 06: the omitted-digit experiment, small transfer sets, and FitNets-style hints."""
from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from .losses import check_alpha, check_temperature, kd_loss
from .train import _fit, _tensors, predict_logits

__all__ = ["without_class", "stratified_subset", "shift_class_bias", "choose_bias_shift", "class_errors",
           "HintStudent", "distill_with_hint"]


def without_class(data, cls: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(X, y) with every example of class `cls` removed: the paper's transfer set without a digit."""
    X, y = _tensors(data)
    keep = y != cls
    return X[keep], y[keep]


def stratified_subset(data, per_class: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first `per_class` examples of every class, in dataset order (fixed, no randomness)."""
    X, y = _tensors(data)
    idx = []
    for c in torch.unique(y).tolist():
        found = torch.nonzero(y == c).flatten()
        if len(found) < per_class:
            raise ValueError(f"class {c} has only {len(found)} examples, fewer than per_class={per_class}")
        idx.append(found[:per_class])
    idx = torch.cat(idx)
    return X[idx], y[idx]


def shift_class_bias(model: nn.Module, cls: int, delta: float) -> nn.Module:
    """A copy of `model` whose output bias for class `cls` is raised by `delta` (the paper's bias correction)."""
    out = copy.deepcopy(model)
    last = [m for m in out.modules() if isinstance(m, nn.Linear)][-1]
    with torch.no_grad():
        last.bias[cls] += delta
    return out


def choose_bias_shift(logits: torch.Tensor, y: torch.Tensor, cls: int, deltas=None) -> float:
    """The bias shift for class `cls` that maximises accuracy on (logits, y); ties go to the smallest shift.

    Pass logits of TRAINING data: choosing the shift on the test set would make the test result a lie.
    """
    deltas = [d / 10 for d in range(0, 151)] if deltas is None else list(deltas)
    onehot = F.one_hot(torch.tensor(cls), logits.shape[1]).to(logits.dtype)
    accs = [((logits + d * onehot).argmax(1) == y).float().mean().item() for d in deltas]
    best = max(accs)
    return deltas[accs.index(best)]


def class_errors(logits: torch.Tensor, y: torch.Tensor, cls: int) -> tuple[int, int, int]:
    """(errors overall, errors on examples of class `cls`, number of examples of class `cls`)."""
    pred = logits.argmax(1)
    mask = y == cls
    return int((pred != y).sum()), int((pred[mask] != cls).sum()), int(mask.sum())


class HintStudent(nn.Module):
    """A student plus a linear regressor from its last hidden layer to the teacher's hint layer (FitNets)."""

    def __init__(self, student: nn.Module, hint_dim: int):
        super().__init__()
        self.student = student
        linears = [m for m in student.modules() if isinstance(m, nn.Linear)]
        self.regressor = nn.Linear(linears[-1].in_features, hint_dim)
        self.hidden = None
        linears[-1].register_forward_pre_hook(lambda m, inp: setattr(self, "hidden", inp[0]))

    def forward(self, x):
        return self.student(x)


def _teacher_hints(teacher: nn.Module, X: torch.Tensor, batch_size: int = 256):
    """The teacher's logits and the input of its last linear layer (its penultimate features)."""
    last = [m for m in teacher.modules() if isinstance(m, nn.Linear)][-1]
    feats = []
    h = last.register_forward_pre_hook(lambda m, inp: feats.append(inp[0].detach()))
    try:
        logits = predict_logits(teacher, X, batch_size=batch_size)
    finally:
        h.remove()
    return logits, torch.cat(feats)


def distill_with_hint(student: nn.Module, teacher: nn.Module, train, val=None, *, T: float = 4.0,
                      alpha: float = 0.9, beta: float = 1.0, epochs: int = 10, lr: float = 1e-3,
                      batch_size: int = 64, seed: int = 0, progress: bool = True) -> dict:
    """kd_loss plus beta * MSE(regressor(student's last hidden layer), teacher's penultimate features).

    The teacher's logits and features are computed once (eval mode) and shuffled with the inputs.
    Returns the history, plus the hint MSE before and after training; the trained student is `student`
    itself (the regressor is discarded).
    """
    T, alpha = check_temperature(T), check_alpha(alpha)
    if beta < 0:
        raise ValueError(f"beta (the weight of the hint term) must be >= 0, got {beta}")
    X, y = _tensors(train)
    teacher.eval()
    t_logits, t_feats = _teacher_hints(teacher, X)
    wrapper = HintStudent(student, t_feats.shape[1])

    def loss(logits, yb, xb, tb, fb):
        hint = F.mse_loss(wrapper.regressor(wrapper.hidden), fb)
        return kd_loss(logits, tb, yb, T, alpha) + beta * hint

    torch.manual_seed(seed)  # the regressor's initialisation
    wrapper.regressor.reset_parameters()
    hist = {"hint_mse_start": _hint_mse(wrapper, X, t_feats)}
    hist.update(_fit(wrapper, X, y, loss, (t_logits, t_feats), val, epochs, lr, batch_size, seed, "cpu", progress,
                     f"distill+hint T={T:g}"))
    hist["hint_mse_end"] = _hint_mse(wrapper, X, t_feats)
    student.eval()
    return hist


@torch.no_grad()
def _hint_mse(wrapper: HintStudent, X: torch.Tensor, t_feats: torch.Tensor) -> float:
    """How well the regressor predicts the teacher's features from the student's, over all of X."""
    was = wrapper.training
    wrapper.eval()
    total = 0.0
    for i in range(0, len(X), 256):
        wrapper(X[i:i + 256])
        total += F.mse_loss(wrapper.regressor(wrapper.hidden), t_feats[i:i + 256], reduction="sum").item()
    wrapper.train(was)
    return total / t_feats.numel()
