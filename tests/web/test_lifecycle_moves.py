"""The connection's life follows web/lifecycle.py's table, and only it.

A half-close moves the state as the table says (READING/HANDLING -> DRAINING: the requests
already read are answered, then the connection closes); a move the table lacks is the
documented RuntimeError, not a KeyError from indexing the table.
"""
from __future__ import annotations

import asyncio

import pytest

from aioteach import web
from aioteach.web.lifecycle import CLOSING, DRAINING, LIFECYCLE, READING, TAKEN_OVER, advance

from .test_connection_task import Transport


async def test_a_half_close_drains_the_queue_through_the_table() -> None:
    release = asyncio.get_running_loop().create_future()

    async def slow(_: web.Request) -> web.Response:
        await release
        return web.Response(text="slow")

    app = web.Application()
    app.router.add_get("/slow", slow)
    async def fast(_: web.Request) -> web.Response:
        return web.Response(text="fast")

    app.router.add_get("/fast", fast)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        conn, transport = runner.server(), Transport()
        conn.connection_made(transport)
        conn.data_received(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
                           b"GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
        assert conn.eof_received() is True            # keep sending: two answers are owed
        assert conn._life is DRAINING and not conn.closing
        release.set_result(None)
        for _ in range(20):                           # bounded: both answers need no I/O
            if transport.closed:
                break
            await asyncio.sleep(0)
        assert transport.closed
        assert bytes(transport.data).count(b"HTTP/1.1 200 OK") == 2
        assert bytes(transport.data).endswith(b"fast")
        conn.connection_lost(None)
    finally:
        await runner.cleanup()


async def test_a_half_close_with_nothing_owed_lets_the_transport_close() -> None:
    runner = web.AppRunner(web.Application(), access_log=None)
    await runner.setup()
    try:
        conn, transport = runner.server(), Transport()
        conn.connection_made(transport)
        assert conn.eof_received() is None
        assert conn._life is DRAINING
        conn.data_received(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")    # after EOF: ignored
        assert transport.data == b""
        conn.connection_lost(None)
    finally:
        await runner.cleanup()


def test_the_table_has_the_moves_the_docstring_draws() -> None:
    assert advance(READING, "half_close") is DRAINING
    assert advance(DRAINING, "answered") is DRAINING
    assert advance(DRAINING, "close") is CLOSING
    assert advance(DRAINING, "take_over") is TAKEN_OVER
    assert (READING, "answered") not in LIFECYCLE
    with pytest.raises(RuntimeError, match="LIFECYCLE"):   # the documented error, named
        advance(READING, "answered")
