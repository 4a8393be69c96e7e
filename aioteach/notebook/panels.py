"""Widgets around one server: send a request, watch the access log, trace the middleware onion.

Theory of operation.  Each panel is a plain Python object that owns an ipywidgets layout
(``panel.widget``) and displays as it; the state a lesson (or a test) needs is on the object,
not hidden in the widgets:

    RequestPanel(url_or_handle)   method, path, header fields, body, Send; shows status, fields,
                                  body, elapsed time and the raw bytes both ways
                                  (``panel.last_response``, a ``wire.WireResponse``)
    ServerLog(handle)             the handle's request log, live (``log.lines``)
    MiddlewareTrace(handle)       one request going in and out through each middleware, read
                                  from the server's trace hooks (``mt.steps``)

Every button goes through ``callbacks.on_click``, so an ``async`` send is scheduled on the
kernel's loop, runs while the learner keeps working, and its errors land in the panel's output
area as one sentence with the fix (the traceback folded behind a toggle: see ``failures``).
From code: ``await click_and_wait(panel.send_button)``, or simply ``await panel.send(...)``.

Rules: ipywidgets is imported when a panel is built, not when this module is imported.
"""
from __future__ import annotations

import asyncio
import html
from typing import Any, List, Optional, Tuple

from .. import trace
from .callbacks import on_click
from .handle import current_handle
from .wire import WireResponse, exchange, show_bytes

__all__ = ["RequestPanel", "ServerLog", "MiddlewareTrace", "Panel"]

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def _url_of(target: Any) -> str:
    return str(getattr(target, "url", target)).rstrip("/")


def _pre(text: str) -> str:
    return (f'<pre style="white-space:pre-wrap;margin:0;font-size:12px">'
            f'{html.escape(text)}</pre>')


class Panel:
    """What every panel shares: the layout in ``widget`` and displaying as it."""

    widget: Any

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def parse_header_lines(text: str) -> List[Tuple[str, str]]:
    """``Name: value`` lines (as typed in the panel) into field pairs; blank lines skipped."""
    fields = []
    for line in text.splitlines():
        if line.strip():
            name, sep, value = line.partition(":")
            if not sep:
                raise ValueError(f"a header line needs 'Name: value', got {line!r}")
            fields.append((name.strip(), value.strip()))
    return fields


class RequestPanel(Panel):
    """Compose a request, send it, and see everything that crossed the wire."""

    def __init__(self, target: Any, method: str = "GET", path: str = "/") -> None:
        import ipywidgets as w
        self.target = target
        self.last_response: Optional[WireResponse] = None
        self.history: List[WireResponse] = []
        self.method = w.Dropdown(options=METHODS, value=method, layout={"width": "110px"})
        self.path = w.Text(value=path, placeholder="/path?query", layout={"width": "340px"})
        self.headers = w.Textarea(placeholder="Name: value (one per line)", rows=2,
                                  layout={"width": "460px"})
        self.body = w.Textarea(placeholder="request body", rows=2, layout={"width": "460px"})
        self.send_button = w.Button(description="Send", button_style="primary", icon="paper-plane")
        self.status = w.HTML(f"<i>ready: {html.escape(self.url)}</i>")
        self.views = {name: w.HTML() for name in ("body", "headers", "request bytes",
                                                    "response bytes")}
        self.tabs = w.Tab(children=list(self.views.values()))
        for i, name in enumerate(self.views):
            self.tabs.set_title(i, name)
        self.output = w.Output()
        self.widget = w.VBox([w.HBox([self.method, self.path, self.send_button]),
                              self.headers, self.body, self.status, self.tabs, self.output])
        self.handler = on_click(self.send_button, self._clicked, disable_while_running=True,
                                output=self.output, url=lambda: self.url)
        self.handler.on_error.append(self._failed)

    @property
    def url(self) -> str:
        """The server's URL now: the panel follows its server when the serving cell runs again."""
        return _url_of(current_handle(self.target))

    async def _clicked(self, _button: Any) -> None:
        await self.send()

    def _failed(self, failure: Any) -> None:
        self.status.value = '<b style="color:#c62828">no answer</b> (why: below)'

    async def send(self, method: Optional[str] = None, path: Optional[str] = None,
                   headers: Any = None, body: Optional[str] = None) -> WireResponse:
        """Send the request (arguments override the widgets' values) and show the answer."""
        method = method or self.method.value
        path = path if path is not None else (self.path.value or "/")
        fields = headers if headers is not None else parse_header_lines(self.headers.value)
        data = body if body is not None else self.body.value
        self.status.value = f"<i>sending {html.escape(method)} {html.escape(path)} ...</i>"
        response = await exchange(self.url, method, path if path.startswith("/") else "/" + path,
                                  fields, data)
        self.last_response = response
        self.history.append(response)
        self._show(response)
        return response

    def _show(self, r: WireResponse) -> None:
        colour = "#2e7d32" if r.status < 400 else "#c62828"
        self.status.value = (f'<b style="color:{colour}">{r.status} {html.escape(r.reason)}</b>'
                             f" in {r.elapsed * 1000:.1f} ms, {len(r.raw_request)} bytes out, "
                             f"{len(r.raw_response)} bytes in")
        self.views["body"].value = _pre(r.text[:20000])
        self.views["headers"].value = _pre("\n".join(f"{k}: {v}" for k, v in r.headers))
        self.views["request bytes"].value = _pre(show_bytes(r.raw_request))
        self.views["response bytes"].value = _pre(show_bytes(r.raw_response))


class ServerLog(Panel):
    """The live access log of a ``ServerHandle``: a row per request, newest at the bottom."""

    def __init__(self, handle: Any, limit: int = 20) -> None:
        import ipywidgets as w
        self.target = handle
        self.limit = limit
        self.widget = w.HTML()
        try:    # widget updates belong on the kernel's loop; thread-mode records hop over
            self.loop: Optional[asyncio.AbstractEventLoop] = asyncio.get_running_loop()
        except RuntimeError:
            self.loop = None
        handle.listeners.append(self._on_request)
        self.refresh()

    @property
    def handle(self) -> Any:
        """The server now filed under the given one's key (it follows a re-run serving cell)."""
        return current_handle(self.target)

    @property
    def lines(self) -> List[str]:
        return [str(record) for record in self.handle.requests[-self.limit:]]

    def _on_request(self, _record: Any) -> None:
        if self.loop is not None and not self.loop.is_closed():
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is not self.loop:
                self.loop.call_soon_threadsafe(self.refresh)
                return
        self.refresh()

    def refresh(self) -> None:
        rows = "".join(f"<tr><td><code>{html.escape(line)}</code></td></tr>"
                       for line in self.lines) or "<tr><td><i>no requests yet</i></td></tr>"
        self.widget.value = (f"<b>{html.escape(self.handle.url)}</b> "
                             f"({len(self.handle.requests)} requests)<table>{rows}</table>")

    def close(self) -> None:
        """Stop following the log."""
        if self._on_request in self.handle.listeners:
            self.handle.listeners.remove(self._on_request)


#: Middleware that belongs to the notebook layer itself, hidden from the trace.
HIDDEN_MIDDLEWARE = {"request_log"}


class MiddlewareTrace(Panel):
    """Send one request and show it passing in and out through each middleware.

    It reads the ``server.middleware_enter/exit`` and ``server.handler_start/end`` trace hooks,
    so it shows what the server really did, in order, with times from the first hook.
    """

    def __init__(self, handle: Any, path: str = "/") -> None:
        import ipywidgets as w
        self.target = handle
        self.steps: List[str] = []
        self.events: List[trace.TraceEvent] = []
        self.path = w.Text(value=path, layout={"width": "340px"})
        self.trace_button = w.Button(description="Trace", icon="search")
        self.view = w.HTML("<i>click Trace to send one request</i>")
        self.output = w.Output()
        self.widget = w.VBox([w.HBox([self.path, self.trace_button]), self.view, self.output])
        self.handler = on_click(self.trace_button, self._clicked, disable_while_running=True,
                                output=self.output, url=lambda: self.url)

    @property
    def url(self) -> str:
        """The server's URL now: the panel follows its server when the serving cell runs again."""
        return _url_of(current_handle(self.target))

    async def _clicked(self, _button: Any) -> None:
        await self.run()

    async def run(self, path: Optional[str] = None) -> List[str]:
        """Send ``GET path`` with tracing on; returns (and shows) the steps."""
        path = path if path is not None else (self.path.value or "/")
        with trace.record(kinds=["server."]) as recorder:
            response = await exchange(self.url + (path if path.startswith("/") else "/" + path))
        events = [e for e in recorder.events if e.kind.startswith(
            ("server.middleware", "server.handler"))
            and _short(e.get("name")) not in HIDDEN_MIDDLEWARE]
        first_req = events[0].get("req") if events else None
        self.events = [e for e in events if e.get("req") == first_req]   # ours, not a neighbour's
        self.steps = self.describe(self.events)
        origin = self.events[0].t if self.events else 0.0
        times = [f"{(e.t - origin) * 1000:7.3f} ms" for e in self.events]
        lines, i = [], 0
        for step in self.steps:          # "(the handler runs here)" has no hook of its own
            stamp = times[i] if "handler runs" not in step else " " * 10
            i += "handler runs" not in step
            lines.append(f"{stamp}  {step}")
        if not lines:
            lines = ["(no trace events: this server does not emit the server.middleware_* "
                     "hooks)"]
        self.view.value = _pre("\n".join(lines + [f"-> {response.status} {response.reason}"]))
        return self.steps

    @staticmethod
    def describe(events: List[trace.TraceEvent]) -> List[str]:
        """One indented line per hook: in through each middleware, the handler, out again."""
        steps, depth, previous = [], 0, ""
        for e in events:
            if e.kind == "server.middleware_exit" and previous == "server.middleware_enter":
                steps.append(f"{'  ' * depth}(the handler runs here)")
            if e.kind == "server.handler_start":
                steps.append(f"{'  ' * depth}request {e.get('handler')}")
                depth += 1
            elif e.kind == "server.middleware_enter":
                steps.append(f"{'  ' * depth}-> {_short(e.get('name'))}")
                depth += 1
            elif e.kind == "server.middleware_exit":
                depth = max(0, depth - 1)
                steps.append(f"{'  ' * depth}<- {_short(e.get('name'))}")
            else:
                depth = max(0, depth - 1)
                steps.append(f"{'  ' * depth}response {e.get('status')}")
            previous = e.kind
        return steps


def _short(name: Any) -> str:
    """``make_app.<locals>.auth`` -> ``auth``: the name a learner wrote."""
    return str(name).rsplit(".", 1)[-1]
