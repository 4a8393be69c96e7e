"""Shaping responses: status and reason, content types, headers, JSON options, a gzip body.

The client side shows the session's conveniences: base_url, default headers, automatic
decompression, and the one-shot ``request()`` helper.
"""
import gzip
import json

from aiohttp import web, ClientSession, request


async def created(request):
    return web.Response(status=201, reason="Made It", text="new thing",
                        headers={"X-Thing-Id": "42", "Cache-Control": "no-store"})


async def picture(request):
    return web.Response(body=b"\x89PNG fake", content_type="image/png")


async def html(request):
    return web.Response(text="<p>caf\u00e9</p>", content_type="text/html", charset="latin-1")


async def pretty(request):
    return web.json_response({"b": 1, "a": [1, 2]}, dumps=lambda o: json.dumps(o, indent=1))


async def big(request):
    # Compressed once, ahead of time (a static file kept as .gz): any client may decompress it.
    return web.Response(body=gzip.compress(b"compress me " * 2000), content_type="text/plain",
                        headers={"Content-Encoding": "gzip"})


async def whoami(request):
    return web.json_response({"agent": request.headers.get("X-Client"),
                              "encodings": request.headers.get("Accept-Encoding", "")})


def make_app():
    app = web.Application()
    app.router.add_post("/created", created)
    app.router.add_get("/picture", picture)
    app.router.add_get("/html", html)
    app.router.add_get("/pretty", pretty)
    app.router.add_get("/big", big)
    app.router.add_get("/whoami", whoami)
    return app


async def client(url):
    seen = {}
    async with ClientSession(base_url=url, headers={"X-Client": "lesson"}) as session:
        async with session.post("/created") as resp:
            seen["created"] = (resp.status, resp.reason, resp.headers["X-Thing-Id"],
                               resp.headers["cache-control"], await resp.text())
        async with session.get("/picture") as resp:
            seen["picture"] = (resp.content_type, resp.charset, await resp.read())
        async with session.get("/html") as resp:
            seen["html"] = (resp.content_type, resp.charset, await resp.text(),
                            len(await resp.read()))
        async with session.get("/pretty") as resp:
            seen["pretty"] = (await resp.text(), await resp.json())
        async with session.get("/big") as resp:
            seen["big"] = (resp.headers.get("Content-Encoding"), len(await resp.text()))
        async with session.get("/whoami") as resp:
            answer = await resp.json()
            seen["whoami"] = (answer["agent"], "gzip" in answer["encodings"])
    async with request("GET", url + "/picture") as resp:
        seen["one_shot"] = (resp.status, await resp.read())
    return seen


EXPECTED = {
    "created": (201, "Made It", "42", "no-store", "new thing"),
    "picture": ("image/png", None, b"\x89PNG fake"),
    "html": ("text/html", "latin-1", "<p>caf\u00e9</p>", 11),
    "pretty": ('{\n "b": 1,\n "a": [\n  1,\n  2\n ]\n}', {"b": 1, "a": [1, 2]}),
    "big": ("gzip", 24000),
    "whoami": ("lesson", True),
    "one_shot": (200, b"\x89PNG fake"),
}
