"""The opening handshake as pure functions (RFC 6455 section 4)."""
from __future__ import annotations

import base64

import pytest

from aioteach.multidict import CIMultiDict
from aioteach.websocket import (ClientRequest, HandshakeError, accept_key, choose_subprotocol,
                                client_request_headers, make_key, server_response_headers,
                                validate_client_request, validate_server_response)

RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ=="
# RFC 6455 section 1.3 (and 4.2.2): the sample nonce and the value the server must answer with.
RFC_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_accept_key_matches_the_rfc_sample():
    assert accept_key(RFC_KEY) == RFC_ACCEPT


def test_make_key_is_16_random_bytes_in_base64():
    keys = {make_key() for _ in range(20)}
    assert len(keys) == 20
    assert all(len(base64.b64decode(k, validate=True)) == 16 for k in keys)


def good_request(**changes):
    headers = {"Host": "example.com", "Upgrade": "websocket", "Connection": "Upgrade",
               "Sec-WebSocket-Key": RFC_KEY, "Sec-WebSocket-Version": "13"}
    headers.update({name.replace("_", "-"): value for name, value in changes.items()})
    return [(name, value) for name, value in headers.items() if value is not None]


def test_valid_request_as_pairs_or_mapping():
    assert validate_client_request("GET", good_request()) == ClientRequest(RFC_KEY, ())
    assert validate_client_request("GET", dict(good_request())) == ClientRequest(RFC_KEY, ())


def test_names_and_tokens_are_case_insensitive_and_lists_are_read():
    headers = [("host", "x"), ("UPGRADE", "WebSocket"), ("connection", "keep-alive, Upgrade"),
               ("sec-websocket-key", RFC_KEY), ("SEC-WEBSOCKET-VERSION", "13"),
               ("Sec-WebSocket-Protocol", "chat, superchat"), ("Sec-WebSocket-Protocol", "v2")]
    key, protocols = validate_client_request("GET", headers)
    assert key == RFC_KEY and protocols == ("chat", "superchat", "v2")


def test_multidict_with_repeated_fields():
    headers = CIMultiDict(good_request())
    headers.add("Sec-WebSocket-Protocol", "a")
    headers.add("sec-websocket-protocol", "b")
    assert validate_client_request("GET", headers).protocols == ("a", "b")


BAD_REQUESTS = {
    "POST": ("POST", good_request(), 405, [("Allow", "GET")]),
    "no Upgrade": ("GET", good_request(Upgrade=None), 400, []),
    "Upgrade: h2c": ("GET", good_request(Upgrade="h2c"), 400, []),
    "no Connection": ("GET", good_request(Connection=None), 400, []),
    "Connection: keep-alive": ("GET", good_request(Connection="keep-alive"), 400, []),
    "no key": ("GET", good_request(Sec_WebSocket_Key=None), 400, []),
    "key not base64": ("GET", good_request(Sec_WebSocket_Key="not base64!!"), 400, []),
    "key of 15 bytes": ("GET", good_request(Sec_WebSocket_Key=base64.b64encode(b"x" * 15).decode()),
                        400, []),
    "key of 17 bytes": ("GET", good_request(Sec_WebSocket_Key=base64.b64encode(b"x" * 17).decode()),
                        400, []),
    "two keys": ("GET", good_request() + [("Sec-WebSocket-Key", RFC_KEY)], 400, []),
    "version 8": ("GET", good_request(Sec_WebSocket_Version="8"), 400,
                  [("Sec-WebSocket-Version", "13")]),
    "no version": ("GET", good_request(Sec_WebSocket_Version=None), 400,
                   [("Sec-WebSocket-Version", "13")]),
}


@pytest.mark.parametrize("name", sorted(BAD_REQUESTS))
def test_bad_requests(name):
    method, headers, status, answer_headers = BAD_REQUESTS[name]
    with pytest.raises(HandshakeError) as info:
        validate_client_request(method, headers)
    assert info.value.status == status
    assert info.value.headers == answer_headers
    assert str(info.value) == info.value.message != ""


def test_choose_subprotocol_prefers_the_clients_order_like_aiohttp():
    assert choose_subprotocol(["chat", "superchat"], ["superchat", "chat"]) == "chat"
    assert choose_subprotocol(["chat"], ["superchat", "chat"]) == "chat"
    assert choose_subprotocol(["chat"], ["other"]) is None
    assert choose_subprotocol((), ["chat"]) is None
    assert choose_subprotocol(["Chat"], ["chat"]) is None      # names are compared exactly


def test_server_response_headers():
    assert server_response_headers(RFC_KEY) == [
        ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", RFC_ACCEPT)]
    assert server_response_headers(RFC_KEY, "chat")[-1] == ("Sec-WebSocket-Protocol", "chat")


def test_client_request_headers():
    assert client_request_headers(RFC_KEY) == [
        ("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Key", RFC_KEY),
        ("Sec-WebSocket-Version", "13")]
    headers = client_request_headers(RFC_KEY, ["chat", "v2"], extra={"Origin": "http://a"})
    assert headers[-2:] == [("Sec-WebSocket-Protocol", "chat, v2"), ("Origin", "http://a")]
    assert client_request_headers(RFC_KEY, extra=[("X-A", "1")])[-1] == ("X-A", "1")


def test_both_sides_agree():
    key = make_key()
    offered = validate_client_request("GET", [("Host", "h")] + client_request_headers(
        key, ["v1", "v2"])).protocols
    chosen = choose_subprotocol(offered, ["v2"])
    assert validate_server_response(101, server_response_headers(key, chosen), key,
                                    ["v1", "v2"]) == "v2"
    assert validate_server_response(101, server_response_headers(key), key, ["v1"]) is None


BAD_RESPONSES = {
    "200 OK": (200, server_response_headers(RFC_KEY), "instead of 101"),
    "wrong accept": (101, server_response_headers(make_key()), "Sec-WebSocket-Accept"),
    "no accept": (101, [("Upgrade", "websocket"), ("Connection", "Upgrade")],
                  "Sec-WebSocket-Accept"),
    "no upgrade": (101, server_response_headers(RFC_KEY)[1:], "Upgrade"),
    "no connection": (101, [h for h in server_response_headers(RFC_KEY) if h[0] != "Connection"],
                      "Connection"),
    "unrequested protocol": (101, server_response_headers(RFC_KEY, "other"), "did not offer"),
    "two protocols": (101, server_response_headers(RFC_KEY, "chat, v2"), "did not offer"),
    "extension": (101, server_response_headers(RFC_KEY)
                  + [("Sec-WebSocket-Extensions", "permessage-deflate")], "extension"),
}


@pytest.mark.parametrize("name", sorted(BAD_RESPONSES))
def test_bad_responses(name):
    status, headers, message = BAD_RESPONSES[name]
    with pytest.raises(HandshakeError, match=message) as info:
        validate_server_response(status, headers, RFC_KEY, ["chat", "v2"])
    assert info.value.status == status
