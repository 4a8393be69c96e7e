"""A response head on the wire: the one renderer, and the one cache in front of it.

``render_head`` is the only place a server response head is put together: the framing fields
``http1.rules`` chose (RFC 9112 6.1-6.3), ``Date`` (RFC 9110 6.6.1) and ``Server`` unless the
handler set its own, the ``Connection`` option that tells the client what the server decided
(RFC 9112 9.3), then ``http1.serialize_response_head``, which refuses CR/LF and other controls.

Performance notes.  One named fast path, ``fast_head``: most responses are a plain
``Response(text=...)`` whose head differs from the last one of its kind only in the length
digits and, once a second, the date.  So the head of each kind (status, reason, version,
content type, keep-alive) is rendered *by render_head itself* once a second with a length of
0, cut around the digits, and kept; a response then costs a dict lookup and a join.  It saved
about 6% of a whole /hello request's instructions (valgrind, in-process, 172.6k then; a
/hello costs 68.0k today, Dec 2026).  Each
kind also keeps the whole heads of its first 16 lengths (a handler's answers tend to repeat
their length: /hello always has 13 bytes), so a repeated length costs a second dict lookup
instead of formatting the digits and joining three pieces: 1.1k instructions less per
response (``Response(text=)`` + ``fast_bytes`` 12.4k -> 11.3k, valgrind, CPython 3.11).
``tests/web/test_server_limits.py`` proves with hypothesis that the cached head and
``render_head`` give the same bytes; ``tests/web/test_response_fast_path.py`` that a whole
response sent this way has the general path's bytes.
"""
from __future__ import annotations

import time
from email.utils import formatdate
from typing import Any, Iterable, List, Optional, Tuple

from ..http1 import serialize_response_head
from ..http1.rules import CHUNKED, NO_BODY_STATUSES, connection_option
from ..multidict import CIMultiDict

__all__ = ["SERVER_SOFTWARE", "http_date", "render_head", "fast_head"]

SERVER_SOFTWARE = "aioteach"

# Every response carries Date.  Formatting it costs about as much as parsing a small request,
# so it is formatted at most once a second and cached, keyed on the second.
_date_cache: Tuple[int, str] = (0, "")


def http_date(now: Optional[int] = None) -> str:
    """The current time (or ``now``) as an IMF-fixdate, e.g. ``Sun, 06 Nov 1994 08:49:37 GMT``."""
    global _date_cache
    if now is None:
        now = int(time.time())
    if _date_cache[0] != now:
        _date_cache = (now, formatdate(now, usegmt=True))
    return _date_cache[1]


def render_head(status: int, reason: Optional[str], version: str, headers: CIMultiDict[str],
                framing: str, length: Optional[int], keep_alive: bool,
                extra: Iterable[Tuple[str, str]] = (), date: Optional[str] = None,
                default_type: bool = True, tunnel: bool = False) -> bytes:
    """The response head as bytes.  ``headers`` (the response's own) gets the framing fields.

    ``framing`` is ``http1.rules.response_framing``'s answer and ``length`` the body's length
    when known; ``extra`` fields (Set-Cookie lines) go last.  1xx, 204 and 304 responses carry
    no Content-Type and no framing fields (RFC 9110 15.3.5, 15.4.5: they have no content).
    ``default_type=False`` leaves out the ``application/octet-stream`` default (a
    ``Response()`` made without any body, as aiohttp does).  ``tunnel=True`` (a 2xx answering
    CONNECT) is treated like them: RFC 9110 8.6 forbids its Content-Length, and what follows
    is the tunnel, not content.
    """
    if status in NO_BODY_STATUSES or tunnel:
        for name in ("Content-Length", "Transfer-Encoding", "Content-Type"):
            headers.popall(name, None)
    else:
        if framing == CHUNKED:
            headers["Transfer-Encoding"] = "chunked"
            headers.popall("Content-Length", None)
        elif length is not None:          # LENGTH, or a HEAD response describing its GET
            headers["Content-Length"] = str(length)
        if default_type and "Content-Type" not in headers:
            headers["Content-Type"] = "application/octet-stream"
    if "Date" not in headers:
        headers["Date"] = date or http_date()
    if "Server" not in headers:
        headers["Server"] = SERVER_SOFTWARE
    option = connection_option(version, keep_alive, status)
    if option is not None:
        headers["Connection"] = option
    pairs = list(headers.items())
    pairs.extend(extra)
    return serialize_response_head(status, pairs, reason, version)


# (status, reason, version, media type, charset, keep-alive) -> [the end of the second it was
# rendered in, the head before the length digits, after them, {length: whole head}].  A
# server sends a handful of kinds, so the cache stays small (and is capped, against odd
# handlers: a kind beyond the cap is rendered each time, still by render_head); each kind
# keeps the whole heads of a few lengths, and joins the others around their digits.
_fast_heads: dict[tuple[object, ...], List[Any]] = {}
_FAST_HEADS_MAX = 256
_LENGTHS_MAX = 16


def fast_head(status: int, reason: Optional[str], version: str, media_type: Optional[str],
              charset: Optional[str], keep_alive: bool, length: int) -> bytes:
    """The head of a plain whole response of ``length`` bytes: render_head's, cached.

    The same bytes as ``render_head`` for headers holding only ``Content-Type`` (none: a
    Response made without a body) and a known length: it *is* render_head's output, cut
    around the length, kept until the second it was rendered in is over, and joined again
    around the digits of ``length``.
    """
    key = (status, reason, version, media_type, charset, keep_alive)
    entry = _fast_heads.get(key)
    if entry is None or time.time() >= entry[0]:
        entry = _cut_head(key)
    heads = entry[3]
    head = heads.get(length)
    if head is None:
        head = b"%s%d%s" % (entry[1], length, entry[2])
        if len(heads) < _LENGTHS_MAX:
            heads[length] = head
    return head


def _cut_head(key: tuple[Any, ...]) -> List[Any]:
    """render_head's head for ``key``'s kind of response, cut around a length of 0, kept."""
    status, reason, version, media_type, charset, keep_alive = key
    now = int(time.time())
    headers: CIMultiDict[str] = CIMultiDict()
    if media_type is not None:
        headers["Content-Type"] = f"{media_type}; charset={charset}" if charset else media_type
    head = render_head(status, reason, version, headers, "length", 0, keep_alive,
                       date=http_date(now), default_type=media_type is not None)
    cut = head.index(b"\r\nContent-Length: 0\r\n") + len(b"\r\nContent-Length: ")
    entry = [now + 1.0, head[:cut], head[cut + 1:], {}]
    if len(_fast_heads) < _FAST_HEADS_MAX or key in _fast_heads:
        _fast_heads[key] = entry
    return entry
