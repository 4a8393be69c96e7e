"""multipart/form-data: the body format of HTML forms that upload files, both ways, sans-I/O.

A multipart body (RFC 7578, on the syntax of RFC 2046 section 5.1) is a list of parts, each a
little message with its own header fields, separated by a *boundary* line that the sender chose
so that it appears in no part::

    --XyZ\\r\\n                                                 <- delimiter: CRLF "--" boundary
    Content-Disposition: form-data; name="title"\\r\\n
    \\r\\n
    Holiday\\r\\n
    --XyZ\\r\\n
    Content-Disposition: form-data; name="photo"; filename="beach.jpg"\\r\\n
    Content-Type: image/jpeg\\r\\n
    \\r\\n
    <jpeg bytes>\\r\\n
    --XyZ--\\r\\n                                               <- close delimiter: "--" after

Reading: ``MultipartParser(boundary).feed(data)`` returns events, at any split of the input
(one byte at a time works), so the web layer's async ``MultipartReader`` only moves bytes:

    PartHeaders(headers, name, filename, content_type)   a part begins
    PartData(data)*                                      its body, in pieces as they arrive
    PartEnd()                                            the part is complete
    End()                                                the close delimiter; the rest is ignored

Rules: bytes before the first boundary (the preamble) and after the last (the epilogue) are
ignored, as RFC 2046 says; anything else malformed raises ``MultipartError`` (a ValueError: the
server answers 400).  Limits bound what a peer can make us hold: the number of parts and the
size of one part's header block.  Part bodies stream out and are never held whole.

Writing: ``encode_multipart(fields)`` returns ``(content_type, body)``; ``iter_multipart``
yields the same bytes piece by piece.  The client's ``FormData`` uses them.
"""
from __future__ import annotations

import re
import secrets
from typing import Iterable, Iterator, List, NamedTuple, Optional, Tuple, Union
from urllib.parse import unquote as _stdlib_unquote

__all__ = [
    "MultipartError", "MultipartParser", "PartHeaders", "PartData", "PartEnd", "End",
    "parse_multipart", "parse_options_header", "parse_content_disposition",
    "encode_multipart", "iter_multipart", "make_boundary", "quote_field_value",
]

MAX_PARTS = 1000              # fields + files in one form; Starlette's default is 1000 of each
MAX_HEADER_SIZE = 8 * 1024    # one part's header block; parts carry 1-3 short fields
MAX_BOUNDARY_LINE = 1024      # a boundary line with transport padding (RFC 2046: only spaces)

# RFC 2046 5.1.1: bchars := bcharsnospace / " ", 1 to 70 of them, the last not a space.
_BOUNDARY = re.compile(rb"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]\Z")


class MultipartError(ValueError):
    """The multipart body is malformed, or breaks a limit; the message says where."""


# -- events ----------------------------------------------------------------------------------

Headers = Tuple[Tuple[str, str], ...]


class PartHeaders(NamedTuple):
    """A part begins: its header fields, with the form-data facts pulled out."""

    headers: Headers                 # (name, value) pairs as received
    name: Optional[str]              # the form field's name (Content-Disposition name=)
    filename: Optional[str]          # set for a file upload
    content_type: Optional[str]      # None means text/plain (RFC 7578 4.4)


class PartData(NamedTuple):
    """A piece of the current part's body."""

    data: bytes


class PartEnd(NamedTuple):
    """The current part's body is complete."""


class End(NamedTuple):
    """The close delimiter was seen: the form is complete."""


Event = Union[PartHeaders, PartData, PartEnd, End]


# -- header values: Content-Type, Content-Disposition ----------------------------------------

# One parameter: ; name=token  or  ; name="quoted \"string\""  (RFC 9110 5.6.6, 5.6.4)
_PARAMETER = re.compile(r';\s*([^\s=;"]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;]*))?')
_ESCAPED = re.compile(r'\\([\\"])')


def parse_options_header(value: str) -> Tuple[str, dict[str, str]]:
    """Split ``'multipart/form-data; boundary="x"'`` into ``('multipart/form-data',
    {'boundary': 'x'})``.  The main value and parameter names are lower-cased.

    RFC 8187 extended values (``filename*=UTF-8''na%C3%AFve.txt``) are decoded and win over the
    plain parameter of the same name.
    """
    main, _, rest = value.partition(";")
    params: dict[str, str] = {}
    extended: dict[str, str] = {}
    for match in _PARAMETER.finditer(";" + rest):
        name, raw = match.group(1).lower(), (match.group(2) or "").strip()
        if raw.startswith('"') and raw.endswith('"') and len(raw) >= 2:
            # Only \" and \\ are unescaped: old browsers send Windows paths raw ("C:\dir\f").
            raw = _ESCAPED.sub(r"\1", raw[1:-1])
        if name.endswith("*"):
            charset, _, encoded = raw.partition("'")
            _language, _, encoded = encoded.partition("'")
            try:
                extended[name[:-1]] = _stdlib_unquote(encoded, encoding=charset or "utf-8",
                                                      errors="strict")
            except (LookupError, UnicodeDecodeError):
                params.setdefault(name, raw)          # unknown charset: keep it undecoded
        else:
            params[name] = raw
    params.update(extended)
    return main.strip().lower(), params


def parse_content_disposition(value: str) -> Tuple[str, dict[str, str]]:
    """``'form-data; name="a"; filename="b.txt"'`` -> ``('form-data', {'name': 'a', ...})``."""
    return parse_options_header(value)


# -- the parser ------------------------------------------------------------------------------

class MultipartParser:
    """Turn the bytes of a multipart body into events; see the module docstring.

    >>> p = MultipartParser("XyZ")
    >>> p.feed(b'--XyZ\\r\\nContent-Disposition: form-data; name="a"\\r\\n\\r\\nhi\\r\\n--XyZ--')
    ... # doctest: +NORMALIZE_WHITESPACE
    [PartHeaders(headers=(('Content-Disposition', 'form-data; name="a"'),), name='a',
                 filename=None, content_type=None),
     PartData(data=b'hi'), PartEnd(), End()]
    """

    def __init__(self, boundary: Union[str, bytes], *, max_parts: int = MAX_PARTS,
                 max_header_size: int = MAX_HEADER_SIZE) -> None:
        if isinstance(boundary, str):
            boundary = boundary.encode("latin-1", "replace")
        if not _BOUNDARY.match(boundary):
            raise MultipartError(f"boundary {boundary!r} is not 1-70 allowed characters "
                                 "(RFC 2046 5.1.1); check the Content-Type header")
        self.delimiter = b"\r\n--" + boundary
        self.max_parts = max_parts
        self.max_header_size = max_header_size
        self.parts = 0
        # The first boundary may open the body with no CRLF before it: pretend there was one,
        # so that every delimiter looks alike.
        self._buffer = bytearray(b"\r\n")
        self._state = "preamble"
        self._eof = False

    def feed(self, data: bytes) -> List[Event]:
        """Take the next bytes of the body; return the events they complete."""
        if self._eof:
            raise MultipartError("feed() after feed_eof()")
        self._buffer += data
        events: List[Event] = []
        # Each step reads what it can and returns False when it needs more bytes.
        while self._STEPS[self._state](self, events):
            pass
        return events

    def feed_eof(self) -> List[Event]:
        """The body is over: fine after the close delimiter, an error anywhere before it."""
        self._eof = True
        if self._state != "epilogue":
            raise MultipartError(f"the body ended in the {self._state} before the closing "
                                 f"boundary {self.delimiter[2:].decode('latin-1')}--: "
                                 "truncated upload?")
        return []

    # -- one method per state; each consumes from the buffer ----------------------------------

    def _preamble(self, events: List[Event]) -> bool:
        at = self._buffer.find(self.delimiter)
        if at < 0:
            # Keep only a tail that could be the start of the delimiter.
            del self._buffer[:max(0, len(self._buffer) - len(self.delimiter) + 1)]
            return False
        del self._buffer[:at + len(self.delimiter)]
        self._state = "boundary line"
        return True

    def _boundary_line(self, events: List[Event]) -> bool:
        buffer = self._buffer
        if len(buffer) < 2:
            return False                              # "--" or not? one more byte will tell
        if buffer[:2] == b"--":                       # the close delimiter
            events.append(End())
            self._state = "epilogue"
            return True
        end = buffer.find(b"\r\n")
        line = buffer if end < 0 else buffer[:end]
        if line.rstrip(b"\r").strip(b" \t"):        # only transport padding may follow
            raise MultipartError("a boundary is followed by other characters: the boundary "
                                 "appears inside a part, or the Content-Type names another")
        if end < 0:
            if len(buffer) > MAX_BOUNDARY_LINE:
                raise MultipartError(f"over {MAX_BOUNDARY_LINE} bytes of padding after a "
                                     "boundary")
            return False
        del buffer[:end + 2]
        self.parts += 1
        if self.parts > self.max_parts:
            raise MultipartError(f"more than {self.max_parts} parts in one body; raise "
                                 "max_parts if forms this large are expected")
        self._state = "headers"
        return True

    def _headers(self, events: List[Event]) -> bool:
        buffer = self._buffer
        if buffer[:2] == b"\r\n":                     # no header fields at all
            block, end = b"", 2
        else:
            at = buffer.find(b"\r\n\r\n", 0, self.max_header_size + 4)
            if at < 0:
                if len(buffer) >= self.max_header_size + 4:
                    raise MultipartError(f"a part's header block is over "
                                         f"{self.max_header_size} bytes")
                return False
            block, end = bytes(buffer[:at]), at + 4
        del buffer[:end]
        events.append(_part_headers(block))
        self._state = "body"
        return True

    def _body(self, events: List[Event]) -> bool:
        buffer = self._buffer
        at = buffer.find(self.delimiter)
        if at < 0:
            # Everything but a possible start of the delimiter is part data.
            keep = len(self.delimiter) - 1
            start = buffer.find(b"\r", max(0, len(buffer) - keep))
            cut = len(buffer) if start < 0 else start
            if cut:
                events.append(PartData(bytes(buffer[:cut])))
                del buffer[:cut]
            return False
        if at:
            events.append(PartData(bytes(buffer[:at])))
        events.append(PartEnd())
        del buffer[:at + len(self.delimiter)]
        self._state = "boundary line"
        return True

    def _epilogue(self, events: List[Event]) -> bool:
        self._buffer.clear()                          # RFC 2046: the epilogue is ignored
        return False

    _STEPS = {"preamble": _preamble, "boundary line": _boundary_line, "headers": _headers,
              "body": _body, "epilogue": _epilogue}


def _part_headers(block: bytes) -> PartHeaders:
    """Parse one part's header block into a PartHeaders event.

    Discussion: browsers write a '"' in a file name as %22 (see ``quote_field_value``), but
    they leave "%" itself alone, so "100%22.txt" could be either name.  Like aiohttp, we hand
    the name over as sent and leave the guess to the application.
    """
    try:
        text = block.decode("utf-8")                  # browsers send UTF-8 file names raw
    except UnicodeDecodeError:
        text = block.decode("latin-1")
    headers = []
    for line in text.split("\r\n") if text else ():
        name, colon, value = line.partition(":")
        if not colon or not name or name != name.strip():
            raise MultipartError(f"bad header line in a part: {line[:80]!r} "
                                 "(expected 'Name: value')")
        headers.append((name, value.strip()))
    disposition = content_type = None
    for name, value in headers:
        lower = name.lower()
        if lower == "content-disposition" and disposition is None:
            disposition = value
        elif lower == "content-type" and content_type is None:
            content_type = value
    params: dict[str, str] = {}
    if disposition is not None:
        kind, params = parse_content_disposition(disposition)
        if kind != "form-data":
            raise MultipartError(f"a part's Content-Disposition is {kind!r}, "
                                 "not 'form-data' (RFC 7578 4.2)")
    return PartHeaders(tuple(headers), params.get("name"), params.get("filename"), content_type)


def parse_multipart(body: bytes, boundary: Union[str, bytes],
                    **limits: int) -> List[Tuple[PartHeaders, bytes]]:
    """A whole body at once: ``[(PartHeaders, body bytes), ...]`` (for tests and notebooks)."""
    parser = MultipartParser(boundary, **limits)
    parts: List[Tuple[PartHeaders, bytes]] = []
    chunks: List[bytes] = []
    for event in parser.feed(body) + parser.feed_eof():
        if isinstance(event, PartHeaders):
            head, chunks = event, []
        elif isinstance(event, PartData):
            chunks.append(event.data)
        elif isinstance(event, PartEnd):
            parts.append((head, b"".join(chunks)))
    return parts


# -- the writer ------------------------------------------------------------------------------

Field = Tuple[str, Union[str, bytes], Optional[str], Optional[str]]


def make_boundary() -> str:
    """A fresh random boundary: 32 hex digits from the OS's randomness (128 bits)."""
    return secrets.token_hex(16)


# RFC 7578 4.2 and the HTML standard: in a quoted name or filename, browsers write '"' as %22
# and CR, LF as %0D, %0A.  Other characters, non-ASCII included, go as UTF-8.  We also write
# a backslash as the quoted-pair "\\" (RFC 9110 5.6.4), which browsers do not: sent raw, a
# name ending in "\" reads as an escaped closing quote to our parser, aiohttp's and email's.
_FIELD_ESCAPES = str.maketrans({'"': "%22", "\r": "%0D", "\n": "%0A", "\\": "\\\\"})


def quote_field_value(value: str) -> str:
    """Quote a field name or filename for Content-Disposition, as browsers do; a backslash
    goes as the quoted-pair ``\\\\``."""
    return '"' + value.translate(_FIELD_ESCAPES) + '"'


def iter_multipart(fields: Iterable[Field], boundary: str) -> Iterator[bytes]:
    """Yield a multipart/form-data body, part by part, for ``(name, value, filename,
    content_type)`` fields.  A str value is sent as UTF-8; a file part without a content type
    is labelled application/octet-stream."""
    raw_boundary = boundary.encode("ascii")
    if not _BOUNDARY.match(raw_boundary):
        raise ValueError(f"boundary {boundary!r} must be 1-70 characters of RFC 2046 5.1.1")
    delimiter = b"\r\n--" + raw_boundary
    for name, value, filename, content_type in fields:
        data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        if delimiter in data or data.startswith(delimiter[2:]):
            raise ValueError(f"field {name!r} contains the boundary; use another boundary")
        head = "Content-Disposition: form-data; name=" + quote_field_value(name)
        if filename is not None:
            head += "; filename=" + quote_field_value(filename)
            content_type = content_type or "application/octet-stream"
        if content_type is not None:
            if "\r" in content_type or "\n" in content_type:
                raise ValueError(f"content type {content_type!r} holds a line break")
            head += "\r\nContent-Type: " + content_type
        yield b"--" + raw_boundary + b"\r\n" + head.encode("utf-8") + b"\r\n\r\n"
        yield data
        yield b"\r\n"
    yield b"--" + raw_boundary + b"--\r\n"


def encode_multipart(fields: Iterable[Field],
                     boundary: Optional[str] = None) -> Tuple[str, bytes]:
    """``(content_type, body)`` for the fields; the boundary is random unless given.

    >>> ctype, body = encode_multipart([("a", "1", None, None)], boundary="XyZ")
    >>> ctype, body
    ('multipart/form-data; boundary=XyZ', b'--XyZ\\r\\nContent-Disposition: form-data; name="a"\\r\\n\\r\\n1\\r\\n--XyZ--\\r\\n')
    """
    boundary = boundary or make_boundary()
    body = b"".join(iter_multipart(fields, boundary))
    return f"multipart/form-data; boundary={boundary}", body
