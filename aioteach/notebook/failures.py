"""What a widget shows when its request fails: one plain sentence, the traceback folded away.

Theory of operation.  A learner who presses Send after the server is gone should read what
happened and what to do, not a pink ``ConnectionRefusedError`` traceback.  ``Failure.of(exc,
url=...)`` turns an exception into:

* ``sentence``: one sentence naming the cause and the fix, from the first rule that fits:
  the connection was refused (nothing listens at the URL: "re-run the cell that serves it, or
  call handle.restart()"), the server hung up or did not answer in time, one of the classic
  mistakes ``traps.explain`` knows, else "``fn`` failed: ``Type: message``";
* ``traceback``: the full text, for whoever wants it;
* ``_repr_html_``: the sentence in a box, and the traceback behind an HTML ``<details>``
  toggle.  ``callbacks.AsyncHandler`` appends it to the widget's ``Output``; nothing else in
  the package shows widget errors.

Rules: the sentence never depends on ipywidgets or IPython; ``str(failure)`` is the sentence.
"""
from __future__ import annotations

import asyncio
import errno
import html
import traceback
from dataclasses import dataclass
from typing import List, Optional

from .traps import explain

__all__ = ["Failure", "failure_sentence"]


def _chain(exc: BaseException) -> List[BaseException]:
    """``exc``, its ``os_error`` (the client's wrapper) and its causes, outermost first."""
    seen: List[BaseException] = []
    todo: List[Optional[BaseException]] = [exc]
    while todo:
        one = todo.pop(0)
        if one is None or any(one is s for s in seen):
            continue
        seen.append(one)
        todo += [getattr(one, "os_error", None), one.__cause__, one.__context__]
    return seen


def _refused(exc: BaseException) -> bool:
    return any(isinstance(e, ConnectionRefusedError)
               or (isinstance(e, OSError) and e.errno == errno.ECONNREFUSED)
               for e in _chain(exc))


def _hung_up(exc: BaseException) -> bool:
    names = {type(e).__name__ for e in _chain(exc)}
    return bool(names & {"ServerDisconnectedError", "ConnectionResetError",
                         "ClientConnectionResetError", "IncompleteRead", "RemoteDisconnected"})


def _where(url: Optional[str]) -> str:
    if not url:
        return "the server"
    return f"the server at {url.rstrip('/')}/"


def failure_sentence(exc: BaseException, url: Optional[str] = None,
                     what: Optional[str] = None) -> str:
    """One sentence: what went wrong with the request to ``url`` and how to fix it."""
    if _refused(exc):
        return (f"{_where(url)} is not running: re-run the cell that serves it, or call "
                f"handle.restart().")
    if _hung_up(exc):
        return (f"{_where(url)} closed the connection before it answered: look at the cell "
                f"that serves it for an error, then re-run that cell or call handle.restart().")
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return (f"{_where(url)} did not answer in time: is a handler stuck (a blocking call, "
                f"a long sleep)? Re-run the cell that serves it, or call handle.restart().")
    hint = explain(exc)
    message = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if hint:
        return f"{message}. {hint[0].upper()}{hint[1:]}"
    return f"{what or 'the request'} failed with {message}."


@dataclass
class Failure:
    """A failed widget action, ready to show: ``sentence``, ``traceback`` and the exception."""

    sentence: str
    traceback: str
    exception: BaseException

    #: Marks the HTML, so the next click can clear earlier failures from an Output.
    MARK = "data-aioteach-failure"

    @classmethod
    def of(cls, exc: BaseException, url: Optional[str] = None,
           what: Optional[str] = None) -> "Failure":
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        return cls(failure_sentence(exc, url, what), text, exc)

    def __str__(self) -> str:
        return self.sentence

    def __repr__(self) -> str:
        return self.sentence

    def _repr_html_(self) -> str:
        return (f'<div {self.MARK}="1" style="font-family:sans-serif;font-size:13px">'
                f'<div style="border-left:4px solid #c62828;background:#fdecea;'
                f'padding:4px 8px">{html.escape(self.sentence)}</div>'
                f'<details><summary style="cursor:pointer;color:#555">show the traceback'
                f'</summary><pre style="font-size:11px;white-space:pre-wrap">'
                f'{html.escape(self.traceback)}</pre></details></div>')
