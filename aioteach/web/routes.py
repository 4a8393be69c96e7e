"""Routes and match info: one method on one resource, and what resolving a path returns.

Theory of operation.  A *route* is a method and a handler on a resource (``GET /users/{id} ->
get_user``); ``web/resources.py`` holds the resources (the path patterns) that own them.
Resolving a request returns a ``UrlMappingMatchInfo``: a dict of the path variables
(``{"id": "7"}``) that also knows its ``route`` and ``handler`` and the applications the request
passed through.  When nothing matches, the answer is a ``MatchInfoError`` whose ``SystemRoute``
handler raises the 404 or 405, so middlewares run around an error like around any request.

A handler is an ``async def`` function or a class (``web.View``); a plain function still
works, wrapped so that what it returns is awaited, with aiohttp's DeprecationWarning.  A
route's ``expect_handler`` (an ``async def``, or a TypeError) answers a request's ``Expect`` field before the handler runs (RFC
9110 10.1.1); the default does nothing because the request sends ``100 Continue`` itself when
the handler first reads the body.

Performance notes (valgrind instructions, CPython 3.11, one request's routing as
``Application._handle`` does it: /hello, /user/42):
- ``match_info_for`` builds the match info of a FULL match without running ``__init__``
  (the class's Python ``__init__`` costs a second interpreter frame and a ``super()`` call):
  -2.2k and -1.5k; copying the variables with ``|=`` rather than ``update()``: -0.5k more
  on /user/42.  Its hypothesis test: ``tests/web/test_routing_fastpath.py``.
- ``handler`` reads ``route._handler`` itself rather than the route's ``handler`` property:
  one property call, not two.  ``apps`` is kept as a tuple, so ``add_app`` builds one tuple
  and ``apps`` returns it without a copy (-0.3k).
"""
from __future__ import annotations

import asyncio
import functools
import inspect
import warnings
from typing import Any, Awaitable, Callable, Dict, Optional, Tuple

from ..url import URL
from .exceptions import HTTPException, HTTPExpectationFailed

__all__ = ["Handler", "NO_METHODS", "UrlMappingMatchInfo", "match_info_for", "MatchInfoError",
           "AbstractRoute", "ResourceRoute", "SystemRoute"]

Handler = Callable[[Any], Awaitable[Any]]
NO_METHODS: frozenset = frozenset()


# -- match info: what resolve() returns ------------------------------------------------------
class UrlMappingMatchInfo(Dict[str, str]):
    """The path variables of a match (it is a dict), plus the route, handler and apps.

    ``apps`` lists the applications the request went through, outermost first (the root app,
    then a sub-application...); ``current_app`` is the innermost, the one that owns the route.
    """

    __slots__ = ("_route", "_apps", "_current_app", "_frozen")

    def __init__(self, match_dict: Dict[str, str], route: "AbstractRoute") -> None:
        super().__init__(match_dict)
        self._route = route
        self._apps: Tuple[Any, ...] = ()
        self._current_app: Any = None
        self._frozen = False

    @property
    def route(self) -> "AbstractRoute":
        return self._route

    @property
    def handler(self) -> Handler:
        return self._route._handler      # not route.handler: one property call, not two

    @property
    def expect_handler(self) -> Handler:
        return self._route.handle_expect_header

    @property
    def http_exception(self) -> Optional[HTTPException]:
        return None                      # a real match: nothing to raise

    @property
    def apps(self) -> Tuple[Any, ...]:
        return self._apps

    @property
    def current_app(self) -> Any:
        return self._current_app

    @current_app.setter
    def current_app(self, app: Any) -> None:    # the app whose middlewares run now (aiohttp)
        self._current_app = app

    def add_app(self, app: Any) -> None:
        """Record that the request passed through ``app`` (called innermost first)."""
        if self._frozen:
            raise RuntimeError("the match info is frozen: it was already handed to the request")
        if self._current_app is None:
            self._current_app = app
        self._apps = (app,) + self._apps

    def freeze(self) -> None:
        self._frozen = True

    def get_info(self) -> Dict[str, Any]:
        return self._route.get_info()

    def __repr__(self) -> str:
        return f"<MatchInfo {dict.__repr__(self)}: {self._route!r}>"


_new_dict = dict.__new__      # an empty instance of a dict subclass, no __init__ run


def match_info_for(variables: Dict[str, str], route: "AbstractRoute") -> UrlMappingMatchInfo:
    """``UrlMappingMatchInfo(variables, route)``, built without calling its ``__init__``.

    Not a fast path of its own: both the general path (a resource's full match) and routing's
    one fast path (the router's ``_seen``, router.py) build their answers with it.  It sets
    the fields ``__init__`` would, to the same values (``tests/web/test_routing_fastpath.py``
    proves it with hypothesis), but a class with a Python ``__init__`` costs CPython 3.11 a
    second interpreter frame and a ``super()`` call per request, and a plain route has no
    variables to copy at all."""
    info = _new_dict(UrlMappingMatchInfo)
    if variables:
        info |= variables                # the in-place operator: no method call, no arguments
    info._route = route
    info._apps = ()
    info._current_app = None
    info._frozen = False
    return info


class MatchInfoError(UrlMappingMatchInfo):
    """No route matched: the handler raises ``http_exception`` (404, or 405 with ``Allow``)."""

    __slots__ = ("_exception",)

    def __init__(self, http_exception: HTTPException) -> None:
        self._exception = http_exception
        super().__init__({}, SystemRoute(http_exception))

    @property
    def http_exception(self) -> HTTPException:
        return self._exception

    def __repr__(self) -> str:
        return f"<MatchInfoError {self._exception.status}: {self._exception.reason}>"


# -- routes: one method on one resource -------------------------------------------------------
async def _no_expectations(request: Any) -> None:
    """The default ``Expect`` handler: ``100-continue`` needs nothing here (the request sends
    ``100 Continue`` when the handler first touches ``request.content``); any other
    expectation is refused with 417, as aiohttp does (RFC 9110 10.1.1)."""
    if request.continue_pending is None:
        raise HTTPExpectationFailed(text=f"Unknown Expect: {request.headers.get('Expect', '')}")
    return None


class AbstractRoute:
    """A method and a handler, attached to a resource."""

    def __init__(self, method: str, handler: Handler, *, resource: Any,  # an AbstractResource
                 expect_handler: Optional[Handler] = None) -> None:
        if not callable(handler):
            raise TypeError(f"a route's handler must be callable, got {handler!r}: pass the "
                            f"function itself (get_user), not its result (get_user())")
        if expect_handler is not None and not inspect.iscoroutinefunction(expect_handler):
            raise TypeError(f"expect_handler must be an async def function, got "
                            f"{expect_handler!r}")
        # asyncio's test also reads the marker aioteach.gen sets on 3.10/3.11 (no inspect
        # marker there), so a @gen.coroutine handler is routed without a warning, as aiohttp does
        coroutine_function = inspect.iscoroutinefunction(handler) or \
            asyncio.iscoroutinefunction(handler)
        if not coroutine_function and not isinstance(handler, type):
            handler = _awaiting(handler)
        self._method = method
        self._handler = handler
        self._resource = resource
        self._expect_handler = expect_handler     # None: the default, which does nothing

    method = property(lambda self: self._method)
    handler = property(lambda self: self._handler)
    resource = property(lambda self: self._resource)

    @property
    def name(self) -> Optional[str]:
        return self._resource.name if self._resource is not None else None

    async def handle_expect_header(self, request: Any) -> Any:
        return await (self._expect_handler or _no_expectations)(request)

    def url_for(self, *args: str, **kwargs: Any) -> URL:
        if self._resource is None:
            raise RuntimeError(f"{self!r} answers failed matches; it has no URL")
        return self._resource.url_for(*args, **kwargs)

    def get_info(self) -> Dict[str, Any]:
        return self._resource.get_info() if self._resource is not None else {}

    def __repr__(self) -> str:
        handler = getattr(self._handler, "__qualname__", repr(self._handler))
        canonical = self._resource.canonical if self._resource is not None else "?"
        return f"<{type(self).__name__} {self._method} {canonical} -> {handler}>"


def _awaiting(handler: Callable[[Any], Any]) -> Handler:
    """A plain function as a handler: warn as aiohttp does, and await what it returns.

    ``lambda request: web.Response()`` and ``def handler(request)`` still work (the result is
    awaited when it is awaitable), but aiohttp deprecates them: a handler that blocks stalls
    the whole server, so write ``async def``.  A class (``web.View``) is called as it is."""
    warnings.warn("Bare functions are deprecated, use async ones", DeprecationWarning,
                  stacklevel=5)            # the line that called router.add_get(...)

    @functools.wraps(handler)
    async def call(request: Any) -> Any:
        result = handler(request)
        return await result if inspect.isawaitable(result) else result

    return call


class ResourceRoute(AbstractRoute):
    """A route you registered: ``router.add_get("/users/{id}", get_user)``."""


class SystemRoute(AbstractRoute):
    """The route of a failed match: its handler raises the 404 or 405."""

    def __init__(self, http_exception: HTTPException) -> None:
        super().__init__("*", self._raise, resource=None)
        self._http_exception = http_exception

    async def _raise(self, request: Any) -> Any:
        raise self._http_exception

    @property
    def status(self) -> int:
        return self._http_exception.status

    @property
    def reason(self) -> str:
        return self._http_exception.reason

    def __repr__(self) -> str:
        return f"<SystemRoute {self.status}: {self.reason}>"
