"""Training a character-level student: one loop for every method, its recipe passed whole as an `LMRecipe`.

Adam with a cosine decay of the learning rate to zero; each step's batch comes from the training text or,
on-policy, from the student's own samples (`_LMBatches`), and `_lm_step` takes one step of the method's loss.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import torch

from ..infra.checks import check_int, check_training_settings
from ..losses import check_kd_temperature
from ..infra.room import check_live_deadline, refuse_training
from ..train import resolve_device
from .evaluate import evaluate_lm
from .language import check_tokens, target_mask, trim_padding
from .losses import METHODS, TWO_BY_TWO, lm_loss
from .model import CharTransformer, generate
from .threads import single_thread

__all__ = ["LMRecipe", "ON_POLICY", "WARM_STARTED", "check_recipe", "train_lm"]

#: The methods whose student samples its own training text in the second half, and those that start with
#: word-level KD on the training text (GKD and MiniLLM also start from a supervised student).
ON_POLICY = ("onpolicy_forward", "onpolicy")
WARM_STARTED = ("word_reverse", "onpolicy_forward", "onpolicy")


@dataclass(frozen=True)
class LMRecipe:
    """How one language model is trained: `steps` Adam steps of `batch_size` sentences at learning rate `lr`
    (cosine decay), seeded by `seed`.

    T: the temperature of the KD losses; k and tail: the teacher's top tokens kept and what is done with the
    rest ('topk', see topk_kd_loss); refresh: on-policy, the student writes refresh * batch_size sentences
    every `refresh` steps; warm_start: the fraction of the steps before a warm-started method (WARM_STARTED)
    switches from word-level KD to its own second half. A variant: `recipe.with_(lr=1e-2)`.
    """
    steps: int = 300
    batch_size: int = 32
    lr: float = 3e-3
    T: float = 1.0
    k: int = 5
    tail: str = "bucket"
    refresh: int = 4
    warm_start: float = 0.5
    seed: int = 0

    def with_(self, **changes) -> LMRecipe:
        """A copy with some fields changed; a field the recipe does not have is refused, naming those it has."""
        names = [f.name for f in fields(self)]
        unknown = sorted(set(changes) - set(names))
        if unknown:
            raise TypeError(f"LMRecipe has no field {', '.join(map(repr, unknown))}: its fields are {', '.join(names)}")
        return replace(self, **changes)


def check_recipe(recipe) -> LMRecipe:
    """`recipe` itself if it is an LMRecipe, else a ValueError that names the fix."""
    if not isinstance(recipe, LMRecipe):
        raise ValueError(f"recipe must be an LMRecipe, e.g. LMRecipe(steps=300, lr=8e-2) or "
                         f"STUDENT_RECIPE.with_(T=2.0); got {type(recipe).__name__} {recipe!r}")
    return recipe


def _check_train_settings(student, method, tokens, val_tokens, recipe: LMRecipe) -> None:
    """Everything train_lm takes, checked before the first step."""
    check_int(recipe.steps, "steps", 1)
    check_int(recipe.batch_size, "batch_size", 1)
    check_int(recipe.refresh, "refresh", 1)
    check_training_settings(0, recipe.lr, 1)
    check_kd_temperature(recipe.T)
    vocab, k = student.config["vocab_size"], recipe.k
    if method == "topk" and not (isinstance(k, int) and not isinstance(k, bool) and 1 <= k <= vocab):
        raise ValueError(f"k (the teacher's top tokens kept) must be an integer in 1..{vocab}, got {k!r}")
    if tokens is not None:
        check_tokens(tokens, vocab, student.context)
    if val_tokens is not None:
        check_tokens(val_tokens, vocab, student.context, "val_tokens")


@single_thread
def train_lm(student: CharTransformer, method: str, tokens: torch.Tensor, teacher: CharTransformer | None = None,
             *, recipe: LMRecipe = LMRecipe(), device="cpu", teacher_logits: torch.Tensor | None = None,
             val_tokens: torch.Tensor | None = None) -> dict:
    """Train `student` for `recipe.steps` Adam steps (cosine decay) with one method; returns a small history.

    tokens: the training sequences (for 'seq' pass the teacher's samples, see teacher_corpus).
    'onpolicy' first trains with word-level KD on tokens for a fraction `recipe.warm_start` of the steps (GKD
    and MiniLLM also start from a supervised student: samples of an untrained one are noise); then,
    every `recipe.refresh` steps, the student samples refresh * batch_size sentences from itself (no gradient
    through the sampling), the teacher scores every position, and the loss is the reverse KL.
    'onpolicy_forward' does the same with the forward KL, and 'word_reverse' keeps the training text
    but switches to the reverse KL: with 'word', the four cells of TWO_BY_TWO. For all four the history
    also holds the validation figures at the switch ('val_switch', for 'word' at the same step, where
    nothing switches), if val_tokens are given.
    teacher_logits: the teacher's logits for every row of tokens (teacher_lm_logits), computed once and
    reused by 'word' and 'topk' (a causal model's logits do not depend on the padding after them).
    """
    _check_train_lm(student, method, tokens, teacher, val_tokens, teacher_logits, recipe=recipe)
    r = recipe
    refuse_training(f"train_lm ({method}, {r.steps} steps)")  # DISTILL_NO_TRAINING=1: a prepared room trains nothing
    device = resolve_device(device)
    student.to(device).train()
    if teacher is not None:
        teacher.to(device).eval()
    torch.manual_seed(r.seed)
    batches = _LMBatches(student, teacher, tokens, teacher_logits, batch_size=r.batch_size, refresh=r.refresh,
                         seed=r.seed, device=device)
    opt = torch.optim.Adam(student.parameters(), lr=r.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, r.steps) / max(r.steps, 1))))
    history = {"step": [], "loss": []}
    switch = int(r.warm_start * r.steps)
    first_onpolicy = switch if method in WARM_STARTED else r.steps
    for step in range(r.steps):
        check_live_deadline()  # a live demonstration past its limit stops here (room.py); a clock read
        phase = method if step >= first_onpolicy else ("word" if method in WARM_STARTED else method)
        if step == switch and method in TWO_BY_TWO and val_tokens is not None:  # where the 2 x 2 parts
            history["val_switch"] = evaluate_lm(student, val_tokens, teacher)
            student.train()
        batch, t_logits = batches.next(step - first_onpolicy, phase, step)
        loss = _lm_step(student, teacher, opt, batch, t_logits, phase, recipe=r, device=device)
        sched.step()
        if step % 25 == 0 or step == r.steps - 1:
            history["step"].append(step + 1)
            history["loss"].append(loss.item())
    student.eval()
    if val_tokens is not None:
        history["val"] = evaluate_lm(student, val_tokens, teacher)
    return history


def _check_train_lm(student, method, tokens, teacher, val_tokens, teacher_logits, *, recipe) -> None:
    """train_lm's arguments refused, with the fix, before any work."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    check_recipe(recipe)
    _check_train_settings(student, method, tokens, val_tokens, recipe)
    if not 0 <= recipe.warm_start < 1:
        raise ValueError(f"warm_start is the fraction of steps before on-policy sampling starts, in [0, 1); "
                         f"got {recipe.warm_start}")
    if method != "labels" and method != "seq" and teacher is None and (method in ON_POLICY or teacher_logits is None):
        raise ValueError(f"method {method!r} needs a teacher (or, except for on-policy methods, its teacher_logits)")
    if method in WARM_STARTED and tokens is None and recipe.warm_start > 0:
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
        if phase in ON_POLICY:
            if onpolicy_step % self.refresh == 0:
                n = self.refresh * B
                self.pool = trim_padding(generate(self.student, n, seed=self.seed * 100_003 + step, batch_size=n)).to(self.device)
                self.student.train()
                with torch.no_grad():
                    self.pool_logits = self.teacher(self.pool[:, :-1])
            j = onpolicy_step % self.refresh
            return self.pool[j * B:(j + 1) * B], self.pool_logits[j * B:(j + 1) * B]
        idx = torch.randint(0, len(self.tokens), (B,), generator=self.gen)
        fixed = self.teacher_logits is not None and phase in ("word", "word_reverse", "topk")
        return self.tokens[idx], self.teacher_logits[idx] if fixed else None


def _lm_step(student, teacher, opt, batch, t_logits, phase: str, *, recipe: LMRecipe, device) -> torch.Tensor:
    """One Adam step of `phase`'s loss on `batch` (the teacher run on it when its logits are not given)."""
    batch = trim_padding(batch).to(device)
    x, y, mask = batch[:, :-1], batch[:, 1:], target_mask(batch)
    if t_logits is not None:
        t_logits = t_logits[:, :x.shape[1]].to(device)  # causal: padding columns never changed these
    elif phase in ("word", "word_reverse", "topk"):
        with torch.no_grad():
            t_logits = teacher(x)
    loss = lm_loss(phase, student_logits=student(x), teacher_logits=t_logits, targets=y, mask=mask, T=recipe.T,
                   k=recipe.k, tail=recipe.tail)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss
