"""StreamReader: a protocol feeds bytes, a coroutine reads them at its own pace."""
import asyncio

import pytest

from aioteach.streams import EMPTY_STREAM, StreamReader


async def test_read_waits_for_data_then_returns_what_arrived():
    stream = StreamReader()
    reader = asyncio.ensure_future(stream.read(10))
    await asyncio.sleep(0)               # let the reader start waiting
    assert not reader.done()
    stream.feed_data(b"abc")
    assert await reader == b"abc"


async def test_read_all_collects_until_eof():
    stream = StreamReader()
    reader = asyncio.ensure_future(stream.read())
    for piece in (b"he", b"llo", b" world"):
        stream.feed_data(piece)
        await asyncio.sleep(0)
    stream.feed_eof()
    assert await reader == b"hello world"
    assert stream.at_eof()
    assert stream.total_bytes == 11


async def test_readline_and_line_iteration_across_pieces():
    stream = StreamReader()
    for piece in (b"one\ntw", b"o\nthr", b"ee"):
        stream.feed_data(piece)
    stream.feed_eof()
    assert [line async for line in stream] == [b"one\n", b"two\n", b"three"]


async def test_readexactly_raises_incomplete_read_at_eof():
    stream = StreamReader()
    stream.feed_data(b"12345")
    assert await stream.readexactly(3) == b"123"
    stream.feed_eof()
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await stream.readexactly(3)
    assert info.value.partial == b"45"


async def test_iter_chunked_splits_into_blocks():
    stream = StreamReader()
    stream.feed_data(b"abcdefg")
    stream.feed_eof()
    assert [c async for c in stream.iter_chunked(3)] == [b"abc", b"def", b"g"]


async def test_exception_reaches_the_waiting_reader():
    stream = StreamReader()
    reader = asyncio.ensure_future(stream.read())
    await asyncio.sleep(0)
    stream.set_exception(ConnectionResetError("peer went away"))
    with pytest.raises(ConnectionResetError, match="peer went away"):
        await reader


async def test_flow_control_pauses_over_twice_the_limit_and_resumes_below_it():
    calls = []
    stream = StreamReader(limit=4, on_pause=lambda: calls.append("pause"),
                          on_resume=lambda: calls.append("resume"))
    stream.feed_data(b"12345678")           # 8 bytes: not over 2 * limit yet
    assert calls == []
    stream.feed_data(b"9")                  # 9 > 8: pause
    assert calls == ["pause"]
    await stream.read(5)                    # 4 left: not below the limit yet
    assert calls == ["pause"]
    await stream.read(1)                    # 3 < 4: resume
    assert calls == ["pause", "resume"]


async def test_two_readers_at_once_is_a_usage_error():
    stream = StreamReader()
    first = asyncio.ensure_future(stream.read())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError, match="already reading"):
        await stream.read()
    stream.feed_eof()
    assert await first == b""


async def test_empty_stream_is_at_eof():
    assert EMPTY_STREAM.at_eof()
    assert await EMPTY_STREAM.read() == b""
    with pytest.raises(RuntimeError):
        EMPTY_STREAM.feed_data(b"x")


async def _feed_while_not_paused(stream, total, piece=b"x" * 1000):
    """A producer that, like a protocol, stops feeding while the stream has it paused."""
    sent = 0
    while sent < total:
        while stream._paused:
            await asyncio.sleep(0)
        stream.feed_data(piece)
        sent += len(piece)
        await asyncio.sleep(0)
    stream.feed_eof()


async def test_readexactly_more_than_twice_the_limit_does_not_deadlock():
    pauses = []
    stream = StreamReader(limit=1000, on_pause=lambda: pauses.append(1), on_resume=lambda: None)
    producer = asyncio.ensure_future(_feed_while_not_paused(stream, 10_000))
    data = await asyncio.wait_for(stream.readexactly(10_000), 5)
    await producer
    assert data == b"x" * 10_000


async def test_readline_longer_than_the_buffer_is_refused():
    stream = StreamReader(limit=10)
    stream.feed_data(b"y" * 25)
    with pytest.raises(ValueError, match="line too long"):
        await stream.readline()


async def test_read_of_zero_bytes_answers_at_once_without_waiting_for_data():
    stream = StreamReader()
    reader = asyncio.ensure_future(stream.read(0))
    await asyncio.sleep(0)               # one step is all it may take
    assert reader.done() and reader.result() == b""
    stream.feed_data(b"kept")            # nothing was consumed
    assert await stream.read(4) == b"kept"


async def test_the_shared_empty_stream_ignores_an_error_set_on_it():
    # EMPTY_STREAM is every bodiless message's body: an error recorded on one response's
    # stream would make every later empty body in the process raise it.
    EMPTY_STREAM.set_exception(ValueError("the connection of one response broke"))
    assert EMPTY_STREAM.exception() is None
    assert await EMPTY_STREAM.read() == b""


def test_total_raw_bytes_counts_the_wire_bytes_when_a_decompressor_says_so():
    stream = StreamReader()
    stream.feed_data(b"hello world")
    assert stream.total_raw_bytes == stream.total_bytes == 11      # fed as it came
    stream.total_compressed_bytes = 4                               # a gzip body's 4 wire bytes
    assert stream.total_raw_bytes == 4 and stream.total_bytes == 11


async def test_an_exception_wins_over_buffered_bytes():
    stream = StreamReader()
    stream.feed_data(b"partial body")
    stream.set_exception(TimeoutError("the total timeout fired"))
    for read in (stream.read(1), stream.read(), stream.readany(), stream.readexactly(2),
                 stream.readline(), stream.readchunk()):
        with pytest.raises(TimeoutError):
            await read
