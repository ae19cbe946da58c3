"""A non-editable install ships the whole package: the wheel holds every module, exercises/ included.

The wheel is built from a copy of the package (so the working tree gets no build/ or egg-info folders)
with pip and the installed setuptools, offline: `pip wheel --no-deps --no-build-isolation`.
"""
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "distill_helpers"


def _source_copy(dest: Path, pyproject: str | None = None) -> Path:
    """pyproject.toml and distill_helpers/ copied to dest (optionally with another pyproject text)."""
    dest.mkdir()
    (dest / "pyproject.toml").write_text(pyproject if pyproject is not None else (ROOT / "pyproject.toml").read_text())
    shutil.copytree(PKG, dest / "distill_helpers", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def build_wheel(src: Path, out: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "-q", "-w", str(out), str(src)], check=True, capture_output=True, text=True)
    (wheel,) = out.glob("distill_helpers-*.whl")
    return wheel


def missing_from_wheel(wheel: Path, package: Path = PKG) -> list[str]:
    """Every .py file (and recorded experiment, records/*.json) under the package folder that the wheel does not
    contain, as a sorted list of paths."""
    files = [*package.rglob("*.py"), *package.glob("records/*.json")]
    wanted = {p.relative_to(package.parent).as_posix() for p in files if "__pycache__" not in p.parts}
    with zipfile.ZipFile(wheel) as z:
        shipped = set(z.namelist())
    return sorted(wanted - shipped)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    return build_wheel(_source_copy(tmp / "src"), tmp / "dist")


def test_the_wheel_holds_every_module_of_the_package(wheel):
    assert list(PKG.glob("exercises/nb*.py")) and (PKG / "lm" / "train.py").exists(), \
        "the exercise modules or the language-model wing moved: update this test"
    assert missing_from_wheel(wheel) == []
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    for wing in ("infra", "scale", "teaching", "classroom"):  # each wing's package and its modules
        assert f"distill_helpers/{wing}/__init__.py" in names
        assert {f"distill_helpers/{wing}/{p.name}" for p in (PKG / wing).glob("*.py")} <= names


def test_the_wheel_holds_the_chinese_font_and_its_licence(wheel):
    # package data, not a .py file: without [tool.setuptools.package-data] the zh figures lose their glyphs
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        licence = z.read("distill_helpers/assets/OFL.txt").decode("utf-8") if "distill_helpers/assets/OFL.txt" in names else ""
    assert "distill_helpers/assets/NotoSansSC-Regular.otf" in names
    assert "SIL Open Font License" in licence


def test_the_file_list_check_catches_a_package_list_without_subpackages(tmp_path):
    # the configuration before package discovery: only the top-level package, so exercises/ was left out
    old = (ROOT / "pyproject.toml").read_text().split("[tool.setuptools.packages.find]")[0] \
        + '[tool.setuptools]\npackages = ["distill_helpers"]\n'
    wheel = build_wheel(_source_copy(tmp_path / "src", old), tmp_path / "dist")
    missing = missing_from_wheel(wheel)
    assert "distill_helpers/exercises/__init__.py" in missing and "distill_helpers/exercises/nb01.py" in missing


def test_a_fresh_virtual_environment_with_pip_install_dot_imports_the_exercises(tmp_path):
    """`pip install .` (not editable) into a new venv; torch and the rest come from the system site-packages.

    --without-pip: the venv then runs this interpreter's pip and setuptools (through the system
    site-packages) instead of the older setuptools that `venv` bundles, so the build works offline.
    """
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    src = _source_copy(tmp_path / "src")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index", "-q",
                    str(src)], check=True, capture_output=True, text=True)
    shutil.rmtree(src)  # the installed copy must stand on its own
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = ("import distill_helpers, distill_helpers.exercises as ex; from distill_helpers.exercises import check; "
             "import distill_helpers.infra.safeio as s, distill_helpers.safeio as old; assert s is old; "
             "print(ex.__file__); print(len(ex.all_exercises()))")
    done = subprocess.run([str(python), "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    location = Path(done.stdout.splitlines()[0]).resolve()
    assert venv.resolve() in location.parents, f"imported {location}, not the copy installed in the venv"
    assert int(done.stdout.splitlines()[1]) > 0  # every exercises/nbNN.py module loaded from the install
    _execute_notebook_01_with(python, tmp_path, env)


def _execute_notebook_01_with(python: Path, tmp_path: Path, env: dict) -> None:
    """Run notebook 01 top to bottom on a kernel of the venv's interpreter (a kernelspec of its own, first on
    JUPYTER_PATH), from a folder outside the repository, on the repository's data root (warm after the other
    tests, cold on a fresh clone: then it trains what 01 needs, into the cache nbval reuses). A first cell added
    here prints where distill_helpers was imported from: the venv's copy, not the checkout."""
    import json

    import nbformat
    from nbclient import NotebookClient
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": [str(python), "-m", "ipykernel_launcher", "-f",
                                                           "{connection_file}"],
                                                  "display_name": "venv", "language": "python"}))
    nb = nbformat.read(ROOT / "notebooks" / "01_concepts.ipynb", as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell("import distill_helpers, sys\n"
                                                 "print(distill_helpers.__file__); print(sys.executable)"))
    work = tmp_path / "run"
    work.mkdir()
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update({**env, "JUPYTER_PATH": str(tmp_path / "jupyter"), "DISTILL_DATA": str(ROOT / "data"),
                       "MPLBACKEND": "Agg"})
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(work)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    where, executable = nb.cells[0].outputs[0]["text"].split()
    assert tmp_path.resolve() in Path(where).resolve().parents, f"the kernel imported {where}"
    assert Path(executable).parent.parent == python.parent.parent
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors == [] and len(nb.cells) > 10
