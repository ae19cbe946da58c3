"""Which asserted conclusions of the notebooks change when every experiment is retrained with other seeds?

A maintainer's check, not part of CI. CI retrains the notebooks on a fresh clone, and another CPU changes
training at float level; an assert that states a conclusion must therefore hold for any reasonable
retraining, i.e. state only what its interval supports. This script is a stand-in for another machine: it
runs each notebook's code twice,

1. as committed (seed offset 0, the repository's data/ caches, so usually warm), and
2. with DISTILL_SEED_OFFSET set (every training seed shifted, teacher included; see
   `distill_helpers.train.seed_offset`), in a temporary copy whose data/ directory starts empty, so
   nothing cached at offset 0 is reused and nothing in the repository is written,

with every `assert` turned into a recorder (the run goes on after a failing one), and prints every
asserted conclusion, marking those whose outcome differs between the two runs.

    python tools/seed_offset_check.py 05 06            # offset 1000 (the default)
    python tools/seed_offset_check.py --offset 7 05    # another offset
    python tools/seed_offset_check.py                  # every notebook (slow: everything retrains cold)
    python tools/seed_offset_check.py --data /tmp/off 05   # keep the offset run's caches there, for a rerun
    python tools/seed_offset_check.py --same-teacher 05    # retrain the students only (the teacher takes long)

Exit status 1 if any asserted conclusion changes or a run fails, else 0.
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from build_notebooks import parse  # noqa: E402  (the notebooks' source format)

SRC = ROOT / "notebooks" / "src"


class _Recorder(ast.NodeTransformer):
    """`assert test, msg` -> `__record__(test, msg, cell, line)`: recorded, and the run goes on."""

    def __init__(self, cell: int):
        self.cell = cell

    def visit_Assert(self, node: ast.Assert):
        call = ast.Call(func=ast.Name("__record__", ast.Load()),
                        args=[node.test, node.msg or ast.Constant(None), ast.Constant(self.cell),
                              ast.Constant(node.lineno)], keywords=[])
        return ast.copy_location(ast.Expr(call), node)


def _code_cells(src_path: Path) -> list[str]:
    return [text for kind, text in parse(src_path.read_text()) if kind == "code"]


def worker(src_path: Path, out_path: Path) -> None:
    """Run the notebook's code cells in this process (cwd: a notebooks/ folder), recording each assert."""
    records, counts = [], {}

    def record(ok, msg, cell, line):
        k = counts[(cell, line)] = counts.get((cell, line), 0) + 1
        records.append({"cell": cell, "line": line, "occurrence": k, "ok": bool(ok), "message": msg})

    namespace = {"__name__": "__main__", "__record__": record}
    for i, text in enumerate(_code_cells(src_path)):
        lines = ["" if ln.lstrip().startswith("%") else ln for ln in text.splitlines()]  # magics; keep line numbers
        tree = ast.fix_missing_locations(_Recorder(i).visit(ast.parse("\n".join(lines))))
        try:
            exec(compile(tree, f"{src_path.name}, code cell {i}", "exec"), namespace)
        except Exception as e:  # noqa: BLE001  reported, and the remaining cells cannot run
            records.append({"cell": i, "line": 0, "occurrence": 1, "ok": False,
                            "message": f"the cell raised {type(e).__name__}: {e}"})
            break
    out_path.write_text(json.dumps(records))


def _run(src_path: Path, workdir: Path, offset: int, out_path: Path) -> list[dict]:
    env = {**os.environ, "DISTILL_SEED_OFFSET": str(offset), "MPLBACKEND": "Agg", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, __file__, "--worker", str(src_path), str(out_path)], cwd=workdir, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0 or not out_path.exists():
        return [{"cell": -1, "line": 0, "occurrence": 1, "ok": False,
                 "message": f"the run failed: {proc.stderr.strip().splitlines()[-1:] or proc.returncode}"}]
    return json.loads(out_path.read_text())


def compare(name: str, base: list[dict], other: list[dict], offset: int) -> int:
    """Print every asserted conclusion with both outcomes; return how many changed."""
    key = lambda r: (r["cell"], r["line"], r["occurrence"])  # noqa: E731
    b, o = {key(r): r for r in base}, {key(r): r for r in other}
    changed = 0
    print(f"\n{name}: {len(b)} asserted conclusions (offset 0 | offset {offset})")
    for k in sorted(set(b) | set(o)):
        rb, ro = b.get(k), o.get(k)
        sb = "-" if rb is None else ("holds" if rb["ok"] else "FAILS")
        so = "-" if ro is None else ("holds" if ro["ok"] else "FAILS")
        mark = "  " if sb == so else "!!"
        changed += sb != so
        msg = (rb or ro)["message"] or "(no message)"
        print(f" {mark} cell {k[0]:>2} line {k[1]:>2}{f' #{k[2]}' if k[2] > 1 else '':<4} {sb:>6} | {so:<6} {msg}")
    print(f"{name}: {changed} asserted conclusion(s) change with the seed offset")
    return changed


def main(argv: list[str]) -> int:
    if argv[:1] == ["--worker"]:  # one run: python seed_offset_check.py --worker SOURCE OUT.json (cwd: notebooks/)
        worker(Path(argv[1]), Path(argv[2]))
        return 0
    if argv[:1] == ["--compare"]:  # two finished runs: --compare NAME BASE.json OFFSET.json OFFSET
        return 1 if compare(argv[1], json.loads(Path(argv[2]).read_text()), json.loads(Path(argv[3]).read_text()),
                            int(argv[4])) else 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("notebooks", nargs="*", help="two-digit numbers (default: all)")
    ap.add_argument("--offset", type=int, default=1000, help="the seed offset of the second run (default 1000)")
    ap.add_argument("--data", type=Path, default=None,
                    help="a directory for the offset run's copy (its data/ caches are kept there for a rerun; "
                         "default: a temporary directory, removed at the end). Never the repository itself.")
    ap.add_argument("--same-teacher", action="store_true",
                    help="copy the repository's cached teachers into the offset run, so that only the students "
                         "retrain (a weaker check: on another machine the teacher changes too)")
    args = ap.parse_args(argv)
    if args.offset == 0:
        ap.error("--offset 0 would compare a run with itself: give another whole number")
    sources = sorted(SRC.glob("[0-9][0-9]_*.nb.txt"))
    if args.notebooks:
        sources = [s for s in sources if s.name[:2] in args.notebooks]
        missing = set(args.notebooks) - {s.name[:2] for s in sources}
        if missing:
            ap.error(f"no notebook source for {sorted(missing)} in {SRC}")
    total = 0
    with tempfile.TemporaryDirectory(prefix="seed-offset-") as tmp:
        copy = Path(tmp) if args.data is None else args.data.resolve()
        if copy == ROOT or ROOT in copy.parents:
            ap.error(f"--data {copy} lies inside the repository: the offset run must not share its caches")
        (copy / "notebooks").mkdir(parents=True, exist_ok=True)
        (copy / "data").mkdir(exist_ok=True)  # empty at first: every experiment retrains at the offset
        if args.same_teacher:
            (copy / "data" / "cache").mkdir(exist_ok=True)
            for f in (ROOT / "data" / "cache").glob("*teacher-*.pt"):
                shutil.copy(f, copy / "data" / "cache" / f.name)
        for src in sources:
            base = _run(src, ROOT / "notebooks", 0, copy / f"{src.name}.base.json")
            other = _run(src, copy / "notebooks", args.offset, copy / f"{src.name}.offset.json")
            total += compare(src.name.split(".")[0], base, other, args.offset)
    print(f"\nin all: {total} asserted conclusion(s) change with seed offset {args.offset}")
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
