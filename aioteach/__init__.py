"""aioteach: learn asynchronous HTTP in Python by reading and running it.

A small asyncio HTTP/1.1 server, client and WebSocket implementation whose public names are
aiohttp's, so that what you write here runs on aiohttp by changing one import::

    from aioteach import web                 # the server framework (aiohttp.web)
    import aioteach                          # ClientSession, ClientTimeout, WSMsgType ...
    from aioteach import hdrs                # header names as constants: hdrs.CONTENT_TYPE

The layer map.  Every module and package of aioteach, bottom-up.  A module imports only from its
own layer and the layers below it (``tests/test_architecture.py`` reads this table and holds the
tree to it), so you can start reading at L0 and never meet a name that has not been explained::

    L0  multidict.py     MultiDict, CIMultiDict: headers, query strings and forms
    L0  urlencoding.py   percent-encoding and query strings (RFC 3986 2.1, WHATWG forms)
    L0  urlparts.py      the parts of a URL: split, check, normalise (RFC 3986 section 3)
    L0  url.py           URL: the immutable value, its properties, joins and with_*()
    L0  hdrs.py          header and method names as constants (aiohttp.hdrs)
    L1  http1/           sans-I/O HTTP/1.1 (RFC 9112): bytes in, events out
    L1  websocket/       sans-I/O WebSocket (RFC 6455): frames, handshake, close codes
    L1  multipart.py     sans-I/O multipart/form-data (RFC 7578), both ways
    L2  streams.py       StreamReader: a body read by a coroutine at its own pace
    L2  payload.py       Payload: a body that knows its size and type, written by either side
    L2  abc.py           the abstract classes both sides implement (aiohttp.abc)
    L2  wsbase.py        the asyncio half of a WebSocket, shared by server and client
    L2  wsheartbeat.py   a WebSocket's heartbeat: Ping, and 1006 when nothing answers
    L2  wsreceive.py     a WebSocket's receive(): the queue's far end, typed and iterating
    L2  memory.py        an in-memory transport pair: asyncio's Transport without a socket
    L2  trace.py         tracing hooks and a recorder (no-op unless switched on)
    L2  genyield.py      what a generator coroutine may yield; gen.multi for yielded lists
    L2  gen.py           tornado-style generator coroutines on the asyncio loop
    L2  toyloop.py       a steppable event loop for lessons
    L3  web/             the server framework (aiohttp.web)
    L3  client/          the HTTP and WebSocket client (aiohttp's client names)
    L3  testing.py       TestServer, TestClient: an app on a real port inside a test
    L3  testloops.py     loops for tests that bring their own (loop_context, ...)
    L3  pytest_plugin.py the pytest fixtures on top of testing.py
    L3  demo.py          the offline lesson app
    L4  notebook/        Jupyter: in-kernel servers, widgets, timelines
    L4  __main__.py      the command line: serve, get, demo, lessons

Two rules go beyond the order: ``web`` and ``client`` never import each other (they share
L0-L2), and L0/L1 never import asyncio, sockets or a clock.  This package root only
re-exports; ``hdrs`` sits here, not in ``http1/``, because aiohttp's users import it as
``aioteach.hdrs`` and both sides use it.

Where to start reading: ``aioteach/http1/`` (bytes in, events out), then ``aioteach/web/``
and ``aioteach/client/``.  ``python -m aioteach --help`` lists the command-line tools.

The names below are imported on first use (PEP 562), so ``import aioteach`` stays cheap and
``from aioteach import web`` never loads the client: ``__getattr__`` is this package's one
plug-in point for lazy imports.
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# name -> module that defines it.  Looked up lazily by __getattr__ below.
_LAZY = {
    # the client (aiohttp's top-level names)
    "ClientSession": "aioteach.client",
    "ClientTimeout": "aioteach.client",
    "TCPConnector": "aioteach.client",
    "ClientResponse": "aioteach.client",
    "ClientRequest": "aioteach.client",
    "ClientWebSocketResponse": "aioteach.client",
    "FormData": "aioteach.client",
    "BasicAuth": "aioteach.client",
    "encode_basic_auth": "aioteach.client",
    "CookieJar": "aioteach.client",
    "DummyCookieJar": "aioteach.client",
    "RequestInfo": "aioteach.client",
    "request": "aioteach.client",
    "ClientError": "aioteach.client",
    "ClientConnectionError": "aioteach.client",
    "ClientConnectionResetError": "aioteach.client",
    "ClientConnectorError": "aioteach.client",
    "ClientOSError": "aioteach.client",
    "ServerDisconnectedError": "aioteach.client",
    "ClientResponseError": "aioteach.client",
    "ContentTypeError": "aioteach.client",
    "ClientPayloadError": "aioteach.client",
    "InvalidURL": "aioteach.client",
    "InvalidUrlClientError": "aioteach.client",
    "InvalidUrlRedirectClientError": "aioteach.client",
    "NonHttpUrlClientError": "aioteach.client",
    "NonHttpUrlRedirectClientError": "aioteach.client",
    "RedirectClientError": "aioteach.client",
    "TooManyRedirects": "aioteach.client",
    "ServerTimeoutError": "aioteach.client",
    "ServerConnectionError": "aioteach.client",
    "WSServerHandshakeError": "aioteach.client",
    "ClientConnectorCertificateError": "aioteach.client",
    "ClientProxyConnectionError": "aioteach.client",
    "ClientHttpProxyError": "aioteach.client",
    "ServerFingerprintMismatch": "aioteach.client",
    "ConnectionTimeoutError": "aioteach.client",
    "SocketTimeoutError": "aioteach.client",
    "UploadAbortedError": "aioteach.client",
    "UploadTracker": "aioteach.client",
    "ClientHandlerType": "aioteach.client",
    "ClientMiddlewareType": "aioteach.client",
    # TLS pinning, name resolution and client tracing (aiohttp's top-level names)
    "Fingerprint": "aioteach.client",
    "ThreadedResolver": "aioteach.client",
    "DefaultResolver": "aioteach.client",
    "TraceConfig": "aioteach.client",
    "TraceRequestStartParams": "aioteach.client",
    "TraceRequestEndParams": "aioteach.client",
    "TraceRequestExceptionParams": "aioteach.client",
    "TraceRequestRedirectParams": "aioteach.client",
    "TraceRequestChunkSentParams": "aioteach.client",
    "TraceResponseChunkReceivedParams": "aioteach.client",
    "TraceRequestHeadersSentParams": "aioteach.client",
    "TraceConnectionQueuedStartParams": "aioteach.client",
    "TraceConnectionQueuedEndParams": "aioteach.client",
    "TraceConnectionCreateStartParams": "aioteach.client",
    "TraceConnectionCreateEndParams": "aioteach.client",
    "TraceConnectionReuseconnParams": "aioteach.client",
    "TraceDnsResolveHostStartParams": "aioteach.client",
    "TraceDnsResolveHostEndParams": "aioteach.client",
    "TraceDnsCacheHitParams": "aioteach.client",
    "TraceDnsCacheMissParams": "aioteach.client",
    # WebSocket vocabulary shared by both sides
    "WSMsgType": "aioteach.websocket",
    "WSCloseCode": "aioteach.websocket",
    "WSMessage": "aioteach.websocket",
    "WSMessageTypeError": "aioteach.websocket",
    # the multidicts and URLs every layer hands around
    "MultiDict": "aioteach.multidict",
    "CIMultiDict": "aioteach.multidict",
    "URL": "aioteach.url",
    # multipart bodies and HTTP versions: aiohttp keeps these at the top level too
    "MultipartReader": "aioteach.web.multipart",
    "BodyPartReader": "aioteach.web.multipart",
    "MultipartWriter": "aioteach.client.multipartwriter",
    "HttpVersion": "aioteach.web.request",
    "HttpVersion10": "aioteach.web.request",
    "HttpVersion11": "aioteach.web.request",
    # payloads: a body that knows its type and size (aiohttp exports these at the top too)
    **{name: "aioteach.payload" for name in (
        "Payload", "BytesPayload", "StringPayload", "StringIOPayload", "IOBasePayload",
        "BufferedReaderPayload", "TextIOPayload", "BytesIOPayload", "AsyncIterablePayload",
        "JsonPayload", "PAYLOAD_REGISTRY", "get_payload", "payload_type", "streamer")},
    # gunicorn's worker class: gunicorn ... -k aioteach.GunicornWebWorker
    "GunicornWebWorker": "aioteach.web.worker",
}
_SUBMODULES = {"web", "client", "gen", "trace", "http1", "websocket", "testing", "toyloop", "abc",
               "notebook", "demo", "multidict", "url", "urlparts", "urlencoding", "multipart",
               "streams", "hdrs"}

__all__ = sorted(_LAZY) + ["web", "gen", "trace", "hdrs"]  # noqa: PLE0605 (computed)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"aioteach.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'aioteach' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value          # cache: the next lookup is an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
