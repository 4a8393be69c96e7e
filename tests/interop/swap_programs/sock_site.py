"""Serving on a socket you bound yourself (``web.SockSite``): pick the port first, read it back,
then start the server on it; a notebook or a supervisor hands sockets over this way.

The client half runs its own small app on a ``SockSite`` (next to the harness's server) and
calls both.
"""
import socket

from aiohttp import web, ClientSession


WHERE = web.AppKey("where", str)


async def hello(request):
    return web.Response(text=f"hello from {request.app[WHERE]}")


def make_app(where="the TCPSite"):
    app = web.Application()
    app[WHERE] = where
    app.router.add_get("/", hello)
    return app


async def client(url):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]        # known before any server runs
    runner = web.AppRunner(make_app("the SockSite"))
    await runner.setup()
    try:
        site = web.SockSite(runner, sock)
        await site.start()
        seen = {"name is the socket's address": site.name == f"http://127.0.0.1:{port}",
                "addresses": [a[1] == port for a in runner.addresses]}
        async with ClientSession() as session:
            for base in (url, f"http://127.0.0.1:{port}"):
                async with session.get(base + "/") as resp:
                    seen.setdefault("texts", []).append(await resp.text())
    finally:
        await runner.cleanup()
    seen["socket closed with the site"] = sock.fileno() == -1
    return seen


EXPECTED = {
    "name is the socket's address": True,
    "addresses": [True],
    "texts": ["hello from the TCPSite", "hello from the SockSite"],
    "socket closed with the site": True,
}
