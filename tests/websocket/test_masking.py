"""The mask's plug-in point: an accelerated mask is a faster apply_mask, never a different one.

* every accelerated mask that is installed (the ``websockets`` library's C one, aiohttp's
  compiled one) gives ``apply_mask``'s bytes for any payload, key and offsets, whatever the
  buffer type, and with it plugged in the frames built and the events parsed are the same;
* nothing outside the standard library is imported unless asked for, and a named mask whose
  library is missing says what to install;
* ``AIOTEACH_WS_MASK`` in the environment picks the mask for a whole program.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aioteach.websocket import (Opcode, WebSocketConnection, apply_mask, build_frame,
                                mask_in_use, parse_frame, use_mask)
from aioteach.websocket import masking
from aioteach.websocket.masking import ACCELERATED_MASKS, TRANSLATE_FROM


def installed(name: str) -> bool:
    try:
        ACCELERATED_MASKS[name]()
    except ImportError:
        return False
    return True


INSTALLED = [name for name in ACCELERATED_MASKS if installed(name)]
if os.environ.get("CI") and set(INSTALLED) != set(ACCELERATED_MASKS):
    raise RuntimeError(f"CI=true: every accelerated mask should be installed, got {INSTALLED}")
keys = st.binary(min_size=4, max_size=4)
payloads = st.binary(max_size=3 * TRANSLATE_FROM)


@contextmanager
def plugged(name):
    use_mask(name)
    try:
        yield
    finally:
        use_mask("stdlib")


@pytest.mark.parametrize("name", INSTALLED)
@settings(max_examples=300, deadline=None)
@given(data=payloads, key=keys, cut=st.data())
def test_an_accelerated_mask_gives_apply_masks_bytes(name, data, key, cut):
    fast = ACCELERATED_MASKS[name]()
    start = cut.draw(st.integers(0, len(data)))
    end = cut.draw(st.one_of(st.none(), st.integers(start, len(data))))
    expected = apply_mask(data, key, start, end)
    for buffer in (data, bytearray(data), memoryview(data)):
        got = fast(buffer, key, start, end)
        assert type(got) is bytes and got == expected
    assert fast(data, key) == apply_mask(data, key)


@pytest.mark.parametrize("name", INSTALLED)
@settings(max_examples=200, deadline=None)
@given(payload=payloads, key=keys, opcode=st.sampled_from([Opcode.TEXT, Opcode.BINARY]),
       fin=st.booleans())
def test_frames_built_and_parsed_are_the_same_with_an_accelerated_mask(name, payload, key,
                                                                       opcode, fin):
    frame = build_frame(opcode, payload, fin=fin, mask=key)
    parsed = parse_frame(frame, expect_mask=True)
    with plugged(name):
        assert mask_in_use() == name
        assert build_frame(opcode, payload, fin=fin, mask=key) == frame
        assert parse_frame(frame, expect_mask=True) == parsed
    assert parsed is not None and parsed[0].payload == payload


@pytest.mark.parametrize("name", INSTALLED)
@settings(max_examples=200, deadline=None)
@given(payloads=st.lists(st.one_of(st.text(max_size=200), st.binary(max_size=5000)),
                         min_size=1, max_size=4), key=keys)
def test_a_server_reads_the_same_events_with_an_accelerated_mask(name, payloads, key):
    wire = b"".join(build_frame(Opcode.TEXT if isinstance(p, str) else Opcode.BINARY,
                                p.encode() if isinstance(p, str) else p, mask=key)
                    for p in payloads)
    expected = WebSocketConnection("server").receive_data(wire)
    with plugged(name):
        assert WebSocketConnection("server").receive_data(wire) == expected
        if len(payloads) == 1:                    # the fast path, alone in a read
            assert WebSocketConnection("server").receive_whole_message(wire) == payloads[0]


def test_a_client_masks_with_the_plugged_in_function():
    calls = []

    def counting_mask(payload, key, start=0, end=None):
        calls.append(len(payload))
        return apply_mask(payload, key, start, end)

    with plugged(counting_mask):
        wire = WebSocketConnection("client").send_text("hello")
        assert mask_in_use() == repr(counting_mask)
    assert calls == [5]
    assert WebSocketConnection("server").receive_data(wire)[0].data == "hello"
    assert mask_in_use() == "stdlib" and masking.mask is apply_mask


def test_a_missing_accelerated_mask_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "websockets.speedups", None)   # import fails
    with pytest.raises(ImportError, match=r"pip install websockets.*use_mask\('stdlib'\)"):
        use_mask("websockets")
    assert masking.mask is apply_mask          # unchanged


def test_an_unknown_mask_name_lists_the_choices():
    with pytest.raises(ValueError, match="'stdlib', 'websockets', 'aiohttp'"):
        use_mask("numpy")


def modules_after_import(environment: dict) -> tuple:
    code = ("import sys, json; import aioteach.websocket as ws; "
            "print(json.dumps([ws.mask_in_use(), sorted(m.split('.')[0] for m in sys.modules)]))")
    env = {k: v for k, v in os.environ.items() if k != masking.MASK_ENVIRONMENT_VARIABLE}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**env, **environment})
    return out.returncode, out.stdout, out.stderr


@pytest.mark.subprocess
def test_by_default_the_mask_is_the_standard_librarys_and_nothing_else_loads():
    code, out, _ = modules_after_import({})
    name, modules = json.loads(out)
    assert code == 0 and name == "stdlib"
    assert {"websockets", "aiohttp"} & set(modules) == set()


@pytest.mark.subprocess
@pytest.mark.parametrize("name", INSTALLED)
def test_the_environment_variable_picks_the_mask_for_a_program(name):
    code, out, _ = modules_after_import({masking.MASK_ENVIRONMENT_VARIABLE: name})
    assert code == 0 and json.loads(out)[0] == name


@pytest.mark.subprocess
def test_the_environment_variable_with_an_unknown_name_fails_at_import_and_says_so():
    code, _, err = modules_after_import({masking.MASK_ENVIRONMENT_VARIABLE: "fast"})
    assert code != 0 and "unknown WebSocket mask 'fast'" in err
