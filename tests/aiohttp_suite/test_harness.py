"""The aiohttp-test harness (tools/aiohttp_suite) keeps its promises: the real aiohttp cannot be
imported in aioteach mode, deselection follows the written rules, and the ratio is honest.

The shim is installed in a child interpreter: installing it here would hide the real aiohttp
from the interop tests that share this process.
"""
import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools"
sys.path.insert(0, str(TOOLS))

from aiohttp_suite import report, rules  # noqa: E402


def run_child(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=TOOLS,
                          capture_output=True, text=True, timeout=60)


def test_aioteach_mode_never_reaches_the_real_aiohttp():
    child = run_child("""
        import importlib, json, sys
        from aiohttp_suite import shim
        shim.install()
        import aiohttp, aiohttp.web, aiohttp.client_proto, yarl
        import aioteach.web, aioteach.url
        from aiohttp.web import Application
        from aiohttp._websocket.reader import WebSocketDataQueue   # private: inert stand-in
        from aiohttp.client_proto import ResponseHandler           # public, not in aioteach
        real = sorted(name for name, module in sys.modules.items()
                      if name.split('.')[0] in ('aiohttp', 'yarl', 'multidict')
                      and 'site-packages' in (getattr(module, '__file__', None) or ''))
        try:
            ResponseHandler()
            used = 'no error'
        except shim.ShimMissingName as error:
            used = str(error)
        private = [repr(WebSocketDataQueue), bool(WebSocketDataQueue), repr(2 * WebSocketDataQueue)]
        print(json.dumps({
            "same_app": Application is aioteach.web.Application,
            "same_url": yarl.URL is aioteach.url.URL,
            "alias": type(aiohttp).__name__, "real": real, "used": used, "private": private,
            "origin": importlib.util.find_spec('aiohttp.client_reqrep').origin,
        }))
        shim.assert_real_aiohttp_absent()
    """)
    assert child.returncode == 0, child.stderr
    seen = json.loads(child.stdout)
    assert seen["same_app"] and seen["same_url"] and seen["alias"] == "AliasModule"
    assert seen["real"] == []
    assert seen["used"] == "aiohttp.client_proto.ResponseHandler is not in aioteach"
    stand_in = "<private aiohttp._websocket.reader.WebSocketDataQueue>"
    assert seen["private"] == [stand_in, False, stand_in]
    assert seen["origin"] is None               # answered by the shim, not found on disk


def test_installing_after_the_real_aiohttp_loaded_is_refused():
    pytest.importorskip("aiohttp")
    child = run_child("""
        import aiohttp
        from aiohttp_suite import shim
        shim.install()
    """)
    assert child.returncode != 0
    assert "was imported before the shim" in child.stderr


def test_a_missing_name_fails_where_it_is_used_not_at_import():
    child = run_child("""
        from aiohttp_suite import shim
        shim.install()
        from aiohttp.abc import NoSuchResolver
        class Fake(NoSuchResolver):
            pass
        for attempt in (Fake, lambda: NoSuchResolver.attr, lambda: bool(NoSuchResolver)):
            try:
                attempt()
            except shim.ShimMissingName as error:
                print(error)
    """)
    assert child.returncode == 0, child.stderr
    assert child.stdout.count("aiohttp.abc.NoSuchResolver is not in aioteach") == 3


SOURCE = '''
import os
from unittest import mock
from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp._websocket.reader import Queue

@pytest.fixture
def housekeeping():
    if payload._CLOSE_FUTURES: ...

@pytest.fixture
def patched():
    with mock.patch("aiohttp.connector.X", 1):
        yield

def helper(resp):
    return resp._body

async def test_plain(loop):
    os._exit
    assert web.Response().status == 200

async def test_uses_fixture(patched): ...
async def test_patch_literal():
    target = "aiohttp.web_protocol.RequestHandler.data_received"
    with mock.patch(target, None): ...
async def test_patch_object(monkeypatch):
    monkeypatch.setattr(RequestHandler, "data_received", None)
async def test_private_attribute():
    assert helper(web.Response()) == b""
async def test_private_string():
    with mock.patch.object(object(), "_request_in_progress", False): ...
async def test_private_module():
    Queue()
async def test_own_patch(monkeypatch):
    monkeypatch.setattr("pathlib.Path.stat", None)
class TestGroup:
    def test_self_is_fine(self):
        self._state = 1
    def serve(self):
        with mock.patch("aiohttp.web_app.Server", object):
            pass
    def test_through_a_helper_method(self):
        self.serve()
'''


@pytest.mark.parametrize("qualname, fixtures, expected", [
    ("test_plain", ["loop"], None),
    ("test_uses_fixture", ["patched"], "patch"),
    ("test_plain", ["housekeeping"], None),          # a fixture's private read: housekeeping
    ("test_patch_literal", [], "patch"),
    ("test_patch_object", ["monkeypatch"], "patch"),
    ("test_private_attribute", [], "private"),
    ("test_private_string", [], "private"),
    ("test_private_module", [], "private"),
    ("test_own_patch", ["monkeypatch"], None),
    ("TestGroup.test_self_is_fine", [], None),
    ("TestGroup.test_through_a_helper_method", [], "patch"),   # its class's helper patches
])
def test_deselection_rules(qualname, fixtures, expected):
    scanned = rules.FileScan(ast.parse(SOURCE))
    assert rules.reason_for([], scanned, qualname, fixtures, []) == expected


def test_aiohttps_own_markers_come_first():
    scanned = rules.FileScan(ast.parse(SOURCE))
    assert rules.reason_for(["internal"], scanned, "test_plain", [], []) == "marker"


def test_the_ratio_counts_only_tests_that_pass_in_both_runs():
    runs = {
        "aiohttp": {"outcomes": {"a.py::t1": "passed", "a.py::t2": "passed",
                                 "a.py::t3": "failed"}, "deselected": {"a.py::t4": "patch"}},
        "aioteach": {"outcomes": {"a.py::t1": "passed", "a.py::t3": "passed"},
                     "deselected": {"a.py::t4": "patch"},
                     "causes": {}, "collect_errors": {}},
    }
    assert report.ratio(runs) == (1, 2)             # t2 never ran in aioteach: a failure
    lines, counts = report.table(runs)
    assert counts["a"]["aioteach"]["failed"] == 1 and counts["a"]["aiohttp"]["deselected"] == 1
    assert report.failure_lines(runs) == [("a.py::t2", "not collected in aioteach mode")]


def _runs(ours_pass: int, harness=None):
    ids = [f"a.py::t{i}" for i in range(10)]
    theirs = {"outcomes": {nodeid: "passed" for nodeid in ids}}
    ours = {"outcomes": {nodeid: "passed" if i < ours_pass else "failed"
                         for i, nodeid in enumerate(ids)}, "harness": harness}
    return {"aiohttp": theirs, "aioteach": ours}


@pytest.mark.parametrize("ours_pass, harness, expected", [
    (9, None, 0),                       # at the baseline (9): fine
    (3, None, 0),                       # within the tolerance of 5 below 8
    (2, None, 1),                       # 6 below: a regression fails CI
    (9, "real aiohttp loaded", 2),      # a harness error always fails, whatever the counts
])
def test_ci_verdict(tmp_path, capsys, ours_pass, harness, expected):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"both_pass": 8}))
    verdict = report.conclude(_runs(ours_pass, harness), tmp_path, baseline=baseline,
                              gate=True, update=False, failures=None)
    assert verdict == expected
    assert "ratio:" in capsys.readouterr().out
