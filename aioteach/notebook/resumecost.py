"""What one resume costs: ``async def`` versus ``aioteach.gen`` versus ``tornado.gen``.

Theory of operation.  A coroutine is *resumed* every time what it waits for is ready.  Two
kinds of resume are measured, each as ``n`` of them in a row inside one coroutine:

* done   -- waiting on a future that is already done.  ``await done`` returns at once without
            suspending (the future's ``__await__`` returns before it yields); a generator must
            ``yield`` the future to its runner, which looks at it and ``send``s the result back
            in: a few hundred nanoseconds of Python per resume.
* moment -- one trip through the event loop: ``await asyncio.sleep(0)`` versus
            ``yield gen.moment``.  Here the loop's own work (a callback scheduled, run) is the
            same for all, so the ratio is smaller.

The contenders run in one process, interleaved round by round (a shared machine is noisy, and
noise then hits all of them alike), and the best round of each is kept.  ``measure()`` returns
a ``ResumeCosts``: nanoseconds per resume, ratios against ``async def`` and a table that
displays in a notebook.  ``benchmarks/bench_gen.py`` prints the same table from a terminal;
lesson 07 shows it, with the learner's own numbers, next to the time of one HTTP request.

Rules: tornado is optional (imported inside ``measure``); nothing here asserts on time.
"""
from __future__ import annotations

import asyncio
import html
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List

from aioteach import gen as aioteach_gen

__all__ = ["measure", "ResumeCosts", "KINDS"]

KINDS = ("done", "moment")


def native_body(kind: str, n: int) -> Callable[[asyncio.Future], Any]:
    async def done_body(done: asyncio.Future) -> None:
        for _ in range(n):
            await done

    async def moment_body(done: asyncio.Future) -> None:
        for _ in range(n):
            await asyncio.sleep(0)
    return done_body if kind == "done" else moment_body


def generator_body(gen: Any, kind: str, n: int) -> Callable[[asyncio.Future], Any]:
    @gen.coroutine
    def done_body(done: asyncio.Future) -> Any:
        for _ in range(n):
            yield done

    @gen.coroutine
    def moment_body(done: asyncio.Future) -> Any:
        for _ in range(n):
            yield gen.moment
    return done_body if kind == "done" else moment_body


async def timed(body: Callable[[asyncio.Future], Any]) -> float:
    """Seconds one run of ``body`` takes, given a future that is already done."""
    done = asyncio.get_running_loop().create_future()
    done.set_result(None)
    start = time.perf_counter()
    await body(done)
    return time.perf_counter() - start


@dataclass
class ResumeCosts:
    """Best seconds per ``n`` resumes, by contender (``"async def"``, ...) and kind."""

    n: int
    best: Dict[str, Dict[str, float]]
    missing: List[str] = field(default_factory=list)     # e.g. ["tornado.gen"]

    def ns(self, name: str, kind: str = "done") -> float:
        """Nanoseconds one resume of ``kind`` costs ``name``."""
        return self.best[name][kind] / self.n * 1e9

    def ratio(self, name: str, kind: str = "done") -> float:
        """How many times the cost of ``async def``."""
        return self.best[name][kind] / self.best["async def"][kind]

    def extra_ns(self, name: str, kind: str = "done") -> float:
        """Nanoseconds per resume that ``name`` costs beyond ``async def``."""
        return self.ns(name, kind) - self.ns("async def", kind)

    def lines(self) -> List[str]:
        out = [f"{'':14} {'done (ns/resume)':>18} {'ratio':>6} {'moment (ns/resume)':>20} "
               f"{'ratio':>6}"]
        for name in self.best:
            cells = [f"{self.ns(name, kind):>{width}.0f} {self.ratio(name, kind):>6.2f}"
                     for kind, width in (("done", 18), ("moment", 20))]
            out.append(f"{name:14} " + " ".join(cells))
        out += [f"{name}: not installed, not measured" for name in self.missing]
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        head = ("<tr><th></th><th>done: ns per resume</th><th>x async def</th>"
                "<th>moment: ns per resume</th><th>x async def</th></tr>")
        rows = "".join(
            f"<tr><td><code>{html.escape(name)}</code></td>"
            + "".join(f"<td>{self.ns(name, k):.0f}</td><td>{self.ratio(name, k):.2f}</td>"
                      for k in KINDS) + "</tr>" for name in self.best)
        rows += "".join(f"<tr><td><code>{html.escape(m)}</code></td><td colspan=4>not "
                        f"installed, not measured</td></tr>" for m in self.missing)
        return f"<table>{head}{rows}</table>"


def contenders() -> Dict[str, Any]:
    """``{"async def": None, "aioteach.gen": module, "tornado.gen": module if installed}``."""
    found: Dict[str, Any] = {"async def": None, "aioteach.gen": aioteach_gen}
    try:
        from tornado import gen as tornado_gen
        found["tornado.gen"] = tornado_gen
    except ImportError:
        pass
    return found


async def measure(n: int = 20_000, rounds: int = 5) -> ResumeCosts:
    """Time ``n`` resumes of each kind for each contender, ``rounds`` times; keep the best."""
    found = contenders()
    best = {name: {kind: float("inf") for kind in KINDS} for name in found}
    for _ in range(rounds):
        for name, module in found.items():          # interleaved: the same noise for all
            for kind in KINDS:
                body = native_body(kind, n) if module is None else generator_body(
                    module, kind, n)
                best[name][kind] = min(best[name][kind], await timed(body))
    missing = [] if "tornado.gen" in found else ["tornado.gen"]
    return ResumeCosts(n, best, missing)
