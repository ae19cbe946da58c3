"""Old names keep working: `distill_helpers.widgets` is `distill_helpers.teaching.widgets`, the same module object.

The modules that moved into a wing (issue 19) are still importable by their old flat names, so a learner's
saved notebook (`from distill_helpers.widgets import temperature_explorer`), `dh.batched`, a
`monkeypatch.setattr("distill_helpers.room....")` and a pickle that names an old path keep working. The old
name is an alias, not a copy: `sys.modules` maps both names to one module, so `isinstance`, patches and
module state are shared. Nothing is imported until an old name is asked for.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys

__all__ = ["MOVED", "MovedModules", "install", "resolve"]

# old name (relative to the package) -> where the module lives now
MOVED = {
    "safeio": "infra.safeio", "devices": "infra.devices", "checks": "infra.checks", "room": "infra.room",
    "i18n": "infra.i18n", "i18n_zh": "infra.i18n_zh", "fonts": "infra.fonts",
    "batched": "scale.batched", "experiments": "scale.experiments", "whatworks": "scale.whatworks",
    "plots": "teaching.plots", "widgets": "teaching.widgets", "bugzoo": "teaching.bugzoo",
    "conventions": "teaching.conventions",
    "prepare": "classroom.prepare", "doctor": "classroom.doctor",
}


def resolve(package: str, name: str) -> str | None:
    """The module's current full name for an old full name ("distill_helpers.room" -> "distill_helpers.infra.room"),
    or None when the name did not move."""
    prefix = package + "."
    if not name.startswith(prefix) or name[len(prefix):] not in MOVED:
        return None
    return prefix + MOVED[name[len(prefix):]]


class MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """A finder on `sys.meta_path` that answers an old name with the module imported under its new name."""

    def __init__(self, package: str):
        self.package = package
        self._specs: dict[str, importlib.machinery.ModuleSpec] = {}  # alias -> the module's own spec

    def find_spec(self, fullname, path=None, target=None):
        if resolve(self.package, fullname) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        module = importlib.import_module(resolve(self.package, spec.name))
        self._specs[spec.name] = module.__spec__
        return module

    def exec_module(self, module):
        # the module already ran under its new name, and the import system has just set its __spec__ to the
        # alias's: give it back its own, so that importlib.reload and __spec__.name see the real module
        module.__spec__ = self._specs.pop(module.__spec__.name)


def install(package: str) -> MovedModules:
    """Put the finder on `sys.meta_path` once for `package` (the package's __init__ calls this)."""
    for finder in sys.meta_path:
        if isinstance(finder, MovedModules) and finder.package == package:
            return finder
    finder = MovedModules(package)
    sys.meta_path.append(finder)
    return finder
