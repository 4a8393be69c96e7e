"""aioteach.memory on its own: asyncio's Transport/Protocol promises, one at a time."""
from __future__ import annotations

import asyncio
import threading
from typing import Any, List

import pytest

from aioteach import memory
from tests.support import within


class Log(asyncio.Protocol):
    """A protocol that writes down every callback, and can answer eof_received."""

    def __init__(self, keep_open: bool = False) -> None:
        self.events: List[Any] = []
        self.data = bytearray()
        self.keep_open = keep_open
        self.transport: Any = None
        self.lost = asyncio.get_running_loop().create_future()
        self.got_data = asyncio.Event()

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.events.append("made")

    def data_received(self, data: bytes) -> None:
        self.data += data
        self.events.append(("data", len(data)))
        self.got_data.set()

    def eof_received(self) -> bool:
        self.events.append("eof")
        return self.keep_open

    def connection_lost(self, exc: Any) -> None:
        self.events.append(("lost", type(exc).__name__ if exc else None))
        if not self.lost.done():
            self.lost.set_result(exc)

    def pause_writing(self) -> None:
        self.events.append("pause")

    def resume_writing(self) -> None:
        self.events.append("resume")


async def pair(keep_open: bool = False, client_keeps_open: bool = False):
    servers: List[Log] = []

    def factory() -> Log:
        servers.append(Log(keep_open))
        return servers[-1]

    listener = await memory.serve_memory(factory)
    transport, client = await memory.connect_memory(lambda: Log(client_keeps_open),
                                                    listener.name)
    return listener, transport, client, servers[0]


async def test_bytes_arrive_in_order_and_coalesce_per_iteration():
    listener, transport, client, server = await pair()
    transport.write(b"GET / ")
    transport.writelines([b"HTTP/1.1", bytearray(b"\r\n"), memoryview(b"\r\n")])
    assert transport.get_write_buffer_size() == 18       # written, not yet read by the peer
    await within(server.got_data.wait())
    assert bytes(server.data) == b"GET / HTTP/1.1\r\n\r\n"
    assert server.events == ["made", ("data", 18)]         # one read, like one recv()
    await asyncio.sleep(0)                                 # the "consumed" note comes back
    assert transport.get_write_buffer_size() == 0
    listener.close()


async def test_addresses_for_logs_and_request_remote():
    listener, transport, client, server = await pair()
    name = listener.name
    assert server.transport.get_extra_info("sockname") == (name, 80)
    peer = server.transport.get_extra_info("peername")
    assert peer[0].startswith("memory-client-")
    assert transport.get_extra_info("peername") == (name, 80)
    assert transport.get_extra_info("sockname") == peer
    assert transport.get_extra_info("socket") is None
    assert transport.get_extra_info("sslcontext", "none") == "none"
    listener.close()


async def test_writer_pauses_above_high_water_and_resumes_at_low_water():
    listener, transport, client, server = await pair()
    transport.set_write_buffer_limits(high=1000)
    assert transport.get_write_buffer_limits() == (250, 1000)
    transport.write(b"x" * 999)
    assert client.events == ["made"]
    transport.write(b"x" * 2)
    assert client.events == ["made", "pause"]
    for _ in range(3):
        await asyncio.sleep(0)
    assert client.events == ["made", "pause", "resume"]
    assert len(server.data) == 1001
    with pytest.raises(ValueError):
        transport.set_write_buffer_limits(high=1, low=2)
    listener.close()


async def test_a_paused_reader_holds_the_writer_paused():
    """Back-pressure end to end: the reader pauses, the bytes wait, the writer stays paused."""
    listener, transport, client, server = await pair()
    server.transport.pause_reading()
    assert not server.transport.is_reading()
    transport.write(b"y" * (memory.HIGH_WATER + 1))
    for _ in range(5):
        await asyncio.sleep(0)
    assert server.data == b"" and client.events == ["made", "pause"]
    server.transport.resume_reading()
    async def all_read() -> None:
        while len(server.data) < memory.HIGH_WATER + 1 or "resume" not in client.events:
            await asyncio.sleep(0)

    await within(all_read())
    assert len(server.data) == memory.HIGH_WATER + 1
    # READ_SIZE a read: the body came in two reads, as from a socket
    assert [e for e in server.events if e[0] == "data"] == [
        ("data", memory.READ_SIZE), ("data", 1)]
    listener.close()


async def test_half_close_keeps_the_other_direction_open():
    listener, transport, client, server = await pair(keep_open=True)
    assert transport.can_write_eof()
    transport.write(b"request")
    transport.write_eof()
    with pytest.raises(RuntimeError):
        transport.write(b"more")
    while "eof" not in server.events:
        await asyncio.sleep(0)
    assert server.events == ["made", ("data", 7), "eof"]   # the bytes first, then the end
    server.transport.write(b"answer")                      # still open this way
    await within(client.got_data.wait())
    assert bytes(client.data) == b"answer"
    server.transport.close()
    assert server.transport.is_closing()
    assert await within(server.lost) is None
    assert await within(client.lost) is None               # eof_received -> False: closes
    assert client.events[-2:] == ["eof", ("lost", None)]
    listener.close()


async def test_close_delivers_what_was_written_then_eof():
    listener, transport, client, server = await pair()
    transport.write(b"last words")
    transport.close()
    transport.close()                                      # twice: harmless
    assert transport.is_closing()
    transport.write(b"dropped")                            # after close: dropped, as asyncio does
    assert await within(client.lost) is None
    assert await within(server.lost) is None
    assert server.events == ["made", ("data", 10), "eof", ("lost", None)]


async def test_abort_is_a_reset_for_the_peer():
    listener, transport, client, server = await pair()
    server.transport.pause_reading()
    transport.write(b"never read")
    transport.abort()
    assert await within(client.lost) is None
    assert isinstance(await within(server.lost), ConnectionResetError)
    assert server.data == b""                              # the unread bytes are dropped


async def test_writing_to_a_closed_peer_is_answered_with_a_reset():
    listener, transport, client, server = await pair(client_keeps_open=True)
    server.transport.close()
    await within(server.lost)
    while "eof" not in client.events:
        await asyncio.sleep(0)
    transport.write(b"anyone there?")                       # client kept its half open
    assert isinstance(await within(client.lost), ConnectionResetError)


async def test_names_refusal_and_the_backlog():
    with pytest.raises(ConnectionRefusedError) as refused:
        await memory.connect_memory(Log, "nobody")
    assert "nobody" in str(refused.value)
    early = memory.MemoryServer(memory.next_name()).listen()
    assert memory.serving(early.name) and not early.is_serving()
    with pytest.raises(OSError):
        memory.MemoryServer(early.name).listen()          # the name is taken
    connecting = asyncio.ensure_future(memory.connect_memory(Log, early.name))
    await asyncio.sleep(0)
    assert not connecting.done()                          # waits, as in a socket's backlog
    early.protocol_factory = Log
    await early.start_serving()
    transport, _ = await within(connecting)
    assert transport.get_extra_info("peername") == (early.name, 80)
    early.close()
    assert not memory.serving(early.name)
    late = memory.MemoryServer(memory.next_name()).listen()
    waiting = asyncio.ensure_future(memory.connect_memory(Log, late.name))
    await asyncio.sleep(0)
    late.close()                                          # closed before serving: refused
    with pytest.raises(ConnectionRefusedError):
        await within(waiting)


async def test_the_two_ends_may_live_on_two_loops():
    """A server on a loop in another thread (the notebook's thread mode)."""
    other = asyncio.new_event_loop()
    thread = threading.Thread(target=other.run_forever, daemon=True)
    thread.start()
    try:
        class Echo(asyncio.Protocol):
            def connection_made(self, transport: Any) -> None:
                self.transport = transport

            def data_received(self, data: bytes) -> None:
                assert threading.current_thread() is thread
                self.transport.write(data.upper())

        listener = asyncio.run_coroutine_threadsafe(memory.serve_memory(Echo), other).result(5)
        reader, writer = await memory.open_connection(listener.name)
        writer.write(b"across threads")
        assert await within(reader.readexactly(14)) == b"ACROSS THREADS"
        writer.close()
        other.call_soon_threadsafe(listener.close)
    finally:
        other.call_soon_threadsafe(other.stop)
        thread.join(5)
        other.close()


async def test_type_errors_and_repr():
    listener, transport, client, server = await pair()
    with pytest.raises(TypeError):
        transport.write("text")                            # type: ignore[arg-type]
    assert "open" in repr(transport) and listener.name in repr(listener)
    assert transport.get_protocol() is client
    listener.close()
    assert "closed" in repr(listener)
