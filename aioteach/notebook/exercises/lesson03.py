"""Lesson 03's exercise: an authentication middleware that answers 401 without a token.

Theory of operation.  ``check_auth(middleware)`` puts the learner's middleware in a throw-away
app with three routes and asks it six questions:

    GET /public/hello                        200 for anyone: public paths need no token
    GET /secret                              401 with WWW-Authenticate (RFC 9110 section
                                             11.6.1: a 401 must say how to authenticate)
    GET /secret  Authorization: Bearer wrong 401
    GET /secret  Authorization: Basic ...    401 (another scheme is not our token)
    GET /secret  Authorization: Bearer TOKEN 200 and the handler's own body
    GET /nowhere with the token              404: the router's answer passes through

and it counts the calls of the secret handler: a refused request must never reach it.  The
token is a "Bearer" credential in the ``Authorization`` field (RFC 6750 section 2.1).
"""
from __future__ import annotations

import inspect
from typing import Any, List

from aioteach import web

from . import CheckResult, ThrowawayServer, require_async, run_check

__all__ = ["check_auth", "TOKEN", "PUBLIC_PREFIX"]

#: The one token the middleware accepts (a real app would look tokens up, or verify them).
TOKEN = "open-sesame"
#: Paths starting with this need no token.
PUBLIC_PREFIX = "/public/"


def check_auth(middleware: Any) -> CheckResult:
    """Check a middleware that lets ``/public/...`` through and wants ``Bearer TOKEN`` else."""
    async def body(result: CheckResult) -> None:
        if not require_async(result, middleware, "middleware"):
            return
        if not result.expect(len(inspect.signature(middleware).parameters) == 2,
                             "your middleware takes (request, handler)",
                             got=str(inspect.signature(middleware)),
                             hint="@web.middleware\nasync def require_token(request, handler):"):
            return
        secret_calls: List[str] = []

        async def secret(request: Any) -> Any:
            secret_calls.append(request.headers.get("Authorization", ""))
            return web.Response(text="the secret is 42")

        async def public(request: Any) -> Any:
            return web.Response(text="hello, anyone")

        app = web.Application(middlewares=[middleware])
        app.router.add_get("/secret", secret)
        app.router.add_get("/public/hello", public)
        async with ThrowawayServer(app) as server:
            await _story(result, server, secret_calls)
    return run_check("check_auth", body)


async def _story(result: CheckResult, server: ThrowawayServer, secret_calls: List[str]) -> None:
    reply = await server.ask("GET", "/public/hello")
    result.expect(reply.status == 200 and reply.text == "hello, anyone",
                  "GET /public/hello without a token answers 200", got=reply.summary(),
                  hint=server.error_note() or f"if request.path.startswith({PUBLIC_PREFIX!r}): "
                                              f"return await handler(request)")

    refusals = [("no Authorization field", {}),
                ("a wrong token", {"Authorization": "Bearer wrong"}),
                ("another scheme", {"Authorization": f"Basic {TOKEN}"})]
    for label, headers in refusals:
        before = len(secret_calls)
        reply = await server.ask("GET", "/secret", headers=headers)
        result.expect(reply.status == 401, f"GET /secret with {label} answers 401",
                      got=reply.summary(), hint=server.error_note() or
                      "raise web.HTTPUnauthorized(...) when the field is not "
                      f"'Bearer {TOKEN}'")
        result.expect(len(secret_calls) == before,
                      f"...and the handler did not run for {label}",
                      got="the secret handler ran", hint="answer 401 *instead of* calling "
                      "handler(request), not after it")
        if label == "no Authorization field" and reply.status == 401:
            challenge = reply.headers.get("WWW-Authenticate", "")
            result.expect(challenge.lower().startswith("bearer"),
                          "...with a 'WWW-Authenticate: Bearer ...' field", got=repr(challenge),
                          hint="headers={'WWW-Authenticate': 'Bearer realm=\"lesson\"'}: a "
                               "401 must say which scheme to use")

    authorized = {"Authorization": f"Bearer {TOKEN}"}
    reply = await server.ask("GET", "/secret", headers=authorized)
    result.expect(reply.status == 200 and reply.text == "the secret is 42",
                  "GET /secret with the right token answers the handler's 200",
                  got=reply.summary(), hint=server.error_note() or
                  "return await handler(request) when the token is right")

    reply = await server.ask("GET", "/nowhere", headers=authorized)
    result.expect(reply.status == 404, "GET /nowhere with the token answers 404",
                  got=reply.summary(), hint=server.error_note() or
                  "let the router's HTTPNotFound pass through: do not catch every exception")
