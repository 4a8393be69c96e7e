"""The framing fields a caller writes itself (RFC 9112 6.1, 6.2): kept when they say one
thing, refused before a byte is sent when no server could delimit the body."""
from __future__ import annotations

import pytest

from aioteach import ClientSession
from aioteach.client.request import ClientRequest
from aioteach.url import URL

from .servers import RawServer, respond, serve_responses

URL_ = URL("http://127.0.0.1:1/")


def echo(seen):
    return respond(200, seen.body, {"X-Length": seen.header("content-length") or "-"})


@pytest.mark.parametrize("headers, chunked, message", [
    ([("Content-Length", "1"), ("Transfer-Encoding", "chunked")], None, "cannot both be set"),
    ([("Content-Length", "1")], True, "chunked can not be set if Content-Length"),  # aiohttp
    ([("Transfer-Encoding", "chunked")], True, "chunked can not be set if \"Transfer"),
    ([("Transfer-Encoding", "gzip")], None, "final coding"),
])
def test_a_request_no_server_could_delimit_is_refused(headers, chunked, message):
    with pytest.raises(ValueError, match=message):
        ClientRequest("POST", URL_, headers=headers, data=b"x", chunked=chunked)


def test_the_callers_transfer_encoding_is_sent_alone_and_the_body_chunked():
    req = ClientRequest("POST", URL_, headers=[("Transfer-Encoding", "chunked")], data=b"abc")
    assert req.chunked
    assert b"content-length" not in req.head.lower()
    assert req.head.lower().count(b"transfer-encoding") == 1


async def test_the_server_reads_a_body_framed_by_the_callers_own_field():
    async with RawServer(serve_responses(echo)) as server:
        async with ClientSession() as session:
            async with session.post(server.url("/"), data=b"hello",
                                    headers={"Transfer-Encoding": "chunked"}) as resp:
                assert await resp.read() == b"hello"
                assert resp.headers["X-Length"] == "-"
            with pytest.raises(ValueError, match="cannot both be set"):
                await session.post(server.url("/"), data=b"x", headers={
                    "Content-Length": "1", "Transfer-Encoding": "chunked"})
    assert len(server.seen) == 1                   # the refused one never left
