"""The replicate command, on a shrunken configuration so it runs in seconds."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from distill_helpers import accuracy, load_model, load_splits, predict_logits
from distill_helpers.cli import main

ROOT = Path(__file__).resolve().parents[2]


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
    capsys.readouterr()
    assert main(args) == 2
    assert "--overwrite" in capsys.readouterr().err


def test_bad_input_gives_one_clear_line(tmp_path, capsys):
    assert main(["replicate", "--dataset", "mnist", "--root", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "--download" in err and "Traceback" not in err
    assert main(["replicate", "--T", "0", "--out", str(tmp_path / "o2"), "--teacher-epochs", "1", "--epochs", "1",
                 "--seeds", "1", "--no-progress", "--root", str(ROOT / "data")]) == 2
    assert "temperature" in capsys.readouterr().err


# ---------------------------------------------------------------- issue 14: options checked before any work

@pytest.fixture
def no_training(monkeypatch):
    """Make any training or dataset loading fail the test: validation must come first."""
    import distill_helpers.cli as cli

    def trained(*a, **k):
        raise AssertionError("work started before the options were checked")
    for name in ("get_teacher", "get_student", "load_dataset"):
        monkeypatch.setattr(cli, name, trained)


def _read_only_folder(tmp_path):
    """A folder this process cannot write into (chmod when not root; a sysfs folder when root)."""
    import os
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    if not os.access(ro, os.W_OK):
        return ro
    try:  # root writes through permissions; sysfs refuses new folders even to root
        (Path("/sys/fs") / "distill-probe").mkdir()
    except OSError:
        return Path("/sys/fs")
    pytest.skip("no read-only folder available to this user")


@pytest.mark.parametrize("extra, names", [
    (["--T", "0"], "--T"), (["--T", "1e30"], "--T"), (["--T", "nan"], "--T"), (["--alpha", "1.5"], "--alpha"),
    (["--alpha", "nan"], "--alpha"), (["--hidden", "0"], "--hidden"), (["--hidden", "16", "-1"], "--hidden"),
    (["--lr", "inf"], "--lr"), (["--lr", "0"], "--lr"), (["--lr", "nan"], "--lr"),
    (["--epochs", "0"], "--epochs must"), (["--teacher-epochs", "0"], "--teacher-epochs must"),
    (["--seeds", "0"], "--seeds"), (["--batch-size", "0"], "--batch-size"),
])
def test_every_bad_option_is_refused_before_any_training(tmp_path, capsys, no_training, extra, names):
    code = main(["replicate", "--out", str(tmp_path / "o"), "--root", str(tmp_path / "d"), "--no-progress", *extra])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error:") and names in err and err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_epoch_errors_say_which_option(tmp_path, capsys, no_training):
    main(["replicate", "--out", str(tmp_path / "o"), "--epochs", "0"])
    assert "--epochs must" in capsys.readouterr().err
    main(["replicate", "--out", str(tmp_path / "o"), "--teacher-epochs", "0"])
    assert "--teacher-epochs must" in capsys.readouterr().err


def test_unusable_paths_are_refused_before_any_training(tmp_path, capsys, no_training):
    a_file = tmp_path / "afile"
    a_file.write_text("not a folder")
    ro = _read_only_folder(tmp_path)
    for extra, what in [(["--out", str(a_file)], "--out"), (["--root", str(a_file)], "--root"),
                        (["--out", str(ro / "out")], "--out"), (["--root", str(ro)], "--root")]:
        args = ["replicate", "--out", str(tmp_path / "o"), "--root", str(tmp_path / "d"), *extra]
        assert main(args) == 2, extra
        err = capsys.readouterr().err
        assert err.startswith("error:") and what in err and err.count("\n") == 1, err


def test_usage_errors_share_one_exit_status(tmp_path, capsys, no_training):
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "results.json").write_text("{}")
    assert main(["replicate", "--out", str(tmp_path / "o")]) == 2  # clash: was exit 1
    assert main(["replicate", "--out", str(tmp_path / "x"), "--seeds", "0"]) == 2  # was exit 1
    with pytest.raises(SystemExit) as e:  # argparse's own errors (not a number) use the same status
        main(["replicate", "--T", "hot"])
    assert e.value.code == 2
    assert (tmp_path / "o" / "results.json").read_text() == "{}"


def test_validate_args_serves_any_subcommand(tmp_path):
    import argparse
    from distill_helpers.cli import UsageError, validate_args
    validate_args(argparse.Namespace(root=str(tmp_path), T=2.0))  # only the options present are checked
    (tmp_path / "f").write_text("x")
    with pytest.raises(UsageError, match="--root .* is a file"):
        validate_args(argparse.Namespace(root=str(tmp_path / "f"), other=1))


def test_an_oserror_during_the_run_is_one_line_and_the_old_results_stay(tmp_path, capsys, monkeypatch, tiny_cli):
    out = tmp_path / "o"
    assert main(tiny_cli(out)) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    import distill_helpers.cli as cli

    def disk_full(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(cli, "atomic_write_text", disk_full)
    capsys.readouterr()
    assert main(tiny_cli(out) + ["--overwrite"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "No space left" in err and err.count("\n") == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d", "o"]  # the staging folder is gone


# ---------------------------------------------------------------- issue 24 item 5: every CLI error is one line with its fix

def _one_error_line(err: str) -> str:
    assert err.startswith("error:") and err.count("\n") == 1 and "Traceback" not in err and "usage:" not in err, err
    return err


def test_an_unknown_choice_is_one_line_naming_the_choices(capsys):
    for argv, names in ((["replicate", "--dataset", "nope"], "mnist5k"), (["replicate", "--T", "hot"], "--T"),
                        (["nope"], "replicate"), (["replicate", "--bogus"], "--bogus")):
        with pytest.raises(SystemExit) as e:
            main(argv)
        assert e.value.code == 2
        err = _one_error_line(capsys.readouterr().err)
        assert names in err and "--help" in err


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_a_folder_that_exists_but_refuses_files_is_named_so(tmp_path, capsys, no_training):
    for extra, folder in ((["--out", "/proc/x"], "'/proc' exists"), (["--out", "/proc/x/y"], "'/proc' exists"),
                          (["--root", "/proc/x"], "'/proc' exists")):
        assert main(["replicate", "--out", str(tmp_path / "o"), "--root", str(tmp_path / "d"), *extra]) == 2
        err = _one_error_line(capsys.readouterr().err)
        assert folder in err and "No such file" not in err, err


def test_a_missing_dataset_tells_a_command_line_user_to_add_download(tmp_path, capsys):
    assert main(["replicate", "--dataset", "mnist", "--root", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    err = _one_error_line(capsys.readouterr().err)
    assert "add --download" in err and "load_dataset(" not in err and "mnist5k" in err


def test_help_says_each_default_once():
    out = subprocess.run([sys.executable, "-m", "distill_helpers", "replicate", "--help"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert "(default: None)" not in out
    assert "(default: 3)" in out  # the other options still show theirs (--seeds)


def test_stray_rank_variables_without_torchrun_are_refused_before_any_work(tmp_path, capsys, no_training,
                                                                          monkeypatch):
    monkeypatch.delenv("MASTER_ADDR", raising=False)
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert main(["replicate", "--out", str(tmp_path / "o"), "--root", str(tmp_path / "d")]) == 2
    err = _one_error_line(capsys.readouterr().err)
    assert "RANK=1" in err and "torchrun" in err and "unset" in err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", "inf"])
def test_a_bad_ddp_timeout_is_a_usage_error_naming_the_variable(tmp_path, capsys, no_training, monkeypatch, value):
    monkeypatch.setenv("DISTILL_DDP_TIMEOUT_S", value)
    assert main(["replicate", "--out", str(tmp_path / "o"), "--root", str(tmp_path / "d")]) == 2
    err = _one_error_line(capsys.readouterr().err)
    assert f"DISTILL_DDP_TIMEOUT_S={value!r}" in err and "seconds" in err


def test_a_new_out_folder_gets_the_usual_permissions(tmp_path, tiny_cli):
    import os
    import stat
    old = os.umask(0o022)
    try:
        assert main(tiny_cli(tmp_path / "new")) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new").stat().st_mode) == 0o755
    assert stat.S_IMODE((tmp_path / "new" / "results.json").stat().st_mode) == 0o644


def test_replicate_the_consistent_recipe_writes_four_loadable_models(tmp_path, capsys, tiny_cli):
    out = tmp_path / "consistent"
    assert main(tiny_cli(out) + ["--recipe", "consistent"]) == 0
    printed = capsys.readouterr().out
    for name in ("teacher", "student_scratch", "student_control", "student_distilled", "student_control.pt"):
        assert name in printed
    res = json.loads((out / "results.json").read_text())
    assert res["recipe"] == "consistent" and set(res["runs"]) == {"teacher", "student_scratch", "student_control",
                                                                 "student_distilled"}
    _, val, _ = load_splits("mnist5k", tmp_path / "d")
    for name in ("teacher", "student_scratch", "student_control", "student_distilled"):
        m = load_model(out / f"{name}.pt")
        assert not m.training
        if name in ("student_control", "student_distilled"):  # the saved model is the last epoch's
            hist = res["runs"][name][0]["history"]
            assert accuracy(predict_logits(m, val.tensors[0]), val.tensors[1]) == pytest.approx(hist["val_acc"][-1],
                                                                                                abs=1e-6)
    assert load_model(out / "student_distilled.pt").metadata["recipe"] == "consistent"
