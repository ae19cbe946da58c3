"""`python -m distill_helpers prepare` and DISTILL_NO_TRAINING (the series itself is run under both in
tests/repo/test_classroom.py)."""
import subprocess
import sys

import pytest
import torch

from distill_helpers import MLP, RECIPES, Run, train_model
from distill_helpers.classroom.prepare import REGISTRY, Recipe, prepare
from distill_helpers.train import cached_model


def _tiny_recipe(data, calls):
    def load(root, progress):
        def build_and_train():
            calls.append(root)
            model = MLP(hidden=(8,))
            return model, train_model(model, data, recipe=RECIPES.student.with_(epochs=1), run=Run(progress=False))
        return cached_model({"role": "tiny-test", "hidden": [8]}, build_and_train, root)
    return Recipe("tiny test model", ("99",), load)


def test_prepare_trains_once_then_reports_cached(tmp_path, small_data, capsys, monkeypatch):
    monkeypatch.delenv("DISTILL_NO_TRAINING", raising=False)
    calls, lines = [], []
    recipe = _tiny_recipe(small_data, calls)
    rows = prepare(tmp_path, progress=True, recipes=[recipe], out=lines.append, notebooks=[])
    assert len(calls) == 1 and rows[0]["trained"] and (tmp_path / "cache" / rows[0]["trained"][0]).exists()
    assert "trained now" in "\n".join(lines) and "1 models ready (1 trained now" in lines[-1]
    assert "prepare" in capsys.readouterr().err  # the progress bar
    lines.clear()
    rows = prepare(tmp_path, progress=False, recipes=[recipe], out=lines.append, notebooks=[])
    assert len(calls) == 1 and rows[0]["trained"] == [] and "already cached" in "\n".join(lines)

    # after prepare, the guard lets cached models through and refuses anything that would train
    monkeypatch.setenv("DISTILL_NO_TRAINING", "1")
    assert isinstance(recipe.load(tmp_path, False), torch.nn.Module) and len(calls) == 1
    with pytest.raises(RuntimeError, match="distill_helpers prepare"):
        recipe.load(tmp_path / "empty", False)
    assert calls == [tmp_path]


def test_registry_names_every_model_the_notebooks_load():
    names = [r.name for r in REGISTRY]
    assert len(names) == len(set(names))
    assert "teacher CNN" in names and all(r.notebooks for r in REGISTRY)
    from pathlib import Path
    srcs = Path(__file__).resolve().parents[3] / "notebooks" / "src"
    for r in REGISTRY:  # every notebook a recipe names exists
        assert all(list(srcs.glob(f"{nb}_*.nb.txt")) for nb in r.notebooks), r


def test_cli_prepare_help():
    out = subprocess.run([sys.executable, "-m", "distill_helpers", "prepare", "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert "--root" in out and "--no-progress" in out and "--models-only" in out


def _notebook(path, *cells):
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbformat.write(nb, path)
    return path


def test_prepare_executes_notebooks_with_their_data_root_moved(tmp_path, monkeypatch):
    """The notebooks' `DATA = dh.data_root()` points at prepare's root (DISTILL_DATA in the kernel's environment);
    what a cell caches there is reported; a failing notebook is reported, makes prepare raise, and does not stop
    the others; the files are not changed."""
    monkeypatch.setenv("DISTILL_NO_TRAINING", "1")  # prepare trains what is missing even so
    root, folder = tmp_path / "room", tmp_path / "notebooks"
    folder.mkdir()
    good = _notebook(folder / "01_good.ipynb", 'import distill_helpers as dh\nDATA = dh.data_root()  # the cache root',
                     "from distill_helpers.results import cached_result\n"
                     "from distill_helpers.infra.room import training_refused\n"
                     "r = cached_result('demo', {'k': 1}, lambda: {'x': 2, 'refused': training_refused()}, root=DATA)\n"
                     "assert r == {'x': 2, 'refused': False}, r")
    bad = _notebook(folder / "02_bad.ipynb", 'import distill_helpers as dh\nDATA = dh.data_root()',
                    "raise ValueError('broken on purpose')")
    text = good.read_text()
    lines = []
    with pytest.raises(RuntimeError, match="02_bad"):
        prepare(root, progress=False, recipes=[], out=lines.append, notebooks=[good, bad])
    report = "\n".join(lines)
    assert good.read_text() == text and not (tmp_path / "data").exists()
    assert len(list((root / "cache").glob("result-demo-*.pt"))) == 1
    assert "01_good" in report and "cached now: result-demo-" in report
    assert "FAILED" in report and "broken on purpose" in report and "2 notebooks executed (1 without error)" in report
