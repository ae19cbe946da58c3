"""Live slides in JupyterLab: notebook 02 presented with jupyterlab-deck, its T slider moved inside a slide.

Reuses the JupyterLab server and the Chromium of tests/repo/test_browser.py (same skip rules: without Chromium
or Playwright the test skips, unless DISTILL_REQUIRE_BROWSER=1). The builder writes each cell's
`slideshow.slide_type`; jupyterlab-deck presents the notebook in place, so the widgets stay live (the
slideshow of jupyterlab-rise 0.43.1 shows ipywidgets 8 as plain text: jupyterlab-contrib/rise#126).
Screenshots go to artifacts/browser/ with the others.
"""
from __future__ import annotations

import time

from test_browser import (ARTIFACTS, BAD_CONSOLE, _errors_in_outputs, _new_page, _open, _run_all_and_wait,  # noqa: F401
                          _type_into_slider, browser, lab)

ONSCREEN = ".jp-Notebook .jp-Cell.jp-deck-mod-visible"  # cells of the current slide


def _onscreen_text(page) -> str:
    return "\n".join(page.locator(ONSCREEN).all_inner_texts())


def test_slideshow_with_live_temperature_slider(browser, lab):
    from playwright.sync_api import expect as pw_expect
    context, page, console, page_errors = _new_page(browser, "slides_")
    try:
        _open(page, lab, "slides", "02_temperature.ipynb")
        _run_all_and_wait(page, timeout_s=420)
        # start the slideshow from the first cell, as a presenter does: command palette, "Start Deck"
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.keyboard.press("Escape")
        page.keyboard.press("Control+Shift+c")
        page.keyboard.type("Start Deck")
        page.keyboard.press("Enter")
        pw_expect(page.locator(".jp-Deck").first).to_be_attached(timeout=30_000)
        pw_expect(page.locator(ONSCREEN).first).to_be_visible(timeout=30_000)
        first = _onscreen_text(page)
        assert "02 · Softmax temperature" in first, first[:300]
        assert page.locator(".jp-Notebook .jp-Cell:not(.jp-deck-mod-visible)").count() > 0, "not a slideshow"
        page.screenshot(path=str(ARTIFACTS / "slides_first.png"))
        forward = page.locator(".jp-Deck-Remote .jp-deck-mod-direction-forward").first
        for _ in range(10):  # a continuation cell can be a step of its own: advance until the slide changes
            forward.click()
            time.sleep(0.5)
            second = _onscreen_text(page)
            if second != first:
                break
        assert second and second != first, "the slideshow did not advance"
        assert "1. Softmax with temperature" in second, second[:300]
        # advance to the sub-slide holding the temperature explorer ("down" into sub-slides, else "forward")
        box = page.locator(f"{ONSCREEN} .kd-temperature-explorer").first
        down = page.locator(".jp-Deck-Remote .jp-deck-mod-direction-down").first
        for _ in range(40):
            if box.count() and box.is_visible():
                break
            (down if "jp-mod-disabled" not in (down.get_attribute("class") or "") else forward).click()
            time.sleep(0.5)
        pw_expect(box).to_be_visible(timeout=10_000)
        readout, img = box.locator(".kd-readout"), box.locator("img").first
        before_text, before_src = readout.inner_text(), img.get_attribute("src")
        page.screenshot(path=str(ARTIFACTS / "slides_explorer_before.png"))
        _type_into_slider(page, box, "6", "T = 6.00")
        assert readout.inner_text() != before_text and img.get_attribute("src") != before_src, "figure unchanged"
        assert page.locator(".jp-Deck").count(), "the slideshow ended while the slider moved"
        page.screenshot(path=str(ARTIFACTS / "slides_explorer_after.png"))
        assert not _errors_in_outputs(page), _errors_in_outputs(page)
        (ARTIFACTS / "slides_console.txt").write_text("\n".join(console + page_errors))
        assert not page_errors, f"JavaScript errors: {page_errors}"
        bad = [c for c in console if BAD_CONSOLE.search(c)]
        assert not bad, f"browser console reported widget/JavaScript errors: {bad}"
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "slides_failure.png"))
        raise
    finally:
        context.close()
