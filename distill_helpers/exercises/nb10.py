"""Exercises of notebook 10 (what makes distillation work): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import torch

from ..results import gap_closed
from . import Compare, register


def _gap_context() -> dict:
    """One seed's test errors, shaped like the record's: the student makes fewer than the teacher (share > 1)."""
    return {"student": 24, "scratch": 40, "teacher": 27}


register(
    "10.1", "share of the gap the consistent student closes on test, seed 0", example=_gap_context,
    compare=Compare(rtol=0, atol=1e-4),
    reference=lambda student, scratch, teacher: gap_closed(student, scratch, teacher),
    solution=lambda student, scratch, teacher: (scratch - student) / (scratch - teacher),
    wrong={"a percentage, not a fraction": lambda student, scratch, teacher: 100 * (scratch - student) / (scratch - teacher),
           "relative to the scratch errors": lambda student, scratch, teacher: (scratch - student) / scratch,
           "the gap that remains": lambda student, scratch, teacher: (student - teacher) / (scratch - teacher)})


def _pair_context() -> dict:
    """A student's and the teacher's per-digit correctness on 40 digits: 5 only the student gets right, 2 only
    the teacher, 3 both wrong."""
    student = torch.ones(40, dtype=torch.bool)
    teacher = torch.ones(40, dtype=torch.bool)
    teacher[:5] = False   # student right, teacher wrong
    student[5:7] = False  # teacher right, student wrong
    student[7:10] = False  # both wrong
    teacher[7:10] = False
    return {"student": student, "teacher": teacher}


def _discordant(student, teacher) -> tuple[int, int]:
    return int((student & ~teacher).sum()), int((~student & teacher).sum())


register(
    "10.2", "McNemar's discordant counts, the consistent student of seed 0 against the teacher",
    compare=Compare("exact"),
    example=_pair_context, reference=_discordant,
    solution=lambda student, teacher: (int((student & ~teacher).sum()), int((~student & teacher).sum())),
    wrong={"the order swapped": lambda student, teacher: _discordant(student, teacher)[::-1],
           "the errors of each model, not the disagreements": lambda student, teacher: (
               int((~teacher).sum()), int((~student).sum())),
           "both-wrong digits counted in": lambda student, teacher: (
               int((~teacher).sum()), int((~student & teacher).sum()))})

H3, D3, N3 = 3.0, 1.2, 1000  # exercise 3: half-width, difference, digits

register(
    "10.3", "digits needed for the interval over the digits to exclude zero", compare=Compare(rtol=1e-6),
    reference=lambda: N3 * (H3 / D3) ** 2,
    solution=lambda: 1000 * (3.0 / 1.2) ** 2,
    wrong={"the half-width taken to shrink as 1 / n": lambda: N3 * H3 / D3,
           "the ratio upside down": lambda: N3 * (D3 / H3) ** 2,
           "the sample size left out": lambda: (H3 / D3) ** 2})
