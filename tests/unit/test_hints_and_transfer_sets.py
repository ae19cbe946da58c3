"""Helpers behind notebook 06: transfer sets, bias correction, FitNets-style hints."""
import pytest
import torch
import torch.nn.functional as F

from distill_helpers import MLP, RECIPES, Run, train_model
from distill_helpers.data import stratified_subset, without_class
from distill_helpers.evaluate import choose_bias_shift, class_errors
from distill_helpers.hints import HintStudent, distill_with_hint, teacher_hints
from distill_helpers.models import shift_class_bias

QUIET = Run(progress=False)


def test_without_class_and_stratified_subset(small_data):
    X, y = without_class(small_data, 1)
    assert (y != 1).all() and len(y) == 80
    Xs, ys = stratified_subset(small_data, 5)
    assert torch.bincount(ys).tolist() == [5, 5, 5]
    assert torch.equal(Xs[:5], small_data.tensors[0][small_data.tensors[1] == 0][:5])
    with pytest.raises(ValueError, match="fewer than"):
        stratified_subset(small_data, 41)


def test_shift_class_bias_adds_delta_to_one_logit_only():
    torch.manual_seed(0)
    m = MLP(hidden=(8,), num_classes=4).eval()
    x = torch.rand(3, 1, 28, 28)
    shifted = shift_class_bias(m, 2, 1.5)
    expected = m(x) + torch.tensor([0, 0, 1.5, 0])
    assert torch.allclose(shifted(x), expected, atol=1e-6)
    assert torch.equal(m(x), m(x))  # the original is untouched
    assert not torch.allclose(m(x), shifted(x))


def test_choose_bias_shift_finds_the_hand_computed_optimum():
    # class 1 needs a shift above 2 to win on the first two rows, and a shift of 5 would break row 3
    logits = torch.tensor([[3.0, 1.0, 0.0], [2.5, 0.8, 0.0], [0.0, 1.0, 5.5], [4.0, 0.0, 0.0]])
    y = torch.tensor([1, 1, 2, 0])
    d = choose_bias_shift(logits, y, cls=1)
    assert 2.0 < d <= 4.6  # any shift in (2.0, 4.5) gets all four right; the smallest grid value is chosen
    assert d == pytest.approx(2.1)
    assert ((logits + torch.tensor([0, d, 0])).argmax(1) == y).all()


def test_class_errors_by_hand():
    logits = torch.tensor([[1.0, 0], [1.0, 0], [0, 1.0], [0, 1.0]])
    y = torch.tensor([0, 1, 1, 0])
    assert class_errors(logits, y, 1) == (2, 1, 2)


def test_hint_term_is_learned_and_gradients_reach_the_regressor(small_data):
    torch.manual_seed(0)
    teacher = MLP(hidden=(12,), num_classes=3)
    train_model(teacher, small_data, recipe=RECIPES.student.with_(epochs=2, lr=3e-3, batch_size=16), run=QUIET)
    X = small_data.tensors[0]
    _, feats = teacher_hints(teacher, X)
    assert feats.shape == (len(X), 12)
    # hook check: the features are the input of the teacher's last linear layer
    h = F.relu(teacher.net[2](teacher.net[1](teacher.net[0](X))))
    assert torch.allclose(feats, h.detach(), atol=1e-6)

    def hint_mse(beta):
        torch.manual_seed(1)
        s = MLP(hidden=(8,), num_classes=3)
        hist = distill_with_hint(s, teacher, small_data, beta=beta, run=QUIET,
                                 recipe=RECIPES.student.with_(epochs=10, lr=1e-2, batch_size=16))
        return hist, s
    hist, s = hint_mse(1.0)
    assert len(hist["train_loss"]) == 10
    assert hist["hint_mse_end"] < 0.5 * hist["hint_mse_start"]  # the regressor learned the teacher's features
    hist0, _ = hint_mse(0.0)
    assert hist0["hint_mse_end"] > 2 * hist["hint_mse_end"]  # beta = 0 switches the hint off
    with pytest.raises(ValueError, match="beta"):
        distill_with_hint(s, teacher, small_data, beta=-1.0, run=QUIET)


def test_hint_student_exposes_last_hidden_layer():
    torch.manual_seed(0)
    s = MLP(hidden=(8, 6), num_classes=3)
    w = HintStudent(s, hint_dim=5)
    x = torch.rand(2, 1, 28, 28)
    out = w(x)
    assert w.hidden.shape == (2, 6) and w.regressor(w.hidden).shape == (2, 5)
    assert torch.equal(out, s(x))
