"""The testing kit: run an app on a real port inside a test, and talk to it by path.

Theory of operation.  A test of a web application wants three things, which map onto the
three layers of aiohttp's ``test_utils`` (whose names these are):

    TestServer(app)          the app, started by ``web.AppRunner`` and a ``web.TCPSite`` on
                             127.0.0.1, port 0 (the kernel picks a free port: tests never clash)
    RawTestServer(handler)   the same for a bare ``async def handler(request)``, served by the
                             low-level ``web.Server`` without an Application
    TestClient(server)       a ``ClientSession`` bound to that server: ``await client.get("/")``
                             builds the URL from the path, and ``close()`` releases every
                             response and stops the server

``AioHTTPTestCase`` wraps TestServer and TestClient for ``unittest``: override
``get_application()`` and use ``self.client`` in ``async def test_...`` methods.

They are real network round trips through the real client and server code, not mocks: what
passes here passes on a port.  ``make_mocked_request`` is the exception, for unit tests of a
handler or middleware: it builds a real ``web.Request`` from a method, path and headers, with
no socket at all.

For tests written the older way, with a loop of their own instead of pytest-asyncio, the
loop helpers live in ``aioteach/testloops.py`` and are re-exported here under aiohttp's names:
``loop_context()``, ``setup_test_loop()`` / ``teardown_test_loop(loop)``, ``make_mocked_coro``
and the no-op ``unittest_run_loop``.

Where the server listens: ``socket_factory(host, port, family)`` makes the bound socket
(``get_port_socket`` unless you pass your own, e.g. one you reserved), and the server reads
its real address back from it: ``TestServer(app, host="localhost")`` ends up with
``server.host == "127.0.0.1"`` and the port the kernel chose.  ``loop=`` is accepted and
ignored, as aiohttp ignores it now: the server runs on the running loop.

Two names here are aioteach's own and stay out of ``__all__`` (which holds aiohttp's names
only): ``NotAPathError`` and ``mocked_transport``.

The pytest fixtures (``aioteach_client``, ``aioteach_server``, ``aioteach_raw_server``,
``unused_port``) are in ``aioteach.pytest_plugin``, registered through the ``pytest11`` entry
point: installing aioteach makes them available, and they clean up after each test.

    async def test_hello(aioteach_client):
        app = web.Application()
        app.router.add_get("/", hello)
        client = await aioteach_client(app)
        resp = await client.get("/")
        assert resp.status == 200
"""
from __future__ import annotations

import asyncio
import ipaddress
import socket
import unittest
from typing import Any, Awaitable, Callable, Generic, List, Optional, TypeVar, Union
from unittest import mock

from . import web
from .client import ClientResponse, ClientSession, CookieJar
from .client.contexts import RequestContextManager
from .client.websocket import WSConnectContext
from .http1 import Request as RequestHead
from .streams import EMPTY_STREAM, StreamReader
from .testloops import (loop_context, make_mocked_coro, setup_test_loop, teardown_test_loop,
                        unittest_run_loop)
from .url import URL

__all__ = ["BaseTestServer", "TestServer", "RawTestServer", "TestClient", "AioHTTPTestCase",
           "make_mocked_request", "unused_port", "get_unused_port_socket", "get_port_socket",
           "loop_context", "setup_test_loop", "teardown_test_loop",
           "make_mocked_coro", "unittest_run_loop"]


def unused_port() -> int:
    """A TCP port nobody listens on right now (bind to port 0, read it, let it go)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_unused_port_socket(host: str = "127.0.0.1",
                           family: socket.AddressFamily = socket.AF_INET) -> socket.socket:
    """A TCP socket bound to a free port and kept: no other program can take the port between
    choosing it and serving on it (``web.SockSite(runner, sock)``), as ``unused_port`` allows."""
    return get_port_socket(host, 0, family)


def get_port_socket(host: str, port: int,
                    family: socket.AddressFamily = socket.AF_INET) -> socket.socket:
    """A TCP socket bound to ``host:port`` (``SO_REUSEADDR`` set), not yet listening: the
    default ``socket_factory`` of the test servers."""
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


class NotAPathError(ValueError, AssertionError):
    """``make_url()`` was given an absolute URL.  Also an AssertionError: aiohttp checks
    this with ``assert``, and tests written for it expect that type."""


# Type parameters, as aiohttp's: ``TestClient[web.Request, web.Application]`` in annotations.
RequestT = TypeVar("RequestT")
AppT = TypeVar("AppT")


class BaseTestServer(Generic[RequestT]):
    """A runner and a site on ``host:port``; ``make_url(path)`` points at it."""

    __test__ = False                      # not a test class, whatever pytest thinks of the name

    def __init__(self, *, scheme: str = "", host: str = "127.0.0.1", port: Optional[int] = None,
                 skip_url_asserts: bool = False,
                 socket_factory: Callable[..., socket.socket] = get_port_socket,
                 loop: Any = None, **runner_kwargs: Any) -> None:
        self.scheme = scheme
        self.host = host
        self.port = port
        self.skip_url_asserts = skip_url_asserts
        self.socket_factory = socket_factory
        self.runner: Any = None
        self._runner_kwargs = runner_kwargs
        self._root: Optional[URL] = None
        self._ssl: Any = None

    async def start_server(self, loop: Any = None, **kwargs: Any) -> None:
        """Start the runner, bind a socket with ``socket_factory`` and serve on it.

        ``ssl=`` is the TLS context; other keywords are runner/server settings, as the
        constructor's are (``aiohttp_server(app, max_field_size=...)`` passes them here)."""
        if self.runner is not None:
            return
        self._ssl = kwargs.pop("ssl", None)
        self.runner = self._make_runner(**{**self._runner_kwargs, **kwargs})
        await self.runner.setup()
        try:
            six = ipaddress.ip_address(self.host).version == 6
        except ValueError:                       # a name such as "localhost": IPv4
            six = False
        sock = self.socket_factory(self.host, self.port or 0,
                                   socket.AF_INET6 if six else socket.AF_INET)
        self.host, self.port = sock.getsockname()[:2]
        await web.SockSite(self.runner, sock, ssl_context=self._ssl).start()
        self.scheme = self.scheme or ("https" if self._ssl else "http")
        host = f"[{self.host}]" if six else self.host
        self._root = URL(f"{self.scheme}://{host}:{self.port}")

    def _make_runner(self, **kwargs: Any) -> Any:
        raise NotImplementedError

    def make_url(self, path: Union[str, URL]) -> URL:
        """The absolute URL of ``path`` on this server.

        A path starting with ``//`` reads as a URL with a host (RFC 3986 4.2), so it is
        refused, unless the server was made with ``skip_url_asserts=True``: then the path is
        glued to the server's root as it is (aiohttp's rule; normalize_path_middleware tests
        send ``//a//b`` that way).
        """
        if self._root is None:
            raise RuntimeError("the test server is not started (await server.start_server())")
        if self.skip_url_asserts:
            return URL(f"{self._root}{path}")
        url = URL(str(path))
        if url.is_absolute():
            raise NotAPathError(f"make_url() wants a path, not the absolute URL {path}")
        return self._root.join(url)

    @property
    def handler(self) -> Any:
        """The running ``web.Server`` (its ``requests_count``, ``connections``), as aiohttp's."""
        return self.runner.server if self.runner is not None else None

    @property
    def started(self) -> bool:
        return self.runner is not None

    @property
    def closed(self) -> bool:
        return self.runner is None

    async def close(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None
            self._root = None
            self.port = None                 # as aiohttp: a closed server has no port

    async def __aenter__(self) -> "BaseTestServer":
        await self.start_server()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()


class TestServer(BaseTestServer):
    """``TestServer(app)``: an ``Application`` on a free port."""

    def __init__(self, app: Any, **kwargs: Any) -> None:
        self.app = app
        super().__init__(**kwargs)

    def _make_runner(self, **kwargs: Any) -> Any:
        kwargs.setdefault("access_log", None)         # test output stays readable
        return web.AppRunner(self.app, **kwargs)


class RawTestServer(BaseTestServer):
    """``RawTestServer(handler)``: ``async def handler(request)`` with no Application."""

    def __init__(self, handler: Callable[[Any], Awaitable[Any]], **kwargs: Any) -> None:
        self._handler = handler
        super().__init__(**kwargs)

    def _make_runner(self, **kwargs: Any) -> Any:
        return web.ServerRunner(web.Server(self._handler, **kwargs))


class TestClient(Generic[RequestT, AppT]):
    """A ClientSession aimed at one test server: ``await client.get("/path")``.

    Its cookie jar accepts cookies from IP addresses (``CookieJar(unsafe=True)``): the server
    lives on 127.0.0.1, and a login test expects its session cookie to come back.
    """

    __test__ = False

    def __init__(self, server: BaseTestServer, *, cookie_jar: Optional[CookieJar] = None,
                 loop: Any = None, **session_kwargs: Any) -> None:
        if not isinstance(server, BaseTestServer):
            raise TypeError(f"server must be TestServer instance, found type: {type(server)}")
        self.server = server
        self._session = ClientSession(cookie_jar=cookie_jar if cookie_jar is not None
                                      else CookieJar(unsafe=True),
                                      **session_kwargs)
        self._responses: List[ClientResponse] = []
        self._websockets: List[Any] = []
        self._closed = False

    async def start_server(self) -> None:
        await self.server.start_server()

    @property
    def app(self) -> Any:
        return getattr(self.server, "app", None)

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> Optional[int]:
        return self.server.port

    @property
    def session(self) -> ClientSession:
        return self._session

    def make_url(self, path: Union[str, URL]) -> URL:
        return self.server.make_url(path)

    async def _request(self, method: str, path: Union[str, URL], **kwargs: Any) -> ClientResponse:
        resp = await self._session.request(method, self.make_url(path), **kwargs)
        self._responses.append(resp)                    # released at close()
        return resp

    def request(self, method: str, path: Union[str, URL], **kwargs: Any) -> RequestContextManager:
        return RequestContextManager(self._request(method, path, **kwargs))

    def get(self, path: Union[str, URL], **kwargs: Any) -> RequestContextManager:
        return self.request("GET", path, **kwargs)

    def post(self, path: Union[str, URL], **kwargs: Any) -> RequestContextManager:
        return self.request("POST", path, **kwargs)

    def put(self, path: Union[str, URL], **kwargs: Any) -> RequestContextManager:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: Union[str, URL], **kwargs: Any) -> RequestContextManager:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: Union[str, URL], **kwargs: Any) -> RequestContextManager:
        return self.request("DELETE", path, **kwargs)

    def head(self, path: Union[str, URL], **kwargs: Any) -> RequestContextManager:
        return self.request("HEAD", path, **kwargs)

    def options(self, path: Union[str, URL], **kwargs: Any) -> RequestContextManager:
        return self.request("OPTIONS", path, **kwargs)

    def ws_connect(self, path: Union[str, URL], **kwargs: Any) -> WSConnectContext:
        """A WebSocket to ``path``: ``await client.ws_connect(path)`` or ``async with`` it."""
        return WSConnectContext(self._ws_connect(path, **kwargs))

    async def _ws_connect(self, path: Union[str, URL], **kwargs: Any) -> Any:
        ws = await self._session.ws_connect(self.make_url(path), **kwargs)
        self._websockets.append(ws)                   # closed at close()
        return ws

    @property
    def closed(self) -> bool:
        return self._closed

    async def close(self) -> None:
        """Release every response, close WebSockets and the session, stop the server."""
        if self._closed:
            return
        self._closed = True
        for resp in self._responses:
            resp.release()
        for ws in self._websockets:
            await ws.close()
        await self._session.close()
        await self.server.close()

    async def __aenter__(self) -> "TestClient":
        await self.start_server()
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()


class AioHTTPTestCase(unittest.IsolatedAsyncioTestCase):
    """The same kit for ``unittest``: ``self.client`` talks to your app, fresh for each test.

    Override ``async def get_application(self)`` to return the app; each test method may be
    ``async def`` and use ``await self.client.get("/")``.  ``get_server`` and ``get_client``
    are the hooks for a custom TestServer/TestClient; ``setUpAsync``/``tearDownAsync`` run
    around every test (call ``super()`` in them).  aiohttp's name, so the swap works here too.
    """

    async def get_application(self) -> Any:
        return self.get_app()

    def get_app(self) -> Any:
        """The older, synchronous hook aiohttp still calls: override one of the two."""
        raise RuntimeError("Did you forget to define get_application()?")

    async def get_server(self, app: Any) -> TestServer:
        return TestServer(app)

    async def get_client(self, server: Any) -> TestClient:
        return TestClient(server)

    async def asyncSetUp(self) -> None:
        self.loop = asyncio.get_running_loop()
        await self.setUpAsync()

    async def asyncTearDown(self) -> None:
        await self.tearDownAsync()

    async def setUpAsync(self) -> None:
        self.app = await self.get_application()
        self.server = await self.get_server(self.app)
        self.client = await self.get_client(self.server)
        await self.client.start_server()

    async def tearDownAsync(self) -> None:
        await self.client.close()


class _MockedProtocol:
    """What a Request asks of its connection, without one."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport

    def send_continue(self) -> None:
        pass


def mocked_transport(sslcontext: Any = None) -> mock.Mock:
    """A ``Mock`` transport whose ``get_extra_info`` knows only ``"sslcontext"`` (as aiohttp's)."""
    transport = mock.Mock()
    transport.get_extra_info.side_effect = \
        lambda key, default=None: sslcontext if key == "sslcontext" else default
    return transport


def make_mocked_request(method: str, path: str, headers: Any = None, *,
                        match_info: Optional[dict] = None, version: Any = (1, 1),
                        closing: bool = False, app: Any = None, payload: Any = None,
                        protocol: Any = None, transport: Any = None, sslcontext: Any = None,
                        client_max_size: int = 1024 ** 2, **ignored: Any) -> Any:
    """A ``web.Request`` for ``method path`` with ``headers``, built without a connection.

    ``payload`` (bytes or a StreamReader) is the body; ``match_info`` the path variables a
    route would have found; ``app`` the application the request belongs to; ``transport`` a
    stand-in (a ``Mock`` answering ``get_extra_info("sslcontext")`` with ``sslcontext`` by
    default).  Call it from inside a running event loop when there is a body to read.
    """
    pairs = tuple((str(k), str(v)) for k, v in
                  (headers.items() if hasattr(headers, "items") else headers or ()))
    if not any(name.lower() == "host" for name, _ in pairs):
        pairs = (("Host", "localhost"),) + pairs
    if isinstance(payload, (bytes, bytearray)):
        stream = StreamReader()
        stream.feed_data(bytes(payload))
        stream.feed_eof()
        length: Optional[int] = len(payload)
    else:
        stream = payload if payload is not None else EMPTY_STREAM
        length = None if payload is not None else 0
    if not isinstance(version, str):
        version = f"{version[0]}.{version[1]}"
    head = RequestHead(method, path, pairs, version, keep_alive=not closing,
                       content_length=length)
    if app is None:
        app = web.Application(client_max_size=client_max_size)
    if protocol is None:
        protocol = _MockedProtocol(transport if transport is not None
                                   else mocked_transport(sslcontext))
    request = web.Request(head, stream, protocol, app)
    info = web.UrlMappingMatchInfo(dict(match_info or {}), None)  # type: ignore[arg-type]
    info.add_app(app)
    info.freeze()
    request._match_info = info
    return request
