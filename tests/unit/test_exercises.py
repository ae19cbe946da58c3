"""The exercise checker: every registered exercise accepts its folded solution and rejects plausible mistakes,
verdicts never print the reference, and notebook check cells do not compute the answer in view."""
import ast
import math
import re
from pathlib import Path

import pytest
import torch

from distill_helpers import exercises as E
from distill_helpers.exercises import check

SRC = Path(__file__).resolve().parents[2] / "notebooks" / "src"
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
                   compare=E.Compare("function"))
    with pytest.raises(TypeError, match="compare must be a Compare such as Compare\('exact'\)"):
        E.register("99.3", "x", reference=lambda: 1, solution=lambda: 1, wrong={"w": lambda: 2}, compare="exact")
    with pytest.raises(ValueError, match="kind must be one of"):
        E.register("99.4", "x", reference=lambda: 1, solution=lambda: 1, wrong={"w": lambda: 2},
                   compare=E.Compare("approximately"))
    with pytest.raises(KeyError, match="01.1"):
        E.get("99.9")


def _check_calls(src: str):
    for cell in src.split("%% ")[1:]:
        if not cell.startswith("code"):
            continue
        tree = ast.parse("\n".join(line for line in cell[4:].splitlines() if not line.lstrip().startswith("%")))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == "check":
                yield cell, node


@pytest.mark.parametrize("src", sorted(SRC.glob("*.nb.txt")), ids=lambda p: p.name[:2])
def test_notebook_check_cells_hide_the_reference(src):
    """In a notebook that uses the registry, every check is check("NN.k", answer, name=name, ...):
    no reference argument and no computation in the call; and every registered exercise is checked there."""
    nb = src.name[:2]
    keys = {k for k in ALL if k.startswith(nb + ".")}
    assert keys, f"notebook {nb} has no exercises registered in distill_helpers/exercises/nb{nb}.py"
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


# ---------------------------------------------------------------- issue 24 item 9: numpy answers, wrong-type context

def test_numpy_and_tensor_integers_are_whole_numbers(capsys):
    import numpy as np
    right = 784 * 800 + 800 + 800 * 800 + 800 + 800 * 10 + 10  # 01.1, by hand
    for answer in (np.int64(right), np.int32(right), np.uint64(right), np.array(right), np.float64(right),
                   torch.tensor(right, dtype=torch.int32)):
        assert check("01.1", answer), type(answer)
    assert not check("01.1", np.int64(right - 10))
    assert not check("01.1", np.bool_(True))  # a bool is not a count, numpy's either


def test_a_bool_answer_may_be_numpy_or_a_tensor():
    # no registered exercise has a bool answer any more: the comparison check() uses, on both truth values
    import numpy as np
    from distill_helpers.exercises import _exact_equal, _plain
    for right in (True, False):
        assert _exact_equal(_plain(np.bool_(right)), right)[0] and _exact_equal(_plain(torch.tensor(right)), right)[0]
        assert not _exact_equal(_plain(np.bool_(not right)), right)[0]
        assert not _exact_equal(_plain(np.int64(int(right))), right)[0]  # a number is not a bool


@pytest.mark.parametrize("key", [k for k in sorted(ALL) if any(
    isinstance(v, torch.Tensor) for v in ALL[k].example().values())])
def test_a_context_value_of_the_wrong_kind_is_a_clear_error(key, capsys):
    # a list where the notebook has a tensor: either the reference can use it (and the verdict is the same)
    # or check says which argument is wrong and how to call it, never a raw AttributeError from inside
    ex = ALL[key]
    ctx = ex.example()
    name = next(n for n in ex.context if isinstance(ctx[n], torch.Tensor))
    bad = {**ctx, name: ctx[name].tolist() if ctx[name].dim() else "text"}
    try:
        ok = check(key, ex.solution(**ctx), **bad)
    except TypeError as e:
        assert re.search(rf"{name} is a (list|str), expected a tensor .*{name}={name}", str(e)), str(e)
    else:
        assert ok


def test_a_list_for_a_tensor_names_the_argument():
    ctx = ALL["01.2"].example()
    with pytest.raises(TypeError, match=r"t_probs is a list, expected a tensor with 2 dimension"):
        check("01.2", 0.5, t_probs=ctx["t_probs"].tolist(), y_test=ctx["y_test"])
    with pytest.raises(TypeError, match=r"t_probs is a tensor of shape \(\d+,\)"):
        check("01.2", 0.5, t_probs=ctx["t_probs"][0], y_test=ctx["y_test"])
