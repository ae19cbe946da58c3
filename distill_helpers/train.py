"""Training loops: plain training on labels, and distillation from a frozen teacher."""
from __future__ import annotations

import contextlib
import hashlib
import math
import json
import random
import time
import warnings
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import TensorDataset

from .checks import check_dataset, check_training_settings
from .checkpoints import CheckpointError, load_model, save_model, weights_are_finite
from .data import load_dataset, dataset_info
from .losses import check_alpha, check_temperature, kd_loss
from .models import build_model, student_config, teacher_config
from .safeio import file_lock

__all__ = ["set_seed", "resolve_device", "predict_logits", "iterate_batches", "random_shift",
           "train_model", "distill", "get_teacher", "get_student", "cached_model", "sweep_T_alpha", "CACHE_VERSION"]

#: Bump when training code changes in a way that makes old cached models stale.
CACHE_VERSION = 2


def set_seed(seed: int) -> None:
    """Seed Python, torch (and numpy when present) so a run repeats exactly on the same machine."""
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy as np
        np.random.seed(seed)
    except ImportError:  # pragma: no cover
        pass


def resolve_device(device: str | torch.device | None = "cpu") -> torch.device:
    """'cpu' (default), 'cuda' (must be available) or 'auto' (cuda if available)."""
    if device is None or device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda' was asked for but no CUDA GPU is available; use device='cpu'")
    return device


def _tensors(data) -> tuple[torch.Tensor, torch.Tensor]:
    if isinstance(data, TensorDataset):
        return data.tensors[0], data.tensors[1]
    if isinstance(data, (tuple, list)) and len(data) == 2:
        return data[0], data[1]
    raise ValueError("data must be a TensorDataset from load_dataset or a tuple (X, y) of tensors")


@torch.no_grad()
def predict_logits(model: nn.Module, X: torch.Tensor, batch_size: int = 256,
                   device: str | torch.device = "cpu") -> torch.Tensor:
    """Logits of `model` in eval mode for all of X, on the CPU. The model's mode is restored after."""
    was_training = model.training
    model.eval()
    device = torch.device(device)
    out = [model(X[i:i + batch_size].to(device)).float().cpu() for i in range(0, len(X), batch_size)]
    model.train(was_training)
    return torch.cat(out) if out else torch.empty(0)


def iterate_batches(n: int, batch_size: int, generator: torch.Generator, *tensors: torch.Tensor):
    """Shuffle once with `generator` and yield the same rows of every tensor: alignment by construction."""
    perm = torch.randperm(n, generator=generator)
    for i in range(0, n, batch_size):
        idx = perm[i:i + batch_size]
        yield tuple(t[idx] for t in tensors)


def random_shift(max_shift: int = 2) -> Callable[[torch.Tensor, torch.Generator], torch.Tensor]:
    """Augmentation: translate each image by up to `max_shift` pixels (the paper jittered inputs by 2 px)."""
    def shift(X: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        B, C, H, W = X.shape
        s = max_shift
        padded = F.pad(X, (s, s, s, s))
        dy = torch.randint(0, 2 * s + 1, (B,), generator=generator)
        dx = torch.randint(0, 2 * s + 1, (B,), generator=generator)
        rows = (dy[:, None] + torch.arange(H))[:, :, None]  # (B, H, 1)
        cols = (dx[:, None] + torch.arange(W))[:, None, :]  # (B, 1, W)
        out = padded[torch.arange(B)[:, None, None], :, rows, cols]  # (B, H, W, C)
        return out.permute(0, 3, 1, 2).contiguous()
    return shift


def _progress(total: int, desc: str, enabled: bool, unit: str = "epoch"):
    if not enabled:
        return None
    from tqdm.auto import tqdm
    return tqdm(total=total, desc=desc, unit=unit, leave=True)


def _fit(model: nn.Module, X: torch.Tensor, y: torch.Tensor, batch_loss: Callable, extra: tuple,
         test, epochs: int, lr: float, batch_size: int, seed: int, device, progress: bool, desc: str,
         augment=None) -> dict:
    epochs, lr, batch_size, seed = check_training_settings(epochs, lr, batch_size, seed)
    check_dataset(X, y, model)
    device = resolve_device(device)
    model.to(device)
    torch.manual_seed(seed)  # dropout masks
    gen = torch.Generator().manual_seed(seed)  # batch order and augmentation
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    steps = epochs * -(-len(X) // batch_size)
    # Cosine decay to zero: the last epoch is stable, so it can be reported as is (no best-epoch picking).
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 0.5 * (1 + math.cos(math.pi * min(k, steps) / max(steps, 1))))
    X_test, y_test = _tensors(test) if test is not None else (None, None)
    if test is not None:
        check_dataset(X_test, y_test, model, "test set")
    history = {"epoch": [], "train_loss": [], "train_acc": [], "test_acc": [], "test_loss": [], "time_s": []}
    bar = _progress(epochs, desc, progress)
    for epoch in range(1, epochs + 1):
        model.train()
        t0 = time.perf_counter()
        loss_sum, correct, seen = 0.0, 0, 0
        for batch in iterate_batches(len(X), batch_size, gen, X, y, *extra):
            xb, yb, *rest = (t.to(device) for t in batch)
            if augment is not None:
                xb = augment(xb, gen)
            logits = model(xb)
            loss = batch_loss(logits, yb, xb, *rest)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(yb)
            correct += (logits.argmax(1) == yb).sum().item()
            seen += len(yb)
        history["epoch"].append(epoch)
        history["train_loss"].append(loss_sum / max(seen, 1))
        history["train_acc"].append(correct / max(seen, 1))
        history["time_s"].append(time.perf_counter() - t0)
        if X_test is not None:
            test_logits = predict_logits(model, X_test, device=device)
            history["test_acc"].append((test_logits.argmax(1) == y_test).float().mean().item())
            history["test_loss"].append(F.cross_entropy(test_logits, y_test).item())  # shows overfitting
        if bar is not None:
            post = {"loss": f"{history['train_loss'][-1]:.4f}"}
            if history["test_acc"]:
                post["test_acc"] = f"{history['test_acc'][-1]:.4f}"
            bar.set_postfix(post)
            bar.update(1)
    if bar is not None:
        bar.close()
    model.eval()
    return history


def train_model(model: nn.Module, train, test=None, *, epochs: int = 10, lr: float = 1e-3,
                batch_size: int = 64, seed: int = 0, device="cpu", progress: bool = True,
                augment=None) -> dict:
    """Train on hard labels (Adam, cosine learning-rate decay, cross-entropy); return the per-epoch history (lists)."""
    X, y = _tensors(train)
    return _fit(model, X, y, lambda logits, yb, xb: F.cross_entropy(logits, yb), (), test, epochs, lr,
                batch_size, seed, device, progress, "train", augment)


def distill(student: nn.Module, teacher: nn.Module, train, test=None, *, T: float = 4.0,
            alpha: float = 0.9, epochs: int = 10, lr: float = 1e-3, batch_size: int = 64, seed: int = 0,
            device="cpu", progress: bool = True, cache_teacher_logits: bool = True, augment=None,
            teacher_logits: torch.Tensor | None = None) -> dict:
    """Train `student` on kd_loss against a frozen `teacher` (eval mode, no gradients).

    Without augmentation the teacher's logits are computed once and shuffled together with the
    inputs, so an epoch costs about what a plain epoch costs. Pass `teacher_logits` (the teacher's
    logits for every training row, in order) to reuse them across several students.
    """
    T, alpha = check_temperature(T), check_alpha(alpha)
    if student is teacher:
        raise ValueError("student and teacher are the same model: distillation needs a separate student")
    if teacher_logits is not None and (augment is not None or not cache_teacher_logits):
        raise ValueError("teacher_logits can only be reused without augmentation and with "
                         "cache_teacher_logits=True: augmented inputs need the teacher run on every batch")
    X, y = _tensors(train)
    check_dataset(X, y, student)  # before the teacher sees the data
    device = resolve_device(device)
    teacher.to(device).eval()
    flags = [p.requires_grad for p in teacher.parameters()]
    for p in teacher.parameters():
        p.requires_grad_(False)
    try:
        if cache_teacher_logits and augment is None:
            if teacher_logits is not None and teacher_logits.shape[0] != len(X):
                raise ValueError(f"teacher_logits has {teacher_logits.shape[0]} rows but the training set has "
                                 f"{len(X)}: pass predict_logits(teacher, X) for the same X, in the same order")
            t_logits = teacher_logits if teacher_logits is not None else predict_logits(teacher, X, device=device)
            loss = lambda logits, yb, xb, tb: kd_loss(logits, tb, yb, T, alpha)  # noqa: E731
            extra = (t_logits,)
        else:
            def loss(logits, yb, xb):
                with torch.no_grad():
                    tb = teacher(xb)
                return kd_loss(logits, tb, yb, T, alpha)
            extra = ()
        return _fit(student, X, y, loss, extra, test, epochs, lr, batch_size, seed, device, progress,
                    f"distill T={T:g}", augment)
    finally:
        for p, f in zip(teacher.parameters(), flags):
            p.requires_grad_(f)


# ---------------------------------------------------------------- cache of trained models

def _cache_path(root, config: dict) -> Path:
    blob = json.dumps({"cache_version": CACHE_VERSION, **config}, sort_keys=True)
    key = hashlib.sha256(blob.encode()).hexdigest()[:16]
    return Path(root) / "cache" / f"{config.get('role', 'model')}-{key}.pt"


def cached_model(config: dict, build_and_train: Callable[[], tuple[nn.Module, dict]], root="data",
                 retrain: bool = False) -> nn.Module:
    """Load the model trained for exactly `config` from root/cache, or train, save and return it.

    The file name hashes the full config; the config is also stored inside and compared on load,
    so a changed config never reuses a stale model. A damaged entry (unreadable, made for another
    config, NaN weights, a folder in its place) warns and is retrained. A lock file per entry makes
    a second process wait while the first trains, then load its result. If the entry cannot be
    written, the trained model is returned with a warning.
    """
    path = _cache_path(root, config)
    wanted = json.loads(json.dumps(config))
    with contextlib.ExitStack() as stack:
        try:
            stack.enter_context(file_lock(path.with_name(path.name + ".lock")))
        except OSError:  # a read-only or unusable root: no cache, but no lost work either
            pass
        if not retrain:
            model = _load_cache_entry(path, wanted)
            if model is not None:
                return model
        from .prepare import refuse_training  # DISTILL_NO_TRAINING=1: a prepared room trains nothing
        refuse_training(f"{config.get('role', 'model')} ({path.name})", root)
        model, history = build_and_train()
        metadata = {"cache_config": wanted, "history": history}
        try:
            save_model(model, path, metadata=metadata, overwrite=True)
        except (OSError, ValueError) as e:
            warnings.warn(f"the trained model could not be cached as {str(path)!r} ({e}); it is returned, "
                          f"but will be trained again next time")
        model.metadata, model.history = metadata, history  # the same attributes as a model loaded from the cache
        return model.cpu().eval()


def _load_cache_entry(path: Path, wanted: dict) -> nn.Module | None:
    """The cached model at `path` if it is sound and made for `wanted`; otherwise warn and return None."""
    if not path.exists():
        return None
    if path.is_dir():
        warnings.warn(f"cache entry {str(path)!r} is a folder, not a file; retraining (remove that folder "
                      f"so the result can be cached)")
        return None
    try:
        model = load_model(path)
    except (CheckpointError, OSError) as e:
        warnings.warn(f"cache entry {path.name} is unreadable ({e}); retraining")
        return None
    if model.metadata.get("cache_config") != wanted:
        warnings.warn(f"cache entry {path.name} was made for another config; retraining")
        return None
    if not weights_are_finite(model):
        warnings.warn(f"cache entry {path.name} holds NaN or inf weights (a diverged run); retraining")
        return None
    model.history = model.metadata.get("history", {})
    return model


def get_teacher(dataset: str = "mnist5k", root="data", *, epochs: int = 12, lr: float = 1e-3,
                batch_size: int = 64, seed: int = 0, arch: dict | None = None, augment_shift: int = 2,
                device="cpu", progress: bool = True, retrain: bool = False) -> nn.Module:
    """The trained teacher CNN for this config, from the cache in seconds or trained (with a progress bar)."""
    info = dataset_info(dataset)
    arch = arch or teacher_config(info["shape"], info["num_classes"])
    config = {"role": "teacher", "dataset": dataset, "split": "default", "arch": arch, "epochs": epochs,
              "lr": lr, "batch_size": batch_size, "seed": seed, "augment_shift": augment_shift}

    def build_and_train():
        train, test = load_dataset(dataset, root)
        set_seed(seed)
        model = build_model(arch)
        hist = train_model(model, train, test, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed,
                           device=device, progress=progress,
                           augment=random_shift(augment_shift) if augment_shift else None)
        return model, hist
    return cached_model(config, build_and_train, root, retrain)


def get_student(kind: str = "distilled", dataset: str = "mnist5k", root="data", *,
                hidden=(800, 800), T: float = 4.0, alpha: float = 0.9, epochs: int = 20, lr: float = 1e-3,
                batch_size: int = 64, seed: int = 0, teacher: nn.Module | None = None, device="cpu",
                progress: bool = True, retrain: bool = False) -> nn.Module:
    """An MLP student trained from scratch (kind='scratch') or distilled from the default teacher, cached."""
    if kind not in ("scratch", "distilled"):
        raise ValueError(f"kind must be 'scratch' or 'distilled', got {kind!r}")
    info = dataset_info(dataset)
    arch = student_config(tuple(hidden), info["shape"], info["num_classes"])
    config = {"role": f"student-{kind}", "dataset": dataset, "split": "default", "arch": arch,
              "epochs": epochs, "lr": lr, "batch_size": batch_size, "seed": seed}
    if kind == "distilled":
        teacher = teacher if teacher is not None else get_teacher(dataset, root, device=device,
                                                                  progress=progress)
        config.update(T=check_temperature(T), alpha=check_alpha(alpha),
                      teacher=getattr(teacher, "metadata", {}).get("cache_config", teacher.config))

    def build_and_train():
        train, test = load_dataset(dataset, root)
        set_seed(seed)
        model = build_model(arch)
        if kind == "scratch":
            hist = train_model(model, train, test, epochs=epochs, lr=lr, batch_size=batch_size,
                               seed=seed, device=device, progress=progress)
        else:
            hist = distill(model, teacher, train, test, T=T, alpha=alpha, epochs=epochs, lr=lr,
                           batch_size=batch_size, seed=seed, device=device, progress=progress)
        return model, hist
    return cached_model(config, build_and_train, root, retrain)


def sweep_T_alpha(teacher: nn.Module, train, test, Ts, alphas, seeds=(0,), hidden=(32,), epochs: int = 5,
                  lr: float = 1e-3, batch_size: int = 64, progress: bool = True) -> dict:
    """Distil one small student per (T, alpha, seed) and return test errors as nested lists [T][alpha][seed]."""
    Ts = [check_temperature(t) for t in Ts]
    alphas = [check_alpha(a) for a in alphas]
    X_test, y_test = _tensors(test)
    X, _ = _tensors(train)
    arch = student_config(tuple(hidden), tuple(X.shape[1:]), int(teacher.config["num_classes"]))
    errors = [[[0] * len(seeds) for _ in alphas] for _ in Ts]
    t_logits = predict_logits(teacher, X)  # once for the whole sweep
    bar = _progress(len(Ts) * len(alphas) * len(seeds), "T x alpha sweep", progress, unit="run")
    for i, T in enumerate(Ts):
        for j, alpha in enumerate(alphas):
            for k, seed in enumerate(seeds):
                set_seed(seed)
                student = build_model(arch)
                distill(student, teacher, train, T=T, alpha=alpha, epochs=epochs, lr=lr, batch_size=batch_size,
                        seed=seed, progress=False, teacher_logits=t_logits)
                errors[i][j][k] = int((predict_logits(student, X_test).argmax(1) != y_test).sum())
                if bar is not None:
                    bar.update(1)
    if bar is not None:
        bar.close()
    return {"T": Ts, "alpha": alphas, "seeds": list(seeds), "hidden": list(hidden), "epochs": epochs,
            "errors": errors}
