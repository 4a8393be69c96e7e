"""Middlewares that answer without calling the handler, or hand on a changed request."""
from aiohttp import web, ClientSession

CACHE = web.AppKey("cache", dict)


@web.middleware
async def cache(request, handler):
    if request.method == "GET" and request.path in request.app[CACHE]:
        return web.Response(text=request.app[CACHE][request.path],
                            headers={"X-Cache": "hit"})
    response = await handler(request)
    if request.method == "GET" and response.status == 200:
        request.app[CACHE][request.path] = response.text
    response.headers["X-Cache"] = "miss"
    return response


@web.middleware
async def lower_path(request, handler):
    if request.path != request.path.lower():
        request = request.clone(rel_url=request.rel_url.with_path(request.path.lower()))
    return await handler(request)


COUNT = web.AppKey("count", list)


async def page(request):
    request.app[COUNT].append(request.path)
    return web.Response(text=f"page {request.match_info['name']} ({len(request.app[COUNT])})")


def make_app():
    app = web.Application(middlewares=[cache, lower_path])
    app[CACHE] = {}
    app[COUNT] = []
    app.router.add_get("/pages/{name}", page)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for path in ("/pages/a", "/pages/a", "/pages/b", "/PAGES/B"):
            async with session.get(url + path) as resp:
                seen.setdefault(path, []).append(
                    [resp.status, resp.headers.get("X-Cache"), await resp.text()])
    return seen


# The route was chosen before the middlewares ran: a clone with another path keeps it, so
# /PAGES/B stays the 404 it resolved to (the 404 is raised at the centre of the onion).
EXPECTED = {
    "/pages/a": [[200, "miss", "page a (1)"], [200, "hit", "page a (1)"]],
    "/pages/b": [[200, "miss", "page b (2)"]],
    "/PAGES/B": [[404, None, "404: Not Found"]],
}
