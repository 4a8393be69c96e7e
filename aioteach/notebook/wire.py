"""One HTTP/1.1 exchange over a raw socket, keeping every byte that went each way.

Theory of operation.  The panels want to show the learner *the wire*: the exact request bytes
(request line, header fields, blank line, body; RFC 9112 section 2.1) and the exact response
bytes.  A full client hides them behind its connection pool, so the panels talk through this
small, honest function instead: open a connection, write the request with ``Connection: close``
(RFC 9112 section 9.6: the connection ends with this response), read the response, then split
what came back into status line, fields and body.

Rules: one request per connection; reading stops at the end of the response by its framing,
or at the server's close, whichever comes first; the read is bounded (``MAX_RESPONSE`` bytes,
``timeout`` seconds) so a misbehaving server cannot hang a cell.

Simplification: the response parsing below handles what a teaching server sends (a
Content-Length, ``Transfer-Encoding: chunked`` or a body delimited by close, RFC 9112 section
6.3); it skips trailers and does not validate field syntax.  ``aioteach.http1`` is the real parser.
"""
from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Tuple, Union
from urllib.parse import urlsplit

from .. import memory

__all__ = ["exchange", "build_request", "parse_response", "response_complete", "WireResponse",
           "show_bytes"]

#: 4 MiB: far more than any lesson endpoint sends, small enough to keep a kernel responsive.
MAX_RESPONSE = 4 * 1024 * 1024

Headers = Union[Iterable[Tuple[str, str]], dict, None]


@dataclass
class WireResponse:
    """A response, plus the raw bytes of both directions and the time the exchange took."""

    status: int
    reason: str
    headers: List[Tuple[str, str]]
    body: bytes
    elapsed: float                      # seconds from connect to the last byte
    raw_request: bytes = field(repr=False)
    raw_response: bytes = field(repr=False)

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """The first field named ``name`` (case-insensitive, RFC 9110 section 5.1)."""
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return default

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


def build_request(method: str, host: str, path: str = "/", headers: Headers = None,
                  body: bytes = b"") -> bytes:
    """The request bytes: request line, ``Host``, the caller's fields, ``Connection: close``."""
    fields = list(headers.items() if isinstance(headers, dict) else headers or [])
    names = {name.lower() for name, _ in fields}
    if "host" not in names:
        fields.insert(0, ("Host", host))          # required in HTTP/1.1 (RFC 9112 section 3.2)
    if body or method.upper() in ("POST", "PUT", "PATCH"):
        if "content-length" not in names:
            fields.append(("Content-Length", str(len(body))))
    fields.append(("Connection", "close"))
    head = f"{method.upper()} {path or '/'} HTTP/1.1\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in fields)
    return head.encode("latin-1") + b"\r\n" + body


def _dechunk(data: bytes) -> bytes:
    """Undo ``Transfer-Encoding: chunked`` (RFC 9112 section 7.1): size line, data, CRLF."""
    body, pos = bytearray(), 0
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            return bytes(body)                     # truncated: show what arrived
        size = int(data[pos:eol].split(b";")[0].strip() or b"0", 16)   # ";ext" is ignored
        if size == 0:
            return bytes(body)
        body += data[eol + 2: eol + 2 + size]
        pos = eol + 2 + size + 2


def response_complete(raw: Union[bytes, bytearray], method: str = "GET") -> bool:
    """Has a whole response arrived?  (RFC 9112 section 6.3, the message-length rules.)

    So a server that ignores ``Connection: close`` cannot make the panel wait for a timeout.
    """
    head, sep, rest = raw.partition(b"\r\n\r\n")
    if not sep:
        return False
    status_line, _, fields = head.partition(b"\r\n")
    status = status_line.split(b" ", 2)[1:2]
    if method.upper() == "HEAD" or status[:1] in ([b"204"], [b"304"]) or \
            (status and status[0].startswith(b"1")):
        return True                               # no body, whatever the fields say
    lowered = fields.lower()
    if b"transfer-encoding:" in lowered and b"chunked" in lowered:
        return rest.endswith(b"0\r\n\r\n")        # the last chunk (trailers are not used here)
    for line in lowered.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return len(rest) >= int(line.split(b":", 1)[1].strip() or b"0")
    return False                                  # delimited by close: read until EOF


def parse_response(raw: bytes) -> Tuple[int, str, List[Tuple[str, str]], bytes]:
    """Split raw response bytes into (status, reason, fields, body)."""
    head, sep, rest = raw.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError(f"no complete response head in {len(raw)} bytes: {raw[:80]!r}")
    lines = head.decode("latin-1").split("\r\n")
    _, status, *reason = lines[0].split(" ", 2)
    headers = []
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.append((name.strip(), value.strip()))
    names = {name.lower(): value for name, value in headers}
    if "chunked" in names.get("transfer-encoding", "").lower():
        body = _dechunk(rest)
    elif "content-length" in names:
        body = rest[: int(names["content-length"])]
    else:
        body = rest                                 # delimited by the connection closing
    return int(status), reason[0] if reason else "", headers, body


async def exchange(url: str, method: str = "GET", path: Optional[str] = None,
                   headers: Headers = None, body: Union[bytes, str] = b"",
                   timeout: float = 10.0) -> WireResponse:
    """Send one request to ``url`` (``http://host:port/path``) and return the response.

    ``path`` overrides the URL's path and query.  Example, in a cell::

        r = await exchange(handle.url + "/delay/100")
        print(r.raw_request.decode()); r.status
    """
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    if path is None:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    data = body.encode() if isinstance(body, str) else body
    authority = parts.netloc or f"{host}:{port}"
    raw_request = build_request(method, authority, path, headers, data)
    started = time.perf_counter()

    async def talk() -> bytes:
        if memory.serving(host):       # an in-memory server (no socket): the same bytes
            reader, writer = await memory.open_connection(host)
        else:
            reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(raw_request)
            await writer.drain()
            received = bytearray()
            while len(received) < MAX_RESPONSE:
                chunk = await reader.read(65536)
                if not chunk:
                    break
                received += chunk
                if response_complete(received, method):
                    break
            return bytes(received)
        finally:
            writer.close()

    raw_response = await asyncio.wait_for(talk(), timeout)
    elapsed = time.perf_counter() - started
    status, reason, fields, content = parse_response(raw_response)
    return WireResponse(status, reason, fields, content, elapsed, raw_request, raw_response)


def show_bytes(data: bytes, limit: int = 2048) -> str:
    """Bytes as a learner should see them: CRLF visible, other control bytes escaped."""
    text = data[:limit].decode("latin-1")
    text = "".join(ch if ch in "\r\n" or 32 <= ord(ch) < 127 else f"\\x{ord(ch):02x}"
                   for ch in text)
    text = text.replace("\r\n", "\\r\\n\n")
    return text + (f"\n... ({len(data) - limit} more bytes)" if len(data) > limit else "")
