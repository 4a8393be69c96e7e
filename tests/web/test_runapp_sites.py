"""run_app's choices before anything listens: which sites, in which order, with which options.

The loop's create_server / create_unix_server are replaced by recorders (the loop object is
ours, not aioteach's), so each test sees exactly what run_app asks asyncio for, and a
KeyboardInterrupt scheduled from ``print`` stops it the way Ctrl+C would.
"""
from __future__ import annotations

import asyncio
import logging
import ssl
from typing import Any, List, Tuple

import pytest

from aioteach import web


class FakeServer:
    sockets: List[Any] = []

    def close(self) -> None:
        pass

    async def wait_closed(self) -> None:
        pass


def recording_loop() -> Tuple[asyncio.AbstractEventLoop, List[tuple]]:
    loop = asyncio.new_event_loop()
    calls: List[tuple] = []

    async def create_server(protocol_factory: Any, *args: Any, **kwargs: Any) -> FakeServer:
        calls.append(("tcp", args, kwargs))
        return FakeServer()

    async def create_unix_server(protocol_factory: Any, *args: Any, **kwargs: Any) -> FakeServer:
        calls.append(("unix", args, kwargs))
        return FakeServer()

    loop.create_server = create_server              # type: ignore[method-assign]
    loop.create_unix_server = create_unix_server    # type: ignore[method-assign]
    return loop, calls


def run(loop: asyncio.AbstractEventLoop, app: Any = None, **kwargs: Any) -> List[str]:
    printed: List[str] = []

    def stop_after_print(text: str) -> None:
        printed.append(text)

        def interrupt() -> None:
            raise KeyboardInterrupt
        loop.call_soon(interrupt)

    web.run_app(app or web.Application(), loop=loop, print=stop_after_print, **kwargs)
    return printed


TCP_DEFAULTS = dict(ssl=None, backlog=128, reuse_address=None, reuse_port=None)


def test_no_address_is_one_tcp_site_on_8080_with_asyncios_defaults():
    loop, calls = recording_loop()
    printed = run(loop)
    assert calls == [("tcp", (None, 8080), TCP_DEFAULTS)]
    assert "Running on http://0.0.0.0:8080" in printed[0]
    assert loop.is_closed()


def test_tcp_sites_come_first_then_unix_paths_then_sockets():
    loop, calls = recording_loop()

    class Sock:
        family = None

        def getsockname(self) -> tuple:
            return ("sock-host", 123)
    sock = Sock()
    run(loop, host=("127.0.0.1", "10.0.0.1"), port=8000, path=("/tmp/a.sock", "/tmp/b.sock"),
        sock=[sock], reuse_port=True)
    options = dict(TCP_DEFAULTS, reuse_port=True)
    assert calls == [
        ("tcp", ("127.0.0.1", 8000), options),
        ("tcp", ("10.0.0.1", 8000), options),
        ("unix", ("/tmp/a.sock",), dict(ssl=None, backlog=128)),
        ("unix", ("/tmp/b.sock",), dict(ssl=None, backlog=128)),
        ("tcp", (), dict(sock=sock, ssl=None, backlog=128)),
    ]


def test_a_path_alone_listens_only_there_and_its_name_says_https_with_tls():
    loop, calls = recording_loop()
    context = ssl.create_default_context()
    printed = run(loop, path="/tmp/one.sock", ssl_context=context)
    assert calls == [("unix", ("/tmp/one.sock",), dict(ssl=context, backlog=128))]
    assert "https://unix:/tmp/one.sock:" in printed[0]


def test_debug_mode_makes_the_default_access_logger_print():
    loop, _ = recording_loop()
    loop.set_debug(True)
    logger = logging.getLogger("aioteach.access")
    saved_level, saved_handlers = logger.level, list(logger.handlers)
    saved_propagate = logger.propagate
    logger.setLevel(logging.NOTSET)
    logger.propagate = False           # hasHandlers() must not see pytest's root handlers
    logger.handlers.clear()
    try:
        run(loop)
        assert logger.level == logging.DEBUG
        assert any(isinstance(h, logging.StreamHandler) for h in logger.handlers)
    finally:
        logger.setLevel(saved_level)
        logger.handlers[:] = saved_handlers
        logger.propagate = saved_propagate


def test_a_task_failing_while_cancelled_at_exit_reaches_the_exception_handler():
    loop, _ = recording_loop()
    seen: List[dict] = []
    loop.set_exception_handler(lambda _loop, context: seen.append(context))
    failure = RuntimeError("failed on cancel")
    started = []

    async def stubborn() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise failure

    async def on_startup(app: web.Application) -> None:
        started.append(asyncio.get_running_loop().create_task(stubborn()))
        await asyncio.sleep(0)

    app = web.Application()
    app.on_startup.append(on_startup)
    run(loop, app)
    assert started[0].done()
    assert [c["exception"] for c in seen
            if c["message"] == "unhandled exception during asyncio.run() shutdown"] == [failure]


def test_a_startup_failure_keeps_the_users_frame_in_the_traceback():
    import traceback
    loop, _ = recording_loop()

    async def failing_ctx(app: web.Application) -> Any:
        raise RuntimeError("boom")
        yield                                          # an async generator, never reached

    app = web.Application()
    app.cleanup_ctx.append(failing_ctx)
    with pytest.raises(RuntimeError, match="boom") as info:
        web.run_app(app, loop=loop, print=None)
    assert "failing_ctx" in [frame.name for frame in traceback.extract_tb(info.tb)]


def test_the_loop_is_closed_even_when_an_on_cleanup_hook_fails():
    loop, _ = recording_loop()

    async def failing_cleanup(app: web.Application) -> None:
        raise RuntimeError("cleanup failed")

    app = web.Application()
    app.on_cleanup.append(failing_cleanup)
    with pytest.raises(RuntimeError, match="cleanup failed"):
        run(loop, app)
    assert loop.is_closed()
