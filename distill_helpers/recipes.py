"""The training recipes: the one place for the default epochs, learning rate, batch size, T and alpha.

Function defaults (get_teacher, get_student, train_model, distill, kd_loss, the widgets), the command line
and the notebooks all read these values, so "the same recipe as the notebooks" holds by construction.
"""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TrainingRecipe", "TeacherRecipe", "StudentRecipe", "DistillRecipe", "ConsistentRecipe", "Recipes",
           "RECIPES"]


@dataclass(frozen=True)
class TrainingRecipe:
    """Adam with cosine decay of the learning rate to zero over `epochs` epochs of `batch_size` examples."""
    epochs: int
    lr: float = 1e-3
    batch_size: int = 64


@dataclass(frozen=True)
class TeacherRecipe(TrainingRecipe):
    """The teacher CNN also sees inputs shifted by up to `augment_shift` pixels (the paper jittered by 2)."""
    augment_shift: int = 2


@dataclass(frozen=True)
class StudentRecipe(TrainingRecipe):
    """The MLP student; hidden=(800, 800) is the paper's 784-800-800-10."""
    hidden: tuple[int, ...] = (800, 800)


@dataclass(frozen=True)
class DistillRecipe:
    """alpha is the weight of the SOFT (teacher) term; 1 - alpha weights the hard labels."""
    T: float = 4.0
    alpha: float = 0.9


@dataclass(frozen=True)
class ConsistentRecipe:
    """Consistent teaching (Beyer et al. 2022): every batch shifted by up to `augment_shift` pixels, the
    teacher's logits on the very view the student sees; the student recipe's lr and batch size otherwise.
    `epochs` is chosen on validation from the recorded patience budgets by
    `whatworks.choose_consistent_epochs` (tests/unit/scale/test_whatworks.py checks that it still is)."""
    epochs: int = 80
    T: float = 4.0
    alpha: float = 0.9
    augment_shift: int = 2


@dataclass(frozen=True)
class Recipes:
    teacher: TeacherRecipe
    student: StudentRecipe
    distill: DistillRecipe
    consistent: ConsistentRecipe = ConsistentRecipe()


RECIPES = Recipes(teacher=TeacherRecipe(epochs=12), student=StudentRecipe(epochs=20), distill=DistillRecipe(),
                  consistent=ConsistentRecipe())
