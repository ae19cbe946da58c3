"""How other libraries write the distillation loss: one function per library, and a translator to `kd_loss`.

Each function re-expresses one library's published formula in a few lines (no code is copied; the
source it was read from is cited in its docstring as repository, path and commit). Each takes the
student's logits, the teacher's logits and the labels (where the library uses them) positionally, in
that order, then the library's own keyword names and defaults, so that code read in the wild can be
re-run here on the same tensors. (The package's rule that two logit tensors are passed by keyword
outside `losses.py` is waived here on purpose: these functions mirror foreign signatures.)

`translate(name, **settings)` says how a setting of a library maps onto this series'
`kd_loss(student, teacher, labels, T=..., alpha=...)`, where alpha weights the SOFT term:

    library(student, teacher, labels, **settings) == t.scale * kd_loss(student, teacher, labels, **t.kwargs)
                                                     + t.offset(teacher)

`offset` is a constant for the student (the teacher's entropy, for losses written as a soft
cross-entropy instead of a KL), so the gradients are equal up to `scale`. Where no setting of
`kd_loss` gives the library's loss (DKD, TRL's JSD for beta > 0, Keras 3 with a non-KL loss), `translate`
raises `NoTranslation` saying why. `CONVENTIONS` holds the decoder ring: what alpha means, whether T^2
is applied, and the library's gotcha, one row per library.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

import torch
import torch.nn.functional as F

from ..losses import entropy, soft_targets

__all__ = ["torchdistill_kd_loss", "keras_example_kd_loss", "keras3_distiller_loss", "repdistiller_kd_loss",
           "mdistiller_kd_loss", "dkd_loss", "dkd_parts", "textbrewer_kd_ce_loss", "pytorch_tutorial_kd_loss",
           "distilbert_ce_loss", "trl_generalized_jsd", "Translation", "NoTranslation", "translate",
           "Convention", "CONVENTIONS", "KERAS_EPSILON"]

#: keras.backend.epsilon(): Keras' KL divergence clips both distributions to [1e-7, 1] before the log.
KERAS_EPSILON = 1e-7


def _batchmean_kl(student_logits, teacher_logits, T):
    """KL(softmax(t/T) || softmax(s/T)), summed over classes, averaged over rows: F.kl_div's 'batchmean'."""
    return F.kl_div(F.log_softmax(student_logits / T, -1), F.softmax(teacher_logits / T, -1), reduction="batchmean")


def _keras_kl(p_true, p_pred):
    """keras.losses.kl_divergence (keras/src/losses/losses.py), averaged over the batch: both sides clipped."""
    p_true, p_pred = p_true.clamp(KERAS_EPSILON, 1), p_pred.clamp(KERAS_EPSILON, 1)
    return (p_true * (p_true / p_pred).log()).sum(-1).mean()


# ---------------------------------------------------------------- alpha = the weight of the LABELS

def torchdistill_kd_loss(student_logits, teacher_logits, labels=None, *, temperature, alpha=None, beta=None):
    """torchdistill `KDLoss`: alpha * CE + beta * T^2 * KL, beta = 1 - alpha by default; alpha weights the LABELS.

    Read in yoshitomo-matsubara/torchdistill, torchdistill/losses/mid_level.py (class KDLoss, commit 01038e7).
    Its docstring writes alpha L_CE + (1 - alpha) tau^2 L_KL, but when alpha is None or 0, or no targets
    are passed, it returns the KL WITHOUT the T^2 factor. With alpha = beta = None (both defaults),
    computing beta = 1 - None raises TypeError, as the library does. `temperature` has no default there.
    """
    if beta is None:
        beta = 1 - alpha  # TypeError for alpha=None, as in the library
    soft = _batchmean_kl(student_logits, teacher_logits, temperature)
    if alpha is None or alpha == 0 or labels is None:
        return soft
    return alpha * F.cross_entropy(student_logits, labels) + beta * temperature ** 2 * soft


def keras_example_kd_loss(student_logits, teacher_logits, labels, *, alpha=0.1, temperature=3):
    """keras-io's example: alpha * CE + (1 - alpha) * T^2 * KL; alpha weights the LABELS (the run uses T=10).

    Read in keras-team/keras-io, examples/vision/knowledge_distillation.py (commit 501fb4c; its first
    version, commit 1da2fde, swapped the two models (keras-io#257) and had no T^2 (keras-io#869);
    `compile(alpha=0.1, temperature=3)` are the defaults).
    The KL is keras.losses.KLDivergence(), which clips both distributions to [1e-7, 1]: equal to the true
    KL only while every probability stays above 1e-7.
    """
    kl = _keras_kl(F.softmax(teacher_logits / temperature, -1), F.softmax(student_logits / temperature, -1))
    return alpha * F.cross_entropy(student_logits, labels) + (1 - alpha) * temperature ** 2 * kl


def keras3_distiller_loss(student_logits, teacher_logits, labels, *, temperature=3.0, loss="kl_divergence",
                          student_loss_weight=0.5):
    """Keras 3 `Distiller` + `LogitsDistillation`: w * student loss + (1 - w) * distillation loss.

    Read in keras-team/keras, keras/src/distillation/distiller.py (commit 820f73b: `student_loss_weight`,
    default 0.5, weights the LABELS)
    and keras/src/distillation/distillation_loss.py (commit 1298d1f: `LogitsDistillation(temperature=3.0,
    loss="kl_divergence")`). The strategy divides both logits by T; only when the loss function's
    `__name__` contains "kl" does it take softmaxes and multiply by T^2. Any other loss (here
    "categorical_crossentropy", with Keras' from_logits=False) receives the scaled LOGITS as if they were
    probabilities. The student loss is taken as sparse categorical cross-entropy from logits (what
    `compile(loss=...)` must then be given).
    """
    ts, ss = teacher_logits / temperature, student_logits / temperature
    if "kl" in loss.lower():
        distill = _keras_kl(F.softmax(ts, -1), F.softmax(ss, -1)) * temperature ** 2
    elif loss == "categorical_crossentropy":  # Keras: y_pred / sum(y_pred), clipped, then -sum(y_true log y_pred)
        pred = (ss / ss.sum(-1, keepdim=True)).clamp(KERAS_EPSILON, 1 - KERAS_EPSILON)
        distill = -(ts * pred.log()).sum(-1).mean()
    else:
        raise ValueError(f"loss must be 'kl_divergence' or 'categorical_crossentropy' here, got {loss!r}")
    return student_loss_weight * F.cross_entropy(student_logits, labels) + (1 - student_loss_weight) * distill


def repdistiller_kd_loss(student_logits, teacher_logits, labels, *, kd_T=4, gamma=0.1, alpha=0.9, beta=0.0):
    """RepDistiller (CRD): gamma * CE + alpha * T^2 * KL (+ beta * the "other" loss, which is 0 for KD).

    Read in HobbitLong/RepDistiller: distiller_zoo/KD.py (`DistillKL`: kl_div(sum) * T^2 / batch, commit
    1e2f816) and helper/loops.py (loss = gamma * loss_cls + alpha * loss_div + beta * loss_kd, loss_kd = 0
    for --distill kd; commit 1143dfe). The command-line defaults are -r 1, -a None, -b None; the defaults
    here are the KD run of scripts/run_cifar_distill.sh: -r 0.1 -a 0.9 -b 0. The weights need not sum to 1.
    """
    kl = F.kl_div(F.log_softmax(student_logits / kd_T, 1), F.softmax(teacher_logits / kd_T, 1),
                  reduction="sum") * kd_T ** 2 / student_logits.shape[0]
    return gamma * F.cross_entropy(student_logits, labels) + alpha * kl + beta * 0.0


def mdistiller_kd_loss(student_logits, teacher_logits, labels, *, temperature=4, ce_weight=0.1, kd_weight=0.9):
    """mdistiller KD: ce_weight * CE + kd_weight * T^2 * KL, the two terms summed by the trainer.

    Read in megvii-research/mdistiller: mdistiller/distillers/KD.py (kl_div(reduction="none").sum(1).mean()
    * T^2, commit e8c5bb3), mdistiller/engine/cfg.py (CFG.KD.TEMPERATURE = 4, CE_WEIGHT = 0.1,
    KD_WEIGHT = 0.9) and the trainer's sum of the losses dict (mdistiller/engine/trainer.py).
    """
    kl = F.kl_div(F.log_softmax(student_logits / temperature, 1), F.softmax(teacher_logits / temperature, 1),
                  reduction="none").sum(1).mean() * temperature ** 2
    return ce_weight * F.cross_entropy(student_logits, labels) + kd_weight * kl


# ---------------------------------------------------------------- alpha = the weight of the TARGET-CLASS part

def dkd_parts(student_logits, teacher_logits, labels, temperature=4.0) -> dict[str, torch.Tensor]:
    """Per-example parts of decoupled KD (Zhao et al. 2022), each multiplied by T^2.

    tckd: KL between the binary distributions (target class, all others) of teacher and student;
    nckd: KL between their distributions over the non-target classes, renormalised;
    p_t: the teacher's probability of the target class at T. The identity the paper builds on is
    T^2 KL(p || q) = tckd + (1 - p_t) * nckd, example by example.
    """
    T = temperature
    log_p, log_q = F.log_softmax(teacher_logits / T, 1), F.log_softmax(student_logits / T, 1)
    target = F.one_hot(labels, log_p.shape[1]).bool()
    lp_t, lq_t = log_p[target], log_q[target]                        # log-probability of the target class
    lp_o = torch.logsumexp(log_p.masked_fill(target, float("-inf")), 1)  # log of the mass on the others
    lq_o = torch.logsumexp(log_q.masked_fill(target, float("-inf")), 1)
    tckd = lp_t.exp() * (lp_t - lq_t) + lp_o.exp() * (lp_o - lq_o)
    log_p_hat, log_q_hat = log_p - lp_o[:, None], log_q - lq_o[:, None]  # renormalised over the others
    nckd = torch.where(target, 0.0, log_p_hat.exp() * (log_p_hat - log_q_hat)).sum(1)
    return {"tckd": T * T * tckd, "nckd": T * T * nckd, "p_t": lp_t.exp()}


def dkd_loss(student_logits, teacher_logits, labels, *, alpha=1.0, beta=8.0, temperature=4.0):
    """Decoupled KD: alpha * TCKD + beta * NCKD, batch means, each part x T^2. alpha is NOT a label weight.

    Read in megvii-research/mdistiller, mdistiller/distillers/DKD.py (`dkd_loss`, commit e8c5bb3; defaults
    CFG.DKD.ALPHA = 1.0, BETA = 8.0, T = 4.0 in mdistiller/engine/cfg.py). The library adds
    CE_WEIGHT * CE and ramps this term in with min(epoch / WARMUP, 1); both are left to the caller.
    mdistiller masks the target class by subtracting 1000 from its logit; `dkd_parts` masks it exactly.
    """
    parts = dkd_parts(student_logits, teacher_logits, labels, temperature)
    return alpha * parts["tckd"].mean() + beta * parts["nckd"].mean()


# ---------------------------------------------------------------- separate weights, soft cross-entropy, no alpha

def textbrewer_kd_ce_loss(student_logits, teacher_logits, *, temperature=1):
    """TextBrewer `kd_ce_loss`: the soft cross-entropy -sum p_T log q_S at T, averaged, with NO T^2 factor.

    Read in airaria/TextBrewer, src/textbrewer/losses.py (commit 3496f3e). The distiller weighs it with
    `kd_loss_weight` (default 1) against `hard_label_weight` (default 0) and sets temperature=4 by
    default (src/textbrewer/configurations.py). A cross-entropy: it equals KL plus the teacher's entropy.
    """
    p = F.softmax(teacher_logits / temperature, -1)
    return -(p * F.log_softmax(student_logits / temperature, -1)).sum(-1).mean()


def pytorch_tutorial_kd_loss(student_logits, teacher_logits, labels, *, T=2, soft_target_loss_weight=0.25,
                             ce_loss_weight=0.75):
    """PyTorch's KD tutorial: w_soft * T^2 * soft cross-entropy + w_ce * CE (T=2, 0.25 and 0.75 in its run).

    Read in pytorch/tutorials, beginner_source/knowledge_distillation_tutorial.py (commit 035c541,
    `train_knowledge_distillation`): -sum(softmax(t/T) * log_softmax(s/T)) / batch * T^2.
    """
    soft = -(F.softmax(teacher_logits / T, -1) * F.log_softmax(student_logits / T, -1)).sum() / student_logits.shape[0]
    return soft_target_loss_weight * soft * T ** 2 + ce_loss_weight * F.cross_entropy(student_logits, labels)


def distilbert_ce_loss(student_logits, teacher_logits, labels=None, *, temperature=2.0, alpha_ce=0.5, alpha_mlm=0.0):
    """DistilBERT's "ce" loss, which is a KL: alpha_ce * T^2 * KL(batchmean) + alpha_mlm * CE(labels).

    Read in huggingface/transformers, examples/research_projects/distillation/distiller.py (commit 1607444,
    `Distiller.step`: KLDivLoss(reduction="batchmean") over the selected token rows, times T^2) and the
    defaults of its train.py (--temperature 2.0, --alpha_ce 0.5, --alpha_mlm 0.0; the README's run used
    --alpha_ce 5.0 --alpha_mlm 2.0 --alpha_cos 1.0). Rows are tokens there, examples here; labels
    equal to -100 are ignored by the MLM term, as in the library.
    """
    loss = alpha_ce * _batchmean_kl(student_logits, teacher_logits, temperature) * temperature ** 2
    if alpha_mlm > 0.0:
        loss = loss + alpha_mlm * F.cross_entropy(student_logits, labels, ignore_index=-100)
    return loss


def trl_generalized_jsd(student_logits, teacher_logits, labels=None, *, beta=0.5, temperature=1.0,
                        reduction="batchmean"):
    """TRL `GKDTrainer.generalized_jsd_loss`: beta KL(T || M) + (1 - beta) KL(S || M), M = beta T + (1 - beta) S.

    Read in huggingface/trl, trl/experimental/gkd/gkd_trainer.py (commit 054a0da). beta = 0 is special-cased
    to the forward KL(T || S), beta = 1 to the reverse KL(S || T); in between the JSD vanishes as beta
    approaches 0 or 1, so small interior betas scale the loss down by orders of magnitude. `labels` here
    is only a mask (-100 = ignore the row), not class labels. 'batchmean' divides by the number of
    unmasked rows with labels, by `size(0)` without (the batch, not the tokens, for 3-D logits). The
    trainer's `temperature` (GKDConfig, 0.9) is the SAMPLING temperature: compute_loss calls this with
    the default temperature=1.0.
    """
    log_s = F.log_softmax(student_logits / temperature, -1)
    log_t = F.log_softmax(teacher_logits / temperature, -1)
    if beta == 0:
        jsd = F.kl_div(log_s, log_t, reduction="none", log_target=True)
    elif beta == 1:
        jsd = F.kl_div(log_t, log_s, reduction="none", log_target=True)
    else:
        b = torch.tensor(beta, dtype=log_s.dtype)
        log_m = torch.logsumexp(torch.stack([log_t + b.log(), log_s + torch.log1p(-b)]), 0)  # mixed in probability space
        jsd = b * F.kl_div(log_m, log_t, reduction="none", log_target=True) \
            + (1 - b) * F.kl_div(log_m, log_s, reduction="none", log_target=True)
    if labels is not None:
        jsd = jsd[labels != -100]
    if reduction == "batchmean":
        return jsd.sum() / (jsd.shape[0] if labels is not None else student_logits.shape[0])
    if reduction == "sum":
        return jsd.sum()
    return jsd.mean() if reduction == "mean" else jsd


# ---------------------------------------------------------------- translators into kd_loss

class NoTranslation(ValueError):
    """No setting of kd_loss gives this library's loss; the message says what the relation is instead."""


def _no_offset(teacher_logits):
    return 0.0


@dataclass(frozen=True)
class Translation:
    """library == scale * kd_loss(student, teacher, labels, **kwargs) + offset(teacher_logits)."""
    kwargs: dict
    scale: float = 1.0
    offset: Callable = _no_offset
    note: str = ""


def _teacher_entropy(T: float, weight: float) -> Callable:
    return lambda teacher_logits: weight * entropy(soft_targets(teacher_logits, T)).mean()


def _weighted(T, w_soft, w_hard, note="") -> Translation:
    """w_soft * T^2 KL + w_hard * CE = (w_soft + w_hard) * kd_loss(alpha = w_soft / (w_soft + w_hard))."""
    total = w_soft + w_hard
    if total <= 0:
        raise NoTranslation(f"both weights are zero (soft {w_soft}, hard {w_hard}): the loss is identically 0")
    return Translation({"T": T, "alpha": w_soft / total}, total, note=note)


def _torchdistill(temperature, alpha=None, beta=None, with_labels=True):
    if beta is None:
        beta = 1 - alpha
    if alpha is None or alpha == 0 or not with_labels:
        return Translation({"T": temperature, "alpha": 1.0}, 1 / temperature ** 2,
                           note="alpha = 0, None or no targets: the KL without T^2, so 1/T^2 of kd_loss(alpha=1)")
    return _weighted(temperature, beta, alpha, "alpha weights the labels: ours = beta / (alpha + beta)")


def _keras3(temperature=3.0, loss="kl_divergence", student_loss_weight=0.5):
    if "kl" not in loss.lower():
        raise NoTranslation(f"loss={loss!r}: LogitsDistillation hands the scaled logits to it as probabilities "
                            "and skips T^2; no temperature or weight of kd_loss reproduces that")
    return Translation({"T": temperature, "alpha": 1 - student_loss_weight},
                       note="exact while every probability is above 1e-7 (Keras clips)")


def _dkd(**_):
    raise NoTranslation("DKD weights the non-target part by a constant beta; KD weights it by 1 - p_t, which "
                        "changes from example to example: kd_loss = mean(TCKD + (1 - p_t) NCKD) (dkd_parts)")


def _trl(beta=0.5, temperature=1.0, reduction="batchmean"):
    if beta != 0:
        raise NoTranslation(f"beta={beta}: kd_loss is the forward KL(T || S), TRL's beta=0; beta=1 is the reverse "
                            "KL and 0 < beta < 1 a generalised JSD, bounded by the binary entropy of beta")
    return Translation({"T": temperature, "alpha": 1.0}, 1 / temperature ** 2,
                       note="beta=0: the forward KL without T^2")


_TRANSLATORS = {
    "torchdistill": _torchdistill,
    "keras_example": lambda alpha=0.1, temperature=3: Translation(
        {"T": temperature, "alpha": 1 - alpha}, note="exact while every probability is above 1e-7 (Keras clips)"),
    "keras3": _keras3,
    "repdistiller": lambda kd_T=4, gamma=0.1, alpha=0.9, beta=0.0: _weighted(kd_T, alpha, gamma),
    "mdistiller": lambda temperature=4, ce_weight=0.1, kd_weight=0.9: _weighted(temperature, kd_weight, ce_weight),
    "dkd": _dkd,
    "textbrewer": lambda temperature=1: Translation(
        {"T": temperature, "alpha": 1.0}, 1 / temperature ** 2, _teacher_entropy(temperature, 1.0),
        "a soft cross-entropy without T^2: kd_loss(alpha=1) / T^2 plus the teacher's entropy"),
    "pytorch_tutorial": lambda T=2, soft_target_loss_weight=0.25, ce_loss_weight=0.75: replace(
        _weighted(T, soft_target_loss_weight, ce_loss_weight),
        offset=_teacher_entropy(T, soft_target_loss_weight * T ** 2),
        note="soft cross-entropy: KL plus the teacher's entropy (x weight x T^2), a constant"),
    "distilbert": lambda temperature=2.0, alpha_ce=0.5, alpha_mlm=0.0: _weighted(temperature, alpha_ce, alpha_mlm),
    "trl": _trl,
}


def translate(name: str, **settings) -> Translation:
    """Our kd_loss arguments for library `name` (a key of CONVENTIONS) with its own `settings`.

    `with_labels=False` (torchdistill, TRL) says the library is called without targets.
    """
    if name not in _TRANSLATORS:
        raise ValueError(f"unknown convention {name!r}; known: {sorted(_TRANSLATORS)}")
    return _TRANSLATORS[name](**settings)


# ---------------------------------------------------------------- the decoder ring

@dataclass(frozen=True)
class Convention:
    """One row of the decoder ring."""
    name: str
    fn: Callable
    source: str
    alpha_means: str
    t_squared: str
    gotcha: str
    defaults: dict = field(default_factory=dict)


CONVENTIONS: dict[str, Convention] = {c.name: c for c in [
    Convention("torchdistill", torchdistill_kd_loss, "torchdistill/losses/mid_level.py @01038e7",
               "alpha = labels weight; beta = soft weight (1 - alpha)", "only when alpha > 0 and targets given",
               "alpha 0 -> 0.1 multiplies the soft term by T^2", {"temperature": 4.0, "alpha": 0.5}),
    Convention("keras_example", keras_example_kd_loss, "keras-io examples/vision/knowledge_distillation.py @501fb4c",
               "alpha = labels weight", "yes (missing in the first version, keras-io#869)",
               "first version swapped the models (keras-io#257)"),
    Convention("keras3", keras3_distiller_loss, "keras/src/distillation/distiller.py @820f73b",
               "student_loss_weight = labels weight", "only if the loss name contains 'kl'",
               "a non-KL loss gets scaled logits as probabilities"),
    Convention("repdistiller", repdistiller_kd_loss, "RepDistiller distiller_zoo/KD.py @1e2f816",
               "-r gamma = labels, -a alpha = KL, -b beta = other", "yes", "weights need not sum to 1"),
    Convention("mdistiller", mdistiller_kd_loss, "mdistiller/distillers/KD.py @e8c5bb3",
               "CE_WEIGHT, KD_WEIGHT (no alpha)", "yes", "weights need not sum to 1"),
    Convention("dkd", dkd_loss, "mdistiller/distillers/DKD.py @e8c5bb3",
               "alpha = TCKD weight, beta = NCKD weight", "yes, on both parts",
               "a third meaning of alpha; no kd_loss equivalent"),
    Convention("textbrewer", textbrewer_kd_ce_loss, "TextBrewer src/textbrewer/losses.py @3496f3e",
               "kd_loss_weight, hard_label_weight", "no", "soft cross-entropy: never 0, even for equal logits"),
    Convention("pytorch_tutorial", pytorch_tutorial_kd_loss, "pytorch/tutorials knowledge_distillation_tutorial.py @035c541",
               "soft_target_loss_weight, ce_loss_weight", "yes", "soft cross-entropy (KL + teacher entropy)"),
    Convention("distilbert", distilbert_ce_loss, "transformers research_projects/distillation/distiller.py @1607444",
               "alpha_ce = soft weight, alpha_mlm = labels", "yes", "the 'ce' loss is a KL"),
    Convention("trl", trl_generalized_jsd, "trl/experimental/gkd/gkd_trainer.py @054a0da",
               "beta = JSD interpolation (0 forward KL, 1 reverse)", "no",
               "config temperature is the sampling temperature"),
]}
