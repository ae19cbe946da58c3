"""Evaluation metrics against hand computations."""
import math

import pytest
import torch

from distill_helpers import MLP
from distill_helpers.evaluate import (accuracy, agreement, calibration_bins, confusion_matrix, error_count,
                                      eval_metrics, evaluate_model, expected_calibration_error, latency, mean_kl,
                                      model_size_bytes)


def test_accuracy_errors_confusion_by_hand():
    logits = torch.tensor([[2.0, 0, 0], [0, 2.0, 0], [0, 0, 2.0], [2.0, 0, 0]])
    y = torch.tensor([0, 1, 1, 2])
    assert accuracy(logits, y) == 0.5
    assert error_count(logits, y) == 2
    cm = confusion_matrix(logits, y)
    assert cm.tolist() == [[1, 0, 0], [0, 1, 1], [1, 0, 0]]
    m = eval_metrics(logits, y)
    by_hand = sum(-math.log(math.exp(2) / (math.exp(2) + 2)) if p == t else -math.log(1 / (math.exp(2) + 2))
                  for p, t in zip([0, 1, 2, 0], y.tolist())) / 4
    assert m["acc"] == 0.5 and m["loss"] == pytest.approx(by_hand, rel=1e-6)


def test_agreement_and_mean_kl():
    t = torch.tensor([[3.0, 0, 0], [0, 3.0, 0]])
    s = torch.tensor([[1.0, 0, 0], [1.0, 0, 0]])
    assert agreement(student_logits=s, teacher_logits=t) == 0.5
    p = torch.softmax(t.double(), 1)
    q = torch.softmax(s.double(), 1)
    expected = sum(sum(pi * math.log(pi / qi) for pi, qi in zip(pr, qr)) for pr, qr in zip(p.tolist(), q.tolist())) / 2
    assert mean_kl(student_logits=s, teacher_logits=t) == pytest.approx(expected, rel=1e-10)
    assert mean_kl(student_logits=t, teacher_logits=t) == pytest.approx(0.0, abs=1e-12)
    # KL is not symmetric, so the roles must be named: a positional call is refused
    assert mean_kl(student_logits=t, teacher_logits=s) != pytest.approx(expected, rel=1e-3)
    for fn in (agreement, mean_kl):
        with pytest.raises(TypeError):
            fn(s, t)


def test_ece_by_hand():
    # confidences 0.9 (right), 0.9 (wrong), 0.6 (right): bins (0.8, 0.9] and (0.5, 0.6]
    def logits_for(conf):  # two classes with softmax max = conf
        return [math.log(conf / (1 - conf)), 0.0]
    logits = torch.tensor([logits_for(0.9), logits_for(0.9), logits_for(0.6)], dtype=torch.float64)
    y = torch.tensor([0, 1, 0])
    expected = 2 / 3 * abs(0.5 - 0.9) + 1 / 3 * abs(1.0 - 0.6)
    assert expected_calibration_error(logits, y, n_bins=10) == pytest.approx(expected, rel=1e-6)
    b = calibration_bins(logits, y, 10)
    assert sum(b["count"]) == 3 and b["count"][8] == 2 and b["count"][5] == 1


def test_perfectly_calibrated_predictions_have_small_ece():
    g = torch.Generator().manual_seed(0)
    n = 20000
    logits = torch.randn(n, 5, generator=g, dtype=torch.float64) * 2
    probs = torch.softmax(logits, 1)
    y = torch.multinomial(probs, 1, generator=g).squeeze(1)  # labels drawn from the predicted distribution
    assert expected_calibration_error(logits, y) < 0.02
    assert expected_calibration_error(logits * 5, y) > 0.1  # overconfident


def test_size_latency_and_summary(tmp_path, small_data):
    m = MLP(hidden=(16,), num_classes=3)
    n_bytes = model_size_bytes(m)
    assert n_bytes > 4 * (784 * 16 + 16 * 3)
    torch.save(m.state_dict(), tmp_path / "w.pt")
    # the same bytes up to the archive's internal file name, which torch.save takes from the path
    assert abs((tmp_path / "w.pt").stat().st_size - n_bytes) < 1024
    assert 0 < latency(m, small_data.tensors[0][:1], repeats=3) < 1
    out = evaluate_model(m, small_data, teacher_logits=torch.zeros(120, 3))
    assert out["n"] == 120 and out["errors"] == round((1 - out["accuracy"]) * 120)
    assert 0 <= out["agreement"] <= 1 and out["mean_kl"] >= 0


def test_count_macs_by_hand():
    from distill_helpers import TeacherCNN
    from distill_helpers.evaluate import count_macs
    assert count_macs(MLP(hidden=(800, 800)), (1, 28, 28)) == 784 * 800 + 800 * 800 + 800 * 10
    # conv1: 28*28 positions * 32 filters * 9 taps; conv2: 14*14 * 64 * (32*9); fc: 3136*128 + 128*10
    expected = 28 * 28 * 32 * 9 + 14 * 14 * 64 * 32 * 9 + 3136 * 128 + 128 * 10
    assert count_macs(TeacherCNN(), (1, 28, 28)) == expected


# ---------------------------------------------------------------- issue 14: no silent wrong result

def test_one_label_is_not_broadcast_over_the_batch():
    logits = torch.eye(3).repeat(31, 1)[:92]  # 92 examples
    with pytest.raises(ValueError, match="one label per example"):
        error_count(logits, torch.tensor([3]))  # used to count 92 "errors"
    with pytest.raises(ValueError, match="one label per example"):
        accuracy(logits, torch.tensor([0]))


def test_empty_input_is_a_clear_error():
    empty, no_labels = torch.zeros(0, 10), torch.zeros(0, dtype=torch.long)
    with pytest.raises(ValueError, match="empty"):
        expected_calibration_error(empty, no_labels)  # was ZeroDivisionError
    with pytest.raises(ValueError, match="empty"):
        accuracy(empty, no_labels)  # was NaN
    with pytest.raises(ValueError, match="test set is empty"):
        evaluate_model(MLP(hidden=(4,)), (torch.zeros(0, 1, 28, 28), no_labels))  # was IndexError
