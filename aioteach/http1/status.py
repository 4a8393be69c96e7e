"""Status codes and their reason phrases: a table, as in RFC 9110 section 15.

The three-digit status code is what clients act on; the reason phrase after it in the status
line ("404 Not Found") is for humans, and RFC 9112 section 4 says a client SHOULD ignore it.
The writer fills it in from this table when the caller gives none.

The phrases are RFC 9110's (so 413 is "Content Too Large", 422 "Unprocessable Content",
the names the 2022 revision chose), plus the codes other RFCs registered that servers meet
in practice; each group below says where its codes come from.
"""
from __future__ import annotations

__all__ = ["STATUS_REASONS", "reason_phrase"]

STATUS_REASONS: dict[int, str] = {
    # 1xx informational (RFC 9110 15.2; 102 RFC 2518, 103 RFC 8297)
    100: "Continue",
    101: "Switching Protocols",
    102: "Processing",
    103: "Early Hints",
    # 2xx successful (RFC 9110 15.3; 207 RFC 4918, 208 RFC 5842, 226 RFC 3229)
    200: "OK",
    201: "Created",
    202: "Accepted",
    203: "Non-Authoritative Information",
    204: "No Content",
    205: "Reset Content",
    206: "Partial Content",
    207: "Multi-Status",
    208: "Already Reported",
    226: "IM Used",
    # 3xx redirection (RFC 9110 15.4)
    300: "Multiple Choices",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    305: "Use Proxy",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    # 4xx client error (RFC 9110 15.5; 423/424 RFC 4918, 425 RFC 8470,
    # 428/429/431 RFC 6585, 451 RFC 7725)
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    406: "Not Acceptable",
    407: "Proxy Authentication Required",
    408: "Request Timeout",
    409: "Conflict",
    410: "Gone",
    411: "Length Required",
    412: "Precondition Failed",
    413: "Content Too Large",
    414: "URI Too Long",
    415: "Unsupported Media Type",
    416: "Range Not Satisfiable",
    417: "Expectation Failed",
    418: "I'm a Teapot",             # RFC 9110 15.5.19 reserves it ("Unused"); RFC 2324's joke
    421: "Misdirected Request",
    422: "Unprocessable Content",
    423: "Locked",
    424: "Failed Dependency",
    425: "Too Early",
    426: "Upgrade Required",
    428: "Precondition Required",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    451: "Unavailable For Legal Reasons",
    # 5xx server error (RFC 9110 15.6; 506 RFC 2295, 507/508 RFC 4918/5842,
    # 510 RFC 2774, 511 RFC 6585)
    500: "Internal Server Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    505: "HTTP Version Not Supported",
    506: "Variant Also Negotiates",
    507: "Insufficient Storage",
    508: "Loop Detected",
    510: "Not Extended",
    511: "Network Authentication Required",
}


def reason_phrase(status: int) -> str:
    """The reason phrase for ``status``, or "" for a code the table does not know.

    An empty phrase is valid on the wire (``HTTP/1.1 299 `` with nothing after the space):
    RFC 9112 section 4 makes the reason-phrase optional.
    """
    return STATUS_REASONS.get(status, "")
