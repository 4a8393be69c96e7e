"""The sleeping-handler trap: ``time.sleep`` in a handler stops the whole loop, and says so.

Theory of operation.  ``time.sleep(0.5)`` inside an ``async def`` handler does not fail: the
thread sleeps, the loop that runs in that thread sleeps with it, and for half a second no other
request, widget or cell on that loop runs.  Nothing names the cause; the learner only sees
everything get slow.  ``install(show)`` replaces ``time.sleep`` with a function that

* sleeps, always, exactly as asked (correct code, and lesson 05's deliberate mistake, keep
  working: the trap only adds a sentence);
* when the sleep is 0.05 s or longer, a loop runs in this thread, and one of the functions
  on the call stack is in ``aioteach.web.protocol`` (``HttpProtocol._respond``: an aioteach
  server's handler is running),
  calls ``show(sentence)`` once per sleeping function: which function slept, that the loop
  slept with it, and the fix (``await asyncio.sleep``, or ``asyncio.to_thread`` for blocking
  work).  ``asyncio.to_thread(time.sleep, s)`` sleeps in a worker thread, where no loop
  runs: nothing is said.

In a Jupyter kernel the handler's task inherited the context of the cell that *started the
server*, and ipykernel files output under the cell named in that context: ``latest_cell()``
names the cell that ran last instead (the one that fired the requests).

Only ``time.sleep`` looked up on the module at call time is seen: ``from time import sleep``
done before ``install`` keeps the original.  ``uninstall()`` puts the original back.
"""
from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
import time
from typing import Any, Callable, Dict, Iterator, Optional

__all__ = ["SLEEP_NOTICE", "SLEEP_HINT", "sleeping_handler", "latest_cell", "install",
           "uninstall", "installed"]

#: Shorter sleeps pass unremarked: a blink that no other request notices.
SLEEP_NOTICE = 0.05
SLEEP_HINT = ("{where} called time.sleep({seconds:g}) on the event loop's thread, and the loop "
              "slept with it: for {seconds:g} s nothing else on that loop ran (no other "
              "request{more}). Fix: `await asyncio.sleep({seconds:g})` to wait, or `await "
              "asyncio.to_thread(blocking_function, ...)` for blocking work.")

_STATE: Dict[str, Any] = globals().get("_STATE", {})    # "sleep": the original, "show": the hook
_SLEPT: Dict[Any, str] = {}          # the code objects already explained: once per function


def sleeping_handler(frame: Any) -> Optional[str]:
    """The name of ``frame``'s function when it runs inside a handler of an aioteach server
    (a frame it was called from is in web/protocol.py: ``HttpProtocol._respond`` runs every
    handler), or None outside any handler."""
    caller = frame
    while frame is not None:
        if frame.f_globals.get("__name__") == "aioteach.web.protocol":   # its _respond
            return caller.f_code.co_name
        frame = frame.f_back
    return None


def _guarded_sleep(seconds: float) -> None:
    if seconds >= SLEEP_NOTICE:
        try:
            asyncio.get_running_loop()
        except RuntimeError:                 # no loop in this thread: sleeping blocks no one
            pass
        else:
            caller = sys._getframe(1)
            name = sleeping_handler(caller)
            if name is not None and caller.f_code not in _SLEPT:
                more = (", widget or cell"
                        if threading.current_thread() is threading.main_thread() else "")
                hint = SLEEP_HINT.format(where=f"`{name}`, in a handler,", seconds=seconds,
                                         more=more)
                _SLEPT[caller.f_code] = hint
                with latest_cell():
                    _STATE["show"](hint)
    _STATE["sleep"](seconds)


@contextlib.contextmanager
def latest_cell() -> Iterator[None]:
    """Inside IPython: output goes to the cell that ran last, not to the one whose context the
    running task inherited (ipykernel keeps the output's cell in a context variable)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    pub = getattr(shell, "display_pub", None)
    var, latest = getattr(pub, "_parent_header", None), getattr(pub, "_parent_header_global", None)
    if var is None or not latest:
        yield
        return
    token = var.set(latest)
    try:
        yield
    finally:
        var.reset(token)


def install(show: Callable[[str], None]) -> None:
    """Put the guarded ``time.sleep`` in place; ``show(sentence)`` is how it speaks."""
    _STATE["show"] = show
    if "sleep" not in _STATE:
        _STATE["sleep"] = time.sleep
        time.sleep = _guarded_sleep          # type: ignore[assignment]


def uninstall() -> None:
    original = _STATE.pop("sleep", None)
    if original is not None and time.sleep is _guarded_sleep:
        time.sleep = original


def installed() -> bool:
    return "sleep" in _STATE
