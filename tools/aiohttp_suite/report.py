"""Turn the two runs' result files into the table, the ratio, the causes and CI's verdict.

Theory of operation.  Each run (record.py) gives one outcome per test id.  The table counts,
per test file and mode, passed / failed / skipped (skipped and xfailed) / deselected.  A file
that did not import in aioteach mode counts every test the calibration collected there as
failed, and so does a test the aioteach run never reported.  The ratio is honest in one
direction: the numerator counts tests that pass in *both* runs, the denominator tests that
pass in aiohttp, over the same selection.  Causes group aioteach's failures among the tests
aiohttp passes by their one-line message with numbers and addresses blurred, biggest first.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Tuple

__all__ = ["table", "ratio", "causes", "conclude", "normalize_cause", "failure_lines"]

KINDS = ("passed", "failed", "skipped", "deselected")


def _file_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0].removesuffix(".py")


def outcomes(run: Dict, reference: Optional[Dict] = None) -> Dict[str, str]:
    """Test id -> passed/failed/skipped/deselected, filling in what the run could not report."""
    found: Dict[str, str] = {}
    for nodeid, outcome in run.get("outcomes", {}).items():
        found[nodeid] = "skipped" if outcome == "xfailed" else outcome
    for nodeid in run.get("deselected", {}):
        found[nodeid] = "deselected"
    if reference is None:
        return found
    # Count over the reference run's ids: one it deselected stays deselected, one this run
    # never reported counts as a failure, ids only this run has (a parametrize id built from
    # a stand-in) are left out.
    expected = outcomes(reference)
    return {nodeid: "deselected" if outcome == "deselected" else found.get(nodeid, "failed")
            for nodeid, outcome in expected.items()}


def table(runs: Dict[str, Dict]) -> Tuple[List[str], Dict[str, Dict[str, Counter]]]:
    reference = runs.get("aiohttp")
    counts: Dict[str, Dict[str, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for mode, run in runs.items():
        for nodeid, outcome in outcomes(run, reference if mode != "aiohttp" else None).items():
            counts[_file_of(nodeid)][mode][outcome] += 1
        for nodeid in run.get("collect_errors", {}):
            counts[_file_of(nodeid)][mode]["collect_error"] += 1
    lines = []
    modes = list(runs)
    header = "| file | " + " | ".join(f"{m} pass/fail/skip/desel" for m in modes) + " |"
    lines += [header, "|---" * (len(modes) + 1) + "|"]
    totals = {mode: Counter() for mode in modes}
    for name in sorted(counts):
        cells = []
        for mode in modes:
            c = counts[name][mode]
            totals[mode].update(c)
            error = " (import error)" if c["collect_error"] else ""
            cells.append("/".join(str(c[k]) for k in KINDS) + error)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("| **total** | " + " | ".join(
        "/".join(str(totals[m][k]) for k in KINDS) for m in modes) + " |")
    return lines, counts


def ratio(runs: Dict[str, Dict]) -> Tuple[int, int]:
    """(tests passing in both runs, tests passing in aiohttp)."""
    ours = outcomes(runs["aioteach"], runs["aiohttp"])
    theirs = outcomes(runs["aiohttp"])
    base = [nodeid for nodeid, outcome in theirs.items() if outcome == "passed"]
    return sum(1 for nodeid in base if ours.get(nodeid) == "passed"), len(base)


def normalize_cause(cause: str) -> str:
    cause = re.sub(r"^\[\w+\] ", "", cause)
    cause = re.sub(r"0x[0-9a-f]+", "0x…", cause)
    cause = re.sub(r"/[\w./-]+", "<path>", cause)
    cause = re.sub(r"\b\d+(\.\d+)?\b", "N", cause)
    cause = re.sub(r"'[^']{30,}'|\"[^\"]{30,}\"", "'…'", cause)
    cause = re.sub(r"^E\s+", "", cause)
    return cause[:150]


def failure_lines(runs: Dict[str, Dict]) -> List[Tuple[str, str]]:
    """(test id, cause) for every test aiohttp passes and aioteach does not."""
    ours = outcomes(runs["aioteach"], runs["aiohttp"])
    causes = runs["aioteach"].get("causes", {})
    errors = runs["aioteach"].get("collect_errors", {})
    found = []
    for nodeid, outcome in sorted(outcomes(runs["aiohttp"]).items()):
        if outcome != "passed" or ours.get(nodeid) == "passed":
            continue
        cause = causes.get(nodeid) or errors.get(_file_of(nodeid) + ".py") or (
            f"aioteach outcome: {ours.get(nodeid)}" if ours.get(nodeid) != "failed"
            else "not collected in aioteach mode")
        found.append((nodeid, cause))
    return found


def causes(runs: Dict[str, Dict], top: int = 30) -> List[str]:
    groups: Dict[str, List[str]] = defaultdict(list)
    for nodeid, cause in failure_lines(runs):
        groups[normalize_cause(cause)].append(nodeid)
    ranked = sorted(groups.items(), key=lambda item: -len(item[1]))[:top]
    return [f"{len(ids):4d}  {cause}   (e.g. {ids[0]})" for cause, ids in ranked]


def _rule_counts(run: Dict) -> str:
    counted = Counter(run.get("deselected", {}).values())
    return ", ".join(f"{rule}: {counted[rule]}" for rule in ("marker", "patch", "private"))


def conclude(runs: Dict[str, Dict], cache: Path, *, baseline: Path, gate: bool, update: bool,
             failures: Optional[Path]) -> int:
    # long because: it is the harness's whole verdict, printed in the order a reader needs it
    for mode, run in runs.items():
        print(f"deselected by rule ({mode}): {_rule_counts(run)}")
        slowest = sorted(run.get("durations", {}).items(), key=lambda item: -item[1])[:5]
        print(f"slowest ({mode}): " + ", ".join(f"{n.split('::')[-1]} {s:.0f}s"
                                                   for n, s in slowest))
    lines, _ = table(runs)
    print("\n".join(lines))
    harness = [f"{mode}: {run['harness']}" for mode, run in runs.items() if run.get("harness")]
    if "aiohttp" in runs and "aioteach" in runs:
        both, base = ratio(runs)
        print(f"\nratio: {both} / {base} = {both / max(base, 1):.1%} "
              "(tests passing in both / tests aiohttp passes)")
        print("\ntop failure causes (aioteach, among tests aiohttp passes):")
        print("\n".join(causes(runs)))
        if failures:
            failures.write_text("".join(f"{n}\t{c}\n" for n, c in failure_lines(runs)),
                                encoding="utf-8")
        summary = {"both_pass": both, "aiohttp_pass": base, "table": lines}
        (cache / "summary.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
        calibration = runs["aiohttp"]
        selected = sum(1 for o in outcomes(calibration).values() if o != "deselected")
        if base < 0.8 * selected:
            harness.append(f"calibration passes only {base} of {selected}: the setup is broken")
        if harness:
            print("\nHARNESS ERROR:\n" + "\n".join(harness))
            return 2
        recorded = json.loads(baseline.read_text()) if baseline.exists() else {"both_pass": 0}
        if update and both > recorded["both_pass"]:
            baseline.write_text(json.dumps({"both_pass": both, "aiohttp_pass": base}) + "\n")
            print(f"baseline updated: {recorded['both_pass']} -> {both}")
        elif gate and both < recorded["both_pass"] - 5:
            print(f"\nREGRESSION: {both} pass in both, baseline {recorded['both_pass']}")
            return 1
        return 0
    if harness:
        print("\nHARNESS ERROR:\n" + "\n".join(harness))
        return 2
    return 0
