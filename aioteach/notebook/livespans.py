"""From trace events to the live timeline's spans: rows, phases, and the bytes of each span.

Theory of operation.  ``build(events, now)`` reads a recorder's events in order, once, and
returns a ``Picture``: the spans to draw (``LiveSpan``, a ``trace.Span`` with a group, an id
and a depth) and, for each span, the bytes that went over the wire for it.  It is a pure
function of the events, so drawing live, drawing a replay at any moment (the events up to that
moment) and drawing a saved recording are one code path.  A span still open at ``now`` (a
request in flight) is drawn up to ``now`` and marked ``open``.

The rows, top to bottom, by group:

    cell     one row: each cell that ran (IPython's pre_run_cell / post_run_cell)
    client   one row per request: queued (for a pooled connection), connecting, waiting
             (sent, no answer yet), reading (from the first byte to the end of the body)
    server   one row per connection (connection_made .. connection_lost), and one row per
             request: the handler span (the whole answer) with each middleware layer drawn
             inside it, one level deeper per layer (the onion, seen from the side)
    gen      one row per ``@gen.coroutine`` function: a tick at each resume of one of its
             generators by ``aioteach.gen``'s Runner (``gen.step``: send or throw)
    loop     the lag strip: a bar wherever a loop callback fired late (the loop was blocked);
             the row is there as soon as a monitor ran (``loop.monitor``), bars or not

Bytes: a client request owns what its connection wrote and read while it was the request of
that connection (``client.bytes_out``/``bytes_in`` carry its id).  A server request owns the
bytes that arrived on its connection up to its head (and its body, until its handler ended),
and what the connection sent from then until the next request on it.

A recording that stops (``live.stop``, noted by ``LiveTimeline.stop()``) cuts what is still
open: a keep-alive connection whose hang-up came later ends at the stop, marked ``cut``,
and never grows again when recording restarts.

Simplification: with pipelining, bytes that already hold the NEXT request's head are shown
with the current one; the rows and times stay right.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

from ..trace import Span, TraceEvent

__all__ = ["LiveSpan", "SpanBytes", "Picture", "build", "GROUPS", "KINDS"]

#: Groups in the order they are drawn, top to bottom.
GROUPS = ("cell", "client", "server", "gen", "loop")
#: Span kinds, by group (a lesson's checks use these names).
KINDS = {"cell": ("cell",), "client": ("queued", "connecting", "waiting", "reading"),
         "server": ("connection", "handler", "middleware"), "gen": ("step",),
         "loop": ("blocked",)}


@dataclass(frozen=True)
class LiveSpan(Span):
    """A span of the live timeline: ``trace.Span`` plus where it belongs and how to find it."""

    group: str = ""
    id: str = ""              # stable across redraws: "c3.waiting", "s2.mw1", "k1", "cell4"
    depth: int = 0            # nesting inside its row (middleware layers: 1, 2, ...)
    open: bool = False        # still running when the picture was drawn
    cut: bool = False         # still running when the recording stopped: ends there


@dataclass
class SpanBytes:
    """What went over the wire for a span: the request bytes, the response bytes, a note."""

    request: bytes = b""
    response: bytes = b""
    note: str = ""


@dataclass
class Picture:
    """One drawing's worth: spans (sorted by row order, then start), rows, bytes per span."""

    spans: List[LiveSpan] = field(default_factory=list)
    rows: List[Tuple[str, str]] = field(default_factory=list)       # (group, row name)
    wire: Dict[str, SpanBytes] = field(default_factory=dict)        # span id -> bytes
    now: float = 0.0

    def span(self, span_id: str) -> Optional[LiveSpan]:
        return next((s for s in self.spans if s.id == span_id), None)


@dataclass
class _Client:
    n: int
    name: str
    start: float
    queued: Optional[float] = None
    acquired: Optional[float] = None
    reused: bool = False
    first: Optional[float] = None
    end: Optional[float] = None
    status: Any = None
    cut: bool = False
    out: bytearray = field(default_factory=bytearray)
    inn: bytearray = field(default_factory=bytearray)


@dataclass
class _Request:
    n: int
    conn: "_Conn"
    name: str
    head: float
    start: Optional[float] = None
    end: Optional[float] = None
    status: Any = None
    cut: bool = False
    layers: List[List[Any]] = field(default_factory=list)      # [name, enter, exit or None]
    inn: bytearray = field(default_factory=bytearray)
    out: bytearray = field(default_factory=bytearray)


@dataclass
class _Conn:
    n: int
    start: float
    peer: Any = None
    end: Optional[float] = None
    cut: bool = False
    current: Optional[_Request] = None
    unclaimed: bytearray = field(default_factory=bytearray)
    inn: bytearray = field(default_factory=bytearray)
    out: bytearray = field(default_factory=bytearray)


def _path(url: str) -> str:
    """``http://host:port/a?b`` -> ``/a?b``: the part a row label needs."""
    rest = url.split("://", 1)[-1]
    slash = rest.find("/")
    return rest[slash:] if slash >= 0 else "/"


def _client_name(e: TraceEvent) -> str:
    what = f"{e.get('method', '')} {_path(str(e.get('url', '')))}".strip()
    task = e.task or ""
    if e.label:
        return f"{e.label}: {what}"
    if task and not task.startswith("Task-") and not task.startswith("lab-"):
        return f"{task}: {what}"
    return what


class _Reader:
    """Walks the events once, keeping the open and finished things of each group."""

    def __init__(self) -> None:
        self.clients: Dict[Any, _Client] = {}        # by request id: those still open
        self.client_list: List[_Client] = []
        self.conns: Dict[Any, _Conn] = {}           # by conn id: the one open now (ids recur)
        self.conn_list: List[_Conn] = []            # every connection, in order
        self.open_requests: Dict[Any, _Request] = {}
        self.requests: List[_Request] = []
        self.cells: List[List[Any]] = []           # [label, start, end or None, count]
        self.blocked: List[Tuple[float, float]] = []
        self.monitored = False                     # a lag monitor ran: draw its strip
        self.steps: Dict[str, List[Tuple[float, str, str]]] = {}   # coro -> (t, action, value)

    def conn(self, conn_id: Any, t: float) -> _Conn:
        conn = self.conns.get(conn_id)
        if conn is None:         # bytes of a connection made before the recording began
            conn = self.new_conn(conn_id, t, None)
        return conn

    def new_conn(self, conn_id: Any, t: float, peer: Any) -> _Conn:
        conn = self.conns[conn_id] = _Conn(len(self.conn_list) + 1, t, peer)
        self.conn_list.append(conn)
        return conn

    def read(self, e: TraceEvent) -> None:
        handler = getattr(self, "on_" + e.kind.replace(".", "_"), None)
        if handler is not None:
            handler(e)

    # -- client ---------------------------------------------------------------------------
    def on_client_request_start(self, e: TraceEvent) -> None:
        client = self.clients[e["req"]] = _Client(len(self.client_list) + 1, _client_name(e), e.t)
        self.client_list.append(client)

    def on_client_connection_queued(self, e: TraceEvent) -> None:
        c = self.clients.get(e.get("req"))
        if c is not None and c.queued is None:
            c.queued = e.t

    def on_client_connection_acquired(self, e: TraceEvent) -> None:
        c = self.clients.get(e.get("req"))
        if c is not None and c.acquired is None:
            c.acquired, c.reused = e.t, bool(e.get("reused"))

    def on_client_first_byte(self, e: TraceEvent) -> None:
        c = self.clients.get(e.get("req"))
        if c is not None and c.first is None:
            c.first = e.t

    def on_client_request_end(self, e: TraceEvent) -> None:
        c = self.clients.get(e.get("req"))
        if c is not None and c.end is None:
            c.end, c.status = e.t, e.get("status") or e.get("error")

    def on_client_bytes_out(self, e: TraceEvent) -> None:
        c = self.clients.get(e.get("req"))
        if c is not None:
            c.out += e.get("data", b"")

    def on_client_bytes_in(self, e: TraceEvent) -> None:
        c = self.clients.get(e.get("req"))
        if c is not None:
            c.inn += e.get("data", b"")

    # -- server ---------------------------------------------------------------------------
    def on_server_connection_made(self, e: TraceEvent) -> None:
        self.new_conn(e["conn"], e.t, e.get("peer"))     # an id (id(protocol)) may recur

    def on_server_connection_lost(self, e: TraceEvent) -> None:
        conn = self.conns.pop(e["conn"], None)     # unknown: made before, or cut at a stop
        if conn is not None:
            conn.end = e.t
    def on_server_bytes_in(self, e: TraceEvent) -> None:
        conn, data = self.conn(e["conn"], e.t), e.get("data", b"")
        conn.inn += data
        current = conn.current
        if current is not None and current.end is None:
            current.inn += data                  # the body of the request being answered
        else:
            conn.unclaimed += data               # a head: its request is parsed next

    def on_server_bytes_out(self, e: TraceEvent) -> None:
        conn, data = self.conn(e["conn"], e.t), e.get("data", b"")
        conn.out += data
        if conn.current is not None:
            conn.current.out += data

    def on_server_head_parsed(self, e: TraceEvent) -> None:
        conn = self.conn(e["conn"], e.t)
        name = f"{e.get('method', '')} {e.get('path', '')}".strip()
        request = _Request(len(self.requests) + 1, conn, name, e.t)
        request.inn += conn.unclaimed
        conn.unclaimed.clear()
        conn.current = request
        self.requests.append(request)
        self.open_requests[e["req"]] = request

    def on_server_handler_start(self, e: TraceEvent) -> None:
        request = self.open_requests.get(e["req"])
        if request is not None and request.start is None:
            request.start = e.t

    def on_server_handler_end(self, e: TraceEvent) -> None:
        request = self.open_requests.pop(e["req"], None)
        if request is not None:
            request.end, request.status = e.t, e.get("status")

    def on_server_middleware_enter(self, e: TraceEvent) -> None:
        request = self.open_requests.get(e["req"])
        if request is not None:
            request.layers.append([e.get("name", "?"), e.t, None])

    def on_server_middleware_exit(self, e: TraceEvent) -> None:
        request = self.open_requests.get(e["req"])
        if request is not None:
            for layer in reversed(request.layers):
                if layer[0] == e.get("name", "?") and layer[2] is None:
                    layer[2] = e.t
                    break

    # -- the notebook's own kinds ---------------------------------------------------------
    def on_cell_start(self, e: TraceEvent) -> None:
        self.cells.append([e.get("label", "cell"), e.t, None, e.get("count")])

    def on_cell_end(self, e: TraceEvent) -> None:
        if self.cells and self.cells[-1][2] is None:
            self.cells[-1][2] = e.t
            if e.get("count") is not None:           # the true In [n] (cells.py)
                self.cells[-1][3] = e.get("count")

    def on_live_stop(self, e: TraceEvent) -> None:
        """The recording stopped: what is still open ends here, cut (its end was not seen),
        and events about it after a restart are not its own any more."""
        for c in self.clients.values():
            if c.end is None:
                c.end, c.cut = e.t, True
        self.clients = {k: c for k, c in self.clients.items() if not c.cut}
        for conn in self.conns.values():
            conn.end, conn.cut = e.t, True
        self.conns.clear()
        for request in self.open_requests.values():
            request.end, request.cut = e.t, True
            for layer in request.layers:
                if layer[2] is None:
                    layer[2] = e.t
        self.open_requests.clear()
        if self.cells and self.cells[-1][2] is None:
            self.cells[-1][2] = e.t

    def on_gen_step(self, e: TraceEvent) -> None:
        self.steps.setdefault(str(e.get("coro", "?")), []).append(
            (e.t, str(e.get("action", "")), str(e.get("value", ""))))

    def on_loop_monitor(self, e: TraceEvent) -> None:
        self.monitored = True

    def on_loop_blocked(self, e: TraceEvent) -> None:
        self.blocked.append((e.get("start", e.t), e.t))


def _client_spans(c: _Client, now: float, origin: float) -> List[Tuple[str, float, float]]:
    """The phases of one client request as (kind, start, end) in seconds from ``origin``."""
    end = c.end if c.end is not None else now
    marks: List[Tuple[str, float]] = []
    if c.queued is not None:
        marks.append(("queued", c.queued))          # for a pooled connection (its limit)
    elif not c.reused:
        marks.append(("connecting", c.start))       # a new connection (or not known yet)
    if c.acquired is not None:
        marks.append(("waiting", c.acquired))       # sent, or about to be: the answer is due
    if c.first is not None:
        marks.append(("reading", c.first))          # the first byte came: the head, the body
    marks = [(k, t) for k, t in marks if t <= end]
    phases = []
    for i, (kind, t) in enumerate(marks):
        stop = marks[i + 1][1] if i + 1 < len(marks) else end
        if stop > t or i + 1 == len(marks):
            phases.append((kind, t - origin, stop - origin))
    return phases


def _add_clients(picture: Picture, reader: _Reader, now: float, origin: float) -> None:
    for c in reader.client_list:
        row = f"client {c.n}: {c.name}"
        picture.rows.append(("client", row))
        for kind, start, end in _client_spans(c, now, origin):
            span_id = f"c{c.n}.{kind}"
            label = f"{c.name}: {kind}" + (f" -> {c.status}" if c.status else "")
            picture.spans.append(LiveSpan(row, label, start, end, kind, "client", span_id,
                                          open=c.end is None, cut=c.cut))
            picture.wire[span_id] = SpanBytes(bytes(c.out), bytes(c.inn))


def _add_server(picture: Picture, reader: _Reader, now: float, origin: float) -> None:
    by_conn: Dict[int, List[_Request]] = {}
    for request in reader.requests:
        by_conn.setdefault(request.conn.n, []).append(request)
    for conn in reader.conn_list:
        row = f"connection {conn.n}"
        picture.rows.append(("server", row))
        span_id = f"k{conn.n}"
        picture.spans.append(LiveSpan(row, f"connection {conn.n} from {conn.peer or '?'}",
                                      conn.start - origin, (conn.end or now) - origin,
                                      "connection", "server", span_id, open=conn.end is None,
                                      cut=conn.cut))
        picture.wire[span_id] = SpanBytes(bytes(conn.inn), bytes(conn.out),
                                          "every byte of the connection")
        for request in by_conn.get(conn.n, []):
            _add_request(picture, request, now, origin)


def _add_request(picture: Picture, request: _Request, now: float, origin: float) -> None:
    row = f"server {request.n}: {request.name}"
    picture.rows.append(("server", row))
    wire = SpanBytes(bytes(request.inn), bytes(request.out))
    start = request.start if request.start is not None else request.head
    end = request.end if request.end is not None else now
    status = f" -> {request.status}" if request.status is not None else ""
    span_id = f"s{request.n}.handler"
    picture.spans.append(LiveSpan(row, f"{request.name}{status}", start - origin, end - origin,
                                  "handler", "server", span_id, open=request.end is None,
                                  cut=request.cut))
    picture.wire[span_id] = wire
    for depth, (name, enter, leave) in enumerate(request.layers, start=1):
        span_id = f"s{request.n}.mw{depth}"
        picture.spans.append(LiveSpan(row, f"middleware {name}", enter - origin,
                                      (leave if leave is not None else now) - origin,
                                      "middleware", "server", span_id, depth, leave is None))
        picture.wire[span_id] = wire


def _add_cells_and_lag(picture: Picture, reader: _Reader, now: float, origin: float) -> None:
    if reader.cells:
        picture.rows.insert(0, ("cell", "cell"))
    for i, (label, start, end, count) in enumerate(reader.cells, start=1):
        name = f"In [{count}]" if count is not None else "cell"
        span_id = f"cell{i}"
        picture.spans.append(LiveSpan("cell", f"{name}: {label}", start - origin,
                                      (end if end is not None else now) - origin, "cell",
                                      "cell", span_id, open=end is None))
        picture.wire[span_id] = SpanBytes(note=f"{name} ran: {label}")
    for coro, steps in reader.steps.items():
        row = f"gen: {coro}"
        picture.rows.append(("gen", row))
        for t, action, value in steps:
            span_id = f"g{len(picture.wire)}"
            picture.spans.append(LiveSpan(row, f"{coro}: {action}({value})", t - origin,
                                          t - origin, "step", "gen", span_id))
            picture.wire[span_id] = SpanBytes(note=(
                f"the Runner resumed {coro}: generator.{action}({value}), one step up to "
                f"its next yield"))
    if reader.blocked or reader.monitored:
        picture.rows.append(("loop", "loop lag"))
    for i, (start, end) in enumerate(reader.blocked, start=1):
        span_id = f"lag{i}"
        ms = (end - start) * 1000
        picture.spans.append(LiveSpan("loop lag", f"loop blocked {ms:.0f} ms", start - origin,
                                      end - origin, "blocked", "loop", span_id))
        picture.wire[span_id] = SpanBytes(note=(
            f"the loop ran nothing else for {ms:.0f} ms: a cell's own code, a callback or a "
            f"coroutine step that did not await (time.sleep, a blocking call, a long "
            f"computation)"))


def build(events: Iterable[TraceEvent], now: float, origin: float = 0.0) -> Picture:
    """The picture of ``events`` as it stood at ``now``; times are seconds after ``origin``."""
    reader = _Reader()
    for event in events:
        if event.t > now:
            break
        reader.read(event)
    picture = Picture(now=now - origin)
    _add_clients(picture, reader, now, origin)
    _add_server(picture, reader, now, origin)
    _add_cells_and_lag(picture, reader, now, origin)
    order = {row: i for i, (_, row) in enumerate(picture.rows)}
    picture.spans.sort(key=lambda s: (order[s.row], s.start, s.depth))
    return picture
