"""Reading a request body that may break: ``web.RequestPayloadError`` is what aiohttp raises when
the body's framing is malformed; a client that hangs up mid-body is a ``ConnectionResetError``.

The handler guards its read with both.  The client uploads one body whole (chunked, from an
async generator), then starts a second one, waits for ``100 Continue`` (the server is reading)
and hangs up half-way.  (A body with broken framing is tested on aioteach alone, in
tests/web/test_gaps.py: with its C parser, aiohttp leaves such a read waiting instead.)
"""
import asyncio

from aiohttp import web, ClientSession

SEEN = web.AppKey("seen", list)
DONE = web.AppKey("done", asyncio.Event)


async def upload(request):
    outcome = "?"
    try:
        body = await request.read()
        outcome = f"read {len(body)} bytes"
    except web.RequestPayloadError:
        outcome = "RequestPayloadError"
    except ConnectionResetError:
        outcome = "ConnectionResetError"
    finally:
        request.app[SEEN].append(outcome)
        if len(request.app[SEEN]) == 2:
            request.app[DONE].set()
    return web.Response(text=outcome)


async def make_state(app):
    app[DONE] = asyncio.Event()


def make_app():
    app = web.Application()
    app[SEEN] = []
    app.on_startup.append(make_state)
    app.router.add_post("/upload", upload)
    return app


async def pieces():
    for n in range(3):
        yield b"x" * 1000


async def client(url):
    async with ClientSession() as session:
        async with session.post(url + "/upload", data=pieces()) as resp:
            whole = [resp.status, await resp.text()]
    host, port = url.rsplit("/", 1)[-1].split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n"
                 b"Expect: 100-continue\r\n\r\n")
    status_line = await reader.readline()             # the handler is reading: go ahead
    writer.write(b"y" * 10)
    await writer.drain()
    writer.close()                                    # ... and hang up, 990 bytes short
    return {"whole upload": whole, "go ahead": status_line.split()[1].decode()}


async def server_settled(app):
    await app[DONE].wait()


def server_report(app):
    return app[SEEN]


EXPECTED = {
    "client": {"whole upload": [200, "read 3000 bytes"], "go ahead": "100"},
    "server": ["read 3000 bytes", "ConnectionResetError"],
}
