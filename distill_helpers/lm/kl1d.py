"""Forward vs reverse KL in one dimension: the single Gaussian closest to a two-mode target, each way.

KL(p||q) (forward) covers both modes; KL(q||p) (reverse) sits on one of them once they are far enough
apart. Densities on a fine grid, fitted by L-BFGS; `kl_fits_explorer` is notebook 08's slider.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from ..infra.i18n import tr
from .threads import single_thread

__all__ = ["gaussian_density", "bimodal_density", "kl_on_grid", "fit_gaussian", "kl_fits_state", "kl_fits_explorer"]

def gaussian_density(x: torch.Tensor, mu, sigma) -> torch.Tensor:
    """N(x; mu, sigma^2)."""
    return torch.exp(-0.5 * ((x - mu) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def bimodal_density(x: torch.Tensor, d: float, sigma: float = 1.0, w: float = 0.5) -> torch.Tensor:
    """Mixture w N(-d/2, sigma^2) + (1 - w) N(d/2, sigma^2): two modes a distance d apart."""
    return w * gaussian_density(x, -d / 2, sigma) + (1 - w) * gaussian_density(x, d / 2, sigma)


def kl_on_grid(p: torch.Tensor, q: torch.Tensor, dx: float) -> torch.Tensor:
    """KL(p || q) = integral p log(p / q) dx by the rectangle rule on a fine grid (0 log 0 = 0)."""
    return (torch.special.xlogy(p, p) - torch.special.xlogy(p, q)).sum() * dx


@single_thread
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

    from ..teaching.widgets import encode_canvas, explorer, stable_widget
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

