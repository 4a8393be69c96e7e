"""The offline lesson app, and ``run_demo`` (``aioteach demo``) which fires requests at it.

Theory of operation.  Lessons need endpoints that behave in known ways without the internet:
slow ones (to see concurrency), streamed ones (to see a body arrive in pieces), a WebSocket
echo and chat, and a JSON API with realistic data.  ``make_app()`` builds them on ``aioteach.web``:

    GET /                  this list, as JSON
    GET /delay/{ms}        answers after ``ms`` milliseconds (at most MAX_DELAY_MS)
    GET /stream            ``n`` lines, ``interval`` ms apart (no Content-Length: chunked)
    GET /chunked           a body sent as explicit chunks (RFC 9112 section 7.1)
    GET /ipinfo/{ip}       fake IP-info JSON, the same answer for the same address every time
    GET /ws/echo           WebSocket: every message comes back (RFC 6455)
    GET /ws/chat           WebSocket: every message goes to everyone connected

Two knobs make any endpoint misbehave on purpose, set for the whole app (``make_app(latency_ms=,
failure_rate=)``) or per request in the query (``?latency=250&fail=0.3``): extra latency, and a
probability of answering 503 Service Unavailable (RFC 9110 section 15.6.4), which is what a
retry lesson needs.  ``seed=`` makes the failures repeatable.

``run_demo`` (``aioteach demo`` on the command line, see __main__.py) serves the app on 127.0.0.1, fetches ``/delay/200`` sequentially and then
concurrently with ``aioteach.ClientSession``, and prints both as text timelines; it is bounded
(a few seconds) and exits by itself.
"""
from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import random
import time
from typing import Any, Awaitable, Callable, List, Optional, Set

import aioteach
from aioteach import trace, web
from aioteach.trace import Span
from aioteach.websocket import WSMsgType

__all__ = ["make_app", "run_demo", "fake_ipinfo", "LATENCY_MS", "FAILURE_RATE",
           "MAX_DELAY_MS"]

#: 10 s: long enough for any lesson, short enough that a typo cannot park a handler for hours.
MAX_DELAY_MS = 10_000
#: At most this many lines from /stream, so ``?n=`` cannot make an endless response.
MAX_STREAM_LINES = 1000

LATENCY_MS = web.AppKey("latency_ms", float)
FAILURE_RATE = web.AppKey("failure_rate", float)
RANDOM = web.AppKey("random", random.Random)
CHAT_PEERS = web.AppKey("chat_peers", set)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _number(request: web.Request, name: str, default: float, low: float, high: float) -> float:
    """A numeric query parameter, clamped to [low, high]; a malformed one is a 400."""
    raw = request.query.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise web.HTTPBadRequest(text=f"?{name}= must be a number, not {raw!r}") from None
    return min(max(value, low), high)


@web.middleware
async def knobs(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Extra latency and random 503s, from the query or from the app's settings."""
    app = request.app
    latency = _number(request, "latency", app[LATENCY_MS], 0, MAX_DELAY_MS)
    failure_rate = _number(request, "fail", app[FAILURE_RATE], 0.0, 1.0)
    if latency:
        await asyncio.sleep(latency / 1000)
    if failure_rate and app[RANDOM].random() < failure_rate:
        return web.json_response({"error": "injected failure", "failure_rate": failure_rate},
                                 status=503, headers={"Retry-After": "1"})
    return await handler(request)


async def index(request: web.Request) -> web.Response:
    routes = sorted({r.resource.canonical for r in request.app.router.routes()
                     if r.resource is not None})
    return web.json_response({"routes": routes, "knobs": ["?latency=ms", "?fail=0..1"]})


async def delay(request: web.Request) -> web.Response:
    try:
        ms = int(request.match_info["ms"])
    except ValueError:
        raise web.HTTPBadRequest(text="/delay/{ms} needs whole milliseconds, e.g. /delay/300")
    ms = min(max(ms, 0), MAX_DELAY_MS)
    started = time.monotonic()
    await asyncio.sleep(ms / 1000)
    return web.json_response({"delay_ms": ms,
                              "slept_ms": round((time.monotonic() - started) * 1000, 1)})


async def stream(request: web.Request) -> web.StreamResponse:
    lines = int(_number(request, "n", 5, 1, MAX_STREAM_LINES))
    interval = _number(request, "interval", 100, 0, MAX_DELAY_MS) / 1000
    response = web.StreamResponse(headers={"Content-Type": "text/plain; charset=utf-8"})
    await response.prepare(request)               # the head goes out now; the body follows
    for i in range(lines):
        await response.write(f"line {i + 1} of {lines}\n".encode())
        if i + 1 < lines:
            await asyncio.sleep(interval)
    await response.write_eof()
    return response


async def chunked(request: web.Request) -> web.StreamResponse:
    response = web.StreamResponse(headers={"Content-Type": "text/plain; charset=utf-8"})
    response.enable_chunked_encoding()
    await response.prepare(request)
    for word in ("each ", "write ", "is ", "one ", "chunk\n"):
        await response.write(word.encode())
    await response.write_eof()
    return response


# -- fake IP info: deterministic, so a lesson's printed output never changes ------------------
CITIES = [("Lisbon", "PT", 38.72, -9.14), ("Nairobi", "KE", -1.29, 36.82),
          ("Osaka", "JP", 34.69, 135.50), ("Quito", "EC", -0.18, -78.47),
          ("Tallinn", "EE", 59.44, 24.75), ("Perth", "AU", -31.95, 115.86),
          ("Montreal", "CA", 45.50, -73.57), ("Pune", "IN", 18.52, 73.86)]
ORGS = ["Example Transit", "Lesson Fibre", "Teaching Telecom", "Sample Hosting"]


def fake_ipinfo(ip: str) -> dict:
    """Plausible IP-info for ``ip``, derived from a hash of it (ValueError if not an address)."""
    address = ipaddress.ip_address(ip)
    info: dict = {"ip": str(address), "version": address.version,
                  "private": address.is_private, "loopback": address.is_loopback}
    if address.is_private or address.is_loopback or address.is_reserved:
        return {**info, "bogon": True}
    digest = hashlib.sha256(address.packed).digest()
    city, country, lat, lon = CITIES[digest[0] % len(CITIES)]
    return {**info, "city": city, "country": country, "loc": f"{lat:.2f},{lon:.2f}",
            "org": f"AS{64512 + digest[1] * 4 + digest[2] % 4} {ORGS[digest[3] % len(ORGS)]}",
            "timezone_offset_h": round(lon / 15)}


async def ipinfo(request: web.Request) -> web.Response:
    ip = request.match_info["ip"]
    try:
        return web.json_response(fake_ipinfo(ip))
    except ValueError:
        return web.json_response({"error": f"{ip!r} is not an IPv4 or IPv6 address"},
                                 status=400)


# -- WebSockets (RFC 6455) -----------------------------------------------------------------------
async def ws_echo(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for message in ws:
        if message.type == WSMsgType.TEXT:
            await ws.send_str(message.data)
        elif message.type == WSMsgType.BINARY:
            await ws.send_bytes(message.data)
    return ws


async def ws_chat(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    peers: Set[web.WebSocketResponse] = request.app[CHAT_PEERS]
    peers.add(ws)
    try:
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                for peer in list(peers):         # a copy: peers may leave while we send
                    try:
                        await peer.send_str(message.data)
                    except Exception:            # a peer gone mid-send: out of the room
                        peers.discard(peer)
    finally:
        peers.discard(ws)
    return ws


def make_app(latency_ms: float = 0.0, failure_rate: float = 0.0,
             seed: Optional[int] = None) -> web.Application:
    """The lesson app.  ``latency_ms`` and ``failure_rate`` apply to every request."""
    app = web.Application(middlewares=[knobs])
    app[LATENCY_MS] = float(latency_ms)
    app[FAILURE_RATE] = float(failure_rate)
    app[RANDOM] = random.Random(seed)
    app[CHAT_PEERS] = set()
    app.router.add_get("/", index)
    app.router.add_get("/delay/{ms}", delay)
    app.router.add_get("/stream", stream)
    app.router.add_get("/chunked", chunked)
    app.router.add_get("/ipinfo/{ip}", ipinfo)
    app.router.add_get("/ws/echo", ws_echo)
    app.router.add_get("/ws/chat", ws_chat)
    return app


# -- python -m aioteach demo ---------------------------------------------------------------------
async def _timed(i: int, fetch: Callable[[], Awaitable[Any]], spans: List[Span]) -> None:
    start = time.perf_counter()
    await fetch()
    spans.append(Span(f"request {i}", "GET", start, time.perf_counter()))


async def run_demo(port: int = 0, requests: int = 5, delay_ms: int = 200,
                   out: Callable[[str], Any] = print) -> dict:
    """Serve the app, fetch ``/delay/{delay_ms}`` ``requests`` times sequentially, then
    concurrently, print both timelines; returns the spans and elapsed times."""
    runner = web.AppRunner(make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    host, bound_port = runner.addresses[0][:2]
    url = f"http://{host}:{bound_port}/delay/{delay_ms}"
    out(f"Serving the lesson app on http://{host}:{bound_port}; fetching {url}\n")
    results: dict = {}
    try:
        async with aioteach.ClientSession() as session:
            async def fetch() -> None:
                async with session.get(url) as response:
                    await response.read()

            for label in ("sequential", "concurrent"):
                spans: List[Span] = []
                started = time.perf_counter()
                if label == "sequential":             # one after the other: a staircase
                    for i in range(requests):
                        await _timed(i, fetch, spans)
                else:                                 # all at once: bars overlap
                    await asyncio.gather(*(_timed(i, fetch, spans) for i in range(requests)))
                elapsed = time.perf_counter() - started
                spans.sort(key=lambda s: int(s.row.split()[-1]))     # request 0 on top
                results[label] = {"spans": spans, "elapsed": elapsed}
                out(f"{label}: {requests} requests in {elapsed:.2f} s")
                out(trace.text_timeline(spans) + "\n")
    finally:
        await runner.cleanup()
    return results
