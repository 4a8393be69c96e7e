"""Redirects: raise web.HTTPFound and the client follows it (or not), keeping a history."""
from aiohttp import web, ClientSession, TooManyRedirects


async def old(request):
    raise web.HTTPFound("/new?from=old")


async def new(request):
    return web.Response(text=f"{request.method} new from {request.query.get('from')}")


async def submit(request):
    await request.post()
    raise web.HTTPSeeOther(request.app.router["done"].url_for())


async def keep(request):
    raise web.HTTPTemporaryRedirect("/echo")


async def echo(request):
    return web.Response(text=f"{request.method} {await request.text()}")


async def loop(request):
    raise web.HTTPFound("/loop")


def make_app():
    app = web.Application()
    app.router.add_get("/old", old)
    app.router.add_get("/new", new)
    app.router.add_post("/submit", submit)
    app.router.add_get("/done", new, name="done")
    app.router.add_post("/keep", keep)
    app.router.add_post("/echo", echo)
    app.router.add_get("/loop", loop)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.get(url + "/old") as resp:
            seen["followed"] = (resp.status, await resp.text(), resp.url.path,
                                [(r.status, r.url.path) for r in resp.history])
        async with session.get(url + "/old", allow_redirects=False) as resp:
            seen["not_followed"] = (resp.status, resp.headers["Location"], len(resp.history))
        async with session.post(url + "/submit", data={"a": "1"}) as resp:
            seen["see_other"] = (resp.status, await resp.text())
        async with session.post(url + "/keep", data=b"payload") as resp:
            seen["temporary"] = (resp.status, await resp.text())
        try:
            async with session.get(url + "/loop", max_redirects=3) as resp:
                seen["loop"] = resp.status
        except TooManyRedirects as exc:
            seen["loop"] = (type(exc).__name__, len(exc.history))
    return seen


EXPECTED = {
    "followed": (200, "GET new from old", "/new", [(302, "/old")]),
    "not_followed": (302, "/new?from=old", 0),
    "see_other": (200, "GET new from None"),
    "temporary": (200, "POST payload"),
    "loop": ("TooManyRedirects", 3),     # the three redirects followed
}
