"""One app served over TCP (127.0.0.1, a free port) or over the memory transport, same code.

``transport`` is a fixture parametrized over ``"tcp"`` and ``"memory"``: a test that takes it
runs twice.  ``served(app, transport)`` starts the app with an ``AppRunner`` and a ``TCPSite`` or
a ``MemorySite`` and yields a ``Served``: the base URL, ``open_raw()`` (a StreamReader/Writer
pair over the same transport, for raw bytes) and a ``Wire``, which records every byte the
server's protocol received and wrote, and every pause_writing/resume_writing it was told.
``normalized(bytes)`` blanks what must differ between two runs (the address in Host and the
URLs, the Date field) so two transports' wires can be compared byte for byte.
"""
from __future__ import annotations

import asyncio
import contextlib
import re
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Callable, List, Tuple

import pytest

from aioteach import memory, web
from aioteach.web.memorysite import MemorySite

TRANSPORTS = ["tcp", "memory"]


@dataclass
class Wire:
    """What one server saw: ("in"|"out", bytes) in order, and the flow-control calls."""

    chunks: List[Tuple[str, bytes]] = field(default_factory=list)
    pauses: int = 0
    resumes: int = 0
    paused: asyncio.Event = field(default_factory=asyncio.Event)

    def received(self) -> bytes:
        return b"".join(data for way, data in self.chunks if way == "in")

    def sent(self) -> bytes:
        return b"".join(data for way, data in self.chunks if way == "out")


class RecordingTransport:
    """Every write is kept; everything else goes to the real transport."""

    def __init__(self, transport: Any, wire: Wire) -> None:
        self._transport, self._wire = transport, wire

    def write(self, data: Any) -> None:
        self._wire.chunks.append(("out", bytes(data)))
        self._transport.write(data)

    def writelines(self, chunks: Any) -> None:
        self.write(b"".join(chunks))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class RecordingProtocol(asyncio.Protocol):
    """Wraps the server's HttpProtocol: bytes in, bytes out and flow control are recorded."""

    def __init__(self, inner: Any, wire: Wire) -> None:
        self.inner, self.wire = inner, wire

    def connection_made(self, transport: Any) -> None:
        self.inner.connection_made(RecordingTransport(transport, self.wire))

    def data_received(self, data: bytes) -> None:
        self.wire.chunks.append(("in", bytes(data)))
        self.inner.data_received(data)

    def eof_received(self) -> Any:
        return self.inner.eof_received()

    def connection_lost(self, exc: Any) -> None:
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.wire.pauses += 1
        self.wire.paused.set()
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.wire.resumes += 1
        self.inner.resume_writing()


@dataclass
class Served:
    url: str
    transport: str
    wire: Wire
    runner: Any
    open_raw: Callable[[], Any]

    @property
    def authority(self) -> str:
        return self.url.split("//", 1)[1]


@contextlib.asynccontextmanager
async def served(app: web.Application, transport: str) -> AsyncIterator[Served]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    wire = Wire()
    server = runner.server
    assert server is not None
    factory = lambda: RecordingProtocol(server(), wire)   # noqa: E731
    loop = asyncio.get_running_loop()
    if transport == "tcp":
        listener: Any = await loop.create_server(factory, "127.0.0.1", 0)
        port = listener.sockets[0].getsockname()[1]
        url = f"http://127.0.0.1:{port}"

        def open_raw() -> Any:
            return asyncio.open_connection("127.0.0.1", port)
    else:
        listener = await memory.serve_memory(factory)
        url = f"http://{listener.name}"

        def open_raw() -> Any:
            return memory.open_connection(listener.name)
    try:
        yield Served(url, transport, wire, runner, open_raw)
    finally:
        listener.close()
        await runner.cleanup()


def normalized(data: bytes, *authorities: str) -> bytes:
    """``data`` with the server's address and the Date field's value blanked out."""
    for authority in authorities:
        data = data.replace(authority.encode(), b"SERVER")
    return re.sub(rb"(?im)^(date: )[^\r\n]*", rb"\1DATE", data)


@pytest.fixture(params=TRANSPORTS)
def transport(request: Any) -> str:
    return str(request.param)


__all__ = ["served", "normalized", "Served", "Wire", "TRANSPORTS", "MemorySite"]


@contextlib.asynccontextmanager
async def running(app: web.Application, transport: str, **runner_options: Any
                  ) -> AsyncIterator[str]:
    """``app`` behind an AppRunner and a TCPSite (127.0.0.1, a free port) or a MemorySite;
    yields the base URL.  The ordinary public way, as a learner would write it."""
    runner = web.AppRunner(app, **runner_options)
    await runner.setup()
    site: Any = (web.TCPSite(runner, "127.0.0.1", 0) if transport == "tcp"
                 else MemorySite(runner))
    await site.start()
    try:
        yield site.name if transport == "memory" else f"http://{runner.addresses[0][0]}:" \
            f"{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


__all__ += ["running"]
