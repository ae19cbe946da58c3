"""The language-model wing: distilling a small character-level language model, offline on a CPU.

Forward vs reverse KL, word-level, sequence-level, on-policy and top-k distillation, side by side.

The corpus is a generated toy language (`TOY_GRAMMAR`, written for
this project, no licence restrictions) whose true next-character distribution is known exactly, so a
model's KL to the truth can be measured, not only its KL to the teacher.
Units: bits per character for every reported figure (nats / ln 2).

Read it in this order, each module building on the ones before:
- `kl1d`: forward vs reverse KL in one dimension (notebook 08's first section);
- `language`: the toy language, its corpus and the token encoding;
- `model`: the causal character transformer, sampling, the teacher's logits;
- `losses`: one loss per method (`lm_loss`);
- `evaluate`: bits per character and KLs, per text, per sentence, on the model's own samples;
- `train`: `train_lm`, one loop for every method, with its recipe (`LMRecipe`);
- `cached`: the teacher and students, trained once and cached; `parallel`: many students in processes;
- `notebook08`: the notebook's grids and the models it loads (`prepare` registers it).
Every public name is re-exported here: `from distill_helpers.lm import train_lm`, `dh.lm.train_lm`.
"""
from __future__ import annotations

from .cached import (SEQ_CORPUS_SEED, STUDENT_ARCH, STUDENT_RECIPE, TEACHER_ARCH, TEACHER_RECIPE, get_lm_student,
                     get_lm_teacher, teacher_data)
from .evaluate import LN2, evaluate_lm, own_sample_figures, paired_seeds_and_sentences, sample_stats, sentence_figures
from .kl1d import bimodal_density, fit_gaussian, gaussian_density, kl_fits_explorer, kl_fits_state, kl_on_grid
from .language import DATA, TOY_GRAMMAR, ToyLanguage, check_tokens, decode, lm_data, target_mask, trim_padding
from .losses import METHODS, TWO_BY_TWO, lm_loss, reverse_kl, topk_from_logits, topk_kd_loss
from .model import CharTransformer, generate, lm_config, teacher_corpus, teacher_lm_logits
from .notebook08 import NB08_BUDGET, NB08_LR_GRID, NB08_METHODS, NB08_SEEDS, NB08_T_GRID, prepare_notebook_08
from .parallel import get_lm_students
from .train import LMRecipe, train_lm

__all__ = ["bimodal_density", "gaussian_density", "kl_on_grid", "fit_gaussian", "kl_fits_state", "kl_fits_explorer",
           "ToyLanguage", "TOY_GRAMMAR", "DATA", "lm_data", "decode", "target_mask", "trim_padding", "check_tokens",
           "CharTransformer", "lm_config", "generate", "teacher_lm_logits", "teacher_corpus",
           "METHODS", "TWO_BY_TWO", "reverse_kl", "topk_from_logits", "topk_kd_loss", "lm_loss",
           "LN2", "evaluate_lm", "sample_stats", "sentence_figures", "own_sample_figures", "paired_seeds_and_sentences",
           "LMRecipe", "train_lm",
           "TEACHER_ARCH", "STUDENT_ARCH", "TEACHER_RECIPE", "STUDENT_RECIPE", "SEQ_CORPUS_SEED", "get_lm_teacher",
           "get_lm_student", "teacher_data", "get_lm_students",
           "NB08_LR_GRID", "NB08_T_GRID", "NB08_SEEDS", "NB08_BUDGET", "NB08_METHODS", "prepare_notebook_08"]
