"""Proxies: absolute-form requests, CONNECT tunnels to a TLS origin, trust_env and .netrc.

The proxy is a small one written here (``TinyProxy``), on 127.0.0.1: it records what it was
asked, checks Proxy-Authorization when told to, forwards one plain request per connection,
and for CONNECT pipes bytes both ways without looking at them.
"""
from __future__ import annotations

import asyncio
import ssl
from typing import List, Optional

import pytest

import aioteach
from aioteach import BasicAuth, ClientSession, web
from aioteach.testing import unused_port
from tests.support import require

from .apps import make_app, serve_app

PROXY_VARIABLES = ("http_proxy", "https_proxy", "ws_proxy", "wss_proxy", "no_proxy",
                   "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "WS_PROXY", "WSS_PROXY",
                   "NO_PROXY", "ALL_PROXY", "NETRC", "REQUEST_METHOD")


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No proxy variable of the machine's leaks in; no real ~/.netrc is read."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))


class TinyProxy:
    """An HTTP proxy for tests: absolute-form forwarding and CONNECT tunnels."""

    def __init__(self, credentials: Optional[str] = None) -> None:
        self.credentials = credentials            # the Proxy-Authorization value required
        self.lines: List[str] = []                # request lines received
        self.authorizations: List[Optional[str]] = []
        self.tunnelled = 0                        # bytes piped through CONNECT tunnels
        self._tasks: List[asyncio.Task] = []

    async def __aenter__(self) -> "TinyProxy":
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._tasks.append(asyncio.current_task())  # type: ignore[arg-type]
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")[:-2]
            fields = {k.strip().lower(): v.strip() for k, v in
                      (line.split(":", 1) for line in lines[1:])}
            self.lines.append(lines[0])
            self.authorizations.append(fields.get("proxy-authorization"))
            if self.credentials is not None and fields.get("proxy-authorization") != \
                    self.credentials:
                writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                             b"Proxy-Authenticate: Basic realm=\"tests\"\r\n"
                             b"Content-Length: 0\r\nConnection: close\r\n\r\n")
                return
            method, target, _ = lines[0].split(" ")
            if method == "CONNECT":
                await self._tunnel(target, reader, writer)
            else:
                await self._forward(method, target, lines, fields, reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _tunnel(self, target: str, reader, writer) -> None:
        host, port = target.rsplit(":", 1)
        up_reader, up_writer = await asyncio.open_connection(host, int(port))
        writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    async def _forward(self, method, target, lines, fields, reader, writer) -> None:
        url = aioteach.URL(target)                # absolute form: the whole URL
        up_reader, up_writer = await asyncio.open_connection(url.host, url.port)
        kept = [line for line in lines[1:] if not line.lower().startswith(
            ("proxy-authorization", "connection"))]
        up_writer.write(("\r\n".join([f"{method} {url.raw_path_qs} HTTP/1.1"] + kept
                                     + ["Connection: close", "", ""])).encode("latin-1"))
        if "content-length" in fields:
            up_writer.write(await reader.readexactly(int(fields["content-length"])))
        while True:                               # the origin closes after its answer
            data = await up_reader.read(65536)
            if not data:
                break
            writer.write(data)
        up_writer.close()

    async def _pipe(self, reader, writer) -> None:
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                self.tunnelled += len(data)
                writer.write(data)
                await writer.drain()
        finally:
            writer.close()


@pytest.fixture
async def origin():
    async with serve_app(web, make_app(web)) as url:
        yield url


async def test_a_plain_request_names_the_whole_url_and_carries_the_credentials(origin):
    auth = BasicAuth("proxyuser", "s3cret")
    async with TinyProxy(credentials=auth.encode()) as proxy:
        async with ClientSession() as session:
            async with session.get(f"{origin}/hello?name=p", proxy=proxy.url,
                                   proxy_auth=auth) as resp:
                assert await resp.text() == "hello p"
            async with session.get(f"{origin}/hello", proxy=proxy.url) as resp:
                assert resp.status == 407           # a plain-http 407 is just an answer
    assert proxy.lines[0] == f"GET {origin}/hello?name=p HTTP/1.1"
    assert proxy.authorizations[0] == auth.encode()


async def test_credentials_in_the_proxy_url_and_a_session_default(origin):
    async with TinyProxy(credentials=BasicAuth("u", "p").encode()) as proxy:
        with_user = proxy.url.replace("http://", "http://u:p@")
        async with ClientSession(proxy=with_user) as session:
            async with session.get(f"{origin}/hello") as resp:
                assert await resp.text() == "hello world"
    assert proxy.lines == [f"GET {origin}/hello HTTP/1.1"]


@pytest.fixture
def tls():
    trustme = require("trustme")
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


@pytest.mark.peer
async def test_https_goes_through_a_connect_tunnel_and_tls_inside_it(tls):
    server_context, client_context = tls
    auth = BasicAuth("tunnel", "pw")
    async with serve_app(web, make_app(web), ssl_context=server_context) as url, \
            TinyProxy(credentials=auth.encode()) as proxy:
        async with ClientSession() as session:
            for _ in range(2):                      # the second usually reuses the tunnel
                async with session.get(f"{url}/hello", proxy=proxy.url, proxy_auth=auth,
                                       ssl=client_context) as resp:
                    assert await resp.text() == "hello world"
            with pytest.raises(aioteach.ClientHttpProxyError) as caught:
                await session.get(f"{url}/json", proxy=proxy.url, ssl=client_context)
            assert caught.value.status == 407
    port = url.rsplit(":", 1)[1]
    # every request went through a tunnel (whether the second reused the first is not asserted:
    # once, on a loaded machine, the TLS transport read as closing and a new tunnel was made)
    assert set(proxy.lines) == {f"CONNECT 127.0.0.1:{port} HTTP/1.1"}
    assert proxy.authorizations[0] == auth.encode()
    assert proxy.tunnelled > 0                      # what went through was TLS, not HTTP


async def test_an_unreachable_proxy_is_a_proxy_connection_error(origin):
    async with ClientSession() as session:
        with pytest.raises(aioteach.ClientConnectorError):
            await session.get(f"{origin}/hello", proxy=f"http://127.0.0.1:{unused_port()}")
        with pytest.raises(aioteach.ClientProxyConnectionError):
            await session.get(f"{origin.replace('http', 'https')}/hello",
                              proxy=f"http://127.0.0.1:{unused_port()}")
        with pytest.raises(aioteach.ClientError, match="only http://"):
            await session.get(f"{origin}/hello", proxy="socks5://127.0.0.1:1080")


async def test_trust_env_takes_the_proxy_from_the_environment(origin, monkeypatch):
    async with TinyProxy(credentials=BasicAuth("env", "pw").encode()) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url.replace("http://", "http://env:pw@"))
        async with ClientSession() as session:      # not trusted: straight to the origin
            async with session.get(f"{origin}/hello") as resp:
                assert await resp.text() == "hello world"
        assert proxy.lines == []
        async with ClientSession(trust_env=True) as session:
            async with session.get(f"{origin}/hello") as resp:
                assert await resp.text() == "hello world"
        assert proxy.lines == [f"GET {origin}/hello HTTP/1.1"]
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")
        async with ClientSession(trust_env=True) as session:
            async with session.get(f"{origin}/hello") as resp:
                assert await resp.text() == "hello world"
        assert len(proxy.lines) == 1                # NO_PROXY: the origin was asked directly


async def test_trust_env_reads_passwords_from_netrc(origin, monkeypatch, tmp_path):
    netrc = tmp_path / "my-netrc"
    netrc.write_text("machine 127.0.0.1 login alice password wonder\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    async with ClientSession() as session:
        async with session.get(f"{origin}/echo") as resp:
            sent = dict((await resp.json())["headers"])
    assert "Authorization" not in sent
    async with ClientSession(trust_env=True) as session:
        async with session.get(f"{origin}/echo") as resp:
            sent = dict((await resp.json())["headers"])
        assert sent["Authorization"] == BasicAuth("alice", "wonder").encode()
        async with session.get(f"{origin}/echo", headers={"Authorization": "Bearer t"}) as resp:
            sent = dict((await resp.json())["headers"])
        assert sent["Authorization"] == "Bearer t"   # a header of your own wins


async def test_netrc_gives_the_proxy_its_password(origin, monkeypatch, tmp_path):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login bob password builder\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    async with TinyProxy(credentials=BasicAuth("bob", "builder").encode()) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        async with ClientSession(trust_env=True) as session:
            async with session.get(f"{origin}/hello") as resp:
                assert await resp.text() == "hello world"
    assert proxy.authorizations == [BasicAuth("bob", "builder").encode()]
