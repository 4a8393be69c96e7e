"""The lesson checkers outside a notebook: right answers pass, each kind of wrong answer fails
with a line that says why, and a checker never raises, whatever the code under test does."""
from __future__ import annotations

import asyncio

import aioteach
from aioteach import web
from aioteach.notebook.exercises import CheckResult, ThrowawayServer, one_route_app, run_check
from aioteach.notebook.exercises.lesson01 import check_shout
from aioteach.notebook.exercises.lesson02 import check_todo_api
from aioteach.notebook.exercises.lesson03 import TOKEN, check_auth
from aioteach.notebook.exercises.lesson04 import LIMIT, N_PAGES, check_fetch_all


def failed_lines(result: CheckResult) -> list:
    return [e.what for e in result.expectations if not e.ok]


# -- the shared machinery -----------------------------------------------------------------------
def test_a_result_is_truthy_only_when_every_expectation_held():
    result = CheckResult("demo")
    assert not result                              # nothing checked is not a pass
    result.expect(True, "one")
    assert result and "the check passed" in result.text()
    result.expect(False, "two", got="2", hint="try harder")
    assert not result
    assert "1 of 2" in repr(result) and "hint: try harder" in result.text()
    assert "&#10008;" in result._repr_html_() and "try harder" in result._repr_html_()


def test_run_check_turns_an_exception_into_a_failed_line(capsys):
    async def body(result):
        result.expect(True, "got this far")
        raise KeyError("oops")

    result = run_check("raising", body)
    assert not result and "KeyError: 'oops'" in result.text()
    assert "raising: 1 of 2 checks passed" in capsys.readouterr().out   # shown, not raised


def test_run_check_gives_up_on_code_that_never_finishes():
    async def body(result):
        await asyncio.Event().wait()

    result = run_check("forever", body, timeout=0.2, show=False)
    assert failed_lines(result) == ["the check finished within 0.2 s"]


def test_a_check_also_runs_from_inside_a_running_loop():
    async def shout(request):
        return web.Response(text=request.match_info["word"].upper() + "!")

    async def from_a_coroutine():
        return check_shout(shout)           # a blocking call, as from a notebook cell

    assert asyncio.run(from_a_coroutine())


async def test_the_throwaway_server_reports_what_the_handler_raised():
    async def broken(request):
        raise ValueError("no")

    async with ThrowawayServer(one_route_app("GET", "/", broken)) as server:
        reply = await server.ask("GET", "/")
        assert reply.status == 500 and server.error_note() == "your code raised ValueError: no"
        reply = await server.ask("GET", "/missing")
        assert reply.status == 404 and server.error_note() == ""


# -- lesson 01 -------------------------------------------------------------------------------
def test_check_shout():
    async def right(request):
        return web.Response(text=request.match_info["word"].upper() + "!")

    async def quiet(request):
        return web.Response(text=request.match_info["word"])

    def not_async(request):
        return web.Response(text="HELLO!")

    assert check_shout(right)
    assert "GET /shout/hello answers 'HELLO!'" in failed_lines(check_shout(quiet))
    assert failed_lines(check_shout(not_async)) == ["your handler is an `async def` function"]
    assert not check_shout(right(None))    # a coroutine object: the function was called


# -- lesson 02 -------------------------------------------------------------------------------
def todo_api(status: int = 201, validate: bool = True):
    """A to-do API; ``status`` and ``validate`` break it in the ways learners do."""
    def setup(app):
        todos = {}

        async def list_todos(request):
            return web.json_response(list(todos.values()))

        async def add_todo(request):
            if validate:
                try:
                    data = await request.json()
                except ValueError:
                    raise web.HTTPBadRequest() from None
                if not (isinstance(data, dict) and data.get("title")):
                    raise web.HTTPBadRequest()
            else:
                data = await request.json()
            todo = {"id": len(todos) + 1, "title": data["title"], "done": False}
            todos[todo["id"]] = todo
            where = request.app.router["todo"].url_for(id=str(todo["id"]))
            return web.json_response(todo, status=status, headers={"Location": str(where)})

        async def get_todo(request):
            todo = todos.get(int(request.match_info["id"]))
            if todo is None:
                raise web.HTTPNotFound()
            return web.json_response(todo)

        app.router.add_get("/todos", list_todos)
        app.router.add_post("/todos", add_todo)
        app.router.add_get(r"/todos/{id:\d+}", get_todo, name="todo")
    return setup


def test_check_todo_api():
    assert check_todo_api(todo_api())
    assert failed_lines(check_todo_api(todo_api(status=200))) == \
        ["POST /todos answers 201 Created"]
    assert failed_lines(check_todo_api(todo_api(validate=False))) == [
        "POST /todos without a title answers 400",
        "POST /todos with a body that is not JSON answers 400"]


# -- lesson 03 -------------------------------------------------------------------------------
def test_check_auth():
    @web.middleware
    async def right(request, handler):
        if not request.path.startswith("/public/") and \
                request.headers.get("Authorization") != f"Bearer {TOKEN}":
            raise web.HTTPUnauthorized(headers={"WWW-Authenticate": "Bearer"})
        return await handler(request)

    @web.middleware
    async def too_late(request, handler):          # asks the handler first, refuses after
        response = await handler(request)
        if not request.path.startswith("/public/") and \
                request.headers.get("Authorization") != f"Bearer {TOKEN}":
            raise web.HTTPUnauthorized(headers={"WWW-Authenticate": "Bearer"})
        return response

    @web.middleware
    async def swallows_everything(request, handler):
        try:
            return await handler(request) if request.headers.get("Authorization") == \
                f"Bearer {TOKEN}" or request.path.startswith("/public/") else \
                web.Response(status=401, headers={"WWW-Authenticate": "Bearer"})
        except Exception:
            return web.Response(status=500)

    assert check_auth(right)
    assert [line for line in failed_lines(check_auth(too_late))] == [
        "...and the handler did not run for no Authorization field",
        "...and the handler did not run for a wrong token",
        "...and the handler did not run for another scheme"]
    assert failed_lines(check_auth(swallows_everything)) == \
        ["GET /nowhere with the token answers 404"]


# -- lesson 04 -------------------------------------------------------------------------------
async def fetch_with_semaphore(urls, k):
    gate = asyncio.Semaphore(k)
    async with aioteach.ClientSession() as session:
        async def one(url):
            async with gate:
                async with session.get(url) as res:
                    return await res.text()
        return await asyncio.gather(*(one(url) for url in urls))


async def fetch_with_connector(urls, k):
    async with aioteach.ClientSession(connector=aioteach.TCPConnector(limit=k)) as session:
        async def one(url):
            async with session.get(url) as res:
                return await res.text()
        return await asyncio.gather(*(one(url) for url in urls))


async def fetch_unlimited(urls, k):
    return await fetch_with_semaphore(urls, len(urls))


async def fetch_backwards(urls, k):
    return list(reversed(await fetch_with_semaphore(urls, k)))


def test_check_fetch_all():
    assert check_fetch_all(fetch_with_semaphore)
    assert check_fetch_all(fetch_with_connector)
    assert failed_lines(check_fetch_all(fetch_unlimited)) == \
        [f"never more than k={LIMIT} requests in flight"]
    assert failed_lines(check_fetch_all(fetch_backwards)) == \
        ["...the bodies, in the order of the URLs"]
    assert N_PAGES % LIMIT == 0            # every batch can fill up: the check never waits


def test_a_timeout_of_the_code_under_test_is_reported_as_its_own_error():
    async def body(result):
        result.expect(True, "started")
        raise asyncio.TimeoutError("the learner's client gave up")

    result = run_check("own timeout", body, show=False)
    assert failed_lines(result) == ["the check ran to the end"]
    assert "the learner's client gave up" in result.text()
