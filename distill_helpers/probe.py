"""A linear probe: how well a model's features predict another model's, by least squares.

The fair baseline for a feature-matching hint: fitted on one student's features, it says how close
those features already are (linearly) to the teacher's, with no regressor trained alongside.
"""
from __future__ import annotations

import torch
from torch import nn

__all__ = ["penultimate_features", "fit_linear_probe", "probe_mse"]


def penultimate_features(model: nn.Module, X: torch.Tensor, batch_size: int = 512) -> torch.Tensor:
    """The input of the model's last linear layer (its last hidden layer after the ReLU), in eval mode."""
    from .hints import teacher_hints  # the same hook the hint loss uses, for any model
    return teacher_hints(model, X, batch_size=batch_size)[1]


def fit_linear_probe(features: torch.Tensor, targets: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Least-squares (W, b) minimising ||features @ W + b - targets||^2: the best linear map, in closed form."""
    if features.dim() != 2 or targets.dim() != 2 or len(features) != len(targets):
        raise ValueError(f"need features (n, d) and targets (n, k) with the same n, got {tuple(features.shape)} "
                         f"and {tuple(targets.shape)}")
    A = torch.cat([features.double(), torch.ones(len(features), 1, dtype=torch.float64)], 1)
    sol = torch.linalg.lstsq(A, targets.double(), driver="gelsd").solution
    return sol[:-1].float(), sol[-1].float()


def probe_mse(W: torch.Tensor, b: torch.Tensor, features: torch.Tensor, targets: torch.Tensor) -> float:
    """Mean squared error of the probe over every element (the same mean as F.mse_loss)."""
    return float(((features @ W + b - targets) ** 2).mean())
