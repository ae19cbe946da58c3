"""Helpers for notebook 06: the omitted-digit experiment, small transfer sets, and FitNets-style hints."""
from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from .data import as_tensors
from .evaluate import predict_logits
from .losses import check_alpha, check_temperature, kd_loss
from .models import eval_mode, last_linear
from .train import fit

__all__ = ["without_class", "stratified_subset", "shift_class_bias", "choose_bias_shift", "class_errors",
           "HintStudent", "distill_with_hint"]


def without_class(data, cls: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(X, y) with every example of class `cls` removed: the paper's transfer set without a digit."""
    X, y = as_tensors(data)
    keep = y != cls
    return X[keep], y[keep]


def stratified_subset(data, per_class: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first `per_class` examples of every class, in dataset order (fixed, no randomness)."""
    X, y = as_tensors(data)
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
    last = last_linear(out)
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
        head = last_linear(student)
        self.regressor = nn.Linear(head.in_features, hint_dim)
        self.hidden = None
        head.register_forward_pre_hook(lambda m, inp: setattr(self, "hidden", inp[0]))

    def forward(self, x):
        return self.student(x)


def _teacher_hints(teacher: nn.Module, X: torch.Tensor, batch_size: int = 256):
    """The teacher's logits and the input of its last linear layer (its penultimate features)."""
    feats = []
    h = last_linear(teacher).register_forward_pre_hook(lambda m, inp: feats.append(inp[0].detach()))
    try:
        logits = predict_logits(teacher, X, batch_size=batch_size)
    finally:
        h.remove()
    return logits, torch.cat(feats)


def distill_with_hint(student: nn.Module, teacher: nn.Module, train, test=None, *, T: float = 4.0,
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
    X, _ = as_tensors(train)
    teacher.eval()
    t_logits, t_feats = _teacher_hints(teacher, X)
    wrapper = HintStudent(student, t_feats.shape[1])

    def loss_fn(logits, batch):
        hint = F.mse_loss(wrapper.regressor(wrapper.hidden), t_feats[batch.index])
        return kd_loss(logits, t_logits[batch.index], batch.y, T, alpha) + beta * hint

    torch.manual_seed(seed)  # the regressor's initialisation
    wrapper.regressor.reset_parameters()
    hist = {"hint_mse_start": _hint_mse(wrapper, X, t_feats)}
    hist.update(fit(wrapper, train, loss_fn=loss_fn, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed,
                    eval_data=None if test is None else {"test": test}, progress=progress,
                    desc=f"distill+hint T={T:g}"))
    hist["hint_mse_end"] = _hint_mse(wrapper, X, t_feats)
    student.eval()
    return hist


@torch.no_grad()
def _hint_mse(wrapper: HintStudent, X: torch.Tensor, t_feats: torch.Tensor) -> float:
    """How well the regressor predicts the teacher's features from the student's, over all of X."""
    total = 0.0
    with eval_mode(wrapper):
        for i in range(0, len(X), 256):
            wrapper(X[i:i + 256])
            total += F.mse_loss(wrapper.regressor(wrapper.hidden), t_feats[i:i + 256], reduction="sum").item()
    return total / t_feats.numel()
