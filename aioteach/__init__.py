"""aioteach: learn asynchronous HTTP in Python by reading and running it.

A small asyncio HTTP/1.1 server, client and WebSocket implementation whose public names are
aiohttp's, so that what you write here runs on aiohttp by changing one import::

    from aioteach import web                 # the server framework (aiohttp.web)
    import aioteach                          # ClientSession, ClientTimeout, WSMsgType ...
    from aioteach import hdrs                # header names as constants: hdrs.CONTENT_TYPE

Where to start reading: ``aioteach/http1/`` (bytes in, events out), then ``aioteach/web/``
and ``aioteach/client/``.  ``python -m aioteach --help`` lists the command-line tools.

The client's names are imported on first use (PEP 562), so ``import aioteach`` stays cheap and
``from aioteach import web`` never loads the client.
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
    # WebSocket vocabulary shared by both sides
    "WSMsgType": "aioteach.websocket",
    "WSCloseCode": "aioteach.websocket",
    "WSMessage": "aioteach.websocket",
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
    # gunicorn's worker class: gunicorn ... -k aioteach.GunicornWebWorker
    "GunicornWebWorker": "aioteach.web.worker",
}
_SUBMODULES = {"web", "client", "gen", "trace", "http1", "websocket", "testing", "toyloop",
               "notebook", "demo", "multidict", "url", "urlencoding", "multipart",
               "streams", "hdrs"}

__all__ = sorted(_LAZY) + ["web", "gen", "trace", "hdrs"]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"aioteach.{name}")
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'aioteach' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value          # cache: the next lookup is an ordinary attribute
    return value


def __dir__() -> list:
    return sorted(set(globals()) | set(_LAZY) | _SUBMODULES)
