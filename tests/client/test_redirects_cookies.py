"""Redirects (RFC 9110 15.4) and cookies (RFC 6265) through a real server."""
from __future__ import annotations

import pytest

import aioteach
from aioteach import BasicAuth, ClientSession, CookieJar

from .servers import RawServer, respond, serve_responses


@pytest.mark.parametrize("code, method, expected_method, body_kept", [
    (301, "GET", "GET", True),         # a GET keeps whatever it had
    (302, "PUT", "PUT", True),         # only a POST becomes a GET
    (303, "POST", "GET", False),        # See Other: always GET, without the body
    (301, "POST", "GET", False),        # like browsers and aiohttp
    (302, "POST", "GET", False),
    (307, "POST", "POST", True),        # 307/308 keep the method and the body
    (308, "PUT", "PUT", True),
    (303, "HEAD", "HEAD", False),
])
async def test_redirect_method_and_body_rules(base_url, code, method, expected_method, body_kept):
    async with ClientSession() as session:
        async with session.request(method, f"{base_url}/redirect/{code}?to=/echo",
                                   data=b"payload" if method != "HEAD" else None) as resp:
            assert resp.status == 200
            assert [r.status for r in resp.history] == [code]
            assert str(resp.history[0].url) == f"{base_url}/redirect/{code}?to=/echo"
            assert resp.url.path == "/echo"
            if method == "HEAD":
                return
            echoed = await resp.json()
    assert echoed["method"] == expected_method
    assert echoed["body"] == ("payload" if body_kept else "")
    names = [n.lower() for n, _ in echoed["headers"]]
    assert ("content-type" in names) == body_kept


async def test_allow_redirects_false_returns_the_redirect(base_url):
    async with ClientSession() as session:
        async with session.get(f"{base_url}/redirect/302?to=/hello",
                               allow_redirects=False) as resp:
            assert resp.status == 302
            assert resp.headers["Location"] == "/hello"
            assert resp.history == ()


async def test_too_many_redirects(base_url):
    async with ClientSession() as session:
        with pytest.raises(aioteach.TooManyRedirects) as caught:
            await session.get(f"{base_url}/loop/0")
        assert len(caught.value.history) == 10        # aiohttp's rule: the 10th raises
        with pytest.raises(aioteach.TooManyRedirects):
            await session.get(f"{base_url}/loop/0", max_redirects=3)
        async with session.get(f"{base_url}/redirect/302?to=/hello", max_redirects=2) as resp:
            assert await resp.text() == "hello world"


async def test_authorization_is_dropped_on_a_cross_origin_redirect(base_url):
    # The same server under another name (localhost vs 127.0.0.1) is another origin.
    other = base_url.replace("127.0.0.1", "localhost")
    async with ClientSession() as session:
        async with session.get(f"{base_url}/redirect/302?to={other}/echo",
                               auth=BasicAuth("ann", "pw")) as resp:
            cross = {n.lower() for n, _ in (await resp.json())["headers"]}
        async with session.get(f"{base_url}/redirect/302?to=/echo",
                               headers={"Authorization": "Bearer t"}) as resp:
            same = dict((n.lower(), v) for n, v in (await resp.json())["headers"])
    assert "authorization" not in cross
    assert same["authorization"] == "Bearer t"


async def test_redirect_to_a_non_http_scheme_is_refused(base_url):
    async with ClientSession() as session:
        with pytest.raises(aioteach.InvalidURL, match="not http"):
            await session.get(f"{base_url}/redirect/302?to=ftp://example.com/")


async def test_cookies_are_stored_and_sent_back(base_url):
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
        async with session.get(f"{base_url}/cookies/set?flavour=oat&size=big") as resp:
            assert {k: m.value for k, m in resp.cookies.items()} == {"flavour": "oat",
                                                                       "size": "big"}
        assert len(session.cookie_jar) == 2
        async with session.get(f"{base_url}/cookies") as resp:
            assert await resp.json() == {"flavour": "oat", "size": "big"}
        async with session.get(f"{base_url}/cookies/delete?name=size") as resp:
            await resp.read()
        async with session.get(f"{base_url}/cookies", cookies={"extra": "1"}) as resp:
            assert await resp.json() == {"flavour": "oat", "extra": "1"}


async def test_cookie_paths(base_url):
    async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
        await (await session.get(f"{base_url}/cookies/set-path")).read()
        async with session.get(f"{base_url}/cookies/scoped") as resp:
            assert await resp.json() == {"scoped": "yes"}
        async with session.get(f"{base_url}/cookies") as resp:
            assert await resp.json() == {}


async def test_the_default_jar_ignores_ip_hosts_like_aiohttp(base_url):
    async with ClientSession() as session:
        await (await session.get(f"{base_url}/cookies/set?a=1")).read()
        assert len(session.cookie_jar) == 0
    # ... but cookies given to the session are "shared" and go everywhere
    async with ClientSession(cookies={"given": "yes"}) as session:
        async with session.get(f"{base_url}/cookies") as resp:
            assert await resp.json() == {"given": "yes"}


async def test_set_cookie_during_a_redirect_is_kept():
    def answer(seen):
        if seen.target == "/login":
            return respond(302, headers={"Location": "/home", "Set-Cookie": "sid=42; Path=/"},
                           reason="Found")
        return respond(200, (seen.header("cookie") or "none").encode())

    async with RawServer(serve_responses(answer)) as server:
        async with ClientSession(cookie_jar=CookieJar(unsafe=True)) as session:
            async with session.get(server.url("/login")) as resp:
                assert await resp.text() == "sid=42"


async def test_a_redirect_chain_is_one_traced_request(base_url):
    from aioteach import trace
    async with ClientSession() as session:
        with trace.record(["client.request_start", "client.request_end"]) as rec:
            async with session.get(f"{base_url}/redirect/302?to=/redirect/307%3Fto%3D/hello") as resp:
                assert await resp.text() == "hello world"
                assert [r.status for r in resp.history] == [302, 307]
    assert [(e.kind, e.get("status")) for e in rec.events] == [
        ("client.request_start", None), ("client.request_end", 200)]
