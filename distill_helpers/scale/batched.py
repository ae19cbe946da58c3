"""Many students at once: K MLPs of one architecture trained together as one stacked model.

Multi-seed results and T x alpha sweeps need dozens of small students. Trained one after another, each
optimiser step of a 784-30-30-10 student is mostly Python and dispatch overhead. Stacked, the K weight
matrices of a layer form one (K, out, in) tensor and a layer is one `torch.baddbmm`, so K students cost
about what one costs until the matrices fill the CPU. Students with the same seed (in a sweep: the same
initialisation and batch order, another T or alpha) see the same batches, so their first layers are one
wide matrix product. Activations are kept as (features, batch): a softmax over the 10 classes then runs
along a middle dimension, which PyTorch does about 20x faster on a CPU than along a last dimension of 10.

Nothing is shared between the students: each has its own initialisation and batch order (its seed), its
own T, alpha and learning rate, and the loss is a sum of per-student losses over disjoint parameters.
Adam works element by element, so the result is K independent runs; `tests/unit/scale/test_batched.py` checks that
each student ends with the weights `distill()` gives it alone, to float tolerance.

    students = make_students((30, 30), seeds=range(8))
    hists = distill_students(students, teacher, train, val, runs=Runs(seeds=range(8)),
                             kd=[RECIPES.distill.with_(alpha=a) for a in [0.0] * 4 + [0.9] * 4])
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..data import HeldOutTest, as_tensors
from ..infra.checks import check_dataset, check_int, check_training_settings
from ..losses import check_alpha, check_kd_temperature
from ..models import MLP, build_model, student_config
from ..recipes import RECIPES, DistillRecipe, Runs, TrainingRecipe, Value, check_recipe
from ..transfer import random_shift, shift_view, view_count, view_index

__all__ = ["make_students", "distill_students", "Runs", "Teaching", "StackedMLP", "predict_logits_stacked", "kd_terms",
           "check_inputs", "TEACHER_VIEWS", "shift_view_logits"]

#: What the teacher sees when the students are augmented (distill_students' teaching.view):
#: "same" the student's own view (consistent teaching, Beyer et al. 2022; for a shift of 2 the same as
#: `distill(..., recipe=RECIPES.student.with_(augment_shift=2))`),
#: "independent" another random view of the same digit (inconsistent teaching),
#: "original" the un-augmented digit (the "fixed teacher": targets computed once on the original inputs).
TEACHER_VIEWS = ("same", "independent", "original")


@dataclass(frozen=True, eq=False)
class Teaching(Value):
    """What distill_students' students learn from besides the teacher model, and what it sees of augmented
    batches (one value for all the students).

    logits: the teacher's logits (training rows, classes) for every training row, in order: reused across
        calls (predict_logits(teacher, X) once), and what a transfer set the teacher is not run on here needs
        (teacher=None).
    view: what the teacher sees when the students are augmented, one of TEACHER_VIEWS: "same" (consistent
        teaching), "independent" (another random view) or "original" (the un-augmented digit, `logits`).
    view_logits: the teacher's logits on every view a shift makes, shift_view_logits(teacher, X, shift) for the
        recipe's augment_shift (None: computed here, from the teacher).
    augment: another augmentation, augment(X, generator) on every batch, in place of the recipe's shift
        (recipe.augment_shift then 0); the teacher then runs on every batch. None: the recipe's shift, if any.
    A variant: `teaching.with_(view="independent")`.
    """
    logits: torch.Tensor | None = None
    view: str = "same"
    view_logits: torch.Tensor | None = None
    augment: Callable | None = None


def make_students(hidden: Sequence[int], seeds: Sequence[int], in_shape=(1, 28, 28), num_classes: int = 10) -> list[MLP]:
    """One freshly initialised MLP per seed, each exactly as `set_seed(seed); build_model(...)` makes it."""
    from ..train import set_seed
    arch = student_config(tuple(hidden), tuple(in_shape), num_classes)
    out = []
    for s in seeds:
        set_seed(int(s))
        out.append(build_model(arch))
    return out


def _linears(model: MLP) -> list[nn.Linear]:
    if not isinstance(model, MLP) or model.config.get("dropout", 0.0):
        raise ValueError("batched training takes MLP students without dropout (a dropout mask would differ "
                         "per student and per step); build them with make_students()")
    return [m for m in model.net if isinstance(m, nn.Linear)]


class StackedMLP(nn.Module):
    """K MLPs of one architecture as one module, in G groups of M students that see the same inputs.

    Students of one group share their batches, so the group's first layers are one (M * H, D) matrix and a
    step costs one (M * H, D) x (D, B) product per group instead of M thin ones. Weights are stored as
    nn.Linear stores them, stacked: the first layer (G, M * H, D) with biases (G, M * H, 1), the later
    layers (K, out, in) with biases (K, out, 1). Students are in group-major order: student k is member
    k % M of group k // M. With M = 1 (the default) every student is its own group.
    """

    def __init__(self, students: Sequence[MLP], group_size: int = 1):
        super().__init__()
        if not students:
            raise ValueError("need at least one student")
        configs = {str(s.config) for s in students}
        if len(configs) != 1:
            raise ValueError(f"all students must share one architecture, got {len(configs)} different configs")
        K, M = len(students), int(group_size)
        if M < 1 or K % M:
            raise ValueError(f"group_size must divide the number of students ({K}), got {group_size}")
        per = [_linears(s) for s in students]
        self.config = dict(students[0].config)
        self.K, self.M, self.G = K, M, K // M
        std = students[0].net[0]
        self.register_buffer("mean", std.mean.clone())
        self.register_buffer("std", std.std.clone())
        H, D = per[0][0].weight.shape
        self.weights = nn.ParameterList(
            [nn.Parameter(torch.stack([p[0].weight.detach() for p in per]).view(self.G, M * H, D).contiguous())]
            + [nn.Parameter(torch.stack([p[i].weight.detach() for p in per]).contiguous()) for i in range(1, len(per[0]))])
        self.biases = nn.ParameterList(
            [nn.Parameter(torch.stack([p[i].bias.detach() for p in per]).view(len(per) // (M if i == 0 else 1), -1, 1)
                          .contiguous()) for i in range(len(per[0]))])

    def lr_views(self, per_student: torch.Tensor) -> list[torch.Tensor]:
        """A per-student value (K,) shaped to broadcast over each weight and each bias (for Adam's step)."""
        H = self.weights[0].shape[1] // self.M
        g = per_student.view(self.G, self.M, 1).expand(self.G, self.M, H).reshape(self.G, self.M * H, 1)
        k = per_student.view(self.K, 1, 1)
        return [g] + [k] * (len(self.weights) - 1) + [g] + [k] * (len(self.biases) - 1)

    def features(self, X: torch.Tensor) -> torch.Tensor:
        """Standardised, flattened images (N, D), exactly as each MLP computes them before its first layer."""
        return ((X - self.mean) / self.std).flatten(1)

    def layers(self) -> list[tuple[torch.Tensor, torch.Tensor]]:
        """(weight, bias) of each layer as a plain list: indexing a ParameterList builds a module per slice,
        which costs more than a small layer's product, so a training loop takes this list once."""
        return list(zip(self.weights, self.biases))

    def forward_features(self, h: torch.Tensor, layers: list[tuple[torch.Tensor, torch.Tensor]] | None = None
                         ) -> torch.Tensor:
        """Logits (K, classes, B) from features: (G, B, D), one batch per group, or (N, D), shared by all."""
        (W1, b1), *rest = layers or self.layers()
        G, MH, D = W1.shape
        if h.dim() == 3:  # one batch per group: G products (M * H, D) x (D, B)
            h = torch.baddbmm(b1, W1, h.transpose(1, 2))
        else:  # shared by all students: one product (K * H, D) x (D, N)
            h = torch.addmm(b1.view(G * MH, 1), W1.view(G * MH, D), h.T)
        h = h.view(self.K, MH // self.M, -1)
        for W, b in rest:
            h = torch.baddbmm(b, W, torch.relu(h))
        return h

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        """Logits (K, N, classes) of every student on the same images X (N, C, H, W)."""
        return self.forward_features(self.features(X)).transpose(1, 2)

    @torch.no_grad()
    def unstack(self, students: Sequence[MLP]) -> list[MLP]:
        """Copy the trained weights back into the K given MLPs (in eval mode) and return them."""
        W1, b1 = self.weights[0], self.biases[0]
        H = W1.shape[1] // self.M
        for k, s in enumerate(students):
            g, m = divmod(k, self.M)
            lins = _linears(s)
            lins[0].weight.copy_(W1[g, m * H:(m + 1) * H])
            lins[0].bias.copy_(b1[g, m * H:(m + 1) * H, 0])
            for lin, W, b in zip(lins[1:], self.weights[1:], self.biases[1:]):
                lin.weight.copy_(W[k])
                lin.bias.copy_(b[k, :, 0])
            s.eval()
        return list(students)


@torch.no_grad()
def predict_logits_stacked(students: Sequence[MLP], X: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Logits (K, N, classes) of K students of one architecture on X, computed together."""
    stacked = StackedMLP(students)
    out = [stacked(X[i:i + batch_size]) for i in range(0, len(X), batch_size)]
    return torch.cat(out, 1)


def kd_terms(z: torch.Tensor, teacher: torch.Tensor | None, y: torch.Tensor, T: torch.Tensor,
             soft_w: torch.Tensor, hard_w: torch.Tensor, *, precise: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-student distillation losses of a batch, summed over the batch, and their gradient: one pass, no graph.

    Student, teacher, labels, as everywhere. Classes run along dimension -2 and the batch along -1. z: student
    logits (..., C, B); teacher: teacher logits (..., C, B) or None (labels only) and y: labels (..., B), both
    broadcast over the student dimensions; T (..., 1, 1), soft_w (...), hard_w (...): per student. Returns
    (losses (...), gradient (..., C, B)): the batch sums of
        soft_w * KL(p_T || q_T) + hard_w * CE(q_1, y),   p_T = softmax(teacher / T), q_T = softmax(z / T),
    and the gradient of their sum, the textbook one,
        d loss / d z = soft_w / T * (q_T - p_T) + hard_w * (q_1 - onehot(y)).
    Divide both by the batch size for the batch means `kd_loss` gives. Checked against finite differences
    and against autograd through `kd_loss` (a second formulation) in tests/unit/scale/test_batched.py.
    precise=True computes the soft term in float64, as `kd_loss` does above T = 100: KL(p_T || q_T) shrinks
    as 1/T^2 while float32 rounds log p_T and log q_T to about 1e-7 each, so at T = 5000 the float32 KL is
    mostly rounding error, times T^2 = 2.5e7 (a training loss that came out negative). The caller decides
    once, from its temperatures, so that no batch needs a host synchronisation to decide.
    """
    log_q1 = F.log_softmax(z, -2)
    label = y.unsqueeze(-2).expand(*z.shape[:-2], 1, z.shape[-1])
    nll = log_q1.gather(-2, label).sum((-2, -1))  # minus the summed cross-entropy
    grad = log_q1.exp_().scatter_(-2, label, -1.0, reduce="add").mul_(hard_w[..., None, None])
    if teacher is None:
        return nll.mul_(hard_w).neg_(), grad
    zs, ts, Ts = (z.double(), teacher.double(), T.double()) if precise else (z, teacher, T)
    log_p, log_q = F.log_softmax(ts / Ts, -2), F.log_softmax(zs / Ts, -2)
    p = log_p.exp()
    kl = (log_p - log_q).mul_(p).sum((-2, -1)).mul_(soft_w).to(nll.dtype)
    grad.addcmul_(log_q.exp_().sub_(p).to(grad.dtype), soft_w[..., None, None] / T)
    return torch.addcmul(kl, nll, hard_w, value=-1), grad


@torch.no_grad()
def shift_view_logits(teacher: nn.Module, X: torch.Tensor, max_shift: int) -> torch.Tensor:
    """The frozen teacher's logits (views, n, classes) on every view `random_shift(max_shift)` can make of X.

    A shift draws dy, dx in 0 .. 2 * max_shift, so a digit has only (2 * max_shift + 1) ** 2 views (25 for
    2 pixels; `transfer.view_index` numbers them). The teacher is frozen (eval mode: no dropout, the same
    output for the same input), so its logits on every view can be computed once and looked up at each step:
    the same targets as running it on every augmented batch, at the cost of 25 passes over X instead of one
    per batch per epoch.
    """
    from ..evaluate import predict_logits
    return torch.stack([predict_logits(teacher, shift_view(X, v, max_shift)) for v in range(view_count(max_shift))])


class _Feed:
    """What the students of each group see at each step: a batch of features (G, B, D), the labels
    (G, 1, B) and, for the soft term, the teacher's logits on what the teacher sees (G, 1, classes, B).

    Three ways: no augmentation (features and the teacher's fixed logits looked up by row); a shift
    (`random_shift`, recognised by its max_shift) from a padded copy of the standardised images, the
    teacher's logits looked up in its table of views; any other augmentation run on each group's batch,
    the teacher run once per group and step. The shifts are drawn from each group's generator in the order
    `fit` draws them (the batch order at the start of an epoch, then dy and dx per batch, then, for an
    independent teacher view, the teacher's dy and dx), so each student sees what `distill` shows it.
    """

    def __init__(self, stacked: StackedMLP, X, y, gens, *, augment, teacher, fixed, views, teacher_view, use_soft):
        self.X, self.y, self.gens, self.n, self.G = X, y, gens, len(X), len(gens)
        self.augment, self.teacher, self.view, self.use_soft = augment, teacher, teacher_view, use_soft
        self.shift = getattr(augment, "max_shift", None)
        self.fixed = fixed.T.contiguous() if fixed is not None else None  # (classes, n): epochs gather columns
        self.features = stacked.features
        if augment is None:
            self.feats = stacked.features(X)
        elif self.shift is not None:
            s, (C, H, W) = int(self.shift), X.shape[1:]
            self.Wp, self.size = W + 2 * s, C * (H + 2 * s) * (W + 2 * s)
            self.padded = ((F.pad(X, (s, s, s, s)) - stacked.mean) / stacked.std).reshape(-1)
            c, r, q = torch.meshgrid(torch.arange(C), torch.arange(H), torch.arange(W), indexing="ij")
            self.offsets = (c * (H + 2 * s) * self.Wp + r * self.Wp + q).reshape(-1)  # (D,) in flatten order
            self.table = views.reshape(-1, views.shape[-1]) if views is not None else None  # (views * n, classes)

    def epoch(self, perms: torch.Tensor) -> None:
        """Labels, and the teacher's fixed logits when they are used, in each group's order for this epoch."""
        G, n = self.G, self.n
        self.y_ep = self.y.index_select(0, perms.reshape(-1)).view(G, 1, n)
        fixed_used = self.use_soft and (self.augment is None or self.view == "original")
        self.t_ep = (self.fixed.index_select(1, perms.reshape(-1)).view(-1, G, n).transpose(0, 1).contiguous()
                     .unsqueeze(1) if fixed_used else None)  # (G, 1, classes, n)

    def batch(self, i: int, idx: torch.Tensor):
        """(features (G, B, D), teacher logits (G, 1, classes, B) or None, labels (G, 1, B)) of the step at i."""
        G, B = idx.shape
        y, t = self.y_ep[..., i:i + B], (self.t_ep[..., i:i + B] if self.t_ep is not None else None)
        if self.augment is None:  # index_select on flat indices: several times faster than feats[idx]
            return self.feats.index_select(0, idx.reshape(-1)).view(G, B, -1), t, y
        if self.shift is not None:
            return self._shifted(idx, t, y)
        xs = [self.augment(self.X.index_select(0, idx[g]), self.gens[g]) for g in range(G)]
        h = torch.stack([self.features(x) for x in xs])
        if self.use_soft and self.view != "original":
            if self.view == "independent":
                xs = [self.augment(self.X.index_select(0, idx[g]), self.gens[g]) for g in range(G)]
            with torch.no_grad():  # the teacher once per group (students sharing a seed share the batch)
                t = torch.stack([self.teacher(x).float() for x in xs]).transpose(1, 2).unsqueeze(1)
        return h, t, y

    def _draw(self, B: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Each group's shifts dy, dx (G, B), drawn as random_shift draws them."""
        hi = 2 * int(self.shift) + 1
        d = [(torch.randint(0, hi, (B,), generator=g), torch.randint(0, hi, (B,), generator=g)) for g in self.gens]
        return torch.stack([a for a, _ in d]), torch.stack([b for _, b in d])

    def _shifted(self, idx: torch.Tensor, t, y):
        G, B = idx.shape
        dy, dx = self._draw(B)
        base = idx * self.size + dy * self.Wp + dx  # (G, B): where each shifted image starts in the padded copy
        h = self.padded.index_select(0, (base.unsqueeze(-1) + self.offsets).reshape(-1)).view(G, B, -1)
        if self.use_soft and self.view != "original":
            if self.view == "independent":
                dy, dx = self._draw(B)
            rows = view_index(dy, dx, int(self.shift)) * self.n + idx
            t = self.table.index_select(0, rows.reshape(-1)).view(G, B, -1).transpose(1, 2).unsqueeze(1)
        return h, t, y


def _per_student(value, K: int, kind: type, name: str, example: str) -> list:
    """`value` (one `kind` for every student, or a list or tuple of one per student) as a list of K, each checked."""
    values = list(value) if isinstance(value, (list, tuple)) else [value] * K
    if len(values) != K:
        raise ValueError(f"{name} has {len(values)} entries but there are {K} students: give one {kind.__name__} "
                         f"for all, or one per student")
    return [check_recipe(v, kind, f"{name}[{k}]" if isinstance(value, (list, tuple)) else name, example)
            for k, v in enumerate(values)]


def _seeds(runs: Runs, K: int) -> list[int]:
    """runs.seeds as K checked integers, one per student."""
    if isinstance(runs.seeds, (str, bytes)) or not hasattr(runs.seeds, "__iter__"):
        raise TypeError(f"runs.seeds must hold one seed per student, such as Runs(seeds=range({K or 8})), got "
                        f"{type(runs.seeds).__name__}: {runs.seeds!r}")
    seeds = [check_int(s, "a seed", 0) for s in runs.seeds]
    if K == 0 or len(seeds) != K:
        raise ValueError(f"need one seed per student: {K} students, {len(seeds)} seeds in runs.seeds")
    return seeds


def _student_settings(recipe, kd, K: int):
    """(epochs, batch_size, augment_shift, T (K,), alpha (K,), lr (K,)) of K students, checked before any work:
    per-student recipes may differ in lr alone (the students step together, on the same batches' schedule)."""
    recipes = _per_student(recipe, K, TrainingRecipe, "recipe", "RECIPES.student")
    kds = _per_student(kd, K, DistillRecipe, "kd", "RECIPES.distill")
    shared = {(r.epochs, r.batch_size, r.augment_shift) for r in recipes}
    if len(shared) != 1:
        raise ValueError(f"per-student recipes may differ only in lr: they train together, so epochs, batch_size "
                         f"and augment_shift must be the same, got (epochs, batch_size, augment_shift) in "
                         f"{sorted(shared)}; pass [recipe.with_(lr=lr) for lr in lrs]")
    epochs, batch_size = check_int(recipes[0].epochs, "epochs", 0), check_int(recipes[0].batch_size, "batch_size", 1)
    shift = check_int(recipes[0].augment_shift, "augment_shift", 0)
    as_tensor = lambda vals: torch.tensor(vals, dtype=torch.float32)  # noqa: E731  (each check refuses bools itself)
    return (epochs, batch_size, shift, as_tensor([check_kd_temperature(k.T) for k in kds]),
            as_tensor([check_alpha(k.alpha) for k in kds]), as_tensor([_check_lr(r.lr) for r in recipes]))


def _check_lr(lr) -> float:
    """lr as a float: a finite number > 0 (a bool refused, as by check_training_settings)."""
    return check_training_settings(0, lr, 1)[1]


def check_inputs(students: Sequence[MLP], X: torch.Tensor, y: torch.Tensor, val, *,
                 teacher_logits: torch.Tensor | None) -> None:
    """The data `kd_loss` and `fit` would refuse, refused once before any batch (never a scan per batch):
    images that are not float, hold NaN or look like 0-255 values, labels out of range, teacher logits of
    the wrong shape, not float, or not finite."""
    check_dataset(X, y, students[0])
    if val is not None:
        check_dataset(*as_tensors(val), students[0], what="validation set")
    if teacher_logits is None:
        return
    C = int(students[0].config["num_classes"])
    if not isinstance(teacher_logits, torch.Tensor) or teacher_logits.dim() != 2 or teacher_logits.shape != (len(X), C):
        raise ValueError(f"the teacher's logits must be a tensor of shape (training rows, classes) = ({len(X)}, {C}), "
                         f"got {tuple(getattr(teacher_logits, 'shape', ()))}: pass predict_logits(teacher, X) for "
                         f"the same rows, in the same order")
    if not teacher_logits.is_floating_point():
        raise ValueError(f"the teacher's logits must be floating point, got {teacher_logits.dtype}: use .float()")
    if not bool(torch.isfinite(teacher_logits).all()):
        raise ValueError("the teacher's logits contain NaN or inf: the teacher has diverged or was fed NaN inputs; "
                         "recompute them with predict_logits(teacher, X) from a working teacher")


def _augmentation(teaching: Teaching, shift: int):
    """The augmentation every batch gets: teaching.augment, or random_shift(recipe.augment_shift), or None."""
    if teaching.augment is None:
        return random_shift(shift) if shift else None
    if shift:
        raise ValueError(f"two augmentations given: recipe.augment_shift={shift} and teaching.augment; pass one "
                         f"(recipe.with_(augment_shift=0) to use teaching.augment)")
    if not callable(teaching.augment):
        raise ValueError(f"teaching.augment must be a function augment(X, generator), such as "
                         f"transfer.random_shift(2), got {type(teaching.augment).__name__} (a shift alone: "
                         f"recipe.with_(augment_shift=2))")
    return teaching.augment


def _check_augment(augment, teacher_view, view_logits, teacher, X, needs_teacher):
    """augment, teaching.view and teaching.view_logits refused when they cannot work, before any batch;
    view_logits back."""
    if teacher_view not in TEACHER_VIEWS:
        raise ValueError(f"teaching.view must be one of {TEACHER_VIEWS}, got {teacher_view!r}")
    if augment is None:
        if view_logits is not None or teacher_view != "same":
            raise ValueError("teaching.view_logits and teaching.view only apply to augmented students: pass a "
                             "recipe with augment_shift > 0 (e.g. RECIPES.student.with_(augment_shift=2))")
        return None
    if not needs_teacher or teacher_view == "original":
        return view_logits
    shift = getattr(augment, "max_shift", None)
    if view_logits is not None:
        V = view_count(shift) if shift is not None else None
        if shift is None or not isinstance(view_logits, torch.Tensor) or view_logits.dim() != 3 \
                or view_logits.shape[:2] != (V, len(X)):
            raise ValueError(f"teaching.view_logits must be shift_view_logits(teacher, X, max_shift) for the "
                             f"recipe's augment_shift: shape (views, training rows, classes) = ({V}, {len(X)}, "
                             f"classes), got {tuple(getattr(view_logits, 'shape', ()))}")
        if not bool(torch.isfinite(view_logits).all()):
            raise ValueError("teaching.view_logits contain NaN or inf: recompute them with shift_view_logits from a "
                             "working teacher")
        return view_logits
    if teacher is None:
        raise ValueError(f"augmented distillation with teaching.view={teacher_view!r} runs the teacher on the "
                         f"augmented inputs: pass teacher= (fixed teaching.logits only serve view='original')")
    return None


def distill_students(students: Sequence[MLP], teacher: nn.Module | None, train, val=None, *, runs: Runs,
                     recipe: TrainingRecipe | Sequence[TrainingRecipe] = RECIPES.student,
                     kd: DistillRecipe | Sequence[DistillRecipe] = RECIPES.distill,
                     teaching: Teaching = Teaching()) -> list[dict]:
    """Train K students at once on kd_loss (alpha = 0 is labels only); the same result as K `distill` runs.

    students: K MLPs of one architecture (see `make_students`); they are trained in place.
    runs:     a `Runs`: the seeds, one per student, for its batch order (as `distill(..., run=Run(seed=s))`),
              and the progress bar, e.g. Runs(seeds=range(8), progress=False).
    recipe:   the training recipe (epochs, lr, batch_size, augment_shift; a StudentRecipe's hidden is not read:
              the students are built), e.g. RECIPES.student.with_(epochs=5); or a list of one per student,
              which may differ in lr alone: [RECIPES.student.with_(lr=lr) for lr in lrs].
    kd:       T and alpha (a `DistillRecipe`, alpha the weight of the SOFT term), e.g. RECIPES.distill.with_(T=8.0);
              or a list of one per student: [RECIPES.distill.with_(alpha=a) for a in alphas].
    teacher:  the frozen teacher, or None when `teaching.logits` holds its logits for every training row (needed
              for a transfer set the teacher is not run on here) or when every alpha is 0.
    teaching: a `Teaching`: the teacher's precomputed logits, and for augmented students what the teacher sees.
    With recipe.augment_shift = k every batch is shifted by up to k pixels, drawn from each seed's generator as
    `fit` draws it: students that share a seed share the augmented batch. With a teacher, `teaching.view` says
    what it sees (TEACHER_VIEWS): "same", the student's view (consistent teaching, the same result as
    `distill(..., recipe=...with_(augment_shift=k))`), "independent", another random view of the same digit, or
    "original", the un-augmented digit (its fixed logits). The teacher's logits on all the shift's views are
    computed once (`shift_view_logits`, or pass them as teaching.view_logits) and looked up per step; another
    augmentation (teaching.augment) runs the teacher once per batch per distinct seed.
    Returns one history per student, shaped like `distill`'s (train_loss, train_acc, val_acc, val_loss per
    epoch; time_s is the time of the whole batch's epoch).
    """
    from ..infra.room import refuse_training  # DISTILL_NO_TRAINING=1: a prepared room trains nothing
    runs, teaching = check_recipe(runs, Runs, "runs", "Runs(seeds=range(8))"), check_recipe(
        teaching, Teaching, "teaching", "Teaching(logits=predict_logits(teacher, X))")
    K = len(students)
    seeds = _seeds(runs, K)
    epochs, batch_size, shift, Ts, alphas, lrs = _student_settings(recipe, kd, K)
    refuse_training(f"distill_students ({K} students, {epochs} epochs)")
    augment, teacher_logits = _augmentation(teaching, shift), teaching.logits
    if isinstance(val, HeldOutTest):
        raise ValueError("the test split was passed as the validation set: choices made while watching it "
                         "would be tuned on the test set. Pass the validation split from load_splits()")
    if any(teacher is s for s in students):
        raise ValueError("a student is also the teacher: distillation needs separate students")
    X, y = as_tensors(train)
    check_inputs(students, X, y, val, teacher_logits=teacher_logits)
    teacher_logits, view_logits = _teacher_targets(students, teacher, X, y, alphas, augment=augment,
                                                   teacher_view=teaching.view, view_logits=teaching.view_logits,
                                                   teacher_logits=teacher_logits)
    order, M = _groups(seeds)
    stacked = StackedMLP([students[k] for k in order], group_size=M)
    from ..train import offset_seed  # (local: train imports this module's callers)
    gens = [torch.Generator().manual_seed(offset_seed(seeds[k])) for k in order[::M]]
    use_soft = bool((alphas > 0).any()) and (teacher_logits is not None or augment is not None)
    feed = _Feed(stacked, X, y, gens, augment=augment, teacher=teacher, fixed=teacher_logits if use_soft else None,
                 views=view_logits, teacher_view=teaching.view, use_soft=use_soft)
    G = len(gens)
    loss_w = (Ts[order].view(G, M, 1, 1), (alphas * Ts * Ts)[order].view(G, M), (1.0 - alphas)[order].view(G, M))
    adam = _StackedAdam(stacked, lrs[order].contiguous(), steps=epochs * -(-len(X) // batch_size))
    hists = [{"epoch": [], "train_loss": [], "train_acc": [], "val_acc": [], "val_loss": [], "time_s": []}
             for _ in range(K)]
    bar = None
    if runs.progress:
        from ..teaching.widgets import progress_bar
        bar = progress_bar(total=epochs, desc=runs.desc or f"{K} students", unit="epoch")
    precise = bool((Ts > 100).any())  # float64 soft term, decided once (see kd_terms)
    val_xy = as_tensors(val) if val is not None else None
    for epoch in range(1, epochs + 1):
        loss_sum, correct, dt = _train_epoch(stacked, feed, gens, adam, loss_w, batch_size, precise=precise)
        val_scores = _val_scores(stacked, val_xy, K)
        _record(hists, order, epoch, loss_sum.view(K), correct.view(K), n=len(X), dt=dt, val_scores=val_scores)
        if bar is not None:
            post = {"loss": f"{loss_sum.mean().item() / len(X):.4f}"}
            if val_scores is not None:
                post["val_acc"] = f"{val_scores[0].mean().item():.4f}"
            bar.set_postfix(post)
            bar.update(1)
    if bar is not None:
        bar.close()
    stacked.unstack([students[k] for k in order])
    return hists


def _teacher_targets(students, teacher, X, y, alphas, *, augment, teacher_view, view_logits, teacher_logits):
    """What the soft term is computed from, checked before any batch: (fixed teacher logits or None, the
    teacher's logits on every shifted view or None). The teacher is put in eval mode where it will run."""
    distilling = bool((alphas > 0).any())
    view_logits = _check_augment(augment, teacher_view, view_logits, teacher, X, distilling)
    needs_fixed = distilling and (augment is None or teacher_view == "original")
    if augment is not None and teacher_view != "original" and distilling:
        if getattr(augment, "max_shift", None) is not None and view_logits is None:
            view_logits = shift_view_logits(teacher.eval(), X, int(augment.max_shift))
            _check_augment(augment, teacher_view, view_logits, teacher, X, True)  # a NaN teacher: NaN logits
        elif teacher is not None:
            teacher.eval()  # run on every augmented batch: frozen, no dropout
    if teacher_logits is None and needs_fixed:
        if teacher is None:
            raise ValueError("alpha > 0 needs the teacher or its logits: pass teacher=, or "
                             "teaching=Teaching(logits=predict_logits(teacher, X))")
        from ..evaluate import predict_logits
        teacher_logits = predict_logits(teacher, X)
        check_inputs(students, X, y, None, teacher_logits=teacher_logits)  # a teacher with NaN weights gives NaN logits
    return teacher_logits, view_logits


def _groups(seeds: Sequence[int]) -> tuple[list[int], int]:
    """Students with the same seed share their batch order: one group each, so one wide first layer per
    group (see StackedMLP). Returns (stacked position -> caller's index, group size); groups of unequal
    size fall back to one student per group."""
    members = [[k for k, s in enumerate(seeds) if s == first] for first in dict.fromkeys(seeds)]
    if len({len(m) for m in members}) != 1:
        members = [[k] for k in range(len(seeds))]
    return [k for m in members for k in m], len(members[0])


class _StackedAdam:
    """Adam by hand (the same update as torch.optim.Adam's defaults) so that each student has its own lr,
    under the cosine decay over `steps`; one learning rate for all runs PyTorch's fused Adam instead."""

    beta1, beta2, eps = 0.9, 0.999, 1e-8

    def __init__(self, stacked: StackedMLP, lrs: torch.Tensor, steps: int):
        self.params = list(stacked.parameters())
        self.m1 = [torch.zeros_like(p) for p in self.params]
        self.m2 = [torch.zeros_like(p) for p in self.params]
        self.lr_of = stacked.lr_views(lrs)
        self.one_lr = float(lrs[0]) if bool((lrs == lrs[0]).all()) and hasattr(torch, "_fused_adam_") else None
        self.count = torch.zeros((), dtype=torch.float32)  # Adam's step (one for all tensors: they step together)
        self.steps, self.step_no = steps, 0

    @torch.no_grad()
    def step(self) -> None:
        self.step_no += 1
        lam = 0.5 * (1 + math.cos(math.pi * min(self.step_no - 1, self.steps) / max(self.steps, 1)))  # cosine decay
        b1, b2, params = self.beta1, self.beta2, self.params
        if self.one_lr is not None:  # one learning rate for all: PyTorch's fused Adam, one pass per tensor
            self.count.add_(1)
            torch._fused_adam_(params, [p.grad for p in params], self.m1, self.m2, [], [self.count] * len(params),
                               amsgrad=False, lr=self.one_lr * lam, beta1=b1, beta2=b2, weight_decay=0.0,
                               eps=self.eps, maximize=False)
            return
        bc1, bc2 = 1 - b1 ** self.step_no, 1 - b2 ** self.step_no
        for p, e1, e2, lr_p in zip(params, self.m1, self.m2, self.lr_of):
            e1.lerp_(p.grad, 1 - b1)
            e2.mul_(b2).addcmul_(p.grad, p.grad, value=1 - b2)
            denom = e2.sqrt().mul_(1 / math.sqrt(bc2)).add_(self.eps)
            p.addcdiv_(e1 * lr_p, denom, value=-lam / bc1)


def _train_epoch(stacked: StackedMLP, feed: "_Feed", gens, adam: _StackedAdam, loss_w, batch_size: int, *,
                 precise: bool):
    """One epoch of every student: (summed loss (G, M), correct count (G, M), seconds)."""
    from ..infra.room import check_live_deadline
    check_live_deadline()  # a live demonstration past its limit stops here (room.py)
    t0 = time.perf_counter()
    n, layers = feed.n, stacked.layers()
    G, M = stacked.G, stacked.M
    perms = torch.stack([torch.randperm(n, generator=g) for g in gens])  # (G, n): each group's order
    feed.epoch(perms)  # labels and fixed teacher logits in each group's order: a batch is then a slice
    loss_sum = torch.zeros(G, M, dtype=torch.float64)
    correct = torch.zeros(G, M, dtype=torch.int64)
    for i in range(0, n, batch_size):
        idx = perms[:, i:i + batch_size]  # (G, B)
        B = idx.shape[1]
        h, t_b, y_b = feed.batch(i, idx)
        z = stacked.forward_features(h, layers).view(G, M, -1, B)
        with torch.no_grad():
            losses, grad = kd_terms(z.detach(), t_b, y_b, *loss_w, precise=precise)
        for p in adam.params:
            p.grad = None
        z.backward(grad.div_(B))  # of the batch means; disjoint parameters: each student gets its own gradient
        adam.step()
        with torch.no_grad():
            loss_sum += losses
            # max(-2) gives argmax's first-of-ties index and is far faster along a middle dimension here
            correct += (z.detach().max(-2).indices == y_b).sum(-1)
    return loss_sum, correct, time.perf_counter() - t0


@torch.no_grad()
def _val_scores(stacked: StackedMLP, val_xy, K: int):
    """(accuracy (K,), mean cross-entropy (K,)) of every stacked student on (X_val, y_val), or None."""
    if val_xy is None:
        return None
    X_val, y_val = val_xy
    vl = stacked(X_val)
    v_acc = (vl.argmax(-1) == y_val).float().mean(1)
    v_loss = F.cross_entropy(vl.reshape(-1, vl.shape[-1]), y_val.repeat(K), reduction="none").view(K, -1).mean(1)
    return v_acc, v_loss


def _record(hists, order, epoch, loss_sum, correct, *, n: int, dt: float, val_scores) -> None:
    """Append one epoch to each student's history, in the caller's order (stacked position -> index)."""
    for pos, k in enumerate(order):
        h = hists[k]
        h["epoch"].append(epoch)
        h["train_loss"].append(loss_sum[pos].item() / n)
        h["train_acc"].append(correct[pos].item() / n)
        h["time_s"].append(dt)
        if val_scores is not None:
            h["val_acc"].append(val_scores[0][pos].item())
            h["val_loss"].append(val_scores[1][pos].item())
