"""Helpers for the application-side tests (router, app, middleware, static files).

``FakeRequest`` carries just what the router and the application read from a request
(``method``, ``path``, ``raw_path``, ``headers``, ``match_info``, ``app``, ``clone``), so routing
can be tested without a socket.  ``serve`` starts a real server on 127.0.0.1, port 0, and
``raw_exchange`` sends bytes exactly as written (no client normalises ``..`` away) and parses
the one response.
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, Dict, Optional, Tuple
from urllib.parse import unquote

from aioteach.multidict import CIMultiDict, CIMultiDictProxy


class FakeRequest:
    def __init__(self, method: str, raw_path: str, headers: Optional[Dict[str, str]] = None,
                 app: Any = None) -> None:
        self.method = method
        self.raw_path = raw_path
        self.path = unquote(raw_path.partition("?")[0])
        self.headers = CIMultiDictProxy(CIMultiDict(headers or {}))
        self._match_info: Any = None
        self._root_app = app
        self.state: Dict[str, Any] = {}

    @property
    def match_info(self) -> Any:
        return self._match_info if self._match_info is not None else {}

    @property
    def continue_pending(self) -> bool:       # a plain attribute on web.Request
        return self.headers.get("Expect", "").lower() == "100-continue"

    @property
    def app(self) -> Any:
        info = self._match_info
        if info is not None and info.current_app is not None:
            return info.current_app
        return self._root_app

    def clone(self, *, method: Optional[str] = None, rel_url: Any = None,
              headers: Any = None) -> "FakeRequest":
        return FakeRequest(method or self.method, str(rel_url) if rel_url else self.raw_path,
                           dict(headers or self.headers), self._root_app)

    def __getitem__(self, key: str) -> Any:
        return self.state[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.state[key] = value


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[int]:
    """Run ``app`` on 127.0.0.1 with a free port; yields the port; stops it afterwards."""
    from aioteach import web
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()


async def raw_exchange(port: int, request: bytes,
                       timeout: float = 10.0) -> Tuple[int, CIMultiDict, bytes]:
    """Send ``request`` as is on a new connection; return (status, headers, body).

    The request should say ``Connection: close``; the body is read to the end of the
    connection or ``Content-Length``, whichever the response uses.
    """
    reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
    try:
        writer.write(request)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: CIMultiDict = CIMultiDict()
        for line in lines[1:]:
            if line:
                name, _, value = line.partition(":")
                headers.add(name.strip(), value.strip())
        if status in (204, 304) or request.startswith(b"HEAD "):
            body = b""
        elif "Content-Length" in headers:
            body = await asyncio.wait_for(reader.readexactly(int(headers["Content-Length"])),
                                          timeout)
        else:
            body = await asyncio.wait_for(reader.read(), timeout)
            if headers.get("Transfer-Encoding", "").lower() == "chunked":
                body = _dechunk(body)
        return status, headers, body
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


def _dechunk(data: bytes) -> bytes:
    """The payload of a chunked body (RFC 9112 section 7.1), trailers ignored."""
    out, at = b"", 0
    while True:
        line_end = data.index(b"\r\n", at)
        size = int(data[at:line_end].split(b";")[0], 16)
        if size == 0:
            return out
        out += data[line_end + 2:line_end + 2 + size]
        at = line_end + 2 + size + 2


def get(path: str, *headers: str, method: str = "GET") -> bytes:
    """A request head as bytes: ``get("/x", "Range: bytes=0-1")``."""
    lines = [f"{method} {path} HTTP/1.1", "Host: test", "Connection: close", *headers, "", ""]
    return "\r\n".join(lines).encode("latin-1")
