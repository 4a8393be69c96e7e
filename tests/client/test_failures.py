"""Servers that misbehave: silence, early close, garbage.  The client must say what happened.

Timeouts use 0.2 s limits; the tests assert the kind of error and that it came, never how long
it took.
"""
from __future__ import annotations

import asyncio
import gzip

import pytest

import aioteach
from aioteach import ClientSession, ClientTimeout, TCPConnector

from .servers import RawServer, respond, serve_responses


async def never_answer(conn):
    await conn.request()
    await asyncio.Event().wait()                 # cancelled when the server stops


def stall_mid_body():
    async def handler(conn):
        await conn.request()
        conn.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 42)
        await conn.drain()
        await asyncio.Event().wait()
    return handler


async def test_total_timeout_when_the_server_never_answers():
    async with RawServer(never_answer) as server:
        async with ClientSession(timeout=ClientTimeout(total=0.2)) as session:
            with pytest.raises(asyncio.TimeoutError, match=r"ClientTimeout.total \(0.2 s\)"):
                await session.get(server.url("/"))


async def test_sock_read_timeout_when_the_server_never_answers():
    async with RawServer(never_answer) as server:
        async with ClientSession(timeout=ClientTimeout(sock_read=0.2)) as session:
            with pytest.raises(aioteach.ServerTimeoutError, match="sock_read"):
                await session.get(server.url("/"))


async def test_per_request_timeout_overrides_the_session():
    async with RawServer(never_answer) as server:
        async with ClientSession() as session:
            with pytest.raises(asyncio.TimeoutError):
                await session.get(server.url("/"), timeout=ClientTimeout(total=0.2))


@pytest.mark.parametrize("timeout, error", [
    (ClientTimeout(total=0.2), asyncio.TimeoutError),
    (ClientTimeout(sock_read=0.2), aioteach.ServerTimeoutError),
])
async def test_timeouts_while_reading_a_stalled_body(timeout, error):
    async with RawServer(stall_mid_body()) as server:
        async with ClientSession(timeout=timeout) as session:
            async with session.get(server.url("/")) as resp:
                assert resp.status == 200
                with pytest.raises(error):
                    await resp.read()
            # also when streaming from .content directly
            async with session.get(server.url("/")) as resp:
                assert await resp.content.readexactly(42) == b"x" * 42
                with pytest.raises(error):
                    await resp.content.read(1)


async def test_connect_timeout_covers_waiting_for_a_pooled_connection():
    busy = asyncio.Event()

    async def hold(conn):
        await conn.request()
        busy.set()                               # the only connection is taken
        await asyncio.Event().wait()

    async with RawServer(hold) as server:
        connector = TCPConnector(limit=1)
        async with ClientSession(connector=connector) as session:
            hog = asyncio.create_task(session.get(server.url("/")))
            await busy.wait()
            with pytest.raises(aioteach.ServerTimeoutError, match="ClientTimeout.connect") as caught:
                await session.get(server.url("/"), timeout=ClientTimeout(connect=0.2))
            assert isinstance(caught.value, asyncio.TimeoutError)
            assert "0 waiting" in repr(connector)        # the timed-out waiter left the queue
            hog.cancel()
            with pytest.raises(asyncio.CancelledError):
                await hog
    assert server.connections == 1


async def test_server_closing_before_answering():
    async def handler(conn):
        await conn.request()
        conn.close()

    async with RawServer(handler) as server:
        async with ClientSession() as session:
            with pytest.raises(aioteach.ServerDisconnectedError, match="before sending"):
                await session.get(server.url("/"))


async def test_body_cut_short_names_the_bytes():
    async def handler(conn):
        await conn.request()
        conn.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 42)
        conn.close()

    async with RawServer(handler) as server:
        async with ClientSession() as session:
            async with session.get(server.url("/")) as resp:
                with pytest.raises(aioteach.ClientPayloadError, match="received 42 body bytes"):
                    await resp.read()


async def test_body_until_close_is_complete_at_close():
    async def handler(conn):
        await conn.request()
        conn.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it")
        conn.close()

    async with RawServer(handler) as server:
        async with ClientSession() as session:
            async with session.get(server.url("/")) as resp:
                assert await resp.text() == "all of it"
                assert resp.version == (1, 0) and resp.version.minor == 0


async def test_malformed_status_line_is_a_400_response_error_like_aiohttp():
    async with RawServer(serve_responses(lambda seen: b"HTTP/1.1 abc Nope\r\n\r\n")) as server:
        async with ClientSession() as session:
            with pytest.raises(aioteach.ClientResponseError) as caught:
                await session.get(server.url("/"))
    assert caught.value.status == 400
    assert "status line" in caught.value.message


async def test_a_head_that_never_ends_is_refused_at_the_limit():
    async def handler(conn):
        await conn.request()
        conn.write(b"HTTP/1.1 200 OK\r\n")
        # 2 MiB of fields and no empty line: past any head budget (the client's parser allows
        # (max_headers + 1) lines of 8 KiB, about 1 MiB)
        for i in range(100_000):
            conn.write(b"X-Filler-%06d: %s\r\n" % (i, b"y" * 3))
            await conn.drain()
        await asyncio.Event().wait()

    async with RawServer(handler) as server:
        async with ClientSession() as session:
            with pytest.raises(aioteach.ClientResponseError) as caught:
                await session.get(server.url("/"))
    assert caught.value.status == 431                   # Request Header Fields Too Large
    assert "longer than" in caught.value.message


async def test_a_bad_chunk_is_a_payload_error():
    head_seen = asyncio.Event()

    async def handler(conn):
        await conn.request()
        conn.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        await head_seen.wait()                  # the client holds the response: now break it
        conn.write(b"zz\r\n")
        await asyncio.Event().wait()

    async with RawServer(handler) as server:
        async with ClientSession() as session:
            async with session.get(server.url("/")) as resp:
                head_seen.set()
                with pytest.raises(aioteach.ClientPayloadError, match="chunk size"):
                    await resp.read()


async def test_a_bad_chunk_in_the_heads_packet_fails_the_request():
    # The parser refuses the packet as a whole, so the head never reaches us: like a bad head.
    async with RawServer(serve_responses(lambda seen: (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n"))) as server:
        async with ClientSession() as session:
            with pytest.raises(aioteach.ClientResponseError, match="chunk size"):
                await session.get(server.url("/"))


async def test_corrupt_gzip_is_a_payload_error():
    body = gzip.compress(b"hello" * 100)
    broken = body[:10] + b"garbage!" + body[18:]
    async with RawServer(serve_responses(lambda seen: respond(
            200, broken, {"Content-Encoding": "gzip"}))) as server:
        async with ClientSession() as session:
            async with session.get(server.url("/")) as resp:
                with pytest.raises(aioteach.ClientPayloadError, match="gzip"):
                    await resp.read()


async def test_truncated_gzip_is_a_payload_error():
    body = gzip.compress(b"hello" * 100)[:-6]
    async with RawServer(serve_responses(lambda seen: respond(
            200, body, {"Content-Encoding": "gzip"}))) as server:
        async with ClientSession() as session:
            async with session.get(server.url("/")) as resp:
                with pytest.raises(aioteach.ClientPayloadError, match="cut short"):
                    await resp.read()


@pytest.mark.parametrize("headers", [
    {"X-Evil": "a\r\nInjected: yes"},
    {"X-Evil\r\nInjected": "yes"},
    {"X-Evil": "a\nb"},
])
async def test_cr_lf_in_a_header_is_refused_before_connecting(headers):
    async with RawServer(serve_responses(lambda seen: respond(200))) as server:
        async with ClientSession() as session:
            with pytest.raises(ValueError) as caught:
                await session.get(server.url("/"), headers=headers)
        assert isinstance(caught.value, aioteach.ClientError)
    assert server.connections == 0


async def test_interim_responses_are_skipped():
    async with RawServer(serve_responses(lambda seen: (
            b"HTTP/1.1 100 Continue\r\n\r\n"
            b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
            + respond(200, b"final")))) as server:
        async with ClientSession() as session:
            async with session.get(server.url("/")) as resp:
                assert (resp.status, await resp.text()) == (200, "final")
            async with session.get(server.url("/")) as resp:     # still in step
                assert (resp.status, await resp.text()) == (200, "final")
    assert server.connections == 1


async def test_a_reused_connection_closed_by_the_server_is_retried_once():
    """The keep-alive race: the server closes an idle connection just as we reuse it."""
    answered = 0

    async def handler(conn):
        nonlocal answered
        await conn.request()
        answered += 1
        conn.write(respond(200, b"first"))
        await conn.drain()
        await conn.request()                    # the second request arrives ...
        conn.close()                            # ... and the server hangs up on it

    async with RawServer(handler) as server:
        async with ClientSession() as session:
            async with session.get(server.url("/")) as resp:
                assert await resp.text() == "first"
            async with session.get(server.url("/")) as resp:     # GET: retried
                assert await resp.text() == "first"
            with pytest.raises(aioteach.ServerDisconnectedError):
                await session.post(server.url("/"), data=b"not idempotent")
    assert (answered, server.connections) == (2, 2)


async def test_sock_connect_timeout_when_the_server_does_not_accept():
    # A listening socket whose accept queue is full: Linux drops further SYNs, so the
    # connect neither succeeds nor fails until our timeout says so.
    import socket
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            try:
                filler.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            fillers.append(filler)
        async with ClientSession(timeout=ClientTimeout(sock_connect=0.2)) as session:
            with pytest.raises(aioteach.ServerTimeoutError, match="sock_connect"):
                await session.get(f"http://127.0.0.1:{port}/")
    finally:
        for sock in fillers + [listener]:
            sock.close()


async def test_a_head_cut_off_by_the_server_closing():
    async def handler(conn):
        await conn.request()
        conn.write(b"HTTP/1.1 200 OK\r\nContent-Le")
        conn.close()

    async with RawServer(handler) as server:
        async with ClientSession() as session:
            with pytest.raises(aioteach.ServerDisconnectedError, match="middle of the response head"):
                await session.get(server.url("/"))


async def test_a_loop_without_sockets_is_a_connector_error_that_says_so(monkeypatch):
    """Pyodide's WebLoop raises NotImplementedError from create_connection: a learner in a
    browser tab who asks a real host gets ClientConnectorError naming the cause, as for a
    refused port, not a NotImplementedError from deep inside asyncio."""
    loop = asyncio.get_running_loop()

    async def no_sockets(*args, **kwargs):
        raise NotImplementedError

    monkeypatch.setattr(loop, "create_connection", no_sockets)
    async with ClientSession() as session:
        with pytest.raises(aioteach.ClientConnectorError) as caught:
            await session.get("http://127.0.0.1:9/")
    assert "cannot open sockets" in str(caught.value)
    assert "in-memory server" in str(caught.value)
