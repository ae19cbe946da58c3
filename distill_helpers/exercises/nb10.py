"""Exercises of notebook 10 (what makes distillation work): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import torch

from ..results import gap_closed
from . import register


def _gap_context() -> dict:
    """One seed's test errors as the notebook passes them: consistent 31, scratch 45, teacher 22."""
    return {"student": 31, "scratch": 45, "teacher": 22}


register(
    "10.1", "share of the gap the consistent student closes on test, seed 0", example=_gap_context, atol=1e-4, rtol=0,
    reference=lambda student, scratch, teacher: gap_closed(student, scratch, teacher),
    solution=lambda student, scratch, teacher: (scratch - student) / (scratch - teacher),
    wrong={"a percentage, not a fraction": lambda student, scratch, teacher: 100 * (scratch - student) / (scratch - teacher),
           "relative to the scratch errors": lambda student, scratch, teacher: (scratch - student) / scratch,
           "the gap that remains": lambda student, scratch, teacher: (student - teacher) / (scratch - teacher)})


def _pair_context() -> dict:
    """Two models' per-digit correctness on 40 digits: 5 digits only the first gets right, 2 only the second."""
    a = torch.ones(40, dtype=torch.bool)
    b = torch.ones(40, dtype=torch.bool)
    b[:5] = False       # consistent right, control wrong
    a[5:7] = False      # control right, consistent wrong
    a[7:10] = False     # both wrong
    b[7:10] = False
    return {"consistent": a, "control": b}


def _discordant(consistent, control) -> tuple[int, int]:
    return int((consistent & ~control).sum()), int((~consistent & control).sum())


register(
    "10.2", "McNemar's discordant counts, seed 0", kind="exact", example=_pair_context,
    reference=_discordant,
    solution=lambda consistent, control: (int((consistent & ~control).sum()), int((~consistent & control).sum())),
    wrong={"the order swapped": lambda consistent, control: _discordant(consistent, control)[::-1],
           "the errors of each model, not the disagreements": lambda consistent, control: (
               int((~control).sum()), int((~consistent).sum())),
           "both-wrong digits counted in": lambda consistent, control: (
               int((~control).sum()), int((~consistent & control).sum()))})

H3, D3, N3 = 3.0, 1.2, 1000  # exercise 3: half-width, difference, digits

register(
    "10.3", "digits needed for the interval over the digits to exclude zero", rtol=1e-6,
    reference=lambda: N3 * (H3 / D3) ** 2,
    solution=lambda: 1000 * (3.0 / 1.2) ** 2,
    wrong={"the half-width taken to shrink as 1 / n": lambda: N3 * H3 / D3,
           "the ratio upside down": lambda: N3 * (D3 / H3) ** 2,
           "the sample size left out": lambda: (H3 / D3) ** 2})
