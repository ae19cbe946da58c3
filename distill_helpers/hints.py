"""FitNets-style hints (Romero et al., 2015), simplified, on top of `train.fit`.

A regressor from the student's last hidden layer to the teacher's penultimate features, trained jointly
with kd_loss (not FitNets' two stages on middle layers).
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .data import as_tensors
from .evaluate import predict_logits
from .losses import check_alpha, check_temperature, kd_loss
from .models import eval_mode, last_linear
from .recipes import RECIPES, DistillRecipe, Run, TrainingRecipe, check_recipe
from .train import fit, offset_seed

__all__ = ["HintStudent", "teacher_hints", "hint_mse", "distill_with_hint"]


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


def teacher_hints(teacher: nn.Module, X: torch.Tensor, batch_size: int = 256):
    """The teacher's logits and the input of its last linear layer (its penultimate features)."""
    feats = []
    h = last_linear(teacher).register_forward_pre_hook(lambda m, inp: feats.append(inp[0].detach()))
    try:
        logits = predict_logits(teacher, X, batch_size=batch_size)
    finally:
        h.remove()
    return logits, torch.cat(feats)


def distill_with_hint(student: nn.Module, teacher: nn.Module, train, val=None, *,
                      recipe: TrainingRecipe = RECIPES.student, kd: DistillRecipe = RECIPES.distill,
                      beta: float = 1.0, run: Run = Run()) -> dict:
    """kd_loss plus beta * MSE(regressor(student's last hidden layer), teacher's penultimate features).

    The teacher's logits and features are computed once (eval mode) and shuffled with the inputs.
    Returns the history, plus the hint MSE before and after training; the trained student is `student`
    itself (the regressor is discarded). val: the validation split, logged as val_acc / val_loss per epoch
    (`fit` refuses the test split there). recipe, kd, run: as `distill` takes them.
    """
    recipe = check_recipe(recipe, TrainingRecipe, "recipe", "RECIPES.student")
    kd, run = check_recipe(kd, DistillRecipe, "kd", "RECIPES.distill"), check_recipe(run, Run, "run", "Run()")
    T, alpha = check_temperature(kd.T), check_alpha(kd.alpha)
    if beta < 0:
        raise ValueError(f"beta (the weight of the hint term) must be >= 0, got {beta}")
    X, _ = as_tensors(train)
    teacher.eval()
    t_logits, t_feats = teacher_hints(teacher, X)
    wrapper = HintStudent(student, t_feats.shape[1])

    def loss_fn(logits, batch):
        hint = F.mse_loss(wrapper.regressor(wrapper.hidden), t_feats[batch.index])
        return kd_loss(logits, t_logits[batch.index], batch.y, T, alpha) + beta * hint

    torch.manual_seed(offset_seed(run.seed))  # the regressor's initialisation
    wrapper.regressor.reset_parameters()
    hist = {"hint_mse_start": hint_mse(wrapper, X, t_feats)}
    hist.update(fit(wrapper, train, loss_fn=loss_fn, recipe=recipe, eval_data=None if val is None else {"val": val},
                    run=run, desc=f"distill+hint T={T:g}"))
    hist["hint_mse_end"] = hint_mse(wrapper, X, t_feats)
    student.eval()
    return hist


@torch.no_grad()
def hint_mse(wrapper: HintStudent, X: torch.Tensor, t_feats: torch.Tensor) -> float:
    """How well the regressor predicts the teacher's features from the student's, over all of X."""
    total = 0.0
    with eval_mode(wrapper):
        for i in range(0, len(X), 256):
            wrapper(X[i:i + 256])
            total += F.mse_loss(wrapper.regressor(wrapper.hidden), t_feats[i:i + 256], reduction="sum").item()
    return total / t_feats.numel()
