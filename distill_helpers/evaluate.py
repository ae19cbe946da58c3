"""Evaluation: accuracy, confusion, teacher-student agreement, calibration, size and latency."""
from __future__ import annotations

import io
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

from .data import as_tensors
from .losses import kl_divergence, softmax_with_temperature
from .models import count_parameters, eval_mode

__all__ = ["predict_logits", "accuracy", "error_count", "eval_metrics", "class_errors", "choose_bias_shift",
           "confusion_matrix", "agreement", "wrong_class_rank_correlation", "mean_kl", "calibration_bins", "expected_calibration_error",
           "model_size_bytes", "latency", "latency_stats", "evaluate_model", "count_parameters", "count_macs"]


@torch.no_grad()
def predict_logits(model: nn.Module, X: torch.Tensor, batch_size: int = 256,
                   device: str | torch.device | None = None) -> torch.Tensor:
    """Logits of `model` in eval mode for all of X, computed on the model's device, returned on the CPU.

    `device` (default: where the model's parameters are) is where each batch of X is sent. The model's
    mode is restored after.
    """
    if device is None:
        first = next(model.parameters(), None)
        device = first.device if first is not None else torch.device("cpu")
    device = torch.device(device)
    with eval_mode(model):
        out = [model(X[i:i + batch_size].to(device)).float().cpu() for i in range(0, len(X), batch_size)]
    return torch.cat(out) if out else torch.empty(0)


def _preds(logits_or_preds: torch.Tensor) -> torch.Tensor:
    return logits_or_preds.argmax(1) if logits_or_preds.dim() == 2 else logits_or_preds


def _matched(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Predictions of `logits`, checked to pair one-to-one with the labels (no silent broadcasting)."""
    p = _preds(logits)
    if not isinstance(y, torch.Tensor) or p.shape != y.shape:
        raise ValueError(f"{tuple(p.shape)} predictions but labels of shape {tuple(getattr(y, 'shape', ()))}: "
                         f"pass one label per example, in the same order")
    if p.numel() == 0:
        raise ValueError("no examples to score (empty logits and labels): check that the test set is not empty")
    return p


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    """Fraction of rows whose argmax equals the label (accepts logits or predicted labels)."""
    return (_matched(logits, y) == y).float().mean().item()


def error_count(logits: torch.Tensor, y: torch.Tensor) -> int:
    """Number of misclassified examples (the paper reports MNIST results this way)."""
    return int((_matched(logits, y) != y).sum())


def eval_metrics(logits: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    """{"acc": accuracy, "loss": mean cross-entropy} of logits against labels (what a training history logs)."""
    return {"acc": accuracy(logits, y), "loss": F.cross_entropy(logits.float(), y).item()}


def class_errors(logits: torch.Tensor, y: torch.Tensor, cls: int) -> tuple[int, int, int]:
    """(errors overall, errors on examples of class `cls`, number of examples of class `cls`)."""
    mask = y == cls
    n = int(mask.sum())
    return error_count(logits, y), error_count(logits[mask], y[mask]) if n else 0, n


def choose_bias_shift(logits: torch.Tensor, y: torch.Tensor, cls: int, deltas=None) -> float:
    """The bias shift for class `cls` that maximises accuracy on (logits, y); ties go to the smallest shift.

    Pass logits of TRAINING (or validation) data: choosing the shift on the test set would make the
    test result a lie.
    """
    deltas = [d / 10 for d in range(0, 151)] if deltas is None else list(deltas)
    onehot = F.one_hot(torch.tensor(cls), logits.shape[1]).to(logits.dtype)
    accs = [accuracy(logits + d * onehot, y) for d in deltas]
    return deltas[accs.index(max(accs))]


def confusion_matrix(logits: torch.Tensor, y: torch.Tensor, num_classes: int | None = None) -> torch.Tensor:
    """C[i, j] = number of examples of true class i predicted as j."""
    p = _preds(logits)
    n = num_classes or (logits.shape[1] if logits.dim() == 2 else int(max(p.max(), y.max())) + 1)
    return torch.bincount(y * n + p, minlength=n * n).reshape(n, n)


def agreement(*, student_logits: torch.Tensor, teacher_logits: torch.Tensor) -> float:
    """Top-1 agreement: fraction of examples where student and teacher predict the same class."""
    s, t = _preds(student_logits), _preds(teacher_logits)
    if s.shape != t.shape:
        raise ValueError(f"student_logits and teacher_logits cover {len(s)} and {len(t)} examples: "
                         f"pass both models' outputs on the same inputs")
    return (s == t).float().mean().item()


def wrong_class_rank_correlation(*, student_logits: torch.Tensor, teacher_logits: torch.Tensor,
                                 labels: torch.Tensor) -> torch.Tensor:
    """Per example, Spearman's rank correlation between student and teacher over the N - 1 wrong classes.

    1 means the student orders the wrong classes exactly as the teacher does, 0 no relation, -1 reversed.
    Ranks by logit (the order is the same at every temperature); rho = 1 - 6 sum d^2 / (n (n^2 - 1)).
    """
    if student_logits.shape != teacher_logits.shape or student_logits.dim() != 2:
        raise ValueError(f"student_logits {tuple(student_logits.shape)} and teacher_logits "
                         f"{tuple(teacher_logits.shape)} must both have shape (batch, classes)")
    b, n = student_logits.shape
    if n < 3:
        raise ValueError(f"need at least 3 classes for a ranking of the wrong ones, got {n}")
    keep = torch.ones(b, n, dtype=torch.bool)
    keep[torch.arange(b), labels] = False

    def ranks(z):
        return z[keep].reshape(b, n - 1).argsort(1).argsort(1).double()
    d = ranks(student_logits) - ranks(teacher_logits)
    m = n - 1
    return 1 - 6 * d.pow(2).sum(1) / (m * (m * m - 1))


def mean_kl(*, student_logits: torch.Tensor, teacher_logits: torch.Tensor, T: float = 1.0) -> float:
    """Mean over examples of KL(teacher_T || student_T), in nats."""
    return kl_divergence(student_logits.double(), teacher_logits.double(), T).item()


def calibration_bins(logits: torch.Tensor, y: torch.Tensor, n_bins: int = 10) -> dict:
    """Confidence histogram for a reliability diagram: per bin, count, mean confidence and accuracy."""
    _matched(logits, y)
    if logits.dim() != 2:
        raise ValueError(f"calibration needs logits of shape (batch, classes), got {tuple(logits.shape)}")
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise ValueError(f"n_bins must be an integer >= 1 such as 10, got {n_bins!r}")
    if not bool(torch.isfinite(logits).all()):
        raise ValueError("the logits contain NaN or inf, so no confidence can be computed: the model has diverged "
                         "or was fed NaN inputs; check the model and the data before measuring calibration")
    probs = softmax_with_temperature(logits.double(), 1.0)
    conf, pred = probs.max(1)
    correct = (pred == y).double()
    # Bin b holds confidences in (b/n, (b+1)/n]; confidence >= 1/C > 0, so nothing falls below bin 0.
    idx = (torch.ceil(conf * n_bins).long() - 1).clamp(0, n_bins - 1)
    count = torch.bincount(idx, minlength=n_bins).double()
    conf_sum = torch.bincount(idx, weights=conf, minlength=n_bins)
    acc_sum = torch.bincount(idx, weights=correct, minlength=n_bins)
    safe = count.clamp(min=1)
    return {"edges": torch.linspace(0, 1, n_bins + 1).tolist(), "count": count.long().tolist(),
            "confidence": (conf_sum / safe).tolist(), "accuracy": (acc_sum / safe).tolist()}


def expected_calibration_error(logits: torch.Tensor, y: torch.Tensor, n_bins: int = 10) -> float:
    """ECE = sum_b (n_b / n) |accuracy_b - confidence_b| over equal-width confidence bins."""
    b = calibration_bins(logits, y, n_bins)
    n = sum(b["count"])
    return sum(c / n * abs(a - f) for c, a, f in zip(b["count"], b["accuracy"], b["confidence"]))


def model_size_bytes(model: nn.Module) -> int:
    """Bytes of the serialised state_dict (what a checkpoint of the weights costs on disk)."""
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    return buf.getbuffer().nbytes


@torch.no_grad()
def latency_stats(model: nn.Module, X: torch.Tensor, repeats: int = 50, warmup: int = 5) -> dict:
    """Seconds of one forward pass on X in eval mode: {"min", "median"} over `repeats` runs after `warmup`.

    On a shared or busy machine, other processes only ever add time, so the minimum is the most
    repeatable estimate of what the model itself costs; the median shows what a user typically waits.
    """
    if repeats < 1 or warmup < 0:
        raise ValueError(f"need repeats >= 1 and warmup >= 0, got {repeats} and {warmup}")
    times = []
    with eval_mode(model):
        for _ in range(warmup):
            model(X)
        for _ in range(repeats):
            t0 = time.perf_counter()
            model(X)
            times.append(time.perf_counter() - t0)
    return {"min": min(times), "median": statistics.median(times), "repeats": repeats}


def latency(model: nn.Module, X: torch.Tensor, repeats: int = 20, warmup: int = 3) -> float:
    """Median seconds of one forward pass on X in eval mode (X is one batch; use X[:1] for one image)."""
    return latency_stats(model, X, repeats, warmup)["median"]


def evaluate_model(model: nn.Module, test, *, teacher_logits: torch.Tensor | None = None) -> dict:
    """Accuracy, errors, ECE and parameters on `test`; agreement and mean KL when teacher_logits is given."""
    X, y = as_tensors(test)
    if len(X) == 0:
        raise ValueError("the test set is empty: evaluate_model needs at least one example")
    logits = predict_logits(model, X)
    out = {"accuracy": accuracy(logits, y), "errors": error_count(logits, y), "n": len(y),
           "ece": expected_calibration_error(logits, y), "params": count_parameters(model),
           "size_bytes": model_size_bytes(model)}
    if teacher_logits is not None:
        out["agreement"] = agreement(student_logits=logits, teacher_logits=teacher_logits)
        out["mean_kl"] = mean_kl(student_logits=logits, teacher_logits=teacher_logits)
    return out


@torch.no_grad()
def count_macs(model: nn.Module, input_shape) -> int:
    """Multiply-accumulates of one forward pass on one input, counted over Linear and Conv2d layers."""
    total = 0

    def hook(m, inp, out):
        nonlocal total
        if isinstance(m, nn.Linear):
            total += m.in_features * m.out_features
        elif isinstance(m, nn.Conv2d):
            k = m.kernel_size[0] * m.kernel_size[1] * (m.in_channels // m.groups)
            total += out.shape[1] * out.shape[2] * out.shape[3] * k
    hooks = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    try:
        with eval_mode(model):
            model(torch.zeros(1, *input_shape))
    finally:
        for h in hooks:
            h.remove()
    return total
