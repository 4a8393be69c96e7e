"""The access log: one line per answered request, in aiohttp's (Apache-like) format.

Theory of operation.  After each response the protocol calls ``AccessLogger.log(request,
response, seconds)``.  The line goes to ``logging.getLogger("aioteach.access")`` at INFO, and is
formatted only if that logger would print it: an unconfigured logger (WARNING by default) costs
one ``isEnabledFor`` check per request.  Turn it on with
``logging.basicConfig(level=logging.INFO)``.

The format string is compiled once into a list of small functions, one per ``%`` directive.
The default, ``%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"``, gives::

    127.0.0.1 [24/Nov/2026:01:02:03 +0000] "GET /hello HTTP/1.1" 200 13 "-" "curl/7.88.1"

Directives: ``%a`` client address, ``%t`` time the request started, ``%P`` process id, ``%r``
request line, ``%s`` status, ``%b`` body bytes sent, ``%T`` seconds taken, ``%Tf`` the same
with fractions, ``%D`` microseconds, ``%{Name}i`` a request header, ``%{Name}o`` a response
header, ``%%`` a percent sign.
"""
from __future__ import annotations

import datetime
import logging
import os
import re
from typing import Any, Callable, List

__all__ = ["AccessLogger", "AbstractAccessLogger", "access_logger", "LOG_FORMAT"]

access_logger = logging.getLogger("aioteach.access")
LOG_FORMAT = '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'

_DIRECTIVE = re.compile(r"%(\{([A-Za-z0-9_-]+)\}([io])|Tf|[atPrsbTD%])")

Part = Callable[[Any, Any, float], str]


class AbstractAccessLogger:
    """Subclass and pass as ``AppRunner(app, access_log_class=...)`` to log your own way."""

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        self.logger = logger
        self.log_format = log_format

    @property
    def enabled(self) -> bool:
        """Is there any point formatting a line?  (Checked before timing the request.)"""
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: Any, response: Any, time: float) -> None:
        raise NotImplementedError


def _request_time(request: Any, response: Any, taken: float) -> str:
    started = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=taken)
    return started.strftime("[%d/%b/%Y:%H:%M:%S +0000]")


def _request_line(request: Any, response: Any, taken: float) -> str:
    version = request.version
    return f"{request.method} {request.raw_path} HTTP/{version.major}.{version.minor}"


# directive -> how to render it.  A table, so a notebook can print what each letter means.
_SIMPLE: dict = {
    "a": lambda req, resp, t: req.remote or "-",
    "t": _request_time,
    "P": lambda req, resp, t: f"<{os.getpid()}>",
    "r": _request_line,
    "s": lambda req, resp, t: str(resp.status),
    "b": lambda req, resp, t: str(resp.body_length),
    "T": lambda req, resp, t: str(round(t)),
    "Tf": lambda req, resp, t: f"{t:.6f}",
    "D": lambda req, resp, t: str(round(t * 1_000_000)),
    "%": lambda req, resp, t: "%",
}


def _header_part(name: str, side: str) -> Part:
    if side == "i":
        return lambda req, resp, t: req.headers.get(name, "-")
    return lambda req, resp, t: resp.headers.get(name, "-")


def compile_format(log_format: str) -> List[Any]:
    """Split a format into literal strings and render functions."""
    parts: List[Any] = []
    pos = 0
    for match in _DIRECTIVE.finditer(log_format):
        if match.start() > pos:
            parts.append(log_format[pos:match.start()])
        if match.group(2):
            parts.append(_header_part(match.group(2), match.group(3)))
        else:
            parts.append(_SIMPLE[match.group(1)])
        pos = match.end()
    if pos < len(log_format):
        parts.append(log_format[pos:])
    return parts


class AccessLogger(AbstractAccessLogger):
    """The default access logger (see the module docstring for the format)."""

    def __init__(self, logger: logging.Logger = access_logger,
                 log_format: str = LOG_FORMAT) -> None:
        super().__init__(logger, log_format)
        self._parts = compile_format(log_format)

    def log(self, request: Any, response: Any, time: float) -> None:
        if not self.logger.isEnabledFor(logging.INFO):
            return
        try:
            line = "".join(p if isinstance(p, str) else p(request, response, time)
                           for p in self._parts)
            self.logger.info(line)
        except Exception:           # a broken format must not break serving
            self.logger.exception("could not write the access log line")
