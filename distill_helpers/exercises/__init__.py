"""Exercise checks for the notebooks: say right or wrong without showing or printing the answer.

Every exercise is registered once, in ``distill_helpers/exercises/nbNN.py`` (NN = the notebook), with

- ``reference``: how the right answer is computed. It lives here, not in the notebook, so a check cell
  never shows the computation that answers the exercise;
- ``solution``: the answer computed the way the notebook's folded solution does it;
- ``wrong``: plausible mistakes (a forgotten bias, the reversed KL, ...), each of which must be rejected;
- ``example``: a small synthetic context (no trained model needed) on which the tests run all of the above.

A notebook's check cell is then one line::

    check("01.1", answer_1)                                    # needs nothing from the notebook
    check("01.2", answer_2, t_probs=t_probs, y_test=y_test)    # the notebook's own tensors as context

Under nbgrader (``nbgrader autograde`` / ``validate`` set ``NBGRADER_EXECUTION``) an answer that is not
right, or not given, also raises ``AssertionError``, so the graded check cell of the classroom edition
(``classroom/``, built by ``tools/build_notebooks.py``) scores zero points; in a notebook it only prints.

``tests/unit/test_exercises.py`` runs, for every registered exercise, the solution (must pass) and every wrong
answer (must fail) through ``check``; so a new exercise is tested as soon as it is registered.

Kinds of answer:
- ``"exact"``: integers, booleans, strings, tuples of them. Compared exactly (no tolerance on counts);
  a float answer is accepted for an integer only if it is that integer.
- ``"number"``: floats or tensors, compared with ``rtol`` / ``atol`` (shape must match).
- ``"function"``: the answer is a function; it is called on ``inputs(**context)`` and compared with the
  reference function's results with ``rtol`` / ``atol``.
"""
from __future__ import annotations

import importlib
import inspect
import numbers
import os
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

import torch

from ..infra.i18n import tr

__all__ = ["Exercise", "Compare", "register", "check", "get", "all_exercises"]

KINDS = ("exact", "number", "function")


@dataclass(frozen=True)
class Exercise:
    """One notebook exercise: how to compute its answer, the folded solution, and mistakes to reject."""
    key: str                                  # "NN.k": notebook NN, exercise k
    title: str                                # printed in the verdict, e.g. "parameters of 784-800-800-10"
    reference: Callable[..., Any]             # (**context) -> right answer; for "function": the reference function
    solution: Callable[..., Any]              # (**context) -> the answer as the folded solution computes it
    wrong: dict[str, Callable[..., Any]]      # name -> (**context) -> a plausible wrong answer
    example: Callable[[], dict] = dict        # () -> a small synthetic context for the tests
    kind: str = "number"
    rtol: float = 1e-4
    atol: float = 1e-6
    inputs: Callable[..., list[tuple]] | None = None  # kind "function": (**context) -> argument tuples
    context: tuple[str, ...] = field(default=())     # names the check cell must pass (derived from reference)


_REGISTRY: dict[str, Exercise] = {}


@dataclass(frozen=True)
class Compare:
    """How a learner's answer is compared with the reference: "exact" (==), "number" (within rtol and atol),
    or "function" (the learner's function called on `inputs(**context)`, each result within rtol and atol)."""
    kind: str = "number"
    rtol: float = 1e-4
    atol: float = 1e-6
    inputs: Callable[..., list[tuple]] | None = None  # kind "function": (**context) -> argument tuples


def register(key: str, title: str, *, reference: Callable, solution: Callable, wrong: dict[str, Callable],
             example: Callable[[], dict] = dict, compare: Compare = Compare()) -> Exercise:
    """Register an exercise under `key` ("NN.k"); called at import time by the nbNN modules.

    compare: how answers are compared (default: numbers within rtol 1e-4, atol 1e-6), e.g.
    Compare("exact") or Compare("function", inputs=...)."""
    if not isinstance(compare, Compare):
        raise TypeError(f"exercise {key}: compare must be a Compare such as Compare('exact') or Compare(rtol=1e-3), "
                        f"got {type(compare).__name__}: {compare!r}")
    kind, rtol, atol, inputs = compare.kind, compare.rtol, compare.atol, compare.inputs
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if kind == "function" and inputs is None:
        raise ValueError(f"exercise {key}: kind 'function' needs inputs=(**context) -> list of argument tuples")
    if not wrong:
        raise ValueError(f"exercise {key}: give at least one plausible wrong answer, so the check is tested to fail")
    source = inputs if kind == "function" else reference
    names = tuple(n for n, p in inspect.signature(source).parameters.items()
                  if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))
    ex = Exercise(key, title, reference, solution, dict(wrong), example, kind, rtol, atol, inputs, names)
    if key in _REGISTRY and _REGISTRY[key] != ex:
        raise ValueError(f"exercise {key} is registered twice")
    _REGISTRY[key] = ex
    return ex


def _module_for(key: str) -> str:
    return f"{__name__}.nb{key.split('.')[0]}"


def get(key: str) -> Exercise:
    """The registered exercise `key`, importing its notebook's module on first use."""
    if key not in _REGISTRY:
        try:
            importlib.import_module(_module_for(key))
        except ModuleNotFoundError:
            pass
    if key not in _REGISTRY:
        raise KeyError(f"no exercise registered under {key!r}; keys look like '01.1' (notebook 01, exercise 1). "
                       f"Known: {sorted(all_exercises())}")
    return _REGISTRY[key]


def all_exercises() -> dict[str, Exercise]:
    """Every registered exercise, after importing every nbNN module of this package."""
    for mod in pkgutil.iter_modules(__path__):
        if mod.name.startswith("nb"):
            importlib.import_module(f"{__name__}.{mod.name}")
    return dict(sorted(_REGISTRY.items()))


# ---------------------------------------------------------------- comparisons (never print the reference)

def _as_tensor(x) -> torch.Tensor:
    return x.detach().double().cpu() if isinstance(x, torch.Tensor) else torch.as_tensor(x, dtype=torch.float64)


def _plain(x):
    """A numpy scalar or a one-element tensor as the Python number (or bool) it holds; anything else unchanged."""
    if isinstance(x, torch.Tensor) and x.numel() == 1:
        return x.item()
    if type(x).__module__ == "numpy" and getattr(x, "ndim", None) == 0 and hasattr(x, "item"):
        return x.item()  # numpy.int64, numpy.float32, numpy.bool_, a 0-d array
    return x


def _exact_equal(answer, reference) -> tuple[bool, str]:
    answer = _plain(answer)
    if isinstance(reference, bool):
        if not isinstance(answer, bool):
            return False, tr(f"expected True or False, got {type(answer).__name__}")
        return answer == reference, ""
    if isinstance(reference, str):
        if not isinstance(answer, str):
            return False, tr(f"expected a string, got {type(answer).__name__}")
        return answer.strip().lower() == reference.strip().lower(), ""
    if isinstance(reference, (tuple, list)):
        if not isinstance(answer, (tuple, list)) or len(answer) != len(reference):
            return False, tr(f"expected a tuple of {len(reference)} values")
        for a, r in zip(answer, reference):
            ok, why = _exact_equal(a, r)
            if not ok:
                return False, why
        return True, ""
    if isinstance(reference, int):
        if isinstance(answer, bool) or not isinstance(answer, numbers.Real):  # any integer type, or a float
            return False, tr(f"expected a whole number, got {type(answer).__name__}")
        return float(answer) == float(reference), ""  # exact: no tolerance on counts
    raise TypeError(f"exact exercises compare bools, strings, ints or tuples of them, not {type(reference).__name__}")


def _close(answer, reference, rtol: float, atol: float) -> tuple[bool, str]:
    if isinstance(answer, bool):
        return False, tr("expected a number, got a bool")
    try:
        a, r = _as_tensor(answer), _as_tensor(reference)
    except (TypeError, ValueError, RuntimeError):
        return False, tr(f"expected a number or tensor, got {type(answer).__name__}")
    if a.shape != r.shape:
        if a.numel() == 1 and r.numel() == 1:
            a = a.reshape(r.shape)
        else:
            return False, tr(f"wrong shape {tuple(a.shape)}, expected {tuple(r.shape)}")
    if torch.allclose(a, r, rtol=rtol, atol=atol):
        return True, ""
    if not torch.isfinite(a).all():
        return False, tr("your answer contains NaN or infinity")
    near = torch.allclose(a, r, rtol=max(10 * rtol, 1e-3), atol=10 * atol)  # a hint, not the answer
    return False, tr("close, but not within the tolerance") if near else ""


def _verdict(ex_name: str, ok: bool, why: str = "") -> bool:
    mark = "x" if ok else " "
    text = tr("correct") if ok else (tr("not yet") + (tr(": ") + why if why else tr(", think again")))
    print(f"[{mark}] {ex_name}{tr(': ')}{text}")
    return _graded(ex_name, ok)


def _graded(ex_name: str, ok: bool) -> bool:
    """Return `ok`; under nbgrader a wrong or missing answer raises, so its graded check cell scores zero."""
    if not ok and os.environ.get("NBGRADER_EXECUTION"):
        raise AssertionError(f"{ex_name}: not answered correctly (graded by nbgrader)")
    return ok


def check(key: str, answer, *, rtol: float | None = None, atol: float | None = None, **context) -> bool:
    """Say whether `answer` to exercise `key` is right (prints a verdict, returns True or False).

    `context` holds the notebook values the exercise is about (for example ``t_probs=t_probs``).
    The reference answer is computed inside the package and never printed.
    """
    ex = get(key)
    name = tr(f"exercise {ex.key} ({tr(ex.title)})")
    missing = [n for n in ex.context if n not in context]
    if missing:
        raise TypeError(f"check({key!r}, ...) needs the notebook's " + ", ".join(missing) + ": call it as check("
                        + ", ".join([repr(key), "answer"] + [f"{n}={n}" for n in ex.context]) + ")")
    if answer is None or answer is ...:
        print(f"[ ] {name}{tr(': ')}" + tr("not answered yet: replace the placeholder with your answer and rerun the cell"))
        return _graded(name, False)
    rtol = ex.rtol if rtol is None else rtol
    atol = ex.atol if atol is None else atol
    if ex.kind == "function":
        return _verdict(name, *_check_fn(answer, ex.reference, _from_context(ex, ex.inputs, context), rtol, atol))
    reference = _from_context(ex, ex.reference, context)
    if ex.kind == "exact":
        return _verdict(name, *_exact_equal(answer, reference))
    return _verdict(name, *_close(answer, reference, rtol, atol))


def _kind(value, exact: bool) -> str:
    """How a context value is described in an error: its type, and for a tensor its shape (or dimensions)."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}" if exact else f"a tensor with {value.dim()} dimension(s)"
    return f"a {type(value).__name__}"


def _from_context(ex: Exercise, compute: Callable, context: dict):
    """compute(**context), where a context value of the wrong kind (a list for a tensor, a tensor of another
    shape) is a clear TypeError naming the argument, not an AttributeError from inside the reference."""
    try:
        return compute(**context)
    except (AttributeError, TypeError, ValueError, IndexError, RuntimeError) as e:
        expected = ex.example()  # small synthetic values of the right kinds
        said = [f"{n} is {_kind(context[n], True)}, expected {_kind(expected[n], False)}" for n in ex.context
                if n in expected and (type(context[n]) is not type(expected[n]) or (
                    isinstance(expected[n], torch.Tensor) and context[n].dim() != expected[n].dim()))]
        detail = "; ".join(said) or f"{type(e).__name__}: {e}"
        raise TypeError(f"check({ex.key!r}, ...) could not use the values passed ({detail}): pass the notebook's "
                        f"own variables, as in check({ex.key!r}, answer, "
                        + ", ".join(f"{n}={n}" for n in ex.context) + ")") from None


def _check_fn(fn, reference: Callable, inputs: list[tuple], rtol: float, atol: float) -> tuple[bool, str]:
    if not callable(fn):
        return False, tr(f"expected a function, got {type(fn).__name__}")
    for i, args in enumerate(inputs):
        try:
            got = fn(*args)
        except Exception as e:  # the learner's code raised: say so, do not crash the notebook
            return False, tr(f"your function raised {type(e).__name__}: {e}")
        ok, why = _close(got, reference(*args), rtol, atol)
        if not ok:
            return False, tr(f"wrong result on test input {i + 1} of {len(inputs)}") + (f" ({why})" if why else "")
    return True, ""

