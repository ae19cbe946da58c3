"""A tiny checker for the notebooks' exercises: says right or wrong without printing the answer.

In a notebook the checker only prints its verdict. Under nbgrader (``nbgrader autograde`` or
``validate``, which set ``NBGRADER_EXECUTION``) an answer that is not right also raises
``AssertionError``, so the graded check cell of the classroom edition scores zero points for it.
"""
from __future__ import annotations

import math
import os
from typing import Callable

import torch

__all__ = ["check", "check_function"]


def _verdict(name: str, ok: bool) -> bool:
    """Return `ok`; under nbgrader, a wrong or missing answer raises so its graded cell scores zero."""
    if not ok and os.environ.get("NBGRADER_EXECUTION"):
        raise AssertionError(f"{name}: not answered correctly (graded by nbgrader)")
    return ok


def _as_tensor(x) -> torch.Tensor:
    return x.detach().double().cpu() if isinstance(x, torch.Tensor) else torch.as_tensor(x, dtype=torch.float64)


def check(name: str, answer, reference, rtol: float = 1e-4, atol: float = 1e-6) -> bool:
    """Compare `answer` with `reference` (numbers, tensors or booleans); print a verdict, return True if right."""
    if answer is None or answer is ...:
        print(f"[ ] {name}: not answered yet: replace the placeholder with your answer and rerun the cell")
        return _verdict(name, False)
    if isinstance(reference, (bool, str)):
        ok = answer == reference
        print(f"[{'x' if ok else ' '}] {name}: {'correct' if ok else 'not yet, think again'}")
        return _verdict(name, ok)
    try:
        a, r = _as_tensor(answer), _as_tensor(reference)
    except (TypeError, ValueError, RuntimeError):
        print(f"[ ] {name}: expected a number or tensor, got {type(answer).__name__}")
        return _verdict(name, False)
    if a.shape != r.shape:
        print(f"[ ] {name}: wrong shape {tuple(a.shape)}, expected {tuple(r.shape)}")
        return _verdict(name, False)
    ok = bool(torch.allclose(a, r, rtol=rtol, atol=atol))
    if ok:
        print(f"[x] {name}: correct")
    else:
        err = (a - r).abs().max().item()
        hint = "far off" if err > 10 * (atol + rtol * r.abs().max().item()) * 1e3 else "close, but not within tolerance"
        print(f"[ ] {name}: not yet ({hint}; largest difference {err:.3g})")
    return _verdict(name, ok)


def check_function(name: str, fn: Callable, reference: Callable, inputs: list[tuple], rtol: float = 1e-4,
                   atol: float = 1e-6) -> bool:
    """Call `fn` and `reference` on each argument tuple in `inputs` and compare the results quietly."""
    if fn is None:
        print(f"[ ] {name}: not answered yet: write the function and rerun the cell")
        return _verdict(name, False)
    for i, args in enumerate(inputs):
        try:
            got = fn(*args)
        except Exception as e:  # the learner's code raised: say so, do not crash the notebook
            print(f"[ ] {name}: your function raised {type(e).__name__}: {e}")
            return _verdict(name, False)
        want = reference(*args)
        if not torch.allclose(_as_tensor(got).reshape(_as_tensor(want).shape) if _as_tensor(got).numel() == _as_tensor(want).numel()
                              else torch.full_like(_as_tensor(want), math.nan), _as_tensor(want), rtol=rtol, atol=atol):
            print(f"[ ] {name}: not yet, wrong result on test input {i + 1} of {len(inputs)}")
            return _verdict(name, False)
    print(f"[x] {name}: correct on all {len(inputs)} test inputs")
    return True
