"""Class-based views: one class per resource, one method per HTTP method.

Theory of operation.  Register a ``web.View`` subclass like a handler::

    class UserView(web.View):
        async def get(self):
            return web.json_response({"id": self.request.match_info["id"]})

        async def delete(self):
            ...
            return web.Response(status=204)

    app.router.add_view("/users/{id}", UserView)

The router calls ``UserView(request)`` exactly as it would call a handler function, and awaits
the result.  That works because a ``View`` is *awaitable*: ``__await__`` picks the method named
after the request's method (``GET`` -> ``get``) and runs it.  A method the class does not define
answers 405 with ``Allow`` listing the ones it does (RFC 9110 section 15.5.6).

Simplification, as in aiohttp: ``HEAD`` is not sent to ``get``; define ``head`` (or ``head =
get``, the server drops the body) if the view should answer it.
"""
from __future__ import annotations

from typing import Any, Generator

from .exceptions import HTTPMethodNotAllowed
from .resources import METHODS

__all__ = ["View"]


class View:
    """Subclass it and define ``async def get(self)``, ``post``, ...; ``self.request`` is the
    request."""

    def __init__(self, request: Any) -> None:
        self._request = request

    @property
    def request(self) -> Any:
        return self._request

    def __await__(self) -> Generator[Any, None, Any]:
        return self._dispatch().__await__()

    async def _dispatch(self) -> Any:
        method = self._request.method
        # Only real HTTP method names are looked up: a request with method "REQUEST" must not
        # reach the ``request`` property.
        handler = getattr(self, method.lower(), None) if method in METHODS else None
        if handler is None:
            raise HTTPMethodNotAllowed(method, self.allowed_methods())
        return await handler()

    @classmethod
    def allowed_methods(cls) -> set:
        """The HTTP methods this class answers: ``{"GET", "DELETE"}``."""
        return {m for m in METHODS if callable(getattr(cls, m.lower(), None))}
