"""A script served with web.run_app: Ctrl+C (SIGINT) stops it cleanly, cleanup included.

    python run_app_sigint.py 8080          # then press Ctrl+C

(``reuse_port=True`` lets the test reserve the port for the script beforehand.)
"""
import sys

from aiohttp import web, ClientSession


async def hello(request):
    return web.Response(text="hello from run_app")


async def goodbye(app):
    print("cleanup ran", flush=True)


async def create_app():
    # run_app also takes a coroutine: the app is built inside the loop it will run on.
    app = web.Application()
    app.router.add_get("/", hello)
    app.on_cleanup.append(goodbye)
    return app


async def client(url):
    async with ClientSession() as session:
        async with session.get(url + "/") as resp:
            return (resp.status, await resp.text())


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=int(sys.argv[1]), reuse_port=True,
                access_log=None)
    print("run_app returned", flush=True)
