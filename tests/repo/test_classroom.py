"""The classroom edition: nbgrader source notebooks built from the same sources as the self-study series.

In a temporary course directory, for every notebook: `nbgrader generate_assignment` succeeds and the
released copy holds no solution text; the released copy, autograded untouched, runs top to bottom with no
error outside its checks, which say "not answered yet"; `nbgrader autograde` gives the instructor's source full marks, the untouched
release zero, and a plausible wrong answer exactly one point less than full marks.

The course runs in a prepared room: `python -m distill_helpers prepare` first, then every execution here
(each autograded submission, which holds all of a notebook's code) runs with
DISTILL_NO_TRAINING=1, so any training outside a cache (see distill_helpers/infra/room.py) fails the test: after
`prepare`, the whole series runs here three times (instructor, untouched release, one wrong answer) and trains
nothing.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import committed_text  # the notebooks as committed, not a learner's saved copies

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks as bn  # noqa: E402

SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]_*.nb.txt"))
WITH_EXERCISES = [s for s in SOURCES if bn.exercise_cells(s)]
CLASSROOM = ROOT / "classroom"
# the Chinese classroom edition (classroom/zh/, a course directory of its own): every notebook with a translation
ZH_WITH_EXERCISES = [s for s in WITH_EXERCISES if bn.zh_source(s).exists()]
CJK = re.compile(r"[\u3400-\u9fff]")
NOT_ANSWERED = {"en": "not answered yet", "zh": "尚未作答"}  # the checker's words in each language (i18n_zh.py)

# Notebooks whose checks are old style (not in the exercise registry yet): one mistake a learner plausibly
# makes, per notebook, as (exercise key, code for its answer cell). Registered exercises bring their own.
WRONG = {
    "01": ("01.1", "answer_1 = 784 * 800 + 800 * 800 + 800 * 10  # weights only, biases forgotten"),
    "02": ("02.1", "def my_log_softmax_T(z, T):\n    e = torch.exp(z / T)  # no max shift: overflows\n"
                   "    return torch.log(e / e.sum(-1, keepdim=True))"),
    "03": ("03.1", "answer_1 = 0.5 * math.log2(0.5 / 0.25) + 0.25 * math.log2(0.25 / 0.5)  # bits, not nats"),
    "04": ("04.1", "answer_1 = 4000 // 64  # the last, partial batch forgotten"),
    "05": ("05.3", "answer_3 = True  # one seed taken at its word"),
    "06": ("06.1", "answer_1 = (before[2], before[1])  # errors instead of correct answers"),
}


def _name(src: Path) -> str:
    return src.name.replace(".nb.txt", "")


def _sources_text(nb) -> str:
    return "\n".join(c.source for c in nb.cells)


# ---------------------------------------------------------------- the builder, without nbgrader

def test_split_solution_on_a_hand_written_cell():
    cell = "answer_1 = None  # your number\n### BEGIN SOLUTION\nanswer_1 = 42\n### END SOLUTION\ncheck('exercise 1', answer_1, 42)"
    answer, check, solution = bn.split_solution(cell)
    assert answer == "answer_1 = None  # your number\n### BEGIN SOLUTION\nanswer_1 = 42\n### END SOLUTION"
    assert check == "check('exercise 1', answer_1, 42)" and solution == "answer_1 = 42"
    assert bn.strip_solution(cell) == "answer_1 = None  # your number\ncheck('exercise 1', answer_1, 42)"
    assert bn.split_solution("x = 1\nprint(x)") is None and bn.strip_solution("x = 1") == "x = 1"
    for bad in ("a = None\n### BEGIN SOLUTION\na = 1\ncheck(a)",                      # no END
                "a = None\n### END SOLUTION\na = 1\n### BEGIN SOLUTION\ncheck(a)",     # reversed
                "a = None\n### BEGIN SOLUTION\na = 1\n### END SOLUTION\n",             # no check
                "a = None\n### BEGIN SOLUTION\n\n### END SOLUTION\ncheck(a)"):         # empty solution
        with pytest.raises(bn.SourceError):
            bn.split_solution(bad)


def test_slide_types_follow_the_headings(tmp_path):
    src = tmp_path / "99_demo.nb.txt"
    src.write_text("%% md\n# Title\ntext\n%% code\nx = 1\n%% md\n## 1. Section\n%% md\n### a detail\n"
                   "%% md\n**1.** An exercise\n%% code\nanswer_1 = None\n### BEGIN SOLUTION\nanswer_1 = 1\n"
                   "### END SOLUTION\ncheck(\"99.1\", answer_1)\n%% md\n<details><summary>Solutions"
                   "</summary>\n1. one\n</details>\n%% md notes\nspeaker note\n")
    nb = bn.build(src)
    assert [c.metadata.get("slideshow", {}).get("slide_type", "-") for c in nb.cells] == \
        ["slide", "-", "slide", "subslide", "subslide", "-", "skip", "notes"]
    assert nb.cells[5].source == "answer_1 = None\ncheck(\"99.1\", answer_1)"
    room = bn.build_classroom(src)
    kinds = [(c.cell_type, c.metadata["nbgrader"]["solution"], c.metadata["nbgrader"]["grade"],
              c.metadata["nbgrader"]["locked"], c.metadata["nbgrader"].get("points")) for c in room.cells]
    assert kinds == [("markdown", False, False, True, None), ("code", False, False, True, None),
                     ("markdown", False, False, True, None), ("markdown", False, False, True, None),
                     ("markdown", False, False, True, None), ("code", True, False, False, None),
                     ("code", False, True, True, 1), ("markdown", False, False, True, None)]
    assert "Solutions" not in _sources_text(room)  # the folded answers stay with the instructor
    ids = [c.metadata["nbgrader"]["grade_id"] for c in room.cells]
    assert len(set(ids)) == len(ids)


def test_metadata_fast_path_refuses_changed_sources(tmp_path):
    src = tmp_path / "99_demo.nb.txt"
    src.write_text("%% md\n# Title\n%% code\nx = 1\n")
    out = tmp_path / "99_demo.ipynb"
    nb = bn.build(src)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="kept\n")]
    nb.cells[1].metadata = {"tags": ["kept"]}
    nbformat.write(nb, out)
    src.write_text("%% md slide\n# Title\n%% code fragment\nx = 1\n")  # new slide types, same sources
    bn.refresh_metadata(src, out)
    again = nbformat.read(out, as_version=4)
    assert again.cells[1].metadata == {"tags": ["kept"], "slideshow": {"slide_type": "fragment"}}
    src.write_text("%% md slide\n# Title\n%% code\nx = 1\n")  # back to '-': the key goes away
    bn.refresh_metadata(src, out)
    assert nbformat.read(out, as_version=4).cells[1].metadata == {"tags": ["kept"]}
    assert again.cells[1].outputs[0].text == "kept\n"
    src.write_text("%% md\n# Title\n%% code\nx = 2\n")
    with pytest.raises(bn.SourceError, match="Rebuild with"):
        bn.refresh_metadata(src, out)


@pytest.mark.parametrize("src", SOURCES, ids=_name)
def test_committed_metadata_in_sync(src):
    """Slide metadata of the committed self-study notebook equals what the builder writes now."""
    committed = nbformat.reads(committed_text(ROOT / "notebooks" / f"{_name(src)}.ipynb"), as_version=4)
    built = bn.build(src)
    assert [c.metadata.get("slideshow") for c in committed.cells] == [c.metadata.get("slideshow") for c in built.cells], \
        f"refresh with: python tools/build_notebooks.py --metadata-only {src.name[:2]}"
    assert "rise" not in committed.metadata


@pytest.mark.parametrize("src", WITH_EXERCISES, ids=_name)
def test_classroom_edition_committed_and_in_sync(src):
    built = bn.build_classroom(src)  # raises SourceError, naming the fix, for an exercise without a solution
    path = CLASSROOM / "source" / _name(src) / f"{_name(src)}.ipynb"
    assert path.exists(), f"build it with: python tools/build_notebooks.py --metadata-only {src.name[:2]}"
    committed = nbformat.reads(committed_text(path), as_version=4)
    assert [(c.source, c.metadata) for c in committed.cells] == [(c.source, c.metadata) for c in built.cells], \
        f"refresh with: python tools/build_notebooks.py --metadata-only {src.name[:2]}"
    # the same cells as the self-study edition, less the folded solutions, with each exercise split in two
    self_study = bn.build(src)
    keys = [k for k, _ in bn.exercise_cells(src)]
    assert len([c for c in built.cells if c.metadata["nbgrader"]["solution"]]) == len(keys)
    assert sum(c.metadata["nbgrader"].get("points", 0) for c in built.cells) == len(keys)
    only_folded = [c for c in self_study.cells if bn.FOLDED_SOLUTIONS.match(c.source)
                   and not re.sub(r"^\s*<details>.*?</details>\s*", "", c.source, flags=re.DOTALL).strip()]
    assert len(built.cells) == len(self_study.cells) + len(keys) - len(only_folded)


def test_checker_raises_only_under_nbgrader(monkeypatch, capsys):
    from distill_helpers.exercises import check, get
    right = get("01.1").solution()  # an exact count
    log_softmax_T = get("02.1")  # a function exercise
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    assert check("01.1", None) is False and check("01.1", right - 10) is False
    assert check("02.1", None) is False
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert check("01.1", right) is True
    for answer in (None, right - 10, "x"):
        with pytest.raises(AssertionError, match="graded"):
            check("01.1", answer)
    for fn in (None, next(iter(log_softmax_T.wrong.values()))()):
        with pytest.raises(AssertionError, match="graded"):
            check("02.1", fn)
    assert check("02.1", log_softmax_T.solution())
    assert f"{right:,}" not in capsys.readouterr().out


# ---------------------------------------------------------------- nbgrader in a temporary course directory

def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NBGRADER_")}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    env["DISTILL_DATA"] = str(ROOT / "data")  # the course's shared dataset and model cache
    env["MPLBACKEND"] = "Agg"
    env["DISTILL_NO_TRAINING"] = "1"  # after `prepare`, no cached recipe may train
    return env


def _nbgrader(course: Path, *args: str) -> str:
    r = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=_env(), capture_output=True,
                       text=True, timeout=1800)
    assert r.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{r.stdout[-3000:]}\n{r.stderr[-5000:]}"
    return r.stdout + r.stderr


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    pytest.importorskip("nbgrader", reason="nbgrader is pinned in requirements.txt: pip install -r requirements.txt")
    env = {**_env(), "DISTILL_NO_TRAINING": "0"}
    r = subprocess.run([sys.executable, "-m", "distill_helpers", "prepare", "--root", str(ROOT / "data"),
                        "--no-progress"], env=env, capture_output=True, text=True, timeout=3600)
    assert r.returncode == 0 and "models ready" in r.stdout, r.stdout + r.stderr
    course = tmp_path_factory.mktemp("course")
    shutil.copy(CLASSROOM / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(CLASSROOM / "source", course / "source")
    return course


def _split_solution_blocks(source_nb) -> tuple[list[str], str]:
    """(the lines inside solution blocks, the text of everything else) of an instructor's source notebook."""
    inside, outside = [], []
    for c in source_nb.cells:
        block = False
        for ln in c.source.split("\n"):
            if ln.strip() == bn.BEGIN:
                block = True
            elif ln.strip() == bn.END:
                block = False
            else:
                (inside if block else outside).append(ln.strip())
    return inside, "\n".join(outside)


def _solution_lines(source_nb) -> list[str]:
    """Lines that only the solution blocks contain."""
    inside, rest = _split_solution_blocks(source_nb)
    return [ln for ln in inside if len(ln) >= 8 and ln not in rest]


def _folded_solution_lines(src: Path, source_nb) -> list[str]:
    """Lines of the .nb.txt's folded solutions that the exercises themselves do not give (a solution may repeat
    a signature that the question states: that line is no secret)."""
    cells = [t for k, t, _ in bn.parse_cells(src.read_text()) if k == "md" and bn.FOLDED_SOLUTIONS.match(t)]
    folded = [t.split("</details>")[0] for t in cells]
    rest = _split_solution_blocks(source_nb)[1]
    return [ln.strip() for t in folded for ln in t.split("\n") if len(ln.strip()) >= 25 and ln.strip() not in rest]


def _score(course: Path, name: str, student: str) -> tuple[float, float]:
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        sub = gb.find_submission_notebook(name, name, student)
        return sub.score, sub.max_score


DEMO = """%% md
# 99 · A two-exercise demo
%% code
import torch
from distill_helpers.exercises import Compare, check, register
x = torch.arange(4.0)
register("99.1", "sum", reference=lambda: 6.0, solution=lambda: 6.0, wrong={"the mean": lambda: 1.5})
register("99.2", "four entries", compare=Compare("exact"), reference=lambda: True, solution=lambda: True,
         wrong={"false": lambda: False})
%% md
## Exercises
**1.** The sum of `x`.
%% code
answer_1 = None  # a number
### BEGIN SOLUTION
answer_1 = x.sum().item()
### END SOLUTION
check("99.1", answer_1);
%% md
**2.** True or false: `x` has four entries.
%% code
answer_2 = None  # True or False
### BEGIN SOLUTION
answer_2 = len(x) == 4
### END SOLUTION
check("99.2", answer_2);
%% md
<details><summary>Solutions (try first!)</summary>

1. Add them up: `x.sum()` gives the total.
2. `len(x) == 4` holds.
</details>
"""


def test_nbgrader_pipeline_on_a_small_notebook(tmp_path):
    """The whole pipeline in seconds, on a notebook that needs no trained model."""
    pytest.importorskip("nbgrader", reason="nbgrader is pinned in requirements.txt: pip install -r requirements.txt")
    src = tmp_path / "99_demo.nb.txt"
    src.write_text(DEMO)
    course = tmp_path / "course"
    (course / "source" / "99_demo").mkdir(parents=True)
    shutil.copy(CLASSROOM / "nbgrader_config.py", course / "nbgrader_config.py")
    nbformat.write(bn.build_classroom(src), course / "source" / "99_demo" / "99_demo.ipynb")
    _release_and_grade(course, src, ("99.1", "answer_1 = x.mean().item()  # the mean, not the sum"))


# Every notebook of the series, in a prepared room (the `course` fixture ran `prepare`, and every execution
# here runs with DISTILL_NO_TRAINING=1): autograde executes each notebook three times (instructor, untouched
# release, one wrong answer), which together run the whole series three times without training a model.
@pytest.mark.parametrize("src", WITH_EXERCISES, ids=_name)
def test_nbgrader_release_and_autograde(course, src):
    _release_and_grade(course, src, _wrong_answer(src))


def _release_and_grade(course: Path, src: Path, wrong_answer: tuple[str, str], lang: str = "en"):
    name = _name(src)
    _nbgrader(course, "generate_assignment", name, "--force")
    source_nb = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
    release_path = course / "release" / name / f"{name}.ipynb"
    release = nbformat.read(release_path, as_version=4)

    # 1. no solution text in the students' copy
    text = _sources_text(release)
    secrets_ = _solution_lines(source_nb) + _folded_solution_lines(src, source_nb)
    if lang == "zh":
        secrets_ += _zh_folded_solution_lines(src, source_nb)
        assert "答案（先自己试试" not in text
    assert len(_solution_lines(source_nb)) >= len(bn.exercise_cells(src)), "every exercise has a distinctive line"
    leaked = [ln for ln in secrets_ if ln in text]
    assert not leaked, f"solution text in the released copy: {leaked}"
    assert bn.BEGIN not in text and "Solutions (try first" not in text

    # 2. autograde: the source scores full marks, the untouched release zero, one wrong answer one point less
    wrong = nbformat.read(course / "source" / name / f"{name}.ipynb", as_version=4)
    answers = {c.metadata["nbgrader"]["grade_id"]: c for c in wrong.cells
               if c.metadata.get("nbgrader", {}).get("solution")}
    key, wrong_code = wrong_answer
    cell = answers[f"{name}_exercise_{key.replace('.', '_')}_answer"]
    cell.source = wrong_code
    for student, nb in (("instructor", source_nb), ("blank", release), ("wrong", wrong)):
        dest = course / "submitted" / student / name / f"{name}.ipynb"
        dest.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, dest)
    _nbgrader(course, "autograde", name, "--force")
    full, max_score = _score(course, name, "instructor")
    assert max_score == len(bn.exercise_cells(src)) and full == max_score, (full, max_score)
    assert _score(course, name, "blank") == (0, max_score)
    assert _score(course, name, "wrong") == (max_score - 1, max_score)
    graded = json.loads((course / "autograded" / "wrong" / name / f"{name}.ipynb").read_text())
    failed = [c for c in graded["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")
              and any(o.get("output_type") == "error" for o in c.get("outputs", []))]
    assert len(failed) == 1 and f"{key.replace('.', '_')}_check" in failed[0]["metadata"]["nbgrader"]["grade_id"]

    # 3. the untouched release ran top to bottom (autograde executed it): no error outside the check cells, and
    #    every check said "not answered yet" (under autograde it then raises, which scores the zero above; run
    #    by a student, the same check only prints, see test_checker_raises_only_under_nbgrader)
    blank = nbformat.read(course / "autograded" / "blank" / name / f"{name}.ipynb", as_version=4)
    code = [c for c in blank.cells if c.cell_type == "code"]
    checks = [c for c in code if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(checks) == len(bn.exercise_cells(src))
    broken = [(c.source[:200], o.get("ename"), o.get("evalue", "")[:300]) for c in code if c not in checks
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not broken, f"the released copy fails outside its checks: {broken}"
    for c in checks:
        said = "".join(o.get("text", "") for o in c.get("outputs", []))
        assert NOT_ANSWERED[lang] in said, f"check cell said {said!r}"


def _wrong_answer(src: Path) -> tuple[str, str]:
    """(key, answer-cell code) of a plausible mistake: the registry's first one, else WRONG."""
    from distill_helpers.exercises import all_exercises
    registered = all_exercises()
    for key, text in bn.exercise_cells(src):
        if key in registered and re.search(rf"check\(\s*[\"']{re.escape(key)}[\"']", text):
            ex, var = registered[key], bn.PLACEHOLDER.match(text).group(1)
            mistake = next(iter(ex.wrong))
            ctx = bn._registry_solution(text, key, var).split(".solution(", 1)[1][:-1]
            return key, (f"from distill_helpers.exercises import get as _exercise\n"
                         f"{var} = _exercise({key!r}).wrong[{mistake!r}]({ctx})  # {mistake}")
    if src.name[:2] in WRONG:
        return WRONG[src.name[:2]]
    pytest.fail(f"{src.name}: register its exercises (with plausible mistakes) in distill_helpers.exercises, "
                f"or add one to WRONG in {Path(__file__).name}")


# ---------------------------------------------------------------- the Chinese classroom edition (classroom/zh/)
# Built from the same English source and its translation: the code cells (solutions, stubs, checks) and every
# nbgrader id are the English classroom edition's, the markdown cells those of the Chinese notebook.

def _zh_folded_solution_lines(src: Path, source_nb) -> list[str]:
    """The Chinese folded solutions' lines (from the translation) that the exercises themselves do not give."""
    entries = bn.parse_zh(bn.zh_source(src).read_text(encoding="utf-8"))
    folded_ids = [cid for k, t, _, cid in bn.parse_cells_ids(src.read_text()) if k == "md" and bn.FOLDED_SOLUTIONS.match(t)]
    rest = _split_solution_blocks(source_nb)[1]
    return [ln.strip() for cid in folded_ids for ln in entries[cid][1].split("</details>")[0].split("\n")
            if len(ln.strip()) >= 12 and ln.strip() not in rest]


def _zh_course(parent: Path) -> Path:
    """classroom/'s layout under `parent`: its nbgrader_config.py, and zh/ with the Chinese config (which loads it)."""
    shutil.copy(CLASSROOM / "nbgrader_config.py", parent / "nbgrader_config.py")
    (parent / "zh").mkdir()
    shutil.copy(CLASSROOM / "zh" / "nbgrader_config.py", parent / "zh" / "nbgrader_config.py")
    return parent / "zh"


def test_every_zh_classroom_folder_belongs_to_a_translated_notebook():
    assert {p.name for p in (CLASSROOM / "zh" / "source").iterdir()} == {_name(s) for s in ZH_WITH_EXERCISES}
    assert ZH_WITH_EXERCISES, "no Chinese classroom edition at all"


@pytest.mark.parametrize("src", ZH_WITH_EXERCISES, ids=_name)
def test_zh_classroom_edition_committed_and_in_sync(src):
    name = _name(src)
    built = bn.build_classroom(src, "zh")
    path = CLASSROOM / "zh" / "source" / name / f"{name}.ipynb"
    assert path.exists(), f"build it with: python tools/build_notebooks.py --metadata-only --lang zh {src.name[:2]}"
    committed = nbformat.reads(committed_text(path), as_version=4)
    assert [(c.source, c.metadata) for c in committed.cells] == [(c.source, c.metadata) for c in built.cells], \
        f"refresh with: python tools/build_notebooks.py --metadata-only --lang zh {src.name[:2]}"
    assert committed.metadata["language"] == "zh-CN"
    # against the English classroom edition as committed: the same cells, ids, nbgrader and slide metadata, code
    english = nbformat.reads(committed_text(CLASSROOM / "source" / name / f"{name}.ipynb"), as_version=4)
    assert [(c.cell_type, c.id, c.metadata) for c in committed.cells] == \
        [(c.cell_type, c.id, c.metadata) for c in english.cells]
    assert [c.source for c in committed.cells if c.cell_type == "code"] == \
        [c.source for c in english.cells if c.cell_type == "code"]
    # against the committed Chinese notebook: its markdown cells, less the folded solutions
    zh_nb = nbformat.reads(committed_text(ROOT / "notebooks" / "zh" / f"{name}.ipynb"), as_version=4)
    expected = [re.sub(r"^\s*<details>.*?</details>\s*", "", c.source, flags=re.DOTALL) for c in zh_nb.cells
                if c.cell_type == "markdown"]
    assert [c.source for c in committed.cells if c.cell_type == "markdown"] == [t for t in expected if t.strip()]
    md = [c.source for c in committed.cells if c.cell_type == "markdown"]
    assert all(CJK.search(t) for t in md[:3]) and "<details>" not in "".join(md)


def test_zh_classroom_edition_refuses_an_incomplete_translation(tmp_path):
    src = tmp_path / "99_demo.nb.txt"
    src.write_text(ZH_DEMO)
    (tmp_path / "zh").mkdir()
    zh = tmp_path / "zh" / "99_demo.zh.txt"
    with pytest.raises(bn.SourceError, match="no translation file"):
        bn.build_classroom(src, "zh")
    zh.write_text(_zh_demo_translation(src).split("%% id=entries")[0], encoding="utf-8")  # two cells left out
    with pytest.raises(bn.SourceError, match="no translation of cell"):
        bn.build_classroom(src, "zh")
    zh.write_text(_zh_demo_translation(src).replace("<details><summary>答案（先自己试试！）</summary>", "答案："),
                  encoding="utf-8")  # the answers outside their folded block: they would reach the students
    with pytest.raises(bn.SourceError, match="<details>"):
        bn.build_classroom(src, "zh")
    with pytest.raises(ValueError, match="lang"):
        bn.build_classroom(src, "fr")


def test_a_released_zh_copy_is_chinese_without_a_setting(monkeypatch, tmp_path):
    """A student's copy lies in a folder of any name; its metadata ("language": "zh-CN") makes the kernel Chinese."""
    from distill_helpers.infra.i18n import language, set_language, tr
    monkeypatch.delenv("DISTILL_LANG", raising=False)
    set_language(None)
    folder = tmp_path / "assignments" / "01_concepts"
    folder.mkdir(parents=True)
    monkeypatch.chdir(folder)
    for lang, expected in ((None, "en"), ("en", "en"), ("zh-CN", "zh")):
        nb = nbformat.v4.new_notebook()
        if lang:
            nb.metadata["language"] = lang
        path = folder / f"copy_{lang}.ipynb"
        nbformat.write(nb, path)
        for session in (str(path), f"assignments/01_concepts/{path.name}"):  # absolute (jupyter_server 2), relative
            monkeypatch.setenv("JPY_SESSION_NAME", session)
            assert language() == expected, (lang, session)
    assert tr("correct") == "正确"
    monkeypatch.setenv("JPY_SESSION_NAME", str(folder / "missing.ipynb"))
    assert language() == "en"
    monkeypatch.setenv("DISTILL_LANG", "en")  # the explicit setting still wins
    monkeypatch.setenv("JPY_SESSION_NAME", str(folder / "copy_zh-CN.ipynb"))
    assert language() == "en"


@pytest.fixture(scope="module")
def zh_releases(tmp_path_factory):
    """Every Chinese assignment and its English twin generated by nbgrader (no execution: no prepared room needed)."""
    pytest.importorskip("nbgrader", reason="nbgrader is pinned in requirements.txt: pip install -r requirements.txt")
    parent = tmp_path_factory.mktemp("classroom")
    zh_course = _zh_course(parent)
    shutil.copytree(CLASSROOM / "zh" / "source", zh_course / "source")
    (parent / "source").mkdir()
    for src in ZH_WITH_EXERCISES:
        shutil.copytree(CLASSROOM / "source" / _name(src), parent / "source" / _name(src))
        _nbgrader(zh_course, "generate_assignment", _name(src), "--force")
        _nbgrader(parent, "generate_assignment", _name(src), "--force")
    return parent


@pytest.mark.parametrize("src", ZH_WITH_EXERCISES, ids=_name)
def test_nbgrader_zh_release_has_the_english_stubs_and_no_answers(zh_releases, src):
    name = _name(src)
    zh = nbformat.read(zh_releases / "zh" / "release" / name / f"{name}.ipynb", as_version=4)
    en = nbformat.read(zh_releases / "release" / name / f"{name}.ipynb", as_version=4)
    assert zh.metadata.get("language") == "zh-CN", "nbgrader dropped the language the kernel reads"
    assert [c.source for c in zh.cells if c.cell_type == "code"] == [c.source for c in en.cells if c.cell_type == "code"]
    def grading(nb):  # a markdown cell's checksum is of its text, which is the translation's
        return [{k: v for k, v in c.metadata["nbgrader"].items() if k != "checksum" or c.cell_type == "code"}
                for c in nb.cells]
    assert grading(zh) == grading(en)
    source_nb = nbformat.read(zh_releases / "zh" / "source" / name / f"{name}.ipynb", as_version=4)
    text = _sources_text(zh)
    secrets_ = _solution_lines(source_nb) + _folded_solution_lines(src, source_nb) + _zh_folded_solution_lines(src, source_nb)
    assert _zh_folded_solution_lines(src, source_nb), "the detector needs the Chinese answers to look for"
    assert not [ln for ln in secrets_ if ln in text] and bn.BEGIN not in text and "答案（先自己试试" not in text
    assert sum(bool(CJK.search(c.source)) for c in zh.cells if c.cell_type == "markdown") >= \
        0.9 * sum(c.cell_type == "markdown" for c in zh.cells)


ZH_DEMO = DEMO.replace("%% md\n# 99", "%% md id=title\n# 99").replace("%% md\n## Exercises", "%% md id=exercises\n## Exercises") \
    .replace("%% md\n**2.**", "%% md id=entries\n**2.**") \
    .replace("%% md\n<details>", "%% md id=solutions\n<details>")

ZH_DEMO_TEXT = {
    "title": "# 99 · 两道练习的示例",
    "exercises": "## 练习\n**1.** `x` 的总和。",
    "entries": "**2.** 判断对错：`x` 有四个元素。",
    "solutions": "<details><summary>答案（先自己试试！）</summary>\n\n1. 全部加起来：`x.sum()` 给出总和四个数之和。\n"
                 "2. `len(x) == 4` 成立，所以答案是真。\n</details>",
}


def _zh_demo_translation(src: Path) -> str:
    hashes = {cid: bn.en_hash(t) for k, t, _, cid in bn.parse_cells_ids(src.read_text()) if k == "md"}
    return "\n".join(f"%% id={cid} en={hashes[cid]}\n{text}\n" for cid, text in ZH_DEMO_TEXT.items())


def test_nbgrader_zh_pipeline_on_a_small_notebook(tmp_path):
    """The Chinese course directory end to end in seconds: release, autograde, and checks that speak Chinese
    (the autograder's kernels get DISTILL_LANG=zh from classroom/zh/nbgrader_config.py)."""
    pytest.importorskip("nbgrader", reason="nbgrader is pinned in requirements.txt: pip install -r requirements.txt")
    src = tmp_path / "99_demo.nb.txt"
    src.write_text(ZH_DEMO)
    (tmp_path / "zh").mkdir()
    bn.zh_source(src).write_text(_zh_demo_translation(src), encoding="utf-8")
    (tmp_path / "classroom").mkdir()
    course = _zh_course(tmp_path / "classroom")
    (course / "source" / "99_demo").mkdir(parents=True)
    nbformat.write(bn.build_classroom(src, "zh"), course / "source" / "99_demo" / "99_demo.ipynb")
    _release_and_grade(course, src, ("99.1", "answer_1 = x.mean().item()  # the mean, not the sum"), lang="zh")


# One real notebook end to end in the Chinese course, in the prepared room of `course` (the release of every
# Chinese notebook is checked above without execution; its code is the English edition's, graded above).
@pytest.mark.parametrize("src", ZH_WITH_EXERCISES[:1], ids=_name)
def test_nbgrader_zh_release_and_autograde(course, src):
    zh_course = course / "zh"
    if not zh_course.exists():
        zh_course.mkdir()
        shutil.copy(CLASSROOM / "zh" / "nbgrader_config.py", zh_course / "nbgrader_config.py")
        shutil.copytree(CLASSROOM / "zh" / "source", zh_course / "source")
    _release_and_grade(zh_course, src, _wrong_answer(src), lang="zh")
