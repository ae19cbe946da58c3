"""The validation split, and the mechanical checks that nothing is chosen on the test set.

Three layers, each able to fail:
1. the split itself (stratified, seeded, disjoint, restated independently);
2. the training loops refuse the test split as a validation set, and their histories have no test keys;
3. a static scan of every notebook source: a value computed from the test set is never passed to a
   training function, never fed to a selection (min / max / sorted / argmin / a no-argument argmax),
   and never stored under a name containing "best"; no history is read with a test key.
"""
import ast
import sys
from pathlib import Path

import pytest
import torch

from distill_helpers import RECIPES, Run
from distill_helpers import data as D
from distill_helpers.scale.batched import Runs, distill_students, make_students
from distill_helpers.scale.experiments import train_grid
from distill_helpers.hints import distill_with_hint
from distill_helpers.models import MLP
from distill_helpers.train import distill, train_model

ONE_EPOCH, QUIET = RECIPES.student.with_(epochs=1), Run(progress=False)

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))


# ---------------------------------------------------------------- 1. the split

def test_default_split_is_3500_500_stratified_and_disjoint(mnist5k):
    train, val, test = D.load_splits("mnist5k", ROOT / "data")
    assert (len(train), len(val), len(test)) == (3500, 500, 1000)
    assert torch.bincount(val.tensors[1]).tolist() == [50] * 10
    assert torch.bincount(train.tensors[1]).tolist() == [350] * 10
    full_X = mnist5k[0].tensors[0]
    # every training digit is in exactly one part (compare whole images as bytes)
    key = lambda X: [bytes((x * 255).round().to(torch.uint8).flatten().tolist()) for x in X]  # noqa: E731
    parts = key(train.tensors[0]) + key(val.tensors[0])
    assert sorted(parts) == sorted(key(full_X))
    assert not set(key(val.tensors[0])) & set(key(test.tensors[0]))
    assert isinstance(test, D.HeldOutTest) and not isinstance(val, D.HeldOutTest)


def test_split_follows_its_rule_restated_by_hand():
    # 3 classes of sizes 6, 3, 1 and n_val=5: quotas 3.0, 1.5, 0.5 -> floors 3, 1, 0; the two remainders
    # 0.5 and 0.5 tie, and the stable order gives the extra row to class 1 first: takes 3, 2, 0.
    y = torch.tensor([0] * 6 + [1] * 3 + [2])
    X = torch.arange(10, dtype=torch.float32).view(10, 1, 1, 1)
    tr, va = D.split_validation((X, y), n_val=5, seed=3)
    assert torch.bincount(va.tensors[1], minlength=3).tolist() == [3, 2, 0]
    # the chosen rows are what the seeded per-class permutation picks, in class order
    g = torch.Generator().manual_seed(3)
    picked = []
    for c, k in ((0, 3), (1, 2), (2, 0)):
        rows = torch.nonzero(y == c).flatten()
        picked += rows[torch.randperm(len(rows), generator=g)[:k]].tolist()
    assert va.tensors[0].flatten().long().tolist() == sorted(picked)
    assert tr.tensors[0].flatten().long().tolist() == sorted(set(range(10)) - set(picked))


def test_split_is_seeded():
    y = torch.arange(200) % 4
    X = torch.arange(200, dtype=torch.float32).view(200, 1, 1, 1)
    a = D.split_validation((X, y), 40, seed=0)[1].tensors[0]
    b = D.split_validation((X, y), 40, seed=0)[1].tensors[0]
    c = D.split_validation((X, y), 40, seed=1)[1].tensors[0]
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_split_rejects_bad_input(mnist5k):
    train, test = mnist5k
    with pytest.raises(ValueError, match="n_val"):
        D.split_validation(train, 0)
    with pytest.raises(ValueError, match="n_val"):
        D.split_validation(train, 4000)
    with pytest.raises(ValueError, match="test split"):
        D.split_validation(test, 100)


# ---------------------------------------------------------------- 2. the loops

def test_training_loops_refuse_the_test_split_as_validation(small_data):
    X, y = small_data.tensors
    marked = D.HeldOutTest(X, y)
    teacher = MLP(hidden=(4,), num_classes=3)
    with pytest.raises(ValueError, match="test split"):
        train_model(MLP(hidden=(4,), num_classes=3), small_data, marked, recipe=ONE_EPOCH, run=QUIET)
    with pytest.raises(ValueError, match="test split"):
        distill(MLP(hidden=(4,), num_classes=3), teacher, small_data, marked, recipe=ONE_EPOCH, run=QUIET)
    with pytest.raises(ValueError, match="test split"):
        distill_with_hint(MLP(hidden=(4,), num_classes=3), teacher, small_data, marked,
                          recipe=ONE_EPOCH, run=QUIET)
    with pytest.raises(ValueError, match="test split"):
        distill_students(make_students((4,), [0], num_classes=3), teacher, small_data, marked,
                         runs=Runs(seeds=[0], progress=False), recipe=ONE_EPOCH)
    with pytest.raises(ValueError, match="test split"):
        train_grid(teacher, small_data, marked, settings=[{"T": 2.0, "alpha": 0.5}],
                   runs=Runs(seeds=[0], progress=False), recipe=RECIPES.student.with_(hidden=(4,), epochs=1))


def test_histories_log_validation_and_no_test_keys(small_data):
    torch.manual_seed(0)
    teacher = MLP(hidden=(8,), num_classes=3)
    short = dict(recipe=RECIPES.student.with_(epochs=2, batch_size=16), run=QUIET)
    hists = [train_model(teacher, small_data, small_data, **short),
             distill(MLP(hidden=(4,), num_classes=3), teacher, small_data, small_data, **short),
             distill_with_hint(MLP(hidden=(4,), num_classes=3), teacher, small_data, small_data, **short)]
    for h in hists:
        assert len(h["val_acc"]) == len(h["val_loss"]) == 2
        assert not [k for k in h if "test" in k]


# ---------------------------------------------------------------- 3. the notebooks

TEST_NAMES = {"test", "X_test", "y_test"}
PACKAGE = ROOT / "distill_helpers"


def _called(fn) -> set[str]:
    return {n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
            for n in ast.walk(fn) if isinstance(n, ast.Call)}


def package_trainers(package: Path = PACKAGE) -> set[str]:
    """The public functions of the package that train: those that reach `room.refuse_training`.

    Every function that backpropagates calls `refuse_training` (tests/properties/test_room.py checks it), so a
    function trains exactly when its calls lead there. The call graph is read from the source by name
    (functions and methods, any module outside exercises/), so a new trainer joins the list by itself.
    """
    defs: dict[str, list[ast.AST]] = {}
    for path in package.rglob("*.py"):
        if "exercises" in path.relative_to(package).parts:
            continue  # the exercise registry grades answers; it trains nothing the notebooks pass data to
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                defs.setdefault(node.name, []).append(node)
    reach, grew = {"refuse_training"}, True
    while grew:
        new = {name for name, fns in defs.items() if name not in reach and any(_called(f) & reach for f in fns)}
        reach |= new
        grew = bool(new)
    return {name for name in reach - {"refuse_training"} if not name.startswith("_")}


# every trainer, plus the function that chooses the validation set (a test-set value there steers it too)
TRAINERS = package_trainers() | {"split_validation"}
SELECTORS = {"min", "max", "sorted"}
SELECTOR_METHODS = {"argmin", "idxmin", "idxmax"}  # argsort picks digits to show, not a model


def _names(node) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _bound(t) -> set[str]:
    """Names an assignment target binds or mutates: x, (x, y), *x, and the container of x[i] or x.a (not i)."""
    if isinstance(t, ast.Name):
        return {t.id}
    if isinstance(t, (ast.Tuple, ast.List)):
        return set().union(*(_bound(e) for e in t.elts)) if t.elts else set()
    if isinstance(t, ast.Starred):
        return _bound(t.value)
    if isinstance(t, (ast.Subscript, ast.Attribute)):
        return _bound(t.value)
    return set()


def _targets(node) -> set[str]:
    out = set()
    for t in node.targets if isinstance(node, ast.Assign) else [node.target]:
        out |= _bound(t)
    return out


def _call_name(call: ast.Call) -> str:
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""


def scan_for_test_selection(cells: list[str]) -> list[str]:
    """Problems in a notebook's code cells (in order): places where the test set may steer a choice.

    A name is 'tainted' once it is assigned from an expression that mentions the test set or a tainted
    name (including loop variables and comprehensions within that statement).
    """
    tainted = set(TEST_NAMES)
    problems = []
    for i, src in enumerate(cells):
        code = "\n".join(line for line in src.splitlines() if not line.lstrip().startswith(("%", "!")))
        tree = ast.parse(code)
        for stmt in tree.body:
            # propagate taint through assignments (twice, for names assigned from each other in one cell)
            for node in ast.walk(stmt):
                if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and node.value is not None:
                    if _names(node.value) & tainted:
                        tainted |= _targets(node)
                        bad = {t for t in _targets(node) if "best" in t.lower()}
                        if bad:
                            problems.append(f"cell {i}: {sorted(bad)} assigned from test-set values")
                    elif isinstance(node, ast.Assign):  # a plain name rebound to clean values is clean again
                        tainted -= {t.id for t in node.targets if isinstance(t, ast.Name)} - TEST_NAMES
                elif isinstance(node, (ast.For, ast.comprehension)):
                    if _names(node.iter) & tainted:
                        tainted |= _bound(node.target)
                    else:
                        tainted -= _bound(node.target) - TEST_NAMES
                elif isinstance(node, (ast.FunctionDef, ast.Lambda)):  # parameters are fresh local names
                    tainted -= {a.arg for a in node.args.args + node.args.kwonlyargs} - TEST_NAMES
            for node in ast.walk(stmt):
                if isinstance(node, ast.Call):
                    name = _call_name(node)
                    args = list(node.args) + [k.value for k in node.keywords]
                    used = set().union(*(_names(a) for a in args)) if args else set()
                    if name in TRAINERS and used & tainted:
                        problems.append(f"cell {i}: {name}(...) is given test-set data {sorted(used & tainted)}")
                    if isinstance(node.func, ast.Name) and name in SELECTORS and used & tainted:
                        problems.append(f"cell {i}: {name}(...) selects over test-set values")
                    if isinstance(node.func, ast.Attribute) and _names(node.func.value) & tainted and (
                            name in SELECTOR_METHODS or (name == "argmax" and not args)):
                        problems.append(f"cell {i}: .{name}() selects over test-set values")
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in (
                        "test_acc", "test_loss"):
                    problems.append(f"cell {i}: a history is read with the key {node.value!r}")
    return problems


def test_scanner_catches_selection_on_test_and_passes_honest_code():
    honest = ["train, val, test = dh.load_splits()\nX_test, y_test = test.tensors",
              "errs = {T: dh.error_count(predict_logits(m, val.tensors[0]), val.tensors[1]) for T, m in ms.items()}\n"
              "best_T = min(errs, key=errs.get)",
              "final = dh.error_count(predict_logits(ms[best_T], X_test), y_test)\nprint(final)",
              "pred = predict_logits(m, X_test).argmax(1)"]
    assert scan_for_test_selection(honest) == []
    cheats = [
        ["errs = {T: dh.error_count(predict_logits(m, X_test), y_test) for T, m in ms.items()}",
         "choice = min(errs, key=errs.get)"],
        ["E = torch.tensor([[err(m, X_test, y_test) for m in row] for row in grid])", "k = E.mean(1).argmin()"],
        ["acc = [dh.accuracy(predict_logits(m, X_test), y_test) for m in ms]", "best = acc"],
        ["hist = dh.distill(s, t, train, (X_test, y_test))"],
        ["h = s.history\nprint(h['test_acc'][-1])"],
        ["for m in ms:\n    e = err(m, X_test)\n    ranking = sorted([e])"],
    ]
    for cells in cheats:
        assert scan_for_test_selection(cells), cells


NOTEBOOK_SOURCES = sorted((ROOT / "notebooks" / "src").glob("*.nb.txt"))


def _code_cells(src: Path) -> list[str]:
    from build_notebooks import parse
    return [text for kind, text in parse(src.read_text()) if kind == "code"]


def _notebook_calls() -> set[str]:
    """The names of every function any notebook calls (plain or as an attribute: dh.distill, lm.train_lm)."""
    names = set()
    for src in NOTEBOOK_SOURCES:
        for cell in _code_cells(src):
            code = "\n".join(line for line in cell.splitlines() if not line.lstrip().startswith(("%", "!")))
            names |= {_call_name(n) for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Call)}
    return names


def test_the_trainer_list_is_read_from_the_package():
    # the trainers the notebooks use, among them those a hand-kept list once missed (05, 06 and 08's)
    assert {"fit", "train_model", "distill", "get_teacher", "get_student", "distill_with_hint",
            "distill_students", "train_grid", "train_lm", "get_lm_student", "get_lm_students", "get_lm_teacher"} <= TRAINERS
    assert not {"predict_logits", "accuracy", "kd_loss", "load_splits", "build_model"} & TRAINERS


def test_the_derivation_finds_a_new_trainer_through_its_calls(tmp_path):
    """A public function that trains through a private helper is found; one that does not train is not."""
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "room.py").write_text("def refuse_training(what):\n    pass\n")
    (pkg / "loop.py").write_text("def fit(m, d):\n    refuse_training('fit')\n\n"
                                 "def _helper(m, d):\n    return fit(m, d)\n\n"
                                 "def new_method(m, d, val):\n    return _helper(m, d)\n\n"
                                 "def score(m, d):\n    return 0\n")
    assert package_trainers(pkg) == {"fit", "new_method"}


@pytest.mark.parametrize("name", sorted(_notebook_calls() & TRAINERS))
def test_the_scan_catches_test_data_given_to_each_trainer_the_notebooks_call(name):
    cheats = [f"out = dh.{name}(student, teacher, train, test)",                 # the test split itself
              f"h = {name}(student, teacher, train, val=(X_test, y_test))",     # its tensors, by keyword
              f"picked = X_test[:100]\nres = lm.{name}(model, picked, steps=10)"]  # a value derived from it
    for cell in cheats:
        assert any(f"{name}(...) is given test-set data" in p for p in scan_for_test_selection([cell])), cell
    assert scan_for_test_selection([f"out = dh.{name}(student, teacher, train, val)"]) == []


def test_the_notebooks_call_the_trainers_this_scan_knows():
    called = _notebook_calls() & TRAINERS
    assert {"distill_students", "train_grid", "get_lm_students"} <= called, called


@pytest.mark.parametrize("src", NOTEBOOK_SOURCES, ids=lambda p: p.name)
def test_no_notebook_selects_by_a_test_metric(src):
    assert scan_for_test_selection(_code_cells(src)) == []
