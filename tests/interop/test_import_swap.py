"""The import-swap promise: a learner's aiohttp program runs on aioteach by changing the import.

Theory of operation.  Each file in ``swap_programs/`` is a small aiohttp program (a server half
``make_app()`` and a client half ``client(url)``; see that package's docstring).  ``load()``
reads its text and, for aioteach, rewrites only the import lines (``from aiohttp`` becomes
``from aioteach``, ``import aiohttp`` becomes ``import aioteach as aiohttp``), then checks
that no other line changed: the swap is mechanical, so the promise is tested as stated.
Each program then runs in four pairings:

    server    client
    aiohttp   aiohttp     the oracle: what the program does on the library it was written for
    aioteach  aioteach    the program on aioteach alone
    aiohttp   aioteach    aioteach's client against aiohttp's server
    aioteach  aiohttp     aiohttp's client against aioteach's server

For a mixed pairing the program is loaded twice, once per library, and the server half of one
copy meets the client half of the other: no copy ever sees both libraries.  Every pairing must
give the program's ``EXPECTED`` outcome, which the oracle proves is aiohttp's.  Outcomes are what
a learner observes (status, body, the headers that matter, exception names, WebSocket messages
and close codes), never raw bytes: Date, Server and header order may differ.

Servers listen on 127.0.0.1, port 0, through ``web.AppRunner`` and ``web.TCPSite`` of the
server's library, and are cleaned up whatever happens; every client half runs under a bound.

Three programs do not fit the server/client split and have tests of their own below:
``testing_kit.py`` and ``testing_unittest.py`` (``aiohttp.test_utils`` / ``aioteach.testing``,
one library at a time) and ``run_app_sigint.py`` (``web.run_app`` in a child process, stopped
with SIGINT).

The other way round: the same programs run unchanged on aioteach, so a learner who wrote one
against aioteach runs it on aiohttp by the reverse swap; and
``test_aioteach_public_names_exist_on_aiohttp`` lists every public aioteach name that aiohttp
lacks at the same place (``AIOTEACH_ONLY``, with where aiohttp keeps it).

Where aioteach differs on purpose, the program says so in ``AIOTEACH_SERVER_DIFFERS`` or
``AIOTEACH_CLIENT_DIFFERS`` (the outcome keys that differ, and why), and the pairing is held to
that.  Today:
    client_max_size.py, exception_defaults.py   RFC 9110's reason phrases (413, 422), where
                            Python before 3.13 (and so aiohttp there) has older ones
    multipart_details.py    non-ASCII upload filenames go out as UTF-8, as browsers send them,
                            not percent-encoded
    invalid_urls.py         NonHttpUrlClientError is also an InvalidURL on aioteach
    params_types.py         ``params="b=%20"``: aioteach keeps the escape, yarl escapes it again
    http_exceptions.py      the 500 page of an unhandled error is aioteach's plain one
Differences that are bugs still to fix are strict xfails in ``KNOWN_FAILURES``, with their cause.

Bugs these programs found, fixed in aioteach, and kept as regressions:
    query_strings.py        ``request.query_string`` was the raw query (aiohttp's is decoded)
    websocket_chat_room.py  ``runner.cleanup()`` did not wait for a WebSocket handler still
                            running its code after the close, so on_cleanup ran before it
    request_keys.py         ``web.RequestKey`` and ``web.ResponseKey`` were missing
    compression.py          ``enable_compression()`` was missing
    testing_unittest.py     ``AioHTTPTestCase`` (the unittest kit) was missing
    middleware_short_circuit.py  ``request.clone(...)`` lost the match info: handing the
                            clone on from a middleware was a 500
    sub_app_lifecycle.py    a root middleware saw ``request.app`` as the sub-app for a sub-app
                            route (aiohttp: its own app), so ``request.app[ROOT_KEY]`` failed
    invalid_urls.py         a bad URL raised InvalidURL itself, not aiohttp 3.10's subclasses
                            (InvalidUrlClientError, NonHttpUrlClientError, ...Redirect...)
    response_details.py     ``resp.get_encoding()`` gave the charset as sent, not the codec's
                            name (aiohttp: ``iso8859-1`` for ``iso-8859-1``), and
                            ``resp.content_disposition`` was missing
    websocket_options.py    sending on a closed client WebSocket raised a bare
                            ConnectionResetError, which ``except ClientConnectionError`` missed
    websocket_close_reply.py  a peer's Close was answered with its own code (aiohttp: 1000),
                            so the closer's ``close_code`` read differently (fixed by ws-glue)
    hdrs_constants.py, sock_site.py, request_payload.py, app_key_warning.py,
    multipart_writer.py     ``hdrs``, ``web.SockSite``, ``web.RequestPayloadError``,
                            ``web.NotAppKeyWarning`` and ``MultipartWriter`` were missing
    multipart_writer.py     ``request.post()`` decoded a non-text part without a filename
                            (application/json) to str; aiohttp keeps it a bytearray
"""
from __future__ import annotations

import asyncio
import copy
import importlib
import io
import pathlib
import signal
import socket
import sys
import tokenize
import types
from typing import Any, Dict, Tuple

import pytest

from tests.support import require

pytestmark = pytest.mark.peer

PROGRAMS = pathlib.Path(__file__).parent / "swap_programs"

# The whole of the swap: import-line prefixes and what they become on aioteach.  Longest first,
# so that ``aiohttp.test_utils`` is not caught by the shorter ``aiohttp`` rule.
SWAP = (("from aiohttp.test_utils import", "from aioteach.testing import"),
        ("from aiohttp import", "from aioteach import"),
        ("import aiohttp\n", "import aioteach as aiohttp\n"))

# A client half that does not finish in this time is a hang, not a slow machine.
CLIENT_BOUND = 30.0

SPECIAL = {"testing_kit", "testing_unittest", "run_app_sigint"}
NAMES = sorted(p.stem for p in PROGRAMS.glob("*.py") if p.stem != "__init__")
PAIR_PROGRAMS = [name for name in NAMES if name not in SPECIAL]

PAIRINGS = [("aiohttp", "aiohttp"), ("aioteach", "aioteach"), ("aiohttp", "aioteach"),
            ("aioteach", "aiohttp")]

# Known, routed failures: (program, server library, client library) -> reason.  Each becomes a
# strict xfail, so the day it is fixed the suite says so.  None today.
KNOWN_FAILURES: Dict[Tuple[str, str, str], str] = {}


def swapped_text(name: str, library: str) -> str:
    """The program's source for ``library``: only the import lines may change."""
    text = (PROGRAMS / f"{name}.py").read_text(encoding="utf-8")
    if library == "aiohttp":
        return text
    lines = []
    for line in text.splitlines(keepends=True):
        for old, new in SWAP:
            if line.startswith(old):
                line = new + line[len(old):]
                break
        lines.append(line)
    swapped = "".join(lines)
    for before, after in zip(text.splitlines(), swapped.splitlines()):
        if before != after:
            assert before.startswith(("from ", "import ")), f"swap touched {before!r}"
    # Comments may speak of aiohttp; code must not, or the aioteach copy would still use it
    # (unless the name is the alias of ``import aioteach as aiohttp``).
    names = [tok.string for tok in tokenize.generate_tokens(io.StringIO(swapped).readline)
             if tok.type == tokenize.NAME]
    if "import aioteach as aiohttp\n" not in swapped:
        assert "aiohttp" not in names, f"{name}.py uses aiohttp outside a swappable import line"
    return swapped


def load(name: str, library: str) -> types.ModuleType:
    """Execute the program's text for ``library`` as a fresh module (never one shared copy)."""
    require(library)
    module = types.ModuleType(f"swap_program_{name}_{library}")
    module.__file__ = str(PROGRAMS / f"{name}.py")
    code = compile(swapped_text(name, library), f"{name}.py ({library})", "exec")
    exec(code, module.__dict__)
    return module


async def run_pairing(name: str, server_lib: str, client_lib: str) -> Any:
    """Serve the program's app with ``server_lib`` and run its client half with ``client_lib``."""
    server_side = load(name, server_lib)
    client_side = load(name, client_lib)
    web = server_side.web
    app = server_side.make_app()
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        outcome = await asyncio.wait_for(client_side.client(f"http://127.0.0.1:{port}"),
                                         CLIENT_BOUND)
        settled = getattr(server_side, "server_settled", None)
        if settled is not None:      # a handler that ends after its client: let it (bounded)
            try:
                await asyncio.wait_for(settled(app), CLIENT_BOUND)
            except asyncio.TimeoutError:
                pass                 # the server's report then shows what it missed
    finally:
        await runner.cleanup()
    if hasattr(server_side, "server_report"):
        outcome = {"client": outcome, "server": server_side.server_report(app)}
    return outcome


_oracle: Dict[str, Any] = {}


async def oracle(name: str) -> Any:
    """aiohttp serving and calling: computed once per program (outcomes are plain data)."""
    if name not in _oracle:
        _oracle[name] = await run_pairing(name, "aiohttp", "aiohttp")
    return _oracle[name]


def expected(name: str, server_lib: str = "aiohttp", client_lib: str = "aiohttp") -> Any:
    """The program's EXPECTED, with its documented aioteach differences for this pairing."""
    module = load(name, "aiohttp")
    want = copy.deepcopy(module.EXPECTED)
    if server_lib == "aioteach":
        want.update(getattr(module, "AIOTEACH_SERVER_DIFFERS", {}))
    if client_lib == "aioteach":
        want.update(getattr(module, "AIOTEACH_CLIENT_DIFFERS", {}))
    return want


def _cases():
    for name in PAIR_PROGRAMS:
        for server_lib, client_lib in PAIRINGS:
            reason = KNOWN_FAILURES.get((name, server_lib, client_lib))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(name, server_lib, client_lib, marks=marks,
                               id=f"{name}-{server_lib}-server-{client_lib}-client")


@pytest.mark.parametrize("name, server_lib, client_lib", list(_cases()))
async def test_program_gives_the_same_outcome(name, server_lib, client_lib):
    needs = getattr(load(name, "aiohttp"), "AIOHTTP_AT_LEAST", None)
    if needs and tuple(int(n) for n in require("aiohttp").__version__.split(".")[:2]) < needs:
        pytest.skip(f"{name}.py uses names from aiohttp {'.'.join(map(str, needs))}")
    assert await oracle(name) == expected(name), "the program's EXPECTED is not what aiohttp does"
    if (server_lib, client_lib) != ("aiohttp", "aiohttp"):
        want = expected(name, server_lib, client_lib)
        assert await run_pairing(name, server_lib, client_lib) == want


def test_every_program_needs_only_the_import_swap():
    """The rewrite changes import lines and nothing else, and every program has one."""
    for name in NAMES:
        original = (PROGRAMS / f"{name}.py").read_text(encoding="utf-8")
        swapped = swapped_text(name, "aioteach")
        changed = [b for b, a in zip(original.splitlines(), swapped.splitlines()) if b != a]
        assert changed, f"{name}.py imports nothing from aiohttp"
        assert all(line.startswith(("from aiohttp", "import aiohttp")) for line in changed)
    assert len(NAMES) >= 25


# -- the two programs with a shape of their own ---------------------------------------------------
@pytest.mark.parametrize("library", ["aiohttp", "aioteach"])
async def test_testing_kit_program(library):
    """TestServer/TestClient/make_mocked_request: the kit comes from the same library."""
    program = load("testing_kit", library)
    assert await asyncio.wait_for(program.run(), CLIENT_BOUND) == program.EXPECTED


@pytest.mark.parametrize("library", ["aiohttp", "aioteach"])
def test_testing_unittest_program(library):
    """AioHTTPTestCase: unittest runs the case on its own loop (so this test is not async)."""
    program = load("testing_unittest", library)
    assert program.run() == program.EXPECTED


def reserve_port() -> socket.socket:
    """A bound, not listening, SO_REUSEPORT socket on 127.0.0.1 port 0: the port stays ours
    until the script (run_app(..., reuse_port=True)) listens on it, and no one else can take it."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="needs SO_REUSEPORT")
@pytest.mark.parametrize("server_lib, client_lib", PAIRINGS,
                         ids=[f"{s}-server-{c}-client" for s, c in PAIRINGS])
async def test_run_app_program_stops_on_sigint(tmp_path, server_lib, client_lib):
    script = tmp_path / "run_app_sigint.py"
    script.write_text(swapped_text("run_app_sigint", server_lib), encoding="utf-8")
    client_side = load("run_app_sigint", client_lib)
    with reserve_port() as reserved:
        port = reserved.getsockname()[1]
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-u", str(script), str(port), cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        output = b""
        try:
            async def wait_for_banner() -> bytes:
                seen = b""
                while b"Running on" not in seen:         # both libraries print this banner
                    line = await proc.stdout.readline()
                    if not line:
                        raise AssertionError(f"the script ended early: {seen.decode()}")
                    seen += line
                return seen

            output += await asyncio.wait_for(wait_for_banner(), CLIENT_BOUND)
            answer = await asyncio.wait_for(client_side.client(f"http://127.0.0.1:{port}"),
                                            CLIENT_BOUND)
        finally:
            if proc.returncode is None:
                proc.send_signal(signal.SIGINT)
            try:
                rest, _ = await asyncio.wait_for(proc.communicate(), CLIENT_BOUND)
            except asyncio.TimeoutError:
                proc.kill()
                rest, _ = await proc.communicate()
            output += rest
    text = output.decode()
    assert answer == (200, "hello from run_app")
    assert proc.returncode == 0, text
    assert "cleanup ran" in text and "run_app returned" in text, text
    assert text.index("cleanup ran") < text.index("run_app returned")
    assert "Traceback" not in text, text


# -- the other way round: what a learner can import from aioteach exists on aiohttp ------------
# Names aioteach offers that aiohttp does not offer at the same place, and why.  A program that
# uses one of them needs more than the import swap to run on aiohttp; this list is where that is
# written down, and a new name missing from aiohttp fails the test until it is added here.
AIOTEACH_ONLY = {
    "aioteach": {
        "gen": "tornado-style generator coroutines, a lesson of aioteach's own",
        "trace": "the tracing hooks behind the notebook timelines",
        "MultiDict": "aiohttp users import it from the multidict package",
        "CIMultiDict": "aiohttp users import it from the multidict package",
        "URL": "aiohttp users import it from the yarl package",
    },
    # Empty on purpose: aioteach.web exports aiohttp.web's names only; its teaching extras
    # (start_eagerly, fold_middlewares, http_date, serve_command...) stay in their modules.
    "aioteach.web": {},
    "aioteach.testing": {},
}
PEERS = {"aioteach": "aiohttp", "aioteach.web": "aiohttp.web",
         "aioteach.testing": "aiohttp.test_utils"}


@pytest.mark.parametrize("ours", sorted(PEERS))
def test_aioteach_public_names_exist_on_aiohttp(ours):
    """``from aioteach... import X`` becomes ``from aiohttp... import X`` for every public X."""
    theirs = require(PEERS[ours])
    names = importlib.import_module(ours).__all__
    missing = {name for name in names if not hasattr(theirs, name)}
    assert missing == set(AIOTEACH_ONLY[ours])
