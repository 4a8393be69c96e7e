"""Hello, {name}: a path parameter, a route without it, and what an unknown path gets."""
from aiohttp import web, ClientSession


async def hello(request):
    name = request.match_info.get("name", "Anonymous")
    return web.Response(text=f"Hello, {name}")


def make_app():
    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/hello/{name}", hello)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for path in ("/", "/hello/Ann", "/hello/Ann%20Lee", "/hello/Zo%C3%AB", "/hello/"):
            async with session.get(url + path) as resp:
                seen[path] = (resp.status, resp.content_type, resp.charset,
                              (await resp.text()) if resp.status == 200 else None)
    return seen


EXPECTED = {
    "/": (200, "text/plain", "utf-8", "Hello, Anonymous"),
    "/hello/Ann": (200, "text/plain", "utf-8", "Hello, Ann"),
    "/hello/Ann%20Lee": (200, "text/plain", "utf-8", "Hello, Ann Lee"),
    "/hello/Zo%C3%AB": (200, "text/plain", "utf-8", "Hello, Zoë"),
    "/hello/": (404, "text/plain", "utf-8", None),
}
