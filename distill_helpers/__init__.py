"""distill_helpers: the tested code behind the knowledge-distillation notebook series."""
from .checkpoints import CheckpointError, load_model, save_model
from .data import load_dataset
from .losses import kd_loss, soft_targets, softmax_with_temperature
from .models import MLP, TeacherCNN, build_model, count_parameters
from .train import distill, get_student, get_teacher, set_seed, train_model
