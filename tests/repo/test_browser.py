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

import contextlib
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

ROOT = Path(__file__).resolve().parents[2]
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


AUTOSAVE_S = 2  # JupyterLab's autosave interval in these tests (its default is 120 s)


def _settings(work: Path) -> dict:
    """Environment and options that give a JupyterLab server the repository's jupyter/ defaults (overrides.json
    as the application settings; page_config.d and nbgrader_config.py on the config path, where
    requirements.txt installs them), and user settings of its own: every cell rendered (no virtual
    scrolling, so all prompts are in the page), no news, autosave every AUTOSAVE_S seconds."""
    user = work / "settings" / "@jupyterlab"
    for plugin, value in (("notebook-extension/tracker", {"windowingMode": "none"}),
                          ("apputils-extension/notification", {"fetchNews": "false"}),
                          ("docmanager-extension/plugin", {"autosaveInterval": AUTOSAVE_S})):
        path = user / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    app_settings, config = work / "app-settings", work / "etc-jupyter"
    app_settings.mkdir()
    shutil.copy(ROOT / "jupyter" / "overrides.json", app_settings / "overrides.json")
    (config / "labconfig" / "page_config.d").mkdir(parents=True)
    shutil.copy(ROOT / "jupyter" / "page_config.d" / "distill-helpers.json", config / "labconfig" / "page_config.d")
    shutil.copy(ROOT / "jupyter" / "nbgrader_config.py", config)
    env = {"JUPYTER_CONFIG_DIR": str(work / "cfg"), "JUPYTER_CONFIG_PATH": str(config),
           "JUPYTERLAB_SETTINGS_DIR": str(work / "settings"), "JUPYTERLAB_WORKSPACES_DIR": str(work / "ws"),
           "JUPYTER_RUNTIME_DIR": str(work / "rt"), "MPLBACKEND": "module://matplotlib_inline.backend_inline"}
    return {"env": env, "args": [f"--LabApp.app_settings_dir={app_settings}"]}


@contextlib.contextmanager
def _jupyterlab(work: Path, root_dir: Path, env: dict | None = None):
    """JupyterLab on a free loopback port with a random token, serving root_dir; its log is work/lab.log."""
    port, token = _free_port(), secrets.token_hex(16)
    settings = _settings(work)
    log = open(work / "lab.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--ServerApp.port_retries=0", "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True",
         *settings["args"]]
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        env={**os.environ, **settings["env"], **(env or {})}, stdout=log, stderr=subprocess.STDOUT, cwd=root_dir)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise RuntimeError("JupyterLab did not start:\n" + (work / "lab.log").read_text()[-3000:])
                time.sleep(0.5)
        yield {"base": base, "token": token, "work": work, "root": root_dir, "log": work / "lab.log"}
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
def lab(tmp_path_factory):
    """JupyterLab serving a copy of the notebooks as committed (work/notebooks), sharing the repository's
    data/ (the dataset and model cache; the notebooks read ../data)."""
    _require_browser()
    work = tmp_path_factory.mktemp("lab")
    _committed_notebooks(work)
    (work / "data").symlink_to(ROOT / "data")
    with _jupyterlab(work, work / "notebooks") as server:
        yield server


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
        _run_all_and_wait(page, timeout_s=900)  # a fresh clone trains its teacher here first; slow on a loaded machine
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


def test_chinese_loss_widget_in_jupyterlab(browser, lab):
    # the zh edition (docs/i18n.md): a kernel in notebooks/zh/ speaks Chinese with no setting; the redrawn
    # readout after moving T is the Chinese one (the English readout says "loss", this one 损失)
    _exercise(browser, lab, "zh/03_kl_and_loss.ipynb", "kd-loss-explorer", "12", "T = 12.0，alpha = 0.90：损失",
              "zh_03_loss")


# ---------------------------------------------------------------- a learner's path (issue 24)

def _wait_for_kernel(page, timeout_ms: int = 120_000) -> None:
    from playwright.sync_api import expect as pw_expect
    page.locator(".jp-Notebook").first.wait_for(timeout=60_000)
    pw_expect(page.locator(".jp-StatusBar-Widget", has_text="| Idle").first).to_be_visible(timeout=timeout_ms)


def _broken_images(page, timeout_s: float = 30) -> list[int]:
    """Indices of the output images that failed to load (the browser's broken-link icon), once every image
    has finished loading or timeout_s has passed (then the unfinished ones count as broken)."""
    js = "() => [...document.querySelectorAll('.jp-OutputArea-output img')].map(i => [i.complete, i.naturalWidth])"
    deadline = time.time() + timeout_s
    while True:
        images = page.evaluate(js)
        if all(done for done, _ in images) or time.time() > deadline:
            return [i for i, (done, width) in enumerate(images) if not done or width == 0]
        time.sleep(0.5)


def _widget_errors(page) -> list[str]:
    return page.locator(".jp-OutputArea-output", has_text="Error displaying widget").all_inner_texts()


def _kernel_ids(server) -> list[str]:
    headers = {"Authorization": f"token {server['token']}"}
    with urllib.request.urlopen(urllib.request.Request(f"{server['base']}/api/sessions", headers=headers)) as r:
        return [s["kernel"]["id"] for s in json.load(r) if s.get("kernel")]


def _idle_kernels(server) -> list[str]:
    headers = {"Authorization": f"token {server['token']}"}
    with urllib.request.urlopen(urllib.request.Request(f"{server['base']}/api/sessions", headers=headers)) as r:
        return [s["path"] for s in json.load(r) if (s.get("kernel") or {}).get("execution_state") == "idle"]


def _restart_kernels(server) -> None:
    """Kernel > Restart Kernel, through the REST API."""
    headers = {"Authorization": f"token {server['token']}"}
    for kid in _kernel_ids(server):
        urllib.request.urlopen(urllib.request.Request(f"{server['base']}/api/kernels/{kid}/restart", method="POST",
                                                      headers=headers, data=b""), timeout=120)


def test_opening_every_notebook_leaves_its_file_unchanged(browser, lab):
    """Open each committed notebook in JupyterLab and let its kernel start and autosave tick twice: JupyterLab
    writes the kernelspec and language_info of the kernel it finds, and the builder wrote the same values, so
    no tab is marked modified and no file changes (`git status` stays clean). The committed notebooks also
    show every widget and every picture: no "Error displaying widget", no broken image."""
    from conftest import committed_text
    folder = lab["root"] / "opened"  # fresh copies: the other tests of this module run and save their own
    folder.mkdir()
    committed = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        committed[path.name] = committed_text(path)
        (folder / path.name).write_text(committed[path.name])
    context, page, console, page_errors = _new_page(browser, "open_")
    names = list(committed)
    try:  # one page, every notebook in a tab of its own (window.jupyterapp: --LabApp.expose_app_in_browser)
        _open(page, lab, "open-all", f"opened/{names[0]}")
        page.wait_for_function("() => !!window.jupyterapp", timeout=120_000)
        for name in names[1:]:
            page.evaluate("async p => { await window.jupyterapp.restored; "
                          "await window.jupyterapp.commands.execute('docmanager:open', {path: p}); }", f"opened/{name}")
        deadline = time.time() + 300
        while len(_idle_kernels(lab)) < len(names):
            assert time.time() < deadline, f"kernels not idle after 300 s: {_idle_kernels(lab)}"
            time.sleep(1)
        time.sleep(2 * AUTOSAVE_S + 3)  # the kernels' info has arrived and autosave had two chances
        dirty = page.locator(".lm-TabBar-tab.jp-mod-dirty").all_inner_texts()
        changed = {}
        for name, text in committed.items():
            now = (folder / name).read_text()
            if now != text:
                changed[name] = {k: v for k, v in json.loads(now)["metadata"].items() if k != "widgets"}
        broken = _widget_errors(page) + [f"broken image #{i}" for i in _broken_images(page)]
        page.screenshot(path=str(ARTIFACTS / "open_all.png"))
        page.goto("about:blank")
        _shut_down_kernels(lab)
    finally:
        context.close()
    assert not dirty, f"tabs marked modified on opening: {dirty}"
    assert not changed, f"opening a notebook changed it (rebuild the metadata: python tools/build_notebooks.py " \
                        f"--metadata-only): {changed}"
    assert not broken, broken
    assert not page_errors, f"JavaScript errors: {page_errors}"


def test_jupyterlab_starts_without_nbgrader_warnings(lab):
    """jupyter/nbgrader_config.py (installed by requirements.txt) is found by nbgrader's server extensions."""
    log = lab["log"].read_text()
    assert "jupyterlab | extension was successfully loaded" in log, log[-2000:]  # the log is the server's
    assert "No nbgrader_config.py file found" not in log


# A learner's own notebook: a training with the package's progress bar (which a warm cache would skip in the
# series' notebooks). An explorer of the learner's own is not here: with no committed state for its ids it
# reopens as "model not found" (unfinished, see the report of issue 24).
SCRATCH_CELLS = [
    "import torch\nfrom torch.utils.data import TensorDataset\nimport distill_helpers as dh\n"
    "torch.manual_seed(0)\nX, y = torch.rand(64, 1, 28, 28), torch.arange(64) % 10",
    "model = dh.MLP(hidden=(16,))\nhistory = dh.train_model(model, TensorDataset(X, y),\n"
    "                        recipe=dh.RECIPES.student.with_(epochs=3, batch_size=32))",
]
# The tests of the suite that read notebooks; in the learner's clone they must pass on top of saved copies.
NOTEBOOK_READING_TESTS = ["tests/repo/test_notebook_reopen.py", "tests/repo/test_notebooks_clean.py",
                          "tests/repo/test_slides_export.py", "tests/repo/test_classroom.py::test_committed_metadata_in_sync",
                          "tests/repo/test_classroom.py::test_classroom_edition_committed_and_in_sync",
                          "-k", "not progress_bars"]


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A clone of the repository at HEAD (never the working tree), sharing the repository's data/ entries (the
    dataset and model cache), with a learner's own notebook added."""
    _require_browser()
    import nbformat
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pytest.skip("the learner's-path test clones the repository: it needs a git checkout")
    work = tmp_path_factory.mktemp("learner")
    repo = work / "repo"
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(repo)], check=True, timeout=300)
    subprocess.run(["git", "-C", str(repo), "checkout", "--quiet", head], check=True, timeout=300)
    (ROOT / "data" / "cache").mkdir(parents=True, exist_ok=True)
    for entry in (ROOT / "data").iterdir():
        if not (repo / "data" / entry.name).exists():
            (repo / "data" / entry.name).symlink_to(entry)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in SCRATCH_CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, repo / "notebooks" / "scratch_progress.ipynb")
    return {"work": work, "repo": repo}


def _add_a_cell_of_ones_own(page) -> None:
    """A cell below the last one, typed and run, as a learner adds a note: the saved copy surely differs
    from the committed one (an extra cell), so a test that read the working copy would notice."""
    from playwright.sync_api import expect as pw_expect
    page.locator(".jp-Notebook .jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.type("print('a note of my own')")
    page.keyboard.press("Shift+Enter")
    pw_expect(page.locator(".jp-OutputArea-output", has_text="a note of my own").first).to_be_visible(timeout=60_000)


def _learner_cycle(browser, server, path: str, box_class: str, tag: str, own_cell: bool = True) -> dict:
    """Run All (and add a cell of one's own), save, restart the kernel, leave, shut the kernel down, open the
    notebook again in a fresh page: no "Error displaying widget", no broken image, the explorer drawn.
    Returns the saved notebook."""
    context, page, console, page_errors = _new_page(browser, f"{tag}_")
    try:
        _open(page, server, tag, path)
        _run_all_and_wait(page, timeout_s=900)
        assert not _errors_in_outputs(page), _errors_in_outputs(page)
        if own_cell:
            _add_a_cell_of_ones_own(page)
        page.locator(".jp-Notebook").first.click()
        page.keyboard.press("Control+s")
        page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')",
                               timeout=30_000)
        saved = json.loads((server["root"] / path).read_text())
        _restart_kernels(server)
        page.goto("about:blank")
        _shut_down_kernels(server)
        reopened = context.new_page()
        reopened.on("pageerror", lambda e: page_errors.append(str(e)))
        _open(reopened, server, f"{tag}-reopen", path)
        _wait_for_kernel(reopened)
        error = reopened.locator(".jp-OutputArea-output", has_text="Error displaying widget").first
        if box_class:
            box = reopened.locator(f".{box_class}").first
            box.or_(error).wait_for(state="visible", timeout=90_000)
        time.sleep(3)  # every other output has been rendered too
        reopened.screenshot(path=str(ARTIFACTS / f"{tag}_reopened.png"), full_page=True)
        assert not _widget_errors(reopened), _widget_errors(reopened)
        assert not _broken_images(reopened), "the reopened notebook shows a broken image"
        if box_class:
            img = box.locator("img").first
            assert img.evaluate("i => i.complete && i.naturalWidth > 100"), "the explorer shows no picture"
        assert not page_errors, f"JavaScript errors: {page_errors}"
    except Exception:
        for p in context.pages:
            if p.url != "about:blank":
                p.screenshot(path=str(ARTIFACTS / f"{tag}_failure.png"))
        raise
    finally:
        context.close()
    return saved


def test_run_all_save_restart_and_reopen_in_a_clone_then_the_suite_passes(browser, clone):
    """The learner's path of issue 24 in a fresh clone: for 02, 03 and a notebook of the learner's own, Run
    All, save, restart and shut the kernel down, reload and reopen: no "Error displaying widget: model not
    found", no broken image, every explorer drawn (the committed picture, or the learner's own where the
    committed file has none). Then the suite's notebook-reading tests pass in that clone, on top of the saved
    working copies (they read the notebooks as committed)."""
    repo = clone["repo"]
    env = {"PYTHONPATH": str(repo)}  # the clone's package, not the one the editable install points at
    with _jupyterlab(clone["work"], repo, env) as server:
        for path, box_class, tag in (("notebooks/02_temperature.ipynb", "kd-temperature-explorer", "learner_02"),
                                     ("notebooks/03_kl_and_loss.ipynb", "kd-loss-explorer", "learner_03"),
                                     ("notebooks/scratch_progress.ipynb", None, "learner_own")):
            saved = _learner_cycle(browser, server, path, box_class, tag, own_cell="scratch" not in path)
        # the learner's own run: its progress bar was saved as a line of text, not as a widget's view
        outputs = [o for c in saved["cells"] for o in c.get("outputs", [])]
        bars = ["".join(o.get("data", {}).get("text/plain", "")) for o in outputs]
        assert any(re.match(r"train: 100%\s+3/3 \[", b) for b in bars), bars
        views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
        assert not views, "the progress bar was saved as a widget's view"
    status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "notebooks"], capture_output=True,
                            text=True, check=True, timeout=60).stdout
    assert " M notebooks/02_temperature.ipynb" in status and " M notebooks/03_kl_and_loss.ipynb" in status, \
        f"the saves did not change the working copies, so the run below proves nothing: {status}"
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *NOTEBOOK_READING_TESTS],
                       cwd=repo, env={**os.environ, "PYTHONPATH": str(repo), "MPLBACKEND": "Agg"},
                       capture_output=True, text=True, timeout=1500)
    (ARTIFACTS / "learner_suite.txt").write_text(r.stdout + r.stderr)
    assert r.returncode == 0, r.stdout[-5000:]
