"""The router: matching tables, 404/405 with Allow, HEAD, sub-applications, url_for."""
from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings, strategies as st

from aioteach import web
from aioteach.web.resources import MatchInfoError, parse_path_pattern
from tests.web.app_support import FakeRequest


async def handler(request):
    return web.Response(text="ok")


async def other(request):
    return web.Response(text="other")


async def resolve(app_or_router, method, path):
    router = getattr(app_or_router, "router", app_or_router)
    return await router.resolve(FakeRequest(method, path))


# pattern, request path, expected path variables (None: no match)
MATCH_TABLE = [
    ("/", "/", {}),
    ("/about", "/about", {}),
    ("/about", "/about/", None),                       # trailing slash is a different path
    ("/about/", "/about", None),
    ("/users/{id}", "/users/42", {"id": "42"}),
    ("/users/{id}", "/users/", None),                  # a variable is never empty
    ("/users/{id}", "/users/4/2", None),               # ... and never crosses "/"
    ("/users/{id}/posts/{post}", "/users/7/posts/x-y", {"id": "7", "post": "x-y"}),
    (r"/n/{num:\d+}", "/n/123", {"num": "123"}),
    (r"/n/{num:\d+}", "/n/12a", None),
    (r"/y/{year:\d{4}}", "/y/2024", {"year": "2024"}),  # braces nest inside a regex
    (r"/y/{year:\d{4}}", "/y/202", None),
    ("/files/{path:.+}", "/files/a/b/c.txt", {"path": "a/b/c.txt"}),  # opt in to "/"
    ("/img{n}.png", "/img7.png", {"n": "7"}),           # a variable inside a segment
    ("/caf\u00e9", "/caf%C3%A9", {}),                   # matching is on the decoded path
    ("/t/{tag}", "/t/a%20b", {"tag": "a b"}),
    ("/a.b", "/aXb", None),                             # literal text is not a regex
    # an encoded "/" stays inside its segment, as in aiohttp (URL.path_safe)
    ("/files/{name}", "/files/a%2Fb", {"name": "a/b"}),
    ("/files/{name}", "/files/a%2fb", {"name": "a/b"}),
    ("/files/{name}/meta", "/files/a%2Fb/meta", {"name": "a/b"}),
    ("/files/{name}", "/files/a%252Fb", {"name": "a%2Fb"}),  # decoded once, not twice
    ("/files/{name}", "/files/100%25", {"name": "100%"}),
    ("/a/b", "/a%2Fb", None),                           # ... so it is not a separator
    ("/files/{path:.+}", "/files/a%2Fb/c", {"path": "a/b/c"}),
]


@pytest.mark.parametrize("pattern,path,expected", MATCH_TABLE)
async def test_match_table(pattern, path, expected):
    router = web.UrlDispatcher()
    router.add_get(pattern, handler)
    info = await resolve(router, "GET", path)
    if expected is None:
        assert isinstance(info, MatchInfoError)
        assert info.http_exception.status == 404
    else:
        assert info.http_exception is None
        assert dict(info) == expected
        assert info.handler is handler
        assert info.route.resource.raw_match(pattern)


@pytest.mark.parametrize("pattern,canonical", [
    ("/users/{id}", "/users/{id}"),
    (r"/n/{num:\d+}/x", "/n/{num}/x"),                 # the regex is not part of it (aiohttp)
    (r"/y/{year:\d{4}}-{m}", "/y/{year}-{m}"),
])
def test_canonical_names_the_variables_without_their_regexes(pattern, canonical):
    router = web.UrlDispatcher()
    resource = router.add_resource(pattern)
    assert resource.canonical == canonical
    assert resource.raw_match(pattern) and not resource.raw_match(canonical + "/other")
    assert router.add_resource(pattern) is resource       # same pattern, same resource


async def test_plain_route_beats_variable_whatever_the_order():
    router = web.UrlDispatcher()
    router.add_get("/users/{id}", other)
    router.add_get("/users/me", handler)
    assert (await resolve(router, "GET", "/users/me")).handler is handler
    assert (await resolve(router, "GET", "/users/you")).handler is other


async def test_longer_literal_prefix_wins_then_registration_order():
    router = web.UrlDispatcher()
    router.add_get("/{a}/{b}", other)
    router.add_get("/docs/{page}", handler)
    router.add_get("/docs/{other_name}", other)        # same prefix, later: loses
    info = await resolve(router, "GET", "/docs/intro")
    assert info.handler is handler and dict(info) == {"page": "intro"}
    assert (await resolve(router, "GET", "/blog/intro")).handler is other


async def test_404_match_info_raises_when_its_handler_runs():
    router = web.UrlDispatcher()
    router.add_get("/here", handler)
    info = await resolve(router, "GET", "/elsewhere")
    assert isinstance(info.http_exception, web.HTTPNotFound)
    with pytest.raises(web.HTTPNotFound):
        await info.handler(FakeRequest("GET", "/elsewhere"))
    assert info.route.status == 404


async def test_405_lists_every_method_of_the_path_sorted():
    router = web.UrlDispatcher()
    router.add_post("/x", handler)
    router.add_get("/x", handler)
    router.add_delete("/x", handler)
    info = await resolve(router, "PUT", "/x")
    error = info.http_exception
    assert isinstance(error, web.HTTPMethodNotAllowed)
    assert error.headers["Allow"] == "DELETE,GET,HEAD,POST"
    with pytest.raises(web.HTTPMethodNotAllowed):
        await info.handler(FakeRequest("PUT", "/x"))


async def test_405_gathers_methods_from_every_resource_that_matched_the_path():
    router = web.UrlDispatcher()
    router.add_get(r"/items/{id:\d+}", handler)
    router.add_post("/items/{name}", handler)
    error = (await resolve(router, "PATCH", "/items/12")).http_exception
    assert error.headers["Allow"] == "GET,HEAD,POST"
    error = (await resolve(router, "PATCH", "/items/abc")).http_exception
    assert error.headers["Allow"] == "POST"


async def test_a_full_match_elsewhere_beats_a_partial_one():
    router = web.UrlDispatcher()
    router.add_get("/things/new", handler)              # plain, GET only
    router.add_post("/things/{name}", other)            # dynamic, POST
    info = await resolve(router, "POST", "/things/new")
    assert info.http_exception is None and info.handler is other


async def test_get_answers_head_unless_allow_head_is_false():
    router = web.UrlDispatcher()
    router.add_get("/with", handler)
    router.add_get("/without", handler, allow_head=False)
    assert (await resolve(router, "HEAD", "/with")).handler is handler
    error = (await resolve(router, "HEAD", "/without")).http_exception
    assert error.status == 405 and error.headers["Allow"] == "GET"


async def test_star_route_takes_any_method_but_a_specific_one_comes_first():
    router = web.UrlDispatcher()
    resource = router.add_resource("/any")
    resource.add_route("GET", handler)
    resource.add_route("*", other)
    assert (await resolve(router, "GET", "/any")).handler is handler
    assert (await resolve(router, "BREW", "/any")).handler is other


def test_duplicate_routes_are_refused_with_a_hint():
    router = web.UrlDispatcher()
    router.add_get("/x", handler)
    router.add_post("/y", handler)
    with pytest.raises(RuntimeError, match="already routed"):
        router.add_get("/x", other)
    with pytest.raises(RuntimeError, match="already routed"):
        router.add_route("HEAD", "/x", other)           # add_get registered HEAD too
    router.add_route("*", "/z", handler)
    with pytest.raises(RuntimeError):
        router.add_get("/z", other)                     # "*" already takes every method


def test_add_get_and_add_post_share_one_resource():
    router = web.UrlDispatcher()
    router.add_get("/users/{id}", handler)
    router.add_post("/users/{id}", other)
    assert len(router.resources()) == 1
    assert [r.method for r in router.routes()] == ["HEAD", "GET", "POST"]


@pytest.mark.parametrize("bad", ["no-slash", "/a/{", "/a/}", "/a/{1x}", "/a/{class}",
                                 "/a/{x:(}"])
def test_bad_patterns_are_refused(bad):
    router = web.UrlDispatcher()
    with pytest.raises(ValueError):
        router.add_get(bad, handler)


def test_handler_must_be_callable():
    with pytest.raises(TypeError, match="callable"):
        web.UrlDispatcher().add_get("/x", "not a function")


def test_parse_path_pattern_splits_text_and_variables():
    assert parse_path_pattern(r"/u/{id:\d{2}}/p/{name}") == [
        ("text", "/u/", None), ("var", "id", r"\d{2}"), ("text", "/p/", None),
        ("var", "name", None)]


# -- names and url_for ------------------------------------------------------------------------
def test_url_for_plain_and_dynamic_routes():
    router = web.UrlDispatcher()
    router.add_get("/about", handler, name="about")
    router.add_get("/users/{id}/files/{name}", handler, name="user-file")
    assert str(router["about"].url_for()) == "/about"
    url = router["user-file"].url_for(id=7, name="a b/c?.txt")
    assert str(url) == "/users/7/files/a%20b/c%3F.txt"
    with pytest.raises(KeyError, match="name"):
        router["user-file"].url_for(id=7)


def test_route_names_are_unique_and_look_like_identifiers():
    router = web.UrlDispatcher()
    router.add_get("/a", handler, name="api.user-detail:v2")
    with pytest.raises(ValueError, match="already used"):
        router.add_get("/b", handler, name="api.user-detail:v2")
    with pytest.raises(ValueError, match="identifiers"):
        router.add_get("/c", handler, name="two words")
    assert "api.user-detail:v2" in router
    assert list(router.named_resources()) == ["api.user-detail:v2"]
    assert len(router) == 1


def test_routes_and_resources_can_be_listed():
    router = web.UrlDispatcher()
    router.add_get("/", handler, name="index")
    router.add_post("/users/{id}", other)
    listing = [(r.method, r.resource.canonical, r.handler) for r in router.routes()]
    assert listing == [("HEAD", "/", handler), ("GET", "/", handler),
                       ("POST", "/users/{id}", other)]
    assert [r.canonical for r in router.resources()] == ["/", "/users/{id}"]
    assert router.resources()[1].get_info()["formatter"] == "/users/{id}"


def test_a_frozen_router_refuses_new_routes():
    router = web.UrlDispatcher()
    router.freeze()
    with pytest.raises(RuntimeError, match="frozen"):
        router.add_get("/late", handler)


# -- sub-applications --------------------------------------------------------------------------
async def test_subapp_routes_live_under_the_prefix():
    root, api = web.Application(), web.Application()
    root.router.add_get("/", handler)
    api.router.add_get("/users/{id}", other, name="user")
    api.router.add_get("", handler)                    # the prefix itself
    root.add_subapp("/api/", api)                      # trailing slash is dropped
    info = await resolve(root, "GET", "/api/users/3")
    assert info.handler is other and dict(info) == {"id": "3"}
    assert info.apps == (api,) and info.current_app is api
    assert (await resolve(root, "GET", "/api")).handler is handler
    assert str(api.router["user"].url_for(id="3")) == "/api/users/3"
    assert (await resolve(root, "GET", "/apix")).http_exception.status == 404
    assert (await resolve(root, "GET", "/api/nope")).http_exception.status == 404
    error = (await resolve(root, "POST", "/api/users/3")).http_exception
    assert error.status == 405 and error.headers["Allow"] == "GET,HEAD"


async def test_nested_subapps_record_every_app_outermost_first():
    root, outer, inner = web.Application(), web.Application(), web.Application()
    inner.router.add_get("/leaf", handler)
    outer.add_subapp("/in", inner)
    root.add_subapp("/out", outer)
    info = await resolve(root, "GET", "/out/in/leaf")
    assert info.handler is handler
    assert info.apps == (outer, inner) and info.current_app is inner


def test_subapp_is_locked_once_mounted():
    root, api = web.Application(), web.Application()
    root.add_subapp("/api", api)
    with pytest.raises(RuntimeError):
        api.router.add_get("/late", handler)
    with pytest.raises(RuntimeError, match="already mounted"):
        web.Application().add_subapp("/again", api)
    with pytest.raises(ValueError):
        root.add_subapp("/", web.Application())


# -- over a real connection ---------------------------------------------------------------------
async def test_routing_end_to_end_404_405_head_and_subapp():
    from tests.web.app_support import get, raw_exchange, serve

    root, api = web.Application(), web.Application()
    root.router.add_get("/hello/{name}", lambda r: _text(f"hello {r.match_info['name']}"))
    api.router.add_post("/items", lambda r: _text(f"item via {r.app is api}"))
    root.add_subapp("/api", api)
    async with serve(root) as port:
        ok = await raw_exchange(port, get("/hello/caf%C3%A9"))
        head = await raw_exchange(port, get("/hello/x", method="HEAD"))
        missing = await raw_exchange(port, get("/nope"))
        wrong = await raw_exchange(port, get("/hello/x", method="DELETE"))
        sub = await raw_exchange(port, get("/api/items", "Content-Length: 0", method="POST"))
        sub_wrong = await raw_exchange(port, get("/api/items"))
    assert (ok[0], ok[2].decode()) == (200, "hello caf\u00e9")
    assert head[0] == 200 and head[1]["Content-Length"] == str(len("hello x")) and head[2] == b""
    assert (missing[0], missing[2]) == (404, b"404: Not Found")
    assert wrong[0] == 405 and wrong[1]["Allow"] == "GET,HEAD"
    assert (sub[0], sub[2]) == (200, b"item via True")
    assert sub_wrong[0] == 405 and sub_wrong[1]["Allow"] == "POST"


async def _text(text):
    return web.Response(text=text)


# -- a property: url_for and resolve are inverses -------------------------------------------------

SEGMENT = st.text(st.characters(blacklist_characters="/{}", blacklist_categories=("Cs",)),
                  min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(user=SEGMENT, post=SEGMENT)
def test_url_for_then_resolve_gives_back_the_values(user, post):
    router = web.UrlDispatcher()
    router.add_get("/users/{user}/posts/{post}", handler, name="post")
    url = router["post"].url_for(user=user, post=post)
    info = asyncio.run(resolve(router, "GET", str(url)))
    assert dict(info) == {"user": user, "post": post}


async def test_a_plain_function_handler_warns_as_aiohttp_and_is_awaited():
    def documented(request):
        """Doc"""
        return web.Response(text="sync")

    router = web.UrlDispatcher()
    with pytest.warns(DeprecationWarning, match="Bare functions are deprecated") as caught:
        route = router.add_get("/sync", documented)
    assert caught[0].filename == __file__                 # points at the add_get line
    assert route.handler.__doc__ == "Doc"                  # functools.wraps keeps metadata
    response = await route.handler(object())
    assert response.text == "sync"
    with pytest.warns(DeprecationWarning):
        awaited = router.add_get("/lambda", lambda request: handler(request))
    assert (await awaited.handler(object())).text == "ok"  # a returned coroutine is awaited


def test_expect_handler_must_be_async():
    router = web.UrlDispatcher()
    with pytest.raises(TypeError, match="expect_handler must be an async def"):
        router.add_post("/upload", handler, expect_handler=lambda request: None)
