"""Exercises of notebook 08 (distilling a language model): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..lm import fit_gaussian, reverse_kl, topk_from_logits
from ..losses import kd_loss
from . import register

register(
    "08.1", "sigma of the forward-KL fit, modes 6 apart", rtol=1e-3,
    reference=lambda: fit_gaussian(6.0, "forward")["sigma"],  # numerical fit, not the closed form
    solution=lambda: math.sqrt(1.0 + 6.0 ** 2 / 4),
    wrong={"the variance, not sigma": lambda: 1.0 + 6.0 ** 2 / 4,
           "only one mode's width": lambda: 1.0,
           "spread between the modes forgotten in the variance": lambda: math.sqrt(6.0 ** 2 / 4),
           "distance instead of half-distance": lambda: math.sqrt(1.0 + 6.0 ** 2)})


def _rkl_inputs() -> list[tuple]:
    g = torch.Generator().manual_seed(8)
    return [(torch.randn(6, 5, generator=g), torch.randn(6, 5, generator=g) * 2),
            (torch.randn(3, 26, generator=g) * 4, torch.randn(3, 26, generator=g))]


def _my_rkl(z, v, direction="reverse", reduce="mean"):
    log_q, log_p = F.log_softmax(z, -1), F.log_softmax(v, -1)
    if direction == "forward":
        log_q, log_p = log_p, log_q
    per_row = (log_q.exp() * (log_q - log_p)).sum(-1)
    return per_row.mean() if reduce == "mean" else per_row.sum()


register(
    "08.2", "reverse KL, KL(student || teacher)", kind="function", inputs=_rkl_inputs,
    reference=lambda z, v: reverse_kl(z, v),
    solution=lambda: _my_rkl,
    wrong={"forward KL instead": lambda: lambda z, v: kd_loss(z, v, None, T=1.0, alpha=1.0),
           "summed over rows instead of averaged": lambda: lambda z, v: _my_rkl(z, v, reduce="sum"),
           "teacher and student swapped": lambda: lambda z, v: _my_rkl(v, z)})

_V = torch.tensor([3.0, 2.0, 0.5, 0.0, -1.0])  # the teacher's logits over 5 tokens


register(
    "08.3", "tail mass outside the teacher's top 2", rtol=1e-4,
    reference=lambda: (1 - topk_from_logits(_V[None], 2)[0].exp().sum()).item(),
    solution=lambda: 1 - sum(math.exp(v) for v in (3.0, 2.0)) / sum(math.exp(v) for v in _V.tolist()),
    wrong={"renormalised top 2: no tail": lambda: 0.0,
           "mass of the top 2 instead": lambda: sum(math.exp(v) for v in (3.0, 2.0)) / sum(math.exp(v) for v in _V.tolist()),
           "only the third token": lambda: math.exp(0.5) / sum(math.exp(v) for v in _V.tolist())})


def _table_example() -> dict:
    return {"table": {"labels": {"bpc": 1.2, "kl_ts": 0.50, "kl_st": 0.60},
                      "word": {"bpc": 1.0, "kl_ts": 0.30, "kl_st": 0.40},
                      "onpolicy": {"bpc": 1.4, "kl_ts": 0.80, "kl_st": 0.20},
                      "top-1": {"bpc": 1.6, "kl_ts": 0.70, "kl_st": 0.35}}}


register(
    "08.4", "the method with the lowest KL(student || teacher)", kind="exact", example=_table_example,
    reference=lambda table: min(table, key=lambda m: table[m]["kl_st"]),
    solution=lambda table: min(table, key=lambda m: table[m]["kl_st"]),
    wrong={"lowest KL(teacher || student)": lambda table: min(table, key=lambda m: table[m]["kl_ts"]),
           "lowest bits per character": lambda table: min(table, key=lambda m: table[m]["bpc"]),
           "highest KL(student || teacher)": lambda table: max(table, key=lambda m: table[m]["kl_st"])})
