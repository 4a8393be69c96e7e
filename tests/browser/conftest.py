"""Fixtures for tests that drive a real browser: Debian's Chromium through Playwright for Python.

Never ``playwright install``: it downloads a browser build, which this project's machines cannot
fetch.  The browser is the system ``chromium``, launched headless with the flags that keep it from
trying to reach the internet.  Outside CI these tests skip when chromium or playwright is missing;
under ``CI=true`` they fail instead (``tests.support``).

* ``browser_context``: a fresh persistent Chromium context (its own temporary profile).
* ``jupyterlab``: a JupyterLab server on 127.0.0.1 with a random token and throw-away config,
  data, runtime and settings folders, serving a temporary root folder; shut down in order.
* ``chromium_context(folder)`` and ``running_jupyterlab(folder)``: the same two as context
  managers, for a module-scoped fixture that serves many tests with one JupyterLab.

Browser tests are synchronous (Playwright's sync API owns its own event loop); servers they talk
to run in threads or subprocesses.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from aioteach.testing import unused_port as free_port
from tests.support import require, require_exe

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@contextlib.contextmanager
def chromium_context(profile: Path) -> Iterator[object]:
    """A fresh persistent Chromium context in ``profile``; closed on the way out."""
    chromium = require_exe("chromium")
    sync_api = require("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=chromium, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def browser_context(tmp_path: Path) -> Iterator[object]:
    with chromium_context(tmp_path / "profile") as context:
        yield context


@dataclass
class JupyterLab:
    url: str           # base URL, e.g. http://127.0.0.1:PORT
    token: str
    root: Path         # the folder JupyterLab serves
    process: subprocess.Popen

    def lab_url(self, path: str) -> str:
        # ``reset``: a fresh workspace, so notebooks opened by earlier tests do not come back
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"


def _wait_until_up(url: str, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited early with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)     # polling a subprocess's readiness, bounded by the deadline
    raise RuntimeError("JupyterLab did not answer within 90 seconds")


#: JupyterLab user settings for tests: no news pop-up (it would cover the page and try to
#: reach the internet), and every cell kept in the page (no windowing), so a test sees them all.
LAB_SETTINGS = {
    ("apputils-extension", "notification"): {"fetchNews": "false", "checkForUpdates": False},
    ("notebook-extension", "tracker"): {"windowingMode": "none"},
}


@contextlib.contextmanager
def running_jupyterlab(folder: Path) -> Iterator[JupyterLab]:
    """JupyterLab on 127.0.0.1 with throw-away config, data, runtime and settings in ``folder``."""
    require("jupyterlab")
    root, home = folder / "root", folder / "jupyter"
    root.mkdir()
    for (extension, name), values in LAB_SETTINGS.items():
        settings = home / "settings" / "@jupyterlab" / extension
        settings.mkdir(parents=True, exist_ok=True)
        (settings / f"{name}.jupyterlab-settings").write_text(json.dumps(values))
    token, port = secrets.token_hex(16), free_port()
    env = dict(os.environ,
               JUPYTER_CONFIG_DIR=str(home / "config"), JUPYTER_DATA_DIR=str(home / "data"),
               JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_PLATFORM_DIRS="1")
    log = open(folder / "jupyterlab.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
         f"--LabApp.user_settings_dir={home / 'settings'}",
         "--ServerApp.disable_check_xsrf=True"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    lab = JupyterLab(f"http://127.0.0.1:{port}", token, root, process)
    try:
        _wait_until_up(f"{lab.url}/api/status?token={token}", process, time.monotonic() + 90)
        yield lab
    finally:
        try:
            request = urllib.request.Request(f"{lab.url}/api/shutdown?token={token}", method="POST")
            urllib.request.urlopen(request, timeout=5).close()
        except OSError:
            pass
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


@pytest.fixture
def jupyterlab(tmp_path: Path) -> Iterator[JupyterLab]:
    with running_jupyterlab(tmp_path) as lab:
        yield lab


def open_notebook(page, lab: "JupyterLab", path: str) -> None:
    """Open ``path`` in JupyterLab and wait until its kernel is idle."""
    page.goto(lab.lab_url(path))
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook .jp-Cell",
                           timeout=60_000)
    page.locator("#jp-main-statusbar").get_by_text("Idle").first.wait_for(timeout=60_000)


def run_all_cells(page) -> None:
    """Run > Run All Cells, through the menu a learner would use."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator('[data-command="runmenu:run-all"]').first.click()


def output_with_text(page, text: str):
    """A locator for a cell *output* containing ``text`` (the sources hold the same words)."""
    return page.locator(".jp-OutputArea-output", has_text=text)


def keep_screenshot(page, name: str) -> Path:
    """Save a screenshot under tests/browser/artifacts/ (ignored by git) and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


__all__ = ["browser_context", "jupyterlab", "keep_screenshot", "free_port", "JupyterLab",
           "open_notebook", "run_all_cells", "output_with_text", "chromium_context",
           "running_jupyterlab"]
