"""Lesson 01's exercise: a handler for ``GET /shout/{word}``.

Theory of operation.  ``check_shout(handler)`` routes the learner's handler at
``/shout/{word}`` in a throw-away app and asks it three words.  A right handler answers
``200`` with the word in capitals and an exclamation mark (``hello`` -> ``HELLO!``) as
``text/plain``: the first thing ``web.Response(text=...)`` gives you.  Non-ASCII letters are
asked too (``straße``), because the path arrives percent-encoded (RFC 3986 section 2.1) and
``request.match_info`` hands the handler the decoded text.
"""
from __future__ import annotations

from typing import Any

from . import CheckResult, ThrowawayServer, one_route_app, require_async, run_check

__all__ = ["check_shout", "WORDS"]

#: word asked -> the body a right handler answers with.
WORDS = {"hello": "HELLO!", "asyncio": "ASYNCIO!", "straße": "STRASSE!"}


def check_shout(handler: Any) -> CheckResult:
    """Check a handler for ``GET /shout/{word}`` that answers ``WORD!`` in capitals."""
    async def body(result: CheckResult) -> None:
        if not require_async(result, handler):
            return
        async with ThrowawayServer(one_route_app("GET", "/shout/{word}", handler)) as server:
            for word, expected in WORDS.items():
                reply = await server.ask("GET", f"/shout/{word}")
                if not result.expect(reply.status == 200, f"GET /shout/{word} answers 200",
                                     got=reply.summary(), hint=server.error_note() or
                                     "return web.Response(text=...) from the handler"):
                    continue
                result.expect(reply.text == expected,
                              f"GET /shout/{word} answers {expected!r}", got=repr(reply.text),
                              hint="read the word with request.match_info['word'], then "
                                   "word.upper() + '!'")
                result.expect(reply.headers.get("Content-Type", "").startswith("text/plain"),
                              f"GET /shout/{word} is text/plain",
                              got=reply.headers.get("Content-Type"),
                              hint="web.Response(text=...) sets text/plain for you")
    return run_check("check_shout", body)
