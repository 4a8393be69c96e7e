"""Content codings: undoing ``Content-Encoding: gzip`` or ``deflate`` as the body arrives.

Theory of operation (RFC 9110 section 8.4).  A server may compress the body it sends when the
request said ``Accept-Encoding: gzip, deflate``; the ``Content-Encoding`` field names what it
did.  The body is then decoded *incrementally*: each piece that arrives goes through one
``zlib.decompressobj`` and whatever comes out is handed to the reader at once, so a large
response never sits compressed in memory and a streamed one stays streamed.

    gzip (and x-gzip)  RFC 1952: a gzip header, deflate data, a CRC trailer (wbits 16 + 15)
    deflate            RFC 9110 says the zlib format (RFC 1950: a two-byte header whose low
                       nibble is 8); some servers send bare deflate data instead, so the first
                       byte decides (wbits 15, or -15 for raw)

At the end, ``finish()`` checks that the compressed stream really ended: a gzip body cut short
by the server is an error, not a silently truncated page.  Codings we do not know (br, zstd)
are passed through untouched, with the header left for the reader to see.
"""
from __future__ import annotations

import zlib
from typing import Optional

from .errors import ClientPayloadError

__all__ = ["ContentDecoder", "SUPPORTED_ENCODINGS", "ACCEPT_ENCODING"]

SUPPORTED_ENCODINGS = ("gzip", "x-gzip", "deflate")
#: What the client offers in Accept-Encoding (the standard library has no brotli or zstd).
ACCEPT_ENCODING = "gzip, deflate"


class ContentDecoder:
    """Decode one response body, piece by piece.  ``ContentDecoder.for_encoding(name)``."""

    __slots__ = ("encoding", "_zlib", "_started")

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._started = False                  # an empty body (HEAD, 204, 304) decodes to b""
        self._zlib: Optional["zlib._Decompress"] = None
        if encoding != "deflate":              # gzip: the format is known before any byte
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)

    @classmethod
    def for_encoding(cls, content_encoding: str) -> Optional["ContentDecoder"]:
        name = content_encoding.strip().lower()
        return cls(name) if name in SUPPORTED_ENCODINGS else None

    def decode(self, data: bytes) -> bytes:
        if not data:
            return b""
        self._started = True
        if self._zlib is None:                 # deflate: look at the first byte, see above
            wbits = zlib.MAX_WBITS if data[0] & 0x0F == 8 else -zlib.MAX_WBITS
            self._zlib = zlib.decompressobj(wbits)
        try:
            return self._zlib.decompress(data)
        except zlib.error as exc:
            raise ClientPayloadError(
                f"Cannot decode the {self.encoding} body: {exc} (is the Content-Encoding "
                f"header telling the truth?)") from exc

    def finish(self) -> bytes:
        """Whatever zlib still holds; an error if the compressed stream did not end."""
        if not self._started or self._zlib is None:
            return b""
        tail = self._zlib.flush()
        if not self._zlib.eof:
            raise ClientPayloadError(
                f"The {self.encoding} body ended before its compressed stream did: the "
                f"response was cut short")
        return tail
