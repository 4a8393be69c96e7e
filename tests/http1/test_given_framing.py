"""rules.given_request_framing: the framing fields a caller wrote, checked against RFC 9112 6."""
from __future__ import annotations

import pytest

from aioteach.http1.rules import CHUNKED, LENGTH, given_request_framing


@pytest.mark.parametrize("lengths, codings, chunked, framing", [
    ([], [], False, None),                        # nothing written: the body decides
    ([], [], True, None),
    (["12"], [], False, LENGTH),
    ([], ["chunked"], False, CHUNKED),
    ([], ["Chunked"], False, CHUNKED),             # coding names are case-insensitive (6.1)
    ([], ["gzip, chunked"], False, CHUNKED),       # the caller gzipped, we chunk
    ([], ["gzip", "chunked"], False, CHUNKED),     # two field lines are one list (RFC 9110 5.3)
])
def test_what_the_callers_fields_say(lengths, codings, chunked, framing):
    assert given_request_framing(lengths, codings, chunked) == framing


@pytest.mark.parametrize("lengths, codings, chunked, message", [
    (["5"], ["chunked"], False, "cannot both be set"),           # RFC 9112 6.2
    (["5"], ["gzip"], False, "cannot both be set"),
    (["5"], [], True, "chunked can not be set if Content-Length header is set"),   # aiohttp's
    ([], ["chunked"], True, 'chunked can not be set if "Transfer-Encoding: chunked"'),
    ([], ["gzip"], False, "final coding"),                       # RFC 9112 6.1
    ([], ["chunked, gzip"], False, "final coding"),
    ([], ["chunked, chunked"], False, "appear once"),
    ([], [""], False, "final coding"),
])
def test_what_no_server_could_delimit_is_refused(lengths, codings, chunked, message):
    with pytest.raises(ValueError, match=message):
        given_request_framing(lengths, codings, chunked)
