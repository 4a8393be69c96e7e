"""TraceConfig (aiohttp's client tracing API): which callbacks run, in which order, with what."""
from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

import aioteach
from aioteach import ClientSession, TCPConnector, TraceConfig
from aioteach.abc import AbstractResolver
from aioteach.client import tracing

from .servers import RawServer, respond, serve_responses

MOMENTS = list(tracing.PARAMS)


def recording_config(seen: list) -> TraceConfig:
    """A config whose every signal appends (moment, params) to ``seen``."""
    config = TraceConfig()
    for moment in MOMENTS:
        async def callback(session, ctx, params, moment=moment):
            assert isinstance(ctx, SimpleNamespace)
            seen.append((moment, params))
        getattr(config, f"on_{moment}").append(callback)
    return config


def answer(seen):
    if seen.line.startswith("GET /old"):
        return respond(302, headers={"Location": "/new"})
    return respond(200, b"hello")


async def test_a_redirected_get_then_a_reused_connection():
    seen: list = []
    async with RawServer(serve_responses(answer)) as server:
        async with ClientSession(trace_configs=[recording_config(seen)]) as session:
            async with session.get(server.url("/old")) as resp:
                assert await resp.read() == b"hello"
            first = [moment for moment, _ in seen]
            seen.clear()
            async with session.get(server.url("/new")) as resp:
                await resp.read()
            second = [moment for moment, _ in seen]
    assert first == [
        "request_start", "connection_create_start", "connection_create_end",
        "request_headers_sent", "request_redirect",
        "request_start", "connection_reuseconn", "request_headers_sent",
        "request_end", "response_chunk_received"]
    assert second == ["request_start", "connection_reuseconn", "request_headers_sent",
                      "request_end", "response_chunk_received"]
    params = dict(seen)
    assert params["request_end"].response.status == 200
    assert params["request_end"].method == "GET"
    assert str(params["request_start"].url) == server.url("/new")
    assert params["response_chunk_received"].chunk == b"hello"
    assert params["request_headers_sent"].headers["Host"] == f"127.0.0.1:{server.port}"


async def test_body_chunks_are_reported_as_they_are_sent():
    seen: list = []

    async def body():
        yield b"one"
        yield b"two"

    async with RawServer(serve_responses(lambda s: respond(200, s.body))) as server:
        async with ClientSession(trace_configs=[recording_config(seen)]) as session:
            async with session.post(server.url("/"), data=body()) as resp:
                assert await resp.read() == b"onetwo"
            async with session.post(server.url("/"), data=b"bytes") as resp:
                assert await resp.read() == b"bytes"
    chunks = [p.chunk for moment, p in seen if moment == "request_chunk_sent"]
    assert chunks == [b"one", b"two", b"bytes"]


async def test_a_failed_request_reports_its_exception():
    seen: list = []
    port = aioteach.testing.unused_port()
    async with ClientSession(trace_configs=[recording_config(seen)]) as session:
        with pytest.raises(aioteach.ClientConnectorError):
            await session.get(f"http://127.0.0.1:{port}/")
    moments = [moment for moment, _ in seen]
    assert moments == ["request_start", "connection_create_start", "request_exception"]
    assert isinstance(seen[-1][1].exception, aioteach.ClientConnectorError)


async def test_waiting_for_a_slot_is_reported():
    seen: list = []
    release = asyncio.Event()

    async def slow(conn):
        while await conn.request() is not None:
            await release.wait()
            conn.write(respond(200, b"x"))

    queued = asyncio.Event()
    watcher = TraceConfig()

    async def on_queued(session, ctx, params):
        queued.set()
    watcher.on_connection_queued_start.append(on_queued)
    async with RawServer(slow) as server:
        connector = TCPConnector(limit=1)
        async with ClientSession(connector=connector,
                                 trace_configs=[recording_config(seen), watcher]) as session:
            first = asyncio.ensure_future(session.get(server.url("/")))
            second = asyncio.ensure_future(session.get(server.url("/")))
            await queued.wait()                    # the second request waits for the slot
            release.set()
            for task in (first, second):
                resp = await task
                await resp.read()
    moments = [moment for moment, _ in seen]
    assert moments.index("connection_queued_start") < moments.index("connection_queued_end")


class EverythingIsLocal(AbstractResolver):
    """A resolver that points every name at 127.0.0.1 and counts the questions."""

    def __init__(self):
        self.asked = []

    async def resolve(self, host, port=0, family=0):
        self.asked.append(host)
        return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": 2,
                 "proto": 0, "flags": 0}]

    async def close(self):
        pass


async def test_dns_moments_and_the_cache():
    seen: list = []
    resolver = EverythingIsLocal()
    async with RawServer(serve_responses(lambda s: respond(200, b"x",
                                                           {"Connection": "close"}))) as server:
        connector = TCPConnector(resolver=resolver)
        async with ClientSession(connector=connector,
                                 trace_configs=[recording_config(seen)]) as session:
            for _ in range(2):
                async with session.get(f"http://tracing.test:{server.port}/") as resp:
                    assert await resp.read() == b"x"
    assert resolver.asked == ["tracing.test"]      # the second connection used the cache
    dns = [(m, p.host) for m, p in seen if m.startswith("dns_")]
    assert dns == [("dns_cache_miss", "tracing.test"), ("dns_resolvehost_start", "tracing.test"),
                   ("dns_resolvehost_end", "tracing.test"), ("dns_cache_hit", "tracing.test")]


async def test_trace_request_ctx_and_a_custom_context_factory():
    found = []

    class Context(SimpleNamespace):
        pass

    async def on_start(session, ctx, params):
        found.append((type(ctx), ctx.trace_request_ctx))

    config = TraceConfig(trace_config_ctx_factory=Context)
    config.on_request_start.append(on_start)
    async with RawServer(serve_responses(lambda s: respond(200))) as server:
        async with ClientSession(trace_configs=[config]) as session:
            async with session.get(server.url("/"), trace_request_ctx={"id": 7}):
                pass
    assert found == [(Context, {"id": 7})]


async def test_a_config_in_use_is_frozen():
    config = TraceConfig()
    async with ClientSession(trace_configs=[config]):
        pass
    with pytest.raises(RuntimeError, match="frozen"):
        config.on_request_start.append(lambda *args: None)


def test_the_names_are_aiohttps():
    for name in ("TraceConfig", "TraceRequestStartParams", "TraceRequestEndParams",
                 "TraceRequestExceptionParams", "TraceRequestRedirectParams",
                 "TraceConnectionQueuedStartParams", "TraceDnsCacheHitParams",
                 "TraceRequestChunkSentParams", "TraceResponseChunkReceivedParams"):
        assert getattr(aioteach, name) is getattr(tracing, name)
    assert set(MOMENTS) >= {"request_start", "request_chunk_sent", "response_chunk_received",
                            "request_end", "request_exception", "request_redirect",
                            "connection_queued_start", "connection_queued_end",
                            "connection_create_start", "connection_create_end",
                            "connection_reuseconn", "dns_resolvehost_start",
                            "dns_resolvehost_end", "dns_cache_hit", "dns_cache_miss"}
