"""Training loops: plain training on labels, and distillation from a frozen teacher."""
from __future__ import annotations

import math
import os
import random
import time
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from .cache import cached_model, teacher_identity
from .infra.checks import check_dataset, check_training_settings
from .distributed import SINGLE as SINGLE_PROCESS, Context, check_teacher_logits
from .distributed import current as process_context
from .data import HeldOutTest, as_tensors, dataset_info, load_dataset, load_splits  # noqa: F401  (tests patch train.load_dataset)
from .infra.devices import autocast, bf16_default, resolve_device
from .evaluate import eval_metrics, predict_logits
from .infra.i18n import tr
from .losses import check_alpha, check_temperature, kd_loss
from .models import build_model, student_config, teacher_config
from .recipes import RECIPES
from .infra.room import NO_TRAINING_ENV, live_training, refuse_training  # noqa: F401  (re-exported)
from .transfer import jittered_copies, random_shift

__all__ = ["set_seed", "seed_offset", "offset_seed", "resolve_device", "batch_indices",
           "random_shift", "Batch", "LossFn",
           "cross_entropy_loss", "make_optimizer", "train_epoch", "fit", "train_model", "distill", "get_teacher",
           "get_student", "cached_model"]


SEED_OFFSET_ENV = "DISTILL_SEED_OFFSET"


def seed_offset() -> int:
    """The integer in $DISTILL_SEED_OFFSET (0 when unset): added to every training seed (a maintainer's check).

    Retraining with another offset is a stand-in for another machine: every initialisation and batch
    order changes, as float-level differences would change them, so an asserted conclusion that survives
    it is one that the intervals support. Unset, nothing changes. The caches do not know about the offset:
    use it only with a separate data directory, as tools/seed_offset_check.py does.
    """
    raw = os.environ.get(SEED_OFFSET_ENV, "").strip()
    if not raw:
        return 0
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{SEED_OFFSET_ENV}={raw!r} is not an integer: unset it, or give a whole number "
                         f"such as {SEED_OFFSET_ENV}=1000") from None


def offset_seed(seed: int) -> int:
    """`seed` plus `seed_offset()`: where a training seed enters torch."""
    return int(seed) + seed_offset()


def set_seed(seed: int) -> None:
    """Seed Python, torch (and numpy when present) so a run repeats exactly on the same machine."""
    seed = offset_seed(seed)
    random.seed(seed)
    torch.manual_seed(seed)
    try:
        import numpy as np
        np.random.seed(seed)
    except ImportError:  # pragma: no cover
        pass



def batch_indices(n: int, batch_size: int, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """One epoch of mini-batches as row indices: one shuffle of range(n) with `generator`, cut in order."""
    perm = torch.randperm(n, generator=generator)
    for i in range(0, n, batch_size):
        yield perm[i:i + batch_size]


def _progress(total: int, desc: str, enabled: bool, unit: str = "epoch"):
    if not enabled:
        return None
    from .teaching.widgets import progress_bar  # a notebook's bar becomes a text line when done (saved copies reopen)
    return progress_bar(total=total, desc=desc, unit=unit)


# ---------------------------------------------------------------- the training loop

@dataclass
class Batch:
    """One mini-batch as the loss function sees it.

    X: inputs on the training device, augmented when fit() was given `augment`.
    y: labels on the training device.
    index: the rows of the training tensors this batch holds (int64, same device), so per-example data
        computed once before training (cached teacher logits, teacher features) is looked up as
        `cached[batch.index]` whatever the order or the process the batch comes from.
    """
    X: torch.Tensor
    y: torch.Tensor
    index: torch.Tensor


#: loss_fn(logits, batch) -> scalar loss to minimise; logits = model(batch.X).
LossFn = Callable[[torch.Tensor, Batch], torch.Tensor]


def cross_entropy_loss(logits: torch.Tensor, batch: Batch) -> torch.Tensor:
    """The plain loss on hard labels: cross-entropy(logits, batch.y)."""
    return F.cross_entropy(logits, batch.y)


def make_optimizer(model: nn.Module, *, lr: float, total_steps: int):
    """Adam with cosine decay of the learning rate to zero over `total_steps` optimizer steps.

    The decay makes the last epoch stable, so it can be reported as is (no best-epoch picking). Adam runs
    fused where torch has that kernel (CPU and CUDA): one pass over the weights per step instead of about
    ten (measured: the step of the 800-800 student 6x faster on the CPU), the same update up to float rounding.
    """
    params = list(model.parameters())
    fused = bool(params) and all(p.device.type in ("cpu", "cuda") and p.is_floating_point() for p in params)
    opt = torch.optim.Adam(params, lr=lr, fused=True if fused else None)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda k: 0.5 * (1 + math.cos(math.pi * min(k, total_steps) / max(total_steps, 1))))
    return opt, sched


def train_epoch(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, loss_fn: LossFn, optimizer, scheduler,
                batch_size: int, generator: torch.Generator, device: torch.device,
                augment: Callable | None = None, bf16: bool = False,
                ctx: Context = SINGLE_PROCESS) -> dict[str, float]:
    """One pass over (X, y) in shuffled mini-batches; returns {"train_loss", "train_acc", "time_s"}.

    Loss and accuracy are means over the examples seen, weighted by batch size, measured on the fly
    (while the weights move) on the possibly augmented batches. `bf16` runs forward and loss under bf16
    autocast. In a process group (`ctx`, see distributed.py) `model` is the DDP-wrapped model, each global
    batch of `batch_size` is cut into one slice per rank, and the sums are all-reduced over the ranks.
    """
    refuse_training(f"train_epoch ({len(X)} examples)")  # DISTILL_NO_TRAINING=1: see room.py
    model.train()
    t0 = time.perf_counter()
    loss_sum = torch.zeros((), device=device)  # summed on the device: no host sync inside the loop
    correct = torch.zeros((), dtype=torch.int64, device=device)
    seen = 0
    for idx in batch_indices(len(X), batch_size, generator):
        lo, hi = ctx.bounds(len(idx))
        if augment is None:
            xb = X[idx[lo:hi].to(X.device)].to(device)
        else:  # each rank augments the whole global batch, so the shared generator stays in step
            xb = augment(X[idx.to(X.device)].to(device), generator)[lo:hi]
        local = idx[lo:hi].to(device)
        batch = Batch(X=xb, y=y[local.to(y.device)].to(device), index=local)
        n = hi - lo
        with autocast(device, bf16):
            logits = model(batch.X)
            loss = loss_fn(logits, batch) if n else logits.sum() * 0.0  # an empty slice still joins the all-reduce
        optimizer.zero_grad(set_to_none=True)
        (loss * ctx.loss_scale(n, len(idx))).backward()  # DDP averages: the step is the global-batch mean
        optimizer.step()
        scheduler.step()
        loss_sum += loss.detach().float() * n
        correct += (logits.detach().argmax(1) == batch.y).sum()
        seen += n
    loss_sum, correct, seen = ctx.all_reduce_sum([loss_sum.item(), correct.item(), seen])
    return {"train_loss": loss_sum / max(seen, 1), "train_acc": int(correct) / max(seen, 1),
            "time_s": time.perf_counter() - t0}


def fit(model: nn.Module, train, *, loss_fn: LossFn = cross_entropy_loss, epochs: int, lr: float,
        batch_size: int, seed: int = 0, eval_data: Mapping[str, object] | None = None,
        augment: Callable | None = None, device="cpu", progress: bool = True, desc: str = "train",
        bf16: bool | None = None) -> dict:
    """Train `model` on `train` with Adam and cosine decay; return the history of per-epoch records.

    The contract:
    - `train` is a TensorDataset or a tuple (X, y) of tensors on the CPU; each mini-batch is moved to
      `device`. Batches are drawn by `batch_indices` from a generator seeded with `seed` (which also
      seeds dropout and `augment`), so a run repeats exactly.
    - `loss_fn(logits, batch)` returns the scalar loss, where logits = model(batch.X) and `batch` is a
      `Batch` (X, y, index). Anything computed once per training example before training (a teacher's
      logits, hint features) is indexed with `batch.index`; the loss closes over it.
    - `augment(X, generator)` transforms each input batch, or None.
    - `eval_data` maps a name to a dataset scored after every epoch: {"val": val} adds the keys
      "val_acc" and "val_loss" (cross-entropy) to each record. The test split (a `HeldOutTest`) is
      refused: watching it during training is choosing on it. Score it once, after training.
    - The history is a dict of lists, one entry per epoch for every key: "epoch", "train_loss",
      "train_acc", "time_s" (training time of the epoch, without evaluation) and "<name>_acc",
      "<name>_loss" for each entry of `eval_data` (an empty list for "val_acc" and "val_loss" when
      nothing is evaluated). `history[key][i]` belongs to epoch `history["epoch"][i]`.
    - `device`: "cpu", "cuda", "mps" or "auto"; the training tensors move there once. `bf16`: autocast
      forward and loss to bfloat16 (None: on for a CUDA GPU with bf16, off elsewhere).
    - Under torchrun (several processes) the same call trains with DistributedDataParallel: `batch_size`
      is the global batch, every rank trains on its slice of it, metrics are summed over ranks; the
      result equals a one-process run up to float rounding (see distributed.py).
    The model ends in eval mode, on `device`.
    """
    epochs, lr, batch_size, seed = check_training_settings(epochs, lr, batch_size, seed)
    refuse_training(f"{desc} ({epochs} epochs)")  # DISTILL_NO_TRAINING=1: a prepared room trains nothing (room.py)
    X, y = as_tensors(train)
    check_dataset(X, y, model)
    for name, data in (eval_data or {}).items():
        if isinstance(data, HeldOutTest):
            raise ValueError(f"the test split was passed for evaluation during training (as {name!r}): choices "
                             f"made while watching it (epochs, T, alpha, ...) would be tuned on the test set. Pass "
                             f"the validation split from load_splits() and score the test set once, after training")
    evals = {name: as_tensors(data) for name, data in (eval_data or {}).items()}
    for name, (X_eval, y_eval) in evals.items():
        check_dataset(X_eval, y_eval, model, f"{name} set")
    ctx = process_context(resolve_device(device))  # a plain process, or this rank of a torchrun group
    device = ctx.device
    bf16 = bf16_default(device) if bf16 is None else bool(bf16)
    model.to(device)
    if device.type != "cpu":  # the whole training set on the device once, batches are drawn there
        X, y = X.to(device), y.to(device)
    torch.manual_seed(offset_seed(seed) + ctx.rank)  # dropout masks (rank 0 draws what a single process draws)
    gen = torch.Generator().manual_seed(offset_seed(seed))  # batch order and augmentation: the same on every rank
    net = ctx.wrap(model)  # DistributedDataParallel in a process group, else the model itself
    optimizer, scheduler = make_optimizer(model, lr=lr, total_steps=epochs * -(-len(X) // batch_size))
    history: dict[str, list] = {"epoch": [], "train_loss": [], "train_acc": [], "val_acc": [], "val_loss": [],
                                "time_s": []}
    bar = _progress(epochs, desc, progress and ctx.rank == 0)
    for epoch in range(1, epochs + 1):
        record = {"epoch": epoch, **train_epoch(net, X, y, loss_fn=loss_fn, optimizer=optimizer,
                                                 scheduler=scheduler, batch_size=batch_size, generator=gen,
                                                 device=device, augment=augment, bf16=bf16, ctx=ctx)}
        for name, (Xe, ye) in evals.items():
            metrics = eval_metrics(predict_logits(model, Xe, device=device), ye)
            record.update({f"{name}_{k}": v for k, v in metrics.items()})
        for key, value in record.items():
            history.setdefault(key, []).append(value)
        if bar is not None:
            bar.set_postfix({"loss": f"{record['train_loss']:.4f}",
                             **{k: f"{v:.4f}" for k, v in record.items() if k.endswith("_acc") and k != "train_acc"}})
            bar.update(1)
    if bar is not None:
        bar.close()
    model.eval()
    return history


def train_model(model: nn.Module, train, val=None, *, epochs: int = RECIPES.student.epochs,
                lr: float = RECIPES.student.lr, batch_size: int = RECIPES.student.batch_size, seed: int = 0, device="cpu", progress: bool = True,
                augment=None, bf16: bool | None = None) -> dict:
    """Train on hard labels (Adam, cosine learning-rate decay, cross-entropy); return the per-epoch history (lists)."""
    return fit(model, train, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed,
               eval_data=None if val is None else {"val": val}, augment=augment, device=device,
               progress=progress, desc=tr("train"), bf16=bf16)


def distill(student: nn.Module, teacher: nn.Module, train, val=None, *, T: float = RECIPES.distill.T,
            alpha: float = RECIPES.distill.alpha, epochs: int = RECIPES.student.epochs,
            lr: float = RECIPES.student.lr, batch_size: int = RECIPES.student.batch_size, seed: int = 0,
            device="cpu", progress: bool = True, cache_teacher_logits: bool = True, augment=None,
            teacher_logits: torch.Tensor | None = None, transfer_copies: int = 0, copy_shift: int = 2,
            bf16: bool | None = None) -> dict:
    """Train `student` on kd_loss against a frozen `teacher` (eval mode, no gradients).

    Without augmentation the teacher's logits are computed once and looked up by example index, so
    an epoch costs about what a plain epoch costs. Pass `teacher_logits` (the teacher's logits for
    every training row, in order) to reuse them across several students; a sample of rows is checked
    against the teacher first. Under torchrun it trains with DDP (see fit); the teacher is not wrapped.
    `transfer_copies=k` enlarges the transfer set with k jittered copies of every training row (shifted
    by up to `copy_shift` pixels, made once from `seed`; see `transfer.jittered_copies`), and the
    teacher's logits are computed once per copy: an epoch then has (k + 1) times as many steps.
    """
    T, alpha = check_temperature(T), check_alpha(alpha)
    if student is teacher:
        raise ValueError("student and teacher are the same model: distillation needs a separate student")
    if teacher_logits is not None and (augment is not None or not cache_teacher_logits):
        raise ValueError("teacher_logits can only be reused without augmentation and with "
                         "cache_teacher_logits=True: augmented inputs need the teacher run on every batch")
    X, y = as_tensors(train)
    check_dataset(X, y, student)  # before the teacher sees the data
    if transfer_copies:
        if augment is not None or teacher_logits is not None or not cache_teacher_logits:
            raise ValueError("transfer_copies makes a fixed, enlarged transfer set with the teacher's logits cached "
                             "per copy: use it without augment, without teacher_logits and with cache_teacher_logits=True")
        X, y = jittered_copies(X, y, transfer_copies, copy_shift, seed)
        train = (X, y)
    device = process_context(resolve_device(device)).device  # under torchrun: this rank's GPU
    teacher.to(device).eval()
    flags = [p.requires_grad for p in teacher.parameters()]
    for p in teacher.parameters():
        p.requires_grad_(False)
    try:
        if cache_teacher_logits and augment is None:
            if teacher_logits is not None and teacher_logits.shape[0] != len(X):
                raise ValueError(f"teacher_logits has {teacher_logits.shape[0]} rows but the training set has "
                                 f"{len(X)}: pass predict_logits(teacher, X) for the same X, in the same order")
            if teacher_logits is not None:
                check_teacher_logits(teacher, X, teacher_logits)
            cached = teacher_logits if teacher_logits is not None else predict_logits(teacher, X, device=device)
            cached = cached.to(device)

            def loss_fn(logits, batch):
                return kd_loss(logits, cached[batch.index], batch.y, T, alpha)
        else:
            def loss_fn(logits, batch):
                with torch.no_grad():
                    teacher_batch = teacher(batch.X)
                return kd_loss(logits, teacher_batch, batch.y, T, alpha)
        return fit(student, train, loss_fn=loss_fn, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed,
                   eval_data=None if val is None else {"val": val}, augment=augment, device=device,
                   progress=progress, desc=tr(f"distill T={T:g}"), bf16=bf16)
    finally:
        for p, f in zip(teacher.parameters(), flags):
            p.requires_grad_(f)


# ---------------------------------------------------------------- cached models (the cache itself: cache.py)

def _bf16_key(device, bf16: bool | None) -> dict:
    """Cache-key entry for bf16 training: present only when on, so float32 entries keep their keys."""
    on = bf16_default(resolve_device(device)) if bf16 is None else bool(bf16)
    return {"bf16": True} if on else {}


def _fresh_model_trainer(dataset: str, root, arch: dict, seed: int, train_fn: Callable) -> Callable:
    """build_and_train for cached_model: load the splits, seed, build `arch`, run train_fn(model, train, val).

    Models train on the 3,500 training digits and log the 500 validation digits per epoch; the test set
    is not touched.
    """
    def build_and_train():
        train, val, _ = load_splits(dataset, root)
        set_seed(seed)
        model = build_model(arch)
        return model, train_fn(model, train, val)
    return build_and_train


def get_teacher(dataset: str = "mnist5k", root=None, *, epochs: int = RECIPES.teacher.epochs,
                lr: float = RECIPES.teacher.lr, batch_size: int = RECIPES.teacher.batch_size, seed: int = 0,
                arch: dict | None = None, augment_shift: int = RECIPES.teacher.augment_shift,
                device="cpu", progress: bool = True, retrain: bool = False, bf16: bool | None = None) -> nn.Module:
    """The trained teacher CNN for this config, from the cache in seconds or trained (with a progress bar).

    root: the data root (None: `cache.data_root()`); the model is cached under root/cache (see cache.py)."""
    info = dataset_info(dataset)
    arch = arch or teacher_config(info["shape"], info["num_classes"])
    config = {"role": "teacher", "dataset": dataset, "split": "train-val-v1", "arch": arch, "epochs": epochs,
              "lr": lr, "batch_size": batch_size, "seed": seed, "augment_shift": augment_shift,
              **_bf16_key(device, bf16)}

    def train_fn(model, train, val):
        return train_model(model, train, val, epochs=epochs, lr=lr, batch_size=batch_size, seed=seed,
                           device=device, progress=progress, bf16=bf16,
                           augment=random_shift(augment_shift) if augment_shift else None)
    return cached_model(config, _fresh_model_trainer(dataset, root, arch, seed, train_fn), root, retrain)


def get_student(kind: str = "distilled", dataset: str = "mnist5k", root=None, *,
                hidden=RECIPES.student.hidden, T: float = RECIPES.distill.T, alpha: float = RECIPES.distill.alpha,
                epochs: int = RECIPES.student.epochs, lr: float = RECIPES.student.lr,
                batch_size: int = RECIPES.student.batch_size, seed: int = 0, teacher: nn.Module | None = None, device="cpu",
                progress: bool = True, retrain: bool = False, bf16: bool | None = None) -> nn.Module:
    """An MLP student trained from scratch (kind='scratch') or distilled from `teacher` (default: get_teacher()),
    cached under root/cache (root None: `cache.data_root()`). The cache key names the teacher
    (`cache.teacher_identity`), so a student distilled from another teacher is never served."""
    if kind not in ("scratch", "distilled"):
        raise ValueError(f"kind must be 'scratch' or 'distilled', got {kind!r}")
    info = dataset_info(dataset)
    arch = student_config(tuple(hidden), info["shape"], info["num_classes"])
    config = {"role": f"student-{kind}", "dataset": dataset, "split": "train-val-v1", "arch": arch,
              "epochs": epochs, "lr": lr, "batch_size": batch_size, "seed": seed, **_bf16_key(device, bf16)}
    if kind == "distilled":
        teacher = teacher if teacher is not None else get_teacher(dataset, root, device=device,
                                                                  progress=progress)
        config.update(T=check_temperature(T), alpha=check_alpha(alpha),
                      teacher=teacher_identity(teacher))

    def train_fn(model, train, val):
        kw = dict(epochs=epochs, lr=lr, batch_size=batch_size, seed=seed, device=device, progress=progress,
                  bf16=bf16)
        if kind == "scratch":
            return train_model(model, train, val, **kw)
        return distill(model, teacher, train, val, T=T, alpha=alpha, **kw)
    return cached_model(config, _fresh_model_trainer(dataset, root, arch, seed, train_fn), root, retrain)
