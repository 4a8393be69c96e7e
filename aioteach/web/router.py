"""The router: request paths -> resources -> routes -> handlers.

Theory of operation.  ``app.router`` (a ``UrlDispatcher``) holds the resources
(``web/resources.py``) and answers one question per request: which handler, with which path
variables?  Registering is the ``add_get("/users/{id}", get_user)`` family; ``GET`` routes also
answer ``HEAD`` (the server drops the body, RFC 9110 section 9.3.2) unless
``allow_head=False``.  A second route for the same method and path is an error, not a silent
shadow.

Speed: resources are filed by their *literal prefix*: ``/users`` for ``/users/{id}``, the
whole path for a plain ``/about``, the prefix for static folders and sub-apps.  The path looked
up is ``routing_path(request.raw_path)``: the target without its query, decoded but for an
encoded slash, so ``/files/a%2Fb`` is one segment, as in aiohttp (a target without escapes is
looked up as it came, and ``request.path`` is not worked out for routing).  ``resolve``
looks up the full path first (one dict hit for every plain route), then walks up one segment
at a time (``/users/7`` -> ``/users`` -> ``/``), so only the few resources that share a prefix
run their regex, and the most specific prefix wins whatever the registration order.  If no
resource matched fully, the methods of those that matched the path make the 405's ``Allow``
(RFC 9110 section 15.5.6); if there were none, 404.

Performance notes (valgrind instructions, CPython 3.11): ``routing_path`` returns a target
with no ``%`` and no ``?`` as it came (two substring tests instead of a ``partition``): -0.35k
per request; its hypothesis test is in ``tests/web/test_routing_fastpath.py``.  Routing's one
fast path: once the router is frozen (its routes can no longer change), ``match_request``
remembers what each target resolved to, per method (``_seen``: the variables and the route;
a fresh match info is built from them each time, by ``match_info_for``).  Only full matches
of this router's own routes with no query are kept (a 404, a 405 or a sub-app's match is
resolved each time), at most 1024, then it starts over.  A browser's target is the same string
object each time (the parser's head cache keeps the whole Request), so its hash is already
known: -3.3k per request on /hello, about -8k on /user/42 (its regex and prefix walk).  The
same hypothesis test checks that a remembered answer is the general path's.

The seam with ``web/resources.py``: a sub-application's resource (``PrefixedSubAppResource``)
resolves the rest of the path through the sub-app router's ``resolve_path`` (the general path
above, without the remembering) and, after prefixing that router's resources, asks it to
``rebuild_index``.  The router reads ``match_info.apps`` to leave a sub-app's match unremembered.
"""
from __future__ import annotations

import keyword
import os
import re
from types import MappingProxyType
from typing import Any, Dict, Iterator, List, Mapping, Optional, Set, Tuple, Union

from ..urlencoding import unquote
from .exceptions import HTTPMethodNotAllowed, HTTPNotFound
from .resources import (ANY_METHOD, AbstractResource, AbstractRoute, DynamicResource, Handler,
                        MatchInfoError, PlainResource, ResourceRoute, UrlMappingMatchInfo)
from .routes import match_info_for
from .staticfiles import StaticResource

__all__ = ["UrlDispatcher", "routing_path"]

_SEEN_MAX = 1024        # targets remembered per router before it starts over


# -- the dispatcher ---------------------------------------------------------------------------
class UrlDispatcher(Mapping[str, AbstractResource]):
    """``app.router``: register routes, then ``await router.resolve(request)``.

    It is also a read-only mapping of route names to resources: ``app.router["user"]``.
    """

    def __init__(self) -> None:
        self._resources: List[AbstractResource] = []
        self._named: Dict[str, AbstractResource] = {}
        self._index: Dict[str, List[AbstractResource]] = {}
        self._frozen = False
        # method -> target -> (variables, route): matches already resolved (once frozen).
        self._seen: Dict[str, Dict[str, Tuple[Dict[str, str], AbstractRoute]]] = {}
        self._seen_count = 0

    # -- resolving ----------------------------------------------------------------------------
    async def resolve(self, request: Any) -> UrlMappingMatchInfo:
        return self.match_request(request)

    def match_request(self, request: Any) -> UrlMappingMatchInfo:
        """``resolve`` without the coroutine: what the application calls for every request."""
        target, method = request.raw_path, request.method
        seen = self._seen.get(method)
        if seen is not None:
            known = seen.get(target)
            if known is not None:                  # "Performance notes" above
                return match_info_for(known[0], known[1])
        match_info = self.resolve_path(routing_path(target), method)
        if self._frozen and type(match_info) is UrlMappingMatchInfo and not match_info.apps \
                and "?" not in target:
            self._remember(method, target, match_info)
        return match_info

    def _remember(self, method: str, target: str, match_info: UrlMappingMatchInfo) -> None:
        """Keep what ``target`` resolved to, for the next request for it (bounded)."""
        if self._seen_count >= _SEEN_MAX:
            self._seen, self._seen_count = {}, 0         # start over, as the parser's caches do
        self._seen.setdefault(method, {})[target] = (dict(match_info), match_info.route)
        self._seen_count += 1

    def resolve_path(self, path: str, method: str) -> UrlMappingMatchInfo:
        """The general path: ``path`` (already ``routing_path``'d) and ``method`` -> the match
        info, 404 and 405 included.  A sub-app's resource (resources.py) resolves through it."""
        index = self._index
        allowed: Optional[Set[str]] = None
        key = path
        while True:
            for resource in index.get(key, ()):
                match_info, methods = resource._match(path, method)
                if match_info is not None:
                    return match_info
                if methods:
                    allowed = set(methods) if allowed is None else allowed | methods
            if key == "/":
                break
            key = key[:key.rfind("/")] or "/"          # "/a/b/c" -> "/a/b" -> "/a" -> "/"
        if allowed:
            return MatchInfoError(HTTPMethodNotAllowed(method, allowed))
        return MatchInfoError(HTTPNotFound())

    # -- registering ----------------------------------------------------------------------------
    def register_resource(self, resource: AbstractResource) -> None:
        if self._frozen:
            raise RuntimeError(f"cannot add {resource!r}: the router is frozen because the "
                               f"application has started (or was added as a sub-app). Add "
                               f"routes before web.run_app() / runner.setup() / add_subapp()")
        name = resource.name
        if name is not None:
            for part in re.split(r"[.:-]", name):
                if not part.isidentifier() or keyword.iskeyword(part):
                    raise ValueError(f"route name {name!r}: use identifiers joined by '.', ':' "
                                     f"or '-', like 'user' or 'api.user-detail'")
            if name in self._named:
                raise ValueError(f"route name {name!r} is already used by "
                                 f"{self._named[name]!r}: names must be unique")
            self._named[name] = resource
        self._resources.append(resource)
        self._index.setdefault(resource.index_key, []).append(resource)

    def rebuild_index(self) -> None:
        """File every resource again under its key: a sub-app's resource (resources.py) calls
        it after prefixing the sub-app's resources."""
        self._index = {}
        for resource in self._resources:
            self._index.setdefault(resource.index_key, []).append(resource)

    def add_resource(self, path: str, *, name: Optional[str] = None) -> AbstractResource:
        if path and not path.startswith("/"):
            raise ValueError(f"path {path!r} should start with '/' (or be empty inside a sub-app)")
        # One resource per pattern: add_get then add_post on "/x" share it, so 405 lists both.
        for existing in self._index.get(_index_key_of(path), ()):
            if existing.raw_match(path) and name in (None, existing.name):
                return existing
        resource: AbstractResource
        if "{" in path or "}" in path:
            resource = DynamicResource(path, name=name)
        else:
            resource = PlainResource(path, name=name)
        self.register_resource(resource)
        return resource

    def add_route(self, method: str, path: str, handler: Handler, *, name: Optional[str] = None,
                  expect_handler: Optional[Handler] = None) -> ResourceRoute:
        resource = self.add_resource(path, name=name)
        return resource.add_route(method, handler, expect_handler=expect_handler)

    def add_get(self, path: str, handler: Handler, *, name: Optional[str] = None,
                allow_head: bool = True, **kwargs: Any) -> ResourceRoute:
        """GET, and HEAD by the same handler (the server sends the head only)."""
        resource = self.add_resource(path, name=name)
        if allow_head:
            resource.add_route("HEAD", handler, **kwargs)
        return resource.add_route("GET", handler, **kwargs)

    def add_head(self, path: str, handler: Handler, **kwargs: Any) -> ResourceRoute:
        return self.add_route("HEAD", path, handler, **kwargs)

    def add_options(self, path: str, handler: Handler, **kwargs: Any) -> ResourceRoute:
        return self.add_route("OPTIONS", path, handler, **kwargs)

    def add_post(self, path: str, handler: Handler, **kwargs: Any) -> ResourceRoute:
        return self.add_route("POST", path, handler, **kwargs)

    def add_put(self, path: str, handler: Handler, **kwargs: Any) -> ResourceRoute:
        return self.add_route("PUT", path, handler, **kwargs)

    def add_patch(self, path: str, handler: Handler, **kwargs: Any) -> ResourceRoute:
        return self.add_route("PATCH", path, handler, **kwargs)

    def add_delete(self, path: str, handler: Handler, **kwargs: Any) -> ResourceRoute:
        return self.add_route("DELETE", path, handler, **kwargs)

    def add_view(self, path: str, handler: Any, **kwargs: Any) -> ResourceRoute:
        """A class-based ``web.View``: every method goes to it, and it picks its own."""
        return self.add_route(ANY_METHOD, path, handler, **kwargs)

    def add_static(self, prefix: str, path: Union[str, "os.PathLike[str]"], *,
                   name: Optional[str] = None, expect_handler: Optional[Handler] = None,
                   chunk_size: int = 256 * 1024, show_index: bool = False,
                   follow_symlinks: bool = False, append_version: bool = False
                   ) -> "StaticResource":
        """Serve the files under the folder ``path`` at ``prefix``: ``/static/css/a.css``."""
        resource = StaticResource(prefix, path, name=name, expect_handler=expect_handler,
                                  chunk_size=chunk_size, show_index=show_index,
                                  follow_symlinks=follow_symlinks, append_version=append_version)
        self.register_resource(resource)
        return resource

    def add_routes(self, routes: Any) -> List[AbstractRoute]:
        """Register ``RouteDef``s (``web.get(...)``, a ``RouteTableDef``); returns the routes."""
        registered: List[AbstractRoute] = []
        for route_def in routes:
            registered.extend(route_def.register(self))
        return registered

    # -- looking around: what the notebook's routes table reads -----------------------------
    def resources(self) -> Tuple[AbstractResource, ...]:
        return tuple(self._resources)

    def routes(self) -> Tuple[AbstractRoute, ...]:
        return tuple(route for resource in self._resources for route in resource)

    def named_resources(self) -> Mapping[str, AbstractResource]:
        return MappingProxyType(self._named)

    def __getitem__(self, name: str) -> AbstractResource:
        return self._named[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._named)

    def __len__(self) -> int:
        return len(self._named)

    def __contains__(self, name: object) -> bool:
        return name in self._named

    def freeze(self) -> None:
        self._frozen = True

    @property
    def frozen(self) -> bool:
        return self._frozen

    def __repr__(self) -> str:
        return f"<UrlDispatcher {len(self._resources)} resources>"


def routing_path(raw_path: str) -> str:
    """The path resources match: ``raw_path`` without its query, percent-decoded except for
    ``%2F`` and ``%25``, which stay encoded so an encoded slash stays inside its segment
    (aiohttp's ``URL.path_safe``).  ``resources.unquote_segment`` decodes the variables."""
    if "%" not in raw_path and "?" not in raw_path:
        return raw_path                  # most targets: nothing to cut, nothing to decode
    path = raw_path.partition("?")[0]
    return unquote(path, keep="%/") if "%" in path else path


def _index_key_of(path: str) -> str:
    brace = path.find("{")
    if brace < 0:
        return path
    return path[:path.rfind("/", 0, brace)] or "/"
