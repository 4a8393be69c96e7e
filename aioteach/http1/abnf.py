"""The grammar of HTTP/1.1, as compiled regular expressions with the RFC's ABNF above each.

The parser and the writer both check bytes against these patterns, so the rules live in one
place and a learner can hold the RFC text next to the code.  Each pattern is meant for
``fullmatch`` (or ``search`` for the "forbidden character" ones) on a whole line or a whole
head at once: one pass in C instead of a Python loop over bytes.

Sources: RFC 9110 section 5 (fields) and 5.6 (common rules: token, quoted-string, OWS);
RFC 9112 sections 2.3 (version), 3 (request line), 4 (status line), 5 (field lines) and 7.1
(chunked coding).  ABNF core rules (RFC 5234): DIGIT, HEXDIG, ALPHA, VCHAR (0x21-0x7E),
SP, HTAB, and obs-text (0x80-0xFF, RFC 9110 5.5) which old servers put in values.

Heads are decoded as latin-1 (each byte becomes the code point of the same number), so the
text patterns below speak of code points 0x00-0xFF exactly as the RFC speaks of octets.
"""
from __future__ import annotations

import re

__all__ = [
    "TCHAR", "TOKEN", "token_re", "method_prefix_re", "FORBIDDEN_IN_HEAD",
    "forbidden_in_head_re", "never_in_head_re", "host_re", "http_version_re", "status_code_re", "QUOTED_STRING", "chunk_size_line_re",
    "CONTENT_LENGTH_MAX_DIGITS", "CHUNK_SIZE_MAX_DIGITS", "METHOD_MAX_LENGTH",
]

# RFC 9110 5.6.2
#   token = 1*tchar
#   tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
#           "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
# Methods (RFC 9110 9.1) and field names (RFC 9110 5.1) are tokens.
TCHAR = r"[-!#$%&'*+.^_`|~0-9A-Za-z]"
TOKEN = TCHAR + "+"
token_re = re.compile(TOKEN)

# A request line starts with its method, a token, then SP.  While a head is still arriving
# the parser matches this on the raw bytes to see whether they can still become a request.
# METHOD_MAX_LENGTH: the longest method in IANA's registry is UPDATEREDIRECTREF (17
# characters); 32 leaves room for an application's own methods.  A longer one is no method
# this server implements: 501 (RFC 9110 9.1), decided after 33 bytes instead of 8 KiB.
METHOD_MAX_LENGTH = 32
method_prefix_re = re.compile(TCHAR.encode("latin-1") + b"{0,%d}" % (METHOD_MAX_LENGTH + 1))

# RFC 9110 5.5
#   field-value   = *field-content
#   field-content = field-vchar [ 1*( SP / HTAB / field-vchar ) field-vchar ]
#   field-vchar   = VCHAR / obs-text
# So inside a head the only control characters allowed are HTAB and the CR LF that end lines.
# "A recipient of CR, LF, or NUL within a field value MUST either reject the message or
# replace each of those characters with SP": we reject, and reject the other controls too
# (they are not field-vchar either).  CR and LF are counted separately: see heads.py.
FORBIDDEN_IN_HEAD = "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
forbidden_in_head_re = re.compile(FORBIDDEN_IN_HEAD)

# The same rule for a head that is still arriving, on its raw bytes: a forbidden control, a
# CR followed by anything but LF, or an LF without its CR (RFC 9112 2.2).  A CR that is the
# last byte so far may still get its LF, so it does not match.  One search finds the first
# byte that can never become part of a valid head, and the parser answers 400 at once
# instead of waiting for an empty line that a bare-LF client sends as "\n\n".
never_in_head_re = re.compile(FORBIDDEN_IN_HEAD.encode("latin-1") + rb"|\r(?=[^\n])|(?<!\r)\n")

# RFC 9112 3.2 and RFC 3986 3.2.2-3.2.3 (the Host field holds the target's authority
# without its userinfo):
#   Host        = uri-host [ ":" port ]
#   uri-host    = IP-literal / IPv4address / reg-name
#   IP-literal  = "[" ( IPv6address / IPv6addrz / IPvFuture ) "]"
#   IPvFuture   = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
#   reg-name    = *( unreserved / pct-encoded / sub-delims )      (an IPv4address is one too)
#   unreserved  = ALPHA / DIGIT / "-" / "." / "_" / "~"
#   sub-delims  = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
#   pct-encoded = "%" HEXDIG HEXDIG
#   port        = *DIGIT
# An empty Host is valid: a target without an authority (RFC 9112 3.2).
# Simplification: inside brackets an IPv6 address is checked only for its alphabet (hex
# digits, ":" and "." for an IPv4 tail, "%25" and a zone name, RFC 6874), not its grammar.
_REG_NAME = r"(?:[-A-Za-z0-9._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})*"
_IP_LITERAL = (r"\[(?:[0-9A-Fa-f:.]+(?:%25(?:[-A-Za-z0-9._~]|%[0-9A-Fa-f]{2})+)?"
               r"|v[0-9A-Fa-f]+\.[-A-Za-z0-9._~!$&'()*+,;=:]+)\]")
host_re = re.compile(rf"(?:{_IP_LITERAL}|{_REG_NAME})(?::[0-9]*)?")

# RFC 9112 2.3
#   HTTP-version = HTTP-name "/" DIGIT "." DIGIT
#   HTTP-name    = %s"HTTP"          (case-sensitive: "http/1.1" is not a version)
http_version_re = re.compile(r"HTTP/([0-9])\.([0-9])")

# RFC 9112 4
#   status-line = HTTP-version SP status-code SP [ reason-phrase ]
#   status-code = 3DIGIT
status_code_re = re.compile(r"[0-9]{3}")

# RFC 9110 5.6.4
#   quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
#   qdtext        = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
#   quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )
QUOTED_STRING = r'"(?:[\t !#-\[\]-~\x80-\xff]|\\[\t -~\x80-\xff])*"'

# RFC 9112 7.1 and 7.1.1
#   chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
#   chunk-size     = 1*HEXDIG
#   last-chunk     = 1*("0") [ chunk-ext ] CRLF
#   chunk-ext      = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] )
#   chunk-ext-name = token
#   chunk-ext-val  = token / quoted-string
# Matched on bytes (the line before its CRLF).  At most 16 hex digits: 2**64 - 1 bytes is
# more than anyone sends, and a longer number is an attack on int(), not a chunk.
CHUNK_SIZE_MAX_DIGITS = 16
_BWS = r"[ \t]*"
_CHUNK_EXT = rf"(?:{_BWS};{_BWS}{TOKEN}(?:{_BWS}={_BWS}(?:{TOKEN}|{QUOTED_STRING}))?)*"
chunk_size_line_re = re.compile(
    rf"([0-9A-Fa-f]{{1,{CHUNK_SIZE_MAX_DIGITS}}}){_CHUNK_EXT}".encode("latin-1"))

# RFC 9110 8.6
#   Content-Length = 1*DIGIT
# 18 digits stay below 2**63: every body size a real server handles, and no giant int().
CONTENT_LENGTH_MAX_DIGITS = 18
