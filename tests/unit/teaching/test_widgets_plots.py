"""Widget computations (no browser) and plot helpers."""
import io
import math

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")

from distill_helpers.teaching import plots  # noqa: E402
from distill_helpers.teaching.widgets import (LossFigure, TemperatureFigure, loss_explorer, loss_terms_state,  # noqa: E402
                                     temperature_explorer, temperature_state)


def _rgb(png: bytes):
    """Decode PNG bytes to an int16 RGB array (int16 so that differences do not wrap around)."""
    import numpy as np
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def _full_redraw_png(figure) -> bytes:
    """The reference for blitting: the same figure drawn the plain way, every artist at once."""
    for artist in figure.moving:
        artist.set_animated(False)
    try:
        buf = io.BytesIO()
        figure.fig.savefig(buf, format="png", dpi=figure.fig.dpi)
        return buf.getvalue()
    finally:
        for artist in figure.moving:
            artist.set_animated(True)


def test_temperature_state_probabilities_and_entropy():
    v = torch.tensor([2.0, 1.0, 0.0])
    st = temperature_state(teacher_logits=v, T=2.0)
    e = [math.exp(x / 2) for x in (2.0, 1.0, 0.0)]
    p = [x / sum(e) for x in e]
    assert st["teacher_probs"].tolist() == pytest.approx(p)
    assert st["teacher_entropy"] == pytest.approx(-sum(x * math.log(x) for x in p))
    # entropy rises with T toward log C
    ents = [temperature_state(student_logits=v, teacher_logits=v, T=T)["student_entropy"] for T in (0.5, 1, 2, 5, 50)]
    assert ents == sorted(ents) and ents[-1] < math.log(3) and ents[-1] > 0.99 * math.log(3)
    with pytest.raises(ValueError, match="temperature"):
        temperature_state(teacher_logits=v, T=0)


def test_loss_terms_state_matches_kd_loss_and_closed_form_gradients():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(6, 4, generator=g)
    v = torch.randn(6, 4, generator=g) * 3
    y = torch.tensor([0, 1, 2, 3, 0, 1])
    T, alpha = 3.0, 0.25
    st = loss_terms_state(student_logits=z, teacher_logits=v, labels=y, T=T, alpha=alpha)
    from distill_helpers import kd_loss
    assert st["total"] == pytest.approx(kd_loss(z.double(), v.double(), y, T, alpha).item(), rel=1e-9)
    q, p = torch.softmax(z.double() / T, 1), torch.softmax(v.double() / T, 1)
    soft_grad = alpha * T * (q - p) / 6
    s, onehot = torch.softmax(z.double(), 1), torch.eye(4, dtype=torch.float64)[y]
    hard_grad = (1 - alpha) * (s - onehot) / 6
    assert st["soft_grad_norm"] == pytest.approx(soft_grad.norm().item(), rel=1e-9)
    assert st["hard_grad_norm"] == pytest.approx(hard_grad.norm().item(), rel=1e-9)
    assert loss_terms_state(student_logits=z, teacher_logits=v, labels=y, T=T, alpha=0.0)["soft_term"] == 0.0


def test_figures_redraw_and_change_with_T():
    g = torch.Generator().manual_seed(0)
    imgs = torch.rand(3, 1, 28, 28, generator=g)
    t, s = torch.randn(3, 10, generator=g) * 4, torch.randn(3, 10, generator=g) * 2
    fig = TemperatureFigure(imgs, student_logits=s, teacher_logits=t, labels=torch.tensor([1, 2, 3]))
    a, b = fig.png(0, 1.0), fig.png(0, 8.0)
    assert a[:8] == b"\x89PNG\r\n\x1a\n" and a != b
    heights = [bar.get_height() for bar in fig.t_bars]
    assert heights == pytest.approx(torch.softmax(t[0].double() / 8.0, 0).tolist())
    lf = LossFigure(student_logits=s, teacher_logits=t, labels=torch.tensor([1, 2, 3]))
    p1, text1 = lf.png(2.0, 0.5)
    p2, text2 = lf.png(10.0, 0.5)
    assert p1 != p2 and text1 != text2


def test_explorers_carry_a_static_png_and_respond_to_the_slider():
    ipywidgets = pytest.importorskip("ipywidgets")
    g = torch.Generator().manual_seed(0)
    imgs = torch.rand(2, 1, 28, 28, generator=g)
    t, s = torch.randn(2, 10, generator=g) * 4, torch.randn(2, 10, generator=g)
    ex = temperature_explorer(imgs, student_logits=s, teacher_logits=t, labels=torch.tensor([0, 1]))
    bundle = ex._repr_mimebundle_()
    assert "image/png" in bundle and "application/vnd.jupyter.widget-view+json" in bundle
    slider = ex.widget.children[0].children[0]
    image = ex.widget.children[1]
    before = image.value
    slider.value = 9.0
    assert image.value != before and "T = 9.00" in ex.widget.children[2].value
    lx = loss_explorer(student_logits=s, teacher_logits=t, labels=torch.tensor([0, 1]))
    before = lx.widget.children[1].value
    lx.widget.children[0].children[1].value = 0.2
    assert lx.widget.children[1].value != before and "alpha = 0.20" in lx.widget.children[2].value


def test_plot_helpers_return_figures():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(50, 10, generator=g)
    y = torch.randint(0, 10, (50,), generator=g)
    from distill_helpers.evaluate import calibration_bins, confusion_matrix
    from distill_helpers import MLP
    figs = [
        plots.plot_probabilities(student_probs=torch.softmax(logits[1], 0), teacher_probs=torch.softmax(logits[0], 0)),
        plots.plot_digits_with_probs(torch.rand(2, 1, 28, 28), y[:2], teacher_probs=torch.softmax(logits[:2], 1)),
        plots.plot_history({"a": {"epoch": [1, 2], "train_loss": [1.0, 0.5], "val_acc": [0.5, 0.7]}}),
        plots.plot_reliability({"a": calibration_bins(logits, y)}),
        plots.plot_confusion({"a": confusion_matrix(logits, y, 10)}),
        plots.plot_heatmap([[1, 2], [3, 4]], ["r1", "r2"], ["c1", "c2"]),
        plots.plot_entropy_vs_T({"a": logits}, [1, 2, 4]),
        plots.plot_weight_histograms({"m": MLP(hidden=(8,))}),
    ]
    import matplotlib.figure
    assert all(isinstance(f, matplotlib.figure.Figure) for f in figs)
    import matplotlib.pyplot as plt
    plt.close("all")


def test_blitted_redraw_matches_a_full_redraw():
    g = torch.Generator().manual_seed(1)
    imgs = torch.rand(2, 1, 28, 28, generator=g)
    t, s = torch.randn(2, 10, generator=g) * 4, torch.randn(2, 10, generator=g) * 2
    fig = TemperatureFigure(imgs, student_logits=s, teacher_logits=t)
    fig.png(0, 1.0)  # draws the background
    for index, T in ((0, 3.0), (0, 12.0), (1, 2.0)):
        fast = _rgb(fig.png(index, T))
        full = _rgb(_full_redraw_png(fig))  # the state png() just drew, redrawn in full
        assert fast.shape == full.shape
        # identical up to anti-aliasing at a few edges
        assert (np.abs(fast - full) > 40).mean() < 0.002


def test_loss_figure_blitting_matches_a_fresh_figure():
    g = torch.Generator().manual_seed(2)
    s, t = torch.randn(16, 10, generator=g), torch.randn(16, 10, generator=g) * 3
    y = torch.randint(0, 10, (16,), generator=g)
    reused = LossFigure(student_logits=s, teacher_logits=t, labels=y)
    for T, alpha in ((4.0, 0.9), (4.5, 0.9), (12.0, 0.3), (12.5, 0.35)):
        png, text = reused.png(T, alpha)
        fresh, fresh_text = LossFigure(student_logits=s, teacher_logits=t, labels=y).png(T, alpha)  # drawn from scratch
        a, b = _rgb(png), _rgb(fresh)
        assert text == fresh_text and (np.abs(a - b) > 40).mean() < 0.002
    # bar heights are the state's values, limits are powers of two above them
    st = reused.update(3.0, 0.5)
    assert reused.b1[0].get_height() == pytest.approx(st["soft_term"])
    lim = reused.ax1.get_ylim()[1]
    assert lim >= max(st["soft_term"], st["hard_term"]) and math.log2(lim) == int(math.log2(lim))


def test_confusion_matrices_share_one_colour_scale_with_whole_number_ticks():
    import matplotlib.pyplot as plt
    from distill_helpers.evaluate import confusion_matrix
    y = torch.arange(100) % 10
    few = y.clone()
    few[:3] = (few[:3] + 1) % 10  # 3 errors
    many = y.clone()
    many[:40] = (many[:40] + 1) % 10  # 40 errors, 4 per off-diagonal cell
    fig = plots.plot_confusion({"few": confusion_matrix(few, y, 10), "many": confusion_matrix(many, y, 10)})
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 2 and images[0].get_clim() == images[1].get_clim() == (0, 4.0)
    cbar_ax = [ax for ax in fig.axes if not ax.images][0]
    ticks = [t for t in cbar_ax.get_yticks() if 0 <= t <= 4]
    assert ticks and all(float(t).is_integer() for t in ticks)
    plt.close(fig)


def test_reliability_diagram_draws_only_filled_bins_and_their_counts():
    import matplotlib.pyplot as plt
    from distill_helpers.evaluate import calibration_bins
    logits = torch.tensor([[4.0, 0.0], [4.0, 0.0], [0.2, 0.0], [3.0, 0.0]])
    b = calibration_bins(logits, torch.tensor([0, 1, 0, 0]), 10)
    fig = plots.plot_reliability({"m": b})
    top, bottom = fig.axes
    filled = [n for n in b["count"] if n > 0]
    assert len(top.lines[1].get_xdata()) == len(filled)  # lines[0] is the diagonal
    assert sorted(p.get_height() for p in bottom.patches) == sorted(filled)
    plt.close(fig)


def test_loss_terms_state_without_labels_follows_kd_loss():
    # issue 24: labels=None with alpha < 1 was a KeyError 'hard'; it is kd_loss's clear error now
    g = torch.Generator().manual_seed(1)
    z, v = torch.randn(5, 3, generator=g), torch.randn(5, 3, generator=g)
    from distill_helpers import kd_loss
    with pytest.raises(ValueError, match="labels=None is only allowed with alpha=1"):
        kd_loss(z, v, None, T=2.0, alpha=0.5)
    with pytest.raises(ValueError, match="labels=None is only allowed with alpha=1"):
        loss_terms_state(student_logits=z, teacher_logits=v, labels=None, T=2.0, alpha=0.5)
    st = loss_terms_state(student_logits=z, teacher_logits=v, labels=None, T=2.0, alpha=1.0)  # teacher only
    assert st["hard_term"] == 0.0 and st["hard_grad_norm"] == 0.0
    assert st["total"] == pytest.approx(kd_loss(z.double(), v.double(), None, T=2.0, alpha=1.0).item(), rel=1e-12)
