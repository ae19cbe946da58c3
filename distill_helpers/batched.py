"""Many students at once: K MLPs of one architecture trained together as one stacked model.

Multi-seed results and T x alpha sweeps need dozens of small students. Trained one after another, each
optimiser step of a 784-30-30-10 student is mostly Python and dispatch overhead. Stacked, the K weight
matrices of a layer form one (K, in, out) tensor and a layer is one `torch.baddbmm`, so K students cost
about what one costs until the matrices fill the CPU.

Nothing is shared between the students: each has its own initialisation and batch order (its seed), its
own T, alpha and learning rate, and the loss is a sum of per-student losses over disjoint parameters.
Adam works element by element, so the result is K independent runs; `tests/test_batched.py` checks that
each student ends with the weights `distill()` gives it alone, to float tolerance.

    students = make_students((30, 30), seeds=range(8))
    hists = distill_students(students, teacher, train, val, seeds=range(8), T=4.0, alpha=[0.0] * 4 + [0.9] * 4)
"""
from __future__ import annotations

import math
import time
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .data import HeldOutTest, as_tensors
from .losses import check_alpha, check_temperature
from .models import MLP, build_model, student_config

__all__ = ["make_students", "distill_students", "StackedMLP", "predict_logits_stacked"]


def make_students(hidden: Sequence[int], seeds: Sequence[int], in_shape=(1, 28, 28), num_classes: int = 10) -> list[MLP]:
    """One freshly initialised MLP per seed, each exactly as `set_seed(seed); build_model(...)` makes it."""
    from .train import set_seed
    arch = student_config(tuple(hidden), tuple(in_shape), num_classes)
    out = []
    for s in seeds:
        set_seed(int(s))
        out.append(build_model(arch))
    return out


def _linears(model: MLP) -> list[nn.Linear]:
    if not isinstance(model, MLP) or model.config.get("dropout", 0.0):
        raise ValueError("batched training takes MLP students without dropout (a dropout mask would differ "
                         "per student and per step); build them with make_students()")
    return [m for m in model.net if isinstance(m, nn.Linear)]


class StackedMLP(nn.Module):
    """K MLPs of one architecture as one module: layer l holds weights (K, in, out) and biases (K, 1, out)."""

    def __init__(self, students: Sequence[MLP]):
        super().__init__()
        if not students:
            raise ValueError("need at least one student")
        configs = {str(s.config) for s in students}
        if len(configs) != 1:
            raise ValueError(f"all students must share one architecture, got {len(configs)} different configs")
        per = [_linears(s) for s in students]
        self.config = dict(students[0].config)
        self.K = len(students)
        std = students[0].net[0]
        self.register_buffer("mean", std.mean.clone())
        self.register_buffer("std", std.std.clone())
        self.weights = nn.ParameterList(
            [nn.Parameter(torch.stack([p[i].weight.detach().T for p in per]).contiguous()) for i in range(len(per[0]))])
        self.biases = nn.ParameterList(
            [nn.Parameter(torch.stack([p[i].bias.detach() for p in per]).unsqueeze(1).contiguous())
             for i in range(len(per[0]))])

    def features(self, X: torch.Tensor) -> torch.Tensor:
        """Standardised, flattened images (N, D), exactly as each MLP computes them before its first layer."""
        return ((X - self.mean) / self.std).flatten(1)

    def forward_features(self, h: torch.Tensor) -> torch.Tensor:
        """Logits (K, B, classes) from features: (K, B, D), one batch per student, or (N, D), shared by all."""
        last = len(self.weights) - 1
        for i, (W, b) in enumerate(zip(self.weights, self.biases)):
            h = torch.baddbmm(b, h, W) if h.dim() == 3 else torch.matmul(h, W) + b
            if i < last:
                h = torch.relu(h)
        return h

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Logits (K, N, classes) of every student on the same images X (N, C, H, W)."""
        return self.forward_features(self.features(X))

    @torch.no_grad()
    def unstack(self, students: Sequence[MLP]) -> list[MLP]:
        """Copy the trained weights back into the K given MLPs (in eval mode) and return them."""
        for k, s in enumerate(students):
            for lin, W, b in zip(_linears(s), self.weights, self.biases):
                lin.weight.copy_(W[k].T)
                lin.bias.copy_(b[k, 0])
            s.eval()
        return list(students)


@torch.no_grad()
def predict_logits_stacked(students: Sequence[MLP], X: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Logits (K, N, classes) of K students of one architecture on X, computed together."""
    stacked = StackedMLP(students)
    out = [stacked(X[i:i + batch_size]) for i in range(0, len(X), batch_size)]
    return torch.cat(out, 1)


def _per_student(value, K: int, name: str, check) -> torch.Tensor:
    vals = list(value) if isinstance(value, (list, tuple, torch.Tensor)) else [value] * K
    if len(vals) != K:
        raise ValueError(f"{name} has {len(vals)} values but there are {K} students: give one value or one per student")
    return torch.tensor([check(float(v)) for v in vals], dtype=torch.float32)


def _check_lr(lr: float) -> float:
    if not lr > 0 or not math.isfinite(lr):
        raise ValueError(f"lr must be a positive number, got {lr}")
    return lr


def distill_students(students: Sequence[MLP], teacher: nn.Module | None, train, val=None, *, seeds: Sequence[int],
                     T=4.0, alpha=0.9, lr=1e-3, epochs: int = 10, batch_size: int = 64,
                     teacher_logits: torch.Tensor | None = None, progress: bool = True,
                     desc: str | None = None) -> list[dict]:
    """Train K students at once on kd_loss (alpha = 0 is labels only); the same result as K `distill` runs.

    students: K MLPs of one architecture (see `make_students`); they are trained in place.
    seeds:    one per student, for its batch order (as `distill(..., seed=s)`).
    T, alpha, lr: one value for all, or one per student. alpha is the weight of the SOFT term.
    teacher / teacher_logits: the frozen teacher, or its logits for every training row in order (reused
    across calls, and required for a transfer set the teacher is not run on here). Not needed when every
    alpha is 0.
    Returns one history per student, shaped like `distill`'s (train_loss, train_acc, val_acc, val_loss per
    epoch; time_s is the time of the whole batch's epoch).
    """
    from .room import refuse_training  # DISTILL_NO_TRAINING=1: a prepared room trains nothing
    refuse_training(f"distill_students ({len(students)} students, {epochs} epochs)")
    K = len(students)
    seeds = [int(s) for s in seeds]
    if K == 0 or len(seeds) != K:
        raise ValueError(f"need one seed per student: {K} students, {len(seeds)} seeds")
    if epochs < 0 or batch_size < 1:
        raise ValueError(f"need epochs >= 0 and batch_size >= 1, got {epochs} and {batch_size}")
    Ts = _per_student(T, K, "T", check_temperature)
    alphas = _per_student(alpha, K, "alpha", check_alpha)
    lrs = _per_student(lr, K, "lr", _check_lr)
    if isinstance(val, HeldOutTest):
        raise ValueError("the test split was passed as the validation set: choices made while watching it "
                         "would be tuned on the test set. Pass the validation split from load_splits()")
    if any(teacher is s for s in students):
        raise ValueError("a student is also the teacher: distillation needs separate students")
    X, y = as_tensors(train)
    n = len(X)
    needs_teacher = bool((alphas > 0).any())
    if teacher_logits is None and needs_teacher:
        if teacher is None:
            raise ValueError("alpha > 0 needs the teacher or its logits: pass teacher= or teacher_logits=")
        from .evaluate import predict_logits
        teacher_logits = predict_logits(teacher, X)
    if teacher_logits is not None and teacher_logits.shape[0] != n:
        raise ValueError(f"teacher_logits has {teacher_logits.shape[0]} rows but the training set has {n}: pass "
                         f"the teacher's logits for the same rows, in the same order")

    stacked = StackedMLP(students)
    params = list(stacked.parameters())
    feats = stacked.features(X)
    X_val, y_val = as_tensors(val) if val is not None else (None, None)
    gens = [torch.Generator().manual_seed(s) for s in seeds]
    # Adam by hand (the same update as torch.optim.Adam's defaults) so that each student has its own lr.
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    m1 = [torch.zeros_like(p) for p in params]
    m2 = [torch.zeros_like(p) for p in params]
    steps = epochs * -(-n // batch_size)
    T3, lr3 = Ts.view(K, 1, 1), lrs.view(K, 1, 1)
    soft_w = (alphas * Ts * Ts).view(K)
    hard_w = 1.0 - alphas
    hists = [{"epoch": [], "train_loss": [], "train_acc": [], "val_acc": [], "val_loss": [], "time_s": []}
             for _ in range(K)]
    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=epochs, desc=desc or f"{K} students", unit="epoch", leave=True)
    step = 0
    for epoch in range(1, epochs + 1):
        t0 = time.perf_counter()
        perms = torch.stack([torch.randperm(n, generator=g) for g in gens])  # (K, n): each student's order
        loss_sum = torch.zeros(K, dtype=torch.float64)
        correct = torch.zeros(K, dtype=torch.int64)
        for i in range(0, n, batch_size):
            idx = perms[:, i:i + batch_size]  # (K, B)
            B = idx.shape[1]
            z = stacked.forward_features(feats[idx])  # (K, B, classes)
            yb = y[idx]
            log_q1 = F.log_softmax(z, -1)
            hard = -log_q1.gather(-1, yb.unsqueeze(-1)).squeeze(-1).mean(1)  # (K,) cross-entropy
            if teacher_logits is not None:
                log_p = F.log_softmax(teacher_logits[idx] / T3, -1)
                log_q = F.log_softmax(z / T3, -1)
                soft = (log_p.exp() * (log_p - log_q)).sum((1, 2)) / B  # (K,) KL, batch mean
                per = soft_w * soft + hard_w * hard
            else:
                per = hard
            for p in params:
                p.grad = None
            per.sum().backward()  # disjoint parameters: each student gets its own gradient
            with torch.no_grad():
                step += 1
                lam = 0.5 * (1 + math.cos(math.pi * min(step - 1, steps) / max(steps, 1)))  # cosine decay
                bc1, bc2 = 1 - beta1 ** step, 1 - beta2 ** step
                for p, e1, e2 in zip(params, m1, m2):
                    e1.lerp_(p.grad, 1 - beta1)
                    e2.mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                    denom = (e2.sqrt() / math.sqrt(bc2)).add_(eps)
                    p.sub_((lr3 * (lam / bc1)) * e1 / denom)
                loss_sum += per.detach().double() * B
                correct += (z.argmax(-1) == yb).sum(1)
        dt = time.perf_counter() - t0
        if X_val is not None:
            with torch.no_grad():
                vl = stacked(X_val)
                v_acc = (vl.argmax(-1) == y_val).float().mean(1)
                v_loss = F.cross_entropy(vl.reshape(-1, vl.shape[-1]), y_val.repeat(K), reduction="none").view(K, -1).mean(1)
        for k, h in enumerate(hists):
            h["epoch"].append(epoch)
            h["train_loss"].append(loss_sum[k].item() / n)
            h["train_acc"].append(correct[k].item() / n)
            h["time_s"].append(dt)
            if X_val is not None:
                h["val_acc"].append(v_acc[k].item())
                h["val_loss"].append(v_loss[k].item())
        if bar is not None:
            post = {"loss": f"{loss_sum.mean().item() / n:.4f}"}
            if X_val is not None:
                post["val_acc"] = f"{v_acc.mean().item():.4f}"
            bar.set_postfix(post)
            bar.update(1)
    if bar is not None:
        bar.close()
    stacked.unstack(students)
    return hists
