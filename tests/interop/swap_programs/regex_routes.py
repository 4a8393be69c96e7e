"""Routes with regular expressions: {id:\\d+} matches digits only, {path:.*} takes slashes."""
from aiohttp import web, ClientSession


async def item(request):
    return web.json_response({"id": int(request.match_info["id"])})


async def files(request):
    return web.Response(text=request.match_info["path"])


async def slug(request):
    return web.Response(text=request.match_info["year"] + "|" + request.match_info["slug"])


def make_app():
    app = web.Application()
    app.router.add_get(r"/items/{id:\d+}", item)
    app.router.add_get("/files/{path:.*}", files)
    app.router.add_get(r"/posts/{year:\d{4}}/{slug:[a-z-]+}", slug)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for path in ("/items/42", "/items/abc", "/files/a/b/c.txt", "/files/",
                     "/posts/2024/hello-world", "/posts/24/hello", "/posts/2024/Hello"):
            async with session.get(url + path) as resp:
                seen[path] = (resp.status, await resp.text() if resp.status == 200 else None)
    return seen


EXPECTED = {
    "/items/42": (200, '{"id": 42}'),
    "/items/abc": (404, None),
    "/files/a/b/c.txt": (200, "a/b/c.txt"),
    "/files/": (200, ""),
    "/posts/2024/hello-world": (200, "2024|hello-world"),
    "/posts/24/hello": (404, None),
    "/posts/2024/Hello": (404, None),
}
