"""examples/ipinfo_client.py, run as the learner runs it (the command line: tests/test_cli.py)."""
from __future__ import annotations

import asyncio
import json
import pathlib
import sys

import pytest

from aioteach import web

from .apps import serve_app

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "ipinfo_client.py"


async def run(*args: str) -> tuple:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, out, err


@pytest.mark.parametrize("style", ["run", "loop"])
async def test_example_with_its_own_stand_in(style):
    code, out, err = await run(str(EXAMPLE), "8.8.8.8", "--style", style)
    assert code == 0, err.decode()
    answer = json.loads(out)
    assert answer["ip"] == "8.8.8.8" and answer["org"].endswith("Stand-in Networks")


async def test_example_against_the_demo_app():
    from aioteach.demo import fake_ipinfo, make_app as demo_app
    async with serve_app(web, demo_app()) as url:
        code, out, err = await run(str(EXAMPLE), "1.1.1.1", "--server", url)
    assert code == 0, err.decode()
    assert json.loads(out) == fake_ipinfo("1.1.1.1")
