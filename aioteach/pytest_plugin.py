"""pytest fixtures for testing aioteach applications (registered as the ``aioteach`` plugin).

Theory of operation.  aioteach's ``pyproject.toml`` declares this module under the ``pytest11``
entry point, so pytest loads it in every project where aioteach is installed.  It must therefore
stay cheap and safe to import: the servers and clients (``aioteach.testing``, which loads
``web`` and ``client``) are imported only when a test asks for a fixture.

    aioteach_client      a factory: ``client = await aioteach_client(app)`` (or a TestServer)
    aioteach_server      a factory: ``server = await aioteach_server(app)``
    aioteach_raw_server  a factory: ``server = await aioteach_raw_server(handler)``
    unused_port          a function returning a free TCP port (aioteach_unused_port: the same)

Everything a factory made is closed after the test, in reverse order.  The async fixtures run
under pytest-asyncio (``asyncio_mode = "auto"`` or ``strict``: they are declared with
``pytest_asyncio.fixture`` when it is installed).
"""
from __future__ import annotations

from typing import Any, AsyncIterator, Callable, List

import pytest

try:
    from pytest_asyncio import fixture as async_fixture
except ImportError:                     # without pytest-asyncio the factories cannot run anyway
    async_fixture = pytest.fixture      # type: ignore[assignment]  # same call shapes

__all__ = ["aioteach_client", "aioteach_server", "aioteach_raw_server", "unused_port",
           "aioteach_unused_port"]


async def _serving(server_class: Any) -> AsyncIterator[Callable[..., Any]]:
    """Yield ``start(target, **kwargs)`` for ``server_class``; close what it started, newest first."""
    servers: List[Any] = []

    async def start(target: Any, **kwargs: Any) -> Any:
        server = server_class(target, **kwargs)
        await server.start_server()
        servers.append(server)
        return server

    yield start
    for server in reversed(servers):
        await server.close()


@async_fixture
async def aioteach_server() -> AsyncIterator[Callable[..., Any]]:
    """``server = await aioteach_server(app, host=..., port=...)``: a started TestServer."""
    # plug-in point: pytest loads this module in every project; the servers load on use
    from .testing import TestServer
    async for start in _serving(TestServer):    # runs _serving's cleanup after the test
        yield start


@async_fixture
async def aioteach_raw_server() -> AsyncIterator[Callable[..., Any]]:
    """``server = await aioteach_raw_server(handler)``: a bare handler on a free port."""
    # plug-in point: pytest loads this module in every project; the servers load on use
    from .testing import RawTestServer
    async for start in _serving(RawTestServer):
        yield start


@async_fixture
async def aioteach_client() -> AsyncIterator[Callable[..., Any]]:
    """``client = await aioteach_client(app_or_server, server_kwargs=None, **session_kwargs)``."""
    # plug-in point: pytest loads this module in every project; the servers load on use
    from .testing import BaseTestServer, TestClient, TestServer
    clients: List[Any] = []

    async def start(app_or_server: Any, *, server_kwargs: Any = None, **kwargs: Any) -> Any:
        if isinstance(app_or_server, BaseTestServer):
            server = app_or_server
        else:
            server = TestServer(app_or_server, **(server_kwargs or {}))
        client: TestClient[Any, Any] = TestClient(server, **kwargs)
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in reversed(clients):
        await client.close()


@pytest.fixture
def unused_port() -> Callable[[], int]:
    """A function returning a free TCP port on 127.0.0.1, as aiohttp's fixture does."""
    # plug-in point: pytest loads this module in every project; the servers load on use
    from .testing import unused_port as find
    return find


@pytest.fixture
def aioteach_unused_port() -> Callable[[], int]:
    """The same as ``unused_port``, under the plugin's prefix (aiohttp_unused_port's twin)."""
    # plug-in point: pytest loads this module in every project; the servers load on use
    from .testing import unused_port as find
    return find
