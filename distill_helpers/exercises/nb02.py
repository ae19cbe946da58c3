"""Exercises of notebook 02 (temperature): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import math

import torch

from ..losses import entropy, soft_targets, softmax_with_temperature
from . import register


def _softmax_inputs() -> list[tuple]:
    g = torch.Generator().manual_seed(2)
    return [(torch.randn(4, 10, generator=g), 3.0), (torch.randn(2, 5, generator=g) * 50, 0.5),
            (torch.tensor([[1e3, -1e3, 0.0]]), 1.0)]


def _solution_softmax(z, T):
    e = torch.exp((z - z.max(-1, keepdim=True).values) / T)
    return e / e.sum(-1, keepdim=True)


register(
    "02.1", "tempered softmax", kind="function", inputs=_softmax_inputs,
    reference=softmax_with_temperature,
    solution=lambda: _solution_softmax,
    wrong={"maximum not subtracted (overflows)": lambda: lambda z, T: torch.exp(z / T) / torch.exp(z / T).sum(-1, keepdim=True),
           "T ignored": lambda: lambda z, T: _solution_softmax(z, 1.0),
           "T multiplies instead of divides": lambda: lambda z, T: _solution_softmax(z * T * T, T),
           "normalised over the batch": lambda: lambda z, T: torch.exp(z / T) / torch.exp(z / T).sum(0, keepdim=True)})


def _confident_digit() -> dict:
    return {"logits": torch.tensor([9.0, 1.5, 3.0, -2.0, 0.5, -1.0, 4.0, 2.5, 1.0, -3.0])}


def _entropy_lse(logits, T):
    """H = log sum_j exp(z_j/T) - sum_i p_i z_i / T, a second formulation of -sum p log p."""
    z = logits.double() / T
    p = torch.softmax(z, -1)
    return (torch.logsumexp(z, -1) - (p * z).sum(-1)).item()


register(
    "02.2", "entropy at T = 4", example=_confident_digit, rtol=1e-3,
    reference=lambda logits: _entropy_lse(logits, 4.0),
    solution=lambda logits: entropy(soft_targets(logits, 4.0)).item(),
    wrong={"at T = 1": lambda logits: entropy(soft_targets(logits, 1.0)).item(),
           "in bits": lambda logits: entropy(soft_targets(logits, 4.0)).item() / math.log(2)})


def _first_T_below_half(logits) -> float:
    """First T on the grid 1.0, 1.1, ... at which the top probability is < 0.5 (vectorised)."""
    Ts = 1.0 + 0.1 * torch.arange(0, 100_000, dtype=torch.float64)
    top = torch.softmax(logits.double()[None, :] / Ts[:, None], -1).amax(-1)
    return round(float(Ts[int((top < 0.5).nonzero()[0])]), 1)


def _loop(logits, stop_before=False) -> float:
    T = 1.0
    while softmax_with_temperature(logits, T).max() >= 0.5:
        T = round(T + 0.1, 1)
    return round(T - 0.1, 1) if stop_before else T


register(
    "02.3", "first T with top probability < 0.5", example=_confident_digit, rtol=0, atol=1e-6,
    reference=_first_T_below_half,
    solution=lambda logits: _loop(logits),
    wrong={"last T still at or above 0.5": lambda logits: _loop(logits, stop_before=True),
           "grid of step 1": lambda logits: float(math.ceil(_loop(logits)))})
