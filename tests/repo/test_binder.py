"""binder/ as repo2docker reads it: the Dockerfile it generates, without building (no Docker daemon needed).

requirements.txt installs repo2docker (its tests section), so the README's test command runs this test;
`.ci/run` sets DISTILL_REQUIRE_REPO2DOCKER=1, so that CI fails instead of skipping when it is missing.
"""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _repo2docker() -> str:
    exe = shutil.which("repo2docker") or str(Path(sys.executable).with_name("repo2docker"))
    if not Path(exe).exists():
        if os.environ.get("DISTILL_REQUIRE_REPO2DOCKER") == "1":
            pytest.fail("repo2docker is required here: pip install -r requirements.txt (it pins jupyter-repo2docker)")
        pytest.skip("repo2docker is not installed: pip install -r requirements.txt (it pins jupyter-repo2docker)")
    return exe


def test_repo2docker_builds_the_prepared_room_from_binder():
    r = subprocess.run([_repo2docker(), "--no-build", "--no-run", "--debug", str(ROOT)], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    dockerfile, log = r.stdout, r.stderr
    assert "python=3.11" in log, "binder/runtime.txt (python-3.11) was not picked up"
    steps = [ln for ln in dockerfile.splitlines() if ln.startswith(("COPY", "RUN"))]

    def first(pattern: str) -> int:
        hits = [i for i, ln in enumerate(steps) if re.search(pattern, ln)]
        assert hits, f"no Dockerfile step matches {pattern!r}"
        return hits[0]

    copy_repo = first(r"^COPY .*\bsrc/ \$\{REPO_DIR\}/$")
    pip = first(r"pip install .*-r \"?binder/requirements\.txt")
    post = first(r"^RUN \./binder/postBuild$")
    # the whole repository is in place before pip installs it (`-e .` and `./jupyter` in the pins), and
    # postBuild (`prepare`) runs after the install, as the notebook user
    assert copy_repo < pip < post
