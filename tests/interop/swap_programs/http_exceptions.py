"""HTTP exceptions: raise web.HTTPNotFound(...) and friends; an uncaught error becomes a 500."""
from aiohttp import web, ClientSession

ITEMS = {"1": "apple"}


async def item(request):
    key = request.match_info["key"]
    if key not in ITEMS:
        raise web.HTTPNotFound(text=f"no item {key}")
    return web.Response(text=ITEMS[key])


async def forbidden(request):
    raise web.HTTPForbidden()


async def teapot(request):
    raise web.HTTPBadRequest(reason="Wrong Pot", text="brew somewhere else",
                             headers={"X-Hint": "kettle"})


async def gone_quiet(request):
    raise web.HTTPNoContent()


async def broken(request):
    return {}["missing"]


def make_app():
    app = web.Application()
    app.router.add_get("/items/{key}", item)
    app.router.add_get("/forbidden", forbidden)
    app.router.add_get("/teapot", teapot)
    app.router.add_delete("/quiet", gone_quiet)
    app.router.add_get("/broken", broken)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for method, path in (("GET", "/items/1"), ("GET", "/items/2"), ("GET", "/forbidden"),
                             ("GET", "/teapot"), ("DELETE", "/quiet"), ("GET", "/broken")):
            async with session.request(method, url + path) as resp:
                body = await resp.text()
                seen[path] = (resp.status, resp.reason, resp.headers.get("X-Hint"),
                              body.splitlines()[0] if body else body)
    return seen


EXPECTED = {
    "/items/1": (200, "OK", None, "apple"),
    "/items/2": (404, "Not Found", None, "no item 2"),
    "/forbidden": (403, "Forbidden", None, "403: Forbidden"),
    "/teapot": (400, "Wrong Pot", "kettle", "brew somewhere else"),
    "/quiet": (204, "No Content", None, ""),
    "/broken": (500, "Internal Server Error", None, "500 Internal Server Error"),
}

# aioteach's 500 for an unhandled error is the plain HTTPInternalServerError page (the
# docstring of aioteach/web/protocol.py says so); aiohttp words its own.
AIOTEACH_SERVER_DIFFERS = {"/broken": (500, "Internal Server Error", None,
                                       "500: Internal Server Error")}
