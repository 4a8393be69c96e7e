"""CR or LF in a response's header value or reason phrase is a ValueError where it is set
(response splitting, RFC 9112 4 and RFC 9110 5.5), as aiohttp does, on every mutation path."""
from __future__ import annotations

import pytest

from aioteach import web
from aioteach.multidict import CIMultiDict
from aioteach.web.responseheaders import ResponseHeaders

BAD = ["a\r\nb", "a\nb", "a\rb", "\r\n"]


@pytest.fixture(params=[web.StreamResponse, web.Response])
def response(request: pytest.FixtureRequest) -> web.StreamResponse:
    return request.param()


@pytest.mark.parametrize("value", BAD)
def test_setitem_is_refused(response: web.StreamResponse, value: str) -> None:
    with pytest.raises(ValueError):
        response.headers["X"] = value
    assert "X" not in response.headers


@pytest.mark.parametrize("value", BAD)
def test_add_and_setdefault_are_refused(response: web.StreamResponse, value: str) -> None:
    with pytest.raises(ValueError):
        response.headers.add("X", value)
    with pytest.raises(ValueError):
        response.headers.setdefault("Y", value)
    assert "X" not in response.headers and "Y" not in response.headers


@pytest.mark.parametrize("method", ["update", "extend", "merge"])
def test_update_extend_merge_are_refused(response: web.StreamResponse, method: str) -> None:
    headers = response.headers
    with pytest.raises(ValueError):
        getattr(headers, method)({"X": "a\r\nb"})
    with pytest.raises(ValueError):
        getattr(headers, method)([("X", "ok"), ("Y", "a\nb")])
    with pytest.raises(ValueError):
        getattr(headers, method)(Z="a\rb")
    assert not {"X", "Y", "Z"} & set(headers)


def test_link_header_is_refused(response: web.StreamResponse) -> None:
    with pytest.raises(ValueError):
        response.headers["Link"] = '</next>; rel="next"\r\nSet-Cookie: x=1'


@pytest.mark.parametrize("kind", [dict, list, CIMultiDict])
def test_headers_argument_is_refused_at_construction(kind: type) -> None:
    pairs = [("X", "a\r\nSet-Cookie: x=1")]
    value = dict(pairs) if kind is dict else kind(pairs)
    with pytest.raises(ValueError):
        web.Response(headers=value)
    with pytest.raises(ValueError):
        web.StreamResponse(headers=value)
    with pytest.raises(ValueError):
        web.json_response({}, headers=value)


@pytest.mark.parametrize("reason", ["a\nb", "a\rb", "a\r\nb"])
def test_reason_is_refused(reason: str) -> None:
    with pytest.raises(ValueError):
        web.Response(reason=reason)
    with pytest.raises(ValueError):
        web.StreamResponse(reason=reason)
    response = web.Response()
    with pytest.raises(ValueError):
        response.set_status(200, reason)
    assert response.reason == "OK"
    with pytest.raises(ValueError):
        web.HTTPBadRequest(reason=reason)


def test_good_values_pass_and_headers_are_response_headers() -> None:
    response = web.Response(text="hi", headers={"X-A": "1"}, reason="Fine")
    headers = response.headers
    assert isinstance(headers, ResponseHeaders)
    headers["X-B"] = "tab\tand space ok"
    headers.add("X-B", "two")
    headers.update({"X-C": "3"})
    headers.extend([("X-D", "4")])
    assert headers.setdefault("X-E", "5") == "5"
    assert headers.getall("X-B") == ["tab\tand space ok", "two"]
    assert (headers["X-A"], headers["Content-Type"]) == ("1", "text/plain; charset=utf-8")
    response.set_status(201, "Made")
    assert response.reason == "Made"
    assert isinstance(headers.copy(), ResponseHeaders)


def test_headers_argument_is_copied() -> None:
    given = {"X": "1"}
    response = web.Response(headers=given)
    given["X"] = "2"
    assert response.headers["X"] == "1"


def test_redirect_location_is_percent_encoded_not_refused() -> None:
    found = web.HTTPFound("/a\r\nSet-Cookie: x=1")
    assert "\r" not in found.headers["Location"] and "\n" not in found.headers["Location"]


async def test_a_handler_setting_a_bad_header_fails_on_that_line() -> None:
    from tests.web.server_support import exchange, get, serve
    app = web.Application()
    seen: list = []

    async def handler(request: web.Request) -> web.Response:
        response = web.Response(text="x")
        try:
            response.headers["X"] = "a\r\nb"
        except ValueError as exc:
            seen.append(exc)
        return response

    app.router.add_get("/", handler)
    async with serve(app) as (port, _):
        answer = await exchange(port, get("/"))
    assert answer.status == 200 and len(seen) == 1
