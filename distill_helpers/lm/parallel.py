"""Many students at once: those the cache lacks trained in separate Python processes, one thread each.

The models are the same as one `get_lm_student` call each (every student is seeded and cached by its own
config); the teacher's shared data (its logits on the training text, its corpus) are computed once, here.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import torch

from ..cache import adopt, provenance, resolve_root
from ..infra.checks import check_int
from ..infra.room import refuse_training
from .cached import get_lm_student, shared_data_of, student_is_cached, student_keywords, teacher_data
from .language import DATA
from .model import CharTransformer

__all__ = ["get_lm_students"]

#: rough relative cost of one student by method (for sharing the work out between processes)
_COST = {"onpolicy": 3.0, "onpolicy_forward": 3.0, "seq": 1.5}


def _worker_main(path: str) -> None:
    """A worker process: train (or find) each student of the job file `path`, writing the cache."""
    job = torch.load(path, weights_only=False)
    teacher = adopt(job["teacher"], job["digest"])
    for spec in job["specs"]:
        shared = {k: v for k, v in job["shared"].items() if k in _shares(spec)}
        get_lm_student(teacher=teacher, root=job["root"], shared=shared, **student_keywords(spec))


def _shares(spec: dict) -> tuple[str, ...]:
    """Which of the teacher's data (its logits on the training text, its corpus) a student spec uses."""
    if spec.get("data") not in (None, DATA):
        return ()  # other data: the student computes its own
    return shared_data_of(spec["method"])


def _train_in_processes(specs: list[dict], teacher: CharTransformer, root, workers: int) -> None:
    """Train the students of `specs` in `workers` Python processes, longest first (greedy), then wait."""
    needed = {what for s in specs for what in _shares(s)}
    shared = {what: teacher_data(what, teacher) for what in ("teacher_logits", "corpus") if what in needed}
    parts, loads = [[] for _ in range(workers)], [0.0] * workers
    for spec in sorted(specs, key=lambda s: -_COST.get(s["method"], 1.0)):
        i = loads.index(min(loads))
        parts[i].append(spec)
        loads[i] += _COST.get(spec["method"], 1.0)
    env = dict(os.environ)  # the package importable in the children however this process found it
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[2])] + [p for p in [env.get("PYTHONPATH")] if p])
    code = "import sys; from distill_helpers.lm.parallel import _worker_main; _worker_main(sys.argv[1])"
    with tempfile.TemporaryDirectory(prefix="distill-lm-") as tmp:
        procs = []
        try:
            for i, part in enumerate(p for p in parts if p):
                path = Path(tmp) / f"job{i}.pt"
                torch.save({"teacher": teacher, "digest": provenance(teacher), "root": str(resolve_root(root)),
                            "specs": part, "shared": shared}, path)
                procs.append(subprocess.Popen([sys.executable, "-c", code, str(path)], env=env,
                                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
            errors = [(p, p.communicate()[1]) for p in procs]
        finally:
            for p in procs:  # an interrupt (Ctrl-C, a kernel stop) stops the children too
                if p.poll() is None:
                    p.kill()
    for p, err in errors:
        if p.returncode != 0:
            raise RuntimeError(f"a worker process training language-model students failed (exit {p.returncode}):\n"
                               + "\n".join(err.strip().splitlines()[-15:]))
        if err.strip():
            sys.stderr.write(err)  # its warnings (a damaged cache entry retrained, ...)


def get_lm_students(specs: list[dict], teacher: CharTransformer, root=None, *, workers: int | None = None
                    ) -> list[CharTransformer]:
    """One get_lm_student(teacher=teacher, root=root, ...) for each dict in `specs`: a method, and any
    LMRecipe field (seed, lr, T, steps, ...) changed from STUDENT_RECIPE, or arch, data, retrain.

    Each student trains on one thread (see `threads.single_thread`), so the students the cache lacks are
    trained `workers` at a time in separate Python processes (default: one per available CPU core, at most 4;
    workers=1 trains them here, one after the other). The models are the same as the serial calls': each
    is seeded and cached by its own config; the teacher's logits and corpus are computed once, here.
    """
    if not isinstance(specs, (list, tuple)):
        raise ValueError("specs must be a list of dicts of get_lm_student keywords, each with a 'method'")
    calls = [student_keywords(s) for s in specs]  # every spec checked before any work
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    workers = min(4, cores) if workers is None else check_int(workers, "workers", 1)
    missing = list({json.dumps(s, sort_keys=True, default=str): s for s in specs
                    if not student_is_cached(s, teacher, root)}.values())  # each config once
    if workers > 1 and len(missing) > 1:
        refuse_training(f"get_lm_students ({len(missing)} students)")  # before any process starts
        _train_in_processes(missing, teacher, root, min(workers, len(missing)))
    return [get_lm_student(teacher=teacher, root=root, **kw) for kw in calls]
