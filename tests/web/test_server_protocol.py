"""The server protocol over real sockets, driven with raw bytes.

Each test tells one story about a connection: keep-alive, pipelining, 100-continue, bodiless
responses, HTTP/1.0, malformed input, handler failures, clients that vanish, timeouts.
"""
from __future__ import annotations

import asyncio
import gc

import pytest

from aioteach import trace, web
from tests.web.server_support import RawClient, exchange, get, serve, waits_until_cancelled


def make_app(**kwargs: object) -> web.Application:
    app = web.Application(**kwargs)

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text=f"hello {request.query.get('n', '')}".strip())

    async def slow_hello(request: web.Request) -> web.Response:
        await asyncio.sleep(0)                 # forces the Task path in the middle
        return web.Response(text="slow")

    async def echo(request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    async def empty(request: web.Request) -> web.Response:
        return web.Response(status=int(request.match_info["status"]))

    async def boom(request: web.Request) -> web.Response:
        raise ValueError("handler bug")

    async def stream(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        for i in range(3):
            await resp.write(b"part %d\n" % i)
        await resp.write_eof()
        return resp

    async def sized_stream(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        resp.content_length = 6
        await resp.prepare(request)
        await resp.write(b"abc")
        await resp.write(b"def")
        return resp

    app.router.add_get("/hello", hello)
    app.router.add_get("/slow", slow_hello)
    app.router.add_post("/echo", echo)
    app.router.add_get("/status/{status}", empty)
    app.router.add_get("/boom", boom)
    app.router.add_get("/stream", stream)
    app.router.add_get("/sized", sized_stream)
    return app


async def test_keep_alive_serves_several_requests_on_one_connection():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        for n in range(3):
            client.send(get(f"/hello?n={n}"))
            answer = await client.read()
            assert (answer.status, answer.body) == (200, f"hello {n}".encode())
            assert "Connection" not in answer.headers
            assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
            assert "Date" in answer.headers
        client.close()


async def test_pipelined_requests_in_one_write_are_answered_in_order():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/hello?n=1") + get("/slow") + get("/hello?n=3") +
                    b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nbody" +
                    get("/stream"))
        bodies = [(await client.read()).body for _ in range(5)]
        assert bodies == [b"hello 1", b"slow", b"hello 3", b"body", b"part 0\npart 1\npart 2\n"]
        client.close()


async def test_expect_100_continue_is_answered_when_the_handler_reads_the_body():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                    b"Expect: 100-continue\r\n\r\n")
        interim = await client.read("POST")
        assert interim.status == 100
        client.send(b"hello")
        final = await client.read("POST")
        assert (final.status, final.body) == (200, b"hello")
        client.send(get("/hello"))                      # the connection is still good
        assert (await client.read()).status == 200
        client.close()


async def test_expect_100_continue_refused_without_reading_closes_the_connection():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(b"GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                    b"Expect: 100-continue\r\n\r\n")
        answer = await client.read()
        # No 100 was sent, so the client may never send the body: the server cannot know
        # where the next request starts and closes (RFC 9110 10.1.1).
        assert answer.status == 200 and answer.headers["Connection"] == "close"
        assert await client.wait_closed()


async def test_head_keeps_content_length_and_sends_no_body():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/hello", method="HEAD") + get("/hello"))
        head = await client.read("HEAD")
        assert head.status == 200 and head.body == b""
        assert head.headers["Content-Length"] == "5"
        assert (await client.read()).body == b"hello"     # framing stayed in step
        client.close()


@pytest.mark.parametrize("status", [204, 304])
async def test_no_body_statuses_send_no_body_and_keep_the_connection(status):
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(get(f"/status/{status}") + get("/hello"))
        answer = await client.read()
        assert answer.status == status and answer.body == b""
        assert "Content-Length" not in answer.headers
        assert "Transfer-Encoding" not in answer.headers
        assert (await client.read()).body == b"hello"
        client.close()


async def test_connection_close_is_honoured():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/hello", "Connection: close"))
        answer = await client.read()
        assert answer.headers["Connection"] == "close" and answer.body == b"hello"
        assert await client.wait_closed()


async def test_http10_closes_unless_keep_alive_is_asked_for():
    async with serve(make_app()) as (port, _):
        first = await RawClient.connect(port)
        first.send(get("/hello", version="1.0"))
        raw = await first.read_raw_until_closed()                 # closed after one answer
        assert raw.startswith(b"HTTP/1.0 200 OK\r\n") and raw.endswith(b"hello")

        client = await RawClient.connect(port)
        client.send(get("/hello", "Connection: keep-alive", version="1.0"))
        answer = await client.read()
        assert answer.version == "1.0" and answer.headers["Connection"] == "keep-alive"
        client.send(get("/hello", "Connection: keep-alive", version="1.0"))
        assert (await client.read()).body == b"hello"
        client.close()


async def test_http10_streaming_response_is_delimited_by_close():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/stream", "Connection: keep-alive", version="1.0"))
        raw = await client.read_raw_until_closed()
        head, _, body = raw.partition(b"\r\n\r\n")
        assert b"chunked" not in head.lower()
        assert body == b"part 0\npart 1\npart 2\n"


async def test_streaming_response_is_chunked_or_sized():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/stream") + get("/sized"))
        chunked = await client.read()
        assert chunked.headers["Transfer-Encoding"] == "chunked"
        assert chunked.body == b"part 0\npart 1\npart 2\n"
        sized = await client.read()
        assert sized.headers["Content-Length"] == "6" and sized.body == b"abcdef"
        assert "Transfer-Encoding" not in sized.headers
        client.close()


MALFORMED = [
    (b"GARBAGE\r\n\r\n", 400),
    (b"GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: nope\r\n\r\n", 400),
    (b"GET /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
    (b"GET /hello HTTP/1.1\r\nBad Header: x\r\n\r\n", 400),
    (b"GET /hello HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
    (b"GET /hello HTTP/3.0\r\nHost: t\r\n\r\n", 505),
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414),
    (b"GET /hello HTTP/1.1\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431),
    (b"GET /hello HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 150 + b"\r\n", 431),
    (b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
]


@pytest.mark.parametrize("data,status", MALFORMED, ids=[str(s) + "-" + str(i)
                                                          for i, (_, s) in enumerate(MALFORMED)])
async def test_malformed_request_gets_its_4xx_and_the_server_keeps_serving(data, status):
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(data)
        answer = await client.read()
        assert answer.status == status
        assert answer.headers["Connection"] == "close"
        assert answer.body.startswith(str(status).encode())
        assert await client.wait_closed()
        answer = await exchange(port, get("/hello"))      # a fresh connection is served
        assert answer.status == 200


async def test_handler_exception_is_a_500_and_the_connection_serves_on(caplog):
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/boom") + get("/hello"))
        answer = await client.read()
        assert answer.status == 500 and answer.body == b"500: Internal Server Error"
        assert (await client.read()).body == b"hello"
        client.close()
    errors = [r for r in caplog.records if r.name == "aioteach.server"]
    assert errors and errors[0].exc_info and "handler bug" in str(errors[0].exc_info[1])


async def test_http_exception_raised_by_a_handler_is_sent():
    app = web.Application()

    async def teapot(request: web.Request) -> web.Response:
        raise web.HTTPFound("/elsewhere")

    app.router.add_get("/", teapot)
    async with serve(app) as (port, _):
        answer = await exchange(port, get("/"))
        assert answer.status == 302 and answer.headers["Location"] == "/elsewhere"


def _collect_loop_errors() -> list:
    errors: list = []
    asyncio.get_running_loop().set_exception_handler(lambda loop, ctx: errors.append(ctx))
    return errors


async def test_client_disconnect_mid_request_cancels_only_that_handler():
    errors = _collect_loop_errors()
    app = web.Application()
    reading = asyncio.get_running_loop().create_future()
    outcome = asyncio.get_running_loop().create_future()

    async def upload(request: web.Request) -> web.Response:
        reading.set_result(None)
        try:
            await request.read()
        except BaseException as exc:          # CancelledError or ConnectionResetError
            outcome.set_result(type(exc))
            raise
        return web.Response(text="unreachable")

    app.router.add_post("/upload", upload)
    app.router.add_get("/hello", lambda r: _hello())
    async with serve(app) as (port, runner):
        client = await RawClient.connect(port)
        client.send(b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n12345")
        await asyncio.wait_for(reading, 10)
        client.writer.transport.abort()
        kind = await asyncio.wait_for(outcome, 10)
        assert kind in (asyncio.CancelledError, ConnectionResetError)
        assert (await exchange(port, get("/hello"))).body == b"hi"
    gc.collect()
    await asyncio.sleep(0)
    assert errors == []


async def _hello() -> web.Response:
    return web.Response(text="hi")


async def test_client_disconnect_mid_response_costs_only_that_response():
    errors = _collect_loop_errors()
    app = web.Application()
    outcome = asyncio.get_running_loop().create_future()

    async def endless(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        try:
            for _ in range(100_000):             # bounded: ends long before in practice
                await resp.write(b"x" * 65536)
        except BaseException as exc:
            outcome.set_result(type(exc))
            raise
        return resp

    app.router.add_get("/endless", endless)
    app.router.add_get("/hello", lambda r: _hello())
    async with serve(app) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/endless"))
        await asyncio.wait_for(client.reader.read(10), 10)     # the response has started
        client.writer.transport.abort()
        kind = await asyncio.wait_for(outcome, 10)
        assert kind in (asyncio.CancelledError, ConnectionResetError)
        assert (await exchange(port, get("/hello"))).body == b"hi"
    gc.collect()
    await asyncio.sleep(0)
    assert errors == []


async def test_a_head_that_never_ends_is_dropped_after_head_timeout():
    async with serve(make_app(), head_timeout=0.2) as (port, _):
        client = await RawClient.connect(port)
        client.send(b"GET /hello HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        raw = await client.read_raw_until_closed()            # bounded by the helper
        assert raw.startswith(b"HTTP/1.1 408 ")


async def test_an_idle_keep_alive_connection_is_closed_after_keepalive_timeout():
    async with serve(make_app(), keepalive_timeout=0.2) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/hello"))
        assert (await client.read()).status == 200
        assert await client.wait_closed()                    # nothing more is sent


async def test_chunked_request_body_with_trailers_is_read():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nX-Trailer: yes\r\n\r\n")
        answer = await client.read("POST")
        assert (answer.status, answer.body) == (200, b"hello, world")
        client.send(get("/hello"))
        assert (await client.read()).status == 200
        client.close()


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
async def test_body_past_client_max_size_is_413(framing):
    async with serve(make_app(client_max_size=10)) as (port, _):
        client = await RawClient.connect(port)
        if framing == "content-length":
            client.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n")
        else:
            client.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"64\r\n" + b"z" * 100 + b"\r\n0\r\n\r\n")
        answer = await client.read("POST")
        assert answer.status == 413
        assert b"Maximum request body size 10 exceeded" in answer.body
        client.close()


async def test_large_bodies_flow_both_ways():
    app = web.Application(client_max_size=8 * 1024 * 1024)

    async def count(request: web.Request) -> web.Response:
        total = 0
        async for chunk in request.content.iter_chunked(1000):
            total += len(chunk)
        return web.Response(text=str(total))

    async def big(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()
        await resp.prepare(request)
        for _ in range(64):
            await resp.write(b"y" * 65536)
        return resp

    app.router.add_post("/count", count)
    app.router.add_get("/big", big)
    async with serve(app) as (port, _):
        client = await RawClient.connect(port)
        size = 3 * 1024 * 1024
        client.send(b"POST /count HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n" % size)
        client.send(b"u" * size)
        assert (await client.read("POST")).body == str(size).encode()
        client.send(get("/big"))
        assert len((await client.read()).body) == 64 * 65536
        client.close()


async def test_declined_upgrade_carries_on_as_http():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/hello", "Connection: Upgrade", "Upgrade: h2c") + get("/hello?n=2"))
        assert (await client.read()).body == b"hello"
        assert (await client.read()).body == b"hello 2"
        client.close()


async def test_trace_hooks_report_the_connection_and_the_request():
    async with serve(make_app()) as (port, _):
        with trace.record() as rec:
            client = await RawClient.connect(port)
            client.send(get("/slow"))
            await client.read()
            client.close()
            await client.writer.wait_closed()
            for _ in range(100):                     # bounded: until the server notices
                if rec.of_kind("server.connection_lost"):
                    break
                await asyncio.sleep(0.01)
    kinds = [e.kind for e in rec.of_kind("server.")]
    for kind in ("server.connection_made", "server.bytes_in", "server.head_parsed",
                 "server.handler_start", "server.handler_end", "server.bytes_out",
                 "server.connection_lost"):
        assert kind in kinds
    assert kinds.index("server.head_parsed") < kinds.index("server.handler_start") \
        < kinds.index("server.handler_end")
    assert rec.of_kind("server.handler_end")[0]["status"] == 200


async def test_a_half_closed_client_still_gets_its_answers():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/hello") + get("/slow"))
        client.writer.write_eof()                      # shutdown(SHUT_WR): no more requests
        raw = await client.read_raw_until_closed()
        assert raw.count(b"HTTP/1.1 200 OK") == 2 and raw.endswith(b"slow")


async def test_a_handlers_own_connection_error_is_a_500_not_a_hang_up():
    app = web.Application()

    async def backend_down(request: web.Request) -> web.Response:
        raise ConnectionRefusedError("the database is down")

    app.router.add_get("/db", backend_down)
    async with serve(app) as (port, _):
        answer = await exchange(port, get("/db"))
        assert answer.status == 500


async def test_a_body_that_breaks_mid_read_gets_the_parsers_4xx():
    app = web.Application()
    reading = asyncio.get_running_loop().create_future()

    async def upload(request: web.Request) -> web.Response:
        first = await request.content.readany()
        reading.set_result(first)
        await request.read()
        return web.Response(text="unreachable")

    app.router.add_post("/upload", upload)
    async with serve(app) as (port, _):
        client = await RawClient.connect(port)
        client.send(b"POST /upload HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
                    b"5\r\nhello\r\n")
        assert await asyncio.wait_for(reading, 10) == b"hello"
        client.send(b"zz\r\n")                           # not a chunk size
        answer = await client.read("POST")
        assert answer.status == 400 and answer.headers["Connection"] == "close"
        assert b"chunk" in answer.body.lower()
        assert await client.wait_closed()


async def test_a_flood_of_pipelined_requests_is_answered_in_order():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(b"".join(get(f"/hello?n={i}") for i in range(200)))   # > the 32 queued
        bodies = [(await client.read()).body for _ in range(200)]
        assert bodies == [f"hello {i}".encode() for i in range(200)]
        client.close()


async def test_a_connection_that_never_sends_a_byte_is_closed_quietly():
    async with serve(make_app(), head_timeout=0.2) as (port, _):
        client = await RawClient.connect(port)
        assert await client.read_raw_until_closed() == b""         # no 408 for silence


async def test_handlers_run_inside_a_task_so_timeouts_and_task_apis_work():
    app = web.Application()

    async def timed(request: web.Request) -> web.Response:
        task = asyncio.current_task()
        # asyncio.wait_for (3.12+) and asyncio.timeout (3.11+) need the current task.
        await asyncio.wait_for(asyncio.sleep(0), 5)
        return web.Response(text=type(task).__name__ if task is not None else "no task")

    app.router.add_get("/timed", timed)
    async with serve(app) as (port, _):
        assert (await exchange(port, get("/timed"))).body == b"Task"


@pytest.mark.parametrize("inline", [False, True])
async def test_pipelining_with_either_way_of_starting_handlers(inline):
    async with serve(make_app(), inline_first_step=inline) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/hello?n=1") + get("/slow") + get("/boom") + get("/stream") +
                    b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok")
        answers = [await client.read() for _ in range(4)] + [await client.read("POST")]
        assert [a.status for a in answers] == [200, 200, 500, 200, 200]
        assert answers[-1].body == b"ok" and answers[1].body == b"slow"
        client.close()


async def test_an_unread_body_still_arriving_means_connection_close():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(b"POST /hello HTTP/1.1\r\nHost: t\r\nContent-Length: 100000\r\n\r\nabc")
        answer = await client.read("POST")               # 405: /hello is GET only
        assert answer.status == 405 and answer.headers["Connection"] == "close"
        assert await client.wait_closed()


async def test_with_handler_cancellation_a_half_close_cancels_the_running_handler():
    app = web.Application()
    forever, waiting, outcome = waits_until_cancelled()

    app.router.add_get("/forever", forever)
    async with serve(app, handler_cancellation=True) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/forever"))
        await asyncio.wait_for(waiting, 10)
        client.writer.write_eof()                # FIN, as aiohttp's client on a timeout
        assert await asyncio.wait_for(outcome, 10) == "cancelled"
        assert await client.wait_closed()


async def test_force_close_closes_the_connection_at_once():
    app = web.Application()

    async def once(request: web.Request) -> web.Response:
        request.protocol.force_close()
        return web.Response(text="bye")

    app.router.add_get("/once", once)
    async with serve(app) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/once"))
        assert await client.wait_closed()
