"""Routes as data: web.get(...) RouteDefs and RouteTableDef decorators."""
from __future__ import annotations

import pytest

from aioteach import web
from tests.web.app_support import FakeRequest


async def index(request):
    return web.Response(text="index")


async def create(request):
    return web.Response(text="created", status=201)


def table(app):
    return [(r.method, r.resource.canonical, r.handler, r.name) for r in app.router.routes()]


def test_route_defs_register_like_router_calls():
    app = web.Application()
    routes = app.add_routes([
        web.get("/", index, name="index"),
        web.post("/items", create),
        web.put("/items/{id}", create),
        web.patch("/items/{id}", create),
        web.delete("/items/{id}", create),
        web.head("/ping", index),
        web.options("/items", index),
        web.route("PROPFIND", "/dav", index),
        web.get("/nohead", index, allow_head=False),
    ])
    assert len(routes) == 9
    assert table(app) == [
        ("HEAD", "/", index, "index"), ("GET", "/", index, "index"),
        ("POST", "/items", create, None), ("OPTIONS", "/items", index, None),
        ("PUT", "/items/{id}", create, None), ("PATCH", "/items/{id}", create, None),
        ("DELETE", "/items/{id}", create, None),
        ("HEAD", "/ping", index, None), ("PROPFIND", "/dav", index, None),
        ("GET", "/nohead", index, None),
    ]
    assert repr(web.post("/items", create)) == "<RouteDef POST /items -> 'create'>"  # aiohttp's
    assert repr(web.get("/", index, name="home")) == \
        "<RouteDef GET / -> 'index', allow_head=True, name='home'>"
    assert repr(web.static("/s", "/srv", name="s")) == "<StaticDef /s -> /srv, name='s'>"


def test_route_defs_are_small_records_without_a_dict():
    assert not hasattr(web.post("/items", create), "__dict__")
    assert not hasattr(web.static("/s", "/srv"), "__dict__")


async def test_route_table_decorators_collect_and_return_the_handler():
    routes = web.RouteTableDef()

    @routes.get("/", name="home")
    async def home(request):
        return web.Response(text="home")

    @routes.post("/items")
    async def add_item(request):
        return web.Response(text="added")

    @routes.route("*", "/anything")
    async def anything(request):
        return web.Response(text=request.method)

    assert home.__name__ == "home"                       # still a plain function
    assert len(routes) == 3 and routes[0].path == "/" and routes[0] in routes
    app = web.Application()
    app.add_routes(routes)
    assert (await app._handle(FakeRequest("HEAD", "/", app=app))).text == "home"
    assert (await app._handle(FakeRequest("POST", "/items", app=app))).text == "added"
    assert (await app._handle(FakeRequest("MKCOL", "/anything", app=app))).text == "MKCOL"
    assert str(app.router["home"].url_for()) == "/"


def test_static_defs(tmp_path):
    (tmp_path / "a.txt").write_text("A")
    routes = web.RouteTableDef()
    routes.static("/files", tmp_path, name="files")
    app = web.Application()
    registered = app.add_routes([*routes, web.static("/more", str(tmp_path))])
    assert sorted(r.method for r in registered) == ["GET", "GET", "HEAD", "HEAD"]
    assert str(app.router["files"].url_for(filename="a.txt")) == "/files/a.txt"


def test_duplicate_route_from_a_table_is_refused():
    app = web.Application()
    with pytest.raises(RuntimeError):
        app.add_routes([web.get("/", index), web.get("/", create)])
