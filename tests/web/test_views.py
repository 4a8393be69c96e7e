"""Class-based views: dispatch by method, 405 with Allow, routing like a handler."""
from __future__ import annotations

import pytest

from aioteach import web
from tests.web.app_support import FakeRequest


class ItemView(web.View):
    async def get(self):
        return web.Response(text=f"item {self.request.match_info['id']}")

    async def delete(self):
        return web.Response(status=204)


def app_with_view():
    app = web.Application()
    app.router.add_view("/items/{id}", ItemView)
    return app


async def test_each_method_goes_to_its_own_method():
    app = app_with_view()
    response = await app._handle(FakeRequest("GET", "/items/3", app=app))
    assert response.text == "item 3"
    response = await app._handle(FakeRequest("DELETE", "/items/3", app=app))
    assert response.status == 204


@pytest.mark.parametrize("method", ["POST", "HEAD", "REQUEST", "BREW"])
async def test_other_methods_get_405_with_the_view_s_methods(method):
    app = app_with_view()
    with pytest.raises(web.HTTPMethodNotAllowed) as caught:
        await app._handle(FakeRequest(method, "/items/3", app=app))
    assert caught.value.headers["Allow"] == "DELETE,GET"


async def test_a_view_is_awaitable_on_its_own():
    response = await ItemView(FakeRequest("DELETE", "/items/9"))
    assert response.status == 204
    assert ItemView.allowed_methods() == {"GET", "DELETE"}


async def test_views_register_through_route_tables_too():
    routes = web.RouteTableDef()

    @routes.view("/things/{id}")
    class ThingView(web.View):
        async def post(self):
            return web.Response(text="created")

    app = web.Application()
    app.add_routes(routes)
    response = await app._handle(FakeRequest("POST", "/things/1", app=app))
    assert response.text == "created"
    assert [r.method for r in app.router.routes()] == ["*"]
