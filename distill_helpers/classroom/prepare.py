"""A prepared room: train and cache, once, every model and every experiment the notebooks use.

`python -m distill_helpers prepare` does two things, each with a progress bar and a report:
1. it walks `REGISTRY` (one entry per model a notebook loads with `get_teacher` / `get_student` or another
   cached recipe) and trains what is missing under `root/cache/`;
2. it executes every notebook of the series once, in memory (nothing is written back to the notebooks),
   with the data root pointed at `root` (the kernels get DISTILL_DATA=root, which `cache.data_root()`, the
   notebooks' `DATA = dh.data_root()` and every default root honour): every cache a cell uses (models,
   `train_grid` grids, `cached_result` experiments) is filled by construction, whatever the notebooks' calls are.
A lab image or a JupyterHub runs it once before class.

With the environment variable ``DISTILL_NO_TRAINING=1`` every training entry point of the package raises
instead of training (see room.py): after `prepare`, the series runs with it set, which proves that the
room trains nothing (tests/repo/test_classroom.py does exactly that).

The registry is the fast path (models only, no kernel); a new notebook that loads a model by recipe adds
one entry with `register`, next to the others below. A notebook the registry misses is still prepared by
step 2.
"""
from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from torch import nn

from ..cache import DATA_ENV, entries, resolve_root
from ..lm.notebook08 import prepare_notebook_08
from ..recipes import RECIPES, Run
from ..train import NO_TRAINING_ENV, get_student, get_teacher, refuse_training

__all__ = ["NO_TRAINING_ENV", "Recipe", "REGISTRY", "register", "prepare", "refuse_training", "series_notebooks",
           "run_notebooks"]


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
    return get_teacher(root=root, run=Run(progress=progress))


register("teacher CNN", ("01", "02", "03", "04", "05", "06", "07", "09"))(_get_teacher)


@register("distilled student 784-800-800-10, seed 0", ("01", "02", "03", "04"))
def _distilled(root, progress):
    return get_student("distilled", root=root, teacher=_get_teacher(root, progress), run=Run(progress=progress))


@register("distilled student 784-64-10", ("01",))
def _tiny(root, progress):
    return get_student("distilled", root=root, teacher=_get_teacher(root, progress),
                       recipe=RECIPES.student.with_(hidden=(64,)), run=Run(progress=progress))


@register("scratch student 784-800-800-10, seed 0", ("04", "06"))
def _scratch(root, progress):
    return get_student("scratch", root=root, run=Run(progress=progress))


# Notebook 08's language-model teacher and students (distill_helpers/lm/notebook08.py: the notebook's own calls).
register("language-model teacher and its students (28, with the validation sweeps)", ("08",))(prepare_notebook_08)

# Notebook 05's grids (also loaded by 02 and 06) and 06's experiments are not listed: they are experiments,
# filled by executing the notebooks (prepare's second pass) with exactly the notebooks' calls.


# ---------------------------------------------------------------- the command

def _cache_files(root: Path) -> set[Path]:
    return set(entries(root))


def _files(names: list[str]) -> str:
    """Cache files in a report line: the name when one, else counts per kind ('24 lm-student, 1 lm-teacher')."""
    if len(names) <= 2:
        return ", ".join(names)
    kinds: dict[str, int] = {}
    for n in names:
        kind = n.rsplit("-", 1)[0] if "-" in n else n
        kinds[kind] = kinds.get(kind, 0) + 1
    return f"{len(names)} files (" + ", ".join(f"{c} {k}" for k, c in kinds.items()) + ")"


def series_notebooks() -> list[Path]:
    """The executed notebooks of the series (notebooks/NN_*.ipynb beside the package), or [] when the package
    was installed without the repository."""
    folder = Path(__file__).resolve().parents[2] / "notebooks"
    return sorted(folder.glob("[0-9][0-9]_*.ipynb"))


@contextlib.contextmanager
def _environment(**values: str):
    """Set environment variables for the block (the notebook kernels started inside inherit them), then restore."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _training_allowed():
    """prepare trains what is missing even where DISTILL_NO_TRAINING=1 is set (its kernels inherit this)."""
    return _environment(**{NO_TRAINING_ENV: "0"})


def run_notebooks(root, notebooks: list[Path], progress: bool = True, timeout: int = 1800) -> list[dict]:
    """Execute each notebook once, in memory, in its own folder, with its data root set to `root` (the kernel
    gets DISTILL_DATA=root, so `dh.data_root()` and every default root mean `root`).

    Returns one row per notebook: name, seconds, the cache files it added, and the error (None when it ran
    top to bottom). The notebooks on disk are not changed.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from ..teaching.widgets import progress_bar
    root = resolve_root(root).resolve()
    rows = []
    bar = progress_bar(notebooks, desc="prepare notebooks", unit="notebook", disable=not progress)
    for path in bar:
        path = Path(path)
        bar.set_postfix_str(path.stem)
        nb = nbformat.read(path, as_version=4)
        before, t0, error = _cache_files(root), time.perf_counter(), None
        try:
            with _environment(**{DATA_ENV: str(root)}):
                NotebookClient(nb, timeout=timeout, kernel_name="python3",
                               resources={"metadata": {"path": str(path.parent)}}).execute()
        except CellExecutionError as e:
            error = str(e).strip().splitlines()[-1][:300]
        rows.append({"name": path.stem, "seconds": round(time.perf_counter() - t0, 1), "error": error,
                     "trained": sorted(p.name for p in _cache_files(root) - before)})
    bar.close()
    return rows


def prepare(root=None, progress: bool = True, recipes: list[Recipe] | None = None, out=print,
            notebooks: list[Path] | None = None) -> list[dict]:
    """Load or train every registered model, then execute every notebook once so that every cache it uses is
    filled; return (and print) one row per recipe and per notebook. root None: `cache.data_root()`.

    recipes: the models to prepare (default: `REGISTRY`). notebooks: the .ipynb files to execute (default:
    the whole series, `series_notebooks()`; pass [] for the models only). Raises RuntimeError, after the
    report, if a notebook failed.
    """
    with _training_allowed():
        rows = _prepare_models(resolve_root(root), progress, REGISTRY if recipes is None else recipes, out)
        nb_rows = run_notebooks(root, series_notebooks() if notebooks is None else notebooks, progress)
    if nb_rows:
        width = max(len(r["name"]) for r in nb_rows)
        out("\nNotebooks executed once (in memory) to fill every cache they use:")
        for row in nb_rows:
            state = (f"FAILED: {row['error']}" if row["error"] else
                     f"cached now: {_files(row['trained'])}" if row["trained"] else "everything already cached")
            out(f"  {row['name']:<{width}}  {row['seconds']:>6.1f} s  {state}")
        failed = [r["name"] for r in nb_rows if r["error"]]
        n = sum(len(r["trained"]) for r in nb_rows)
        out(f"{len(nb_rows)} notebooks executed ({len(nb_rows) - len(failed)} without error); {n} cache entries "
            f"added by them.")
        if failed:
            raise RuntimeError(f"notebook(s) {', '.join(failed)} failed during prepare (see above); fix them and run "
                               f"prepare again: what is cached so far stays")
    return rows + [{**r, "notebooks": [r["name"][:2]]} for r in nb_rows]


def _prepare_models(root: Path, progress: bool, recipes: list[Recipe], out) -> list[dict]:
    from ..teaching.widgets import progress_bar
    rows = []
    bar = progress_bar(recipes, desc="prepare", unit="model", disable=not progress)
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
        state = (f"trained now ({row['seconds']:.1f} s): {_files(row['trained'])}" if row["trained"]
                 else "already cached")
        out(f"  {row['name']:<{width}}  notebooks {','.join(row['notebooks']):<18} {state}")
    n = sum(bool(r["trained"]) for r in rows)
    out(f"{len(rows)} models ready ({n} trained now, {len(rows) - n} already cached); the notebooks will load them.")
    return rows
