"""The written, mechanical rules that deselect some of aiohttp's tests (the same in both runs).

Theory of operation.  A test is left out of the comparison only for one of these reasons,
decided from the source text alone (``ast``), never from how a run went:

    marker   aiohttp's own opt-in markers: ``dev_mode``, ``autobahn``, ``internal`` (aiohttp's
             pytest.ini deselects them by default too)
    patch    it patches aiohttp itself: ``mock.patch("aiohttp....")`` (a literal, or a local
             name bound to one), or ``patch.object`` / ``monkeypatch.setattr`` / ``setattr`` on
             an object imported from aiohttp (``RequestHandler``, ``web.X``, ``aiohttp``)
    private  it reads or patches a private name: an ``obj._name`` attribute (not ``self``,
             ``cls`` or a standard-library module; not namedtuple's ``_replace``/``_asdict``
             ...), a ``"_name"`` string given to patch.object/setattr/getattr/hasattr, or a
             name imported from a private aiohttp module or with a leading underscore

A test inherits the reasons of every module-level function or class its body names, and of
every method of its own class it calls through ``self`` (a test class's helper), transitively, and the "patch" reason of every fixture it uses (conftest's or its module's, by
the fixture's name): a patch changes the behaviour under test.  A fixture that only *reads* a
private name is housekeeping (conftest's wait for aiohttp's deferred file closes); in aioteach
mode it reads the shim's inert ``PrivateStandIn`` and its tests run.
``scan(path)`` returns ``{qualname: reasons}`` for one file; ``reason_for(...)`` picks the
first rule that applies, in the order above, so each deselected test is counted once.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set

__all__ = ["RULES", "MARKER_RULE", "FileScan", "scan", "reason_for"]

RULES = ("marker", "patch", "private")
MARKER_RULE = frozenset({"dev_mode", "autobahn", "internal"})
PATCH_CALLS = {"patch", "patch.object", "patch.dict", "patch.multiple", "setattr", "delattr"}
NAMEDTUPLE_API = {"_replace", "_asdict", "_fields", "_make", "_field_defaults"}
STRING_ATTR_CALLS = PATCH_CALLS | {"getattr", "hasattr"}


def _dotted(node: ast.AST) -> str:
    """``mock.patch.object`` for the call's function expression; '' if not a plain chain."""
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def _root(node: ast.AST) -> Optional[str]:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and name not in NAMEDTUPLE_API


class FileScan:
    """One file's imports, its top-level names and the rules each function triggers."""

    def __init__(self, tree: ast.Module) -> None:
        self.aiohttp_names: Set[str] = set()     # names bound to aiohttp objects by imports
        self.private_names: Set[str] = set()     # ... of which private ones
        self.stdlib_names: Set[str] = set()
        self.functions: Dict[str, ast.AST] = {}  # qualname -> FunctionDef / ClassDef
        self.fixture_names: Dict[str, str] = {}  # fixture name -> qualname
        self._read_imports(tree)
        self._index(tree.body, "")

    def _read_imports(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    root = alias.name.split(".")[0]
                    bound = alias.asname or root
                    if root == "aiohttp":
                        self.aiohttp_names.add(bound)
                    elif root in sys.stdlib_module_names:
                        self.stdlib_names.add(bound)
            elif isinstance(node, ast.ImportFrom) and \
                    (node.module or "").split(".")[0] == "aiohttp":
                private_module = any(_is_private(part) for part in node.module.split("."))
                for alias in node.names:
                    bound = alias.asname or alias.name
                    self.aiohttp_names.add(bound)
                    if private_module or _is_private(alias.name):
                        self.private_names.add(bound)

    def _index(self, body: Iterable[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                qualname = prefix + node.name
                self.functions[qualname] = node
                if isinstance(node, ast.ClassDef):
                    self._index(node.body, qualname + ".")
                else:
                    fixture = _fixture_name(node)
                    if fixture:
                        self.fixture_names[fixture] = qualname

    def own_reasons(self, node: ast.AST) -> Set[str]:
        """The rules this function's (or class's) own text triggers, decorators included."""
        reasons: Set[str] = set()
        literals = _string_assignments(node)
        for sub in ast.walk(node):
            if isinstance(sub, ast.Call):
                reasons |= self._call_reasons(sub, literals)
            elif isinstance(sub, ast.Attribute) and _is_private(sub.attr):
                if _root(sub) not in ({"self", "cls"} | self.stdlib_names):
                    reasons.add("private")
            elif isinstance(sub, ast.Name) and sub.id in self.private_names:
                reasons.add("private")
        return reasons

    def _call_reasons(self, call: ast.Call, literals: Dict[str, str]) -> Set[str]:
        name = _dotted(call.func)
        parts = name.split(".")
        short = ".".join(parts[-2:]) if parts[-1] in ("object", "dict", "multiple") else parts[-1]
        reasons: Set[str] = set()
        if not call.args:
            return reasons
        if short in STRING_ATTR_CALLS and len(call.args) > 1:
            second = call.args[1]
            if isinstance(second, ast.Constant) and isinstance(second.value, str) \
                    and _is_private(second.value):
                reasons.add("private")
        if short in PATCH_CALLS:
            first = call.args[0]
            target = first.value if isinstance(first, ast.Constant) else (
                literals.get(first.id) if isinstance(first, ast.Name) else None)
            if isinstance(target, str) and target.startswith("aiohttp."):
                reasons.add("patch")
            elif _root(first) in self.aiohttp_names:
                reasons.add("patch")
        return reasons

    def referenced(self, node: ast.AST, qualname: str = "") -> Set[str]:
        """Top-level functions and classes of this file that ``node`` names, and the methods
        of its own class that it calls as ``self.helper(...)``."""
        found = {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name)
                 and sub.id in self.functions and sub.id != getattr(node, "name", None)}
        owner = qualname.rpartition(".")[0]
        if owner:
            found |= {f"{owner}.{sub.attr}" for sub in ast.walk(node)
                      if isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name)
                      and sub.value.id == "self" and f"{owner}.{sub.attr}" in self.functions}
        return found

    def reasons(self, qualname: str, seen: Optional[Set[str]] = None) -> Set[str]:
        """Own reasons plus those of the top-level functions it names, transitively."""
        seen = set() if seen is None else seen
        node = self.functions.get(qualname)
        if node is None or qualname in seen:
            return set()
        seen.add(qualname)
        found = self.own_reasons(node)
        for name in self.referenced(node, qualname):
            found |= self.reasons(name, seen)
        return found


def _fixture_name(node: ast.AST) -> Optional[str]:
    for decorator in getattr(node, "decorator_list", []):
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if _dotted(target).endswith("fixture"):
            if isinstance(decorator, ast.Call):
                for keyword in decorator.keywords:
                    if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                        return str(keyword.value.value)
            return str(getattr(node, "name"))
    return None


def _string_assignments(node: ast.AST) -> Dict[str, str]:
    """``target = "aiohttp.x.Y"`` inside the function: the name a later patch(target) uses."""
    found: Dict[str, str] = {}
    for sub in ast.walk(node):
        if isinstance(sub, ast.Assign) and isinstance(sub.value, ast.Constant) \
                and isinstance(sub.value.value, str):
            for target in sub.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = sub.value.value
    return found


_CACHE: Dict[Path, FileScan] = {}


def scan(path: Path) -> FileScan:
    path = Path(path)
    if path not in _CACHE:
        _CACHE[path] = FileScan(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return _CACHE[path]


def reason_for(markers: Iterable[str], module: FileScan, qualname: str,
               fixtures: Iterable[str], conftests: Iterable[FileScan]) -> Optional[str]:
    """The first rule that deselects this test, or None to run it."""
    if MARKER_RULE & set(markers):
        return "marker"
    found = module.reasons(qualname)
    for fixture in fixtures:
        for holder in (module, *conftests):
            if fixture in holder.fixture_names:
                found |= holder.reasons(holder.fixture_names[fixture]) & {"patch"}
                break
    for rule in RULES[1:]:
        if rule in found:
            return rule
    return None
