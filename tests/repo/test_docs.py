"""The README and docs/ say what the package does: the paper's errors, the recipes' defaults, the notebook map,
a short front door whose links exist."""
import re
from pathlib import Path

from distill_helpers import PAPER_MNIST_ERRORS, RECIPES

ROOT = Path(__file__).resolve().parents[2]


def test_replicate_output_paper_column_matches_the_package():
    text = (ROOT / "docs" / "cli.md").read_text()
    rows = {m.group(1): int(m.group(2)) for m in
            re.finditer(r"^(teacher|student_scratch|student_distilled)\s.*?\s(\d+)\s*$", text, re.M)}
    assert rows == PAPER_MNIST_ERRORS


def test_readme_states_the_recipes_defaults():
    readme = (ROOT / "README.md").read_text()
    assert f"T={RECIPES.distill.T:g}, alpha={RECIPES.distill.alpha:g}" in readme
    assert f"epochs={RECIPES.student.epochs}" in readme


def test_readme_is_a_short_front_door_with_every_notebook_in_its_map():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 150, "README.md is the front door: move detail into docs/"
    rows = re.findall(r"^\| `(\d\d_\w+)` \|", readme, re.M)
    assert len(rows) == len(set(rows)) and rows == sorted(rows)
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    assert notebooks <= set(rows), f"notebooks missing from the README map: {sorted(notebooks - set(rows))}"


def test_every_file_the_readme_and_docs_name_exists():
    for doc in [ROOT / "README.md", ROOT / "ARCHITECTURE.md", *(ROOT / "docs").glob("*.md")]:
        text = doc.read_text()
        # ARCHITECTURE.md's module table names package paths (classroom/doctor.py is distill_helpers/classroom/
        # doctor.py, not the repository's classroom/ folder); tests/properties/test_architecture.py checks them
        text = re.sub(r"<!-- MODULES_BEGIN.*?<!-- MODULES_END -->", "", text, flags=re.S)
        for name in re.findall(r"`((?:docs|benchmarks|tools|tests|examples|classroom|binder)/[\w./-]+\.\w+)`", text):
            if "<" not in name and "*" not in name:
                assert (ROOT / name).exists(), f"{doc.name} names {name}, which does not exist"


def test_docs_quote_every_paper_number():
    from distill_helpers import paper
    text = (ROOT / "docs" / "paper_numbers.md").read_text()
    for table in (paper.PAPER_MNIST_ERRORS, paper.PAPER_OMITTED_3, paper.PAPER_SPEECH_FRAME_ACCURACY):
        for key, value in table.items():
            shown = f"{value:,}" if isinstance(value, int) and value >= 1000 else f"{value:g}"
            assert re.search(rf"(?<![\d.]){re.escape(shown)}(?![\d])", text), f"{key} = {value} is not in the page"
    assert f"T = {paper.PAPER_MNIST_T}" in text


def test_pitfall_map_names_tests_that_exist():
    text = (ROOT / "docs" / "pitfalls.md").read_text()
    rows = [line for line in text.splitlines() if re.match(r"\| \d+ \|", line)]
    assert [int(r.split("|")[1]) for r in rows] == list(range(1, 11))
    sources = {p.relative_to(ROOT / "tests").as_posix(): p.read_text() for p in (ROOT / "tests").rglob("test_*.py")}
    for file, name in re.findall(r"tests/((?:\w+/)*test_\w+\.py)::(test_\w+)", text):
        assert f"def {name}(" in sources[file], f"{file}::{name} named in docs/pitfalls.md does not exist"
    for name in re.findall(r"`(test_\w+)`", text):
        assert any(f"def {name}(" in s for s in sources.values()), f"{name} named in docs/pitfalls.md does not exist"


def test_nothing_points_outside_the_repository():
    paths = [ROOT / "README.md", ROOT / "ARCHITECTURE.md", *(ROOT / "docs").glob("*.md"),
             *(ROOT / "tests").rglob("*.py"), *(ROOT / "notebooks" / "src").glob("*.nb.txt")]
    for p in paths:
        if p.name == "test_docs.py":
            continue
        assert "shared/" not in p.read_text(), f"{p.relative_to(ROOT)} points to shared/, which users do not have"
