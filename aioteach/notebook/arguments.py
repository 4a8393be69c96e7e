"""A widget's arguments, checked before it is built: one sentence naming the cause and the fix.

Theory of operation.  A panel that is given nonsense (no server, zero buyers, no routes) would
otherwise build without a word and fail later, at a click, far from the line that was wrong,
or not fail at all and show an empty table.  So the panels check their arguments first and
raise a ``ValueError`` (a ``TypeError`` for a value of the wrong kind) whose message says what
was given, why it cannot work, and what to write instead:

    server_url(target, who)           a ServerHandle (what ``serve()`` returned) or an
                                      http(s):// URL; not None, a port number or an app
    count(value, who, name, least)    a whole number, at least ``least`` (and at most ``most``)
    paths(values, who)                one route or more, each starting with "/"

Rules: no imports of the widgets; the messages name the panel (``who``) as the learner wrote it.
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence

__all__ = ["server_url", "count", "paths"]

SERVE_FIRST = "serve the app first (`server = serve(app)`) and pass `server`"


def server_url(target: Any, who: str) -> str:
    """The URL of ``target`` (a server handle or a URL), or a ValueError saying what to pass."""
    if target is None:
        raise ValueError(f"{who} needs the server to send requests to, and got None: pass the "
                         f"handle serve() returned (`server = serve(app)`), or its URL.")
    if isinstance(target, bool) or isinstance(target, int):
        raise ValueError(f"{who} needs the server itself, not a port number ({target}): pass "
                         f"the handle serve() returned, or a URL such as "
                         f"'http://127.0.0.1:{target}'.")
    if hasattr(target, "router") and not hasattr(target, "url"):
        raise ValueError(f"{who} was given an application, which nobody serves yet: "
                         f"{SERVE_FIRST}.")
    url = getattr(target, "url", target)
    text = str(url) if url is not None else ""
    if not text.startswith(("http://", "https://")):
        raise ValueError(f"{who} needs a server handle or an http:// URL, not {target!r}: "
                         f"pass the handle serve() returned (`server = serve(app)`).")
    return text.rstrip("/")


def count(value: Any, who: str, name: str, least: int = 1,
          most: Optional[int] = None) -> int:
    """``value`` as a whole number within [least, most], or an error naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            raise TypeError(f"{who}: {name} must be a whole number, not {value!r}.")
    if value < least:
        raise ValueError(f"{who}: {name}={value} cannot work, {name} must be at least "
                         f"{least}: pass {name}={least} or more.")
    if most is not None and value > most:
        raise ValueError(f"{who}: {name}={value} is more than this panel handles; use at most "
                         f"{name}={most}.")
    return value


def paths(values: Sequence[str], who: str) -> List[str]:
    """The routes a panel makes buttons for: at least one, each a path starting with "/"."""
    if isinstance(values, str):
        values = [values]
    found = list(values)
    if not found:
        raise ValueError(f"{who} needs at least one route to make a button for, for example "
                         f"['/buy'].")
    for path in found:
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"{who}: a route is a path starting with '/', such as '/buy', "
                             f"not {path!r}.")
    return found
