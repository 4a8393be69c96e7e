"""``aioteach.web``: the server framework, under aiohttp.web's names.

This package only re-exports; each concept lives in a module of its own, and the list below
is the table of contents, read bottom-up the way a request travels::

    protocol      the asyncio.Protocol that turns bytes into Request objects (via aioteach.http1)
    eager         how protocol starts a handler: in a Task, or its first step right away
    request       Request: what the handler gets (query, body, match_info...)
    headfields    what its header fields say: cookies, content type, dates, Range
    state         StateMapping: request["k"] and response["k"], one small dict for both
    response      StreamResponse: the head, then the body piece by piece
    wholeresponse Response, json_response: what the handler returns, its whole body at once
    payloadbody   a Response whose body is a file, a StringIO, an async generator, a Payload
    exceptions    every HTTP status as an exception you may raise or return (HTTPNotFound...)
    fileresponse  FileResponse: a file from disk, with Last-Modified and Range
    multipart     MultipartReader, read_form: multipart/form-data bodies (request.post() too)
    resources     path patterns and the routes on them; UrlMappingMatchInfo, 404/405
    staticfiles   StaticResource: files from a folder, and never from outside it
    router        UrlDispatcher: path -> resource -> route -> handler, quickly
    routedef      RouteTableDef and web.get(...): routes declared as data
    views         View: one class, one method per HTTP method
    middleware    @middleware and the onion they are folded into
    app           Application: router + middlewares + state + lifecycle signals
    accesslog     the access log line, in aiohttp's format
    runner        AppRunner, TCPSite, SockSite: listening, and shutting down cleanly
    runapp        run_app: a script's whole server life, on the runner and sites above
    websocket     WebSocketResponse: a handler's request upgraded to a WebSocket (RFC 6455)

The public surface.  Every name in ``__all__`` below exists on ``aiohttp.web`` too, so
``from aioteach import web`` and ``from aiohttp import web`` are interchangeable for any of
them.  There are no aioteach extras here: what aioteach adds for learners stays in the module
that explains it, one import away, e.g.::

    aioteach.web.eager.start_eagerly          a handler's first step run without a Task
    aioteach.web.middleware.fold_middlewares  the middleware onion, folded where you can read it
    aioteach.web.response.http_date           the Date header, formatted once a second
    aioteach.web.protocol.HttpProtocol        the per-connection protocol (aiohttp: RequestHandler)
    aioteach.web.app.Signal, CleanupContext   the lifecycle signal lists
    aioteach.web.resources.PrefixResource, SystemRoute, MatchInfoError
    aioteach.web.accesslog.LOG_FORMAT         the default access log format

``python -m aioteach serve pkg.module:app`` is the command line's (``aioteach/__main__.py``,
``serve_command``, over ``web.run_app``), not this package's.

``MultipartReader``, ``BodyPartReader`` and ``HttpVersion`` live at the top, as in aiohttp
(``aioteach.MultipartReader``); ``GunicornWebWorker`` (``aioteach.web.worker``) is imported
only by gunicorn itself.  Not provided: ``NamedPipeSite`` (Windows named pipes),
``PayloadAccessError`` and ``json_bytes_response``.
"""
from .protocol import RequestHandler
from .server import Server
from .request import BaseRequest, Request, RequestPayloadError
from .multipart import FileField
from .response import ContentCoding, StreamResponse
from .wholeresponse import Response, json_response
from . import exceptions
from .exceptions import *  # noqa: F403  (HTTPException and every HTTPxxx status)
from .fileresponse import FileResponse
from .resources import (AbstractResource, AbstractRoute, DynamicResource, PlainResource,
                        PrefixedSubAppResource, Resource, ResourceRoute, UrlMappingMatchInfo)
from .staticfiles import StaticResource
from .router import UrlDispatcher
from .routedef import (AbstractRouteDef, RouteDef, RouteTableDef, StaticDef, delete, get, head,
                       options, patch, post, put, route, static, view)
from .views import View
from .middleware import middleware, normalize_path_middleware
from .app import AppKey, Application, CleanupError, NotAppKeyWarning, RequestKey, ResponseKey
from .accesslog import AbstractAccessLogger, AccessLogger, access_logger
from .runner import (AppRunner, BaseRunner, BaseSite, GracefulExit, ServerRunner, SockSite,
                     TCPSite, UnixSite)
from .runapp import run_app
from .websocket import WebSocketReady, WebSocketResponse, WSMsgType

__all__ = [
    # protocol, request, response
    "Server", "RequestHandler",
    "BaseRequest", "Request", "FileField", "RequestPayloadError",
    "StreamResponse", "Response", "json_response", "ContentCoding", "FileResponse",
    # routing
    "UrlDispatcher", "UrlMappingMatchInfo", "AbstractResource", "Resource", "PlainResource",
    "DynamicResource", "PrefixedSubAppResource", "StaticResource", "AbstractRoute",
    "ResourceRoute", "AbstractRouteDef", "RouteDef", "StaticDef", "RouteTableDef", "route",
    "head", "options", "get", "post", "put", "patch", "delete", "view", "static", "View",
    # the application and its middlewares
    "Application", "AppKey", "RequestKey", "ResponseKey", "NotAppKeyWarning", "CleanupError",
    "middleware", "normalize_path_middleware",
    # serving
    "AbstractAccessLogger", "AccessLogger", "access_logger",
    "BaseRunner", "AppRunner", "ServerRunner", "BaseSite", "TCPSite", "UnixSite", "SockSite",
    "GracefulExit", "run_app",
    # WebSockets
    "WebSocketResponse", "WebSocketReady", "WSMsgType",
]
__all__ += exceptions.__all__    # HTTPException and every HTTPxxx status
