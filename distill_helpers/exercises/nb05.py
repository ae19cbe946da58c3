"""Exercises of notebook 05 (evaluation): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..models import MLP
from ..stats import paired_difference
from ..evaluate import predict_logits
from . import register

_PAPER = {"teacher": 67, "scratch": 146, "distilled": 74}  # errors on 10,000 MNIST test digits (Hinton et al. 2015)

register(
    "05.1", "percentage of the gap closed in the paper", atol=0.5, rtol=0,
    reference=lambda: 100 * (_PAPER["scratch"] - _PAPER["distilled"]) / (_PAPER["scratch"] - _PAPER["teacher"]),
    solution=lambda: 100 * (146 - 74) / (146 - 67),
    wrong={"a fraction, not a percentage": lambda: (146 - 74) / (146 - 67),
           "relative to the scratch errors": lambda: 100 * (146 - 74) / 146,
           "the gap that remains": lambda: 100 * (74 - 67) / (146 - 67)})


def _overconfident_model() -> dict:
    """A small model whose logits are scaled up (over-confident), and labels it gets partly wrong."""
    g = torch.Generator().manual_seed(5)
    torch.manual_seed(5)
    d0 = MLP(hidden=(16,))
    with torch.no_grad():
        d0.net[-1].weight.mul_(16.0)
    X = torch.rand(400, 1, 28, 28, generator=g)
    y = predict_logits(d0, X).argmax(1)
    y[::4] = torch.randint(0, 10, (100,), generator=g)
    return {"d0": d0, "X_val": X, "y_val": y}


_TAUS = torch.linspace(0.5, 5.0, 451, dtype=torch.float64)


def _fit_tau(d0, X_val, y_val) -> float:
    """Grid minimiser of the validation NLL, vectorised over all tau at once."""
    z = predict_logits(d0, X_val).double()
    nll = torch.stack([F.cross_entropy(z / t, y_val) for t in _TAUS])
    return float(_TAUS[int(nll.argmin())])


def _loop_tau(d0, X_val, y_val) -> float:
    z = predict_logits(d0, X_val)
    taus = [0.5 + 0.01 * k for k in range(451)]
    return min(taus, key=lambda tau: F.cross_entropy(z / tau, y_val).item())


register(
    "05.2", "calibration temperature chosen on validation", example=_overconfident_model, rtol=0, atol=0.0151,
    reference=_fit_tau,
    solution=_loop_tau,
    wrong={"the distillation temperature T = 4": lambda d0, X_val, y_val: 4.0,
           "no scaling": lambda d0, X_val, y_val: 1.0,
           "minimising the error rate (which tau never changes)": lambda d0, X_val, y_val: min(
               [0.5 + 0.01 * k for k in range(451)],
               key=lambda tau: (predict_logits(d0, X_val) / tau).argmax(1).ne(y_val).float().mean().item())})


def _sweep_result() -> dict:
    """Paired differences of a few synthetic cells: below zero, above zero, and undecided with a negative mean."""
    base = [60.0, 66.0, 58.0, 70.0, 64.0, 61.0, 67.0, 59.0]
    shifts = {(1.0, 0.5): [-4, -5, -3, -4, -6, -4, -5, -3], (4.0, 0.5): [3, 4, 2, 5, 3, 4, 3, 4],
              (8.0, 0.5): [-6, 5, -4, 3, -5, 2, -3, 1], (1.0, 0.9): [-2, -1, -3, -2, -2, -1, -2, -3],
              (4.0, 0.9): [1, -2, 2, -1, 0, 1, -2, 0]}
    return {"diff": {k: paired_difference([b + s for b, s in zip(base, v)], base) for k, v in shifts.items()}}


register(
    "05.3", "cells where distillation helps, by interval", kind="exact", example=_sweep_result,
    reference=lambda diff: sum(1 for r in diff.values() if r["low"] < r["high"] < 0),
    solution=lambda diff: sum(r["high"] < 0 for r in diff.values()),
    wrong={"cells with a negative mean": lambda diff: sum(r["mean"] < 0 for r in diff.values()),
           "cells whose interval excludes zero on either side": lambda diff: sum(r["excludes_zero"] for r in diff.values())})
