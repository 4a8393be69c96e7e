"""What one resume costs: ``async def`` versus ``aioteach.gen`` versus ``tornado.gen``.

Two kinds of resume, each measured as N of them in a row inside one coroutine:

* done   -- waiting on a future that is already done.  ``await`` returns at once without
            suspending; a generator runner sends the result straight back (its fast path).
* moment -- one trip through the event loop: ``await asyncio.sleep(0)`` versus
            ``yield gen.moment``.

The "done" row is the lesson: ``await done_future`` never leaves the coroutine (the future's
``__await__`` returns without yielding), while a generator must yield the future to its runner,
which inspects it and sends the result back in, a few hundred nanoseconds of Python.
This is a benchmark, not a test: it asserts nothing about time.

The implementations are measured in one run, interleaved round by round (the machine is
shared and noisy), and the best round of each is kept.  Ratios are against ``async def``.

    python benchmarks/bench_gen.py [--n 20000] [--rounds 7]
"""
from __future__ import annotations

import argparse
import asyncio
import time
from typing import Any, Callable, Dict, List

__all__ = ["main"]


def native_done(n: int) -> Any:
    async def body(done: asyncio.Future) -> None:
        for _ in range(n):
            await done
    return body


def native_moment(n: int) -> Any:
    async def body(done: asyncio.Future) -> None:
        for _ in range(n):
            await asyncio.sleep(0)
    return body


def generator_done(gen: Any, n: int) -> Any:
    @gen.coroutine
    def body(done: asyncio.Future) -> Any:
        for _ in range(n):
            yield done
    return body


def generator_moment(gen: Any, n: int) -> Any:
    @gen.coroutine
    def body(done: asyncio.Future) -> Any:
        for _ in range(n):
            yield gen.moment
    return body


async def timed(body: Callable[[asyncio.Future], Any]) -> float:
    done = asyncio.get_running_loop().create_future()
    done.set_result(None)
    start = time.perf_counter()
    await body(done)
    return time.perf_counter() - start


async def measure(n: int, rounds: int) -> Dict[str, Dict[str, float]]:
    from aioteach import gen as aioteach_gen
    contenders: Dict[str, Any] = {"async def": None, "aioteach.gen": aioteach_gen}
    try:
        from tornado import gen as tornado_gen
        contenders["tornado.gen"] = tornado_gen
    except ImportError:
        print("tornado is not installed: measuring without it")
    best: Dict[str, Dict[str, float]] = {name: {"done": float("inf"), "moment": float("inf")}
                                         for name in contenders}
    for _ in range(rounds):
        for name, module in contenders.items():          # interleaved: same noise for all
            for kind in ("done", "moment"):
                if module is None:
                    body = (native_done if kind == "done" else native_moment)(n)
                else:
                    body = (generator_done if kind == "done" else generator_moment)(module, n)
                best[name][kind] = min(best[name][kind], await timed(body))
    return best


def report(best: Dict[str, Dict[str, float]], n: int) -> List[str]:
    lines = [f"{'':14} {'done (ns/resume)':>18} {'ratio':>6} {'moment (ns/resume)':>20} "
             f"{'ratio':>6}"]
    base = best["async def"]
    for name, times in best.items():
        cells = []
        for kind, width in (("done", 18), ("moment", 20)):
            cells.append(f"{times[kind] / n * 1e9:>{width}.0f} {times[kind] / base[kind]:>6.2f}")
        lines.append(f"{name:14} " + " ".join(cells))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="resumes per measurement")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds; best kept")
    args = parser.parse_args()
    best = asyncio.run(measure(args.n, args.rounds))
    print("\n".join(report(best, args.n)))


if __name__ == "__main__":
    main()
