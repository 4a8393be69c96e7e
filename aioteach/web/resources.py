"""Resources and routes: path patterns, and the handlers attached to them.

Theory of operation.  A *resource* is a path pattern (``/users/{id}``); a *route* is one
method on a resource (``GET /users/{id} -> get_user``).  Matching a path against a resource is
a three-way outcome, as in starlette (RFC 9110 sections 15.5.5-6)::

    path and method match        -> that route                        (FULL)
    path matches, not the method -> remember the resource's methods   (PARTIAL: 405 with
                                                                      Allow, if nothing else
                                                                      matches fully)
    path does not match          -> try the next candidate            (NONE: 404 at the end)

The answer to a request is a ``UrlMappingMatchInfo`` (``web/routes.py``): the path variables,
the route and its handler; when nothing matches, a ``MatchInfoError`` whose handler raises the
404 or 405.

Pattern syntax: ``{name}`` matches one non-empty path segment (``[^{}/]+``, never across
``/``); ``{name:regex}`` uses your regex.  Matching runs on the percent-decoded path, except
that an encoded ``/`` stays ``%2F`` (and ``%`` stays ``%25``) until the variables are read, as
in aiohttp: ``/files/a%2Fb`` matches ``/files/{name}`` with ``name == "a/b"``.  A resource's
``canonical`` form names its variables without their regexes (``/users/{id}``).  Kinds of
resource: ``PlainResource`` (no variables: string equality), ``DynamicResource`` (one compiled
regex), ``PrefixedSubAppResource`` (everything under ``/api`` goes to a sub-application) and
``StaticResource`` (files, in ``web/staticfiles.py``).  ``web/router.py`` holds them all and
picks the candidates for a path; the routes and match infos are in ``web/routes.py``.

The seam with ``web/router.py``: the router files each resource under its ``index_key`` and
calls each candidate's ``_match(path, method)``, the three-way outcome above as ``(match info
or None, the path's methods)``.  It keeps aiohttp's private name (``resolve(request)`` is the
awaitable public form); a kind of resource overrides it (``StaticResource``) or
``_match_path``.  A sub-app's resource calls back into the sub-app's router: ``resolve_path``
and ``rebuild_index``.
"""
from __future__ import annotations

import keyword
import re
from typing import Any, Dict, Iterator, List, Optional, Tuple
from urllib.parse import quote

from ..http1.abnf import token_re            # a method is a token (RFC 9110 9.1, 5.6.2)
from ..url import URL
from ..urlencoding import PATH_SAFE          # what a path may carry unescaped (RFC 3986 3.3)
from .exceptions import HTTPMethodNotAllowed
from .routes import (NO_METHODS, AbstractRoute, Handler, MatchInfoError, ResourceRoute,
                     SystemRoute, UrlMappingMatchInfo, match_info_for)

__all__ = [
    "UrlMappingMatchInfo", "MatchInfoError",
    "AbstractResource", "Resource", "PlainResource", "DynamicResource", "PrefixResource",
    "PrefixedSubAppResource", "AbstractRoute", "ResourceRoute", "SystemRoute",
    "parse_path_pattern", "unquote_segment",
]

# The methods a route may name (RFC 9110 section 9.1 plus PATCH, RFC 5789); "*" means any.
METHODS = ("CONNECT", "HEAD", "GET", "DELETE", "OPTIONS", "PATCH", "POST", "PUT", "TRACE")
ANY_METHOD = "*"


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
        return match_info_for(variables, route), self._allowed        # FULL

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
_KEPT_ESCAPE = re.compile("%(2F|25)")


def unquote_segment(value: str) -> str:
    """Decode the two escapes the router keeps (``%2F`` -> ``/``, ``%25`` -> ``%``), once.

    The router matches on a path where an encoded slash is still ``%2F`` (``router.py``:
    ``routing_path``), so ``{name}`` can hold one; the handler then sees the decoded value."""
    return _KEPT_ESCAPE.sub(lambda found: "/" if found.group(1) == "2F" else "%", value)


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
        regex, formatter, pattern = [], [], []
        for kind, value, var_regex in self._parts:
            if kind == "text":
                regex.append(re.escape(value))
                formatter.append(value.replace("{", "{{").replace("}", "}}"))
                pattern.append(value)
            else:
                regex.append(f"(?P<{value}>{var_regex or _DEFAULT_VARIABLE})")
                formatter.append("{" + value + "}")
                pattern.append(f"{{{value}:{var_regex}}}" if var_regex else f"{{{value}}}")
        try:
            self._regex = re.compile("".join(regex))
        except re.error as exc:
            raise ValueError(f"bad regex in route {''.join(pattern)!r}: {exc}") from None
        self._formatter = "".join(formatter)
        self._pattern = "".join(pattern)             # as written: what raw_match compares
        # The canonical form names the variables without their regexes, as aiohttp's does:
        # "/users/{id:\d+}" is shown (and looked up in tables) as "/users/{id}".
        self._canonical = "".join(value if kind == "text" else f"{{{value}}}"
                                  for kind, value, _ in self._parts)
        first = self._parts[0]
        literal = first[1] if first[0] == "text" else ""
        # The literal text up to the last "/" before the first variable: "/users/{id}" and
        # "/users/u{id}" both file under "/users", which every request for them passes through.
        self._index_key = literal[:literal.rfind("/")] or "/"

    canonical = property(lambda self: self._canonical)
    index_key = property(lambda self: self._index_key)

    def raw_match(self, path: str) -> bool:
        return path == self._pattern

    def _match_path(self, path: str) -> Optional[Dict[str, str]]:
        found = self._regex.fullmatch(path)
        if found is None:
            return None
        variables = found.groupdict()
        if "%" in path:                    # an encoded "/" or "%" inside a segment (router.py)
            return {key: unquote_segment(value) for key, value in variables.items()}
        return variables

    def add_prefix(self, prefix: str) -> None:
        self._compile(prefix)

    def url_for(self, **parts: Any) -> URL:  # type: ignore[override]
        quoted = {k: quote(str(v), safe=PATH_SAFE) for k, v in parts.items()}
        try:
            path = self._formatter.format_map(quoted)
        except KeyError as exc:
            raise KeyError(f"url_for() for {self._pattern!r} needs a value for {exc}") from None
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
        app.router.rebuild_index()

    app = property(lambda self: self._app)

    def add_prefix(self, prefix: str) -> None:
        super().add_prefix(prefix)
        for resource in self._app.router.resources():
            resource.add_prefix(prefix)
        self._app.router.rebuild_index()

    def _match(self, path: str, method: str) -> Tuple[Optional[UrlMappingMatchInfo], frozenset]:
        if not self._under_prefix(path):
            return None, NO_METHODS
        # Discussion: once the prefix matches, the sub-app owns the answer, 404 included; we do
        # not fall back to the parent's later routes.  That keeps /api/... self-contained.
        match_info = self._app.router.resolve_path(path, method)
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
