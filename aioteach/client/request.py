"""ClientRequest: turning ``session.post(url, json=...)`` into bytes for the wire.

Theory of operation.  A request is built completely *before* a connection is taken from the
pool, so that a request that cannot be sent (a header holding CR LF, both ``data=`` and
``json=``) fails without touching the network.  Building it means:

1. The body, from whichever argument was given (RFC 9110 section 8 for the content fields):

       data=b"..." / bytearray     as is                        application/octet-stream
       data="text"                 UTF-8                        text/plain; charset=utf-8
       data={...} / [(k, v)...]    urlencoded form (formdata.py) application/x-www-form-urlencoded
       data=FormData(...)          urlencoded, or multipart with files
       data=MultipartWriter(...)   its parts (multipartwriter.py) multipart/<subtype>; boundary=...
       json=obj                    json_serialize(obj), UTF-8   application/json
                                   (or the bytes of the session's json_serialize_bytes)
       data=anything else          a Payload (aioteach.payload): a file, io.BytesIO/StringIO,
                                   an async iterable, a StreamReader, or a Payload itself;
                                   its size and Content-Type are its own (a Content-Disposition
                                   only from a Payload made with one, as in aiohttp)

   The first five become one ``bytes`` here and never meet the payload machinery: that path
   is the common one and stays as short as it was.
2. The framing, decided by the sans-I/O layer (``http1.rules.request_framing``, RFC 9112 6):
   ``Content-Length`` when the size is known, ``Transfer-Encoding: chunked`` (RFC 9112 7.1)
   when it is not; a POST, PUT or PATCH without a body still says ``Content-Length: 0``.
3. The fields, in this order: the session's defaults, replaced by the request's own; then the
   ones the client adds unless told not to (``skip_auto_headers``): Host (RFC 9110 7.2, with
   the port unless it is the scheme's default), Accept, Accept-Encoding, User-Agent, the
   content fields, Cookie (from the jar), Authorization (Basic, from ``auth=`` or the URL).
4. The head bytes: ``http1.serialize_request_head``, which refuses CR, LF and NUL in names and
   values (header injection); that refusal becomes ``InvalidHeaderError`` here.

``write(connection)`` then sends the head and the body.  With ``expect100=True`` the head says
``Expect: 100-continue`` and the body waits until the server answers ``100 Continue`` (RFC 9110
10.1.1); if the final answer comes first, the body is not sent at all.  A payload writes through a
``BodyWriter``, which frames each piece (a chunk, when chunked), waits on ``drain()`` so a
large upload never fills memory faster than the network takes it, and tells the request's
TraceConfigs what was sent.

Through a proxy (proxy.py), a plain-http request names the whole URL in its request line
(RFC 9112 3.2.2, the absolute form) and carries ``Proxy-Authorization``; an https one goes
through a tunnel and looks exactly like a direct request.

Sending the body again (a 307/308 redirect, or the keep-alive retry in session.py):
``rewind()`` says whether it can be.  Bytes can; a file payload starts again from where the
file stood when the request was first built; an async iterable that has run cannot.
"""
from __future__ import annotations

import asyncio
import json as jsonlib
import sys
import warnings
from typing import AbstractSet, Any, Callable, List, Optional, Tuple

from ..http1 import LAST_CHUNK, LocalProtocolError, encode_chunk, serialize_request_head
from ..http1.heads import connection_tokens
from ..http1.rules import CHUNKED, LENGTH, given_request_framing, keeps_alive, request_framing
from ..payload import AsyncIterablePayload, Payload, get_payload
from ..multidict import CIMultiDict
from .auth import BasicAuth
from .decoding import ACCEPT_ENCODING
from .errors import ClientConnectionError, ClientError, ClientOSError, InvalidHeaderError
from .formdata import FormData
from .multipartwriter import MultipartWriter
from .proxy import absolute_target
from .tracing import send_all
from .upload import UploadTracker

__all__ = ["ClientRequest", "BodyWriter", "USER_AGENT", "normalize_headers", "close_payload"]

USER_AGENT = f"Python/{sys.version_info[0]}.{sys.version_info[1]} aioteach/0.1"
SMALL_BODY = 2 ** 14                           # up to 16 KiB rides in the head's write() call
DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}

Pairs = List[Tuple[str, str]]
NO_NAMES: frozenset = frozenset()              # no headers given: the usual case, no set built


def normalize_headers(headers: Any) -> Pairs:
    """dict, multidict or (name, value) pairs -> a list of ``(str, str)`` pairs."""
    if not headers:
        return []
    items = headers.items() if hasattr(headers, "items") else headers
    return [(str(name), str(value)) for name, value in items]


def merge_headers(defaults: Pairs, own: Pairs) -> Pairs:
    """The session's headers, where the request's own headers of the same name replace them."""
    if not defaults:
        return list(own)
    if not own:
        return list(defaults)
    replaced = {name.lower() for name, _ in own}
    return [pair for pair in defaults if pair[0].lower() not in replaced] + own


def host_header(url: Any) -> str:
    host = url.raw_host or ""                  # the ASCII form: "xn--bcher-kva.example"
    if ":" in host:                            # an IPv6 literal goes in brackets (RFC 3986 3.2.2)
        host = f"[{host}]"
    port = url.port
    if port is not None and port != DEFAULT_PORTS.get(url.scheme):
        host = f"{host}:{port}"
    return host


class ClientRequest:
    """One request, ready to go: ``head`` (bytes) and a body to write after it."""

    tracker: Optional[UploadTracker] = None    # upload.py: set by the session when given
    length_limit: Optional[int] = None         # the caller's own Content-Length (_framing)
    expect100 = False                          # Expect: 100-continue: see write()

    def __init__(self, method: str, url: Any, *, headers: Pairs, skip_auto_headers: Any = (),
                 data: Any = None, json: Any = None, cookie_header: Optional[str] = None,
                 auth: Optional[BasicAuth] = None, version: str = "1.1",
                 chunked: Optional[bool] = None,
                 json_serialize: Callable[[Any], Any] = jsonlib.dumps, proxy: Any = None,
                 traces: Any = None, expect100: bool = False) -> None:
        # long because: each step of the module docstring's list is a few lines, in order
        if data is not None and json is not None:
            raise ValueError("data and json parameters can not be used at the same time")
        self.method = method = method.upper()
        self.url = url
        self.body: bytes = b""
        self.payload: Optional[Payload] = None  # the body when it is not plain bytes
        self.chunked = False
        self.proxy = proxy                     # proxy.Proxy or None
        self.traces = traces                   # TraceConfig traces (tracing.py) or None
        names = {name.lower() for name, _ in headers} if headers else NO_NAMES
        if auth is None and url.raw_user is not None:
            auth = BasicAuth.from_url(url)
        if auth is not None and "authorization" in names:
            raise ValueError("Cannot combine an Authorization header with auth= or credentials "
                             "in the URL: pick one")
        skip = ({name.lower() for name in skip_auto_headers} | names if skip_auto_headers
                else names)
        auto: Pairs = []
        if "host" not in skip:
            auto.append(("Host", host_header(url)))
        if "accept" not in skip:
            auto.append(("Accept", "*/*"))
        if "accept-encoding" not in skip:
            auto.append(("Accept-Encoding", ACCEPT_ENCODING))
        if "user-agent" not in skip:
            auto.append(("User-Agent", USER_AGENT))
        content_type = self._take_body(data, json, json_serialize)
        if content_type is not None and "content-type" not in skip:
            auto.append(("Content-Type", content_type))
        if self.payload is not None:           # e.g. a file's Content-Disposition
            auto.extend((name, value) for name, value in self.payload.headers.items()
                        if name.lower() not in skip and name.lower() != "content-type")
        auto.extend(self._framing(method, names, chunked, headers))
        if expect100 or "expect" in names:     # RFC 9110 10.1.1: the body waits for a 100
            self.expect100 = expect100 or any(
                k.lower() == "expect" and v.lower() == "100-continue" for k, v in headers)
            if expect100 and "expect" not in skip:
                auto.append(("Expect", "100-continue"))
        pairs = auto + headers if auto else list(headers)
        if cookie_header:
            pairs = self._add_cookies(pairs, cookie_header)
        if auth is not None:
            pairs.append(("Authorization", auth.encode()))
        target = url.raw_path_qs or "/"
        if proxy is not None and url.scheme in ("http", "ws"):   # not tunnelled: absolute form
            target = absolute_target(url)
            if proxy.authorization is not None:
                pairs.append(("Proxy-Authorization", proxy.authorization))
        self.headers = pairs
        # Will the connection carry another request after this one (RFC 9112 9.3)?  Not if
        # we said "Connection: close", nor by default in HTTP/1.0: the parsers' own rule.
        self.keep_alive = keeps_alive(version, connection_tokens(
            [value for name, value in headers if name.lower() == "connection"])
            if "connection" in names else set())
        try:
            self.head = serialize_request_head(method, target, pairs, version)
        except LocalProtocolError as exc:
            raise InvalidHeaderError(f"refusing to send the request: {exc.hint}") from None

    def rebuild_head(self) -> None:
        """Serialize the head again from ``headers`` (client middlewares may have changed
        them, middlewares.py); the request line is the one built before."""
        line = self.head[:self.head.index(b"\r\n")].decode("ascii")
        method, target, version = line.split(" ")
        pairs = list(self.headers.items()) if hasattr(self.headers, "items") else self.headers
        try:
            self.head = serialize_request_head(method, target, pairs, version[len("HTTP/"):])
        except LocalProtocolError as exc:
            raise InvalidHeaderError(f"refusing to send the request: {exc.hint}") from None

    # -- the body --------------------------------------------------------------------------
    def _take_body(self, data: Any, json: Any, json_serialize: Callable[[Any], Any]
                   ) -> Optional[str]:
        """Set ``body`` or ``payload`` from the arguments; return the default Content-Type."""
        if json is not None:
            body = json_serialize(json)        # str, or bytes (json_serialize_bytes)
            self.body = body if isinstance(body, bytes) else body.encode("utf-8")
            return "application/json"
        if data is None:
            return None
        if isinstance(data, (bytes, bytearray, memoryview)):
            self.body = bytes(data)
            return "application/octet-stream"
        if isinstance(data, str):
            self.body = data.encode("utf-8")
            return "text/plain; charset=utf-8"
        if isinstance(data, (dict, list, tuple)) or hasattr(data, "getall"):
            data = FormData(data)
        if isinstance(data, (FormData, MultipartWriter)):
            content_type, self.body = data.encode()
            return content_type
        try:
            # disposition=None: a file sent as the whole body gets no Content-Disposition
            # (aiohttp's choice; get_payload(f, disposition="inline") asks for one)
            self.payload = (data if isinstance(data, Payload)
                            else get_payload(data, disposition=None))
        except LookupError:
            raise TypeError(f"data= must be bytes, str, a dict, FormData, MultipartWriter, a "
                            f"file object, an async iterable of bytes or a Payload, not "
                            f"{type(data).__name__}") from None
        return self.payload.content_type

    def _framing(self, method: str, names: AbstractSet[str], chunked: Optional[bool],
                 headers: Pairs) -> Pairs:
        """Content-Length or Transfer-Encoding, unless the caller already wrote one
        (then ``http1.rules.given_request_framing`` says which it is, or refuses the mix).

        A Content-Length the caller wrote is a promise about the body: no more than that many
        bytes are sent (as in aiohttp), since more would be read as the start of a next request.
        """
        if chunked is not None and not isinstance(chunked, bool):
            # aiohttp's old chunked=<chunk size>: the size never did anything, and says so
            warnings.warn("Chunk size is deprecated #1615: pass chunked=True",
                          DeprecationWarning, stacklevel=4)
        if "content-length" in names or "transfer-encoding" in names:
            lengths = [v for k, v in headers if k.lower() == "content-length"]
            given = given_request_framing(
                lengths, [v for k, v in headers if k.lower() == "transfer-encoding"],
                bool(chunked))
            self.chunked = given == CHUNKED
            if not self.chunked:
                self.length_limit = int(lengths[-1]) if lengths[-1].strip().isdigit() else None
                if self.length_limit is not None and self.payload is None:
                    self.body = self.body[:self.length_limit]
            return []
        size = len(self.body) if self.payload is None else self.payload.size
        framing = request_framing(method, size, bool(chunked))
        if framing == CHUNKED:
            self.chunked = True
            return [("Transfer-Encoding", "chunked")]
        if framing == LENGTH:
            return [("Content-Length", str(size))]
        return []

    @staticmethod
    def _add_cookies(pairs: Pairs, cookie_header: str) -> Pairs:
        for i, (name, value) in enumerate(pairs):
            if name.lower() == "cookie":       # one Cookie field, RFC 6265 5.4
                pairs[i] = (name, f"{value}; {cookie_header}")
                return pairs
        pairs.append(("Cookie", cookie_header))
        return pairs

    def rewind(self) -> bool:
        """Make the body ready to be sent again; False if it cannot be (see the docstring)."""
        payload = self.payload
        if payload is None:
            return True
        if isinstance(payload, AsyncIterablePayload):
            return not payload.consumed
        return getattr(payload, "start", 0) is not None   # a file that can seek back

    async def write(self, connection: Any, response: Any = None) -> None:
        """Send the head and the body on ``connection`` (``response``: see expect100 below)."""
        body = self.body
        if (self.payload is None and not self.traces and self.tracker is None
                and not self.expect100):
            # plain bytes, nobody watching: the common case, in one or two writes
            if self.chunked:
                connection.write(self.head + (encode_chunk(body) if body else b"") + LAST_CHUNK)
            elif len(body) <= SMALL_BODY:      # one write: one system call, one TCP segment
                connection.write(self.head + body if body else self.head)
            else:
                connection.write(self.head)
                connection.write(body)
                await connection.drain()
            return
        connection.write(self.head)
        if self.traces:
            await send_all(self.traces, "request_headers_sent", self.method, self.url,
                           CIMultiDict(self.headers))
        if self.expect100 and response is not None and not await response.continued():
            # The server answered before saying 100 Continue (a 417, a 401...): the body is
            # not sent (RFC 9110 10.1.1), and the framing we promised leaves the connection
            # unusable for another request.
            connection.should_close = True
            return
        tracker = self.tracker
        if tracker is not None:
            tracker.writing(connection.transport)
        try:
            await self._write_body(BodyWriter(connection, self))
        except BaseException as exc:
            error = body_error(exc, connection)
            if tracker is not None:
                tracker.failed(None if isinstance(exc, asyncio.CancelledError) else error)
            if error is exc:
                raise
            raise error from exc
        if tracker is not None:
            tracker.finished()

    def send_in_background(self, connection: Any, response: Any,
                           sock_read: Optional[float]) -> "asyncio.Task[None]":
        """Write the head and a streamed body in a task of its own, while the caller waits
        for the answer: a server may answer before it has read the whole body (RFC 9112 9.5),
        and a progress bar (upload.py) sees the upload move while the response is read.

        The response holds the task (``response.writer``): releasing or closing the response
        cancels an upload still running.  A failed upload breaks the exchange with its error:
        the request raises it if the answer has not come, the body's read does otherwise.
        """
        connection.writing = True
        task = connection.loop.create_task(self._send(connection, response, sock_read))
        response.writer = task
        return task

    async def _send(self, connection: Any, response: Any, sock_read: Optional[float]) -> None:
        try:
            await self.write(connection, response)
        except asyncio.CancelledError:
            connection.should_close = True     # the body was cut short
            raise
        except BaseException as exc:           # told to the response; nobody awaits this task
            connection.fail(exc)
        else:
            if sock_read is not None:          # silence counts once the body is out
                connection.watch_silence(sock_read)
        finally:
            connection.body_written()

    async def _write_body(self, writer: "BodyWriter") -> None:
        if self.payload is not None:
            await self.payload.write(writer)
        elif self.body:
            await writer.write(self.body)
        if self.chunked:
            writer.connection.write(LAST_CHUNK)

    def __repr__(self) -> str:
        return f"<ClientRequest {self.method} {self.url}>"


class BodyWriter:
    """What a Payload writes to: frames each piece, waits for the network, tells the traces."""

    __slots__ = ("connection", "_request", "_left")

    def __init__(self, connection: Any, request: ClientRequest) -> None:
        self.connection, self._request = connection, request
        self._left = request.length_limit      # bytes the caller's Content-Length still allows

    async def write(self, data: bytes) -> None:
        if self._left is not None:
            data, self._left = data[:self._left], self._left - len(data[:self._left])
        if not data:
            return
        request = self._request
        if request.tracker is not None:
            request.tracker.add(len(data))
        self.connection.write(encode_chunk(data) if request.chunked else data)
        if request.traces:
            await send_all(request.traces, "request_chunk_sent", request.method, request.url,
                           data)
        await self.connection.drain()


async def close_payload(payload: Payload, writer: Optional["asyncio.Task[None]"]) -> None:
    """Close a request's payload (a file, say) once nothing writes it any more: now, or when
    the background writer of an upload that outlived its request (an early answer) ends."""
    if writer is None or writer.done():
        await payload.close()
    else:
        writer.add_done_callback(
            lambda _: asyncio.ensure_future(payload.close(), loop=writer.get_loop()))


def body_error(exc: BaseException, connection: Any) -> BaseException:
    """What the caller sees when writing the body failed: a ClientError, as in aiohttp.

    A client error (the server went away) and a cancellation stay what they are; an OS error
    becomes ``ClientOSError``; anything else (the body's own generator raised, a file could not
    be read) becomes ``ClientConnectionError`` naming the cause, since the request is broken
    off mid-body and the connection cannot be reused.
    """
    if isinstance(exc, (ClientError, asyncio.CancelledError)) or not isinstance(exc, Exception):
        return exc
    connection.should_close = True
    if isinstance(exc, OSError):
        return ClientOSError(exc.errno, f"Cannot write the request body: {exc}")
    return ClientConnectionError(f"Failed to send the request body: {exc!r}")
