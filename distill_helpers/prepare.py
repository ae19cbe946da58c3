"""A prepared room: train and cache, once, every model the notebooks load by recipe.

`python -m distill_helpers prepare` walks `REGISTRY` (one entry per model a notebook loads with
`get_teacher` / `get_student` or another cached recipe), trains what is missing under `root/cache/`,
and reports what it cached. A lab image or a JupyterHub runs it once before class.

With the environment variable ``DISTILL_NO_TRAINING=1`` a cached recipe that would have to train
raises instead (see `refuse_training`): a prepared room then proves it trains no cached model.

A new notebook that loads a model by recipe adds one entry with `register`, next to the others below.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from torch import nn

from .train import NO_TRAINING_ENV, get_student, get_teacher, refuse_training

__all__ = ["NO_TRAINING_ENV", "Recipe", "REGISTRY", "register", "prepare", "refuse_training"]


@dataclass(frozen=True)
class Recipe:
    """One cached model: `load(root, progress)` returns it, training and caching it on a miss."""
    name: str
    notebooks: tuple[str, ...]
    load: Callable[[Path, bool], nn.Module]


REGISTRY: list[Recipe] = []


def register(name: str, notebooks: tuple[str, ...]):
    """Decorator: add `fn(root, progress) -> model` to the models that `prepare` caches."""
    def deco(fn):
        if any(r.name == name for r in REGISTRY):
            raise ValueError(f"a recipe named {name!r} is already registered")
        REGISTRY.append(Recipe(name, tuple(notebooks), fn))
        return fn
    return deco


# ---------------------------------------------------------------- what the notebooks load
# Keep each entry's arguments identical to the notebook's call: the cache key is the full config.

def _get_teacher(root, progress):
    return get_teacher(root=root, progress=progress)


register("teacher CNN", ("01", "02", "03", "04", "05", "06"))(_get_teacher)


@register("distilled student 784-800-800-10, seed 0", ("01", "02", "03", "04"))
def _distilled(root, progress):
    return get_student("distilled", root=root, teacher=_get_teacher(root, progress), progress=progress)


@register("distilled student 784-64-10", ("01",))
def _tiny(root, progress):
    return get_student("distilled", root=root, teacher=_get_teacher(root, progress), hidden=(64,),
                       progress=progress)


@register("scratch student 784-800-800-10, seed 0", ("04", "06"))
def _scratch(root, progress):
    return get_student("scratch", root=root, progress=progress)


def _nb05_grids(root, progress):
    """The batched grids of notebook 05, with the notebook's exact arguments (section 1, the sweep, the ablations)."""
    from .data import load_splits
    from .experiments import train_grid
    from .evaluate import predict_logits
    teacher = _get_teacher(root, progress)
    train, val, _ = load_splits("mnist5k", root)
    t_train = predict_logits(teacher, train.tensors[0])
    big = train_grid(teacher, train, val, settings=[{"T": 1.0, "alpha": 0.0}, {"T": 4.0, "alpha": 0.9}], seeds=range(8),
                     hidden=(800, 800), epochs=20, lr=1e-3, batch_size=64, teacher_logits=t_train, root=root,
                     progress=progress)
    small = dict(hidden=(30, 30), lr=3e-3, batch_size=128, teacher_logits=t_train, root=root, progress=progress)
    Ts = [1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 20.0]
    settings = [{"T": 1.0, "alpha": 0.0}] + [{"T": T, "alpha": a} for T in Ts for a in (0.9, 1.0)]
    train_grid(teacher, train, val, settings=settings, seeds=range(8), epochs=20, **small)
    train_grid(teacher, train, val, settings=[{"T": 1.0, "alpha": 0.0}, {"T": 4.0, "alpha": 0.9}], seeds=range(8),
               epochs=40, **small)
    mlp_teacher = big.students[0][0]
    train_grid(mlp_teacher, train, val, settings=[{"T": T, "alpha": 0.9} for T in (1.0, 4.0, 20.0)], seeds=range(8),
               epochs=20, **{**small, "teacher_logits": predict_logits(mlp_teacher, train.tensors[0])},
               data_tag="mnist5k/train-val-v1/teacher=800-800-scratch-seed0")
    return teacher


register("notebook 05 grids: 800-800 x 8 seeds (also 02 and 06), the 30-30 sweep and ablations x 8 seeds",
         ("02", "05", "06"))(_nb05_grids)


# ---------------------------------------------------------------- the command

def _cache_files(root: Path) -> set[Path]:
    return set((root / "cache").glob("*.pt")) if (root / "cache").is_dir() else set()


def prepare(root="data", progress: bool = True, recipes: list[Recipe] | None = None, out=print) -> list[dict]:
    """Load or train every registered model; return (and print) one row per recipe."""
    from tqdm.auto import tqdm
    root = Path(root)
    recipes = REGISTRY if recipes is None else recipes
    rows = []
    bar = tqdm(recipes, desc="prepare", unit="model", disable=not progress)
    for r in bar:
        bar.set_postfix_str(r.name)
        before, t0 = _cache_files(root), time.perf_counter()
        r.load(root, progress)
        new = sorted(p.name for p in _cache_files(root) - before)
        rows.append({"name": r.name, "notebooks": list(r.notebooks), "trained": new,
                     "seconds": round(time.perf_counter() - t0, 1)})
    bar.close()
    width = max(len(r["name"]) for r in rows) if rows else 0
    out(f"\nModel cache under {root / 'cache'}:")
    for row in rows:
        state = (f"trained now ({row['seconds']:.1f} s): {', '.join(row['trained'])}" if row["trained"]
                 else "already cached")
        out(f"  {row['name']:<{width}}  notebooks {','.join(row['notebooks']):<18} {state}")
    n = sum(bool(r["trained"]) for r in rows)
    out(f"{len(rows)} models ready ({n} trained now, {len(rows) - n} already cached); the notebooks will load them.")
    return rows
