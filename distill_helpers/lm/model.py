"""A small causal transformer over characters, and what is done with one: sample text, score every position.

`CharTransformer` is registered with `models.register_arch`, so `load_model` and the model cache rebuild it
from a checkpoint's config.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..losses import check_temperature
from ..models import eval_mode, register_arch
from .threads import single_thread

__all__ = ["CharTransformer", "lm_config", "generate", "teacher_lm_logits", "teacher_corpus"]

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


@single_thread
@torch.no_grad()
def generate(model: CharTransformer, n: int, *, seed: int = 0, temperature: float = 1.0,
             batch_size: int = 1024, max_len: int | None = None) -> torch.Tensor:
    """n sequences sampled from BOS with a KV cache and a seeded generator: (n, max_len + 1) token ids.

    A sequence stops at its first '.' (id 1); the rest is padding (id 0). Same seed, same samples.
    """
    check_temperature(temperature)
    L = max_len or model.context
    gen = torch.Generator().manual_seed(seed)
    outs = []
    with eval_mode(model):
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
    return torch.cat(outs)


@single_thread
@torch.no_grad()
def teacher_lm_logits(teacher: CharTransformer, tokens: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
    """(N, L, V) logits of `teacher` (eval mode) for every input position of tokens, computed once."""
    with eval_mode(teacher):
        return torch.cat([teacher(tokens[i:i + batch_size, :-1]) for i in range(0, len(tokens), batch_size)])


def teacher_corpus(teacher: CharTransformer, n: int, seed: int, temperature: float = 1.0) -> torch.Tensor:
    """Sequence-level KD data (Kim & Rush 2016): n sentences sampled from the teacher, seeded."""
    return generate(teacher, n, seed=seed, temperature=temperature)
