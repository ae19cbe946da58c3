"""Exercises of notebook 03 (KL and the loss): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import math
import warnings

import torch
import torch.nn.functional as F

from ..losses import kd_loss, kl_divergence
from . import Compare, register

P, Q = [0.6, 0.3, 0.1], [0.2, 0.2, 0.6]  # teacher p, student q: KL(p||q) != KL(q||p)

register(
    "03.1", "KL(p||q) by hand", compare=Compare(rtol=1e-3),
    reference=lambda: F.kl_div(torch.tensor(Q, dtype=torch.float64).log(), torch.tensor(P, dtype=torch.float64),
                               reduction="sum").item(),
    solution=lambda: 0.6 * math.log(0.6 / 0.2) + 0.3 * math.log(0.3 / 0.2) + 0.1 * math.log(0.1 / 0.6),
    wrong={"reversed, KL(q||p)": lambda: sum(q * math.log(q / p) for p, q in zip(P, Q)),
           "in bits": lambda: sum(p * math.log2(p / q) for p, q in zip(P, Q)),
           "cross-entropy H(p, q)": lambda: -sum(p * math.log(q) for p, q in zip(P, Q))})


def _kd_inputs() -> list[tuple]:
    g = torch.Generator().manual_seed(3)
    return [(torch.randn(8, 10, generator=g), torch.randn(8, 10, generator=g) * 3,
             torch.randint(0, 10, (8,), generator=g), T, a) for T, a in ((1.0, 0.5), (4.0, 0.9), (10.0, 0.1))]


def _my_kd(z, v, y, T, alpha, *, reduction="batchmean", t2=True, swap_alpha=False, probs=False):
    log_q, log_p = F.log_softmax(z / T, 1), F.log_softmax(v / T, 1)
    with warnings.catch_warnings():  # PyTorch warns about reduction="mean", one of the mistakes tried here
        warnings.simplefilter("ignore")
        if probs:
            soft = F.kl_div(log_q.exp(), log_p.exp(), reduction=reduction)
        else:
            soft = F.kl_div(log_q, log_p, reduction=reduction, log_target=True)
    a = 1 - alpha if swap_alpha else alpha
    return a * (T**2 if t2 else 1) * soft + (1 - a) * F.cross_entropy(z, y)


register(
    "03.2", "kd_loss", compare=Compare("function", inputs=_kd_inputs),
    reference=lambda z, v, y, T, alpha: kd_loss(z, v, y, T=T, alpha=alpha),
    solution=lambda: _my_kd,
    wrong={"T^2 forgotten": lambda: lambda *a: _my_kd(*a, t2=False),
           "reduction='mean'": lambda: lambda *a: _my_kd(*a, reduction="mean"),
           "alpha weights the labels": lambda: lambda *a: _my_kd(*a, swap_alpha=True),
           "probabilities where log-probabilities belong": lambda: lambda *a: _my_kd(*a, probs=True),
           "teacher and student swapped": lambda: lambda z, v, y, T, alpha: _my_kd(v, z, y, T, alpha)})


def _section5_logits() -> dict:
    g = torch.Generator().manual_seed(1)
    return {"z0": torch.randn(256, 10, generator=g, dtype=torch.float64) * 3,
            "v0": torch.randn(256, 10, generator=g, dtype=torch.float64) * 3}


def _closed_form_norm(z0, v0, T) -> float:
    """|dKL/dz| from the closed form (softmax(z/T) - softmax(v/T)) / (T B), no autograd."""
    return ((torch.softmax(z0 / T, 1) - torch.softmax(v0 / T, 1)) / (T * len(z0))).norm().item()


def _autograd_norm(z0, v0, T, t2=False) -> float:
    z = z0.clone().requires_grad_(True)
    (kd_loss(z, v0, None, T=T, alpha=1.0) if t2 else kl_divergence(z, v0, T)).backward()
    return z.grad.norm().item()


register(
    "03.3", "shrink factor without T^2, T = 1 to 10", example=_section5_logits, compare=Compare(rtol=1e-2),
    reference=lambda z0, v0: _closed_form_norm(z0, v0, 1) / _closed_form_norm(z0, v0, 10),
    solution=lambda z0, v0: _autograd_norm(z0, v0, 1) / _autograd_norm(z0, v0, 10),
    wrong={"the 1/T^2 law taken as exact": lambda z0, v0: 100.0,
           "with the T^2 factor": lambda z0, v0: _autograd_norm(z0, v0, 1, True) / _autograd_norm(z0, v0, 10, True),
           "upside down": lambda z0, v0: _autograd_norm(z0, v0, 10) / _autograd_norm(z0, v0, 1)})
