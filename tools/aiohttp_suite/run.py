"""``make aiohttp-tests``: aiohttp's own tests, against aioteach and against aiohttp.

Theory of operation.  ``fetch()`` downloads the sdist of one pinned aiohttp release from PyPI
(``pip download --no-deps --no-binary :all:``) into a cache folder and unpacks its ``tests/``
only.  ``run_mode()`` then runs the selection in ``FILES`` twice, side by side, each in a fresh
pytest process with the same ``pytest.ini`` and the same deselection rules (``rules.py``):

    aiohttp    the installed aiohttp (the calibration: what "passing" means on this machine)
    aioteach   ``-p aiohttp_suite.activate`` first, so ``import aiohttp`` is aioteach (shim.py)

``report.py`` turns the two result files into the per-file table, the ratio and the failure
causes.  The exit status is what CI gates on: 0 when both runs worked and aioteach's passes did
not fall below ``baseline.json`` (minus ``TOLERANCE`` flaky tests); 2 on a harness error (a run
that crashed, a real aiohttp import in aioteach mode, a calibration that mostly fails); 1 on
a regression below the baseline.

    python tools/aiohttp_suite/run.py [--mode both|aioteach|aiohttp] [--update-baseline]
                                      [-k EXPR] [--files test_route_def ...]
                                      [--committed HEAD] [--failures FILE] [--serial]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List, Optional

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
if str(HERE.parent) not in sys.path:                 # `python tools/aiohttp_suite/run.py`
    sys.path.insert(0, str(HERE.parent))

from aiohttp_suite import report  # noqa: E402  (after the path set-up above)

__all__ = ["PIN", "FILES", "TEST_TIMEOUT", "TOLERANCE", "fetch", "run_mode", "main"]

PIN = "3.14.5"                      # the aiohttp installed in the venv, for calibration
FILES = ["test_web_functional", "test_web_urldispatcher", "test_web_middleware",
         "test_client_functional", "test_web_websocket_functional",
         "test_client_ws_functional", "test_classbasedview", "test_route_def",
         "test_web_exceptions", "test_web_sendfile_functional", "test_test_utils",
         "test_run_app"]
TEST_TIMEOUT = 8                    # seconds per test: a hang costs this much, once
TOLERANCE = 5                       # passes that may come and go (timing-sensitive tests)
CACHE = Path(os.environ.get("AIOHTTP_SUITE_CACHE", REPO / "build" / "aiohttp-suite"))


def fetch(pin: str = PIN, cache: Path = CACHE) -> Path:
    """The unpacked ``tests/`` folder of aiohttp==pin's sdist, downloaded once."""
    tests = cache / f"aiohttp-{pin}" / "tests"
    if (tests / "conftest.py").exists():
        return tests
    cache.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                    "--no-binary", ":all:", f"aiohttp=={pin}", "-d", str(cache)], check=True)
    with tarfile.open(cache / f"aiohttp-{pin}.tar.gz") as sdist:
        members = [m for m in sdist.getmembers() if m.name.startswith(f"aiohttp-{pin}/tests/")]
        sdist.extractall(cache, members=members, filter="data")
    return tests


def snapshot(revision: str) -> Path:
    """``aioteach/`` as committed at ``revision``, unpacked under the cache (git archive).

    In a tree where others are mid-edit, this measures what is committed, not what is typed."""
    target = CACHE / "snapshot"
    subprocess.run(["rm", "-rf", str(target)], check=True)
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision, "aioteach"],
                             check=True, stdout=subprocess.PIPE).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def run_mode(mode: str, tests: Path, files: List[str], extra: List[str],
             source: Path = REPO) -> Dict:
    """One pytest process over ``files`` in ``mode``; returns what record.py wrote.

    Each mode gets its own copy of the tests and its own --basetemp: some tests write next to
    themselves, and two runs side by side must not see each other's files."""
    results = CACHE / f"results-{mode}.json"
    results.unlink(missing_ok=True)
    workdir = CACHE / f"run-{mode}"
    shutil.rmtree(workdir, ignore_errors=True)
    tests = Path(shutil.copytree(tests, workdir / "tests"))
    env = dict(os.environ, AIOHTTP_SUITE_MODE=mode, AIOHTTP_SUITE_RESULTS=str(results),
               PYTHONPATH=os.pathsep.join([str(HERE.parent), str(source)]),
               PYTHONDONTWRITEBYTECODE="1")
    plugins = (["-p", "aiohttp_suite.activate"] if mode == "aioteach" else []) + [
        "-p", "aiohttp_suite.record"]
    # --aiohttp-fast: no gc.collect() after each test, in both runs (0.25 s a test here);
    # --continue-on-collection-errors: a file that does not import spoils only itself.
    command = [sys.executable, "-m", "pytest", "-c", str(HERE / "pytest.ini"),
               "--rootdir", str(tests), "--basetemp", str(workdir / "tmp"), *plugins,
               f"--timeout={TEST_TIMEOUT}",
               "--aiohttp-fast", "--continue-on-collection-errors", "-q", "--no-header",
               "-rN", "--tb=line", *extra, *[f"{name}.py" for name in files]]
    started = time.monotonic()
    done = subprocess.run(command, cwd=tests, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    if not results.exists():
        print(done.stdout[-4000:])
        return {"mode": mode, "harness": f"pytest exited {done.returncode} without results"}
    data = json.loads(results.read_text(encoding="utf-8"))
    data["returncode"] = done.returncode
    data["seconds"] = round(time.monotonic() - started, 1)
    if done.returncode not in (0, 1) and not data.get("harness"):
        data["harness"] = f"pytest exited {done.returncode}: {done.stdout[-600:]}"
    return data


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["both", "aioteach", "aiohttp"], default="both")
    parser.add_argument("--files", nargs="*", default=FILES)
    parser.add_argument("-k", dest="keyword")
    parser.add_argument("--update-baseline", action="store_true")
    parser.add_argument("--serial", action="store_true", help="one run after the other")
    parser.add_argument("--failures", type=Path, help="write the raw failure list here")
    parser.add_argument("--committed", metavar="REV",
                        help="measure aioteach as committed at REV (e.g. HEAD), not the tree")
    args = parser.parse_args(argv)
    tests = fetch()
    extra = ["-k", args.keyword] if args.keyword else []
    modes = ["aiohttp", "aioteach"] if args.mode == "both" else [args.mode]
    source = snapshot(args.committed) if args.committed else REPO
    # The two runs are independent processes on port 0: side by side they take the time of the
    # slower one (CI has the cores); --serial when the machine is shared.
    with ThreadPoolExecutor(max_workers=1 if args.serial else len(modes)) as pool:
        futures = {mode: pool.submit(run_mode, mode, tests, args.files, extra, source)
                   for mode in modes}
        runs = {mode: future.result() for mode, future in futures.items()}
    for mode, run in runs.items():
        print(f"{mode}: {run.get('seconds', '?')} s, imported {run.get('imported')}")
    full = args.mode == "both" and args.files == FILES and not args.keyword
    return report.conclude(runs, CACHE, baseline=HERE / "baseline.json", gate=full,
                           update=args.update_baseline and full, failures=args.failures)


if __name__ == "__main__":
    sys.exit(main())
