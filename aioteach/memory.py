"""An in-memory transport: two asyncio protocols joined without a socket.

Theory of operation.  asyncio splits a connection into a *transport* (moves bytes: ``write``,
``close``, flow control) and a *protocol* (reacts to them: ``data_received``, ``eof_received``,
``connection_lost``).  aioteach's server (``web.protocol.HttpProtocol``) and client
(``client.connection.ClientConnection``) are protocols and never touch a socket themselves, so
they run unchanged over any transport that keeps asyncio's promises.  This module is one: a pair
of ``MemoryTransport`` objects, each the other's peer.  It serves where there are no sockets
(Pyodide in a browser tab, JupyterLite), in a kernel that may not open ports, and in tests.

    server = await serve_memory(runner.server, "memory-1")   # like loop.create_server
    transport, protocol = await connect_memory(factory, "memory-1")   # like create_connection
    reader, writer = await open_connection("memory-1")       # like asyncio.open_connection

One direction, end to end.  ``a.write(data)`` counts the bytes as *buffered* on ``a`` and posts
them to ``b``'s inbox (on ``b``'s loop: the two ends may live on two loops in two threads).
Once per loop iteration ``b`` hands at most ``READ_SIZE`` bytes of its inbox to its protocol's
``data_received`` (a socket is read the same way, a chunk at a time), then tells ``a`` how many
it consumed.  So ``a.get_write_buffer_size()`` is "written, but not yet read by the peer".

Flow control, both halves of asyncio's contract:
* writing: when ``a``'s buffer rises above the high-water mark ``a``'s protocol gets
  ``pause_writing()``; when the peer's reads bring it down to the low-water mark, it gets
  ``resume_writing()`` (``set_write_buffer_limits``; 64 KiB / 16 KiB like asyncio's sockets);
* reading: ``b.pause_reading()`` stops deliveries (the inbox keeps the bytes, as a socket's
  receive buffer would), so ``a``'s buffer stays high and ``a``'s writer stays paused:
  back-pressure from the slow reader to the fast writer, as TCP's window gives it.

Half-close and close.  ``write_eof()`` sends an end-of-stream after the bytes written before
it; the peer's protocol gets ``eof_received()`` once its inbox is empty, and if that returns
a false value the peer's transport closes itself (asyncio's rule for sockets).  ``close()``
is ``write_eof()`` plus ``connection_lost(None)`` for our own protocol on the next iteration.
``abort()`` is a reset: our protocol gets ``connection_lost(None)``, the peer's gets
``connection_lost(ConnectionResetError)`` and its unread inbox is dropped; writing to a peer
that has closed is answered the same way (TCP answers with RST).

Addresses.  ``get_extra_info("sockname")`` is ``(server name, 80)`` and ``"peername"`` is
``("memory-client-N", N)`` on the server's end (the other way round on the client's end), so
access logs, ``request.remote``, ``request.host`` and the lesson panels have something true to
print.  There is no ``"socket"`` and no ``"sslcontext"``: no TLS in memory.

Simplification: no ``BufferedProtocol`` support (aioteach's protocols are plain ``Protocol``s),
no ``sendfile`` (``loop.sendfile`` falls back to reading and writing), and ``wait_closed()``
does not wait for open connections.
"""
from __future__ import annotations

import asyncio
import errno
import itertools
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = ["MemoryTransport", "MemoryServer", "serve_memory", "connect_memory",
           "open_connection", "serving", "next_name", "SERVERS", "READ_SIZE",
           "HIGH_WATER", "LOW_WATER"]

#: Bytes handed to ``data_received`` per loop iteration: asyncio reads sockets 256 KiB at a
#: time; 64 KiB makes a large body arrive in several pieces, as over a real connection.
READ_SIZE = 64 * 1024
#: asyncio's default write-buffer limits for sockets (selector_events: 64 KiB, high / 4).
HIGH_WATER = 64 * 1024
LOW_WATER = HIGH_WATER // 4

#: name -> the MemoryServer serving under it (the "addresses" of this process).
SERVERS: Dict[str, "MemoryServer"] = globals().get("SERVERS", {})
_COUNTER = globals().get("_COUNTER", itertools.count(1))
_CLIENTS = globals().get("_CLIENTS", itertools.count(1))


def next_name() -> str:
    """A fresh server name: ``memory-1``, ``memory-2`` ... (``http://memory-1`` in a URL)."""
    while True:
        name = f"memory-{next(_COUNTER)}"
        if name not in SERVERS:
            return name


def serving(host: Optional[str]) -> bool:
    """Is ``host`` the name of a memory server listening in this process? (clients ask)."""
    return bool(host) and host in SERVERS


def _post(loop: asyncio.AbstractEventLoop, callback: Callable[..., Any], *args: Any) -> None:
    """Run ``callback`` soon on ``loop``: directly if we are on it, thread-safely otherwise."""
    try:
        here = asyncio.get_running_loop()
    except RuntimeError:
        here = None
    if loop.is_closed():
        return                         # that end's loop is gone: nobody is listening there
    if here is loop:
        loop.call_soon(callback, *args)
    else:
        loop.call_soon_threadsafe(callback, *args)


class MemoryTransport(asyncio.Transport):
    """One end of an in-memory connection (see the module doc); made by ``connect_memory``."""

    def __init__(self, loop: asyncio.AbstractEventLoop, protocol: asyncio.BaseProtocol,
                 extra: Dict[str, Any]) -> None:
        super().__init__()
        self.extra = extra                 # get_extra_info's answers (the addresses)
        self._loop = loop
        self._protocol: Any = protocol
        self.peer: Optional[MemoryTransport] = None
        self._buffered = 0                 # written by us, not yet read by the peer's protocol
        self._high, self._low = HIGH_WATER, LOW_WATER
        self._writing_paused = False
        self._inbox = bytearray()          # received, not yet given to our protocol
        self._eof_in = False               # the peer sent end-of-stream (after the inbox)
        self._reading_paused = False
        self._delivery_due = False
        self._started = False              # connection_made has been called: deliveries may go
        self._eof_sent = False
        self._closing = False
        self._lost = False                 # connection_lost was called (or is scheduled)

    def __repr__(self) -> str:
        state = "closed" if self._lost else "closing" if self._closing else "open"
        return (f"<MemoryTransport {self.extra.get('sockname')} <-> "
                f"{self.extra.get('peername')} {state} buffered={self._buffered}>")

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.extra.get(name, default)

    # -- the protocol ----------------------------------------------------------------------
    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._protocol

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._protocol = protocol

    def is_closing(self) -> bool:
        return self._closing or self._lost

    # -- writing ---------------------------------------------------------------------------
    def write(self, data: Any) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be a bytes-like object, not "
                            f"{type(data).__name__!r}")
        if self._eof_sent and not self._closing:
            raise RuntimeError("Cannot call write() after write_eof()")
        if not data or self._lost or self.peer is None:
            return                         # asyncio also drops writes to a closed transport
        data = bytes(data)                 # the caller may reuse its buffer
        self._buffered += len(data)
        _post(self.peer._loop, self.peer._receive, data)
        if not self._writing_paused and self._buffered > self._high:
            self._writing_paused = True
            self._protocol.pause_writing()

    def writelines(self, list_of_data: Any) -> None:
        self.write(b"".join(list_of_data))

    def can_write_eof(self) -> bool:
        return True

    def write_eof(self) -> None:
        if self._eof_sent or self._lost:
            return
        self._eof_sent = True
        if self.peer is not None:
            _post(self.peer._loop, self.peer._receive_eof)

    def get_write_buffer_size(self) -> int:
        return self._buffered

    def get_write_buffer_limits(self) -> Tuple[int, int]:
        return (self._low, self._high)

    def set_write_buffer_limits(self, high: Optional[int] = None,
                                low: Optional[int] = None) -> None:
        """asyncio's rule: high defaults to 4 x low (or 64 KiB), low to high / 4."""
        if high is None:
            high = HIGH_WATER if low is None else 4 * low
        if low is None:
            low = high // 4
        if not high >= low >= 0:
            raise ValueError(f"high ({high!r}) must be >= low ({low!r}) must be >= 0")
        self._high, self._low = high, low
        self._consumed(0)

    def _consumed(self, count: int) -> None:
        """The peer's protocol has read ``count`` of our bytes (runs on our loop)."""
        self._buffered = max(0, self._buffered - count)
        if self._writing_paused and self._buffered <= self._low and not self._lost:
            self._writing_paused = False
            self._protocol.resume_writing()
        elif not self._writing_paused and self._buffered > self._high and not self._lost:
            self._writing_paused = True
            self._protocol.pause_writing()

    # -- reading (bytes the peer sent us) ----------------------------------------------------
    def _receive(self, data: bytes) -> None:
        if self._lost:                     # written to a closed end: TCP answers with a reset
            if self.peer is not None:
                _post(self.peer._loop, self.peer._reset)
            return
        self._inbox += data
        self._schedule_delivery()

    def _receive_eof(self) -> None:
        self._eof_in = True
        self._schedule_delivery()

    def _schedule_delivery(self) -> None:
        if (self._started and not self._delivery_due and not self._reading_paused
                and not self._lost):
            self._delivery_due = True
            self._loop.call_soon(self._deliver)

    def _deliver(self) -> None:
        """One "read": a chunk of the inbox to the protocol, or the end of the stream."""
        self._delivery_due = False
        if self._reading_paused or self._lost:
            return
        if self._inbox:
            chunk = bytes(self._inbox[:READ_SIZE])
            del self._inbox[:READ_SIZE]
            if self.peer is not None:
                _post(self.peer._loop, self.peer._consumed, len(chunk))
            self._protocol.data_received(chunk)
            if self._inbox or self._eof_in:
                self._schedule_delivery()
            return
        if self._eof_in:
            self._eof_in = False
            keep_open = self._protocol.eof_received()
            if not keep_open:
                self.close()

    def _start(self) -> None:
        """Our protocol has had ``connection_made``: bytes that came before it may go now."""
        self._started = True
        if self._inbox or self._eof_in:
            self._schedule_delivery()

    def is_reading(self) -> bool:
        return not self._reading_paused and not self._lost

    def pause_reading(self) -> None:
        self._reading_paused = True

    def resume_reading(self) -> None:
        if self._reading_paused:
            self._reading_paused = False
            if self._inbox or self._eof_in:
                self._schedule_delivery()

    # -- closing -----------------------------------------------------------------------------
    def close(self) -> None:
        """Send end-of-stream after what was written, then lose the connection ourselves."""
        if self._closing or self._lost:
            return
        self._closing = True
        if not self._eof_sent and self.peer is not None:
            self._eof_sent = True          # (not write_eof(): a write after close is dropped)
            _post(self.peer._loop, self.peer._receive_eof)
        self._lose(None)

    def abort(self) -> None:
        """A reset: no goodbye; the peer's protocol gets ConnectionResetError."""
        if self._lost:
            return
        self._inbox.clear()
        if self.peer is not None and not self.peer._lost:
            _post(self.peer._loop, self.peer._reset)
        self._closing = True
        self._lose(None)

    def _reset(self) -> None:
        if not self._lost:
            self._inbox.clear()
            self._closing = True
            self._lose(ConnectionResetError("Connection reset by peer (memory transport)"))

    def _lose(self, exc: Optional[BaseException]) -> None:
        self._lost = True
        self._loop.call_soon(self._protocol.connection_lost, exc)


class MemoryServer(asyncio.AbstractServer):
    """Accepts memory connections under ``name``; what ``serve_memory`` returns.

    Two steps, like a socket: ``listen()`` claims the name at once (synchronously: a client
    that connects now waits, as it would in a listening socket's backlog), ``start_serving()``
    begins accepting.  Where the layers above look it is an ``asyncio.Server``: ``close()``,
    ``wait_closed()``, ``is_serving()``, ``get_loop()``, and ``sockets`` (always empty).
    """

    def __init__(self, name: str, protocol_factory: Optional[Callable[[], Any]] = None,
                 loop: Optional[asyncio.AbstractEventLoop] = None) -> None:
        self.name = name
        self.protocol_factory = protocol_factory
        self._loop = loop
        self.connections = 0               # accepted so far
        self._serving = False
        self._closed = False
        self._backlog: List[Tuple[asyncio.AbstractEventLoop, "asyncio.Future[None]"]] = []
        self.sockets: Tuple[Any, ...] = ()

    def __repr__(self) -> str:
        state = "serving" if self._serving else "closed" if self._closed else "listening"
        return f"<MemoryServer {self.name} {state}>"

    def listen(self) -> "MemoryServer":
        """Claim the name (an ``OSError`` if a server holds it: EADDRINUSE's twin)."""
        if self.name in SERVERS:
            raise OSError(f"memory server name {self.name!r} is in use; close that server "
                          f"first, or take a fresh name (memory.next_name())")
        SERVERS[self.name] = self
        return self

    def listening(self) -> bool:
        return SERVERS.get(self.name) is self

    def get_loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError(f"memory server {self.name} has not started serving")
        return self._loop

    def is_serving(self) -> bool:
        return self._serving

    async def start_serving(self) -> None:
        if self._closed or self.protocol_factory is None:
            raise RuntimeError(f"memory server {self.name} is closed or has no protocol")
        if not self.listening():
            self.listen()
        self._loop = self._loop or asyncio.get_running_loop()
        self._serving = True
        backlog, self._backlog = self._backlog, []
        for loop, waiter in backlog:
            _post(loop, _settle, waiter, None)

    async def serve_forever(self) -> None:
        await self.start_serving()
        await self.get_loop().create_future()   # until cancelled, like asyncio.Server's

    def close(self) -> None:
        self._serving, self._closed = False, True
        if SERVERS.get(self.name) is self:
            del SERVERS[self.name]
        backlog, self._backlog = self._backlog, []
        for loop, waiter in backlog:
            _post(loop, _settle, waiter, _refused(self.name))

    async def wait_closed(self) -> None:
        return None

    async def wait_serving(self) -> None:
        """Wait in the backlog until ``start_serving()`` (or be refused by ``close()``)."""
        if self._serving:
            return
        if self._closed:
            raise _refused(self.name)
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._backlog.append((loop, waiter))
        await waiter

    def accept(self, client: MemoryTransport) -> None:
        """Make the server's end for ``client`` (runs on the server's loop)."""
        assert self.protocol_factory is not None     # start_serving() checked it
        self.connections += 1
        number = next(_CLIENTS)
        here, there = (self.name, 80), (f"memory-client-{number}", number)
        server_end = MemoryTransport(self.get_loop(), self.protocol_factory(),
                                     {"sockname": here, "peername": there})
        client.extra.update(sockname=there, peername=here)
        server_end.peer, client.peer = client, server_end
        server_end._protocol.connection_made(server_end)
        server_end._start()


def _refused(name: str) -> ConnectionRefusedError:
    known = ", ".join(sorted(SERVERS)) or "none"
    return ConnectionRefusedError(
        errno.ECONNREFUSED, f"no memory server is named {name!r} (listening now: {known})")


async def serve_memory(protocol_factory: Callable[[], Any], name: Optional[str] = None, *,
                       start_serving: bool = True) -> MemoryServer:
    """Serve ``protocol_factory`` under ``name`` (a fresh ``memory-N`` if None): a memory
    ``loop.create_server``.  A name already in use is an ``OSError``."""
    server = MemoryServer(name or next_name(), protocol_factory, asyncio.get_running_loop())
    server.listen()
    if start_serving:
        await server.start_serving()
    return server


async def connect_memory(protocol_factory: Callable[[], Any],
                         name: str) -> Tuple[MemoryTransport, Any]:
    """Connect to the memory server ``name``: a memory ``loop.create_connection``.

    Raises ``ConnectionRefusedError`` when nothing listens under ``name``; waits while it
    listens but has not started serving.  ``connection_made`` has been called on both ends
    when this returns.
    """
    server = SERVERS.get(name)
    if server is None:
        raise _refused(name)
    await server.wait_serving()
    loop = asyncio.get_running_loop()
    protocol = protocol_factory()
    client = MemoryTransport(loop, protocol, {})
    accepted: asyncio.Future[None] = loop.create_future()

    def accept() -> None:              # on the server's loop
        try:
            server.accept(client)
        except BaseException as exc:   # a failing protocol factory: the caller hears it
            _post(loop, _settle, accepted, exc)
        else:
            _post(loop, _settle, accepted, None)

    _post(server.get_loop(), accept)
    await accepted
    protocol.connection_made(client)
    client._start()
    return client, protocol


def _settle(future: "asyncio.Future[None]", exc: Optional[BaseException]) -> None:
    if not future.done():
        if exc is None:
            future.set_result(None)
        else:
            future.set_exception(exc)


async def open_connection(name: str, *, limit: int = 2 ** 16
                          ) -> Tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """``asyncio.open_connection`` over memory: a (StreamReader, StreamWriter) pair."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=limit, loop=loop)
    protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
    transport, _ = await connect_memory(lambda: protocol, name)
    return reader, asyncio.StreamWriter(transport, protocol, reader, loop)
