"""Expect fields other than 100-continue (RFC 9110 10.1.1), over a raw socket: the default
expect handler refuses them with 417 in HTTP/1.1, HTTP/1.0 ignores them, and a route's own
``expect_handler`` decides for itself."""
from __future__ import annotations

from aioteach import web
from tests.web.server_support import RawClient, exchange, get, serve


def make_app() -> web.Application:
    app = web.Application()

    async def echo(request: web.Request) -> web.Response:
        return web.Response(body=await request.read())

    async def lenient(request: web.Request) -> None:
        return None                      # accepts every expectation

    app.router.add_route("*", "/echo", echo)
    app.router.add_route("POST", "/lenient", echo, expect_handler=lenient)
    return app


async def test_unknown_expectation_gets_417_before_the_body():
    async with serve(make_app()) as (port, _):
        answer = await exchange(port, b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                                      b"Expect: foo\r\n\r\nhello", "POST")
        assert answer.status == 417
        assert b"Unknown Expect: foo" in answer.body


async def test_unknown_expectation_without_a_body_gets_417_and_the_server_serves_on():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(get("/echo", "Expect: bar"))
        assert (await client.read()).status == 417
        client.close()
        assert (await exchange(port, get("/echo"))).status == 200


async def test_100_continue_is_not_refused():
    async with serve(make_app()) as (port, _):
        client = await RawClient.connect(port)
        client.send(b"POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n"
                    b"Expect: 100-Continue\r\n\r\n")
        assert (await client.read("POST")).status == 100
        client.send(b"ok")
        final = await client.read("POST")
        assert (final.status, final.body) == (200, b"ok")
        client.close()


async def test_http10_ignores_expectations():
    async with serve(make_app()) as (port, _):
        answer = await exchange(port, b"POST /echo HTTP/1.0\r\nContent-Length: 2\r\n"
                                      b"Expect: foo\r\n\r\nok", "POST")
        assert (answer.status, answer.body) == (200, b"ok")


async def test_a_route_expect_handler_decides():
    async with serve(make_app()) as (port, _):
        answer = await exchange(port, b"POST /lenient HTTP/1.1\r\nHost: t\r\nContent-Length: 2"
                                      b"\r\nExpect: foo\r\n\r\nok", "POST")
        assert (answer.status, answer.body) == (200, b"ok")
