"""Every message gives the same events whole, one byte at a time, and split at any point."""
from __future__ import annotations

import pytest

from aioteach.http1 import RequestParser, ResponseParser

from .corpus import REQUESTS, RESPONSES, merge_data


def request_parser(methods):
    return RequestParser()


def response_parser(methods):
    parser = ResponseParser()
    for method in methods:
        parser.expect(method)
    return parser


def parse_in_pieces(make, methods, pieces):
    parser = make(methods)
    events = []
    for piece in pieces:
        events += parser.feed(piece)
    events += parser.feed_eof()
    return merge_data(events)


CASES = ([(name, request_parser, [], wire, expected) for name, wire, expected in REQUESTS]
         + [(name, response_parser, methods, wire, expected)
            for name, methods, wire, expected in RESPONSES])


@pytest.mark.parametrize("name, make, methods, wire, expected", CASES,
                         ids=[case[0] for case in CASES])
def test_whole_bytewise_and_every_split(name, make, methods, wire, expected):
    assert parse_in_pieces(make, methods, [wire]) == expected
    assert parse_in_pieces(make, methods, [wire[i:i + 1] for i in range(len(wire))]) == expected
    for cut in range(len(wire) + 1):
        assert parse_in_pieces(make, methods, [wire[:cut], wire[cut:]]) == expected, cut
