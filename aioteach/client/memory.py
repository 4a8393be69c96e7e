"""MemoryConnector: a connection pool whose connections are in memory, not sockets.

Theory of operation.  ``TCPConnector`` (connector.py) pools connections and opens new ones with
``loop.create_connection``.  ``MemoryConnector`` is the same pool (limits, the FIFO queue,
keep-alive reuse, the traces) with one step swapped: a new connection is opened with
``aioteach.memory.connect_memory``, to a server listening under a name in this process
(``aioteach.web.memorysite.MemorySite`` or ``aioteach.notebook.serve(app,
transport="memory")``).  The URL's host is that name: ``http://memory-1/hello``.  Nothing is
resolved and no socket is opened, so it works where there are none (Pyodide).

    async with aioteach.ClientSession(connector=MemoryConnector()) as session:
        await session.get("http://memory-1/hello")

``MemoryConnector(server="memory-1")`` sends every request to that one server whatever the URL
says, as aiohttp's ``UnixConnector(path)`` sends every request to one socket file.

A plain ``TCPConnector`` also reaches memory servers by name (it asks ``memory.serving(host)``
before resolving), so a ``ClientSession()`` with no connector works against them too; the
``MemoryConnector`` is for saying so explicitly, and for never touching a socket: a host that
is not a memory server is ``ClientConnectorError`` (connection refused), not a DNS query.

Simplification: no TLS in memory (``https://`` is refused); aiohttp has no such connector.
"""
from __future__ import annotations

import asyncio
import errno
from typing import Any, Optional

from .. import memory
from .connection import ClientConnection
from .connector import ConnectionKey, TCPConnector
from .errors import ClientConnectorError

__all__ = ["MemoryConnector"]


class MemoryConnector(TCPConnector):
    """``MemoryConnector(server=None, limit=100, limit_per_host=0, keepalive_timeout=15, ...)``:
    ``TCPConnector``'s pool and keywords, with in-memory connections."""

    def __init__(self, server: Optional[str] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.server = server

    async def _dial(self, key: ConnectionKey, loop: asyncio.AbstractEventLoop, limits: tuple,
                    traces: Any) -> ClientConnection:
        if key.is_ssl:
            raise ClientConnectorError(key, OSError(
                errno.EPROTONOSUPPORT, "the memory transport carries no TLS: use http://"))
        conn = ClientConnection(loop, key, self, limits=limits)
        await memory.connect_memory(lambda: conn, self.server or key.host)
        return conn

    def __repr__(self) -> str:
        return "<Memory" + super().__repr__()[4:]
