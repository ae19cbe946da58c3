"""The recorded experiment of notebook 10: what makes distillation work, every model's per-digit results.

Eight seeds of a dozen kinds of student, four schedule lengths and several teachers take one to two hours
of training on two CPU cores, more than a notebook can retrain. So the experiment is run once by a command,
`python -m distill_helpers record what-works`, and recorded: for every model, which validation and test
digits it gets right and on which test digits it agrees with the teacher (as strings of 0 and 1), with the
experiment's full config, the code commit, the torch version, the CPU and the date of the run that
assembled it, and, for every arm, where and when that arm was trained (an arm served from the cache was
trained by an earlier run, perhaps at another commit: the record says how many were). The record ships in the
package (`records/what_works.json`, written atomically, with a sha256 of its contents); `load_record`
refuses a damaged record and one whose config is no longer the config this code would run (a stale
record), naming the command that regenerates it. Notebook 10 computes every statistic from it and
retrains a small slice live to check the record against this machine.

Every arm uses the batched trainer (`batched.distill_students`), the student recipe's learning rate and
batch size, and the teacher's 2-pixel shift (`transfer.random_shift`), so consistent teaching looks the
teacher's logits up in its table of 25 views (`batched.shift_view_logits`). Nothing here chooses anything:
the record holds every model; choices are made on its validation digits (`choose_consistent_epochs`).
"""
from __future__ import annotations

import datetime
import hashlib
import json
import platform
import subprocess
import time
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn

from .batched import Teaching, distill_students, make_students, predict_logits_stacked, shift_view_logits
from ..cache import cached_model, teacher_identity
from ..data import as_tensors, load_splits
from ..evaluate import predict_logits
from ..losses import as_target_logits, label_smoothing_targets, uniform_soft_targets
from ..models import build_model, student_config, teacher_config
from ..recipes import RECIPES, DistillRecipe, Run, Runs, TrainingRecipe
from ..results import cached_result
from ..infra.safeio import atomic_write_text
from ..train import fit, get_teacher, set_seed
from ..transfer import jittered_copies

__all__ = ["RECORD_PATH", "REGENERATE", "StaleRecord", "experiment_config", "tiny_config", "run_experiment",
           "record_digest", "write_record", "load_record", "check_record", "choose_consistent_epochs", "ARMS"]

#: Where the shipped record lives, and the command that writes it.
RECORD_PATH = Path(__file__).resolve().parents[1] / "records" / "what_works.json"
REGENERATE = "python -m distill_helpers record what-works"
FORMAT = "distill_helpers.record/1"

#: The arms of the 800-800 experiment, in the order of the notebook's table: what each student is taught.
ARMS = {
    "scratch": "labels only, no augmentation (the paper's baseline)",
    "kd fixed": "KD on fixed targets: the teacher's logits on the 3,500 digits, no augmentation (today's recipe)",
    "kd copies": "KD on 4 jittered copies of every digit, the teacher's logits fixed per copy (06, section 3)",
    "control": "labels only, every batch shifted as the consistent student's (the same augmentation)",
    "consistent": "KD, teacher and student see the same shifted view at every step (function matching)",
    "inconsistent": "KD, the teacher sees an independent random shift of the same digit",
    "fixed teacher": "KD, the student's view shifted, the teacher's logits on the un-shifted digit",
    "label smoothing": "labels smoothed (eps 0.1), the same augmentation, no teacher (KD at T = 1, alpha = 1)",
    "uniform targets": "the consistent teacher's top-class probability kept, the rest spread evenly (no dark knowledge)",
    "ls teacher": "consistent KD from a teacher trained with label smoothing",
}


class StaleRecord(ValueError):
    """The shipped record is damaged or was made by another config than the code's: regenerate it."""


def experiment_config(*, seeds=tuple(range(8)), budgets=(10, 20, 40, 80), variant_epochs: int = 20,
                      hidden=RECIPES.student.hidden, small=(30, 30), mlp_teachers=((800, 800), (100, 100)),
                      n_train: int | None = None, teacher_epochs: int = RECIPES.teacher.epochs) -> dict:
    """Everything the record depends on: change any of it (or a recipe) and the shipped record is stale."""
    c = RECIPES.consistent
    return {"name": "what-works", "dataset": "mnist5k", "split": "train-val-v1", "seeds": list(seeds),
            "budgets": list(budgets), "variant_epochs": int(variant_epochs), "hidden": list(hidden),
            "small": list(small), "mlp_teachers": [list(h) for h in mlp_teachers], "n_train": n_train,
            "teacher_epochs": int(teacher_epochs), "teacher_seed": 0, "helper_seed": 100,
            "student": {"epochs": RECIPES.student.epochs, "lr": RECIPES.student.lr,
                        "batch_size": RECIPES.student.batch_size},
            "kd": {"T": RECIPES.distill.T, "alpha": RECIPES.distill.alpha},
            "consistent": {"T": c.T, "alpha": c.alpha, "augment_shift": c.augment_shift},
            "copies": 4, "label_smoothing": 0.1, "trainer": "batched.distill_students"}


def tiny_config() -> dict:
    """A config that runs in seconds (tests, a dry run): 2 seeds, budgets of 1 and 2 epochs, tiny networks."""
    return experiment_config(seeds=(0, 1), budgets=(1, 2), variant_epochs=1, hidden=(16,), small=(4,),
                             mlp_teachers=((8,),), n_train=300, teacher_epochs=1)


# ---------------------------------------------------------------- running it

def _bits(mask: torch.Tensor) -> str:
    return "".join("1" if bool(b) else "0" for b in mask.tolist())


def _score(students, teacher_preds: dict, data: dict) -> dict:
    """Per-seed results of trained students: correct digits (val, test), agreement with the teacher."""
    out = {"val_correct": [], "test_correct": [], "test_agree": [], "train_agree": [], "val_agree": []}
    for split, (X, y) in data.items():
        preds = predict_logits_stacked(students, X).argmax(-1)  # (K, n)
        for k in range(len(students)):
            if split in ("val", "test"):
                out[f"{split}_correct"].append(_bits(preds[k] == y))
            if split == "test":
                out["test_agree"].append(_bits(preds[k] == teacher_preds["test"]))
            else:
                out[f"{split}_agree"].append(int((preds[k] == teacher_preds[split]).sum()))
    return out


class _Run:
    """The data, the teacher and its view table, shared by every arm of one run."""

    def __init__(self, config: dict, root, progress: bool):
        self.config, self.root, self.progress = config, root, progress
        self.arms_run = self.trained = 0  # arms asked for, and those trained now (the rest came from the cache)
        train, val, test = load_splits(config["dataset"], root)
        X, y = as_tensors(train)
        if config["n_train"]:
            X, y = X[:config["n_train"]], y[:config["n_train"]]
        self.train = (X, y)
        self.data = {"train": (X, y), "val": as_tensors(val), "test": as_tensors(test)}
        self.teacher = get_teacher(config["dataset"], root, run=Run(progress=progress),
                                   recipe=RECIPES.teacher.with_(epochs=config["teacher_epochs"]))
        self.teacher_id = teacher_identity(self.teacher)
        self.shift = config["consistent"]["augment_shift"]
        self.views = self.view_table(self.teacher)
        self.fixed = predict_logits(self.teacher, X)
        self.preds = {k: predict_logits(self.teacher, Xs).argmax(1) for k, (Xs, _) in self.data.items()}

    def base_key(self) -> dict:
        """What every trained model of the run depends on (an arm's key adds its own settings): changing
        another part of the experiment (its budgets, say) keeps the arms already trained."""
        c = self.config
        return {"dataset": c["dataset"], "split": c["split"], "n_train": c["n_train"], "seeds": c["seeds"],
                "student": c["student"], "shift": self.shift, "teacher": self.teacher_id, "version": 1}

    def view_table(self, teacher: nn.Module) -> torch.Tensor:
        """The teacher's logits on every shifted view of the training digits, cached by its identity."""
        key = {"teacher": teacher_identity(teacher), "n_train": self.config["n_train"], "shift": self.shift}
        return cached_result("what-works-views", key,
                             lambda: {"logits": shift_view_logits(teacher, self.train[0], self.shift)},
                             root=self.root)["logits"]

    def arm(self, name: str, spec: dict, train_fn: Callable[[list], None]) -> dict:
        """Train one arm's students (cached by the arm's config) and score them."""
        seeds, hidden = self.config["seeds"], spec.get("hidden", self.config["hidden"])
        key = {**self.base_key(), "hidden": hidden, "arm": name, **spec}

        def compute() -> dict:
            t0 = time.perf_counter()
            students = make_students(hidden, seeds)
            train_fn(students)
            out = _score(students, self.preds, self.data)
            self.trained += 1
            return {**out, "seeds": list(seeds), "train_s": time.perf_counter() - t0, "trained": _where(), **spec}
        if self.progress:
            print(f"  {name}", flush=True)
        self.arms_run += 1
        return cached_result("what-works-arm", key, compute, root=self.root)

    def distill(self, students, *, epochs, alpha=0.0, T=None, augment=True, teacher=None, train=None,
                **teaching) -> None:
        """Train `students` batched on the run's seeds with the student recipe for `epochs`, shifted by the
        consistent recipe's augment_shift when `augment`; `teaching`: the fields of a batched.Teaching."""
        s = self.config["student"]
        recipe = TrainingRecipe(epochs=epochs, lr=s["lr"], batch_size=s["batch_size"],
                                augment_shift=self.shift if augment else 0)
        distill_students(students, teacher or self.teacher, train or self.train,
                         runs=Runs(seeds=self.config["seeds"], progress=False), recipe=recipe,
                         kd=DistillRecipe(T=T or self.config["kd"]["T"], alpha=alpha), teaching=Teaching(**teaching))


def _main_arms(run: _Run) -> dict:
    """The 800-800 arms: labels, fixed targets, copies, consistent and its variants, patience budgets."""
    c, cfg = run.config["consistent"], run.config
    E, V = cfg["student"]["epochs"], cfg["variant_epochs"]
    kd = dict(T=c["T"], alpha=c["alpha"])
    arms = {"scratch": run.arm("scratch", {"epochs": E}, lambda s: run.distill(s, epochs=E, augment=False))}
    for b in cfg["budgets"]:
        arms[f"control@{b}"] = run.arm("control", {"epochs": b}, lambda s, b=b: run.distill(s, epochs=b))
        arms[f"consistent@{b}"] = run.arm("consistent", {"epochs": b, **kd}, lambda s, b=b: run.distill(
            s, epochs=b, view_logits=run.views, **kd))
    arms["kd fixed"] = run.arm("kd fixed", {"epochs": E, **cfg["kd"]}, lambda s: run.distill(
        s, epochs=E, augment=False, logits=run.fixed, **cfg["kd"]))
    k = cfg["copies"]
    Xc, yc = jittered_copies(*run.train, k, max_shift=run.shift, seed=0)
    copies_epochs = max(1, E // (k + 1))  # as many steps as E epochs over the digits themselves
    arms["kd copies"] = run.arm("kd copies", {"epochs": copies_epochs, "copies": k, **cfg["kd"]}, lambda s: run.distill(
        s, epochs=copies_epochs, augment=False, train=(Xc, yc), logits=predict_logits(run.teacher, Xc), **cfg["kd"]))
    arms["inconsistent"] = run.arm("inconsistent", {"epochs": V, **kd}, lambda s: run.distill(
        s, epochs=V, view_logits=run.views, view="independent", **kd))
    arms["fixed teacher"] = run.arm("fixed teacher", {"epochs": V, **kd}, lambda s: run.distill(
        s, epochs=V, logits=run.fixed, view="original", **kd))
    ls = as_target_logits(label_smoothing_targets(run.train[1], 10, cfg["label_smoothing"]))
    arms["label smoothing"] = run.arm("label smoothing", {"epochs": V, "eps": cfg["label_smoothing"]}, lambda s: run.distill(
        s, epochs=V, logits=ls, view="original", T=1.0, alpha=1.0))
    flat = run.views.reshape(-1, run.views.shape[-1])
    uniform = as_target_logits(uniform_soft_targets(flat, c["T"]), c["T"]).view_as(run.views)
    arms["uniform targets"] = run.arm("uniform targets", {"epochs": V, **kd}, lambda s: run.distill(
        s, epochs=V, view_logits=uniform, **kd))
    ls_teacher = label_smoothing_teacher(run.config, run.root, progress=run.progress)
    ls_views = run.view_table(ls_teacher)
    arms["ls teacher"] = run.arm("ls teacher", {"epochs": V, **kd, "teacher": teacher_identity(ls_teacher)},
                                 lambda s: run.distill(s, epochs=V, view_logits=ls_views, teacher=ls_teacher, **kd))
    return arms


def label_smoothing_teacher(config: dict, root=None, *, progress: bool = False) -> nn.Module:
    """The teacher CNN trained exactly as get_teacher trains it, but on labels smoothed by eps (cached)."""
    t, eps = RECIPES.teacher, float(config["label_smoothing"])
    arch = teacher_config()
    key = {"role": "teacher-label-smoothing", "dataset": config["dataset"], "split": config["split"], "arch": arch,
           "epochs": config["teacher_epochs"], "lr": t.lr, "batch_size": t.batch_size, "seed": config["teacher_seed"],
           "augment_shift": t.augment_shift, "label_smoothing": eps}

    def build_and_train():
        train, val, _ = load_splits(config["dataset"], root)
        set_seed(config["teacher_seed"])
        model = build_model(arch)
        hist = fit(model, train, loss_fn=lambda z, b: F.cross_entropy(z, b.y, label_smoothing=eps),
                   recipe=t.with_(epochs=config["teacher_epochs"]), eval_data={"val": val},
                   run=Run(seed=config["teacher_seed"], progress=progress), desc="teacher (label smoothing)")
        return model, hist
    return cached_model(key, build_and_train, root)


def _capacity_arms(run: _Run) -> tuple[dict, dict]:
    """The small students: from the CNN, from MLP teachers of several sizes, through an assistant."""
    cfg, c = run.config, run.config["consistent"]
    V, small, hs = cfg["variant_epochs"], cfg["small"], cfg["helper_seed"]
    kd = dict(T=c["T"], alpha=c["alpha"], hidden=small)

    def helper(hidden, teacher=None) -> nn.Module:
        """An MLP teacher (labels + shift) or assistant (consistent KD from `teacher`), seed helper_seed."""
        m = make_students(hidden, [hs])
        views = None if teacher is None else run.view_table(teacher)
        recipe = TrainingRecipe(epochs=V, lr=cfg["student"]["lr"], batch_size=cfg["student"]["batch_size"],
                                augment_shift=run.shift)
        distill_students(m, teacher, run.train, runs=Runs(seeds=[hs], progress=False), recipe=recipe,
                         kd=DistillRecipe(T=c["T"], alpha=0.0 if teacher is None else c["alpha"]),
                         teaching=Teaching(view_logits=views))
        return m[0]
    teachers = {"cnn": run.teacher}
    for h in cfg["mlp_teachers"]:
        teachers["mlp " + "-".join(map(str, h))] = _cached_helper(run, {"role": "mlp teacher", "hidden": h},
                                                                   lambda h=h: helper(h))
    assistant_h = cfg["mlp_teachers"][-1]
    teachers["assistant"] = _cached_helper(run, {"role": "assistant", "hidden": assistant_h},
                                           lambda: helper(assistant_h, run.teacher))
    arms = {"small control": run.arm("small control", {"epochs": V, "hidden": small},
                                     lambda s: run.distill(s, epochs=V))}
    for name, t in teachers.items():
        views = run.view_table(t)
        arms[f"small from {name}"] = run.arm(f"small from {name}", {"epochs": V, **kd, "teacher": teacher_identity(t)},
                                             lambda s, t=t, v=views: run.distill(s, epochs=V, view_logits=v, teacher=t,
                                                                                 T=c["T"], alpha=c["alpha"]))
    scored = {name: _score_model(t, run) for name, t in teachers.items()}
    return arms, scored


def _cached_helper(run: _Run, spec: dict, train: Callable[[], nn.Module]) -> nn.Module:
    key = {**run.base_key(), "seeds": [run.config["helper_seed"]], "epochs": run.config["variant_epochs"],
           "T": run.config["consistent"]["T"], "alpha": run.config["consistent"]["alpha"], **spec}
    saved = cached_result("what-works-helper", key, lambda: {"state": dict(train().state_dict())}, root=run.root)
    model = make_students(spec["hidden"], [0])[0]
    model.load_state_dict(saved["state"])
    return model.eval()


def _score_model(model: nn.Module, run: _Run) -> dict:
    out = {}
    for split in ("val", "test"):
        X, y = run.data[split]
        out[f"{split}_correct"] = _bits(predict_logits(model, X).argmax(1) == y)
    return out


def run_experiment(config: dict | None = None, root=None, *, progress: bool = True) -> dict:
    """Train every arm of `config` (default: the full experiment) and return the record (not yet written)."""
    config = config or experiment_config()
    t0 = time.perf_counter()
    run = _Run(config, root, progress)
    arms = _main_arms(run)
    small, teachers = _capacity_arms(run)
    teachers = {"teacher": _score_model(run.teacher, run), **{k: v for k, v in teachers.items() if k != "cnn"},
                "ls teacher": _score_model(label_smoothing_teacher(config, root), run)}
    record = {"format": FORMAT, "config": config, "arms": {**arms, **small}, "teachers": teachers,
              "provenance": {**_provenance(time.perf_counter() - t0,
                                           sum(arm["train_s"] for arm in {**arms, **small}.values())),
                             "arms_trained": run.trained, "arms_cached": run.arms_run - run.trained}}
    record["sha256"] = record_digest(record)
    return record


def _provenance(duration_s: float, train_s: float) -> dict:
    """Where and when the record was assembled. `duration_s` is this run's wall time; `train_s` adds up the
    arms' training times as measured when each was trained (an arm served from the cache keeps its own, so
    the sum may span several runs, each under its machine's load at the time; the teachers, the helpers and
    the view tables are not in it). The commit, torch, CPU and date are this run's: an arm's own are in its
    "trained" entry."""
    return {**_where(), "duration_s": round(duration_s, 1), "train_s": round(train_s, 1)}


def _where() -> dict:
    """The code commit (and whether the work tree had uncommitted changes), torch, Python, CPU, threads, date."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True,
                                text=True, timeout=10).stdout.strip() or "unknown"
        dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=Path(__file__).parent,
                                    capture_output=True, text=True, timeout=10).stdout.strip())
    except (OSError, subprocess.SubprocessError):
        commit, dirty = "unknown", False
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"commit": commit, "dirty": dirty, "torch": str(torch.__version__), "python": platform.python_version(),
            "cpu": cpu, "threads": torch.get_num_threads(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")}


# ---------------------------------------------------------------- the record on disk

def record_digest(record: dict) -> str:
    """sha256 of the record's canonical JSON, without its own "sha256" entry."""
    body = {k: v for k, v in record.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def write_record(record: dict, path=RECORD_PATH) -> Path:
    """Write the record atomically (a crash leaves the old one) as JSON."""
    if record.get("sha256") != record_digest(record):
        raise ValueError("the record's sha256 does not match its contents: build it with run_experiment")
    return atomic_write_text(path, json.dumps(record, sort_keys=True, indent=1) + "\n")


def check_record(record: dict, config: dict | None = None) -> dict:
    """The record, if its checksum holds and it was made by `config` (default: the full experiment's)."""
    if record.get("format") != FORMAT or record.get("sha256") != record_digest(record):
        raise StaleRecord(f"the what-works record is damaged or edited (its sha256 does not match its contents): "
                          f"regenerate it with `{REGENERATE}` (one to two hours on 2 cores)")
    want = json.loads(json.dumps(config or experiment_config()))
    if record.get("config") != want:
        diff = sorted(k for k in set(want) | set(record.get("config", {}))
                      if want.get(k) != record.get("config", {}).get(k))
        raise StaleRecord(f"the what-works record was made by another config than this code's (differs in {diff}): "
                          f"regenerate it with `{REGENERATE}` (one to two hours on 2 cores)")
    return record


def load_record(path=RECORD_PATH, config: dict | None = None) -> dict:
    """The shipped record, checked (`check_record`)."""
    path = Path(path)
    if not path.is_file():
        raise StaleRecord(f"no what-works record at {path}: generate it with `{REGENERATE}`")
    return check_record(json.loads(path.read_text()), config)


def errors(record: dict, arm: str, split: str) -> list[int]:
    """Per-seed error counts of an arm on 'val' or 'test'."""
    return [s.count("0") for s in record["arms"][arm][f"{split}_correct"]]


def choose_consistent_epochs(record: dict) -> int:
    """The consistent recipe's schedule, chosen on validation: the budget with the fewest mean validation
    errors of the consistent arm; a tie goes to the shorter schedule."""
    budgets = record["config"]["budgets"]
    means = [sum(errors(record, f"consistent@{b}", "val")) / len(record["config"]["seeds"]) for b in budgets]
    return budgets[min(range(len(budgets)), key=lambda i: (means[i], budgets[i]))]


__all__ += ["errors", "label_smoothing_teacher"]
