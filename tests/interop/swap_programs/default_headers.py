"""The headers a response gets without asking: Content-Type, Content-Length, framing."""
from aiohttp import web, ClientSession


async def empty(request):
    return web.Response()


async def text(request):
    return web.Response(text="hi")


async def data(request):
    return web.json_response({"a": 1})


async def stream(request):
    response = web.StreamResponse()
    await response.prepare(request)
    await response.write(b"x")
    return response


async def no_content(request):
    return web.Response(status=204)


async def html_charset(request):
    response = web.Response(text="<b>x</b>")
    response.content_type = "text/html"
    return response


def make_app():
    app = web.Application()
    for path, handler in (("/empty", empty), ("/text", text), ("/json", data),
                          ("/stream", stream), ("/204", no_content), ("/html", html_charset)):
        app.router.add_get(path, handler)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for path in ("/empty", "/text", "/json", "/stream", "/204", "/html"):
            async with session.get(url + path) as resp:
                headers = resp.headers
                seen[path] = (resp.status, headers.get("Content-Type"),
                              headers.get("Content-Length"),
                              headers.get("Transfer-Encoding"), await resp.read())
    return seen


EXPECTED = {
    "/empty": (200, None, "0", None, b""),                  # no body, no type
    "/text": (200, "text/plain; charset=utf-8", "2", None, b"hi"),
    "/json": (200, "application/json; charset=utf-8", "8", None, b'{"a": 1}'),
    "/stream": (200, "application/octet-stream", None, "chunked", b"x"),
    "/204": (204, None, None, None, b""),
    "/html": (200, "text/html; charset=utf-8", "8", None, b"<b>x</b>"),
}
