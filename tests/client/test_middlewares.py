"""Client middlewares (client/middlewares.py): order, header edits on the wire, retries,
answering without sending, per-request lists replacing the session's."""
from __future__ import annotations

from aioteach import ClientSession, UploadTracker

from .servers import RawServer, respond, serve_responses


def echo_auth(seen):
    status = 200 if seen.header("authorization") == "Bearer fresh" else 401
    return respond(status, (seen.header("authorization") or "-").encode())


async def test_middlewares_run_in_list_order_and_their_headers_go_on_the_wire():
    order = []

    def named(name):
        async def middleware(request, handler):
            order.append(f"{name} in")
            request.headers["X-Seen-By"] = ",".join(filter(None, (
                request.headers.get("X-Seen-By"), name)))
            response = await handler(request)
            order.append(f"{name} out")
            return response
        return middleware

    async with RawServer(serve_responses(lambda seen: respond(200, seen.header("x-seen-by")
                                                              .encode()))) as server:
        async with ClientSession(middlewares=[named("outer"), named("inner")]) as session:
            async with session.get(server.url("/")) as resp:
                assert await resp.read() == b"outer,inner"
            async with session.get(server.url("/"), middlewares=[named("only")]) as resp:
                assert await resp.read() == b"only"
    assert order == ["outer in", "inner in", "inner out", "outer out", "only in", "only out"]


async def test_a_middleware_retries_with_fresh_credentials_and_each_send_is_an_attempt():
    async def refresh(request, handler):
        response = await handler(request)
        if response.status == 401:
            response.release()
            request.headers["Authorization"] = "Bearer fresh"
            response = await handler(request)
        return response

    async with RawServer(serve_responses(echo_auth)) as server:
        async with ClientSession(middlewares=[refresh]) as session:
            tracker = UploadTracker()
            async with session.post(server.url("/"), data=b"b" * 64,
                                    upload_tracker=tracker) as resp:
                assert (resp.status, await resp.read()) == (200, b"Bearer fresh")
    assert [seen.header("authorization") for seen in server.seen] == [None, "Bearer fresh"]
    assert (tracker.attempts, tracker.bytes_written) == (2, 64)


async def test_a_middleware_may_answer_without_sending():
    async with RawServer(serve_responses(lambda seen: respond(200, b"fresh"))) as server:
        async with ClientSession() as session:
            cached = await session.get(server.url("/"))
            await cached.read()

            async def cache(request, handler):
                return cached

            async with session.get(server.url("/"), middlewares=[cache]) as resp:
                assert resp is cached and await resp.read() == b"fresh"
    assert len(server.seen) == 1
