"""Multi-seed experiments: a grid of (T, alpha, lr) settings x seeds, trained batched, judged on validation.

`train_grid` trains one student per (setting, seed) with `batched.distill_students`, records every
student's validation accuracy after every epoch, and caches the trained weights under root/cache, so a
notebook that reruns it loads the grid in a second. Nothing here looks at the test set: score the
students you chose (on validation) once, at the end, with `Grid.errors(X_test, y_test, rows)`.

    grid = train_grid(teacher, train, val, settings=[{"T": 1.0, "alpha": 0.0}, {"T": 4.0, "alpha": 0.9}],
                      runs=Runs(seeds=range(8)), recipe=RECIPES.student, cache=GridCache(root=DATA))
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import torch
from torch import nn

from .batched import Teaching, distill_students, make_students, predict_logits_stacked
from ..cache import VERSIONS, cached, payload_codec, teacher_identity
from ..checkpoints import digest
from ..data import HeldOutTest, as_tensors
from ..infra.checks import check_dataset, check_training_settings
from ..infra.i18n import tr
from ..losses import check_alpha, check_kd_temperature
from ..models import MLP
from ..recipes import RECIPES, DistillRecipe, Runs, StudentRecipe, Value, check_recipe

__all__ = ["Grid", "GridCache", "GRID_RECIPE", "GRID_CHUNK", "Runs", "train_grid"]

#: train_grid's recipe unless told: the 30-30 student, RECIPES.student's epochs, lr and batch size.
GRID_RECIPE = RECIPES.student.with_(hidden=(30, 30))
#: About how many students train_grid trains at once (whole settings at a time: see _train).
GRID_CHUNK = 256

# cache.VERSIONS["grid"]: 2: students sharing a seed share their batches; 3: (features, batch) layout; 4: kd_terms
# (float-level changes); 5: checksummed entries, the teacher named by teacher_identity (its weights when not cached)


@dataclass(frozen=True)
class GridCache(Value):
    """Where and under which name train_grid caches a grid (pass cache=None for no cache).

    root: the data root, whose cache/ holds the entry (None: `cache.data_root()`). data_tag: names the training
    data in the cache key: change it when you pass other data (a transfer set) or other teacher targets.
    retrain: train again and replace the entry. A variant: `GridCache(root=DATA).with_(data_tag="...")`.
    """
    root: str | Path | None = None
    data_tag: str = "mnist5k/train-val-v1"
    retrain: bool = False


@dataclass
class Grid:
    """Trained students of one architecture: `students[i][j]` for settings[i] and seeds[j]."""
    settings: list[dict]            # one dict per row: {"T": ..., "alpha": ..., "lr": ...}
    seeds: list[int]
    students: list[list[MLP]]
    val_acc: torch.Tensor           # (settings, seeds, epochs): validation accuracy after every epoch
    n_val: int

    @property
    def val_errors(self) -> torch.Tensor:
        """(settings, seeds) validation errors of the last epoch (the model that is kept)."""
        return (1 - self.val_acc[:, :, -1]).mul(self.n_val).round().long()

    def errors(self, X: torch.Tensor, y: torch.Tensor, rows: Sequence[int] | None = None) -> torch.Tensor:
        """(rows, seeds) error counts on (X, y) for the chosen rows (all rows when None)."""
        rows = range(len(self.settings)) if rows is None else rows
        out = []
        for i in rows:
            logits = predict_logits_stacked(self.students[i], X)
            out.append((logits.argmax(-1) != y).sum(1))
        return torch.stack(out)

    def row(self, **setting) -> int:
        """Index of the setting with these values, e.g. grid.row(T=4.0, alpha=0.9)."""
        for i, s in enumerate(self.settings):
            if all(abs(s[k] - float(v)) < 1e-12 for k, v in setting.items()):
                return i
        raise KeyError(f"no setting {setting} in this grid; settings are {self.settings}")


def _settings(settings: Sequence[dict], lr: float) -> list[dict]:
    out = []
    for s in settings:
        unknown = set(s) - {"T", "alpha", "lr"}
        if unknown:
            raise ValueError(f"a setting takes the keys T, alpha and lr, got {sorted(unknown)}")
        out.append({"T": check_kd_temperature(s.get("T", 1.0)), "alpha": check_alpha(s.get("alpha", 0.0)),
                    "lr": check_training_settings(0, s.get("lr", lr), 1)[1]})
    return out


def _grid_teacher(teacher: nn.Module | None, teacher_logits: torch.Tensor | None):
    """The teacher's part of the cache key: its identity (cache.teacher_identity), or, with no teacher model,
    a hash of the logits the students learn from; None for labels-only grids."""
    if teacher is not None:
        return teacher_identity(teacher)
    return None if teacher_logits is None else {"logits_sha256": digest(teacher_logits)[:32]}


def _finite_weights(payload: dict) -> str | None:
    finite = all(bool(torch.isfinite(t).all()) for row in payload["state"] for st in row for t in st.values()
                 if t.is_floating_point())
    return None if finite else "holds NaN or inf weights (a diverged run)"


def train_grid(teacher: nn.Module | None, train, val, *, settings: Sequence[dict], runs: Runs,
               recipe: StudentRecipe = GRID_RECIPE, teacher_logits: torch.Tensor | None = None,
               cache: GridCache | None = GridCache()) -> Grid:
    """Train every (setting, seed) student, batched about GRID_CHUNK students at a time, and cache the result.

    settings: dicts with T, alpha and optionally lr (alpha = 0 is labels only; alpha is the SOFT weight; lr:
        recipe.lr unless given).
    runs: a `Runs`: the seeds every setting is trained with, and the progress bar, e.g. Runs(seeds=range(8)).
    recipe: the students' `StudentRecipe` (hidden, epochs, lr, batch_size; no augmentation), e.g.
        RECIPES.student.with_(hidden=(30, 30), lr=3e-3); default GRID_RECIPE, the 30-30 student.
    teacher_logits: the teacher's logits for every training row, in order (None: computed from the teacher).
    cache: a `GridCache` (root, data_tag, retrain), or None: trained every time, not cached. The cache key names
        the teacher (`cache.teacher_identity`): pass the teacher whose logits `teacher_logits` are.
    """
    recipe, runs = _check_grid_values(recipe, runs, cache)
    if val is None or isinstance(val, HeldOutTest):
        raise ValueError("train_grid needs the validation split (not the test split): it records validation "
                         "accuracy after every epoch, which is what choices are made on")
    settings = _settings(settings, recipe.lr)
    seeds = [int(s) for s in runs.seeds]
    if not settings or not seeds:
        raise ValueError("need at least one setting and one seed")
    X, _ = as_tensors(train)
    X_val, y_val = as_tensors(val)
    check_dataset(*as_tensors(train), teacher)  # bad data refused before the cache is read or anything trains
    check_dataset(X_val, y_val, teacher, what="validation set")
    num_classes = int(teacher.config["num_classes"]) if teacher is not None else int(as_tensors(train)[1].max()) + 1
    hidden, epochs, batch_size = recipe.hidden, recipe.epochs, recipe.batch_size
    config = {"teacher": _grid_teacher(teacher, teacher_logits), "data": (cache or GridCache()).data_tag,
              "n_train": len(X), "n_val": len(X_val), "hidden": list(hidden), "settings": settings, "seeds": seeds,
              "epochs": epochs, "batch_size": batch_size}
    shape = tuple(X.shape[1:])

    def compute() -> dict:
        logits = teacher_logits
        if logits is None and teacher is not None and any(s["alpha"] > 0 for s in settings):
            from ..evaluate import predict_logits
            logits = predict_logits(teacher, X)
        curves, rows = _train(train, val, logits, settings=settings, seeds=seeds, recipe=recipe, runs=runs,
                              num_classes=num_classes)
        return {"val_acc": curves, "state": [[dict(s.state_dict()) for s in row] for row in rows]}
    if cache is None:
        from ..infra.room import refuse_training  # DISTILL_NO_TRAINING=1: a prepared room trains nothing
        refuse_training(f"grid of {len(settings) * len(seeds)} students (not cached)")
        saved = compute()
    else:
        saved = cached("grid", config, compute, version=VERSIONS["grid"], root=cache.root,
                       recompute=cache.retrain, codec=payload_codec(_finite_weights))
    return _from_saved(saved, settings, seeds, hidden, shape, num_classes=num_classes, n_val=len(X_val))


def _check_grid_values(recipe, runs, cache) -> tuple[StudentRecipe, Runs]:
    """train_grid's recipe, runs and cache refused when they are not what it takes, before any work."""
    recipe = check_recipe(recipe, StudentRecipe, "recipe", "GRID_RECIPE (RECIPES.student.with_(hidden=(30, 30)))")
    runs = check_recipe(runs, Runs, "runs", "Runs(seeds=range(8))")
    if recipe.augment_shift:
        raise ValueError(f"train_grid trains without augmentation, got recipe.augment_shift={recipe.augment_shift}: "
                         f"pass recipe.with_(augment_shift=0), or train shifted students with "
                         f"batched.distill_students")
    if cache is not None:
        check_recipe(cache, GridCache, "cache", "GridCache(root=DATA)")
        if isinstance(cache.root, bool):
            raise TypeError(f"GridCache.root must be a data root or None, got {cache.root!r}: for no cache pass "
                            f"cache=None")
    return recipe, runs


def _train(train, val, teacher_logits, *, settings, seeds, recipe: StudentRecipe, runs: Runs,
           num_classes) -> tuple[torch.Tensor, list[list[MLP]]]:
    """Train the grid's students, batched about GRID_CHUNK at a time: (validation curves, students[setting][seed])."""
    shape = tuple(as_tensors(train)[0].shape[1:])
    jobs = [(i, j) for i in range(len(settings)) for j in range(len(seeds))]
    # whole settings per batch, so that every seed has the same number of students in it (one group per seed)
    chunk = len(seeds) * max(1, GRID_CHUNK // len(seeds))
    students: dict[tuple[int, int], MLP] = {}
    curves = torch.zeros(len(settings), len(seeds), recipe.epochs)
    bar = None
    if runs.progress:
        from ..teaching.widgets import progress_bar
        bar = progress_bar(total=len(jobs) * recipe.epochs, desc=runs.desc or tr(
            f"{len(jobs)} students ({len(settings)} settings x {len(seeds)} seeds)"), unit="student-epoch")
    for start in range(0, len(jobs), chunk):
        part = jobs[start:start + chunk]
        batch = make_students(recipe.hidden, [seeds[j] for _, j in part], shape, num_classes)
        hists = distill_students(batch, None, train, val, runs=Runs(seeds=[seeds[j] for _, j in part], progress=False),
                                 recipe=[recipe.with_(lr=settings[i]["lr"]) for i, _ in part],
                                 kd=[DistillRecipe(T=settings[i]["T"], alpha=settings[i]["alpha"]) for i, _ in part],
                                 teaching=Teaching(logits=teacher_logits))
        for (i, j), s, h in zip(part, batch, hists):
            students[(i, j)] = s
            curves[i, j] = torch.tensor(h["val_acc"])
        if bar is not None:
            bar.update(len(part) * recipe.epochs)
    if bar is not None:
        bar.close()
    return curves, [[students[(i, j)] for j in range(len(seeds))] for i in range(len(settings))]


def _from_saved(saved: dict, settings, seeds, hidden, shape, *, num_classes, n_val) -> Grid:
    rows = []
    for states in saved["state"]:
        row = make_students(hidden, [0] * len(states), shape, num_classes)
        for m, st in zip(row, states):
            m.load_state_dict(st)
            m.eval()
        rows.append(row)
    return Grid(settings, seeds, rows, saved["val_acc"], n_val)
