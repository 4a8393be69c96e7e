"""Exercise checkers for the lessons: ``check_...(your_function)`` tries it and shows a verdict.

Theory of operation.  Each lesson ends with exercises: the learner writes a function (a handler,
a middleware, a client coroutine) and calls the lesson's checker on it, for example
``check_shout(shout)`` from ``exercises.lesson01``.  A checker

1. runs a *check body* (an ``async def body(result)``) on a fresh event loop in a worker thread,
   so it works the same from a notebook cell (whose loop is busy running the cell), a terminal
   and pytest, and a handler that never answers cannot hang the kernel (``CHECK_TIMEOUT``);
2. inside the body, serves a throw-away app on 127.0.0.1 port 0 (``ThrowawayServer``) and asks
   it questions with aioteach's own client (``server.ask``), recording one line per expectation
   (``result.expect``);
3. shows the verdict (HTML in a notebook, text elsewhere) and returns the ``CheckResult``, which
   is truthy only when every expectation held.  It never raises, so "Run All" goes on past an
   exercise the learner has not solved yet; a lesson's solution cell says
   ``assert check_...(solution)``.

Rules: a checker module per lesson (``lesson01.py`` ...), each with its checkers in ``__all__``;
this package holds only the shared machinery.  Exceptions raised by the learner's handler are
caught by an outer middleware of the throw-away app, answered with 500 and shown in the verdict
(``server.errors``), instead of a server traceback in the cell.

Discussion: why a worker thread, not the kernel's loop?  A checker called from a cell is a plain
function call; the cell's own loop cannot run anything until the cell returns, so the check needs
a loop of its own, and a loop needs a thread of its own.  The price: the learner's function runs
on that loop, so it must not use objects bound to the kernel's loop (a session made in another
cell).  Every check builds what it needs itself.
"""
from __future__ import annotations

import asyncio
import html
import inspect
import re
import threading
import traceback
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, List, Optional

import aioteach
from aioteach import web
from aioteach.web.memorysite import MemorySite

from .. import lite

__all__ = ["CheckResult", "Expectation", "Reply", "ThrowawayServer", "run_check",
           "one_route_app", "require_async", "CHECK_TIMEOUT"]

#: Seconds a whole check may take: the lesson endpoints answer in well under a second each.
CHECK_TIMEOUT = 20.0


@dataclass
class Expectation:
    """One line of a verdict: what was expected, whether it held, what was seen, and a hint."""

    what: str
    ok: bool
    got: str = ""
    hint: str = ""


class CheckResult:
    """The verdict of one check: a list of expectations; truthy only when all of them held."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.expectations: List[Expectation] = []
        self._shown_in: Optional[int] = None      # the IPython execution count that showed it

    def expect(self, ok: Any, what: str, got: Any = "", hint: str = "") -> bool:
        """Record one expectation; returns whether it held, so a body can stop early."""
        self.expectations.append(Expectation(what, bool(ok), "" if got == "" else str(got),
                                             "" if ok else hint))
        return bool(ok)

    def fail(self, what: str, got: Any = "", hint: str = "") -> bool:
        return self.expect(False, what, got, hint)

    @property
    def passed(self) -> bool:
        return bool(self.expectations) and all(e.ok for e in self.expectations)

    def __bool__(self) -> bool:
        return self.passed

    # -- how it looks -----------------------------------------------------------------------
    def headline(self) -> str:
        held = sum(e.ok for e in self.expectations)
        if self.passed:
            return f"{self.title}: all {held} checks passed. Well done!" if held > 1 else \
                f"{self.title}: the check passed. Well done!"
        return (f"{self.title}: {held} of {len(self.expectations)} checks passed, "
                f"not there yet (read the first failing line)")

    def text(self) -> str:
        lines = [self.headline()]
        for e in self.expectations:
            lines.append(f"  [{'ok' if e.ok else 'X '}] {e.what}")
            if e.got and not e.ok:
                lines.append(f"         got: {e.got}")
            if e.hint:
                lines.append(f"         hint: {e.hint}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        esc = html.escape
        colour = "#2e7d32" if self.passed else "#c62828"
        rows = []
        for e in self.expectations:
            mark = '<span style="color:#2e7d32">&#10004;</span>' if e.ok else \
                '<span style="color:#c62828">&#10008;</span>'
            extra = ""
            if e.got and not e.ok:
                extra += f"<br><small>got: <code>{esc(e.got)}</code></small>"
            if e.hint:
                extra += f"<br><small><b>hint:</b> {_code_spans(e.hint)}</small>"
            rows.append(f'<li style="list-style:none">{mark} {_code_spans(e.what)}{extra}</li>')
        return (f'<div style="border-left:4px solid {colour};padding:4px 10px;'
                f'font-family:sans-serif"><b style="color:{colour}">{esc(self.headline())}</b>'
                f'<ul style="margin:4px 0;padding-left:4px">{"".join(rows)}</ul></div>')

    def show(self) -> None:
        """Display the verdict now: HTML in a notebook, text in a terminal or a test."""
        shell = _ipython()
        if shell is None:
            print(self.text())
            return
        from IPython.display import display
        display({"text/html": self._repr_html_(), "text/plain": self.text()}, raw=True)
        self._shown_in = shell.execution_count

    def _ipython_display_(self) -> None:
        # Discussion: a checker shows its verdict itself (so ``assert check(f)`` shows it too)
        # and also returns it; when that return value is the cell's last expression, IPython
        # would show it a second time.  Shown already in this cell: show nothing.
        shell = _ipython()
        if shell is not None and self._shown_in == shell.execution_count:
            return
        self.show()


def _code_spans(text: str) -> str:
    """Escape ``text`` for HTML and show its `backticked` parts as code, as Markdown would."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _ipython() -> Any:
    import sys
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython
    return get_ipython()


# -- running a check on a loop of its own -------------------------------------------------------
Body = Callable[[CheckResult], Awaitable[Any]]


def run_check(title: str, body: Body, *, timeout: float = CHECK_TIMEOUT,
              show: bool = True) -> CheckResult:
    """Run ``await body(result)`` on a fresh loop in a worker thread; show and return the result.

    An exception escaping ``body`` (the learner's code raised, a request failed) becomes a
    failed line with its message: a checker never raises.
    """
    result = CheckResult(title)
    outcome: List[BaseException] = []

    async def guarded() -> None:
        # Not asyncio.wait_for: a TimeoutError raised by the code under test (its own client
        # timeout, say) must be reported as that, not as the check running out of time.
        task = asyncio.ensure_future(body(result))
        done, _ = await asyncio.wait([task], timeout=timeout)
        if not done:
            task.cancel()
            await asyncio.wait([task])        # let its finally blocks (servers) clean up
            result.fail(f"the check finished within {timeout:g} s",
                        got="it was still waiting (for your code, or for an answer)",
                        hint="does something await forever, or sleep too long?")
        elif not task.cancelled() and task.exception() is not None:
            raise task.exception()            # type: ignore[misc]

    if _run_on_own_loop(guarded, title, timeout, outcome):   # stuck: report a copy
        stuck = CheckResult(title)
        stuck.expectations = list(result.expectations)
        result = stuck
        result.fail(f"the check finished within {timeout:g} s",
                    got="the check's thread is blocked",
                    hint="a blocking call (time.sleep, requests.get) inside async code stops "
                         "the event loop; use await asyncio.sleep() / an async client")
    for exc in outcome:
        result.fail("the check ran to the end", got=_one_line(exc),
                    hint="the error came from the code under test; the line above it says "
                         "which step was running")
    if not result.expectations:
        result.fail("the check recorded something", hint="this checker found nothing to check")
    if show:
        result.show()
    return result


def _run_on_own_loop(guarded: Callable[[], Awaitable[None]], title: str, timeout: float,
                     outcome: List[BaseException]) -> bool:
    """Run ``guarded()`` on a fresh loop in a worker thread (in a browser kernel, which has no
    threads, on a socketless loop right here); True if it is still running after the timeout."""
    def work() -> None:
        try:
            asyncio.run(guarded())  # type: ignore[arg-type]  # a coroutine function
        except BaseException as exc:          # the learner's code may raise anything
            outcome.append(exc)

    if lite.in_browser():
        try:
            lite.run_blocking(guarded())
        except BaseException as exc:
            outcome.append(exc)
        return False
    worker = threading.Thread(target=work, name=f"aioteach-check-{title}", daemon=True)
    worker.start()
    worker.join(timeout + 5)                  # the loop's own timeout fires first, normally
    return worker.is_alive()                  # stuck: the thread may go on


def _one_line(exc: BaseException) -> str:
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    return text.splitlines()[-1] if text else type(exc).__name__


def require_async(result: CheckResult, fn: Any, role: str = "handler") -> bool:
    """Expect ``fn`` to be an ``async def`` function (not a call of one, not a plain def)."""
    if inspect.iscoroutine(fn):
        fn.close()
        return result.fail(f"your {role} is an async function",
                           got="a coroutine object: the function was called",
                           hint="pass the function itself, without parentheses")
    return result.expect(inspect.iscoroutinefunction(fn), f"your {role} is an `async def` "
                         f"function", got=repr(fn), hint="write `async def name(...):`, so "
                         "the server (or the check) can await it")


# -- a throw-away server and a client to ask it ---------------------------------------------------
@dataclass
class Reply:
    """What the check's client saw: status, header fields, body text (and JSON, if any)."""

    status: int
    headers: Any
    text: str
    json: Any = None
    is_json: bool = False

    def summary(self, limit: int = 120) -> str:
        body = self.text if len(self.text) <= limit else self.text[:limit] + "..."
        kind = self.headers.get("Content-Type", "")
        return f"{self.status}, Content-Type {kind!r}, body {body!r}"


def one_route_app(method: str, path: str, handler: Any) -> Any:
    """A ``web.Application`` with the single route ``method path -> handler``."""
    app = web.Application()
    app.router.add_route(method, path, handler)
    return app


@dataclass
class ThrowawayServer:
    """``async with ThrowawayServer(app) as server:`` serves ``app`` on 127.0.0.1, port 0.

    ``server.url``, ``await server.ask(method, path, **client_kwargs) -> Reply``, and
    ``server.errors``: exceptions (other than HTTP exceptions) raised while answering.
    """

    app: Any
    url: str = ""
    errors: List[BaseException] = field(default_factory=list)
    runner: Any = None
    session: Any = None
    errors_before_last_ask: int = 0

    async def __aenter__(self) -> "ThrowawayServer":

        @web.middleware
        async def catch_errors(request: Any, handler: Any) -> Any:
            try:
                return await handler(request)
            except web.HTTPException:
                raise                      # an HTTP exception is an answer, not a mistake
            except Exception as exc:
                self.errors.append(exc)
                return web.Response(status=500, text=f"the code under test raised "
                                                     f"{_one_line(exc)}")

        self.app.middlewares.insert(0, catch_errors)
        self.runner = web.AppRunner(self.app, access_log=None)
        await self.runner.setup()
        if lite.in_browser():                 # no sockets there: the memory transport
            memory_site = MemorySite(self.runner)
            await memory_site.start()
            self.url = memory_site.name
        else:
            site = web.TCPSite(self.runner, "127.0.0.1", 0)
            await site.start()
            host, port = self.runner.addresses[0][:2]
            self.url = f"http://{host}:{port}"
        self.session = aioteach.ClientSession(timeout=aioteach.ClientTimeout(total=10))
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        if self.session is not None:
            await self.session.close()
        if self.runner is not None:
            await self.runner.cleanup()

    async def ask(self, method: str, path: str, **kwargs: Any) -> Reply:
        """Send one request with aioteach's client (``kwargs`` as for ``session.request``)."""
        kwargs.setdefault("allow_redirects", False)
        self.errors_before_last_ask = len(self.errors)
        async with self.session.request(method, self.url + path, **kwargs) as response:
            text = await response.text()
            reply = Reply(response.status, response.headers, text)
        if "json" in reply.headers.get("Content-Type", ""):
            import json
            try:
                reply.json, reply.is_json = json.loads(text), True
            except ValueError:
                pass
        return reply

    def error_note(self) -> str:
        """The error the code under test raised during the last ``ask``, as one line, or ""."""
        if len(self.errors) > self.errors_before_last_ask:
            return f"your code raised {_one_line(self.errors[-1])}"
        return ""
