"""Body limits: Application(client_max_size=...) turns an oversized body into 413."""
from http import HTTPStatus

from aiohttp import web, ClientSession


async def upload(request):
    body = await request.read()
    return web.Response(text=f"got {len(body)} bytes")


async def form(request):
    fields = await request.post()
    return web.Response(text=f"got {len(fields['text'])} characters")


def make_app():
    app = web.Application(client_max_size=1024)
    app.router.add_post("/upload", upload)
    app.router.add_post("/form", form)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for size in (1000, 1024, 1025, 50_000):
            async with session.post(url + "/upload", data=b"x" * size) as resp:
                seen[size] = (resp.status, resp.reason,
                              await resp.text() if resp.status == 200 else None)
        async with session.post(url + "/form", data={"text": "y" * 5000}) as resp:
            seen["form"] = (resp.status, resp.reason)
    return seen


# aiohttp takes its phrases from the running Python's http.HTTPStatus: "Request Entity Too
# Large" before Python 3.13, RFC 9110's "Content Too Large" from 3.13 on.
TOO_LARGE = HTTPStatus(413).phrase

EXPECTED = {
    1000: (200, "OK", "got 1000 bytes"),
    1024: (200, "OK", "got 1024 bytes"),
    1025: (413, TOO_LARGE, None),
    50_000: (413, TOO_LARGE, None),
    "form": (413, TOO_LARGE),
}

# aioteach's server always says RFC 9110's phrase (aioteach/http1/status.py says so); clients
# act on the number, and the phrase is optional on the wire (RFC 9112 section 4).
AIOTEACH_SERVER_DIFFERS = {
    1025: (413, "Content Too Large", None),
    50_000: (413, "Content Too Large", None),
    "form": (413, "Content Too Large"),
}
