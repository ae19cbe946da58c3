"""tools/build_site.py: the book site's plan, its Colab copies and its offline bundle (no browser; the built
site in Chromium is tests/repo/test_site_browser.py)."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import committed_text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_site as bs  # noqa: E402

REPO = "https://github.com/example/distill"


def fake_zh_notebook(path: Path) -> Path:
    """A tiny executed Chinese notebook with math and 温度 (a test stand-in: no real translation)."""
    nb = {"nbformat": 4, "nbformat_minor": 5,
          "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                       "language_info": {"name": "python"}},
          "cells": [
              {"cell_type": "markdown", "id": "title", "metadata": {},
               # 温度 in the text after the formula, not in the title: the search summary (the text around the
               # hit, for a hit that is not in the title) then holds math
               "source": "# 02 · Softmax 与 T（测试页）\n\n软目标：\n\n"
                         "$$q_i = \\frac{\\exp(z_i/T)}{\\sum_j \\exp(z_j/T)}$$\n\n温度 $T$ 越高，软目标越平。\n"},
              {"cell_type": "code", "id": "code", "metadata": {}, "execution_count": 1,
               "source": "print(\"T =\", 4)", "outputs": [{"output_type": "stream", "name": "stdout",
                                                          "text": "T = 4\n"}]}]}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return path


def _tracked(pattern: str) -> list[Path]:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), "ls-files", pattern], capture_output=True, text=True,
                             check=True, timeout=60).stdout.split()
        return [ROOT / p for p in out]
    except (OSError, subprocess.SubprocessError):
        return sorted(ROOT.glob(pattern))


def site_source(dest: Path, fake_zh: bool = True) -> Path:
    """A copy of what the site is built from: the notebooks as git holds them (a learner's saved working copy
    may hold other outputs), README, docs; with the fake zh notebook where no zh notebook exists yet, and one
    zh notebook fewer where all exist (the tests need a translated page and a missing one)."""
    for path in _tracked("notebooks/*.ipynb") + _tracked("notebooks/zh/*.ipynb"):
        target = dest / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(committed_text(path), encoding="utf-8")
    for rel in ["README.md", "README.zh-CN.md", "requirements.txt", bs.CONFIG]:
        if (ROOT / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            (dest / rel).write_text((ROOT / rel).read_text(encoding="utf-8"), encoding="utf-8")
    for path in list((ROOT / "docs").glob("*.md")) + list((ROOT / "docs").glob("zh/*.md")):
        target = dest / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    zh = sorted((dest / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb"))
    if fake_zh and not zh:
        fake_zh_notebook(dest / "notebooks" / "zh" / "02_temperature.ipynb")
    elif len(zh) == len(list((dest / "notebooks").glob("[0-9][0-9]_*.ipynb"))):
        zh[-1].unlink()  # every notebook translated: take one away, so that a placeholder page is tested too
    return dest


@pytest.fixture
def source(tmp_path):
    return site_source(tmp_path / "repo")


# ------------------------------------------------------------------------------------------------- config

def test_config_reads_the_toml_and_the_command_line_wins(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "site.toml").write_text('[launch]\nrepository_url = "https://github.com/a/b"\n'
                                                 'jupyterhub_url = "https://hub.one.edu"\n')
    cfg = bs.load_config(tmp_path, {"jupyterhub_url": "https://hub.two.edu", "branch": None})
    assert cfg["repository_url"] == "https://github.com/a/b"
    assert cfg["jupyterhub_url"] == "https://hub.two.edu" and cfg["branch"] == "main"


@pytest.mark.parametrize("override, match", [
    ({"repository_url": "https://gitlab.com/a/b"}, "must be a GitHub repository"),
    ({"repository_url": "github.com/a/b"}, "must be a GitHub repository"),
    ({"jupyterhub_url": "hub.example.edu"}, "not an http"),
])
def test_bad_launch_urls_are_refused(tmp_path, override, match):
    with pytest.raises(bs.SiteError, match=match):
        bs.load_config(tmp_path, override)


def test_the_committed_config_is_valid():
    cfg = bs.load_config(ROOT)
    assert cfg["binderhub_url"].startswith("https://") and cfg["colab_branch"]


# --------------------------------------------------------------------------------------------------- plan

def test_every_page_exists_in_both_editions_and_the_missing_zh_ones_are_named(source):
    eds = bs.plan(source)
    en, zh = eds["en"], eds["zh"]
    assert [p.docname for p in en.pages] == [p.docname for p in zh.pages]
    english = sorted(p.name for p in (source / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    chinese = sorted(p.name for p in (source / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb"))
    assert [p.docname for p in en.pages if p.notebook] == [f"notebooks/{Path(n).stem}" for n in english]
    assert {f"notebooks/{Path(n).stem}" for n in english if n not in chinese} <= set(zh.missing)
    assert not {f"notebooks/{Path(n).stem}" for n in chinese} & set(zh.missing)
    assert en.missing == [] and "index" in [p.docname for p in en.pages]
    for p in zh.pages:
        if p.notebook and p.source is not None:
            assert p.repo_path == f"notebooks/zh/{p.source.name}"


def test_the_placeholder_says_in_chinese_that_the_page_is_untranslated_and_links_to_english(source, tmp_path):
    eds = bs.plan(source)
    page = next(p for p in eds["zh"].pages if p.source is None and p.notebook)
    bs.stage(eds["zh"], tmp_path / "zh", source)
    text = (tmp_path / "zh" / f"{page.docname}.md").read_text(encoding="utf-8")
    assert "尚未翻译" in text and "还没有中文版" in text
    assert f'href="../../en/{page.docname}.html"' in text


def test_an_unexecuted_notebook_is_refused_before_any_work(source):
    nb = next((source / "notebooks").glob("0[0-9]_*.ipynb"))
    data = json.loads(nb.read_text())
    for cell in data["cells"]:
        if cell["cell_type"] == "code":
            cell["execution_count"], cell["outputs"] = None, []
    nb.write_text(json.dumps(data))
    with pytest.raises(bs.SiteError, match=f"build_notebooks.py {nb.name[:2]}"):
        bs.plan(source)


def test_a_missing_build_tool_is_named(monkeypatch):
    import importlib.util
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "myst_nb" else real(name, *a))
    with pytest.raises(bs.SiteError, match="myst-nb.*requirements.txt"):
        bs.check_tools()


def test_the_site_stack_is_pinned():
    """Sphinx and what the site needs are pinned exactly (the build must not drift with PyPI)."""
    text = (ROOT / "requirements.txt").read_text()
    for name in ("sphinx", "sphinx-book-theme", "myst-nb", "myst-parser", "pydata-sphinx-theme", "jieba",
                 bs.MATHJAX_DIST):
        assert f"\n{name}==" in text.lower(), name


# ---------------------------------------------------------------------------------------------------- Colab

def test_the_colab_cell_pins_what_requirements_pins_except_torch():
    cfg = bs.load_config(ROOT, {"repository_url": REPO})
    cell = bs.colab_cell(ROOT, cfg, "en")
    pins = dict(line.split("==") for line in (ROOT / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith(("#", "-")) and ";" not in line)
    for name in bs.COLAB_PACKAGES:
        assert f"{name}=={pins[name]}" in cell
    assert "torch" not in cell.split("PINS = ")[1].splitlines()[0]
    assert f"REPOSITORY = os.environ.get('DISTILL_HELPERS_REPOSITORY', {REPO + '.git'!r})" in cell.replace('"', "'")
    assert "BRANCH = 'main'" in cell
    assert "DISTILL_LANG" not in cell and 'setdefault("DISTILL_LANG", "zh")' in bs.colab_cell(ROOT, cfg, "zh")


def test_the_colab_copy_is_the_notebook_with_the_install_cell_first(tmp_path):
    nb = ROOT / "notebooks" / "02_temperature.ipynb"
    copy = bs.colab_copy(nb, "print('setup')\n")
    original = json.loads(nb.read_text())
    assert copy["cells"][0]["source"] == ["print('setup')\n"] and copy["cells"][0]["outputs"] == []
    assert copy["cells"][1:] == original["cells"]
    import nbformat
    nbformat.validate(nbformat.from_dict(copy))


def _repository(dest: Path) -> Path:
    """A git repository on disk with this checkout's package on its branch main (what the cell clones)."""
    from test_packaging import _source_copy
    _source_copy(dest)
    (dest / "notebooks").mkdir()  # a checkout of the series: the package finds its data/ folder beside it
    (dest / "notebooks" / "README.md").write_text("notebooks\n")
    git = ["git", "-C", str(dest), "-c", "user.name=test", "-c", "user.email=test@example.org"]
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "package"]):
        subprocess.run(git + cmd, check=True, capture_output=True, timeout=60)
    return dest


def test_the_colab_cell_installs_the_package_in_a_fresh_environment_and_loads_the_digits(tmp_path):
    """The first cell's code, run as it is in a new virtual environment that has torch and the pinned
    packages already (as Colab has torch), cloning a local repository instead of GitHub (offline here: the
    cell's own DISTILL_HELPERS_REPOSITORY)."""
    cfg = bs.load_config(ROOT, {"repository_url": REPO})
    cell = bs.colab_copy(ROOT / "notebooks" / "02_temperature.ipynb", bs.colab_cell(ROOT, cfg, "en"))["cells"][0]
    script = tmp_path / "cell.py"
    script.write_text("".join(cell["source"]))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    work = tmp_path / "content"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DISTILL_DATA")}
    env.update(DISTILL_HELPERS_REPOSITORY=str(_repository(tmp_path / "origin")), PIP_NO_INDEX="1",
               PIP_DISABLE_PIP_VERSION_CHECK="1")
    done = subprocess.run([str(python), str(script)], cwd=work, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "distill_helpers is ready: 3,500 / 500 / 1,000 digits" in done.stdout, done.stdout
    checkout = (work / "distill-helpers").resolve()
    probe = subprocess.run([str(python), "-c", "import distill_helpers as dh, torch; print(dh.__file__); "
                            "print(torch.__file__); print(dh.data_root())"],
                           cwd=tmp_path, env=env, capture_output=True, text=True)
    assert probe.returncode == 0, probe.stderr
    package, torch_file, data = (Path(line).resolve() for line in probe.stdout.split())
    assert checkout in package.parents, f"a new process imports {package}, not the clone the cell installed"
    assert venv.resolve() not in torch_file.parents, "the cell installed torch (Colab's own must stay)"
    assert data == checkout / "data" and list(data.rglob("*")), "the embedded digits were not cached in the clone"


# --------------------------------------------------------------------------------------------------- bundle

def _stub_vendor(vendor: Path) -> Path:
    import export_slides as es
    for rel in es.missing_assets(vendor):
        (vendor / rel).parent.mkdir(parents=True, exist_ok=True)
        (vendor / rel).write_text("/* stand-in */\n")
    return vendor


def test_the_bundle_holds_the_site_both_editions_notebooks_and_slides(source, tmp_path):
    site = tmp_path / "site"
    (site / "en").mkdir(parents=True)
    (site / "index.html").write_text("<html></html>")
    (site / "en" / "index.html").write_text("<html>en</html>")
    target = bs.bundle(source, site, tmp_path / "out" / "distill-offline.zip", _stub_vendor(tmp_path / "vendor"),
                       log=lambda *a: None)
    names = set(zipfile.ZipFile(target).namelist())
    top = "distill-offline/"
    assert {top + "README.txt", top + "site/index.html", top + "site/en/index.html"} <= names
    english = sorted((source / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    chinese = sorted((source / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb"))
    assert english and chinese
    for nb, lang in [(nb, "en") for nb in english] + [(nb, "zh") for nb in chinese]:
        assert f"{top}notebooks/{lang}/{nb.name}" in names
        assert f"{top}slides/{lang}/{nb.stem}.slides.html" in names
    assert any(n.startswith(top + "slides/vendor/reveal.js/") for n in names)
    assert [p.name for p in target.parent.iterdir()] == ["distill-offline.zip"], "a temporary file was left"


def test_the_bundle_without_the_slides_javascript_says_how_to_fetch_it(source, tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<html></html>")
    with pytest.raises(bs.SiteError, match="export_slides.py --fetch"):
        bs.bundle(source, site, tmp_path / "out" / "b.zip", tmp_path / "no-vendor", log=lambda *a: None)
    assert not (tmp_path / "out" / "b.zip").exists()
    rc = bs.main(["--root", str(source), "--out", str(tmp_path / "s"), "--bundle", str(tmp_path / "b.zip"),
                  "--slides-vendor", str(tmp_path / "no-vendor")])
    assert rc == 1 and not (tmp_path / "s").exists(), "the site was built before the missing slides were found"


# ---------------------------------------------------------------------------------------------------- links

def test_links_to_pages_become_links_between_pages_and_other_files_point_to_the_repository(source):
    eds = bs.plan(source)
    pages = bs.link_map(eds)
    suffix = {p.docname: ".ipynb" if p.notebook else ".md" for p in eds["en"].pages}
    teaching = source / "docs" / "teaching.md"
    text = ("See [the README](../README.md#set-up-python-311), [notebook 02](../notebooks/02_temperature.ipynb), "
            "[the builder](../tools/build_site.py), [a site](https://example.org/x.md), [here](#top), "
            "`code[0](x)` and\n```\ny = f[0](x)\n```\n![a picture](fig.png)")
    cfg = {"repository_url": REPO, "branch": "main"}
    out = bs.rewrite_links(text, teaching, "docs/teaching", pages, suffix, source, cfg)
    assert "[the README](../index.md#set-up-python-311)" in out
    assert "[notebook 02](../notebooks/02_temperature.ipynb)" in out
    assert f"[the builder]({REPO}/blob/main/tools/build_site.py)" in out
    for same in ("[a site](https://example.org/x.md)", "[here](#top)", "`code[0](x)`", "y = f[0](x)",
                 "![a picture](fig.png)"):
        assert same in out
    offline = bs.rewrite_links(text, teaching, "docs/teaching", pages, suffix, source, {})
    assert "the builder (`tools/build_site.py`)" in offline
    # from the front page (README.md at the root) to a guide
    readme = bs.rewrite_links("[guide](docs/teaching.md)", source / "README.md", "index", pages, suffix, source, cfg)
    assert readme == "[guide](docs/teaching.md)"


def test_a_guides_link_to_its_other_language_opens_the_other_edition(source):
    """`[English](classroom.md)` in docs/classroom.zh-CN.md is the same docname: on the site it must open the
    English edition's page, not the Chinese page itself (Sphinx would make it href="#")."""
    eds = bs.plan(source)
    pages = bs.link_map(eds)
    suffix = {p.docname: ".md" for p in eds["zh"].pages}
    zh_guide, en_guide = source / "docs" / "classroom.zh-CN.md", source / "docs" / "classroom.md"
    out = bs.rewrite_links("[English](classroom.md) [教学指南](teaching.zh-CN.md)", zh_guide, "docs/classroom",
                           pages, suffix, source, {}, "zh")
    assert out == ('<a class="edition-link" href="../../en/docs/classroom.html" hreflang="en">English</a> '
                   "[教学指南](teaching.md)")
    back = bs.rewrite_links("[中文](classroom.zh-CN.md)", en_guide, "docs/classroom", pages, suffix, source, {}, "en")
    assert back == '<a class="edition-link" href="../../zh/docs/classroom.html" hreflang="zh-CN">中文</a>'
    readme = bs.rewrite_links("[English](README.md)", source / "README.zh-CN.md", "index", pages, suffix, source, {}, "zh")
    assert 'href="../en/index.html"' in readme
    glossary = source / "docs" / "glossary.md"  # one bilingual file in both editions: a link to itself stays
    assert bs.rewrite_links("[top](glossary.md)", glossary, "docs/glossary", pages, suffix, source, {}, "zh") \
        == "[top](glossary.md)"


def test_every_guide_page_has_its_chinese_edition():
    """No page beside the notebooks is a placeholder in the Chinese edition (the list of untranslated pages
    only shrinks: docs/i18n.md), and the English guides and the Chinese ones link each other."""
    eds = bs.plan(ROOT)
    assert [p.docname for p in eds["zh"].pages if not p.notebook and p.source is None] == []
    for en, zh in [(en, zh) for en, zh in bs.PAGES.values() if zh != [en]]:
        zsrc = next(ROOT / z for z in zh if (ROOT / z).is_file())
        assert f"]({Path(en).name})" in zsrc.read_text(encoding="utf-8"), f"{zsrc.name} does not link {en}"
        if en != "README.md":
            assert f"]({zsrc.name})" in (ROOT / en).read_text(encoding="utf-8"), f"{en} does not link {zsrc.name}"


def test_a_failed_build_says_why_and_leaves_the_previous_site(tmp_path):
    """A Sphinx warning fails the build (-W) with Sphinx's words, and the site built before stays whole."""
    root = tmp_path / "repo"
    fake_zh_notebook(root / "notebooks" / "01_tiny.ipynb")
    (root / "README.md").write_text("# Tiny\n\nSee {ref}`a-label-that-does-not-exist`.\n")
    out = tmp_path / "_build" / "site"
    out.mkdir(parents=True)
    (out / "index.html").write_text("the previous site")
    with pytest.raises(bs.SiteError, match="Sphinx failed(.|\n)*a-label-that-does-not-exist"):
        bs.build(root, out, bs.load_config(root), log=lambda *a: None)
    assert (out / "index.html").read_text() == "the previous site"
    assert sorted(p.name for p in out.parent.iterdir()) == ["site"], "a temporary folder was left"
