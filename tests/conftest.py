import functools
import os
import struct
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")


def write_idx(path, arr: torch.Tensor):
    """arr written as an IDX file of unsigned bytes, the format of the MNIST files torchvision reads."""
    dims = arr.shape
    code = 0x08  # unsigned byte
    with open(path, "wb") as f:
        f.write(struct.pack(">HBB", 0, code, len(dims)))
        for d in dims:
            f.write(struct.pack(">I", d))
        f.write(arr.to(torch.uint8).numpy().tobytes())


@functools.lru_cache(maxsize=None)
def committed_text(path) -> str:
    """The text of a repository file as git holds it for the next commit (HEAD's, or the copy staged with
    `git add`), never the working copy: a learner who runs a notebook and saves it changes only the working
    copy, so no test that reads notebooks depends on it. An untracked file, or a tree outside git (an
    unpacked archive), is read as it is."""
    path = Path(path).resolve()
    try:
        rel = path.relative_to(ROOT).as_posix()
        r = subprocess.run(["git", "-C", str(ROOT), "show", f":{rel}"], capture_output=True, check=True,
                           timeout=60)
    except (ValueError, OSError, subprocess.SubprocessError):
        return path.read_text()
    return r.stdout.decode("utf-8")


@pytest.fixture(scope="session")
def mnist5k():
    """The embedded dataset, cached under the repository's data/ folder."""
    from distill_helpers import load_dataset
    return load_dataset("mnist5k", ROOT / "data")


@pytest.fixture
def small_data():
    """A tiny synthetic 3-class image problem that trains in well under a second."""
    g = torch.Generator().manual_seed(0)
    y = torch.arange(120) % 3
    X = torch.rand(120, 1, 28, 28, generator=g) * 0.3
    for c in range(3):  # each class lights up its own band of rows
        X[y == c, :, 8 * c:8 * c + 6, :] += 0.7
    return torch.utils.data.TensorDataset(X.clamp(0, 1), y)


def tiny_datasets(n_train: int = 60, n_test: int = 20):
    """(train, test) of a tiny 3-class MNIST-shaped problem: stands in for load_dataset in fast CLI tests."""
    from torch.utils.data import TensorDataset
    g = torch.Generator().manual_seed(0)
    out = []
    for n in (n_train, n_test):
        y = torch.arange(n) % 3
        X = torch.rand(n, 1, 28, 28, generator=g) * 0.3
        for c in range(3):
            X[y == c, :, 8 * c:8 * c + 6, :] += 0.7
        out.append(TensorDataset(X.clamp(0, 1), y))
    return tuple(out)


def use_tiny_datasets(monkeypatch=None) -> None:
    """Route load_dataset in the CLI and the training recipes to tiny_datasets (in this process)."""
    import distill_helpers.cli as cli
    import distill_helpers.train as train

    def fake(name="mnist5k", root="data", download=False):
        return tiny_datasets()
    for mod in (cli, train):
        if monkeypatch is not None:
            monkeypatch.setattr(mod, "load_dataset", fake)
        else:
            mod.load_dataset = fake


@pytest.fixture
def tiny_cli(monkeypatch, tmp_path):
    """Arguments for a replicate run that takes about a second: tiny data, one epoch, small models."""
    use_tiny_datasets(monkeypatch)

    def args(out):
        return ["replicate", "--out", str(out), "--root", str(tmp_path / "d"), "--seeds", "1",
                "--teacher-epochs", "1", "--epochs", "1", "--hidden", "8", "--batch-size", "32", "--no-progress"]
    return args
