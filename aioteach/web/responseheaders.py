"""A response's header fields, refusing CR and LF in a value where it is set.

Theory of operation: a CR or LF inside a header value (or the reason phrase) would end the
field line early, and whatever follows would be read as a new field or as the body: response
splitting (RFC 9112 section 2.2 and 4, RFC 9110 5.5).  The head writer refuses such a value
anyway, but only when the response is sent, so a handler's author would see a 500 far from
the line at fault.  ``ResponseHeaders`` is ``aioteach.multidict.CIMultiDict`` with a check on
every path that puts a value in: the constructor, ``__setitem__``, ``add`` (and so
``setdefault``), and ``extend``/``update``/``merge`` (they all go through ``_entries``).  A bad
value raises ValueError there, as aiohttp does.  ``check_reason`` does the same for the reason
phrase (``Response(reason=...)``, ``set_status``).

The check is two substring tests on a str (``"\\r" in v or "\\n" in v``), run only when a value
is set; a response whose headers are never touched never builds this object at all (see
``StreamResponse.headers``).  Values that are not str are left for the head writer to judge,
as before.  Deliberate difference: aiohttp's multidict accepts the value and aiohttp refuses it
at write time for most paths; we refuse on every path at once, which the issue asked for.
"""
from __future__ import annotations

from typing import Any, Mapping, Optional

from ..multidict import CIMultiDict

__all__ = ["ResponseHeaders", "check_reason"]


def _refuse(what: str, value: str) -> None:
    raise ValueError(f"{what} cannot contain \\r or \\n: {value!r}")


def check_reason(reason: Optional[str]) -> None:
    """Raise ValueError when a reason phrase holds CR or LF (None is fine: the default)."""
    if reason is not None and ("\r" in reason or "\n" in reason):
        raise ValueError("Reason cannot contain \\r or \\n")


class ResponseHeaders(CIMultiDict[str]):
    """``CIMultiDict`` for a response: a value with CR or LF is a ValueError when set."""

    __slots__ = ()

    def __init__(self, arg: Any = (), /, **kwargs: Any) -> None:
        super().__init__(arg, **kwargs)
        for _, key, value in self._items:
            if isinstance(value, str) and ("\r" in value or "\n" in value):
                _refuse(f"header {key!r}", value)

    def _entries(self, arg: Any, kwargs: Mapping[str, Any], method: str) -> list:
        entries = super()._entries(arg, kwargs, method)
        for _, key, value in entries:
            if isinstance(value, str) and ("\r" in value or "\n" in value):
                _refuse(f"header {key!r}", value)
        return entries

    def add(self, key: str, value: Any) -> None:
        if isinstance(value, str) and ("\r" in value or "\n" in value):
            _refuse(f"header {key!r}", value)
        super().add(key, value)

    def __setitem__(self, key: str, value: Any) -> None:
        if isinstance(value, str) and ("\r" in value or "\n" in value):
            _refuse(f"header {key!r}", value)
        super().__setitem__(key, value)
