"""RaceLab: N concurrent requests at each way of writing a handler, raced, side by side.

Theory of operation.  Lesson 07 writes one handler three ways (``/callbacks``, ``/generator``,
``/native``) and, when tornado is installed, twice more on tornado's own server (a
``@gen.coroutine`` method and an ``async def`` one).  ``RaceLab`` fires ``n`` requests at once
at each of them in turn (the kinds one after another, so each one's wall time is its own; the
``n`` requests of one kind together, as ``asyncio.gather`` does) and reports, per kind::

    requests      answered / fired (a failed request is counted, and its error shown)
    wall time     from the first request sent to the last answer read
    concurrency   the most requests the *server* had inside a handler at one moment

Concurrency is counted where the work happens, on the server: for aioteach from the trace
events ``server.handler_start`` / ``server.handler_end`` (grouped by the path's first part),
for tornado from its ``log_function`` hook, which tornado calls as each request finishes and
which gives the request's duration.  ``n`` at once is the answer a coroutine server gives,
whichever way the handler was written; 1 would be a server that blocks.

Every request runs in a task named ``"<kind> #<i>"`` inside ``trace.label(kind)``, so a live
timeline (``RaceLab(..., timeline=LiveTimeline())``: anything with ``clear()``, ``watch()``,
``recording`` and ``widget``) draws one row per request, labelled by kind, next to the
aioteach server's handler rows; each race starts it from a clean picture and records while
the race runs.  Without one, the lab draws its own spans (one per request, ``Span(row, kind,
start, end)``) as still pictures side by side after the race; ``figure()`` always can.

Tornado's server.  ``serve_tornado(routes)`` builds a ``tornado.web.Application`` and an
``HTTPServer`` on the kernel's loop (tornado 5+ runs on asyncio's), on a free port of
127.0.0.1.  Like ``serve()``, it files the server under the cell that started it
(``servers.registry_key``): re-running the cell stops the old one first, and every tornado
server is stopped when the kernel exits.  Without tornado, ``serve_tornado`` raises an
ImportError that says how to install it, and a lab without a tornado server says plainly
that its tornado rows are missing and why.

Re-runs.  A learner re-runs cells in any order.  When the cell that served the aioteach app or
tornado's is run again, the new server is filed under the old one's key, and the lab races the
new one (``follow_reruns``).  A tornado server stopped for good drops its rows, and the note
under the table says so; an aioteach server stopped for good makes the race fail, shown as
the sentence for a server that is not running, naming the URL that failed.

Rules: failures (a stopped server, a 500) reach the widget through ``on_click``, as one
``failures.Failure`` sentence; tornado and ipywidgets are imported inside functions.
"""
from __future__ import annotations

import asyncio
import atexit
import contextlib
import html
import io
import time
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import aioteach

from .. import trace
from ..trace import Span
from . import arguments
from .callbacks import on_click
from .live import hang_ups_heard
from .servers import registry_key
from .timeline import side_by_side

__all__ = ["RaceLab", "RaceResult", "Target", "TornadoServer", "serve_tornado", "max_overlap",
           "tornado_installed", "TORNADO_SERVERS", "LESSON_KINDS", "TORNADO_KINDS", "MAX_N"]

#: The lesson's three handlers (``/<kind>/...``) and the two on tornado's server.
LESSON_KINDS = ("callbacks", "generator", "native")
TORNADO_KINDS = ("generator", "native")
#: The most requests per kind (the slider's end).
MAX_N = 50
#: key -> TornadoServer, like ``servers.REGISTRY``; survives ``importlib.reload``.
TORNADO_SERVERS: Dict[Any, "TornadoServer"] = globals().get("TORNADO_SERVERS", {})


def tornado_installed() -> bool:
    """Can tornado be imported here?  (Tried, not looked up: a blocked import counts as no.)"""
    try:
        import tornado  # noqa: F401
    except ImportError:
        return False
    return True


def max_overlap(intervals: Iterable[Tuple[float, float]]) -> int:
    """The most intervals (start, end) open at one moment: a sweep over their ends."""
    edges = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals],
                   key=lambda edge: (edge[0], edge[1]))     # an end before a start at a tie
    most = now = 0
    for _, step in edges:
        now += step
        most = max(most, now)
    return most


# -- tornado's own server --------------------------------------------------------------------
class TornadoServer:
    """A tornado ``HTTPServer`` on this loop: ``url``, ``stop()``, and what it has served."""

    def __init__(self, routes: Sequence[Any], key: Any = None, **settings: Any) -> None:
        import tornado.httpserver
        import tornado.netutil
        import tornado.web
        self.key = key
        self.finished: List[Tuple[str, float, float]] = []   # (path, start, end) per request
        self.app = tornado.web.Application(list(routes), log_function=self._finished,
                                           **settings)
        sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")    # port 0: any free port
        self.port: int = sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = tornado.httpserver.HTTPServer(self.app)
        self.server.add_sockets(sockets)
        self.running = True

    def _finished(self, handler: Any) -> None:
        # tornado calls its log_function once per request, when the response is finished
        end = time.perf_counter()
        self.finished.append((handler.request.path, end - handler.request.request_time(), end))

    def stop(self) -> None:
        """Stop listening now; open connections are closed in the background."""
        if not self.running:
            return
        self.running = False
        self.server.stop()
        if TORNADO_SERVERS.get(self.key) is self:
            del TORNADO_SERVERS[self.key]
        with contextlib.suppress(RuntimeError):         # no running loop: exiting anyway
            task = asyncio.get_running_loop().create_task(self.server.close_all_connections())
            _CLOSING.add(task)
            task.add_done_callback(_CLOSING.discard)

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<TornadoServer {self.url} {state}, {len(self.finished)} requests>"


_CLOSING: set = set()       # close_all_connections() tasks, held until they end


def serve_tornado(routes: Sequence[Any], *, name: Optional[str] = None,
                  **settings: Any) -> TornadoServer:
    """Serve tornado ``routes`` ([(pattern, RequestHandler), ...]) on a free 127.0.0.1 port.

    Re-running the cell stops the server it started before (``name=`` files it under a name
    instead, as ``serve()`` does); the servers stop when the kernel exits.
    """
    if not tornado_installed():
        raise ImportError("tornado is not installed, so there is no tornado server to race: "
                          "pip install tornado, then restart the kernel")
    key = ("tornado",) + tuple(registry_key(name))
    previous = TORNADO_SERVERS.get(key)
    if previous is not None:
        previous.stop()
    server = TornadoServer(routes, key, **settings)
    TORNADO_SERVERS[key] = server
    return server


def stop_tornado_at_exit() -> None:
    for server in list(TORNADO_SERVERS.values()):
        with contextlib.suppress(Exception):           # exiting: nothing to do with an error
            server.stop()


if not globals().get("_ATEXIT_REGISTERED"):
    atexit.register(stop_tornado_at_exit)
    _ATEXIT_REGISTERED = True


# -- one race --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """One contender: its row label, the URL fired at, and the server's path prefix."""

    label: str
    url: str
    prefix: str
    tornado: Optional[TornadoServer] = None


@dataclass
class RaceResult:
    """What one kind's ``n`` requests did."""

    label: str
    url: str
    n: int
    statuses: List[int] = field(default_factory=list)
    errors: List[BaseException] = field(default_factory=list)
    spans: List[Span] = field(default_factory=list)
    wall: float = 0.0
    concurrency: Optional[int] = None      # None: the server said nothing (not traced)

    @property
    def answered(self) -> int:
        return sum(1 for status in self.statuses if status == 200)


class RaceLab:
    """Race ``n`` concurrent requests at each handler kind; ``await lab.run()`` or click Race."""

    def __init__(self, server: Any, tornado: Optional[TornadoServer] = None,
                 path: str = "/hello/ada?lang=fr", n: int = 10,
                 kinds: Sequence[str] = LESSON_KINDS,
                 tornado_kinds: Sequence[str] = TORNADO_KINDS, widgets: bool = True,
                 timeline: Any = None) -> None:
        arguments.server_url(server, "RaceLab")
        n = arguments.count(n, "RaceLab", "n", most=MAX_N)
        if not isinstance(path, str) or not path.startswith("/"):
            raise ValueError(f"RaceLab: path is what follows /<kind> in each URL and starts "
                             f"with '/', such as '/hello/ada', not {path!r}.")
        if tornado is not None and not isinstance(tornado, TornadoServer):
            raise ValueError(f"RaceLab: tornado= takes what serve_tornado(...) returned, not "
                             f"{tornado!r}.")
        if not kinds:
            raise ValueError(f"RaceLab needs at least one kind of handler to race, such as "
                             f"kinds={LESSON_KINDS}.")
        self.server, self.tornado, self.path, self.n = server, tornado, path, n
        self.kinds, self.tornado_kinds = tuple(kinds), tuple(tornado_kinds)
        self.timeline = timeline           # a live timeline to start while racing, or None
        self.results: Dict[str, RaceResult] = {}
        self.failed_url: Optional[str] = None    # the server the first failed request went to
        self._first_finished: Dict[str, int] = {}     # label -> tornado's count before the race
        self.widget: Any = None
        if widgets:
            self._build_widgets()

    def follow_reruns(self) -> None:
        """A server whose cell was re-run is filed anew under the same key: race that one."""
        key = getattr(self.server, "key", None)
        newer = getattr(self.server, "registry", {}).get(key)
        if newer is not None:
            self.server = newer
        if self.tornado is not None:
            self.tornado = TORNADO_SERVERS.get(self.tornado.key, self.tornado)

    def targets(self) -> List[Target]:
        base = str(getattr(self.server, "url", self.server)).rstrip("/")
        found = [Target(kind, f"{base}/{kind}{self.path}", f"/{kind}/") for kind in self.kinds]
        if self.tornado is not None and self.tornado.running:
            found += [Target(f"tornado {kind}", f"{self.tornado.url}/{kind}{self.path}",
                             f"/{kind}/", self.tornado) for kind in self.tornado_kinds]
        return found

    def tornado_note(self) -> str:
        """One sentence about the tornado rows, or "" when they are there."""
        if self.tornado is not None:
            return "" if self.tornado.running else (
                f"tornado's server {self.tornado.url} is stopped: re-run the cell that serves it.")
        if not tornado_installed():
            return ("tornado is not installed here, so only aioteach's three handlers race "
                    "(pip install tornado, restart the kernel, and two tornado rows join).")
        return "no tornado server was given (RaceLab(server, tornado=serve_tornado(...)))."

    # -- firing ----------------------------------------------------------------------------------
    async def run(self, n: Optional[int] = None) -> Dict[str, RaceResult]:
        """Fire ``n`` requests at once at each target in turn; raise the first failure after."""
        n = self.n = arguments.count(n if n is not None else self._slider_value(),
                                     "RaceLab.run", "n", most=MAX_N)
        self.results, self.failed_url = {}, None
        self.follow_reruns()
        with self._watching(), trace.record(["server.handler_", "server.connection_"]) as rec:
            connector = aioteach.TCPConnector(limit=0)    # no pool limit: all n at once
            async with aioteach.ClientSession(connector=connector) as session:
                for target in self.targets():
                    self._show_progress(f"racing {n} x {target.label} ...")
                    self.results[target.label] = await self._race(session, target, n)
            await hang_ups_heard(rec)      # so the live picture ends the server's connections
        for target in self.targets():
            self.results[target.label].concurrency = self._concurrency(target, rec)
        self._show()
        failed = [r for r in self.results.values() if r.errors]
        if failed:                          # on_click shows it as one sentence (failures.py)
            self.failed_url = "/".join(failed[0].url.split("/", 3)[:3])    # scheme://host:port
            raise failed[0].errors[0]
        return self.results

    def _watching(self) -> Any:
        """Each race on a fresh live picture; recorded only while it runs, unless already on."""
        timeline = self.timeline
        if timeline is None:
            return contextlib.nullcontext()
        timeline.clear()
        return contextlib.nullcontext() if timeline.recording else timeline.watch()

    async def _race(self, session: Any, target: Target, n: int) -> RaceResult:
        result = RaceResult(target.label, target.url, n)
        seen = len(target.tornado.finished) if target.tornado is not None else 0
        started = time.perf_counter()
        with trace.label(target.label):     # a live timeline names the rows by it
            tasks = [asyncio.get_running_loop().create_task(
                self._one(session, target, i, result), name=f"{target.label} #{i}")
                for i in range(n)]
            await asyncio.gather(*tasks)
        result.wall = time.perf_counter() - started
        result.spans.sort(key=lambda s: int(s.row.rsplit("#", 1)[1]))
        self._first_finished[target.label] = seen       # where this race's requests begin
        return result

    @staticmethod
    async def _one(session: Any, target: Target, i: int, result: RaceResult) -> None:
        start = time.perf_counter()
        try:
            async with session.get(target.url) as response:
                await response.read()
                result.statuses.append(response.status)
                if response.status >= 400:
                    response.raise_for_status()
        except Exception as exc:           # kept, counted, and raised after the race
            result.errors.append(exc)
        finally:
            result.spans.append(Span(f"{target.label} #{i}", target.label, start,
                                     time.perf_counter(), "run"))

    def _concurrency(self, target: Target, rec: trace.Recorder) -> Optional[int]:
        if target.tornado is not None:
            seen = self._first_finished.get(target.label, 0)
            return max_overlap((s, e) for path, s, e in target.tornado.finished[seen:]
                               if path.startswith(target.prefix))
        spans = [(span.start, span.end) for span in rec.spans()      # our server's handlers
                 if span.row.startswith("server ") and span.label.startswith(target.prefix)]
        return max_overlap(spans) if spans else None

    # -- showing ---------------------------------------------------------------------------------
    def rows(self) -> List[List[str]]:
        """The result table: handler, requests, wall time, max concurrency seen."""
        table = []
        for r in self.results.values():
            table.append([r.label, f"{r.answered}/{r.n}", f"{r.wall * 1000:.1f} ms",
                          "?" if r.concurrency is None else str(r.concurrency)])
        return table

    def table_html(self) -> str:
        head = "".join(f"<th style='padding:2px 10px'>{h}</th>" for h in
                       ("handler", "requests", "wall time", "max concurrency seen"))
        body = "".join("<tr>" + "".join(f"<td style='padding:2px 10px'>{html.escape(c)}</td>"
                                        for c in row) + "</tr>" for row in self.rows())
        note = self.tornado_note()
        note_html = f"<div><i>{html.escape(note)}</i></div>" if note else ""
        return (f"<table class='aioteach-race'><tr>{head}</tr>{body}</table>{note_html}")

    def text(self) -> str:
        lines = [f"{'handler':18} {'requests':>9} {'wall time':>11} {'max concurrency':>16}"]
        lines += [f"{a:18} {b:>9} {c:>11} {d:>16}" for a, b, c, d in self.rows()]
        note = self.tornado_note()
        return "\n".join(lines + ([note] if note else []))

    def figure(self) -> Any:
        """Each kind's requests as a still timeline, side by side (a matplotlib Figure)."""
        return side_by_side({f"{r.label} ({r.wall * 1000:.0f} ms)": r.spans
                             for r in self.results.values()}, width=14.0)

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png")
        return buffer.getvalue()

    def __repr__(self) -> str:
        return self.text() if self.results else (
            f"<RaceLab {len(self.targets())} handlers, n={self.n}: not run yet>")

    # -- the widget ------------------------------------------------------------------------------
    def _build_widgets(self) -> None:
        import ipywidgets as w
        self.slider = w.IntSlider(value=self.n, min=1, max=MAX_N, description="N requests")
        self.race_button = w.Button(description="Race", icon="flag-checkered",
                                    button_style="primary")
        self.status = w.HTML(f"<i>{html.escape(self._plan())}</i>")
        self.table = w.HTML("")
        self.image = w.Image(format="png")
        self.output = w.Output()
        parts = [w.HBox([self.slider, self.race_button]), self.status, self.table]
        if self.timeline is not None:
            parts.append(self.timeline.widget if hasattr(self.timeline, "widget")
                         else self.timeline)
        else:
            parts.append(self.image)
        self.widget = w.VBox(parts + [self.output])
        self.handler = on_click(self.race_button, self._clicked, disable_while_running=True,
                                output=self.output, url=lambda: self.failed_url or str(
                                    getattr(self.server, "url", self.server)))
        if self.tornado_note():
            self.table.value = self.table_html()

    def _plan(self) -> str:
        return (f"N concurrent GET {self.path} at each of: "
                + ", ".join(t.label for t in self.targets()))

    def _slider_value(self) -> int:
        return self.slider.value if self.widget is not None else self.n

    async def _clicked(self, _button: Any) -> Dict[str, RaceResult]:
        return await self.run()

    def _show_progress(self, text: str) -> None:
        if self.widget is not None:
            self.status.value = f"<i>{html.escape(text)}</i>"

    def _show(self) -> None:
        if self.widget is None:
            return
        self.status.value = f"<i>{html.escape(self._plan().replace('N ', f'{self.n} ', 1))}</i>"
        self.table.value = self.table_html()
        if self.timeline is None:
            self.image.value = self.png()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        if self.widget is None:
            return {"text/plain": repr(self)}
        return self.widget._repr_mimebundle_(**kwargs)
