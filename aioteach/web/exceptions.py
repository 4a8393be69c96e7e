"""HTTP exceptions: every status code as a class you may ``raise`` or ``return``.

Theory of operation.  In aiohttp 3, and here, an HTTP exception *is* a ``Response``: a handler
(or a middleware, or the router) writes ``raise web.HTTPNotFound()`` anywhere down the call
stack, and the protocol catches it and sends it like any returned response.  Returning it works
too.  The body defaults to ``"<status>: <reason>"`` as plain text, e.g. ``404: Not Found``.

The classes form a tree by status class (RFC 9110 section 15)::

    HTTPException
    ├── HTTPSuccessful          2xx   (HTTPOk, HTTPCreated ...)
    ├── HTTPRedirection         3xx   (HTTPMove subclasses take ``location``)
    └── HTTPError
        ├── HTTPClientError     4xx   (HTTPNotFound, HTTPMethodNotAllowed ...)
        └── HTTPServerError     5xx   (HTTPInternalServerError ...)

so ``except web.HTTPClientError`` catches every 4xx.  Each leaf is one line: the status code is
the whole of its difference.  A few carry extra facts the RFC requires: a redirect's
``Location`` (RFC 9110 10.2.2), 405's ``Allow`` (15.5.6), 451's ``Link`` (RFC 7725).

As in aiohttp: a ``reason`` with CR or LF is a ValueError where it is given; a location or a
link goes through ``URL``, so a CR/LF in it arrives percent-encoded, never as a new header
line; ``body=`` still works but warns (DeprecationWarning): use ``text=``.
"""
from __future__ import annotations

import warnings
from typing import Any, Iterable, Optional

from ..url import URL
from .wholeresponse import Response

__all__ = [
    "HTTPException", "HTTPError", "HTTPSuccessful", "HTTPRedirection", "HTTPMove",
    "HTTPClientError", "HTTPServerError",
    "HTTPOk", "HTTPCreated", "HTTPAccepted", "HTTPNonAuthoritativeInformation",
    "HTTPNoContent", "HTTPResetContent", "HTTPPartialContent",
    "HTTPMultipleChoices", "HTTPMovedPermanently", "HTTPFound", "HTTPSeeOther",
    "HTTPNotModified", "HTTPUseProxy", "HTTPTemporaryRedirect", "HTTPPermanentRedirect",
    "HTTPBadRequest", "HTTPUnauthorized", "HTTPPaymentRequired", "HTTPForbidden",
    "HTTPNotFound", "HTTPMethodNotAllowed", "HTTPNotAcceptable",
    "HTTPProxyAuthenticationRequired", "HTTPRequestTimeout", "HTTPConflict", "HTTPGone",
    "HTTPLengthRequired", "HTTPPreconditionFailed", "HTTPRequestEntityTooLarge",
    "HTTPRequestURITooLong", "HTTPUnsupportedMediaType", "HTTPRequestRangeNotSatisfiable",
    "HTTPExpectationFailed", "HTTPMisdirectedRequest", "HTTPUnprocessableEntity",
    "HTTPFailedDependency", "HTTPUpgradeRequired", "HTTPPreconditionRequired",
    "HTTPTooManyRequests", "HTTPRequestHeaderFieldsTooLarge", "HTTPUnavailableForLegalReasons",
    "HTTPInternalServerError", "HTTPNotImplemented", "HTTPBadGateway",
    "HTTPServiceUnavailable", "HTTPGatewayTimeout", "HTTPVersionNotSupported",
    "HTTPVariantAlsoNegotiates", "HTTPInsufficientStorage", "HTTPNotExtended",
    "HTTPNetworkAuthenticationRequired",
]


class HTTPException(Response, Exception):
    """A response that can be raised.  Subclasses set ``status_code``."""

    status_code = -1
    empty_body = False           # 204, 205 and 304 have no body at all

    def __init__(self, *, headers: Optional[Any] = None, reason: Optional[str] = None,
                 body: Any = None, text: Optional[str] = None,
                 content_type: Optional[str] = None) -> None:
        if body is not None and text is not None:
            raise ValueError("pass body= or text=, not both")
        if body is not None:             # aiohttp 3 deprecates it: an exception's body is text
            warnings.warn("body argument is deprecated for http web exceptions",
                          DeprecationWarning, stacklevel=2)
        if reason is not None and ("\r" in reason or "\n" in reason):
            # Refused where it is set: a reason with CR/LF would end the status line early
            # (response splitting, RFC 9112 4); aiohttp's words.
            raise ValueError("Reason cannot contain \\r or \\n")
        Response.__init__(self, status=self.status_code, headers=headers, reason=reason,
                          body=body, text=text, content_type=content_type)
        if self._body is None and not self.empty_body:
            self.text = f"{self.status}: {self.reason}"
        Exception.__init__(self, self.reason)

    def __str__(self) -> str:
        return self.reason

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self.reason}>"

    __hash__ = object.__hash__


class HTTPError(HTTPException):
    """Base of the 4xx and 5xx classes."""


class HTTPSuccessful(HTTPException):
    """2xx: the request succeeded (RFC 9110 15.3)."""


class HTTPRedirection(HTTPException):
    """3xx: look elsewhere (RFC 9110 15.4)."""


class HTTPMove(HTTPRedirection):
    """A redirect that names where to go: ``raise web.HTTPFound("/login")``."""

    def __init__(self, location: Any, *, headers: Optional[Any] = None,
                 reason: Optional[str] = None, body: Any = None, text: Optional[str] = None,
                 content_type: Optional[str] = None) -> None:
        if not location:
            raise ValueError("a redirect needs a location to point to")
        super().__init__(headers=headers, reason=reason, body=body, text=text,
                         content_type=content_type)
        self.headers["Location"] = str(URL(location))    # percent-encoded: no CR/LF gets in
        self.location = location


class HTTPClientError(HTTPError):
    """4xx: the client's request was wrong (RFC 9110 15.5)."""


class HTTPServerError(HTTPError):
    """5xx: the server failed to answer a valid request (RFC 9110 15.6)."""


# -- 2xx ------------------------------------------------------------------------------------
class HTTPOk(HTTPSuccessful): status_code = 200                           # noqa: E701
class HTTPCreated(HTTPSuccessful): status_code = 201                      # noqa: E701
class HTTPAccepted(HTTPSuccessful): status_code = 202                     # noqa: E701
class HTTPNonAuthoritativeInformation(HTTPSuccessful): status_code = 203  # noqa: E701
class HTTPNoContent(HTTPSuccessful): status_code, empty_body = 204, True  # noqa: E701
class HTTPResetContent(HTTPSuccessful): status_code, empty_body = 205, True  # noqa: E701
class HTTPPartialContent(HTTPSuccessful): status_code = 206               # noqa: E701


# -- 3xx ------------------------------------------------------------------------------------
class HTTPMultipleChoices(HTTPMove): status_code = 300                    # noqa: E701
class HTTPMovedPermanently(HTTPMove): status_code = 301                   # noqa: E701
class HTTPFound(HTTPMove): status_code = 302                              # noqa: E701
class HTTPSeeOther(HTTPMove): status_code = 303                           # noqa: E701
class HTTPNotModified(HTTPRedirection): status_code, empty_body = 304, True  # noqa: E701
class HTTPUseProxy(HTTPMove): status_code = 305                           # noqa: E701
class HTTPTemporaryRedirect(HTTPMove): status_code = 307                  # noqa: E701
class HTTPPermanentRedirect(HTTPMove): status_code = 308                  # noqa: E701


# -- 4xx ------------------------------------------------------------------------------------
class HTTPBadRequest(HTTPClientError): status_code = 400                  # noqa: E701
class HTTPUnauthorized(HTTPClientError): status_code = 401                # noqa: E701
class HTTPPaymentRequired(HTTPClientError): status_code = 402             # noqa: E701
class HTTPForbidden(HTTPClientError): status_code = 403                   # noqa: E701
class HTTPNotFound(HTTPClientError): status_code = 404                    # noqa: E701


class HTTPMethodNotAllowed(HTTPClientError):
    """405: the path exists but not for this method; ``Allow`` lists the ones that work."""

    status_code = 405

    def __init__(self, method: str, allowed_methods: Iterable[str], *,
                 headers: Optional[Any] = None, reason: Optional[str] = None,
                 body: Any = None, text: Optional[str] = None,
                 content_type: Optional[str] = None) -> None:
        allowed = ",".join(sorted(allowed_methods))
        super().__init__(headers=headers, reason=reason, body=body, text=text,
                         content_type=content_type)
        self.headers["Allow"] = allowed
        self.allowed_methods = set(allowed_methods)
        self.method = method.upper()


class HTTPNotAcceptable(HTTPClientError): status_code = 406               # noqa: E701
class HTTPProxyAuthenticationRequired(HTTPClientError): status_code = 407  # noqa: E701
class HTTPRequestTimeout(HTTPClientError): status_code = 408              # noqa: E701
class HTTPConflict(HTTPClientError): status_code = 409                    # noqa: E701
class HTTPGone(HTTPClientError): status_code = 410                        # noqa: E701
class HTTPLengthRequired(HTTPClientError): status_code = 411              # noqa: E701
class HTTPPreconditionFailed(HTTPClientError): status_code = 412          # noqa: E701


class HTTPRequestEntityTooLarge(HTTPClientError):
    """413: the body is over the application's ``client_max_size``."""

    status_code = 413

    def __init__(self, max_size: float, actual_size: float, **kwargs: Any) -> None:
        kwargs.setdefault("text", f"Maximum request body size {max_size} exceeded, "
                                  f"actual body size {actual_size}")
        super().__init__(**kwargs)


class HTTPRequestURITooLong(HTTPClientError): status_code = 414           # noqa: E701
class HTTPUnsupportedMediaType(HTTPClientError): status_code = 415        # noqa: E701
class HTTPRequestRangeNotSatisfiable(HTTPClientError): status_code = 416  # noqa: E701
class HTTPExpectationFailed(HTTPClientError): status_code = 417           # noqa: E701
class HTTPMisdirectedRequest(HTTPClientError): status_code = 421          # noqa: E701
class HTTPUnprocessableEntity(HTTPClientError): status_code = 422         # noqa: E701
class HTTPFailedDependency(HTTPClientError): status_code = 424            # noqa: E701
class HTTPUpgradeRequired(HTTPClientError): status_code = 426             # noqa: E701
class HTTPPreconditionRequired(HTTPClientError): status_code = 428        # noqa: E701
class HTTPTooManyRequests(HTTPClientError): status_code = 429             # noqa: E701
class HTTPRequestHeaderFieldsTooLarge(HTTPClientError): status_code = 431  # noqa: E701


class HTTPUnavailableForLegalReasons(HTTPClientError):
    """451: blocked by law; ``link`` names who asked for it (RFC 7725 section 3)."""

    status_code = 451

    def __init__(self, link: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.link: Optional[URL] = URL(link) if link else None   # "" means none, as aiohttp
        if self.link is not None:
            self.headers["Link"] = f'<{self.link}>; rel="blocked-by"'   # encoded: no CR/LF


# -- 5xx ------------------------------------------------------------------------------------
class HTTPInternalServerError(HTTPServerError): status_code = 500         # noqa: E701
class HTTPNotImplemented(HTTPServerError): status_code = 501              # noqa: E701
class HTTPBadGateway(HTTPServerError): status_code = 502                  # noqa: E701
class HTTPServiceUnavailable(HTTPServerError): status_code = 503          # noqa: E701
class HTTPGatewayTimeout(HTTPServerError): status_code = 504              # noqa: E701
class HTTPVersionNotSupported(HTTPServerError): status_code = 505         # noqa: E701
class HTTPVariantAlsoNegotiates(HTTPServerError): status_code = 506       # noqa: E701
class HTTPInsufficientStorage(HTTPServerError): status_code = 507         # noqa: E701
class HTTPNotExtended(HTTPServerError): status_code = 510                 # noqa: E701
class HTTPNetworkAuthenticationRequired(HTTPServerError): status_code = 511  # noqa: E701
