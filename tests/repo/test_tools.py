"""Full-MNIST replicate on generated IDX files, the doctor command, and tools/gpu_check.py rehearsed on the CPU."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from distill_helpers import load_model
from distill_helpers.cli import main
from distill_helpers.classroom.doctor import checks, read_pins

ROOT = Path(__file__).resolve().parents[2]


def _fake_mnist(root: Path, n_train=60, n_test=20) -> None:
    """MNIST's four IDX files (the format torchvision reads), with simple learnable digits."""
    from conftest import write_idx
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    g = torch.Generator().manual_seed(0)
    for split, n in (("train", n_train), ("t10k", n_test)):
        y = torch.arange(n) % 10
        X = torch.randint(0, 40, (n, 28, 28), generator=g)
        for i, c in enumerate(y.tolist()):  # each class lights a band of two rows
            X[i, 2 + 2 * c:4 + 2 * c, 4:24] = 255
        write_idx(raw / f"{split}-images-idx3-ubyte", X)
        write_idx(raw / f"{split}-labels-idx1-ubyte", y)


def test_replicate_full_mnist_setting_on_generated_idx_files(tmp_path, capsys):
    _fake_mnist(tmp_path)
    out = tmp_path / "run"
    assert main(["replicate", "--dataset", "mnist", "--root", str(tmp_path), "--out", str(out), "--seeds", "1",
                 "--teacher-epochs", "1", "--epochs", "1", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "dataset mnist: 60 train / 20 test" in printed
    res = json.loads((out / "results.json").read_text())
    assert res["config"]["dataset"] == "mnist" and res["config"]["hidden"] == [800, 800]  # the paper's student
    teacher = load_model(out / "teacher.pt")
    cached = [load_model(p) for p in (tmp_path / "cache").glob("teacher-*.pt")]
    assert cached and cached[0].metadata["cache_config"]["augment_shift"] == 2  # inputs jittered by up to 2 px
    assert not teacher.training
    assert res["runs"]["teacher"][0]["n"] == 20


def test_download_is_explicit_and_a_failed_one_says_what_to_do(tmp_path, capsys, monkeypatch):
    assert main(["replicate", "--dataset", "mnist", "--root", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    assert "--download" in capsys.readouterr().err  # without --download nothing is fetched (the CLI's own fix)
    import torchvision.datasets as tvd
    monkeypatch.setattr(tvd.MNIST, "mirrors", ["http://127.0.0.1:9/"])  # nothing listens on port 9
    assert main(["replicate", "--dataset", "mnist", "--download", "--root", str(tmp_path),
                 "--out", str(tmp_path / "o")]) == 1  # a failure during the run, not a usage error
    err = capsys.readouterr().err
    assert err.startswith("error:") and "could not download" in err and "mnist5k" in err


def test_doctor_reports_each_check_with_a_fix(tmp_path, capsys):
    pins = tmp_path / "requirements.txt"
    pins.write_text("# comment\ntorch==0.0.1\nnot-a-real-package-xyz==1.0\n-e .\n")
    assert read_pins(pins) == {"torch": "0.0.1", "not-a-real-package-xyz": "1.0"}
    rows = {what: (status, found, fix) for status, what, found, fix in checks(tmp_path, read_pins(pins))}
    assert rows["torch"][0] == "warn" and "pip install torch==0.0.1" in rows["torch"][2]
    assert rows["not-a-real-package-xyz"][1] == "not installed"
    assert rows["model cache"][1] == "cold" and "replicate" in rows["model cache"][2]
    assert rows["device (auto)"][0] == "ok"
    assert main(["doctor", "--root", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for what in ("python", "torch", "device (auto)", "model cache", "chromium"):
        assert what in out


def test_gpu_check_rehearses_on_the_cpu(tmp_path, mnist5k):
    # The script the maintainer runs once on a GPU machine, here on the CPU in its fast mode, in an
    # environment like that machine's: no mlxtend, no Jupyter packages (imports of them fail).
    blocker = tmp_path / "blocked"
    for name in ("mlxtend", "ipywidgets", "nbclient", "nbformat", "ipykernel", "playwright"):
        (blocker / name).mkdir(parents=True)
        (blocker / name / "__init__.py").write_text(f"raise ImportError('{name} is not installed here')\n")
    env = {**os.environ, "PYTHONPATH": f"{blocker}{os.pathsep}{ROOT}"}
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "tools/gpu_check.py", "--device", "cpu", "--fast", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=900, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    text = (out / "gpu_check.txt").read_text()
    assert "unit tests on cpu:" in text and " 0 failed, 0 errors" in text
    assert "student_distilled" in text and "no float64 on cpu" in text and "torchrun 1 process" in text
    assert text.rstrip().splitlines()[-1].startswith("gpu_check PASSED")
    res = json.loads((out / "gpu_check.json").read_text())
    assert res["unit_tests"]["passed"] >= 8
    # same device, same seeds: the two CPU runs must agree exactly, far inside the tolerance
    r = res["replicate"]
    assert r["cpu"]["student_distilled"]["accuracy"] == r["dev_fp32"]["student_distilled"]["accuracy"]


def test_gpu_check_without_the_device_fails_clearly():
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    proc = subprocess.run([sys.executable, "tools/gpu_check.py"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "no CUDA GPU" in proc.stderr and "--device cpu" in proc.stderr


def test_the_cpu_requirements_pin_the_same_releases_as_the_main_file():
    # issue 24 item 3: requirements-cpu.txt installs PyTorch's CPU wheels of the pinned releases on Linux
    # x86_64 and is requirements.txt everywhere else. Checked with `packaging`, pip's own version logic.
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    lines = [ln.split("#")[0].strip() for ln in (ROOT / "requirements-cpu.txt").read_text().splitlines()]
    lines = [ln for ln in lines if ln]
    assert "-r requirements.txt" in lines
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines
    reqs = {r.name: r for r in (Requirement(ln) for ln in lines if not ln.startswith("-"))}
    pins = read_pins(ROOT / "requirements.txt")
    assert set(reqs) == {"torch", "torchvision"}
    linux = {**default_environment(), "sys_platform": "linux", "platform_machine": "x86_64"}
    for name, req in reqs.items():
        (spec,) = req.specifier
        assert spec.operator == "==" and spec.version == f"{pins[name]}+cpu"
        # requirements.txt's pin accepts the CPU build, so `-r requirements.txt` keeps it (no second torch)
        from packaging.specifiers import SpecifierSet
        assert SpecifierSet(f"=={pins[name]}").contains(spec.version)
        assert req.marker.evaluate(linux)
        for other in ({"sys_platform": "darwin", "platform_machine": "arm64"},
                      {"sys_platform": "win32", "platform_machine": "AMD64"},
                      {"sys_platform": "linux", "platform_machine": "aarch64"}):
            assert not req.marker.evaluate({**linux, **other})  # PyPI's wheel is a CPU build there already


def test_doctor_warns_about_a_cuda_build_without_a_gpu(tmp_path, monkeypatch):
    import torch
    monkeypatch.setattr(torch.version, "cuda", "13.0")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    rows = {what: (status, found, fix) for status, what, found, fix in checks(tmp_path, {})}
    assert rows["torch build"][0] == "warn" and "no GPU" in rows["torch build"][1]
    assert "requirements-cpu.txt" in rows["torch build"][2] and (ROOT / "requirements-cpu.txt").is_file()
    monkeypatch.setattr(torch.version, "cuda", None)  # a CPU build: nothing to say
    assert "torch build" not in {what for _, what, _, _ in checks(tmp_path, {})}


def test_build_notebooks_prints_its_usage_and_refuses_what_it_cannot_build():
    # before: --help was taken for a notebook filter and the tool built nothing, silently
    def run(*args):
        return subprocess.run([sys.executable, str(ROOT / "tools" / "build_notebooks.py"), *args],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
    usage = run("--help")
    assert usage.returncode == 0 and "--metadata-only" in usage.stdout and "--zh-status" in usage.stdout
    bogus = run("--bogus", "01")
    assert bogus.returncode == 2 and "unknown option '--bogus'" in bogus.stderr and bogus.stdout == ""
    missing = run("--metadata-only", "99")
    assert missing.returncode == 2 and "no notebook source starts with '99'" in missing.stderr
    assert run("--zh-status", "--lang", "zh", "01").returncode == 0  # a value of --lang is not a notebook name
