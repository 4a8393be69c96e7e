"""What goes wrong on the client side, by exception: refused, disconnected, bad URL, bad JSON."""
import socket

from aiohttp import (web, ClientSession, ClientError, ClientConnectionError,
                     ClientConnectorError, ServerDisconnectedError, InvalidURL,
                     ClientPayloadError)


async def hang_up(request):
    request.transport.close()                # the server vanishes without answering
    return web.Response(text="never sent")


async def short_body(request):
    response = web.StreamResponse(headers={"Content-Length": "100"})
    await response.prepare(request)
    await response.write(b"only ten b")
    request.transport.close()                # 90 promised bytes never come
    return response


def make_app():
    app = web.Application()
    app.router.add_get("/hang-up", hang_up)
    app.router.add_get("/short", short_body)
    return app


def closed_port():
    """A port on which nobody listens (bound for a moment, never listening)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def family(exc):
    return [type(exc).__name__, isinstance(exc, ClientError),
            isinstance(exc, ClientConnectionError), isinstance(exc, OSError)]


async def client(url):
    seen = {}
    async with ClientSession() as session:
        try:
            async with session.get(f"http://127.0.0.1:{closed_port()}/"):
                pass
        except ClientConnectorError as exc:
            seen["refused"] = family(exc) + [exc.host, exc.port > 0]
        try:
            async with session.get(url + "/hang-up") as resp:
                await resp.text()
        except ServerDisconnectedError as exc:
            seen["hang_up"] = family(exc)
        try:
            async with session.get(url + "/short") as resp:
                seen["short_status"] = resp.status
                await resp.read()
        except ClientPayloadError as exc:
            seen["short"] = family(exc)
        for bad in ("http://", "not a url", "http:///nohost"):
            try:
                async with session.get(bad):
                    pass
            except InvalidURL as exc:              # (its exact class: invalid_urls.py)
                seen[bad] = [isinstance(exc, ValueError)] + family(exc)[1:]
        async with session.get(url + "/short-missing") as resp:       # still usable
            seen["after"] = resp.status
    return seen


EXPECTED = {
    "refused": ["ClientConnectorError", True, True, True, "127.0.0.1", True],
    "hang_up": ["ServerDisconnectedError", True, True, False],
    "short_status": 200,
    "short": ["ClientPayloadError", True, False, False],
    "http://": [True, True, False, False],
    "not a url": [True, True, False, False],
    "http:///nohost": [True, True, False, False],
    "after": 404,
}
