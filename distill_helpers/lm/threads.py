"""One intra-op thread for the wing's tiny models, the previous setting restored afterwards.

These models are tiny, so a second thread buys almost nothing; but when other programs share the CPU,
two threads per process made training more than ten times slower here (threads waiting on each other).
"""
from __future__ import annotations

import functools

import torch

__all__ = ["single_thread"]


def single_thread(fn):
    """Decorator: run `fn` with one intra-op thread, then restore the previous setting (also on error)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return fn(*args, **kwargs)
        finally:
            torch.set_num_threads(before)
    return wrapper
