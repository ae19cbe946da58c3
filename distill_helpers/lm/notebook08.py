"""Notebook 08's experiment: its grids, seeds and methods, and every model it loads, trained its way.

`prepare_notebook_08` makes the notebook's calls, validation choices included, so that `prepare` (which
registers it, see prepare.py) fills the cache the notebook reads.
"""
from __future__ import annotations

from .cached import get_lm_teacher
from .model import CharTransformer
from .parallel import get_lm_students

__all__ = ["NB08_LR_GRID", "NB08_T_GRID", "NB08_SEEDS", "NB08_BUDGET", "NB08_METHODS", "prepare_notebook_08"]

NB08_LR_GRID, NB08_T_GRID, NB08_SEEDS = (4e-2, 8e-2, 1.6e-1), (1.0, 2.0, 4.0), (0, 1, 2)
NB08_BUDGET = {"steps": 300, "batch_size": 32}
NB08_METHODS = (("labels", {}), ("word", {"T": None}), ("word_reverse", {"T": None}), ("seq", {}),
                ("onpolicy_forward", {"T": None}), ("onpolicy", {"T": None}),
                ("topk", {"k": 1}), ("topk", {"k": 5}))  # T None: the T chosen on validation


def prepare_notebook_08(root, progress=False) -> CharTransformer:
    """Train and cache every model notebook 08 loads, with the same calls (and validation choices) as the
    notebook; returns the teacher."""
    teacher = get_lm_teacher(root)
    shared = dict(NB08_BUDGET)
    grid = get_lm_students([dict(method="labels", lr=lr, **shared) for lr in NB08_LR_GRID], teacher, root)
    lr_val = {lr: m.history["val"]["bpc"] for lr, m in zip(NB08_LR_GRID, grid)}
    lr = min(lr_val, key=lr_val.get)
    grid = get_lm_students([dict(method="word", lr=lr, T=T, **shared) for T in NB08_T_GRID], teacher, root)
    T_val = {T: m.history["val"]["bpc"] for T, m in zip(NB08_T_GRID, grid)}
    T_kd = min(T_val, key=T_val.get)
    get_lm_students([dict(method=method, lr=lr, seed=seed, **{k: (T_kd if v is None else v) for k, v in extra.items()},
                          **shared) for method, extra in NB08_METHODS for seed in NB08_SEEDS], teacher, root)
    return teacher
