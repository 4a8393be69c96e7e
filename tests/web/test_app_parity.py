"""The same application code, run on aiohttp and on aioteach, gives the same answers.

One function builds the app from whichever ``web`` module it is given: routes of every kind,
a route table, a view, a sub-app, middlewares, normalize_path, static files.  Both servers get
the same raw requests; statuses, the headers a learner would look at, and bodies must agree.
"""
from __future__ import annotations

import contextlib

import pytest

from tests.support import require
from tests.web.app_support import get, raw_exchange, serve


def build_app(web, static_dir):
    routes = web.RouteTableDef()
    log = []

    @web.middleware
    async def onion(request, handler):
        log.append(f"in {request.path}")
        try:
            response = await handler(request)
        except web.HTTPNotFound:
            return web.Response(status=404, text="custom 404")
        response.headers["X-Onion"] = "yes"
        return response

    @routes.get("/users/{id:\\d+}", name="user")
    async def user(request):
        url = request.app.router["user"].url_for(id=request.match_info["id"])
        return web.json_response({"id": request.match_info["id"], "url": str(url)})

    @routes.post("/users/{id:\\d+}")
    async def update_user(request):
        return web.Response(text="updated")

    @routes.view("/items/{name}")
    class Item(web.View):
        async def get(self):
            return web.Response(text=f"item {self.request.match_info['name']}")

        async def delete(self):
            return web.Response(status=204)

    async def tail(request):
        return web.Response(text=request.match_info["tail"])

    async def sub_index(request):
        return web.Response(text="sub index")

    app = web.Application(middlewares=[web.normalize_path_middleware(), onion])
    app.add_routes(routes)
    async def docs(request):
        return web.Response(text="docs")

    app.router.add_get("/docs/", docs)
    app.router.add_get("/files/{tail:.+}", tail)
    app.router.add_static("/static", static_dir)
    sub = web.Application()
    sub.router.add_get("/", sub_index)
    app.add_subapp("/sub", sub)
    return app


REQUESTS = [
    get("/users/42"), get("/users/42", method="HEAD"), get("/users/x"),
    get("/users/42", "Content-Length: 0", method="POST"),
    get("/users/42", "Content-Length: 0", method="PUT"),
    get("/items/cup"), get("/items/cup", method="DELETE"), get("/items/cup", method="PATCH"),
    get("/docs"), get("/docs?x=1"), get("/docs/"), get("//docs"), get("/nowhere"),
    get("/files/a/b/c"), get("/sub/"), get("/sub"),
    get("/static/hello.txt"), get("/static/../secret.txt"), get("/static/"),
    get("/static/hello.txt", "Range: bytes=1-3"), get("/static/hello.txt", "Range: bytes=99-"),
]

# Framing may differ (aiohttp sends some empty bodies chunked): bodies are compared decoded.
COMPARED_HEADERS = ("Allow", "Location", "Content-Range", "X-Onion", "Content-Type")



@contextlib.asynccontextmanager
async def serve_on_aiohttp(app):
    aiohttp_web = require("aiohttp.web")
    runner = aiohttp_web.AppRunner(app)
    await runner.setup()
    try:
        site = aiohttp_web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


async def answers(serve_app, app):
    async with serve_app(app) as port:
        results = []
        for request in REQUESTS:
            status, headers, body = await raw_exchange(port, request)
            picked = {name: headers.get(name) for name in COMPARED_HEADERS}
            results.append((request.split(b"\r\n")[0].decode(), status, picked, body))
        return results


@pytest.mark.peer
async def test_same_app_code_gives_the_same_answers_on_aiohttp(tmp_path):
    aiohttp_web = require("aiohttp.web")
    from aioteach import web as aioteach_web

    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "hello.txt").write_text("hello world")
    (tmp_path / "secret.txt").write_text("secret")
    theirs = await answers(serve_on_aiohttp, build_app(aiohttp_web, tmp_path / "public"))
    ours = await answers(serve, build_app(aioteach_web, tmp_path / "public"))
    differences = [(mine, reference) for mine, reference in zip(ours, theirs)
                   if mine != reference]
    for mine, reference in differences:
        print("ours  ", mine)
        print("theirs", reference)
    assert differences == []
