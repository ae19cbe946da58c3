"""Multi-seed experiments: a grid of (T, alpha, lr) settings x seeds, trained batched, judged on validation.

`train_grid` trains one student per (setting, seed) with `batched.distill_students`, records every
student's validation accuracy after every epoch, and caches the trained weights under root/cache, so a
notebook that reruns it loads the grid in a second. Nothing here looks at the test set: score the
students you chose (on validation) once, at the end, with `Grid.errors(X_test, y_test, rows)`.
"""
from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import torch
from torch import nn

from .batched import distill_students, make_students, predict_logits_stacked
from .data import HeldOutTest, as_tensors
from .safeio import atomic_torch_save
from .losses import check_alpha, check_temperature
from .models import MLP

__all__ = ["Grid", "train_grid"]

_GRID_VERSION = 4  # 2: students sharing a seed share their batches; 3: (features, batch) layout; 4: kd_terms (float-level changes)


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
        out.append({"T": check_temperature(s.get("T", 1.0)), "alpha": check_alpha(s.get("alpha", 0.0)),
                    "lr": float(s.get("lr", lr))})
    return out


def _key(config: dict) -> str:
    blob = json.dumps({"grid_version": _GRID_VERSION, **config}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def train_grid(teacher: nn.Module | None, train, val, *, settings: Sequence[dict], seeds: Sequence[int],
               hidden: Sequence[int] = (30, 30), epochs: int = 20, lr: float = 1e-3, batch_size: int = 64,
               teacher_logits: torch.Tensor | None = None, data_tag: str = "mnist5k/train-val-v1",
               root: str | Path | None = "data", chunk: int = 256, progress: bool = True,
               retrain: bool = False) -> Grid:
    """Train every (setting, seed) student, batched about `chunk` students at a time, and cache the result.

    settings: dicts with T, alpha and optionally lr (alpha = 0 is labels only; alpha is the SOFT weight).
    data_tag names the training data in the cache key: change it when you pass other data (a transfer set).
    root=None disables the cache.
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
    num_classes = int(teacher.config["num_classes"]) if teacher is not None else int(as_tensors(train)[1].max()) + 1
    teacher_id = None if teacher is None else getattr(teacher, "metadata", {}).get("cache_config", teacher.config)
    config = {"teacher": teacher_id, "data": data_tag, "n_train": len(X), "n_val": len(X_val), "hidden": list(hidden),
              "settings": settings, "seeds": seeds, "epochs": epochs, "batch_size": batch_size}
    path = Path(root) / "cache" / f"grid-{_key(config)}.pt" if root is not None else None
    shape = tuple(X.shape[1:])
    if path is not None and path.exists() and not retrain:
        try:
            saved = torch.load(path, map_location="cpu", weights_only=True)
            if saved["config"] == json.loads(json.dumps(config)):
                return _from_saved(saved, settings, seeds, hidden, shape, num_classes=num_classes, n_val=len(X_val))
            warnings.warn(f"grid cache {path.name} was made for another config; retraining")
        except Exception as e:  # a damaged file is retrained, never trusted
            warnings.warn(f"grid cache {path.name} is unreadable ({type(e).__name__}); retraining")
    from .train import refuse_training  # DISTILL_NO_TRAINING=1: a prepared room trains nothing
    refuse_training(f"grid of {len(settings) * len(seeds)} students ({path.name if path else 'not cached'})", root)
    if teacher_logits is None and teacher is not None and any(s["alpha"] > 0 for s in settings):
        from .evaluate import predict_logits
        teacher_logits = predict_logits(teacher, X)
    jobs = [(i, j) for i in range(len(settings)) for j in range(len(seeds))]
    # whole settings per batch, so that every seed has the same number of students in it (one group per seed)
    chunk = len(seeds) * max(1, chunk // len(seeds))
    students: dict[tuple[int, int], MLP] = {}
    curves = torch.zeros(len(settings), len(seeds), epochs)
    bar = None
    if progress:
        from .widgets import progress_bar
        bar = progress_bar(total=len(jobs) * epochs, desc=f"{len(jobs)} students ({len(settings)} settings x "
                                                  f"{len(seeds)} seeds)", unit="student-epoch")
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
    grid = Grid(settings, seeds, [[students[(i, j)] for j in range(len(seeds))] for i in range(len(settings))],
                curves, len(X_val))
    if path is not None:
        try:
            atomic_torch_save({"config": json.loads(json.dumps(config)), "val_acc": curves,
                               "state": [[{k: v for k, v in s.state_dict().items()} for s in row]
                                         for row in grid.students]}, path)
        except OSError:  # a read-only checkout still works, without the cache
            pass
    return grid


def _from_saved(saved: dict, settings, seeds, hidden, shape, *, num_classes, n_val) -> Grid:
    rows = []
    for states in saved["state"]:
        row = make_students(hidden, [0] * len(states), shape, num_classes)
        for m, st in zip(row, states):
            m.load_state_dict(st)
            m.eval()
        rows.append(row)
    return Grid(settings, seeds, rows, saved["val_acc"], n_val)
