"""Middlewares: code that runs around every handler, folded into one onion.

Theory of operation.  A middleware is ``async def mw(request, handler)``: it may look at the
request, call ``await handler(request)`` (the next layer in), look at or replace the response,
and catch what the inner layers raise.  ``@web.middleware`` marks such a function, as in
aiohttp (it changes nothing else).

``fold_middlewares`` below is the one fold: a handful of lines a reader can hold in their head.
``Application`` calls it once per route, around the route's handler, and keeps the result, so
per request the cost is one call per layer, no list walking and no closures built.  Each layer
is made to look like the handler it wraps (``functools.update_wrapper``: name, docstring and
attributes), so every middleware can read what a decorator set on the handler, as in aiohttp.

Tracing: when ``aioteach.trace`` is recording, each layer emits ``server.middleware_enter`` and
``server.middleware_exit`` (fields ``req`` and ``name``) so a timeline shows the onion.  That is
the ``traced`` switch of the same fold; the application keys its onions by the switch, so the
untraced path pays nothing per layer.

``normalize_path_middleware`` redirects ``/about`` to ``/about/`` (or the other way round, and
``//a//b`` to ``/a/b``) when only the normalized path has a route: a 308 by default, which
keeps the method and body (RFC 9110 section 15.4.9).
"""
from __future__ import annotations

import functools
import re
from typing import Any, Awaitable, Callable, Sequence, Type

from .. import trace
from .exceptions import HTTPMove, HTTPPermanentRedirect

__all__ = ["middleware", "fold_middlewares", "current_app_layer", "old_style_layer",
           "normalize_path_middleware"]

Handler = Callable[[Any], Awaitable[Any]]
Middleware = Callable[..., Awaitable[Any]]        # async def mw(request, handler)


def middleware(func: Middleware) -> Middleware:
    """Mark ``async def mw(request, handler)`` as a middleware (aiohttp's decorator)."""
    func.__middleware_version__ = 1  # type: ignore[attr-defined]
    return func


def fold_middlewares(middlewares: Sequence[Middleware], handler: Handler, *,
                     traced: bool = False) -> Handler:
    """Wrap ``handler`` in ``middlewares``; the first one listed is the outermost layer."""
    # Discussion: the onion.  For middlewares=[a, b, c] the fold builds, from the inside out,
    #
    #     c_layer = partial(c, handler=handler)
    #     b_layer = partial(b, handler=c_layer)
    #     a_layer = partial(a, handler=b_layer)        <- what the application calls
    #
    # so a request runs   a -> b -> c -> handler -> c -> b -> a
    # (enter a, enter b, enter c, the handler, leave c, leave b, leave a).  That is why we
    # loop over the list *reversed*: the last middleware must be wrapped first.
    for mw in reversed(middlewares):
        layer = _traced_layer(mw) if traced and not getattr(mw, "untraced", False) else mw
        handler = functools.update_wrapper(functools.partial(layer, handler=handler), handler)
    return handler


def current_app_layer(app: Any) -> Middleware:
    """The layer that starts a sub-application's part of the onion: inside it, ``request.app``
    (the match info's ``current_app``) is ``app``; on the way out, the outer app again."""
    async def enter_app(request: Any, handler: Handler) -> Any:
        match_info = request.match_info
        outer, match_info.current_app = match_info.current_app, app
        try:
            return await handler(request)
        finally:
            match_info.current_app = outer
    enter_app.untraced = True        # type: ignore[attr-defined]   # not one of the user's
    return enter_app


def _traced_layer(mw: Middleware) -> Middleware:
    """``mw`` with a trace record on the way in and on the way out."""
    name = getattr(mw, "__qualname__", None) or repr(mw)

    async def traced(request: Any, handler: Handler) -> Any:
        req = id(request)
        trace.emit("server.middleware_enter", req=req, name=name)
        try:
            return await mw(request, handler)
        finally:
            trace.emit("server.middleware_exit", req=req, name=name)

    return traced


def old_style_layer(app: Any, factory: Callable[..., Awaitable[Handler]]) -> Middleware:
    """aiohttp's deprecated old-style middleware, ``handler = await factory(app, handler)``
    for every request, as a layer of the one fold (the application warns when it freezes)."""
    async def old_style(request: Any, handler: Handler) -> Any:
        return await (await factory(app, handler))(request)
    old_style.__qualname__ = getattr(factory, "__qualname__", "old_style")
    return old_style


# -- normalize_path_middleware -----------------------------------------------------------------
_SLASHES = re.compile(r"//+")
_LEADING_SLASHES = re.compile(r"^//+")


def normalize_path_middleware(*, append_slash: bool = True, remove_slash: bool = False,
                              merge_slashes: bool = True,
                              redirect_class: Type[HTTPMove] = HTTPPermanentRedirect
                              ) -> Middleware:
    """A middleware that redirects to the normalized path when only that one has a route.

    It acts only on requests that found no route (404/405), so a working URL is never
    redirected.  The candidates, tried in this order, are the path with repeated slashes
    merged, with a slash appended (or removed), and both; the first that resolves wins and the
    query string is kept.
    """
    if append_slash and remove_slash:
        raise ValueError("normalize_path_middleware: append_slash and remove_slash cannot both "
                         "be true: pick the style your routes use")

    @middleware
    async def normalize_path(request: Any, handler: Handler) -> Any:
        if request.match_info.http_exception is None:
            return await handler(request)                 # the route exists: nothing to fix
        path, mark, query = request.raw_path.partition("?")
        candidates = []
        if merge_slashes:
            candidates.append(_SLASHES.sub("/", path))
        if append_slash and not path.endswith("/"):
            candidates.append(path + "/")
            if merge_slashes:
                candidates.append(_SLASHES.sub("/", path + "/"))
        if remove_slash and path.endswith("/") and path != "/":
            candidates.append(path[:-1])
            if merge_slashes:
                candidates.append(_SLASHES.sub("/", path)[:-1] or "/")
        router = request.app.router
        for candidate in candidates:
            if candidate == path:
                continue
            # "//evil.example/x" would be a protocol-relative URL in Location: another site.
            candidate = _LEADING_SLASHES.sub("/", candidate)
            probe = request.clone(rel_url=candidate + mark + query)
            if (await router.resolve(probe)).http_exception is None:
                raise redirect_class(candidate + mark + query)
        return await handler(request)

    return normalize_path
