"""The connection pool: reuse, limits, the FIFO queue, keep-alive expiry (counted at the server)."""
from __future__ import annotations

import asyncio

import pytest

import aioteach
from aioteach import ClientSession, TCPConnector, trace

from .servers import RawServer, respond, serve_responses


def hello(seen):
    return respond(200, b"hello")


async def test_sequential_requests_reuse_one_connection():
    async with RawServer(serve_responses(hello)) as server:
        async with ClientSession() as session:
            for _ in range(5):
                async with session.get(server.url("/")) as resp:
                    assert await resp.text() == "hello"
    assert server.connections == 1
    assert len(server.seen) == 5


async def test_released_unread_response_is_not_reused():
    gate = asyncio.Event()

    async def handler(conn):
        while (seen := await conn.request()) is not None:
            if seen.target == "/big":
                conn.write(respond(200, b"x" * 1000)[:-500])   # half the body, then stall
                await conn.drain()
                await gate.wait()
                return
            conn.write(respond(200, b"small"))

    async with RawServer(handler) as server:
        async with ClientSession() as session:
            async with session.get(server.url("/big")) as resp:
                assert resp.status == 200                    # body left unread
            async with session.get(server.url("/small")) as resp:
                assert await resp.text() == "small"
        gate.set()
    assert server.connections == 2


async def test_fully_received_body_frees_the_connection_without_release():
    async with RawServer(serve_responses(hello)) as server:
        async with ClientSession() as session:
            first = await session.get(server.url("/"))
            assert await first.read() == b"hello"           # never released by hand
            second = await session.get(server.url("/"))
            assert await second.read() == b"hello"
    assert server.connections == 1


async def test_force_close_uses_a_connection_per_request():
    async with RawServer(serve_responses(hello)) as server:
        async with ClientSession(connector=TCPConnector(force_close=True)) as session:
            for _ in range(3):
                async with session.get(server.url("/")) as resp:
                    await resp.read()
    assert server.connections == 3


async def test_connection_close_from_the_server_is_honoured():
    async with RawServer(serve_responses(
            lambda seen: respond(200, b"bye", {"Connection": "close"}))) as server:
        async with ClientSession() as session:
            for _ in range(3):
                async with session.get(server.url("/")) as resp:
                    assert await resp.text() == "bye"
    assert server.connections == 3


async def test_requests_past_the_limit_wait_in_fifo_order():
    gates = {name: asyncio.get_running_loop().create_future() for name in "abcd"}
    arrived = asyncio.Queue()

    async def handler(conn):
        while (seen := await conn.request()) is not None:
            name = seen.target.strip("/")
            arrived.put_nowait(name)
            await gates[name]
            conn.write(respond(200, name.encode()))

    async with RawServer(handler) as server:
        async with ClientSession(connector=TCPConnector(limit=1)) as session:
            with trace.record(["client.connection"]) as rec:
                async def fetch(name):
                    async with session.get(server.url(f"/{name}")) as resp:
                        return await resp.text()

                tasks = [asyncio.create_task(fetch(name)) for name in "abcd"]
                assert await arrived.get() == "a"        # a holds the only connection
                order = ["a"]
                for name in "abcd"[:-1]:
                    gates[name].set_result(None)
                    order.append(await arrived.get())
                gates["d"].set_result(None)
                assert await asyncio.gather(*tasks) == list("abcd")
    assert order == list("abcd")
    assert server.connections == 1                       # and it was reused each time
    queued = [e["req"] for e in rec.of_kind("client.connection_queued")]
    acquired = [(e["req"], e["reused"]) for e in rec.of_kind("client.connection_acquired")]
    assert len(queued) == 3
    assert [req for req, _ in acquired][1:] == queued    # served in the order they queued
    assert [reused for _, reused in acquired] == [False, True, True, True]


async def test_limit_per_host_does_not_hold_up_other_hosts():
    release = asyncio.get_running_loop().create_future()
    arrived = asyncio.Queue()

    async def handler(conn):
        while (seen := await conn.request()) is not None:
            arrived.put_nowait((seen.header("host").split(":")[0], seen.target))
            await release
            conn.write(respond(200, b"ok"))

    async with RawServer(handler) as server:
        connector = TCPConnector(limit_per_host=1)
        async with ClientSession(connector=connector) as session:
            first = asyncio.create_task(session.get(server.url("/1")))
            second = asyncio.create_task(session.get(server.url("/2")))    # waits for /1
            other = asyncio.create_task(session.get(
                server.url("/3").replace("127.0.0.1", "localhost")))
            got = {await arrived.get(), await arrived.get()}
            assert got == {("127.0.0.1", "/1"), ("localhost", "/3")}
            assert arrived.empty()
            release.set_result(None)
            for task in (first, second, other):
                resp = await task
                assert await resp.text() == "ok"
            assert (await arrived.get())[1] == "/2"


async def test_idle_connections_close_after_keepalive_timeout():
    closed = asyncio.Event()

    async def handler(conn):
        while await conn.request() is not None:
            conn.write(respond(200, b"hi"))
        closed.set()                                   # the client hung up

    async with RawServer(handler) as server:
        async with ClientSession(connector=TCPConnector(keepalive_timeout=0.05)) as session:
            async with session.get(server.url("/")) as resp:
                await resp.read()
            await asyncio.wait_for(closed.wait(), 10)
            async with session.get(server.url("/")) as resp:
                await resp.read()
    assert server.connections == 2


async def test_a_server_closing_an_idle_connection_is_not_an_error():
    async def handler(conn):
        await conn.request()
        conn.write(respond(200, b"once"))
        await conn.drain()
        conn.close()                                   # no "Connection: close" warning

    async with RawServer(handler) as server:
        async with ClientSession() as session:
            for _ in range(3):
                async with session.get(server.url("/")) as resp:
                    assert await resp.text() == "once"
    assert server.connections == 3


async def test_session_close_closes_pooled_connections():
    closed = asyncio.Event()

    async def handler(conn):
        while await conn.request() is not None:
            conn.write(respond(200, b"hi"))
        closed.set()

    async with RawServer(handler) as server:
        session = ClientSession()
        async with session.get(server.url("/")) as resp:
            await resp.read()
        await session.close()
        await asyncio.wait_for(closed.wait(), 10)
        assert session.closed and session.connector.closed


async def test_trace_records_a_whole_request():
    async with RawServer(serve_responses(hello)) as server:
        async with ClientSession() as session:
            with trace.record(["client."]) as rec:
                async with session.get(server.url("/")) as resp:
                    await resp.read()
    kinds = [e.kind for e in rec.events if not e.kind.startswith("client.bytes_")]
    assert kinds == ["client.request_start", "client.connection_acquired", "client.request_sent",
                     "client.first_byte", "client.request_end"]
    sent = b"".join(e["data"] for e in rec.of_kind("client.bytes_out"))   # the wire, both ways
    assert sent.startswith(b"GET / HTTP/1.1\r\n")
    assert b"".join(e["data"] for e in rec.of_kind("client.bytes_in")).startswith(b"HTTP/1.1 ")
    assert len({e["req"] for e in rec.events}) == 1
    assert rec.events[-1]["status"] == 200
    assert [s.kind for s in rec.spans()] == ["wait", "run"]


async def test_reading_after_an_early_release_fails_instead_of_hanging():
    async def handler(conn):
        await conn.request()
        conn.write(respond(200, b"x" * 1000)[:-500])
        await conn.drain()
        await asyncio.Event().wait()

    async with RawServer(handler) as server:
        async with ClientSession() as session:
            resp = await session.get(server.url("/"))
            resp.release()
            assert resp.closed
            with pytest.raises(aioteach.ClientConnectionError, match="released"):
                await resp.read()


async def test_connection_close_in_our_request_is_not_pooled():
    async with RawServer(serve_responses(hello)) as server:
        async with ClientSession() as session:
            for _ in range(2):
                async with session.get(server.url("/"), headers={"Connection": "close"}) as resp:
                    assert await resp.text() == "hello"
    assert server.connections == 2


async def test_a_slow_reader_pauses_the_transport_and_resumes_it():
    body = bytes(range(256)) * (16 * 1024)             # 4 MiB

    async def handler(conn):
        await conn.request()
        conn.write(respond(200, body))
        await conn.drain()
        await conn.request()                          # keep the connection open

    async with RawServer(handler) as server:
        async with ClientSession(read_bufsize=2 ** 16) as session:
            async with session.get(server.url("/")) as resp:
                connection = resp.connection
                paused = asyncio.Event()
                if connection._reading_paused:
                    paused.set()
                else:
                    original = connection.pause_reading

                    def pause_reading():
                        original()
                        paused.set()
                    connection.pause_reading = pause_reading
                await paused.wait()                   # we read nothing: the buffer filled up
                # 2 x the limit, plus at most one read of the socket (256 KiB in asyncio)
                assert resp.content._size <= 2 * 2 ** 16 + 256 * 1024
                assert await resp.read() == body      # reading resumes the transport
                assert not connection._reading_paused


async def test_bytes_after_the_response_keep_the_connection_out_of_the_pool():
    async with RawServer(serve_responses(
            lambda seen: respond(200, b"ok") + b"HTTP/1.1 200 OK\r\nJunk")) as server:
        async with ClientSession() as session:
            for _ in range(2):
                async with session.get(server.url("/")) as resp:
                    assert await resp.text() == "ok"
    assert server.connections == 2


async def test_an_unclosed_session_with_open_connections_warns():
    import gc
    async with RawServer(serve_responses(hello)) as server:
        session = ClientSession()
        async with session.get(server.url("/")) as resp:
            await resp.read()
        connector = session.connector
        with pytest.warns(ResourceWarning, match="Unclosed client session"):
            del session, resp
            gc.collect()
        await connector.close()
