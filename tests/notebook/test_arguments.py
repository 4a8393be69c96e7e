"""Panels given nonsense refuse at once, with a sentence that names the cause and the fix."""
from __future__ import annotations

import pytest

from aioteach import web
from aioteach.notebook import arguments

pytest.importorskip("ipywidgets")
URL = "http://127.0.0.1:9"       # never contacted: every case fails before a request


def panels():
    from aioteach.notebook.lab import ConcurrencyLab
    from aioteach.notebook.looplab import FreezePanel
    from aioteach.notebook.race import RaceLab
    from aioteach.notebook.shop import RacePanel, Shop
    return {"RacePanel": lambda target=URL, **kw: RacePanel(target, Shop(stock=5), **kw),
            "RaceLab": lambda target=URL, **kw: RaceLab(target, **kw),
            "ConcurrencyLab": lambda target=URL, **kw: ConcurrencyLab(target, **kw),
            "FreezePanel": lambda target=URL, **kw: FreezePanel(target, **kw)}


@pytest.mark.parametrize("name", ["RacePanel", "RaceLab", "ConcurrencyLab", "FreezePanel"])
@pytest.mark.parametrize("target, words", [
    (None, "got None: pass the handle serve() returned"),
    (8080, "not a port number (8080)"),
    (web.Application(), "serve the app first"),
    ("localhost:8080", "needs a server handle or an http:// URL"),
])
def test_no_server_is_refused_with_what_to_pass(name, target, words):
    with pytest.raises(ValueError) as caught:
        panels()[name](target)
    assert str(caught.value).startswith(name) and words in str(caught.value)


@pytest.mark.parametrize("name, kwargs, words", [
    ("RacePanel", {"n": 0}, "n=0 cannot work, n must be at least 1"),
    ("RacePanel", {"n": -3}, "n must be at least 1"),
    ("RacePanel", {"paths": []}, "at least one route"),
    ("RacePanel", {"paths": ["buy"]}, "starting with '/'"),
    ("RaceLab", {"n": 0}, "n=0 cannot work"),
    ("RaceLab", {"n": 10_000}, "use at most n=50"),
    ("RaceLab", {"path": "hello"}, "starts with '/'"),
    ("RaceLab", {"kinds": ()}, "at least one kind"),
    ("RaceLab", {"tornado": "http://127.0.0.1:8888"}, "what serve_tornado(...) returned"),
    ("ConcurrencyLab", {"n": 0}, "n must be at least 1"),
    ("ConcurrencyLab", {"k": 0}, "k must be at least 1"),
    ("ConcurrencyLab", {"n": 21}, "use at most n=20"),
    ("FreezePanel", {"slow_paths": []}, "at least one route"),
    ("FreezePanel", {"fast_path": "fast"}, "starting with '/'"),
])
def test_nonsense_counts_and_routes_are_refused(name, kwargs, words):
    with pytest.raises(ValueError) as caught:
        panels()[name](**kwargs)
    assert words in str(caught.value), caught.value


def test_a_count_of_the_wrong_kind_is_a_type_error_and_a_whole_float_is_accepted():
    with pytest.raises(TypeError, match="n must be a whole number, not '10'"):
        arguments.count("10", "RacePanel", "n")
    assert arguments.count(10.0, "RacePanel", "n") == 10


def test_good_arguments_pass_and_give_the_url():
    class Handle:
        url = "http://127.0.0.1:8080/"
    assert arguments.server_url(Handle(), "X") == "http://127.0.0.1:8080"
    assert arguments.server_url("http://memory-3", "X") == "http://memory-3"
    assert arguments.paths("/buy", "X") == ["/buy"]
    for name, build in panels().items():
        build()                                   # the defaults are fine for every panel


async def test_the_coroutines_check_too():
    from aioteach.notebook.looplab import fire
    from aioteach.notebook.shop import Shop, race
    with pytest.raises(ValueError, match="n=0 cannot work"):
        await race(URL, "/buy", Shop(), n=0)
    with pytest.raises(ValueError, match="got None"):
        await fire(None)
