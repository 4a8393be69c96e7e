"""HttpProtocol keeps at most 30 instance attributes, whatever the requests it has served.

Why a test guards a number: CPython keeps one table of attribute names per class and shares
it between all its instances ("key-sharing dictionaries", PEP 412), but only up to 30 names
(``SHARED_KEYS_MAX_SIZE`` in CPython's dictobject.c, 3.11 to 3.13).  Past 30, every instance
falls back to a dict of its own and every ``self._x`` on the server's per-request path gets
slower (a 31st attribute, tried once, cost more instructions per /hello than it saved).  So a
new piece of connection state must replace an old one, live on a helper object, or come
with a benchmark that says it is worth it (then raise LIMIT here and say so in the commit).
"""
from __future__ import annotations

from aioteach import web

from .server_support import RawClient, get, serve

LIMIT = 30              # CPython's SHARED_KEYS_MAX_SIZE


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="hi")


async def echo(request: web.Request) -> web.Response:
    return web.Response(body=await request.read())


async def stream(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse()
    await response.prepare(request)
    await response.write(b"part")
    await response.write_eof()
    return response


async def broken(request: web.Request) -> web.Response:
    raise RuntimeError("a handler bug")


def app() -> web.Application:
    application = web.Application()
    application.router.add_get("/hello", hello)
    application.router.add_post("/echo", echo)
    application.router.add_get("/stream", stream)
    application.router.add_get("/broken", broken)
    return application


async def test_a_busy_connection_stays_within_the_shared_key_limit() -> None:
    async with serve(app()) as (port, runner):
        client = await RawClient.connect(port)
        try:
            client.send(get("/hello"))
            assert (await client.read()).status == 200
            client.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                        b"Expect: 100-continue\r\n\r\nhello")
            answer = await client.read()
            while answer.status == 100:
                answer = await client.read()
            assert (answer.status, answer.body) == (200, b"hello")
            client.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"3\r\nabc\r\n0\r\n\r\n")
            assert (await client.read()).body == b"abc"
            client.send(get("/stream"))
            assert (await client.read()).body == b"part"
            client.send(get("/broken"))
            assert (await client.read()).status == 500
            client.send(get("/nowhere"))
            assert (await client.read()).status == 404
            (protocol,) = runner.server.connections     # answered: so it is registered
            names = sorted(vars(protocol))
            assert len(names) <= LIMIT, (
                f"HttpProtocol has {len(names)} instance attributes, more than CPython's "
                f"{LIMIT} shared keys, so each connection gets a slower dict of its own: "
                f"fold one into another or onto a helper object ({', '.join(names)})")
        finally:
            client.close()

