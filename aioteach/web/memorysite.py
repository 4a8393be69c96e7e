"""MemorySite: an AppRunner's site with no port, for places without sockets.

Theory of operation.  A site is one way of listening (web/runner.py): ``TCPSite`` binds a host
and port, ``UnixSite`` a socket file.  ``MemorySite`` listens under a *name* in this process's
table of memory servers (aioteach/memory.py), so a client in the same process reaches it at
``http://<name>`` with no socket at all: in a browser kernel (Pyodide, JupyterLite), in a kernel
that may not open ports, in tests.  Everything above the transport is the same: the runner's
``Server`` makes one ``HttpProtocol`` per connection, the same handlers run and the same bytes
go by::

    runner = web.AppRunner(app)
    await runner.setup()
    site = MemorySite(runner, "memory-1")           # name=None: a fresh memory-N
    await site.start()
    async with aioteach.ClientSession() as session: # a memory server's name needs no socket
        await session.get("http://memory-1/")       # (or connector=MemoryConnector())

Deliberate difference: aiohttp has no MemorySite (its test utilities use real sockets);
``runner.addresses`` lists no address for it (nothing here has a socket address).
"""
from __future__ import annotations

from typing import Any, Optional

from .. import memory
from .runner import BaseRunner, BaseSite

__all__ = ["MemorySite"]


class MemorySite(BaseSite):
    """Listen under ``name`` in memory (``None``: a fresh ``memory-N``); ``site.name`` is
    its URL, ``http://memory-N``."""

    def __init__(self, runner: BaseRunner, name: Optional[str] = None, *,
                 shutdown_timeout: float = 60.0) -> None:
        super().__init__(runner, shutdown_timeout=shutdown_timeout)
        self.memory_name = name or memory.next_name()

    @property
    def name(self) -> str:
        return f"http://{self.memory_name}"

    async def start(self) -> None:
        await super().start()
        server: Any = await memory.serve_memory(
            self._runner.server, self.memory_name)   # type: ignore[arg-type]  # BaseSite checks
        self._server = server          # duck-typed asyncio.Server: close() is all stop() needs
