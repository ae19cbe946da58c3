"""`python -m distill_helpers replicate`: the paper's MNIST experiment in miniature, without Jupyter."""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import torch

from .checkpoints import save_model
from .data import DATASETS, load_dataset
from .evaluate import evaluate_model, predict_logits
from . import distributed
from .devices import describe_device, resolve_device
from .train import get_student, get_teacher

PAPER = {"teacher": 67, "student_scratch": 146, "student_distilled": 74}  # errors on 10k MNIST test digits


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m distill_helpers",
                                description="Knowledge-distillation helpers for the notebook series.")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("replicate", formatter_class=argparse.ArgumentDefaultsHelpFormatter,
                       help="train a teacher, a scratch student and a distilled student; print the table",
                       description="Hinton et al. (2015), MNIST experiment in miniature: a CNN teacher, an "
                                   "MLP student trained on hard labels, and the same MLP distilled from the "
                                   "teacher. Reports the last epoch of every run (no best-epoch picking).")
    r.add_argument("--dataset", default="mnist5k", choices=sorted(DATASETS),
                   help="mnist5k is embedded and offline; the others must have been downloaded under --root")
    r.add_argument("--root", default="data", help="dataset root folder")
    r.add_argument("--out", default="runs/replicate", help="folder for the three .pt files and results.json")
    r.add_argument("--overwrite", action="store_true", help="replace files already in --out")
    r.add_argument("--seeds", type=int, default=3, help="number of student seeds (mean and spread are reported)")
    r.add_argument("--teacher-epochs", type=int, default=12, help="teacher training epochs")
    r.add_argument("--epochs", type=int, default=20, help="epochs for each student")
    r.add_argument("--hidden", type=int, nargs="+", default=[800, 800],
                   help="student hidden layer widths (800 800 is the paper's 784-800-800-10)")
    r.add_argument("--T", type=float, default=4.0, help="distillation temperature")
    r.add_argument("--alpha", type=float, default=0.9, help="weight of the SOFT (teacher) term; 1-alpha weights the labels")
    r.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (cosine decay to 0)")
    r.add_argument("--batch-size", type=int, default=64, help="mini-batch size")
    r.add_argument("--device", default="cpu", help="cpu, cuda, mps or auto (cuda, then mps, then cpu)")
    r.add_argument("--bf16", default="auto", choices=["auto", "on", "off"],
                   help="bf16 autocast for training; auto = on for a CUDA GPU with bf16, off elsewhere")
    r.add_argument("--download", action="store_true",
                   help="download --dataset under --root if it is missing (mnist, fashion-mnist, cifar10; needs internet)")
    r.add_argument("--no-progress", action="store_true", help="hide progress bars")
    d = sub.add_parser("doctor", help="check Python, packages against the pins, device, caches and Chromium",
                       description="Check this environment for the series; every problem is printed with its fix.")
    d.add_argument("--root", default="data", help="dataset and model-cache root folder")
    return p


def _fmt_spread(xs: list[float], fmt: str) -> str:
    return fmt.format(xs[0]) if len(xs) == 1 else f"{fmt.format(statistics.mean(xs))} ± {fmt.format(statistics.stdev(xs))}"


def replicate(args) -> dict:
    out = Path(args.out)
    names = ["teacher.pt", "student_scratch.pt", "student_distilled.pt", "results.json"]
    clash = [n for n in names if (out / n).exists()]
    if clash and not args.overwrite:
        raise SystemExit(f"error: {out}/ already holds {', '.join(clash)}; pass --overwrite to replace "
                         f"them or choose another --out")
    if args.seeds < 1:
        raise SystemExit("error: --seeds must be at least 1")
    ctx = distributed.current(resolve_device(args.device))  # under torchrun: joins the process group
    device, main_rank = ctx.device, distributed.is_main()
    bf16 = {"auto": None, "on": True, "off": False}[args.bf16]
    train, test = load_dataset(args.dataset, args.root, download=args.download)
    progress = not args.no_progress and main_rank
    say = print if main_rank else (lambda *a, **k: None)
    say(f"dataset {args.dataset}: {len(train)} train / {len(test)} test, device {describe_device(device)}"
        + (f", {ctx.world} processes, backend {ctx.backend}" if ctx.active else ""), flush=True)

    # The same recipes the notebooks use (get_teacher / get_student), always retrained here; the fresh
    # models also refresh the cache under --root.
    t0 = time.perf_counter()
    teacher = get_teacher(args.dataset, args.root, epochs=args.teacher_epochs, lr=args.lr,
                          batch_size=args.batch_size, device=device, progress=progress, retrain=True,
                          bf16=bf16)
    teacher_hist = teacher.history
    rows = {"teacher": [{**evaluate_model(teacher, test), "train_s": time.perf_counter() - t0, "seed": 0}]}
    t_logits = predict_logits(teacher, test.tensors[0])
    rows["student_scratch"], rows["student_distilled"] = [], []
    models = {}
    for seed in range(args.seeds):
        for kind in ("scratch", "distilled"):
            t0 = time.perf_counter()
            student = get_student(kind, args.dataset, args.root, hidden=tuple(args.hidden), T=args.T,
                                  alpha=args.alpha, epochs=args.epochs, lr=args.lr, batch_size=args.batch_size,
                                  seed=seed, teacher=teacher, device=device, progress=progress, retrain=True,
                                  bf16=bf16)
            rows[f"student_{kind}"].append({**evaluate_model(student, test, t_logits),
                                            "train_s": time.perf_counter() - t0, "seed": seed,
                                            "history": student.history})
            if seed == 0:
                models[f"student_{kind}"] = student
    if not main_rank:  # every rank trained the same models; only rank 0 writes and prints
        return {"runs": rows}
    out.mkdir(parents=True, exist_ok=True)
    meta = {"dataset": args.dataset, "T": args.T, "alpha": args.alpha}
    save_model(teacher, out / "teacher.pt", {**meta, "history": teacher_hist}, overwrite=args.overwrite)
    for kind, model in models.items():
        save_model(model, out / f"{kind}.pt", {**meta, "seed": 0}, overwrite=args.overwrite)
    results = {"config": {k: v for k, v in vars(args).items() if k != "command"},
               "machine": {"python": platform.python_version(), "torch": torch.__version__,
                           "threads": torch.get_num_threads(), "device": describe_device(device),
                           "world_size": ctx.world},
               "paper_errors_on_10k": PAPER, "runs": rows}
    tmp = out / ".results.json.tmp"
    tmp.write_text(json.dumps(results, indent=2))
    tmp.replace(out / "results.json")
    _print_table(rows, len(test))
    print(f"\nwrote {out}/teacher.pt, student_scratch.pt, student_distilled.pt (seed 0) and results.json")
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
              f"{rs[0]['params']:>11,}{statistics.mean(secs):>10.1f}{PAPER[kind]:>18}")


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "replicate":
            replicate(args)
        elif args.command == "doctor":
            from .doctor import doctor
            return doctor(args.root)
    except (FileNotFoundError, ValueError, RuntimeError, ImportError) as e:
        # a missing dataset, a bad hyperparameter, no CUDA: one clear line, not a traceback
        where = f" (rank {os.environ['RANK']} of {os.environ['WORLD_SIZE']})" if distributed.launched_by_torchrun() else ""
        print(f"error{where}: {e}", file=sys.stderr)
        return 2
    finally:
        distributed.shutdown()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
