"""The package's shape (ARCHITECTURE.md): imports go one way, nothing private crosses modules, few positionals."""
import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "distill_helpers"


def _load():
    """module name -> (syntax tree, the package its relative imports start from).

    "train" -> [], "exercises" (exercises/__init__.py) -> ["exercises"], "exercises.nb01" -> ["exercises"].
    """
    modules = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = list(path.relative_to(PKG).with_suffix("").parts)
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = (ast.parse(path.read_text()), parts[:-1])
    return modules


MODULES = _load()


def _relative_imports(tree, package=()):
    """(module, imported names) for each relative import, the module named from the package root."""
    package = list(package)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - (node.level - 1)]
            yield ".".join(base + ([node.module] if node.module else [])), [a.name for a in node.names]


def _imports_of(name):
    tree, package = MODULES[name]
    return _relative_imports(tree, package)


def _related(a, b):
    """A package and its own submodules share their internals."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_imports_a_private_name_of_another(name):
    for module, names in _imports_of(name):
        private = [n for n in names if n.startswith("_")]
        assert _related(module, name) or not private, \
            f"{name} imports {private} from {module}: make them public or move the code"


def test_evaluation_sits_below_training():
    assert "train" not in {m for m, _ in _imports_of("evaluate")}


def test_imports_form_no_cycle():
    graph = {name: {m for m, _ in _imports_of(name) if m in MODULES and not _related(m, name)} for name in MODULES}
    done, stack = set(), []

    def visit(n):
        assert n not in stack, f"import cycle: {' -> '.join(stack[stack.index(n):] + [n])}"
        if n in done:
            return
        stack.append(n)
        for m in sorted(graph[n]):
            visit(m)
        stack.pop()
        done.add(n)
    for n in sorted(graph):
        visit(n)


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_function_takes_more_than_six_positional_parameters(name):
    for node in ast.walk(MODULES[name][0]):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # self, cls and an autograd.Function's ctx are supplied by Python or by PyTorch, not by callers
            params = [a.arg for a in node.args.posonlyargs + node.args.args if a.arg not in ("self", "cls", "ctx")]
            assert len(params) <= 6, f"{name}.{node.name} takes {len(params)} positional parameters: {params}"


def test_the_checks_catch_what_they_look_for():
    # the same walkers on a bad example, so that a check which can no longer fail is noticed
    bad = ast.parse("from .train import _fit\nfrom ..models import MLP\ndef f(a, b, c, d, e, f, g):\n    pass\n")
    assert list(_relative_imports(bad, ["exercises"])) == [("exercises.train", ["_fit"]), ("models", ["MLP"])]
    assert not _related("exercises.train", "train") and _related("exercises", "exercises.nb01")
    fn = next(n for n in ast.walk(bad) if isinstance(n, ast.FunctionDef))
    assert len(fn.args.args) == 7
    assert "train" in MODULES and "exercises.nb01" in MODULES and "evaluate" in MODULES
