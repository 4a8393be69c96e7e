"""What one resume costs: ``async def`` versus ``aioteach.gen`` versus ``tornado.gen``.

The measuring lives in ``aioteach/notebook/resumecost.py`` (lesson 07 runs it in a cell, with
the learner's numbers); this script runs it from a terminal and prints the table.  Its
docstring explains the two rows: "done" (a future that is already done: ``await`` does not
suspend, a runner must look at the future and send its result back) and "moment" (one trip
through the event loop).  This is a benchmark, not a test: it asserts nothing about time.
Ratios are against ``async def``; the best of the interleaved rounds is kept.

    python benchmarks/bench_gen.py [--n 20000] [--rounds 7]
"""
from __future__ import annotations

import argparse
import asyncio

from aioteach.notebook.resumecost import measure

__all__ = ["main"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000, help="resumes per measurement")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds; best kept")
    args = parser.parse_args()
    costs = asyncio.run(measure(args.n, args.rounds))
    print(costs)


if __name__ == "__main__":
    main()
