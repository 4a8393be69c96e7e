"""Small servers the client tests talk to: raw asyncio ones that misbehave on cue.

``RawServer(handler)`` listens on 127.0.0.1 port 0 and runs ``await handler(conn)`` for every
accepted connection, where ``conn`` reads requests (``await conn.request()``) and writes bytes.
It counts accepted connections, so pool tests can assert on reuse.
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable, Dict, List, Optional, Tuple

__all__ = ["RawServer", "RawConnection", "Seen", "respond", "serve_responses"]


class Seen:
    """One request as the server received it."""

    def __init__(self, line: str, headers: List[Tuple[str, str]], body: bytes) -> None:
        self.line = line
        self.method, self.target, _ = line.split(" ", 2)
        self.headers = headers
        self.body = body

    def header(self, name: str) -> Optional[str]:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None

    def __repr__(self) -> str:
        return f"<Seen {self.line!r}>"


class RawConnection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 server: "RawServer") -> None:
        self.reader, self.writer, self.server = reader, writer, server

    async def request(self) -> Optional[Seen]:
        """The next request, or None if the client closed the connection."""
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return None
        lines = head.decode("latin-1").split("\r\n")[:-2]
        headers = [tuple(x.strip() for x in line.split(":", 1)) for line in lines[1:]]
        seen = Seen(lines[0], headers, b"")  # type: ignore[arg-type]
        if seen.header("content-length") is not None:
            seen.body = await self.reader.readexactly(int(seen.header("content-length")))
        elif (seen.header("transfer-encoding") or "").lower() == "chunked":
            body = b""
            while True:            # size line, data, CRLF; the last chunk is "0" CRLF CRLF
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                body += (await self.reader.readexactly(size + 2))[:-2]
                if size == 0:
                    break
            seen.body = body
        self.server.seen.append(seen)
        return seen

    def write(self, data: bytes) -> None:
        self.writer.write(data)

    async def drain(self) -> None:
        await self.writer.drain()

    def close(self) -> None:
        self.writer.close()


def respond(status: int = 200, body: bytes = b"", headers: Optional[Dict[str, str]] = None,
            reason: str = "OK") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"]
    fields = {"Content-Length": str(len(body))}
    fields.update(headers or {})
    lines += [f"{k}: {v}" for k, v in fields.items() if v is not None]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class RawServer:
    """``async with RawServer(handler) as server:`` ... ``server.url("/path")``."""

    def __init__(self, handler: Callable[[RawConnection], Awaitable[None]]) -> None:
        self.handler = handler
        self.connections = 0
        self.seen: List[Seen] = []
        self._server: Optional[asyncio.AbstractServer] = None
        self._tasks: List[asyncio.Task] = []
        self._writers: List[asyncio.StreamWriter] = []

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        self._tasks.append(asyncio.current_task())  # type: ignore[arg-type]
        try:
            await self.handler(RawConnection(reader, writer, self))
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:          # our own __aexit__: end quietly
            pass
        finally:
            writer.close()

    async def __aenter__(self) -> "RawServer":
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        for task in self._tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()


def serve_responses(make: Callable[[Seen], bytes]) -> Callable[[RawConnection], Awaitable[None]]:
    """A keep-alive handler answering each request with ``make(seen)``."""
    async def handler(conn: RawConnection) -> None:
        while True:
            seen = await conn.request()
            if seen is None:
                return
            conn.write(make(seen))
            await conn.drain()
    return handler
