"""Lesson 08's exercise: count the complete requests in a pipelined byte string.

Theory of operation.  ``check_count_requests(count_requests)`` calls the learner's plain
function ``count_requests(data: bytes) -> int`` on a handful of byte strings, each a few
requests sent back to back on one connection (pipelining, RFC 9112 section 9.3.2), and
compares with the right count.  A request counts once it is *complete*: its head and its whole
body have arrived, which is exactly when ``RequestParser`` reports ``EndOfMessage``.

The cases are chosen so that the shortcuts fail and the parser wins: counting ``b"HTTP/1.1"``
is fooled by a body that contains a request's text, and by a request whose body has not fully
arrived; counting empty lines is fooled by chunked bodies.  No server is involved: the
parser is sans-I/O, so bytes in a variable are as good as bytes from a socket.
"""
from __future__ import annotations

import inspect
from typing import Any, List, Tuple

from . import CheckResult, run_check

__all__ = ["check_count_requests", "CASES"]


def _post(body: bytes) -> bytes:
    return (b"POST /notes HTTP/1.1\r\nHost: example.org\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


_GET = b"GET / HTTP/1.1\r\nHost: example.org\r\n\r\n"
_CHUNKED = (b"POST /upload HTTP/1.1\r\nHost: example.org\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n0\r\n\r\n")

#: (what the case is, the bytes, how many complete requests they hold)
CASES: List[Tuple[str, bytes, int]] = [
    ("one GET", _GET, 1),
    ("three GETs back to back", _GET * 3, 3),
    ("nothing at all", b"", 0),
    ("a GET, a POST with a body, a GET", _GET + _post(b"name=ada") + _GET, 3),
    ("a POST whose body holds the text of a request", _post(_GET) + _GET, 2),
    ("two GETs and half of a third", _GET * 2 + _GET[:20], 2),
    ("a POST whose body has not all arrived", _GET + _post(b"0123456789")[:-4], 1),
    ("a chunked POST between two GETs", _GET + _CHUNKED + _GET, 3),
]


def check_count_requests(count_requests: Any) -> CheckResult:
    """Check ``count_requests(data) -> int``: the complete requests in ``data``."""
    async def body(result: CheckResult) -> None:
        if inspect.iscoroutinefunction(count_requests) or not callable(count_requests):
            result.fail("count_requests is a plain function", got=repr(count_requests),
                        hint="write `def count_requests(data):`; the parser needs no await")
            return
        for what, data, expected in CASES:
            try:
                got = count_requests(data)
            except Exception as exc:
                result.fail(f"{what}: {expected}", got=f"it raised {exc!r}",
                            hint="feed the bytes to RequestParser().feed(data) and count "
                                 "the EndOfMessage events")
                continue
            result.expect(got == expected, f"{what}: {expected}", got=repr(got),
                          hint="a request is complete at its EndOfMessage event; count "
                               "those, not the text")
    return run_check("check_count_requests", body)
