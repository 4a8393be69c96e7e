"""The hand-written failure categories: a cause line -> (category, owner).

Theory of operation.  ``report.failure_lines`` gives one cause per failing test (the harness
writes them with ``run.py --failures FILE``).  ``CATEGORIES`` is read top-down; the first
pattern that matches a cause (or the test id, for patterns that start with ``id:``) names its
category and the engineer whose files hold the fix.  What is left is "uncategorised" and
shown with its cause.  ``python tools/aiohttp_suite/categories.py FILE`` prints the counts,
biggest first, with one example each (the table in CONTRACTS.md);
``categories.py --doc docs/aiohttp-tests.md FILE`` rewrites the generated list in the document,
each category with its hand-written verdict and reason (``WHY``).
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

__all__ = ["CATEGORIES", "WHY", "categorise", "summary", "markdown"]

# (pattern, category, owner).  Owners: the team's areas (CONTRACTS.md).
CATEGORIES: List[Tuple[str, str, str]] = [
    (r"NoneType can't be used in 'await' expression", "`await resp.release()` not awaitable",
     "CLIENT"),
    (r"'TestClient' is not subscriptable", "`TestClient[Request, Application]` (generic) at "
     "import of test_test_utils", "CLIENT"),
    (r"make_url\(\) wants a path|InvalidUrlClientError: http:///|InvalidUrlClientError: http://"
     r"/", "test client refuses paths starting with `//`", "CLIENT"),
    (r"UploadTracker", "`aiohttp.UploadTracker` missing", "CLIENT"),
    (r"data= must be bytes.*Payload|MockedBytesPayload", "client `data=<Payload>`", "CLIENT"),
    (r"request body was a stream and has been consumed", "client re-send of a file body on a "
     "redirect", "CLIENT"),
    (r"unexpected keyword argument 'resolver'|AbstractResolver|ResolveResult",
     "`resolver=` / `abc.AbstractResolver`", "CLIENT"),
    (r"get_unused_port_socket|loop_context", "`test_utils.get_unused_port_socket` / "
     "`loop_context` missing", "CLIENT"),
    (r"does not support the asynchronous context manager protocol",
     "`ws_connect()` not an async context manager", "CLIENT"),
    (r"TraceConfig", "`TraceConfig` (client tracing) missing", "CLIENT"),
    (r"Fingerprint|ServerFingerprintMismatch", "`Fingerprint` missing", "CLIENT"),
    (r"trust_env|netrc|proxy", "`trust_env` / `.netrc` / proxies", "CLIENT"),
    (r"ZLibBackend|compression_utils", "`compression_utils.ZLibBackend` (pluggable zlib, used "
     "by a conftest fixture)", "CORE"),
    (r"'Content-Type' not in", "1xx/204/304 carry a Content-Type", "CORE"),
    (r"body must be bytes, got", "`web.Response(body=<file/StringIO/async gen/part>)`: 500 "
     "(payloads not integrated)", "CORE"),
    (r"client_max_fields|client_max_size|== 413|assert 500 == 413", "form limits "
     "(`client_max_fields`, 413)", "CHECKS"),
    (r"has no attribute 'task'|has no attribute 'protocol'", "`request.task` / "
     "`request.protocol`", "CHECKS"),
    # -- the server files (SERVER15, 2026-12-06): precise causes first ----------------------
    (r"id:test_web_functional\.py::test_large_header\[", "431 for an over-long header field "
     "(aiohttp: 400)", "SPEED"),
    (r"id:test_web_middleware\.py::TestNormalizePathMiddleware::test_cannot_remove_and_add",
     "a bad argument combination is a ValueError (aiohttp: assert)", "SERVER15"),
    (r"id:test_test_utils\.py::test_make_mocked_request_app_can_store_values",
     "make_mocked_request's default app is a real Application (aiohttp: a MagicMock)",
     "SERVER15"),
    (r"id:test_web_middleware\.py::test_old_style_middleware", "old-style middleware",
     "SERVER15"),
    (r"id:test_web_functional\.py::test_response_with_streamer",
     "`aiohttp.streamer` (deprecated) not exported at the top", "CLIENT15"),
    (r"id:test_web_urldispatcher\.py::test_412_is_returned", "`Application(router=...)`, a "
     "custom router (deprecated in aiohttp)", "SERVER15"),
    (r"has no attribute 'add_domain'", "`app.add_domain()` (sub-apps by Host)", "SPEED"),
    (r"id:test_web_functional\.py::test_(100_continue|app_max_client_fields|multipart_content_"
     r"transfer_encoding|expect_handler_custom_response|http10_keep_alive_default)",
     "client details the server tests use (FormData, expect100, HTTP/1.0 keep-alive)",
     "CLIENT15"),
    (r"id:test_run_app\.py::TestShutdown::test_shutdown_handler_cancellation|"
     r"test_test_utils\.py::test_(disable_)?retry_persistent|"
     r"test_web_functional\.py::test_(bad_request_payload|http1_pipelined_behind)",
     "server protocol details (handler_cancellation on a client's FIN, force_close(), "
     "request Content-Encoding, MAX_MSG_QUEUE_SIZE)", "SPEED"),
    (r"id:test_web_functional\.py::test_bad_method_for_c_http_parser",
     "aiohttp's C-parser test, skipped by its own condition", "SERVER15"),
    (r"multiple unraisable exception warnings|PytestUnraisableExceptionWarning",
     "an earlier test's leaked object, collected (and reported) in a later test", "?"),
    (r"is already routed to .*the new route would never run", "a route that can never run "
     "is refused", "SPEED"),
    (r"assert 'aiohttp' in '.*aioteach", "User-Agent / Server name says aioteach", "CLIENT15"),
    # -- CLIENT15's verdicts (CONTRACTS.md, 2026-12-06 23:22) ------------------------------------
    (r"id:test_client_functional\.py::test_(exception_when_read_outside_of_session|"
     r"read_after_raise_outside_context)", "reading a released body: aioteach's error names "
     "the cause", "CLIENT15"),
    (r"id:test_client_functional\.py::test_error_not_overwrote_on_conn_close",
     "body-less responses share one immutable empty stream", "CLIENT15"),
    (r"id:test_client_functional\.py::test_(deprecated_upload_attributes|upload_complete_"
     r"deprecated)", "aiohttp 3.14's deprecated upload attributes (UploadTracker only)",
     "CLIENT15"),
    (r"id:test_client_functional\.py::test_bad_payload_content_length", "a handler's "
     "Content-Length that contradicts the body is corrected", "SERVER15"),
    (r"id:test_client_functional\.py::test_upload_tracker_(middleware|compressed)",
     "client middlewares= and compress= (request Content-Encoding)", "CLIENT15"),
    (r"id:test_run_app\.py", "run_app details (mocked site calls, task cancellation, "
     "printing)", "CORE"),
    (r"id:test_(client_ws|web_websocket)_functional\.py",
     "WebSocket behaviour", "WS"),
    (r"id:test_(web_sendfile_functional|web_urldispatcher|route_def|classbasedview|"
     r"web_exceptions)\.py",
     "routing / static files / exceptions", "SUITE"),
    (r"Timeout \(>", "hangs until the per-test timeout", "?"),
    (r"DID NOT WARN.*ResourceWarning", "aiohttp's ResourceWarning for a bytes body over 1 MiB",
     "SUITE"),
    (r"DID NOT WARN", "a DeprecationWarning/ResourceWarning aiohttp emits", "?"),
    (r"id:test_web_middleware\.py", "middleware", "CHECKS"),
    (r"id:test_client_functional\.py", "client behaviour (other)", "CLIENT"),
    (r"id:test_web_functional\.py", "server behaviour (other)", "CORE"),
]


# category -> (verdict, why), hand-written.  "not done yet": aioteach means to behave like
# aiohttp here and does not yet.  "on purpose": aioteach differs and says why.
WHY: Dict[str, Tuple[str, str]] = {
    "`await resp.release()` not awaitable": ("not done yet", "aiohttp's `release()` is a "
        "coroutine-compatible call; aioteach's returns None, so `await` fails before the test "
        "checks anything. One line in client/response.py."),
    "`TestClient[Request, Application]` (generic) at import of test_test_utils": (
        "not done yet", "aiohttp's TestClient/TestServer are Generic; the module subscripts "
        "them at import, so the whole file fails. `__class_getitem__` in testing.py."),
    "test client refuses paths starting with `//`": ("not done yet", "`client.get('//a//b')` "
        "is a path for aiohttp's TestClient; aioteach reads it as a network-path reference. "
        "Blocks every normalize_path_middleware test."),
    "`aiohttp.UploadTracker` missing": ("not done yet", "aiohttp 3.14's upload progress API."),
    "client `data=<Payload>`": ("not done yet", "aioteach/payload.py exists; the client's "
        "`data=` does not accept a Payload yet (CLIENT integrates)."),
    "client re-send of a file body on a redirect": ("not done yet", "307/308 (and 301/302 for "
        "non-POST) re-send the body; file payloads can rewind now (payload.py)."),
    "`resolver=` / `abc.AbstractResolver`": ("not done yet", "pluggable DNS resolution."),
    "`test_utils.get_unused_port_socket` / `loop_context` missing": ("not done yet",
        "small public helpers of aiohttp.test_utils."),
    "`ws_connect()` not an async context manager": ("not done yet", "`async with "
        "client.ws_connect()` on the TestClient."),
    "`TraceConfig` (client tracing) missing": ("not done yet", "aioteach.trace exists; the "
        "aiohttp-shaped TraceConfig API on top of it does not."),
    "`Fingerprint` missing": ("not done yet", "certificate pinning for the client."),
    "`trust_env` / `.netrc` / proxies": ("not done yet", "issue 15 asks for them."),
    "`compression_utils.ZLibBackend` (pluggable zlib, used by a conftest fixture)": (
        "on purpose", "aiohttp lets zlib be swapped for zlib-ng/isal; aioteach uses the "
        "standard zlib only (core = standard library). The fixture that swaps it fails, so "
        "its tests do."),
    "1xx/204/304 carry a Content-Type": ("not done yet", "issue 14: no Content-Type, no body."),
    "`web.Response(body=<file/StringIO/async gen/part>)`: 500 (payloads not integrated)": (
        "not done yet", "payload.py exists; web/response.py does not use it yet (CORE)."),
    "form limits (`client_max_fields`, 413)": ("not done yet", "413 for oversized forms and "
        "the client_max_fields option."),
    "`request.task` / `request.protocol`": ("not done yet", "public request attributes."),
    "431 for an over-long header field (aiohttp: 400)": ("on purpose", "a header field "
        "longer than max_field_size is answered 431 Request Header Fields Too Large, the "
        "status RFC 6585 section 5 made for it; aiohttp answers 400."),
    "a bad argument combination is a ValueError (aiohttp: assert)": ("on purpose",
        "`normalize_path_middleware(append_slash=True, remove_slash=True)`: aiohttp checks "
        "with `assert` (gone under `python -O`); aioteach raises ValueError with the fix."),
    "make_mocked_request's default app is a real Application (aiohttp: a MagicMock)": (
        "on purpose", "the test stores `app['a_field']` on the mocked request's app; aiohttp's "
        "default app is a MagicMock, so its own NotAppKeyWarning never fires. aioteach's "
        "is a real `web.Application` (handlers see what they will see in production), which "
        "warns for a str key as aiohttp's Application does: the test pins the mock."),
    "old-style middleware": ("not done yet", "see the list."),
    "`aiohttp.streamer` (deprecated) not exported at the top": ("not done yet",
        "`aioteach.payload.streamer` exists (and works as a body); the top-level name waits "
        "for the payload rows of aioteach/__init__.py."),
    "`Application(router=...)`, a custom router (deprecated in aiohttp)": ("not done yet",
        "aiohttp deprecates passing a router; aioteach's Application always has its "
        "UrlDispatcher. Left out: a deprecated hook, one test."),
    "`app.add_domain()` (sub-apps by Host)": ("not done yet", "virtual hosts: routing would "
        "have to look at the Host header, which the router's path index does not."),
    "client details the server tests use (FormData, expect100, HTTP/1.0 keep-alive)": (
        "not done yet", "the server side works; the client sends no `Expect` without a body, "
        "no `Connection: keep-alive` on HTTP/1.0, and lacks FormData's "
        "`default_to_multipart=` and its deprecation of `content_transfer_encoding`."),
    "server protocol details (handler_cancellation on a client's FIN, force_close(), "
    "request Content-Encoding, MAX_MSG_QUEUE_SIZE)": ("not done yet", "in web/protocol.py: "
        "see SERVER15 -> SPEED in CONTRACTS.md."),
    "aiohttp's C-parser test, skipped by its own condition": ("on purpose", "the test "
        "skips unless `HttpRequestParserC` is in `aiohttp.http_parser`; aioteach has one "
        "parser, in Python (http1/), so the skip holds. It answers `GET1 /` with 400 too."),
    "an earlier test's leaked object, collected (and reported) in a later test": (
        "not done yet", "order-dependent: passes alone; an object some earlier test left "
        "open is garbage-collected during this one's teardown."),
    "a route that can never run is refused": ("on purpose", "`add_get('/', h)` already "
        "routes HEAD /; a later `add_head('/', h)` could never run. aiohttp accepts it when "
        "another path was registered in between (it then makes a second resource for '/', "
        "which is never reached) and refuses it otherwise; aioteach always refuses, saying why."),
    "User-Agent / Server name says aioteach": ("on purpose", "the client's User-Agent is "
        "`Python/3.x aioteach/0.1`: it names the library that sent it (RFC 9110 10.1.5)."),
    "reading a released body: aioteach's error names the cause": ("on purpose", "after "
        "the session closed (or the response was released) a read raises ClientPayloadError "
        "/ ClientConnectionError saying what happened (how many bytes arrived; read the body "
        "before releasing it); aiohttp raises RuntimeError('Connection closed.') / matches "
        "`^Connection closed$`. Still caught by `except ClientError` (STYLE 6: errors carry a "
        "hint)."),
    "body-less responses share one immutable empty stream": ("on purpose", "a response "
        "without a body gets streams.EMPTY_STREAM (no reader built per request), which "
        "ignores set_exception; the rule the test is after (the first error stays) holds for "
        "every real stream."),
    "aiohttp 3.14's deprecated upload attributes (UploadTracker only)": ("on purpose",
        "`resp.output_size` / `resp.upload_complete` arrive deprecated in aiohttp 3.14 in "
        "favour of UploadTracker; aioteach has UploadTracker only."),
    "a handler's Content-Length that contradicts the body is corrected": ("on purpose",
        "`Response(text='text')` with `headers['Content-Length'] = '10000'`: aioteach sends "
        "the body's real length (4); aiohttp sends the wrong one and the client fails. A "
        "server that frames its own messages wrongly only breaks its clients."),
    "client middlewares= and compress= (request Content-Encoding)": ("not done yet",
        "aiohttp 3.12's client middlewares (the request head is built at send time there), "
        "and compress= needs the server to inflate a request body with Content-Encoding "
        "(web/protocol.py, SPEED)."),
    "run_app details (mocked site calls, task cancellation, printing)": ("not done yet",
        "these tests mock TCPSite/UnixSite and the loop and compare the calls run_app makes, "
        "and how it cancels tasks at exit; several pin aiohttp's call shapes (accidents) and "
        "will be documented one by one."),
    "WebSocket behaviour": ("not done yet", "per-test details: permessage-deflate, close "
        "codes, timeouts; see the list."),
    "routing / static files / exceptions": ("not done yet", "SUITE's files; see the list."),
    "hangs until the per-test timeout": ("not done yet", "most are handlers that raise "
        "pytest's Failed (a BaseException): the connection is left open (issue 14)."),
    "aiohttp's ResourceWarning for a bytes body over 1 MiB": ("on purpose", "aiohttp warns "
        "that sending a large bytes body 'might lock the event loop'. In aioteach the bytes go "
        "to the transport in one non-blocking write (flow control waits on drain), so there is "
        "nothing to warn about; a warning that is not true would teach the wrong thing."),
    "a DeprecationWarning/ResourceWarning aiohttp emits": ("not done yet", "aiohttp's "
        "deprecations are part of what a user sees; aioteach emits them where it keeps the "
        "old spelling."),
    "middleware": ("not done yet", "see the list."),
    "client behaviour (other)": ("not done yet", "see the list."),
    "server behaviour (other)": ("not done yet", "see the list."),
    "uncategorised": ("not done yet", "see the list."),
}


def categorise(nodeid: str, cause: str) -> Tuple[str, str]:
    for pattern, category, owner in CATEGORIES:
        if pattern.startswith("id:"):
            if re.match(pattern[3:], nodeid):
                return category, owner
        elif re.search(pattern, cause):
            return category, owner
    return "uncategorised", "?"


def summary(lines: List[Tuple[str, str]]) -> List[str]:
    groups: Dict[Tuple[str, str], List[Tuple[str, str]]] = defaultdict(list)
    for nodeid, cause in lines:
        groups[categorise(nodeid, cause)].append((nodeid, cause))
    ranked = sorted(groups.items(), key=lambda item: -len(item[1]))
    return [f"| {len(found)} | {owner} | {category} | `{found[0][0]}` |"
            for (category, owner), found in ranked]


def markdown(lines: List[Tuple[str, str]]) -> str:
    """Every failure, by category, biggest first, each category with its verdict and why."""
    groups: Dict[Tuple[str, str], List[Tuple[str, str]]] = defaultdict(list)
    for nodeid, cause in lines:
        groups[categorise(nodeid, cause)].append((nodeid, cause))
    out = [f"{len(lines)} tests pass in aiohttp and not in aioteach.\n"]
    for (category, owner), found in sorted(groups.items(), key=lambda item: -len(item[1])):
        verdict, why = WHY.get(category, ("not done yet", ""))
        out += [f"### {category} - {len(found)} tests ({verdict}; {owner})\n", why, "",
                "<details><summary>the tests and their causes</summary>\n"]
        out += [f"- `{nodeid}`: {cause.replace('|', '/')}" for nodeid, cause in sorted(found)]
        out += ["\n</details>\n"]
    return "\n".join(out)


BEGIN, END = "<!-- generated by categories.py: begin -->", "<!-- generated: end -->"


def main(argv: List[str]) -> None:
    """``categories.py FILE`` prints the table; ``--doc DOC FILE`` rewrites DOC's list."""
    parser = argparse.ArgumentParser(
        description="aiohttp suite failures by category (the FILE of run.py --failures FILE)")
    parser.add_argument("--doc", type=Path, metavar="DOC",
                        help="rewrite DOC's generated list (docs/aiohttp-tests.md) instead")
    parser.add_argument("failures", type=Path, metavar="FILE")
    args = parser.parse_args(argv)
    if not args.failures.exists():
        parser.error(f"{args.failures}: no such file (make it with "
                     "tools/aiohttp_suite/run.py --failures FILE)")
    rows = [tuple(line.split("\t", 1)) for line in
            args.failures.read_text(encoding="utf-8").splitlines() if "\t" in line]
    if args.doc is not None:
        doc = args.doc
        text = doc.read_text(encoding="utf-8")
        head, _, rest = text.partition(BEGIN)
        tail = rest.partition(END)[2]
        doc.write_text(f"{head}{BEGIN}\n{markdown(rows)}\n{END}{tail}",
                       encoding="utf-8")
        return
    print("| tests | owner | category | example |\n|---|---|---|---|")
    print("\n".join(summary(rows)))


if __name__ == "__main__":
    main(sys.argv[1:])
