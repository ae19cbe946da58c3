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

ROOT = Path(__file__).resolve().parents[1]
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
