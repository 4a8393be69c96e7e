"""Learner programs that must run on aiohttp and on aioteach by changing only the import line.

Each file here is an ordinary aiohttp program, as a learner would write it after the lessons:
it imports ``web`` (and the client's names) ``from aiohttp``, and nothing in it knows about the
test suite.  ``tests/interop/test_import_swap.py`` loads each file's text twice, once as written
and once with ``from aiohttp`` replaced by ``from aioteach`` on the import lines (and
``aiohttp.test_utils`` by ``aioteach.testing``), and proves that nothing else had to change.

A program has two halves and a promise:

    make_app()          the server half: returns a ``web.Application``
    async client(url)   the client half: talks to ``url`` and returns what a learner would
                        observe (statuses, bodies, the headers that matter, exception names,
                        WebSocket messages and close codes) as plain data
    server_settled(app) optional coroutine: awaited (bounded) before the server shuts down,
                        for a handler that is still finishing after its client is done
    server_report(app)  optional: what the server saw, read after the runner has cleaned up
    EXPECTED            the observable outcome, the same for every pairing of libraries

The files are data for the tests, not modules to import: importing one would import aiohttp.
"""
