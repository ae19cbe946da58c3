"""The built book site in headless Chromium (Playwright), served over a local HTTP server.

Builds the site once from a copy of the repository (the notebooks as committed; a tiny fake Chinese notebook
where no zh notebook exists yet), then visits every page of both editions and fails on any request to a host
other than the local server, any console error or failed load, math left unrendered (`$$`, `\\frac` or an
inline `$...\\cmd...$` in the text outside code), or an internal link to a missing page or anchor. It follows
the language switch both ways, the placeholder's link back to English, checks the launch buttons, the
widgets' saved pictures, and that the search finds "temperature" and "温度".

Needs Debian's chromium and the playwright package (as tests/repo/test_browser.py; DISTILL_REQUIRE_BROWSER=1
makes their absence a failure), and the site's pins from requirements.txt.
"""
from __future__ import annotations

import contextlib
import functools
import io
import http.server
import json
import re
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from test_browser import CHROMIUM, CHROMIUM_ARGS, _require_browser
from test_site import REPO, site_source

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import build_site as bs  # noqa: E402

HUB = "https://hub.example.edu"
SKIP = ("_static", "_sources", "_images", "colab")
UNRENDERED = [("$$", re.compile(r"\$\$")), ("\\frac", re.compile(r"\\frac")),
              ("inline $...\\cmd...$", re.compile(r"\$[^$\s][^$\n]{0,80}?\\[A-Za-z]+[^$\n]{0,80}?\$"))]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    _require_browser()
    tmp = tmp_path_factory.mktemp("site")
    source = site_source(tmp / "repo")
    out = tmp / "site"
    log = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(log):
        rc = bs.main(["--root", str(source), "--out", str(out), "--repository-url", REPO, "--jupyterhub-url", HUB])
    build_s = time.perf_counter() - t0
    assert rc == 0, log.getvalue()
    return {"out": out, "source": source, "editions": bs.plan(source), "build_s": build_s, "log": log.getvalue()}


@pytest.fixture(scope="module")
def server(built):
    handler = functools.partial(_Quiet, directory=str(built["out"]))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class Visit:
    """A page whose every request, failed load, console error and uncaught exception is recorded."""

    def __init__(self, browser, base: str):
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.foreign, self.errors = [], []
        self.page.on("request", self._request)
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"HTTP {r.status} {r.url}"))
        self.page.on("requestfailed", lambda r: self.errors.append(f"failed {r.url}: {r.failure}"))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(f"console: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))

    def _request(self, r):
        if not (r.url.startswith(self.base + "/") or r.url.startswith(("data:", "blob:", "about:"))):
            self.foreign.append(r.url)

    def open(self, path: str):
        self.page.goto(f"{self.base}/{path}", wait_until="load")
        self.settle()
        return self.page

    def settle(self):
        self.page.wait_for_load_state("load")
        # MathJax typesets after load: wait until it has finished (pages without math have no MathJax)
        self.page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, server):
    v = Visit(browser, server)
    yield v
    v.close()


def _pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")
                  if not set(p.relative_to(out).parts[1:2]) & set(SKIP))


_ids: dict[Path, set[str]] = {}


def _anchors(path: Path) -> set[str]:
    if path not in _ids:
        _ids[path] = set(re.findall(r"""\bid=["']([^"']+)["']""", path.read_text(encoding="utf-8")))
    return _ids[path]


def _broken(out: Path, base: str, page_url: str, hrefs: list[str]) -> list[str]:
    """Internal links (same server) whose file, or whose #anchor in that file, does not exist."""
    bad = []
    for href in hrefs:
        if not href.startswith(base + "/"):
            continue
        parts = urlsplit(href)
        path = unquote(parts.path).lstrip("/")
        target = out / path
        if path.endswith("/") or target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            bad.append(f"{href} (no file)")
        elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in _anchors(target):
            bad.append(f"{href} (no anchor)")
    return bad


_TEXT = """() => {
  const root = (document.querySelector('main') || document.body).cloneNode(true);
  root.querySelectorAll('pre, code, script, style, mjx-container, .MathJax, .highlight, textarea').forEach(e => e.remove());
  return root.textContent;
}"""
_LINKS = """() => [...document.querySelectorAll('a[href], link[href], img[src], script[src]')]
  .map(e => e.href || e.src).filter(u => typeof u === 'string')"""


def test_the_build_is_quick_and_names_the_untranslated_pages(built):
    # the whole site from a fresh copy (both editions, every notebook); the bound is 3 minutes
    assert built["build_s"] < 180, f"the site took {built['build_s']:.0f} s"
    zh = built["editions"]["zh"]
    assert zh.missing and len(zh.missing) < len(zh.pages), "the test needs one translated and one missing page"
    line = next(ln for ln in built["log"].splitlines() if "not yet translated" in ln)
    assert all(d in line for d in zh.missing), line


def test_every_page_of_both_editions_loads_clean(built, visit, server):
    """No foreign request, no console error or failed load, no raw TeX outside code, no broken internal link."""
    out = built["out"]
    pages = _pages(out)
    langs = {p.split("/")[0] for p in pages if "/" in p}
    assert {"en", "zh"} <= langs and "index.html" in pages
    per_edition = {lang: sum(p.startswith(lang + "/") for p in pages) for lang in ("en", "zh")}
    assert per_edition["en"] == per_edition["zh"] >= len(built["editions"]["en"].pages)
    problems = []
    for path in pages:
        page = visit.open(path)
        text = page.evaluate(_TEXT)
        for what, pattern in UNRENDERED:
            m = pattern.search(text)
            if m:
                problems.append(f"{path}: unrendered math {what}: ...{text[max(0, m.start() - 40):m.end() + 40]!r}")
        problems += [f"{path}: broken link {b}" for b in _broken(out, server, path, page.evaluate(_LINKS))]
        problems += [f"{path}: {e}" for e in visit.errors]
        problems += [f"{path}: request to another host: {u}" for u in visit.foreign]
        visit.errors.clear()
        visit.foreign.clear()
    assert not problems, "\n".join(problems[:40])


def test_math_is_typeset_by_the_local_mathjax(visit):
    page = visit.open("en/notebooks/02_temperature.html")
    assert page.locator("mjx-container").count() > 5
    assert page.evaluate("() => [...document.scripts].some(s => /_static\\/mathjax\\/tex-chtml\\.js/.test(s.src))")
    assert not visit.foreign and not visit.errors


def test_widgets_show_their_saved_picture(built, visit):
    """Each widget output is its saved PNG (as on GitHub), not a "Loading widget..." box that needs a CDN."""
    for name in ("02_temperature", "03_kl_and_loss"):
        nb = json.loads((built["source"] / "notebooks" / f"{name}.ipynb").read_text())
        outputs = [o for c in nb["cells"] for o in c.get("outputs", []) if "image/png" in o.get("data", {})]
        widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o["data"]]
        assert widgets, f"{name} has no widget output to check"
        page = visit.open(f"en/notebooks/{name}.html")
        images = page.locator(".cell_output img")
        assert images.count() == len(outputs)
        assert all(images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0") for i in range(images.count()))
        body = page.inner_text("main")
        assert "Loading widget" not in body and "Error displaying widget" not in body


def test_the_language_switch_leads_to_the_same_page_both_ways(built, visit, server):
    zh = built["editions"]["zh"]
    translated = next(p.docname for p in zh.pages if p.notebook and p.source is not None)
    page = visit.open(f"en/{translated}.html")
    page.click("a.lang-switch")
    visit.settle()
    assert page.url == f"{server}/zh/{translated}.html"
    assert page.evaluate("document.documentElement.lang").startswith("zh")
    assert "尚未翻译" not in page.inner_text("h1")
    page.click("a.lang-switch")
    visit.settle()
    assert page.url == f"{server}/en/{translated}.html"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert not visit.errors and not visit.foreign


def test_an_untranslated_page_says_so_in_chinese_and_links_back(built, visit, server):
    missing = next(d for d in built["editions"]["zh"].missing if d.startswith("notebooks/"))
    page = visit.open(f"en/{missing}.html")
    page.click("a.lang-switch")
    visit.settle()
    assert page.url == f"{server}/zh/{missing}.html"
    assert "本页还没有中文版" in page.inner_text("main")
    page.click("a.untranslated-link")
    visit.settle()
    assert page.url == f"{server}/en/{missing}.html"


@pytest.mark.parametrize("lang, query", [("en", "temperature"), ("zh", "温度")])
def test_the_search_finds_the_word_offline(visit, server, lang, query):
    page = visit.open(f"{lang}/search.html?q={query}")
    _search_finished(page)
    hits = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.href)")
    assert any("/notebooks/" in h for h in hits), hits
    assert all(h.startswith(f"{server}/{lang}/") for h in hits)
    # the summaries are the pages' text: no TeX source in them either
    summaries = page.inner_text("#search-results")
    for what, pattern in UNRENDERED:
        assert not pattern.search(summaries), f"unrendered math {what} in the search results: {summaries[:600]}"
    assert not visit.foreign and not visit.errors


def _search_finished(page):
    """Until Sphinx's search has listed every hit (its status line then gives their number), with at least one
    hit, and the summaries it fetches for them (over HTTP) have arrived."""
    page.wait_for_function("() => document.querySelectorAll('#search-results ul.search li a').length > 0 && "
                           "/\\d/.test((document.querySelector('#search-results .search-summary') || {}).innerText || '')",
                           timeout=30_000)
    page.wait_for_load_state("networkidle")


def test_the_site_works_opened_from_a_file_as_in_the_offline_bundle(built, browser):
    """From file:// a browser refuses fetch(): math, pictures and the search (without its fetched summaries)
    must work without it."""
    context = browser.new_context()
    page = context.new_page()
    errors, foreign = [], []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: r.url.startswith(("file:", "data:", "blob:")) or foreign.append(r.url))
    try:
        page.goto((built["out"] / "en" / "notebooks" / "03_kl_and_loss.html").as_uri(), wait_until="load")
        page.evaluate("() => MathJax.startup.promise")
        assert page.locator("mjx-container").count() > 5
        page.goto((built["out"] / "en" / "search.html").as_uri() + "?q=temperature", wait_until="load")
        _search_finished(page)
        assert not errors and not foreign, errors + foreign
    finally:
        context.close()


def test_notebook_pages_launch_binder_jupyterhub_and_the_colab_copy(built, visit):
    org_repo = REPO.split("github.com/")[1]
    zh = built["editions"]["zh"]
    translated = next(p for p in zh.pages if p.notebook and p.source is not None)
    for lang, docname, repo_path in [("en", "notebooks/02_temperature", "notebooks/02_temperature.ipynb"),
                                     ("zh", translated.docname, translated.repo_path)]:
        page = visit.open(f"{lang}/{docname}.html")
        hrefs = page.eval_on_selector_all(".dropdown-launch-buttons a", "els => els.map(e => e.href)")
        name = Path(repo_path).name
        assert f"https://mybinder.org/v2/gh/{org_repo}/main?urlpath=lab/tree/{repo_path}" in hrefs
        assert any(h.startswith(f"{HUB}/hub/user-redirect/git-pull?") and f"urlpath=lab/tree/distill/{repo_path}" in h
                   for h in hrefs), hrefs
        colab = f"https://colab.research.google.com/github/{org_repo}/blob/gh-pages/colab/{lang}/{name}"
        assert colab in hrefs
        copy = json.loads((built["out"] / "colab" / lang / name).read_text(encoding="utf-8"))
        first = "".join(copy["cells"][0]["source"])
        assert "DISTILL_HELPERS_REPOSITORY" in first and f"{REPO}.git" in first
    # a page that is not a notebook has no launch buttons
    assert visit.open("en/docs/teaching.html").locator(".dropdown-launch-buttons").count() == 0
