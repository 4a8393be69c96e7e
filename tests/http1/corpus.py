"""Messages the parser tests share: valid requests and responses with the events they must give.

Each entry is ``(name, wire bytes, expected events)`` with consecutive Data events merged, so
the same expectation holds however the bytes are split.  Response entries also say which
request methods the parser was told to expect.
"""
from __future__ import annotations

from aioteach.http1 import (
    END_OF_MESSAGE, Data, EndOfMessage, InformationalResponse, Request, Response,
)

__all__ = ["REQUESTS", "RESPONSES", "merge_data"]


def merge_data(events: list) -> list:
    """Join runs of Data events: how a body was split means nothing."""
    merged: list = []
    for event in events:
        if isinstance(event, Data) and merged and isinstance(merged[-1], Data):
            merged[-1] = Data(merged[-1].data + event.data)
        elif isinstance(event, Data) and not event.data:
            continue
        else:
            merged.append(event)
    return merged


GET_6 = (b"GET /index.html?q=1 HTTP/1.1\r\nHost: example.org\r\nUser-Agent: test/1.0\r\n"
         b"Accept: */*\r\nAccept-Encoding: gzip, deflate\r\nAccept-Language: en\r\n"
         b"Cookie: a=b\r\n\r\n")

REQUESTS = [
    ("get", GET_6, [
        Request("GET", "/index.html?q=1", (
            ("Host", "example.org"), ("User-Agent", "test/1.0"), ("Accept", "*/*"),
            ("Accept-Encoding", "gzip, deflate"), ("Accept-Language", "en"),
            ("Cookie", "a=b"))),
        END_OF_MESSAGE]),
    ("content-length body", b"POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world", [
        Request("POST", "/f", (("Host", "h"), ("Content-Length", "11")), content_length=11),
        Data(b"hello world"), END_OF_MESSAGE]),
    ("chunked with extensions and trailers",
     b"PUT /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"5;name=value\r\nhello\r\n1 ; x = \"q\\\"s\"\r\n \r\nA\r\n0123456789\r\n"
     b"0\r\nExpires: never\r\nX-Sum:  42 \r\n\r\n", [
        Request("PUT", "/u", (("Host", "h"), ("Transfer-Encoding", "chunked")), chunked=True),
        Data(b"hello 0123456789"),
        EndOfMessage((("Expires", "never"), ("X-Sum", "42")))]),
    ("pipelined with leading empty line and keep-alive rules",
     b"GET /1 HTTP/1.1\r\nHost: h\r\n\r\n\r\nGET /2 HTTP/1.0\r\n\r\n"
     b"GET /3 HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"
     b"GET /4 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", [
        Request("GET", "/1", (("Host", "h"),)), END_OF_MESSAGE,
        Request("GET", "/2", (), "1.0", keep_alive=False), END_OF_MESSAGE,
        Request("GET", "/3", (("Connection", "Keep-Alive"),), "1.0", keep_alive=True),
        END_OF_MESSAGE,
        Request("GET", "/4", (("Host", "h"), ("Connection", "close")), keep_alive=False),
        END_OF_MESSAGE]),
    ("expect 100-continue, OWS and empty value",
     b"POST / HTTP/1.1\r\nHost:h\r\nExpect: 100-Continue\r\nX-Empty:\r\nX-Tab:\t v \t\r\n"
     b"Content-Length: 0\r\n\r\n", [
        Request("POST", "/", (("Host", "h"), ("Expect", "100-Continue"), ("X-Empty", ""),
                              ("X-Tab", "v"), ("Content-Length", "0")),
                content_length=0, expect_continue=True),
        END_OF_MESSAGE]),
    ("identical Content-Length list", b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n"
     b"content-length: 3\r\n\r\nabc", [
        Request("POST", "/", (("Host", "h"), ("Content-Length", "3, 3"),
                              ("content-length", "3")), content_length=3),
        Data(b"abc"), END_OF_MESSAGE]),
    ("obs-text in a value", b"GET / HTTP/1.1\r\nHost: h\r\nX-Name: Jos\xe9\r\n\r\n", [
        Request("GET", "/", (("Host", "h"), ("X-Name", "Jos\xe9"))), END_OF_MESSAGE]),
]

RESPONSES = [
    ("content-length", [], b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", [
        Response(200, "OK", (("Content-Length", "5"),), content_length=5),
        Data(b"hello"), END_OF_MESSAGE]),
    ("until close", [], b"HTTP/1.1 200 OK\r\nServer: old\r\n\r\nall of this", [
        Response(200, "OK", (("Server", "old"),), keep_alive=False),
        Data(b"all of this"), END_OF_MESSAGE]),
    ("chunked with trailers", [],
     b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nT: v\r\n\r\n", [
        Response(200, "OK", (("Transfer-Encoding", "chunked"),), chunked=True),
        Data(b"abc"), EndOfMessage((("T", "v"),))]),
    ("HEAD, 204, 304, 100 then 200, 1.0", ["HEAD", "GET", "GET", "POST", "GET"],
     b"HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n"
     b"HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
     b"HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
     b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
     b"HTTP/1.0 200\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n!", [
        Response(200, "OK", (("Content-Length", "99"),)), END_OF_MESSAGE,
        Response(204, "No Content", (("Content-Length", "7"),)), END_OF_MESSAGE,
        Response(304, "Not Modified", (("Transfer-Encoding", "chunked"),)), END_OF_MESSAGE,
        InformationalResponse(100, "Continue"),
        InformationalResponse(103, "Early Hints", (("Link", "</s.css>"),)),
        Response(201, "Created", (("Content-Length", "2"), ("Connection", "close")),
                 keep_alive=False, content_length=2),
        Data(b"ok"), END_OF_MESSAGE,
        Response(200, "", (("Connection", "keep-alive"), ("Content-Length", "1")), "1.0",
                 content_length=1),
        Data(b"!"), END_OF_MESSAGE]),
    ("1.0 until close", [], b"HTTP/1.0 404 Not Found\r\n\r\ngone", [
        Response(404, "Not Found", (), "1.0", keep_alive=False), Data(b"gone"),
        END_OF_MESSAGE]),
]
