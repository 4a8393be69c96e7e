"""Client timeouts: ClientTimeout(total=0.2) against a handler that is slower than that."""
import asyncio

from aiohttp import web, ClientSession, ClientTimeout, ServerTimeoutError

GATE = web.AppKey("gate", asyncio.Event)


async def slow(request):
    # Waits until /release is asked for (bounded, so the server can always shut down).
    try:
        await asyncio.wait_for(request.app[GATE].wait(), 10)
    except asyncio.TimeoutError:
        pass
    return web.Response(text="finally")


async def release(request):
    request.app[GATE].set()
    return web.Response(text="released")


async def quick(request):
    return web.Response(text="quick")


async def make_gate(app):
    app[GATE] = asyncio.Event()


def make_app():
    app = web.Application()
    app.on_startup.append(make_gate)
    app.router.add_get("/slow", slow)
    app.router.add_get("/release", release)
    app.router.add_get("/quick", quick)
    return app


async def client(url):
    seen = {}
    async with ClientSession(timeout=ClientTimeout(total=0.2)) as session:
        try:
            async with session.get(url + "/slow") as resp:
                seen["slow"] = await resp.text()
        except asyncio.TimeoutError as exc:
            seen["slow"] = "timed out"
            seen["exception"] = type(exc).__name__
        # The session is still usable (with room to spare: a busy machine is not a timeout).
        async with session.get(url + "/quick", timeout=ClientTimeout(total=30)) as resp:
            seen["quick"] = await resp.text()
        try:                                                   # a per-request timeout
            async with session.get(url + "/slow", timeout=ClientTimeout(total=0.1)) as resp:
                seen["per_request"] = await resp.text()
        except asyncio.TimeoutError:
            seen["per_request"] = "timed out"
        try:                                                   # silence between bytes
            async with session.get(url + "/slow", timeout=ClientTimeout(sock_read=0.1)) as resp:
                seen["sock_read"] = await resp.text()
        except asyncio.TimeoutError as exc:
            seen["sock_read"] = isinstance(exc, ServerTimeoutError)
    async with ClientSession() as session:
        async with session.get(url + "/release") as resp:
            seen["release"] = await resp.text()
    return seen


EXPECTED = {
    "slow": "timed out",
    "exception": "TimeoutError",
    "quick": "quick",
    "per_request": "timed out",
    "sock_read": True,
    "release": "released",
}
