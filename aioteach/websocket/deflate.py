"""permessage-deflate (RFC 7692): compressed WebSocket messages, negotiated in the handshake.

Every browser offers it (``Sec-WebSocket-Extensions: permessage-deflate;
client_max_window_bits``), and aiohttp's server accepts by default.  Two parts:

* the offer and the answer (RFC 7692 section 7.1), as pure functions on header values:
  ``client_offer`` (what ``ws_connect(compress=15)`` sends), ``negotiate`` (the server picks the
  first offer it can honour, or none) and ``accept_response`` (the client checks the server
  asked for nothing it did not offer).  All three agree on one ``DeflateParams``;
* the compression itself (section 7.2), ``MessageDeflate``: a message's payload is DEFLATE data
  (zlib's raw format), flushed with Z_SYNC_FLUSH, whose last four bytes ``00 00 ff ff`` are
  left off the wire and put back by the receiver.  The first frame of a compressed message has
  RSV1 set (section 6); ``connection.py`` checks that bit and calls ``compress``/``decompress``.

"Context takeover" means keeping the compression window from one message to the next (better
compression, 32 KiB of memory each way).  A side that is asked for ``*_no_context_takeover``
starts every message with a fresh compressor.  The receiver never needs to know: a
decompressor that keeps its window can read data that never refers back to it.

Simplification: window sizes of 8 bits are declined (zlib's raw DEFLATE cannot compress with
a 256-byte window; section 7.1.2.1 lets a server decline any offer); no other extension is
known, so the answer names at most this one.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple

from .codes import WSCloseCode
from .errors import FrameError

__all__ = ["DeflateParams", "MessageDeflate", "parse_extensions", "negotiate", "client_offer",
           "accept_response", "EXTENSION_NAME"]

EXTENSION_NAME = "permessage-deflate"
# Section 7.2.1: the end of a Z_SYNC_FLUSH block, which senders strip and receivers restore.
SYNC_TAIL = b"\x00\x00\xff\xff"
# Section 7.1.2: window bits are 8..15; zlib's raw DEFLATE compresses with 9..15 only.
WINDOW_BITS = range(9, 16)


@dataclass(frozen=True)
class DeflateParams:
    """What both sides agreed on (section 7.1): context takeover and window bits per side."""

    server_no_context_takeover: bool = False
    client_no_context_takeover: bool = False
    server_max_window_bits: int = 15
    client_max_window_bits: int = 15

    def header_value(self) -> str:
        """The server's answer, ``Sec-WebSocket-Extensions: permessage-deflate; ...``."""
        parts = [EXTENSION_NAME]
        if self.server_no_context_takeover:
            parts.append("server_no_context_takeover")
        if self.client_no_context_takeover:
            parts.append("client_no_context_takeover")
        if self.server_max_window_bits != 15:
            parts.append(f"server_max_window_bits={self.server_max_window_bits}")
        if self.client_max_window_bits != 15:
            parts.append(f"client_max_window_bits={self.client_max_window_bits}")
        return "; ".join(parts)


Extension = Tuple[str, Dict[str, Optional[str]]]


def parse_extensions(value: Optional[str]) -> List[Extension]:
    """``"a; x=1, b"`` -> ``[("a", {"x": "1"}), ("b", {})]`` (RFC 6455 section 9.1's grammar).

    A parameter given twice makes that offer ``("", {})``, which no one accepts (RFC 7692
    section 7.1: such an offer must be declined).
    """
    offers: List[Extension] = []
    for item in (value or "").split(","):
        name, *params = [part.strip() for part in item.split(";")]
        if not name:
            continue
        found: Dict[str, Optional[str]] = {}
        for param in params:
            key, has_value, raw = param.partition("=")
            key = key.strip().lower()
            if key in found:
                name = ""
            found[key] = raw.strip().strip('"') if has_value else None
        offers.append((name.lower(), found))
    return offers


def _bits(value: Optional[str]) -> Optional[int]:
    """A window-bits value, or None if it is not one we can use."""
    if value is None or not value.isdigit() or int(value) not in WINDOW_BITS:
        return None
    return int(value)


def _params_from_offer(params: Dict[str, Optional[str]]) -> Optional[DeflateParams]:
    """The server's choice for one client offer, or None to decline it (section 7.1)."""
    known = {"server_no_context_takeover", "client_no_context_takeover",
             "server_max_window_bits", "client_max_window_bits"}
    if set(params) - known:
        return None
    server_bits = 15
    if "server_max_window_bits" in params:
        chosen = _bits(params["server_max_window_bits"])
        if chosen is None:
            return None
        server_bits = chosen
    client_value = params.get("client_max_window_bits")
    if client_value is not None and _bits(client_value) is None:
        return None
    for flag in ("server_no_context_takeover", "client_no_context_takeover"):
        if params.get(flag) is not None:
            return None                    # these take no value (section 7.1.1)
    return DeflateParams(server_no_context_takeover="server_no_context_takeover" in params,
                         client_no_context_takeover="client_no_context_takeover" in params,
                         server_max_window_bits=server_bits,
                         client_max_window_bits=_bits(client_value) or 15)


def negotiate(offer_header: Optional[str]) -> Optional[DeflateParams]:
    """The server's side: the first permessage-deflate offer we can honour, or None.

    >>> negotiate("permessage-deflate; client_max_window_bits").header_value()
    'permessage-deflate'
    >>> negotiate("permessage-deflate; server_max_window_bits=8") is None   # declined
    True
    """
    for name, params in parse_extensions(offer_header):
        if name == EXTENSION_NAME:
            chosen = _params_from_offer(params)
            if chosen is not None:
                return chosen
    return None


def client_offer(compress: int = 15) -> str:
    """What ``ws_connect(compress=N)`` sends: aiohttp's offer (N = the server's window bits)."""
    if compress not in WINDOW_BITS:
        raise ValueError(f"compress is window bits, 9 to 15 (zlib has no 8), not {compress}")
    offer = f"{EXTENSION_NAME}; client_max_window_bits"
    return offer if compress == 15 else f"{offer}; server_max_window_bits={compress}"


def accept_response(answer_header: Optional[str], compress: int) -> Optional[DeflateParams]:
    """The client's side: what the server agreed to, or None if it declined.

    Raises ``ValueError`` (the handshake fails) for an answer we could not have asked for:
    another extension, an unknown parameter, or a window larger than we offered.
    """
    answers = parse_extensions(answer_header)
    if not answers:
        return None
    if len(answers) > 1 or answers[0][0] != EXTENSION_NAME:
        raise ValueError(f"the server chose an extension we did not offer: {answer_header!r}")
    chosen = _params_from_offer(answers[0][1])
    if chosen is None or chosen.server_max_window_bits > compress:
        raise ValueError(f"the server's permessage-deflate parameters are not the ones we "
                         f"offered: {answer_header!r}")
    return chosen


class MessageDeflate:
    """One side's compressor and decompressor (section 7.2).  ``role`` is ours."""

    def __init__(self, params: DeflateParams, role: str) -> None:
        is_server = role == "server"
        self.params = params
        self._reset_each_message = (params.server_no_context_takeover if is_server
                                    else params.client_no_context_takeover)
        self._window_bits = (params.server_max_window_bits if is_server
                             else params.client_max_window_bits)
        self._compressor = self._new_compressor()
        # Window 15 reads what any window up to 15 wrote (the peer's choice never matters).
        self._decompressor = zlib.decompressobj(-15)

    def _new_compressor(self) -> "zlib._Compress":
        return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -self._window_bits)

    def compress(self, data: bytes, fin: bool = True) -> bytes:
        """The wire payload of one frame; ``fin`` ends the message (its tail is stripped)."""
        out = self._compressor.compress(data) + self._compressor.flush(zlib.Z_SYNC_FLUSH)
        if not fin:
            return out                         # the next fragment continues the stream
        if self._reset_each_message:
            self._compressor = self._new_compressor()
        return out[:-4] if out.endswith(SYNC_TAIL) else out

    def decompress(self, data: bytes, max_size: int = 0) -> bytes:
        """A whole message's payload, inflated.  ``max_size`` (0: none) bounds the result:
        a small frame may inflate to gigabytes (a "zip bomb"), refused with 1009."""
        try:
            out = self._decompressor.decompress(data + SYNC_TAIL, max_size)
        except zlib.error as exc:
            raise FrameError(WSCloseCode.PROTOCOL_ERROR,
                             f"permessage-deflate data that does not inflate ({exc})") from None
        if self._decompressor.unconsumed_tail:
            raise FrameError(WSCloseCode.MESSAGE_TOO_BIG,
                             f"message too big: it inflates past max_msg_size ({max_size})")
        return out
