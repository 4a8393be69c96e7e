"""Client middlewares: your code around each request the session sends (aiohttp 3.12's API).

Theory of operation.  A middleware is ``async def mw(request, handler) -> response``.  It may
change the request (``request.headers["Authorization"] = ...``), call ``await handler(request)``
to send it (once, twice to retry, or not at all to answer from a cache), and look at or
replace the response::

    async def retry_on_401(request, handler):
        response = await handler(request)
        if response.status == 401:
            response.release()
            request.headers["Authorization"] = await fresh_token()
            response = await handler(request)
        return response

    session = aioteach.ClientSession(middlewares=[retry_on_401])   # or per request:
    await session.get(url, middlewares=[...])                      # (replaces the session's)

``chain(middlewares, send)`` folds the list into one handler, the first middleware outermost,
so the list reads in the order a request goes through it (the same fold as the server's
middlewares).  The session wraps each hop of a redirect chain (the redirect itself is the
session's): ``send`` is one exchange on one connection.

Inside the chain ``request.headers`` is a ``CIMultiDict`` you may change, and ``send``
serializes the head again from it (``ClientRequest.rebuild_head``), so what a middleware
wrote is what goes on the wire.  Requests without middlewares never pay for that.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Sequence

__all__ = ["ClientHandlerType", "ClientMiddlewareType", "chain"]

ClientHandlerType = Callable[[Any], Awaitable[Any]]          # (ClientRequest) -> ClientResponse
ClientMiddlewareType = Callable[[Any, ClientHandlerType], Awaitable[Any]]


def chain(middlewares: Sequence[ClientMiddlewareType], send: ClientHandlerType
          ) -> ClientHandlerType:
    """One handler: ``middlewares[0]`` around ``middlewares[1]`` ... around ``send``."""
    handler = send
    for middleware in reversed(middlewares):
        handler = _wrap(middleware, handler)
    return handler


def _wrap(middleware: ClientMiddlewareType, inner: ClientHandlerType) -> ClientHandlerType:
    async def handler(request: Any) -> Any:
        return await middleware(request, inner)
    return handler
