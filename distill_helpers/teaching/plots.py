"""Plot helpers. Each returns the matplotlib figure; none saves files or calls plt.show().

Their titles, axis labels and legends go through `i18n.tr` (Chinese when the language is zh), and the
shipped CJK font is registered with matplotlib when this module is imported (`fonts.register`)."""
from __future__ import annotations

from typing import Sequence

import math

import matplotlib.pyplot as plt
import torch

from ..infra.fonts import register as _register_cjk_font
from ..infra.i18n import tr
from ..losses import entropy, softmax_with_temperature

__all__ = ["log_floor", "plot_probabilities", "plot_digits_with_probs", "plot_history", "plot_reliability",
           "plot_confusion", "plot_heatmap", "plot_entropy_vs_T", "plot_weight_histograms", "show_image", "image_pixels"]

TEACHER_COLOR, STUDENT_COLOR = "#1f77b4", "#ff7f0e"
_register_cjk_font()


def image_pixels(image: torch.Tensor):
    """A (C, H, W) image in [0, 1] as the array imshow draws: (H, W) for one channel, (H, W, C) for colour."""
    img = image.detach().cpu()
    return img[0].numpy() if img.shape[0] == 1 else img.permute(1, 2, 0).clamp(0, 1).numpy()


def show_image(ax, image: torch.Tensor, title: str | None = None):
    """Draw one (C, H, W) image in [0, 1] on `ax` without ticks; returns the AxesImage (set_data redraws it)."""
    shown = ax.imshow(image_pixels(image), cmap="gray_r", vmin=0, vmax=1)  # cmap: ignored for colour images
    ax.set_xticks([])
    ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)
    return shown


def log_floor(*probs) -> float:
    """A power of ten at or below the smallest positive probability, for a log axis that clips no bar."""
    positive = torch.cat([torch.as_tensor(p).detach().double().flatten() for p in probs if p is not None])
    positive = positive[positive > 0]
    smallest = positive.min().item() if len(positive) else 1e-8
    return 10.0 ** math.floor(math.log10(min(smallest, 1e-2)))


def plot_probabilities(*, student_probs=None, teacher_probs, classes: Sequence[str] | None = None,
                       ax=None, title: str | None = None, log: bool = False, floor: float | None = None):
    """Teacher and student probabilities as grouped bars, one pair per class.

    With log=True the axis starts at `floor` (default: log_floor of the values shown), so no bar is clipped.
    """
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5, 2.6))
    tp = torch.as_tensor(teacher_probs).detach().cpu().numpy()
    n = len(tp)
    xs = torch.arange(n).float().numpy()
    classes = classes or [str(i) for i in range(n)]
    w = 0.4 if student_probs is not None else 0.8
    ax.bar(xs - (w / 2 if student_probs is not None else 0), tp, width=w, color=TEACHER_COLOR, label=tr("teacher"))
    if student_probs is not None:
        ax.bar(xs + w / 2, torch.as_tensor(student_probs).detach().cpu().numpy(), width=w, color=STUDENT_COLOR,
               label=tr("student"))
    ax.set_xticks(range(n), classes, fontsize=8)
    ax.set_ylabel(tr("probability"))
    if log:
        ax.set_yscale("log")
        ax.set_ylim(floor or log_floor(teacher_probs, student_probs), 1.5)
    else:
        ax.set_ylim(0, 1.05)
    ax.legend(fontsize=8, loc="upper right")
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def plot_digits_with_probs(images, labels, *, student_probs=None, teacher_probs, classes=None, log=False):
    """One column per example: the image above its probability bars."""
    k = len(images)
    floor = log_floor(teacher_probs, student_probs) if log else None  # one scale for every panel
    fig, axes = plt.subplots(2, k, figsize=(2.6 * k, 4.2), gridspec_kw={"height_ratios": [1, 1.2]},
                             squeeze=False)
    for j in range(k):
        show_image(axes[0, j], images[j], tr(f"label {int(labels[j])}"))
        plot_probabilities(student_probs=None if student_probs is None else student_probs[j],
                           teacher_probs=teacher_probs[j], classes=classes, ax=axes[1, j], log=log, floor=floor)
        if j:
            axes[1, j].set_ylabel("")
            axes[1, j].get_legend().remove()
    fig.tight_layout()
    return fig


def plot_history(histories: dict[str, dict], title: str | None = None):
    """Training loss (left) and validation accuracy (right) per epoch, one line per named run."""
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.2))
    for name, h in histories.items():
        a1.plot(h["epoch"], h["train_loss"], marker=".", label=tr(name))
        if h.get("val_acc"):
            a2.plot(h["epoch"], h["val_acc"], marker=".", label=tr(name))
    a1.set(xlabel=tr("epoch"), ylabel=tr("training loss"), yscale="log", title=tr("loss (each run's own objective)"))
    a2.set(xlabel=tr("epoch"), ylabel=tr("validation accuracy"), title=tr("validation accuracy"))
    a2.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_reliability(bins_by_name: dict[str, dict], title: str = "reliability diagram"):
    """Accuracy against confidence per non-empty bin (from evaluate.calibration_bins), with the bin counts.

    Top: the diagonal is perfect calibration; a point below it is over-confident. Empty bins are not
    drawn (they have no accuracy). Bottom: how many examples fall in each bin (log scale), so a point
    resting on a handful of examples is visible as such.
    """
    fig, (ax, axn) = plt.subplots(2, 1, figsize=(5, 5.6), sharex=True, gridspec_kw={"height_ratios": [3, 1.3]})
    ax.plot([0, 1], [0, 1], "k--", lw=1, label=tr("perfect"))
    k = len(bins_by_name)
    for m, (name, b) in enumerate(bins_by_name.items()):
        pts = [(c, a) for c, a, n in zip(b["confidence"], b["accuracy"], b["count"]) if n > 0]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], marker="o", label=tr(name))
        edges = b["edges"]
        width = (edges[1] - edges[0]) / (k + 1)
        lefts = [e + (m + 0.5) * width for e, n in zip(edges[:-1], b["count"]) if n > 0]
        counts = [n for n in b["count"] if n > 0]
        axn.bar(lefts, counts, width=width, align="edge", label=tr(name))
    ax.set(ylabel=tr("accuracy"), xlim=(0, 1.02), ylim=(0, 1.02), title=tr(title))
    ax.legend(fontsize=8)
    axn.set(xlabel=tr("confidence (bin)"), ylabel=tr("examples"), yscale="log")
    fig.tight_layout()
    return fig


def plot_confusion(cms: dict[str, torch.Tensor], classes=None):
    """Confusion matrices side by side on ONE colour scale, diagonal hidden so the errors stand out."""
    from matplotlib.ticker import MaxNLocator
    k = len(cms)
    offs = {}
    for name, cm in cms.items():
        off = cm.clone().double()
        off.fill_diagonal_(float("nan"))
        offs[name] = off
    vmax = max(float(torch.nan_to_num(o, nan=0.0).max()) for o in offs.values())
    fig, axes = plt.subplots(1, k, figsize=(4.2 * k + 0.8, 4.3), squeeze=False)
    im = None
    for ax, (name, cm) in zip(axes[0], cms.items()):
        im = ax.imshow(offs[name].numpy(), cmap="Reds", vmin=0, vmax=max(vmax, 1))
        n = cm.shape[0]
        ticks = classes or [str(i) for i in range(n)]
        ax.set_xticks(range(n), ticks, fontsize=9)
        ax.set_yticks(range(n), ticks, fontsize=9)
        ax.set(xlabel=tr("predicted"), ylabel=tr("true"), title=tr(f"{tr(name)}: {int(cm.sum() - cm.trace())} errors"))
        for i in range(n):
            for j in range(n):
                if i != j and cm[i, j] > 0:
                    dark = cm[i, j] > 0.6 * vmax
                    ax.text(j, i, int(cm[i, j]), ha="center", va="center", fontsize=9,
                            color="white" if dark else "black")
    cb = fig.colorbar(im, ax=list(axes[0]), fraction=0.025, pad=0.02)
    cb.locator = MaxNLocator(integer=True)
    cb.update_ticks()
    cb.set_label(tr("errors (count)"))
    return fig


def plot_heatmap(values, row_labels, col_labels, *, xlabel="", ylabel="", title="", fmt="{:.1f}", cmap="viridis"):
    """A labelled heatmap with each cell's value written in it."""
    v = torch.as_tensor(values, dtype=torch.float64)
    fig, ax = plt.subplots(figsize=(1.1 * len(col_labels) + 2, 0.7 * len(row_labels) + 1.5))
    im = ax.imshow(v.numpy(), cmap=cmap, aspect="auto")
    ax.set_xticks(range(len(col_labels)), col_labels)
    ax.set_yticks(range(len(row_labels)), row_labels)
    ax.set(xlabel=tr(xlabel), ylabel=tr(ylabel), title=tr(title))
    for i in range(v.shape[0]):
        for j in range(v.shape[1]):
            ax.text(j, i, fmt.format(float(v[i, j])), ha="center", va="center", color="w", fontsize=8)
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    return fig


def plot_entropy_vs_T(logits_by_name: dict[str, torch.Tensor], Ts):
    """Mean entropy of softmax(logits / T) against T (log axis), with the uniform maximum log(N), N classes."""
    fig, ax = plt.subplots(figsize=(5, 3))
    Ts = [float(t) for t in Ts]
    c = None
    for name, logits in logits_by_name.items():
        c = logits.shape[-1]
        ax.plot(Ts, [entropy(softmax_with_temperature(logits.double(), t)).mean().item() for t in Ts],
                label=tr(name))
    ax.axhline(torch.log(torch.tensor(float(c))).item(), color="k", ls="--", lw=1, label=tr("log N (uniform, N classes)"))
    ax.set(xscale="log", xlabel=tr("temperature T"), ylabel=tr("mean entropy (nats)"), title=tr("entropy grows with T"))
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_weight_histograms(models: dict, bins: int = 60):
    """Histogram of every weight matrix of each model, one panel per model (layers overlaid)."""
    k = len(models)
    fig, axes = plt.subplots(1, k, figsize=(4.2 * k, 3), squeeze=False)
    for ax, (name, model) in zip(axes[0], models.items()):
        for pname, p in model.named_parameters():
            if p.dim() > 1:
                layer = pname.removeprefix("net.").removesuffix(".weight")
                label = tr(f"layer {layer} {tuple(p.shape)}") if pname.startswith("net.") else f"{pname} {tuple(p.shape)}"
                ax.hist(p.detach().flatten().numpy(), bins=bins, histtype="step", density=True, label=label)
        ax.set(title=tr(f"{tr(name)}: weights"), xlabel=tr("value"), ylabel=tr("density"))
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


