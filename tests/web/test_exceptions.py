"""HTTP exceptions are Responses you can raise: the class tree, defaults and special fields."""
from __future__ import annotations

import pytest

from aioteach import web
from aioteach.url import URL
from aioteach.http1 import reason_phrase

LEAVES = [getattr(web, name) for name in web.exceptions.__all__
          if getattr(web, name).status_code > 0]


@pytest.mark.parametrize("cls", LEAVES, ids=lambda c: c.__name__)
def test_every_leaf_is_a_response_and_an_exception_with_the_default_text(cls):
    if issubclass(cls, web.HTTPMove):
        exc = cls("/there")
    elif cls is web.HTTPMethodNotAllowed:
        exc = cls("PUT", ["GET"])
    elif cls is web.HTTPRequestEntityTooLarge:
        exc = cls(10, 20)
    elif cls is web.HTTPUnavailableForLegalReasons:
        exc = cls("https://authority.example")
    else:
        exc = cls()
    assert isinstance(exc, web.Response) and isinstance(exc, Exception)
    assert exc.status == cls.status_code and exc.reason == reason_phrase(cls.status_code)
    family = {2: web.HTTPSuccessful, 3: web.HTTPRedirection, 4: web.HTTPClientError,
              5: web.HTTPServerError}[cls.status_code // 100]
    assert isinstance(exc, family)
    if cls.status_code in (204, 205, 304):
        assert exc.body is None
    elif cls not in (web.HTTPRequestEntityTooLarge,):
        assert exc.text == f"{cls.status_code}: {exc.reason}"


def test_the_table_covers_aiohttps_status_codes():
    codes = {cls.status_code for cls in LEAVES}
    assert {200, 201, 204, 206, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 409,
            413, 414, 415, 416, 422, 429, 431, 451, 500, 501, 502, 503, 504, 505} <= codes


def test_special_fields():
    assert web.HTTPFound("/login").headers["Location"] == "/login"
    assert web.HTTPFound("/login").location == "/login"
    with pytest.raises(ValueError):
        web.HTTPFound("")
    exc = web.HTTPMethodNotAllowed("put", ["POST", "GET"])
    assert exc.headers["Allow"] == "GET,POST" and exc.method == "PUT"
    assert exc.allowed_methods == {"GET", "POST"}
    exc = web.HTTPRequestEntityTooLarge(max_size=10, actual_size=20)
    assert exc.text == "Maximum request body size 10 exceeded, actual body size 20"
    exc = web.HTTPUnavailableForLegalReasons("https://authority.example")
    assert exc.headers["Link"] == '<https://authority.example>; rel="blocked-by"'


def test_keywords_like_aiohttp():
    exc = web.HTTPNotFound(text="nothing here", headers={"X-A": "1"}, reason="Nope")
    assert (exc.text, exc.headers["X-A"], exc.reason, str(exc)) == \
        ("nothing here", "1", "Nope", "Nope")
    with pytest.warns(DeprecationWarning, match="body argument is deprecated"):
        exc = web.HTTPBadRequest(body=b"{}", content_type="application/json")   # as aiohttp
    assert exc.content_type == "application/json" and exc.body == b"{}"
    with pytest.raises(ValueError):
        web.HTTPBadRequest(body=b"x", text="y")


@pytest.mark.parametrize("reason", ["OK\rSet-Cookie: evil=1", "Bad\r\nInjected: 1", "a\nb"])
def test_a_reason_with_cr_or_lf_is_refused_where_it_is_given(reason):
    with pytest.raises(ValueError, match="Reason cannot contain"):
        web.HTTPOk(reason=reason)


def test_locations_and_links_arrive_percent_encoded():
    assert web.HTTPFound(location="/redirect\r\n").headers["Location"] == "/redirect%0D%0A"
    blocked = web.HTTPUnavailableForLegalReasons(link="http://warning.or.kr/\r\n")
    assert blocked.headers["Link"] == '<http://warning.or.kr/%0D%0A>; rel="blocked-by"'
    plain = web.HTTPUnavailableForLegalReasons(link="http://warning.or.kr/")
    assert plain.link == URL("http://warning.or.kr/")
    empty = web.HTTPUnavailableForLegalReasons(link="")
    assert empty.link is None and "Link" not in empty.headers


def test_can_be_raised_and_caught_by_family():
    with pytest.raises(web.HTTPClientError) as info:
        raise web.HTTPForbidden()
    assert info.value.status == 403
