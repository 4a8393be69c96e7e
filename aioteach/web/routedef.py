"""Routes declared as data: ``web.get("/", index)`` and ``RouteTableDef`` decorators.

Theory of operation.  Instead of calling ``app.router.add_get(...)`` for each route, you can
describe routes first and register them together::

    app.add_routes([web.get("/", index), web.post("/users", create_user)])

or collect them with decorators next to the handlers, Flask-style::

    routes = web.RouteTableDef()

    @routes.get("/users/{id}")
    async def get_user(request): ...

    app.add_routes(routes)

A ``RouteDef`` is a small frozen record (method, path, handler, options); ``register(router)``
turns it into the matching ``router.add_<method>(...)`` call, so both styles end in the same
routes.  ``StaticDef`` does the same for ``add_static``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import (Any, Callable, Dict, Iterator, List, Sequence, Union, overload)

from .resources import METHODS, AbstractRoute, Handler
from .router import UrlDispatcher

__all__ = ["AbstractRouteDef", "RouteDef", "StaticDef", "RouteTableDef",
           "route", "head", "options", "get", "post", "put", "patch", "delete", "view", "static"]


class AbstractRouteDef:
    """Something ``app.add_routes`` can register."""

    __slots__ = ()              # the definitions are small records: no per-instance __dict__

    def register(self, router: UrlDispatcher) -> List[AbstractRoute]:
        raise NotImplementedError


def _options(kwargs: Dict[str, Any]) -> str:
    return "".join(f", {key}={value!r}" for key, value in sorted(kwargs.items()))


@dataclass(frozen=True, repr=False, slots=True)
class RouteDef(AbstractRouteDef):
    """``method path -> handler`` plus keyword options (``name=``, ``allow_head=``...)."""

    method: str
    path: str
    handler: Handler
    kwargs: Dict[str, Any] = field(default_factory=dict)

    def register(self, router: UrlDispatcher) -> List[AbstractRoute]:
        if self.method in METHODS:       # add_get has GET's extras (HEAD); keep them
            add = getattr(router, "add_" + self.method.lower())
            return [add(self.path, self.handler, **self.kwargs)]
        return [router.add_route(self.method, self.path, self.handler, **self.kwargs)]

    def __repr__(self) -> str:           # aiohttp's: <RouteDef GET /path -> 'handler', name='x'>
        handler = getattr(self.handler, "__name__", self.handler)
        return f"<RouteDef {self.method} {self.path} -> {handler!r}{_options(self.kwargs)}>"


@dataclass(frozen=True, repr=False, slots=True)
class StaticDef(AbstractRouteDef):
    """``prefix -> folder`` for ``router.add_static``."""

    prefix: str
    path: Union[str, "os.PathLike[str]"]
    kwargs: Dict[str, Any] = field(default_factory=dict)

    def register(self, router: UrlDispatcher) -> List[AbstractRoute]:
        resource = router.add_static(self.prefix, self.path, **self.kwargs)
        return list(resource)

    def __repr__(self) -> str:
        return f"<StaticDef {self.prefix} -> {self.path}{_options(self.kwargs)}>"


# -- web.get(...) and friends: one RouteDef each ---------------------------------------------
def route(method: str, path: str, handler: Handler, **kwargs: Any) -> RouteDef:
    return RouteDef(method, path, handler, kwargs)


def head(path: str, handler: Handler, **kwargs: Any) -> RouteDef:
    return route("HEAD", path, handler, **kwargs)


def options(path: str, handler: Handler, **kwargs: Any) -> RouteDef:
    return route("OPTIONS", path, handler, **kwargs)


def get(path: str, handler: Handler, *, name: Any = None, allow_head: bool = True,
        **kwargs: Any) -> RouteDef:
    return route("GET", path, handler, name=name, allow_head=allow_head, **kwargs)


def post(path: str, handler: Handler, **kwargs: Any) -> RouteDef:
    return route("POST", path, handler, **kwargs)


def put(path: str, handler: Handler, **kwargs: Any) -> RouteDef:
    return route("PUT", path, handler, **kwargs)


def patch(path: str, handler: Handler, **kwargs: Any) -> RouteDef:
    return route("PATCH", path, handler, **kwargs)


def delete(path: str, handler: Handler, **kwargs: Any) -> RouteDef:
    return route("DELETE", path, handler, **kwargs)


def view(path: str, handler: Any, **kwargs: Any) -> RouteDef:
    return route("*", path, handler, **kwargs)


def static(prefix: str, path: Union[str, "os.PathLike[str]"], **kwargs: Any) -> StaticDef:
    return StaticDef(prefix, path, kwargs)


# -- RouteTableDef: the same, collected by decorators ----------------------------------------
class RouteTableDef(Sequence[AbstractRouteDef]):
    """A list of route definitions filled by ``@routes.get(path)``-style decorators.

    The decorators return the handler unchanged, so a decorated function is still a plain
    function you can call in a test.
    """

    def __init__(self) -> None:
        self._items: List[AbstractRouteDef] = []

    def route(self, method: str, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        def register(handler: Any) -> Any:
            self._items.append(RouteDef(method, path, handler, kwargs))
            return handler
        return register

    def head(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("HEAD", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("OPTIONS", path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("DELETE", path, **kwargs)

    def view(self, path: str, **kwargs: Any) -> Callable[[Any], Any]:
        return self.route("*", path, **kwargs)

    def static(self, prefix: str, path: Union[str, "os.PathLike[str]"], **kwargs: Any) -> None:
        self._items.append(StaticDef(prefix, path, kwargs))

    @overload
    def __getitem__(self, index: int) -> AbstractRouteDef: ...
    @overload
    def __getitem__(self, index: slice) -> List[AbstractRouteDef]: ...

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __iter__(self) -> Iterator[AbstractRouteDef]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def __repr__(self) -> str:
        return f"<RouteTableDef count={len(self._items)}>"
