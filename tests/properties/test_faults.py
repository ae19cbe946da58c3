"""Fault injection: kills, failures and races during saves and runs. Nothing is lost, nothing is silent.

Each test uses tiny models and tiny data and takes a few seconds. Processes are real (subprocess) where
the fault is a signal or a race; a child announces that it is inside the critical section by creating a
flag file, and the test strikes then, so no timing is guessed.
"""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from distill_helpers import CheckpointError, MLP, load_model, save_model
from distill_helpers.cli import main

ROOT = Path(__file__).resolve().parents[2]
TESTS = Path(__file__).resolve().parents[1]  # tests/: conftest.py
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and hard links")


def _child(code: str, *args: str, **kw) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(TESTS), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-c", code, *args], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def _wait_for(flag: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while not flag.exists():
        if proc.poll() is not None:
            raise AssertionError(f"child exited early ({proc.returncode}): {proc.stderr.read()}")
        if time.time() > deadline:
            proc.kill()
            raise AssertionError("child never reached the critical section")
        time.sleep(0.02)


def _temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# A child that starts overwriting path (argv[1]) with a new model, writes half a file, raises the flag
# (argv[2]) and then hangs inside torch.save until it is killed.
HANG_IN_SAVE = """
import sys, time, pathlib, torch
from distill_helpers import MLP, save_model
def half_then_hang(obj, f, *a, **k):
    f.write(b"PK\\x03\\x04 half a checkpoint"); f.flush()
    pathlib.Path(sys.argv[2]).touch()
    time.sleep(120)
torch.save = half_then_hang
torch.manual_seed(1)
save_model(MLP(hidden=(4,)), sys.argv[1], overwrite=True)
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "SIGTERM"])
def test_killed_during_a_save_keeps_the_old_file_and_the_next_save_cleans_up(tmp_path, sig):
    torch.manual_seed(0)
    old = MLP(hidden=(4,))
    path = save_model(old, tmp_path / "m.pt")
    proc = _child(HANG_IN_SAVE, str(path), str(tmp_path / "flag"))
    _wait_for(tmp_path / "flag", proc)
    proc.send_signal(sig)
    proc.wait(timeout=30)
    assert proc.returncode == -sig
    assert len(_temp_files(tmp_path)) == 1  # the dead writer's half file
    loaded = load_model(path)  # the old file is intact and verified
    assert all(torch.equal(loaded.state_dict()[k], v) for k, v in old.state_dict().items())
    new = MLP(hidden=(4,))
    save_model(new, path, overwrite=True)  # the next save of the same file removes the stale temp file
    assert _temp_files(tmp_path) == []
    assert torch.equal(load_model(path).state_dict()["net.2.weight"], new.state_dict()["net.2.weight"])


# Two writers of the same new file, overwrite=False. Each checks that the file is absent, then waits in
# torch.save until both have passed that check, so both try to publish: the race the old code lost.
RACE = """
import sys, time, pathlib, torch
from distill_helpers import MLP, save_model
path, me, other, seed = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3]), int(sys.argv[4])
real = torch.save
def wait_for_the_other(obj, f, *a, **k):
    me.touch()
    deadline = time.time() + 60
    while not other.exists() and time.time() < deadline:
        time.sleep(0.01)
    real(obj, f, *a, **k)
torch.save = wait_for_the_other
torch.manual_seed(seed)
model = MLP(hidden=(4,))
try:
    save_model(model, path, overwrite=False)
except FileExistsError as e:
    print("lost:", e)
    sys.exit(3)
print("won", float(model.state_dict()["net.2.weight"].sum()))
"""


def test_two_concurrent_writers_without_overwrite_exactly_one_wins(tmp_path):
    path = tmp_path / "m.pt"
    a = _child(RACE, str(path), str(tmp_path / "a"), str(tmp_path / "b"), "1")
    b = _child(RACE, str(path), str(tmp_path / "b"), str(tmp_path / "a"), "2")
    outs = [p.communicate(timeout=120) for p in (a, b)]
    codes = sorted(p.returncode for p in (a, b))
    assert codes == [0, 3], outs
    winner = next(o for o, p in zip(outs, (a, b)) if p.returncode == 0)[0]
    loser = next(o for o, p in zip(outs, (a, b)) if p.returncode == 3)[0]
    assert "already exists" in loser
    saved = float(load_model(path).state_dict()["net.2.weight"].sum())
    assert saved == pytest.approx(float(winner.split()[1]))  # the file is the winner's, whole
    assert _temp_files(tmp_path) == []


def test_byte_flipped_checkpoints_are_refused(tmp_path):
    torch.manual_seed(0)
    model = MLP(hidden=(6,))
    path = save_model(model, tmp_path / "m.pt", {"note": "original"})
    raw = path.read_bytes()
    ref = load_model(path)
    rng = random.Random(0)
    positions = rng.sample(range(len(raw)), 150)
    refused = same = 0
    for pos in positions:
        bad = bytearray(raw)
        bad[pos] ^= rng.randrange(1, 256)
        path.write_bytes(bytes(bad))
        try:
            got = load_model(path)
        except CheckpointError:
            refused += 1
            continue
        # a flip may hit a byte nothing reads (zip padding, a CRC the reader skips): then nothing changed
        assert got.config == ref.config and got.metadata == ref.metadata, pos
        assert all(torch.equal(got.state_dict()[k], v) for k, v in ref.state_dict().items()), pos
        same += 1
    assert refused > 0.5 * len(positions), (refused, same)  # the weights are most of the file


# A replicate child on tiny data that raises the flag when the students start, then trains "for ever".
# It restores Python's Ctrl-C handler first: a suite started with SIGINT ignored (a background job of a
# non-interactive shell) hands SIG_IGN down to its children, and Python then installs no handler of its own.
INTERRUPT_REPLICATE = """
import signal
signal.signal(signal.SIGINT, signal.default_int_handler)
import sys, time, pathlib
from conftest import use_tiny_datasets
import distill_helpers.cli as cli
use_tiny_datasets()
flag = pathlib.Path(sys.argv[1])
real = cli.get_student
def slow_student(*a, **k):
    flag.touch()
    time.sleep(120)
cli.get_student = slow_student
sys.exit(cli.main(sys.argv[2:]))
"""


def _tiny_args(out: Path, root: Path) -> list[str]:
    return ["replicate", "--out", str(out), "--root", str(root), "--seeds", "1", "--teacher-epochs", "1",
            "--epochs", "1", "--hidden", "8", "--batch-size", "32", "--no-progress"]


def _snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_ctrl_c_during_replicate_one_line_exit_130_and_a_rerun_works(tmp_path, monkeypatch):
    import conftest
    out, root = tmp_path / "out", tmp_path / "data"
    conftest.use_tiny_datasets(monkeypatch)
    assert main(_tiny_args(out, root)) == 0
    before = _snapshot(out)
    proc = _child(INTERRUPT_REPLICATE, str(tmp_path / "flag"), *_tiny_args(out, root), "--overwrite")
    _wait_for(tmp_path / "flag", proc)
    proc.send_signal(signal.SIGINT)
    try:
        stdout, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("the child ignored Ctrl-C (SIGINT) for 60 s") from None
    assert proc.returncode == 130, stderr
    assert stderr.count("\n") == 1 and stderr.startswith("interrupted:") and "Traceback" not in stderr, stderr
    assert "nothing in" in stderr and "was changed" in stderr
    assert _snapshot(out) == before  # the previous set is intact
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "flag", "out"]  # no staging folder left
    assert main(_tiny_args(out, root) + ["--overwrite"]) == 0  # a rerun works
    assert _snapshot(out) != before and sorted(_snapshot(out)) == sorted(before)


def test_a_save_failing_half_way_through_replicate_overwrite_keeps_the_old_set(tmp_path, monkeypatch, capsys):
    import conftest
    import distill_helpers.cli as cli
    out, root = tmp_path / "out", tmp_path / "data"
    conftest.use_tiny_datasets(monkeypatch)
    assert main(_tiny_args(out, root)) == 0
    (out / "notes.txt").write_text("the user's own file")  # another file in the folder is kept too
    before = _snapshot(out)
    calls = []
    real = cli.save_model

    def fail_on_second(model, path, *a, **k):
        calls.append(Path(path).name)
        if len(calls) == 2:  # teacher.pt written, a student's file fails: the old code left a mixed set
            raise OSError(28, "No space left on device")
        return real(model, path, *a, **k)
    monkeypatch.setattr(cli, "save_model", fail_on_second)
    capsys.readouterr()
    assert main(_tiny_args(out, root) + ["--overwrite"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "No space left" in err and err.count("\n") == 1
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]
    monkeypatch.setattr(cli, "save_model", real)
    assert main(_tiny_args(out, root) + ["--overwrite"]) == 0
    after = _snapshot(out)
    assert after["notes.txt"] == b"the user's own file" and after["teacher.pt"] != before["teacher.pt"]


# Two processes ask an empty cache for the same model at once. The training announces itself with a file
# per process and takes a moment; the lock makes the second process wait and load the first one's model.
CACHE_RACE = """
import os, sys, time, pathlib, torch
from distill_helpers import MLP
from distill_helpers.train import cached_model
root, log = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
(log / f"started-{os.getpid()}").touch()
while len(list(log.glob("started-*"))) < 2:  # both processes are up before either asks the cache
    time.sleep(0.01)
def build_and_train():
    (log / f"trained-{os.getpid()}").touch()
    time.sleep(1.0)
    torch.manual_seed(os.getpid())
    return MLP(hidden=(4,), num_classes=3), {"epoch": [1]}
model = cached_model({"role": "race", "hidden": [4]}, build_and_train, root)
print(float(model.state_dict()["net.2.weight"].sum()))
"""


def test_two_processes_on_an_empty_cache_train_once(tmp_path):
    log = tmp_path / "log"
    log.mkdir()
    procs = [_child(CACHE_RACE, str(tmp_path / "root"), str(log)) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert len(list(log.glob("trained-*"))) == 1  # the second process waited and loaded
    assert outs[0][0] == outs[1][0]  # both got the same weights


def test_overwriting_a_consistent_set_with_a_paper_set_leaves_no_stale_control(tmp_path, monkeypatch):
    # The consistent recipe writes student_control.pt, the paper recipe does not. Replacing one set with the
    # other in a folder that also holds the user's files must not leave the old control beside the new set.
    import conftest
    out, root = tmp_path / "out", tmp_path / "data"
    conftest.use_tiny_datasets(monkeypatch)
    assert main(_tiny_args(out, root) + ["--recipe", "consistent"]) == 0
    assert (out / "student_control.pt").exists()
    (out / "notes.txt").write_text("the user's own file")
    assert main(_tiny_args(out, root) + ["--overwrite"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "results.json", "student_distilled.pt",
                                                      "student_scratch.pt", "teacher.pt"]
    assert (out / "notes.txt").read_text() == "the user's own file"
