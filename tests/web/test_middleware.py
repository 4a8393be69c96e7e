"""Middlewares: the onion's order, sub-app nesting, tracing, normalize_path_middleware."""
from __future__ import annotations

import pytest

from aioteach import trace, web
from tests.web.app_support import FakeRequest


def recording(label, log):
    @web.middleware
    async def mw(request, handler):
        log.append(f"enter {label}")
        response = await handler(request)
        log.append(f"exit {label}")
        return response
    mw.__qualname__ = f"mw_{label}"
    return mw


async def test_three_middlewares_make_an_onion():
    log = []

    async def handler(request):
        log.append("handler")
        return web.Response(text="ok")

    app = web.Application(middlewares=[recording("a", log), recording("b", log)])
    app.middlewares.append(recording("c", log))
    app.router.add_get("/", handler)
    response = await app._handle(FakeRequest("GET", "/", app=app))
    assert response.text == "ok"
    assert log == ["enter a", "enter b", "enter c", "handler", "exit c", "exit b", "exit a"]


async def test_the_fold_is_built_once_not_per_request():
    log = []
    app = web.Application(middlewares=[recording("a", log)])
    app.router.add_get("/", lambda request: _ok())
    app.freeze()
    await app._handle(FakeRequest("GET", "/", app=app))
    built = dict(app._onions)                    # one onion per route, made on first use
    for _ in range(2):
        await app._handle(FakeRequest("GET", "/", app=app))
    assert len(built) == 1 and app._onions == built
    assert log == ["enter a", "exit a"] * 3


async def _ok():
    return web.Response(text="ok")


async def test_a_middleware_can_answer_replace_and_catch():
    @web.middleware
    async def friendly_404(request, handler):
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return web.Response(status=404, text="nothing here, sorry")

    @web.middleware
    async def add_header(request, handler):
        response = await handler(request)
        response.headers["X-Layer"] = "outer"
        return response

    @web.middleware
    async def short_circuit(request, handler):
        if request.path == "/blocked":
            return web.Response(status=403, text="blocked")
        return await handler(request)

    app = web.Application(middlewares=[add_header, friendly_404, short_circuit])
    app.router.add_get("/blocked", lambda request: _ok())
    response = await app._handle(FakeRequest("GET", "/missing", app=app))
    assert (response.status, response.text, response.headers["X-Layer"]) == \
        (404, "nothing here, sorry", "outer")
    response = await app._handle(FakeRequest("GET", "/blocked", app=app))
    assert (response.status, response.text) == (403, "blocked")


async def test_subapp_middlewares_run_inside_the_parents():
    log = []

    async def handler(request):
        log.append("handler")
        return web.Response(text="deep")

    root = web.Application(middlewares=[recording("root", log)])
    outer = web.Application(middlewares=[recording("outer", log)])
    inner = web.Application(middlewares=[recording("inner", log)])
    inner.router.add_get("/x", handler)
    root.router.add_get("/top", handler)
    outer.add_subapp("/in", inner)
    root.add_subapp("/out", outer)
    await root._handle(FakeRequest("GET", "/out/in/x", app=root))
    assert log == ["enter root", "enter outer", "enter inner", "handler",
                   "exit inner", "exit outer", "exit root"]
    log.clear()
    await root._handle(FakeRequest("GET", "/top", app=root))
    assert log == ["enter root", "handler", "exit root"]


async def test_subapp_middlewares_run_even_when_the_root_has_none():
    log = []
    root, sub = web.Application(), web.Application(middlewares=[recording("sub", log)])
    sub.router.add_get("/x", lambda request: _ok())
    root.add_subapp("/s", sub)
    await root._handle(FakeRequest("GET", "/s/x", app=root))
    assert log == ["enter sub", "exit sub"]


async def test_middleware_enter_and_exit_are_traced():
    log = []
    app = web.Application(middlewares=[recording("a", log), recording("b", log)])
    app.router.add_get("/", lambda request: _ok())
    request = FakeRequest("GET", "/", app=app)
    with trace.record(["server.middleware"]) as rec:
        await app._handle(request)
    seen = [(e.kind.split(".")[1], e["name"]) for e in rec.events]
    assert seen == [("middleware_enter", "mw_a"), ("middleware_enter", "mw_b"),
                    ("middleware_exit", "mw_b"), ("middleware_exit", "mw_a")]
    assert {e["req"] for e in rec.events} == {id(request)}
    await app._handle(FakeRequest("GET", "/", app=app))       # tracing off again: no records
    assert len(rec.events) == 4


# -- normalize_path_middleware ------------------------------------------------------------------
def normalizing_app(**options):
    app = web.Application(middlewares=[web.normalize_path_middleware(**options)])
    for path in ("/", "/docs/", "/api/items", "/a/b/"):
        app.router.add_get(path, lambda request: _ok())
    return app


async def redirect_of(app, raw_path, method="GET"):
    try:
        response = await app._handle(FakeRequest(method, raw_path, app=app))
    except web.HTTPRedirection as redirect:
        return redirect.status, redirect.headers["Location"]
    return response.status, None


@pytest.mark.parametrize("raw_path,expected", [
    ("/docs", (308, "/docs/")),                     # slash appended
    ("/docs?page=2", (308, "/docs/?page=2")),        # query kept
    ("//a///b", (308, "/a/b/")),                     # merged and appended
    ("/a//b/", (308, "/a/b/")),                      # merged
    ("/docs/", (200, None)),                         # the route exists: untouched
    ("/api/items/", (404, None)),                    # no variant resolves: 404 stays
    ("/nowhere", (404, None)),
])
async def test_normalize_path_appends_slashes_by_default(raw_path, expected):
    app = normalizing_app()
    try:
        assert await redirect_of(app, raw_path) == expected
    except web.HTTPNotFound:
        assert expected == (404, None)


async def test_normalize_path_can_remove_slashes_instead():
    app = normalizing_app(append_slash=False, remove_slash=True)
    assert await redirect_of(app, "/api/items/") == (308, "/api/items")
    assert await redirect_of(app, "/api//items/") == (308, "/api/items")
    with pytest.raises(web.HTTPNotFound):
        await redirect_of(app, "/docs")             # appending is off now


async def test_normalize_path_never_redirects_to_another_host():
    app = web.Application(middlewares=[
        web.normalize_path_middleware(merge_slashes=False)])
    app.router.add_get("/evil.example/", lambda request: _ok())
    status, location = await redirect_of(app, "//evil.example")
    assert status == 308 and location == "/evil.example/"    # not "//evil.example/"


async def test_normalize_path_with_another_redirect_class_and_bad_options():
    app = normalizing_app(redirect_class=web.HTTPMovedPermanently)
    assert await redirect_of(app, "/docs") == (301, "/docs/")
    with pytest.raises(ValueError, match="cannot both"):
        web.normalize_path_middleware(append_slash=True, remove_slash=True)


async def test_an_encoded_slash_in_a_route_is_found_by_the_application_and_normalized():
    """``/files/a%2Fb/`` as a plain route: the app matches on the path with ``%2F`` still
    encoded (router.routing_path, as aiohttp's path_safe), so the route answers and the
    slash-appending redirect finds it too."""
    app = web.Application(middlewares=[web.normalize_path_middleware()])
    app.router.add_get("/files/a%2Fb/", lambda request: _ok())
    assert await redirect_of(app, "/files/a%2Fb/") == (200, None)
    assert await redirect_of(app, "/files/a%2Fb") == (308, "/files/a%2Fb/")
