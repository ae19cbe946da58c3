"""The training recipes: the one place for the default epochs, learning rate, batch size, T and alpha.

Function defaults (get_teacher, get_student, train_model, distill, kd_loss, the widgets), the command line
and the notebooks all read these values, so "the same recipe as the notebooks" holds by construction.

Recipes are values, passed whole: `distill(student, teacher, train, val, recipe=RECIPES.student,
kd=RECIPES.distill)`. A variant is made with the one idiom `.with_(...)` (a checked `dataclasses.replace`):

    short = RECIPES.student.with_(epochs=5)       # the student recipe, 5 epochs
    hot = RECIPES.distill.with_(T=8.0)            # the distillation recipe at T = 8
    run = Run(seed=3, progress=False)             # how one run executes: seed, device, bf16, bar
    runs = Runs(seeds=range(8), progress=False)   # how K runs trained at once execute: their seeds, the bar

`with_` refuses a field the recipe does not have, naming the ones it has; the trainers refuse a recipe of
the wrong type, naming the one they take.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Sequence

__all__ = ["Value", "TrainingRecipe", "TeacherRecipe", "StudentRecipe", "DistillRecipe", "ConsistentRecipe",
           "Recipes", "RECIPES", "Run", "Runs", "check_recipe"]


class Value:
    """The `.with_(**changes)` of every recipe and of the other values passed whole (Run, Runs,
    batched.Teaching, experiments.GridCache): a copy with some fields changed, unknown fields refused."""

    def with_(self, **changes):
        names = [f.name for f in fields(self)]
        unknown = sorted(set(changes) - set(names))
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field {', '.join(map(repr, unknown))}: its fields are "
                            f"{', '.join(names)}")
        return replace(self, **changes)


@dataclass(frozen=True)
class TrainingRecipe(Value):
    """Adam with cosine decay of the learning rate to zero over `epochs` epochs of `batch_size` examples;
    every batch shifted by up to `augment_shift` pixels (0: no augmentation, see `transfer.random_shift`)."""
    epochs: int
    lr: float = 1e-3
    batch_size: int = 64
    augment_shift: int = 0


@dataclass(frozen=True)
class TeacherRecipe(TrainingRecipe):
    """The teacher CNN also sees inputs shifted by up to `augment_shift` pixels (the paper jittered by 2)."""
    augment_shift: int = 2


@dataclass(frozen=True)
class StudentRecipe(TrainingRecipe):
    """The MLP student; hidden=(800, 800) is the paper's 784-800-800-10."""
    hidden: tuple[int, ...] = (800, 800)


@dataclass(frozen=True)
class DistillRecipe(Value):
    """alpha is the weight of the SOFT (teacher) term; 1 - alpha weights the hard labels."""
    T: float = 4.0
    alpha: float = 0.9


@dataclass(frozen=True)
class ConsistentRecipe(Value):
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


@dataclass(frozen=True)
class Run(Value):
    """How one training run executes, beside its recipe (what it learns).

    seed: seeds the initialisation's draws after it, dropout, the batch order and the augmentation.
    device: "cpu", "cuda", "mps" or "auto". bf16: autocast forward and loss to bfloat16 (None: on for a
    CUDA GPU with bf16, off elsewhere). progress: show a progress bar per run.
    """
    seed: int = 0
    device: object = "cpu"
    bf16: bool | None = None
    progress: bool = True


@dataclass(frozen=True)
class Runs(Value):
    """How K runs trained at once execute (`batched.distill_students`, `experiments.train_grid`).

    seeds: one per student (distill_students; as `Run(seed=s)` for each) or, in a grid, the seeds every setting
    is trained with. progress: show one progress bar for them all, labelled `desc` (None: a count of students).
    The batched trainer runs on the CPU in float32: there is no device or bf16 to choose.
    """
    seeds: Sequence[int]
    progress: bool = True
    desc: str | None = None


def check_recipe(value, kind: type, name: str, example: str):
    """`value` when it is a `kind`, else a TypeError naming the parameter, the type it takes and an example."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be a {kind.__name__} such as {example} (a variant: {example}.with_(...)), "
                        f"got {type(value).__name__}: {value!r}")
    return value
