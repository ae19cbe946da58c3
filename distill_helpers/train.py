"""Training loops: plain training on labels, and distillation from a frozen teacher."""
from __future__ import annotations

import math
import os
import random
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping

import torch
import torch.nn.functional as F
from torch import nn

from .cache import cached_model, teacher_identity
from .infra.checks import check_dataset, check_int, check_training_settings
from .distributed import SINGLE as SINGLE_PROCESS, Context, check_teacher_logits
from .distributed import current as process_context
from .data import HeldOutTest, as_tensors, dataset_info, load_dataset, load_splits  # noqa: F401  (tests patch train.load_dataset)
from .infra.devices import autocast, bf16_default, resolve_device
from .evaluate import eval_metrics, predict_logits
from .infra.i18n import tr
from .losses import check_alpha, check_kd_temperature, check_logits, check_temperature, kd_loss_unchecked
from .models import build_model, student_config, teacher_config
from .recipes import RECIPES, DistillRecipe, Run, StudentRecipe, TrainingRecipe, check_recipe
from .infra.room import NO_TRAINING_ENV, live_training, refuse_training  # noqa: F401  (re-exported)
from .transfer import random_shift

__all__ = ["set_seed", "seed_offset", "offset_seed", "resolve_device", "batch_indices",
           "random_shift", "Batch", "LossFn", "Loop", "Run",
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


@dataclass(frozen=True)
class Loop:
    """What every epoch of one fit() shares, resolved once at its start (fit builds it; see train_epoch).

    batch_size: examples per optimizer step. generator: draws the batch order (and the augmentation).
    device: where the batches go. augment: augment(X, generator) on every batch, or None. bf16: forward and
    loss under bf16 autocast. ctx: this process's place in a torchrun group (distributed.py), or none.
    """
    batch_size: int
    generator: torch.Generator
    device: torch.device
    augment: Callable | None = None
    bf16: bool = False
    ctx: Context = field(default_factory=lambda: SINGLE_PROCESS)


def _lean_step(optimizer) -> Callable[[], None]:
    """optimizer.step, except for what make_optimizer makes (torch's fused Adam, one parameter group, no hooks,
    no grad scaler): there each step after the first calls the fused kernel directly, as torch.optim.Adam calls
    it, without the step's per-call bookkeeping (hooks, regrouping, state look-ups; about 0.1 ms a step). The
    same update, bit for bit (tests/test_train.py); any other optimizer, or a step whose gradients are not all
    there, goes through optimizer.step()."""
    from torch.optim import optimizer as optim_module
    if type(optimizer) is not torch.optim.Adam or len(optimizer.param_groups) != 1:
        return optimizer.step
    group = optimizer.param_groups[0]
    if not group["fused"] or any(group[k] for k in ("amsgrad", "maximize", "capturable", "differentiable",
                                                    "decoupled_weight_decay")):
        return optimizer.step
    params = list(group["params"])

    def step() -> None:
        state = [optimizer.state.get(p) for p in params]
        hooks = (optim_module._global_optimizer_pre_hooks or optim_module._global_optimizer_post_hooks
                 or optimizer._optimizer_step_pre_hooks or optimizer._optimizer_step_post_hooks)
        if (hooks or not all(state) or isinstance(group["lr"], torch.Tensor) or any(p.grad is None for p in params)
                or getattr(optimizer, "grad_scale", None) is not None or getattr(optimizer, "found_inf", None) is not None
                or len({(p.device, p.dtype) for p in params}) != 1):
            optimizer.step()  # the first step creates the state
            return
        steps = [st["step"] for st in state]
        torch._foreach_add_(steps, 1)
        beta1, beta2 = group["betas"]
        torch._fused_adam_(params, [p.grad for p in params], [st["exp_avg"] for st in state],
                           [st["exp_avg_sq"] for st in state], [], steps, amsgrad=False, lr=group["lr"],
                           beta1=beta1, beta2=beta2, weight_decay=group["weight_decay"], eps=group["eps"],
                           maximize=False, grad_scale=None, found_inf=None)
    return step


def train_epoch(model: nn.Module, X: torch.Tensor, y: torch.Tensor, *, loss_fn: LossFn, optimizer, scheduler,
                loop: Loop) -> dict[str, float]:
    """One pass over (X, y) in shuffled mini-batches; returns {"train_loss", "train_acc", "time_s"}.

    Loss and accuracy are means over the examples seen, weighted by batch size, measured on the fly
    (while the weights move) on the possibly augmented batches. `loop.bf16` runs forward and loss under bf16
    autocast. In a process group (`loop.ctx`, see distributed.py) `model` is the DDP-wrapped model, each global
    batch of `loop.batch_size` is cut into one slice per rank, and the sums are all-reduced over the ranks.
    """
    refuse_training(f"train_epoch ({len(X)} examples)")  # DISTILL_NO_TRAINING=1: see room.py
    batch_size, generator, device, augment, bf16, ctx = (loop.batch_size, loop.generator, loop.device,
                                                         loop.augment, loop.bf16, loop.ctx)
    model.train()
    t0 = time.perf_counter()
    loss_sum = torch.zeros((), device=device)  # summed on the device: no host sync inside the loop
    correct = torch.zeros((), dtype=torch.int64, device=device)
    seen = 0
    params = [p for group in optimizer.param_groups for p in group["params"]]
    step = _lean_step(optimizer)
    for idx in batch_indices(len(X), batch_size, generator):
        lo, hi = ctx.bounds(len(idx))
        local = idx if ctx.world == 1 else idx[lo:hi]
        if augment is None:  # index_select: a plain gather, faster than X[idx]
            xb = X.index_select(0, local.to(X.device)).to(device)
        else:  # each rank augments the whole global batch, so the shared generator stays in step
            xb = augment(X.index_select(0, idx.to(X.device)).to(device), generator)[lo:hi]
        local = local.to(device)
        batch = Batch(X=xb, y=y.index_select(0, local.to(y.device)).to(device), index=local)
        n = hi - lo
        with autocast(device, bf16):
            logits = model(batch.X)
            loss = loss_fn(logits, batch) if n else logits.sum() * 0.0  # an empty slice still joins the all-reduce
        for p in params:  # optimizer.zero_grad(set_to_none=True), without its per-call bookkeeping
            p.grad = None
        scale = ctx.loss_scale(n, len(idx))  # DDP averages: the step is the global-batch mean
        (loss if scale == 1.0 else loss * scale).backward()
        step()
        scheduler.step()
        loss_sum += loss.detach().float() * n
        correct += (logits.detach().argmax(1) == batch.y).sum()
        seen += n
    loss_sum, correct, seen = ctx.all_reduce_sum([loss_sum.item(), correct.item(), seen])
    return {"train_loss": loss_sum / max(seen, 1), "train_acc": int(correct) / max(seen, 1),
            "time_s": time.perf_counter() - t0}


def fit(model: nn.Module, train, *, loss_fn: LossFn = cross_entropy_loss, recipe: TrainingRecipe,
        eval_data: Mapping[str, object] | None = None, run: Run = Run(), desc: str = "train") -> dict:
    """Train `model` on `train` with Adam and cosine decay; return the history of per-epoch records.

    The contract:
    - `recipe` (a `TrainingRecipe`, e.g. RECIPES.student.with_(epochs=5)) gives epochs, lr, batch_size and
      augment_shift; `run` (a `Run`) the seed, device, bf16 and the progress bar (labelled `desc`).
    - `train` is a TensorDataset or a tuple (X, y) of tensors on the CPU; each mini-batch is moved to
      `run.device`. Batches are drawn by `batch_indices` from a generator seeded with `run.seed` (which also
      seeds dropout and the augmentation), so a run repeats exactly.
    - `loss_fn(logits, batch)` returns the scalar loss, where logits = model(batch.X) and `batch` is a
      `Batch` (X, y, index). Anything computed once per training example before training (a teacher's
      logits, hint features) is indexed with `batch.index`; the loss closes over it.
    - `recipe.augment_shift` > 0 shifts each input batch by up to that many pixels (`random_shift`).
    - `eval_data` maps a name to a dataset scored after every epoch: {"val": val} adds the keys
      "val_acc" and "val_loss" (cross-entropy) to each record. The test split (a `HeldOutTest`) is
      refused: watching it during training is choosing on it. Score it once, after training.
    - The history is a dict of lists, one entry per epoch for every key: "epoch", "train_loss",
      "train_acc", "time_s" (training time of the epoch, without evaluation) and "<name>_acc",
      "<name>_loss" for each entry of `eval_data` (an empty list for "val_acc" and "val_loss" when
      nothing is evaluated). `history[key][i]` belongs to epoch `history["epoch"][i]`.
    - `run.device`: "cpu", "cuda", "mps" or "auto"; the training tensors move there once. `run.bf16`: autocast
      forward and loss to bfloat16 (None: on for a CUDA GPU with bf16, off elsewhere).
    - Under torchrun (several processes) the same call trains with DistributedDataParallel: `recipe.batch_size`
      is the global batch, every rank trains on its slice of it, metrics are summed over ranks; the
      result equals a one-process run up to float rounding (see distributed.py).
    The model ends in eval mode, on `device`.
    """
    recipe = check_recipe(recipe, TrainingRecipe, "recipe", "RECIPES.student")
    run = check_recipe(run, Run, "run", "Run()")
    epochs, lr, batch_size, seed = check_training_settings(recipe.epochs, recipe.lr, recipe.batch_size, run.seed)
    shift = check_int(recipe.augment_shift, "augment_shift", 0)
    augment = random_shift(shift) if shift else None
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
    ctx = process_context(resolve_device(run.device))  # a plain process, or this rank of a torchrun group
    device = ctx.device
    bf16 = bf16_default(device) if run.bf16 is None else bool(run.bf16)
    model.to(device)
    if device.type != "cpu":  # the whole training set on the device once, batches are drawn there
        X, y = X.to(device), y.to(device)
    torch.manual_seed(offset_seed(seed) + ctx.rank)  # dropout masks (rank 0 draws what a single process draws)
    gen = torch.Generator().manual_seed(offset_seed(seed))  # batch order and augmentation: the same on every rank
    net = ctx.wrap(model)  # DistributedDataParallel in a process group, else the model itself
    optimizer, scheduler = make_optimizer(model, lr=lr, total_steps=epochs * -(-len(X) // batch_size))
    history: dict[str, list] = {"epoch": [], "train_loss": [], "train_acc": [], "val_acc": [], "val_loss": [],
                                "time_s": []}
    loop = Loop(batch_size=batch_size, generator=gen, device=device, augment=augment, bf16=bf16, ctx=ctx)
    bar = _progress(epochs, desc, run.progress and ctx.rank == 0)
    for epoch in range(1, epochs + 1):
        record = {"epoch": epoch, **train_epoch(net, X, y, loss_fn=loss_fn, optimizer=optimizer,
                                                 scheduler=scheduler, loop=loop)}
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


def train_model(model: nn.Module, train, val=None, *, recipe: TrainingRecipe = RECIPES.student,
                run: Run = Run()) -> dict:
    """Train on hard labels (Adam, cosine learning-rate decay, cross-entropy); return the per-epoch history (lists).

    recipe: epochs, lr, batch_size, augment_shift (e.g. RECIPES.teacher, RECIPES.student.with_(epochs=5));
    run: seed, device, bf16, progress (e.g. Run(seed=3, progress=False)). val: logged per epoch."""
    return fit(model, train, recipe=recipe, eval_data=None if val is None else {"val": val}, run=run,
               desc=tr("train"))


def _check_finite_teacher(teacher: nn.Module) -> None:
    if not all(bool(torch.isfinite(p).all()) for p in teacher.parameters()):
        raise ValueError("the teacher's weights contain NaN or inf: it has diverged; retrain it or load a "
                         "working checkpoint")


def distill(student: nn.Module, teacher: nn.Module, train, val=None, *, recipe: TrainingRecipe = RECIPES.student,
            kd: DistillRecipe = RECIPES.distill, teacher_logits: torch.Tensor | None = None,
            run: Run = Run()) -> dict:
    """Train `student` on kd_loss(T=kd.T, alpha=kd.alpha) against a frozen `teacher` (eval mode, no gradients).

    recipe: the training recipe (epochs, lr, batch_size, augment_shift), e.g. RECIPES.student.with_(epochs=5);
    kd: T and alpha, e.g. RECIPES.distill.with_(T=8.0); run: seed, device, bf16, progress.
    Without augmentation the teacher's logits are computed once and looked up by example index, so
    an epoch costs about what a plain epoch costs. Pass `teacher_logits` (the teacher's logits for
    every training row, in order) to reuse them across several students; a sample of rows is checked
    against the teacher first. With `recipe.augment_shift` > 0 the teacher sees the very view the student
    sees, on every batch (consistent teaching). Under torchrun it trains with DDP (see fit); the teacher is
    not wrapped. A larger transfer set (jittered copies of every row, `transfer.jittered_copies`) is made
    before the call and passed as `train`.
    """
    recipe = check_recipe(recipe, TrainingRecipe, "recipe", "RECIPES.student")
    kd, run = check_recipe(kd, DistillRecipe, "kd", "RECIPES.distill"), check_recipe(run, Run, "run", "Run()")
    T, alpha = check_kd_temperature(kd.T), check_alpha(kd.alpha)  # what kd_loss accepts, refused before any work
    if student is teacher:
        raise ValueError("student and teacher are the same model: distillation needs a separate student")
    augmented = bool(recipe.augment_shift)
    if teacher_logits is not None and augmented:
        raise ValueError("teacher_logits can only be reused without augmentation (recipe.augment_shift=0): "
                         "augmented inputs need the teacher run on every batch")
    X, y = as_tensors(train)
    check_dataset(X, y, student)  # before the teacher sees the data
    device = process_context(resolve_device(run.device)).device  # under torchrun: this rank's GPU
    teacher.to(device).eval()
    flags = [p.requires_grad for p in teacher.parameters()]
    for p in teacher.parameters():
        p.requires_grad_(False)
    try:
        if not augmented:
            if teacher_logits is not None and teacher_logits.shape[0] != len(X):
                raise ValueError(f"teacher_logits has {teacher_logits.shape[0]} rows but the training set has "
                                 f"{len(X)}: pass predict_logits(teacher, X) for the same X, in the same order")
            if teacher_logits is not None:
                check_teacher_logits(teacher, X, teacher_logits)
            cached = teacher_logits if teacher_logits is not None else predict_logits(teacher, X, device=device)
            cached = cached.to(device)
            check_logits(cached, "teacher_logits")  # once here, so that no batch scans for NaN (a host sync)

            def loss_fn(logits, batch):  # T, alpha, the labels and the targets are checked: the loss runs unchecked
                return kd_loss_unchecked(logits, cached.index_select(0, batch.index), batch.y, T, alpha)
        else:
            _check_finite_teacher(teacher)  # once, so that no batch scans the teacher's logits

            def loss_fn(logits, batch):
                with torch.no_grad():
                    teacher_batch = teacher(batch.X)
                return kd_loss_unchecked(logits, teacher_batch, batch.y, T, alpha)
        return fit(student, train, loss_fn=loss_fn, recipe=recipe, eval_data=None if val is None else {"val": val},
                   run=run.with_(device=device), desc=tr(f"distill T={T:g}"))
    finally:
        for p, f in zip(teacher.parameters(), flags):
            p.requires_grad_(f)


# ---------------------------------------------------------------- cached models (the cache itself: cache.py)

def _bf16_key(run: Run) -> dict:
    """Cache-key entry for bf16 training: present only when on, so float32 entries keep their keys."""
    on = bf16_default(resolve_device(run.device)) if run.bf16 is None else bool(run.bf16)
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


def get_teacher(dataset: str = "mnist5k", root=None, *, recipe: TrainingRecipe = RECIPES.teacher,
                arch: dict | None = None, run: Run = Run(), retrain: bool = False) -> nn.Module:
    """The trained teacher CNN for this config, from the cache in seconds or trained (with a progress bar).

    recipe: epochs, lr, batch_size, augment_shift (default RECIPES.teacher; a variant:
    RECIPES.teacher.with_(epochs=3)); run: seed, device, bf16, progress.
    root: the data root (None: `cache.data_root()`); the model is cached under root/cache (see cache.py)."""
    recipe = check_recipe(recipe, TrainingRecipe, "recipe", "RECIPES.teacher")
    run = check_recipe(run, Run, "run", "Run()")
    info = dataset_info(dataset)
    arch = arch or teacher_config(info["shape"], info["num_classes"])
    config = {"role": "teacher", "dataset": dataset, "split": "train-val-v1", "arch": arch, "epochs": recipe.epochs,
              "lr": recipe.lr, "batch_size": recipe.batch_size, "seed": run.seed,
              "augment_shift": recipe.augment_shift, **_bf16_key(run)}

    def train_fn(model, train, val):
        return train_model(model, train, val, recipe=recipe, run=run)
    return cached_model(config, _fresh_model_trainer(dataset, root, arch, run.seed, train_fn), root, retrain)


def get_student(kind: str = "distilled", dataset: str = "mnist5k", root=None, *,
                recipe: StudentRecipe = RECIPES.student, kd: DistillRecipe = RECIPES.distill,
                teacher: nn.Module | None = None, run: Run = Run(), retrain: bool = False) -> nn.Module:
    """An MLP student trained from scratch (kind='scratch') or distilled from `teacher` (default: get_teacher()),
    cached under root/cache (root None: `cache.data_root()`). recipe: a StudentRecipe (hidden, epochs, lr,
    batch_size, augment_shift), e.g. RECIPES.student.with_(hidden=(64,)); kd: T and alpha (distilled only);
    run: seed, device, bf16, progress. The cache key names the teacher (`cache.teacher_identity`), so a student
    distilled from another teacher is never served."""
    if kind not in ("scratch", "distilled"):
        raise ValueError(f"kind must be 'scratch' or 'distilled', got {kind!r}")
    recipe = check_recipe(recipe, StudentRecipe, "recipe", "RECIPES.student")
    run = check_recipe(run, Run, "run", "Run()")
    kd = check_recipe(kd, DistillRecipe, "kd", "RECIPES.distill")
    info = dataset_info(dataset)
    arch = student_config(tuple(recipe.hidden), info["shape"], info["num_classes"])
    config = {"role": f"student-{kind}", "dataset": dataset, "split": "train-val-v1", "arch": arch,
              "epochs": recipe.epochs, "lr": recipe.lr, "batch_size": recipe.batch_size, "seed": run.seed,
              **_bf16_key(run)}
    if recipe.augment_shift:  # only when on, so the keys of unaugmented students stay as they were
        config["augment_shift"] = recipe.augment_shift
    if kind == "distilled":
        teacher = teacher if teacher is not None else get_teacher(dataset, root, run=Run(device=run.device,
                                                                                           progress=run.progress))
        config.update(T=check_temperature(kd.T), alpha=check_alpha(kd.alpha), teacher=teacher_identity(teacher))

    def train_fn(model, train, val):
        if kind == "scratch":
            return train_model(model, train, val, recipe=recipe, run=run)
        return distill(model, teacher, train, val, recipe=recipe, kd=kd, run=run)
    return cached_model(config, _fresh_model_trainer(dataset, root, arch, run.seed, train_fn), root, retrain)
