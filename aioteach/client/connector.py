"""TCPConnector: the connection pool, with limits, a fair queue and keep-alive reuse.

Theory of operation.  Opening a TCP connection costs a round trip (two more for TLS), so the
client keeps connections open after a response and reuses them (HTTP/1.1 persistence, RFC
9112 section 9.3).  The pool keys them by ``ConnectionKey(host, port, is_ssl, ssl)``: only a
connection to the same server, with the same TLS settings, may carry the next request.

A connection is either *in use* (carrying one exchange: HTTP/1.1 has one request in flight
per connection) or *idle* (in the pool, waiting for reuse).  ``connect(key)``:

1. takes a *slot*: at most ``limit`` connections in use overall (100 by default) and at most
   ``limit_per_host`` to one key (0: no per-host limit, like aiohttp).  With no slot free, the
   caller waits in a FIFO queue: a future per waiter, resolved by whoever frees a slot, which
   hands the slot over directly so nobody who arrives later can take it first;
2. reuses the most recently released idle connection of the key (LIFO: it is the one most
   likely still open at the server), or opens a new one (``loop.create_connection``).

``reuse(key)`` is step 2 alone, for the common case of a busy client: a slot is free, nobody
is queued and an idle connection is there; it takes it at once, without a coroutine.

``release(conn)`` (the connection calls it when a response has ended on the wire) puts a
reusable connection back into the idle pool and frees the slot; ``forget(conn)`` (when a
connection closes) frees its slot or drops it from the pool.  Idle connections are closed
after ``keepalive_timeout`` seconds (15, like aiohttp; servers drop theirs after 5-75 s), by one
timer for the whole pool.  ``force_close=True`` never keeps a connection.

Opening a connection (``_open``): a host that names an in-memory server of this process
(``aioteach.memory``: ``http://memory-1``) is connected in memory; any other host name
becomes addresses (``resolver``, with a small cache: resolver.py; an IP address needs none),
then ``loop.create_connection`` tries
them in order, with TLS when the scheme is https.  Through a proxy (proxy.py) the connection
goes to the proxy, and for https it is a CONNECT tunnel in which TLS starts.  With
``ssl=Fingerprint(...)`` the certificate's digest is checked before the connection is used
(fingerprint.py).

Tracing: ``client.connection_queued`` when a request has to wait for a slot and
``client.connection_acquired`` (``reused`` True/False) the moment it has a connection: the
lessons' concurrency timelines draw the gap between them.  A request's ``TraceConfig``
callbacks (tracing.py) hear the same moments, and the DNS ones, from the same places.
"""
from __future__ import annotations

import asyncio
import collections
import errno
import ssl as ssllib
from typing import Any, Deque, Dict, List, NamedTuple, Optional, Set, Tuple, Union

from .. import memory, trace
from ..abc import AbstractResolver, ResolveResult
from .connection import DEFAULT_LIMITS, ClientConnection
from .errors import (ClientConnectorCertificateError, ClientConnectorError, ClientError,
                     ConnectionTimeoutError)
from .fingerprint import Fingerprint
from .proxy import open_tunnel
from .resolver import DefaultResolver, HostCache, is_ip_address, literal_address
from .timeouts import Deadline
from .tracing import send_all

__all__ = ["TCPConnector", "ConnectionKey"]

SSLSetting = Union[bool, ssllib.SSLContext, None]


class ConnectionKey(NamedTuple):
    """Which connections may be shared: same host, port and TLS settings."""

    host: str
    port: int
    is_ssl: bool
    ssl: Any                       # True (verify), False (do not), an SSLContext, a Fingerprint
    proxy: Any = None              # proxy.Proxy, or None: straight to the host
    server_hostname: Optional[str] = None   # the TLS name (SNI, certificate) if not the host


def _unverified_context() -> ssllib.SSLContext:
    context = ssllib.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssllib.CERT_NONE
    return context


class TCPConnector:
    """``TCPConnector(limit=100, limit_per_host=0, keepalive_timeout=15, force_close=False, ssl=True)``.

    ``limit=0`` means no limit, as in aiohttp.

    ``resolver`` turns names into addresses (``ThreadedResolver`` by default); answers are
    kept ``ttl_dns_cache`` seconds (None: for ever) unless ``use_dns_cache=False``.
    ``enable_cleanup_closed`` is accepted for aiohttp's sake and ignored.
    """

    def __init__(self, *, limit: int = 100, limit_per_host: int = 0,
                 keepalive_timeout: Optional[float] = 15.0, force_close: bool = False,
                 ssl: SSLSetting = True, family: int = 0, local_addr: Any = None,
                 enable_cleanup_closed: bool = False, ttl_dns_cache: Optional[float] = 10,
                 use_dns_cache: bool = True, resolver: Optional[AbstractResolver] = None,
                 loop: Any = None) -> None:
        self.limit = limit
        self.limit_per_host = limit_per_host
        self.keepalive_timeout = None if force_close else keepalive_timeout
        self.force_close = force_close
        self.ssl = True if ssl is None else ssl
        self._family = family
        self._local_addr = local_addr
        self._resolver = resolver if resolver is not None else DefaultResolver()
        self._dns = HostCache(ttl_dns_cache) if use_dns_cache else None
        self._idle: Dict[ConnectionKey, List[Tuple[ClientConnection, float]]] = {}
        self._in_use: Set[ClientConnection] = set()
        self._slots_per_key: Dict[ConnectionKey, int] = collections.defaultdict(int)
        self._slots = 0
        self._waiters: Deque[Tuple[ConnectionKey, asyncio.Future]] = collections.deque()
        self._cleanup: Optional[asyncio.TimerHandle] = None
        self._contexts: Dict[bool, ssllib.SSLContext] = {}
        self._closed = False

    # -- slots and the queue ---------------------------------------------------------------
    def _slot_free(self, key: ConnectionKey) -> bool:
        if self.limit and self._slots >= self.limit:
            return False
        return not self.limit_per_host or self._slots_per_key[key] < self.limit_per_host

    def _take_slot(self, key: ConnectionKey) -> None:
        self._slots += 1
        self._slots_per_key[key] += 1

    def _give_back_slot(self, key: ConnectionKey) -> None:
        self._slots -= 1
        left = self._slots_per_key[key] - 1
        if left:
            self._slots_per_key[key] = left
        else:
            del self._slots_per_key[key]
        self._wake_waiters()

    def _wake_waiters(self) -> None:
        """Hand free slots to the waiters, oldest first (skipping those whose host is full)."""
        if not self._waiters:
            return
        for waiter in list(self._waiters):
            key, future = waiter
            if self.limit and self._slots >= self.limit:
                return
            if future.done():                  # cancelled while waiting
                self._waiters.remove(waiter)
            elif self._slot_free(key):
                self._waiters.remove(waiter)
                self._take_slot(key)
                future.set_result(None)

    def _must_wait(self, key: ConnectionKey) -> bool:
        if not self._slot_free(key):
            return True
        # A free slot, but someone queued earlier for this key goes first (FIFO).  Waiters of
        # other keys are only held up by their own per-host limit, not by us.  (The queue is
        # usually empty: asking first spares building the generator.)
        return bool(self._waiters) and any(k == key for k, _ in self._waiters)

    async def connect(self, key: ConnectionKey, *, trace_req: Any = None,
                      sock_connect: Optional[float] = None, limits: tuple = DEFAULT_LIMITS,
                      loop: Optional[asyncio.AbstractEventLoop] = None,
                      traces: Any = None) -> ClientConnection:
        """A connection for ``key``, in use until ``release``/``forget``; waits for a slot."""
        # long because: the queue, the slot bookkeeping on every way out and the tracing of
        # each step are one protocol, best read in one piece
        if self._closed:
            raise RuntimeError("the connector is closed (was its session closed?)")
        loop = loop or asyncio.get_running_loop()   # the caller's: one getpid() fewer on 3.11
        if self._must_wait(key):
            if trace.enabled:
                trace.emit("client.connection_queued", req=trace_req, key=f"{key.host}:{key.port}")
            if traces:
                await send_all(traces, "connection_queued_start")
            future = loop.create_future()
            self._waiters.append((key, future))
            try:
                await future
            except BaseException:
                if future.done() and not future.cancelled() and future.exception() is None:
                    self._give_back_slot(key)   # handed a slot we can no longer use
                elif (key, future) in self._waiters:
                    self._waiters.remove((key, future))
                raise
            if traces:
                await send_all(traces, "connection_queued_end")
        else:
            self._take_slot(key)
        try:
            conn = self._take_idle(key, loop)
            reused = conn is not None
            if conn is None:
                if traces:
                    await send_all(traces, "connection_create_start")
                conn = await self._open(key, loop, sock_connect, limits, traces)
                if traces:
                    await send_all(traces, "connection_create_end")
            else:
                if conn.limits is not limits:
                    conn.set_limits(limits)
                if traces:
                    await send_all(traces, "connection_reuseconn")
        except BaseException:
            self._give_back_slot(key)
            raise
        self._in_use.add(conn)
        if trace.enabled:
            trace.emit("client.connection_acquired", req=trace_req,
                       key=f"{key.host}:{key.port}", reused=reused)
        return conn

    def reuse(self, key: ConnectionKey, loop: asyncio.AbstractEventLoop, *,
              trace_req: Any = None) -> Optional[ClientConnection]:
        """An idle connection for ``key`` taken at once, or None: then ``await connect(key)``."""
        if self._closed or not self._idle.get(key) or self._must_wait(key):
            return None
        conn = self._take_idle(key, loop)
        if conn is None:
            return None
        self._take_slot(key)
        self._in_use.add(conn)
        if trace.enabled:
            trace.emit("client.connection_acquired", req=trace_req,
                       key=f"{key.host}:{key.port}", reused=True)
        return conn

    # -- the idle pool ---------------------------------------------------------------------
    def _take_idle(self, key: ConnectionKey, loop: asyncio.AbstractEventLoop
                   ) -> Optional[ClientConnection]:
        idle = self._idle.get(key)
        now = loop.time()
        while idle:
            conn, since = idle.pop()           # LIFO, see the module docstring
            if conn.is_connected() and (self.keepalive_timeout is None
                                        or now - since < self.keepalive_timeout):
                return conn
            conn.close()
        return None

    def release(self, conn: ClientConnection) -> None:
        """A response ended on the wire: keep the connection for reuse if both sides agree."""
        if conn not in self._in_use:
            return
        self._in_use.discard(conn)
        key = conn.key
        if conn.should_close or self.force_close or self._closed or not conn.is_connected():
            conn.close()
        else:
            loop = conn.loop
            self._idle.setdefault(key, []).append((conn, loop.time()))
            if self._cleanup is None and self.keepalive_timeout is not None:
                self._cleanup = loop.call_later(self.keepalive_timeout, self._close_expired)
        self._give_back_slot(key)

    def forget(self, conn: ClientConnection) -> None:
        """``conn`` closed (or left HTTP after an upgrade): free its slot or its idle place."""
        if conn in self._in_use:
            self._in_use.discard(conn)
            self._give_back_slot(conn.key)
            return
        idle = self._idle.get(conn.key)
        if idle:
            idle[:] = [(c, t) for c, t in idle if c is not conn]

    def _close_expired(self) -> None:
        """The keep-alive timer: close idle connections older than keepalive_timeout."""
        self._cleanup = None
        if self.keepalive_timeout is None:
            return
        loop = asyncio.get_running_loop()
        now, oldest = loop.time(), None
        for key, idle in list(self._idle.items()):
            keep = []
            for conn, since in idle:
                if now - since >= self.keepalive_timeout or not conn.is_connected():
                    conn.close()
                else:
                    keep.append((conn, since))
                    oldest = since if oldest is None else min(oldest, since)
            if keep:
                self._idle[key] = keep
            else:
                del self._idle[key]
        if oldest is not None:
            self._cleanup = loop.call_at(oldest + self.keepalive_timeout, self._close_expired)

    # -- opening connections ---------------------------------------------------------------
    def ssl_context(self, setting: Any) -> Optional[ssllib.SSLContext]:
        """True: verify certificates (the default); False or a Fingerprint: do not (the
        fingerprint is checked instead); or a context as given."""
        if isinstance(setting, ssllib.SSLContext):
            return setting
        verify = setting is not False and not isinstance(setting, Fingerprint)
        if verify not in self._contexts:
            context = ssllib.create_default_context() if verify else _unverified_context()
            # ALPN (RFC 7301): say we speak HTTP/1.1, so a server offering h2 picks http/1.1
            context.set_alpn_protocols(["http/1.1"])
            self._contexts[verify] = context
        return self._contexts[verify]

    async def _open(self, key: ConnectionKey, loop: asyncio.AbstractEventLoop,
                    sock_connect: Optional[float], limits: tuple, traces: Any
                    ) -> ClientConnection:
        """A new connection for ``key`` (within ``sock_connect``), its errors as ClientErrors."""
        # A Deadline, not asyncio.wait_for: on 3.11 wait_for loses a cancellation that comes
        # as the connection completes (the request would then carry on, uncancellable).
        hint = (f"Connection timeout to host {key.host}:{key.port}: no answer within "
                "{delay} s (ClientTimeout.sock_connect)") if sock_connect is not None else ""
        try:
            with Deadline(loop, sock_connect, ConnectionTimeoutError, hint):
                conn = await self._dial(key, loop, limits, traces)
        except ssllib.SSLCertVerificationError as exc:
            raise ClientConnectorCertificateError(key, exc) from exc
        except ClientError:
            raise
        except OSError as exc:         # refused, unreachable, name not found, TLS failure
            raise ClientConnectorError(key, exc) from exc
        if isinstance(key.ssl, Fingerprint):
            try:
                key.ssl.check(conn.transport)
            except BaseException:
                conn.close()
                raise
        return conn

    async def _dial(self, key: ConnectionKey, loop: asyncio.AbstractEventLoop, limits: tuple,
                    traces: Any) -> ClientConnection:
        """Resolve, connect (to the proxy, if any), start TLS: see the module docstring."""
        context = self.ssl_context(key.ssl) if key.is_ssl else None
        proxy = key.proxy
        conn = ClientConnection(loop, key, self, limits=limits)
        if proxy is not None and context is not None:     # https through a CONNECT tunnel
            transport = await open_tunnel(loop, proxy, key.host, key.port, family=self._family,
                                          local_addr=self._local_addr)
            try:
                tls = await loop.start_tls(transport, conn, context,
                                          server_hostname=key.server_hostname or key.host)
            except BaseException:
                transport.close()
                raise
            # start_tls does not call it for us; typeshed says Optional, it returns a transport
            conn.connection_made(tls)          # type: ignore[arg-type]
            return conn
        if context is None and proxy is None and memory.serving(key.host):
            await memory.connect_memory(lambda: conn, key.host)   # a memory server: no socket
            return conn
        host, port = (proxy.host, proxy.port) if proxy is not None else (key.host, key.port)
        error: Optional[OSError] = None
        for address in await self._resolve(host, port, loop, traces):
            try:
                await loop.create_connection(
                    lambda: conn, address["host"], address["port"], ssl=context,
                    family=address["family"], proto=address["proto"], flags=address["flags"],
                    local_addr=self._local_addr,
                    server_hostname=(key.server_hostname or key.host) if context else None)
                return conn
            except ssllib.SSLCertVerificationError:
                raise                          # the next address would show the same cert
            except NotImplementedError:        # a loop with no sockets (Pyodide's WebLoop)
                raise OSError(errno.ENETUNREACH, f"this event loop cannot open sockets (a "
                              f"browser kernel?): {host} is not an in-memory server, and only "
                              f"those (http://memory-1/...) can be reached from here") from None
            except OSError as exc:
                error = exc                    # refused here: try the next address
        raise error or OSError(f"no address found for {host}")

    async def _resolve(self, host: str, port: int, loop: asyncio.AbstractEventLoop,
                       traces: Any) -> List[ResolveResult]:
        """The addresses of ``host``: literal, cached, or asked of the resolver."""
        if is_ip_address(host):
            return literal_address(host, port)
        cache, key = self._dns, (host, port)
        if cache is not None:
            found = cache.get(key, loop.time())
            if traces:
                await send_all(traces, "dns_cache_hit" if found else "dns_cache_miss", host)
            if found:
                return found
        if traces:
            await send_all(traces, "dns_resolvehost_start", host)
        # family is an int, as aiohttp's TCPConnector takes it; getaddrinfo accepts any int
        found = await self._resolver.resolve(host, port,
                                             family=self._family)  # type: ignore[arg-type]
        if traces:
            await send_all(traces, "dns_resolvehost_end", host)
        if cache is not None and found:
            cache.put(key, found, loop.time())
        return found

    def clear_dns_cache(self, host: Optional[str] = None, port: int = 0) -> None:
        """Forget resolved addresses: all of them, or those of ``host:port`` (aiohttp's name)."""
        if self._dns is not None:
            if host is None:
                self._dns.clear()
            else:
                self._dns.forget((host, port))

    # -- shutting down ---------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def open_connections(self) -> int:
        """Connections in use plus idle ones in the pool."""
        return len(self._in_use) + sum(len(idle) for idle in self._idle.values())

    async def close(self, *, abort_ssl: bool = False) -> None:
        """Close every connection, idle or in use.

        ``abort_ssl=True`` (aiohttp's keyword) drops TLS connections at once instead of
        sending TLS's close_notify first, which waits for the peer.
        """
        self._closed = True
        if self._cleanup is not None:
            self._cleanup.cancel()
            self._cleanup = None
        conns = [conn for idle in self._idle.values() for conn, _ in idle] + list(self._in_use)
        self._idle.clear()
        for conn in conns:
            if abort_ssl and conn.key.is_ssl and conn.transport is not None:
                conn.should_close = True
                conn.transport.abort()
            else:
                conn.close()
        for _, future in self._waiters:
            if not future.done():
                future.set_exception(RuntimeError("the connector was closed while waiting"))
        self._waiters.clear()

    def __repr__(self) -> str:
        idle = sum(len(v) for v in self._idle.values())
        return f"<TCPConnector {len(self._in_use)} in use, {idle} idle, {len(self._waiters)} waiting>"
