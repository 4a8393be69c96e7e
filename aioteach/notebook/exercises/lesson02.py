"""Lesson 02's exercise: a small JSON API for a to-do list.

Theory of operation.  The learner writes ``setup_todos(app)``, a plain function that adds the
routes (and keeps the to-dos, e.g. in a dict made inside the function, so each app starts
empty).  ``check_todo_api(setup_todos)`` calls it on a fresh ``web.Application``, serves that
app in a throw-away server, and plays one story, in order:

    GET  /todos                 200, JSON []
    POST /todos {"title": ...}  201, JSON {"id": n, "title": ..., "done": false},
                                Location: /todos/n   (RFC 9110 section 15.3.2: 201 points at
                                the new resource with Location)
    GET  /todos/n               200, the same JSON
    GET  /todos                 200, a list holding it
    GET  /todos/999, /todos/x   404
    POST /todos {} or not JSON  400 (the client's mistake, RFC 9110 section 15.5.1)
    DELETE /todos               405 with Allow (RFC 9110 section 15.5.6): the router's work
"""
from __future__ import annotations

import inspect
from typing import Any

from aioteach import web

from . import CheckResult, ThrowawayServer, run_check

__all__ = ["check_todo_api"]


def check_todo_api(setup_todos: Any) -> CheckResult:
    """Check ``setup_todos(app)``, which adds a to-do JSON API to ``app``."""
    async def body(result: CheckResult) -> None:
        if not result.expect(callable(setup_todos) and
                             not inspect.iscoroutinefunction(setup_todos),
                             "setup_todos is a plain function of the app", got=repr(setup_todos),
                             hint="def setup_todos(app): ... app.router.add_get(...)"):
            return
        app = web.Application()
        setup_todos(app)
        async with ThrowawayServer(app) as server:
            await _story(result, server)
    return run_check("check_todo_api", body)


async def _story(result: CheckResult, server: ThrowawayServer) -> None:
    # long because: one story of requests in order, each step's expectation next to it
    def hint(default: str) -> str:
        return server.error_note() or default

    reply = await server.ask("GET", "/todos")
    result.expect(reply.status == 200 and reply.json == [], "GET /todos answers 200 and []",
                  got=reply.summary(), hint=hint("web.json_response(list_of_todos)"))

    reply = await server.ask("POST", "/todos", json={"title": "read RFC 9110"})
    result.expect(reply.status == 201, "POST /todos answers 201 Created", got=reply.summary(),
                  hint=hint("web.json_response(todo, status=201)"))
    todo = reply.json if isinstance(reply.json, dict) else {}
    result.expect(todo.get("title") == "read RFC 9110" and todo.get("done") is False
                  and isinstance(todo.get("id"), int),
                  "...with the new to-do as JSON: an int id, the title, done: false",
                  got=reply.summary(), hint=hint("return the dict you stored"))
    location = reply.headers.get("Location", "")
    result.expect(location == f"/todos/{todo.get('id')}",
                  "...and a Location header pointing at it", got=repr(location),
                  hint="headers={'Location': str(request.app.router['todo'].url_for(id=...))}")

    if location.startswith("/todos/"):
        reply = await server.ask("GET", location)
        result.expect(reply.status == 200 and reply.json == todo,
                      f"GET {location} answers 200 with the same to-do", got=reply.summary(),
                      hint=hint("look the id up in your dict (match_info gives a str)"))

    reply = await server.ask("GET", "/todos")
    result.expect(reply.status == 200 and reply.json == [todo] and bool(todo),
                  "GET /todos now lists it", got=reply.summary())

    for path in ("/todos/999", "/todos/abc"):
        reply = await server.ask("GET", path)
        result.expect(reply.status == 404, f"GET {path} answers 404", got=reply.summary(),
                      hint=hint("raise web.HTTPNotFound() for an unknown id; a pattern "
                                r"{id:\d+} lets the router refuse 'abc' for you"))

    reply = await server.ask("POST", "/todos", json={})
    result.expect(reply.status == 400, "POST /todos without a title answers 400",
                  got=reply.summary(), hint=hint("raise web.HTTPBadRequest(text=...) when "
                                                 "'title' is missing"))
    reply = await server.ask("POST", "/todos", data="this is not JSON",
                             headers={"Content-Type": "application/json"})
    result.expect(reply.status == 400, "POST /todos with a body that is not JSON answers 400",
                  got=reply.summary(), hint=hint("await request.json() raises ValueError on "
                                                 "bad JSON: catch it and raise HTTPBadRequest"))

    reply = await server.ask("DELETE", "/todos")
    result.expect(reply.status == 405 and "POST" in reply.headers.get("Allow", ""),
                  "DELETE /todos answers 405 with an Allow header", got=reply.summary(),
                  hint="add the routes with app.router: the router answers 405 itself")
