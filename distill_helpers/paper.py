"""The paper's numbers (Hinton, Vinyals & Dean 2015), in one place, each with its section.

"Distilling the Knowledge in a Neural Network", arXiv:1503.02531: notebooks, the command line and the
docs read them from here (tests/repo/test_docs.py checks docs/cli.md and docs/paper_numbers.md against them).
"""
from __future__ import annotations

__all__ = ["PAPER_SOURCE", "PAPER_MNIST_ERRORS", "PAPER_MNIST_TEST_SIZE", "PAPER_MNIST_T", "PAPER_OMITTED_3",
           "PAPER_SPEECH_FRAME_ACCURACY", "PATIENT_CONSISTENT_IMAGENET", "fraction_of_gap_closed"]

PAPER_SOURCE = "Hinton, Vinyals & Dean (2015), Distilling the Knowledge in a Neural Network, arXiv:1503.02531"

#: Section 3: test errors on the 10,000 MNIST test digits (teacher 784-1200-1200-10 with dropout and 2-px
#: jitter; student 784-800-800-10 without regularisation, on hard labels or distilled at T = 20).
PAPER_MNIST_ERRORS = {"teacher": 67, "student_scratch": 146, "student_distilled": 74}
PAPER_MNIST_TEST_SIZE = 10_000
PAPER_MNIST_T = 20

#: Section 3, transfer set without any 3: errors overall and on the 1,010 test 3s, before and after raising
#: the class-3 bias by 3.5 (a value the paper chose on the test set, so the "after" figures are optimistic).
PAPER_OMITTED_3 = {"errors": 206, "errors_on_3": 133, "test_3s": 1010, "bias_shift": 3.5,
                   "errors_after": 109, "errors_on_3_after": 14}

#: Section 6, speech with 3 % of the training data: test frame accuracy (%) of the model trained on hard
#: labels (needs early stopping), on the teacher's soft targets (no early stopping), and on all the data.
PAPER_SPEECH_FRAME_ACCURACY = {"hard_3pct": 44.5, "soft_3pct": 57.0, "hard_full": 58.9}

#: Not the 2015 paper: Beyer et al. (2022), "Knowledge distillation: A good teacher is patient and consistent"
#: (CVPR, arXiv:2106.05237), the later result notebook 10 sets beside its miniature. ImageNet top-1 (%) of a
#: ResNet-50 (BiT-R50x1) student distilled consistently from a BiT-R152x2 teacher, and the teacher's own; the
#: schedule in epochs of that student (KL only at T = 1, mixup; google-research/big_vision, proj/distill).
PATIENT_CONSISTENT_IMAGENET = {"student_top1": 82.8, "teacher_top1": 83.0, "epochs": 1200}


def fraction_of_gap_closed(errors: dict) -> float:
    """Fraction of the scratch-to-teacher error gap that distillation closes: (scratch - distilled) / (scratch - teacher)."""
    from .results import gap_closed  # the one formula (results imports torch; this module stays light)
    return gap_closed(errors["student_distilled"], errors["student_scratch"], errors["teacher"])
