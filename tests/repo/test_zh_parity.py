"""The Chinese edition keeps parity with the English one (docs/i18n.md).

The rule: a notebook's Chinese edition either exists complete, and is then checked strictly here (every
markdown cell translated from the current English text, code cells identical, executed and clean), or does
not exist at all, and the notebook is then named in UNTRANSLATED. That list only shrinks: a notebook that
gets its translation leaves it (the test says so), and docs/i18n.md names the same notebooks.
"""
import json
import re
import sys
from pathlib import Path

import pytest
from conftest import committed_text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_notebooks as bn  # noqa: E402

SOURCES = sorted((ROOT / "notebooks" / "src").glob("*.nb.txt"))
UNTRANSLATED: set[str] = set()  # shrink-only; docs/i18n.md lists the same
TRANSLATED = [s for s in SOURCES if s.name[:2] not in UNTRANSLATED]
ZH_DIR = ROOT / "notebooks" / "zh"
CJK = re.compile(r"[\u3400-\u9fff]")


def _committed(path: Path) -> dict:
    return json.loads(committed_text(path))


def _zh_notebook(src: Path) -> Path:
    return ZH_DIR / src.name.replace(".nb.txt", ".ipynb")


# ---------------------------------------------------------------- which notebooks have a Chinese edition

def test_the_untranslated_list_only_names_notebooks_without_a_translation():
    names = {s.name[:2] for s in SOURCES}
    assert UNTRANSLATED <= names, f"no such notebook: {sorted(UNTRANSLATED - names)}"
    done = sorted(n for n in UNTRANSLATED if bn.zh_source(next(s for s in SOURCES if s.name[:2] == n)).exists()
                  or list(ZH_DIR.glob(f"{n}_*.ipynb")))
    assert not done, f"{done} have a Chinese edition now: remove them from UNTRANSLATED (and from docs/i18n.md)"


def test_docs_name_the_same_untranslated_notebooks():
    text = (ROOT / "docs" / "i18n.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- untranslated:start -->(.*?)<!-- untranslated:end -->", text, re.DOTALL)
    assert m, "docs/i18n.md lost its list of untranslated notebooks"
    assert set(re.findall(r"`(\d\d)_", m.group(1))) == UNTRANSLATED


def test_every_zh_file_belongs_to_a_translated_notebook():
    stems = {s.name.replace(".nb.txt", "") for s in TRANSLATED}
    assert {p.name.replace(".zh.txt", "") for p in (ROOT / "notebooks" / "src" / "zh").glob("*.zh.txt")} == stems
    assert {p.stem for p in ZH_DIR.glob("*.ipynb")} == stems


# ---------------------------------------------------------------- strict parity of each translated notebook

@pytest.mark.parametrize("src", TRANSLATED, ids=lambda p: p.name[:2])
def test_every_markdown_cell_is_translated_from_the_current_english(src):
    assert bn.zh_problems(src) == [], "see: python tools/build_notebooks.py --zh-status " + src.name[:2]


@pytest.mark.parametrize("src", TRANSLATED, ids=lambda p: p.name[:2])
def test_the_committed_zh_notebook_is_the_built_one_with_the_english_code(src):
    zh = _committed(_zh_notebook(src))
    built = bn.build(src, "zh")
    en = bn.build(src)
    assert [c["cell_type"] for c in zh["cells"]] == [c.cell_type for c in en.cells]
    assert [c["id"] for c in zh["cells"]] == [c.id for c in en.cells], "cell ids match the English notebook's"
    code = lambda cells: ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]  # noqa: E731
    assert code(zh["cells"]) == code(en.cells), "a code cell differs from the English one: rebuild with " \
        f"python tools/build_notebooks.py --lang zh {src.name[:2]}"
    assert ["".join(c["source"]) for c in zh["cells"]] == [c.source for c in built.cells], \
        f"rebuild with: python tools/build_notebooks.py --lang zh {src.name[:2]}"
    assert [c.get("metadata", {}).get("slideshow") for c in zh["cells"]] == [c.metadata.get("slideshow") for c in en.cells]


@pytest.mark.parametrize("src", TRANSLATED, ids=lambda p: p.name[:2])
def test_the_zh_notebook_is_executed_clean_and_speaks_chinese(src):
    path = _zh_notebook(src)
    text = committed_text(path)
    nb = json.loads(text)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1)), "executed top to bottom"
    assert '"output_type": "error"' not in text
    assert not re.search(r"/(work|root|home|tmp|Users)/", text), "a local path is stored in the notebook"
    assert len(text.encode("utf-8")) < 1_500_000
    for c in code:
        if "say(" in "".join(c["source"]):
            out = "".join("".join(o.get("text", "")) for o in c.get("outputs", []) if o["output_type"] == "stream")
            assert CJK.search(out), f"a cell that says something printed no Chinese:\n{''.join(c['source'])[:200]}"
    for c in nb["cells"]:
        if c["cell_type"] == "markdown":
            assert CJK.search("".join(c["source"])), "every markdown cell is in Chinese"


# ---------------------------------------------------------------- the checks can fail

def _fake_source(tmp_path, english: list[str], zh: dict[str, tuple[str, str]]) -> Path:
    src = tmp_path / "99_demo.nb.txt"
    src.write_text("\n".join(f"%% md id=c{i}\n{t}\n%% code\nx = {i}" for i, t in enumerate(english)) + "\n")
    (tmp_path / "zh").mkdir(exist_ok=True)
    bn.zh_source(src).write_text("".join(f"%% id={k} en={h}\n{t}\n" for k, (h, t) in zh.items()), encoding="utf-8")
    return src


def test_a_missing_a_stale_and_an_orphan_translation_are_each_reported(tmp_path):
    english = ["# Title", "Some text."]
    good = {"c0": (bn.en_hash("# Title"), "# 标题"), "c1": (bn.en_hash("Some text."), "一段文字。")}
    assert bn.zh_problems(_fake_source(tmp_path, english, good)) == []
    built = bn.build(_fake_source(tmp_path, english, good), "zh")
    assert [c.source for c in built.cells] == ["# 标题", "x = 0", "一段文字。", "x = 1"]

    problems = bn.zh_problems(_fake_source(tmp_path, english, {"c0": good["c0"]}))
    assert len(problems) == 1 and "no translation of cell c1" in problems[0]
    edited = ["# Title", "Some text, edited."]
    problems = bn.zh_problems(_fake_source(tmp_path, edited, good))
    assert len(problems) == 1 and "cell c1 is stale" in problems[0]
    with pytest.raises(bn.SourceError, match="stale"):
        bn.build(_fake_source(tmp_path, edited, good), "zh")
    problems = bn.zh_problems(_fake_source(tmp_path, english, {**good, "gone": ("0" * 12, "旧的")}))
    assert len(problems) == 1 and "no longer has: gone" in problems[0]


def test_a_markdown_cell_without_an_id_and_a_malformed_separator_are_refused(tmp_path):
    src = tmp_path / "99_demo.nb.txt"
    src.write_text("%% md\n# Title\n%% code\nx = 1\n")
    (tmp_path / "zh").mkdir()
    bn.zh_source(src).write_text("", encoding="utf-8")
    assert any("has no id" in p for p in bn.zh_problems(src))
    with pytest.raises(bn.SourceError, match="malformed cell separator"):
        bn.parse_cells_ids("%% md id=Bad_Id\n# x\n")
    with pytest.raises(bn.SourceError, match="malformed translation separator"):
        bn.parse_zh("%% id=c0\n# 标题\n")


def test_a_changed_code_cell_in_a_zh_notebook_is_caught(tmp_path):
    src = TRANSLATED[0]
    en = bn.build(src)
    zh = json.loads(committed_text(_zh_notebook(src)))
    i = next(i for i, c in enumerate(zh["cells"]) if c["cell_type"] == "code")
    zh["cells"][i]["source"] = "print('a translated code cell')"
    code = lambda cells: ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]  # noqa: E731
    assert code(zh["cells"]) != code(en.cells)


# ---------------------------------------------------------------- the glossary

def _glossary() -> list[dict]:
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    body = text.split("<!-- glossary:start -->")[1].split("<!-- glossary:end -->")[0]
    rows = [ln for ln in body.strip().splitlines() if ln.startswith("|")][2:]
    out = []
    for row in rows:
        en, zh, first, avoid, _ = [c.strip() for c in row.strip("|").split("|")]
        out.append({"en": [f.strip() for f in en.split(";")], "zh": zh, "first": first,
                    "avoid": [a for a in avoid.split(";") if a.strip()]})
    return out


def _prose(text: str) -> str:
    """An English cell without inline code, links' targets, and its further reading (titles stay English)."""
    text = re.split(r"^## Further reading", text, flags=re.MULTILINE)[0]
    text = re.sub(r"`[^`]*`", " ", text)
    return re.sub(r"\]\([^)]*\)", "]", text)


def _uses(english: str, term: dict) -> bool:
    return any(re.search(r"(?<![\w-])" + re.escape(f) + r"(?![\w-])", _prose(english), re.IGNORECASE)
               for f in term["en"])


def test_the_glossary_has_the_decided_terms():
    terms = {t["en"][0]: t for t in _glossary()}
    assert terms["soft targets"]["zh"] == "软目标" and "软标签" in terms["soft targets"]["avoid"]
    assert terms["transfer set"]["first"] == "迁移集（transfer set）"
    assert terms["on-policy"]["zh"] == "同策略" and "在线" in terms["on-policy"]["avoid"]
    for en, zh in (("dark knowledge", "暗知识"), ("KL divergence", "KL 散度"), ("temperature", "温度"),
                   ("hard labels", "硬标签"), ("teacher", "教师模型"), ("student", "学生模型")):
        assert terms[en]["zh"] == zh


@pytest.mark.parametrize("src", TRANSLATED, ids=lambda p: p.name[:2])
def test_glossary_terms_are_rendered(src):
    cells = [(cid, text) for kind, text, _, cid in bn.parse_cells_ids(src.read_text()) if kind == "md"]
    zh = {cid: t for cid, (_, t) in bn.parse_zh(bn.zh_source(src).read_text(encoding="utf-8")).items()}
    problems = []
    for term in _glossary():
        first_seen = False
        for cid, english in cells:
            if not _uses(english, term):
                continue
            if term["zh"] not in zh[cid]:
                problems.append(f"cell {cid}: '{term['en'][0]}' is not rendered as {term['zh']}")
            if term["first"] and not first_seen and term["first"] not in zh[cid]:
                problems.append(f"cell {cid}: first use of '{term['en'][0]}' is not written {term['first']}")
            first_seen = True
            problems += [f"cell {cid}: '{term['en'][0]}' rendered with the avoided {a}" for a in term["avoid"]
                         if a in zh[cid]]
    assert problems == [], "\n".join(problems)


def test_the_glossary_check_catches_a_wrong_term(tmp_path):
    term = next(t for t in _glossary() if t["en"][0] == "soft targets")
    assert _uses("the **soft targets** of the teacher", term) and not _uses("`soft_targets(v, T)`", term)
    assert term["zh"] not in "教师模型的软标签" and "软标签" in term["avoid"]


def test_the_chinese_readme_maps_every_notebook_and_links_the_translated_ones():
    text = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(zh/)?(\d\d_\w+)`", text, re.M)
    assert [name for _, name in rows] == [s.name.replace(".nb.txt", "") for s in SOURCES]
    assert {name for zh, name in rows if zh} == {s.name.replace(".nb.txt", "") for s in TRANSLATED}
    assert "jupyter lab notebooks/zh/" in text and "python -m pytest --nbval-lax tests notebooks" in text
