"""Routing's fast path is a cache of the general one (issue 16): same match info, same path.

``routes.match_info_for`` builds a ``UrlMappingMatchInfo`` without running its ``__init__``;
``router.routing_path`` returns a target with no ``%`` and no ``?`` as it came; a frozen
router answers a target it resolved before from what it remembered.  These tests
prove, for any input hypothesis finds, that both give what the general code gives: the same
dict contents, route, handler, apps, current_app and http_exception, before and after the
application records itself, and the same routing path.
"""
from __future__ import annotations

import asyncio

import pytest
from hypothesis import example, given, settings, strategies as st

from aioteach import web
from aioteach.urlencoding import unquote
from aioteach.web.resources import DynamicResource, PlainResource
from aioteach.web.router import routing_path
from aioteach.web.routes import UrlMappingMatchInfo, match_info_for
from tests.web.app_support import FakeRequest


async def handler(request):
    return web.Response(text="ok")


async def expect(request):
    return None


def observed(info: UrlMappingMatchInfo) -> dict:
    """Everything a handler, a middleware or the app can read from a match info."""
    return {"type": type(info), "dict": dict(info), "repr": repr(info), "route": info.route,
            "handler": info.handler, "expect_handler": info.expect_handler,
            "apps": info.apps, "current_app": info.current_app,
            "http_exception": info.http_exception, "get_info": info.get_info(),
            "frozen": info._frozen}


variables = st.dictionaries(st.text(min_size=1, max_size=8), st.text(max_size=12), max_size=4)
apps = st.lists(st.sampled_from(["root", "api", "v1", object()]), max_size=3)


@settings(max_examples=200, deadline=None)
@given(variables=variables, apps=apps, dynamic=st.booleans(), with_expect=st.booleans(),
       freeze=st.booleans(), current=st.sampled_from([None, "outer"]))
def test_match_info_for_is_the_constructor(variables, apps, dynamic, with_expect, freeze,
                                          current):
    resource = DynamicResource("/users/{id}") if dynamic else PlainResource("/about")
    route = resource.add_route("GET", handler, expect_handler=expect if with_expect else None)
    general, fast = UrlMappingMatchInfo(variables, route), match_info_for(variables, route)
    assert observed(fast) == observed(general)
    for info in (general, fast):           # what the app and the sub-app resources then do
        for app in reversed(apps):
            info.add_app(app)
        if current is not None:
            info.current_app = current
        if freeze:
            info.freeze()
    assert observed(fast) == observed(general)
    if freeze:
        for info in (general, fast):
            with pytest.raises(RuntimeError, match="frozen"):
                info.add_app("late")
    # the dict is the match info's own: changing it changes neither the variables nor the other
    fast["added"] = "x"
    assert "added" not in variables and "added" not in general


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="/ab%2F5?=&x", max_size=16))
def test_routing_path_quick_case_is_the_general_rule(target):
    general = target.partition("?")[0]
    general = unquote(general, keep="%/") if "%" in general else general
    assert routing_path(target) == general


segment = st.text(alphabet="abz09-_.~%2F", min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(segments=st.lists(segment, min_size=1, max_size=3), query=st.sampled_from(["", "?q=1"]),
       method=st.sampled_from(["GET", "HEAD", "POST", "PUT"]))
@example(segments=["a"], query="", method="HEAD")
@example(segments=["a", "x%2Fy"], query="?q=1", method="POST")
@example(segments=["b", "1", "%252F"], query="", method="PUT")
@example(segments=["api", "items", "7"], query="", method="GET")
def test_the_router_answers_as_the_general_constructor_would(segments, query, method):
    app = web.Application()
    api = web.Application()
    app.router.add_get("/a", handler)
    app.router.add_post("/a/{x}", handler)
    app.router.add_route("*", "/b/{x}/{y}", handler)
    api.router.add_get("/items/{item}", handler)
    app.add_subapp("/api", api)
    app.freeze()
    target = "/" + "/".join(segments) + query
    path = routing_path(target)
    info = asyncio.run(app.router.resolve(FakeRequest(method, target)))
    # The second time the router may answer from what it remembered (_seen): the same answer.
    again = asyncio.run(app.router.resolve(FakeRequest(method, target)))
    remembered = target in app.router._seen.get(method, {})
    assert remembered == (info.http_exception is None and not info.apps and not query)
    if info.http_exception is not None:
        assert type(again) is type(info) and again.http_exception.status == \
            info.http_exception.status
        return                                  # 404/405: not built by the fast path
    assert again is not info                    # a fresh match info for each request
    resource = info.route.resource
    general = UrlMappingMatchInfo(resource._match_path(path), info.route)
    if info.apps:                               # reached through the sub-application
        general.add_app(api)
    assert observed(info) == observed(general)
    assert observed(again) == observed(general)
    again["changed"] = "by a handler"           # a handler's change stays in its own request
    third = asyncio.run(app.router.resolve(FakeRequest(method, target)))
    assert observed(third) == observed(general)


def test_the_remembered_targets_are_bounded():
    app = web.Application()
    app.router.add_get("/u/{id}", handler)
    app.freeze()
    for n in range(2500):
        info = app.router.match_request(FakeRequest("GET", f"/u/{n}"))
        assert dict(info) == {"id": str(n)}
    assert 0 < app.router._seen_count <= 1024
    assert sum(map(len, app.router._seen.values())) == app.router._seen_count


def test_an_unfrozen_router_remembers_nothing():
    app = web.Application()
    app.router.add_get("/a", handler)
    app.router.match_request(FakeRequest("GET", "/a"))
    assert app.router._seen == {}


def test_the_examples_above_are_matches():
    app = web.Application()
    app.router.add_post("/a/{x}", handler)
    app.router.add_get("/a", handler)
    app.freeze()
    for method, target, expected in [("HEAD", "/a", {}), ("POST", "/a/x%2Fy?q=1", {"x": "x/y"})]:
        info = asyncio.run(app.router.resolve(FakeRequest(method, target)))
        assert info.http_exception is None and dict(info) == expected
