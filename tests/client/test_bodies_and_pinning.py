"""Payload bodies (data= files, StringIO, async generators, Payload objects) and Fingerprint."""
from __future__ import annotations

import hashlib
import io
import ssl

import pytest

import aioteach
from aioteach import ClientSession, Fingerprint, TCPConnector, payload, web
from aioteach.abc import AbstractResolver
from tests.support import require

from .apps import make_app, serve_app
from .servers import RawServer, respond, serve_responses


def echo_body(seen):
    framing = "chunked" if seen.header("transfer-encoding") else seen.header("content-length")
    return respond(200, seen.body, {"X-Framing": framing,
                                    "X-Type": seen.header("content-type") or "-"})


async def test_an_async_generator_goes_chunked_and_a_stringio_with_its_length():
    async def pieces():
        yield b"one,"
        yield b"two"

    async with RawServer(serve_responses(echo_body)) as server:
        async with ClientSession() as session:
            async with session.post(server.url("/"), data=pieces()) as resp:
                assert (await resp.read(), resp.headers["X-Framing"]) == (b"one,two", "chunked")
            async with session.post(server.url("/"), data=io.StringIO("héllo")) as resp:
                assert await resp.read() == "héllo".encode()
                assert resp.headers["X-Framing"] == str(len("héllo".encode()))
                assert resp.headers["X-Type"].startswith("text/plain")
            body = payload.JsonPayload({"a": 1})
            async with session.post(server.url("/"), data=body) as resp:
                assert await resp.read() == b'{"a": 1}'
                assert resp.headers["X-Type"] == "application/json"
            with pytest.raises(TypeError, match="data= must be"):
                await session.post(server.url("/"), data=object())


async def test_a_named_file_sends_its_type_and_a_disposition_only_when_asked(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"some notes")
    async with RawServer(serve_responses(echo_body)) as server:
        async with ClientSession() as session:
            with open(path, "rb") as file:
                async with session.put(server.url("/"), data=file) as resp:
                    assert await resp.read() == b"some notes"
                    assert resp.headers["X-Framing"] == "10"
                    assert resp.headers["X-Type"] == "text/plain"
    # aiohttp's rule: a file as the whole body has no Content-Disposition; ask for one with
    # get_payload(file, disposition="inline")
    assert server.seen[0].header("content-disposition") is None
    async with RawServer(serve_responses(echo_body)) as server:
        async with ClientSession() as session:
            with open(path, "rb") as file:
                body = payload.get_payload(file, disposition="inline")
                async with session.put(server.url("/"), data=body) as resp:
                    assert await resp.read() == b"some notes"
    assert server.seen[0].header("content-disposition") == 'inline; filename="notes.txt"'


@pytest.fixture
def tls_pair():
    trustme = require("trustme")
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server)
    der = ssl.PEM_cert_to_DER_cert(cert.cert_chain_pems[0].bytes().decode())
    return server, hashlib.sha256(der).digest()


@pytest.mark.peer
async def test_a_pinned_certificate_is_accepted_and_another_refused(tls_pair):
    server_context, digest = tls_pair
    async with serve_app(web, make_app(web), ssl_context=server_context) as url:
        async with ClientSession() as session:       # self-signed CA, but pinned: fine
            async with session.get(f"{url}/hello", ssl=Fingerprint(digest)) as resp:
                assert await resp.text() == "hello world"
            with pytest.raises(aioteach.ServerFingerprintMismatch) as caught:
                await session.get(f"{url}/hello", ssl=Fingerprint(b"\0" * 32))
            assert digest.hex() in str(caught.value)
    with pytest.raises(ValueError, match="sha256"):
        Fingerprint(hashlib.sha1(b"x").digest())


class Pointing(AbstractResolver):
    def __init__(self, port):
        self.port = port

    async def resolve(self, host, port=0, family=0):
        if host != "app.test":
            raise OSError(f"unknown host {host}")
        return [{"hostname": host, "host": "127.0.0.1", "port": self.port, "family": 2,
                 "proto": 0, "flags": 0}]

    async def close(self):
        pass


async def test_a_resolver_of_your_own():
    async with RawServer(serve_responses(lambda seen: respond(200, seen.header("host").encode()))
                         ) as server:
        connector = TCPConnector(resolver=Pointing(server.port), use_dns_cache=False)
        async with ClientSession(connector=connector) as session:
            async with session.get("http://app.test/") as resp:
                assert await resp.read() == b"app.test"      # the Host is still the name
            with pytest.raises(aioteach.ClientConnectorError):
                await session.get("http://elsewhere.test/")
    assert issubclass(aioteach.DefaultResolver, AbstractResolver)
