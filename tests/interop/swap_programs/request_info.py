"""What a request knows about itself: URL parts, host, client address, version, headers."""
from aiohttp import web, ClientSession


async def info(request):
    return web.json_response({
        "method": request.method,
        "version": list(request.version),
        "scheme": request.scheme,
        "host": request.host,
        "url": str(request.url),
        "path": request.path,
        "raw_path": request.raw_path,
        "path_qs": request.path_qs,          # encoded, as on the wire
        "rel_url_query": dict(request.rel_url.query),
        "remote": request.remote,
        "header_any_case": request.headers.get("x-lesson") == request.headers.get("X-LESSON"),
        "keep_alive": request.keep_alive,
        "match": dict(request.match_info),
        "secure": request.secure,
    })


def make_app():
    app = web.Application()
    app.router.add_route("*", "/info/{part}", info)
    return app


async def client(url):
    seen = {}
    port = url.rsplit(":", 1)[1]
    async with ClientSession() as session:
        async with session.get(url + "/info/caf%C3%A9?x=1&y=%C3%A9",
                               headers={"X-Lesson": "4"}) as resp:
            got = await resp.json()
        got["host"] = got["host"].replace(port, "PORT")
        got["url"] = got["url"].replace(port, "PORT")
        seen["get"] = got
    return seen


EXPECTED = {"get": {
    "method": "GET", "version": [1, 1], "scheme": "http", "host": "127.0.0.1:PORT",
    "url": "http://127.0.0.1:PORT/info/caf%C3%A9?x=1&y=%C3%A9", "path": "/info/café",
    "raw_path": "/info/caf%C3%A9?x=1&y=%C3%A9", "path_qs": "/info/caf%C3%A9?x=1&y=%C3%A9",
    "rel_url_query": {"x": "1", "y": "é"}, "remote": "127.0.0.1", "header_any_case": True,
    "keep_alive": True, "match": {"part": "café"}, "secure": False,
}}
