"""wire: the raw exchange the panels use, against servers that frame their answers every way."""
from __future__ import annotations

import asyncio

import pytest

from aioteach.notebook.wire import (build_request, exchange, parse_response, response_complete,
                                    show_bytes)


@pytest.fixture
async def raw_server():
    """A server that writes ``answer`` and then keeps the connection open (or closes it)."""
    servers = []

    async def start(answer: bytes, close: bool = False):
        received = asyncio.get_running_loop().create_future()

        async def talk(reader, writer):
            data = await reader.readuntil(b"\r\n\r\n")
            if not received.done():
                received.set_result(data)
            writer.write(answer)
            await writer.drain()
            if close:
                writer.close()
            else:
                await reader.read()               # hold it open until the client leaves
                writer.close()

        server = await asyncio.start_server(talk, "127.0.0.1", 0)
        servers.append(server)
        return f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", received

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("answer,body", [
    (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", b"hello"),
    (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"3;note=x\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n", b"hello"),
    (b"HTTP/1.1 204 No Content\r\n\r\n", b""),
])
async def test_a_framed_answer_ends_the_exchange_even_if_the_server_stays(raw_server, answer,
                                                                          body):
    url, received = await raw_server(answer)
    r = await exchange(url + "/x?y=1", timeout=5)
    assert r.body == body and r.raw_response == answer
    assert (await received).startswith(b"GET /x?y=1 HTTP/1.1\r\nHost: 127.0.0.1:")


async def test_a_close_delimited_body_is_read_to_the_end(raw_server):
    url, _ = await raw_server(b"HTTP/1.1 200 OK\r\n\r\nuntil the end", close=True)
    r = await exchange(url, method="POST", body="x=1", headers={"X-A": "b"})
    assert (r.status, r.reason, r.text) == (200, "OK", "until the end")
    assert r.raw_request.endswith(b"X-A: b\r\nContent-Length: 3\r\nConnection: close\r\n\r\nx=1")


def test_the_pieces():
    assert build_request("get", "h:1", "/p", [("Host", "other")]) == \
        b"GET /p HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n"
    assert not response_complete(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab")
    assert response_complete(b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", "HEAD")
    assert parse_response(b"HTTP/1.1 404 Not Found\r\nA: 1\r\n\r\n") == (
        404, "Not Found", [("A", "1")], b"")
    with pytest.raises(ValueError, match="no complete response head"):
        parse_response(b"HTTP/1.1 200 OK\r\n")
    assert show_bytes(b"GET / HTTP/1.1\r\n\r\n\x00") == "GET / HTTP/1.1\\r\\n\n\\r\\n\n\\x00"
    assert show_bytes(b"x" * 10, limit=4).endswith("(6 more bytes)")
