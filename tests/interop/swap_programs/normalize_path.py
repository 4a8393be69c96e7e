"""normalize_path_middleware: /about and /about/ both work, by redirecting to the route's form."""
from aiohttp import web, ClientSession


async def about(request):
    return web.Response(text="about us")


async def items(request):
    return web.Response(text="items " + request.query.get("page", "1"))


def make_app():
    app = web.Application(middlewares=[web.normalize_path_middleware()])
    app.router.add_get("/about/", about)
    app.router.add_get("/items/", items)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for path in ("/about", "/about/", "/items?page=2", "//about//", "/missing"):
            async with session.get(url + path, allow_redirects=False) as resp:
                seen[path] = (resp.status, resp.headers.get("Location"))
        async with session.get(url + "/items?page=3") as resp:
            seen["followed"] = (resp.status, await resp.text(), resp.url.path_qs)
    return seen


EXPECTED = {
    "/about": (308, "/about/"),
    "/about/": (200, None),
    "/items?page=2": (308, "/items/?page=2"),
    "//about//": (308, "/about/"),
    "/missing": (404, None),
    "followed": (200, "items 3", "/items/?page=3"),
}
