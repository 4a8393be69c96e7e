"""Testing with unittest: AioHTTPTestCase gives every test method a client for the app."""
import unittest

from aiohttp import web
from aiohttp.test_utils import AioHTTPTestCase


async def hello(request):
    return web.Response(text="hello unittest")


class HelloTests(AioHTTPTestCase):
    async def get_application(self):
        app = web.Application()
        app.router.add_get("/", hello)
        return app

    async def test_hello(self):
        async with self.client.get("/") as resp:
            self.assertEqual(resp.status, 200)
            self.assertEqual(await resp.text(), "hello unittest")

    async def test_missing_page(self):
        resp = await self.client.get("/nope")
        self.assertEqual(resp.status, 404)

    async def test_that_fails_on_purpose(self):
        resp = await self.client.get("/")
        self.assertEqual(await resp.text(), "something else")


def run():
    """Run the test case the way ``python -m unittest`` would, and say what happened."""
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(HelloTests)
    result = unittest.TestResult()
    suite.run(result)
    return {"run": result.testsRun,
            "failures": [test.id().rsplit(".", 1)[1] for test, _ in result.failures],
            "errors": [test.id().rsplit(".", 1)[1] for test, _ in result.errors]}


EXPECTED = {"run": 3, "failures": ["test_that_fails_on_purpose"], "errors": []}
