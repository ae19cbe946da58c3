"""The committed notebooks: executed, clean, in sync with their sources, and structured like the series.

Read as git holds them (conftest.committed_text), not the working copies a learner may have run and saved."""
import json
import re
import sys
from pathlib import Path

import pytest
from conftest import committed_text

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
sys.path.insert(0, str(ROOT / "tools"))


def _load(path):
    return json.loads(committed_text(path))


def test_there_are_notebooks_for_every_source():
    srcs = sorted((ROOT / "notebooks" / "src").glob("*.nb.txt"))
    assert len(NOTEBOOKS) >= 5
    assert [s.name.replace(".nb.txt", ".ipynb") for s in srcs] == [n.name for n in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_executed_and_clean(path):
    nb = _load(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "execute top to bottom from a fresh kernel before committing"
    text = committed_text(path)
    assert '"output_type": "error"' not in text
    assert not re.search(r"/(work|root|home|tmp|Users)/", text), "a local path is stored in the notebook"
    assert len(text.encode("utf-8")) < 1_500_000


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_in_sync_with_source(path):
    from build_notebooks import build
    built = build(ROOT / "notebooks" / "src" / path.name.replace(".ipynb", ".nb.txt"))
    committed = _load(path)
    assert ["".join(c["source"]) for c in committed["cells"]] == [c["source"] for c in built.cells], \
        "rebuild with: python tools/build_notebooks.py " + path.name[:2]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_series_structure(path):
    md = "\n".join("".join(c["source"]) for c in _load(path)["cells"] if c["cell_type"] == "markdown")
    for heading in ("You will learn", "Map to the blog", "## Summary", "## Exercises", "Further reading"):
        assert heading in md, f"{path.name} lacks '{heading}'"
    code = "\n".join("".join(c["source"]) for c in _load(path)["cells"] if c["cell_type"] == "code")
    assert 2 <= code.count("check(") - 1 <= 5  # minus the import line
    assert "assert " in code, "claims are backed by assert cells"


# docs/blog_outline.md: every error of the blog is named and corrected where its section is taught.
BLOG_ERRORS = {
    "01": ["black-box", "compression", "interpretability"],
    "02": ["never mentions temperature".split()[0], "T²", "hard-label"],
    "03": ["4.1", "composition", "frozen", "direction", "distance", "triangle inequality"],
    "04": ["several", "ensemble", "Variable", "save_interval", "TensorFlow", "frozen"],
    "05": ["keeping accuracy", "narrow the gap", "section 7"],
    "06": ["section 8", "data-free", "model extraction"],
    "08": ["section 4.2", "KL is not a distance", "model scale"],
}


@pytest.mark.parametrize("prefix, words", BLOG_ERRORS.items())
def test_blog_errors_are_corrected(prefix, words):
    path = next(p for p in NOTEBOOKS if p.name.startswith(prefix))
    md = "\n".join("".join(c["source"]) for c in _load(path)["cells"] if c["cell_type"] == "markdown")
    assert "The blog says" in md and "What actually happens" in md
    for w in words:
        assert w in md, f"{path.name} should address '{w}'"
