"""Exercises of notebook 02 (temperature): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import math

import torch

from ..losses import entropy, softmax_with_temperature
from . import Compare, register


def _softmax_inputs() -> list[tuple]:
    g = torch.Generator().manual_seed(2)
    return [(torch.randn(4, 10, generator=g), 3.0), (torch.randn(2, 5, generator=g) * 50, 0.5),
            (torch.tensor([[1e3, -1e3, 0.0]]), 1.0)]


def _solution_log_softmax(z, T):
    """log p_i(T) = z_i/T - m - log sum_j exp(z_j/T - m), m = max_j z_j/T: never exp of a large number, never log 0."""
    s = z / T
    m = s.max(-1, keepdim=True).values
    return s - m - torch.log(torch.exp(s - m).sum(-1, keepdim=True))


def _softmax_then_log(z, T):
    e = torch.exp((z - z.max(-1, keepdim=True).values) / T)
    return torch.log(e / e.sum(-1, keepdim=True))


register(
    "02.1", "log of the tempered softmax, stable", compare=Compare("function", inputs=_softmax_inputs),
    reference=lambda z, T: torch.log_softmax(z / T, -1),
    solution=lambda: _solution_log_softmax,
    wrong={"log of the softmax (log 0 = -inf on the extreme input)": lambda: _softmax_then_log,
           "maximum not subtracted (exp overflows)": lambda: lambda z, T: z / T - torch.log(torch.exp(z / T).sum(-1, keepdim=True)),
           "T ignored": lambda: lambda z, T: _solution_log_softmax(z, 1.0),
           "T multiplies instead of divides": lambda: lambda z, T: _solution_log_softmax(z * T * T, T),
           "normalised over the batch": lambda: lambda z, T: z / T - torch.logsumexp(z / T, 0, keepdim=True)})


def _confident_digit() -> dict:
    return {"logits": torch.tensor([9.0, 1.5, 3.0, -2.0, 0.5, -1.0, 4.0, 2.5, 1.0, -3.0])}


def _distributions(**_) -> list[tuple]:
    """Rows of probabilities: tempered softmaxes, a one-hot row and rows with exact zeros (0 log 0 = 0)."""
    g = torch.Generator().manual_seed(5)
    soft = softmax_with_temperature(torch.randn(6, 10, generator=g, dtype=torch.float64) * 3, 4.0)
    with_zeros = torch.tensor([[1.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.0, 0.0], [0.25, 0.25, 0.25, 0.25]],
                              dtype=torch.float64)
    return [(soft,), (with_zeros,)]


def _entropy_where(p):
    """-sum p log p with the 0 log 0 = 0 convention written out: log only where p > 0."""
    return -(p * torch.where(p > 0, p, torch.ones_like(p)).log()).sum(-1)


register(
    "02.2", "entropy of a batch of distributions, 0 log 0 = 0",
    compare=Compare("function", rtol=1e-6, inputs=_distributions),
    reference=lambda p: entropy(p),  # the library's: -xlogy(p, p).sum(-1)
    solution=lambda: _entropy_where,
    wrong={"0 log 0 left as nan": lambda: lambda p: -(p * p.log()).sum(-1),
           "an epsilon added inside the log": lambda: lambda p: -(p * (p + 1e-3).log()).sum(-1),
           "in bits": lambda: lambda p: _entropy_where(p) / math.log(2),
           "sign forgotten": lambda: lambda p: -_entropy_where(p),
           "summed over the batch, not the classes": lambda: lambda p: -(p * torch.where(p > 0, p, torch.ones_like(p)).log()).sum(0),
           "mean over the classes instead of the sum": lambda: lambda p: _entropy_where(p) / p.shape[-1]})


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
    "02.3", "first T with top probability < 0.5", example=_confident_digit, compare=Compare(rtol=0, atol=1e-6),
    reference=_first_T_below_half,
    solution=lambda logits: _loop(logits),
    wrong={"last T still at or above 0.5": lambda logits: _loop(logits, stop_before=True),
           "grid of step 1": lambda logits: float(math.ceil(_loop(logits)))})
