"""Distilling a small language model: forward vs reverse KL, word-level, sequence-level, on-policy, top-k.

Everything runs offline on a CPU. The corpus is a generated toy language (`TOY_GRAMMAR`, written for
this project, no licence restrictions) whose true next-character distribution is known exactly, so a
model's KL to the truth can be measured, not only its KL to the teacher.
Units: bits per character for every reported figure (nats / ln 2).
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import random

import torch
import torch.nn.functional as F
from torch import nn

from .cache import teacher_identity
from .infra.checks import check_int, check_training_settings
from .infra.i18n import tr
from .losses import check_kd_temperature, check_temperature, kd_loss
from .models import register_arch
from .infra.room import check_live_deadline, refuse_training
from .stats import paired_difference
from .train import cached_model, resolve_device, set_seed

__all__ = ["bimodal_density", "gaussian_density", "kl_on_grid", "fit_gaussian", "kl_fits_state",
           "ToyLanguage", "TOY_GRAMMAR", "CharTransformer", "lm_config", "generate", "decode",
           "reverse_kl", "topk_from_logits", "topk_kd_loss", "lm_loss", "train_lm", "evaluate_lm", "check_tokens",
           "get_lm_teacher", "get_lm_student", "get_lm_students", "teacher_corpus", "teacher_lm_logits", "lm_data", "sample_stats", "METHODS", "LN2",
           "TWO_BY_TWO", "sentence_figures", "own_sample_figures", "paired_seeds_and_sentences"]

LN2 = math.log(2.0)


def _single_thread(fn):
    """Run `fn` with one intra-op thread, then restore the previous setting.

    These models are tiny, so a second thread buys almost nothing; but when other programs share the CPU,
    two threads per process made training more than ten times slower here (threads waiting on each other).
    """
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        before = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            return fn(*args, **kwargs)
        finally:
            torch.set_num_threads(before)
    return wrapper

# ---------------------------------------------------------------- 1. forward vs reverse KL, in 1-D


def gaussian_density(x: torch.Tensor, mu, sigma) -> torch.Tensor:
    """N(x; mu, sigma^2)."""
    return torch.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def bimodal_density(x: torch.Tensor, d: float, sigma: float = 1.0, w: float = 0.5) -> torch.Tensor:
    """Mixture w N(-d/2, sigma^2) + (1 - w) N(d/2, sigma^2): two modes a distance d apart."""
    return w * gaussian_density(x, -d / 2, sigma) + (1 - w) * gaussian_density(x, d / 2, sigma)


def kl_on_grid(p: torch.Tensor, q: torch.Tensor, dx: float) -> torch.Tensor:
    """KL(p || q) = integral p log(p / q) dx by the rectangle rule on a fine grid (0 log 0 = 0)."""
    return (torch.special.xlogy(p, p) - torch.special.xlogy(p, q)).sum() * dx


@_single_thread
def fit_gaussian(d: float, direction: str, sigma: float = 1.0, w: float = 0.5,
                 starts=None) -> dict:
    """The single Gaussian q minimising KL(p||q) ('forward') or KL(q||p) ('reverse') for the bimodal p.

    Minimised numerically (L-BFGS on a grid) from several starting means (in units of d/2); the best
    fit is returned as {'mu', 'sigma', 'kl'} (kl in nats). The forward KL has a single minimum over
    Gaussians (moment matching), so one start is enough there.
    """
    if direction not in ("forward", "reverse"):
        raise ValueError(f"direction must be 'forward' (KL(p||q)) or 'reverse' (KL(q||p)), got {direction!r}")
    half = max(d / 2, 0.0) + 8 * sigma
    x = torch.linspace(-half, half, 1201, dtype=torch.float64)
    dx = float(x[1] - x[0])
    p = bimodal_density(x, d, sigma, w)
    best = None
    if starts is None:
        starts = (0.0,) if direction == "forward" else (-1.0, 0.0, 1.0)
    for s0 in starts:
        mu = torch.tensor(s0 * d / 2 + 1e-3 * s0, dtype=torch.float64, requires_grad=True)
        log_s = torch.tensor(math.log(math.expm1(sigma - 0.05)), dtype=torch.float64, requires_grad=True)
        opt = torch.optim.LBFGS([mu, log_s], lr=1, max_iter=200, line_search_fn="strong_wolfe",
                                tolerance_grad=1e-12, tolerance_change=1e-14)

        def objective():
            # sigma is kept above 0.05 (a spike narrower than the grid would fool the quadrature)
            q = gaussian_density(x, mu, 0.05 + F.softplus(log_s))
            return kl_on_grid(p, q, dx) if direction == "forward" else kl_on_grid(q, p, dx)

        def closure():
            opt.zero_grad()
            loss = objective()
            loss.backward()
            return loss
        opt.step(closure)
        with torch.no_grad():
            kl = objective().item()
        if best is None or kl < best["kl"] - 1e-12:
            best = {"mu": mu.item(), "sigma": 0.05 + F.softplus(log_s).item(), "kl": kl}
    return best


def kl_fits_state(d: float, sigma: float = 1.0, w: float = 0.5) -> dict:
    """Target density and both fitted Gaussians on a plotting grid, for the mode-distance widget."""
    x = torch.linspace(-9, 9, 721, dtype=torch.float64)
    fwd, rev = fit_gaussian(d, "forward", sigma, w), fit_gaussian(d, "reverse", sigma, w)
    return {"d": d, "x": x, "p": bimodal_density(x, d, sigma, w), "forward": fwd, "reverse": rev,
            "q_forward": gaussian_density(x, fwd["mu"], fwd["sigma"]),
            "q_reverse": gaussian_density(x, rev["mu"], rev["sigma"])}


def kl_fits_explorer(d: float = 4.0, d_range=(0.0, 8.0), key: str = "kl-fits-explorer"):
    """A slider for the distance d between the modes, redrawing the target and both KL fits.

    `key` fixes the widgets' model ids (see distill_helpers.teaching.widgets)."""
    import ipywidgets as w
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from .teaching.widgets import encode_canvas, explorer, stable_widget
    fig = Figure(figsize=(7.5, 2.8), dpi=72)
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_axes([0.07, 0.15, 0.9, 0.72])

    def render():
        s = kl_fits_state(slider.value)
        ax.clear()
        ax.fill_between(s["x"], s["p"], color="0.85", label=tr("target p (two modes)"))
        f, r = s["forward"], s["reverse"]
        where = tr("sits on one mode" if abs(r["mu"]) > 0.1 else "stays in the middle")  # the legend says what the fit did
        ax.plot(s["x"], s["q_forward"], color="#1f77b4", label=tr("argmin KL(p||q): mode covering"))
        ax.plot(s["x"], s["q_reverse"], color="#d62728", ls="--", label=f"argmin KL(q||p): {where}")
        ax.set(xlim=(-9, 9), ylim=(0, 0.45), xlabel="x")
        ax.legend(fontsize=8, loc="upper right")
        mu_f, mu_r = (0.0 if abs(m) < 0.005 else m for m in (f["mu"], r["mu"]))  # no "-0.00"
        text = tr(f"d = {s['d']:.1f}: forward fit mu = {mu_f:.2f}, sigma = {f['sigma']:.2f}; "
                  f"reverse fit mu = {mu_r:.2f}, sigma = {r['sigma']:.2f}")
        ax.set_title(text, fontsize=9)
        canvas.draw()
        return encode_canvas(canvas), text

    slider = stable_widget(w.FloatSlider, f"{key}/d", value=d, min=d_range[0], max=d_range[1], step=0.25,
                           description=tr("distance d"), readout_format=".2f")
    return explorer([slider], render, "kd-kl-explorer", key)


# ---------------------------------------------------------------- 2. a toy language with a known distribution

# state -> list of (word, probability, next state); STOP gives the probability of ending the sentence
# ('.') after entering a state. "the" leads to two states (singular or plural noun follows), so the
# true distribution needs a belief over states, like an HMM's forward pass.
_DET_SG = [("a", 0.25, "ADJ_SG"), ("the", 0.2, "ADJ_SG"), ("every", 0.1, "ADJ_SG")]
_DET_PL = [("the", 0.15, "ADJ_PL"), ("two", 0.15, "ADJ_PL"), ("some", 0.15, "ADJ_PL")]
_ADJ = ["small", "big", "red", "happy"]
_NOUN_SG = [("cat", 0.3), ("dog", 0.3), ("bird", 0.2), ("fox", 0.1), ("child", 0.1)]
_NOUN_PL = [("cats", 0.3), ("dogs", 0.3), ("birds", 0.2), ("foxes", 0.1), ("children", 0.1)]
_VERB = [("sees", "see", 0.3), ("likes", "like", 0.25), ("chases", "chase", 0.2), ("finds", "find", 0.1)]
_INTRANS = [("sleeps", "sleep", 0.15)]


def _noun_phrase(prefix: str, after: str) -> dict:
    """States of a noun phrase: determiner -> optional adjective -> noun, then `after`."""
    g = {}
    for num, nouns in (("SG", _NOUN_SG), ("PL", _NOUN_PL)):
        nouns_here = [(n, p, after + "_" + num if after == "V" else after) for n, p in nouns]
        g[f"{prefix}ADJ_{num}"] = [(a, 0.1, f"{prefix}N_{num}") for a in _ADJ] + [(n, 0.6 * p, s) for n, p, s in nouns_here]
        g[f"{prefix}N_{num}"] = nouns_here
    g[f"{prefix}DET"] = [(w, p, prefix + s) for w, p, s in _DET_SG + _DET_PL]
    return g


TOY_GRAMMAR: dict = {}
TOY_GRAMMAR.update(_noun_phrase("", "V"))
TOY_GRAMMAR.update(_noun_phrase("O_", "END"))
TOY_GRAMMAR["V_SG"] = [(s, p, "O_DET") for s, _, p in _VERB] + [(s, p, "END") for s, _, p in _INTRANS]
TOY_GRAMMAR["V_PL"] = [(pl, p, "O_DET") for _, pl, p in _VERB] + [(pl, p, "END") for _, pl, p in _INTRANS]
TOY_GRAMMAR["END"] = [(w, 1 / 3, "O_DET") for w in ("near", "with", "under")]
_STOP = {"END": 0.65}
_START = "DET"


class ToyLanguage:
    """Sentences such as 'the small cat chases two dogs near a fox.' from a probabilistic grammar.

    Exact next-character probabilities for any prefix (`true_next`), exact sampling (`sample`), and a
    fixed character vocabulary: index 0 is BOS (input only, also used as padding), 1 is '.', the end.
    """

    BOS, EOS = "^", "."

    def __init__(self, grammar: dict | None = None, stop: dict | None = None, start: str = _START):
        self.grammar, self.stop, self.start = grammar or TOY_GRAMMAR, stop or _STOP, start
        for s, arcs in self.grammar.items():
            total = sum(p for _, p, _ in arcs)
            if abs(total - 1) > 1e-9:
                raise ValueError(f"grammar state {s!r}: word probabilities sum to {total}, not 1")
        letters = sorted({c for arcs in self.grammar.values() for w, _, _ in arcs for c in w})
        self.chars = [self.BOS, self.EOS, " "] + letters
        self.index = {c: i for i, c in enumerate(self.chars)}
        self._memo: dict = {}

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def sample(self, n: int, seed: int) -> list[str]:
        """n sentences drawn exactly from the grammar with a seeded Python RNG."""
        rng = random.Random(seed)
        out = []
        for _ in range(n):
            state, words = self.start, []
            while True:
                arcs = self.grammar[state]
                word, _, state = rng.choices(arcs, weights=[p for _, p, _ in arcs])[0]
                words.append(word)
                if rng.random() < self.stop.get(state, 0.0):
                    break
            out.append(" ".join(words) + self.EOS)
        return out

    def _after_word(self, belief: dict, word: str) -> dict:
        """Belief over states after `word` was completed and followed by a space (no stop)."""
        key = ("after", tuple(sorted(belief.items())), word)
        if key not in self._memo:
            self._memo[key] = self._after_word_uncached(belief, word)
        return dict(self._memo[key])

    def _after_word_uncached(self, belief: dict, word: str) -> dict:
        new: dict = {}
        for s, b in belief.items():
            for w, p, s2 in self.grammar[s]:
                if w == word:
                    new[s2] = new.get(s2, 0.0) + b * p * (1 - self.stop.get(s2, 0.0))
        z = sum(new.values())
        return {s: v / z for s, v in new.items()} if z > 0 else {}

    def _next(self, belief: dict, partial: str) -> torch.Tensor:
        key = (tuple(sorted(belief.items())), partial)  # few distinct beliefs occur: memoise
        if key not in self._memo:
            self._memo[key] = self._next_uncached(belief, partial)
        return self._memo[key]  # callers never modify it

    def _next_uncached(self, belief: dict, partial: str) -> torch.Tensor:
        probs = torch.zeros(self.vocab_size, dtype=torch.float64)
        k = len(partial)
        for s, b in belief.items():
            for w, p, s2 in self.grammar[s]:
                if not w.startswith(partial):
                    continue
                if len(w) > k:
                    probs[self.index[w[k]]] += b * p
                else:
                    stop = self.stop.get(s2, 0.0)
                    probs[self.index[self.EOS]] += b * p * stop
                    probs[self.index[" "]] += b * p * (1 - stop)
        return probs

    def true_next(self, prefix: str) -> torch.Tensor:
        """p_true(next character | prefix), a probability vector over `chars` (all zero if impossible)."""
        belief, partial = {self.start: 1.0}, ""
        for c in prefix:
            if c == " ":
                belief, partial = self._after_word(belief, partial), ""
            else:
                partial += c
        probs = self._next(belief, partial) if belief else torch.zeros(self.vocab_size, dtype=torch.float64)
        z = probs.sum()
        return probs / z if z > 0 else probs

    @_single_thread
    def true_distributions(self, tokens: torch.Tensor) -> torch.Tensor:
        """(N, L, V) exact next-character probabilities for every input position of encoded sequences."""
        N, L1 = tokens.shape
        rows, where = [], []  # gathered in Python, written into the tensor once (many tiny writes are slow)
        for i, seq in enumerate(tokens.tolist()):
            belief, partial = {self.start: 1.0}, ""
            for t in range(L1 - 1):
                if t > 0:
                    c = self.chars[seq[t]]
                    if c in (self.EOS, self.BOS):
                        break
                    if c == " ":
                        belief, partial = self._after_word(belief, partial), ""
                    else:
                        partial += c
                if not belief:
                    break
                probs = self._next(belief, partial)
                z = probs.sum()
                if z > 0:
                    rows.append(probs / z)
                    where.append(i * (L1 - 1) + t)
        out = torch.zeros(N * (L1 - 1), self.vocab_size, dtype=torch.float64)
        if rows:
            out[torch.tensor(where)] = torch.stack(rows)
        return out.view(N, L1 - 1, self.vocab_size)

    def log_prob(self, sentence: str) -> float:
        """Exact log-probability (nats) of a complete sentence ending in '.', -inf if the grammar cannot make it."""
        total, belief, partial = 0.0, {self.start: 1.0}, ""
        for c in sentence:
            probs = self._next(belief, partial) if belief else None
            if probs is None or c not in self.index or probs[self.index[c]] <= 0:
                return -math.inf
            total += math.log(probs[self.index[c]].item() / probs.sum().item())
            if c == " ":
                belief, partial = self._after_word(belief, partial), ""
            elif c != self.EOS:
                partial += c
        return total if sentence.endswith(self.EOS) and sentence.count(self.EOS) == 1 else -math.inf

    def encode(self, sentences: list[str], context: int) -> torch.Tensor:
        """(N, context + 1) int64: BOS, the characters, '.', then BOS as padding; longer sentences are cut."""
        out = torch.zeros(len(sentences), context + 1, dtype=torch.long)
        for i, s in enumerate(sentences):
            bad = set(s) - set(self.index)
            if bad:
                raise ValueError(f"sentence {i} has characters outside the vocabulary: {sorted(bad)}")
            ids = [self.index[c] for c in s[:context]]
            out[i, 1:1 + len(ids)] = torch.tensor(ids, dtype=torch.long)
        return out

    def decode(self, tokens: torch.Tensor) -> list[str]:
        return decode(tokens, self.chars)


def decode(tokens: torch.Tensor, chars: list[str]) -> list[str]:
    """Encoded rows back to text: skip the BOS at 0, stop after the first '.'."""
    out = []
    for row in tokens.tolist():
        s = []
        for i in row[1:]:
            if i == 0:
                break
            s.append(chars[i])
            if chars[i] == ToyLanguage.EOS:
                break
        out.append("".join(s))
    return out


def target_mask(tokens: torch.Tensor) -> torch.Tensor:
    """(N, L) bool: which next-token targets tokens[:, 1:] are real (up to and including the first '.')."""
    y = tokens[:, 1:]
    ended_before = torch.cumsum((y == 1).long(), dim=1) - (y == 1).long()
    return (y != 0) & (ended_before == 0)


def _trim(tokens: torch.Tensor) -> torch.Tensor:
    """Drop the padding columns that no row of the batch needs (saves compute, changes no result)."""
    return tokens[:, :int(target_mask(tokens).sum(1).max()) + 1]


# ---------------------------------------------------------------- 3. a small causal transformer


class _Block(nn.Module):
    def __init__(self, d_model: int, n_heads: int, d_ff: int):
        super().__init__()
        self.n_heads = n_heads
        self.ln1, self.ln2 = nn.LayerNorm(d_model), nn.LayerNorm(d_model)
        self.qkv, self.proj = nn.Linear(d_model, 3 * d_model), nn.Linear(d_model, d_model)
        self.ff = nn.Sequential(nn.Linear(d_model, d_ff), nn.GELU(), nn.Linear(d_ff, d_model))

    def forward(self, x: torch.Tensor, cache: list | None = None) -> torch.Tensor:
        B, t, d = x.shape
        h = self.n_heads
        q, k, v = self.qkv(self.ln1(x)).view(B, t, 3, h, d // h).permute(2, 0, 3, 1, 4)
        if cache is not None:  # incremental decoding: keys and values of earlier positions are reused
            if cache:
                k, v = torch.cat([cache[0], k], 2), torch.cat([cache[1], v], 2)
            cache[:] = [k, v]
        # is_causal masks position j > i; with a cache the single new query may see every cached key.
        a = F.scaled_dot_product_attention(q, k, v, is_causal=q.shape[2] > 1)
        x = x + self.proj(a.transpose(1, 2).reshape(B, t, d))
        return x + self.ff(self.ln2(x))


class CharTransformer(nn.Module):
    """Decoder-only transformer over characters: token + position embeddings, pre-LN blocks, linear head."""

    def __init__(self, vocab_size: int, context: int = 64, d_model: int = 64, n_layers: int = 2,
                 n_heads: int = 4, d_ff: int = 256):
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} must be divisible by n_heads={n_heads}")
        self.config = {"arch": "char_transformer", "vocab_size": vocab_size, "context": context,
                       "d_model": d_model, "n_layers": n_layers, "n_heads": n_heads, "d_ff": d_ff}
        self.context = context
        self.tok, self.pos = nn.Embedding(vocab_size, d_model), nn.Embedding(context, d_model)
        self.blocks = nn.ModuleList(_Block(d_model, n_heads, d_ff) for _ in range(n_layers))
        self.ln, self.head = nn.LayerNorm(d_model), nn.Linear(d_model, vocab_size)

    def forward(self, idx: torch.Tensor, start: int = 0, cache: list | None = None) -> torch.Tensor:
        """Logits (B, t, vocab) for token ids (B, t) at positions start..start+t-1."""
        if idx.dim() != 2 or idx.dtype != torch.long:
            raise ValueError(f"expected token ids of shape (batch, length) and dtype int64, got "
                             f"{tuple(idx.shape)} {idx.dtype}")
        t = idx.shape[1]
        if start + t > self.context:
            raise ValueError(f"positions up to {start + t} exceed the context of {self.context}")
        x = self.tok(idx) + self.pos(torch.arange(start, start + t, device=idx.device))
        for i, block in enumerate(self.blocks):
            x = block(x, None if cache is None else cache[i])
        return self.head(self.ln(x))


register_arch("char_transformer", CharTransformer)  # so load_model and the model cache can rebuild it


def lm_config(vocab_size: int, context: int = 64, **kw) -> dict:
    """Config of a CharTransformer (see its arguments)."""
    return CharTransformer(vocab_size, context, **kw).config


@_single_thread
@torch.no_grad()
def generate(model: CharTransformer, n: int, *, seed: int = 0, temperature: float = 1.0,
             batch_size: int = 1024, max_len: int | None = None) -> torch.Tensor:
    """n sequences sampled from BOS with a KV cache and a seeded generator: (n, max_len + 1) token ids.

    A sequence stops at its first '.' (id 1); the rest is padding (id 0). Same seed, same samples.
    """
    check_temperature(temperature)
    L = max_len or model.context
    was_training = model.training
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    outs = []
    for b0 in range(0, n, batch_size):
        B = min(batch_size, n - b0)
        seq = torch.zeros(B, L + 1, dtype=torch.long)
        done = torch.zeros(B, dtype=torch.bool)
        cache = [[] for _ in model.blocks]
        for t in range(L):
            logits = model(seq[:, t:t + 1], start=t, cache=cache)[:, -1].float()
            nxt = torch.multinomial(F.softmax(logits / temperature, -1), 1, generator=gen).squeeze(1)
            nxt[nxt == 0] = 1  # BOS is never a valid output: read as end of sentence
            seq[:, t + 1] = torch.where(done, torch.zeros_like(nxt), nxt)
            done |= nxt == 1
            if done.all():
                break
        outs.append(seq)
    model.train(was_training)
    return torch.cat(outs)


# ---------------------------------------------------------------- 4. losses


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


# ---------------------------------------------------------------- 5. training and evaluation

METHODS = ("labels", "word", "seq", "onpolicy", "topk", "word_reverse", "onpolicy_forward")
#: The 2 x 2 design of notebook 08: (data of the second half of training, divergence). All four share the
#: same first half (word-level KD on the training text), so they differ in exactly these two things.
TWO_BY_TWO = {"word": ("training text", "forward"), "word_reverse": ("training text", "reverse"),
              "onpolicy_forward": ("student samples", "forward"), "onpolicy": ("student samples", "reverse")}
_WARM_STARTED = ("word_reverse", "onpolicy_forward", "onpolicy")
_ON_POLICY = ("onpolicy_forward", "onpolicy")


def check_tokens(tokens, vocab_size: int, context: int | None = None, what: str = "tokens") -> None:
    """Token ids as `ToyLanguage.encode` makes them: (N, L + 1) int64 in [0, vocab_size), N >= 1, and a real
    next-character target in every row; raise ValueError naming the fix (not an IndexError or a NaN loss later)."""
    if not isinstance(tokens, torch.Tensor) or tokens.dim() != 2 or tokens.dtype != torch.long:
        raise ValueError(f"{what} must be an int64 tensor of shape (sentences, length + 1), as "
                         f"ToyLanguage.encode makes it; got {getattr(tokens, 'dtype', type(tokens).__name__)} "
                         f"{tuple(getattr(tokens, 'shape', ()))}")
    if tokens.shape[0] == 0 or tokens.shape[1] < 2:
        raise ValueError(f"{what} has shape {tuple(tokens.shape)}: it needs at least one sentence of at least one "
                         f"character (BOS, then the text)")
    lo, hi = int(tokens.min()), int(tokens.max())
    if lo < 0 or hi >= vocab_size:
        raise ValueError(f"{what} holds token ids from {lo} to {hi}, but the model's vocabulary has {vocab_size} "
                         f"ids (0 to {vocab_size - 1}): encode the text with the language the model was built for")
    if context is not None and tokens.shape[1] - 1 > context:
        raise ValueError(f"{what} has {tokens.shape[1] - 1} input positions but the model's context is {context}: "
                         f"encode with context={context}")
    empty = (~target_mask(tokens).any(1)).nonzero().flatten()
    if len(empty):
        raise ValueError(f"{len(empty)} row(s) of {what} have no next-character target (row {int(empty[0])} is "
                         f"empty: BOS then padding): every sentence needs at least one character; drop the empty ones")


def _check_train_settings(student, method, tokens, val_tokens, *, steps, batch_size, lr, T, k, refresh) -> None:
    """Everything train_lm takes, checked before the first step."""
    check_int(steps, "steps", 1)
    check_int(batch_size, "batch_size", 1)
    check_int(refresh, "refresh", 1)
    check_training_settings(0, lr, 1)
    check_kd_temperature(T)
    vocab = student.config["vocab_size"]
    if method == "topk" and not (isinstance(k, int) and not isinstance(k, bool) and 1 <= k <= vocab):
        raise ValueError(f"k (the teacher's top tokens kept) must be an integer in 1..{vocab}, got {k!r}")
    if tokens is not None:
        check_tokens(tokens, vocab, student.context)
    if val_tokens is not None:
        check_tokens(val_tokens, vocab, student.context, "val_tokens")


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


@_single_thread
def train_lm(student: CharTransformer, method: str, tokens: torch.Tensor, teacher: CharTransformer | None = None,
             *, steps: int = 300, batch_size: int = 32, lr: float = 3e-3, seed: int = 0, T: float = 1.0,
             k: int = 5, tail: str = "bucket", refresh: int = 4, warm_start: float = 0.5, device="cpu",
             teacher_logits: torch.Tensor | None = None, val_tokens: torch.Tensor | None = None) -> dict:
    """Train `student` for `steps` Adam steps (cosine decay) with one method; returns a small history.

    tokens: the training sequences (for 'seq' pass the teacher's samples, see teacher_corpus).
    'onpolicy' first trains with word-level KD on tokens for a fraction `warm_start` of the steps (GKD
    and MiniLLM also start from a supervised student: samples of an untrained one are noise); then,
    every `refresh` steps, the student samples refresh * batch_size sentences from itself (no gradient
    through the sampling), the teacher scores every position, and the loss is the reverse KL.
    'onpolicy_forward' does the same with the forward KL, and 'word_reverse' keeps the training text
    but switches to the reverse KL: with 'word', the four cells of TWO_BY_TWO. For all four the history
    also holds the validation figures at the switch ('val_switch', for 'word' at the same step, where
    nothing switches), if val_tokens are given.
    teacher_logits: the teacher's logits for every row of tokens (teacher_lm_logits), computed once and
    reused by 'word' and 'topk' (a causal model's logits do not depend on the padding after them).
    """
    _check_train_lm(student, method, tokens, teacher, val_tokens, teacher_logits, steps=steps, batch_size=batch_size,
                    lr=lr, T=T, k=k, refresh=refresh, warm_start=warm_start)
    refuse_training(f"train_lm ({method}, {steps} steps)")  # DISTILL_NO_TRAINING=1: a prepared room trains nothing
    device = resolve_device(device)
    student.to(device).train()
    if teacher is not None:
        teacher.to(device).eval()
    torch.manual_seed(seed)
    batches = _LMBatches(student, teacher, tokens, teacher_logits, batch_size=batch_size, refresh=refresh, seed=seed,
                         device=device)
    opt = torch.optim.Adam(student.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, steps) / max(steps, 1))))
    history = {"step": [], "loss": []}
    first_onpolicy = int(warm_start * steps) if method in _WARM_STARTED else steps
    for step in range(steps):
        check_live_deadline()  # a live demonstration past its limit stops here (room.py); a clock read
        phase = method if step >= first_onpolicy else ("word" if method in _WARM_STARTED else method)
        if step == int(warm_start * steps) and method in TWO_BY_TWO and val_tokens is not None:  # where the 2 x 2 parts
            history["val_switch"] = evaluate_lm(student, val_tokens, teacher)
            student.train()
        batch, t_logits = batches.next(step - first_onpolicy, phase, step)
        loss = _lm_step(student, teacher, opt, batch, t_logits, phase, T=T, k=k, tail=tail, device=device)
        sched.step()
        if step % 25 == 0 or step == steps - 1:
            history["step"].append(step + 1)
            history["loss"].append(loss.item())
    student.eval()
    if val_tokens is not None:
        history["val"] = evaluate_lm(student, val_tokens, teacher)
    return history


def _check_train_lm(student, method, tokens, teacher, val_tokens, teacher_logits, *, steps, batch_size, lr, T, k,
                    refresh, warm_start) -> None:
    """train_lm's arguments refused, with the fix, before any work."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    _check_train_settings(student, method, tokens, val_tokens, steps=steps, batch_size=batch_size, lr=lr, T=T, k=k,
                          refresh=refresh)
    if not 0 <= warm_start < 1:
        raise ValueError(f"warm_start is the fraction of steps before on-policy sampling starts, in [0, 1); got {warm_start}")
    if method != "labels" and method != "seq" and teacher is None and (method in _ON_POLICY or teacher_logits is None):
        raise ValueError(f"method {method!r} needs a teacher (or, except for on-policy methods, its teacher_logits)")
    if method in _WARM_STARTED and tokens is None and warm_start > 0:
        raise ValueError("on-policy training with warm_start > 0 needs the training tokens for its word-level start")
    if teacher_logits is not None and teacher_logits.shape[:2] != (len(tokens), tokens.shape[1] - 1):
        raise ValueError(f"teacher_logits has shape {tuple(teacher_logits.shape)}, expected ({len(tokens)}, "
                         f"{tokens.shape[1] - 1}, vocab): pass teacher_lm_logits(teacher, tokens) for the same tokens")


class _LMBatches:
    """Where each step's batch comes from: rows of the training text drawn at random (with the teacher's
    precomputed logits for them, if given), or, on-policy, the student's own samples: every `refresh` steps
    it writes refresh * batch_size sentences (no gradient through the sampling), scored once by the teacher."""

    def __init__(self, student, teacher, tokens, teacher_logits, *, batch_size, refresh, seed, device):
        self.student, self.teacher, self.tokens, self.teacher_logits = student, teacher, tokens, teacher_logits
        self.batch_size, self.refresh, self.seed, self.device = batch_size, refresh, seed, device
        self.gen = torch.Generator().manual_seed(seed)
        self.pool = self.pool_logits = None

    def next(self, onpolicy_step: int, phase: str, step: int):
        """(token rows, the teacher's logits on them or None) for this step."""
        B = self.batch_size
        if phase in _ON_POLICY:
            if onpolicy_step % self.refresh == 0:
                n = self.refresh * B
                self.pool = _trim(generate(self.student, n, seed=self.seed * 100_003 + step, batch_size=n)).to(self.device)
                self.student.train()
                with torch.no_grad():
                    self.pool_logits = self.teacher(self.pool[:, :-1])
            j = onpolicy_step % self.refresh
            return self.pool[j * B:(j + 1) * B], self.pool_logits[j * B:(j + 1) * B]
        idx = torch.randint(0, len(self.tokens), (B,), generator=self.gen)
        fixed = self.teacher_logits is not None and phase in ("word", "word_reverse", "topk")
        return self.tokens[idx], self.teacher_logits[idx] if fixed else None


def _lm_step(student, teacher, opt, batch, t_logits, phase: str, *, T, k, tail, device) -> torch.Tensor:
    """One Adam step of `phase`'s loss on `batch` (the teacher run on it when its logits are not given)."""
    batch = _trim(batch).to(device)
    x, y, mask = batch[:, :-1], batch[:, 1:], target_mask(batch)
    if t_logits is not None:
        t_logits = t_logits[:, :x.shape[1]].to(device)  # causal: padding columns never changed these
    elif phase in ("word", "word_reverse", "topk"):
        with torch.no_grad():
            t_logits = teacher(x)
    loss = lm_loss(phase, student_logits=student(x), teacher_logits=t_logits, targets=y, mask=mask, T=T, k=k, tail=tail)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss


@_single_thread
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
        b = _trim(b)
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


@_single_thread
@torch.no_grad()
def teacher_lm_logits(teacher: CharTransformer, tokens: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """(N, L, V) logits of `teacher` (eval mode) for every input position of tokens, computed once."""
    was_training = teacher.training
    teacher.eval()
    out = torch.cat([teacher(tokens[i:i + batch_size, :-1]) for i in range(0, len(tokens), batch_size)])
    teacher.train(was_training)
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
        _TEACHER_LOG_P[key] = [F.log_softmax(teacher.eval()(_trim(tokens[i:i + batch_size])[:, :-1]).double(), -1)
                               for i in range(0, len(tokens), batch_size)]
    return _TEACHER_LOG_P[key]


@_single_thread
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
        b = _trim(tokens[i:i + batch_size])
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


def teacher_corpus(teacher: CharTransformer, n: int, seed: int, temperature: float = 1.0) -> torch.Tensor:
    """Sequence-level KD data (Kim & Rush 2016): n sentences sampled from the teacher, seeded."""
    return generate(teacher, n, seed=seed, temperature=temperature)


# ---------------------------------------------------------------- 6. cached teacher and students

#: Sizes used by the notebook; change them and the cache retrains.
DATA = {"language": "toy-v1", "context": 64, "n_train": 4000, "n_val": 500, "n_test": 1000,
        "seeds": [1, 2, 3]}
TEACHER_ARCH = {"d_model": 32, "n_layers": 2, "n_heads": 4, "d_ff": 96}
STUDENT_ARCH = {"d_model": 16, "n_layers": 1, "n_heads": 2, "d_ff": 32}


def lm_data(data: dict | None = None) -> tuple[ToyLanguage, dict]:
    """The language and its train/val/test token tensors, generated from fixed seeds (no download).

    Generated once per process and data config (it takes about a second), then copied: a caller that
    changes its tensors changes only its copy.
    """
    lang, out = _lm_data(json.dumps(data or DATA, sort_keys=True))
    return lang, {split: tokens.clone() for split, tokens in out.items()}


@functools.lru_cache(maxsize=4)
def _lm_data(data_json: str) -> tuple[ToyLanguage, dict]:
    data = json.loads(data_json)
    lang = ToyLanguage()
    out = {}
    for split, seed in zip(("train", "val", "test"), data["seeds"]):
        out[split] = lang.encode(lang.sample(data[f"n_{split}"], seed), data["context"])
    return lang, out


def get_lm_teacher(root=None, *, steps: int = 500, batch_size: int = 48, lr: float = 1e-2, seed: int = 0,
                   arch: dict | None = None, data: dict | None = None, retrain: bool = False) -> CharTransformer:
    """The teacher: labels-only training on the toy corpus, cached under root/cache by its full config
    (root None: `cache.data_root()`)."""
    data, arch = data or DATA, arch or TEACHER_ARCH
    lang, splits = lm_data(data)
    config = {"role": "lm-teacher", "data": data, "arch": lm_config(lang.vocab_size, data["context"], **arch),
              "steps": steps, "batch_size": batch_size, "lr": lr, "seed": seed}

    def build_and_train():
        set_seed(seed)
        model = CharTransformer(lang.vocab_size, data["context"], **arch)
        hist = train_lm(model, "labels", splits["train"], steps=steps, batch_size=batch_size, lr=lr, seed=seed,
                        val_tokens=splits["val"])
        return model, hist
    return cached_model(config, build_and_train, root, retrain)


SEQ_CORPUS_SEED = 10_000
_SHARED: dict = {}


def _memo(key, make):
    """The teacher's logits on the training text and its sampled corpus, computed once per teacher and data
    and only when a student has to be trained (a warm cache needs neither). Keeps the latest two entries."""
    if key not in _SHARED:
        while len(_SHARED) >= 2:
            _SHARED.pop(next(iter(_SHARED)))
        _SHARED[key] = make()
    return _SHARED[key]


def _lm_student_config(method: str, teacher: CharTransformer, *, seed: int, steps: int, batch_size: int, lr: float,
                       T: float, k: int, tail: str, arch: dict, data: dict, warm_start: float) -> dict:
    """The cache config of get_lm_student's student (everything its training depends on)."""
    lang, _ = lm_data(data)
    config = {"role": "lm-student", "method": method, "data": data,
              "arch": lm_config(lang.vocab_size, data["context"], **arch), "steps": steps,
              "batch_size": batch_size, "lr": lr, "seed": seed,
              "teacher": teacher_identity(teacher)}  # its cache config, or a hash of its weights (cache.py)
    if method in TWO_BY_TWO:
        config["T"] = check_temperature(T)
    if method in TWO_BY_TWO:  # 'second_half': what changes at the switch (the T is used in both halves)
        config.update(warm_start=warm_start, second_half=list(TWO_BY_TWO[method]) + [config["T"]])
    if method in _ON_POLICY:
        config["refresh"] = 4
    if method == "seq":
        config["corpus"] = {"n": data["n_train"], "seed": SEQ_CORPUS_SEED, "temperature": 1.0}
    if method == "topk":
        config.update(k=k, tail=tail)
    return config


def _student_is_cached(spec: dict, teacher: CharTransformer, root) -> bool:
    """Whether get_lm_student(**spec) finds an entry (a damaged one is found here, then retrained serially)."""
    import inspect
    from .cache import VERSIONS, entry_path
    params = inspect.signature(get_lm_student).parameters
    kw = {name: spec.get(name, params[name].default)
          for name in ("seed", "steps", "batch_size", "lr", "T", "k", "tail", "warm_start")}
    config = _lm_student_config(spec["method"], teacher, arch=spec.get("arch") or STUDENT_ARCH,
                                data=spec.get("data") or DATA, **kw)
    return entry_path("lm-student", config, VERSIONS["model"], root).exists()


def get_lm_student(method: str, teacher: CharTransformer, root=None, *, seed: int = 0, steps: int = 300,
                   batch_size: int = 32, lr: float = 8e-2, T: float = 1.0, k: int = 5, tail: str = "bucket",
                   arch: dict | None = None, data: dict | None = None, teacher_logits: torch.Tensor | None = None,
                   corpus: torch.Tensor | None = None, warm_start: float = 0.5, retrain: bool = False) -> CharTransformer:
    """A student trained with one method (see METHODS) for a fixed budget, cached by its full config.

    The history stores the validation figures (history['val']), so choices can be made without the test set.
    teacher_logits (teacher_lm_logits on the training split) and corpus (the 'seq' data, teacher_corpus
    with n_train sentences and seed SEQ_CORPUS_SEED) may be passed to share them between students;
    when missing they are computed here, once per teacher, and only if a model has to be trained.
    """
    data, arch = data or DATA, arch or STUDENT_ARCH
    lang, splits = lm_data(data)
    config = _lm_student_config(method, teacher, seed=seed, steps=steps, batch_size=batch_size, lr=lr, T=T, k=k,
                                tail=tail, arch=arch, data=data, warm_start=warm_start)

    def build_and_train():
        set_seed(seed)
        model = CharTransformer(lang.vocab_size, data["context"], **arch)
        t_logits = None
        key = json.dumps([config["teacher"], data], sort_keys=True)  # what the shared teacher data depend on
        if method == "seq":
            tokens = corpus if corpus is not None else _memo(("corpus", key), lambda: teacher_corpus(
                teacher, data["n_train"], seed=SEQ_CORPUS_SEED))
        else:
            tokens = splits["train"]
            if method in ("topk", *TWO_BY_TWO):
                t_logits = teacher_logits if teacher_logits is not None else _memo(
                    ("logits", key), lambda: teacher_lm_logits(teacher, tokens))
        hist = train_lm(model, method, tokens, teacher, steps=steps, batch_size=batch_size, lr=lr, seed=seed,
                        T=T, k=k, tail=tail, warm_start=warm_start, teacher_logits=t_logits, val_tokens=splits["val"])
        return model, hist
    return cached_model(config, build_and_train, root, retrain)



#: rough relative cost of one student by method (for sharing the work out between processes)
_COST = {"onpolicy": 3.0, "onpolicy_forward": 3.0, "seq": 1.5}


def _worker_main(path: str) -> None:
    """A worker process: train (or find) each student of the job file `path`, writing the cache."""
    from .cache import adopt
    job = torch.load(path, weights_only=False)
    teacher = adopt(job["teacher"], job["digest"])
    for spec in job["specs"]:
        shared = {k: v for k, v in job["shared"].items() if k in _shares(spec)}
        get_lm_student(teacher=teacher, root=job["root"], **shared, **spec)


def _shares(spec: dict) -> tuple[str, ...]:
    """Which of the teacher's data (its logits on the training text, its corpus) a student spec uses."""
    if spec.get("data") not in (None, DATA):
        return ()  # other data: the student computes its own
    return ("corpus",) if spec["method"] == "seq" else ("teacher_logits",) if spec["method"] in ("topk", *TWO_BY_TWO) else ()


def _train_in_processes(specs: list[dict], teacher: CharTransformer, root, workers: int) -> None:
    """Train the students of `specs` in `workers` Python processes, longest first (greedy), then wait."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path
    from .cache import provenance, resolve_root
    key = json.dumps([teacher_identity(teacher), DATA], sort_keys=True)
    shared = {}  # computed once here, not once per process
    if any("teacher_logits" in _shares(s) for s in specs):
        shared["teacher_logits"] = _memo(("logits", key), lambda: teacher_lm_logits(teacher, lm_data(DATA)[1]["train"]))
    if any("corpus" in _shares(s) for s in specs):
        shared["corpus"] = _memo(("corpus", key), lambda: teacher_corpus(teacher, DATA["n_train"], seed=SEQ_CORPUS_SEED))
    parts, loads = [[] for _ in range(workers)], [0.0] * workers
    for spec in sorted(specs, key=lambda s: -_COST.get(s["method"], 1.0)):
        i = loads.index(min(loads))
        parts[i].append(spec)
        loads[i] += _COST.get(spec["method"], 1.0)
    env = dict(os.environ)  # the package importable in the children however this process found it
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1])] + [p for p in [env.get("PYTHONPATH")] if p])
    code = "import sys; from distill_helpers.lm import _worker_main; _worker_main(sys.argv[1])"
    with tempfile.TemporaryDirectory(prefix="distill-lm-") as tmp:
        procs = []
        try:
            for i, part in enumerate(p for p in parts if p):
                path = Path(tmp) / f"job{i}.pt"
                torch.save({"teacher": teacher, "digest": provenance(teacher), "root": str(resolve_root(root)),
                            "specs": part, "shared": shared}, path)
                procs.append(subprocess.Popen([sys.executable, "-c", code, str(path)], env=env,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
            errors = [(p, p.communicate()[1]) for p in procs]
        finally:
            for p in procs:  # an interrupt (Ctrl-C, a kernel stop) stops the children too
                if p.poll() is None:
                    p.kill()
    for p, err in errors:
        if p.returncode != 0:
            raise RuntimeError(f"a worker process training language-model students failed (exit {p.returncode}):\n"
                               + "\n".join(err.strip().splitlines()[-15:]))
        if err.strip():
            sys.stderr.write(err)  # its warnings (a damaged cache entry retrained, ...)


def get_lm_students(specs: list[dict], teacher: CharTransformer, root=None, *, workers: int | None = None
                    ) -> list[CharTransformer]:
    """get_lm_student(**spec, teacher=teacher, root=root) for each dict in `specs` (method, seed, lr, T, ...).

    Each student trains on one thread (see `_single_thread`), so the students the cache lacks are trained
    `workers` at a time in separate Python processes (default: one per available CPU core, at most 4;
    workers=1 trains them here, one after the other). The models are the same as the serial calls': each
    is seeded and cached by its own config; the teacher's logits and corpus are computed once, here.
    """
    if not isinstance(specs, (list, tuple)) or not all(isinstance(s, dict) and "method" in s for s in specs):
        raise ValueError("specs must be a list of dicts of get_lm_student keywords, each with a 'method'")
    for s in specs:
        if s["method"] not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, got {s['method']!r}")
        if {"teacher", "root"} & set(s):
            raise ValueError("a spec holds get_lm_student's keywords except teacher and root (passed once, here)")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = min(4, cores) if workers is None else check_int(workers, "workers", 1)
    missing = list({json.dumps(s, sort_keys=True, default=str): s for s in specs
                    if not _student_is_cached(s, teacher, root)}.values())  # each config once
    if workers > 1 and len(missing) > 1:
        refuse_training(f"get_lm_students ({len(missing)} students)")  # before any process starts
        _train_in_processes(missing, teacher, root, min(workers, len(missing)))
    return [get_lm_student(teacher=teacher, root=root, **s) for s in specs]


# ---------------------------------------------------------------- notebook 08's models, for `prepare`

NB08_LR_GRID, NB08_T_GRID, NB08_SEEDS = (4e-2, 8e-2, 1.6e-1), (1.0, 2.0, 4.0), (0, 1, 2)
NB08_BUDGET = {"steps": 300, "batch_size": 32}
NB08_METHODS = (("labels", {}), ("word", {"T": None}), ("word_reverse", {"T": None}), ("seq", {}),
                ("onpolicy_forward", {"T": None}), ("onpolicy", {"T": None}),
                ("topk", {"k": 1}), ("topk", {"k": 5}))  # T None: the T chosen on validation


def _prepare_notebook_08(root, progress=False) -> CharTransformer:
    """Train and cache every model notebook 08 loads, with the same calls (and validation choices) as the notebook."""
    lang, splits = lm_data()
    teacher = get_lm_teacher(root)
    shared = dict(NB08_BUDGET)
    grid = get_lm_students([dict(method="labels", lr=lr, **shared) for lr in NB08_LR_GRID], teacher, root)
    lr_val = {lr: m.history["val"]["bpc"] for lr, m in zip(NB08_LR_GRID, grid)}
    lr = min(lr_val, key=lr_val.get)
    grid = get_lm_students([dict(method="word", lr=lr, T=T, **shared) for T in NB08_T_GRID], teacher, root)
    T_val = {T: m.history["val"]["bpc"] for T, m in zip(NB08_T_GRID, grid)}
    T_kd = min(T_val, key=T_val.get)
    get_lm_students([dict(method=method, lr=lr, seed=seed, **{k: (T_kd if v is None else v) for k, v in extra.items()},
                          **shared) for method, extra in NB08_METHODS for seed in NB08_SEEDS], teacher, root)
    return teacher


def _register_with_prepare() -> None:
    from .classroom.prepare import register
    register("language-model teacher and its students (28, with the validation sweeps)", ("08",))(_prepare_notebook_08)


_register_with_prepare()
