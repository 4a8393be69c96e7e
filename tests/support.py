"""Helpers shared by the test suite: optional peers that must run under CI, and bounded waits.

Outside CI a test that needs an optional peer (aiohttp, tornado, httpx, websockets, curl,
gunicorn, chromium...) skips with a clear reason.  Under CI (``CI=true``) a missing peer is a
failure, so a green CI run means every interop test really ran.

``await within(awaitable)`` bounds a wait by ``TIMEOUT``: a test that would hang fails with a
``TimeoutError`` at the line that waited, well before pytest-timeout's 120 s.
"""
from __future__ import annotations

import asyncio
import importlib
import os
import shutil
from types import ModuleType
from typing import Any, Awaitable

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TIMEOUT = 10.0          # seconds: generous on a busy machine, short next to pytest-timeout


async def within(awaitable: Awaitable[Any], timeout: float = TIMEOUT) -> Any:
    """Await ``awaitable``, failing with ``asyncio.TimeoutError`` after ``timeout`` seconds."""
    return await asyncio.wait_for(awaitable, timeout)


def _missing(what: str) -> None:
    if IN_CI:
        pytest.fail(f"{what} is required under CI but is not available", pytrace=False)
    pytest.skip(f"{what} is not available (install the dev extras; CI runs this test)")


def require(module: str) -> ModuleType:
    """Import an optional peer module, or skip (fail under CI) saying which one is missing."""
    try:
        return importlib.import_module(module)
    except ImportError:
        _missing(f"the Python package {module!r}")
        raise  # unreachable: _missing raises


def require_exe(name: str) -> str:
    """The path of an executable (curl, wrk, chromium, gunicorn), or skip (fail under CI)."""
    path = shutil.which(name)
    if path is None:
        _missing(f"the program {name!r}")
    return path  # type: ignore[return-value]
