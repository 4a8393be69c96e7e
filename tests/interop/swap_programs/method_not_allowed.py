"""404 versus 405: the path exists but not for this method, and Allow lists what does."""
from aiohttp import web, ClientSession


async def show(request):
    return web.Response(text="the thing")


async def change(request):
    return web.Response(text="changed")


def make_app():
    app = web.Application()
    app.router.add_get("/thing", show)
    app.router.add_post("/thing", change)
    app.router.add_put("/only-put", change)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for method, path in (("GET", "/thing"), ("HEAD", "/thing"), ("POST", "/thing"),
                             ("DELETE", "/thing"), ("PATCH", "/only-put"), ("GET", "/nothing")):
            async with session.request(method, url + path) as resp:
                allow = resp.headers.get("Allow")
                seen[f"{method} {path}"] = (
                    resp.status, resp.reason,
                    sorted(m.strip() for m in allow.split(",")) if allow else None)
    return seen


EXPECTED = {
    "GET /thing": (200, "OK", None),
    "HEAD /thing": (200, "OK", None),
    "POST /thing": (200, "OK", None),
    "DELETE /thing": (405, "Method Not Allowed", ["GET", "HEAD", "POST"]),
    "PATCH /only-put": (405, "Method Not Allowed", ["PUT"]),
    "GET /nothing": (404, "Not Found", None),
}
