"""The codec's one named fast path: one small, whole message straight to its data.

Theory of operation.  An echo or chat server mostly receives exactly one small message per
read: a single TEXT or BINARY frame, FIN set, a 7-bit length.  ``receive_small_message``
recognises that case and returns the message's data (a str or bytes) with no Frame, no
event and no list made on the way; in every other case it returns None and changes nothing,
and ``WebSocketConnection.receive_data`` (which starts with this very call) applies every
rule.  So it is a cache of the general path, never a second set of rules: the frame checks it
makes are the same ones ``frames.parse_frame`` makes, it unmasks with ``frames.apply_mask``,
and ``tests/websocket/test_fast_paths.py`` proves with hypothesis that for any bytes it gives
what ``receive_data`` gives, or declines without a trace.

Performance notes (valgrind instructions per 16-byte echo round trip, in-process server on
a fake transport): it saved 71.3k -> 67.9k (5%) when it was introduced; the unrolled copy
of ``apply_mask`` it used to carry saved under 1% and is gone (119.3k -> 117.6k on today's
harness, together with the glue's fold; aiohttp 117k on the same harness).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Union

from .frames import apply_mask

if TYPE_CHECKING:
    from .connection import WebSocketConnection

__all__ = ["receive_small_message"]


def receive_small_message(self: "WebSocketConnection",
                          data: Union[bytes, bytearray, memoryview]) -> Union[str, bytes, None]:
    """The hot path of an echo or chat server: ``data`` is exactly one small, whole message.

    That is one TEXT or BINARY frame with FIN set and no RSV bits (first byte 0x81 or
    0x82), a 7-bit length, and the masking the role expects, arriving while no other
    message is in progress.  Returns the message's data, a str for text and bytes for
    binary, with no event made on the way.  Anything else, or anything doubtful (bad
    UTF-8, over ``max_msg_size``), returns None *and changes nothing*: pass the same bytes
    to ``receive_data``, which knows every rule and words every error.

    Discussion: ``receive_data`` starts with this very call, so its results never differ;
    glue code that calls it first (``aioteach.wsbase`` does) saves making an event for
    each message and turning it into its own message type, a third of the time spent on
    a small message.

    >>> from aioteach.websocket import WebSocketConnection
    >>> client, server = WebSocketConnection("client"), WebSocketConnection("server")
    >>> server.receive_small_message(client.send_text("hi"))
    'hi'
    >>> server.receive_small_message(client.send_ping(b"?")) is None     # not a message
    True
    """
    if self._buffer or self._msg_opcode is not None or self.state in self.INPUT_DONE:
        return None                 # in the middle of something: the general path
    size = len(data)
    if size < 2 or type(data) is not bytes:   # bytes: what transports hand us, sliced free
        return None
    first, second = data[0], data[1]
    length = second & 0x7F
    if (first != 0x81 and first != 0x82) or length > 125 or (
            self.max_msg_size and length > self.max_msg_size):
        return None
    if self._is_client:
        if second & 0x80 or size != 2 + length:
            return None
        payload = data[2:]
    else:
        if not second & 0x80 or size != 6 + length:
            return None
        payload = apply_mask(data[6:], data[2:6])
    if first == 0x82:
        return payload
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return None

