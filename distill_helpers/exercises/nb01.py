"""Exercises of notebook 01 (concepts): references, folded solutions and plausible mistakes."""
from __future__ import annotations

import torch
from torch import nn

from ..evaluate import count_macs
from ..models import MLP, TeacherCNN, count_parameters
from . import Compare, register


def _probs_and_labels() -> dict:
    """200 synthetic 'teacher' distributions, confident on most rows, wrong on a tenth of them."""
    g = torch.Generator().manual_seed(1)
    logits = torch.randn(200, 10, generator=g) * 4
    y = logits.argmax(1)
    flip = torch.arange(200) % 10 == 0
    y[flip] = torch.randint(0, 10, (int(flip.sum()),), generator=g)
    return {"t_probs": torch.softmax(logits, 1), "y_test": y}


def _wrong_class_fraction(t_probs, y_test, masked) -> float:
    w = t_probs.clone()
    w[torch.arange(len(masked)), masked] = 0
    return (w > 0.01).any(1).float().mean().item()


register(
    "01.1", "parameters of 784-800-800-10", compare=Compare("exact"),
    reference=lambda: count_parameters(MLP(hidden=(800, 800))),
    solution=lambda: 784 * 800 + 800 + 800 * 800 + 800 + 800 * 10 + 10,
    wrong={"output bias forgotten": lambda: 784 * 800 + 800 + 800 * 800 + 800 + 800 * 10,
           "weights only": lambda: 784 * 800 + 800 * 800 + 800 * 10,
           "biases of the hidden layers only counted once": lambda: 784 * 800 + 800 * 800 + 800 + 800 * 10 + 10})

register(
    "01.2", "fraction of digits with > 1 % on a wrong class", example=_probs_and_labels,
    compare=Compare(rtol=0, atol=1e-6),
    # reference: the largest wrong-class probability of each row, without any in-place masking
    reference=lambda t_probs, y_test: (torch.where(torch.nn.functional.one_hot(y_test, t_probs.shape[1]).bool(),
                                                   torch.zeros_like(t_probs), t_probs).amax(1) > 0.01
                                       ).double().mean().item(),
    solution=lambda t_probs, y_test: _wrong_class_fraction(t_probs, y_test, y_test),
    wrong={"true class not masked": lambda t_probs, y_test: (t_probs > 0.01).any(1).float().mean().item(),
           "predicted class masked instead of the label":
               lambda t_probs, y_test: _wrong_class_fraction(t_probs, y_test, t_probs.argmax(1)),
           "a percentage, not a fraction": lambda t_probs, y_test: 100 * _wrong_class_fraction(t_probs, y_test, y_test)})

def _conv2_macs_by_the_library() -> int:
    """MACs of the default teacher's second convolution, counted by `count_macs` on that layer alone,
    fed the shape it really sees: the first convolution's channels after one 2x2 max-pooling."""
    teacher = TeacherCNN()
    conv2 = teacher.net[4]
    assert isinstance(conv2, nn.Conv2d), "the teacher's layout changed: net[4] should be its second Conv2d"
    h, w = (n // 2 for n in teacher.in_shape[1:])
    return count_macs(nn.Sequential(conv2), (conv2.in_channels, h, w))


register(
    "01.3", "MACs of the teacher's second convolution", compare=Compare("exact"),
    reference=_conv2_macs_by_the_library,
    solution=lambda: 14 * 14 * 64 * 32 * 9,
    wrong={"pooling forgotten (28x28 positions)": lambda: 28 * 28 * 64 * 32 * 9,
           "the 3x3 kernel forgotten": lambda: 14 * 14 * 64 * 32,
           "input channels forgotten": lambda: 14 * 14 * 64 * 9,
           "parameters instead of MACs": lambda: 64 * 32 * 9 + 64,
           "one position only": lambda: 64 * 32 * 9})
