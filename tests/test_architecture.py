"""The layering of DESIGN.md, held by tests: the file tree is the architecture diagram.

* the layer map at the top of ``aioteach/__init__.py`` names every module and package with its
  layer (L0-L4); an import never goes up a layer, and ``web`` and ``client`` never import each
  other;
* an aioteach import inside a function (a lazy import) hides a dependency from the reader, so it
  is allowed only where a ``# plug-in point: <why>`` comment (on the line or the three lines
  above it) documents it; a documented plug-in point is also the one place a higher layer may
  plug into a lower one (``web.run_app`` in a notebook cell hands over to ``aioteach.notebook``);
* the sans-I/O layers (L0 and L1: http1, websocket, multidict, url, multipart...) never load asyncio, socket,
  ssl or selectors: a notebook can feed them bytes by hand;
* no two aioteach modules import each other, directly or round a longer loop (module-level and
  lazy imports alike; a documented plug-in point is the one exception, and an import under
  ``if TYPE_CHECKING:`` never runs): a reader can start at the bottom of the import graph and
  meet each module after everything it uses;
* ``import aioteach`` and ``from aioteach import web`` need nothing beyond the standard library;
* every module opens with its theory of operation (a docstring), declares ``__all__``, has a
  name without a leading underscore, and stays readable in one sitting: 450 lines at most, and
  no function over 50 lines unless a ``# long because: <why>`` line inside it says why.

``python tests/test_architecture.py`` prints every offender, one per line, and exits 1 if there
is any (``make check`` runs it).
"""
from __future__ import annotations

import ast
import json
import pathlib
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "aioteach"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))
SANS_IO = ["aioteach.http1", "aioteach.websocket", "aioteach.multidict", "aioteach.url",
           "aioteach.urlparts", "aioteach.multipart", "aioteach.urlencoding", "aioteach.hdrs"]
MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 50
LONG_BECAUSE = "# long because:"
PLUG_IN_POINT = "# plug-in point:"


# -- reading the tree --------------------------------------------------------------------------

def layer_map() -> dict[str, int]:
    """``{"multidict.py": 0, "http1/": 1, ...}`` from the table in aioteach/__init__.py."""
    doc = ast.get_docstring(ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8")))
    rows = re.findall(r"^\s+L([0-4])\s+(\S+)", doc or "", flags=re.MULTILINE)
    return {where: int(layer) for layer, where in rows}


def rel(path: pathlib.Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def layer_of(where: str, layers: dict[str, int]) -> int | None:
    """The layer of a path inside the package (``web/app.py``), or None if the map lacks it."""
    top = where.split("/")[0]
    return layers.get(top + "/" if "/" in where else top)


def module_path(dotted: str) -> str | None:
    """``aioteach.web.app`` -> ``web/app.py`` (or ``web/`` for a package); None outside."""
    parts = dotted.split(".")
    if parts[0] != "aioteach" or len(parts) == 1:
        return None
    base = PACKAGE.joinpath(*parts[1:])
    if base.is_dir():
        return "/".join(parts[1:]) + "/"
    if base.with_suffix(".py").exists():
        return "/".join(parts[1:]) + ".py"
    return module_path(".".join(parts[:-1]))     # a name inside a module


@dataclass(frozen=True)
class Import:
    line: int
    target: str         # dotted, absolute
    lazy: bool          # inside a function
    plug_in: bool       # documented with a "# plug-in point:" comment
    typing_only: bool = False   # under ``if TYPE_CHECKING:``: never run, only read by mypy


def imports_of(path: pathlib.Path) -> Iterator[Import]:
    """Every import of an aioteach module in ``path``, resolved to an absolute dotted name."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    package = ["aioteach", *path.relative_to(PACKAGE).with_suffix("").parts]
    if path.name == "__init__.py":
        package = package[:-1] + ["__init__"]

    def documented(lineno: int) -> bool:
        above = lines[max(0, lineno - 4):lineno]          # the import line and three above it
        return any(PLUG_IN_POINT in line for line in above)

    def visit(node: ast.AST, in_function: bool, typing_only: bool = False) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                      ast.Lambda))
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    base = ".".join(package[:len(package) - child.level] + ([base] if base else []))
                names = [f"{base}.{alias.name}" for alias in child.names]
            for name in names:
                if name.split(".")[0] == "aioteach":
                    yield Import(child.lineno, name, in_function, documented(child.lineno),
                                 typing_only)
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                # ``if TYPE_CHECKING:`` never runs; its ``else:`` branch does
                yield from visit(ast.Module(body=child.body, type_ignores=[]), inner, True)
                yield from visit(ast.Module(body=child.orelse, type_ignores=[]), inner,
                                 typing_only)
            else:
                yield from visit(child, inner, typing_only)

    yield from visit(ast.parse(text), False)


def long_functions(path: pathlib.Path) -> Iterator[tuple[int, str, int]]:
    """(line, name, length) of each function over the limit without a ``# long because:``."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            end = node.end_lineno or node.lineno
            length = end - node.lineno + 1
            body = lines[node.lineno - 1:end]
            if length > MAX_FUNCTION_LINES and not any(LONG_BECAUSE in line for line in body):
                yield node.lineno, node.name, length


def import_graph() -> dict[str, set[str]]:
    """``{"web/app.py": {"web/router.py", ...}, ...}``: which modules each module imports
    (a package stands for its ``__init__.py``).  Documented plug-in points and imports under
    ``if TYPE_CHECKING:`` (never run) are left out; the root ``__init__.py`` only re-exports,
    lazily, so it is left out too."""
    graph: dict[str, set[str]] = {}
    for path in MODULES:
        where = rel(path)
        if where == "__init__.py":
            continue
        targets = graph.setdefault(where, set())
        for imp in imports_of(path):
            target = module_path(imp.target)
            if target is not None and not imp.plug_in and not imp.typing_only:
                target = target + "__init__.py" if target.endswith("/") else target
                if target != where:
                    targets.add(target)
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each loop of imports, once, as the modules on it (``a -> b -> a`` is ``[a, b]``)."""
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def walk(path: list[str]) -> None:           # depth first, from the smallest name on it
        for target in sorted(graph.get(path[-1], ())):
            if target == path[0] and frozenset(path) not in seen:
                seen.add(frozenset(path))
                cycles.append(list(path))
            elif target > path[0] and target not in path:
                walk(path + [target])

    for start in sorted(graph):
        walk([start])
    return cycles


def offenders() -> list[str]:
    """Every break of the size, layer and lazy-import rules, as ``path:line: what``."""
    layers = layer_map()
    found = []
    for path in MODULES:
        where = rel(path)
        name = f"aioteach/{where}"
        count = len(path.read_text(encoding="utf-8").splitlines())
        if count > MAX_MODULE_LINES:
            found.append(f"{name}: {count} lines (> {MAX_MODULE_LINES})")
        for line, function, length in long_functions(path):
            found.append(f"{name}:{line}: {function}() is {length} lines (> {MAX_FUNCTION_LINES})"
                         f" with no '{LONG_BECAUSE}' line")
        if where == "__init__.py":
            continue                                   # the root only re-exports, lazily
        mine = layer_of(where, layers)
        if mine is None:
            found.append(f"{name}: not in the layer map at the top of aioteach/__init__.py")
            continue
        for imp in imports_of(path):
            target = module_path(imp.target) or "__init__.py"   # the root: re-exports only
            theirs = layer_of(target, layers)
            if imp.lazy and not imp.plug_in:
                found.append(f"{name}:{imp.line}: lazy import of {imp.target} without a"
                             f" '{PLUG_IN_POINT}' comment")
            elif theirs is not None and theirs > mine and not imp.lazy:
                found.append(f"{name}:{imp.line}: L{mine} imports {imp.target} (L{theirs}):"
                             " up a layer")
            if {where.split("/")[0], target.split("/")[0]} == {"web", "client"}:
                found.append(f"{name}:{imp.line}: web and client import each other"
                             f" ({imp.target})")
    for cycle in import_cycles(import_graph()):
        found.append("import cycle: " + " -> ".join(f"aioteach/{m}" for m in cycle + cycle[:1]))
    return found


# -- the tests ---------------------------------------------------------------------------------

def test_the_tree_keeps_its_limits_and_layers():
    problems = offenders()
    assert not problems, "\n".join(problems)


def test_the_cycle_finder_finds_a_loop_once_however_long():
    graph = {"a.py": {"b.py"}, "b.py": {"c.py", "d.py"}, "c.py": {"a.py"}, "d.py": {"d.py"}}
    assert import_cycles(graph) == [["a.py", "b.py", "c.py"], ["d.py"]]
    assert import_cycles({"a.py": {"b.py"}, "b.py": set()}) == []


def test_the_layer_map_names_only_what_exists():
    for where in layer_map():
        assert (PACKAGE / where).exists(), where


def test_mypy_holds_every_l0_and_l1_module_to_strict():
    """The issue's rule "mypy strict on L0 and L1", read from the layer map: a module that
    joins L0 or L1 and is not in pyproject.toml's strict override list fails here."""
    overrides = (ROOT / "pyproject.toml").read_text(encoding="utf-8").split(
        "[[tool.mypy.overrides]]")
    (strict,) = [block for block in overrides if "disallow_untyped_defs = true" in block]
    listed = set(re.findall(r'"(aioteach\.[\w.*]+)"', strict))
    wanted = {"aioteach." + where.removesuffix(".py").rstrip("/").replace("/", ".")
              + (".*" if where.endswith("/") else "")
              for where, layer in layer_map().items() if layer <= 1}
    assert wanted <= listed, f"add to the strict override in pyproject.toml: {wanted - listed}"


def dynamic_imports(path: pathlib.Path) -> Iterator[tuple[int, bool]]:
    """Each ``importlib.import_module(...)`` or ``__import__(...)`` call in ``path``: its line,
    and whether it is allowed (a package's lazy ``__getattr__`` (PEP 562), or documented as a
    plug-in point in the three lines above it or in its function's docstring)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()

    def visit(node: ast.AST, function: ast.AST | None) -> Iterator[tuple[int, bool]]:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) \
                else function
            if isinstance(child, ast.Call):
                func = child.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("import_module", "__import__") and not _is_own_wrapper(function):
                    doc = (ast.get_docstring(function) or "") if function else ""  # type: ignore[arg-type]
                    above = "\n".join(lines[max(0, child.lineno - 4):child.lineno]) + doc
                    lazy = path.name == "__init__.py" and getattr(function, "name", "") \
                        == "__getattr__"
                    yield child.lineno, lazy or "plug-in point" in above.lower()
            yield from visit(child, inner)

    yield from visit(ast.parse(text), None)


def _is_own_wrapper(function: ast.AST | None) -> bool:
    """A function named import_module wraps importlib's: its callers are what is checked."""
    return getattr(function, "name", "") == "import_module"


def test_dynamic_imports_are_lazy_re_exports_or_documented_plug_in_points():
    found = [f"{rel(path)}:{line}" for path in sorted(PACKAGE.rglob("*.py"))
             for line, allowed in dynamic_imports(path) if not allowed]
    assert not found, ("an import by name that is neither a package's lazy __getattr__ nor "
                       f"marked '{PLUG_IN_POINT}' (say what plugs in there): {found}")


def test_the_readme_table_agrees_with_the_layer_map():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| L([0-4]) \| (.*?) \|", readme, flags=re.MULTILINE)
    listed = {path.removeprefix("aioteach/"): int(layer) for layer, cells in rows
              for path in re.findall(r"`([^`]+)`", cells)}
    assert listed == layer_map()


def loaded_after(statement: str) -> set:
    """The top-level module names a fresh interpreter holds after running ``statement``."""
    code = f"import sys; {statement}; import json; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in json.loads(out.stdout)}


@pytest.mark.parametrize("module", SANS_IO)
def test_sans_io_layers_load_no_io(module):
    if not (PACKAGE.parent / (module.replace(".", "/") + ".py")).exists() and not (
            PACKAGE.parent / module.replace(".", "/")).is_dir():
        pytest.fail(f"{module} is missing")
    assert loaded_after(f"import {module}") & {"asyncio", "socket", "ssl", "selectors"} == set()


@pytest.mark.parametrize("statement", ["import aioteach", "from aioteach import web"])
def test_core_imports_need_only_the_standard_library(statement):
    baseline = loaded_after("pass")      # what site.py loads anyway (e.g. editable-install hooks)
    outside = {name for name in loaded_after(statement) - baseline
               if name not in sys.stdlib_module_names and name != "aioteach"}
    assert outside == set()


def test_web_does_not_load_the_client():
    assert "aioteach.client" not in {
        n for n in json.loads(subprocess.run(
            [sys.executable, "-c",
             "import sys, json; from aioteach import web; print(json.dumps(sorted(sys.modules)))"],
            capture_output=True, text=True, check=True).stdout)}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_module_shape(path):
    name = path.relative_to(PACKAGE.parent).as_posix()
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    assert ast.get_docstring(tree), f"{name} should open with its theory of operation"
    if path.name != "__init__.py" or path.parent != PACKAGE:
        assert not path.stem.startswith("_") or path.stem in ("__init__", "__main__"), name
    names = {t.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
             for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
             if isinstance(t, ast.Name)}
    assert "__all__" in names, f"{name} should declare its public names in __all__"


if __name__ == "__main__":
    problems = offenders()
    print("\n".join(problems))
    print(f"architecture limits: {len(problems)} offenders")
    sys.exit(1 if problems else 0)
