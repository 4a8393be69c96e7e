"""``aioteach`` / ``python -m aioteach``: the command line, all of it in this one module.

    aioteach serve pkg.module:app [--host H] [--port P]   serve an app, or a factory's app
    aioteach get URL [-i] [--fail]                         fetch a URL, print the answer
    aioteach demo [--requests N]                           the instructor's offline demo
    aioteach lessons DIR                                   copy the notebooks to DIR
    aioteach lessons --lite DIR                            build the lessons' JupyterLite site

Theory of operation.  argparse reads the command line; each command is one function below
that turns its arguments into calls of the library (``web.run_app``, ``ClientSession``,
``demo.run_demo``, ``notebook.lessons.copy_lessons``).  Only the notebook layer is imported
when its command runs: it belongs to the optional ``notebook`` extra.

Errors.  A mistake of the user's (a module that does not import, a missing attribute, a
port in use, a host that does not resolve, a bad argument) is one line on standard error
that says what is wrong and what to do, and exit status 2, never a traceback.  A traceback
still means a bug: in aioteach, or in the served application's own code.  Exit statuses:

    0   done
    1   ``get``: the request failed (connection refused, timed out, the server broke off)
    2   a user error, as above
    22  ``get --fail``: the server answered 4xx or 5xx (curl's ``-f`` uses 22 too)

``serve`` takes ``module:attribute``.  The attribute may be an ``Application`` or a
function called with no arguments that returns one (or a coroutine returning one), like
aiohttp's ``python -m aiohttp.web -H host -P port module:function``.  Deliberate
difference: aiohttp passes that function the leftover command-line arguments; here it gets
none, so a factory with defaults (``make_app(ipinfo_url=None)``) serves as it is.
"""
from __future__ import annotations

import argparse
import asyncio
import errno
import importlib
import inspect
import logging
import os
import pathlib
import socket
import sys
import traceback
from typing import Any, List, NoReturn, Optional

import aioteach
from aioteach import web
from aioteach.demo import run_demo
from aioteach.web.accesslog import access_logger

__all__ = ["main", "build_parser", "UserError", "load_app", "fetch"]

#: ``demo --requests``: at least one, and few enough that the demo ends in seconds.
MAX_DEMO_REQUESTS = 50


class UserError(Exception):
    """A mistake of the user's: ``main`` prints it as one line and exits with status 2."""


class CommandLine(argparse.ArgumentParser):
    """argparse, but a usage error is one line that points at --help (status 2, as before)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def program_name() -> str:
    """``python -m aioteach`` when run that way, else the script's own name (``aioteach``)."""
    script = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return "python -m aioteach" if script in ("", "__main__.py", "-c") else script


def requests_count(text: str) -> int:
    """argparse type for ``demo --requests``: a whole number from 1 to MAX_DEMO_REQUESTS."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_DEMO_REQUESTS:
        raise argparse.ArgumentTypeError(
            f"must be from 1 to {MAX_DEMO_REQUESTS}, got {value} (try --requests 5)")
    return value


def build_parser(prog: Optional[str] = None) -> argparse.ArgumentParser:
    parser = CommandLine(prog=prog or program_name(), description="aioteach's command-line tools.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=CommandLine)
    serve = sub.add_parser("serve", help="serve an application: pkg.module:app")
    serve.add_argument("target", help="module:attribute, an Application or a function "
                                      "returning one, e.g. examples.hello_server:make_app")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on "
                                                           "(default: %(default)s)")
    serve.add_argument("--port", type=int, default=8080, help="port (default: %(default)s)")
    serve.add_argument("--no-access-log", action="store_true", help="do not log each request")
    get = sub.add_parser("get", help="fetch a URL and print the response")
    get.add_argument("url")
    get.add_argument("--include", "-i", action="store_true", help="print the status and headers")
    get.add_argument("--fail", "-f", action="store_true",
                     help="exit with status 22, printing no body, on a 4xx or 5xx answer")
    demo = sub.add_parser("demo", help="run the offline lesson app and fire requests at it")
    demo.add_argument("--port", type=int, default=0, help="port (default: 0, any free one)")
    demo.add_argument("--requests", type=requests_count, default=5,
                      help=f"requests per round, 1 to {MAX_DEMO_REQUESTS} (default: %(default)s)")
    lessons = sub.add_parser("lessons", help="copy the lesson notebooks to DIR")
    lessons.add_argument("dir")
    lessons.add_argument("--html", action="store_true", help="also write executed HTML copies")
    lessons.add_argument("--lite", action="store_true",
                         help="build a static JupyterLite site in DIR instead (lessons in the "
                              "browser: Pyodide, no install; needs the 'lite' extra and npm)")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    command = COMMANDS[args.command]
    try:
        return command(args)
    except UserError as exc:
        print(f"aioteach {args.command}: {exc}", file=sys.stderr)
        return 2


# -- serve ------------------------------------------------------------------------------------
def load_app(target: str) -> Any:
    """``"pkg.module:attr"`` -> the Application (or what the factory there returns)."""
    module_name, _, attr = target.partition(":")
    if not module_name or not attr:
        raise UserError(f"expected module:attribute (like examples.hello_server:make_app), "
                        f"got {target!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())          # like python -m: the current folder imports
    # plug-in point: the user's own module, named on the command line
    module = import_module(module_name)
    obj: Any = module
    for part in attr.split("."):
        if not hasattr(obj, part):
            names = sorted(n for n, v in vars(module).items()
                           if not n.startswith("_") and callable(v)
                           and getattr(v, "__module__", None) == module.__name__)
            raise UserError(f"module {module_name!r} has no attribute {attr!r}; it defines: "
                            f"{', '.join(names) or 'nothing callable'}")
        obj = getattr(obj, part)
    if isinstance(obj, web.Application):
        return obj
    if not callable(obj):
        raise UserError(f"{target} is a {type(obj).__name__}, not an Application or a "
                        "function returning one")
    try:
        inspect.signature(obj).bind()
    except TypeError:
        needed = [name for name, p in inspect.signature(obj).parameters.items()
                  if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD,
                                                         p.KEYWORD_ONLY)]
        raise UserError(f"{target} needs arguments ({', '.join(needed)}): give them "
                        "defaults, or point serve at a function that takes none") from None
    except ValueError:                            # no signature (a builtin): just try it
        pass
    return obj()


def import_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
            raise UserError(f"no module named {exc.name!r}: run from the folder that holds "
                            f"it, or add that folder to PYTHONPATH") from None
        raise UserError(f"importing {name!r} failed: {exc} (a module it imports is missing: "
                        "pip install it)") from None
    except Exception as exc:                      # the module's own code raised
        where = traceback.extract_tb(exc.__traceback__)[-1]
        if isinstance(exc, SyntaxError) and exc.filename:
            where_text = f"{exc.filename}:{exc.lineno}"
        else:
            where_text = f"{where.filename}:{where.lineno}"
        raise UserError(f"importing {name!r} failed at {where_text}: "
                        f"{type(exc).__name__}: {exc}") from None


def listen_error(exc: OSError, host: str, port: int) -> UserError:
    """The one-line explanation of a socket that could not listen; other errors re-raise."""
    if isinstance(exc, socket.gaierror):
        return UserError(f"cannot resolve host {host!r} ({exc.strerror}): check the name, "
                         "or listen on --host 127.0.0.1")
    if exc.errno == errno.EADDRINUSE:
        return UserError(f"port {port} on {host} is in use (another server is running "
                         "there?): stop it, or choose another with --port")
    if exc.errno == errno.EADDRNOTAVAIL:
        return UserError(f"{host} is not an address of this machine: use --host 127.0.0.1 "
                         "or --host 0.0.0.0")
    if exc.errno == errno.EACCES:
        return UserError(f"not allowed to listen on port {port} (ports below 1024 need "
                         "privileges): choose another with --port")
    raise exc


def serve_command(args: argparse.Namespace) -> int:
    app = load_app(args.target)
    if not logging.getLogger().handlers:        # a learner at a terminal wants to see requests
        logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        web.run_app(app, host=args.host, port=args.port,
                    access_log=None if args.no_access_log else access_logger)
    except OSError as exc:
        raise listen_error(exc, args.host, args.port) from None
    return 0


# -- get --------------------------------------------------------------------------------------
TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript")


async def fetch(url: str, include: bool = False, fail: bool = False, out: Any = None) -> int:
    """Fetch ``url`` and write it to ``out`` (standard output's bytes by default).

    A text body that does not end with a newline gets one, so the shell prompt starts on a
    line of its own; any other body is written exactly as it came.
    """
    out = out if out is not None else sys.stdout.buffer
    timeout = aioteach.ClientTimeout(total=60, sock_connect=10)
    async with aioteach.ClientSession(timeout=timeout) as session:
        async with session.get(url) as resp:
            body = await resp.read()
            if fail and resp.status >= 400:
                print(f"aioteach get: the server answered {resp.status} {resp.reason} "
                      "(--fail prints no body)", file=sys.stderr)
                return 22
            if include:
                version = resp.version or (1, 1)
                head = [f"HTTP/{version[0]}.{version[1]} {resp.status} {resp.reason}"]
                head += [f"{name}: {value}" for name, value in resp.headers.items()]
                out.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            out.write(body)
            if body and not body.endswith(b"\n") and resp.content_type.startswith(TEXT_TYPES):
                out.write(b"\n")
            out.flush()
    return 0


def get_command(args: argparse.Namespace) -> int:
    url = args.url if "://" in args.url else f"http://{args.url}"
    try:
        return asyncio.run(fetch(url, include=args.include, fail=args.fail))
    except aioteach.InvalidURL as exc:
        raise UserError(f"cannot fetch {args.url!r}: {exc} (expected e.g. "
                        "http://127.0.0.1:8080/path)") from None
    except aioteach.ClientConnectorError as exc:
        if isinstance(exc.os_error, socket.gaierror):
            raise UserError(f"cannot resolve host {exc.host!r}: check the URL") from None
        print(f"aioteach get: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except (aioteach.ClientError, asyncio.TimeoutError) as exc:
        print(f"aioteach get: {type(exc).__name__}: {exc or 'timed out'}", file=sys.stderr)
        return 1


# -- demo and lessons -------------------------------------------------------------------------
def demo_command(args: argparse.Namespace) -> int:
    try:
        asyncio.run(run_demo(port=args.port, requests=args.requests))
    except OSError as exc:
        raise listen_error(exc, "127.0.0.1", args.port) from None
    return 0


def lessons_command(args: argparse.Namespace) -> int:
    # plug-in point: the notebook layer is the optional "notebook" extra, loaded only here
    from aioteach.notebook.lessons import copy_lessons, lesson_files, with_html
    if args.lite:                 # a JupyterLite site: aioteach/notebook/lite.py
        from aioteach.notebook.lite import lite_command
        return lite_command(args.dir)
    if args.html:                 # copies plus executed HTML copies: aioteach/notebook/lessons.py
        return with_html(args.dir)
    target = pathlib.Path(args.dir)
    if target.exists() and not target.is_dir():
        raise UserError(f"{args.dir} exists and is not a folder: name a new or existing "
                        "folder for the notebooks")
    if not lesson_files():
        raise UserError("no lesson notebooks were found in this installation: reinstall "
                        "aioteach, or run from a checkout of its repository")
    try:
        copied = copy_lessons(args.dir)
    except OSError as exc:
        raise UserError(f"cannot write to {args.dir}: {exc.strerror}") from None
    for name in copied:
        print(f"copied {name}")
    print(f"open them with: jupyter lab {args.dir}")
    return 0


COMMANDS = {"serve": serve_command, "get": get_command, "demo": demo_command,
            "lessons": lessons_command}


if __name__ == "__main__":
    sys.exit(main())
