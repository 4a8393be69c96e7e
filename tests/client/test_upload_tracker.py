"""UploadTracker (client/upload.py): attempts, bytes_written and upload_complete, end to end.

Also the checks that settle a tracker before any byte is sent: a bad ``proxy=`` or ``ssl=``,
and TraceConfig's rule that only a started config hears request_exception.
"""
from __future__ import annotations

import asyncio

import pytest

import aioteach
from aioteach import ClientSession, TraceConfig, UploadAbortedError, UploadTracker

from .servers import RawServer, respond, serve_responses


def ok(seen):
    return respond(200, b"got %d" % len(seen.body))


async def test_a_bytes_body_is_counted_once_and_the_future_settles():
    async with RawServer(serve_responses(ok)) as server:
        async with ClientSession() as session:
            tracker = UploadTracker()
            async with session.post(server.url("/"), data=b"x" * 5000,
                                    upload_tracker=tracker) as resp:
                assert await resp.read() == b"got 5000"
    assert (tracker.attempts, tracker.bytes_written) == (1, 5000)
    assert tracker.upload_complete.result() is None


async def test_chunked_framing_is_not_counted_and_no_body_is_zero_bytes():
    async def pieces():
        yield b"a" * 100
        yield b"b" * 50

    async with RawServer(serve_responses(ok)) as server:
        async with ClientSession() as session:
            chunked, empty = UploadTracker(), UploadTracker()
            async with session.post(server.url("/"), data=pieces(),
                                    upload_tracker=chunked) as resp:
                assert await resp.read() == b"got 150"
            async with session.get(server.url("/"), upload_tracker=empty) as resp:
                await resp.read()
    assert chunked.bytes_written == 150 and chunked.upload_complete.result() is None
    assert (empty.attempts, empty.bytes_written) == (1, 0)
    assert empty.upload_complete.result() is None


async def test_a_307_resends_the_body_as_a_second_attempt_and_a_303_drops_it():
    def answer(seen):
        if seen.target == "/307":
            return respond(307, headers={"Location": "/final"})
        if seen.target == "/303":
            return respond(303, headers={"Location": "/final"})
        return respond(200, seen.method.encode() + b" %d" % len(seen.body))

    async with RawServer(serve_responses(answer)) as server:
        async with ClientSession() as session:
            resent, dropped = UploadTracker(), UploadTracker()
            async with session.post(server.url("/307"), data=b"r" * 300,
                                    upload_tracker=resent) as resp:
                assert await resp.read() == b"POST 300"
            async with session.post(server.url("/303"), data=b"d" * 300,
                                    upload_tracker=dropped) as resp:
                assert await resp.read() == b"GET 0"
    assert (resent.attempts, resent.bytes_written) == (2, 300)
    assert (dropped.attempts, dropped.bytes_written) == (2, 0)
    assert resent.upload_complete.result() is None and dropped.upload_complete.result() is None


async def test_a_failing_body_is_a_client_connection_error_and_is_on_the_future():
    async def failing():
        yield b"a" * 10
        raise ValueError("boom")

    async with RawServer(serve_responses(ok)) as server:
        async with ClientSession() as session:
            tracker = UploadTracker()
            with pytest.raises(aioteach.ClientConnectionError, match="boom") as caught:
                await session.post(server.url("/"), data=failing(), upload_tracker=tracker)
    assert tracker.upload_complete.exception() is caught.value
    assert isinstance(caught.value.__cause__, ValueError)


async def test_a_tracker_serves_one_request_and_refusals_settle_it_as_aborted():
    async with RawServer(serve_responses(ok)) as server:
        async with ClientSession() as session:
            tracker = UploadTracker()
            async with session.get(server.url("/"), upload_tracker=tracker):
                pass
            with pytest.raises(RuntimeError, match="already bound"):
                await session.get(server.url("/"), upload_tracker=tracker)
            refusals = [
                ({"data": b"x", "json": {}}, ValueError),
                ({"ssl": object()}, TypeError),
                ({"proxy": 42}, TypeError),
                ({"proxy": "http://[invalid"}, aioteach.InvalidURL),
                ({"proxy": "relative"}, aioteach.InvalidURL),
            ]
            for kwargs, error in refusals:
                tracker = UploadTracker()
                with pytest.raises(error):
                    await session.post(server.url("/"), upload_tracker=tracker, **kwargs)
                assert tracker.attempts == 0
                assert isinstance(tracker.upload_complete.exception(), UploadAbortedError)
    assert len(server.seen) == 1               # none of the refused requests was sent
    closed = UploadTracker()
    with pytest.raises(RuntimeError, match="Session is closed"):
        await session.get(server.url("/"), upload_tracker=closed)
    assert isinstance(closed.upload_complete.exception(), UploadAbortedError)


async def test_a_connection_that_cannot_be_made_aborts_and_a_cancel_aborts():
    tracker = UploadTracker()
    async with ClientSession() as session:
        with pytest.raises(aioteach.ClientConnectorError):
            await session.post("http://127.0.0.1:1/", data=b"x", upload_tracker=tracker)
    assert tracker.attempts == 1
    assert isinstance(tracker.upload_complete.exception(), UploadAbortedError)

    sent = asyncio.Event()

    async def stuck():
        yield b"a" * 10
        sent.set()
        await asyncio.Event().wait()

    async def read_forever(conn):
        await conn.reader.read(1)              # the head has started: then say nothing
        await asyncio.Event().wait()           # (cancelled when the server stops)

    async with RawServer(read_forever) as server:
        async with ClientSession() as session:
            tracker = UploadTracker()
            task = asyncio.create_task(
                session.post(server.url("/"), data=stuck(), upload_tracker=tracker))
            await sent.wait()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
    with pytest.raises(UploadAbortedError):
        await tracker.upload_complete


async def test_only_a_started_trace_config_hears_the_exception():
    heard = []

    async def good_start(session, ctx, params):
        pass

    async def bad_start(session, ctx, params):
        raise RuntimeError("trace boom")

    def config(start, name):
        async def on_exception(session, ctx, params):
            heard.append((name, type(params.exception).__name__))
        made = TraceConfig()
        made.on_request_start.append(start)
        made.on_request_exception.append(on_exception)
        return made

    async with RawServer(serve_responses(ok)) as server:
        async with ClientSession(trace_configs=[config(good_start, "good"),
                                                config(bad_start, "bad")]) as session:
            with pytest.raises(RuntimeError, match="trace boom"):
                await session.get(server.url("/"))
    assert heard == [("good", "RuntimeError")]
    assert server.seen == []


def early_answer(bodies):
    """A server that answers at once, then reads the (chunked) body to its end into ``bodies``."""
    async def handler(conn):
        while True:
            await conn.reader.readuntil(b"\r\n\r\n")
            conn.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nearly")
            await conn.drain()
            bodies.put_nowait(await conn.reader.readuntil(b"0\r\n\r\n"))
    return handler


async def test_a_streamed_body_is_sent_while_the_answer_is_read():
    gate = asyncio.Event()

    async def gated():
        yield b"a" * 1000
        await gate.wait()
        yield b"b" * 1000

    bodies: asyncio.Queue = asyncio.Queue()
    async with RawServer(early_answer(bodies)) as server:
        async with ClientSession() as session:
            tracker = UploadTracker()
            async with session.post(server.url("/"), data=gated(),
                                    upload_tracker=tracker) as resp:
                assert await resp.read() == b"early"     # while the body waits at the gate
                assert not tracker.upload_complete.done()
                assert tracker.bytes_written == 1000
                gate.set()
                await tracker.upload_complete
                assert tracker.bytes_written == 2000
            body = await bodies.get()
    assert body.count(b"a") == 1000 and body.count(b"b") == 1000


async def test_an_upload_failing_after_the_answer_is_on_the_future():
    gate = asyncio.Event()

    async def failing():
        yield b"a" * 10
        await gate.wait()
        raise ValueError("boom")

    async with RawServer(early_answer(asyncio.Queue())) as server:
        async with ClientSession() as session:
            tracker = UploadTracker()
            async with session.post(server.url("/"), data=failing(),
                                    upload_tracker=tracker) as resp:
                assert resp.status == 200
                gate.set()
                with pytest.raises(aioteach.ClientConnectionError, match="boom"):
                    await tracker.upload_complete
            # the connection was not given back half-written: the next request gets a new one
            async def fine():
                yield b"fine"

            async with session.post(server.url("/"), data=fine()) as resp:
                assert await resp.read() == b"early"
    assert server.connections == 2
