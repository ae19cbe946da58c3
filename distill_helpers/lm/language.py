"""The toy language: a probabilistic grammar whose true next-character distribution is known exactly.

Its corpus (`lm_data`: train, validation and test sentences from fixed seeds, no download), the encoding
of sentences as token ids (BOS first, '.' at the end, BOS again as padding) and the checks on them.
`TOY_GRAMMAR` was written for this project: no third-party text, no licence restrictions.
"""
from __future__ import annotations

import functools
import json
import math
import random

import torch

from .threads import single_thread

__all__ = ["TOY_GRAMMAR", "ToyLanguage", "decode", "target_mask", "trim_padding", "check_tokens", "DATA", "lm_data"]

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

    @single_thread
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

def trim_padding(tokens: torch.Tensor) -> torch.Tensor:
    """Drop the padding columns that no row of the batch needs (saves compute, changes no result)."""
    return tokens[:, :int(target_mask(tokens).sum(1).max()) + 1]


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



#: Sizes used by the notebook; change them and the cache retrains.
DATA = {"language": "toy-v1", "context": 64, "n_train": 4000, "n_val": 500, "n_test": 1000,
        "seeds": [1, 2, 3]}


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
