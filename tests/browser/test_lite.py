"""The lessons in JupyterLite: build the static site, serve it on 127.0.0.1, run it in Chromium.

The site is built once per module (``python -m aioteach lessons --lite``; the npm tarball and
the wheels are cached in build/lite-cache, so a second build in the same checkout downloads
nothing) and served by ``http.server`` from a thread.  Lesson 01 is opened in headless
Chromium, run with Run > Run All Cells, and its RequestPanel's **Send** is clicked with the
mouse: the answer is a 200 from the in-browser server, over the memory transport.  Every request
the page and its kernel's worker made is logged by Playwright; any that left 127.0.0.1 fails the
test (nothing from a CDN, nothing from PyPI).

Outside CI the module skips when the site cannot be built here (no jupyterlite packages, no npm);
under CI=true that is a failure.  The other lessons are run by ``test_every_lesson_runs``.
"""
from __future__ import annotations

import contextlib
import functools
import http.server
import pathlib
import threading
import time
from typing import Iterator, List

import pytest

from tests.browser.conftest import (ARTIFACTS, chromium_context, keep_screenshot,
                                    output_with_text)
from tests.support import require, require_exe

pytestmark = pytest.mark.browser

ROOT = pathlib.Path(__file__).resolve().parents[2]
SITE = ROOT / "build" / "lite-test-site"
CACHE = ROOT / "build" / "lite-cache"
ERRORS = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"
STDERR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"


@pytest.fixture(scope="module")
def site() -> pathlib.Path:
    require("jupyterlite_core")
    require("jupyterlite_pyodide_kernel")
    if not (CACHE / "pyodide-314.0.6.tgz").exists():
        require_exe("npm")
    from aioteach.notebook.lessons import lesson_files
    from aioteach.notebook.lite import build_site
    lessons = [pathlib.Path(str(lesson)) for lesson in lesson_files()]
    seconds = build_site(str(SITE), lessons, str(CACHE))
    print(f"built the site in {seconds:.0f} s")
    assert (SITE / "static" / "pyodide" / "pyodide.mjs").exists()
    assert (SITE / ".nojekyll").exists()                    # GitHub Pages serves it as built
    assert sorted(p.name for p in (SITE / "files").glob("*.ipynb")) == [p.name for p in lessons]
    return SITE


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def static_server(folder: pathlib.Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(scope="module")
def base(site: pathlib.Path) -> Iterator[str]:
    with static_server(site) as url:
        yield url


@pytest.fixture
def browser(base: str, tmp_path: pathlib.Path):
    """A fresh Chromium profile per test: JupyterLite keeps its workspace in the browser's
    storage, so a second lesson in the same profile reopens the first one's tab (and kernel)."""
    requests: List[str] = []
    with chromium_context(tmp_path / "lite-profile") as context:
        context.on("request", lambda request: requests.append(request.url))
        yield context, base, requests
    outside = [url for url in requests
               if not url.startswith(("http://127.0.0.1:", "data:", "blob:"))]
    assert not outside, f"requests left 127.0.0.1: {outside[:10]}"


def run_lesson(context, base: str, name: str, timeout: float = 240.0):
    """Open ``name``, wait for the kernel, Run All, and wait until the last cell has run."""
    page = context.new_page()
    page.goto(f"{base}/lab/index.html?path={name}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    page.locator("#jp-main-statusbar").get_by_text("Idle").first.wait_for(timeout=120_000)
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator('[data-command="runmenu:run-all"]').first.click()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # a cell whose source is hidden (a solution) shows no prompt: only the shown ones count
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        shown = [p.strip() for p in prompts if p.strip()]
        if page.locator(ERRORS).count() or page.locator(STDERR).filter(
                has_text="Traceback").count():
            break
        if shown and all(p not in ("[ ]:", "[*]:") for p in shown):
            break
        page.wait_for_timeout(500)
    return page


def failures(page) -> List[str]:
    texts = page.locator(ERRORS).all_inner_texts()
    texts += [t for t in page.locator(STDERR).all_inner_texts() if "Traceback" in t]
    return [t[-1500:] for t in texts]


@pytest.mark.timeout(600)
def test_lesson01_in_jupyterlite_answers_a_click_on_send(browser):
    context, base, requests = browser
    page = run_lesson(context, base, "01_hello_server.ipynb")
    assert failures(page) == []
    output_with_text(page, "servers run in this kernel").first.wait_for(timeout=30_000)
    assert output_with_text(page, "http://memory-").count() >= 1      # no port in a browser

    panel = page.locator(".jp-OutputArea-output",
                         has=page.locator(".widget-button", has_text="Send")).first
    send = panel.locator(".widget-button", has_text="Send").first
    panel.locator(".widget-text input").first.fill("/echo?name=Chromium")
    panel.locator(".widget-textarea textarea").nth(1).fill("a click in the browser")
    send.scroll_into_view_if_needed()
    send.click()
    output_with_text(page, "Chromium wrote: a click in the browser").first.wait_for(
        timeout=30_000)
    assert "bytes out" in output_with_text(page, "200 OK").first.inner_text()
    keep_screenshot(page, "lite_lesson01_send")
    assert any("/static/pyodide/pyodide.asm.wasm" in url for url in requests)
    page.close()


def unfinished(page) -> List[str]:
    """The prompts of shown code cells that have not run (``[ ]:``) or are still running."""
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
    return [p.strip() for p in prompts if p.strip() in ("[ ]:", "[*]:")]


LESSONS = ["02_routing_and_requests.ipynb", "03_middleware.ipynb",
           "04_client_and_concurrency.ipynb", "05_when_the_loop_stops.ipynb",
           "06_websockets.ipynb", "07_coroutines_vs_tornado_generators.ipynb",
           "08_under_the_hood.ipynb", "09_performance.ipynb"]


@pytest.mark.timeout(600)
@pytest.mark.parametrize("name", LESSONS)
def test_every_lesson_runs(browser, name):
    """Run All of each other lesson goes to its last cell with no error output (01 is above)."""
    context, base, _ = browser
    page = run_lesson(context, base, name)
    keep_screenshot(page, f"lite_{name.split('_')[0]}")
    outputs = page.locator(".jp-OutputArea-output").all_inner_texts()     # what a learner read
    (ARTIFACTS / f"lite_{name.split('_')[0]}.txt").write_text("\n---\n".join(outputs))
    assert failures(page) == []
    assert unfinished(page) == []
    page.close()
