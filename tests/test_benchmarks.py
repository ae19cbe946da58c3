"""The benchmark's FLOP count (benchmarks/run.py), checked against PyTorch's own FLOP counter."""
import importlib.util
from pathlib import Path

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from distill_helpers import MLP

_spec = importlib.util.spec_from_file_location("bench", Path(__file__).resolve().parents[1] / "benchmarks" / "run.py")
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


@pytest.mark.parametrize("hidden", [(30, 30), (800, 800), (64,)])
def test_train_flops_equal_what_a_training_step_runs(hidden):
    model = MLP(hidden=hidden)
    X, y = torch.randn(16, 1, 28, 28), torch.randint(0, 10, (16,))
    with FlopCounterMode(display=False) as counter:
        torch.nn.functional.cross_entropy(model(X), y).backward()
    assert bench.mlp_train_flops(model) * 16 == counter.get_total_flops()


def test_train_flops_by_hand():
    # 784-30-30-10: forward and weight gradients of all three layers, input gradients of the last two
    macs = 784 * 30 + 30 * 30 + 30 * 10
    assert bench.mlp_train_flops(MLP(hidden=(30, 30))) == 2 * (3 * macs - 784 * 30) == 101_280
