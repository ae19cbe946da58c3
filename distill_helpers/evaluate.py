"""Evaluation: accuracy, confusion, teacher-student agreement, calibration, size and latency."""
from __future__ import annotations

import io
import os
import statistics
import time

import torch
from torch import nn

from .losses import kl_divergence, softmax_with_temperature
from .models import count_parameters
from .train import _tensors, predict_logits

__all__ = ["predict_logits", "accuracy", "error_count", "confusion_matrix", "per_class_accuracy",
           "agreement", "mean_kl", "calibration_bins", "expected_calibration_error", "model_size_bytes",
           "file_size", "latency", "evaluate_model", "count_parameters", "count_macs"]


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


def confusion_matrix(logits: torch.Tensor, y: torch.Tensor, num_classes: int | None = None) -> torch.Tensor:
    """C[i, j] = number of examples of true class i predicted as j."""
    p = _preds(logits)
    n = num_classes or (logits.shape[1] if logits.dim() == 2 else int(max(p.max(), y.max())) + 1)
    return torch.bincount(y * n + p, minlength=n * n).reshape(n, n)


def per_class_accuracy(logits: torch.Tensor, y: torch.Tensor, num_classes: int | None = None) -> torch.Tensor:
    """Recall of each class: diagonal of the confusion matrix over its row sums (NaN for absent classes)."""
    cm = confusion_matrix(logits, y, num_classes).double()
    return cm.diagonal() / cm.sum(1)


def agreement(teacher_logits: torch.Tensor, student_logits: torch.Tensor) -> float:
    """Top-1 agreement: fraction of examples where student and teacher predict the same class."""
    return (_preds(teacher_logits) == _preds(student_logits)).float().mean().item()


def mean_kl(teacher_logits: torch.Tensor, student_logits: torch.Tensor, T: float = 1.0) -> float:
    """Mean over examples of KL(teacher_T || student_T), in nats."""
    return kl_divergence(student_logits.double(), teacher_logits.double(), T).item()


def calibration_bins(logits: torch.Tensor, y: torch.Tensor, n_bins: int = 10) -> dict:
    """Confidence histogram for a reliability diagram: per bin, count, mean confidence and accuracy."""
    _matched(logits, y)
    if logits.dim() != 2:
        raise ValueError(f"calibration needs logits of shape (batch, classes), got {tuple(logits.shape)}")
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


def file_size(path: str | os.PathLike) -> int:
    """Size of a file in bytes."""
    return os.path.getsize(path)


@torch.no_grad()
def latency(model: nn.Module, X: torch.Tensor, repeats: int = 20, warmup: int = 3) -> float:
    """Median seconds of one forward pass on X in eval mode (X is one batch; use X[:1] for one image)."""
    was = model.training
    model.eval()
    for _ in range(warmup):
        model(X)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        model(X)
        times.append(time.perf_counter() - t0)
    model.train(was)
    return statistics.median(times)


def evaluate_model(model: nn.Module, test, teacher_logits: torch.Tensor | None = None) -> dict:
    """Accuracy, errors, ECE and parameters on `test`; agreement and mean KL when teacher_logits is given."""
    X, y = _tensors(test)
    if len(X) == 0:
        raise ValueError("the test set is empty: evaluate_model needs at least one example")
    logits = predict_logits(model, X)
    out = {"accuracy": accuracy(logits, y), "errors": error_count(logits, y), "n": len(y),
           "ece": expected_calibration_error(logits, y), "params": count_parameters(model),
           "size_bytes": model_size_bytes(model)}
    if teacher_logits is not None:
        out["agreement"] = agreement(teacher_logits, logits)
        out["mean_kl"] = mean_kl(teacher_logits, logits)
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
    was = model.training
    model.eval()
    try:
        model(torch.zeros(1, *input_shape))
    finally:
        for h in hooks:
            h.remove()
        model.train(was)
    return total
