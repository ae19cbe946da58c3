"""Exercises of notebook 04 (the training loop): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import math

import torch

from ..evaluate import accuracy, agreement
from ..models import MLP
from ..evaluate import predict_logits
from . import register


def _training_rows() -> dict:
    return {"X_train": torch.zeros(3500, 1, 28, 28)}


register(
    "04.1", "optimiser steps per epoch", kind="exact", example=_training_rows,
    reference=lambda X_train: -(-len(X_train) // 64),  # ceiling division: the last, smaller batch is a step too
    solution=lambda X_train: math.ceil(len(X_train) / 64),
    wrong={"last partial batch dropped": lambda X_train: len(X_train) // 64,
           "a fraction of steps": lambda X_train: len(X_train) / 64,
           "all 4,000 training digits (the validation split forgotten)": lambda X_train: math.ceil(4000 / 64)})

register(
    "04.2", "which model is put in eval() mode", kind="exact",
    reference=lambda: "teacher", solution=lambda: "teacher",
    wrong={"the student": lambda: "student", "both": lambda: "both"})


def _two_models() -> dict:
    g = torch.Generator().manual_seed(4)
    torch.manual_seed(0)
    teacher, distilled = MLP(hidden=(8,)), MLP(hidden=(8,))
    X = torch.rand(300, 1, 28, 28, generator=g)
    # make the two agree on part of the inputs: copy the teacher's weights into the student, then perturb
    distilled.load_state_dict(teacher.state_dict())
    with torch.no_grad():
        for p in distilled.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=g))
    y = predict_logits(teacher, X).argmax(1)
    y[::3] = (y[::3] + 1) % 10  # labels that the teacher gets wrong a third of the time
    return {"teacher": teacher, "distilled": distilled, "X_test": X, "y_test": y}


register(
    "04.3", "top-1 agreement of teacher and distilled student", example=_two_models, rtol=0, atol=1e-6,
    reference=lambda teacher, distilled, X_test, y_test: (
        predict_logits(teacher, X_test).argmax(1) == predict_logits(distilled, X_test).argmax(1)).double().mean().item(),
    solution=lambda teacher, distilled, X_test, y_test: agreement(student_logits=predict_logits(distilled, X_test),
                                                                  teacher_logits=predict_logits(teacher, X_test)),
    wrong={"the student's accuracy on the labels": lambda teacher, distilled, X_test, y_test:
               accuracy(predict_logits(distilled, X_test), y_test),
           "disagreement": lambda teacher, distilled, X_test, y_test:
               1 - agreement(student_logits=predict_logits(distilled, X_test), teacher_logits=predict_logits(teacher, X_test)),
           "a percentage": lambda teacher, distilled, X_test, y_test:
               100 * agreement(student_logits=predict_logits(distilled, X_test), teacher_logits=predict_logits(teacher, X_test))})
