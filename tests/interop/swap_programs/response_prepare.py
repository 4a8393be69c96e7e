"""on_response_prepare: last-moment headers on every response, error pages and sub-apps too."""
from aiohttp import web, ClientSession


def stamp(label):
    async def on_prepare(request, response):
        response.headers.add("X-Stamped-By", label)
    return on_prepare


async def hello(request):
    return web.Response(text="hello")


async def stream(request):
    response = web.StreamResponse()
    await response.prepare(request)
    await response.write(b"streamed")
    return response


async def fail(request):
    raise web.HTTPConflict()


def make_app():
    app = web.Application()
    app.on_response_prepare.append(stamp("root"))
    app.router.add_get("/hello", hello)
    app.router.add_get("/stream", stream)
    app.router.add_get("/fail", fail)
    sub = web.Application()
    sub.on_response_prepare.append(stamp("sub"))
    sub.router.add_get("/hello", hello)
    app.add_subapp("/sub", sub)
    return app


async def client(url):
    seen = {}
    async with ClientSession() as session:
        for path in ("/hello", "/stream", "/fail", "/missing", "/sub/hello"):
            async with session.get(url + path) as resp:
                seen[path] = (resp.status, resp.headers.getall("X-Stamped-By", []))
    return seen


EXPECTED = {
    "/hello": (200, ["root"]),
    "/stream": (200, ["root"]),
    "/fail": (409, ["root"]),
    "/missing": (404, ["root"]),
    "/sub/hello": (200, ["root", "sub"]),
}
