"""Distillation losses, written for numerical stability (log-softmax and log-targets throughout).

Convention used everywhere in this project: ``alpha`` is the weight of the SOFT (teacher) term and
``1 - alpha`` the weight of the hard-label cross-entropy. Some libraries (the Keras example,
torchdistill) use the opposite convention, so check before you copy a value of alpha.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from .recipes import RECIPES

__all__ = ["softmax_with_temperature", "soft_targets", "entropy",
           "kl_divergence", "soft_cross_entropy", "kd_loss", "kd_loss_terms", "logit_matching_loss",
           "check_temperature", "check_alpha", "check_kd_temperature", "KD_MAX_T", "as_target_logits",
           "label_smoothing_targets", "uniform_soft_targets", "kd_loss_unchecked", "check_logits"]


def _is_bool(x) -> bool:
    """True for Python, numpy and torch booleans, which float() would silently turn into 0.0 or 1.0."""
    return isinstance(x, bool) or str(getattr(x, "dtype", "")) in ("bool", "torch.bool")


def _as_number(x, what: str, bool_fix: str = "") -> float:
    """float(x), or a ValueError that says `what` x must be: booleans and non-numbers are refused."""
    if _is_bool(x):
        raise ValueError(f"{what}, got the boolean {x!r}{bool_fix}")
    try:
        return float(x)
    except (TypeError, ValueError):
        raise ValueError(f"{what}, got {x!r}") from None


def check_temperature(T) -> float:
    """Return T as a float, or raise ValueError if it is not a finite number > 0."""
    t = _as_number(T, "temperature T must be a positive number")
    if not math.isfinite(t) or t <= 0:
        raise ValueError(f"temperature T must be finite and > 0 (T=1 is the ordinary softmax, "
                         f"T=2..20 is typical for distillation), got T={T!r}")
    return t


def check_alpha(alpha) -> float:
    """Return alpha as a float, or raise ValueError if it is outside [0, 1]."""
    a = _as_number(alpha, "alpha must be a number in [0, 1]", "; write 1.0 or 0.0")
    if not 0.0 <= a <= 1.0:  # also rejects NaN
        raise ValueError(f"alpha is the weight of the soft (teacher) term and must lie in [0, 1] "
                         f"(1 = teacher only, 0 = labels only), got alpha={alpha!r}")
    return a


def _check_logits(logits: torch.Tensor, name: str) -> None:
    if not isinstance(logits, torch.Tensor):
        raise ValueError(f"{name} must be a torch.Tensor of shape (batch, classes), got {type(logits).__name__}")
    if logits.dim() != 2:
        raise ValueError(f"{name} must have shape (batch, classes), got {tuple(logits.shape)}; "
                         f"flatten extra dimensions or add a batch dimension with {name}[None]")
    if not logits.is_floating_point():
        raise ValueError(f"{name} must be a floating-point tensor, got {logits.dtype}; use {name}.float()")
    if logits.shape[0] == 0 or logits.shape[1] == 0:
        raise ValueError(f"{name} is empty (shape {tuple(logits.shape)}): a loss needs at least one example "
                         f"and one class; check that the batch or the dataset is not empty")
    if torch.isnan(logits).any():
        raise ValueError(f"{name} contains NaN: the model that produced them has diverged or was fed "
                         f"NaN inputs; lower the learning rate or check the data")
    if torch.isinf(logits).any():
        raise ValueError(f"{name} contains +-inf: the model that produced them has overflowed (or a mask "
                         f"used inf); use large finite values such as +-1e4 instead, or lower the learning rate")


def _check_pair(student_logits, teacher_logits) -> None:
    _check_logits(student_logits, "student_logits")
    _check_logits(teacher_logits, "teacher_logits")
    if student_logits.shape != teacher_logits.shape:
        raise ValueError(f"student_logits {tuple(student_logits.shape)} and teacher_logits "
                         f"{tuple(teacher_logits.shape)} must have the same shape (batch, classes): "
                         f"are both models built for the same number of classes, and fed the same batch?")


def softmax_with_temperature(logits: torch.Tensor, T: float = 1.0) -> torch.Tensor:
    """p_i = exp(z_i / T) / sum_j exp(z_j / T); T > 1 softens the distribution, T < 1 sharpens it."""
    return F.softmax(logits / check_temperature(T), dim=-1)


def soft_targets(teacher_logits: torch.Tensor, T: float) -> torch.Tensor:
    """The teacher's softened distribution softmax(v / T), detached: targets carry no gradient."""
    return softmax_with_temperature(teacher_logits.detach(), T)


def entropy(probs: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """Shannon entropy -sum p log p in nats, with 0 log 0 = 0."""
    return -torch.special.xlogy(probs, probs).sum(dim)


def kl_divergence(student_logits, teacher_logits, T: float = 1.0) -> torch.Tensor:
    """Batch mean of KL(softmax(v/T) || softmax(z/T)), teacher v first: sum_i p_i (log p_i - log q_i)."""
    _check_pair(student_logits, teacher_logits)
    T = check_temperature(T)
    log_q = F.log_softmax(student_logits / T, dim=-1)
    log_p = F.log_softmax(teacher_logits.detach().to(student_logits.dtype) / T, dim=-1)
    # log_target=True: the targets are log-probabilities, so no log(0) is ever taken.
    return F.kl_div(log_q, log_p, reduction="batchmean", log_target=True)


def soft_cross_entropy(student_logits, teacher_logits, T: float = 1.0) -> torch.Tensor:
    """Batch mean of -sum_i p_i log q_i: the paper's soft-target cross-entropy (KL plus the teacher's entropy)."""
    _check_pair(student_logits, teacher_logits)
    T = check_temperature(T)
    log_q = F.log_softmax(student_logits / T, dim=-1)
    p = F.softmax(teacher_logits.detach().to(student_logits.dtype) / T, dim=-1)
    return -(p * log_q).sum(-1).mean()


def logit_matching_loss(student_logits, teacher_logits, centre: bool = True) -> torch.Tensor:
    """Logit matching, 1/(2N) sum_i (z_i - v_i)^2 averaged over the batch (N classes).

    With centre=True (the default) each row of logits has its mean subtracted first. A softmax cannot
    see a constant added to all logits of one example, so distillation never moves that mean; the
    gradient of this loss, ((z_i - mean z) - (v_i - mean v)) / N per example, is then exactly the
    high-temperature limit of the gradient of T^2 * KL, for any logits. centre=False is plain
    regression on the raw logits (Ba & Caruana 2014), which also pulls the means together.
    """
    _check_pair(student_logits, teacher_logits)
    diff = student_logits - teacher_logits.detach().to(student_logits.dtype)
    if centre:
        diff = diff - diff.mean(-1, keepdim=True)
    return 0.5 * diff.pow(2).mean()


def _check_labels(labels, logits) -> None:
    if not isinstance(labels, torch.Tensor) or labels.dim() != 1 or labels.dtype not in (torch.int64, torch.int32):
        raise ValueError("labels must be a 1-D integer tensor of class indices (torch.int64), got "
                         f"{getattr(labels, 'dtype', type(labels).__name__)} with shape "
                         f"{tuple(getattr(labels, 'shape', ()))}")
    if labels.shape[0] != logits.shape[0]:
        raise ValueError(f"labels has {labels.shape[0]} entries but the batch has {logits.shape[0]} rows")
    n = logits.shape[1]
    if labels.numel() and (labels.min() < 0 or labels.max() >= n):
        raise ValueError(f"labels must lie in [0, {n - 1}] for {n} classes, got values from "
                         f"{int(labels.min())} to {int(labels.max())}")


#: Above this temperature T^2 * KL is a product of a huge and a vanishing number: in float32 it is wrong
#: from T ~ 1e3 and NaN from T ~ 2e19. Up to it, large temperatures are computed in float64.
KD_MAX_T = 1e4


def check_kd_temperature(T) -> float:
    """`check_temperature`, and at most KD_MAX_T: the temperatures at which T^2 * KL is computed accurately."""
    T = check_temperature(T)
    if T > KD_MAX_T:
        raise ValueError(f"T={T:g} is too large for the distillation loss (at most {KD_MAX_T:g}; 2 to 20 is "
                         f"typical): T^2 * KL loses all precision there. For the high-temperature limit use "
                         f"logit_matching_loss")
    return T


def kd_loss_terms(student_logits, teacher_logits, labels=None, T: float = RECIPES.distill.T) -> dict[str, torch.Tensor]:
    """The two unweighted terms: soft = T^2 * KL(teacher_T || student_T), hard = CE(student, labels)."""
    T = check_kd_temperature(T)
    _check_pair(student_logits, teacher_logits)
    terms = {"soft": _soft_term(student_logits, teacher_logits, T)}
    if labels is not None:
        _check_labels(labels, student_logits)
        terms["hard"] = F.cross_entropy(student_logits, labels.long())
    return terms


def _soft_term(student_logits, teacher_logits, T: float) -> torch.Tensor:
    """T^2 * KL(softmax(v/T) || softmax(z/T)), batch mean, unchecked (float64 above T = 100)."""
    dtype = student_logits.dtype
    if T > 100 and dtype != torch.float64:  # the cancellation in KL needs double precision
        student_logits, teacher_logits = student_logits.double(), teacher_logits.double()
    log_q = F.log_softmax(student_logits / T, dim=-1)
    log_p = F.log_softmax(teacher_logits.detach().to(student_logits.dtype) / T, dim=-1)
    kl = F.kl_div(log_q, log_p, reduction="batchmean", log_target=True)  # the arithmetic of kl_divergence
    return (T * T * kl).to(dtype) if T > 100 and dtype != torch.float64 else T * T * kl


def kd_loss(student_logits, teacher_logits, labels=None, T: float = RECIPES.distill.T,
            alpha: float = RECIPES.distill.alpha) -> torch.Tensor:
    """alpha * T^2 * KL(softmax(v/T) || softmax(z/T)) + (1 - alpha) * CE(z, labels), batch means.

    alpha is the weight of the SOFT term (teacher), 1 - alpha that of the hard labels.
    The T^2 factor keeps the soft gradient, which scales as 1/T^2, comparable across temperatures.
    labels may be None only when alpha == 1.
    """
    alpha = check_alpha(alpha)
    if labels is None and alpha != 1.0:
        raise ValueError(f"labels=None is only allowed with alpha=1 (teacher only); with alpha={alpha} "
                         f"the hard term needs labels, so pass labels or set alpha=1")
    terms = kd_loss_terms(student_logits, teacher_logits, labels if alpha != 1.0 else None, T)
    loss = alpha * terms["soft"]
    if alpha != 1.0:
        loss = loss + (1.0 - alpha) * terms["hard"]
    return loss


def kd_loss_unchecked(student_logits, teacher_logits, labels, T: float, alpha: float) -> torch.Tensor:
    """`kd_loss` without its checks, the same arithmetic: for a training loop's every batch, once the loop has
    checked T (`check_kd_temperature`), alpha, the labels and the teacher's logits at its start (`distill`
    does). Each check is a scan of the batch and a host synchronisation, which costs on a GPU; no check is
    made here, so bad input gives NaN or an indexing error instead of a message."""
    loss = alpha * _soft_term(student_logits, teacher_logits, T)
    if alpha != 1.0:
        loss = loss + (1.0 - alpha) * F.cross_entropy(student_logits, labels.long())
    return loss


def check_logits(logits: torch.Tensor, name: str = "logits") -> None:
    """Refuse logits that are not a non-empty float (batch, classes) tensor of finite values, with a message."""
    _check_logits(logits, name)


# ---- targets without dark knowledge: the controls of "what does the teacher add?" --------------------------
# The soft term of kd_loss only sees softmax(teacher_logits / T), so any target distribution p can be
# written as logits T * log p and distilled with the same code: label smoothing is KD at T = 1 and
# alpha = 1 against smoothed labels, and uniform soft targets are KD against a teacher whose wrong-class
# probabilities (its dark knowledge) have been flattened.

def as_target_logits(probs: torch.Tensor, T: float = 1.0) -> torch.Tensor:
    """Logits whose tempered softmax is `probs` (rows summing to 1, all > 0): T * log(probs)."""
    T = check_temperature(T)
    if not bool((probs > 0).all()) or not torch.allclose(probs.sum(-1), torch.ones(()), atol=1e-5):
        raise ValueError("probs must be probabilities > 0 that sum to 1 along the last dimension (a zero has no logit)")
    return T * probs.log()


def label_smoothing_targets(labels: torch.Tensor, num_classes: int, eps: float = 0.1) -> torch.Tensor:
    """Label smoothing (Szegedy et al. 2016): 1 - eps + eps / C on the label, eps / C on every other class."""
    if isinstance(eps, bool) or not 0 < float(eps) < 1:
        raise ValueError(f"eps must be a number strictly between 0 and 1 such as 0.1, got {eps!r}")
    C = int(num_classes)
    out = torch.full((len(labels), C), float(eps) / C)
    out[torch.arange(len(labels)), labels.long()] += 1.0 - float(eps)
    return out


def uniform_soft_targets(teacher_logits: torch.Tensor, T: float = 1.0) -> torch.Tensor:
    """The teacher's tempered softmax with its dark knowledge removed (Yuan et al. 2020; Mueller et al. 2019).

    Per example (teacher_logits: (n, classes)), the teacher's top class keeps its probability p_max at
    temperature T and the other C - 1 classes share 1 - p_max equally: as confident as the teacher, with
    none of its similarities between classes. Returns probabilities; `as_target_logits` makes them logits.
    """
    _check_logits(teacher_logits, "teacher_logits")
    p = softmax_with_temperature(teacher_logits, check_temperature(T))
    top, arg = p.max(-1, keepdim=True)
    C = p.shape[-1]
    out = ((1 - top) / (C - 1)).expand_as(p).clone()
    return out.scatter_(-1, arg, top)
