"""The router: request paths -> resources -> routes -> handlers.

Theory of operation.  A *resource* is a path pattern (``/users/{id}``); a *route* is one
method on a resource (``GET /users/{id} -> get_user``).  ``app.router`` (a ``UrlDispatcher``)
holds the resources and answers one question per request: which handler, with which path
variables?  The answer is a ``UrlMappingMatchInfo``: a dict of the variables (``{"id": "7"}``)
that also knows its ``route`` and ``handler``.  When nothing matches, the answer still has a
handler: one that raises the right error, so middlewares run around a 404 like any request.

Matching is a three-way outcome per resource, as in starlette (RFC 9110 section 15.5.5-6)::

    path and method match  -> that route                    (FULL)
    path matches, not the method -> remember its methods    (PARTIAL; 405 with Allow, sorted,
                                                             if no other resource matches fully)
    path does not match    -> next candidate                (NONE; 404 if nobody matched)

Pattern syntax: ``{name}`` matches one non-empty path segment (``[^{}/]+``, never across
``/``); ``{name:regex}`` uses your regex.  Matching runs on the percent-decoded path
(``request.path``).  ``GET`` routes also answer ``HEAD`` (the server drops the body, RFC 9110
section 9.3.2) unless ``allow_head=False``.

Speed: resources are indexed by their *literal prefix* (``/users`` for ``/users/{id}``, the whole
path for a plain ``/about``).  ``resolve`` looks up the full path first (a dict hit for every
plain route), then walks up one segment at a time (``/users/7`` -> ``/users`` -> ``/``), so only
the few resources that share a prefix run their regex, and the most specific prefix wins.
Static files (``add_static``) are one more kind of resource, at the end of this module, with
the traversal checks that keep them inside their folder.
"""
from __future__ import annotations

import base64
import hashlib
import html
import keyword
import os
import re
from pathlib import Path
from types import MappingProxyType
from typing import (Any, Awaitable, Callable, Dict, Iterator, List, Mapping, Optional, Set,
                    Tuple, Union)
from urllib.parse import quote

from ..url import URL
from .exceptions import (HTTPException, HTTPForbidden, HTTPMethodNotAllowed, HTTPNotFound)
from .fileresponse import FileResponse
from .response import Response

__all__ = [
    "UrlDispatcher", "UrlMappingMatchInfo", "MatchInfoError",
    "AbstractResource", "Resource", "PlainResource", "DynamicResource", "PrefixResource",
    "StaticResource", "PrefixedSubAppResource",
    "AbstractRoute", "ResourceRoute", "SystemRoute",
]

Handler = Callable[[Any], Awaitable[Any]]
_NO_METHODS: frozenset = frozenset()

# The methods a route may name (RFC 9110 section 9.1 plus PATCH, RFC 5789); "*" means any.
METHODS = ("CONNECT", "HEAD", "GET", "DELETE", "OPTIONS", "PATCH", "POST", "PUT", "TRACE")
ANY_METHOD = "*"


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
        self._apps: List[Any] = []
        self._current_app: Any = None
        self._frozen = False

    @property
    def route(self) -> "AbstractRoute":
        return self._route

    @property
    def handler(self) -> Handler:
        return self._route.handler

    @property
    def expect_handler(self) -> Handler:
        return self._route.handle_expect_header

    @property
    def http_exception(self) -> Optional[HTTPException]:
        return None                      # a real match: nothing to raise

    @property
    def apps(self) -> Tuple[Any, ...]:
        return tuple(self._apps)

    @property
    def current_app(self) -> Any:
        return self._current_app

    def add_app(self, app: Any) -> None:
        """Record that the request passed through ``app`` (called innermost first)."""
        if self._frozen:
            raise RuntimeError("the match info is frozen: it was already handed to the request")
        if self._current_app is None:
            self._current_app = app
        self._apps.insert(0, app)

    def freeze(self) -> None:
        self._frozen = True

    def get_info(self) -> Dict[str, Any]:
        return self._route.get_info()

    def __repr__(self) -> str:
        return f"<MatchInfo {dict.__repr__(self)}: {self._route!r}>"


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
    """The default ``Expect`` handler: the request itself sends ``100 Continue`` when the
    handler first touches the body (``request.content``), so there is nothing to do here."""
    return None


class AbstractRoute:
    """A method and a handler, attached to a resource."""

    def __init__(self, method: str, handler: Handler, *, resource: Optional["AbstractResource"],
                 expect_handler: Optional[Handler] = None) -> None:
        if not callable(handler):
            raise TypeError(f"a route's handler must be callable, got {handler!r}: pass the "
                            f"function itself (get_user), not its result (get_user())")
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
        assert self._resource is not None, "a system route has no URL"   # caller bug only
        return self._resource.url_for(*args, **kwargs)

    def get_info(self) -> Dict[str, Any]:
        return self._resource.get_info() if self._resource is not None else {}

    def __repr__(self) -> str:
        handler = getattr(self._handler, "__qualname__", repr(self._handler))
        canonical = self._resource.canonical if self._resource is not None else "?"
        return f"<{type(self).__name__} {self._method} {canonical} -> {handler}>"


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


# -- resources: path patterns ------------------------------------------------------------------
class AbstractResource:
    """A path pattern with routes.  Subclasses say how a path matches (``_match_path``).

    The dispatcher calls ``_match(path, method)`` -> ``(match_info or None, allowed methods)``;
    it is synchronous on purpose: matching never waits, so it costs no coroutine per candidate.
    ``await resource.resolve(request)`` is the same, under aiohttp's name.
    """

    def __init__(self, *, name: Optional[str] = None) -> None:
        self._name = name
        self._routes: List[AbstractRoute] = []
        self._by_method: Dict[str, AbstractRoute] = {}
        self._allowed: frozenset = _NO_METHODS

    @property
    def name(self) -> Optional[str]:
        return self._name

    @property
    def canonical(self) -> str:
        """The pattern as written, e.g. ``/users/{id}``: how the routes table shows it."""
        raise NotImplementedError

    @property
    def index_key(self) -> str:
        """The literal prefix the dispatcher files this resource under."""
        raise NotImplementedError

    def add_route(self, method: str, handler: Handler, *,
                  expect_handler: Optional[Handler] = None) -> ResourceRoute:
        method = method.upper()
        if method != ANY_METHOD and method not in METHODS and not method.isalpha():
            raise ValueError(f"{method!r} is not an HTTP method: use 'GET', 'POST'... or '*'")
        taken = self._by_method.get(method) or self._by_method.get(ANY_METHOD)
        if taken is not None:
            raise RuntimeError(f"{method} {self.canonical} is already routed to "
                               f"{taken.handler!r}: the new route would never run. "
                               f"Remove one of the two, or give one a different path")
        route = ResourceRoute(method, handler, resource=self, expect_handler=expect_handler)
        self._routes.append(route)
        self._by_method[method] = route
        self._allowed = frozenset(self._by_method)
        return route

    def _match_path(self, path: str) -> Optional[Dict[str, str]]:
        """The path variables if ``path`` matches this resource, else None."""
        raise NotImplementedError

    def _match(self, path: str, method: str) -> Tuple[Optional[UrlMappingMatchInfo], frozenset]:
        variables = self._match_path(path)
        if variables is None:
            return None, _NO_METHODS                                  # NONE
        route = self._by_method.get(method) or self._by_method.get(ANY_METHOD)
        if route is None:
            return None, self._allowed                                # PARTIAL: 405 material
        return UrlMappingMatchInfo(variables, route), self._allowed   # FULL

    async def resolve(self, request: Any) -> Tuple[Optional[UrlMappingMatchInfo], frozenset]:
        return self._match(request.path, request.method)

    def add_prefix(self, prefix: str) -> None:
        """Move under a sub-application's prefix (``add_subapp`` calls it)."""
        raise NotImplementedError

    def url_for(self, *args: str, **kwargs: Any) -> URL:
        raise NotImplementedError

    def raw_match(self, path: str) -> bool:
        """Is ``path`` this resource's pattern, written the same way?"""
        return path == self.canonical

    def get_info(self) -> Dict[str, Any]:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._routes)

    def __repr__(self) -> str:
        name = f" {self._name!r}" if self._name else ""
        return f"<{type(self).__name__}{name} {self.canonical}>"


Resource = AbstractResource          # aiohttp's name for "a resource that has routes"


class PlainResource(AbstractResource):
    """A path without variables, ``/about``: matched by string equality."""

    def __init__(self, path: str, *, name: Optional[str] = None) -> None:
        super().__init__(name=name)
        self._path = path

    canonical = property(lambda self: self._path)
    index_key = property(lambda self: self._path)

    def _match_path(self, path: str) -> Optional[Dict[str, str]]:
        return {} if path == self._path else None

    def add_prefix(self, prefix: str) -> None:
        self._path = prefix + self._path

    def url_for(self) -> URL:  # type: ignore[override]
        return URL.build(path=quote(self._path, safe=_PATH_SAFE), encoded=True)

    def get_info(self) -> Dict[str, Any]:
        return {"path": self._path}


# Characters a path may carry unescaped (RFC 3986 pchar plus "/"); the rest is %-encoded.
_PATH_SAFE = "/!$&'()*+,;=:@~"
_DEFAULT_VARIABLE = r"[^{}/]+"       # one non-empty segment


def parse_path_pattern(pattern: str) -> List[Tuple[str, str, Optional[str]]]:
    """Split ``/users/{id:\\d+}/posts`` into ``[("text", "/users/", None),
    ("var", "id", "\\d+"), ("text", "/posts", None)]``.

    Braces inside a ``{name:regex}`` may nest (``{n:\\d{2,4}}``), so we count them rather than
    use one regex; a stray ``{`` or ``}`` is an error with the position in the message.
    """
    parts: List[Tuple[str, str, Optional[str]]] = []
    i = text_start = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "}":
            raise ValueError(f"unbalanced '}}' at position {i} of {pattern!r}")
        if char != "{":
            i += 1
            continue
        depth, j = 1, i + 1
        while j < len(pattern) and depth:
            depth += {"{": 1, "}": -1}.get(pattern[j], 0)
            j += 1
        if depth:
            raise ValueError(f"'{{' at position {i} of {pattern!r} is never closed")
        if i > text_start:
            parts.append(("text", pattern[text_start:i], None))
        name, _, regex = pattern[i + 1:j - 1].partition(":")
        if not name.isidentifier() or keyword.iskeyword(name):
            raise ValueError(f"{{{name}}} in {pattern!r}: a variable name must be a Python "
                             f"identifier, like {{user_id}}")
        parts.append(("var", name, regex or None))
        i = text_start = j
    if text_start < len(pattern):
        parts.append(("text", pattern[text_start:], None))
    return parts


class DynamicResource(AbstractResource):
    """A path with variables, ``/users/{id}``: matched by one compiled regex."""

    def __init__(self, pattern: str, *, name: Optional[str] = None) -> None:
        super().__init__(name=name)
        self._parts = parse_path_pattern(pattern)
        self._compile("")

    def _compile(self, prefix: str) -> None:
        if prefix:
            self._parts.insert(0, ("text", prefix, None))
        regex, formatter, canonical = [], [], []
        for kind, value, var_regex in self._parts:
            if kind == "text":
                regex.append(re.escape(value))
                formatter.append(value.replace("{", "{{").replace("}", "}}"))
                canonical.append(value)
            else:
                regex.append(f"(?P<{value}>{var_regex or _DEFAULT_VARIABLE})")
                formatter.append("{" + value + "}")
                canonical.append(f"{{{value}:{var_regex}}}" if var_regex else f"{{{value}}}")
        try:
            self._regex = re.compile("".join(regex))
        except re.error as exc:
            raise ValueError(f"bad regex in route {''.join(canonical)!r}: {exc}") from None
        self._formatter = "".join(formatter)
        self._canonical = "".join(canonical)
        first = self._parts[0]
        literal = first[1] if first[0] == "text" else ""
        # The literal text up to the last "/" before the first variable: "/users/{id}" and
        # "/users/u{id}" both file under "/users", which every request for them passes through.
        self._index_key = literal[:literal.rfind("/")] or "/"

    canonical = property(lambda self: self._canonical)
    index_key = property(lambda self: self._index_key)

    def _match_path(self, path: str) -> Optional[Dict[str, str]]:
        found = self._regex.fullmatch(path)
        return found.groupdict() if found is not None else None

    def add_prefix(self, prefix: str) -> None:
        self._compile(prefix)

    def url_for(self, **parts: Any) -> URL:  # type: ignore[override]
        quoted = {k: quote(str(v), safe=_PATH_SAFE) for k, v in parts.items()}
        try:
            path = self._formatter.format_map(quoted)
        except KeyError as exc:
            raise KeyError(f"url_for() for {self._canonical!r} needs a value for {exc}") from None
        return URL.build(path=path, encoded=True)

    def get_info(self) -> Dict[str, Any]:
        return {"formatter": self._formatter, "pattern": self._regex}


class PrefixResource(AbstractResource):
    """A resource that owns every path under a prefix: static files, sub-applications."""

    def __init__(self, prefix: str, *, name: Optional[str] = None) -> None:
        if prefix and not prefix.startswith("/"):
            raise ValueError(f"prefix {prefix!r} should start with '/'")
        super().__init__(name=name)
        self._prefix = prefix.rstrip("/")

    canonical = property(lambda self: self._prefix)
    index_key = property(lambda self: self._prefix or "/")

    def _under_prefix(self, path: str) -> bool:
        prefix = self._prefix
        return path.startswith(prefix) and (len(path) == len(prefix) or path[len(prefix)] == "/")

    def add_prefix(self, prefix: str) -> None:
        self._prefix = prefix + self._prefix

    def raw_match(self, prefix: str) -> bool:
        return False                       # prefixes are never shared (add_static twice is fine)


class PrefixedSubAppResource(PrefixResource):
    """``app.add_subapp("/api", api)``: every path under ``/api`` is the sub-app's to answer."""

    def __init__(self, prefix: str, app: Any) -> None:
        super().__init__(prefix)
        if not self._prefix:
            raise ValueError("a sub-application needs a non-empty prefix, like '/api'")
        self._app = app
        for resource in app.router.resources():
            resource.add_prefix(self._prefix)
        app.router._rebuild_index()

    app = property(lambda self: self._app)

    def add_prefix(self, prefix: str) -> None:
        super().add_prefix(prefix)
        for resource in self._app.router.resources():
            resource.add_prefix(prefix)
        self._app.router._rebuild_index()

    def _match(self, path: str, method: str) -> Tuple[Optional[UrlMappingMatchInfo], frozenset]:
        if not self._under_prefix(path):
            return None, _NO_METHODS
        # Discussion: once the prefix matches, the sub-app owns the answer, 404 included; we do
        # not fall back to the parent's later routes.  That keeps /api/... self-contained.
        match_info = self._app.router._resolve_path(path, method)
        match_info.add_app(self._app)
        error = match_info.http_exception
        allowed = error.allowed_methods if isinstance(error, HTTPMethodNotAllowed) else _NO_METHODS
        return match_info, frozenset(allowed)

    def url_for(self, *args: str, **kwargs: Any) -> URL:
        raise RuntimeError("a sub-application has no URL of its own: name a route inside it "
                           "and call subapp.router['name'].url_for()")

    def get_info(self) -> Dict[str, Any]:
        return {"app": self._app, "prefix": self._prefix}

    def __repr__(self) -> str:
        return f"<PrefixedSubAppResource {self._prefix} -> {self._app!r}>"


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

    # -- resolving ----------------------------------------------------------------------------
    async def resolve(self, request: Any) -> UrlMappingMatchInfo:
        return self._resolve_path(request.path, request.method)

    def _resolve_path(self, path: str, method: str) -> UrlMappingMatchInfo:
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

    def _rebuild_index(self) -> None:
        """File every resource again under its (possibly newly prefixed) key."""
        self._index = {}
        for resource in self._resources:
            self._index.setdefault(resource.index_key, []).append(resource)

    def add_resource(self, path: str, *, name: Optional[str] = None) -> AbstractResource:
        if path and not path.startswith("/"):
            raise ValueError(f"path {path!r} should start with '/' (or be empty inside a sub-app)")
        # One resource per pattern: add_get then add_post on "/x" share it, so 405 lists both.
        for resource in self._index.get(_index_key_of(path), ()):
            if resource.raw_match(path) and name in (None, resource.name):
                return resource
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


def _index_key_of(path: str) -> str:
    brace = path.find("{")
    if brace < 0:
        return path
    return path[:path.rfind("/", 0, brace)] or "/"


# -- static files -------------------------------------------------------------------------------
class StaticResource(PrefixResource):
    """``add_static("/static", "./public")``: files from one folder, and never from outside it.

    The one rule that matters: the file served must be inside the folder *after* every
    ``..``, symlink and encoding trick is undone.  So we do not inspect the name for ``..``;
    we resolve the real path and check it is inside the real folder (``Path.is_relative_to``).
    ``request.path`` is already percent-decoded, so ``%2e%2e%2f`` arrives here as ``../``.

    Answers, as aiohttp: 404 for a missing file or one outside the folder, 403 for a folder
    without ``show_index`` or an absolute name (``/static//etc/passwd``).  Backslashes and NUL
    bytes are refused with 404: they are legal in POSIX names, but nobody means them in a URL,
    and on Windows a backslash is a separator.

    Simplification: the checks call ``stat`` synchronously; on a local disk that takes
    microseconds.  The file's bytes are read off the loop (``FileResponse``).
    """

    VERSION_KEY = "v"           # the query parameter append_version adds: ?v=<hash>

    def __init__(self, prefix: str, directory: Union[str, "os.PathLike[str]"], *,
                 name: Optional[str] = None, expect_handler: Optional[Handler] = None,
                 chunk_size: int = 256 * 1024, show_index: bool = False,
                 follow_symlinks: bool = False, append_version: bool = False) -> None:
        super().__init__(prefix, name=name)
        try:
            folder = Path(directory).expanduser().resolve(strict=True)
        except FileNotFoundError:
            raise ValueError(f"add_static: the folder {str(directory)!r} does not exist") from None
        if not folder.is_dir():
            raise ValueError(f"add_static: {str(directory)!r} is a file, not a folder")
        self._directory = folder
        self._chunk_size = chunk_size
        self._show_index = show_index
        self._follow_symlinks = follow_symlinks
        self._append_version = append_version
        for method in ("GET", "HEAD"):
            self.add_route(method, self._handle, expect_handler=expect_handler)

    def _match(self, path: str, method: str) -> Tuple[Optional[UrlMappingMatchInfo], frozenset]:
        if not self._under_prefix(path):
            return None, _NO_METHODS
        route = self._by_method.get(method)
        if route is None:
            return None, self._allowed
        return UrlMappingMatchInfo({"filename": path[len(self._prefix) + 1:]}, route), self._allowed

    def _file_for(self, filename: str) -> Path:
        """The real path of ``filename`` inside the folder, or an HTTP error."""
        if "\x00" in filename or "\\" in filename:
            raise HTTPNotFound()
        if filename.startswith("/"):
            raise HTTPForbidden()
        candidate = self._directory / filename
        try:
            if self._follow_symlinks:
                # Collapse ".." by text only; symlinks inside are then followed when opened.
                real = Path(os.path.normpath(candidate))
            else:
                real = candidate.resolve()            # follows every symlink, then we check
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a name too long
            raise HTTPNotFound() from None
        if not real.is_relative_to(self._directory):
            raise HTTPNotFound()
        return real

    async def _handle(self, request: Any) -> Any:
        path = self._file_for(request.match_info["filename"])
        try:
            if path.is_dir():
                if self._show_index:
                    return Response(text=self._index_html(path), content_type="text/html")
                raise HTTPForbidden()
            if not path.is_file():
                raise HTTPNotFound()
        except PermissionError:
            raise HTTPForbidden() from None
        return FileResponse(path, chunk_size=self._chunk_size)

    def _index_html(self, folder: Path) -> str:
        relative = folder.relative_to(self._directory).as_posix()
        shown = f"{self._prefix}/{'' if relative == '.' else relative}".rstrip("/") + "/"
        items = []
        for entry in sorted(folder.iterdir()):
            label = entry.name + ("/" if entry.is_dir() else "")
            href = quote(shown + entry.name, safe=_PATH_SAFE)
            items.append(f'<li><a href="{html.escape(href)}">{html.escape(label)}</a></li>')
        title = f"Index of {html.escape(shown)}"
        return (f"<html>\n<head>\n<title>{title}</title>\n</head>\n<body>\n<h1>{title}</h1>\n"
                f"<ul>\n" + "\n".join(items) + "\n</ul>\n</body>\n</html>")

    def url_for(self, *, filename: Union[str, "os.PathLike[str]"],  # type: ignore[override]
                append_version: Optional[bool] = None) -> URL:
        name = Path(filename).as_posix().lstrip("/")
        url = URL.build(path=quote(f"{self._prefix}/{name}", safe=_PATH_SAFE), encoded=True)
        if append_version is None:
            append_version = self._append_version
        if append_version:
            try:
                path = self._file_for(name)
                digest = hashlib.sha256(path.read_bytes()).digest()
            except (HTTPException, OSError):
                return url                   # no file, no version: the plain URL still works
            version = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
            url = url.with_query({self.VERSION_KEY: version})
        return url

    def get_info(self) -> Dict[str, Any]:
        return {"directory": self._directory, "prefix": self._prefix,
                "routes": {route.method: route for route in self._routes}}

    def __repr__(self) -> str:
        name = f" {self._name!r}" if self._name else ""
        return f"<StaticResource{name} {self._prefix} -> {self._directory}>"
