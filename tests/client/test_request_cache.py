"""The plain-request cache (client/requestcache.py) is a cache of the general path.

A session keeps the ``ClientRequest`` and pool key it built for a plain request (a URL
string and nothing else of its own) and sends them again next time.  So the same sequence of
requests, made once by a session with its cache and once by one without, must hand the same
head bytes, pool keys and URLs to the exchange, hop by hop: for any URLs (hosts, ports,
credentials, escapes, fragments, relative ones against a ``base_url``), session defaults,
per-request extras, cookies arriving in between and redirects.  The exchange is replaced by
a stand-in that records what it was given and answers at once, so no network is involved.
"""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List
from unittest import mock

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from aioteach.client import BasicAuth, ClientSession
from aioteach.client.response import ClientResponse
from aioteach.http1 import Response

SCHEMES = st.sampled_from(["http", "https", "ws", "HTTP"])
HOSTS = st.sampled_from(["example.com", "B.Example", "a.test", "127.0.0.1", "[::1]",
                         "xn--bcher-kva.example", "bücher.example"])
PORTS = st.sampled_from(["", ":80", ":443", ":8080", ":"])
USERINFO = st.sampled_from(["", "", "u:p@", "u@", "us%20er:p%3Aw@"])
PATH_CHARS = st.sampled_from(list("/abc.%20 é?=&#~") + ["..", "%7E", "%2F", "/r", "r", "/c"])
PATHS = st.lists(PATH_CHARS, max_size=8).map("".join)
ABSOLUTE = st.builds(lambda s, u, h, p, path: f"{s}://{u}{h}{p}/{path}",
                     SCHEMES, USERINFO, HOSTS, PORTS, PATHS)
RELATIVE = st.sampled_from(["/x", "y", "", "?q=1", "../up", "/r"])
URLS = st.lists(st.one_of(ABSOLUTE, ABSOLUTE, RELATIVE, st.just("nonsense://x")),
                min_size=1, max_size=2)
METHODS = st.sampled_from(["GET", "GET", "HEAD", "DELETE", "OPTIONS", "get"])
# Half the requests are plain (those the cache serves); the others bring one extra each.
EXTRAS = st.one_of(st.just({}), st.sampled_from([
    {"headers": {"X-A": "1"}}, {"headers": {"Host": "other.test"}}, {"params": {"q": "1"}},
    {"cookies": {"c": "1"}}, {"skip_auto_headers": ["User-Agent"]},
    {"auth": BasicAuth("u", "p")}, {"data": b"x"}, {"json": {"a": 1}},
    {"allow_redirects": False}, {"timeout": 5}, {"server_hostname": "sni.test"},
    {"ssl": False}, {"proxy": "http://proxy.test:3128"}, {"chunked": True}]))
REQUEST = st.tuples(st.just("request"), METHODS, st.integers(0, 1), EXTRAS)
STEPS = st.lists(st.one_of(REQUEST, REQUEST, REQUEST, st.sampled_from([("cookie",), ("clear",)])),
                 min_size=1, max_size=10)
SESSIONS = st.fixed_dictionaries({
    "headers": st.sampled_from([None, {"X-D": "d"}, {"User-Agent": "me"}, {"Accept": "a/b"}]),
    "skip_auto_headers": st.sampled_from([None, ["Accept-Encoding"]]),
    "base_url": st.sampled_from([None, "http://base.test/p/", "https://base.test:8443"]),
})


class Recorder:
    """Stands in for exchange.exchange: records each hop, answers 200 at once, or a 302
    for a first hop to a path holding /r, or sets a cookie for one holding /c."""

    def __init__(self) -> None:
        self.hops: List[Any] = []

    async def __call__(self, connector: Any, req: Any, url: Any, key: Any, options: Any,
                       req_id: int, history: list) -> ClientResponse:
        self.hops.append((req.method, req.head, key, str(url), req.keep_alive))
        resp = ClientResponse(req.method, url, real_url=url, request_headers=req.headers,
                              loop=options.loop)
        fields: tuple = ()
        status = 200
        if "/r" in url.raw_path and not history:
            status, fields = 302, (("Location", "/target"),)
        elif "/c" in url.raw_path:
            fields = (("Set-Cookie", "got=1; Path=/"),)
        resp._on_head(Response(status, "", fields, content_length=0), True)
        return resp


async def run(session_args: Dict[str, Any], urls: List[str], steps: list,
              cache: bool) -> List[Any]:
    recorder = Recorder()
    outcome: List[Any] = []
    with mock.patch("aioteach.client.session.exchange", recorder):
        async with ClientSession(**session_args) as session:
            if not cache:
                session._requests = None
            for step in steps:
                if step[0] == "cookie":
                    session.cookie_jar.update_cookies({"k": "v"})
                elif step[0] == "clear":
                    session.cookie_jar.clear()
                else:
                    _, method, which, extras = step
                    try:
                        resp = await session.request(method, urls[which % len(urls)], **extras)
                        outcome.append((resp.status, str(resp.url), len(resp.history)))
                    except Exception as exc:   # the same errors, raised the same way
                        outcome.append((type(exc).__name__, str(exc)))
            outcome.append(session._requests is not None and len(session._requests))
    return recorder.hops + outcome


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(session_args=SESSIONS, urls=URLS, steps=STEPS)
@example(session_args={"headers": None, "skip_auto_headers": None, "base_url": None},
         urls=["http://u:p@example.com/r"], steps=[("request", "GET", 0, {})] * 2)
def test_cached_and_general_paths_send_the_same(session_args: Dict[str, Any],
                                                urls: List[str], steps: list) -> None:
    cached = asyncio.run(run(session_args, urls, steps, cache=True))
    general = asyncio.run(run(session_args, urls, steps, cache=False))
    assert cached[:-1] == general[:-1]


def test_a_plain_request_is_built_once_and_sent_again() -> None:
    """The property above is not vacuous: a repeat really comes from the cache."""
    async def main() -> List[Any]:
        recorder = Recorder()
        with mock.patch("aioteach.client.session.exchange", recorder):
            async with ClientSession() as session:
                for _ in range(2):
                    await session.get("http://example.com/a?b=1#f")
                assert session._requests is not None
                assert list(session._requests) == [("GET", "http://example.com/a?b=1#f")]
                await session.get("http://example.com/a?b=1#f", headers={"X": "1"})
                assert len(session._requests) == 1     # extras: built, not remembered
        return recorder.hops
    hops = asyncio.run(main())
    assert hops[0] == hops[1]
    assert hops[0][1].startswith(b"GET /a?b=1 HTTP/1.1\r\nHost: example.com\r\n")


def test_no_cache_where_every_request_gets_extras() -> None:
    async def kept(**args: Any) -> bool:
        async with ClientSession(**args) as session:
            return session._requests is not None
    assert asyncio.run(kept()) and asyncio.run(kept(trace_configs=[]))
    for args in ({"auth": BasicAuth("u")}, {"trust_env": True}, {"proxy": "http://proxy.test"}):
        assert not asyncio.run(kept(**args)), args
