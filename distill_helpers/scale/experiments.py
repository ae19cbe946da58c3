"""Multi-seed experiments: a grid of (T, alpha, lr) settings x seeds, trained batched, judged on validation.

`train_grid` trains one student per (setting, seed) with `batched.distill_students`, records every
student's validation accuracy after every epoch, and caches the trained weights under root/cache, so a
notebook that reruns it loads the grid in a second. Nothing here looks at the test set: score the
students you chose (on validation) once, at the end, with `Grid.errors(X_test, y_test, rows)`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import torch
from torch import nn

from .batched import distill_students, make_students, predict_logits_stacked
from ..cache import VERSIONS, cached, payload_codec, teacher_identity
from ..checkpoints import digest
from ..data import HeldOutTest, as_tensors
from ..infra.checks import check_dataset, check_training_settings
from ..infra.i18n import tr
from ..losses import check_alpha, check_kd_temperature
from ..models import MLP

__all__ = ["Grid", "train_grid"]

# cache.VERSIONS["grid"]: 2: students sharing a seed share their batches; 3: (features, batch) layout; 4: kd_terms
# (float-level changes); 5: checksummed entries, the teacher named by teacher_identity (its weights when not cached)


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


def train_grid(teacher: nn.Module | None, train, val, *, settings: Sequence[dict], seeds: Sequence[int],
               hidden: Sequence[int] = (30, 30), epochs: int = 20, lr: float = 1e-3, batch_size: int = 64,
               teacher_logits: torch.Tensor | None = None, data_tag: str = "mnist5k/train-val-v1",
               root: str | Path | None | bool = None, chunk: int = 256, progress: bool = True,
               retrain: bool = False) -> Grid:
    """Train every (setting, seed) student, batched about `chunk` students at a time, and cache the result.

    settings: dicts with T, alpha and optionally lr (alpha = 0 is labels only; alpha is the SOFT weight).
    data_tag names the training data in the cache key: change it when you pass other data (a transfer set).
    root: the data root (None: `cache.data_root()`); root=False disables the cache. The cache key names the
    teacher (`cache.teacher_identity`): pass the teacher whose logits `teacher_logits` are.
    """
    if val is None or isinstance(val, HeldOutTest):
        raise ValueError("train_grid needs the validation split (not the test split): it records validation "
                         "accuracy after every epoch, which is what choices are made on")
    settings = _settings(settings, lr)
    seeds = [int(s) for s in seeds]
    if not settings or not seeds:
        raise ValueError("need at least one setting and one seed")
    X, _ = as_tensors(train)
    X_val, y_val = as_tensors(val)
    check_dataset(*as_tensors(train), teacher)  # bad data refused before the cache is read or anything trains
    check_dataset(X_val, y_val, teacher, what="validation set")
    num_classes = int(teacher.config["num_classes"]) if teacher is not None else int(as_tensors(train)[1].max()) + 1
    config = {"teacher": _grid_teacher(teacher, teacher_logits), "data": data_tag, "n_train": len(X),
              "n_val": len(X_val), "hidden": list(hidden), "settings": settings, "seeds": seeds, "epochs": epochs,
              "batch_size": batch_size}
    shape = tuple(X.shape[1:])

    def compute() -> dict:
        logits = teacher_logits
        if logits is None and teacher is not None and any(s["alpha"] > 0 for s in settings):
            from ..evaluate import predict_logits
            logits = predict_logits(teacher, X)
        curves, rows = _train(train, val, logits, settings=settings, seeds=seeds, hidden=hidden, epochs=epochs,
                              batch_size=batch_size, chunk=chunk, progress=progress, num_classes=num_classes)
        return {"val_acc": curves, "state": [[dict(s.state_dict()) for s in row] for row in rows]}
    if root is False:
        from ..infra.room import refuse_training  # DISTILL_NO_TRAINING=1: a prepared room trains nothing
        refuse_training(f"grid of {len(settings) * len(seeds)} students (not cached)")
        saved = compute()
    else:
        saved = cached("grid", config, compute, version=VERSIONS["grid"], root=root,
                       recompute=retrain, codec=payload_codec(_finite_weights))
    return _from_saved(saved, settings, seeds, hidden, shape, num_classes=num_classes, n_val=len(X_val))


def _train(train, val, teacher_logits, *, settings, seeds, hidden, epochs, batch_size, chunk, progress,
           num_classes) -> tuple[torch.Tensor, list[list[MLP]]]:
    """Train the grid's students, batched about `chunk` at a time: (validation curves, students[setting][seed])."""
    shape = tuple(as_tensors(train)[0].shape[1:])
    jobs = [(i, j) for i in range(len(settings)) for j in range(len(seeds))]
    # whole settings per batch, so that every seed has the same number of students in it (one group per seed)
    chunk = len(seeds) * max(1, chunk // len(seeds))
    students: dict[tuple[int, int], MLP] = {}
    curves = torch.zeros(len(settings), len(seeds), epochs)
    bar = None
    if progress:
        from ..teaching.widgets import progress_bar
        bar = progress_bar(total=len(jobs) * epochs, desc=tr(f"{len(jobs)} students ({len(settings)} settings x "
                                                     f"{len(seeds)} seeds)"), unit="student-epoch")
    for start in range(0, len(jobs), chunk):
        part = jobs[start:start + chunk]
        batch = make_students(hidden, [seeds[j] for _, j in part], shape, num_classes)
        hists = distill_students(batch, None, train, val, seeds=[seeds[j] for _, j in part],
                                 T=[settings[i]["T"] for i, _ in part], alpha=[settings[i]["alpha"] for i, _ in part],
                                 lr=[settings[i]["lr"] for i, _ in part], epochs=epochs, batch_size=batch_size,
                                 teacher_logits=teacher_logits, progress=False)
        for (i, j), s, h in zip(part, batch, hists):
            students[(i, j)] = s
            curves[i, j] = torch.tensor(h["val_acc"])
        if bar is not None:
            bar.update(len(part) * epochs)
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
