"""Application state with typed AppKeys, and per-request values set by a middleware."""
from aiohttp import web, ClientSession

HITS = web.AppKey("hits", dict)
GREETING = web.AppKey("greeting", str)


@web.middleware
async def count(request, handler):
    hits = request.app[HITS]
    hits[request.path] = hits.get(request.path, 0) + 1
    request["visit"] = hits[request.path]
    return await handler(request)


async def page(request):
    return web.json_response({"greeting": request.app[GREETING], "visit": request["visit"],
                              "hits": request.app[HITS], "has_key": GREETING in request.app})


def make_app():
    app = web.Application(middlewares=[count])
    app[HITS] = {}
    app[GREETING] = "hi"
    app.router.add_get("/a", page)
    app.router.add_get("/b", page)
    return app


async def client(url):
    async with ClientSession() as session:
        answers = []
        for path in ("/a", "/a", "/b", "/a"):
            async with session.get(url + path) as resp:
                answers.append(await resp.json())
    return {"answers": answers}


def server_report(app):
    return {"hits": app[HITS], "greeting": app.get(GREETING)}


EXPECTED = {
    "client": {"answers": [
        {"greeting": "hi", "visit": 1, "hits": {"/a": 1}, "has_key": True},
        {"greeting": "hi", "visit": 2, "hits": {"/a": 2}, "has_key": True},
        {"greeting": "hi", "visit": 1, "hits": {"/a": 2, "/b": 1}, "has_key": True},
        {"greeting": "hi", "visit": 3, "hits": {"/a": 3, "/b": 1}, "has_key": True},
    ]},
    "server": {"hits": {"/a": 3, "/b": 1}, "greeting": "hi"},
}
