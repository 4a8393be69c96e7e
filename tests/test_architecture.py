"""The layering of DESIGN.md, held by tests: the file tree is the architecture diagram.

* the sans-I/O layers (http1, websocket, multidict, url, multipart) never load asyncio, socket,
  ssl or selectors: a notebook can feed them bytes by hand;
* ``import aioteach`` and ``from aioteach import web`` need nothing beyond the standard library;
* ``web`` and ``client`` never import each other;
* every module opens with its theory of operation (a docstring), declares ``__all__``, has a
  name without a leading underscore, and stays readable in one sitting (600 lines at most).
"""
import ast
import json
import pathlib
import subprocess
import sys

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parent.parent / "aioteach"
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))
SANS_IO = ["aioteach.http1", "aioteach.websocket", "aioteach.multidict", "aioteach.url",
           "aioteach.multipart", "aioteach.urlencoding"]


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


def _imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield ("." * node.level) + node.module


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_module_shape(path):
    rel = path.relative_to(PACKAGE.parent).as_posix()
    text = path.read_text(encoding="utf-8")
    tree = ast.parse(text)
    assert ast.get_docstring(tree), f"{rel} should open with its theory of operation"
    assert text.count("\n") <= 600, f"{rel} has grown past 600 lines: does it hold two concepts?"
    if path.name != "__init__.py" or path.parent != PACKAGE:
        assert not path.stem.startswith("_") or path.stem in ("__init__", "__main__"), rel
    names = {t.id for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))
             for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
             if isinstance(t, ast.Name)}
    assert "__all__" in names, f"{rel} should declare its public names in __all__"
    imports = list(_imports(tree))
    if rel.startswith("aioteach/web/"):
        assert not any("client" in name.split(".") for name in imports if "aioteach" in name
                       or name.startswith(".")), f"{rel} imports the client"
    if rel.startswith("aioteach/client/"):
        assert not any("web" in name.split(".") for name in imports if "aioteach" in name
                       or name.startswith(".")), f"{rel} imports web"
