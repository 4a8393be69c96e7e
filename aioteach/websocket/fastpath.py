"""The codec's one named fast path: one whole message, alone in a read, straight to its data.

Theory of operation.  An echo or chat server mostly receives exactly one message per read:
a single TEXT or BINARY frame with FIN set, whatever its length form (7, 16 or 64 bits).
(``receive_data`` also asks it about a frame that came in several reads, once it has
joined them: the same bytes, so the same answer as if they had come in one read.)
``receive_whole_message`` recognises that case and returns the message's data (a str or
bytes) with no Frame, no event and no list made on the way; in every other case it returns
None and changes nothing, and ``WebSocketConnection.receive_data`` (which starts with this
very call) applies every rule.  So it is a cache of the general path, never a second set of
rules: the frame checks it makes are the same ones ``frames.parse_frame`` makes, it unmasks
with ``masking.mask`` (``apply_mask`` unless a faster one is plugged in), and
``tests/websocket/test_fast_paths.py`` proves with hypothesis that for any bytes it gives
what ``receive_data`` gives, or declines without a trace.

Performance notes (valgrind instructions per echo round trip, in-process server on a fake
transport, ``benchmarks/bench_websocket.py --instructions``): it saved 71.3k -> 67.9k (5%)
for 16 bytes when it was introduced.  Taking 16- and 64-bit lengths too (it used to stop
at 125 bytes) saved 185.4k -> 165.0k (11%) for 4 KiB and 1555k -> 1534k (1.4%) for 64 KiB,
where unmasking is nearly all the cost; 16 bytes pay 72.8k -> 73.2k for the two checks.
The unrolled copy of ``apply_mask`` it used to carry saved under 1% and is gone.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Union

from . import masking

if TYPE_CHECKING:
    from .connection import WebSocketConnection

__all__ = ["receive_whole_message"]

_from_bytes = int.from_bytes


def receive_whole_message(self: "WebSocketConnection",
                          data: Union[bytes, bytearray, memoryview]) -> Union[str, bytes, None]:
    """The hot path of an echo or chat server: ``data`` is exactly one whole message.

    That is one TEXT or BINARY frame with FIN set and no RSV bits (first byte 0x81 or
    0x82), with the masking the role expects, arriving while no other message is in
    progress and no partial frame waits in the buffer.  Returns the message's data, a str
    for text and bytes for binary, with no event made on the way.  Anything else, or
    anything doubtful (bad UTF-8, over ``max_msg_size``, a frame cut short or followed by
    more bytes), returns None *and changes nothing*: pass the same bytes to
    ``receive_data``, which knows every rule and words every error (``aioteach.wsbase``
    calls this first, and so makes no event for most messages).

    >>> from aioteach.websocket import WebSocketConnection
    >>> client, server = WebSocketConnection("client"), WebSocketConnection("server")
    >>> server.receive_whole_message(client.send_text("hi"))
    'hi'
    >>> len(server.receive_whole_message(client.send_bytes(bytes(70000))))   # 64-bit length
    70000
    """
    if self._pieces or self._msg_opcode is not None or self.state is not self.OPEN:
        return None                 # in the middle of something, or closing: the general path
    size = len(data)
    if size < 2 or type(data) is not bytes:   # bytes: what transports hand us, sliced free
        return None
    first, second = data[0], data[1]
    if first != 0x81 and first != 0x82:                  # FIN, no RSV, TEXT or BINARY
        return None
    length = second & 0x7F
    start = 2                       # where the masking key (or the payload) starts
    if length == 126:               # the length forms of section 5.2, as parse_frame reads them
        length, start = _from_bytes(data[2:4], "big"), 4
    elif length == 127:             # (a set top bit makes a length no read can match)
        length, start = _from_bytes(data[2:10], "big"), 10
    if self.max_msg_size and length > self.max_msg_size:
        return None                 # too big: receive_data fails the connection with 1009
    if self._is_client:
        if second & 0x80 or size != start + length:
            return None
        payload = data[start:]
    else:
        if not second & 0x80 or size != start + 4 + length:
            return None
        payload = masking.mask(data, data[start:start + 4], start + 4)   # unmasked in place
    if first == 0x82:
        return payload
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return None
