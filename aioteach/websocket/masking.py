"""The mask of RFC 6455 section 5.3, and the one place a faster mask may be plugged in.

Theory of operation.  Every frame a client sends is XORed with a 4-byte key repeated over the
payload, and the server XORs it again to read it (masking is its own inverse).  Python has no
vectorised XOR on bytes, so ``apply_mask`` borrows two C loops the standard library does have
(big integers for small payloads, ``bytearray.translate`` for large ones).  It is what runs by
default, and the function to read.

It is also the slowest step of a large message: about 20 CPU instructions a byte, where a C
loop needs under one (aiohttp and the ``websockets`` library each ship one).  So this module is
the codec's one *plug-in point*: ``mask`` is the function ``frames.py`` and ``fastpath.py``
call, and it is ``apply_mask`` unless the user opts in to another, explicitly:

    aioteach.websocket.use_mask("websockets")   # websockets.speedups.apply_mask (C)
    aioteach.websocket.use_mask("aiohttp")      # aiohttp's compiled mask (Cython)
    aioteach.websocket.use_mask(my_function)    # anything with apply_mask's signature
    aioteach.websocket.use_mask("stdlib")       # back to apply_mask

or, before the program starts, ``AIOTEACH_WS_MASK=websockets`` (or ``aiohttp``, ``stdlib``)
in the environment.  Nothing outside the standard library is imported unless asked for; a
name whose library is not installed is an ``ImportError`` that says what to install.
``tests/websocket/test_masking.py`` proves with hypothesis that every installed accelerated
mask gives apply_mask's bytes for any payload, key and offsets, and the same frames.

Performance notes (valgrind instructions per call, Python 3.11, unmasking where the payload
lies, as a receiver does): ``apply_mask`` costs 6.2k for 16 bytes, 92.5k for 4 KiB and 1.33M
for 64 KiB.  That is the ceiling of a standard-library unmask: translate's three strided
passes cost 6 instructions a byte each, about 20 a byte in all.  Plugged in here, the
``websockets`` mask costs 3.1k, 7.0k and 30k, aiohttp's 4.6k, 9.5k and 162k (it masks a
bytearray in place, so the payload is copied in and out); the rest is the call and copies.
"""
from __future__ import annotations

import os
from typing import Callable, Dict, Optional, Union

__all__ = ["apply_mask", "use_mask", "mask_in_use", "MaskFunction", "ACCELERATED_MASKS",
           "MASK_ENVIRONMENT_VARIABLE", "TRANSLATE_FROM"]

Buffer = Union[bytes, bytearray, memoryview]
MaskFunction = Callable[..., bytes]       # (payload, key, start=0, end=None) -> bytes

# int.from_bytes looked up once: apply_mask calls it twice for every small masked frame.
_from_bytes = int.from_bytes


def apply_mask(payload: Buffer, key: bytes, start: int = 0, end: Optional[int] = None) -> bytes:
    """XOR ``payload[start:end]`` with the 4-byte ``key`` repeated (RFC 6455 section 5.3).

    Masking and unmasking are the same operation.  ``start`` and ``end`` let a receiver unmask
    a payload where it lies in the bytes it read (just after the frame's key), without first
    copying it out.  Two C loops of the standard library, picked by size (one rule with a size
    switch; both give the same bytes, ``tests/websocket/test_fast_paths.py`` checks it):

    * below 1 KiB, big integers: the payload and the repeated key become two ints, XORed in C
      and turned back into bytes (three passes over memory, a handful of calls);
    * from 1 KiB on, ``bytearray.translate``: byte ``i`` of the payload is XORed with
      ``key[i % 4]``, so the bytes at positions 0, 4, 8 ... all meet the same key byte.  Each
      of the four strided slices goes through one 256-byte table ("x -> x ^ k") and back into
      place.  That is about 20 instructions a byte against about 40 for the big integers.

    >>> apply_mask(b"Hello", bytes.fromhex("37fa213d")).hex()     # RFC 6455 section 5.7
    '7f9f4d5158'

    Performance notes (valgrind, instructions per call): 16 B 5.7k (big integers; translate
    would be 13.7k); 4 KiB 93k (translate; big integers 163k); 64 KiB 1.33M (translate: 6 per
    byte each for the strided slice, the table and the strided store; big integers 2.58M, of
    which ``int.from_bytes`` is 11 a byte and ``int.to_bytes`` 14).  Tried and dropped: the
    repeated key as ``key_int * 0x00000001_00000001...`` (2.08M at 64 KiB), slices of the
    immutable bytes (``bytes.translate`` costs 9 a byte, ``bytearray``'s 6), strided
    memoryviews (``tobytes()`` of a strided view costs 55 a byte), ``bytes(map(xor, ...))``
    (10.9k at 16 B).
    """
    if end is None:
        end = len(payload)
    n = end - start
    if n < TRANSLATE_FROM:
        if n <= 0:
            return b""
        if start or end != len(payload):
            payload = payload[start:end]
        repeated_key = (key * (n // 4 + 1))[:n]
        return (_from_bytes(payload, "little") ^ _from_bytes(repeated_key, "little")
                ).to_bytes(n, "little")
    out = bytearray(memoryview(payload)[start:end])       # the one copy of the payload
    for i in range(4):
        out[i::4] = out[i::4].translate(_XOR_TABLES[key[i]])
    return bytes(out)


# The size from which translate() beats the big integers (measured: they tie near 768 bytes).
TRANSLATE_FROM = 1024
# _XOR_TABLES[k] maps every byte x to x ^ k: 256 tables of 256 bytes, made once with the
# big-integer path above (a 256-byte payload stays under TRANSLATE_FROM).
_XOR_TABLES = [apply_mask(bytes(range(256)), bytes((k, k, k, k))) for k in range(256)]


# -- the plug-in point -----------------------------------------------------------------------

# The payload size from which the adapters below take a memoryview of the payload instead of
# a slice: a view costs about 2k instructions to make, a copy about 1 a byte under valgrind.
VIEW_FROM = 2048


def websockets_mask() -> MaskFunction:
    """``websockets.speedups.apply_mask`` (C, any bytes-like payload) as apply_mask's signature."""
    # plug-in point: the user asked for the websockets library's C mask (use_mask / the
    # environment); the core never imports it otherwise.
    from websockets.speedups import apply_mask as c_mask

    def mask(payload: Buffer, key: bytes, start: int = 0, end: Optional[int] = None) -> bytes:
        if start or end is not None:     # a slice copies, a view costs 2k to make: by size
            payload = (payload[start:end] if len(payload) < VIEW_FROM
                       else memoryview(payload)[start:end])
        return c_mask(payload, key)
    return mask


def aiohttp_mask() -> MaskFunction:
    """aiohttp's compiled mask (Cython, masks a bytearray in place) as apply_mask's signature.

    It lives in a private aiohttp module (``aiohttp._websocket.mask``, aiohttp 3.11+), so a
    new aiohttp may move it; the ``websockets`` one is public.
    """
    # plug-in point: the user asked for aiohttp's compiled mask (use_mask / the environment);
    # the core never imports it otherwise.
    from aiohttp._websocket.mask import _websocket_mask_cython as c_mask  # type: ignore[import-not-found]

    def mask(payload: Buffer, key: bytes, start: int = 0, end: Optional[int] = None) -> bytes:
        out = bytearray(payload[start:end] if len(payload) < VIEW_FROM     # one copy or two:
                        else memoryview(payload)[start:end])                 # as above
        c_mask(key if type(key) is bytes else bytes(key), out)
        return bytes(out)
    return mask


# Each accelerated mask by name: its maker, and (in _INSTALL) what its error says to install.
ACCELERATED_MASKS: Dict[str, Callable[[], MaskFunction]] = {
    "websockets": websockets_mask,
    "aiohttp": aiohttp_mask,
}
_INSTALL = {"websockets": "pip install websockets",
            "aiohttp": "pip install 'aiohttp>=3.11' (a wheel with its compiled extensions)"}
MASK_ENVIRONMENT_VARIABLE = "AIOTEACH_WS_MASK"

# The mask every frame goes through.  frames.py and fastpath.py call ``masking.mask(...)``
# (a module attribute, looked up at each call), so use_mask reaches them all at once.
mask: MaskFunction = apply_mask
_mask_name = "stdlib"


def use_mask(choice: Union[str, MaskFunction, None]) -> MaskFunction:
    """Pick the mask every connection uses from now on, and return it.

    ``choice`` is ``"stdlib"`` or None (``apply_mask``, the default), ``"websockets"`` or
    ``"aiohttp"`` (their C masks, if installed), or a function with apply_mask's signature
    ``(payload, key, start=0, end=None) -> bytes``.  A named mask that is not installed raises
    ImportError and leaves the mask in use unchanged.
    """
    global mask, _mask_name
    if choice is None or choice == "stdlib":
        mask, _mask_name = apply_mask, "stdlib"
    elif callable(choice):
        mask, _mask_name = choice, repr(choice)
    elif choice in ACCELERATED_MASKS:
        try:
            mask, _mask_name = ACCELERATED_MASKS[choice](), choice
        except ImportError as exc:
            raise ImportError(
                f"the {choice!r} WebSocket mask needs {choice}'s compiled extension, which is "
                f"not installed ({exc}): {_INSTALL[choice]}, or use the standard-library "
                f"mask (use_mask('stdlib'), or unset {MASK_ENVIRONMENT_VARIABLE})") from exc
    else:
        raise ValueError(f"unknown WebSocket mask {choice!r}: use 'stdlib', "
                         + ", ".join(repr(name) for name in ACCELERATED_MASKS)
                         + " or a function with apply_mask's signature")
    return mask


def mask_in_use() -> str:
    """The name of the mask in use: ``"stdlib"``, ``"websockets"``, ``"aiohttp"`` or a repr."""
    return _mask_name


if os.environ.get(MASK_ENVIRONMENT_VARIABLE):        # the opt-in for a whole program
    use_mask(os.environ[MASK_ENVIRONMENT_VARIABLE])
