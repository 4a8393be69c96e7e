"""The pytest plugin both runs load: apply the rules, record every outcome to a JSON file.

Theory of operation.  ``run.py`` starts pytest twice with ``-p aiohttp_suite.record`` (and, in
aioteach mode, ``-p aiohttp_suite.activate`` first).  At collection this plugin asks
``rules.reason_for`` about each test and deselects by rule, counting per rule.  While tests
run it folds the setup/call/teardown reports into one outcome per test id (passed, failed,
skipped, xfailed) and keeps a failure's one-line cause: the crash message, or, when the test
only saw a status (``assert 500 == 200``), the last exception line the server logged.  At the
end it writes ``{"mode", "outcomes", "causes", "deselected", "collect_errors", "harness"}`` to
``$AIOHTTP_SUITE_RESULTS``.  In aioteach mode it also checks that the real aiohttp never
loaded; if it did, ``harness`` says so and the run fails as a harness error.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from aiohttp_suite import rules

__all__ = ["pytest_collection_modifyitems", "pytest_runtest_logreport", "pytest_collectreport",
           "pytest_sessionfinish", "failure_cause"]

MODE = os.environ.get("AIOHTTP_SUITE_MODE", "aiohttp")
RESULTS: Dict[str, Any] = {"mode": MODE, "outcomes": {}, "causes": {}, "deselected": {},
                           "collect_errors": {}, "harness": None, "durations": {}}
_STATUS_ONLY = re.compile(r"^(AssertionError: )?assert \d{3} == \d{3}")
_EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(Error|Exception|Exit|Warning|Missing\w*)\b.*)$",
                             re.M)


def pytest_collection_modifyitems(session: Any, config: Any, items: List[Any]) -> None:
    keep, dropped = [], []
    for item in items:
        reason = _reason(item)
        if reason is None:
            keep.append(item)
        else:
            dropped.append(item)
            RESULTS["deselected"][item.nodeid] = reason
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


def _reason(item: Any) -> Optional[str]:
    path = Path(str(item.path))
    conftest = path.parent / "conftest.py"
    conftests = [rules.scan(conftest)] if conftest.exists() else []
    qualname = item.originalname if getattr(item, "cls", None) is None \
        else f"{item.cls.__name__}.{item.originalname}"
    markers = [mark.name for mark in item.iter_markers()]
    return rules.reason_for(markers, rules.scan(path), qualname, item.fixturenames, conftests)


def pytest_collectreport(report: Any) -> None:
    if report.failed:
        RESULTS["collect_errors"][report.nodeid] = _first_line(str(report.longrepr), last=True)


def pytest_runtest_logreport(report: Any) -> None:
    seconds = RESULTS["durations"]
    seconds[report.nodeid] = round(seconds.get(report.nodeid, 0) + report.duration, 2)
    outcomes = RESULTS["outcomes"]
    previous = outcomes.get(report.nodeid)
    if hasattr(report, "wasxfail"):
        outcome = "xfailed" if report.skipped else "failed"   # strict xpass fails
    elif report.failed:
        outcome = "failed"
    elif report.skipped:
        outcome = "skipped"
    elif report.when == "call":
        outcome = "passed"
    else:
        return
    if previous == "failed" or (previous in ("skipped", "xfailed") and outcome == "passed"):
        return
    outcomes[report.nodeid] = outcome
    if outcome == "failed" and report.nodeid not in RESULTS["causes"]:
        RESULTS["causes"][report.nodeid] = f"[{report.when}] " + failure_cause(report)


def failure_cause(report: Any) -> str:
    """One line that says why: the crash, or the server's exception behind a bare status."""
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    message = _first_line(crash.message) if crash is not None else _first_line(
        str(report.longrepr), last=True)
    if _STATUS_ONLY.match(message) or "500" in message[:40]:
        logged = "\n".join(text for name, text in report.sections if "log" in name
                           or "stderr" in name)
        lines = _EXCEPTION_LINE.findall(logged)
        if lines:
            return f"{message} <- server: {_first_line(lines[-1][0])}"
    return message


def _first_line(text: str, last: bool = False) -> str:
    lines = [line.strip() for line in str(text).splitlines() if line.strip()]
    if not lines:
        return ""
    line = lines[-1] if last else lines[0]
    return line[:240]


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: Any, exitstatus: Any) -> None:
    import sys
    real = sys.modules.get("aiohttp")
    RESULTS["imported"] = f"{getattr(real, '__name__', None)} from " \
                          f"{getattr(real, '__file__', None)}"
    if MODE == "aioteach":
        from aiohttp_suite import shim
        try:
            shim.assert_real_aiohttp_absent()
        except RuntimeError as error:
            RESULTS["harness"] = str(error)
            session.exitstatus = 3
    target = os.environ.get("AIOHTTP_SUITE_RESULTS")
    if target:
        Path(target).write_text(json.dumps(RESULTS, indent=1, sort_keys=True), encoding="utf-8")
