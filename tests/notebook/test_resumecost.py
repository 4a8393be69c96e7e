"""resumecost.measure: the table lesson 07 and benchmarks/bench_gen.py show (no timing asserted)."""
from __future__ import annotations

import importlib.util

from aioteach.notebook.resumecost import KINDS, measure


async def test_measure_times_every_contender_and_kind_and_says_what_is_missing():
    costs = await measure(n=50, rounds=1)
    expected = {"async def", "aioteach.gen"}
    if importlib.util.find_spec("tornado"):
        expected.add("tornado.gen")
        assert costs.missing == []
    else:
        assert costs.missing == ["tornado.gen"]
    assert set(costs.best) == expected
    for name in expected:
        for kind in KINDS:
            assert costs.ns(name, kind) > 0
    assert costs.ratio("async def") == 1.0
    assert costs.lines()[0].split()[:2] == ["done", "(ns/resume)"]
    assert len(costs.lines()) == 1 + len(expected) + len(costs.missing)
    assert "<table>" in costs._repr_html_() and "aioteach.gen" in costs._repr_html_()
