"""``aioteach.web``: the server framework, under aiohttp.web's names.

This package only re-exports; each concept lives in a module of its own, and the list below
is the table of contents, read bottom-up the way a request travels::

    protocol      the asyncio.Protocol that turns bytes into Request objects (via aioteach.http1)
    eager         how protocol starts a handler: in a Task, or its first step right away
    request       Request: what the handler gets (headers, query, body, match_info...)
    response      StreamResponse, Response, json_response: what the handler returns
    exceptions    every HTTP status as an exception you may raise or return (HTTPNotFound...)
    fileresponse  FileResponse: a file from disk, with Last-Modified and Range
    multipart     MultipartReader: multipart/form-data bodies, part by part
    resources     path patterns and the routes on them; UrlMappingMatchInfo, 404/405
    staticfiles   StaticResource: files from a folder, and never from outside it
    router        UrlDispatcher: path -> resource -> route -> handler, quickly
    routedef      RouteTableDef and web.get(...): routes declared as data
    views         View: one class, one method per HTTP method
    middleware    @middleware and the onion they are folded into
    app           Application: router + middlewares + state + lifecycle signals
    accesslog     the access log line, in aiohttp's format
    runner        AppRunner, TCPSite, run_app: listening on a port and shutting down cleanly
    websocket     WebSocketResponse: a handler's request upgraded to a WebSocket (RFC 6455)

``GunicornWebWorker`` (``aioteach.web.worker``) is imported only by gunicorn itself.
"""
from . import (accesslog, app, exceptions, fileresponse, middleware, multipart, protocol,
               request, resources, response, routedef, router, runner, staticfiles, views,
               websocket)

# Listed before the star imports: ``from .middleware import *`` rebinds ``middleware`` to the
# decorator (aiohttp's ``web.middleware``), so the module must be captured here.
_MODULES = (protocol, request, response, exceptions, fileresponse, multipart, resources,
            staticfiles, router, routedef, views, middleware, app, accesslog, runner, websocket)

from .protocol import *  # noqa: F401,F403
from .request import *  # noqa: F401,F403
from .response import *  # noqa: F401,F403
from .exceptions import *  # noqa: F401,F403
from .fileresponse import *  # noqa: F401,F403
from .multipart import *  # noqa: F401,F403
from .resources import *  # noqa: F401,F403
from .staticfiles import *  # noqa: F401,F403
from .router import *  # noqa: F401,F403
from .routedef import *  # noqa: F401,F403
from .views import *  # noqa: F401,F403
from .middleware import *  # noqa: F401,F403
from .app import *  # noqa: F401,F403
from .accesslog import *  # noqa: F401,F403
from .runner import *  # noqa: F401,F403
from .websocket import *  # noqa: F401,F403

__all__ = sorted({name for module in _MODULES for name in module.__all__})
