"""The one fast path of a whole ``web.Response`` is a cache of the general path.

``HttpProtocol`` sends a plain ``Response`` as one ``bytes`` (``Response.fast_bytes`` and
web/responsehead.py's ``fast_head``); everything else goes through ``prepare()`` and
``write_eof()``.  A subclass of ``Response`` never takes the fast path (the protocol checks
``type(response) is Response``), so answering the same request with the same recipe once as a
``Response`` and once as a ``GeneralResponse`` must put the same bytes on the wire, for any
text/body/status/reason/headers/content_type/charset and any later change a handler makes
(headers touched, cookies, compression, force_close, a new status or type...), and for
GET, HEAD, POST and CONNECT, HTTP/1.1 and 1.0, keep-alive or not; and the two must make the
same moves in the connection's tables (a 2xx to CONNECT, or a 101, is a switch).
"""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional, Tuple

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aioteach import web

from .test_connection_task import Transport


class GeneralResponse(web.Response):
    """The same Response; its type keeps it off the protocol's fast path."""


TEXTS = st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["Hello, World!", "é"]))
BODIES = st.one_of(st.none(), st.binary(max_size=20))
# None (and no changes) half the time: those are the responses the fast path takes.
HEADERS = st.one_of(st.none(), st.none(), st.none(), st.just({}), st.just({"X-One": "1"}),
                    st.just({"Content-Type": "image/png"}),
                    st.just({"Content-Length": "3"}), st.just({"Server": "mine", "Date": "x"}))
TYPES = st.one_of(st.none(), st.sampled_from(["text/html", "application/json", "x/y"]))
CHARSETS = st.one_of(st.none(), st.sampled_from(["utf-8", "latin-1", "UTF-8"]))
STATUSES = st.sampled_from([101, 200, 201, 204, 304, 404, 418, 500])
REASONS = st.one_of(st.none(), st.just("Fine"))
CHANGE_NAMES = [
    "force_close", "set_cookie", "enable_compression", "read_headers", "add_header",
    "set_status", "set_content_type", "set_charset", "set_text", "set_body", "chunked",
    "read_content_type", "read_charset", "read_text", "read_cookies", "set_item"]
CHANGES = st.just([]) | st.lists(st.sampled_from(CHANGE_NAMES), max_size=1) | \
    st.lists(st.sampled_from(CHANGE_NAMES), max_size=3)


def build(cls: type, recipe: Dict[str, Any], changes: List[str]) -> web.Response:
    resp = cls(**recipe)
    for change in changes:
        if change == "force_close":
            resp.force_close()
        elif change == "set_cookie":
            resp.set_cookie("k", "v")
        elif change == "enable_compression":
            resp.enable_compression()
        elif change == "read_headers":
            _ = resp.headers
        elif change == "add_header":
            resp.headers["X-Added"] = "yes"
        elif change == "set_status":
            resp.set_status(202, "Taken")
        elif change == "set_content_type":
            resp.content_type = "text/csv"
        elif change == "set_charset":
            resp.charset = "utf-16" if resp.content_type != "application/octet-stream" else None
        elif change == "set_text":
            resp.text = "changed"
        elif change == "set_body":
            resp.body = b"new body"
        elif change == "chunked":
            resp.enable_chunked_encoding()
        elif change == "read_content_type":
            _ = resp.content_type
        elif change == "read_charset":
            _ = resp.charset
        elif change == "read_text":
            _ = resp.text
        elif change == "read_cookies":
            _ = resp.cookies
        elif change == "set_item":
            resp["state"] = 1
    return resp


def buildable(recipe: Dict[str, Any], changes: List[str]) -> bool:
    try:
        build(web.Response, recipe, changes)
    except (ValueError, RuntimeError, TypeError, LookupError):
        return False                 # refused as aiohttp refuses it: nothing to send
    return True


# What the wire saw, and the moves the tables made: the server's state in http1's table after
# the cycle and the connection's in lifecycle.py's (a switch, for one, ends in CLOSING).
Outcome = Tuple[bytes, Tuple[Any, str]]


async def answer(cls: type, recipe: Dict[str, Any], changes: List[str],
                 request: bytes) -> Outcome:
    async def handler(_: web.Request) -> web.Response:
        return build(cls, recipe, changes)

    app = web.Application()
    app.router.add_route("*", "/", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        conn, transport = runner.server(), Transport()
        conn.connection_made(transport)
        conn.data_received(request)
        for _ in range(20):              # bounded: the handler returns at once, no waiting
            await asyncio.sleep(0)
        moves = (dict(conn._cycle.states), conn._life)
        conn.connection_lost(None)
        return bytes(transport.data), moves
    finally:
        await runner.cleanup()


def both(recipe: Dict[str, Any], changes: List[str], request: bytes) -> Tuple[Outcome, Outcome]:
    fast = asyncio.run(answer(web.Response, recipe, changes, request))
    general = asyncio.run(answer(GeneralResponse, recipe, changes, request))
    return fast, general


def request_bytes(method: str, version: str, close: bool, gzip: bool) -> bytes:
    lines = [f"{method} / HTTP/{version}", "Host: localhost"]
    if close:
        lines.append("Connection: close")
    if gzip:
        lines.append("Accept-Encoding: gzip, deflate")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, body=BODIES, status=STATUSES, reason=REASONS, headers=HEADERS,
       content_type=TYPES, charset=CHARSETS, changes=CHANGES,
       method=st.sampled_from(["GET", "HEAD", "POST", "CONNECT"]),
       version=st.sampled_from(["1.1", "1.0"]),
       close=st.booleans(), gzip=st.booleans())
def test_the_fast_path_puts_the_general_paths_bytes_on_the_wire(
        text: Optional[str], body: Optional[bytes], status: int, reason: Optional[str],
        headers: Any, content_type: Optional[str], charset: Optional[str], changes: List[str],
        method: str, version: str, close: bool, gzip: bool) -> None:
    recipe: Dict[str, Any] = {"text": text, "body": body, "status": status, "reason": reason,
                              "headers": headers, "content_type": content_type,
                              "charset": charset}
    recipe = {key: value for key, value in recipe.items() if value is not None}
    assume(buildable(recipe, changes))
    request = request_bytes(method, version, close, gzip)
    fast, general = both(recipe, changes, request)
    if fast != general:                  # the second (and so Date) turned between the two
        fast, general = both(recipe, changes, request)
    assert fast[0].startswith(b"HTTP/")
    assert fast == general


@pytest.mark.parametrize("change", CHANGE_NAMES)
@pytest.mark.parametrize("method", ["GET", "HEAD", "CONNECT"])
def test_each_change_alone_gives_the_general_paths_bytes(change: str, method: str) -> None:
    # A keep-alive HTTP/1.1 GET shows what a change adds (Connection: close, Set-Cookie...).
    request = request_bytes(method, "1.1", close=False, gzip=True)
    fast, general = both({"text": "Hello, World!"}, [change], request)
    if fast != general:
        fast, general = both({"text": "Hello, World!"}, [change], request)
    assert fast == general


def test_the_plain_cases_are_the_ones_the_fast_path_takes() -> None:
    # The property above would pass if nothing took the fast path: these do.
    for make in (lambda: web.Response(text="Hello, World!"),
                 lambda: web.json_response({"message": "Hello, World!"}),
                 lambda: web.Response(body=b"\x00", status=404),
                 lambda: web.Response(text="x", content_type="text/html", charset="latin-1"),
                 lambda: web.Response()):
        assert make().fast_bytes("1.1", "GET", True) is not None


def test_a_2xx_to_connect_is_a_switch_on_either_path() -> None:
    # RFC 9110 9.3.6: after a 2xx to CONNECT the connection is a tunnel; no body follows the
    # head, and the server's table records a Switch, so no further HTTP is read.
    request = b"CONNECT / HTTP/1.1\r\nHost: localhost\r\n\r\n"
    fast, general = both({"text": "tunnel-ok"}, [], request)
    if fast != general:
        fast, general = both({"text": "tunnel-ok"}, [], request)
    assert fast == general
    wire, (states, life) = fast
    assert wire.startswith(b"HTTP/1.1 200 OK\r\n") and not wire.endswith(b"tunnel-ok")
    head = wire.lower()
    assert b"content-length" not in head and b"transfer-encoding" not in head   # RFC 9110 8.6
    assert life == "CLOSING" and "SWITCHED" in str(states).upper()


def test_the_fast_path_declines_what_its_framing_rule_does_not_frame_by_length() -> None:
    assert web.Response(text="x").fast_bytes("1.1", "CONNECT", True) is None
    assert web.Response(text="x", status=101).fast_bytes("1.1", "GET", True) is None
    assert web.Response(text="x", status=404).fast_bytes("1.1", "CONNECT", True) is not None
    assert web.Response(text="x").fast_bytes("1.1", "HEAD", True) is not None
