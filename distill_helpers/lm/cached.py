"""The teacher and the students of notebook 08, trained once and cached by their full config (cache.py).

`get_lm_teacher` trains the teacher on the labels; `get_lm_student` one student with one method, from the
student recipe `STUDENT_RECIPE` with any changes (`STUDENT_RECIPE.with_(lr=4e-2)`). The key
of an entry is everything its training depends on, so a changed recipe trains a new model.
"""
from __future__ import annotations

import json
from dataclasses import fields

import torch

from ..cache import VERSIONS, entry_path, teacher_identity
from ..losses import check_temperature
from ..train import cached_model, set_seed
from .language import DATA, lm_data
from .losses import METHODS, TWO_BY_TWO
from .model import CharTransformer, lm_config, teacher_corpus, teacher_lm_logits
from .train import ON_POLICY, LMRecipe, check_recipe, train_lm

__all__ = ["TEACHER_ARCH", "STUDENT_ARCH", "TEACHER_RECIPE", "STUDENT_RECIPE", "SEQ_CORPUS_SEED", "SHARED_KEYS",
           "RECIPE_FIELDS", "get_lm_teacher", "teacher_data", "shared_data_of", "lm_student_config", "get_lm_student",
           "student_keywords", "student_is_cached"]

TEACHER_ARCH = {"d_model": 32, "n_layers": 2, "n_heads": 4, "d_ff": 96}
STUDENT_ARCH = {"d_model": 16, "n_layers": 1, "n_heads": 2, "d_ff": 32}
#: The defaults of get_lm_teacher and get_lm_student (train_lm's own default is LMRecipe()).
TEACHER_RECIPE = LMRecipe(steps=500, batch_size=48, lr=1e-2)
STUDENT_RECIPE = LMRecipe(steps=300, batch_size=32, lr=8e-2)
SEQ_CORPUS_SEED = 10_000
SHARED_KEYS = ("teacher_logits", "corpus")


def get_lm_teacher(root=None, *, recipe: LMRecipe = TEACHER_RECIPE, arch: dict | None = None, data: dict | None = None,
                   retrain: bool = False) -> CharTransformer:
    """The teacher: labels-only training on the toy corpus, cached under root/cache by its full config
    (root None: `cache.data_root()`)."""
    check_recipe(recipe)
    data, arch = data or DATA, arch or TEACHER_ARCH
    lang, splits = lm_data(data)
    config = {"role": "lm-teacher", "data": data, "arch": lm_config(lang.vocab_size, data["context"], **arch),
              "steps": recipe.steps, "batch_size": recipe.batch_size, "lr": recipe.lr, "seed": recipe.seed}

    def build_and_train():
        set_seed(recipe.seed)
        model = CharTransformer(lang.vocab_size, data["context"], **arch)
        return model, train_lm(model, "labels", splits["train"], recipe=recipe, val_tokens=splits["val"])
    return cached_model(config, build_and_train, root, retrain)


_SHARED: dict = {}


def teacher_data(what: str, teacher: CharTransformer, data: dict | None = None) -> torch.Tensor:
    """What the students of one teacher share: its logits on the training split ('teacher_logits') or the
    sentences it samples for sequence-level KD ('corpus': n_train of them, seed SEQ_CORPUS_SEED).

    Computed once per teacher and data, and only when a student has to be trained (a warm cache needs
    neither); the latest two are kept."""
    if what not in SHARED_KEYS:
        raise ValueError(f"what must be one of {SHARED_KEYS}, got {what!r}")
    data = data or DATA
    key = (what, json.dumps([teacher_identity(teacher), data], sort_keys=True))  # what the data depend on
    if key not in _SHARED:
        while len(_SHARED) >= 2:
            _SHARED.pop(next(iter(_SHARED)))
        _SHARED[key] = (teacher_corpus(teacher, data["n_train"], seed=SEQ_CORPUS_SEED) if what == "corpus"
                        else teacher_lm_logits(teacher, lm_data(data)[1]["train"]))
    return _SHARED[key]


def shared_data_of(method: str) -> tuple[str, ...]:
    """Which of the teacher's shared data (SHARED_KEYS) a student of `method` trains on."""
    return ("corpus",) if method == "seq" else ("teacher_logits",) if method in ("topk", *TWO_BY_TWO) else ()


def lm_student_config(method: str, teacher: CharTransformer, recipe: LMRecipe, arch: dict, data: dict) -> dict:
    """The cache config of get_lm_student's student (everything its training depends on)."""
    lang, _ = lm_data(data)
    r = recipe
    config = {"role": "lm-student", "method": method, "data": data,
              "arch": lm_config(lang.vocab_size, data["context"], **arch), "steps": r.steps,
              "batch_size": r.batch_size, "lr": r.lr, "seed": r.seed,
              "teacher": teacher_identity(teacher)}  # its cache config, or a hash of its weights (cache.py)
    if method in TWO_BY_TWO:  # 'second_half': what changes at the switch (the T is used in both halves)
        config["T"] = check_temperature(r.T)
        config.update(warm_start=r.warm_start, second_half=list(TWO_BY_TWO[method]) + [config["T"]])
    if method in ON_POLICY:
        config["refresh"] = r.refresh
    if method == "seq":
        config["corpus"] = {"n": data["n_train"], "seed": SEQ_CORPUS_SEED, "temperature": 1.0}
    if method == "topk":
        config.update(k=r.k, tail=r.tail)
    return config


def get_lm_student(method: str, teacher: CharTransformer, root=None, *, recipe: LMRecipe = STUDENT_RECIPE,
                   arch: dict | None = None, data: dict | None = None, shared: dict | None = None,
                   retrain: bool = False) -> CharTransformer:
    """A student trained with one method (see METHODS) by `recipe`, cached by its full config.

    The history stores the validation figures (history['val']), so choices can be made without the test set.
    shared: the teacher's data that students share ({'teacher_logits': ..., 'corpus': ...}, see teacher_data),
    when the caller has them already (get_lm_students passes them to its worker processes); missing ones
    are computed here, once per teacher, and only if a model has to be trained.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    check_recipe(recipe)
    shared = dict(shared or {})
    if set(shared) - set(SHARED_KEYS):
        raise ValueError(f"shared holds only {SHARED_KEYS} (see teacher_data), got {sorted(shared)}")
    data, arch = data or DATA, arch or STUDENT_ARCH
    lang, splits = lm_data(data)
    config = lm_student_config(method, teacher, recipe, arch, data)

    def build_and_train():
        set_seed(recipe.seed)
        model = CharTransformer(lang.vocab_size, data["context"], **arch)
        got = {what: shared[what] if what in shared else teacher_data(what, teacher, data)
               for what in shared_data_of(method)}
        tokens = got["corpus"] if method == "seq" else splits["train"]
        hist = train_lm(model, method, tokens, teacher, recipe=recipe, teacher_logits=got.get("teacher_logits"),
                        val_tokens=splits["val"])
        return model, hist
    return cached_model(config, build_and_train, root, retrain)


RECIPE_FIELDS = tuple(f.name for f in fields(LMRecipe))


def student_keywords(spec: dict) -> dict:
    """get_lm_student's keywords for one spec of get_lm_students: the method, any LMRecipe field (applied to
    STUDENT_RECIPE), and arch, data or retrain."""
    if not isinstance(spec, dict) or "method" not in spec:
        raise ValueError("specs must be a list of dicts of get_lm_student keywords, each with a 'method'")
    if spec["method"] not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {spec['method']!r}")
    if {"teacher", "root"} & set(spec):
        raise ValueError("a spec holds get_lm_student's keywords except teacher and root (passed once, here)")
    unknown = set(spec) - {"method", "arch", "data", "retrain", *RECIPE_FIELDS}
    if unknown:
        raise ValueError(f"a spec holds a method, LMRecipe fields {RECIPE_FIELDS} and arch, data or retrain; "
                         f"got {sorted(unknown)}")
    kw = {k: spec[k] for k in ("method", "arch", "data", "retrain") if k in spec}
    return {**kw, "recipe": STUDENT_RECIPE.with_(**{k: spec[k] for k in RECIPE_FIELDS if k in spec})}


def student_is_cached(spec: dict, teacher: CharTransformer, root) -> bool:
    """Whether get_lm_student finds an entry for `spec` (a damaged one is found here, then retrained serially)."""
    kw = student_keywords(spec)
    config = lm_student_config(kw["method"], teacher, kw["recipe"], kw.get("arch") or STUDENT_ARCH,
                               kw.get("data") or DATA)
    return entry_path("lm-student", config, VERSIONS["model"], root).exists()
