"""TCPConnector(limit=2): five requests at once, but never more than two connections."""
import asyncio

from aiohttp import web, ClientSession, TCPConnector

STATE = web.AppKey("state", dict)


async def work(request):
    state = request.app[STATE]
    state["in_flight"] += 1
    state["most"] = max(state["most"], state["in_flight"])
    state["peers"].add(request.transport.get_extra_info("peername")[1])
    if state["in_flight"] == 2:
        state["pair"].set()                      # two requests are being served at once
    try:
        await asyncio.wait_for(state["pair"].wait(), 10)
    except asyncio.TimeoutError:
        pass
    await asyncio.sleep(0)
    state["in_flight"] -= 1
    return web.Response(text="done")


async def make_state(app):
    app[STATE] = {"in_flight": 0, "most": 0, "peers": set(), "pair": asyncio.Event()}


async def stats(request):
    state = request.app[STATE]
    return web.json_response({"most_at_once": state["most"],
                              "connections": len(state["peers"])})


def make_app():
    app = web.Application()
    app.on_startup.append(make_state)
    app.router.add_get("/work", work)
    app.router.add_get("/stats", stats)
    return app


async def fetch(session, url):
    async with session.get(url) as resp:
        return await resp.text()


async def client(url):
    async with ClientSession(connector=TCPConnector(limit=2)) as session:
        bodies = await asyncio.gather(*(fetch(session, url + "/work") for _ in range(5)))
        async with session.get(url + "/stats") as resp:
            stats = await resp.json()
    return {"bodies": bodies, "stats": stats}


EXPECTED = {"bodies": ["done"] * 5, "stats": {"most_at_once": 2, "connections": 2}}
