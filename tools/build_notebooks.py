"""Build the series' notebooks from notebooks/src/NN_*.nb.txt: the self-study edition and the classroom edition.

Source format: cells separated by lines '%% md' or '%% code'. A separator may name the cell's slide type
('%% md slide', '%% code fragment', ...); without one, the builder derives it (see `slide_type`). A markdown
cell may carry a stable id ('%% md id=trade-off', after the slide type if any): the key of its translations.

The Chinese edition (docs/i18n.md): notebooks/src/zh/NN_name.zh.txt holds one entry per markdown cell,

    %% id=trade-off en=<first 12 hex digits of the sha256 of the English cell's text>
    <the cell in Chinese>

and the builder writes notebooks/zh/NN_name.ipynb from the English source: every code cell as the English
edition has it, every markdown cell from its entry. It refuses a translation that is missing, or whose
recorded hash is not the English text's (the English cell changed since it was translated; see
`--zh-status`). The zh notebooks are executed in notebooks/zh/ with DISTILL_LANG=zh.

An exercise is a code cell that starts with its placeholder(s) and calls the checker:

    answer_2 = None  # a number between 0 and 1                 <- the learner replaces it
    check("01.2", answer_2, t_probs=t_probs, y_test=y_test)    <- registered in distill_helpers.exercises

The classroom edition's solution for it comes from, in this order:
1. a solution block written in the cell, after the placeholder (nbgrader's own markers):
       ### BEGIN SOLUTION
       answer_2 = ...
       ### END SOLUTION
   (the self-study edition drops the block);
2. the exercise registry, for a check("NN.k", ...) call: `answer_2 = get("NN.k").solution(<the call's
   context>)`, with the notebook's folded solution for k as a comment above it.

Two editions come out of one source:
- notebooks/NN_name.ipynb (self-study): the solution block is removed, the folded <details> solutions
  stay; executed from a fresh kernel and committed with outputs.
- classroom/source/NN_name/NN_name.ipynb (nbgrader source edition): each exercise cell is split into an
  nbgrader solution cell (placeholder + solution block) and a graded, locked check cell worth one point;
  every other cell is read-only; the folded solutions are left out. `nbgrader generate_assignment`
  (run in classroom/, whose nbgrader_config.py sets the stub) turns it into the students' copy.
  Not executed (nbgrader clears outputs anyway).
- classroom/zh/source/NN_name/NN_name.ipynb, for a notebook with a Chinese edition: the same nbgrader
  edition with its markdown cells from the translation; every code cell (solution, stub, check) and every
  nbgrader id is the English classroom edition's. classroom/zh/ is a course directory of its own (its
  nbgrader_config.py loads classroom/'s and makes the autograder's kernels Chinese).

Usage:
    python tools/build_notebooks.py              # build and execute all, write both editions
    python tools/build_notebooks.py 02 03        # only these
    python tools/build_notebooks.py --metadata-only [NN ...]
        # fast path: no execution; refresh the slide metadata of committed notebooks whose cell sources
        # equal their .nb.txt, and rewrite the classroom editions. Refuses a notebook whose sources changed.
    python tools/build_notebooks.py --lang zh [NN ...]   # only the Chinese edition (--lang en: only English);
        # without --lang both, the zh edition of each notebook that has a notebooks/src/zh/ file
    python tools/build_notebooks.py --zh-status [NN ...]
        # no build: each markdown cell whose translation is missing or stale, with its id, hash and English text
    python tools/build_notebooks.py --zh-stamp-new [NN ...]
        # a new entry may be written as '%% id=<cell id> en=000000000000': this records the current
        # English hash in every such entry (never in an entry that has a hash: a stale one stays stale)
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import os
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NB_DIR = ROOT / "notebooks"
CLASSROOM_DIR = ROOT / "classroom" / "source"
CLASSROOM_ZH_DIR = ROOT / "classroom" / "zh" / "source"  # the Chinese course directory's source/ (see docs/classroom.md)
ZH_DIR = NB_DIR / "zh"
ZH_SRC_DIR = NB_DIR / "src" / "zh"

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
SLIDE_TYPES = ("slide", "subslide", "fragment", "skip", "notes", "-")
SEPARATOR = re.compile(r"^%% (md|code)(?: (slide|subslide|fragment|skip|notes|-))?(?: id=([a-z0-9][a-z0-9-]*))?\s*$")
ZH_SEPARATOR = re.compile(r"^%% id=([a-z0-9][a-z0-9-]*) en=([0-9a-f]{12})\s*$")
FOLDED_SOLUTIONS = re.compile(r"^\s*<details>\s*<summary>\s*Solutions", re.IGNORECASE)
# Exactly what JupyterLab writes when it opens a notebook on ipykernel's "python3" kernel (its display name,
# and the language_info of the kernel's reply, which carries this Python's version): a notebook that already
# holds these values is not marked modified on opening, so autosave leaves it, and `git status`, untouched.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


class SourceError(ValueError):
    """A notebook source breaks the format described in this module's docstring."""


def parse(src: str) -> list[tuple[str, str]]:
    """(kind, text) for each cell; kind is 'md' or 'code'. See `parse_cells` for slide types too."""
    return [(kind, text) for kind, text, _ in parse_cells(src)]


def parse_cells(src: str) -> list[tuple[str, str, str | None]]:
    """(kind, text, explicit slide type or None) for each cell."""
    return [(kind, text, slide) for kind, text, slide, _ in parse_cells_ids(src)]


def parse_cells_ids(src: str) -> list[tuple[str, str, str | None, str | None]]:
    """(kind, text, explicit slide type or None, stable id or None) for each cell."""
    cells, kind, slide, cid, buf = [], None, None, None, []
    for line in src.splitlines():
        if line.startswith("%%") and not SEPARATOR.match(line.strip()) and re.match(r"^%% (md|code)\b", line):
            raise SourceError(f"malformed cell separator {line!r}: '%% md|code [slide type] [id=lower-case-id]'")
        m = SEPARATOR.match(line.strip())
        if m:
            if kind is not None:
                cells.append((kind, "\n".join(buf).strip("\n"), slide, cid))
            kind, slide, cid, buf = m.group(1), m.group(2), m.group(3), []
        else:
            buf.append(line)
    if kind is not None:
        cells.append((kind, "\n".join(buf).strip("\n"), slide, cid))
    return cells


def en_hash(text: str) -> str:
    """The hash a translation records of the English cell it translates: sha256 of its text, 12 hex digits."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def zh_source(src_path: Path) -> Path:
    """notebooks/src/zh/NN_name.zh.txt for notebooks/src/NN_name.nb.txt."""
    return src_path.parent / "zh" / src_path.name.replace(".nb.txt", ".zh.txt")


def parse_zh(text: str) -> dict[str, tuple[str, str]]:
    """{cell id: (recorded English hash, Chinese text)} of a .zh.txt file."""
    entries: dict[str, tuple[str, str]] = {}
    cid, h, buf = None, None, []

    def close():
        if cid is not None:
            if cid in entries:
                raise SourceError(f"translation id {cid!r} appears twice")
            entries[cid] = (h, "\n".join(buf).strip("\n"))

    for line in text.splitlines():
        if line.startswith("%%"):
            m = ZH_SEPARATOR.match(line.strip())
            if not m:
                raise SourceError(f"malformed translation separator {line!r}: '%% id=<cell id> en=<12 hex digits>'")
            close()
            cid, h, buf = m.group(1), m.group(2), []
        elif cid is None and line.strip():
            raise SourceError("text before the first '%% id=... en=...' line of a translation file")
        else:
            buf.append(line)
    close()
    return entries


def zh_problems(src_path: Path) -> list[str]:
    """What keeps the Chinese edition of `src_path` from being built: one line per problem (empty: none)."""
    cells = parse_cells_ids(src_path.read_text())
    path = zh_source(src_path)
    if not path.exists():
        return [f"{path.name}: no translation file"]
    entries = parse_zh(path.read_text(encoding="utf-8"))
    problems, ids = [], []
    for kind, text, _, cid in cells:
        if kind != "md":
            continue
        if cid is None:
            problems.append(f"{src_path.name}: a markdown cell has no id (write '%% md id=...'): {text[:60]!r}")
            continue
        ids.append(cid)
        if cid not in entries:
            problems.append(f"{path.name}: no translation of cell {cid} (en={en_hash(text)})")
        elif entries[cid][0] != en_hash(text):
            problems.append(f"{path.name}: cell {cid} is stale: translated from en={entries[cid][0]}, "
                            f"the English is now en={en_hash(text)}")
        elif not entries[cid][1].strip():
            problems.append(f"{path.name}: the translation of cell {cid} is empty")
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        problems.append(f"{src_path.name}: cell ids used twice: {', '.join(dup)}")
    orphans = sorted(set(entries) - set(ids))
    if orphans:
        problems.append(f"{path.name}: translations of cells the English no longer has: {', '.join(orphans)}")
    return problems


def split_solution(text: str) -> tuple[str, str, str] | None:
    """For an exercise cell: (answer part with the solution block, check part, solution code); else None."""
    lines = text.split("\n")
    begins = [i for i, ln in enumerate(lines) if ln.strip() == BEGIN]
    ends = [i for i, ln in enumerate(lines) if ln.strip() == END]
    if not begins and not ends:
        return None
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        raise SourceError(f"an exercise cell needs exactly one '{BEGIN}' followed by one '{END}':\n{text}")
    b, e = begins[0], ends[0]
    answer, check, solution = lines[:e + 1], lines[e + 1:], lines[b + 1:e]
    if not "".join(check).strip():
        raise SourceError(f"an exercise cell needs its check after '{END}':\n{text}")
    if not "".join(solution).strip():
        raise SourceError(f"the solution block between '{BEGIN}' and '{END}' is empty:\n{text}")
    return "\n".join(answer), "\n".join(check).strip("\n"), "\n".join(solution)


def strip_solution(text: str) -> str:
    """The self-study edition of a cell: the solution block removed, everything else as written."""
    parts = split_solution(text)
    if parts is None:
        return text
    answer, check, _ = parts
    placeholder = answer.split("\n")
    placeholder = placeholder[:[ln.strip() for ln in placeholder].index(BEGIN)]
    return "\n".join(placeholder + [check])


def slide_type(kind: str, text: str, explicit: str | None) -> str:
    """'slide' for a level-1/2 heading, 'subslide' for level 3 or an exercise, 'skip' for folded solutions,
    else '-' (the cell continues the slide above it)."""
    if explicit:
        return explicit
    if kind == "md":
        first = text.lstrip().split("\n", 1)[0]
        if re.match(r"^#{1,2} ", first):
            return "slide"
        if re.match(r"^### ", first) or re.match(r"^\*\*\d+\.\*\*", first):
            return "subslide"  # a level-3 heading, or one exercise ("**2.** ...")
        if FOLDED_SOLUTIONS.match(text):
            return "skip"  # never project the answers
    return "-"


def _set_slide(cell, kind: str) -> None:
    """Write `slideshow.slide_type`, except for '-' (continue the slide): a cell without the key continues
    it everywhere (nbconvert, RISE), and jupyterlab-deck only recognises the missing key, not '-'."""
    if kind != "-":
        cell.metadata["slideshow"] = {"slide_type": kind}


def language_info() -> dict:
    """The language_info an ipykernel kernel of this interpreter reports (and JupyterLab then writes)."""
    from ipykernel.ipkernel import IPythonKernel
    return dict(IPythonKernel.language_info)


def _notebook_metadata() -> dict:
    return {"kernelspec": dict(KERNELSPEC), "language_info": language_info()}


def build(src_path: Path, lang: str = "en") -> nbformat.NotebookNode:
    """The self-study edition (unexecuted), with slide metadata; lang='zh': the Chinese edition, whose code
    cells and slide types are the English edition's and whose markdown cells come from the translation."""
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    zh = None
    if lang == "zh":
        problems = zh_problems(src_path)
        if problems:
            raise SourceError(f"the Chinese edition of {src_path.name} cannot be built:\n  " + "\n  ".join(problems))
        zh = parse_zh(zh_source(src_path).read_text(encoding="utf-8"))
    nb = nbformat.v4.new_notebook()
    nb.metadata = _notebook_metadata()
    if lang == "zh":
        nb.metadata["language"] = "zh-CN"
    for kind, text, explicit, cid in parse_cells_ids(src_path.read_text()):
        text = strip_solution(text) if kind == "code" else text
        slide = slide_type(kind, text, explicit)  # from the English: both editions have the same slides
        if zh is not None and kind == "md":
            text = zh[cid][1]
        cell = nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
        _set_slide(cell, slide)
        nb.cells.append(cell)
    for i, c in enumerate(nb.cells):
        c["id"] = f"c{i:02d}"
    return nb


def _nbgrader(grade_id: str, *, solution=False, grade=False, locked=False, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta



PLACEHOLDER = re.compile(r"^(\w+) = None\b")
CHECK_CALL = re.compile(r"^\s*check\(\s*[\"'](\d\d\.\d+)", re.MULTILINE)


def exercise_key(text: str) -> str | None:
    """'NN.k' for a code cell that checks an exercise (`check("NN.k", ...)`), else None."""
    m = CHECK_CALL.search(text)
    return m.group(1) if m else None


def _folded_solutions(cells) -> dict[int, str]:
    """Item k of the notebook's folded <details> solutions, as text."""
    items: dict[int, str] = {}
    for kind, text, _ in cells:
        if kind == "md" and FOLDED_SOLUTIONS.match(text):
            k = None
            for ln in text.split("\n"):
                if ln.strip().startswith("</details"):
                    break
                m = re.match(r"^(\d+)\.\s+(.*)", ln)
                if m:
                    k = int(m.group(1))
                    items[k] = m.group(2)
                elif k is not None and ln.strip():
                    items[k] += " " + ln.strip()
    return items


def _registry_solution(text: str, key: str, var: str) -> str | None:
    """`var = get(key).solution(<context of the check call>)` if the cell calls check(key, ...)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check" and node.args
                and isinstance(node.args[0], ast.Constant) and node.args[0].value == key):
            ctx = ", ".join(f"{kw.arg}={ast.get_source_segment(text, kw.value)}" for kw in node.keywords
                            if kw.arg not in ("rtol", "atol"))
            return (f"from distill_helpers.exercises import get as _exercise\n"
                    f"{var} = _exercise({key!r}).solution({ctx})")
    return None


def exercise_parts(text: str, key: str, folded: dict[int, str]) -> tuple[str, str, str]:
    """(answer cell with its solution block, check cell, solution) for the exercise cell `text`."""
    parts = split_solution(text)
    if parts is not None:
        return parts
    lines = text.split("\n")
    n = 0
    while n < len(lines) and PLACEHOLDER.match(lines[n]):
        n += 1
    if n == 0:
        raise SourceError(f"exercise {key}: the cell must start with its placeholder ('answer_1 = None'):\n{text}")
    var = PLACEHOLDER.match(lines[0]).group(1)
    solution = _registry_solution(text, key, var)
    if solution is None:
        raise SourceError(f"exercise {key} has no solution: register it in distill_helpers/exercises/nb"
                          f"{key[:2]}.py and call check({key!r}, ...), or write a '{BEGIN}' block in the cell")
    k = int(key.split(".")[1])
    if k in folded:
        solution = f"# {folded[k]}\n{solution}"
    answer = "\n".join(lines[:n] + [BEGIN, solution, END])
    return answer, "\n".join(lines[n:]).strip("\n"), solution


def build_classroom(src_path: Path, lang: str = "en") -> nbformat.NotebookNode:
    """The nbgrader source edition: solution cells, graded check cells (1 point each), all else read-only.
    lang='zh': the same cells, ids and code, with each markdown cell from the translation."""
    if lang not in ("en", "zh"):
        raise ValueError(f"lang must be 'en' or 'zh', got {lang!r}")
    name = src_path.name.replace(".nb.txt", "")
    zh = None
    if lang == "zh":
        problems = zh_problems(src_path)
        if problems:
            raise SourceError(f"the Chinese classroom edition of {src_path.name} cannot be built:\n  "
                              + "\n  ".join(problems))
        zh = parse_zh(zh_source(src_path).read_text(encoding="utf-8"))
    nb = nbformat.v4.new_notebook()
    nb.metadata = _notebook_metadata()
    if zh is not None:
        nb.metadata["language"] = "zh-CN"  # what distill_helpers.infra.i18n reads in a released copy (docs/i18n.md)
    cells = parse_cells_ids(src_path.read_text())
    folded = _folded_solutions([(k, t, e) for k, t, e, _ in cells])  # the English: code comments stay English
    n_cells = 0
    for kind, text, explicit, cid in cells:
        if kind == "md" and FOLDED_SOLUTIONS.match(text):
            # the answers stay with the instructor (as comments in the solution cells); what follows the
            # folded block in the same cell (further reading) stays
            if zh is not None:
                if not re.match(r"^\s*<details>.*?</details>", zh[cid][1], flags=re.DOTALL):
                    raise SourceError(f"{zh_source(src_path).name}: cell {cid} translates folded solutions; its "
                                      "translation must keep them in one <details>...</details> block")
                text = zh[cid][1]
            text = re.sub(r"^\s*<details>.*?</details>\s*", "", text, flags=re.DOTALL)
            if not text.strip():
                continue
        elif zh is not None and kind == "md":
            text = zh[cid][1]
        key = exercise_key(text) if kind == "code" else None
        slide = slide_type(kind, text, explicit)
        if key is None:
            cell = nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text)
            cell.metadata["nbgrader"] = _nbgrader(f"{name}_cell_{n_cells:02d}", locked=True)
            _set_slide(cell, slide)
            nb.cells.append(cell)
        else:
            answer, check, _ = exercise_parts(text, key, folded)
            gid = f"{name}_exercise_{key.replace('.', '_')}"
            a = nbformat.v4.new_code_cell(answer)
            a.metadata["nbgrader"] = _nbgrader(f"{gid}_answer", solution=True)
            _set_slide(a, slide)
            c = nbformat.v4.new_code_cell(check)
            c.metadata["nbgrader"] = _nbgrader(f"{gid}_check", grade=True, locked=True, points=1)
            nb.cells += [a, c]
        n_cells += 1
    for i, c in enumerate(nb.cells):
        c["id"] = f"k{i:02d}"
    return nb


def exercise_cells(src_path: Path) -> list[tuple[str, str]]:
    """(key, cell text) for each code cell of a source that checks an exercise."""
    return [(exercise_key(text), text) for kind, text, _ in parse_cells(src_path.read_text())
            if kind == "code" and exercise_key(text)]


def write_classroom(src_path: Path, lang: str = "en") -> Path | None:
    """Write classroom/source/<name>/<name>.ipynb (lang='zh': classroom/zh/source/...); None (with the reason)
    if an exercise has no solution or the translation is incomplete."""
    name = src_path.name.replace(".nb.txt", "")
    try:
        nb = build_classroom(src_path, lang)
    except SourceError as e:
        print(f"{name}: {'Chinese ' if lang == 'zh' else ''}classroom edition NOT written: {e}", file=sys.stderr)
        return None
    out = (CLASSROOM_ZH_DIR if lang == "zh" else CLASSROOM_DIR) / name / f"{name}.ipynb"
    out.parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(nb, out)
    return out


def _write_atomic(nb: nbformat.NotebookNode, out: Path) -> None:
    tmp = out.with_name(f".{out.name}.tmp")
    nbformat.write(nb, tmp)
    tmp.replace(out)


@contextlib.contextmanager
def _language(lang: str):
    """DISTILL_LANG=lang for the kernels started inside (they inherit this process's environment)."""
    old = os.environ.get("DISTILL_LANG")
    os.environ["DISTILL_LANG"] = lang
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("DISTILL_LANG", None)
        else:
            os.environ["DISTILL_LANG"] = old


def execute(nb: nbformat.NotebookNode, timeout: int = 600, lang: str = "en") -> None:
    from nbclient import NotebookClient
    folder = ZH_DIR if lang == "zh" else NB_DIR
    with _language(lang):
        NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(folder)}}).execute()
    for c in nb.cells:  # no timing or machine-specific metadata in the committed file
        c.metadata.pop("execution", None)


def refresh_metadata(src_path: Path, out: Path, lang: str = "en") -> None:
    """Fast path: copy the builder's metadata onto an executed notebook whose cell sources are unchanged."""
    built = build(src_path, lang)
    if not out.exists():
        raise SourceError(f"{out.name} does not exist yet; build it with: python tools/build_notebooks.py "
                          f"{out.name[:2]}")
    committed = nbformat.read(out, as_version=4)
    if [(c.cell_type, c.source) for c in committed.cells] != [(c.cell_type, c.source) for c in built.cells]:
        raise SourceError(f"{out.name}: cell sources differ from {src_path.name}; the metadata-only path "
                          f"would keep stale outputs. Rebuild with: python tools/build_notebooks.py {out.name[:2]}")
    committed.metadata.update(built.metadata)  # kernelspec and language_info as JupyterLab writes them
    committed.metadata.pop("rise", None)  # written by an earlier builder for jupyterlab-rise, now unused
    for c, b in zip(committed.cells, built.cells):
        kept = {k: v for k, v in c.metadata.items() if k != "slideshow"}
        c.metadata = {**kept, **b.metadata}
    _write_atomic(committed, out)


def _build_zh(s: Path, metadata_only: bool) -> bool:
    """Write notebooks/zh/<name>.ipynb (executed, or its metadata refreshed); False on an error (printed)."""
    t0 = time.perf_counter()
    out = ZH_DIR / s.name.replace(".nb.txt", ".ipynb")
    try:
        if metadata_only:
            refresh_metadata(s, out, "zh")
        else:
            nb = build(s, "zh")
            out.parent.mkdir(parents=True, exist_ok=True)  # the kernel runs in notebooks/zh/
            execute(nb, lang="zh")
            _write_atomic(nb, out)
    except SourceError as e:
        print(f"error: {e}", file=sys.stderr)
        return False
    print(f"zh/{out.name}: {time.perf_counter() - t0:.1f} s{' (metadata only)' if metadata_only else ''}", flush=True)
    return True


OPTIONS = ("--metadata-only", "--zh-status", "--zh-stamp-new", "--lang")


def main(argv: list[str]) -> int:
    if "-h" in argv or "--help" in argv:
        print(__doc__)
        return 0
    unknown = [a for a in argv if a.startswith("-") and a not in OPTIONS]
    if unknown:
        print(f"error: unknown option {unknown[0]!r}; the options are {', '.join(OPTIONS)} (see --help)",
              file=sys.stderr)
        return 2
    names = [a for i, a in enumerate(argv) if not a.startswith("-") and not (i and argv[i - 1] == "--lang")]
    missing = [a for a in names if not any(s.name.startswith(a) for s in (NB_DIR / "src").glob("*.nb.txt"))]
    if missing:
        print(f"error: no notebook source starts with {missing[0]!r} in notebooks/src/; pass a number such as 02 "
              f"(see --help)", file=sys.stderr)
        return 2
    metadata_only = "--metadata-only" in argv
    status_only = "--zh-status" in argv
    argv = [a for a in argv if a not in ("--metadata-only", "--zh-status")]
    langs = ("en", "zh")
    if "--lang" in argv:
        i = argv.index("--lang")
        if i + 1 >= len(argv) or argv[i + 1] not in ("en", "zh"):
            print("error: --lang takes 'en' or 'zh'", file=sys.stderr)
            return 2
        langs = (argv[i + 1],)
        argv = argv[:i] + argv[i + 2:]
    srcs = sorted((NB_DIR / "src").glob("*.nb.txt"))
    if argv:
        srcs = [s for s in srcs if any(s.name.startswith(a) for a in argv)]
    if "--zh-stamp-new" in argv:
        argv.remove("--zh-stamp-new")
        for s in sorted((NB_DIR / "src").glob("*.nb.txt")):
            if (not argv or any(s.name.startswith(a) for a in argv)) and zh_source(s).exists():
                hashes = {cid: en_hash(text) for kind, text, _, cid in parse_cells_ids(s.read_text()) if kind == "md"}
                path = zh_source(s)
                lines = path.read_text(encoding="utf-8").split("\n")
                for i, line in enumerate(lines):
                    m = ZH_SEPARATOR.match(line.strip())
                    if m and m.group(2) == "0" * 12 and m.group(1) in hashes:
                        lines[i] = f"%% id={m.group(1)} en={hashes[m.group(1)]}"
                path.write_text("\n".join(lines), encoding="utf-8")
        return 0
    if status_only:
        problems = [p for s in srcs if zh_source(s).exists() for p in zh_problems(s)]
        for s in srcs:
            cells = {cid: text for kind, text, _, cid in parse_cells_ids(s.read_text()) if kind == "md"}
            entries = parse_zh(zh_source(s).read_text(encoding="utf-8")) if zh_source(s).exists() else {}
            for cid, text in cells.items():
                if zh_source(s).exists() and (cid not in entries or entries[cid][0] != en_hash(text)):
                    print(f"--- {s.name} cell {cid}: %% id={cid} en={en_hash(text)}\n{text}\n")
        print("\n".join(problems) or "every existing translation is complete and current")
        return 1 if problems else 0
    failed = []
    for s in srcs:
        if "en" in langs:
            t0 = time.perf_counter()
            out = NB_DIR / s.name.replace(".nb.txt", ".ipynb")
            if metadata_only:
                try:
                    refresh_metadata(s, out)
                except SourceError as e:  # the classroom edition below needs no execution: still written
                    print(f"error: {e}", file=sys.stderr)
                    failed.append(s.name)
            else:
                nb = build(s)
                execute(nb)
                _write_atomic(nb, out)
            if write_classroom(s) is None:
                failed.append(s.name)
            print(f"{out.name}: {time.perf_counter() - t0:.1f} s{' (metadata only)' if metadata_only else ''}",
                  flush=True)
        if "zh" in langs:
            if not zh_source(s).exists():
                if langs == ("zh",) and argv:  # asked for by name: say why nothing is built
                    print(f"error: {s.name} has no translation ({zh_source(s).relative_to(ROOT)})", file=sys.stderr)
                    failed.append(s.name)
                continue
            if not _build_zh(s, metadata_only):
                failed.append(s.name)
            elif write_classroom(s, "zh") is None:
                failed.append(s.name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
