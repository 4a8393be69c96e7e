"""How long does one small WebSocket message take through the codec?  aioteach against peers.

Run:  python benchmarks/bench_ws_codec.py [rounds]

An echo server's work per message is: read a small masked client frame into a text message,
then build the unmasked frame of the reply.  This measures those steps alone, without sockets:

    server receive   one 11-byte masked TEXT frame -> one text message
    server send      "hello world" -> the bytes of an unmasked TEXT frame
    client send      "hello world" -> the bytes of a masked TEXT frame (fresh os.urandom key)
    echo             receive + send, the whole per-message path of an echo server
    unmask 1 MiB     the XOR of a large payload

Peers: the ``websockets`` library's sans-I/O protocol objects (pure Python with a C masking
helper) and aiohttp's reader (compiled with Cython) and mask function, when installed.  Each
case runs interleaved with its peers for several rounds and the best round counts: the
machine is shared, so the minimum is the least-disturbed figure.

This is a benchmark, not a test: it asserts what the codecs return, never how fast they are.
"""
from __future__ import annotations

import asyncio
import sys
import time
from typing import Callable, Dict, List

from aioteach.websocket import Opcode, TextMessage, WebSocketConnection, apply_mask, build_frame

__all__ = ["main"]

N = 20_000
MESSAGE = "hello world"
CLIENT_FRAME = build_frame(Opcode.TEXT, MESSAGE.encode(), mask=b"\x12\x34\x56\x78")
BIG = bytes(range(256)) * 4096          # 1 MiB
KEY = b"\x12\x34\x56\x78"


def per_message(run: Callable[[int], None], n: int = N) -> float:
    """Microseconds per call of the loop body."""
    start = time.perf_counter()
    run(n)
    return (time.perf_counter() - start) / n * 1e6


# -- aioteach ----------------------------------------------------------------------------------

def aioteach_cases() -> Dict[str, Callable[[int], None]]:
    server = WebSocketConnection("server")
    client = WebSocketConnection("client")
    assert server.receive_data(CLIENT_FRAME) == [TextMessage(MESSAGE)]

    def receive(n: int) -> None:
        feed = server.receive_data
        for _ in range(n):
            feed(CLIENT_FRAME)

    def send(n: int) -> None:
        send_text = server.send_text
        for _ in range(n):
            send_text(MESSAGE)

    def client_send(n: int) -> None:
        send_text = client.send_text
        for _ in range(n):
            send_text(MESSAGE)

    def echo(n: int) -> None:
        feed, send_text = server.receive_data, server.send_text
        for _ in range(n):
            for event in feed(CLIENT_FRAME):
                send_text(event.data)

    def unmask(n: int) -> None:
        for _ in range(n):
            apply_mask(BIG, KEY)

    return {"server receive": receive, "server send": send, "client send": client_send,
            "echo": echo, "unmask 1 MiB": unmask}


# -- websockets (sans-I/O protocol objects) ----------------------------------------------------

def websockets_cases() -> Dict[str, Callable[[int], None]]:
    try:
        from websockets.client import ClientProtocol
        from websockets.protocol import State
        from websockets.server import ServerProtocol
        from websockets.uri import parse_uri
        from websockets.utils import apply_mask as ws_apply_mask
    except ImportError:
        return {}
    server = ServerProtocol(state=State.OPEN)
    client = ClientProtocol(parse_uri("ws://127.0.0.1/"), state=State.OPEN)
    server.receive_data(CLIENT_FRAME)
    assert bytes(server.events_received()[0].data) == MESSAGE.encode()

    def receive(n: int) -> None:
        feed, take = server.receive_data, server.events_received
        for _ in range(n):
            feed(CLIENT_FRAME)
            take()

    # websockets' send_text takes bytes: the encoding is the caller's, so it is timed too,
    # as it is inside aioteach's send_text.
    def send(n: int) -> None:
        send_text, out = server.send_text, server.data_to_send
        for _ in range(n):
            send_text(MESSAGE.encode())
            out()

    def client_send(n: int) -> None:
        send_text, out = client.send_text, client.data_to_send
        for _ in range(n):
            send_text(MESSAGE.encode())
            out()

    def echo(n: int) -> None:
        feed, take = server.receive_data, server.events_received
        send_text, out = server.send_text, server.data_to_send
        for _ in range(n):
            feed(CLIENT_FRAME)
            for frame in take():
                send_text(frame.data)
            out()

    def unmask(n: int) -> None:
        for _ in range(n):
            ws_apply_mask(BIG, KEY)

    return {"server receive": receive, "server send": send, "client send": client_send,
            "echo": echo, "unmask 1 MiB": unmask}


# -- aiohttp (its Cython reader and mask) ------------------------------------------------------

class _NoFlowControl:
    _reading_paused = False

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def aiohttp_cases() -> Dict[str, Callable[[int], None]]:
    try:
        from aiohttp._websocket.helpers import websocket_mask
        from aiohttp._websocket.reader import WebSocketDataQueue, WebSocketReader
    except ImportError:
        return {}
    loop = asyncio.new_event_loop()      # the queue wants a loop; it is never run
    queue = WebSocketDataQueue(_NoFlowControl(), 2 ** 30, loop=loop)
    reader = WebSocketReader(queue, 4 * 1024 * 1024, False, True)
    reader.feed_data(CLIENT_FRAME)
    assert queue._buffer.popleft()[0].data == MESSAGE   # a private deque: fine in a benchmark

    def receive(n: int) -> None:
        feed, taken = reader.feed_data, queue._buffer
        for _ in range(n):
            feed(CLIENT_FRAME)
            taken.popleft()

    def unmask(n: int) -> None:
        for _ in range(n):
            websocket_mask(KEY, bytearray(BIG))   # masks in place: copy, as a reader must

    return {"server receive": receive, "unmask 1 MiB": unmask}


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    peers = {"aioteach": aioteach_cases(), "websockets": websockets_cases(),
             "aiohttp": aiohttp_cases()}
    best: Dict[str, Dict[str, float]] = {name: {} for name in peers}
    cases: List[str] = list(peers["aioteach"])
    for _ in range(rounds):
        for case in cases:
            n = 20 if case.startswith("unmask") else N
            for name, table in peers.items():      # interleaved: same conditions for all
                if case in table:
                    figure = per_message(table[case], n)
                    best[name][case] = min(best[name].get(case, figure), figure)
    print(f"{'best of ' + str(rounds) + ' rounds, µs per call':<36}"
          + "".join(f"{name:>18}" for name in peers))
    for case in cases:
        ours = best["aioteach"][case]
        cells = []
        for name in peers:
            figure = best[name].get(case)
            cells.append(f"{'-':>18}" if figure is None else
                         f"{figure:>18.2f}" if name == "aioteach" else
                         f"{figure:>11.2f} {ours / figure:>5.1f}x")
        print(f"{case:<36}" + "".join(cells))
    print("(peer columns: their time, then aioteach's time as a multiple of theirs)")


if __name__ == "__main__":
    main()
