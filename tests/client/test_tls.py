"""https against a local TLS server whose certificate authority the test makes (trustme)."""
from __future__ import annotations

import ssl

import pytest

import aioteach
from aioteach import ClientSession, TCPConnector, web
from tests.support import require

from .apps import make_app, serve_app


@pytest.fixture
def ca():
    return require("trustme").CA()


@pytest.fixture
def server_context(ca):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def client_context(ca):
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.mark.peer
async def test_https_with_a_trusted_certificate(server_context, client_context):
    async with serve_app(web, make_app(web), ssl_context=server_context) as url:
        async with ClientSession() as session:
            for _ in range(3):
                async with session.get(f"{url}/hello", ssl=client_context) as resp:
                    assert await resp.text() == "hello world"
                    assert resp.url.scheme == "https"
        # the same through the connector's setting, and SNI/hostname check on "localhost"
        connector = TCPConnector(ssl=client_context)
        async with ClientSession(connector=connector) as session:
            async with session.get(url.replace("127.0.0.1", "localhost") + "/json") as resp:
                assert (await resp.json())["answer"] == 42


@pytest.mark.peer
async def test_an_untrusted_certificate_is_refused(server_context):
    async with serve_app(web, make_app(web), ssl_context=server_context) as url:
        async with ClientSession() as session:
            with pytest.raises(aioteach.ClientConnectorError) as caught:
                await session.get(f"{url}/hello")
            assert "certificate" in str(caught.value)
            # ssl=False: no verification, knowingly
            async with session.get(f"{url}/hello", ssl=False) as resp:
                assert await resp.text() == "hello world"


@pytest.mark.peer
async def test_alpn_says_http_1_1_and_close_can_abort_tls(server_context):
    """The connector's own contexts offer ALPN "http/1.1" (RFC 7301); close(abort_ssl=True)
    drops pooled TLS connections without waiting for close_notify."""
    server_context.set_alpn_protocols(["h2", "http/1.1"])
    chosen = []

    async def handler(request):
        chosen.append(request.transport.get_extra_info("ssl_object").selected_alpn_protocol())
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", handler)
    async with serve_app(web, app, ssl_context=server_context) as url:
        connector = TCPConnector(ssl=False)
        async with ClientSession(connector=connector, connector_owner=False) as session:
            async with session.get(url + "/") as resp:
                assert await resp.text() == "ok"
        assert chosen == ["http/1.1"]
        await connector.close(abort_ssl=True)
        assert connector.open_connections == 0


@pytest.mark.peer
async def test_server_hostname_names_the_certificate_and_keys_the_pool(ca, client_context):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("first.example").configure_cert(context)
    async with serve_app(web, make_app(web), ssl_context=context) as url:
        connector = TCPConnector(ssl=client_context, limit=1)
        async with ClientSession(connector=connector) as session:
            async with session.get(f"{url}/hello", server_hostname="first.example") as resp:
                assert await resp.text() == "hello world"
            with pytest.raises(aioteach.ClientConnectorCertificateError):
                await session.get(f"{url}/hello", server_hostname="second.example")
            with pytest.raises(aioteach.ClientConnectorCertificateError):
                await session.get(f"{url}/hello")          # 127.0.0.1 is not on it
