"""Resources and routes: path patterns, and the handlers attached to them.

Theory of operation.  A *resource* is a path pattern (``/users/{id}``); a *route* is one
method on a resource (``GET /users/{id} -> get_user``).  Matching a path against a resource is
a three-way outcome, as in starlette (RFC 9110 sections 15.5.5-6)::

    path and method match        -> that route                        (FULL)
    path matches, not the method -> remember the resource's methods   (PARTIAL: 405 with
                                                                      Allow, if nothing else
                                                                      matches fully)
    path does not match          -> try the next candidate            (NONE: 404 at the end)

The answer to a request is a ``UrlMappingMatchInfo``: a dict of the path variables
(``{"id": "7"}``) that also knows its ``route`` and ``handler``.  When nothing matches, the
answer (``MatchInfoError``) still has a handler, one that raises the 404 or 405, so middlewares
run around an error like around any request.

Pattern syntax: ``{name}`` matches one non-empty path segment (``[^{}/]+``, never across
``/``); ``{name:regex}`` uses your regex.  Matching runs on the percent-decoded path.  Kinds of
resource: ``PlainResource`` (no variables: string equality), ``DynamicResource`` (one compiled
regex), ``PrefixedSubAppResource`` (everything under ``/api`` goes to a sub-application) and
``StaticResource`` (files, in ``web/staticfiles.py``).  ``web/router.py`` holds them all and
picks the candidates for a path.

Simplification: matching on the decoded path means ``%2F`` in a request counts as a ``/``;
aiohttp keeps it inside the segment.
"""
from __future__ import annotations

import keyword
import re
from typing import (Any, Awaitable, Callable, Dict, Iterator, List, Optional, Tuple)
from urllib.parse import quote

from ..http1.abnf import token_re            # a method is a token (RFC 9110 9.1, 5.6.2)
from ..url import URL
from ..urlencoding import PATH_SAFE          # what a path may carry unescaped (RFC 3986 3.3)
from .exceptions import HTTPException, HTTPMethodNotAllowed

__all__ = [
    "UrlMappingMatchInfo", "MatchInfoError",
    "AbstractResource", "Resource", "PlainResource", "DynamicResource", "PrefixResource",
    "PrefixedSubAppResource", "AbstractRoute", "ResourceRoute", "SystemRoute",
]

Handler = Callable[[Any], Awaitable[Any]]
NO_METHODS: frozenset = frozenset()

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

    @current_app.setter
    def current_app(self, app: Any) -> None:    # the app whose middlewares run now (aiohttp)
        self._current_app = app

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
        if self._resource is None:
            raise RuntimeError(f"{self!r} answers failed matches; it has no URL")
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
        self._allowed: frozenset = NO_METHODS

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
        if method != ANY_METHOD and method not in METHODS and not token_re.fullmatch(method):
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
            return None, NO_METHODS                                  # NONE
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
        return URL.build(path=quote(self._path, safe=PATH_SAFE), encoded=True)

    def get_info(self) -> Dict[str, Any]:
        return {"path": self._path}


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
        quoted = {k: quote(str(v), safe=PATH_SAFE) for k, v in parts.items()}
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
            return None, NO_METHODS
        # Discussion: once the prefix matches, the sub-app owns the answer, 404 included; we do
        # not fall back to the parent's later routes.  That keeps /api/... self-contained.
        match_info = self._app.router._resolve_path(path, method)
        match_info.add_app(self._app)
        error = match_info.http_exception
        allowed = error.allowed_methods if isinstance(error, HTTPMethodNotAllowed) else NO_METHODS
        return match_info, frozenset(allowed)

    def url_for(self, *args: str, **kwargs: Any) -> URL:
        raise RuntimeError("a sub-application has no URL of its own: name a route inside it "
                           "and call subapp.router['name'].url_for()")

    def get_info(self) -> Dict[str, Any]:
        return {"app": self._app, "prefix": self._prefix}

    def __repr__(self) -> str:
        return f"<PrefixedSubAppResource {self._prefix} -> {self._app!r}>"
