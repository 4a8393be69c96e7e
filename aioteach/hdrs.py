"""Header field names and method names as constants: ``hdrs.CONTENT_TYPE``, ``hdrs.METH_GET``.

Theory of operation.  A typo in a string literal (``"Content-Tpye"``) is a header nobody reads
and no error anywhere; a typo in a name (``hdrs.CONTENT_TPYE``) is an AttributeError on the
line that has it.  That is all this module is for: one constant per field name, spelled as the
defining document spells it, grouped below by that document.

Rules:
- Field names are case-insensitive (RFC 9110 5.1), so these are plain ``str``: every header
  mapping in aioteach is a ``CIMultiDict`` and finds ``"content-type"`` under ``CONTENT_TYPE``.
  (aiohttp's constants are ``multidict.istr``, a str that marks itself as already folded; the
  lookups give the same answers.)
- Method names are case-sensitive (RFC 9110 9.1), upper case by convention; ``METH_ALL`` is the
  set of the standard ones (RFC 9110 9.3, plus PATCH from RFC 5789), ``METH_ANY`` is ``"*"``,
  the wildcard ``router.add_route("*", ...)`` accepts.
- Standard library only, no imports at all: L0, usable from any layer.

The names are aiohttp's (``from aiohttp import hdrs`` swaps to ``from aioteach import hdrs``).
One spelling differs on purpose: ``ETAG`` is ``"ETag"``, as RFC 9110 8.8.3 writes it (aiohttp:
``"Etag"``); being a field name, either finds the other.
"""
from __future__ import annotations

# -- Methods: RFC 9110 section 9.3 (PATCH: RFC 5789) ----------------------------------------
METH_ANY = "*"
METH_CONNECT = "CONNECT"
METH_DELETE = "DELETE"
METH_GET = "GET"
METH_HEAD = "HEAD"
METH_OPTIONS = "OPTIONS"
METH_PATCH = "PATCH"
METH_POST = "POST"
METH_PUT = "PUT"
METH_TRACE = "TRACE"
METH_ALL = frozenset({METH_CONNECT, METH_DELETE, METH_GET, METH_HEAD, METH_OPTIONS,
                      METH_PATCH, METH_POST, METH_PUT, METH_TRACE})

# -- RFC 9110 HTTP Semantics -----------------------------------------------------------------
# 6.6 and 7: message context and routing
CONNECTION = "Connection"
DATE = "Date"
HOST = "Host"
MAX_FORWARDS = "Max-Forwards"
TRAILER = "Trailer"
UPGRADE = "Upgrade"
VIA = "Via"
TE = "TE"
# 8: representation data and metadata
CONTENT_ENCODING = "Content-Encoding"
CONTENT_LANGUAGE = "Content-Language"
CONTENT_LENGTH = "Content-Length"
CONTENT_LOCATION = "Content-Location"
CONTENT_TYPE = "Content-Type"
ETAG = "ETag"
LAST_MODIFIED = "Last-Modified"
# 10: request and response context
ALLOW = "Allow"
EXPECT = "Expect"
FROM = "From"
LOCATION = "Location"
REFERER = "Referer"              # sic: the misspelling is the standard's (RFC 1945 onwards)
RETRY_AFTER = "Retry-After"
SERVER = "Server"
USER_AGENT = "User-Agent"
# 11: authentication
AUTHENTICATION_INFO = "Authentication-Info"
AUTHORIZATION = "Authorization"
PROXY_AUTHENTICATE = "Proxy-Authenticate"
PROXY_AUTHENTICATION_INFO = "Proxy-Authentication-Info"
PROXY_AUTHORIZATION = "Proxy-Authorization"
WWW_AUTHENTICATE = "WWW-Authenticate"
# 12: content negotiation
ACCEPT = "Accept"
ACCEPT_CHARSET = "Accept-Charset"
ACCEPT_ENCODING = "Accept-Encoding"
ACCEPT_LANGUAGE = "Accept-Language"
VARY = "Vary"
# 13: conditional requests
IF_MATCH = "If-Match"
IF_MODIFIED_SINCE = "If-Modified-Since"
IF_NONE_MATCH = "If-None-Match"
IF_RANGE = "If-Range"
IF_UNMODIFIED_SINCE = "If-Unmodified-Since"
# 14: range requests
ACCEPT_RANGES = "Accept-Ranges"
CONTENT_RANGE = "Content-Range"
RANGE = "Range"

# -- RFC 9112 HTTP/1.1 (and the HTTP/1.0-era Keep-Alive, RFC 2068 19.7.1) --------------------
TRANSFER_ENCODING = "Transfer-Encoding"
KEEP_ALIVE = "Keep-Alive"

# -- RFC 9111 caching; RFC 9211, 9213 -----------------------------------------------------------
AGE = "Age"
CACHE_CONTROL = "Cache-Control"
EXPIRES = "Expires"
PRAGMA = "Pragma"
WARNING = "Warning"              # obsoleted by RFC 9111 5.5, still seen
CACHE_STATUS = "Cache-Status"
CDN_CACHE_CONTROL = "CDN-Cache-Control"
CDN_LOOP = "CDN-Loop"            # RFC 8586

# -- RFC 6455 WebSocket (Key1: the pre-standard hixie-76 handshake) ----------------------------
SEC_WEBSOCKET_ACCEPT = "Sec-WebSocket-Accept"
SEC_WEBSOCKET_EXTENSIONS = "Sec-WebSocket-Extensions"
SEC_WEBSOCKET_KEY = "Sec-WebSocket-Key"
SEC_WEBSOCKET_KEY1 = "Sec-WebSocket-Key1"
SEC_WEBSOCKET_PROTOCOL = "Sec-WebSocket-Protocol"
SEC_WEBSOCKET_VERSION = "Sec-WebSocket-Version"

# -- Cookies (RFC 6265), bodies and parts (MIME: RFC 2045, RFC 6266, RFC 2392) ---------------
COOKIE = "Cookie"
SET_COOKIE = "Set-Cookie"
CONTENT_DISPOSITION = "Content-Disposition"
CONTENT_ID = "Content-ID"
CONTENT_TRANSFER_ENCODING = "Content-Transfer-Encoding"
CONTENT_MD5 = "Content-MD5"      # RFC 1864, retired by RFC 7231; digests below replace it

# -- Digests (RFC 3230, replaced by RFC 9530) --------------------------------------------------
DIGEST = "Digest"
WANT_DIGEST = "Want-Digest"
CONTENT_DIGEST = "Content-Digest"
REPR_DIGEST = "Repr-Digest"
WANT_CONTENT_DIGEST = "Want-Content-Digest"
WANT_REPR_DIGEST = "Want-Repr-Digest"

# -- Proxies: RFC 7239 Forwarded, and the de-facto X-Forwarded-* it standardised ---------------
FORWARDED = "Forwarded"
X_FORWARDED_FOR = "X-Forwarded-For"
X_FORWARDED_HOST = "X-Forwarded-Host"
X_FORWARDED_PORT = "X-Forwarded-Port"
X_FORWARDED_PROTO = "X-Forwarded-Proto"
X_REAL_IP = "X-Real-IP"

# -- The Fetch standard: CORS, fetch metadata, cross-origin policies --------------------------
ORIGIN = "Origin"                # RFC 6454
ACCESS_CONTROL_ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials"
ACCESS_CONTROL_ALLOW_HEADERS = "Access-Control-Allow-Headers"
ACCESS_CONTROL_ALLOW_METHODS = "Access-Control-Allow-Methods"
ACCESS_CONTROL_ALLOW_ORIGIN = "Access-Control-Allow-Origin"
ACCESS_CONTROL_EXPOSE_HEADERS = "Access-Control-Expose-Headers"
ACCESS_CONTROL_MAX_AGE = "Access-Control-Max-Age"
ACCESS_CONTROL_REQUEST_HEADERS = "Access-Control-Request-Headers"
ACCESS_CONTROL_REQUEST_METHOD = "Access-Control-Request-Method"
SEC_FETCH_DEST = "Sec-Fetch-Dest"
SEC_FETCH_MODE = "Sec-Fetch-Mode"
SEC_FETCH_SITE = "Sec-Fetch-Site"
SEC_FETCH_USER = "Sec-Fetch-User"
SEC_PURPOSE = "Sec-Purpose"
CROSS_ORIGIN_EMBEDDER_POLICY = "Cross-Origin-Embedder-Policy"
CROSS_ORIGIN_OPENER_POLICY = "Cross-Origin-Opener-Policy"
CROSS_ORIGIN_RESOURCE_POLICY = "Cross-Origin-Resource-Policy"
TIMING_ALLOW_ORIGIN = "Timing-Allow-Origin"

# -- Browser security policies (HSTS: RFC 6797; the rest W3C/WHATWG) --------------------------
STRICT_TRANSPORT_SECURITY = "Strict-Transport-Security"
CONTENT_SECURITY_POLICY = "Content-Security-Policy"
CONTENT_SECURITY_POLICY_REPORT_ONLY = "Content-Security-Policy-Report-Only"
PERMISSIONS_POLICY = "Permissions-Policy"
REFERRER_POLICY = "Referrer-Policy"      # spelled correctly, unlike Referer
CLEAR_SITE_DATA = "Clear-Site-Data"
ORIGIN_AGENT_CLUSTER = "Origin-Agent-Cluster"
UPGRADE_INSECURE_REQUESTS = "Upgrade-Insecure-Requests"
SEC_GPC = "Sec-GPC"
X_CONTENT_TYPE_OPTIONS = "X-Content-Type-Options"
X_FRAME_OPTIONS = "X-Frame-Options"      # superseded by CSP frame-ancestors
X_XSS_PROTECTION = "X-XSS-Protection"    # retired by browsers; still sent by old configs

# -- Client hints (RFC 8942) -------------------------------------------------------------------
ACCEPT_CH = "Accept-CH"
SEC_CH_UA = "Sec-CH-UA"
SEC_CH_UA_MOBILE = "Sec-CH-UA-Mobile"
SEC_CH_UA_PLATFORM = "Sec-CH-UA-Platform"

# -- Connections and transport (RFC 7838 Alt-Svc, RFC 8470 Early-Data, RFC 9218 Priority) ----
ALT_SVC = "Alt-Svc"
ALT_USED = "Alt-Used"
EARLY_DATA = "Early-Data"
PRIORITY = "Priority"

# -- Links, reporting, timing, tracing (RFC 8288 Link; W3C Trace Context is lower case) -------
LINK = "Link"
NEL = "NEL"
REPORT_TO = "Report-To"
REPORTING_ENDPOINTS = "Reporting-Endpoints"
SERVER_TIMING = "Server-Timing"
TRACEPARENT = "traceparent"
TRACESTATE = "tracestate"
BAGGAGE = "baggage"

# -- Odds and ends: WebDAV (RFC 4918), server-sent events, and common X- names ---------------
DESTINATION = "Destination"
URI = "URI"
LAST_EVENT_ID = "Last-Event-ID"
X_CORRELATION_ID = "X-Correlation-ID"
X_POWERED_BY = "X-Powered-By"
X_RATELIMIT_LIMIT = "X-RateLimit-Limit"
X_RATELIMIT_REMAINING = "X-RateLimit-Remaining"
X_RATELIMIT_RESET = "X-RateLimit-Reset"
X_REQUEST_ID = "X-Request-ID"
X_REQUESTED_WITH = "X-Requested-With"

# Every upper-case name above; computed, so a new constant cannot be left out of it.
__all__ = sorted(name for name in dict(globals()) if name.isupper())  # noqa: PLE0605
