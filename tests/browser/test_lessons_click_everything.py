"""Every lesson as a learner plays it: Run All in JupyterLab, then click every button, once each.

For each notebooks/NN_*.ipynb, in one JupyterLab (started once for the whole module) and one
headless Chromium: the lesson is opened, run with Run > Run All Cells, and, when its last cell
has run, every enabled button in the cell outputs is clicked with a real mouse click
(``locator.click()``), in page order (a live timeline's Record is pressed twice, Record then Stop,
as a learner ends a take).  Per click the test watches that cell's output area with a
MutationObserver installed just before the click, and asserts that

* the output area changed (the click did something a learner can see);
* no error output appeared anywhere in the notebook, and no traceback text in that cell;
* the widget did not fail: no failure sentence ("the server at ... is not running") in its cell.

The clicks come after the whole lesson ran, so they see what its later cells left behind: a
clean-up cell that stopped a server, a check cell that left a panel in a strange state.  A
screenshot of each clicked cell is kept in artifacts/ (``click-NN-K.png``), and one of the page
when a lesson is done; then the lesson's kernel is shut down, so the next lesson has the CPU.

And mistakes on purpose, in lesson 01 after Run All: a header line without a colon, then Send to
a server the learner stopped, then ``restart()``: each answer is a sentence in the panel, never a
traceback on the page.
"""
from __future__ import annotations

import json
import pathlib
import re
import shutil
import urllib.request
from typing import Iterator

import pytest

from tests.browser.conftest import (ARTIFACTS, JupyterLab, chromium_context, keep_screenshot,
                                    open_notebook, run_all_cells, running_jupyterlab)

pytestmark = pytest.mark.browser

NOTEBOOKS = sorted((pathlib.Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))
IDS = [path.stem for path in NOTEBOOKS]

#: What a learner can click: widget buttons in the cells' outputs.
BUTTONS = ".jp-OutputArea-output button"
#: Error outputs (a raised exception, or anything a callback printed on stderr).
ERRORS = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
#: A widget's failure box (aioteach.notebook.failures): a sentence saying what went wrong.
FAILURE = "[data-aioteach-failure]"
#: Seconds a Run All may take (lesson 09 benchmarks for ~30 s of it).
RUN_ALL_TIMEOUT = 240


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Iterator[JupyterLab]:
    with running_jupyterlab(tmp_path_factory.mktemp("lab")) as lab:
        yield lab


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[object]:
    with chromium_context(tmp_path_factory.mktemp("chromium") / "profile") as context:
        yield context


def wait_for_run_all(page, timeout_s: int) -> None:
    """Wait until the last cell has an execution count, or an error output stops the run."""
    page.wait_for_function(
        """(errors) => {
            if (document.querySelector(errors)) return true;
            const prompts = document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt');
            if (!prompts.length) return false;
            return /\\[\\d+\\]/.test(prompts[prompts.length - 1].innerText);
        }""", arg=ERRORS, timeout=timeout_s * 1000, polling=250)


def error_texts(page) -> list:
    return [text[-1500:] for text in page.locator(ERRORS).all_inner_texts()]


#: Installed on a cell's output area before a click: counts what changes in it.
WATCH = """(cell) => {
    const area = cell.querySelector('.jp-Cell-outputWrapper') || cell;
    window.__changes = 0;
    window.__lastChange = Date.now();
    if (window.__watcher) window.__watcher.disconnect();
    window.__watcher = new MutationObserver((records) => {
        window.__changes += records.length;
        window.__lastChange = Date.now();
    });
    window.__watcher.observe(area, {childList: true, subtree: true, characterData: true});
    return area.innerText;
}"""

#: True once the click's effect has settled: something changed, the button is enabled again
#: (a panel disables it while its request runs) and nothing changed for half a second.
SETTLED = """(button) => window.__changes > 0 && !button.disabled
                        && Date.now() - window.__lastChange > 500"""


def shut_down_kernels(lab: JupyterLab) -> None:
    """Delete every session (and so its kernel): the next lesson gets the machine to itself."""
    base = f"{lab.url}/api/sessions"
    with urllib.request.urlopen(f"{base}?token={lab.token}", timeout=10) as response:
        sessions = json.load(response)
    for session in sessions:
        request = urllib.request.Request(f"{base}/{session['id']}?token={lab.token}",
                                         method="DELETE")
        urllib.request.urlopen(request, timeout=30).close()


def stop_recording(page, button) -> None:
    """A live timeline's Record turns into Stop: a learner presses it again to end the take.

    While it records, the timeline redraws whenever the loop lags or a span grows, so its
    output area never stays still for long; the click is judged once the take has ended.
    """
    page.wait_for_function("(b) => b.innerText.trim() === 'Stop'", arg=button.element_handle(),
                           timeout=30_000, polling=100)
    button.click()


def click_everything(page, stem: str) -> list:
    """Click each enabled button once, in page order; return one line per click."""
    buttons = page.locator(BUTTONS)
    count = page.evaluate(
        """(sel) => { let n = 0;
            for (const b of document.querySelectorAll(sel))
                if (!b.disabled && b.offsetParent !== null) b.dataset.clickId = n++;
            return n; }""", BUTTONS)
    assert count == buttons.count() or count > 0 or buttons.count() == 0
    seen = []
    for k in range(count):
        button = page.locator(f'[data-click-id="{k}"]')
        label = button.inner_text().strip() or button.get_attribute("title") or "?"
        cell = button.locator("xpath=ancestor::div[contains(@class, 'jp-CodeCell')][1]")
        button.scroll_into_view_if_needed()
        before_text = cell.element_handle().evaluate(WATCH)
        errors_before = page.locator(ERRORS).count()
        button.click()                                   # a real mouse click
        if label == "Record":
            stop_recording(page, button)
        try:
            page.wait_for_function(SETTLED, arg=button.element_handle(), timeout=60_000,
                                   polling=100)
        except Exception as exc:                          # a Playwright TimeoutError
            keep_screenshot(page, f"click-{stem}-{k}-timeout")
            pytest.fail(f"{stem}: clicking button {k} ({label!r}) changed nothing in its "
                        f"output area within 60 s ({type(exc).__name__})", pytrace=False)
        area = cell.locator(".jp-Cell-outputWrapper")
        after_text = area.inner_text()
        cell.screenshot(path=str(ARTIFACTS / f"click-{stem}-{k}.png"))
        new_errors = error_texts(page)[errors_before:]
        assert not new_errors, (f"{stem}: clicking {label!r} added an error output:\n"
                                + "\n---\n".join(new_errors))
        assert "Traceback" not in after_text, \
            f"{stem}: clicking {label!r} left traceback text in its cell:\n{after_text[-1500:]}"
        failures = cell.locator(FAILURE).all_inner_texts()
        assert not failures, (f"{stem}: after Run All, clicking {label!r} failed (a widget whose "
                              f"server or state the lesson's later cells took away?):\n"
                              + "\n".join(failures))
        assert after_text != before_text or page.evaluate("window.__changes") > 0
        seen.append(f"{k}: {label!r} -> {page.evaluate('window.__changes')} changes")
    return seen


@pytest.mark.timeout(420)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=IDS)
def test_after_run_all_every_button_works(lab, browser, path):
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(path, lab.root / path.name)
    page = browser.new_page()
    try:
        open_notebook(page, lab, path.name)
        run_all_cells(page)
        wait_for_run_all(page, RUN_ALL_TIMEOUT)
        errors = error_texts(page)
        assert not errors, f"{path.stem}: Run All showed an error output:\n" + "\n---\n".join(errors)
        page.locator("#jp-main-statusbar").get_by_text("Idle").first.wait_for(timeout=60_000)
        clicks = click_everything(page, path.stem)
        keep_screenshot(page, f"lesson-{path.stem}")
        print(f"{path.stem}: {len(clicks)} buttons clicked", *clicks, sep="\n  ")
        has_widgets = any(re.search(r"\bButton\(|Panel\(|Lab\(|MiddlewareTrace\(", cell)
                          for cell in _code_sources(path))
        assert clicks or not has_widgets, f"{path.stem} builds widgets, but no button was found"
    finally:
        page.close()
        shut_down_kernels(lab)


def _code_sources(path: pathlib.Path) -> list:
    cells = json.loads(path.read_text())["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def run_new_cell(page, code: str) -> None:
    """Add a cell at the end of the notebook, type ``code`` and run it (Shift+Enter)."""
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    cells = panel.locator(".jp-Cell")
    before = cells.count()
    cells.last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")                     # a new cell below, in command mode
    page.wait_for_function("([sel, n]) => document.querySelectorAll(sel).length > n",
                           arg=[".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", before])
    page.keyboard.press("Enter")                 # edit it; on a busy machine focus comes late,
    editor = panel.locator(".jp-Cell.jp-mod-active .cm-editor.cm-focused")
    editor.wait_for(timeout=30_000)              # and keys typed before it would be lost
    page.keyboard.type(code)
    assert editor.locator(".cm-content").inner_text() == code
    page.keyboard.press("Shift+Enter")


def send_and_settle(page, panel) -> str:
    """Click the panel's Send with the mouse; its text once the click has settled."""
    button = panel.locator(".widget-button", has_text="Send").first
    button.scroll_into_view_if_needed()
    panel.element_handle().evaluate(WATCH.replace(
        "cell.querySelector('.jp-Cell-outputWrapper') || cell", "cell"))
    button.click()
    page.wait_for_function(SETTLED, arg=button.element_handle(), timeout=60_000, polling=100)
    return panel.inner_text()


@pytest.mark.timeout(300)
def test_a_learners_mistakes_in_lesson01_get_a_sentence_not_a_traceback(lab, browser):
    """Mistakes on purpose: a header line without a colon, then Send to a stopped server."""
    path = NOTEBOOKS[0]
    shutil.copy(path, lab.root / path.name)
    page = browser.new_page()
    try:
        open_notebook(page, lab, path.name)
        run_all_cells(page)
        wait_for_run_all(page, RUN_ALL_TIMEOUT)
        panel = page.locator(".jp-OutputArea-output",
                             has=page.locator(".widget-button", has_text="Send")).first
        panel.locator(".widget-textarea textarea").first.fill("this line has no colon")
        text = send_and_settle(page, panel)
        assert "Name: value" in text and "Traceback" not in text, text
        panel.locator(".widget-textarea textarea").first.fill("")

        run_new_cell(page, "server.stop(); print('stopped it')")
        page.locator(".jp-OutputArea-output", has_text="stopped it").first.wait_for(timeout=30_000)
        text = send_and_settle(page, panel)
        keep_screenshot(page, "lesson01-mistake-stopped-server")
        panel.screenshot(path=str(ARTIFACTS / "lesson01-mistake-stopped-server-panel.png"))
        assert "restart()" in text and "Traceback" not in text, text
        assert not error_texts(page), error_texts(page)

        run_new_cell(page, "server.restart(); print('started it again')")
        page.locator(".jp-OutputArea-output", has_text="started it again").first.wait_for(
            timeout=30_000)
        text = send_and_settle(page, panel)
        assert "200 OK" in text and "restart()" not in text, text
    finally:
        page.close()
        shut_down_kernels(lab)
