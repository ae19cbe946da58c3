"""The old flat module names still work after the wings (distill_helpers/infra/moved.py): each is the moved
module itself, in a fresh interpreter too, so saved notebooks, patches and old pickles keep working."""
import importlib
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import distill_helpers as dh
from distill_helpers.infra.moved import MOVED, resolve

PKG = Path(dh.__file__).resolve().parent
ROOT = PKG.parent


def test_every_moved_name_points_to_a_module_that_exists_and_no_longer_at_its_old_place():
    for old, new in MOVED.items():
        assert (PKG / f"{new.replace('.', '/')}.py").is_file(), new
        assert not (PKG / f"{old}.py").exists(), f"{old}.py is back at the top: drop it from MOVED or the file"


def test_every_module_of_a_wing_answers_to_its_old_name():
    # every top-level module that exists in a wing under the same name is an old name that must keep working
    in_wings = {p.stem for p in PKG.glob("*/*.py") if p.parent.name in ("infra", "scale", "teaching", "classroom")}
    assert set(MOVED) == in_wings - {"__init__", "moved"}


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_name_is_the_same_module_object(old):
    aliased = importlib.import_module(f"distill_helpers.{old}")
    real = importlib.import_module(f"distill_helpers.{MOVED[old]}")
    assert aliased is real
    assert real.__name__ == real.__spec__.name == f"distill_helpers.{MOVED[old]}"  # its own spec, not the alias's
    assert getattr(dh, old) is real


def test_resolve_maps_only_moved_names():
    assert resolve("distill_helpers", "distill_helpers.room") == "distill_helpers.infra.room"
    assert resolve("distill_helpers", "distill_helpers.losses") is None   # never moved
    assert resolve("distill_helpers", "distill_helpers.room.x") is None   # not a module name
    assert resolve("distill_helpers", "other.room") is None


def test_unknown_names_still_fail():
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("distill_helpers.no_such_module")
    with pytest.raises(AttributeError, match="no_such_name"):
        dh.no_such_name  # noqa: B018


def test_a_patch_through_the_old_name_reaches_the_new_module(monkeypatch):
    from distill_helpers.infra import room
    monkeypatch.setattr("distill_helpers.room.NO_TRAINING_ENV", "PATCHED_BY_OLD_NAME")
    assert room.NO_TRAINING_ENV == "PATCHED_BY_OLD_NAME"


def test_a_pickle_that_names_the_old_path_loads_the_same_class():
    from distill_helpers.teaching.bugzoo import Case
    old = b"cdistill_helpers.bugzoo\nCase\n."  # protocol 0, written by hand: a global under the old module path
    assert pickle.loads(old) is Case
    assert b"distill_helpers.teaching.bugzoo" in pickle.dumps(Case, protocol=0)  # new pickles name the new path


def test_a_saved_notebooks_imports_work_in_a_fresh_interpreter():
    # the old spellings first, before anything imported the new modules: the finder does the first import
    code = ("import sys, json\n"
            "from distill_helpers.widgets import temperature_explorer\n"
            "import distill_helpers.safeio\n"
            "import distill_helpers as dh\n"
            "from distill_helpers import fonts, lm\n"
            "from distill_helpers.teaching import widgets\n"
            "import importlib; importlib.reload(distill_helpers.safeio)\n"
            "print(json.dumps([widgets.temperature_explorer is temperature_explorer,\n"
            "                  distill_helpers.safeio is sys.modules['distill_helpers.infra.safeio'],\n"
            "                  dh.batched.__name__, fonts.__name__, distill_helpers.safeio.__spec__.name]))\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.splitlines()[-1]) == [True, True, "distill_helpers.scale.batched",
                                                       "distill_helpers.infra.fonts", "distill_helpers.infra.safeio"]
