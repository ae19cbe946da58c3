"""The widgets in a real browser: JupyterLab in headless Chromium, driven by Playwright.

Runs notebooks 02 and 03 in JupyterLab the way a learner does, sets the temperature of each explorer
by typing into its slider's readout, and checks that the figure and its readout changed, that no error output
appeared, and that the browser console reported no widget or JavaScript error. Notebook 02 is then saved and
reopened, as JupyterLab's autosave does to a learner's copy: it must show its explorer's picture, not
"Error displaying widget: model not found". Screenshots go to artifacts/browser/ (git-ignored).

JupyterLab serves the notebooks as committed (read from git), not the working copies, so notebooks a
learner has run and saved do not change what this test sees.

Needs Debian's chromium (`apt-get install chromium`) and the Python package playwright. Without them the
test skips, unless DISTILL_REQUIRE_BROWSER=1 is set, which makes a missing browser a failure.
"""
from __future__ import annotations

import io
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts" / "browser"
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync", "--disable-quic"]
# Console errors that mean a widget or the page's JavaScript is broken (network noise is not).
BAD_CONSOLE = re.compile(r"widget|Uncaught|TypeError|ReferenceError|SyntaxError|RangeError|is not a function",
                         re.IGNORECASE)


def _require_browser():
    missing = []
    if CHROMIUM is None:
        missing.append("Debian's chromium (apt-get update && apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (pip install -r requirements.txt)")
    if missing:
        msg = "browser test needs " + " and ".join(missing)
        if os.environ.get("DISTILL_REQUIRE_BROWSER") == "1":
            pytest.fail(msg + " (DISTILL_REQUIRE_BROWSER=1 forbids skipping)")
        pytest.skip(msg)


def _committed_notebooks(dest: Path) -> None:
    """Copy notebooks/ as committed at HEAD (a learner's saved copies may hold other outputs); outside a git
    checkout, the files as they are."""
    try:
        tar = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "HEAD", "notebooks"],
                             capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        shutil.copytree(ROOT / "notebooks", dest / "notebooks", ignore=shutil.ignore_patterns("src", "*.pth"))
        return
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        t.extractall(dest, members=[m for m in t.getmembers() if m.name.endswith(".ipynb") or m.isdir()],
                     filter="data")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a free loopback port with a random token, serving a copy of the notebooks."""
    _require_browser()
    work = tmp_path_factory.mktemp("lab")
    _committed_notebooks(work)
    (work / "data").symlink_to(ROOT / "data")  # share the dataset and model cache; notebooks use ../data
    # Render every cell (no virtual scrolling, so all prompts are in the page) and fetch no news.
    settings = work / "settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(work / "cfg"), "JUPYTERLAB_SETTINGS_DIR": str(work / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(work / "ws"), "JUPYTER_RUNTIME_DIR": str(work / "rt"),
           "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    log = open(work / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work / 'notebooks'}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--ServerApp.port_retries=0", "--LabApp.extension_manager=readonly"]
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work / "notebooks")
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 90
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (work / "lab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield {"base": base, "token": token, "work": work}
    finally:
        try:  # clean shutdown through the API first, then signals
            req = urllib.request.Request(f"{base}/api/shutdown", method="POST",
                                         headers={"Authorization": f"token {token}"})
            urllib.request.urlopen(req, timeout=5)
        except OSError:
            pass
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _run_all_and_wait(page, timeout_s: float):
    page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
    # wait for the kernel to be ready, then Run > Run All Cells
    page.wait_for_function("() => !!document.querySelector('.jp-Notebook .jp-Cell')", timeout=60_000)
    from playwright.sync_api import expect as pw_expect
    pw_expect(page.locator(".jp-StatusBar-Widget", has_text="| Idle").first).to_be_visible(timeout=90_000)
    page.locator(".jp-Notebook").first.click()
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    deadline = time.time() + timeout_s
    # the committed notebook already shows [n] prompts: wait until the run has visibly started
    page.wait_for_function("""() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                              .some(p => p.innerText.includes('*'))""", timeout=30_000)
    while time.time() < deadline:
        prompts = page.locator(".jp-CodeCell .jp-InputArea-prompt").all_inner_texts()
        if prompts and all(re.fullmatch(r"\[\d+\]:", p.strip()) for p in prompts):
            return
        time.sleep(1)
    raise AssertionError(f"notebook did not finish within {timeout_s} s; prompts: {prompts}")


def _errors_in_outputs(page) -> list[str]:
    texts = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
    texts += page.locator(".jp-OutputArea-output", has_text="Error displaying widget").all_inner_texts()
    return [t for t in texts if re.search(r"Traceback|Error", t)]


def _shut_down_kernels(lab) -> None:
    headers = {"Authorization": f"token {lab['token']}"}
    with urllib.request.urlopen(urllib.request.Request(f"{lab['base']}/api/sessions", headers=headers)) as r:
        sessions = json.load(r)
    for session in sessions:
        urllib.request.urlopen(urllib.request.Request(f"{lab['base']}/api/sessions/{session['id']}",
                                                      method="DELETE", headers=headers), timeout=30)


def _save_and_reopen(browser, lab, page, notebook: str, box_class: str, tag: str, console: list):
    """Save the run notebook as JupyterLab's autosave would, then open it again without running it."""
    page.locator(".jp-Notebook").first.click()
    page.keyboard.press("Control+s")
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
                           timeout=30_000)
    saved = json.loads((lab["work"] / "notebooks" / notebook).read_text())
    view = "application/vnd.jupyter.widget-view+json"
    assert any(view in o.get("data", {}) for c in saved["cells"] for o in c.get("outputs", [])), \
        "the saved file holds the run's widget outputs"
    page.goto("about:blank")
    _shut_down_kernels(lab)  # as after closing JupyterLab: the reopened notebook meets a fresh kernel
    reopened = page.context.new_page()
    reopened.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    reopened.goto(f"{lab['base']}/lab/workspaces/{tag}-reopen/tree/{notebook}?reset&token={lab['token']}",
                  wait_until="domcontentloaded")
    box = reopened.locator(f".{box_class}").first
    error = reopened.locator(".jp-OutputArea-output", has_text="Error displaying widget").first
    try:
        box.or_(error).wait_for(state="visible", timeout=90_000)
        assert not error.is_visible(), f"the reopened notebook shows: {error.inner_text()}"
        box.scroll_into_view_if_needed()
        img = box.locator("img").first
        img.wait_for(state="visible", timeout=30_000)
        reopened.wait_for_function("(img) => img.complete && img.naturalWidth > 100", arg=img.element_handle(),
                                   timeout=30_000)
        box.screenshot(path=str(ARTIFACTS / f"{tag}_reopened.png"))
        assert not reopened.locator(".jp-OutputArea-output", has_text="Error displaying widget").count()
        assert not [c for c in console if "model not found" in c], console
    except Exception:
        reopened.screenshot(path=str(ARTIFACTS / f"{tag}_reopen_failure.png"))
        raise


def _new_page(browser, stale: str):
    """(context, page, console errors, page errors): a fresh 1300 x 1000 page that collects both kinds of
    error. Screenshots of an earlier run whose names start with `stale` are removed first."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob(f"{stale}*"):
        old.unlink()
    context = browser.new_context(viewport={"width": 1300, "height": 1000})
    page = context.new_page()
    console, page_errors = [], []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: page_errors.append(str(e)))
    return context, page, console, page_errors


def _open(page, lab, workspace: str, notebook: str) -> None:
    """Open `notebook` in a workspace of its own, reset, so no tab from an earlier test is restored beside it."""
    page.goto(f"{lab['base']}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={lab['token']}",
              wait_until="domcontentloaded")


def _type_into_slider(page, box, value: str, expect: str) -> None:
    """Type `value` into the box's slider readout, as a learner can, and wait until its readout shows `expect`."""
    from playwright.sync_api import expect as pw_expect
    box.locator(".widget-slider .widget-readout").first.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(value)
    page.keyboard.press("Enter")
    pw_expect(box.locator(".kd-readout")).to_contain_text(expect, timeout=30_000)  # the widget replaces it
    time.sleep(0.5)


def _exercise(browser, lab, notebook: str, box_class: str, value: str, expect: str, tag: str,
              reopen: bool = False):
    context, page, console, page_errors = _new_page(browser, f"{tag}_")
    try:
        _open(page, lab, tag, notebook)
        _run_all_and_wait(page, timeout_s=420)
        box = page.locator(f".{box_class}").first
        box.wait_for(state="visible", timeout=60_000)
        box.scroll_into_view_if_needed()
        readout = box.locator(".kd-readout")
        img = box.locator("img").first
        before_text, before_src = readout.inner_text(), img.get_attribute("src")
        before_png = box.screenshot(path=str(ARTIFACTS / f"{tag}_before.png"))
        _type_into_slider(page, box, value, expect)
        after_text, after_src = readout.inner_text(), img.get_attribute("src")
        after_png = box.screenshot(path=str(ARTIFACTS / f"{tag}_after.png"))
        assert after_text != before_text and expect in after_text
        assert after_src != before_src and after_png != before_png, "the figure did not change"
        assert not _errors_in_outputs(page), _errors_in_outputs(page)
        bad = [c for c in console if BAD_CONSOLE.search(c)]
        (ARTIFACTS / f"{tag}_console.txt").write_text("\n".join(console + page_errors))
        assert not page_errors, f"JavaScript errors: {page_errors}"
        assert not bad, f"browser console reported widget/JavaScript errors: {bad}"
        if reopen:
            _save_and_reopen(browser, lab, page, notebook, box_class, tag, console)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"{tag}_failure.png"), full_page=False)
        raise
    finally:
        context.close()


def test_temperature_widget_in_jupyterlab(browser, lab):
    _exercise(browser, lab, "02_temperature.ipynb", "kd-temperature-explorer", "4.5", "T = 4.50", "02_temperature",
              reopen=True)


def test_loss_widget_in_jupyterlab(browser, lab):
    _exercise(browser, lab, "03_kl_and_loss.ipynb", "kd-loss-explorer", "12", "T = 12.0", "03_loss")
