"""Handlers started in their connection's Task (web/connectiontask.py, Python 3.11) behave as
in a Task of their own: same bytes out for any mix of handlers that return, wait, fail, time
out or touch context variables, pipelined or not; a real Task from the first line; per-request
context; cancellation, connection loss and shutdown end what they should."""
from __future__ import annotations

import asyncio
import contextvars
import sys
from typing import Any, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioteach import web
from aioteach.http1 import Response as ResponseHead
from aioteach.http1 import ResponseParser
from aioteach.web import connectiontask, protocol

from .server_support import RawClient, exchange, get, serve, waits_until_cancelled

pytestmark = pytest.mark.skipif(not connectiontask.LENDING,
                                reason="only Python 3.11 lends the connection's Task")

seen: contextvars.ContextVar[str] = contextvars.ContextVar("seen", default="")


def make_app() -> web.Application:
    async def behave(request: web.Request) -> web.Response:
        kind = request.match_info["kind"]
        task = asyncio.current_task()
        before = seen.get()
        seen.set(kind)                       # a Task per request would not leak this
        if kind == "sleep":
            await asyncio.sleep(0)
        elif kind == "future":
            future = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().call_soon(future.set_result, None)
            await future
        elif kind == "timeout":
            try:
                if sys.version_info >= (3, 11):     # the Task's own timeout, where it exists
                    async with asyncio.timeout(0):
                        await asyncio.sleep(10)
                else:
                    await asyncio.wait_for(asyncio.sleep(10), 0)
            except (TimeoutError, asyncio.TimeoutError):
                kind = "timed out"
        elif kind == "fail":
            raise ValueError("handler bug")
        elif kind == "missing":
            raise web.HTTPNotFound()
        same = asyncio.current_task() is task and task is not None
        return web.Response(text=f"{kind} task={same} context={before!r}")

    app = web.Application()
    app.router.add_get("/{kind}", behave)
    return app


class Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.data = bytearray()
        self.closed = False

    def write(self, data: Any) -> None:
        self.data += data

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


def bodies(data: bytes, count: int) -> List[bytes]:
    parser, answers = ResponseParser(), []
    for event in parser.feed(data):
        if isinstance(event, ResponseHead):
            answers.append(b"%d " % event.status)
        elif hasattr(event, "data"):
            answers[-1] += event.data
    return answers


async def run_connection(kinds: List[str], pipelined: bool) -> List[bytes]:
    runner = web.AppRunner(make_app(), access_log=None)
    await runner.setup()
    try:
        conn, transport = runner.server(), Transport()
        conn.connection_made(transport)
        requests = [get(f"/{kind}") for kind in kinds]
        for chunk in ([b"".join(requests)] if pipelined else requests):
            conn.data_received(chunk)
            for _ in range(100):             # bounded: every handler here is done in a few turns
                if len(bodies(bytes(transport.data), len(kinds))) == len(kinds) or pipelined:
                    break
                await asyncio.sleep(0)
        for _ in range(200):
            if len(bodies(bytes(transport.data), len(kinds))) == len(kinds):
                break
            await asyncio.sleep(0)
        conn.connection_lost(None)
        return bodies(bytes(transport.data), len(kinds))
    finally:
        await runner.cleanup()


KINDS = st.sampled_from(["return", "sleep", "future", "timeout", "fail", "missing"])


@settings(max_examples=60, deadline=None)
@given(kinds=st.lists(KINDS, min_size=1, max_size=6), pipelined=st.booleans())
def test_the_connections_task_gives_the_bytes_of_a_task_per_request(kinds, pipelined):
    lent = asyncio.run(run_connection(kinds, pipelined))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(protocol, "LENDING", False)
        own = asyncio.run(run_connection(kinds, pipelined))
    # A plain Task made when a pipelined request's turn comes copies the context of the one
    # that just finished: only the lent Task's requests never see another's variable.
    assert [answer.partition(b" context=")[0] for answer in lent] == \
        [answer.partition(b" context=")[0] for answer in own]
    assert len(lent) == len(kinds) and all(
        answer.endswith(b"context=''") for answer in lent if b"task=" in answer)


async def test_every_line_of_a_handler_runs_in_one_real_task_over_a_real_socket():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        for kind in ("return", "sleep", "timeout", "future", "return"):
            client.send(get(f"/{kind}"))
            answer = await client.read()
            assert answer.body == f"{kind if kind != 'timeout' else 'timed out'} task=True " \
                                  "context=''".encode()
        client.close()


async def test_a_waiting_handler_is_cancelled_by_shutdown_and_the_task_ends():
    app = web.Application()
    forever, waiting, outcome = waits_until_cancelled()

    app.router.add_get("/forever", forever)
    async with serve(app, shutdown_timeout=0.01) as (port, runner):
        client = await RawClient.connect(port)
        client.send(get("/forever"))
        task = await asyncio.wait_for(waiting, 10)
        await runner.cleanup()
        assert await asyncio.wait_for(outcome, 10) == "cancelled"
        assert task.done()
        client.close()


async def test_a_handler_that_cancels_its_task_and_returns_leaves_the_next_one_alone():
    app = web.Application()

    async def self_cancel(request: web.Request) -> web.Response:
        asyncio.current_task().cancel()      # and never waits: its own Task would end here
        return web.Response(text="cancelled itself")

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(0)
        return web.Response(text="slow")

    app.router.add_get("/self", self_cancel)
    app.router.add_get("/slow", slow)
    async with serve(app) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/self"))
        assert (await client.read()).body == b"cancelled itself"
        for _ in range(3):
            client.send(get("/slow"))
            assert (await client.read()).body == b"slow"
        client.close()


async def test_the_connections_task_ends_with_the_connection():
    app = make_app()
    async with serve(app) as (port, _):
        before = asyncio.all_tasks()
        assert (await exchange(port, get("/sleep"))).body.startswith(b"sleep")
        for _ in range(100):
            if not {t for t in asyncio.all_tasks() - before if not t.done()}:
                break
            await asyncio.sleep(0.01)
        assert not {t for t in asyncio.all_tasks() - before if not t.done()}
