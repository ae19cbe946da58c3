"""tools/export_slides.py: static reveal.js slides that load nothing from the network.

The JavaScript packages are stand-ins here (empty files at the paths the slides load): what is tested is
that every script and style sheet the page loads is a relative path to a file in the slides' folder, and
that no URL of reveal.js (or of any CDN) is left. The real packages come from `--fetch` (npm).
"""
import re
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import committed_text

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import export_slides as es  # noqa: E402

NOTEBOOK_IN_REPO = ROOT / "notebooks" / "02_temperature.ipynb"  # slides, math and widgets


@pytest.fixture
def notebook(tmp_path):
    """02 as committed (a learner's saved working copy may hold other outputs), in a folder of its own."""
    path = tmp_path / "nb" / NOTEBOOK_IN_REPO.name
    path.parent.mkdir()
    path.write_text(committed_text(NOTEBOOK_IN_REPO))
    return path


def _stub_vendor(vendor: Path) -> None:
    for rel in es.missing_assets(vendor):
        (vendor / rel).parent.mkdir(parents=True, exist_ok=True)
        (vendor / rel).write_text("/* stand-in */\n")


def test_default_nbconvert_slides_are_not_offline(notebook):
    """The detector sees what plain `jupyter nbconvert --to slides` loads from CDNs (so it can fail)."""
    from nbconvert.exporters import SlidesExporter
    html, _ = SlidesExporter().from_notebook_node(nbformat.read(notebook, as_version=4))
    remote = " ".join(es.remote_resources(html))
    assert "reveal.js" in remote and "require" in remote and "mathjax" in remote.lower()


def test_exported_slides_load_only_local_files(tmp_path, notebook):
    out = tmp_path / "slides"
    _stub_vendor(out / "vendor")
    html = es.export(notebook, out).read_text()
    assert es.remote_resources(html) == []
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", html)
    assert not re.search(r"https?://(?:unpkg\.com|cdnjs\.cloudflare\.com|cdn\.jsdelivr\.net)", html), "a CDN URL is left"
    assert not re.search(r"""https?://[^"'\s]*reveal\.js[^"'\s]*/(?:dist|plugin)/""", html), "reveal.js from the network"
    loaded = es.local_resources(html) + re.findall(r"""["']([^"':]+\.js)["']""", html)
    for must in ("vendor/reveal.js/dist/reveal.js", "vendor/reveal.js/dist/reveal.css", "vendor/requirejs/require.js",
                 "vendor/mathjax/MathJax.js", "vendor/html-manager/dist/embed-amd.js"):
        assert must in loaded, f"{must} is not loaded"
    missing = [u for u in loaded if not (out / u).is_file()]
    assert not missing, f"the page loads files that are not in the slides' folder: {missing}"
    # one <section> per slide and sub-slide that the builder marked
    nb = nbformat.read(notebook, as_version=4)
    marked = sum(c.metadata.get("slideshow", {}).get("slide_type") in ("slide", "subslide") for c in nb.cells)
    assert marked > 3 and html.count("<section") >= marked


def test_missing_assets_say_how_to_fetch_them(tmp_path, notebook):
    with pytest.raises(es.AssetsMissing, match="--fetch"):
        es.export(notebook, tmp_path / "slides")
    assert not (tmp_path / "slides").exists()


def test_a_style_sheet_that_imports_from_the_network_is_refused(tmp_path, notebook):
    """The theme's CSS is read too: reveal.js's simple theme imports Google Fonts, which offline never load."""
    out = tmp_path / "slides"
    _stub_vendor(out / "vendor")
    theme = out / "vendor" / "reveal.js" / "dist" / "theme" / f"{es.THEME}.css"
    theme.write_text("@import url(https://fonts.googleapis.com/css?family=Lato:400,700);\n.reveal{}\n")
    with pytest.raises(RuntimeError, match="fonts.googleapis.com"):
        es.export(notebook, out)
    assert not (out / f"{notebook.stem}.slides.html").exists()
    assert es.css_imports("@import url(fonts/a.css); src: url('x.woff')") == []


# ---------------------------------------------------------------- the Chinese slides (notebooks/zh/)

ZH_NOTEBOOK_IN_REPO = ROOT / "notebooks" / "zh" / "02_temperature.ipynb"
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")  # ideographs, full-width and CJK punctuation


@pytest.fixture
def zh_notebook(tmp_path):
    path = tmp_path / "nb" / "zh" / ZH_NOTEBOOK_IN_REPO.name
    path.parent.mkdir(parents=True)
    path.write_text(committed_text(ZH_NOTEBOOK_IN_REPO), encoding="utf-8")
    return path


def _embedded_font(html: str):
    """The font of the page's CJK style sheet, decoded (fontTools), and the style sheet's text."""
    import base64
    import io
    from fontTools.ttLib import TTFont
    css = re.search(r'<style id="cjk-font">(.*?)</style>', html, re.DOTALL)
    assert css, "the Chinese slides carry no font"
    data = re.search(r"url\(data:font/woff;base64,([A-Za-z0-9+/=]+)\)", css.group(1))
    return TTFont(io.BytesIO(base64.b64decode(data.group(1)))), css.group(1)


def test_zh_slides_are_offline_and_carry_every_chinese_glyph(tmp_path, notebook, zh_notebook):
    out = tmp_path / "slides"
    _stub_vendor(out / "vendor")
    html = es.export(zh_notebook, out / es.ZH_OUT, out / "vendor").read_text(encoding="utf-8")
    assert es.remote_resources(html) == []
    missing = [u for u in es.local_resources(html) if not (out / es.ZH_OUT / u).is_file()]
    assert not missing and "../vendor/reveal.js/dist/reveal.css" in es.local_resources(html), missing
    assert '<html lang="zh-CN">' in html
    # every Chinese character the learner reads (markdown, printed text, widget labels) has a glyph in the
    # embedded font: read from the notebook itself, and checked against the font's own character map
    nb = nbformat.read(zh_notebook, as_version=4)
    shown = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
    shown += "".join(str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", "")) + str(o.get("data", {}).get("text/html", ""))
                     for c in nb.cells for o in c.get("outputs", []))
    shown += str(nb.metadata.get("widgets", ""))
    wanted = set(CJK.findall(shown))
    assert len(wanted) > 200, "the Chinese notebook reads as Chinese"
    font, css = _embedded_font(html)
    cmap = font.getBestCmap()
    assert not sorted(ch for ch in wanted if ord(ch) not in cmap), "characters without a glyph in the slides' font"
    glyphs = font.getGlyphSet()
    assert all(glyphs[cmap[ord(ch)]].width > 0 for ch in "知识蒸馏教师模型温度")
    assert len(cmap) < 3000, "the font is cut down to the page's characters, not all 30,000"
    # the font is in every stack, after the Latin fonts (English words keep their look)
    for var in ("--jp-ui-font-family", "--jp-content-font-family", "--jp-code-font-family"):
        stack = re.search(rf"{var}: ([^;]+);", css).group(1)
        assert f'"{es.CJK_FAMILY}"' in stack and stack.index("helvetica" if "code" not in var else "default") \
            < stack.index(es.CJK_FAMILY), stack
    assert re.search(rf'\.reveal h1[^{{]*\{{ font-family: "Source Sans Pro", Helvetica, "{es.CJK_FAMILY}"', css)
    # the same slides as the English edition (the builder writes the English slide types into both)
    english = es.export(notebook, out, out / "vendor").read_text(encoding="utf-8")
    assert html.count("<section") == english.count("<section") > 3
    assert 'id="cjk-font"' not in english and '<html lang="en">' in english  # exported as before


def test_the_slides_font_is_the_package_font():
    from distill_helpers.infra import fonts
    assert es.CJK_FONT == fonts.CJK_FONT and es.CJK_FONT.is_file()
    assert es.with_cjk_font("<html><head></head><body>plain English</body></html>") == \
        "<html><head></head><body>plain English</body></html>"


def test_export_command_writes_both_editions(tmp_path, monkeypatch):
    out = tmp_path / "slides"
    _stub_vendor(out / "vendor")
    assert es.main(["--out", str(out), "--lang", "zh", "02"]) == 0
    assert [p.relative_to(out).as_posix() for p in out.rglob("*.slides.html")] == ["zh/02_temperature.slides.html"]
    assert es.main(["--out", str(out), "02"]) == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.slides.html")) == \
        ["02_temperature.slides.html", "zh/02_temperature.slides.html"]
    untranslated = next((s.name[:2] for s in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
                         if not (ROOT / "notebooks" / "zh" / s.name).exists()), "99")  # "99": none at all
    assert es.main(["--out", str(out), "--lang", "zh", untranslated]) == 1


def test_zh_slides_font_loads_in_a_browser(tmp_path, zh_notebook):
    """Chromium decodes the embedded font and uses it for the page's Chinese text (the file:// page, offline)."""
    from test_browser import CHROMIUM, CHROMIUM_ARGS, _require_browser
    _require_browser()
    from playwright.sync_api import sync_playwright
    out = tmp_path / "slides"
    _stub_vendor(out / "vendor")
    page_path = es.export(zh_notebook, out / es.ZH_OUT, out / "vendor")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = b.new_page()
            page.goto(page_path.as_uri())
            faces = page.evaluate(f"""async () => {{
                const faces = await document.fonts.load('16px "{es.CJK_FAMILY}"', '知识蒸馏的温度');
                return faces.map(f => f.status);
            }}""")
            assert faces == ["loaded"], faces
        finally:
            b.close()
