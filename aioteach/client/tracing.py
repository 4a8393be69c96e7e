"""TraceConfig: aiohttp's client tracing API, async callbacks at the moments of a request.

Theory of operation.  ``aioteach.trace`` records what happened for timelines; a
``TraceConfig`` lets *your* code run at the same moments, with aiohttp's names::

    async def on_start(session, ctx, params):         # params: TraceRequestStartParams
        ctx.started = asyncio.get_running_loop().time()

    config = aioteach.TraceConfig()
    config.on_request_start.append(on_start)
    async with aioteach.ClientSession(trace_configs=[config]) as session: ...

Each callback gets the session, a per-request context (``config.trace_config_ctx()``: a
``SimpleNamespace`` holding ``trace_request_ctx``, what the request passed as
``trace_request_ctx=``) and a small frozen params object.  Callbacks are awaited in order, in
the request's own task, so a slow callback slows the request (as in aiohttp).

The moments, and where the client code sends them:

    request_start, request_redirect, request_end, request_exception     session.py (_follow)
    request_headers_sent, request_chunk_sent                            request.py (write)
    response_chunk_received                                              response.py (read)
    connection_queued_start/_end, connection_create_start/_end          connector.py (connect)
    connection_reuseconn                                                 session.py / connector.py
    dns_resolvehost_start/_end, dns_cache_hit/_miss                      connector.py (resolving)

They sit next to the ``aioteach.trace`` hook calls of the same moments, so a reader finds both
observers in one place.  With no trace configs the client pays one truth test per moment.

A signal is a list of callbacks (``Signal``); ``TraceConfig.freeze()`` (done by the session
that takes it) makes every list refuse further changes, as aiohttp's ``aiosignal`` does.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Callable, Dict, List, Optional, Type

__all__ = [
    "TraceConfig", "Trace", "Signal", "TraceRequestStartParams", "TraceRequestEndParams",
    "TraceRequestExceptionParams", "TraceRequestRedirectParams", "TraceRequestChunkSentParams",
    "TraceResponseChunkReceivedParams", "TraceRequestHeadersSentParams",
    "TraceConnectionQueuedStartParams", "TraceConnectionQueuedEndParams",
    "TraceConnectionCreateStartParams", "TraceConnectionCreateEndParams",
    "TraceConnectionReuseconnParams", "TraceDnsResolveHostStartParams",
    "TraceDnsResolveHostEndParams", "TraceDnsCacheHitParams", "TraceDnsCacheMissParams",
]


class Signal(list):
    """A list of ``async def callback(session, ctx, params)``; ``send`` awaits each in order."""

    def __init__(self, owner: Any) -> None:
        super().__init__()
        self._owner = owner
        self.frozen = False

    def freeze(self) -> None:
        self.frozen = True

    def _check(self) -> None:
        if self.frozen:
            raise RuntimeError("Cannot modify frozen list: the TraceConfig is in use by a "
                               "ClientSession; add callbacks before creating the session")

    def append(self, callback: Callable[..., Any]) -> None:
        self._check()
        super().append(callback)

    def insert(self, index: Any, callback: Callable[..., Any]) -> None:
        self._check()
        super().insert(index, callback)

    def remove(self, callback: Callable[..., Any]) -> None:
        self._check()
        super().remove(callback)

    async def send(self, *args: Any) -> None:
        for callback in self:
            await callback(*args)


# -- the params: one small frozen dataclass per moment (aiohttp's names and fields) ----------
@dataclass(frozen=True)
class TraceRequestStartParams:
    method: str
    url: Any
    headers: Any


@dataclass(frozen=True)
class TraceRequestEndParams:
    method: str
    url: Any
    headers: Any
    response: Any


@dataclass(frozen=True)
class TraceRequestExceptionParams:
    method: str
    url: Any
    headers: Any
    exception: BaseException


@dataclass(frozen=True)
class TraceRequestRedirectParams:
    method: str
    url: Any
    headers: Any
    response: Any


@dataclass(frozen=True)
class TraceRequestChunkSentParams:
    method: str
    url: Any
    chunk: bytes


@dataclass(frozen=True)
class TraceResponseChunkReceivedParams:
    method: str
    url: Any
    chunk: bytes


@dataclass(frozen=True)
class TraceRequestHeadersSentParams:
    method: str
    url: Any
    headers: Any


@dataclass(frozen=True)
class TraceConnectionQueuedStartParams:
    pass


@dataclass(frozen=True)
class TraceConnectionQueuedEndParams:
    pass


@dataclass(frozen=True)
class TraceConnectionCreateStartParams:
    pass


@dataclass(frozen=True)
class TraceConnectionCreateEndParams:
    pass


@dataclass(frozen=True)
class TraceConnectionReuseconnParams:
    pass


@dataclass(frozen=True)
class TraceDnsResolveHostStartParams:
    host: str


@dataclass(frozen=True)
class TraceDnsResolveHostEndParams:
    host: str


@dataclass(frozen=True)
class TraceDnsCacheHitParams:
    host: str


@dataclass(frozen=True)
class TraceDnsCacheMissParams:
    host: str


#: moment -> its params class; ``TraceConfig.on_<moment>`` is the signal of each.
PARAMS: Dict[str, Type[Any]] = {
    "request_start": TraceRequestStartParams,
    "request_chunk_sent": TraceRequestChunkSentParams,
    "response_chunk_received": TraceResponseChunkReceivedParams,
    "request_end": TraceRequestEndParams,
    "request_exception": TraceRequestExceptionParams,
    "request_redirect": TraceRequestRedirectParams,
    "request_headers_sent": TraceRequestHeadersSentParams,
    "connection_queued_start": TraceConnectionQueuedStartParams,
    "connection_queued_end": TraceConnectionQueuedEndParams,
    "connection_create_start": TraceConnectionCreateStartParams,
    "connection_create_end": TraceConnectionCreateEndParams,
    "connection_reuseconn": TraceConnectionReuseconnParams,
    "dns_resolvehost_start": TraceDnsResolveHostStartParams,
    "dns_resolvehost_end": TraceDnsResolveHostEndParams,
    "dns_cache_hit": TraceDnsCacheHitParams,
    "dns_cache_miss": TraceDnsCacheMissParams,
}


class TraceConfig:
    """The callbacks to run at each moment of a request: ``config.on_request_start.append(f)``."""

    def __init__(self, trace_config_ctx_factory: Type[SimpleNamespace] = SimpleNamespace
                 ) -> None:
        for moment in PARAMS:
            setattr(self, f"_on_{moment}", Signal(self))   # aiohttp's attribute names too
        self._trace_config_ctx_factory = trace_config_ctx_factory

    def trace_config_ctx(self, trace_request_ctx: Any = None) -> SimpleNamespace:
        """A fresh context for one request (what every callback of that request gets)."""
        return self._trace_config_ctx_factory(trace_request_ctx=trace_request_ctx)

    def freeze(self) -> None:
        for moment in PARAMS:
            getattr(self, f"_on_{moment}").freeze()

    def signal(self, moment: str) -> Signal:
        return getattr(self, f"_on_{moment}")

    on_request_start = property(lambda self: self._on_request_start)
    on_request_chunk_sent = property(lambda self: self._on_request_chunk_sent)
    on_response_chunk_received = property(lambda self: self._on_response_chunk_received)
    on_request_end = property(lambda self: self._on_request_end)
    on_request_exception = property(lambda self: self._on_request_exception)
    on_request_redirect = property(lambda self: self._on_request_redirect)
    on_request_headers_sent = property(lambda self: self._on_request_headers_sent)
    on_connection_queued_start = property(lambda self: self._on_connection_queued_start)
    on_connection_queued_end = property(lambda self: self._on_connection_queued_end)
    on_connection_create_start = property(lambda self: self._on_connection_create_start)
    on_connection_create_end = property(lambda self: self._on_connection_create_end)
    on_connection_reuseconn = property(lambda self: self._on_connection_reuseconn)
    on_dns_resolvehost_start = property(lambda self: self._on_dns_resolvehost_start)
    on_dns_resolvehost_end = property(lambda self: self._on_dns_resolvehost_end)
    on_dns_cache_hit = property(lambda self: self._on_dns_cache_hit)
    on_dns_cache_miss = property(lambda self: self._on_dns_cache_miss)


class Trace:
    """One request's view of one TraceConfig: the session and the request's context."""

    __slots__ = ("_session", "_config", "_ctx", "started")

    def __init__(self, session: Any, trace_config: TraceConfig, trace_config_ctx: Any) -> None:
        self._session, self._config, self._ctx = session, trace_config, trace_config_ctx
        self.started = False                   # its request_start callbacks all returned

    async def send(self, moment: str, *fields: Any) -> None:
        signal = self._config.signal(moment)
        if signal:
            await signal.send(self._session, self._ctx, PARAMS[moment](*fields))


def request_traces(session: Any, configs: List[TraceConfig],
                   trace_request_ctx: Optional[Any]) -> List[Trace]:
    """One ``Trace`` per config for a new request (each with its own fresh context)."""
    return [Trace(session, config, config.trace_config_ctx(trace_request_ctx))
            for config in configs]


async def send_all(traces: List[Trace], moment: str, *fields: Any) -> None:
    """Run ``moment``'s callbacks of every trace config of a request, config by config."""
    for one in traces:
        await one.send(moment, *fields)


async def start_all(traces: List[Trace], *fields: Any) -> None:
    """request_start, config by config; a config whose callbacks all returned is *started*.

    As in aiohttp, only a started config hears how the request ended: when the second
    config's on_request_start raises, the first gets request_exception and the second nothing.
    """
    for one in traces:
        await one.send("request_start", *fields)
        one.started = True


async def send_exception(traces: List[Trace], *fields: Any) -> None:
    """request_exception, to the configs that were started (see start_all)."""
    for one in traces:
        if one.started:
            await one.send("request_exception", *fields)
