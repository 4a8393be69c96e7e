"""Reading a message head: the start line, the field lines, and the framing facts they imply.

A head is everything before the first empty line (RFC 9112 section 2.1)::

    GET /hello HTTP/1.1\\r\\n          <- start line (request line, or status line)
    Host: example.org\\r\\n            <- field lines, "name: value"
    \\r\\n                             <- the empty line that ends the head

The parser (parser.py) waits until the whole head is in its buffer, then hands its bytes here;
they are decoded as latin-1 (each byte becomes the code point of the same number).  Rules:

* Every line is checked once for bytes that can never be in a head: a bare CR or LF (every
  line ends with CR LF; split at CR LF, a line still holding one has a bare one) and control
  characters but HTAB (RFC 9110 5.5).  The start line is checked by split_head, each field
  line when parse_fields first meets it.
* Each field line is split once at its first colon.  The name must be a token with nothing
  between it and the colon (RFC 9112 5.1: whitespace there is a 400, it is a smuggling
  vector); the value loses its surrounding optional whitespace (OWS = SP / HTAB).
* Only a handful of fields decide how the message is framed or whether the connection lives
  on (FRAMING_FIELDS).  Their lowercased names are collected into a small dict as we go, so
  the framing decisions (RFC 9112 sections 6.1-6.3 and 9.3) read a few dict entries instead
  of searching all the headers again.

Performance notes.  A client sends the same field lines again and again (a browser's
User-Agent, Accept, Accept-Encoding ... lines are byte for byte the same on every request), so
``parse_fields`` keeps what ``parse_field_line`` made of each line it has seen: one dict
lookup then replaces the checks, the split and the strip.  It is a cache of the general path
(the entry is parse_field_line's own answer; tests/http1/test_fields_cache.py checks with
hypothesis that both give the same headers and errors).  Saving (valgrind, one
``RequestParser.feed`` of a Chromium-like head of 9 fields): 71.5k -> 44.5k instructions,
with the start line checked alone instead of a whole-head pass.  Credentials
(Cookie, Authorization) and lines over 512 characters are never kept; at 1024 lines the cache
starts over, so a peer that invents lines costs us the general path, never memory.
The same cache has a second key: ``parse_field_block`` takes the field lines of a request
head as one string, and a block whose every line was kept is kept whole (its headers and
framing as parse_fields gave them), so a browser's repeated block costs one lookup instead of
a split and a lookup per line: 40.6k -> 24.9k instructions per feed of the same head
(tests/http1/test_fields_cache.py checks the blocks with hypothesis too).  At most 256
blocks of up to 4096 characters.

Everything the peer can get wrong raises RemoteProtocolError with the status a server should
answer: 400 for bad syntax, 431 for too many or too long fields, 501 for a transfer coding we
do not implement, 505 for an HTTP major version other than 1.
"""
from __future__ import annotations

from .abnf import (
    CONTENT_LENGTH_MAX_DIGITS, forbidden_in_head_re, host_re, http_version_re, token_re,
)
from .errors import RemoteProtocolError

__all__ = [
    "FRAMING_FIELDS", "VALID_HOSTS", "split_head", "check_line", "check_lines",
    "refuse_head_byte", "parse_version", "parse_fields", "parse_field_block", "parse_field_line",
    "is_kept_block", "check_line_sizes", "check_host", "parse_content_length",
    "connection_tokens", "keeps_alive", "is_chunked",
]

# The fields whose values change how we read the message or the connection:
#   content-length, transfer-encoding  body framing (RFC 9112 6.1-6.3)
#   connection                         keep-alive / close / upgrade (RFC 9112 9.3, RFC 9110 7.6.1)
#   host                               required once in HTTP/1.1 requests (RFC 9112 3.2)
#   expect                             "100-continue" (RFC 9110 10.1.1)
#   upgrade                            the protocol asked for (RFC 9110 7.8)
FRAMING_FIELDS = frozenset(
    {"content-length", "transfer-encoding", "connection", "host", "expect", "upgrade"})

# Field name -> its lowercase form if it is one of FRAMING_FIELDS, else "", for names already
# found to be valid tokens.  A server sees the same two dozen names over and over; one dict
# lookup then replaces a regex match, a lower() call and a set lookup per field.  Only valid
# names go in, and at most 1024 of them, so a peer that invents names costs us the regex,
# never memory.
_NAME_CACHE: dict[str, str] = {}
_NAME_CACHE_MAX = 1024

# Host values already found valid (check_host).  A server hears the same few over and over,
# so a set lookup replaces the regex; at most 256 go in, so a peer that invents hosts costs
# us the regex, never memory.
VALID_HOSTS: set[str] = set()
_VALID_HOSTS_MAX = 256

# Field line -> what parse_field_line made of it: ((name, value), framing name or "").  See
# "Performance notes" above for what is kept and why.
_FIELD_LINES: dict[str, tuple[tuple[str, str], str]] = {}
_FIELD_LINES_MAX = 1024
_KEPT_LINE_MAX = 512
_NEVER_KEPT = frozenset({"cookie", "authorization", "proxy-authorization"})
# Field block (the lines after the start line, CRLF between them) -> parse_fields' answer,
# for blocks whose every line is in _FIELD_LINES.  The framing dicts are shared: read only.
_FIELD_BLOCKS: dict[str, tuple[tuple[tuple[str, str], ...], dict[str, list[str]]]] = {}
_FIELD_BLOCKS_MAX = 256
_KEPT_BLOCK_MAX = 4096

# "HTTP/1.1" -> "1.1": the two versions this library speaks.
_VERSIONS = {"HTTP/1.1": "1.1", "HTTP/1.0": "1.0"}


def split_head(raw: bytes | bytearray) -> list[str]:
    """Decode a head (without its final empty line) and split it into lines.

    The start line is checked for bad bytes here (``check_line``); the field lines are
    checked by ``parse_fields``.
    """
    lines = raw.decode("latin-1").split("\r\n")
    if not lines[0].isprintable():
        check_line(lines[0])
    return lines


def check_line(line: str) -> None:
    """400 for a bare CR or LF or a control character but HTAB in one line of a head.

    ``str.isprintable()`` is one C pass that is True for a clean line of ASCII, so callers ask
    it first and call this only when it is False, which it also is for HTAB and for some
    obs-text (0x80-0xA0, 0xAD): those are allowed, so only then do we look closer.
    """
    if "\r" in line or "\n" in line:
        raise RemoteProtocolError(
            "bare CR or LF inside the head: every line must end with CR LF (RFC 9112 2.2)")
    bad = forbidden_in_head_re.search(line)
    if bad is not None:
        raise RemoteProtocolError(
            f"control character {bad.group()!r} in the head: only HTAB is allowed "
            "(RFC 9110 5.5 forbids NUL, CR, LF and other controls in fields)")


def refuse_head_byte(byte: bytes) -> None:
    """400 for a byte that can never be part of a head (abnf.never_in_head_re), found while
    the head is still arriving."""
    if byte in (b"\r", b"\n"):
        raise RemoteProtocolError(
            "bare CR or LF inside the head: every line must end with CR LF (RFC 9112 2.2)")
    raise RemoteProtocolError(
        f"control character {byte!r} in the head: only HTAB is allowed (RFC 9110 5.5); "
        "these bytes are probably not HTTP/1.1 at all")


def parse_version(text: str, where: str) -> str:
    """"HTTP/1.1" -> "1.1".  505 for a well-formed other major version, 400 for the rest.

    Discussion: RFC 9110 2.5 lets a recipient treat "HTTP/1.2" as the highest 1.x it knows.
    No HTTP/1.2 exists, and a peer sending one is far more likely confused or probing than
    from the future, so we refuse it with 400 like any other malformed version.
    """
    version = _VERSIONS.get(text)
    if version is not None:
        return version
    match = http_version_re.fullmatch(text)
    if match is not None and match.group(1) != "1":
        raise RemoteProtocolError(
            f"HTTP version {text!r} in the {where} is not supported: this library speaks "
            "HTTP/1.0 and HTTP/1.1", status=505)
    raise RemoteProtocolError(
        f"malformed HTTP version {text[:20]!r} in the {where}: expected exactly 'HTTP/1.1' "
        "or 'HTTP/1.0' (RFC 9112 2.3: the name is case-sensitive)")


def parse_fields(lines: list[str], max_headers: int,
                 ) -> tuple[tuple[tuple[str, str], ...], dict[str, list[str]]]:
    """Turn field lines into ``(headers, framing)``.

    ``headers`` keeps every field as ``(name, value)`` in order and original case;
    ``framing`` maps the lowercased names in FRAMING_FIELDS to their values, in order.
    The lines must have passed the caller's line-length check.
    """
    if len(lines) > max_headers:
        raise RemoteProtocolError(
            f"{len(lines)} header fields, more than the limit of {max_headers}", status=431)
    headers = []
    framing: dict[str, list[str]] = {}
    seen = _FIELD_LINES
    for line in lines:
        entry = seen.get(line)
        if entry is None:
            entry = parse_field_line(line)
        headers.append(entry[0])
        framing_name = entry[1]
        if framing_name:
            if framing_name in framing:
                framing[framing_name].append(entry[0][1])
            else:
                framing[framing_name] = [entry[0][1]]
    return tuple(headers), framing


def parse_field_block(block: str, max_headers: int, keep: bool = True,
                      ) -> tuple[tuple[tuple[str, str], ...], dict[str, list[str]]]:
    """``parse_fields`` for the field lines of a head given as one string (``"A: 1\r\nB: 2"``,
    "" for none), from the cache of whole blocks when it holds this one (see the module
    docstring).  ``keep=False`` neither looks nor keeps (a client's response heads differ
    in their Date and length on every response).  The framing dict must not be changed."""
    if keep:
        entry = _FIELD_BLOCKS.get(block)
        if entry is not None and len(entry[0]) <= max_headers:
            return entry
    lines = block.split("\r\n") if block else []
    entry = parse_fields(lines, max_headers)
    if keep and len(block) <= _KEPT_BLOCK_MAX and all(line in _FIELD_LINES for line in lines):
        if len(_FIELD_BLOCKS) >= _FIELD_BLOCKS_MAX:
            _FIELD_BLOCKS.clear()                 # start over, as the line cache does
        _FIELD_BLOCKS[block] = entry
    return entry


def is_kept_block(block: str) -> bool:
    """Is this field block in the cache of blocks (so it holds no credential, no long line)?"""
    return block in _FIELD_BLOCKS


def check_lines(lines: list[str]) -> None:
    """``check_line`` for every line that ``str.isprintable`` does not clear at once."""
    for line in lines:
        if not line.isprintable():
            check_line(line)


def parse_field_line(line: str) -> tuple[tuple[str, str], str]:
    """Check one field line; return ``((name, value), its framing name or "")``."""
    if not line.isprintable():
        check_line(line)
    name, colon, value = line.partition(":")
    if not colon:
        _refuse_line_without_colon(line)
    # One lookup answers two questions: is the name valid (it is in the cache), and does it
    # matter for framing (its entry is the lowercase name, else "").
    framing_name = _NAME_CACHE.get(name)
    if framing_name is None:
        framing_name = _check_name(name)
    entry = ((name, value.strip(" \t")), framing_name)
    if len(line) <= _KEPT_LINE_MAX and name.lower() not in _NEVER_KEPT:
        if len(_FIELD_LINES) >= _FIELD_LINES_MAX:
            _FIELD_LINES.clear()            # start over: the lines heard now are kept
        _FIELD_LINES[line] = entry
    return entry


def check_line_sizes(lines: list[str], max_field_size: int) -> None:
    """431 if a field line is longer than ``max_field_size`` (the start line is not checked)."""
    for line in lines[1:]:
        if len(line) > max_field_size:
            raise RemoteProtocolError(
                f"header field {line.partition(':')[0][:40]!r} is {len(line)} bytes long, "
                f"more than the limit of {max_field_size}", status=431)


def check_host(value: str) -> None:
    """400 unless ``value`` is a valid Host: an authority without userinfo (RFC 9112 3.2,
    RFC 3986 3.2), such as ``example.org``, ``127.0.0.1:8080``, ``[::1]:80`` or empty."""
    if value in VALID_HOSTS:
        return
    if host_re.fullmatch(value) is None:
        raise RemoteProtocolError(
            f"invalid Host {value[:60]!r}: expected host[:port], such as example.org:8080, "
            "without spaces, slashes or '@' (RFC 9112 3.2, RFC 3986 3.2)")
    if len(VALID_HOSTS) < _VALID_HOSTS_MAX:
        VALID_HOSTS.add(value)


def _refuse_line_without_colon(line: str) -> None:
    if line[:1] in (" ", "\t"):
        _refuse_obs_fold()
    raise RemoteProtocolError(
        f"header line without a colon: {line[:40]!r} (expected 'Name: value', RFC 9112 5)")


def _refuse_obs_fold() -> None:
    raise RemoteProtocolError(
        "header line starts with whitespace: obsolete line folding is not allowed "
        "(RFC 9112 5.2); send the value on one line")


def _check_name(name: str) -> str:
    """Validate a field name the cache has not seen: its lowercase form if it is a framing
    field, else ""."""
    if token_re.fullmatch(name) is None:
        if name[:1] in (" ", "\t"):
            _refuse_obs_fold()
        if name and name.rstrip(" \t") != name:
            raise RemoteProtocolError(
                f"whitespace between the header name {name.rstrip()[:40]!r} and its colon "
                "(RFC 9112 5.1 requires a 400 for this)")
        raise RemoteProtocolError(
            f"invalid header name {name[:40]!r}: a name is a token, letters, digits and "
            "!#$%&'*+-.^_`|~ only (RFC 9110 5.1)")
    lname = name.lower()
    framing_name = lname if lname in FRAMING_FIELDS else ""
    if len(_NAME_CACHE) < _NAME_CACHE_MAX:
        _NAME_CACHE[name] = framing_name
    return framing_name


def parse_content_length(values: list[str]) -> int:
    """The body length from one or more Content-Length values (RFC 9110 8.6, RFC 9112 6.3).

    Several fields, or a comma-separated list, are accepted only when every member is the
    same number ("5, 5"); anything else means two parties could disagree on where the body
    ends, which is how request smuggling starts, so it is a 400.
    """
    if len(values) == 1:                      # the common case: one plain number
        value = values[0]
        if value.isdigit() and value.isascii() and len(value) <= CONTENT_LENGTH_MAX_DIGITS:
            return int(value)
    lengths = set()
    for value in values:
        for item in value.split(","):
            item = item.strip(" \t")
            # isascii(): str.isdigit() also accepts "²" and other Unicode digits.
            if not (item.isdigit() and item.isascii()):
                raise RemoteProtocolError(
                    f"malformed Content-Length {value[:30]!r}: digits only, no sign or "
                    "spaces (RFC 9110 8.6)")
            if len(item) > CONTENT_LENGTH_MAX_DIGITS:
                raise RemoteProtocolError(
                    f"Content-Length {item[:30]}... has more than "
                    f"{CONTENT_LENGTH_MAX_DIGITS} digits")
            lengths.add(int(item))
    if len(lengths) != 1:
        raise RemoteProtocolError(
            f"conflicting Content-Length values {values!r}: the body length must be "
            "unambiguous (RFC 9112 6.3)")
    return lengths.pop()


def connection_tokens(values: list[str] | None) -> set[str]:
    """The lowercased options of the Connection fields: {"close"}, {"keep-alive", "upgrade"}."""
    if not values:
        return set()
    if len(values) == 1 and "," not in values[0]:     # one option, the usual case
        return {values[0].lower()}                    # (parse_fields already stripped OWS)
    return {token.strip(" \t").lower() for value in values for token in value.split(",")}


def keeps_alive(version: str, options: set[str]) -> bool:
    """May the connection carry another message after this one?  (RFC 9112 9.3)

    HTTP/1.1 persists unless a Connection option says "close"; HTTP/1.0 persists only when
    one says "keep-alive" (the 1.0 extension that 1.1 made the default).
    """
    if "close" in options:
        return False
    return version == "1.1" or "keep-alive" in options


def is_chunked(values: list[str], status: int) -> bool:
    """Check Transfer-Encoding: only exactly "chunked" is implemented (RFC 9112 6.1, 7).

    Simplification: RFC 9112 allows codings before the final "chunked" ("gzip, chunked").
    Nobody sends them in practice and supporting them means decompressing inside the
    framing layer, so we answer ``status`` (501 Not Implemented for requests, RFC 9112 6.1).
    """
    coding = ",".join(values).strip(" \t").lower()
    if coding != "chunked":
        raise RemoteProtocolError(
            f"Transfer-Encoding {','.join(values)[:40]!r} is not supported: only 'chunked' "
            "alone is implemented", status=status)
    return True
