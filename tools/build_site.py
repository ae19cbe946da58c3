"""The book site: both editions of the series, read in a browser, from the committed executed notebooks.

    python tools/build_site.py                 # _build/site/: open _build/site/index.html
    python tools/build_site.py --bundle        # and _build/distill-offline.zip (site, notebooks, slides)
    python tools/build_site.py --jupyterhub-url https://hub.example.edu

Jupyter Book 1's stack (Sphinx, sphinx-book-theme, myst-nb; pinned in requirements.txt) behind this one
script: nothing is executed (the notebooks are committed executed), nothing is fetched, and the pages load
nothing from the network (MathJax comes from the PyPI package sphinx-mathjax-offline; a widget shows its
saved picture). The English edition is built from notebooks/NN_*.ipynb, README.md and docs/; the Chinese
one from notebooks/zh/NN_*.ipynb, README.zh-CN.md and docs/ where they exist. Every page has a language
switch to the same page in the other edition; a page not yet translated is, in the Chinese edition, a
short page that says so (in Chinese) and links to the English one, and the build prints which they are.

Notebook pages get launch buttons (Binder, JupyterHub, Colab) from docs/site.toml, which also names the
repository they open. Colab opens a generated copy (site/colab/<lang>/NN_*.ipynb) whose first cell clones
the repository, installs the package without the torch pin and loads the embedded digits: publish the built site on the branch that
docs/site.toml names (colab_branch) for the Colab button to find it. Details: docs/site.md.
"""
from __future__ import annotations

import argparse
import copy
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
CONF_DIR = Path(__file__).resolve().parent / "site"
OUT = ROOT / "_build" / "site"
BUNDLE = ROOT / "_build" / "distill-offline.zip"
CONFIG = "docs/site.toml"

EDITIONS = {
    "en": {"language": "en", "hreflang": "en", "label": "English", "title": "Read this page in English",
           "name": "Knowledge distillation, hands-on"},
    "zh": {"language": "zh_CN", "hreflang": "zh-CN", "label": "中文", "title": "阅读本页的中文版",
           "name": "动手学知识蒸馏"},
}
#: the pages beside the notebooks: docname -> (English source, candidates for the Chinese one), repo-relative
PAGES = {
    "index": ("README.md", ["README.zh-CN.md"]),
    "docs/teaching": ("docs/teaching.md", ["docs/zh/teaching.md", "docs/teaching.zh-CN.md"]),
    "docs/classroom": ("docs/classroom.md", ["docs/zh/classroom.md", "docs/classroom.zh-CN.md"]),
    "docs/glossary": ("docs/glossary.md", ["docs/glossary.md"]),   # one bilingual page, in both editions
}
#: what the Colab copy installs besides the package: the pins of requirements.txt for these (not torch and
#: torchvision, whose CUDA builds Colab has, nor Jupyter itself, which Colab provides)
COLAB_PACKAGES = ("numpy", "matplotlib", "mlxtend", "scipy", "tqdm", "ipywidgets")
MATHJAX_DIST = "sphinx-mathjax-offline"
#: the MathJax files the pages load: the component, its fonts, and what it loads on demand
MATHJAX_FILES = ("tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions", "ui", "a11y")
REQUIRED = {"sphinx": "Sphinx", "sphinx_book_theme": "sphinx-book-theme", "myst_nb": "myst-nb",
            "jieba": "jieba (the Chinese search's word splitter)"}


class SiteError(RuntimeError):
    pass


@dataclass
class Page:
    docname: str
    source: Path | None          # None: a placeholder page (not yet translated)
    title: str
    notebook: bool
    repo_path: str | None = None  # the notebook's path in the repository (launch buttons)


@dataclass
class Edition:
    lang: str
    pages: list[Page] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [p.docname for p in self.pages if p.source is None]


# ------------------------------------------------------------------------------------------- configuration

def load_config(root: Path, overrides: dict | None = None) -> dict:
    """docs/site.toml's [launch] table, with command-line values in place of its own where given."""
    path = root / CONFIG
    try:
        cfg = tomllib.loads(path.read_text(encoding="utf-8")).get("launch", {})
    except FileNotFoundError:
        cfg = {}
    except tomllib.TOMLDecodeError as e:
        raise SiteError(f"{CONFIG} is not valid TOML: {e}") from None
    cfg = {"repository_url": "", "branch": "main", "binderhub_url": "https://mybinder.org", "jupyterhub_url": "",
           "colab_url": "https://colab.research.google.com", "colab_branch": "gh-pages", **cfg}
    cfg.update({k: v for k, v in (overrides or {}).items() if v is not None})
    repo = cfg["repository_url"].rstrip("/")
    if repo and not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", repo):
        raise SiteError(f"repository_url {repo!r} must be a GitHub repository, https://github.com/OWNER/NAME "
                        f"(Binder's gh provider and Colab open GitHub repositories)")
    for key in ("binderhub_url", "jupyterhub_url", "colab_url"):
        if cfg[key] and not re.match(r"https?://[^/\s]+", cfg[key]):
            raise SiteError(f"{key} {cfg[key]!r} is not an http(s) URL")
    cfg["repository_url"] = repo
    return cfg


def check_tools() -> None:
    """Every package the build needs is importable, before any work (a clear message, not a traceback)."""
    import importlib.util
    missing = [what for mod, what in REQUIRED.items() if importlib.util.find_spec(mod) is None]
    try:
        _mathjax_source()
    except SiteError:
        missing.append(MATHJAX_DIST)
    if missing:
        raise SiteError(f"the site needs {', '.join(missing)}: pip install -r requirements.txt")


def _mathjax_source() -> Path:
    try:
        dist = importlib.metadata.distribution(MATHJAX_DIST)
    except importlib.metadata.PackageNotFoundError:
        raise SiteError(f"{MATHJAX_DIST} is not installed") from None
    folder = Path(dist.locate_file("sphinx-mathjax-offline/static/mathjax"))
    if not (folder / "tex-chtml.js").is_file():
        raise SiteError(f"{MATHJAX_DIST} has no tex-chtml.js in {folder}")
    return folder


# ------------------------------------------------------------------------------------------------ planning

def notebook_title(path: Path) -> str:
    """The first markdown heading of a notebook (its title on the site)."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            m = re.search(r"^#\s+(.+)$", "".join(cell["source"]), re.MULTILINE)
            if m:
                return m.group(1).strip()
    return path.stem


def markdown_title(path: Path) -> str:
    m = re.search(r"^#\s+(.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    return m.group(1).strip() if m else path.stem


def check_executed(path: Path, root: Path) -> None:
    """A notebook on the site must be committed executed: its code cells ran, in order, without an error."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    rel = path.relative_to(root).as_posix()
    if code and any(c.get("execution_count") is None for c in code):
        raise SiteError(f"{rel} is not executed (a code cell has no execution count): build it first with "
                        f"`python tools/build_notebooks.py {path.name[:2]}`")
    errors = [o.get("ename") for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        raise SiteError(f"{rel} holds an error output ({errors[0]}): rebuild it before the site")


def plan(root: Path, only: list[str] | None = None) -> dict[str, Edition]:
    """Both editions' pages. English: every notebook and page that exists; Chinese: the same docnames, from
    the zh sources where they exist and a placeholder where they do not."""
    notebooks = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if only:
        notebooks = [nb for nb in notebooks if nb.name[:2] in only]
        unknown = sorted(set(only) - {nb.name[:2] for nb in notebooks})
        if unknown:
            raise SiteError(f"no notebook numbered {', '.join(unknown)} in notebooks/")
    if not notebooks:
        raise SiteError(f"no executed notebooks in {root / 'notebooks'}: nothing to build")
    en, zh = Edition("en"), Edition("zh")
    for docname, (en_src, zh_srcs) in PAGES.items():
        src = root / en_src
        if not src.is_file():
            if docname == "index":
                raise SiteError(f"{en_src} is missing: it is the English edition's front page")
            continue
        en.pages.append(Page(docname, src, markdown_title(src), False))
        zsrc = next((root / z for z in zh_srcs if (root / z).is_file()), None)
        zh.pages.append(Page(docname, zsrc, markdown_title(zsrc) if zsrc else markdown_title(src), False))
    for nb in notebooks:
        check_executed(nb, root)
        docname = f"notebooks/{nb.stem}"
        en.pages.append(Page(docname, nb, notebook_title(nb), True, f"notebooks/{nb.name}"))
        znb = root / "notebooks" / "zh" / nb.name
        if znb.is_file():
            check_executed(znb, root)
            zh.pages.append(Page(docname, znb, notebook_title(znb), True, f"notebooks/zh/{nb.name}"))
        else:
            zh.pages.append(Page(docname, None, notebook_title(nb), True))
    return {"en": en, "zh": zh}


# ------------------------------------------------------------------------------------------------- staging

def _toctree(caption: str, docnames: list[str]) -> str:
    return "\n```{toctree}\n:hidden:\n:caption: " + caption + "\n\n" + "\n".join(docnames) + "\n```\n"


def _placeholder(page: Page, lang: str) -> str:
    """A Chinese page for a page not yet translated: says so, and links to the English one."""
    up = "../" * (page.docname.count("/") + 1)
    return (f"# {page.title}（尚未翻译）\n\n"
            f"本页还没有中文版。中文版完成之前，请先阅读"
            f'<a class="untranslated-link" href="{up}en/{page.docname}.html" hreflang="en">英文版</a>。\n')


_LINK = re.compile(r"(?<!!)\[([^\]\n]*)\]\(([^)\s]+)\)")
_CODE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.DOTALL)


def rewrite_links(text: str, src: Path, docname: str, pages: dict[Path, str], suffix: dict[str, str], root: Path,
                  cfg: dict, lang: str | None = None) -> str:
    """Relative markdown links of a page, made right on the site: to a file that is a page of the site, the
    link to that page (README.md -> the front page); to the same page's source in the other language (the
    `[English](teaching.md)` of a Chinese guide), that page in the other edition (`lang` is this page's);
    to another file of the repository, the file on GitHub (or, without a repository_url, its path as code);
    anything else (a URL, an anchor) as it was."""
    def fix(m: re.Match) -> str:
        label, target = m.group(1), m.group(2)
        if re.match(r"^(?:[a-z][a-z0-9+.-]*:|#|/)", target, re.IGNORECASE):
            return m.group(0)
        path, hash_, frag = target.partition("#")
        resolved = (src.parent / unquote(path)).resolve()
        if resolved in pages:
            doc = pages[resolved]
            if lang and doc == docname and resolved != src.resolve():  # its twin: a link to itself otherwise
                other = next(code for code in EDITIONS if code != lang)
                up = "../" * (docname.count("/") + 1)
                return (f'<a class="edition-link" href="{up}{other}/{docname}.html" '
                        f'hreflang="{EDITIONS[other]["hreflang"]}">{label}</a>')
            rel = Path(os.path.relpath(doc + suffix[doc], os.path.dirname(docname) or ".")).as_posix()
            return f"[{label}]({rel}{hash_}{frag})"
        try:
            rel_repo = resolved.relative_to(root.resolve()).as_posix()
        except ValueError:
            return m.group(0)
        if cfg.get("repository_url"):
            return f"[{label}]({cfg['repository_url']}/blob/{cfg['branch']}/{rel_repo}{hash_}{frag})"
        return f"{label} (`{rel_repo}`)"
    # code (fenced blocks, inline spans) is left alone: `x[0](y)` is no link
    parts = _CODE.split(text)
    return "".join(part if i % 2 else _LINK.sub(fix, part) for i, part in enumerate(parts))


def link_map(editions: dict[str, Edition]) -> dict[Path, str]:
    """Every source file of either edition -> its docname (both editions have the same docnames)."""
    return {p.source.resolve(): p.docname for ed in editions.values() for p in ed.pages if p.source is not None}


def stage(edition: Edition, dest: Path, root: Path, pages: dict[Path, str] | None = None,
          cfg: dict | None = None) -> None:
    """The edition's Sphinx source folder: the pages at their docnames (their links made right for the
    site), the toctree on the front page."""
    dest.mkdir(parents=True)
    pages = pages if pages is not None else link_map({edition.lang: edition})
    cfg = cfg or {}
    guides = [p.docname for p in edition.pages if not p.notebook and p.docname != "index"]
    notebooks = [p.docname for p in edition.pages if p.notebook]
    suffix = {p.docname: ".ipynb" if p.notebook and p.source is not None else ".md" for p in edition.pages}
    zh = edition.lang == "zh"
    for page in edition.pages:
        target = dest / f"{page.docname}{suffix[page.docname]}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if page.notebook and page.source is not None:
            nb, changed = json.loads(page.source.read_text(encoding="utf-8")), False
            for cell in nb["cells"]:
                if cell["cell_type"] == "markdown":
                    text = "".join(cell["source"])
                    fixed = rewrite_links(text, page.source, page.docname, pages, suffix, root, cfg)
                    if fixed != text:
                        cell["source"], changed = fixed, True
            if changed:
                target.write_text(json.dumps(nb, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            else:  # the download button then offers the notebook exactly as committed
                shutil.copyfile(page.source, target)
            continue
        if page.source:
            text = rewrite_links(page.source.read_text(encoding="utf-8"), page.source, page.docname, pages, suffix,
                                 root, cfg, edition.lang)
        else:
            text = _placeholder(page, edition.lang)
        if page.docname == "index":
            text += _toctree("笔记本" if zh else "Notebooks", notebooks)
            if guides:
                text += _toctree("教学与参考" if zh else "Teaching and reference", guides)
        target.write_text(text, encoding="utf-8")


def stage_mathjax(dest: Path) -> Path:
    """The MathJax files the pages load, under dest/mathjax/ (html_static_path copies them to _static/)."""
    src = _mathjax_source()
    for rel in MATHJAX_FILES:
        s, d = src / rel, dest / "mathjax" / rel
        if s.is_dir():
            shutil.copytree(s, d)
        else:
            d.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(s, d)
    return dest


def settings(edition: Edition, cfg: dict, mathjax: Path) -> dict:
    other = "zh" if edition.lang == "en" else "en"
    o = EDITIONS[other]
    colab = cfg["colab_url"] and cfg["repository_url"]
    return {
        "project": EDITIONS[edition.lang]["name"], "title": EDITIONS[edition.lang]["name"],
        "author": "the distill-helpers authors", "copyright": "the distill-helpers authors (text: CC BY 4.0)",
        "language": EDITIONS[edition.lang]["language"], "mathjax_static": str(mathjax),
        "other": {"folder": other, "label": o["label"], "hreflang": o["hreflang"], "title": o["title"]},
        "launch": cfg,
        "notebooks": {p.docname: {"repo": p.repo_path,
                                  "colab": f"colab/{edition.lang}/{Path(p.repo_path).name}" if colab else None}
                      for p in edition.pages if p.notebook and p.source is not None},
    }


def sphinx_build(src: Path, out: Path, doctrees: Path, conf: dict, log: Path) -> None:
    """One edition with Sphinx, in a child process; a warning fails the build (-W), with the log's tail."""
    (src / "_settings.json").write_text(json.dumps(conf, ensure_ascii=False, indent=1), encoding="utf-8")
    env = {**os.environ, "DISTILL_SITE_SETTINGS": str(src / "_settings.json"), "PYTHONHASHSEED": "0"}
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "-W", "--keep-going", "-c", str(CONF_DIR),
           "-d", str(doctrees), str(src), str(out)]
    with open(log, "w", encoding="utf-8") as f:
        r = subprocess.run(cmd, env=env, stdout=f, stderr=subprocess.STDOUT, timeout=900)
    if r.returncode != 0:
        raise SiteError(f"Sphinx failed on the {conf['language']} edition:\n{log.read_text(encoding='utf-8')[-4000:]}")


# -------------------------------------------------------------------------------------------- Colab copies

def requirement_pins(root: Path, names=COLAB_PACKAGES) -> list[str]:
    """name==version for each of names, read from requirements.txt (so the copy installs what CI tests)."""
    pins = {}
    for line in (root / "requirements.txt").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^\s;#]+)", line.strip())
        if m:
            pins[m.group(1).lower()] = f"{m.group(1)}=={m.group(2)}"
    missing = [n for n in names if n.lower() not in pins]
    if missing:
        raise SiteError(f"requirements.txt pins none of {missing}: the Colab copies install those pins")
    return [pins[n.lower()] for n in names]


COLAB_CELL = '''\
# Colab: run this cell first. Generated by tools/build_site.py; the series' own notebooks have no such cell.
# It clones the repository (the package, its examples/ and its data/ folder for the caches), installs the
# package from the clone and the versions the series is tested with, except torch and torchvision: Colab's
# own builds (with CUDA) stay. Then it loads the embedded digits once.
import importlib.metadata, os, subprocess, sys
{lang_line}REPOSITORY = os.environ.get("DISTILL_HELPERS_REPOSITORY", {repository!r})
BRANCH = {branch!r}
CHECKOUT = os.path.abspath("distill-helpers")  # /content/distill-helpers on Colab
PINS = {pins!r}
if not os.path.isdir(os.path.join(CHECKOUT, ".git")):
    subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", BRANCH, REPOSITORY, CHECKOUT], check=True)
subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *PINS], check=True)
# editable, built with the setuptools Colab has: the package is the clone, as in a local checkout
subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "-e", CHECKOUT],
               check=True)
sys.path.insert(0, CHECKOUT)  # this kernel started before the install; new processes find it by themselves
stale = [p for p in PINS if p.split("==")[0] in sys.modules
         and importlib.metadata.version(p.split("==")[0]) != getattr(sys.modules[p.split("==")[0]], "__version__", None)]
if stale:
    print("Restart the session (Runtime > Restart session) and run this cell again: already imported:", stale)
else:
    import distill_helpers as dh
    train, val, test = dh.load_splits()
    print(f"distill_helpers is ready: {{len(train):,}} / {{len(val):,}} / {{len(test):,}} digits "
          f"(train / validation / test) in {{dh.data_root()}}")
'''


def colab_cell(root: Path, cfg: dict, lang: str) -> str:
    lang_line = 'os.environ.setdefault("DISTILL_LANG", "zh")\n' if lang == "zh" else ""
    return COLAB_CELL.format(repository=f"{cfg['repository_url']}.git", branch=cfg["branch"],
                             pins=requirement_pins(root), lang_line=lang_line)


def colab_copy(notebook: Path, cell_source: str) -> dict:
    """The notebook with the install cell first (outputs kept: the copy opens as the site shows it)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    nb = copy.deepcopy(nb)
    cell = {"cell_type": "code", "execution_count": None, "id": "colab-setup",
            "metadata": {"tags": ["colab-setup"]}, "outputs": [], "source": cell_source.splitlines(keepends=True)}
    nb["cells"].insert(0, cell)
    return nb


def write_colab(editions: dict[str, Edition], site: Path, root: Path, cfg: dict) -> int:
    n = 0
    for lang, ed in editions.items():
        cell = colab_cell(root, cfg, lang)
        for p in ed.pages:
            if p.notebook and p.source is not None:
                target = site / "colab" / lang / p.source.name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(json.dumps(colab_copy(p.source, cell), ensure_ascii=False, indent=1) + "\n",
                                  encoding="utf-8")
                n += 1
    return n


# ----------------------------------------------------------------------------------------------- the site

LANDING = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{en} · {zh}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="en/_static/favicon.svg">
<style>body{{font-family:sans-serif;max-width:40em;margin:4em auto;line-height:1.6}}a{{font-size:1.3em}}</style>
</head><body>
<h1>{en}<br><span lang="zh-CN">{zh}</span></h1>
<p><a href="en/index.html" hreflang="en">English</a> &nbsp;·&nbsp; <a href="zh/index.html" hreflang="zh-CN" lang="zh-CN">中文</a></p>
</body></html>
"""


def build(root: Path = ROOT, out: Path = OUT, cfg: dict | None = None, only: list[str] | None = None,
          log=print) -> dict[str, Edition]:
    """Both editions into out/ (en/, zh/, colab/, index.html), built in a temporary folder and moved into place
    whole, so a failed build leaves the previous site as it was."""
    check_tools()
    cfg = cfg if cfg is not None else load_config(root)
    editions = plan(root, only)
    if cfg["repository_url"]:
        requirement_pins(root)  # fail before Sphinx, not after
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".site-", dir=out.parent) as tmp:
        tmp = Path(tmp)
        site = tmp / "site"
        mathjax = stage_mathjax(tmp / "mathjax")
        for lang, ed in editions.items():
            t0 = time.perf_counter()
            stage(ed, tmp / "src" / lang, root, link_map(editions), cfg)
            # Sphinx's output folder's parent also gets myst-nb's jupyter_execute/: not part of the site
            sphinx_build(tmp / "src" / lang, tmp / "html" / lang, tmp / "doctrees" / lang,
                         settings(ed, cfg, mathjax), tmp / f"sphinx-{lang}.log")
            site.mkdir(exist_ok=True)
            (tmp / "html" / lang).rename(site / lang)
            log(f"{lang}: {len(ed.pages)} pages in {time.perf_counter() - t0:.0f} s")
        if cfg["repository_url"]:
            log(f"colab: {write_colab(editions, site, root, cfg)} notebooks with the install cell in colab/")
        else:
            log(f"launch buttons left out: no repository_url in {CONFIG} (or --repository-url)")
        (site / "index.html").write_text(LANDING.format(en=EDITIONS["en"]["name"], zh=EDITIONS["zh"]["name"]),
                                         encoding="utf-8")
        (site / ".nojekyll").write_text("")  # GitHub Pages: serve _static/ as it is
        old = tmp / "old"
        if out.exists():
            out.rename(old)
        site.rename(out)
    missing = editions["zh"].missing
    if missing:
        log(f"zh: {len(missing)} of {len(editions['zh'].pages)} pages not yet translated (a page says so and "
            f"links to the English one): {', '.join(missing)}")
    return editions


# --------------------------------------------------------------------------------------------- the bundle

def bundle(root: Path, site: Path, target: Path, slides_vendor: Path, log=print) -> Path:
    """One zip: the site, the executed notebooks of both editions and their static slides; atomic."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import export_slides as es
    if es.missing_assets(slides_vendor):
        raise SiteError(f"the slides' JavaScript is not in {slides_vendor}: run "
                        f"`python tools/export_slides.py --fetch` once (npm), then build the bundle again")
    if not (site / "index.html").is_file():
        raise SiteError(f"no site in {site}: build it first (without --no-build)")
    notebooks = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb")) + \
        sorted((root / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb"))
    top = target.stem
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".bundle-", dir=target.parent) as tmp:
        tmp = Path(tmp)
        slides = tmp / "slides"
        shutil.copytree(slides_vendor, slides / "vendor")
        for nb in notebooks:
            sub = "zh" if nb.parent.name == "zh" else "en"
            es.export(nb, slides / sub, slides / "vendor")
        part = tmp / (target.name + ".part")
        with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(f"{top}/README.txt", BUNDLE_README)
            for nb in notebooks:
                sub = "zh" if nb.parent.name == "zh" else "en"
                z.write(nb, f"{top}/notebooks/{sub}/{nb.name}")
            for base, name in ((site, "site"), (slides, "slides")):
                for f in sorted(base.rglob("*")):
                    if f.is_file():
                        z.write(f, f"{top}/{name}/{f.relative_to(base).as_posix()}")
        part.replace(target)
    log(f"bundle: {target} ({target.stat().st_size / 2**20:.1f} MiB, {len(notebooks)} notebooks)")
    return target


BUNDLE_README = """\
Knowledge distillation, hands-on / 动手学知识蒸馏 - the offline bundle

site/index.html      the book site, both editions (open it in a browser; nothing is loaded from the network)
notebooks/en, zh     the executed notebooks (run them in JupyterLab: see the README on the site)
slides/en, zh        static slides of each notebook (open the .slides.html files)
"""


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT, help="the site's folder (default: _build/site)")
    ap.add_argument("--bundle", nargs="?", const=BUNDLE, type=Path, default=None, metavar="ZIP",
                    help=f"also write the offline bundle (default: {BUNDLE.relative_to(ROOT)})")
    ap.add_argument("--no-build", action="store_true", help="bundle the site already in --out")
    ap.add_argument("--root", type=Path, default=ROOT, help="the repository to build from (default: this one)")
    ap.add_argument("--notebooks", nargs="+", metavar="NN", help="only these notebooks (a quick preview)")
    ap.add_argument("--repository-url", help=f"the GitHub repository the launch buttons open (default: {CONFIG})")
    ap.add_argument("--branch", help="its branch (default: docs/site.toml)")
    ap.add_argument("--jupyterhub-url", help="a JupyterHub with nbgitpuller (default: docs/site.toml; empty: none)")
    ap.add_argument("--binderhub-url", help="a BinderHub (default: docs/site.toml)")
    ap.add_argument("--slides-vendor", type=Path, default=ROOT / "slides" / "vendor",
                    help="the slides' JavaScript (default: slides/vendor, from export_slides.py --fetch)")
    args = ap.parse_args(argv)
    root = args.root.resolve()
    try:
        cfg = load_config(root, {"repository_url": args.repository_url, "branch": args.branch,
                                 "jupyterhub_url": args.jupyterhub_url, "binderhub_url": args.binderhub_url})
        if args.bundle:  # before the build: a missing asset should not cost a build first
            sys.path.insert(0, str(Path(__file__).resolve().parent))
            import export_slides as es
            if es.missing_assets(args.slides_vendor):
                raise SiteError(f"the bundle's slides need their JavaScript in {args.slides_vendor}: run "
                                f"`python tools/export_slides.py --fetch` once (npm)")
        t0 = time.perf_counter()
        if not args.no_build:
            build(root, args.out, cfg, args.notebooks)
            print(f"site: {args.out / 'index.html'} ({time.perf_counter() - t0:.0f} s); serve it with "
                  f"`python -m http.server -d {args.out}` or open the file")
        if args.bundle:
            bundle(root, args.out, args.bundle, args.slides_vendor)
    except SiteError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
