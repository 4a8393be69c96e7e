"""Writing messages: heads and chunks as bytes (RFC 9112 sections 3, 4, 5 and 7.1).

Pure functions: the asyncio server calls ``serialize_response_head`` once per response, the
client ``serialize_request_head`` once per request, and both frame streamed bodies with
``encode_chunk`` and ``LAST_CHUNK`` / ``serialize_trailers``.

Rule: nothing goes on the wire that our own parser would refuse.  A CR or LF smuggled into a
header value would let whoever controls that value write extra header lines or a whole second
response ("response splitting"), so every name must be a token and no value, reason or target
may hold CR, LF, NUL or another control character but HTAB (RFC 9110 5.5).  A violation is a
LocalProtocolError naming the bad field: the bug is in the calling code.

The check is made on the finished head at once (one ``str.isprintable()`` pass), and only when
that fails do we walk the fields to say which one is to blame.
Field names are remembered once validated, like the parser does.

Discussion: encoding.  Heads are text in latin-1 (one byte per character, RFC 9110 5.5
obs-text) for the parser, but we *encode* with UTF-8, as aiohttp does, so that a handler
setting ``X-Name: José`` works the same on both.  ASCII, the overwhelming case, is identical.
"""
from __future__ import annotations

from typing import Iterable

from .abnf import forbidden_in_head_re, token_re
from .errors import LocalProtocolError
from .status import STATUS_REASONS, reason_phrase

__all__ = [
    "serialize_response_head", "serialize_request_head", "validate_field", "encode_chunk",
    "LAST_CHUNK", "serialize_trailers", "STATUS_REASONS", "reason_phrase",
]

# RFC 9112 7.1: last-chunk = 1*("0") [ chunk-ext ] CRLF, then the (empty) trailer section.
LAST_CHUNK = b"0\r\n\r\n"

_VALID_NAMES: set[str] = set()       # names already checked (at most 1024, see _finish)
_VALID_NAMES_MAX = 1024


def validate_field(name: str, value: str) -> None:
    """Raise LocalProtocolError unless ``name: value`` is a field we may send."""
    if token_re.fullmatch(name) is None:
        raise LocalProtocolError(
            f"header name {name!r} is not a token: letters, digits and !#$%&'*+-.^_`|~ only "
            "(RFC 9110 5.1)")
    _check_text(value, f"header {name!r}")


def _check_text(text: str, what: str) -> None:
    bad = forbidden_in_head_re.search(text)
    if bad is not None or "\r" in text or "\n" in text:
        char = bad.group() if bad is not None else ("\r" if "\r" in text else "\n")
        raise LocalProtocolError(
            f"{what} contains {char!r}: CR, LF, NUL and other control characters would break "
            "the message (header injection); remove them or encode the value")


def _finish(first_line: str, headers: Iterable[tuple[str, str]],
            parts: tuple[tuple[str, str], ...]) -> bytes:
    """Join the start line and fields into a head, and check it as one string.

    ``parts`` names the pieces of the start line that came from the caller, for the hint.
    """
    lines = [first_line]
    names = _VALID_NAMES
    for name, value in headers:
        if name not in names:
            if token_re.fullmatch(name) is None:
                validate_field(name, value)            # raises, naming the field
            if len(names) < _VALID_NAMES_MAX:
                names.add(name)
        lines.append(f"{name}: {value}")
    # Before the CR LFs go in, a clean head has no control characters at all, which one
    # isprintable() pass confirms.  It also says False for HTAB and some harmless non-ASCII
    # (NBSP, U+2028...), so only then do we look for what is really forbidden.
    text = "".join(lines)
    if not text.isprintable() and (
            "\r" in text or "\n" in text or forbidden_in_head_re.search(text) is not None):
        for what, part in parts:                       # the start line's pieces ...
            _check_text(part, what)
        for line in lines[1:]:                         # ... or a field: raise, naming it
            name, _, value = line.partition(": ")
            validate_field(name, value)
    lines.append("\r\n")
    return "\r\n".join(lines).encode("utf-8")


# "HTTP/1.1 200 OK" for every status in the table: the line most responses start with,
# built once instead of formatted per response.
_STATUS_LINES = {(status, version): f"HTTP/{version} {status} {reason}"
                 for status, reason in STATUS_REASONS.items() for version in ("1.1", "1.0")}


def serialize_response_head(status: int, headers: Iterable[tuple[str, str]],
                            reason: str | None = None, version: str = "1.1") -> bytes:
    """``HTTP/1.1 200 OK\\r\\n`` + one line per field + the empty line, as bytes.

    >>> serialize_response_head(200, [("Content-Length", "2")])
    b'HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\n'
    """
    if reason is None:
        first_line = _STATUS_LINES.get((status, version))
        if first_line is None:
            first_line = f"HTTP/{version} {status} {reason_phrase(status)}"
    else:
        first_line = f"HTTP/{version} {status} {reason}"
    return _finish(first_line, headers, (("reason phrase", reason or ""), ("version", version)))


def serialize_request_head(method: str, target: str, headers: Iterable[tuple[str, str]],
                           version: str = "1.1") -> bytes:
    """``GET /path HTTP/1.1\\r\\n`` + one line per field + the empty line, as bytes."""
    if token_re.fullmatch(method) is None:
        raise LocalProtocolError(f"method {method!r} is not a token (RFC 9110 9.1)")
    if not target or " " in target or "\t" in target:
        raise LocalProtocolError(
            f"request target {target!r} is empty or contains whitespace: percent-encode it "
            "(RFC 9112 3.2)")
    return _finish(f"{method} {target} HTTP/{version}", headers,
                   (("request target", target), ("version", version)))


def encode_chunk(data: bytes) -> bytes:
    """One chunk of a chunked body: size in hex, CRLF, the bytes, CRLF (RFC 9112 7.1).

    Empty data gives b"": a chunk of size 0 is the *last* chunk and would end the body.
    """
    if not data:
        return b""
    return b"%x\r\n%b\r\n" % (len(data), data)


def serialize_trailers(trailers: Iterable[tuple[str, str]]) -> bytes:
    """The last chunk followed by trailer fields and the final empty line (RFC 9112 7.1.2)."""
    lines = []
    for name, value in trailers:
        validate_field(name, value)
        lines.append(f"{name}: {value}\r\n")
    return b"0\r\n" + "".join(lines).encode("utf-8") + b"\r\n"
