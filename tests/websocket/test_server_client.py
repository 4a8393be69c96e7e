"""aioteach's WebSocket client against aioteach's server, over real sockets on 127.0.0.1.

Every story is told from both ends: what the handler saw (reported through a future, so the
test waits for it instead of sleeping) and what the client saw.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any, Dict

import pytest

import aioteach
from aioteach import WSCloseCode, WSMsgType, web
from tests.support import TIMEOUT, within
from tests.web.server_support import serve


def report() -> "asyncio.Future[Any]":
    return asyncio.get_running_loop().create_future()


async def echo(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type is WSMsgType.TEXT:
            await ws.send_str(msg.data)
        elif msg.type is WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    request.app["done"].set_result((ws.closed, ws.close_code))
    return ws


def app_with(handler: Any, path: str = "/ws") -> web.Application:
    app = web.Application()
    app["done"] = report()
    app.router.add_get(path, handler)
    return app


async def test_text_binary_and_json_round_trips_then_a_client_close_ends_the_handler_loop():
    app = app_with(echo)
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        async with session.ws_connect(f"http://127.0.0.1:{port}/ws") as ws:
            await ws.send_str("héllo")
            assert await within(ws.receive_str()) == "héllo"
            await ws.send_bytes(b"\x00\xff" * 1000)
            assert await within(ws.receive_bytes()) == b"\x00\xff" * 1000
            await ws.send_json({"n": [1, 2]})
            assert await within(ws.receive_json()) == {"n": [1, 2]}
            await ws.send_str("x" * 200_000)           # 64-bit length form, both ways
            assert await within(ws.receive_str()) == "x" * 200_000
        assert ws.closed and ws.close_code == WSCloseCode.OK
        assert await within(app["done"]) == (True, WSCloseCode.OK)


async def test_wrong_message_type_raises_type_error_as_in_aiohttp():
    app = app_with(echo)
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        async with session.ws_connect(f"ws://127.0.0.1:{port}/ws") as ws:
            await ws.send_bytes(b"binary")
            with pytest.raises(TypeError, match="is not WSMsgType.TEXT"):
                await within(ws.receive_str())
            await ws.send_str("text")
            with pytest.raises(TypeError, match="is not WSMsgType.BINARY"):
                await within(ws.receive_bytes())
            with pytest.raises(TypeError):
                await ws.send_str(b"not str")            # type: ignore[arg-type]
            with pytest.raises(TypeError):
                await ws.send_bytes("not bytes")         # type: ignore[arg-type]


async def test_client_initiated_close_code_and_message_reach_the_handler():
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        msg = await ws.receive()
        request.app["done"].set_result((msg.type, msg.data, msg.extra, ws.closed))
        return ws

    app = app_with(handler)
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws")
        assert await within(ws.close(code=4001, message=b"bye now")) is True
        assert ws.close_code == WSCloseCode.OK          # the code of the server's answer
        assert await within(app["done"]) == (WSMsgType.CLOSE, 4001, "bye now", True)
        assert await ws.close() is False                # a second close does nothing
        assert (await ws.receive()).type is WSMsgType.CLOSED


async def test_server_initiated_close_code_and_message_reach_the_client():
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str("last words")
        closed = await ws.close(code=4002, message="done here")
        request.app["done"].set_result((closed, ws.close_code))
        return ws

    app = app_with(handler)
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws")
        assert await within(ws.receive_str()) == "last words"
        msg = await within(ws.receive())
        assert (msg.type, msg.data, msg.extra) == (WSMsgType.CLOSE, 4002, "done here")
        assert ws.closed and ws.close_code == 4002      # autoclose answered at once...
        assert await within(app["done"]) == (True, WSCloseCode.OK)   # ...with 1000, as aiohttp
        with pytest.raises(ConnectionResetError):
            await ws.send_str("too late")


async def test_without_autoclose_the_application_answers_the_close_itself():
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoclose=False)
        await ws.prepare(request)
        text = await ws.receive()
        close = await ws.receive()
        after = await ws.receive()                      # the peer is done talking: CLOSING
        state = (text.data, close.type, close.data, ws.closed, after.type)
        await ws.send_str("a reply between the two Close frames")   # allowed (RFC 6455 5.5.1)
        await ws.close(code=close.data)
        request.app["done"].set_result(state)
        return ws

    app = app_with(handler)
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws")
        await ws.send_str("hello")
        assert await within(ws.close(code=4003)) is True
        assert ws.close_code == 4003
        assert await within(app["done"]) == ("hello", WSMsgType.CLOSE, 4003, False,
                                             WSMsgType.CLOSING)


async def test_subprotocol_negotiation_follows_the_clients_order_as_in_aiohttp():
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(protocols=("v2.chat", "v1.chat"))
        ready = ws.can_prepare(request)
        await ws.prepare(request)
        await ws.send_json({"ready": [ready.ok, ready.protocol], "protocol": ws.protocol})
        await ws.close()
        return ws

    app = app_with(handler)
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        url = f"http://127.0.0.1:{port}/ws"
        async with session.ws_connect(url, protocols=("v1.chat", "v2.chat")) as ws:
            assert ws.protocol == "v1.chat"
            assert await within(ws.receive_json()) == {"ready": [True, "v1.chat"],
                                                       "protocol": "v1.chat"}
        async with session.ws_connect(url, protocols=("mqtt",)) as ws:
            assert ws.protocol is None                 # no common protocol: none chosen
            assert await within(ws.receive_json()) == {"ready": [True, None], "protocol": None}


async def test_can_prepare_is_false_for_a_plain_request():
    async def handler(request: web.Request) -> web.StreamResponse:
        ready = web.WebSocketResponse().can_prepare(request)
        return web.json_response({"ok": bool(ready), "protocol": ready.protocol})

    app = app_with(handler)
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        async with session.get(f"http://127.0.0.1:{port}/ws") as resp:
            assert await resp.json() == {"ok": False, "protocol": None}


async def test_autoping_answers_pings_and_hides_pongs_unless_switched_off():
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        seen = []
        async for msg in ws:
            seen.append((msg.type, msg.data))
            if msg.type is WSMsgType.PING:
                await ws.pong(msg.data)                # by hand: autoping is off
            elif msg.type is WSMsgType.TEXT:
                await ws.ping(b"from server")
        request.app["done"].set_result(seen)
        return ws

    app = app_with(handler)
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        async with session.ws_connect(f"http://127.0.0.1:{port}/ws", autoping=False) as ws:
            await ws.ping(b"from client")
            msg = await within(ws.receive())
            assert (msg.type, msg.data) == (WSMsgType.PONG, b"from client")
            await ws.send_str("ping me")
            msg = await within(ws.receive())
            assert (msg.type, msg.data) == (WSMsgType.PING, b"from server")
            await ws.pong(b"from server")
        assert await within(app["done"]) == [(WSMsgType.PING, b"from client"),
                                             (WSMsgType.TEXT, "ping me"),
                                             (WSMsgType.PONG, b"from server")]
        # With autoping on (the default) the same pings are answered and never surface.
        app2 = app_with(echo)
    async with serve(app2) as (port, _), aioteach.ClientSession() as session:
        async with session.ws_connect(f"http://127.0.0.1:{port}/ws", autoping=False) as ws:
            await ws.ping(b"are you there")
            msg = await within(ws.receive())
            assert (msg.type, msg.data) == (WSMsgType.PONG, b"are you there")
            await ws.send_str("after")
            assert await within(ws.receive_str()) == "after"


async def test_receive_timeout_raises_timeout_error_on_both_sides():
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(receive_timeout=0.05)
        await ws.prepare(request)
        try:
            await ws.receive()
        except asyncio.TimeoutError:
            await ws.send_str("server timed out")
        await ws.receive(timeout=TIMEOUT)              # the client's Close
        return ws

    app = app_with(handler)
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        async with session.ws_connect(f"http://127.0.0.1:{port}/ws") as ws:
            assert await within(ws.receive_str()) == "server timed out"
            with pytest.raises(asyncio.TimeoutError):
                await ws.receive(timeout=0.01)
            async with session.ws_connect(f"http://127.0.0.1:{port}/ws",
                                          receive_timeout=0.01) as ws2:
                with pytest.raises(asyncio.TimeoutError):
                    await ws2.receive()


async def test_a_message_over_max_msg_size_closes_with_1009():
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=16)
        await ws.prepare(request)
        first = await ws.receive()
        second = await ws.receive()
        after = await ws.receive()
        request.app["done"].set_result((first.data, second.type, second.data.code,
                                        after.type, ws.close_code, ws.exception() is second.data))
        return ws

    app = app_with(handler)
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws")
        await ws.send_str("x" * 16)                     # exactly the limit: fine
        await ws.send_str("x" * 17)
        msg = await within(ws.receive())
        assert (msg.type, msg.data) == (WSMsgType.CLOSE, WSCloseCode.MESSAGE_TOO_BIG)
        assert "too big" in msg.extra
        assert await within(app["done"]) == ("x" * 16, WSMsgType.ERROR,
                                             WSCloseCode.MESSAGE_TOO_BIG, WSMsgType.CLOSED,
                                             WSCloseCode.MESSAGE_TOO_BIG, True)


async def test_client_side_max_msg_size():
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_bytes(b"y" * 100)
        msg = await ws.receive()
        request.app["done"].set_result((msg.type, msg.data))
        return ws

    app = app_with(handler)
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws", max_msg_size=99)
        msg = await within(ws.receive())
        assert msg.type is WSMsgType.ERROR and msg.data.code == WSCloseCode.MESSAGE_TOO_BIG
        assert ws.close_code == WSCloseCode.MESSAGE_TOO_BIG and ws.closed
        assert await within(app["done"]) == (WSMsgType.CLOSE, WSCloseCode.MESSAGE_TOO_BIG)


async def test_failed_handshakes_raise_ws_server_handshake_error():
    async def plain(request: web.Request) -> web.Response:
        return web.Response(text="not a websocket")

    app = app_with(plain, "/plain")
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        with pytest.raises(aioteach.WSServerHandshakeError) as info:
            await session.ws_connect(f"http://127.0.0.1:{port}/missing")
        assert info.value.status == 404 and "instead of 101" in info.value.message
        with pytest.raises(aioteach.WSServerHandshakeError) as info:
            await session.ws_connect(f"http://127.0.0.1:{port}/plain")
        assert info.value.status == 200
        # The session is still usable afterwards: the refused connections were closed.
        async with session.get(f"http://127.0.0.1:{port}/plain") as resp:
            assert await resp.text() == "not a websocket"


async def test_server_shutdown_closes_open_websockets_with_1001():
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        request.app["joined"].set_result(None)
        async for _ in ws:
            pass
        request.app["done"].set_result(ws.close_code)   # ran to its end: not cancelled
        return ws

    app = app_with(handler)
    app["joined"] = report()
    async with aioteach.ClientSession() as session:
        async with serve(app) as (port, runner):
            ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws")
            await within(app["joined"])
            cleanup = asyncio.ensure_future(runner.cleanup())
            msg = await within(ws.receive())
            assert (msg.type, msg.data) == (WSMsgType.CLOSE, WSCloseCode.GOING_AWAY)
            assert msg.extra == "server shutdown"
            await within(cleanup)
        assert await within(app["done"]) == WSCloseCode.OK     # the client's answer to 1001


async def test_a_vanished_client_ends_the_handler_loop_with_1006():
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        request.app["joined"].set_result(None)
        msg = await ws.receive()
        request.app["done"].set_result((msg.type, ws.close_code, ws.closed))
        return ws

    app = app_with(handler)
    app["joined"] = report()
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws")
        await within(app["joined"])
        ws._transport.abort()                           # the client disappears, no Close
        assert await within(app["done"]) == (WSMsgType.CLOSED, WSCloseCode.ABNORMAL_CLOSURE,
                                             True)
        msg = await within(ws.receive())
        assert msg.type is WSMsgType.CLOSED and ws.close_code == WSCloseCode.ABNORMAL_CLOSURE


async def test_api_misuse_is_reported_at_once():
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        errors: Dict[str, str] = {}
        for name, call in (("receive", ws.receive()), ("send", ws.send_str("x")),
                           ("close", ws.close())):
            try:
                await call
            except RuntimeError as exc:
                errors[name] = str(exc)
        await ws.prepare(request)
        receiver = asyncio.ensure_future(ws.receive())
        await asyncio.sleep(0)             # one loop turn: the task takes its first step
        assert not receiver.done() and ws._waiter is not None
        try:
            await ws.receive()
        except RuntimeError as exc:
            errors["concurrent"] = str(exc)
        await ws.send_json(errors)
        await receiver                                  # the client's Close
        return ws

    app = app_with(handler)
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        async with session.ws_connect(f"http://127.0.0.1:{port}/ws") as ws:
            errors = json.loads(await within(ws.receive_str()))
    assert set(errors) == {"receive", "send", "close", "concurrent"}
    assert all("prepare()" in errors[k] for k in ("receive", "send", "close"))
    assert "Concurrent call to receive()" in errors["concurrent"]


async def test_receive_after_closed_raises_after_a_few_calls():
    app = app_with(echo)
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws")
        await ws.close()
        for _ in range(5):
            assert (await ws.receive()).type is WSMsgType.CLOSED
        with pytest.raises(RuntimeError, match="closed"):
            await ws.receive()


async def test_testing_client_ws_connect_and_the_demo_echo_route():
    from aioteach import demo
    from aioteach.testing import TestClient, TestServer
    client = TestClient(TestServer(demo.make_app()))
    await client.start_server()
    try:
        ws = await client.ws_connect("/ws/echo")
        await ws.send_str("lesson")
        assert await within(ws.receive_str()) == "lesson"
        await ws.send_bytes(b"\x01")
        assert await within(ws.receive_bytes()) == b"\x01"
    finally:
        await client.close()
    assert ws.closed and ws.close_code == WSCloseCode.OK


async def test_a_handler_that_fails_after_the_101_closes_with_1011(caplog):
    async def handler(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.receive()
        raise ValueError("a bug in the handler")

    app = app_with(handler)
    async with serve(app) as (port, _), aioteach.ClientSession() as session:
        ws = await session.ws_connect(f"http://127.0.0.1:{port}/ws")
        await ws.send_str("trigger")
        msg = await within(ws.receive())                # a Close, not HTTP bytes mid-stream
        assert (msg.type, msg.data) == (WSMsgType.CLOSE, WSCloseCode.INTERNAL_ERROR)
        assert ws.close_code == WSCloseCode.INTERNAL_ERROR
    assert "a bug in the handler" in caplog.text
