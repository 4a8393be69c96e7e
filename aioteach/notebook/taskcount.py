"""Counting the Tasks a server runs its handlers in, from trace events (lesson 09).

Theory of operation.  aioteach's server emits ``server.handler_start`` and
``server.handler_end`` around every handler, and every trace event names the asyncio task that
was running (None outside any Task).  So the Tasks that ran the handlers of n requests can be
counted from the events alone: this sees eager tasks (Python 3.12+, which start without going
through the loop's task factory, so a counting factory sees nothing) as well as plain ones and
hand-stepped first steps (no Task until the handler waits).

``count_tasks(url, n)`` fetches ``url`` n times in a row and returns a ``TaskCount``;
``task_probe`` is a middleware (aioteach's or aiohttp's) emitting ``probe.enter``/``probe.exit``,
so the same count works for any server running in this process.

Rules: events are grouped per request by nesting, not by ``id(request)`` alone (ids repeat
once a request object is freed).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Tuple

import aioteach

from .. import trace

__all__ = ["count_tasks", "TaskCount", "task_probe"]


async def task_probe(request: Any, handler: Callable[..., Any]) -> Any:
    """A middleware (aioteach or aiohttp) that emits ``probe.enter``/``probe.exit`` trace events.

    The events carry the running task's name, so ``count_tasks`` can count the Tasks of any
    in-process server, not only aioteach's (whose ``server.handler_*`` events it reads anyway).
    """
    if trace.enabled:
        trace.emit("probe.enter", req=id(request))
    try:
        return await handler(request)
    finally:
        if trace.enabled:
            trace.emit("probe.exit", req=id(request))


task_probe.__middleware_version__ = 1          # type: ignore[attr-defined]  # new-style


@dataclass
class TaskCount:
    """How the handlers of ``requests`` requests ran: in how many distinct Tasks."""

    requests: int
    in_a_task: int
    tasks: int

    @property
    def without_a_task(self) -> int:
        return self.requests - self.in_a_task

    def __repr__(self) -> str:
        return (f"{self.requests} requests: {self.in_a_task} ran (at least partly) in a Task, "
                f"{self.without_a_task} never did; {self.tasks} distinct Tasks")


async def count_tasks(url: str, n: int = 100) -> TaskCount:
    """Fetch ``url`` n times in a row; count the Tasks that ran the server's handlers.

    Reads the trace events of the server in this process (aioteach's own hooks, or
    ``task_probe``): each names the task running at that moment, None outside any Task.
    """
    async with aioteach.ClientSession() as session:
        async with session.get(url) as resp:            # warm up: open the connection first
            await resp.read()
        with trace.record(kinds=["server.handler", "probe."]) as recorder:
            for _ in range(n):
                async with session.get(url) as resp:
                    await resp.read()
    return _count(recorder.events)


def _count(events: List[trace.TraceEvent]) -> TaskCount:
    """Group the events per request (ids repeat once a request is freed: group by nesting)."""
    requests: List[set] = []
    current: Dict[Any, Tuple[set, int]] = {}            # req -> (task names, open depth)
    for event in events:
        req = event.get("req")
        opening = event.kind in ("server.handler_start", "probe.enter")
        names, depth = current.get(req, (None, 0))
        if names is None:
            names = set()
            requests.append(names)
        if event.task is not None:
            names.add(event.task)
        depth += 1 if opening else -1
        if depth > 0:
            current[req] = (names, depth)
        else:
            current.pop(req, None)
    every = set().union(*requests) if requests else set()
    return TaskCount(len(requests), sum(1 for names in requests if names), len(every))
