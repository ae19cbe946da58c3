"""The replicate command, on a shrunken configuration so it runs in seconds."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from distill_helpers import load_model
from distill_helpers.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_help_explains_every_option():
    out = subprocess.run([sys.executable, "-m", "distill_helpers", "replicate", "--help"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    for opt in ("--dataset", "--out", "--seeds", "--epochs", "--teacher-epochs", "--T", "--alpha", "--hidden",
                "--overwrite", "--device", "--no-progress"):
        assert opt in out
    assert "SOFT" in out  # the alpha convention is stated


def test_replicate_small_run_writes_loadable_models(tmp_path, capsys, mnist5k, monkeypatch):
    out = tmp_path / "run"
    args = ["replicate", "--out", str(out), "--seeds", "2", "--teacher-epochs", "1", "--epochs", "2",
            "--hidden", "16", "--no-progress", "--root", str(ROOT / "data")]
    assert main(args) == 0
    printed = capsys.readouterr().out
    for name in ("teacher", "student_scratch", "student_distilled", "errors", "accuracy %", "params", "±"):
        assert name in printed
    res = json.loads((out / "results.json").read_text())
    assert len(res["runs"]["student_distilled"]) == 2 and len(res["runs"]["teacher"]) == 1
    r = res["runs"]["student_scratch"][0]
    assert r["errors"] == round((1 - r["accuracy"]) * r["n"])
    # pitfall 8: every seed is reported, and each figure is the LAST epoch's model, not the best epoch's
    for rr in res["runs"]["student_scratch"] + res["runs"]["student_distilled"]:
        assert len(rr["history"]["test_acc"]) == 2
        assert rr["accuracy"] == pytest.approx(rr["history"]["test_acc"][-1], abs=1e-6)
    assert [rr["seed"] for rr in res["runs"]["student_distilled"]] == [0, 1]
    for name in ("teacher", "student_scratch", "student_distilled"):
        m = load_model(out / f"{name}.pt")
        assert not m.training
    # a second run refuses to overwrite the user's results
    capsys.readouterr()
    assert main(args) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_bad_input_gives_one_clear_line(tmp_path, capsys):
    assert main(["replicate", "--dataset", "mnist", "--root", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "download=True" in err and "Traceback" not in err
    assert main(["replicate", "--T", "0", "--out", str(tmp_path / "o2"), "--teacher-epochs", "1", "--epochs", "1",
                 "--seeds", "1", "--no-progress", "--root", str(ROOT / "data")]) == 2
    assert "temperature" in capsys.readouterr().err
