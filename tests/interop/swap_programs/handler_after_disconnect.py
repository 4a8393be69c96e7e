"""The client gives up (a timeout) while the handler works: does the handler still finish?

aiohttp (3.7+) lets it finish by default: the work a handler started (a payment, a database
write) is not cut in half because the client stopped waiting.
"""
import asyncio

from aiohttp import web, ClientSession, ClientTimeout

LOG = web.AppKey("log", list)
GATE = web.AppKey("gate", asyncio.Event)
DONE = web.AppKey("done", asyncio.Event)


async def slow(request):
    try:
        await asyncio.wait_for(request.app[GATE].wait(), 10)
        request.app[LOG].append("slow handler finished its work")
    except asyncio.CancelledError:
        request.app[LOG].append("slow handler was cancelled")
        raise
    finally:
        request.app[DONE].set()
    return web.Response(text="done")


async def release(request):
    request.app[GATE].set()
    await asyncio.wait_for(request.app[DONE].wait(), 10)
    return web.json_response(request.app[LOG])


async def make_events(app):
    app[GATE] = asyncio.Event()
    app[DONE] = asyncio.Event()


def make_app():
    app = web.Application()
    app[LOG] = []
    app.on_startup.append(make_events)
    app.router.add_get("/slow", slow)
    app.router.add_get("/release", release)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        try:
            async with session.get(url + "/slow", timeout=ClientTimeout(total=0.2)) as resp:
                seen["slow"] = await resp.text()
        except asyncio.TimeoutError:
            seen["slow"] = "gave up"
        async with session.get(url + "/release") as resp:
            seen["server log"] = await resp.json()
    return seen


EXPECTED = {"slow": "gave up", "server log": ["slow handler finished its work"]}
