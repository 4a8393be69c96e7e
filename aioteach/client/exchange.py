"""One exchange: a built request sent on one connection, up to the response's head.

Theory of operation.  The session (session.py) builds a ``ClientRequest`` and its pool key,
then hands them here, once per hop of a redirect chain:

    connect    connector.reuse(key): an idle keep-alive connection taken at once, with no
               coroutine; else connector.connect(key) within ``ClientTimeout.connect``: a
               slot in the pool (maybe a wait in line), then a pooled or a new connection
    send       connection.start(response); request.write(connection), or a streamed body
               sent in the background while the answer is awaited (request.py)
    head       await response.start(): the status line and headers; the body is the caller's

Discussion: which error for an answer that is not HTTP?  For a malformed status line or a
head over the parser's limits, aiohttp raises ``ClientResponseError`` with status 400 and the
parser's message, and so do we (431 for a head too large), so ``except ClientResponseError``
code ports.  A server that closes before its head is complete is ``ServerDisconnectedError``;
one that stops mid-body is ``ClientPayloadError`` on the read.

Discussion: the keep-alive race.  A server may close an idle connection at the very moment we
send a request on it; the request then fails without a byte of answer.  The request is sent
again, once, on a fresh connection, but only if it was idempotent (RFC 9110 9.2.2: GET, HEAD,
PUT, DELETE, OPTIONS, TRACE) and its body can be replayed; a POST gets the error.
"""
from __future__ import annotations

import asyncio
from typing import Any, List

from .. import trace
from ..http1 import RemoteProtocolError
from ..url import URL
from .connector import ConnectionKey, TCPConnector
from .errors import (ClientError, ClientResponseError, ConnectionTimeoutError,
                     ServerDisconnectedError)
from .options import RequestOptions
from .request import ClientRequest
from .response import ClientResponse
from .timeouts import Deadline
from .tracing import send_all

__all__ = ["exchange", "IDEMPOTENT"]

# RFC 9110 9.2.2: a request the server may safely see twice, so a keep-alive connection that
# the server had closed just as we reused it may be retried once on a fresh connection.
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
CONNECT_HINT = ("no connection within ClientTimeout.connect ({delay} s): waiting for a free "
                "one in the pool, then connecting")


async def exchange(connector: TCPConnector, req: ClientRequest, url: URL, key: ConnectionKey,
                   options: RequestOptions, req_id: int, history: List[ClientResponse]
                   ) -> ClientResponse:
    """One request on one connection (``key``: the pool's, options.py): connect, send,
    wait for the head (retry once: the keep-alive race above)."""
    # long because: the keep-alive retry and the mapping of each failure to its error
    # are one decision, best read together
    loop = options.loop
    may_retry = True
    tracker = req.tracker
    while True:
        if tracker is not None:
            tracker.attempt_started()          # each send of the body counts, the retry too
        # An idle keep-alive connection is taken at once (no coroutine, no connect limit
        # to watch); otherwise wait for a slot and maybe connect (connection_for).
        conn = connector.reuse(key, loop, trace_req=req_id)
        if conn is None or conn.limits is not options.limits or options.traces:
            conn = await connection_for(connector, conn, key, options, req_id)
        resp = ClientResponse(
            req.method, url.with_fragment(None) if url.raw_fragment else url, real_url=url,
            request_headers=req.headers, connection=conn,
            auto_decompress=options.auto_decompress, read_bufsize=options.read_bufsize,
            history=tuple(history), loop=loop)
        reused = conn.exchanges > 0
        try:
            conn.start(resp, req.method, req_id)
            if not req.keep_alive:
                conn.should_close = True
            sock_read = options.timeout.sock_read
            if req.payload is not None:        # streamed: sent while we wait (request.py)
                req.send_in_background(conn, resp, sock_read)
            else:
                await req.write(conn, resp)
                if sock_read is not None:      # silence counts once the request is out
                    conn.watch_silence(sock_read)
            if trace.enabled:
                trace.emit("client.request_sent", req=req_id)
            await resp.start()
            return resp
        except ServerDisconnectedError:
            resp.close()
            if resp.writer is not None:        # let a cancelled upload stop before a retry
                await asyncio.gather(resp.writer, return_exceptions=True)
            if (may_retry and reused and not resp.head_received
                    and req.method in IDEMPOTENT and req.rewind()):
                may_retry = False
                continue                       # the keep-alive race: see IDEMPOTENT
            raise
        except ClientError:
            resp.close()
            raise
        except RemoteProtocolError as exc:
            # A status line or head that is not HTTP: aiohttp's choice, a 400 error.
            resp.close()
            raise ClientResponseError(resp.request_info, tuple(history),
                                      status=exc.status, message=exc.hint) from None
        except BaseException:
            resp.close()
            raise


async def connection_for(connector: TCPConnector, conn: Any, key: ConnectionKey,
                         options: RequestOptions, req_id: int) -> Any:
    """A slot and maybe a new connection (``conn`` None), or what a reused one needs."""
    loop, traces = options.loop, options.traces
    if conn is None:                           # within ClientTimeout.connect
        timeout = options.timeout
        with Deadline(loop, timeout.connect, ConnectionTimeoutError, CONNECT_HINT,
                      alarm=options.alarm):
            conn = await connector.connect(
                key, trace_req=req_id, sock_connect=timeout.sock_connect,
                limits=options.limits, loop=loop, traces=traces)
    else:
        if conn.limits is not options.limits:
            conn.set_limits(options.limits)
        if traces:
            await send_all(traces, "connection_reuseconn")
    return conn
