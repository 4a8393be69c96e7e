"""A WebSocket chat room: every message a member sends goes to every member, the sender too.

Run it and open http://127.0.0.1:8080/ in two browser tabs::

    python examples/chat/server.py --port 8080

The page (index.html, next to this file) is plain JavaScript: it opens a WebSocket to
``/ws?name=...`` and shows what arrives.  Every frame is a JSON object, in both directions:

    browser -> server   {"text": "hello"}
    server -> browser   {"kind": "join" | "message" | "leave", "name": "ann", "text": "hello"}

The room is a set of ``WebSocketResponse`` objects kept in the application's state; a handler
adds its socket when a member joins and removes it when the member leaves, however that
happens (a Close, a vanished browser, a server shutdown), because the removal is in
``finally``.  The code uses aiohttp's names only: ``from aiohttp import web`` runs it too.

Simplification: a broadcast sends to the members one after the other, so one member on a slow
network delays the others (``send_str`` waits while that member's socket buffer is full).  A
production chat gives each member its own outgoing queue and task.
"""
from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path
from typing import Any, Dict, Set

from aioteach import web

__all__ = ["make_app", "ROOM"]

HERE = Path(__file__).resolve().parent
ROOM = web.AppKey("room", set)          # the WebSocketResponse of every member
_guests = itertools.count(1)


async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(HERE / "index.html")


async def broadcast(room: Set[web.WebSocketResponse], event: Dict[str, Any]) -> None:
    text = json.dumps(event)
    for member in list(room):           # a copy: members may leave while we send
        try:
            await member.send_str(text)
        except ConnectionError:         # that member has gone; its own handler removes it
            pass


async def chat(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(heartbeat=30.0)     # notice browsers that vanish
    await ws.prepare(request)
    name = request.query.get("name", "").strip()[:20] or f"guest{next(_guests)}"
    room = request.app[ROOM]
    room.add(ws)
    try:
        await broadcast(room, {"kind": "join", "name": name})
        async for msg in ws:
            if msg.type != web.WSMsgType.TEXT:
                continue
            try:
                text = str(json.loads(msg.data)["text"])
            except (ValueError, KeyError, TypeError):
                await ws.send_str(json.dumps({"kind": "error", "text": "send {\"text\": ...}"}))
                continue
            await broadcast(room, {"kind": "message", "name": name, "text": text})
    finally:
        room.discard(ws)
        await broadcast(room, {"kind": "leave", "name": name})
    return ws


def make_app() -> web.Application:
    app = web.Application()
    app[ROOM] = set()
    app.router.add_get("/", index)
    app.router.add_get("/ws", chat)
    return app


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="A WebSocket chat room")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    web.run_app(make_app(), host=args.host, port=args.port)
