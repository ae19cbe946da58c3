"""distill_helpers: the tested code behind the knowledge-distillation notebook series.

Convention: ``alpha`` is always the weight of the soft (teacher) term of the loss.
"""
from importlib import import_module as _import_module

from .infra import moved as _moved

_moved.install(__name__)  # old flat names (distill_helpers.teaching.widgets, ...) stay importable: infra/moved.py

from .cache import data_root  # noqa: E402
from .checkpoints import CheckpointError, load_model, save_model
from .data import dataset_info, load_dataset, load_splits, split_validation
from .evaluate import accuracy, agreement, error_count, evaluate_model, expected_calibration_error, predict_logits
from .losses import (entropy, kd_loss, kl_divergence, logit_matching_loss, soft_cross_entropy, soft_targets,
                     softmax_with_temperature)
from .models import MLP, TeacherCNN, build_model, count_parameters, eval_mode, student_config, teacher_config
from .paper import PAPER_MNIST_ERRORS
from .recipes import RECIPES, DistillRecipe, Run, StudentRecipe, TeacherRecipe, TrainingRecipe
from .infra.room import live_training
from .train import distill, fit, get_student, get_teacher, set_seed, train_model

__all__ = ["data_root", "CheckpointError", "load_model", "save_model", "dataset_info", "load_dataset", "load_splits", "split_validation", "accuracy", "agreement",
           "error_count", "evaluate_model", "expected_calibration_error", "predict_logits", "entropy", "kd_loss",
           "kl_divergence", "logit_matching_loss", "soft_cross_entropy", "soft_targets",
           "softmax_with_temperature", "MLP", "TeacherCNN", "build_model", "count_parameters",
           "student_config", "teacher_config", "eval_mode", "PAPER_MNIST_ERRORS", "RECIPES", "DistillRecipe", "Run",
           "StudentRecipe", "TeacherRecipe", "TrainingRecipe", "distill", "fit",
           "get_student", "get_teacher", "set_seed", "train_model", "live_training"]
from . import lm  # noqa: E402  (the language-model wing, dh.lm; importing it registers CharTransformer for load_model)

__version__ = "0.1.0"


def __getattr__(name):
    """`dh.batched` and the other old flat names, for code written before the wings: the moved module itself."""
    if name in _moved.MOVED:
        return _import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
