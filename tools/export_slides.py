"""Static slides of the series that open offline: reveal.js, require.js, jQuery and MathJax from a local folder.

    python tools/export_slides.py --fetch          # once: the five JavaScript packages from npm (about 29 MB)
    python tools/export_slides.py [NN ...]         # slides/NN_name.slides.html for the executed notebooks,
                                                   # and slides/zh/NN_name.slides.html for their Chinese edition
    python tools/export_slides.py --lang zh [NN ...]   # only the Chinese (or --lang en: only the English)

`jupyter nbconvert --to slides` loads reveal.js and its helpers from CDNs, so its output shows nothing
without a network. Here every script and style sheet is a relative path into `slides/vendor/`: copy the
`slides/` folder to a USB stick or a lecture-hall PC and open the HTML file. The slides show the committed
outputs (figures, tables, printed numbers); widgets need a kernel and are live only in the JupyterLab
slideshow (jupyterlab-deck, see README).

Nothing is downloaded unless `--fetch` is given; without the assets the export stops and says so.

Chinese slides (notebooks/zh/, the same slide metadata as the English): a lecture-hall PC may have no CJK
font at all (a bare Linux, a kiosk browser), and reveal.js's theme font has no Chinese glyphs. A page with
Chinese text therefore carries its own font: the repository's Noto Sans SC (distill_helpers/assets/, SIL OFL
1.1), cut down to the characters the page uses (fontTools, 120-160 kB a notebook) and embedded as a data: URL in
a style sheet inside the page, placed in every font stack after the Latin fonts (English text keeps its
look). Embedded because browsers refuse a font file that a file:// page loads from another folder (Firefox
allows only the page's own folder and below, Chrome treats each file as its own origin).
"""
from __future__ import annotations

import argparse
import base64
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "slides"

#: folder under vendor/ -> (npm package, version, the files the slides load, relative to the package folder)
ASSETS = {
    # the white theme: its font is a file in the package (simple.css imports two Google Fonts)
    "reveal.js": ("reveal.js", "4.0.2", ["dist/reveal.js", "dist/reveal.css", "dist/theme/white.css",
                                         "dist/theme/fonts/source-sans-pro/source-sans-pro.css",
                                         "plugin/notes/notes.js"]),
    "requirejs": ("requirejs", "2.1.22", ["require.js"]),
    "jquery": ("jquery", "2.2.4", ["dist/jquery.min.js"]),
    "mathjax": ("mathjax", "2.7.7", ["MathJax.js", "config/TeX-AMS_CHTML-full.js"]),
    # renders the widgets' saved state (a slider where it was left), without a kernel; for ipywidgets 8
    "html-manager": ("@jupyter-widgets/html-manager", "1.0.15", ["dist/embed-amd.js"]),
}
PACKAGES = ", ".join(f"{pkg}@{v}" for pkg, v, _ in ASSETS.values())
THEME = "white"
ZH_OUT = "zh"  # the Chinese slides go to <out>/zh/, beside the English ones, sharing <out>/vendor/
CJK_FONT = ROOT / "distill_helpers" / "assets" / "NotoSansSC-Regular.otf"  # = distill_helpers.infra.fonts.CJK_FONT
CJK_FAMILY = "Distill Noto Sans SC"  # the embedded subset's own name: never confused with an installed font
CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")  # CJK, kana, full-width forms


class AssetsMissing(RuntimeError):
    pass


def missing_assets(vendor: Path) -> list[str]:
    return [f"{name}/{f}" for name, (_, _, files) in ASSETS.items() for f in files if not (vendor / name / f).is_file()]


def fetch_assets(vendor: Path, npm: str = "npm") -> None:
    """Download the pinned packages with `npm pack` and unpack each into vendor/<name>/ (atomically per package)."""
    if shutil.which(npm) is None:
        raise AssetsMissing(f"{npm!r} was not found: install Node.js (it brings npm), or unpack the packages "
                            f"{PACKAGES} into {vendor}/<folder>/ by hand (folders: {', '.join(ASSETS)})")
    vendor.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=vendor) as tmp:
        for name, (package, version, _) in ASSETS.items():
            r = subprocess.run([npm, "pack", f"{package}@{version}", "--pack-destination", tmp, "--silent"],
                               capture_output=True, text=True, timeout=600)
            if r.returncode != 0:
                raise AssetsMissing(f"npm pack {package}@{version} failed (is the npm registry reachable?):\n{r.stderr[-1500:]}")
            tgz = Path(tmp) / r.stdout.strip().splitlines()[-1]
            unpacked = Path(tmp) / f"{name}-unpacked"
            with tarfile.open(tgz) as t:
                t.extractall(unpacked, filter="data")
            dest = vendor / name
            if dest.exists():
                shutil.rmtree(dest)
            (unpacked / "package").rename(dest)


def _relative(target: Path, start: Path) -> str:
    import os
    return Path(os.path.relpath(target, start)).as_posix()


def export(notebook: Path, out: Path = OUT, vendor: Path | None = None) -> Path:
    """Write out/<name>.slides.html for an executed notebook; every script and style sheet is a local file."""
    from nbconvert.exporters import SlidesExporter
    import nbformat
    vendor = vendor or out / "vendor"
    missing = missing_assets(vendor)
    if missing:
        raise AssetsMissing(f"the slides' JavaScript is not in {vendor} ({len(missing)} files missing, e.g. "
                            f"{missing[0]}): run `python tools/export_slides.py --fetch` once (downloads about "
                            f"29 MB from the npm registry)")
    out.mkdir(parents=True, exist_ok=True)
    rel = _relative(vendor, out)
    exporter = SlidesExporter(reveal_url_prefix=f"{rel}/reveal.js", reveal_theme=THEME,
                              require_js_url=f"{rel}/requirejs/require.js",
                              jquery_url=f"{rel}/jquery/dist/jquery.min.js",
                              mathjax_url=f"{rel}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
                              widget_renderer_url=f"{rel}/html-manager/dist/embed-amd.js")
    nb = nbformat.read(notebook, as_version=4)
    # <html lang>: the Chinese edition's metadata says zh-CN (the browser then picks Chinese, not Japanese, glyph forms)
    exporter.language_code = nb.metadata.get("language", "en")
    html, _ = exporter.from_notebook_node(nb)
    html = with_cjk_font(html, nb)
    # nbconvert imports mermaid.js from a CDN on every page; the series draws no mermaid diagram
    if not any("text/vnd.mermaid" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])):
        html = _MERMAID.sub("", html)
    remote = remote_resources(html)
    remote += [f"{u} (imported by {css})" for css in local_resources(html) if css.endswith(".css")
               for u in css_imports((out / css).read_text(encoding="utf-8", errors="replace"))]
    if remote:
        raise RuntimeError(f"{notebook.name}: the slides would load {remote} from the network")
    target = out / f"{notebook.stem}.slides.html"
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(target)
    return target


def cjk_characters(html: str, nb=None) -> str:
    """The CJK characters of the page and of the notebook (whose widget state the page holds JSON-escaped)."""
    text = html + (json.dumps(nb, ensure_ascii=False) if nb is not None else "")
    return "".join(sorted(set(CJK.findall(text))))


def cjk_font_css(chars: str, font: Path = CJK_FONT) -> str:
    """A style sheet: `font` cut down to `chars`, embedded as a WOFF data: URL, and in every font stack of
    the slides (reveal.js's, JupyterLab's text, code and widgets), after the Latin fonts."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    if not font.is_file():
        raise AssetsMissing(f"the Chinese font {font.name} is missing (expected at {font}); it ships with the repository")
    options = subset.Options()
    options.flavor, options.layout_features, options.notdef_outline = "woff", ["*"], True
    face = TTFont(font)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=chars)
    subsetter.subset(face)
    buf = io.BytesIO()
    face.flavor = "woff"
    face.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    cjk = f'"{CJK_FAMILY}", "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC"'
    sans = f"system-ui, -apple-system, blinkmacsystemfont, 'Segoe UI', helvetica, arial, {cjk}, sans-serif"
    return "\n".join([
        "/* Noto Sans SC (SIL Open Font License 1.1, distill_helpers/assets/OFL.txt), subset to this page's characters */",
        f'@font-face {{ font-family: "{CJK_FAMILY}"; font-style: normal; font-weight: normal; '
        f'src: url(data:font/woff;base64,{data}) format("woff"); }}',
        f":root {{ --jp-ui-font-family: {sans}; --jp-content-font-family: {sans}; "
        f"--jp-widgets-font-family: {sans}; --jp-code-font-family: var(--jp-code-font-family-default), {cjk}; }}",
        ".reveal, .reveal h1, .reveal h2, .reveal h3, .reveal h4, .reveal h5, .reveal h6 "
        f'{{ font-family: "Source Sans Pro", Helvetica, {cjk}, sans-serif; }}'])


def with_cjk_font(html: str, nb=None) -> str:
    """`html` with the CJK font style sheet before </head> when the page has Chinese text; else unchanged."""
    chars = cjk_characters(html, nb)
    if not chars:
        return html
    if "</head>" not in html:
        raise RuntimeError("the slides have no </head> to put the Chinese font in")
    head, tail = html.split("</head>", 1)
    return f'{head}<style id="cjk-font">\n{cjk_font_css(chars)}\n</style>\n</head>{tail}'


_RESOURCE = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_REQUIRED = re.compile(r"""["']((?:https?:)?//[^"'\s]+\.(?:m?js|css)(?:\?[^"'\s]*)?)["']""")
_MERMAID = re.compile(r"""<script type="module">\s*import mermaid from '[^']+';.*?</script>""", re.DOTALL)


def remote_resources(html: str) -> list[str]:
    """URLs of scripts, style sheets and frames that the page would fetch from the network."""
    urls = [u for u in _RESOURCE.findall(html) if re.match(r"^(?:https?:)?//", u)]
    return urls + [u for u in _REQUIRED.findall(html) if u not in urls]


_CSS_URL = re.compile(r"""(?:@import\s+|url\(\s*)["']?((?:https?:)?//[^"')\s;]+)""", re.IGNORECASE)


def css_imports(css: str) -> list[str]:
    """URLs of the network that a style sheet imports or loads (fonts, other style sheets)."""
    return _CSS_URL.findall(css)


def local_resources(html: str) -> list[str]:
    """Relative paths of the scripts and style sheets the page loads (without query strings)."""
    return [u.split("?")[0] for u in _RESOURCE.findall(html) if not re.match(r"^(?:[a-z]+:)?//|^data:|^#", u)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", help="two-digit numbers (default: every notebook)")
    ap.add_argument("--fetch", action="store_true", help="download the JavaScript packages with npm first")
    ap.add_argument("--out", type=Path, default=OUT, help="output folder (default: slides/; the Chinese in its zh/)")
    ap.add_argument("--lang", choices=("en", "zh"), help="only this edition (default: both; zh where translated)")
    args = ap.parse_args(argv)
    vendor = args.out / "vendor"
    try:
        if args.fetch:
            fetch_assets(vendor)
            print(f"fetched {PACKAGES} into {vendor}")
        jobs = []  # (notebook, output folder)
        for lang in ([args.lang] if args.lang else ["en", "zh"]):
            folder = ROOT / "notebooks" / (ZH_OUT if lang == "zh" else "")
            nbs = sorted(folder.glob("[0-9][0-9]_*.ipynb"))
            if args.notebooks:
                nbs = [nb for nb in nbs if nb.name[:2] in args.notebooks]
                if lang == "en" and len(nbs) != len(set(args.notebooks)):
                    raise AssetsMissing(f"no notebook for some of {args.notebooks}")
                if args.lang == "zh" and len(nbs) != len(set(args.notebooks)):
                    raise AssetsMissing(f"no Chinese edition for some of {args.notebooks} (notebooks/zh/)")
            jobs += [(nb, args.out / ZH_OUT if lang == "zh" else args.out) for nb in nbs]
        for nb, out in jobs:
            print(f"wrote {export(nb, out, vendor)}")
    except AssetsMissing as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
