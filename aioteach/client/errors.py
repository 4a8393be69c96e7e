"""What can go wrong when the client talks to a server, as one family of exceptions.

Theory of operation.  Every failure the client reports derives from ``ClientError``, so
``except aioteach.ClientError`` catches them all; below it the tree says *where* things
went wrong, with aiohttp's names so that ``except aiohttp.ClientError`` code ports unchanged::

    ClientError
    +-- ClientConnectionError           the connection itself failed
    |   +-- ClientConnectionResetError  ... sending on a closed WebSocket (a ConnectionResetError)
    |   +-- ClientOSError               ... an operating-system error (also an OSError)
    |   |   +-- ClientConnectorError    ... while connecting (carries host, port, os_error)
    |   |       +-- ClientProxyConnectionError  ... to the proxy (proxy.py)
    |   +-- ServerConnectionError       ... the server broke off
    |       +-- ServerDisconnectedError ... closed the connection before answering in full
    |       +-- ServerTimeoutError      ... said nothing for too long (also a TimeoutError)
    |       +-- ServerFingerprintMismatch   its certificate is not the pinned one (fingerprint.py)
    |           +-- ConnectionTimeoutError   while connecting (ClientTimeout.connect)
    |           +-- SocketTimeoutError       between two reads (ClientTimeout.sock_read)
    +-- ClientResponseError             a response arrived, and it is the problem
    |   +-- ContentTypeError            ... .json() on something that is not JSON
    |   +-- TooManyRedirects            ... more than max_redirects hops
    |   +-- WSServerHandshakeError      ... the server refused the WebSocket upgrade
    |   +-- ClientHttpProxyError        ... the proxy refused (407: it wants credentials)
    +-- ClientPayloadError              the body ended early or could not be decoded
    +-- InvalidURL                      the URL cannot be requested (also a ValueError)
    |   +-- InvalidUrlClientError       ... the URL given to a request: malformed, or no host
    |   |   +-- InvalidUrlRedirectClientError   a redirect's Location (also RedirectClientError)
    |   +-- NonHttpUrlClientError       ... the scheme is not http(s) or ws(s): ftp://, mailto:
    |       +-- NonHttpUrlRedirectClientError   in a redirect (also RedirectClientError)
    +-- InvalidHeaderError              a header we were asked to send is unsafe (a ValueError)
    +-- UploadAbortedError              the request body never went out in full (upload.py)

Rule: an error names what happened and, where it can, what to do ("expected 100 bytes,
got 42: the server closed the connection mid-body").
"""
from __future__ import annotations

import asyncio
from typing import Any, NamedTuple, Optional, Tuple

__all__ = [
    "RequestInfo", "ClientError", "ClientConnectionError", "ClientConnectionResetError",
    "ClientOSError",
    "ClientConnectorError", "ClientConnectorCertificateError", "ClientProxyConnectionError",
    "ServerConnectionError", "ServerFingerprintMismatch", "ClientHttpProxyError",
    "ServerDisconnectedError", "ServerTimeoutError", "ConnectionTimeoutError",
    "SocketTimeoutError", "ClientResponseError", "ContentTypeError", "TooManyRedirects",
    "WSServerHandshakeError", "ClientPayloadError", "InvalidURL", "InvalidHeaderError",
    "RedirectClientError", "InvalidUrlClientError", "InvalidUrlRedirectClientError",
    "NonHttpUrlClientError", "NonHttpUrlRedirectClientError", "UploadAbortedError",
]


class RequestInfo(NamedTuple):
    """What was asked: kept on every response and error so a log line can say it."""

    url: Any                 # aioteach.url.URL, as requested (after params were added)
    method: str
    headers: Any             # CIMultiDictProxy of the headers that were sent
    real_url: Any            # the URL including any #fragment


class ClientError(Exception):
    """Base class of every error the client raises."""


# -- the connection ----------------------------------------------------------------------
class ClientConnectionError(ClientError):
    """The TCP (or TLS) connection failed or broke."""


class ClientConnectionResetError(ClientConnectionError, ConnectionResetError):
    """The connection is closed (or closing) and cannot take what you send."""


class ClientOSError(ClientConnectionError, OSError):
    """An OSError (refused, reset, unreachable...) while talking to the server."""


class ClientConnectorError(ClientOSError):
    """Connecting failed.  ``connection_key`` says to what, ``os_error`` says why."""

    def __init__(self, connection_key: Any, os_error: OSError) -> None:
        self._conn_key = connection_key
        self._os_error = os_error
        super().__init__(os_error.errno, os_error.strerror)
        self.args = (connection_key, os_error)

    @property
    def os_error(self) -> OSError:
        return self._os_error

    @property
    def host(self) -> str:
        return self._conn_key.host

    @property
    def port(self) -> Optional[int]:
        return self._conn_key.port

    @property
    def ssl(self) -> Any:
        return self._conn_key.ssl

    def __str__(self) -> str:
        reason = self._os_error.strerror or str(self._os_error) or type(self._os_error).__name__
        ssl = "default" if self.ssl is True else repr(self.ssl)
        return f"Cannot connect to host {self.host}:{self.port} ssl:{ssl} [{reason}]"


class ClientConnectorCertificateError(ClientConnectorError):
    """The server's TLS certificate did not verify (pass ``ssl=False`` to skip, knowingly)."""

    def __str__(self) -> str:
        return (f"Cannot connect to host {self.host}:{self.port}: certificate verification "
                f"failed [{self._os_error}]; pass an ssl.SSLContext that trusts it, or ssl=False")


class ClientProxyConnectionError(ClientConnectorError):
    """Connecting to the proxy failed (``host``/``port`` are the proxy's)."""


class ServerConnectionError(ClientConnectionError):
    """The server side of the conversation failed."""


class ServerFingerprintMismatch(ServerConnectionError):
    """The server's certificate is not the one ``ssl=Fingerprint(...)`` pins."""

    def __init__(self, expected: bytes, got: bytes, host: str, port: int) -> None:
        self.expected, self.got, self.host, self.port = expected, got, host, port
        super().__init__(expected, got, host, port)

    def __str__(self) -> str:
        return (f"the certificate of {self.host}:{self.port} has the SHA-256 fingerprint "
                f"{self.got.hex()}, not the pinned {self.expected.hex()}")


class ServerDisconnectedError(ServerConnectionError):
    """The server closed the connection before the response was complete."""

    def __init__(self, message: Optional[str] = None) -> None:
        if message is None:
            message = "Server disconnected"
        super().__init__(message)
        self.message = message


class ServerTimeoutError(ServerConnectionError, asyncio.TimeoutError):
    """The server was silent for longer than a ``ClientTimeout`` allows."""


class ConnectionTimeoutError(ServerTimeoutError):
    """Connecting took longer than ``ClientTimeout.connect`` / ``sock_connect``."""


class SocketTimeoutError(ServerTimeoutError):
    """No bytes arrived for ``ClientTimeout.sock_read`` seconds."""


# -- the response ------------------------------------------------------------------------
class ClientResponseError(ClientError):
    """A response arrived and is the problem (``raise_for_status()``, a bad head...).

    ``status`` and ``message`` are the status line's; ``request_info`` says what was asked and
    ``history`` holds the redirect responses that led here.
    """

    def __init__(self, request_info: Optional[RequestInfo], history: Tuple[Any, ...] = (), *,
                 status: Optional[int] = None, message: str = "", headers: Any = None) -> None:
        self.request_info = request_info
        self.status = status if status is not None else 0
        self.message = message
        self.headers = headers
        self.history = history
        super().__init__(request_info)
        self.args = (request_info, history)

    def __str__(self) -> str:
        url = self.request_info.real_url if self.request_info is not None else None
        return f"{self.status}, message={self.message!r}, url={str(url)!r}"

    def __repr__(self) -> str:
        return (f"{type(self).__name__}({self.request_info!r}, {self.history!r}, "
                f"status={self.status!r}, message={self.message!r})")


class ContentTypeError(ClientResponseError):
    """``json()`` met a Content-Type that is not JSON (pass ``content_type=None`` to skip)."""


class TooManyRedirects(ClientResponseError):
    """More redirects than ``max_redirects`` (10 by default): likely a loop."""


class WSServerHandshakeError(ClientResponseError):
    """The server did not accept the WebSocket upgrade (wrong status or headers)."""


class ClientHttpProxyError(ClientResponseError):
    """The proxy answered CONNECT with a status other than 2xx (``status`` is the proxy's)."""


# -- the body and the request ------------------------------------------------------------
class ClientPayloadError(ClientError):
    """The response body was cut short or could not be decoded (bad gzip, bad chunk)."""


class InvalidURL(ClientError, ValueError):
    """The URL cannot be requested: not absolute, no host, or not http/https."""

    def __init__(self, url: Any, description: Optional[str] = None) -> None:
        self._url = url
        self._description = description
        super().__init__(url, description) if description else super().__init__(url)

    @property
    def url(self) -> Any:
        return self._url

    def __str__(self) -> str:
        return f"{self._url}: {self._description}" if self._description else str(self._url)


# aiohttp 3.10's finer names, which say whether the request or a redirect held the bad URL.
class RedirectClientError(ClientError):
    """A redirect could not be followed."""


class InvalidUrlClientError(InvalidURL):
    """The URL given to a request is malformed or has no host."""


class InvalidUrlRedirectClientError(InvalidUrlClientError, RedirectClientError):
    """A redirect's Location is malformed or has no host."""


class NonHttpUrlClientError(InvalidURL):
    """The URL's scheme is not one this client speaks (http, https, ws, wss).

    Differs from aiohttp, whose NonHttpUrlClientError is a ClientError only: here it is also an
    ``InvalidURL`` (so a ValueError), and ``except InvalidURL`` catches every URL refused.
    """


class NonHttpUrlRedirectClientError(NonHttpUrlClientError, RedirectClientError):
    """A redirect pointed at a scheme this client does not speak."""


class InvalidHeaderError(ClientError, ValueError):
    """A header we were asked to send holds CR, LF or NUL (header injection); nothing was sent."""


class UploadAbortedError(ClientError):
    """The request body was never sent in full: what ``UploadTracker.upload_complete`` holds
    when the request failed, was cancelled or was answered without sending it."""
