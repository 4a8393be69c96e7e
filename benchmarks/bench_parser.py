"""How long does parsing one message take?  aioteach against h11 and aiohttp's C parser.

Run:  python benchmarks/bench_parser.py [rounds]

Each request parser gets the same typical browser-ish GET (request line and 6 fields, no
body), fed as one piece, and must produce the request and its end; each response parser a
small 200 with 4 fields and a 13-byte body (h11 is left out there: as a client it needs a
request sent first).  Last, writing a response head with 4 fields, against the function
aiohttp's server uses for the same job.  Parsers are measured interleaved, in
several rounds, and the best round counts: the machine is shared, so the minimum is the
least-disturbed measurement.  A fresh parser per request would measure construction too; a
keep-alive connection reuses its parser, so we reuse one and feed N requests one at a time.

This is a benchmark, not a test: it asserts nothing about time.
"""
from __future__ import annotations

import asyncio
import sys
import time

from aioteach.http1 import RequestParser, ResponseParser, serialize_response_head

__all__ = ["main"]

REQUEST = (b"GET /index.html?q=1 HTTP/1.1\r\nHost: example.org\r\nUser-Agent: bench/1.0\r\n"
           b"Accept: text/html,*/*;q=0.8\r\nAccept-Encoding: gzip, deflate\r\n"
           b"Accept-Language: en-US,en;q=0.5\r\nConnection: keep-alive\r\n\r\n")
RESPONSE = (b"HTTP/1.1 200 OK\r\nServer: bench\r\nDate: Tue, 24 Nov 2026 01:00:00 GMT\r\n"
            b"Content-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\n"
            b"Hello, world!")
N = 20_000


def make_aioteach(response: bool = False):
    # A request parses to Request, EndOfMessage; the response to Response, Data, EndOfMessage.
    parser_class, wire, n_events = ((ResponseParser, RESPONSE, 3) if response
                                    else (RequestParser, REQUEST, 2))

    def bench() -> float:
        feed = parser_class().feed
        start = time.perf_counter()
        for _ in range(N):
            events = feed(wire)
        elapsed = time.perf_counter() - start
        assert len(events) == n_events
        return elapsed
    return bench


RESPONSE_FIELDS = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", "13"),
                   ("Date", "Tue, 24 Nov 2026 01:00:00 GMT"), ("Server", "bench")]


def bench_aioteach_writer() -> float:
    start = time.perf_counter()
    for _ in range(N):
        serialize_response_head(200, RESPONSE_FIELDS)
    return time.perf_counter() - start


def make_aiohttp_writer():
    try:
        from aiohttp.http_writer import _serialize_headers   # C when compiled
        from multidict import CIMultiDict
    except ImportError:
        return None
    fields = CIMultiDict(RESPONSE_FIELDS)

    def bench() -> float:
        start = time.perf_counter()
        for _ in range(N):
            _serialize_headers("HTTP/1.1 200 OK", fields)
        return time.perf_counter() - start
    return bench


def make_h11():
    try:
        import h11
    except ImportError:
        return None

    def bench() -> float:
        conn = h11.Connection(h11.SERVER)
        start = time.perf_counter()
        for _ in range(N):
            conn.receive_data(REQUEST)
            conn.next_event()                       # Request
            conn.next_event()                       # EndOfMessage
            # h11 wants a response before the next cycle; we start afresh instead, which
            # adds h11.Connection()'s own cost (about 1.4 us here) to h11's figure.
            conn = h11.Connection(h11.SERVER)
        return time.perf_counter() - start
    return bench


class FakeProtocol:
    """What aiohttp's parser touches on its protocol while filling a body's StreamReader."""

    _reading_paused = False
    transport = None

    def pause_reading(self, **kwargs) -> None:
        pass

    def resume_reading(self, **kwargs) -> None:
        pass


def make_aiohttp(response: bool = False):
    try:
        from aiohttp.http_parser import HttpRequestParser, HttpResponseParser
    except ImportError:
        return None
    loop = asyncio.new_event_loop()
    parser_class, wire = ((HttpResponseParser, RESPONSE) if response
                          else (HttpRequestParser, REQUEST))

    def bench() -> float:
        parser = parser_class(FakeProtocol(), loop, 2 ** 16)
        feed = parser.feed_data
        start = time.perf_counter()
        for _ in range(N):
            messages, _, _ = feed(wire)
        elapsed = time.perf_counter() - start
        assert len(messages) == 1
        return elapsed
    return bench


def compare(title: str, contenders: dict, rounds: int) -> None:
    contenders = {name: fn for name, fn in contenders.items() if fn is not None}
    best = {name: float("inf") for name in contenders}
    for _ in range(rounds):
        for name, fn in contenders.items():        # interleaved: same noise for everyone
            best[name] = min(best[name], fn())
    print(f"{title}, best of {rounds} rounds x {N}:")
    ours = best["aioteach"] / N * 1e6
    for name, seconds in best.items():
        us = seconds / N * 1e6
        print(f"  {name:12s} {us:6.2f} us/message   aioteach/that = {ours / us:4.2f}")


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    compare(f"a {len(REQUEST)}-byte GET with 6 fields",
            {"aioteach": make_aioteach(), "h11": make_h11(), "aiohttp (C)": make_aiohttp()},
            rounds)
    compare(f"a {len(RESPONSE)}-byte 200 response with 4 fields and a body",
            {"aioteach": make_aioteach(response=True), "aiohttp (C)": make_aiohttp(response=True)},
            rounds)
    compare("writing a 200 response head with 4 fields",
            {"aioteach": bench_aioteach_writer, "aiohttp (C)": make_aiohttp_writer()}, rounds)


if __name__ == "__main__":
    main()
