"""Exercises of notebook 08 (distilling a language model): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..lm import fit_gaussian, reverse_kl, topk_from_logits
from ..losses import kd_loss
from . import Compare, register

register(
    "08.1", "sigma of the forward-KL fit, modes of width 0.5 at -2 and +2", compare=Compare(rtol=1e-3),
    reference=lambda: fit_gaussian(4.0, "forward", sigma=0.5)["sigma"],  # numerical fit, not the closed form
    solution=lambda: math.sqrt(0.5 ** 2 + 2.0 ** 2),
    wrong={"the variance, not sigma": lambda: 0.5 ** 2 + 2.0 ** 2,
           "width 1 kept from section 1": lambda: math.sqrt(1.0 + 2.0 ** 2),
           "only one mode's width": lambda: 0.5,
           "the width added, not its square": lambda: math.sqrt(0.5 + 2.0 ** 2),
           "distance instead of half-distance": lambda: math.sqrt(0.5 ** 2 + 4.0 ** 2)})


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
    "08.2", "reverse KL, KL(student || teacher)", compare=Compare("function", inputs=_rkl_inputs),
    reference=lambda z, v: reverse_kl(z, v),
    solution=lambda: _my_rkl,
    wrong={"forward KL instead": lambda: lambda z, v: kd_loss(z, v, None, T=1.0, alpha=1.0),
           "summed over rows instead of averaged": lambda: lambda z, v: _my_rkl(z, v, reduce="sum"),
           "teacher and student swapped": lambda: lambda z, v: _my_rkl(v, z)})

_V = torch.tensor([3.0, 2.0, 0.5, 0.0, -1.0])  # the teacher's logits over 5 tokens


register(
    "08.3", "tail mass outside the teacher's top 2", compare=Compare(rtol=1e-4),
    reference=lambda: (1 - topk_from_logits(_V[None], 2)[0].exp().sum()).item(),
    solution=lambda: 1 - sum(math.exp(v) for v in (3.0, 2.0)) / sum(math.exp(v) for v in _V.tolist()),
    wrong={"renormalised top 2: no tail": lambda: 0.0,
           "mass of the top 2 instead": lambda: sum(math.exp(v) for v in (3.0, 2.0)) / sum(math.exp(v) for v in _V.tolist()),
           "only the third token": lambda: math.exp(0.5) / sum(math.exp(v) for v in _V.tolist())})


def _table_example() -> dict:
    # per-seed figures of a few methods, and the truth's entropy, as the notebook's per_seed and entropy_bits
    return {"table": {"labels": {"bpc": [0.74, 0.73, 0.75], "kl_truth": [0.159, 0.151, 0.168]},
                      "top-1": {"bpc": [1.3, 1.4, 1.2], "kl_truth": [0.72, 0.81, 0.62]}},
            "entropy": 0.581}


def _mean(xs) -> float:
    return sum(xs) / len(xs)


register(
    "08.4", "KL(truth || labels students) from the bits per character and the entropy",
    compare=Compare("number", rtol=0.0, atol=0.01),
    example=_table_example,  # the identity holds up to the sampling of the test text
    reference=lambda table, entropy: _mean(table["labels"]["kl_truth"]),
    solution=lambda table, entropy: _mean(table["labels"]["bpc"]) - entropy,
    wrong={"the bits per character alone": lambda table, entropy: _mean(table["labels"]["bpc"]),
           "the entropy alone": lambda table, entropy: entropy,
           "entropy minus bpc": lambda table, entropy: entropy - _mean(table["labels"]["bpc"]),
           "the ratio instead of the difference": lambda table, entropy: _mean(table["labels"]["bpc"]) / entropy,
           "another method's row": lambda table, entropy: _mean(table["top-1"]["bpc"]) - entropy})
