"""The exercise checker: every registered exercise accepts its folded solution and rejects plausible mistakes,
verdicts never print the reference, and notebook check cells do not compute the answer in view."""
import ast
import math
import re
from pathlib import Path

import pytest
import torch

from distill_helpers import exercises as E
from distill_helpers.exercises import check, check_function

SRC = Path(__file__).resolve().parents[1] / "notebooks" / "src"
ALL = E.all_exercises()


def _forms(value) -> list[str]:
    """Ways a reference number could show up in printed text."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return []
    return [f"{value:.3g}", f"{value:.4f}", f"{value:,}", str(value)] if value not in (0, 1) else []


@pytest.mark.parametrize("key", sorted(ALL))
def test_solution_passes(key, capsys):
    ex = ALL[key]
    ctx = ex.example()
    assert check(key, ex.solution(**ctx), **ctx), f"{key}: the folded solution is rejected"
    assert "[x]" in capsys.readouterr().out


@pytest.mark.parametrize("key,mistake", [(k, w) for k in sorted(ALL) for w in ALL[k].wrong])
def test_plausible_mistake_fails_without_revealing_the_answer(key, mistake, capsys):
    ex = ALL[key]
    ctx = ex.example()
    assert not check(key, ex.wrong[mistake](**ctx), **ctx), f"{key}: the mistake '{mistake}' passes the check"
    out = capsys.readouterr().out
    assert "[ ]" in out and "not yet" in out
    if ex.kind != "function":
        for form in _forms(ex.reference(**ctx)):
            assert form not in out, f"{key}: the verdict prints the reference ({form})"


@pytest.mark.parametrize("key", sorted(ALL))
def test_unanswered_and_missing_context(key, capsys):
    ex = ALL[key]
    ctx = ex.example()
    assert not check(key, None, **ctx)
    assert "not answered yet" in capsys.readouterr().out
    if ex.context:  # forgetting the notebook's tensors is a clear error naming them
        with pytest.raises(TypeError, match=ex.context[0]):
            check(key, None)


def test_exact_answers_have_no_tolerance(capsys):
    # 01.1 is an exact count: forgetting the 10 output biases (0.0008 % off) must fail
    right = 784 * 800 + 800 + 800 * 800 + 800 + 800 * 10 + 10
    assert check("01.1", right) and check("01.1", float(right)) and check("01.1", torch.tensor(right))
    assert not check("01.1", right - 10) and not check("01.1", right + 0.5) and not check("01.1", str(right))
    macs = 14 * 14 * 64 * 32 * 9  # 01.3: the teacher's second convolution, counted exactly
    assert check("01.3", macs) and not check("01.3", macs + 1) and not check("01.3", True)
    capsys.readouterr()


def test_registry_rejects_bad_registrations():
    with pytest.raises(ValueError, match="wrong answer"):
        E.register("99.1", "x", reference=lambda: 1, solution=lambda: 1, wrong={})
    with pytest.raises(ValueError, match="inputs"):
        E.register("99.2", "x", reference=lambda z: z, solution=lambda: None, wrong={"w": lambda: None},
                   kind="function")
    with pytest.raises(KeyError, match="01.1"):
        E.get("99.9")


def _check_calls(src: str):
    for cell in src.split("%% ")[1:]:
        if not cell.startswith("code"):
            continue
        tree = ast.parse("\n".join(line for line in cell[4:].splitlines() if not line.lstrip().startswith("%")))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in (
                    "check", "check_function"):
                yield cell, node


@pytest.mark.parametrize("src", sorted(SRC.glob("*.nb.txt")), ids=lambda p: p.name[:2])
def test_notebook_check_cells_hide_the_reference(src):
    """In a notebook that uses the registry, every check is check("NN.k", answer, name=name, ...):
    no reference argument and no computation in the call; and every registered exercise is checked there."""
    nb = src.name[:2]
    keys = {k for k in ALL if k.startswith(nb + ".")}
    if not keys or f'check("{nb}.' not in src.read_text():
        pytest.skip(f"notebook {nb} does not use registered exercises yet (old-style checks)")
    used = set()
    for cell, call in _check_calls(src.read_text()):
        assert getattr(call.func, "id", getattr(call.func, "attr", None)) == "check", "use check(key, answer)"
        key = call.args[0].value if call.args and isinstance(call.args[0], ast.Constant) else None
        assert key in keys, f"{src.name}: check({key!r}) is not a registered exercise of notebook {nb}"
        assert len(call.args) == 2, f"{src.name}: check({key!r}, ...) passes a reference; register it instead"
        for kw in call.keywords:  # context: plain names (or one index), never a computation
            assert isinstance(kw.value, (ast.Name, ast.Subscript)), f"{key}: context {kw.arg}= computes something"
        assert not re.search(r"^\s*_\w+\s*=", cell, re.M), f"{key}: the check cell computes a hidden value"
        used.add(key)
    assert used == keys, f"{src.name}: registered but never checked: {sorted(keys - used)}"


def test_legacy_check_says_right_and_wrong_without_the_answer(capsys):
    assert check("a", 0.5, 0.5)
    capsys.readouterr()
    assert not check("b", 0.123456, 0.987654)
    verdict = capsys.readouterr().out
    assert "0.987" not in verdict and "not yet" in verdict  # the reference value is never printed
    assert not check("c", None, 0.5)
    assert not check("d", torch.zeros(2), torch.zeros(3))
    assert check("e", True, True) and not check("f", False, True)
    out = capsys.readouterr().out
    assert "not answered yet" in out and "wrong shape" in out
    assert out.count("[x]") == 1  # "a" was read before the capture reset


def test_legacy_check_function():
    ref = lambda z, T: torch.softmax(z / T, -1)  # noqa: E731
    inputs = [(torch.randn(3, 4), 2.0), (torch.randn(2, 5) * 10, 0.5)]
    assert check_function("softmax", lambda z, T: torch.exp(z / T) / torch.exp(z / T).sum(-1, keepdim=True), ref, inputs)
    assert not check_function("softmax", lambda z, T: torch.softmax(z, -1), ref, inputs)
    assert not check_function("softmax", lambda z, T: 1 / 0, ref, inputs)
    assert not check_function("softmax", None, ref, inputs)


def test_numbers_in_folded_solutions_are_the_computed_ones():
    """The solutions typed into notebooks 01 and 03 agree with what the registry computes."""
    nb01 = next(SRC.glob("01_*.nb.txt")).read_text()
    assert f"= {E.get('01.1').reference():,}." in nb01 and f"= {E.get('01.3').reference():,}." in nb01
    nb03 = next(SRC.glob("03_*.nb.txt")).read_text()
    from distill_helpers.exercises.nb03 import P, Q
    kl = lambda a, b: sum(x * math.log(x / y) for x, y in zip(a, b))  # noqa: E731
    assert f"≈ {E.get('03.1').reference():.3f} nats" in nb03 and f"≈ {kl(Q, P):.3f} nats" in nb03
    # 03.3's example context is built exactly as section 5 of the notebook builds z0, v0
    assert "torch.Generator().manual_seed(1)\nz0 = torch.randn(256, 10, generator=g, dtype=torch.float64) * 3" in nb03
    assert f"about {round(E.get('03.3').reference(**E.get('03.3').example()))}, well short of 100" in nb03
