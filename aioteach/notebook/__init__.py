"""``aioteach.notebook``: servers inside the kernel, widgets that fire requests, and timelines.

Theory of operation.  A Jupyter kernel already runs an asyncio loop.  That is a gift (a cell can
``await`` directly, and a server can run in the background while you keep typing) and a trap
(``asyncio.run()``, ``loop.run_until_complete()`` and a blocking ``urllib`` call to your own
server all fail, or hang).  This package turns the gift into lessons and the traps into
explanations:

    servers    serve(app) -> ServerHandle on a free port; a registry so re-running a cell never
               leaves a second server; list_servers(), stop_all(); servers stop with the kernel
    handle     ServerHandle: url, stop(), restart(), the request log, a card
    traps      explain(exc), install_traps(), uninstall_traps(), allow_nested(), check(): the
               classic mistakes, explained (on by default inside IPython)
    callbacks  on_click / on_change: async widget callbacks, scheduled and never lost;
               click_and_wait(button), settled(widget)
    failures   Failure: a failed widget action as one sentence, the traceback folded
    arguments  a panel's arguments checked first: a ValueError naming the cause and the fix
    bothways   both_ways(code): the same code on aioteach and on aiohttp, side by side
    toypanel   ToyLoopPanel: step aioteach.toyloop by hand and watch its queues (lesson 07)
    race       RaceLab, serve_tornado: N requests at each way of writing a handler (lesson 07)
    resumecost what one resume costs: async def, aioteach.gen, tornado.gen (lesson 07)
    bench      ServerProcess, benchmark(): lesson 09's measuring kit
    taskcount  count_tasks(url), task_probe: the Tasks a server ran, from trace events
    wire       one raw HTTP/1.1 exchange, keeping the bytes that went each way
    panels     RequestPanel, ServerLog, MiddlewareTrace: widgets around one server
    lab        ConcurrencyLab: sequential vs gather vs Semaphore vs a connector limit
    chat       ChatPanel: a WebSocket chat box
    timeline   Timeline / show_timeline: Gantt charts of what the coroutines did
    live       LiveTimeline: the whole kernel in one live picture (client, server, middleware,
               cells, loop lag), each span showing its bytes; record, replay, SVG/PNG
               (livespans: events -> spans; livedraw: spans -> SVG/PNG; liveview: the widget;
               lag: the loop-lag monitor; cells: IPython's cell events; recording: JSON files)
    looplab    FreezePanel, fire, LagProbe: a handler that blocks the loop, counted (lesson 05)
    shop       Shop, SHOP, race, RacePanel: ten buyers racing through an await (lesson 05)
    lessons    ``python -m aioteach lessons DIR [--html]``: copy (and render) the notebooks
    requestlog the middleware that gives a ServerHandle its request log
    exercises  the lessons' exercise checkers (a package of its own)

Rules: IPython, ipywidgets, nest_asyncio and matplotlib are imported inside functions, so
``import aioteach.notebook`` works in a plain Python without them.  The names below are loaded
on first use (PEP 562), so importing the package does not import the widgets.  Imported inside
IPython, the package switches the traps on (``uninstall_traps()`` switches them off).
"""
from __future__ import annotations

import importlib
from typing import Any, List

from . import traps

# name -> the module (in this package) that defines it
_LAZY = {
    "serve": "servers", "stop_all": "servers", "list_servers": "servers",
    "ServerHandle": "servers", "RequestRecord": "servers",
    "explain": "traps", "show_explained": "traps", "install_traps": "traps", "uninstall_traps": "traps",
    "allow_nested": "traps", "check": "traps", "BlockingCallError": "traps",
    "on_click": "callbacks", "on_change": "callbacks", "click_and_wait": "callbacks",
    "settled": "callbacks", "Failure": "failures", "both_ways": "bothways",
    "BothWays": "bothways", "ToyLoopPanel": "toypanel", "benchmark": "bench",
    "count_tasks": "taskcount", "task_probe": "taskcount", "ServerProcess": "bench",
    "RequestPanel": "panels", "ServerLog": "panels", "MiddlewareTrace": "panels",
    "ConcurrencyLab": "lab", "ChatPanel": "chat",
    "Timeline": "timeline", "show_timeline": "timeline",
    "LiveTimeline": "live", "LagMonitor": "lag",
    "exchange": "wire", "WireResponse": "wire",
    "RaceLab": "race", "serve_tornado": "race",
    "FreezePanel": "looplab", "RacePanel": "shop", "Shop": "shop",
}

__all__ = [
    "BlockingCallError", "BothWays", "ChatPanel", "ConcurrencyLab", "Failure", "FreezePanel",
    "LagMonitor", "LiveTimeline", "MiddlewareTrace", "RaceLab", "RacePanel", "RequestPanel", "RequestRecord", "ServerHandle", "ServerLog",
    "ServerProcess", "Shop", "Timeline", "ToyLoopPanel", "WireResponse", "allow_nested", "benchmark",
    "both_ways", "check", "click_and_wait", "count_tasks", "exchange", "explain",
    "install_traps", "list_servers", "on_change", "on_click", "serve", "serve_tornado", "settled",
    "show_explained", "show_timeline", "stop_all", "task_probe", "uninstall_traps",
]
assert __all__ == sorted(_LAZY)      # one list, kept in step with the table above


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'aioteach.notebook' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"aioteach.notebook.{module}"), name)
    globals()[name] = value          # cache: the next lookup is an ordinary attribute
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(_LAZY))


def _switch_traps_on() -> None:
    """Inside IPython (a kernel), the traps are on from the import: see ``traps``' doc."""
    import sys
    if "IPython" not in sys.modules:
        return
    try:
        from IPython import get_ipython
        if get_ipython() is None:
            return
    except ImportError:
        return
    traps.install_default_traps()


_switch_traps_on()
