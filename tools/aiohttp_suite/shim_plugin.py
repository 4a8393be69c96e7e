"""``aiohttp.pytest_plugin`` in aioteach mode: aiohttp's fixture names over aioteach's kit.

Theory of operation.  aiohttp's conftest says ``pytest_plugins = ["aiohttp.pytest_plugin"]``;
the shim (``shim.DIRECT``) hands it this module.  It gives what aiohttp's tests expect of that
plugin, built on ``aioteach.testing``:

    loop                 a fresh event loop per test (parametrized by ``loop_factory``, id
                         ``pyloop``, so test ids match the calibration run's)
    aiohttp_server       ``await aiohttp_server(app, port=..., **start_kwargs)``
    aiohttp_raw_server   ``await aiohttp_raw_server(handler, port=...)``
    aiohttp_client       ``await aiohttp_client(app_or_server, server_kwargs=..., **session)``
    aiohttp_unused_port  a function returning a free port (and ``unused_port``)
    AiohttpClient, AiohttpServer, AiohttpRawServer   the factories' type names

``async def`` tests and fixtures run in that loop, as aiohttp's plugin runs them.  Nothing here
comes from aiohttp: the behaviour is aiohttp's documented fixture contract, the code is ours.
"""
from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
import warnings
from typing import Any, Callable, Iterator, List

import pytest

from aioteach.testing import BaseTestServer, RawTestServer, TestClient, TestServer, unused_port
from aioteach.web import Application

__all__ = ["AiohttpClient", "AiohttpServer", "AiohttpRawServer", "loop", "proactor_loop",
           "aiohttp_server", "aiohttp_raw_server", "aiohttp_client", "aiohttp_unused_port",
           "fast", "loop_debug", "pytest_addoption", "pytest_fixture_setup",
           "pytest_pycollect_makeitem", "pytest_pyfunc_call", "pytest_generate_tests"]

AiohttpClient = Callable[..., Any]
AiohttpServer = Callable[..., Any]
AiohttpRawServer = Callable[..., Any]


def pytest_addoption(parser: Any) -> None:
    parser.addoption("--aiohttp-fast", action="store_true", default=False)
    parser.addoption("--aiohttp-loop", action="store", default="pyloop")
    parser.addoption("--aiohttp-enable-loop-debug", action="store_true", default=False)


def pytest_fixture_setup(fixturedef: Any) -> None:
    """Let ``async def`` fixtures run in the test's ``loop``."""
    func = fixturedef.func
    is_gen = inspect.isasyncgenfunction(func)
    if not (is_gen or inspect.iscoroutinefunction(func)):
        return
    strip_request = "request" not in fixturedef.argnames
    if strip_request:
        fixturedef.argnames += ("request",)

    def run_in_loop(*args: Any, **kwargs: Any) -> Any:
        request = kwargs["request"] if not strip_request else kwargs.pop("request")
        the_loop = request.getfixturevalue("loop")
        if not is_gen:
            return the_loop.run_until_complete(func(*args, **kwargs))
        agen = func(*args, **kwargs)

        def finish() -> None:
            with contextlib.suppress(StopAsyncIteration):
                the_loop.run_until_complete(agen.__anext__())

        request.addfinalizer(finish)
        return the_loop.run_until_complete(agen.__anext__())

    fixturedef.func = run_in_loop


def pytest_pycollect_makeitem(collector: Any, name: str, obj: Any) -> Any:
    if collector.funcnamefilter(name) and inspect.iscoroutinefunction(obj):
        return list(collector._genfunctions(name, obj))
    return None


def pytest_pyfunc_call(pyfuncitem: Any) -> Any:
    """Run an ``async def`` test to completion in its loop; a RuntimeWarning fails it."""
    if not inspect.iscoroutinefunction(pyfuncitem.function):
        return None
    the_loop = (pyfuncitem.funcargs.get("selector_loop") or pyfuncitem.funcargs.get("loop")
                or None)
    own_loop = the_loop is None
    if own_loop:
        the_loop = asyncio.new_event_loop()
        asyncio.set_event_loop(the_loop)
    args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
    with warnings.catch_warnings(record=True) as caught:
        try:
            the_loop.run_until_complete(pyfuncitem.obj(**args))
        finally:
            if own_loop:
                _close_loop(the_loop, pyfuncitem.config.getoption("--aiohttp-fast"))
    runtime = [f"{w.filename}:{w.lineno}:{w.message}" for w in caught
               if issubclass(w.category, RuntimeWarning)]
    if runtime:
        raise RuntimeError(f"{len(runtime)} RuntimeWarning(s):\n" + "\n".join(runtime))
    return True


def pytest_generate_tests(metafunc: Any) -> None:
    if "loop_factory" in metafunc.fixturenames:
        metafunc.parametrize("loop_factory", [asyncio.new_event_loop], ids=["pyloop"])


def _close_loop(the_loop: asyncio.AbstractEventLoop, fast: bool = True) -> None:
    """Cancel what is left, run the cancellations, close: a test leaves no loop behind.

    Without ``--aiohttp-fast`` a full garbage collection follows, as in aiohttp's plugin, so an
    unclosed resource warns inside the test that leaked it (about 0.25 s a test here)."""
    if not the_loop.is_closed():
        pending = [task for task in asyncio.all_tasks(the_loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            the_loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        the_loop.run_until_complete(the_loop.shutdown_default_executor())
        the_loop.close()
    asyncio.set_event_loop(None)
    if not fast:
        gc.collect()


@pytest.fixture
def fast(request: Any) -> bool:
    return bool(request.config.getoption("--aiohttp-fast"))


@pytest.fixture
def loop_debug(request: Any) -> bool:
    return bool(request.config.getoption("--aiohttp-enable-loop-debug"))


@pytest.fixture
def loop(loop_factory: Callable[[], asyncio.AbstractEventLoop], fast: bool,
         loop_debug: bool) -> Iterator[asyncio.AbstractEventLoop]:
    the_loop = loop_factory()
    the_loop.set_debug(loop_debug)
    asyncio.set_event_loop(the_loop)
    yield the_loop
    _close_loop(the_loop, fast)


@pytest.fixture
def proactor_loop() -> Iterator[asyncio.AbstractEventLoop]:
    pytest.skip("no proactor loop off Windows")
    yield asyncio.new_event_loop()      # pragma: no cover (for the fixture's shape)


@pytest.fixture
def aiohttp_unused_port() -> Callable[[], int]:
    return unused_port


@pytest.fixture(name="unused_port")
def unused_port_fixture() -> Callable[[], int]:
    """aiohttp's deprecated ``unused_port`` fixture name."""
    warnings.warn("Deprecated, use aiohttp_unused_port fixture instead", DeprecationWarning,
                  stacklevel=2)
    return unused_port


CLOSE_TIMEOUT = 2.0     # seconds; aiohttp's fixtures wait forever (see _closing)


def _closing(the_loop: asyncio.AbstractEventLoop, made: List[Any]) -> None:
    """Close what a factory made, newest first.

    Bounded, unlike aiohttp's fixtures: after a test hung and was timed out, a server may wait
    a minute for its stuck handler, which would cost the run a minute per hang.  The test has
    failed already; _close_loop then cancels whatever is left."""
    async def close_all() -> None:
        while made:
            await made.pop().close()
    try:
        the_loop.run_until_complete(asyncio.wait_for(close_all(), CLOSE_TIMEOUT))
    except asyncio.TimeoutError:
        pass


@pytest.fixture
def aiohttp_server(loop: asyncio.AbstractEventLoop) -> Iterator[AiohttpServer]:
    servers: List[Any] = []

    async def start(app: Application, *, host: str = "127.0.0.1", port: Any = None,
                    **kwargs: Any) -> TestServer:
        server = TestServer(app, host=host, port=port)
        await server.start_server(**kwargs)
        servers.append(server)
        return server

    yield start
    _closing(loop, servers)


@pytest.fixture
def aiohttp_raw_server(loop: asyncio.AbstractEventLoop) -> Iterator[AiohttpRawServer]:
    servers: List[Any] = []

    async def start(handler: Any, *, port: Any = None, **kwargs: Any) -> RawTestServer:
        server = RawTestServer(handler, port=port)
        await server.start_server(**kwargs)
        servers.append(server)
        return server

    yield start
    _closing(loop, servers)


@pytest.fixture
def aiohttp_client(loop: asyncio.AbstractEventLoop) -> Iterator[AiohttpClient]:
    clients: List[Any] = []

    async def start(app_or_server: Any, *args: Any, server_kwargs: Any = None,
                    **kwargs: Any) -> TestClient:
        if callable(app_or_server) and not isinstance(app_or_server,
                                                      (Application, BaseTestServer)):
            app_or_server, kwargs = app_or_server(loop, *args, **kwargs), {}
        if isinstance(app_or_server, Application):
            app_or_server = TestServer(app_or_server, **(server_kwargs or {}))
        elif not isinstance(app_or_server, BaseTestServer):
            raise ValueError(f"Unknown argument type: {type(app_or_server)!r}")
        client = TestClient(app_or_server, **kwargs)
        await client.start_server()
        clients.append(client)
        return client

    yield start
    _closing(loop, clients)
