"""Exercises of notebook 04 (the training loop): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import math

import torch

from . import Compare, register


def _training_rows() -> dict:
    return {"X_train": torch.zeros(3500, 1, 28, 28)}


register(
    "04.1", "optimiser steps per epoch", compare=Compare("exact"), example=_training_rows,
    reference=lambda X_train: -(-len(X_train) // 64),  # ceiling division: the last, smaller batch is a step too
    solution=lambda X_train: math.ceil(len(X_train) / 64),
    wrong={"last partial batch dropped": lambda X_train: len(X_train) // 64,
           "a fraction of steps": lambda X_train: len(X_train) / 64,
           "all 4,000 training digits (the validation split forgotten)": lambda X_train: math.ceil(4000 / 64)})

register(
    "04.2", "which model stays in eval() mode while the student's optimiser steps run", compare=Compare("exact"),
    reference=lambda: "teacher", solution=lambda: "teacher",
    wrong={"the student": lambda: "student", "both": lambda: "both"})

# 04.3: find the bug. The loop as the notebook prints it (numbered), and the same loop without the bug.
BUGGY_LOOP = """\
def buggy_distill(student, teacher, X, y, T=4.0, alpha=0.9, epochs=3, lr=1e-3, batch_size=64, seed=0):
    teacher.eval()
    with torch.no_grad():
        t_logits = teacher(X)
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(student.parameters(), lr=lr)
    for epoch in range(epochs):
        student.train()
        perm = torch.randperm(len(X), generator=gen)
        for i in range(0, len(X), batch_size):
            idx = perm[i:i + batch_size]
            z, v = student(X[idx]), t_logits[i:i + batch_size]
            soft = F.kl_div(F.log_softmax(z / T, 1), F.log_softmax(v / T, 1), reduction="batchmean", log_target=True)
            loss = alpha * T**2 * soft + (1 - alpha) * F.cross_entropy(z, y[idx])
            opt.zero_grad(); loss.backward(); opt.step()
    return student.eval()"""
FIXED_LINE = "            z, v = student(X[idx]), t_logits[idx]"


def numbered(src: str = BUGGY_LOOP) -> str:
    """The loop with line numbers 1, 2, ... as the notebook shows it."""
    return "\n".join(f"{k:>2}  {line}" for k, line in enumerate(src.splitlines(), start=1))


def _buggy_line() -> int:
    """The 1-based number of the only line where the buggy loop differs from the fixed one."""
    lines = BUGGY_LOOP.splitlines()
    fixed = [FIXED_LINE if "t_logits[i:i + batch_size]" in line else line for line in lines]
    diff = [k for k, (a, b) in enumerate(zip(lines, fixed), start=1) if a != b]
    assert len(diff) == 1, "exactly one line of the loop is wrong"
    return diff[0]


def _line_of(text: str) -> int:
    return next(k for k, line in enumerate(BUGGY_LOOP.splitlines(), start=1) if text in line)


register(
    "04.3", "the line that breaks the cached-logits loop", compare=Compare("exact"),
    reference=_buggy_line,
    solution=lambda: _line_of("t_logits[i:i + batch_size]"),
    wrong={"the permutation": lambda: _line_of("perm = torch.randperm"),
           "the batch indices": lambda: _line_of("idx = perm[i:i + batch_size]"),
           "the cached teacher logits": lambda: _line_of("t_logits = teacher(X)"),
           "the loss": lambda: _line_of("loss = alpha")})
