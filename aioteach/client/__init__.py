"""``aioteach.client``: the HTTP client, under aiohttp's names.

This package only re-exports; each concept lives in a module of its own.  Read them in the
order a request travels::

    session      ClientSession: builds requests, keeps cookies, retries once
    contexts     what session.get() returns: await it or ``async with`` it
    redirects    which request a 3xx asks for (RFC 9110 15.4)
    oneshot      aioteach.request(): one request, its own session
    request      ClientRequest: the head bytes and the body writer
    connector    TCPConnector: the connection pool (limits, FIFO queue, keep-alive reuse)
    memory       MemoryConnector: the pool over in-process transports (aioteach.memory; not in
                 aiohttp, an aioteach extra for notebooks with no sockets)
    resolver     host names -> addresses: ThreadedResolver, the DNS cache
    proxy        HTTP proxies: absolute-form requests, CONNECT tunnels
    environment  trust_env=True: HTTP_PROXY/HTTPS_PROXY/NO_PROXY and .netrc
    fingerprint  Fingerprint: pinning a server's certificate
    connection   ClientConnection: one asyncio.Protocol, the parser and the timers
    response     ClientResponse: status, headers, and the body as a stream
    decoding     gzip / deflate, decoded as the body arrives
    cookiejar    CookieJar: RFC 6265's rules for sending cookies back
    formdata     FormData: urlencoded and multipart forms
    multipartwriter  MultipartWriter: any multipart body, part by part
    auth         BasicAuth
    timeouts     ClientTimeout and the Deadline that enforces it
    websocket    ws_connect and ClientWebSocketResponse: the client's end of a WebSocket
    errors       ClientError and its family
    tracing      TraceConfig: your async callbacks at each moment of a request
    upload       UploadTracker: how much of a request's body went out, and whether all of it
    middlewares  your code around each request: ClientSession(middlewares=[...])
    cli          ``python -m aioteach get URL``

Note: the name ``aioteach.client.request`` is the one-shot ``request()`` function (aiohttp's
``aiohttp.request``); the module that builds requests is ``aioteach.client.request`` only in
``sys.modules``.
"""
from . import auth, connection, connector, cookiejar, decoding as decoding, errors, formdata
from . import request as request_module
from . import response, session, timeouts, tracing
from .errors import *  # noqa: F401,F403
from .timeouts import *  # noqa: F401,F403
from .auth import *  # noqa: F401,F403
from .cookiejar import *  # noqa: F401,F403
from .formdata import *  # noqa: F401,F403
from .multipartwriter import MultipartWriter  # noqa: F401
from .response import *  # noqa: F401,F403
from .connection import *  # noqa: F401,F403
from .connector import *  # noqa: F401,F403
from .request import *  # noqa: F401,F403
from .session import *  # noqa: F401,F403
from .contexts import RequestContextManager  # noqa: F401
from .oneshot import request  # noqa: F401
from .resolver import DefaultResolver, ThreadedResolver  # noqa: F401
from .fingerprint import Fingerprint  # noqa: F401
from .tracing import *  # noqa: F401,F403
from .upload import UploadTracker  # noqa: F401
from .memory import MemoryConnector  # noqa: F401
from .middlewares import ClientHandlerType, ClientMiddlewareType  # noqa: F401

from . import websocket as websocket
from .websocket import ClientWebSocketResponse  # noqa: F401

__all__ = (errors.__all__ + timeouts.__all__ + auth.__all__ + cookiejar.__all__
           + formdata.__all__ + response.__all__ + connection.__all__ + connector.__all__
           + request_module.__all__ + session.__all__ + tracing.__all__
           + ["ClientWebSocketResponse", "MultipartWriter", "RequestContextManager", "request",
              "DefaultResolver", "ThreadedResolver", "Fingerprint", "UploadTracker",
              "MemoryConnector", "ClientHandlerType", "ClientMiddlewareType"])
