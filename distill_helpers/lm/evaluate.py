"""How a language model is judged: bits per character, KL to the teacher and to the true distribution.

On held-out text (`evaluate_lm`), per sentence (`sentence_figures`, for intervals over sentences), on the
text the model writes itself (`own_sample_figures`, where exposure bias shows), and the paired difference
of two methods over seeds and sentences. Units: bits per character for every figure (nats / ln 2).
"""
from __future__ import annotations

import hashlib
import json
import math

import torch
import torch.nn.functional as F

from ..cache import teacher_identity
from ..stats import paired_difference
from .language import ToyLanguage, check_tokens, decode, target_mask, trim_padding
from .model import CharTransformer, generate
from .threads import single_thread

__all__ = ["LN2", "evaluate_lm", "sample_stats", "sentence_figures", "own_sample_figures", "paired_seeds_and_sentences"]

LN2 = math.log(2.0)


@single_thread
@torch.no_grad()
def evaluate_lm(model: CharTransformer, tokens: torch.Tensor, teacher: CharTransformer | None = None,
                truth: torch.Tensor | None = None, batch_size: int = 512) -> dict:
    """Held-out figures in bits per character, averaged over every real next-character position.

    bpc = cross-entropy on the text / ln 2; kl_ts = KL(teacher || model); kl_st = KL(model || teacher);
    kl_truth = KL(truth || model) where `truth` holds the exact next-character probabilities.
    """
    check_tokens(tokens, model.config["vocab_size"], model.context)  # no empty rows: n > 0 below
    model.eval()
    sums = {"bpc": 0.0, "kl_ts": 0.0, "kl_st": 0.0, "kl_truth": 0.0}
    n = 0
    for i in range(0, len(tokens), batch_size):
        b = tokens[i:i + batch_size]
        b = trim_padding(b)
        x, y, mask = b[:, :-1], b[:, 1:], target_mask(b)
        log_q = F.log_softmax(model(x).double(), -1)[mask]
        sums["bpc"] += -log_q.gather(1, y[mask][:, None]).sum().item()
        if teacher is not None:
            log_p = F.log_softmax(teacher.eval()(x).double(), -1)[mask]
            sums["kl_ts"] += (log_p.exp() * (log_p - log_q)).sum().item()
            sums["kl_st"] += (log_q.exp() * (log_q - log_p)).sum().item()
        if truth is not None:
            p = truth[i:i + batch_size, :b.shape[1] - 1][mask]
            sums["kl_truth"] += (torch.special.xlogy(p, p) - p * log_q).sum().item()
        n += int(mask.sum())
    out = {k: v / n / LN2 for k, v in sums.items()}
    if teacher is None:
        out.pop("kl_ts"), out.pop("kl_st")
    if truth is None:
        out.pop("kl_truth")
    return out



def sample_stats(model: CharTransformer, language: ToyLanguage, n: int = 200, seed: int = 0) -> dict:
    """Seeded samples judged by the true grammar: fraction grammatical, fraction distinct, mean length."""
    texts = decode(generate(model, n, seed=seed), language.chars)
    valid = [language.log_prob(s) > -math.inf for s in texts]
    return {"valid": sum(valid) / n, "distinct": len(set(texts)) / n,
            "mean_len": sum(map(len, texts)) / n, "samples": texts}


_TEACHER_LOG_P: dict = {}  # (teacher identity, tokens digest, batch size) -> the teacher's log-probs per batch


def _teacher_log_probs(teacher: CharTransformer, tokens: torch.Tensor, batch_size: int) -> list[torch.Tensor]:
    """The frozen teacher's next-character log-probabilities (float64) on `tokens`, batch by batch as
    sentence_figures scores them; computed once per teacher and text (notebook 08 scores 24 students on the
    same test text). The last four are kept."""
    digest = hashlib.sha256(tokens.contiguous().numpy().tobytes()).hexdigest()
    key = (json.dumps(teacher_identity(teacher), sort_keys=True), digest, tuple(tokens.shape), int(batch_size))
    if key not in _TEACHER_LOG_P:
        if len(_TEACHER_LOG_P) >= 4:
            _TEACHER_LOG_P.pop(next(iter(_TEACHER_LOG_P)))
        _TEACHER_LOG_P[key] = [F.log_softmax(teacher.eval()(trim_padding(tokens[i:i + batch_size])[:, :-1]).double(), -1)
                               for i in range(0, len(tokens), batch_size)]
    return _TEACHER_LOG_P[key]


@single_thread
@torch.no_grad()
def sentence_figures(model: CharTransformer, tokens: torch.Tensor, teacher: CharTransformer | None = None,
                     truth: torch.Tensor | None = None, batch_size: int = 512) -> dict:
    """Per-sentence sums, in bits, of what evaluate_lm averages: 'bpc' (-log2 q of the text), 'kl_st' and
    'kl_ts' (if a teacher is given), 'kl_truth' (if the exact next-character probabilities `truth` are
    given), and 'n', the number of scored positions of each sentence.

    Sums rather than means, so that any set of sentences (a bootstrap resample) can be scored as
    sum(figure) / sum(n), exactly as evaluate_lm scores all of them."""
    model.eval()
    out = {"bpc": [], "kl_st": [], "kl_ts": [], "kl_truth": [], "n": []}
    teacher_log_p = _teacher_log_probs(teacher, tokens, batch_size) if teacher is not None else None
    for i in range(0, len(tokens), batch_size):
        b = trim_padding(tokens[i:i + batch_size])
        x, y, mask = b[:, :-1], b[:, 1:], target_mask(b)
        log_q = F.log_softmax(model(x).double(), -1)
        out["bpc"].append(-(log_q.gather(2, y[..., None])[..., 0] * mask).sum(1))
        if teacher is not None:
            log_p = teacher_log_p[i // batch_size]
            out["kl_st"].append(((log_q.exp() * (log_q - log_p)).sum(-1) * mask).sum(1))
            out["kl_ts"].append(((log_p.exp() * (log_p - log_q)).sum(-1) * mask).sum(1))
        if truth is not None:
            pt = truth[i:i + batch_size, :b.shape[1] - 1]
            out["kl_truth"].append(((torch.special.xlogy(pt, pt) - pt * log_q).sum(-1) * mask).sum(1))
        out["n"].append(mask.sum(1).double())
    res = {k: torch.cat(v) / (LN2 if k != "n" else 1.0) for k, v in out.items() if v}
    return res


def own_sample_figures(model: CharTransformer, language: "ToyLanguage", teacher: CharTransformer, n: int = 200,
                       seed: int = 0) -> dict:
    """The model judged on the text it writes itself (where exposure bias shows), n seeded samples.

    'valid': fraction the grammar can produce; 'entropy': the model's own bits per character on its
    samples (a Monte Carlo estimate of its entropy rate: lower means less diverse text); 'kl_st':
    KL(model || teacher) per character on its own prefixes, the quantity on-policy distillation minimises."""
    samples = generate(model, n, seed=seed)
    texts = decode(samples, language.chars)
    figs = evaluate_lm(model, samples, teacher)
    return {"valid": sum(language.log_prob(t) > -math.inf for t in texts) / n, "entropy": figs["bpc"],
            "kl_st": figs["kl_st"], "samples": texts}


def paired_seeds_and_sentences(a: list[dict], b: list[dict], key: str, *, n_boot: int = 2000, seed: int = 0,
                               level: float = 0.95) -> dict:
    """Difference a - b of a per-character figure, paired by seed and by sentence, with an interval for
    each source of uncertainty and for both together.

    a, b: sentence_figures of the two methods' students, one per seed, in the same seed order, on the
    same sentences. 'seeds': the t interval over per-seed differences (training randomness, the text
    held fixed); 'sentences': the bootstrap half-width of the seed-mean difference when the evaluation
    sentences are resampled (the same resample for every seed and both methods); 'half_width': the two
    combined as independent sources, sqrt(h_seeds^2 + h_sentences^2), around the mean difference."""
    if len(a) != len(b) or len(a) < 2:
        raise ValueError(f"need the same seeds (at least 2) on both sides, got {len(a)} and {len(b)}")
    per_seed = [x[key].sum().item() / x["n"].sum().item() - y[key].sum().item() / y["n"].sum().item()
                for x, y in zip(a, b)]
    seeds = paired_difference(per_seed, [0.0] * len(per_seed), level)
    diff = torch.stack([x[key] - y[key] for x, y in zip(a, b)])  # (seeds, sentences): sums per sentence
    n = a[0]["n"]
    g = torch.Generator().manual_seed(seed)
    idx = torch.randint(0, diff.shape[1], (n_boot, diff.shape[1]), generator=g)
    boot = (diff[:, idx].sum(-1) / n[idx].sum(-1)).mean(0)  # (n_boot,) seed-mean differences
    lo, hi = torch.quantile(boot, torch.tensor([(1 - level) / 2, (1 + level) / 2], dtype=boot.dtype)).tolist()
    h_sent = (hi - lo) / 2
    half = math.sqrt(seeds["half_width"] ** 2 + h_sent ** 2)
    mean = seeds["mean"]
    return {"mean": mean, "seeds": seeds["half_width"], "sentences": h_sent, "half_width": half,
            "low": mean - half, "high": mean + half, "excludes_zero": mean - half > 0 or mean + half < 0,
            "per_seed": per_seed}

