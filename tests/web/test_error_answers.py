"""The server's answer to bytes that broke HTTP has its head from the one renderer."""
from __future__ import annotations

from aioteach.http1 import RemoteProtocolError, ResponseParser
from aioteach.multidict import CIMultiDict
from aioteach.web.erroranswers import protocol_error_bytes
from aioteach.web.responsehead import SERVER_SOFTWARE, render_head


def test_a_protocol_error_answer_is_render_heads_head_and_a_hint():
    wire = protocol_error_bytes(RemoteProtocolError("too many fields", 431))
    response = ResponseParser().feed(wire)[0]
    headers = dict(response.headers)
    assert (response.status, response.keep_alive) == (431, False)
    assert headers["Server"] == SERVER_SOFTWARE and headers["Connection"] == "close"
    body = b"431 Request Header Fields Too Large: too many fields\n"
    content_type = CIMultiDict({"Content-Type": "text/plain; charset=utf-8"})
    head = render_head(431, None, "1.1", content_type, "length", len(body), False,
                       date=headers["Date"])
    assert wire == head + body
