"""Which credentials each hop of a redirect chain carries (auth.hop_auth, redirects.next_hop),
and what a request does with its payload and its errors at the end of the chain."""
from __future__ import annotations

import pytest

import aioteach
from aioteach import BasicAuth, ClientSession
from aioteach.payload import AsyncIterablePayload, BytesPayload

from .servers import RawServer, respond, serve_responses

CREDENTIALS = ("authorization", "proxy-authorization", "cookie")


def landing(seen):
    sent = {name: seen.header(name) for name in CREDENTIALS}
    return respond(200, repr(sorted((k, v) for k, v in sent.items() if v)).encode())


async def test_a_redirect_to_another_origin_drops_every_credential_header():
    async with RawServer(serve_responses(landing)) as other:
        def redirect(seen):
            return respond(302, headers={"Location": other.url("/landed")})

        async with RawServer(serve_responses(redirect)) as first:
            async with ClientSession() as session:
                headers = [("Authorization", "Basic a"), ("Authorization", "Basic b"),
                           ("Proxy-Authorization", "Basic c"), ("Cookie", "a=b")]
                async with session.get(first.url("/"), headers=headers) as resp:
                    assert await resp.read() == b"[]"
                async with session.get(first.url("/"), auth=BasicAuth("u", "p")) as resp:
                    assert await resp.read() == b"[]"
                async with session.get(first.url("/"), cookies={"secret": "1"}) as resp:
                    assert await resp.read() == b"[]"      # cookies= stays with its origin
            assert first.seen[2].header("cookie") == "secret=1"
            assert first.seen[1].header("authorization") == BasicAuth("u", "p").encode()


async def test_the_sessions_own_auth_follows_to_another_origin_without_a_base_url():
    async with RawServer(serve_responses(landing)) as other:
        def redirect(seen):
            return respond(302, headers={"Location": other.url("/landed")})

        async with RawServer(serve_responses(redirect)) as first:
            auth = BasicAuth("user", "pass")
            async with ClientSession(auth=auth) as session:
                async with session.get(first.url("/")) as resp:
                    assert auth.encode() in (await resp.read()).decode()
            async with ClientSession(first.url("/"), auth=auth) as session:
                async with session.get("/") as resp:   # base_url's origin only
                    assert await resp.read() == b"[]"


async def test_credentials_in_the_url_are_taken_out_and_a_redirects_win():
    def answer(seen):
        if seen.target == "/first":
            return respond(301, headers={"Location": f"http://me@{seen.header('host')}/then"})
        return landing(seen)

    async with RawServer(serve_responses(answer)) as server:
        async with ClientSession() as session:
            with pytest.raises(ValueError, match="Cannot combine"):
                await session.get(server.url("/").replace("//", "//u:p@"),
                                  auth=BasicAuth("other", "x"))
            async with session.get(server.url("/first"), auth=BasicAuth("u", "p")) as resp:
                assert BasicAuth("me").encode() in (await resp.read()).decode()
                assert resp.url.raw_user is None
                assert str(resp.url) == server.url("/then")


class Watched(BytesPayload):
    closed = False

    async def close(self) -> None:
        self.closed = True


async def test_the_payload_is_closed_however_the_request_ends_and_a_stream_is_not_resent():
    def answer(seen):
        if seen.target == "/ftp":
            return respond(307, headers={"Location": "ftp://example.com/"})
        if seen.target == "/loop":
            return respond(307, headers={"Location": "/loop"})
        return respond(307, headers={"Location": "/done"}) if seen.target == "/" else \
            respond(200, seen.body)

    async def pieces():
        yield b"once"

    async with RawServer(serve_responses(answer)) as server:
        async with ClientSession() as session:
            for path, error in (("/ftp", aioteach.NonHttpUrlRedirectClientError),
                                ("/loop", aioteach.TooManyRedirects)):
                body = Watched(b"x")
                with pytest.raises(error):
                    await session.post(server.url(path), data=body, max_redirects=2)
                assert body.closed, path
            body = Watched(b"y")
            async with session.post(server.url("/"), data=body) as resp:
                assert await resp.read() == b"y"
            assert body.closed
            with pytest.raises(aioteach.ClientPayloadError,
                               match="Cannot follow redirect with a consumed request body"):
                await session.post(server.url("/"), data=AsyncIterablePayload(pieces()))
