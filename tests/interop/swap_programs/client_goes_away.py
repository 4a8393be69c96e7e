"""A client leaves mid-stream: what the streaming handler sees (server-sent events)."""
import asyncio

from aiohttp import web, ClientSession

LOG = web.AppKey("log", list)
GONE = web.AppKey("gone", asyncio.Event)


async def ticks(request):
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
    await response.prepare(request)
    log = request.app[LOG]
    n = 0
    try:
        while True:
            await response.write(f"data: tick {n}\n\n".encode())
            n += 1
            await asyncio.sleep(0.01)
    except ConnectionResetError:
        log.append("write failed: ConnectionResetError")
    except asyncio.CancelledError:
        log.append("handler cancelled")
        raise
    finally:
        request.app[GONE].set()
    return response


async def make_state(app):
    app[GONE] = asyncio.Event()


async def wait_until_gone(request):
    await asyncio.wait_for(request.app[GONE].wait(), 10)
    return web.json_response(request.app[LOG])


def make_app():
    app = web.Application()
    app[LOG] = []
    app.on_startup.append(make_state)
    app.router.add_get("/ticks", ticks)
    app.router.add_get("/log", wait_until_gone)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.get(url + "/ticks") as resp:
            events = []
            async for line in resp.content:
                if line.startswith(b"data:"):
                    events.append(line.decode().strip())
                if len(events) == 3:
                    break
            seen["events"] = events
            resp.close()                           # hang up in the middle of the stream
        async with session.get(url + "/log") as resp:
            seen["handler saw"] = await resp.json()
    return seen


EXPECTED = {
    "events": ["data: tick 0", "data: tick 1", "data: tick 2"],
    "handler saw": ["write failed: ConnectionResetError"],
}
