"""The lessons' style: ``import aiohttp`` once, then ``aiohttp.ClientSession`` and friends.

On aioteach the import line becomes ``import aioteach as aiohttp`` and nothing else changes.
"""
import aiohttp
from aiohttp import web


async def form(request):
    data = await request.post()
    return web.json_response({"name": data["name"], "file": data["doc"].filename})


async def ws_handler(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == aiohttp.WSMsgType.TEXT:
            await ws.send_str(msg.data[::-1])
    return ws


def make_app():
    app = web.Application()
    app.router.add_post("/form", form)
    app.router.add_get("/ws", ws_handler)
    return app


async def client(url):
    seen = {}
    timeout = aiohttp.ClientTimeout(total=10)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        payload = aiohttp.FormData()
        payload.add_field("name", "Ann")
        payload.add_field("doc", b"%PDF-1.4", filename="cv.pdf", content_type="application/pdf")
        async with session.post(url + "/form", data=payload) as resp:
            seen["form"] = await resp.json()
        async with session.ws_connect(url + "/ws") as ws:
            await ws.send_str("stressed")
            msg = await ws.receive()
            seen["ws"] = (msg.type == aiohttp.WSMsgType.TEXT, msg.data)
        try:
            async with session.get(url + "/nope", raise_for_status=True):
                pass
        except aiohttp.ClientResponseError as exc:
            seen["error"] = (exc.status, isinstance(exc, aiohttp.ClientError))
    async with aiohttp.request("GET", url + "/nope") as resp:
        seen["one_shot"] = resp.status
    return seen


EXPECTED = {
    "form": {"name": "Ann", "file": "cv.pdf"},
    "ws": (True, "desserts"),
    "error": (404, True),
    "one_shot": 404,
}
