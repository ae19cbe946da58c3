"""The losses of language-model distillation, one per method: word-level (forward KL), reverse KL, top-k.

All compare next-character distributions at every real position; `lm_loss` picks one by method name.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from ..losses import check_temperature, kd_loss

__all__ = ["METHODS", "TWO_BY_TWO", "reverse_kl", "topk_from_logits", "topk_kd_loss", "lm_loss"]

METHODS = ("labels", "word", "seq", "onpolicy", "topk", "word_reverse", "onpolicy_forward")
#: The 2 x 2 design of notebook 08: (data of the second half of training, divergence). All four share the
#: same first half (word-level KD on the training text), so they differ in exactly these two things.
TWO_BY_TWO = {"word": ("training text", "forward"), "word_reverse": ("training text", "reverse"),
              "onpolicy_forward": ("student samples", "forward"), "onpolicy": ("student samples", "reverse")}


def _check_same_shape(student_logits, teacher_logits, teacher_name: str = "teacher_logits") -> None:
    """Two logit tensors of one shape (..., vocab): no silent broadcast of a (1, V) teacher over (6, V) rows."""
    for name, t in (("student_logits", student_logits), (teacher_name, teacher_logits)):
        if not isinstance(t, torch.Tensor) or t.dim() < 1 or not t.is_floating_point():
            raise ValueError(f"{name} must be a floating-point tensor of shape (..., vocab), got "
                             f"{getattr(t, 'dtype', type(t).__name__)} {tuple(getattr(t, 'shape', ()))}")
    if student_logits.shape[:-1] != teacher_logits.shape[:-1] or (
            teacher_name == "teacher_logits" and student_logits.shape != teacher_logits.shape):
        raise ValueError(f"student_logits {tuple(student_logits.shape)} and {teacher_name} "
                         f"{tuple(teacher_logits.shape)} must describe the same positions (same shape, vocab "
                         f"last): are both models fed the same batch, and built for the same vocabulary?")


def reverse_kl(student_logits: torch.Tensor, teacher_logits: torch.Tensor, T: float = 1.0) -> torch.Tensor:
    """Row mean of KL(q_student || p_teacher) = sum_v q_v (log q_v - log p_v); gradient flows through q.

    With T != 1 both are softened by T and the result is multiplied by T^2, as kd_loss does for the
    forward direction, so that the two directions can be compared at the same temperature."""
    _check_same_shape(student_logits, teacher_logits)
    T = check_temperature(T)
    log_q = F.log_softmax(student_logits / T, -1)
    log_p = F.log_softmax(teacher_logits.detach().to(log_q.dtype) / T, -1)
    return (log_q.exp() * (log_q - log_p)).sum(-1).mean() * T ** 2


def topk_from_logits(teacher_logits: torch.Tensor, k: int) -> tuple[torch.Tensor, torch.Tensor]:
    """What an API returns: the k largest log-probabilities (at T = 1) and their token ids."""
    if not 1 <= k <= teacher_logits.shape[-1]:
        raise ValueError(f"k must lie in 1..{teacher_logits.shape[-1]}, got {k}")
    v = teacher_logits.detach()
    return F.log_softmax(v if v.is_floating_point() else v.float(), -1).topk(k, dim=-1)


def topk_kd_loss(student_logits: torch.Tensor, topk_logprobs: torch.Tensor, topk_ids: torch.Tensor,
                 tail: str = "bucket") -> torch.Tensor:
    """Row mean of a KL from the teacher's top-k log-probabilities to the student.

    tail='bucket': both distributions are coarsened to k + 1 bins (the k tokens and "everything
    else"); the teacher's tail mass 1 - sum(top k) is kept, exactly. tail='renormalise': the teacher
    is renormalised over its top k (tail set to 0) and compared with the student's full distribution.
    """
    if tail not in ("bucket", "renormalise"):
        raise ValueError(f"tail must be 'bucket' or 'renormalise', got {tail!r}")
    _check_same_shape(student_logits, topk_logprobs, "topk_logprobs")
    if not isinstance(topk_ids, torch.Tensor) or topk_ids.shape != topk_logprobs.shape or topk_ids.is_floating_point():
        raise ValueError(f"topk_ids must be integer token ids of the shape of topk_logprobs "
                         f"{tuple(topk_logprobs.shape)}, got {tuple(getattr(topk_ids, 'shape', ()))}: pass both "
                         f"from topk_from_logits(teacher_logits, k)")
    if topk_logprobs.shape[-1] > student_logits.shape[-1]:
        raise ValueError(f"k = {topk_logprobs.shape[-1]} top tokens but the student has a vocabulary of "
                         f"{student_logits.shape[-1]}: k must be at most the vocabulary size")
    log_q = F.log_softmax(student_logits, -1)
    log_q_top = log_q.gather(-1, topk_ids)
    lp = topk_logprobs.to(log_q.dtype)
    if tail == "renormalise":
        log_p = lp - torch.logsumexp(lp, -1, keepdim=True)
        return (log_p.exp() * (log_p - log_q_top)).sum(-1).mean()
    # log(1 - sum exp(x)) computed as log(-expm1(logsumexp x)), stable as the sum nears 1
    p_tail_log = torch.log(-torch.expm1(torch.logsumexp(lp, -1).clamp(max=-1e-12)))
    q_tail_log = torch.log(-torch.expm1(torch.logsumexp(log_q_top, -1).clamp(max=-1e-12)))
    kl_top = (lp.exp() * (lp - log_q_top)).sum(-1)
    kl_tail = torch.special.xlogy(p_tail_log.exp(), p_tail_log.exp()) - p_tail_log.exp() * q_tail_log
    return (kl_top + kl_tail).mean()



def lm_loss(method: str, *, student_logits, teacher_logits=None, targets, mask, T: float = 1.0, k: int = 5,
            tail: str = "bucket") -> torch.Tensor:
    """The loss of one method on the valid positions (`mask`): student logits, teacher logits, then targets.

    All by keyword, in the project's order; teacher_logits is unused (may be None) by 'labels' and 'seq'.
    """
    z = student_logits[mask]
    if method in ("labels", "seq"):
        return F.cross_entropy(z, targets[mask])
    v = teacher_logits[mask]
    if method in ("word", "onpolicy_forward"):
        return kd_loss(z, v, None, T=T, alpha=1.0)  # T^2 KL(teacher_T || student_T)
    if method in ("onpolicy", "word_reverse"):
        return reverse_kl(z, v, T=T)  # T^2 KL(student_T || teacher_T)
    if method == "topk":
        return topk_kd_loss(z, *topk_from_logits(v, k), tail=tail)
    raise ValueError(f"method must be one of {METHODS}, got {method!r}")

