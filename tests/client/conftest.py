"""Fixtures for the client tests: the test app served by aioteach's web and by aiohttp's."""
from __future__ import annotations

import importlib

import pytest

from tests.support import require

from .apps import make_app, serve_app


@pytest.fixture(params=["aioteach", pytest.param("aiohttp", marks=pytest.mark.peer)])
async def base_url(request):
    """The base URL of the test app (tests/client/apps.py), once per server implementation."""
    if request.param == "aiohttp":
        web = require("aiohttp.web")
    else:
        web = importlib.import_module("aioteach.web")
    async with serve_app(web, make_app(web)) as url:
        yield url
