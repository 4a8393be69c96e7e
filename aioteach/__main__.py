"""``python -m aioteach``: the command-line tools.

    python -m aioteach serve pkg.module:app [--host H] [--port P]   serve an app (or a factory)
    python -m aioteach get URL                                       fetch a URL, print the answer
    python -m aioteach demo                                          the instructor's offline demo
    python -m aioteach lessons DIR                                   copy the notebooks to DIR

Each command lives with its concept; this module only parses the command line and hands off,
importing the command's module only when it is used.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from typing import List, Optional

__all__ = ["main"]

# command -> (module, function, help).  Each function takes the parsed argparse namespace
# and returns the process exit status.
COMMANDS = {
    "serve": ("aioteach.web.runner", "serve_command", "serve an application: pkg.module:app"),
    "get": ("aioteach.client.cli", "get_command", "fetch a URL and print the response"),
    "demo": ("aioteach.demo", "demo_command", "run the offline lesson app and fire requests at it"),
    "lessons": ("aioteach.notebook.lessons", "lessons_command", "copy the lesson notebooks to DIR"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m aioteach",
                                     description="aioteach's command-line tools.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help=COMMANDS["serve"][2])
    serve.add_argument("target", help="module:attribute, an Application or a function returning one")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--no-access-log", action="store_true")
    get = sub.add_parser("get", help=COMMANDS["get"][2])
    get.add_argument("url")
    get.add_argument("--include", "-i", action="store_true", help="print the status and headers")
    demo = sub.add_parser("demo", help=COMMANDS["demo"][2])
    demo.add_argument("--port", type=int, default=0)
    demo.add_argument("--requests", type=int, default=5)
    lessons = sub.add_parser("lessons", help=COMMANDS["lessons"][2])
    lessons.add_argument("dir")
    lessons.add_argument("--html", action="store_true", help="also write executed HTML copies")
    return parser


def main(argv: Optional[List[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    module, function, _ = COMMANDS[args.command]
    return int(getattr(importlib.import_module(module), function)(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
