"""JSON in and out: request.json(), web.json_response, resp.json() and its content-type check."""
from aiohttp import web, ClientSession, ContentTypeError


async def total(request):
    try:
        data = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="send JSON")
    return web.json_response({"total": sum(data["numbers"]), "echo": data}, status=201)


async def plain(request):
    return web.Response(text='{"looks": "like json"}')


def make_app():
    app = web.Application()
    app.router.add_post("/total", total)
    app.router.add_get("/plain", plain)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        payload = {"numbers": [1, 2, 3.5], "name": "Zoë", "nested": {"ok": True, "none": None}}
        async with session.post(url + "/total", json=payload) as resp:
            seen["total"] = (resp.status, resp.content_type, await resp.json())
        async with session.post(url + "/total", data="not json") as resp:
            seen["bad"] = (resp.status, await resp.text())
        async with session.get(url + "/plain") as resp:
            try:
                await resp.json()
            except ContentTypeError as exc:
                seen["plain"] = (type(exc).__name__, exc.status)
            seen["plain_forced"] = await resp.json(content_type=None)
    return seen


EXPECTED = {
    "total": (201, "application/json",
              {"total": 6.5, "echo": {"numbers": [1, 2, 3.5], "name": "Zoë",
                                      "nested": {"ok": True, "none": None}}}),
    "bad": (400, "send JSON"),
    "plain": ("ContentTypeError", 200),
    "plain_forced": {"looks": "like json"},
}
