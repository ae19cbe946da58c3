"""Log-axis probability plots that clip no class, dataset indices in the temperature widget, and the
wrong-class rank correlation against hand computations and scipy."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from distill_helpers.teaching import plots  # noqa: E402
from distill_helpers.evaluate import wrong_class_rank_correlation  # noqa: E402
from distill_helpers.teaching.widgets import TemperatureFigure  # noqa: E402


def test_log_axis_shows_every_class_even_below_1e_minus_8():
    p = torch.tensor([[1 - 2e-12, 1e-12, 1e-12 / 3] + [0.0] * 7,
                      [0.5, 0.25, 0.25 - 1e-15, 1e-15] + [0.0] * 6], dtype=torch.float64)
    p[:, 4:] = 1e-20  # smaller still
    fig = plots.plot_digits_with_probs(torch.rand(2, 1, 28, 28), torch.tensor([0, 1]), teacher_probs=p, log=True)
    for ax in fig.axes[2:]:  # the two bar panels
        bottom = ax.get_ylim()[0]
        assert bottom <= 1e-20, "a bar below the axis floor would be clipped"
        assert all(bar.get_height() >= bottom for bar in ax.patches if bar.get_height() > 0)  # 0: no bar on a log axis
    assert plots.log_floor(torch.tensor([0.3, 2e-9, 0.0])) == pytest.approx(1e-9)
    plt.close("all")


def test_temperature_figure_titles_use_dataset_indices():
    g = torch.Generator().manual_seed(0)
    t, s = torch.randn(3, 10, generator=g), torch.randn(3, 10, generator=g)
    fig = TemperatureFigure(torch.rand(3, 1, 28, 28), student_logits=s, teacher_logits=t, labels=torch.tensor([5, 1, 7]),
                            ids=[570, 12, 999])
    fig.update(2, 4.0)
    assert fig.ax_img.get_title() == "digit #999 (label 7)"


def test_rank_correlation_by_hand_and_against_scipy():
    # 4 classes, label 0: wrong classes 1, 2, 3
    t = torch.tensor([[9.0, 3.0, 2.0, 1.0]])

    def rc(z, v, y=torch.tensor([0])):
        return wrong_class_rank_correlation(student_logits=z, teacher_logits=v, labels=y)
    assert rc(torch.tensor([[0.0, 5.0, 4.0, 3.0]]), t).item() == 1.0
    assert rc(torch.tensor([[0.0, 3.0, 4.0, 5.0]]), t).item() == -1.0
    # one swap of neighbours among 3: d = (1, -1, 0), rho = 1 - 6*2/(3*8) = 0.5
    assert rc(torch.tensor([[0.0, 4.0, 5.0, 3.0]]), t).item() == 0.5
    stats = pytest.importorskip("scipy.stats")
    g = torch.Generator().manual_seed(1)
    z, v = torch.randn(20, 10, generator=g), torch.randn(20, 10, generator=g)
    y = torch.randint(0, 10, (20,), generator=g)
    rho = rc(z, v, y)
    for i in range(20):
        keep = [c for c in range(10) if c != int(y[i])]
        assert rho[i].item() == pytest.approx(stats.spearmanr(z[i, keep], v[i, keep]).statistic, abs=1e-12)
    with pytest.raises(ValueError, match="shape"):
        rc(z, v[:3], y)
