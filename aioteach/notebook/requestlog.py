"""The request log: a small middleware that tells a ``ServerHandle`` about every request.

Theory of operation.  ``serve()`` slips one middleware in front of the app's own (outermost, so
it times everything inside: the other middlewares and the handler).  When a request is done it
hands a ``RequestRecord`` (method, path, status, duration, time) to the handle serving the
connection; the handle keeps a list and calls its listeners (``ServerLog`` is one).

Rules: the middleware is added once per app; serving the same app again reuses it, and it finds
the handle through the list on the function (``aioteach_handles``).  A raised ``HTTPException``
(a 404, a redirect) is an answer and is logged with its status; anything else is logged as 500,
which is what the server will send.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, List, Optional

from .. import web as aioteach_web

__all__ = ["RequestRecord", "request_log_middleware", "handle_for"]


@dataclass(frozen=True)
class RequestRecord:
    """One request the server answered: what was asked, the answer, and when (for timelines)."""

    method: str
    path: str
    status: int
    duration: float          # seconds spent inside the middleware chain and the handler
    time: float              # wall-clock time.time() when it arrived, for the log
    started: float           # time.perf_counter() when it arrived, for timelines

    def __str__(self) -> str:
        clock = time.strftime("%H:%M:%S", time.localtime(self.time))
        return f"{clock} {self.method} {self.path} -> {self.status} ({self.duration * 1000:.1f} ms)"


def request_log_middleware(app: Any, web: Any = None) -> Optional[Any]:
    """The app's logging middleware, added once per app (re-serving the same app reuses it).

    ``web`` is the app's own ``web`` module (``aioteach.web`` by default, ``aiohttp.web`` for an
    aiohttp app), so a raised ``HTTPException`` of either package is logged with its status.
    """
    for mw in getattr(app, "middlewares", ()):
        if getattr(mw, "aioteach_handles", None) is not None:
            return mw
    if web is None:
        web = aioteach_web

    async def request_log(request: Any, handler: Callable[..., Any]) -> Any:
        started, wall, status = time.perf_counter(), time.time(), 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:        # a raised 404 or redirect is an answer too
            status = exc.status
            raise
        finally:
            # aioteach_handles is set on the function below, where mypy cannot see it
            handle = handle_for(request_log.aioteach_handles, request)  # type: ignore[attr-defined]
            if handle is not None:
                handle._log(RequestRecord(request.method, request.path_qs, status,
                                          time.perf_counter() - started, wall, started))

    request_log.aioteach_handles = []          # type: ignore[attr-defined]
    request_log.__middleware_version__ = 1     # type: ignore[attr-defined]  # new-style, both
    try:
        app.middlewares.insert(0, request_log)     # outermost: it times everything inside
    except (RuntimeError, TypeError, AttributeError):
        return None     # a frozen app (already served elsewhere): no log, everything else works
    return request_log


def handle_for(handles: List[Any], request: Any) -> Optional[Any]:
    """The handle serving ``request``: the only one, or the one on the connection's port."""
    if len(handles) == 1:
        return handles[0]
    transport = getattr(request, "transport", None)      # one app on two ports: ask the socket
    sockname = transport.get_extra_info("sockname") if transport is not None else None
    for handle in handles:
        if sockname and sockname[1] == handle.port:
            return handle
    return handles[-1] if handles else None
