"""Helpers for the server-side tests: a real server on 127.0.0.1 and a raw-bytes client.

``serve(app, **runner_kwargs)`` starts an ``AppRunner`` + ``TCPSite`` on port 0 and yields
``(port, runner)``; it always cleans up.  ``RawClient`` writes bytes exactly as given (no
client library tidies a malformed request) and reads responses with aioteach's own sans-I/O
``ResponseParser``, with a bounded wait on every read.
"""
from __future__ import annotations

import asyncio
import contextlib
from typing import Any, AsyncIterator, List, NamedTuple, Optional, Tuple

from aioteach.http1 import (Data, EndOfMessage, InformationalResponse, Response,
                            ResponseParser)
from aioteach.multidict import CIMultiDict

TIMEOUT = 10.0          # every wait in these tests is bounded by this


class Answer(NamedTuple):
    status: int
    headers: CIMultiDict
    body: bytes
    version: str = "1.1"


@contextlib.asynccontextmanager
async def serve(app: Any, **runner_kwargs: Any) -> AsyncIterator[Tuple[int, Any]]:
    from aioteach import web
    runner_kwargs.setdefault("access_log", None)
    runner = web.AppRunner(app, **runner_kwargs)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield runner.addresses[0][1], runner
    finally:
        await runner.cleanup()


class RawClient:
    """One TCP connection; ``send`` bytes, ``read`` parsed responses, ``wait_closed``."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.parser = ResponseParser()
        self.events: List[Any] = []

    @classmethod
    async def connect(cls, port: int) -> "RawClient":
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port),
                                                TIMEOUT)
        return cls(reader, writer)

    def send(self, data: bytes) -> None:
        self.writer.write(data)

    async def _next_event(self) -> Any:
        while not self.events:
            data = await asyncio.wait_for(self.reader.read(65536), TIMEOUT)
            if not data:
                self.events.extend(self.parser.feed_eof())
                if not self.events:
                    raise ConnectionError("the server closed the connection")
            else:
                self.events.extend(self.parser.feed(data))
        return self.events.pop(0)

    async def read(self, method: Optional[str] = "GET") -> Answer:
        """The next response (a 1xx comes back on its own, as an Answer with no body).

        ``method`` tells the parser what the response answers (HEAD has no body); pass None
        when ``self.parser.expect(...)`` was already called for pipelined requests.
        """
        if method is not None:
            self.parser.expect(method)
        head = await self._next_event()
        if isinstance(head, InformationalResponse):
            return Answer(head.status, CIMultiDict(head.headers), b"", head.version)
        assert isinstance(head, Response), head
        body = bytearray()
        while True:
            event = await self._next_event()
            if isinstance(event, Data):
                body += event.data
            elif isinstance(event, EndOfMessage):
                break
        return Answer(head.status, CIMultiDict(head.headers), bytes(body), head.version)

    async def read_raw_until_closed(self) -> bytes:
        """Everything until the server closes (raises TimeoutError if it never does)."""
        chunks = []
        while True:
            data = await asyncio.wait_for(self.reader.read(65536), TIMEOUT)
            if not data:
                self.writer.close()
                return b"".join(chunks)
            chunks.append(data)

    async def wait_closed(self) -> bool:
        """True once the server has closed the connection (bounded by TIMEOUT)."""
        try:
            while await asyncio.wait_for(self.reader.read(65536), TIMEOUT):
                pass
        except ConnectionResetError:
            pass
        self.writer.close()          # ours too: Python 3.12+ warns of an unclosed StreamWriter
        return True

    def close(self) -> None:
        self.writer.close()


async def exchange(port: int, data: bytes, method: str = "GET") -> Answer:
    client = await RawClient.connect(port)
    try:
        client.send(data)
        return await client.read(method)
    finally:
        client.close()


def get(path: str, *extra: str, version: str = "1.1", method: str = "GET") -> bytes:
    lines = [f"{method} {path} HTTP/{version}", "Host: test", *extra, "", ""]
    return "\r\n".join(lines).encode()


def first_line(raw: bytes) -> Optional[str]:
    return raw.split(b"\r\n", 1)[0].decode() if raw else None


def waits_until_cancelled() -> Tuple[Any, "asyncio.Future[Any]", "asyncio.Future[str]"]:
    """A handler that waits for ever, and two futures: ``started`` gets the Task running it,
    ``outcome`` gets "cancelled" when that wait is cancelled (by shutdown, or by a half-close)."""
    loop = asyncio.get_running_loop()
    started: "asyncio.Future[Any]" = loop.create_future()
    outcome: "asyncio.Future[str]" = loop.create_future()

    async def forever(request: Any) -> Any:
        started.set_result(asyncio.current_task())
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            outcome.set_result("cancelled")
            raise

    return forever, started, outcome
