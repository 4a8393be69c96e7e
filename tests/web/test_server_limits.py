"""The server's limits and edge answers (issue 14), and its fast paths proved equal to the
general ones (issue 16): slow clients dropped while others are served, stalled bodies, unknown
keywords, odd handler exceptions, HTTP/1.0 keep-alive, bodiless statuses."""
from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioteach import web
from aioteach.http1.errors import LocalProtocolError, RemoteProtocolError
from aioteach.http1.states import CLIENT, SERVER, WHOLE_REQUEST, WHOLE_RESPONSE, ConnectionState
from aioteach.multidict import CIMultiDict
from aioteach.web import responsehead

from .server_support import RawClient, get, serve


def make_app() -> web.Application:
    app = web.Application()

    async def hello(request: web.Request) -> web.Response:
        return web.Response(text="hello")

    async def upload(request: web.Request) -> web.Response:
        return web.Response(text=str(len(await request.read())))

    async def nothing(request: web.Request) -> web.Response:
        return web.Response(status=204, text="ignored")

    class Odd(BaseException):
        pass

    async def odd(request: web.Request) -> web.Response:
        raise Odd("like pytest's Failed")

    app.router.add_get("/hello", hello)
    app.router.add_post("/upload", upload)
    app.router.add_get("/nothing", nothing)
    app.router.add_get("/odd", odd)
    return app


# -- fast paths are caches of the general paths ---------------------------------------------
@settings(max_examples=200, deadline=None)
@given(status=st.sampled_from([200, 201, 202, 400, 404, 418, 500, 503, 599]),
       reason=st.one_of(st.none(), st.text("abcdefghij XYZ", min_size=1, max_size=12)),
       version=st.sampled_from(["1.1", "1.0"]),
       media=st.one_of(st.none(), st.sampled_from(["text/plain", "application/json", "x/y"])),
       charset=st.one_of(st.none(), st.sampled_from(["utf-8", "latin-1"])),
       keep_alive=st.booleans(), length=st.integers(0, 10 ** 7))
def test_fast_head_gives_render_heads_bytes(status, reason, version, media, charset,
                                            keep_alive, length):
    charset = charset if media is not None else None
    fast = responsehead.fast_head(status, reason, version, media, charset, keep_alive, length)
    headers: CIMultiDict = CIMultiDict()
    if media is not None:
        headers["Content-Type"] = f"{media}; charset={charset}" if charset else media
    general = responsehead.render_head(status, reason, version, headers, "length", length,
                                       keep_alive, date=responsehead.http_date(),
                                       default_type=media is not None)
    if fast != general:                  # the second turned between the two: render again
        fast = responsehead.fast_head(status, reason, version, media, charset, keep_alive,
                                      length)
    assert fast == general


MOVES = [(CLIENT, "Request"), (CLIENT, "EndOfMessage"), (SERVER, "Response"),
         (SERVER, "EndOfMessage"), (SERVER, "InformationalResponse"), (SERVER, "Switch"),
         (CLIENT, "ConnectionClosed")]


@settings(max_examples=300, deadline=None)
@given(prefix=st.lists(st.sampled_from(MOVES), max_size=4), keep_alive=st.booleans(),
       which=st.sampled_from([WHOLE_REQUEST, WHOLE_RESPONSE]))
def test_process_events_is_process_event_in_a_loop(prefix, keep_alive, which):
    cached, general = ConnectionState(SERVER), ConnectionState(SERVER)
    for state in (cached, general):
        state.keep_alive = keep_alive
        for role, kind in prefix:
            try:
                state.process_event(role, kind)
            except (LocalProtocolError, RemoteProtocolError):
                pass
    outcomes = []
    for state, apply in ((cached, lambda: cached.process_events(which)),
                         (general, lambda: [general.process_event(r, k) for r, k in which])):
        try:
            apply()
            outcomes.append(("ok", dict(state.states)))
        except (LocalProtocolError, RemoteProtocolError) as exc:
            outcomes.append((type(exc).__name__, dict(state.states)))
    assert outcomes[0] == outcomes[1]


# -- slow clients ---------------------------------------------------------------------------
async def test_slowloris_is_dropped_while_others_are_served():
    async with serve(make_app(), head_timeout=0.05, head_timeout_max=0.1,
                     min_rate=10 ** 9) as (port, _):
        slow = await RawClient.connect(port)
        slow.send(b"GET /hello HTTP/1.1\r\nHost: t\r\n")          # and never the rest
        others = [await RawClient.connect(port) for _ in range(3)]
        for client in others:
            client.send(get("/hello"))
        for client in others:
            assert (await client.read()).status == 200
        answer = await slow.read_raw_until_closed()
        assert answer.startswith(b"HTTP/1.1 408 ")
        for client in others:
            client.close()


async def test_a_head_dribbled_a_byte_at_a_time_still_meets_its_deadline():
    # Each read used to start the head's clock again, so a client that sent one byte every
    # little while held its connection for ever.  The head is timed from its first read.
    async with serve(make_app(), head_timeout=0.25, head_timeout_max=0.5,
                     min_rate=10 ** 9) as (port, _):
        client = await RawClient.connect(port)
        head = b"GET /hello HTTP/1.1\r\nHost: t\r\nX-Pad: " + b"a" * 1500   # never ends
        answer = b""
        for byte in head:               # 10 ms apart: 15 s in all if the server never gives up
            client.send(bytes([byte]))
            try:
                answer = await asyncio.wait_for(client.reader.read(65536), 0.01)
                break
            except asyncio.TimeoutError:
                continue
        assert answer.startswith(b"HTTP/1.1 408 "), answer
        assert await client.wait_closed()


@pytest.mark.parametrize("body", [
    b"Content-Length: 100\r\n\r\n" + b"x" * 10,
    b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
])
async def test_a_stalled_body_gets_408_and_its_connection_is_freed(body):
    async with serve(make_app(), body_timeout=0.05, body_timeout_max=0.1,
                     min_rate=10 ** 9) as (port, _):
        client = await RawClient.connect(port)
        client.send(b"POST /upload HTTP/1.1\r\nHost: t\r\n" + body)
        answer = await client.read_raw_until_closed()
        assert answer.startswith(b"HTTP/1.1 408 ")


# -- keywords, exceptions, versions, statuses ---------------------------------------------------
def test_unknown_keywords_are_a_type_error():
    app = web.Application()
    with pytest.raises(TypeError, match="head_timout"):
        web.run_app(app, head_timout=5)
    with pytest.raises(TypeError, match="head_timout"):
        web.AppRunner(app, head_timout=5)
    with pytest.raises(TypeError, match="head_timout"):
        web.Server(app._handle, head_timout=5)
    web.AppRunner(app, tcp_keepalive=True)          # aiohttp's option: accepted, ignored


async def test_a_base_exception_from_a_handler_gets_a_500_and_the_connection_serves_on():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/odd"))
        assert (await client.read()).status == 500
        client.send(get("/hello"))
        assert (await client.read()).status == 200
        client.close()


async def test_http10_keep_alive_is_answered_with_keep_alive():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        for _ in range(2):
            client.send(get("/hello", "Connection: keep-alive", version="1.0"))
            answer = await client.read()
            assert answer.status == 200 and answer.headers["Connection"] == "keep-alive"
        client.close()


async def test_204_has_no_content_type_and_no_body():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/nothing"))
        answer = await client.read()
        assert answer.status == 204 and "Content-Type" not in answer.headers
        assert "Content-Length" not in answer.headers and answer.body == b""
        client.close()


async def test_a_disconnect_does_not_cancel_the_handler_by_default():
    started, finished = asyncio.Event(), asyncio.Event()
    release = asyncio.Event()
    app = web.Application()

    async def slow(request: web.Request) -> web.Response:
        started.set()
        await release.wait()
        finished.set()
        return web.Response(text="late")

    app.router.add_get("/slow", slow)
    async with serve(app) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/slow"))
        await started.wait()
        client.close()
        release.set()
        await asyncio.wait_for(finished.wait(), 10)
