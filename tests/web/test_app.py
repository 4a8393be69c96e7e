"""Application: state, freezing, lifecycle signals and cleanup contexts, _handle."""
from __future__ import annotations

import pytest

from aioteach import web
from tests.web.app_support import FakeRequest


async def hello(request):
    return web.Response(text="hello")


def test_state_by_app_key_and_by_string():
    app = web.Application()
    counter = web.AppKey("counter", int)
    app[counter] = 1
    app["name"] = "demo"
    assert app[counter] == 1 and app["name"] == "demo"
    assert app.get(web.AppKey("counter", int)) is None     # another key, same name
    assert len(app) == 2 and set(app) == {counter, "name"}
    del app["name"]
    assert "name" not in app
    assert "counter" in repr(counter) and "int" in repr(counter)


def test_an_application_equals_only_itself_and_is_always_truthy():
    a, b = web.Application(), web.Application()
    assert a != b and a == a and bool(a)
    assert {a: 1}[a] == 1
    assert a() is a                                          # gunicorn's factory protocol


def test_defaults_the_server_reads():
    app = web.Application()
    assert app._client_max_size == 1024 ** 2
    assert web.Application(client_max_size=10)._client_max_size == 10
    assert app.logger.name == "aioteach.web"
    assert isinstance(app.router, web.UrlDispatcher)


def test_freeze_locks_routes_middlewares_signals_and_state():
    app = web.Application()
    app.router.add_get("/", hello)
    app.freeze()
    assert app.frozen
    with pytest.raises(RuntimeError, match="frozen"):
        app.router.add_get("/late", hello)
    with pytest.raises(RuntimeError):
        app.middlewares.append(lambda request, handler: handler(request))
    with pytest.raises(RuntimeError):
        app.on_startup.append(hello)
    with pytest.raises(RuntimeError, match="running"):
        app["late"] = 1
    with pytest.raises(RuntimeError):
        app.add_subapp("/sub", web.Application())
    app.freeze()                                             # a second freeze is harmless


async def test_lifecycle_order_with_cleanup_contexts_and_subapps():
    log = []
    root, sub = web.Application(), web.Application()
    key = web.AppKey("resource", str)

    async def context(app):
        log.append("ctx enter")
        app[key] = "open"                                    # state may change at startup
        yield
        log.append("ctx exit")

    async def second_context(app):
        log.append("ctx2 enter")
        yield
        log.append("ctx2 exit")

    def recorder(label):
        async def callback(app):
            log.append(f"{label} {'root' if app is root else 'sub'}")
        return callback

    root.cleanup_ctx.extend([context, second_context])
    root.on_startup.append(recorder("startup"))
    root.on_shutdown.append(recorder("shutdown"))
    root.on_cleanup.append(recorder("cleanup"))
    sub.on_startup.append(recorder("startup"))
    sub.on_cleanup.append(recorder("cleanup"))
    root.add_subapp("/sub", sub)

    await root.startup()
    root.freeze()
    assert root[key] == "open"
    await root.shutdown()
    await root.cleanup()
    assert log == [
        "ctx enter", "ctx2 enter", "startup root", "startup sub",
        "shutdown root",
        "ctx2 exit", "ctx exit", "cleanup root", "cleanup sub",
    ]


async def test_a_failed_startup_still_closes_the_contexts_that_opened():
    log = []
    app = web.Application()

    async def context(app):
        log.append("enter")
        yield
        log.append("exit")

    async def broken(app):
        raise ConnectionError("database is down")

    async def never(app):
        log.append("on_cleanup ran")                        # must not: startup never finished

    app.cleanup_ctx.append(context)
    app.on_startup.append(broken)
    app.on_cleanup.append(never)
    with pytest.raises(ConnectionError):
        await app.startup()
    await app.cleanup()
    assert log == ["enter", "exit"]


async def test_cleanup_context_with_two_yields_is_reported():
    app = web.Application()

    async def greedy(app):
        yield
        yield

    app.cleanup_ctx.append(greedy)
    await app.startup()
    with pytest.raises(RuntimeError, match="more than one 'yield'"):
        await app.cleanup()


async def test_cleanup_runs_every_context_and_reports_all_failures():
    app = web.Application()
    log = []

    def failing(label):
        async def context(app):
            yield
            log.append(label)
            raise ValueError(label)
        return context

    app.cleanup_ctx.extend([failing("a"), failing("b")])
    await app.startup()
    with pytest.raises(web.CleanupError) as caught:
        await app.cleanup()
    assert log == ["b", "a"]
    assert [str(e) for e in caught.value.exceptions] == ["b", "a"]


async def test_handle_routes_sets_match_info_and_returns_the_response():
    app = web.Application()

    async def user(request):
        assert request.match_info["id"] == "5"
        assert request.app is app
        return web.Response(text=f"user {request.match_info['id']}")

    app.router.add_get("/users/{id}", user)
    request = FakeRequest("GET", "/users/5", app=app)
    response = await app._handle(request)
    assert response.text == "user 5"
    assert request.match_info.apps == (app,)
    assert app.frozen                                        # _handle froze it on first use


async def test_handle_lets_http_errors_and_other_errors_propagate():
    app = web.Application()

    async def boom(request):
        raise KeyError("bug")

    app.router.add_get("/boom", boom)
    with pytest.raises(web.HTTPNotFound):
        await app._handle(FakeRequest("GET", "/missing", app=app))
    with pytest.raises(web.HTTPMethodNotAllowed):
        await app._handle(FakeRequest("POST", "/boom", app=app))
    with pytest.raises(KeyError):
        await app._handle(FakeRequest("GET", "/boom", app=app))


async def test_handle_in_a_subapp_sees_the_subapp_and_both_states():
    root, sub = web.Application(), web.Application()
    root["where"] = "root"
    sub["only_sub"] = True
    seen = {}

    async def handler(request):
        seen["app"] = request.app
        seen["apps"] = request.match_info.apps
        return web.Response(text="sub")

    sub.router.add_get("/x", handler)
    root.add_subapp("/sub", sub)
    await root._handle(FakeRequest("GET", "/sub/x", app=root))
    assert seen == {"app": sub, "apps": (root, sub)}


async def test_handlers_may_be_any_callable_returning_an_awaitable():
    app = web.Application()

    class Callable:
        def __call__(self, request):
            return hello(request)                            # a coroutine, not an async def

    app.router.add_get("/", Callable())
    assert (await app._handle(FakeRequest("GET", "/", app=app))).text == "hello"


async def test_custom_expect_handler_can_refuse_the_body():
    app = web.Application()

    async def refuse(request):
        return web.Response(status=417, text="no uploads today")

    app.router.add_post("/upload", hello, expect_handler=refuse)
    app.router.add_post("/other", hello)
    expecting = {"Expect": "100-continue"}
    response = await app._handle(FakeRequest("POST", "/upload", expecting, app=app))
    assert response.status == 417
    response = await app._handle(FakeRequest("POST", "/upload", app=app))
    assert response.text == "hello"
    response = await app._handle(FakeRequest("POST", "/other", expecting, app=app))
    assert response.text == "hello"


async def test_state_may_change_inside_lifecycle_callbacks_even_when_frozen_first():
    app = web.Application()
    key = web.AppKey("pool", list)

    async def open_pool(app):
        app[key] = ["connection"]

    async def close_pool(app):
        del app[key]

    app.on_startup.append(open_pool)
    app.on_cleanup.append(close_pool)
    app.freeze()                          # a runner that freezes before startup
    await app.startup()
    assert app[key] == ["connection"]
    with pytest.raises(RuntimeError):
        app[key] = []                     # ... but not while serving
    await app.cleanup()
    assert key not in app
