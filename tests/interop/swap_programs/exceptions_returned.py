"""HTTP exceptions as return values and with bodies: the older style, and JSON error bodies."""
import json

from aiohttp import web, ClientSession


async def returned(request):
    # An HTTPException is also a Response: returning one works (aiohttp prefers raise).
    return web.HTTPAccepted(text="queued")


async def json_error(request):
    raise web.HTTPUnprocessableEntity(text=json.dumps({"field": "age", "error": "not a number"}),
                                      content_type="application/json")


async def redirect_with_headers(request):
    raise web.HTTPFound("/target", headers={"X-Why": "moved"})


async def target(request):
    return web.Response(text="target")


def make_app():
    app = web.Application()
    app.router.add_get("/returned", returned)
    app.router.add_post("/json-error", json_error)
    app.router.add_get("/redirect", redirect_with_headers)
    app.router.add_get("/target", target)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        async with session.get(url + "/returned") as resp:
            seen["returned"] = (resp.status, await resp.text())
        async with session.post(url + "/json-error") as resp:
            seen["json_error"] = (resp.status, resp.content_type, await resp.json())
        async with session.get(url + "/redirect", allow_redirects=False) as resp:
            seen["redirect"] = (resp.status, resp.headers["Location"], resp.headers["X-Why"])
    return seen


EXPECTED = {
    "returned": (202, "queued"),
    "json_error": (422, "application/json", {"field": "age", "error": "not a number"}),
    "redirect": (302, "/target", "moved"),
}
