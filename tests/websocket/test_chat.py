"""examples/chat/server.py: a broadcast chat room with several aioteach clients at once.

No sleeps: each client reads its own socket in order, and every step waits until the members
it concerns have seen its effect (a join, a message, a leave) before the next step starts.
"""
from __future__ import annotations

import asyncio
import importlib.util
import json
import pathlib
import types
from typing import Any, List

import aioteach
from aioteach import WSMsgType
from tests.web.server_support import serve

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "chat" / "server.py"
TIMEOUT = 10.0


def load_example() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("chat_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)            # type: ignore[arg-type]
    spec.loader.exec_module(module)                           # type: ignore[union-attr]
    return module


async def next_event(ws: Any) -> Any:
    return json.loads(await asyncio.wait_for(ws.receive_str(), TIMEOUT))


async def test_every_message_reaches_every_member_in_order():
    chat = load_example()
    app = chat.make_app()
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        url = f"http://127.0.0.1:{port}/ws"
        members: List[Any] = []
        for name in ("ann", "bob", "cy"):
            ws = await session.ws_connect(f"{url}?name={name}")
            members.append(ws)
            for member in members:                 # everyone present sees the join
                assert await next_event(member) == {"kind": "join", "name": name}
        ann, bob, cy = members
        assert len(app[chat.ROOM]) == 3

        # Three messages from three members; each member sees all of them in one order.
        await ann.send_json({"text": "hi all"})
        first = [await next_event(m) for m in members]
        await bob.send_json({"text": "hello ann"})
        await cy.send_json({"text": "hey"})
        rest = [[await next_event(m), await next_event(m)] for m in members]
        assert first == [{"kind": "message", "name": "ann", "text": "hi all"}] * 3
        assert rest[0] == rest[1] == rest[2]
        assert sorted(e["name"] for e in rest[0]) == ["bob", "cy"]

        # Bad input gets a hint, only to its sender.
        await cy.send_str("not json")
        assert (await next_event(cy))["kind"] == "error"

        # Leaving, politely or not, is announced to those who stay.
        await bob.close()
        for member in (ann, cy):
            assert await next_event(member) == {"kind": "leave", "name": "bob"}
        cy._transport.abort()                       # a browser tab killed: no Close frame
        assert await next_event(ann) == {"kind": "leave", "name": "cy"}
        assert len(app[chat.ROOM]) == 1
        await ann.close()


async def test_the_page_is_served_and_names_default_to_guests():
    chat = load_example()
    async with serve(chat.make_app()) as (port, _), aioteach.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/") as resp:
            page = await resp.text()
            assert resp.status == 200 and resp.content_type == "text/html"
        assert "new WebSocket(" in page and '"/ws?name="' in page
        async with session.ws_connect(f"http://127.0.0.1:{port}/ws") as ws:
            event = await next_event(ws)
            assert event["kind"] == "join" and event["name"].startswith("guest")
            await ws.send_bytes(b"binary is ignored")
            await ws.send_json({"text": "still here"})
            assert (await next_event(ws))["text"] == "still here"
        assert ws.close_code == 1000 and (await ws.receive()).type is WSMsgType.CLOSED


async def test_server_shutdown_tells_every_member_going_away():
    chat = load_example()
    async with aioteach.ClientSession() as session:
        async with serve(chat.make_app()) as (port, runner):
            members = []
            for name in ("a", "b"):
                ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws?name={name}")
                members.append(ws)
                for member in members:
                    await next_event(member)
            cleanup = asyncio.ensure_future(runner.cleanup())
            for member in members:
                while True:                        # a "leave" may come first: skip it
                    msg = await asyncio.wait_for(member.receive(), TIMEOUT)
                    if msg.type is not WSMsgType.TEXT:
                        break
                assert (msg.type, msg.data) == (WSMsgType.CLOSE, 1001)
            await asyncio.wait_for(cleanup, TIMEOUT)
