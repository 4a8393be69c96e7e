"""The hand-written failure categories: a cause line -> (category, owner).

Theory of operation.  ``report.failure_lines`` gives one cause per failing test (the harness
writes them with ``run.py --failures FILE``).  ``CATEGORIES`` is read top-down; the first
pattern that matches a cause (or the test id, for patterns that start with ``id:``) names its
category and the engineer whose files hold the fix.  What is left is "uncategorised" and
shown with its cause.  ``python tools/aiohttp_suite/categories.py FILE`` prints the counts,
biggest first, with one example each: the table CONTRACTS.md and docs/aiohttp-tests.md use.
"""
from __future__ import annotations

import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

__all__ = ["CATEGORIES", "categorise", "summary"]

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
    (r"id:test_run_app\.py", "run_app details (mocked site calls, task cancellation, "
     "printing)", "CORE"),
    (r"id:test_client_ws_functional\.py|id:test_web_websocket_functional\.py",
     "WebSocket behaviour", "WS"),
    (r"id:test_web_sendfile_functional\.py|id:test_web_urldispatcher\.py|"
     r"id:test_route_def\.py|id:test_classbasedview\.py|id:test_web_exceptions\.py",
     "routing / static files / exceptions", "SUITE"),
    (r"Timeout \(>", "hangs until the per-test timeout", "?"),
    (r"DID NOT WARN", "a DeprecationWarning/ResourceWarning aiohttp emits", "?"),
    (r"id:test_web_middleware\.py", "middleware", "CHECKS"),
    (r"id:test_client_functional\.py", "client behaviour (other)", "CLIENT"),
    (r"id:test_web_functional\.py", "server behaviour (other)", "CORE"),
]


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


def main(path: str) -> None:
    rows = [tuple(line.split("\t", 1)) for line in
            Path(path).read_text(encoding="utf-8").splitlines() if "\t" in line]
    print("| tests | owner | category | example |\n|---|---|---|---|")
    print("\n".join(summary(rows)))  # type: ignore[arg-type]


if __name__ == "__main__":
    main(sys.argv[1])
