"""Interactive explorers. The computation is in plain functions (tested without a browser);
the ipywidgets layer only wires sliders to them and shows a PNG.

Each explorer also carries a static PNG of its first state, so a notebook executed headless
(nbval, nbconvert, a GitHub preview) still shows a figure where the live widget cannot run.

Every widget of an explorer gets a stable model id, derived from the explorer's `key`. The committed
notebooks store the widget state of their build under those ids, so a notebook that a learner runs and
saves (JupyterLab autosaves, and by default does not save widget state) still finds its widgets' state
when it is reopened: it shows the explorer's picture instead of "Error displaying widget: model not found".

Progress bars take the other way out: `progress_bar` shows tqdm's widget while the work runs and replaces it,
when the bar closes, by one line of plain text (the bar's final state), so a saved notebook holds no view of a
progress-bar widget at all, whichever state was saved with it. (`jupyter/overrides.json` also turns on
JupyterLab's "save widget state automatically", so a learner's save keeps the explorers' last pictures.)
"""
from __future__ import annotations

import base64
import io
import math
import uuid

import torch
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from ..infra.fonts import register as _register_cjk_font
from ..infra.i18n import tr
from ..losses import check_alpha, check_temperature, entropy, kd_loss_terms, softmax_with_temperature
from .plots import STUDENT_COLOR, TEACHER_COLOR, image_pixels, show_image
from ..recipes import RECIPES

_register_cjk_font()  # the figures below are drawn with Chinese labels in the zh edition

__all__ = ["progress_bar", "encode_canvas", "explorer", "BlittedFigure", "temperature_state", "TemperatureFigure", "temperature_explorer", "loss_terms_state",
           "LossFigure", "loss_explorer"]


# ---------------------------------------------------------------- progress bars

def progress_bar(iterable=None, *, total: int | None = None, desc: str = "", unit: str = "it",
                 disable: bool = False):
    """A tqdm bar: the terminal one outside Jupyter; in a notebook kernel, tqdm's widget that becomes a
    line of text when the bar is closed (see the module docstring). Close it (or exhaust `iterable`)."""
    from tqdm.std import tqdm
    kw = {"total": total, "desc": desc, "unit": unit, "disable": disable, "leave": True}
    if disable or not _in_kernel():  # decided per call: tqdm.auto decides once per process, at its import
        return tqdm(iterable, **kw)
    try:
        from tqdm import notebook
    except ImportError:
        return tqdm(iterable, **kw)
    if getattr(notebook, "IProgress", None) is None:  # no ipywidgets: the text bar
        return tqdm(iterable, **kw)
    return _text_when_done_class(notebook.tqdm)(iterable, **kw)


def _in_kernel() -> bool:
    """True inside a Jupyter kernel (an IPython shell with a kernel), not in a terminal or a test process."""
    import sys
    if "IPython" not in sys.modules:
        return False
    shell = sys.modules["IPython"].get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _close_tree(widget) -> None:
    """Close a widget, its children, and their layouts and styles: no model of it is left in the kernel."""
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    for part in ("layout", "style"):
        sub = getattr(widget, part, None)
        if sub is not None:
            sub.close()
    widget.close()


_TEXT_BAR = {}


def _text_when_done_class(notebook_tqdm):
    """The notebook bar that replaces its widget by a text line on close (one class per tqdm base)."""
    if notebook_tqdm not in _TEXT_BAR:
        class TextWhenDone(notebook_tqdm):
            def __init__(self, *args, **kwargs):
                self._handle = None
                super().__init__(*args, **{**kwargs, "display": False})
                if not self.disable:
                    from IPython.display import display
                    self._handle = display(self.container, display_id=True)
                    self.displayed = True

            def close(self):
                handle, self._handle = getattr(self, "_handle", None), None
                stopped = bool(self.total) and self.n < self.total and not self.disable
                super().close()
                if handle is None:
                    return
                from IPython.display import Pretty
                line = self.format_meter(**{**self.format_dict, "ncols": 0})
                handle.update(Pretty(line + ("  (stopped)" if stopped else "")))
                _close_tree(self.container)
        _TEXT_BAR[notebook_tqdm] = TextWhenDone
    return _TEXT_BAR[notebook_tqdm]


# ---------------------------------------------------------------- temperature explorer

def temperature_state(*, student_logits: torch.Tensor | None = None, teacher_logits: torch.Tensor,
                      T: float) -> dict:
    """Probabilities at temperature T and their entropies (nats) for one example's logits."""
    T = check_temperature(T)
    out = {"T": T}
    for name, z in (("student", student_logits), ("teacher", teacher_logits)):
        if z is None:
            continue
        p = softmax_with_temperature(z.detach().double(), T)
        out[f"{name}_probs"] = p
        out[f"{name}_entropy"] = entropy(p).item()
    return out


def encode_canvas(canvas: FigureCanvasAgg) -> bytes:
    from PIL import Image
    w, h = canvas.get_width_height(physical=True)
    buf = io.BytesIO()
    Image.frombuffer("RGBA", (w, h), bytes(canvas.buffer_rgba()), "raw", "RGBA", 0, 1).save(
        buf, format="png", compress_level=1)
    return buf.getvalue()


class BlittedFigure:
    """A figure redrawn by blitting: everything but `moving` is drawn once into a background; render()
    restores it and draws only the moving artists on top (about 10x faster than a full redraw).

    Subclasses build `self.fig` and call `start_blitting(artists)`; they call `invalidate()` when something
    outside the moving artists changes (a new digit, new axis limits).
    """

    def __init__(self, figsize=(7.5, 2.8), dpi: int = 72):
        self.fig = Figure(figsize=figsize, dpi=dpi)
        self.canvas = FigureCanvasAgg(self.fig)
        self.moving: list = []
        self._background = None

    def start_blitting(self, moving: list) -> None:
        self.moving = list(moving)
        for artist in self.moving:
            artist.set_animated(True)
        self._background = None

    def invalidate(self) -> None:
        self._background = None

    def render(self) -> bytes:
        """PNG bytes of the current state."""
        if self._background is None:
            self.canvas.draw()  # everything except the animated artists
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self.moving:
            self.fig.draw_artist(artist)
        return encode_canvas(self.canvas)


class TemperatureFigure(BlittedFigure):
    """A reusable figure: a digit and its teacher/student bars; update() only moves bar heights."""

    def __init__(self, images, *, student_logits=None, teacher_logits, classes=None, labels=None, ids=None):
        self.images, self.student_logits, self.teacher_logits = images, student_logits, teacher_logits
        self.labels = labels
        self.ids = [int(i) for i in ids] if ids is not None else list(range(len(images)))  # dataset indices
        n = teacher_logits.shape[1]
        self.classes = classes or [str(i) for i in range(n)]
        super().__init__()
        self.ax_img = self.fig.add_axes([0.01, 0.12, 0.22, 0.76])
        self.ax = self.fig.add_axes([0.31, 0.16, 0.66, 0.7])
        xs = torch.arange(n).float().numpy()
        w = 0.4
        self.t_bars = self.ax.bar(xs - w / 2, [0.0] * n, width=w, color=TEACHER_COLOR, label=tr("teacher"))
        self.s_bars = (self.ax.bar(xs + w / 2, [0.0] * n, width=w, color=STUDENT_COLOR, label=tr("student"))
                       if student_logits is not None else None)
        self.ax.set_xticks(range(n), self.classes, fontsize=8)
        self.ax.set_ylim(0, 1.05)
        self.ax.set_ylabel(tr("probability"))
        self.legend = self.ax.legend(fontsize=8, loc="upper right")
        self.title = self.ax.set_title("", fontsize=10)
        self.digit = show_image(self.ax_img, images[0], " ")  # set_data/set_text below: no full redraw per digit
        self.digit_title = self.ax_img.title
        self.index = None
        # the axes and ticks are the background; a new T redraws the bars, the legend over them and the title; a
        # new example also the digit, its frame (drawn over it) and its caption: a new digit costs what a new T costs
        self.start_blitting([self.digit, *self.ax_img.spines.values(), self.digit_title,
                             *self.t_bars, *(self.s_bars or []), self.legend, self.title])

    def update(self, index: int, T: float) -> dict:
        """Redraw for example `index` at temperature T; returns the state that was drawn."""
        s = self.student_logits[index] if self.student_logits is not None else None
        state = temperature_state(student_logits=s, teacher_logits=self.teacher_logits[index], T=T)
        if index != self.index:
            lab = None if self.labels is None else int(self.labels[index])
            self.digit.set_data(image_pixels(self.images[index]))
            self.digit_title.set_text(tr(f"digit #{self.ids[index]} (label {lab})") if lab is not None
                                      else tr(f"digit #{self.ids[index]}"))
            self.index = index
        for bar, h in zip(self.t_bars, state["teacher_probs"].tolist()):
            bar.set_height(h)
        text = tr(f"T = {state['T']:.2f}   entropy: teacher {state['teacher_entropy']:.3f}")
        if self.s_bars is not None:
            for bar, h in zip(self.s_bars, state["student_probs"].tolist()):
                bar.set_height(h)
            text = tr(f"T = {state['T']:.2f}   entropy: teacher {state['teacher_entropy']:.3f}, "
                      f"student {state['student_entropy']:.3f} nats")
        self.title.set_text(text)
        state["text"] = text
        return state

    def png(self, index: int, T: float) -> bytes:
        """Update and render to PNG bytes (what the widget shows)."""
        self.update(index, T)
        return self.render()


class _WithStaticFallback:
    """Display a widget, with a PNG of its first state in the same output for renderers without widgets."""

    def __init__(self, widget, png: bytes):
        self.widget, self.png = widget, png

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        bundle["image/png"] = base64.b64encode(self.png).decode("ascii")
        return bundle


_ID_NAMESPACE = uuid.UUID("6f1c2b4e-6d0a-4f7e-9a51-4b1f3c2d7e90")


def stable_widget(cls, key: str, **kwargs):
    """cls(**kwargs) whose model id, and those of its layout and style, are fixed by `key`.

    A widget still open under the same id (the cell was run again) is closed first.
    """
    from ipywidgets.widgets.widget import _instances

    def make(klass, name, **kw):
        model_id = uuid.uuid5(_ID_NAMESPACE, name).hex
        old = _instances.get(model_id)
        if old is not None:
            old.close()
        return klass(model_id=model_id, **kw)
    traits = cls.class_traits()
    for part in ("layout", "style"):
        if part in traits and part not in kwargs:
            kwargs[part] = make(traits[part].klass, f"{key}/{part}")
    return make(cls, key, **kwargs)


def explorer(controls: list, render, css_class: str, key: str) -> _WithStaticFallback:
    """Wire `controls` to `render() -> (png, text)`: an image and a text readout redrawn on every change."""
    import ipywidgets as w

    first, text = render()
    image = stable_widget(w.Image, f"{key}/image", value=first, format="png")
    readout = stable_widget(w.HTML, f"{key}/readout", value=f"<code class='kd-readout'>{text}</code>")

    def redraw(_=None):
        image.value, txt = render()
        readout.value = f"<code class='kd-readout'>{txt}</code>"

    for control in controls:
        control.observe(redraw, names="value")
    box = stable_widget(w.VBox, f"{key}/box",
                        children=[stable_widget(w.HBox, f"{key}/controls", children=controls), image, readout])
    box.add_class(css_class)
    return _WithStaticFallback(box, first)


def temperature_explorer(images, *, teacher_logits, student_logits=None, labels=None, ids=None, T: float = 1.0,
                         T_range=(0.5, 20.0), key: str = "temperature-explorer"):
    """A T slider (starting at `T`, over `T_range`) and an example picker redrawing teacher and student bars.

    `key` names the explorer's widgets (see the module docstring); give two explorers shown at once
    different keys. `ids` are the examples' indices in their dataset (shown in the picker and the title);
    default 0, 1, ... The picker starts at the first example; the bars are labelled with the class numbers.
    """
    import ipywidgets as w

    fig = TemperatureFigure(images, student_logits=student_logits, teacher_logits=teacher_logits, labels=labels,
                            ids=ids)
    slider = stable_widget(w.FloatSlider, f"{key}/T", value=T, min=T_range[0], max=T_range[1], step=0.1, description="T",
                           continuous_update=True, readout_format=".1f")
    picker = stable_widget(w.Dropdown, f"{key}/example", options=[(tr(f"#{fig.ids[i]} (label {int(labels[i])})") if labels is not None else f"#{fig.ids[i]}", i)
                                 for i in range(len(images))], value=0, description=tr("example"))
    return explorer([slider, picker], lambda: (fig.png(picker.value, slider.value), fig.title.get_text()),
                     "kd-temperature-explorer", key)


# ---------------------------------------------------------------- T / alpha loss explorer

def loss_terms_state(*, student_logits, teacher_logits, labels, T: float, alpha: float) -> dict:
    """Weighted soft and hard terms of kd_loss and the norms of their gradients w.r.t. the student logits."""
    T, alpha = check_temperature(T), check_alpha(alpha)
    if labels is None and alpha != 1.0:  # kd_loss's rule, with its message (not a KeyError for the hard term)
        raise ValueError(f"labels=None is only allowed with alpha=1 (teacher only); with alpha={alpha} the hard "
                         f"term needs labels, so pass labels or set alpha=1")
    z = student_logits.detach().double().requires_grad_(True)
    terms = kd_loss_terms(z, teacher_logits.detach().double(), labels, T)
    terms.setdefault("hard", 0.0 * z.sum())  # alpha = 1 without labels: no hard term, weight 0 anyway
    out = {"T": T, "alpha": alpha}
    for name, weight in (("soft", alpha), ("hard", 1.0 - alpha)):
        term = weight * terms[name]
        (g,) = torch.autograd.grad(term, z, retain_graph=True)
        out[f"{name}_term"] = term.item()
        out[f"{name}_grad_norm"] = g.norm().item()
    out["total"] = out["soft_term"] + out["hard_term"]
    return out


class LossFigure(BlittedFigure):
    """Two bar panels: the weighted loss terms and the sizes of their gradients.

    The y-limits move in powers of two, so most slider steps only redraw the bars (blitting) and a
    full redraw happens only when a limit changes.
    """

    def __init__(self, *, student_logits, teacher_logits, labels):
        self.logits = {"student_logits": student_logits, "teacher_logits": teacher_logits, "labels": labels}
        super().__init__()
        self.ax1 = self.fig.add_axes([0.08, 0.15, 0.38, 0.68])
        self.ax2 = self.fig.add_axes([0.58, 0.15, 0.38, 0.68])
        names = ["alpha*soft", "(1-alpha)*hard"]
        colors = [TEACHER_COLOR, "#2ca02c"]
        self.b1 = self.ax1.bar(names, [0, 0], color=colors)
        self.b2 = self.ax2.bar(names, [0, 0], color=colors)
        self.ax1.set_title(tr("loss terms"), fontsize=10)
        self.ax2.set_title(tr("gradient norm w.r.t. student logits"), fontsize=10)
        self.title = self.fig.suptitle("", fontsize=10)
        self.start_blitting([*self.b1, *self.b2, self.title])
        self._limits = None

    @staticmethod
    def _limit(values) -> float:
        top = max(max(values) * 1.15, 1e-6)
        return 2.0 ** math.ceil(math.log2(top))

    def update(self, T: float, alpha: float) -> dict:
        state = loss_terms_state(**self.logits, T=T, alpha=alpha)
        limits = []
        for bars, key, ax in ((self.b1, "term", self.ax1), (self.b2, "grad_norm", self.ax2)):
            vals = [state[f"soft_{key}"], state[f"hard_{key}"]]
            for bar, v in zip(bars, vals):
                bar.set_height(v)
            limits.append(self._limit(vals))
            ax.set_ylim(0, limits[-1])
        if limits != self._limits:
            self._limits = limits
            self.invalidate()
        state["text"] = tr(f"T = {T:.1f}, alpha = {alpha:.2f}: loss {state['total']:.4f} "
                           f"(soft {state['soft_term']:.4f}, hard {state['hard_term']:.4f}); "
                           f"grad norms soft {state['soft_grad_norm']:.4f}, hard {state['hard_grad_norm']:.4f}")
        self.title.set_text(f"T = {T:.1f}, alpha = {alpha:.2f}")
        return state

    def png(self, T: float, alpha: float) -> tuple[bytes, str]:
        """Update and render; returns PNG bytes and the readout text."""
        state = self.update(T, alpha)
        return self.render(), state["text"]


def loss_explorer(*, student_logits, teacher_logits, labels, T: float = RECIPES.distill.T,
                  alpha: float = RECIPES.distill.alpha, key: str = "loss-explorer"):
    """T and alpha sliders showing how the soft and hard terms of kd_loss, and their gradients, change."""
    import ipywidgets as w

    fig = LossFigure(student_logits=student_logits, teacher_logits=teacher_logits, labels=labels)
    t_slider = stable_widget(w.FloatSlider, f"{key}/T", value=T, min=0.5, max=20, step=0.5, description="T", readout_format=".1f")
    a_slider = stable_widget(w.FloatSlider, f"{key}/alpha", value=alpha, min=0, max=1, step=0.05, description="alpha", readout_format=".2f")
    return explorer([t_slider, a_slider], lambda: fig.png(t_slider.value, a_slider.value), "kd-loss-explorer", key)
