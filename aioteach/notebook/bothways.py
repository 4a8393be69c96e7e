"""``await both_ways(code)``: the lesson's code on aioteach, then on aiohttp, side by side.

Theory of operation.  aioteach keeps aiohttp's names, so a lesson's server and client code runs
on aiohttp once its imports point there.  ``both_ways`` takes that code (source strings, and
functions or classes whose source is read with ``inspect.getsource``: cells the lesson already
ran), and runs it twice, each time in a fresh namespace, like a cell: top-level ``await`` works,
and the value of a last expression is the run's *answer* (else what it printed).

1. as written, with aioteach;
2. with the imports swapped to aiohttp, by this rule (applied to the import statements only,
   by their position in the parsed code, so strings and comments are never touched):

       import aioteach                  ->  import aiohttp as aioteach
       import aioteach as x             ->  import aiohttp as x
       from aioteach import a, web      ->  from aiohttp import a, web
       from aioteach.web import X       ->  from aiohttp.web import X
       from aioteach import gen, web    ->  from aiohttp import web; from aioteach import gen
                                            (COURSE_ONLY: modules aiohttp does not have)
       from aioteach.testing import X   ->  from aiohttp.test_utils import X
       from aioteach.notebook import X  ->  unchanged (the course's own tools, both runs)
       (any other aioteach.* module)    ->  unchanged

Every run starts with the prelude ``import asyncio``, ``import aioteach``, ``from aioteach
import web`` and ``from aioteach.notebook import serve``, swapped the same way, so code lifted
from a lesson's cells finds the names it used there.  ``names={...}`` adds more (helpers the
code calls: they are shared as they are, not swapped).

Servers: ``serve(app)`` serves an aiohttp app as well as an aioteach one (``handle.web_for``), on
a free port, so the code names its server by ``server.url`` in both runs.  Servers started
during a run are stopped when it ends: ``serve()`` handles, ``AppRunner``/``TestServer``/
``TestClient`` objects left in the run's namespace.  Code that binds a fixed port itself gets
the usual "address in use" explanation if the port is taken.

Result: a ``BothWays`` with ``.aioteach`` and ``.aiohttp`` (each a ``Run``: answer, printed
output, error), ``.agree`` and ``.swapped`` (the import lines that changed).  It displays as a
small two-column table.  Without aiohttp installed, it says so in one sentence and runs only
the aioteach side.

Rules: a run's exception is caught and shown, not raised (``raise_errors=True`` raises it);
the runs are sequential, on the calling loop.
"""
from __future__ import annotations

import ast
import contextlib
import html
import importlib.util
import inspect
import io
import textwrap
import traceback
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from .servers import QUIET, list_servers

__all__ = ["both_ways", "swap_imports", "BothWays", "Run", "PRELUDE", "MODULE_MAP",
           "COURSE_ONLY", "run_code", "gather_code"]

PRELUDE = ("import asyncio\nimport aioteach\nfrom aioteach import web\n"
           "from aioteach.notebook import serve\n")

#: aioteach module -> the aiohttp module with the same names; absent: leave the import alone.
MODULE_MAP = {"aioteach": "aiohttp", "aioteach.web": "aiohttp.web",
              "aioteach.testing": "aiohttp.test_utils", "aioteach.hdrs": "aiohttp.hdrs",
              "aioteach.client": "aiohttp", "aioteach.multipart": "aiohttp",
              "aioteach.streams": "aiohttp"}

#: ``from aioteach import X`` keeps these on aioteach: the course's own modules, not aiohttp's.
COURSE_ONLY = {"notebook", "demo", "gen", "trace", "toyloop", "http1", "websocket", "wsbase",
               "url", "urlencoding", "multidict"}

NO_AIOHTTP = ("aiohttp is not installed here, so only the aioteach side ran "
              "(pip install aiohttp to compare both).")


def _swap_node(node: ast.stmt) -> Optional[str]:
    """The swapped text of one import statement, or None when it stays as it is."""
    if isinstance(node, ast.Import):
        if not any(a.name in MODULE_MAP for a in node.names):
            return None
        parts = []
        for a in node.names:
            if a.name not in MODULE_MAP:
                parts.append(a.name + (f" as {a.asname}" if a.asname else ""))
            elif a.name == "aioteach" or a.asname:
                parts.append(f"{MODULE_MAP[a.name]} as {a.asname or a.name}")
            else:                      # "import aioteach.web": keep the name aioteach.web usable
                parts.append(f"{MODULE_MAP[a.name]} as {a.name.replace('.', '_')}")
        return "import " + ", ".join(parts)
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in MODULE_MAP:
        def spell(names: List[ast.alias]) -> str:
            return ", ".join(a.name + (f" as {a.asname}" if a.asname else "") for a in names)
        ours = [a for a in node.names if node.module == "aioteach" and a.name in COURSE_ONLY]
        theirs = [a for a in node.names if a not in ours]
        if not theirs:
            return None
        swapped = f"from {MODULE_MAP[node.module]} import {spell(theirs)}"
        return swapped + (f"; from aioteach import {spell(ours)}" if ours else "")
    return None


def swap_imports(code: str) -> Tuple[str, List[Tuple[str, str]]]:
    """``code`` with its aioteach imports pointed at aiohttp, and the (old, new) line pairs."""
    tree = ast.parse(code)
    lines = code.splitlines(keepends=True)
    edits = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        new = _swap_node(node)
        if new is not None:
            edits.append((node.lineno, node.col_offset, node.end_lineno or node.lineno,
                          node.end_col_offset or 0, new))
    changed = []
    for first, col, last, end_col, new in sorted(edits, reverse=True):
        old = "".join(lines[first - 1:last])
        head, tail = lines[first - 1][:col], lines[last - 1][end_col:]
        lines[first - 1:last] = [head + new + tail]
        changed.append((old.strip(), new))
    return "".join(lines), changed[::-1]


def gather_code(parts: Tuple[Any, ...]) -> str:
    """Source strings as they are; functions and classes by ``inspect.getsource``."""
    chunks = []
    for part in parts:
        chunks.append(part if isinstance(part, str) else inspect.getsource(part))
    return "\n".join(textwrap.dedent(chunk).strip("\n") + "\n" for chunk in chunks)


@dataclass
class Run:
    """One side: the library, the run's answer, what it printed, and how it failed if it did."""

    library: str
    answer: Any = None
    printed: str = ""
    error: Optional[BaseException] = None
    traceback: str = ""
    namespace: Dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def shown(self) -> str:
        """What the table shows: the answer (or the printed text), or the error."""
        if self.error is not None:
            return f"{type(self.error).__name__}: {self.error}"
        if self.answer is not None:
            return repr(self.answer)
        return self.printed.rstrip()


@dataclass
class BothWays:
    """The two runs of ``both_ways``: ``aioteach``, ``aiohttp`` (None without it), ``agree``."""

    aioteach: Run
    aiohttp: Optional[Run]
    swapped: List[Tuple[str, str]]
    note: str = ""
    shown_in: Any = field(default=None, repr=False)     # the cell that displayed it already

    @property
    def agree(self) -> bool:
        """Both ran without an error and gave the same answer (or printed the same)."""
        a, b = self.aioteach, self.aiohttp
        if b is None or a.error is not None or b.error is not None:
            return False
        if a.answer is not None or b.answer is not None:
            return bool(a.answer == b.answer)
        return a.printed == b.printed

    def __repr__(self) -> str:
        lines = [f"aioteach: {self.aioteach.shown}"]
        lines.append(f"aiohttp:  {self.aiohttp.shown}" if self.aiohttp else self.note)
        if self.aiohttp is not None:
            lines.append("the same answer" if self.agree else "the answers differ")
        return "\n".join(lines)

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))

    def _ipython_display_(self) -> None:
        """Displayed as a cell's value: skip it when ``both_ways`` showed it in that cell."""
        if self.shown_in is not None and self.shown_in == _execution_count():
            return
        from IPython.display import display
        display({"text/plain": repr(self), "text/html": self._repr_html_()}, raw=True)

    def _repr_html_(self) -> str:
        esc = html.escape
        cell = 'style="text-align:left;vertical-align:top;padding:2px 8px"'

        def column(run: Optional[Run]) -> str:
            if run is None:
                return f"<td {cell}><i>{esc(self.note)}</i></td>"
            colour = "#c62828" if run.error is not None else "inherit"
            return (f'<td {cell}><pre style="margin:0;white-space:pre-wrap;color:{colour}">'
                    f"{esc(run.shown)}</pre></td>")
        verdict = ("" if self.aiohttp is None else
                   "<b style='color:#2e7d32'>the same answer</b>" if self.agree else
                   "<b style='color:#c62828'>the answers differ</b>")
        swaps = "<br>".join(f"<code>{esc(old)}</code> &rarr; <code>{esc(new)}</code>"
                            for old, new in self.swapped)
        return (f"<table><tr><th {cell}>aioteach</th><th {cell}>aiohttp</th></tr>"
                f"<tr>{column(self.aioteach)}{column(self.aiohttp)}</tr></table>{verdict}"
                f"<details><summary>imports swapped</summary><small>{swaps}</small></details>")


async def _stop_left_overs(namespace: Dict[str, Any], before: List[Any]) -> None:
    """Stop what a run started: new serve() handles, and runners/test servers it left behind."""
    for handle in list_servers():
        if handle not in before:
            await handle.stop()
    for value in list(namespace.values()):
        kind = type(value).__name__
        with contextlib.suppress(Exception):
            if kind in ("AppRunner", "ServerRunner") and getattr(value, "server", None):
                await value.cleanup()
            elif kind in ("TestServer", "RawTestServer", "TestClient"):
                await value.close()


async def run_code(code: str, library: str, names: Optional[Dict[str, Any]] = None) -> Run:
    """Run ``code`` as a cell in a fresh namespace; the last expression is the answer."""
    namespace: Dict[str, Any] = {"__name__": f"both_ways_{library}"}
    namespace.update(names or {})
    run = Run(library, namespace=namespace)
    tree = ast.parse(code)
    last = None
    tail = tree.body[-1] if tree.body else None
    if isinstance(tail, ast.Expr):
        tree.body.pop()
        last = ast.Expression(tail.value)
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    before = list(list_servers())
    printed = io.StringIO()
    quiet = QUIET.set(True)          # serve()'s "serving ..." line is not the code's output
    try:
        with contextlib.redirect_stdout(printed):
            for node, mode in ((ast.Module(tree.body, []), "exec"), (last, "eval")):
                if node is None:
                    continue
                result = eval(compile(node, f"<both_ways {library}>", mode, flags=flags),
                              namespace)
                if inspect.iscoroutine(result):
                    result = await result
                if mode == "eval":
                    run.answer = result
    except Exception as exc:
        run.error = exc
        run.traceback = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    finally:
        QUIET.reset(quiet)
        run.printed = printed.getvalue()
        await _stop_left_overs(namespace, before)
    return run


async def both_ways(*code: Any, names: Optional[Dict[str, Any]] = None, show: bool = True,
                    raise_errors: bool = False) -> BothWays:
    """Run ``code`` with aioteach, then with its imports swapped to aiohttp; show both answers.

    ``code``: source strings and/or functions and classes (their source is used).  ``names``:
    extra names both runs see.  ``show``: display the table (in IPython).  Returns a
    ``BothWays`` (``.aioteach``, ``.aiohttp``, ``.agree``).  See the module doc for the rule.
    """
    user_code = gather_code(code)
    source = PRELUDE + user_code
    swapped_source, _ = swap_imports(source)
    ours = await run_code(source, "aioteach", names)
    result = BothWays(ours, None, swap_imports(user_code)[1])
    if importlib.util.find_spec("aiohttp") is None:
        result.note = NO_AIOHTTP
    else:
        result.aiohttp = await run_code(swapped_source, "aiohttp", names)
    if show:
        _display(result)
    if raise_errors:
        for run in (result.aioteach, result.aiohttp):
            if run is not None and run.error is not None:
                raise run.error
    return result


def _execution_count() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return None if shell is None else shell.execution_count


def _display(result: BothWays) -> None:
    """Show the table once: ``await both_ways(...)`` as a cell's last line does not repeat it."""
    count = _execution_count()
    if count is None:
        print(repr(result))
        return
    from IPython.display import display
    display({"text/plain": repr(result), "text/html": result._repr_html_()}, raw=True)
    result.shown_in = count
