"""Multi-process distillation: 2 processes with gloo on the CPU, started by torchrun as a user would.

Each test launches `torchrun --standalone --nproc_per_node=2` in a subprocess (a few seconds) and compares
what the ranks saved with a single-process run in this test process.
"""
import json
import time
from pathlib import Path

import pytest
import torch

from distill_helpers import MLP, RECIPES, DistillRecipe, Run, build_model, distill, train_model
from distill_helpers import distributed as D
from distill_helpers.evaluate import predict_logits

ROOT = Path(__file__).resolve().parents[2]
WORKER = str(ROOT / "tests" / "unit" / "ddp_worker.py")
RECIPE = dict(T=4.0, alpha=0.9, epochs=4, lr=2e-3, batch_size=50, seed=7)
#: Largest weight difference accepted between the 2-process and the 1-process run. Not bit-exact: the
#: 1-process gradient sums 50 rows in one matrix product, the 2-process one sums 25 + 25 and averages
#: the two halves in the all-reduce, so float32 rounding differs from the first step on (about 1e-7
#: relative) and Adam carries it through 4 epochs. Measured on 2 CPU cores: 3e-8.
WEIGHT_TOL = 1e-5


@pytest.fixture(scope="module")
def ddp_run(tmp_path_factory, mnist5k):
    """One 2-process distillation (and the position-indexed pitfall) on 1,000 digits; both ranks' results."""
    tmp = tmp_path_factory.mktemp("ddp")
    train, test = mnist5k
    rows = torch.randperm(len(train), generator=torch.Generator().manual_seed(0))[:1002]  # the split is sorted by class
    X, y = train.tensors[0][rows], train.tensors[1][rows]  # 1,002: the last global batch (2) splits 1 + 1
    torch.manual_seed(0)
    teacher = MLP(hidden=(128,))
    train_model(teacher, (X, y), recipe=RECIPES.student.with_(epochs=5, lr=2e-3, batch_size=50), run=Run(progress=False))
    torch.manual_seed(1)
    student = MLP(hidden=(64,))
    setup = {"teacher_config": teacher.config, "teacher_state": teacher.state_dict(),
             "student_config": student.config, "student_init": {k: v.clone() for k, v in student.state_dict().items()},
             "train": (X, y), "test": test.tensors, "recipe": RECIPE, "teacher_logits": predict_logits(teacher, X)}
    torch.save(setup, tmp / "setup.pt")
    proc = D.run_torchrun(2, [WORKER, "distill", str(tmp / "setup.pt"), str(tmp)], module=False, timeout=300,
                          env={"DISTILL_DDP_TIMEOUT_S": "60"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    ranks = [torch.load(tmp / f"rank{r}.pt", weights_only=False) for r in (0, 1)]
    return {"setup": setup, "ranks": ranks, "teacher": teacher, "student": student}


def test_shards_are_disjoint_and_cover_the_training_set_every_epoch(ddp_run):
    n = len(ddp_run["setup"]["train"][0])
    r0, r1 = (r["shards"] for r in ddp_run["ranks"])
    per_epoch = len(r0) // RECIPE["epochs"]
    assert len(r0) == len(r1) == RECIPE["epochs"] * -(-n // RECIPE["batch_size"])  # same number of steps
    for e in range(RECIPE["epochs"]):
        a = torch.cat(r0[e * per_epoch:(e + 1) * per_epoch])
        b = torch.cat(r1[e * per_epoch:(e + 1) * per_epoch])
        assert not set(a.tolist()) & set(b.tolist())                      # disjoint
        assert sorted(a.tolist() + b.tolist()) == list(range(n))          # together: every sample once
        assert abs(len(a) - len(b)) <= 1
    # the order changes from epoch to epoch (the sampler reshuffles): what makes position lookups wrong
    assert not torch.equal(torch.cat(r0[:per_epoch]), torch.cat(r0[per_epoch:2 * per_epoch]))
    # the library's own description of the shards is what the ranks really trained on
    assert torch.equal(torch.cat(r0[:per_epoch]), D.epoch_order(n, RECIPE["batch_size"], RECIPE["seed"], 1, 2, 0))


def test_both_ranks_end_with_identical_weights_and_metrics(ddp_run):
    a, b = ddp_run["ranks"]
    assert all(torch.equal(a["state"][k], b["state"][k]) for k in a["state"])
    assert a["history"]["train_loss"] == b["history"]["train_loss"]  # all-reduced, so the same on each rank
    assert a["history"]["val_acc"] == b["history"]["val_acc"]


def test_two_processes_equal_one_process_with_the_same_global_batch(ddp_run):
    s = ddp_run["setup"]
    single = build_model(s["student_config"])
    single.load_state_dict(s["student_init"])
    hist = distill(single, ddp_run["teacher"], s["train"], s["test"],
                   recipe=RECIPES.student.with_(epochs=RECIPE["epochs"], lr=RECIPE["lr"], batch_size=RECIPE["batch_size"]),
                   kd=DistillRecipe(T=RECIPE["T"], alpha=RECIPE["alpha"]), run=Run(seed=RECIPE["seed"], progress=False))
    ref = single.state_dict()
    ddp = ddp_run["ranks"][0]["state"]
    worst = max((ref[k] - ddp[k]).abs().max().item() for k in ref)
    assert worst <= WEIGHT_TOL, f"2-process weights differ from 1-process by {worst:.2e}"
    print(f"largest weight difference, 2 processes vs 1: {worst:.2e}")
    # the all-reduced training loss is the mean over the whole epoch, as in one process
    assert ddp_run["ranks"][0]["history"]["train_loss"] == pytest.approx(hist["train_loss"], rel=1e-4)
    assert abs(ddp_run["ranks"][0]["history"]["val_acc"][-1] - hist["val_acc"][-1]) <= 0.002


def test_position_indexed_logit_cache_is_wrong_and_costs_accuracy(ddp_run, capsys):
    # Pitfall 9: logits stored by batch position in epoch 1 and read by position later. After the first
    # epoch each sample is paired with another sample's soft targets; the student learns noise.
    good, naive = ddp_run["ranks"][0]["history"], ddp_run["ranks"][0]["naive_history"]
    with capsys.disabled():
        print(f"\n2-process distillation, test accuracy: logits by sample index {good['val_acc'][-1]:.3f}, "
              f"by batch position {naive['val_acc'][-1]:.3f}")
    assert naive["val_acc"][0] == pytest.approx(good["val_acc"][0], abs=1e-6)  # epoch 1: still aligned
    assert good["val_acc"][-1] - naive["val_acc"][-1] > 0.05  # then it costs accuracy
    assert naive["train_loss"][-1] > 2 * good["train_loss"][-1]  # soft targets it cannot fit


def test_misaligned_cache_is_detected_before_training(ddp_run, mnist5k):
    s = ddp_run["setup"]
    X = s["train"][0]
    good = s["teacher_logits"]
    D.check_teacher_logits(ddp_run["teacher"], X, good)  # passes
    order = D.epoch_order(len(X), RECIPE["batch_size"], RECIPE["seed"], 1, 2, 0)
    wrong = good.clone()
    wrong[:len(order)] = good[order]  # the rank's epoch-1 list used as if it were in sample order
    with pytest.raises(D.MisalignedLogitsError, match="sample index"):
        D.check_teacher_logits(ddp_run["teacher"], X, wrong)
    with pytest.raises(D.MisalignedLogitsError):
        distill(MLP(hidden=(8,)), ddp_run["teacher"], s["train"], teacher_logits=wrong,
                recipe=RECIPES.student.with_(epochs=1), run=Run(progress=False))


def test_a_failing_rank_fails_the_run_quickly_with_its_message(ddp_run, tmp_path):
    torch.save(ddp_run["setup"], tmp_path / "setup.pt")
    t0 = time.perf_counter()
    proc = D.run_torchrun(2, [WORKER, "fail", str(tmp_path / "setup.pt"), str(tmp_path)], module=False,
                          timeout=120, env={"DISTILL_DDP_TIMEOUT_S": "30"})
    elapsed = time.perf_counter() - t0
    assert proc.returncode != 0
    assert "rank 1 fails on purpose" in proc.stderr
    assert elapsed < 60  # the other rank was stopped, not left waiting in its all-reduce
    assert not list(tmp_path.glob("rank*-finished"))


def test_torchrun_replicate_writes_once_from_rank_0(tmp_path):
    out = tmp_path / "run"
    proc = D.run_torchrun(2, ["distill_helpers", "replicate", "--out", str(out), "--seeds", "1",
                              "--teacher-epochs", "1", "--epochs", "1", "--hidden", "16", "--no-progress",
                              "--root", str(ROOT / "data")], timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert sum(line.startswith("student_distilled") for line in lines) == 1  # only rank 0 prints the table
    assert sum(line.startswith("dataset mnist5k") for line in lines) == 1
    assert "2 processes" in proc.stdout and "gloo" in proc.stdout
    res = json.loads((out / "results.json").read_text())
    assert res["machine"]["world_size"] == 2
    assert sorted(p.name for p in out.iterdir()) == ["results.json", "student_distilled.pt", "student_scratch.pt",
                                                      "teacher.pt"]  # no temporary files left behind


# ---------------------------------------------------------------- issue 24: errors under torchrun, one line each

def test_a_usage_error_under_torchrun_is_one_line_from_rank_0(tmp_path):
    proc = D.run_torchrun(2, ["distill_helpers", "replicate", "--T", "0", "--out", str(tmp_path / "o"),
                              "--no-progress", "--root", str(ROOT / "data")], timeout=300, cwd=tmp_path)
    assert proc.returncode != 0
    ours = [line for line in proc.stderr.splitlines() if line.startswith("error")]
    assert len(ours) == 1 and "temperature" in ours[0], proc.stderr[-3000:]  # said once, not once per rank
    assert "distill_helpers/cli.py" not in proc.stderr  # no traceback of ours (torchrun adds its own summary)
    assert not (tmp_path / "o").exists()


def test_a_rank_without_its_peers_fails_in_one_line(tmp_path):
    import os
    import socket
    import subprocess
    import sys
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RANK": "1", "WORLD_SIZE": "2", "MASTER_ADDR": "127.0.0.1",
           "MASTER_PORT": str(port), "DISTILL_DDP_TIMEOUT_S": "2"}
    proc = subprocess.run([sys.executable, "-m", "distill_helpers", "replicate", "--out", str(tmp_path / "o"),
                           "--no-progress", "--root", str(ROOT / "data")], capture_output=True, text=True,
                          timeout=120, env=env, cwd=tmp_path)
    assert proc.returncode == 1
    err = proc.stderr
    assert err.count("\n") == 1 and err.startswith("error (rank 1 of 2):"), err[-3000:]  # no C++ backtrace
    assert "torchrun --nproc_per_node=2" in err and "DISTILL_DDP_TIMEOUT_S" in err


def test_launch_environment_checks():
    import os
    from unittest import mock
    with mock.patch.dict(os.environ, {"RANK": "1", "WORLD_SIZE": "2"}, clear=False):
        os.environ.pop("MASTER_ADDR", None)
        with pytest.raises(ValueError, match="MASTER_ADDR is not"):
            D.current()
        assert D.is_main()  # outside torchrun a stray RANK makes no process a silent non-zero rank
    with mock.patch.dict(os.environ, {"RANK": "0", "WORLD_SIZE": "1"}):
        os.environ.pop("MASTER_ADDR", None)
        D.check_launch_env()  # values that change nothing are let through
    with mock.patch.dict(os.environ, {"RANK": "x"}):
        with pytest.raises(ValueError, match="not an integer"):
            D.check_launch_env()
    with mock.patch.dict(os.environ, {"DISTILL_DDP_TIMEOUT_S": "abc"}):
        with pytest.raises(ValueError, match="DISTILL_DDP_TIMEOUT_S='abc'"):
            D.ddp_timeout()
    with mock.patch.dict(os.environ, {"DISTILL_DDP_TIMEOUT_S": "12.5"}):
        assert D.ddp_timeout().total_seconds() == 12.5
