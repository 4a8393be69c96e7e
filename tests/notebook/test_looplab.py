"""Lesson 05's kit driven from code: a blocked loop counted, a race counted, panels that follow.

Nothing here is timed.  The slow handlers wait for a ``threading.Event`` that only the /fast
handler sets: in a worker thread the wait ends as soon as /fast has been answered once, so
"/fast was answered while /slow ran" is a fact of the run; on the loop's own thread /fast can
never run, the wait gives up after its bound, and the count is 0 on any machine.
"""
from __future__ import annotations

import asyncio
import threading

from aioteach import web
from aioteach.notebook import click_and_wait, serve
from aioteach.notebook.looplab import FreezePanel, LagProbe, fire, lag_strip_html
from aioteach.notebook.shop import SHOP, RacePanel, Shop, race

#: Seconds a blocked slow handler waits for /fast (which cannot come) before it gives up.
BOUND = 0.3


def freeze_app() -> web.Application:
    answered = threading.Event()

    async def slow(request):
        answered.clear()
        answered.wait(BOUND)                      # on the loop's thread: /fast cannot come
        return web.Response(text="slow")

    async def slow_thread(request):
        answered.clear()
        await asyncio.to_thread(answered.wait, 10)   # ends once /fast has answered
        return web.Response(text="slow")

    async def fast(request):
        answered.set()
        return web.Response(text="fast")

    app = web.Application()
    app.router.add_get("/slow", slow)
    app.router.add_get("/slow-thread", slow_thread)
    app.router.add_get("/fast", fast)
    return app


async def buy(request):
    shop = request.app[SHOP]
    if shop.stock <= 0:
        raise web.HTTPConflict(text="sold out")
    await shop.payment()
    shop.stock -= 1
    shop.sold += 1
    return web.json_response({"left": shop.stock})


async def buy_locked(request):
    shop = request.app[SHOP]
    async with shop.lock:
        return await buy(request)


def store(stock: int = 5) -> web.Application:
    app = web.Application()
    app.router.add_post("/buy", buy)
    app.router.add_post("/buy-locked", buy_locked)
    Shop(stock).install(app)
    return app


def test_a_blocking_handler_lets_nothing_else_run_and_a_thread_lets_fast_in():
    async def main():
        server = serve(freeze_app())
        try:
            blocked = await fire(server.url, "/slow", "/fast")
            unblocked = await fire(server.url, "/slow-thread", "/fast")
        finally:
            server.stop()
        return blocked, unblocked

    blocked, unblocked = asyncio.run(main())
    assert blocked.slow_status == 200 and blocked.froze and blocked.fast_during == 0
    assert blocked.probe.stalls(threshold=BOUND / 2)          # the probe saw the loop stuck
    assert not unblocked.froze and unblocked.fast_during >= 1
    assert "aioteach-lag-bar" in lag_strip_html(blocked.probe)


def test_the_lag_probe_sees_a_blocking_call_and_stops_cleanly():
    async def main():
        probe = LagProbe().start()
        await asyncio.sleep(0.02)
        threading.Event().wait(0.2)                           # block the loop on purpose
        await asyncio.sleep(0.02)
        await probe.stop()
        return probe

    probe = asyncio.run(main())
    assert len(probe.stalls(threshold=0.1)) == 1 and probe.worst >= 0.1
    assert "no red" in lag_strip_html(LagProbe())


def test_ten_buyers_oversell_an_unlocked_shop_and_not_a_locked_one():
    async def main():
        server = serve(store())
        try:
            shop = server.app[SHOP]
            return [await race(server.url, path, shop) for path in ("/buy", "/buy-locked")]
        finally:
            server.stop()

    unlocked, locked = asyncio.run(main())
    assert (unlocked.bought, unlocked.sold, unlocked.lowest, unlocked.oversold) == (10, 10, -5, 5)
    assert (locked.bought, locked.refused, locked.sold, locked.lowest) == (5, 5, 5, 0)
    assert locked.payments == 5 and locked.stock == 0


def test_the_panels_follow_a_re_served_app_and_its_new_shop():
    async def main():
        first = serve(freeze_app(), name="looplab-freeze")
        shop_server = serve(store(), name="looplab-store")
        freeze, racing = FreezePanel(first), RacePanel(shop_server)
        assert (await click_and_wait(freeze.buttons[0])).froze
        again = serve(freeze_app(), name="looplab-freeze")        # the cell, run again
        new_store = serve(store(stock=3), name="looplab-store")
        try:
            assert freeze.url == again.url != first.url
            result = await click_and_wait(freeze.buttons[1])
            raced = await click_and_wait(racing.buttons[1])
            assert racing.shop is new_store.app[SHOP]
            return freeze, result, raced
        finally:
            again.stop()
            new_store.stop()

    freeze, result, raced = asyncio.run(main())
    assert not result.froze and len(freeze.results) == 2
    assert "FROZE" in freeze.table.value and "kept going" in freeze.table.value
    assert (raced.initial, raced.sold, raced.refused) == (3, 3, 7)
    assert freeze.timeline is not None and freeze.timeline.rows("client")


def test_a_panel_whose_server_was_stopped_says_so_in_one_sentence():
    async def main():
        server = serve(store())
        panel = RacePanel(server)
        server.stop()
        panel.buttons[0].click()
        await asyncio.wait(panel.handlers[0].tasks)
        return panel

    panel = asyncio.run(main())
    failures = panel.handlers[0].failures
    assert len(failures) == 1 and "is not running" in failures[0].sentence, failures
    assert "sold" not in panel.table.value                 # no row for a race that never ran


def test_in_a_browser_tab_the_freeze_panel_says_that_to_thread_has_no_thread(monkeypatch):
    """JupyterLite: asyncio.to_thread runs its call on the loop there, so /slow-thread freezes
    as /slow does; the panel says why instead of leaving the learner to wonder."""
    from aioteach.notebook import lite

    def texts(panel):
        return " ".join(getattr(child, "value", "") for child in panel.widget.children)

    url = "http://127.0.0.1:9"
    assert "no threads" not in texts(FreezePanel(url))
    monkeypatch.setattr(lite, "in_browser", lambda: True)
    assert "In this browser tab there are no threads" in texts(FreezePanel(url))
