"""Exercises of notebook 05 (evaluation): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..models import MLP
from ..evaluate import predict_logits
from . import Compare, register

_PAPER = {"teacher": 67, "scratch": 146, "distilled": 74}  # errors on 10,000 MNIST test digits (Hinton et al. 2015)

def _gap_context() -> dict:
    """Validation errors of one seed as the notebook passes them (0-d tensors): scratch 36, distilled 23, teacher 12."""
    return {"scratch": torch.tensor(36), "distilled": torch.tensor(23), "teacher": 12}


def _share(scratch, distilled, teacher, scale=100.0, ref=None) -> float:
    s, d, t = float(scratch), float(distilled), float(teacher)
    return scale * (s - d) / ((s - t) if ref is None else ref(s, d, t))


register(
    "05.1", "percentage of the gap closed on validation, seed 0", example=_gap_context,
    compare=Compare(rtol=0, atol=0.05),
    reference=lambda scratch, distilled, teacher: _share(scratch, distilled, teacher),
    solution=lambda scratch, distilled, teacher: 100 * (float(scratch) - float(distilled)) / (float(scratch) - teacher),
    wrong={"a fraction, not a percentage": lambda scratch, distilled, teacher: _share(scratch, distilled, teacher, 1.0),
           "relative to the scratch errors": lambda scratch, distilled, teacher: _share(
               scratch, distilled, teacher, ref=lambda s, d, t: s),
           "the gap that remains": lambda scratch, distilled, teacher: 100 - _share(scratch, distilled, teacher)})


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
    "05.2", "calibration temperature chosen on validation", example=_overconfident_model,
    compare=Compare(rtol=0, atol=0.0151),
    reference=_fit_tau,
    solution=_loop_tau,
    wrong={"the distillation temperature T = 4": lambda d0, X_val, y_val: 4.0,
           "no scaling": lambda d0, X_val, y_val: 1.0,
           "minimising the error rate (which tau never changes)": lambda d0, X_val, y_val: min(
               [0.5 + 0.01 * k for k in range(451)],
               key=lambda tau: (predict_logits(d0, X_val) / tau).argmax(1).ne(y_val).float().mean().item())})


def _cells() -> dict:
    """A sweep's worth of cells: 16 keys (T, alpha), as the notebook's `diff`."""
    return {"diff": {(T, a): None for T in (1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 20.0) for a in (0.9, 1.0)}}


register(
    "05.3", "chance of at least one false star among the sweep's cells", example=_cells,
    compare=Compare(rtol=0, atol=0.002),
    reference=lambda diff: 1 - (1 - 0.05) ** len(diff),
    solution=lambda diff: 1 - 0.95 ** len(diff),
    wrong={"the expected number of false stars, not a probability": lambda diff: 0.05 * len(diff),
           "the chance of no false star": lambda diff: 0.95 ** len(diff),
           "one cell's chance": lambda diff: 0.05})
