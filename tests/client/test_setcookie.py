"""Set-Cookie fields read as browsers read them (client/setcookie.py), kept by the jar and sent
back; per-request Morsel cookies under their own names, Secure ones only over https."""
from __future__ import annotations

import logging
from http.cookies import Morsel

import pytest

from aioteach import ClientSession, CookieJar
from aioteach.client.setcookie import cookies_of, parse_set_cookie

from .servers import RawServer, respond, serve_responses


@pytest.mark.parametrize(("field", "name", "value", "attributes"), [
    ("a=b; Path=/ Max-Age=1; HttpOnly", "a", "b", {"path": "/", "max-age": "1",
                                                   "httponly": True}),
    ("path=unquoted", "path", "unquoted", {}),          # an attribute's name, first: a cookie
    ('secure="quoted"', "secure", "quoted", {}),
    ("ISAWPLB{A7F5}={925E}; Path=/", "ISAWPLB{A7F5}", "{925E}", {"path": "/"}),
    ("c=1; Expires=Tue, 1 Jan 1980 12:00:00 GMT", "c", "1",
     {"expires": "Tue, 1 Jan 1980 12:00:00 GMT"}),
    ("x=1; Domain=.example.com; Secure; SameSite=Lax", "x", "1",
     {"domain": ".example.com", "secure": True, "samesite": "Lax"}),
])
def test_a_field_gives_its_pair_and_attributes(field, name, value, attributes):
    morsel = parse_set_cookie(field)
    assert (morsel.key, morsel.value) == (name, value)
    assert {k: v for k, v in morsel.items() if v} == attributes


def test_fields_without_a_pair_are_ignored_and_a_bad_name_is_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="aioteach.client"):
        jar = cookies_of(["noequals", "=nameless", "invalid,cookie=v; Path=/", "ok=1"])
    assert list(jar) == ["ok"]
    assert "Can not load cookies: Illegal cookie name 'invalid,cookie'" in caplog.text


async def test_the_jar_keeps_odd_names_and_max_age_and_sends_them_back():
    def answer(seen):
        if seen.target == "/set":
            return respond(200, headers={"Set-Cookie": "ISAWPLB{A7F5}={925E}; Path=/ Max-Age=99"})
        return respond(200, (seen.header("cookie") or "").encode())

    async with RawServer(serve_responses(answer)) as server:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
            async with session.get(server.url("/set")) as resp:
                assert resp.cookies["ISAWPLB{A7F5}"].value == "{925E}"
            (stored,) = list(session.cookie_jar)
            assert stored["max-age"] == "99"
            async with session.get(server.url("/echo")) as resp:
                assert await resp.read() == b"ISAWPLB{A7F5}={925E}"


async def test_request_morsels_go_under_their_own_names_and_secure_ones_not_over_http():
    def echo(seen):
        return respond(200, (seen.header("cookie") or "").encode())

    named, secret = Morsel(), Morsel()
    named.set("real", "1", "1")
    secret.set("auth", "token", "token")
    secret["secure"] = True
    async with RawServer(serve_responses(echo)) as server:
        async with ClientSession() as session:
            cookies = {"alias": named, "auth": secret, "plain": "ok"}
            async with session.get(server.url("/"), cookies=cookies) as resp:
                assert await resp.read() == b"real=1; plain=ok"


async def test_a_trusted_origin_gets_secure_cookies_over_http():
    def echo(seen):
        return respond(200, (seen.header("cookie") or "").encode())

    secret = Morsel()
    secret.set("auth", "token", "token")
    secret["secure"] = True
    async with RawServer(serve_responses(echo)) as server:
        jar = CookieJar(unsafe=True, treat_as_secure_origin=[server.url("/")])
        async with ClientSession(cookie_jar=jar) as session:
            async with session.get(server.url("/"), cookies={"auth": secret}) as resp:
                assert await resp.read() == b"auth=token"
        assert not CookieJar(treat_as_secure_origin="http://example.com").is_secure(
            jar_url := __import__("aioteach").URL(server.url("/")))
        assert jar.is_secure(jar_url)
