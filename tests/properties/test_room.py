"""A prepared room trains nothing: with DISTILL_NO_TRAINING=1 every training entry point of the package raises
before its first optimiser step, a cached result loads without training, and `live_training` lets a
seconds-long demonstration through (the series itself runs under the guard in tests/repo/test_classroom.py)."""
import ast
import time
from pathlib import Path

import pytest
import torch

import distill_helpers as dh
from distill_helpers import lm
from distill_helpers.scale.batched import Runs, distill_students, make_students
from distill_helpers.scale.experiments import train_grid
from distill_helpers.hints import distill_with_hint
from distill_helpers.results import cached_result
from distill_helpers.infra.room import NO_TRAINING_ENV, TrainingRefused, live_training, training_refused
from distill_helpers.train import fit, make_optimizer, train_epoch

PACKAGE = Path(dh.__file__).resolve().parent
ONE_EPOCH, QUIET = dh.RECIPES.student.with_(epochs=1), dh.Run(progress=False)


@pytest.fixture
def room(monkeypatch):
    monkeypatch.setenv(NO_TRAINING_ENV, "1")


def _weights(model):
    return [p.detach().clone() for p in model.parameters()]


def _unchanged(model, before):
    return all(torch.equal(a, b) for a, b in zip(before, model.parameters()))


def _entry_points(small_data):
    """(name, call, model whose weights must stay as they were) for every training entry point."""
    X, y = small_data.tensors
    teacher = dh.MLP(hidden=(8,), num_classes=3)
    m = {k: dh.MLP(hidden=(8,), num_classes=3) for k in ("fit", "epoch", "train", "distill", "hint", "batched")}
    opt, sched = make_optimizer(m["epoch"], lr=1e-2, total_steps=2)
    students = make_students((8,), [0], num_classes=3)
    m["batched"] = students[0]
    toy = lm.CharTransformer(10, context=8, d_model=8, n_layers=1, n_heads=2, d_ff=8)
    tokens = torch.randint(1, 10, (16, 8))
    return [
        ("fit", lambda: fit(m["fit"], small_data, recipe=dh.RECIPES.student.with_(epochs=1, lr=1e-2, batch_size=32),
                                    run=QUIET), m["fit"]),
        ("train_epoch", lambda: train_epoch(m["epoch"], X, y, loss_fn=dh.train.cross_entropy_loss, optimizer=opt,
                                            scheduler=sched, loop=dh.train.Loop(32, torch.Generator(),
                                                                                 torch.device("cpu"))), m["epoch"]),
        ("train_model", lambda: dh.train_model(m["train"], small_data, recipe=ONE_EPOCH, run=QUIET), m["train"]),
        ("distill", lambda: dh.distill(m["distill"], teacher, small_data, recipe=ONE_EPOCH, run=QUIET), m["distill"]),
        ("distill_with_hint", lambda: distill_with_hint(m["hint"], teacher, small_data, recipe=ONE_EPOCH,
                                                                          run=QUIET),
         m["hint"]),
        ("distill_students", lambda: distill_students(students, teacher, small_data, recipe=ONE_EPOCH,
                                                      runs=Runs(seeds=[0], progress=False)), m["batched"]),
        ("train_grid", lambda: train_grid(teacher, small_data, small_data, settings=[{"T": 2.0, "alpha": 0.5}],
                                          runs=Runs(seeds=[0], progress=False), cache=None,
                                          recipe=dh.RECIPES.student.with_(hidden=(8,), epochs=1)), teacher),
        ("train_lm", lambda: lm.train_lm(toy, "labels", tokens, recipe=lm.LMRecipe(steps=2, batch_size=4)), toy),
    ]


def test_every_training_entry_point_refuses_in_a_prepared_room(small_data, room):
    for name, call, model in _entry_points(small_data):
        before = _weights(model)
        with pytest.raises(TrainingRefused, match="DISTILL_NO_TRAINING=1"):
            call()
        assert _unchanged(model, before), f"{name} took a step before refusing"


def test_the_same_entry_points_train_outside_a_room(small_data, monkeypatch):
    monkeypatch.delenv(NO_TRAINING_ENV, raising=False)
    moved = []
    for name, call, model in _entry_points(small_data):
        if name == "train_grid":
            continue  # they train fresh students, not `model`
        before = _weights(model)
        call()
        moved.append((name, not _unchanged(model, before)))
    assert all(m for _, m in moved), moved


def test_every_function_that_backpropagates_is_guarded():
    """Scan the package: a function that calls .backward() calls refuse_training too, or is a named exception."""
    not_models = {  # (module, function): why it is not training a model
        ("kl1d", "fit_gaussian"): "two numbers (a Gaussian's mean and width) fitted by L-BFGS for a figure",
        ("nb03", "_autograd_norm"): "one gradient of the KL, measured for an exercise; no step",
        ("bugzoo", "gradient_reaches_student"): "one backward pass to see whether a loss reaches the student; no step",
    }
    def calls_of(fn):
        return {n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", None)
                for n in ast.walk(fn) if isinstance(n, ast.Call)}

    found = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text())
        fns = [f for f in tree.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
        guarded = {f.name for f in fns if "refuse_training" in calls_of(f)}
        for fn in fns:
            calls = calls_of(fn)
            if "backward" in calls:
                found.append((path.stem, fn.name))
                # a private step of a trainer (one epoch, one step) counts as guarded when every function of
                # its module that uses it calls refuse_training itself, before any step
                users = {f.name for f in fns if f is not fn and any(isinstance(n, ast.Name) and n.id == fn.name
                                                                    for n in ast.walk(f))}
                step_of_guarded = fn.name.startswith("_") and users and users <= guarded
                assert "refuse_training" in calls or step_of_guarded or (path.stem, fn.name) in not_models, \
                    f"{path.name}:{fn.name} backpropagates without calling refuse_training (distill_helpers/infra/room.py)"
    assert {("train", "train_epoch"), ("batched", "_train_epoch"), ("train", "_lm_step")} <= set(found)  # the steps of the trainers
    assert set(not_models) <= set(found), "an exception that no longer exists: remove it"


def test_a_cached_result_loads_in_a_room_and_a_missing_one_refuses(tmp_path, small_data, monkeypatch):
    monkeypatch.delenv(NO_TRAINING_ENV, raising=False)
    calls = []

    def compute():
        calls.append(1)
        m = dh.MLP(hidden=(8,), num_classes=3)
        h = dh.train_model(m, small_data, recipe=ONE_EPOCH, run=QUIET)
        return {"loss": h["train_loss"][-1]}

    first = cached_result("room-test", {"epochs": 1}, compute, root=tmp_path)
    monkeypatch.setenv(NO_TRAINING_ENV, "1")
    assert cached_result("room-test", {"epochs": 1}, compute, root=tmp_path) == first and calls == [1]
    with pytest.raises(TrainingRefused, match="not in the cache"):
        cached_result("room-test", {"epochs": 2}, compute, root=tmp_path)
    assert calls == [1]  # the miss is refused by the cache (cache.py) before compute starts


def test_live_training_allows_a_short_demo_only(small_data, room):
    m = dh.MLP(hidden=(8,), num_classes=3)
    assert training_refused()
    with live_training("a one-epoch demonstration"):
        assert not training_refused()
        with live_training("nested"):
            pass
        assert not training_refused()
        before = _weights(m)
        dh.train_model(m, small_data, recipe=ONE_EPOCH, run=QUIET)
        assert not _unchanged(m, before)
    assert training_refused()
    with pytest.raises(TrainingRefused, match="took .* more than its 0.01 s limit"):
        with live_training("too long for a live block", limit_s=0.01):
            time.sleep(0.05)
    assert training_refused()  # the block is closed even when it raised
    with pytest.raises(ValueError, match="reason"):
        with live_training(" "):
            pass


def test_live_training_has_no_time_limit_outside_a_room(monkeypatch):
    monkeypatch.delenv(NO_TRAINING_ENV, raising=False)
    with live_training("outside a room, nothing is timed", limit_s=0.01):
        time.sleep(0.03)
    assert not training_refused()


@pytest.mark.parametrize("which", ["fit", "distill_students", "train_lm"])
def test_a_live_block_past_its_limit_stops_its_training_at_once(small_data, room, which, monkeypatch):
    # issue 24: the block used to raise only after all its work was done. Now the loop stops at the first
    # epoch (step) after the deadline: count the epochs (steps) that ran before the refusal.
    import distill_helpers.infra.room as R
    clock = [0.0]
    monkeypatch.setattr(R.time, "perf_counter", lambda: clock[0])  # a clock that moves 1 s per epoch or step
    ticks = []
    real = R.check_live_deadline

    def tick():
        clock[0] += 1.0
        ticks.append(clock[0])
        real()
    monkeypatch.setattr(R, "check_live_deadline", tick)  # what refuse_training and distill_students call
    monkeypatch.setattr(lm.train, "check_live_deadline", tick)  # train_lm's per-step check
    import distill_helpers.scale.batched as B
    m = dh.MLP(hidden=(8,), num_classes=3)
    calls = {"fit": lambda: dh.train_model(m, small_data, recipe=dh.RECIPES.student.with_(epochs=50), run=QUIET),
             "distill_students": lambda: B.distill_students(make_students((8,), [0], num_classes=3), None,
                                                            small_data, runs=Runs(seeds=[0], progress=False),
                                                            recipe=dh.RECIPES.student.with_(epochs=50),
                                                            kd=dh.RECIPES.distill.with_(alpha=0.0)),
             "train_lm": lambda: lm.train_lm(lm.CharTransformer(10, context=8, d_model=8, n_layers=1, n_heads=2,
                                                                d_ff=8), "labels", torch.randint(1, 10, (16, 8)),
                                             recipe=lm.LMRecipe(steps=50, batch_size=4))}
    with pytest.raises(TrainingRefused, match="more than its 3 s limit"):
        with live_training("a demonstration that overruns", limit_s=3.0):
            calls[which]()
    assert len(ticks) <= 6  # stopped within a few epochs of the 3 s limit, not after 50
