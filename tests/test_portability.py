"""Python 3.10 is the oldest Python we promise, but CI runs a newer one: these tests hold the line.

Each module of the package, the examples, the tests and the lessons' code cells is parsed as
Python 3.10 grammar (no ``except*``, no ``type X = ...``, no ``class C[T]``), and searched for
standard-library names that appeared in 3.11 or later (``asyncio.timeout``,
``asyncio.TaskGroup``, ``ExceptionGroup``, ``typing.Self``, ``tomllib``...).  A newer name is fine where the code asks first: inside an
``if`` or conditional expression that tests ``sys.version_info``, ``hasattr`` or a module flag
in capitals (``EAGER_TASKS = sys.version_info >= (3, 12)``).

Simplification: a name is matched by spelling (``asyncio.timeout``, ``from typing import
Self``); an alias (``import asyncio as aio``) or a call through a variable slips past.  The
whole suite run on 3.10 (``make test PYTHON=python3.10``) is the real proof; this is the cheap
guard that runs on every Python.
"""
from __future__ import annotations

import ast
import json
import pathlib
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCES = sorted(p for folder in ("aioteach", "examples", "tests", "benchmarks")
                 for p in (ROOT / folder).rglob("*.py"))
LESSONS = sorted((ROOT / "notebooks").glob("*.ipynb"))

# module -> names it gained after 3.10 (from the "New in version 3.x" notes of the docs)
NEWER_NAMES = {
    "asyncio": {"timeout": "3.11", "timeout_at": "3.11", "Timeout": "3.11", "TaskGroup": "3.11",
                "Runner": "3.11", "Barrier": "3.11", "BrokenBarrierError": "3.11",
                "eager_task_factory": "3.12", "create_eager_task_factory": "3.12",
                "QueueShutDown": "3.13"},
    "typing": {"Self": "3.11", "Never": "3.11", "LiteralString": "3.11", "assert_never": "3.11",
               "assert_type": "3.11", "reveal_type": "3.11", "Required": "3.11",
               "NotRequired": "3.11", "TypeVarTuple": "3.11", "Unpack": "3.11",
               "dataclass_transform": "3.11", "override": "3.12", "TypeAliasType": "3.12",
               "ReadOnly": "3.13", "TypeIs": "3.13"},
    "enum": {"StrEnum": "3.11", "verify": "3.11", "member": "3.11", "nonmember": "3.11",
             "ReprEnum": "3.11", "EnumCheck": "3.11", "FlagBoundary": "3.11"},
    "datetime": {"UTC": "3.11"},
    "hashlib": {"file_digest": "3.11"},
    "inspect": {"markcoroutinefunction": "3.12", "getasyncgenstate": "3.12"},
    "itertools": {"batched": "3.12"},
    "contextlib": {"chdir": "3.11"},
    "operator": {"call": "3.11"},
}
NEWER_BUILTINS = {"ExceptionGroup": "3.11", "BaseExceptionGroup": "3.11"}
NEWER_MODULES = {"tomllib": "3.11", "wsgiref.types": "3.11"}


def _asks_first(test: ast.expr) -> bool:
    """Does this ``if`` test look at the Python version or at a feature?"""
    for node in ast.walk(test):
        if isinstance(node, ast.Attribute) and node.attr == "version_info":
            return True
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in {"hasattr",
                                                                              "getattr"}:
            return True
        if isinstance(node, ast.Name) and node.id.isupper() and len(node.id) > 1:
            return True
    return False


def _guarded(node: ast.AST, parents: dict) -> bool:
    while node in parents:
        parent = parents[node]
        if isinstance(parent, (ast.If, ast.IfExp)) and _asks_first(parent.test):
            return True
        if isinstance(parent, ast.Try) and node in parent.body and any(
                getattr(h.type, "id", None) in {"ImportError", "AttributeError"}
                for h in parent.handlers):
            return True                  # try: newer name / except AttributeError: fallback
        node = parent
    return False


def newer_names(tree: ast.AST) -> list:
    """``(line, name, version)`` for each unguarded use of a post-3.10 standard-library name."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for node in ast.walk(tree):
        hit = None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            hit = NEWER_NAMES.get(node.value.id, {}).get(node.attr)
            name = f"{node.value.id}.{node.attr}"
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name in NEWER_NAMES.get(node.module, {}):
                    hit, name = NEWER_NAMES[node.module][alias.name], f"{node.module}.{alias.name}"
            if node.module in NEWER_MODULES:
                hit, name = NEWER_MODULES[node.module], node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in NEWER_MODULES:
                    hit, name = NEWER_MODULES[alias.name], alias.name
        elif isinstance(node, ast.Name) and node.id in NEWER_BUILTINS:
            hit, name = NEWER_BUILTINS[node.id], node.id
        if hit and not _guarded(node, parents):
            found.append((node.lineno, name, hit))
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_parses_as_python_3_10(path):
    text = path.read_text(encoding="utf-8")
    try:
        ast.parse(text, filename=str(path), feature_version=(3, 10))
    except SyntaxError as exc:
        pytest.fail(f"{path.relative_to(ROOT)}:{exc.lineno}: not Python 3.10 syntax ({exc.msg}); "
                    "the README promises 3.10")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_uses_no_standard_library_name_newer_than_3_10_unguarded(path):
    found = newer_names(ast.parse(path.read_text(encoding="utf-8")))
    assert not found, "\n".join(
        f"{path.relative_to(ROOT)}:{line}: {name} is new in Python {version}; Python 3.10 "
        "must work: use a 3.10 spelling, or ask first (if sys.version_info >= ... / hasattr)"
        for line, name, version in found)


def lesson_code(path: pathlib.Path) -> str:
    """A notebook's code cells as one module: each cell the body of an ``async def`` (cells may
    ``await`` at top level), IPython's ``%magic`` and ``!shell`` lines left out."""
    cells = [cell for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if cell["cell_type"] == "code"]
    functions = []
    for number, cell in enumerate(cells):
        lines = [line for line in "".join(cell["source"]).splitlines()
                 if not line.lstrip().startswith(("%", "!"))]
        functions.append(f"async def cell_{number}():\n"
                         + textwrap.indent("\n".join(lines), "    ") + "\n    pass\n")
    return "\n".join(functions)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_code_is_python_3_10(path):
    """CI runs one Python; the lessons' cells must run on 3.10 all the same."""
    try:
        tree = ast.parse(lesson_code(path), feature_version=(3, 10))
    except SyntaxError as exc:
        pytest.fail(f"{path.name}: a code cell is not Python 3.10 syntax ({exc.msg}: {exc.text})")
    assert not newer_names(tree), f"{path.name} uses post-3.10 names: {newer_names(tree)}"


def test_the_checker_sees_what_it_looks_for():
    bad = ast.parse("import asyncio, tomllib\nfrom typing import Self\n"
                    "async def f():\n    async with asyncio.timeout(1):\n        pass\n"
                    "raise ExceptionGroup('x', [])\n")
    assert {name for _, name, _ in newer_names(bad)} == {
        "tomllib", "typing.Self", "asyncio.timeout", "ExceptionGroup"}
    guarded = ast.parse("import sys, asyncio, inspect\n"
                        "if sys.version_info >= (3, 11):\n    T = asyncio.TaskGroup\n"
                        "if hasattr(inspect, 'markcoroutinefunction'):\n"
                        "    inspect.markcoroutinefunction(f)\n"
                        "x = asyncio.eager_task_factory if EAGER else None\n")
    assert newer_names(guarded) == []
    with pytest.raises(SyntaxError):          # and the grammar check refuses 3.11 syntax
        ast.parse("try:\n    pass\nexcept* ValueError:\n    pass\n", feature_version=(3, 10))
