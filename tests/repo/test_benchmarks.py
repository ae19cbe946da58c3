"""The benchmark's FLOP count (benchmarks/run.py), checked against PyTorch's own FLOP counter."""
import importlib.util
from pathlib import Path

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from distill_helpers import MLP

_spec = importlib.util.spec_from_file_location("bench", Path(__file__).resolve().parents[2] / "benchmarks" / "run.py")
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


def _product_flops(calls) -> int:
    """FLOPs of recorded products, by hand: 2 m k n per (m x k) @ (k x n), times the batch for bmm/baddbmm."""
    total = 0
    for func, args, _ in calls:
        name = func.overloadpacket.__name__
        shapes = [a[1] for a in args if isinstance(a, tuple) and a and a[0] == "tensor"]
        a, b = shapes[-2:] if name in ("addmm", "addmm_", "baddbmm", "baddbmm_") else shapes[:2]
        total += 2 * (a[0] if len(a) == 3 else 1) * a[-2] * a[-1] * b[-1]
    return total


def test_the_shape_matched_recorder_sees_every_product_of_a_training_step():
    # independent reference: PyTorch's FLOP counter over the same step (forward and backward)
    model = MLP(hidden=(32, 16))
    X, y = torch.randn(8, 1, 28, 28), torch.randint(0, 10, (8,))

    def step():
        torch.nn.functional.cross_entropy(model(X), y).backward()
    with FlopCounterMode(display=False) as counter:
        step()
    calls = bench.record_matmuls(step)
    assert len(calls) == 3 + 3 + 2  # forward, weight gradients, input gradients of all layers but the first
    assert _product_flops(calls) == counter.get_total_flops() == bench.mlp_train_flops(model) * 8


def test_the_recorder_sees_the_batched_students_products(small_data):
    from distill_helpers.recipes import RECIPES, Runs
    from distill_helpers.scale.batched import distill_students, make_students
    students = make_students((8,), [0, 0, 1], num_classes=3)

    def epoch():
        distill_students(students, None, small_data, runs=Runs(seeds=[0, 0, 1], progress=False),
                         recipe=RECIPES.student.with_(epochs=1, batch_size=40), kd=RECIPES.distill.with_(alpha=0.0))
    with FlopCounterMode(display=False) as counter:
        epoch()
    calls = bench.record_matmuls(epoch)
    assert calls and _product_flops(calls) == counter.get_total_flops()


def test_replay_runs_exactly_the_recorded_products():
    model = MLP(hidden=(16,))
    X, y = torch.randn(4, 1, 28, 28), torch.randint(0, 10, (4,))
    calls = bench.record_matmuls(lambda: torch.nn.functional.cross_entropy(model(X), y).backward())
    once = bench.replayer(calls)
    replayed = bench.record_matmuls(once)
    assert [(f, a) for f, a, _ in replayed] == [(f, a) for f, a, _ in calls] and once() > 0


def test_the_recorder_places_each_optimizer_step_among_the_products(small_data):
    # a train_model epoch of 3 steps: 3 x (3 forward + 3 weight-gradient + 2 input-gradient products), then Adam
    from distill_helpers import RECIPES, Run, train_model
    model = MLP(hidden=(8, 8))

    def epoch():
        train_model(model, small_data, recipe=RECIPES.student.with_(epochs=1, batch_size=len(small_data) // 3 + 1),
                    run=Run(progress=False))
    calls = bench.record_matmuls(epoch, optimizer=True)
    kinds = ["opt" if bench._is_optimizer(f) else "mm" for f, *_ in calls]
    assert kinds == (["mm"] * 8 + ["opt"]) * 3
    assert bench.record_matmuls(epoch) == [c for c in calls if not bench._is_optimizer(c[0])]
    # the optimizer's lists hold one entry per parameter, with its shape, as the model has them
    params = [tuple(p.shape) for p in model.parameters()]
    _, args, _ = calls[8]
    assert [s[1] for s in args[0][1]] == params and [s[1] for s in args[3][1]] == params  # weights, moments


def test_replay_with_the_optimizer_runs_the_recorded_sequence_on_memory_of_its_own(small_data):
    from distill_helpers import RECIPES, Run, train_model
    model = MLP(hidden=(16,))

    def epoch():
        train_model(model, small_data, recipe=RECIPES.student.with_(epochs=1, batch_size=len(small_data) // 2 + 1),
                    run=Run(progress=False))
    calls = bench.record_matmuls(epoch, optimizer=True)
    once = bench.replayer(calls)
    replayed = bench.record_matmuls(once, optimizer=True)
    assert [(f, a) for f, a, _ in replayed] == [(f, a) for f, a, _ in calls]
    # each place in the optimizer's lists has its own tensor (two biases of one shape do not share memory),
    # the same one at every step, as a model's weights and moments are
    seen = []

    class Catch(bench.TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            if bench._is_optimizer(func):
                seen.append([id(t) for lst in args[:4] for t in lst])
            return func(*args, **(kwargs or {}))
    with Catch():
        once()
    assert len(seen) == 2 and seen[0] == seen[1] and len(set(seen[0])) == len(seen[0])


def _no_autograd():
    spec = importlib.util.spec_from_file_location(
        "no_autograd_step", Path(__file__).resolve().parents[2] / "benchmarks" / "no_autograd_step.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("hidden", [(32, 16), (24,)])
def test_the_hand_written_backward_equals_autograd_bit_for_bit(small_data, hidden):
    # the premise of benchmarks/no_autograd_step.py: its timing compares two ways of computing the same thing
    m = _no_autograd()
    X, y = small_data.tensors
    _, by_autograd = m.epoch(X, y, hidden=hidden, batch_size=32)
    _, by_hand = m.epoch(X, y, hidden=hidden, batch_size=32, by_hand=True)
    assert m.same_weights(by_autograd, by_hand)
    _, other = m.epoch(X, y, hidden=hidden, batch_size=24)  # a different run differs: the check can fail
    assert not m.same_weights(by_autograd, other)


def test_the_hand_written_backward_refuses_dropout():
    with pytest.raises(ValueError, match="dropout"):
        _no_autograd().manual_step(MLP(hidden=(8,), dropout=0.5))
