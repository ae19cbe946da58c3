"""Enlarged transfer sets (jittered copies), cached results and the gap share, and the linear probe (notebook 06)."""
import warnings

import pytest
import torch
import torch.nn.functional as F

from distill_helpers import MLP, RECIPES, DistillRecipe, Run, distill, train_model
from distill_helpers.probe import fit_linear_probe, penultimate_features, probe_mse
from distill_helpers.results import cached_result, gap_closed
from distill_helpers.train import predict_logits
from distill_helpers.transfer import jittered_copies


def _shifted(img: torch.Tensor, dy: int, dx: int) -> torch.Tensor:
    """img moved down by dy and right by dx pixels, zeros coming in: written with slices, not padding."""
    out = torch.zeros_like(img)
    H, W = img.shape[-2:]
    out[..., max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] = img[..., max(-dy, 0):H - max(dy, 0),
                                                                         max(-dx, 0):W - max(dx, 0)]
    return out


def test_jittered_copies_are_shifts_of_the_originals_with_the_same_labels():
    g = torch.Generator().manual_seed(0)
    X = torch.rand(6, 1, 12, 12, generator=g)
    y = torch.arange(6)
    Xc, yc = jittered_copies(X, y, copies=3, max_shift=2, seed=5)
    assert Xc.shape == (24, 1, 12, 12) and yc.tolist() == y.tolist() * 4
    assert torch.equal(Xc[:6], X)  # the originals come first, untouched
    offsets = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)]
    seen = set()
    for k in range(1, 4):
        for i in range(6):
            match = [o for o in offsets if torch.equal(Xc[6 * k + i], _shifted(X[i], *o))]
            assert match, f"copy {k} of row {i} is not a shift of at most 2 pixels"
            seen.add(match[0])
    assert len(seen) > 3  # the shifts vary
    again, _ = jittered_copies(X, y, 3, 2, seed=5)
    other, _ = jittered_copies(X, y, 3, 2, seed=6)
    assert torch.equal(again, Xc) and not torch.equal(other, Xc)
    assert jittered_copies(X, y, 0)[0] is X


@pytest.mark.parametrize("kw,match", [({"copies": -1}, "copies"), ({"copies": 1.5}, "copies"),
                                      ({"copies": 1, "max_shift": 0}, "max_shift")])
def test_jittered_copies_rejects_bad_arguments(kw, match):
    with pytest.raises(ValueError, match=match):
        jittered_copies(torch.zeros(2, 1, 4, 4), torch.zeros(2, dtype=torch.long), **kw)
    with pytest.raises(ValueError, match="shape"):
        jittered_copies(torch.zeros(2, 16), torch.zeros(2, dtype=torch.long), 1)


def test_distilling_on_a_transfer_set_made_before_the_call(small_data):
    # The enlarged transfer set is made first (jittered_copies) and passed as the training set: the teacher's
    # logits distill computes on it are the ones predict_logits gives for the same rows, in order.
    torch.manual_seed(0)
    teacher = MLP(hidden=(16,), num_classes=3)
    train_model(teacher, small_data, recipe=RECIPES.student.with_(epochs=2, batch_size=16), run=Run(progress=False))

    def run(data, **kw):
        torch.manual_seed(1)
        s = MLP(hidden=(8,), num_classes=3)
        h = distill(s, teacher, data, recipe=RECIPES.student.with_(epochs=2, batch_size=16),
                    kd=DistillRecipe(T=3.0, alpha=0.7), run=Run(seed=4, progress=False), **kw)
        return s, h

    copies = jittered_copies(*small_data.tensors, copies=2, max_shift=2, seed=4)
    assert len(copies[0]) == 3 * len(small_data)
    s1, h1 = run(copies)
    s2, h2 = run(copies, teacher_logits=predict_logits(teacher, copies[0]))
    for p, q in zip(s1.parameters(), s2.parameters()):
        assert torch.equal(p, q)
    assert h1["train_loss"] == h2["train_loss"] and len(h1["train_loss"]) == 2
    s0, _ = run(small_data)
    assert not torch.equal(next(s0.parameters()), next(s1.parameters()))  # the copies change training
    with pytest.raises(ValueError, match="rows"):  # logits of the original rows do not fit the enlarged set
        run(copies, teacher_logits=predict_logits(teacher, small_data.tensors[0]))


def test_gap_closed_by_hand():
    assert gap_closed(74, 146, 67) == pytest.approx(72 / 79)  # the paper's MNIST student, in errors
    assert gap_closed(0.57, 0.445, 0.589) == pytest.approx(0.125 / 0.144)  # its speech result, in accuracy
    assert gap_closed(146, 146, 67) == 0 and gap_closed(67, 146, 67) == 1
    with pytest.raises(ValueError, match="no gap"):
        gap_closed(1, 2, 2)
    from distill_helpers.paper import PAPER_MNIST_ERRORS, fraction_of_gap_closed
    assert fraction_of_gap_closed(PAPER_MNIST_ERRORS) == pytest.approx((146 - 74) / (146 - 67))
    with pytest.raises(ValueError, match="no gap"):
        fraction_of_gap_closed({"teacher": 80, "student_scratch": 80, "student_distilled": 75})


def test_cached_result_computes_once_per_config(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return {"errors": [3, 4], "logits": torch.arange(6.0).view(2, 3), "note": "x"}

    a = cached_result("exp", {"seeds": [0, 1]}, compute, root=tmp_path)
    b = cached_result("exp", {"seeds": [0, 1]}, compute, root=tmp_path)
    assert len(calls) == 1 and b["errors"] == [3, 4] and torch.equal(a["logits"], b["logits"])
    cached_result("exp", {"seeds": [0, 1, 2]}, compute, root=tmp_path)  # another config: computed again
    assert len(calls) == 2
    cached_result("exp", {"seeds": [0, 1]}, compute, root=tmp_path, recompute=True)
    assert len(calls) == 3
    for f in (tmp_path / "cache").glob("result-exp-*.pt"):
        f.write_bytes(b"damaged")
    with pytest.warns(UserWarning, match="unreadable"):
        cached_result("exp", {"seeds": [0, 1]}, compute, root=tmp_path)
    assert len(calls) == 4
    with pytest.raises(TypeError, match="dict"):
        cached_result("bad", {}, lambda: [1], root=tmp_path)


def test_linear_probe_recovers_an_exact_linear_map_and_is_least_squares():
    g = torch.Generator().manual_seed(0)
    Fe = torch.randn(200, 5, generator=g)
    W, b = torch.randn(5, 3, generator=g), torch.randn(3, generator=g)
    W_hat, b_hat = fit_linear_probe(Fe, Fe @ W + b)
    assert torch.allclose(W_hat, W, atol=1e-4) and torch.allclose(b_hat, b, atol=1e-4)
    noisy = Fe @ W + b + 0.5 * torch.randn(200, 3, generator=g)
    W_hat, b_hat = fit_linear_probe(Fe, noisy)
    resid = (Fe @ W_hat + b_hat - noisy).double()
    # normal equations: the residual is orthogonal to every feature and to the constant
    assert torch.allclose(Fe.double().T @ resid, torch.zeros(5, 3, dtype=torch.float64), atol=1e-3)
    assert torch.allclose(resid.sum(0), torch.zeros(3, dtype=torch.float64), atol=1e-3)
    assert probe_mse(W_hat, b_hat, Fe, noisy) == pytest.approx(F.mse_loss(Fe @ W_hat + b_hat, noisy).item())
    assert probe_mse(W_hat, b_hat, Fe, noisy) < probe_mse(W, b, Fe, noisy)  # the fit beats the true map in-sample
    with pytest.raises(ValueError, match="same n"):
        fit_linear_probe(Fe, noisy[:10])


def test_penultimate_features_are_the_last_hidden_layer():
    torch.manual_seed(0)
    m = MLP(hidden=(7, 5), num_classes=3).train()
    X = torch.rand(9, 1, 28, 28)
    by_hand = F.relu(m.net[4](F.relu(m.net[2](m.net[1](m.net[0](X))))))
    assert torch.allclose(penultimate_features(m, X, batch_size=4), by_hand, atol=1e-6)
    assert m.training  # the mode is restored
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert penultimate_features(m, X).shape == (9, 5)
