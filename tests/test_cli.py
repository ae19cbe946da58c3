"""The replicate command, on a shrunken configuration so it runs in seconds."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from distill_helpers import accuracy, load_model, load_splits, predict_logits
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
        assert len(rr["history"]["val_acc"]) == 2  # trained with a validation split, one entry per epoch
        assert not any("test" in k for k in rr["history"])  # the test set is scored once, not per epoch
    assert [rr["seed"] for rr in res["runs"]["student_distilled"]] == [0, 1]
    _, val, _ = load_splits("mnist5k", ROOT / "data")
    for name in ("teacher", "student_scratch", "student_distilled"):
        m = load_model(out / f"{name}.pt")
        assert not m.training
        if name != "teacher":  # the saved model is the LAST epoch's: its validation accuracy is the last logged
            hist = res["runs"][name][0]["history"]
            assert accuracy(predict_logits(m, val.tensors[0]), val.tensors[1]) == pytest.approx(hist["val_acc"][-1],
                                                                                                abs=1e-6)
    # a second run refuses to overwrite the user's results
    with pytest.raises(SystemExit, match="--overwrite"):
        main(args)


def test_bad_input_gives_one_clear_line(tmp_path, capsys):
    assert main(["replicate", "--dataset", "mnist", "--root", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "download=True" in err and "Traceback" not in err
    assert main(["replicate", "--T", "0", "--out", str(tmp_path / "o2"), "--teacher-epochs", "0", "--epochs", "0",
                 "--seeds", "1", "--no-progress", "--root", str(ROOT / "data")]) == 2
    assert "temperature" in capsys.readouterr().err
