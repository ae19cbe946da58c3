"""`python -m distill_helpers replicate`: the paper's MNIST experiment in miniature, without Jupyter.

Every option is checked before any work starts (`validate_args`, shared by all subcommands: an option
with a known name gets the same check wherever it appears). Exit status: 0 success, 1 a failure during
the run, 2 a usage error (bad option value, unusable path, missing dataset), 130 interrupted (Ctrl-C).
"""
from __future__ import annotations

import argparse
import dataclasses
import errno
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from .cache import data_root
from .checkpoints import save_model
from .data import DATASETS, dataset_info, load_dataset
from .evaluate import evaluate_model, predict_logits
from .infra.checks import check_int, check_training_settings
from .losses import check_alpha, check_kd_temperature
from .paper import PAPER_MNIST_ERRORS
from .recipes import RECIPES, DistillRecipe, Run, Runs
from .infra.safeio import atomic_write_text, current_umask, staging_dir
from .distributed import Context, check_launch_env, is_main, launched_by_torchrun, shutdown
from .distributed import ddp_timeout
from .distributed import current as process_context
from .infra.devices import describe_device, resolve_device
from .train import get_student, get_teacher

EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130
EXIT_STATUS = ("exit status: 0 success, 1 a failure during the run, 2 a usage error (bad option, unusable "
               "path, missing dataset; nothing was trained), 130 interrupted with Ctrl-C")


class UsageError(Exception):
    """A bad option or path, found before any work started (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one `error:` line with the fix, not the 15-line usage block."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"error: {self.prog}: {message}; see `{self.prog} --help`\n")


class _DefaultsFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows "(default: ...)" after each help text, except where the help already says what None means."""

    def _get_help_string(self, action):
        return action.help if action.default is None else super()._get_help_string(action)


# ---------------------------------------------------------------- option checks, one place for every subcommand

def _int_at_least(minimum: int, why: str = ""):
    def check(value, option):
        try:
            check_int(value, option, minimum)
        except ValueError as e:
            raise UsageError(f"{e}{why}") from None
    return check


def _learning_rate(value, option):
    try:
        check_training_settings(0, value, 1)  # the library's own check of lr, as fit() applies it
    except ValueError as e:
        raise UsageError(f"{option}: {e}") from None


def _temperature(value, option):
    try:
        check_kd_temperature(value)
    except ValueError as e:
        raise UsageError(f"{option}: {e}") from None


def _alpha(value, option):
    try:
        check_alpha(value)
    except ValueError as e:
        raise UsageError(f"{option}: {e}") from None


def _hidden(value, option):
    if not value or any(isinstance(h, bool) or not isinstance(h, int) or h < 1 for h in value):
        raise UsageError(f"{option} takes one or more layer widths >= 1 (for example {option} 800 800), got "
                         f"{' '.join(map(str, value or [])) or 'nothing'}")


def _device(value, option):
    try:
        resolve_device(value)
    except (ValueError, RuntimeError) as e:
        raise UsageError(f"{option} {value!r}: {e}") from None


def _writable_folder(value, option, purpose: str):
    folder = Path(value)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{option} {str(folder)!r} is a file, not a folder: {purpose}")
    existed = folder.is_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        above = next((a for a in folder.absolute().parents if a.is_dir()), Path("/"))
        why = "" if e.errno == errno.ENOENT else f" ({e.strerror or e})"  # ENOENT from mkdir: /proc, sysfs
        raise UsageError(f"{option} {str(folder)!r} cannot be created: the folder {str(above)!r} exists but "
                         f"refuses new folders{why}: {purpose}") from None
    try:
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as e:
        # /proc, a read-only mount or a folder of another user: it exists, but no file can be made in it
        state = "exists but" if existed else "was created but"
        why = "" if e.errno == errno.ENOENT else f" ({e.strerror or e})"  # ENOENT: /proc, sysfs
        raise UsageError(f"{option} {str(folder)!r} {state} no file can be made in it{why}: {purpose}") from None


def _root(value, option):
    _writable_folder(value, option, "datasets are read from it and trained models are cached in its cache/ "
                                    "folder; choose a folder you can write to")


def _out(value, option):
    out = Path(value)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{option} {str(out)!r} is a file, not a folder: choose a folder for the results")
    _writable_folder(out.parent if str(out.parent) else Path("."), f"{option} {str(out)!r}: its folder",
                     "the results are written beside it first and moved into place at the end; "
                     "choose an --out under a folder you can write to")


#: attribute name -> check(value, "--option"); validate_args runs those whose attribute a subcommand has.
CHECKS = {
    "seeds": _int_at_least(1), "epochs": _int_at_least(1, " (epochs for each student)"),
    "teacher_epochs": _int_at_least(1, " (epochs for the teacher)"), "batch_size": _int_at_least(1),
    "lr": _learning_rate, "T": _temperature, "alpha": _alpha, "hidden": _hidden, "device": _device,
    "root": _root, "out": _out,
}


def validate_args(args: argparse.Namespace) -> None:
    """Check every known option present on `args` before any work; raise UsageError naming the option."""
    for name, check in CHECKS.items():
        if getattr(args, name, None) is not None:
            check(getattr(args, name), "--" + name.replace("_", "-"))


# ---------------------------------------------------------------- the replicate command

#: --root: one folder for the datasets and, under its cache/, the trained models and cached experiments.
ROOT_HELP = ("data root: datasets in it, trained models and cached experiments in its cache/ folder (default: "
             "$DISTILL_DATA, else the repository's data/ folder, the one the notebooks use)")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m distill_helpers", epilog=EXIT_STATUS,
                description="Knowledge-distillation helpers for the notebook series.")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("replicate", formatter_class=_DefaultsFormatter, epilog=EXIT_STATUS,
                       help="train a teacher, a scratch student and a distilled student; print the table",
                       description="Hinton et al. (2015), MNIST experiment in miniature: a CNN teacher, an "
                                   "MLP student trained on hard labels, and the same MLP distilled from the "
                                   "teacher. Reports the last epoch of every run (no best-epoch picking).")
    r.add_argument("--dataset", default="mnist5k", choices=sorted(DATASETS),
                   help="mnist5k is embedded and offline; the others must have been downloaded under --root")
    r.add_argument("--root", default=argparse.SUPPRESS, help=ROOT_HELP)
    r.add_argument("--out", default="runs/replicate", help="folder for the three .pt files and results.json")
    r.add_argument("--overwrite", action="store_true",
                   help="replace the results already in --out (the new set replaces the old one as a whole, "
                        "at the end; a failed or interrupted run leaves the old set as it was)")
    r.add_argument("--seeds", type=int, default=3, help="number of student seeds (mean and spread are reported)")
    # Every default is read from RECIPES: the same recipes as get_teacher / get_student and the notebooks.
    r.add_argument("--teacher-epochs", type=int, default=RECIPES.teacher.epochs, help="teacher training epochs")
    r.add_argument("--recipe", default="paper", choices=["paper", "consistent"],
                   help="paper: the 2015 recipe (scratch and distilled student on fixed targets); consistent: "
                        "also a control student (labels and the same 2-pixel shifts) and the consistently distilled "
                        "student (the teacher on the very view the student sees, RECIPES.consistent; notebook 10)")
    r.add_argument("--epochs", type=int, default=None,
                   help=f"epochs for each student (default: each student's recipe: scratch and the paper's distilled "
                        f"student {RECIPES.student.epochs}, control and consistent {RECIPES.consistent.epochs})")
    r.add_argument("--hidden", type=int, nargs="+", default=list(RECIPES.student.hidden),
                   help="student hidden layer widths (800 800 is the paper's 784-800-800-10)")
    r.add_argument("--T", type=float, default=RECIPES.distill.T, help="distillation temperature")
    r.add_argument("--alpha", type=float, default=RECIPES.distill.alpha,
                   help="weight of the SOFT (teacher) term; 1-alpha weights the labels")
    r.add_argument("--lr", type=float, default=None,
                   help=f"Adam learning rate of all three models, with cosine decay to 0 (default: each model's "
                        f"recipe: teacher {RECIPES.teacher.lr:g}, students {RECIPES.student.lr:g})")
    r.add_argument("--batch-size", type=int, default=None,
                   help=f"mini-batch size of all three models (default: each model's recipe: teacher "
                        f"{RECIPES.teacher.batch_size}, students {RECIPES.student.batch_size}); under torchrun "
                        f"the GLOBAL batch, split over the processes")
    r.add_argument("--device", default="cpu", help="cpu, cuda, mps or auto (cuda, then mps, then cpu)")
    r.add_argument("--bf16", default="auto", choices=["auto", "on", "off"],
                   help="bf16 autocast for training; auto = on for a CUDA GPU with bf16, off elsewhere")
    r.add_argument("--download", action="store_true",
                   help="download --dataset under --root if it is missing (mnist, fashion-mnist, cifar10; needs internet)")
    r.add_argument("--no-progress", action="store_true", help="hide progress bars")
    pr = sub.add_parser("prepare", help="train and cache every model and experiment the notebooks use (run once "
                                        "before class)",
                        description="Trains every model the notebooks load by recipe (teacher and students) "
                                    "that is not cached yet under ROOT/cache, then executes every notebook once "
                                    "in memory (the files are not changed) so that every cached experiment is "
                                    "filled too, and lists what is cached. After it the notebooks train nothing.")
    pr.add_argument("--root", default=argparse.SUPPRESS, help=ROOT_HELP)
    pr.add_argument("--no-progress", action="store_true", help="hide progress bars")
    pr.add_argument("--models-only", action="store_true",
                    help="only the registered models; do not execute the notebooks (their experiments stay uncached)")
    _add_record_parser(sub)
    d = sub.add_parser("doctor", help="check Python, packages against the pins, device, caches and Chromium",
                       description="Check this environment for the series; every problem is printed with its fix.")
    d.add_argument("--root", default=argparse.SUPPRESS, help=ROOT_HELP)
    return p


def _add_record_parser(sub) -> None:
    """`record what-works`: regenerate a recorded experiment (its own function: _parser stays short)."""
    rc = sub.add_parser("record", formatter_class=_DefaultsFormatter, epilog=EXIT_STATUS,
                        help="regenerate a recorded experiment shipped with the package (notebook 10's)",
                        description="Train every model of a recorded experiment and write its checksummed record "
                                    "(what-works: notebook 10's; about an hour on 2 cores; arms already in the cache are reused).")
    rc.add_argument("experiment", choices=["what-works"], help="which record")
    rc.add_argument("--root", default=argparse.SUPPRESS, help=ROOT_HELP)
    rc.add_argument("--record", default=None,
                    help="file to write (default: the record shipped in the package, distill_helpers/records/)")
    rc.add_argument("--seeds", type=int, default=None, help="number of seeds (default: the experiment's 8)")
    rc.add_argument("--tiny", action="store_true", help="a dry run in seconds: tiny networks, 2 seeds, 1-2 epochs")
    rc.add_argument("--no-progress", action="store_true", help="hide progress lines")


def _fmt_spread(xs: list[float], fmt: str) -> str:
    return fmt.format(xs[0]) if len(xs) == 1 else f"{fmt.format(statistics.mean(xs))} ± {fmt.format(statistics.stdev(xs))}"


RESULT_FILES = ("teacher.pt", "student_scratch.pt", "student_control.pt", "student_distilled.pt", "results.json")


def _check_out(out: Path, overwrite: bool) -> None:
    clash = [n for n in RESULT_FILES if (out / n).exists()]
    if clash and not overwrite:
        raise UsageError(f"{out}/ already holds {', '.join(clash)}; pass --overwrite to replace "
                         f"them or choose another --out")


def _publish(staged: Path, out: Path, overwrite: bool) -> None:
    """Move the complete new set from `staged` into `out`: one directory rename when `out` holds nothing
    else (the old folder is renamed aside first and deleted after), otherwise one rename per file."""
    others = [p.name for p in out.iterdir() if p.name not in RESULT_FILES] if out.is_dir() else []
    if not out.exists():
        os.rename(staged, out)
    elif not others and overwrite:
        aside = staging_dir(out)
        os.rename(out, aside / "old")  # out vanishes for an instant; the set in it is never mixed
        try:
            os.rename(staged, out)
        except BaseException:
            os.rename(aside / "old", out)
            raise
        shutil.rmtree(aside, ignore_errors=True)
    else:  # the folder holds the user's other files too: keep them, swap in the files of our set
        _check_out(out, overwrite)  # nothing of ours appeared meanwhile (unless we may replace it)
        names = [n for n in RESULT_FILES if (staged / n).exists()]  # the paper recipe writes no control
        for name in names:
            if overwrite:
                os.replace(staged / name, out / name)
            else:
                os.link(staged / name, out / name)  # FileExistsError if a file appeared meanwhile
        for name in set(RESULT_FILES) - set(names):  # an older set's extra file would mix two runs
            if overwrite:
                (out / name).unlink(missing_ok=True)


def _load(args):
    """The dataset; a missing one is a usage error whose fix is a command-line option, not a Python call."""
    try:
        return load_dataset(args.dataset, args.root, download=args.download)
    except FileNotFoundError as e:
        if args.download:
            raise UsageError(str(e)) from None
        raise UsageError(f"dataset {args.dataset!r} is not under {args.root!r}: add --download to fetch it once "
                         f"(needs internet), or use the embedded offline --dataset mnist5k") from None
    except (NotADirectoryError, PermissionError) as e:
        raise UsageError(str(e)) from None


def replicate(args) -> dict:
    """Train, evaluate and write the results set; raise UsageError before any training if an option is bad."""
    try:
        check_launch_env()  # a stray RANK=1 WORLD_SIZE=2 without torchrun: refused, not a silent rank 1
        ddp_timeout()  # DISTILL_DDP_TIMEOUT_S, read when the group starts: checked now, before any work
    except ValueError as e:
        raise UsageError(str(e)) from None
    validate_args(args)
    if args.recipe == "consistent" and launched_by_torchrun():
        raise UsageError("--recipe consistent trains its students with the batched trainer in one process: "
                         "run it without torchrun")
    out = Path(args.out)
    _check_out(out, args.overwrite)
    ctx = process_context(resolve_device(args.device))  # under torchrun: joins the process group
    main_rank = is_main()  # every rank trains; only rank 0 prints and writes
    train, test = _load(args)
    progress = not args.no_progress and main_rank
    if not main_rank:
        return _run(args, train, test, ctx, progress, None)
    print(f"dataset {args.dataset}: {len(train)} train / {len(test)} test, device {describe_device(ctx.device)}"
          + (f", {ctx.world} processes, backend {ctx.backend}" if ctx.active else ""), flush=True)
    staged = staging_dir(out)  # the new set is written here and moved into --out only when complete
    os.chmod(staged, 0o777 & ~current_umask())  # a new --out gets the usual mode (mkdtemp makes it 0700)
    try:
        results = _run(args, train, test, ctx, progress, staged)
        _publish(staged, out, args.overwrite)
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    _print_table(results["runs"], len(test))
    control = "student_control.pt, " if args.recipe == "consistent" else ""
    print(f"\nwrote {out}/teacher.pt, student_scratch.pt, {control}student_distilled.pt (seed 0) and results.json")
    return results


def _run(args, train, test, ctx: Context, progress: bool, staged: Path | None) -> dict:
    device = ctx.device
    bf16 = {"auto": None, "on": True, "off": False}[args.bf16]
    # The same recipes the notebooks use (get_teacher / get_student), always retrained here; the fresh
    # models also refresh the cache under --root.
    given = {k: v for k, v in (("lr", args.lr), ("batch_size", args.batch_size)) if v is not None}
    t0 = time.perf_counter()
    teacher = get_teacher(args.dataset, args.root, recipe=RECIPES.teacher.with_(epochs=args.teacher_epochs, **given),
                          run=Run(device=device, bf16=bf16, progress=progress), retrain=True)
    teacher_hist = teacher.history
    rows = {"teacher": [{**evaluate_model(teacher, test), "train_s": time.perf_counter() - t0, "seed": 0}]}
    t_logits = predict_logits(teacher, test.tensors[0])
    kinds = ("scratch", "distilled") if args.recipe == "paper" else ("scratch", "control", "distilled")
    for kind in kinds:
        rows[f"student_{kind}"] = []
    models = {}
    for seed in range(args.seeds):
        trained, times = {}, {}
        for kind in ("scratch", "distilled") if args.recipe == "paper" else ("scratch",):
            t0 = time.perf_counter()
            recipe = RECIPES.student.with_(hidden=tuple(args.hidden), epochs=args.epochs or RECIPES.student.epochs,
                                           **given)
            trained[kind] = get_student(kind, args.dataset, args.root, recipe=recipe,
                                        kd=DistillRecipe(T=args.T, alpha=args.alpha), teacher=teacher,
                                        run=Run(seed=seed, device=device, bf16=bf16, progress=progress), retrain=True)
            times[kind] = time.perf_counter() - t0
        if args.recipe == "consistent":  # the two train together: each is given the pair's time
            t0 = time.perf_counter()
            trained.update(_consistent_pair(args, teacher, seed, progress, given))
            times.update(dict.fromkeys(("control", "distilled"), time.perf_counter() - t0))
        for kind in kinds:
            student = trained[kind]
            rows[f"student_{kind}"].append({**evaluate_model(student, test, teacher_logits=t_logits),
                                            "train_s": times[kind], "seed": seed, "history": student.history})
            if seed == 0:
                models[f"student_{kind}"] = student
    meta = {"dataset": args.dataset, "recipe": args.recipe, "T": args.T, "alpha": args.alpha}
    if args.recipe == "consistent":
        c = RECIPES.consistent
        meta.update(T=c.T, alpha=c.alpha, augment_shift=c.augment_shift)
    if staged is None:  # a rank other than 0 under torchrun: same models, nothing to write
        return {"runs": rows}
    save_model(teacher, staged / "teacher.pt", {**meta, "history": teacher_hist})
    for kind, model in models.items():
        save_model(model, staged / f"{kind}.pt", {**meta, "seed": 0})
    results = {"config": {k: v for k, v in vars(args).items() if k != "command"},
               "machine": {"python": platform.python_version(), "torch": torch.__version__,
                           "threads": torch.get_num_threads(), "device": describe_device(device),
                           "world_size": ctx.world},
               "recipes": dataclasses.asdict(RECIPES),
               "paper_errors_on_10k": PAPER_MNIST_ERRORS, "runs": rows, "recipe": args.recipe}
    atomic_write_text(staged / "results.json", json.dumps(results, indent=2))
    return results


def _print_table(rows: dict, n_test: int) -> None:
    print(f"\nTest set: {n_test} digits. Last epoch of each run; ± is the std over seeds.")
    head = f"{'model':<20}{'errors':>14}{'accuracy %':>16}{'params':>11}{'train s':>10}{'paper errors/10k':>18}"
    print(head)
    print("-" * len(head))
    for kind, rs in rows.items():
        errs = [float(r["errors"]) for r in rs]
        accs = [100 * r["accuracy"] for r in rs]
        secs = [r["train_s"] for r in rs]
        print(f"{kind:<20}{_fmt_spread(errs, '{:.1f}'):>14}{_fmt_spread(accs, '{:.2f}'):>16}"
              f"{rs[0]['params']:>11,}{statistics.mean(secs):>10.1f}{PAPER_MNIST_ERRORS.get(kind, ''):>18}")


def _consistent_pair(args, teacher, seed: int, progress: bool, given: dict) -> dict:
    """The control (labels, the same shifts) and the consistent student of one seed, trained together on the CPU
    (the batched trainer: one stacked model, the teacher's logits on its 25 views looked up per step)."""
    from .scale.batched import distill_students, make_students
    from .data import load_splits
    c = RECIPES.consistent
    train, val, _ = load_splits(args.dataset, args.root)
    info = dataset_info(args.dataset)
    pair = make_students(tuple(args.hidden), [seed, seed], info["shape"], info["num_classes"])
    recipe = RECIPES.student.with_(epochs=args.epochs or c.epochs, augment_shift=c.augment_shift, **given)
    runs = Runs(seeds=[seed, seed], progress=progress, desc=f"control + consistent, seed {seed}")
    hists = distill_students(pair, teacher.cpu(), train, val, runs=runs, recipe=recipe,
                             kd=[DistillRecipe(T=c.T, alpha=alpha) for alpha in (0.0, c.alpha)])
    for m, h in zip(pair, hists):
        m.history = h
    return {"control": pair[0], "distilled": pair[1]}


def _prepare(args):
    from .classroom.prepare import prepare  # the notebooks' models, listed in distill_helpers/classroom/prepare.py
    validate_args(args)
    prepare(args.root, progress=not args.no_progress, notebooks=[] if args.models_only else None)


def _record(args) -> int:
    """`record what-works`: train the recorded experiment and write its record atomically."""
    from .scale import whatworks
    validate_args(args)
    config = whatworks.tiny_config() if args.tiny else whatworks.experiment_config()
    if args.seeds is not None:
        config = {**config, "seeds": list(range(args.seeds))}
    target = Path(args.record) if args.record else whatworks.RECORD_PATH
    _writable_folder(target.parent if str(target.parent) else Path("."), f"--record {str(target)!r}: its folder",
                     "the record is written beside it first and moved into place")
    record = whatworks.run_experiment(config, args.root, progress=not args.no_progress)
    whatworks.write_record(record, target)
    print(f"wrote {target} ({len(record['arms'])} arms, {len(config['seeds'])} seeds, "
          f"{record['provenance']['duration_s']:.0f} s now, {record['provenance']['train_s'] / 60:.0f} min of "
          f"training in all, cached arms included)")
    return 0


def doctor(args) -> int:
    """Environment check (no option validation: it must not create or change anything)."""
    from .classroom.doctor import doctor as run_doctor
    return run_doctor(args.root)


COMMANDS = {"replicate": replicate, "prepare": _prepare, "doctor": doctor, "record": _record}
#: what an interrupted command leaves behind, said in the one line printed on Ctrl-C
INTERRUPTED = {"replicate": "nothing in {out} was changed (a run publishes its results only when complete); "
                            "run the same command again to start over",
               "prepare": "the models finished so far are cached under {root}/cache; run the same command again "
                          "to train the rest"}


def _usage_error(e: UsageError) -> None:
    """Print a usage error once: every rank under torchrun finds the same one, rank 0 alone says it.

    The other ranks wait a moment before they exit, so that torchrun, which stops every process as soon as
    one fails, does not stop rank 0 before its line is out. torchrun then adds its own failure summary.
    """
    if launched_by_torchrun() and os.environ.get("RANK") != "0":
        time.sleep(USAGE_GRACE_S)
        return
    print(f"error: {e}", file=sys.stderr, flush=True)


#: Seconds a rank other than 0 waits before exiting on a usage error under torchrun (see _usage_error).
USAGE_GRACE_S = 3.0


def main(argv=None) -> int:
    args = _parser().parse_args(argv)  # unknown options and non-numbers: argparse's usage error, status 2
    if args.command in COMMANDS and not hasattr(args, "root"):
        args.root = str(data_root())  # the one default data root (cache.py), as in the notebooks and the library
    try:
        result = COMMANDS[args.command](args)
        if isinstance(result, int):
            return result
    except UsageError as e:
        _usage_error(e)
        return EXIT_USAGE
    except KeyboardInterrupt:
        kept = INTERRUPTED.get(args.command, "nothing was changed").format(**vars(args))
        bar_line = sys.stderr.isatty() and not getattr(args, "no_progress", True)  # end a progress bar's line
        print(f"{chr(10) if bar_line else ''}interrupted: {kept}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (OSError, ValueError, RuntimeError, ImportError) as e:
        # a full disk, a diverged run, no CUDA: one clear line, not a traceback (naming the rank under torchrun);
        # a native torch message may carry a C++ backtrace after its first line
        where = (f" (rank {os.environ['RANK']} of {os.environ['WORLD_SIZE']})"
                 if launched_by_torchrun() else "")
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        print(f"error{where}: {first}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        shutdown()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
