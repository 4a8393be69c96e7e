"""WebSocket frames: the two-to-fourteen-byte header, the payload, and the mask.

Every WebSocket message travels as one or more frames (RFC 6455 section 5.2), each a header
of 2 to 14 bytes and a payload, read left to right:

    byte 0      F R R R O O O O    F: FIN, the last frame of a message; RRR: RSV1-3; OOOO: opcode
    byte 1      M L L L L L L L    M: MASK; LLLLLLL: the length, or 126 / 127 as a marker
    2 more      big-endian length  if the marker was 126 (payloads of 126 to 65535 bytes)
    or 8 more   big-endian length  if the marker was 127 (65536 bytes and up; top bit 0)
    4 more      the masking key    if M is set
    the rest    the payload        exactly "length" bytes

A client masks every frame it sends with a fresh 4-byte key (section 5.3: the payload is
XORed with the key, repeated); a server never masks.

This module knows single frames only: ``parse_frame`` reads one from a buffer and checks the
rules a frame can break on its own (reserved bits, unknown opcodes, masking by role, control
frame size and fragmentation, section 5.5); ``build_frame`` writes one.  Putting fragments back
together into messages, UTF-8 and the closing handshake belong to ``connection.py``.

The XOR itself is ``masking.py``'s: ``apply_mask`` (standard library) unless the user plugged
in a faster one there; every frame goes through ``masking.mask``.

A frame longer than one read (TCP delivers bytes, not frames) waits in the connection as
the reads that hold it: ``bytes_needed`` says from its header how long it is, ``keep_piece``
keeps the reads, and the connection joins them once it has that many bytes.

Performance notes: the table of ready-made two-byte headers that ``build_frame`` used to
keep is gone: it saved under 1% of an echo round trip.  Frames cut into reads (valgrind,
instructions per frame for a server connection fed as ``aioteach.wsbase`` feeds it, the
``websockets`` C mask plugged in): the connection used to append each read to a bytearray
and parse the header again on every read, so a 64 KiB frame in 45 reads cost 694k, in
2 reads 173k, and a 4 KiB frame in 3 reads 64.4k; with ``bytes_needed`` and one join they
cost 249k, 135k and 50.4k (in one read: 35.7k and 12.5k, unchanged).  Wall clock, the same
45 reads: 79 -> 24 microseconds.  Of the 135k for 2 reads, 65k is the join's copy: valgrind
counts a ``memcpy`` (``rep movsb``) at about one instruction a byte, where the CPU copies
64 KiB in 1 to 2 microseconds; so do not read these counts as time for copies.  Over
loopback TCP, ``benchmarks/bench_websocket.py``'s 64 KiB frames mostly come in one read
(65550 bytes; 16 reads in 5400 were cut), so the fast path takes them.  ``build_frame``
copies a big payload once (``header + payload``): one ``transport.write``, one ``send``
system call; aiohttp writes the two apart, two system calls, to save that copy.  What
no codec sees: asyncio reads each time into a fresh 256 KiB bytes object; in a process
where glibc's mmap threshold has stayed below that, every read is an mmap, mremap and
munmap plus a page fault per 4 KiB read (strace, perf): sys time doubles, whichever server.
"""
from __future__ import annotations

import struct
from typing import List, NamedTuple, Optional, Tuple, Union

from .codes import Opcode, WSCloseCode
from . import masking
from .errors import FrameError, LocalProtocolError
from .masking import apply_mask

__all__ = ["Frame", "parse_frame", "bytes_needed", "keep_piece", "build_frame", "apply_mask",
           "MAX_CONTROL_PAYLOAD"]

Buffer = Union[bytes, bytearray, memoryview]

# Control frames (Close, Ping, Pong) fit in the 7-bit length: at most 125 bytes (section 5.5),
# so a receiver can always handle them in one piece, even in the middle of a long message.
MAX_CONTROL_PAYLOAD = 125

# The opcode nibble -> Opcode.  A dict lookup both validates and converts: the ten reserved
# values (0x3-0x7, 0xB-0xF) are simply missing and come back as None.
_OPCODES = {op.value: op for op in Opcode}

# The three header forms of section 5.2 (without the key), packed in C: one call instead of a
# tuple, bytes() and a to_bytes (valgrind: 1.4k -> 0.8k instructions for the 2-byte form).
_HEADER_7 = struct.Struct("!BB").pack
_HEADER_16 = struct.Struct("!BBH").pack
_HEADER_64 = struct.Struct("!BBQ").pack

class Frame(NamedTuple):
    """One parsed frame: what it is, its (unmasked) payload, and whether it ends a message."""

    opcode: Opcode
    payload: bytes
    fin: bool = True
    compressed: bool = False        # RSV1: the first frame of a permessage-deflate message


def parse_frame(data: Buffer, pos: int = 0, *, expect_mask: bool,
                max_payload: Optional[int] = None, deflate: bool = False
                ) -> Optional[Tuple[Frame, int]]:
    """Read one frame from ``data`` starting at ``pos``.

    Returns ``(frame, end)`` where ``end`` is the offset just past the frame, or ``None`` if
    ``data`` does not hold the whole frame yet (feed more bytes and call again).  Raises
    ``FrameError`` with the close code to answer as soon as the *header* breaks a rule, before
    the payload has arrived: a peer announcing a 2**62-byte frame is refused at once, not after
    we buffered it.

    ``expect_mask`` is True on the server (client frames must be masked, section 5.1) and False
    on the client (server frames must not be).  ``max_payload`` is the largest data-frame
    payload still acceptable (the connection's message size limit minus what the message holds
    already); ``None`` means no limit.  ``deflate`` says permessage-deflate was negotiated, so
    RSV1 may mark a TEXT or BINARY frame as compressed (RFC 7692 section 6).
    """
    # long because: it reads the header left to right as section 5.2 draws it, one check per
    # rule with the close code it earns; split up, the order of the checks would be lost.
    available = len(data) - pos
    if available < 2:
        return None
    first = data[pos]
    second = data[pos + 1]

    if first & (0x30 if deflate else 0x70):
        # RSV1-3 carry meaning only for a negotiated extension (permessage-deflate uses RSV1);
        # any other set is an error (section 5.2).
        raise FrameError(WSCloseCode.PROTOCOL_ERROR,
                         "reserved bit RSV1, RSV2 or RSV3 set, but no extension was negotiated")
    compressed = bool(first & 0x40)
    if compressed and (first & 0x0F) not in (0x1, 0x2):
        raise FrameError(WSCloseCode.PROTOCOL_ERROR, "RSV1 set on a control or continuation "
                         "frame (RFC 7692 section 6.1: only a message's first frame)")
    opcode = _OPCODES.get(first & 0x0F)
    if opcode is None:
        raise FrameError(WSCloseCode.PROTOCOL_ERROR,
                         f"reserved opcode {first & 0x0F:#x} (RFC 6455 section 5.2)")
    masked = second & 0x80
    if expect_mask and not masked:
        raise FrameError(WSCloseCode.PROTOCOL_ERROR,
                         "unmasked frame from a client (RFC 6455 section 5.1: clients mask)")
    if masked and not expect_mask:
        raise FrameError(WSCloseCode.PROTOCOL_ERROR,
                         "masked frame from a server (RFC 6455 section 5.1: servers do not mask)")

    # The payload length: 7 bits, or a marker (126, 127) and 16 or 64 more bits (section 5.2).
    # Discussion: the RFC tells *senders* to use the shortest form; we accept a longer form
    # than needed, like most receivers, since it is unambiguous and harms no one.
    length = second & 0x7F
    header_size = 2
    if length == 126:
        if available < 4:
            return None
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        header_size = 4
    elif length == 127:
        if available < 10:
            return None
        length = int.from_bytes(data[pos + 2:pos + 10], "big")
        header_size = 10
        if length >> 63:
            raise FrameError(WSCloseCode.PROTOCOL_ERROR,
                             "64-bit payload length with its most significant bit set")

    fin = bool(first & 0x80)
    if opcode >= 0x8:
        # Control frames may come between the fragments of a message, so they must be small
        # and whole (section 5.5).
        if not fin:
            raise FrameError(WSCloseCode.PROTOCOL_ERROR,
                             f"fragmented {opcode.name} frame (control frames must have FIN set)")
        if length > MAX_CONTROL_PAYLOAD:
            raise FrameError(WSCloseCode.PROTOCOL_ERROR,
                             f"{opcode.name} frame with a {length}-byte payload "
                             f"(control frames carry at most {MAX_CONTROL_PAYLOAD})")
    elif max_payload is not None and length > max_payload:
        raise FrameError(WSCloseCode.MESSAGE_TOO_BIG,
                         f"message too big: a {length}-byte frame where only {max_payload} "
                         "more bytes fit under max_msg_size")

    start = pos + header_size + (4 if masked else 0)
    end = start + length
    if len(data) < end:
        return None
    if masked:
        payload = masking.mask(data, bytes(data[start - 4:start]), start, end)
    elif type(data) is bytes:
        payload = data[start:end]
    else:       # a bytearray (the connection's buffer): one copy through a view, not two
        payload = bytes(memoryview(data)[start:end])
    return Frame(opcode, payload, fin, compressed), end


def bytes_needed(data: Buffer, pos: int = 0) -> int:
    """How many bytes from ``pos`` the frame there needs before ``parse_frame`` can return it.

    Once the header says how long the payload is, that is the whole frame: header, key and
    payload.  Before, it is the bytes that will say it: 2, then 4 or 10 for a 16- or 64-bit
    length (section 5.2).  A receiver that has fewer need not call ``parse_frame`` again; so
    a long frame arriving in many reads has its header read once, not once a read.  It
    never says more than the frame needs, so ``parse_frame`` still refuses a bad header as
    soon as the header is in.

    >>> bytes_needed(bytes.fromhex("82fe"))          # masked BINARY, 16-bit length not yet in
    4
    >>> bytes_needed(bytes.fromhex("82fe1000"))      # 4096 bytes: 4 of header, 4 of key
    4104
    """
    if len(data) - pos < 2:
        return 2
    second = data[pos + 1]
    length = second & 0x7F
    header_size = 2
    if length == 126:
        header_size = 4
    elif length == 127:
        header_size = 10
    if len(data) - pos < header_size:
        return header_size
    if header_size > 2:
        length = int.from_bytes(data[pos + 2:pos + header_size], "big")
    return header_size + (4 if second & 0x80 else 0) + length


# Reads shorter than this that hold part of a frame share one bytearray (keep_piece): every
# kept piece is then at least this long or one of those bytearrays, so the 33 bytes of a bytes
# object's header are at most a few percent of what waits.
SMALL_READ = 1024


def keep_piece(pieces: List[Union[bytes, bytearray]], data: Buffer) -> None:
    """Add ``data``, a read holding part of a frame cut short, to the reads kept for it.

    The connection keeps the reads of a long frame until the frame is whole, then joins
    them once (``b"".join(pieces)``): each byte is copied once, however many reads brought it.
    A read of bytes is kept as it is: the transport made it and will not change it.  Reads
    under ``SMALL_READ`` bytes go into one bytearray, so a peer that sends a frame a byte at
    a time makes us hold bytes, not a Python object for each.  A bytearray or memoryview
    from the caller is copied, since the caller may reuse it.
    """
    if len(data) < SMALL_READ:
        if pieces and type(pieces[-1]) is bytearray:
            pieces[-1] += data
        else:
            pieces.append(bytearray(data))
    else:
        pieces.append(data if type(data) is bytes else bytes(data))


def build_frame(opcode: int, payload: Buffer = b"", *, fin: bool = True,
                mask: Optional[bytes] = None, compressed: bool = False) -> bytes:
    """The bytes of one frame.  Pass ``mask`` (4 random bytes) on the client, None on a server.

    ``payload`` may be any bytes-like object; the caller has checked the opcode's rules (the
    connection does).  Lengths pick the shortest form of section 5.2: 7 bits up to 125,
    16 bits up to 65535, 64 bits beyond.

    >>> build_frame(Opcode.TEXT, b"Hello").hex()              # RFC 6455 section 5.7's examples
    '810548656c6c6f'
    >>> build_frame(Opcode.TEXT, b"Hello", mask=bytes.fromhex("37fa213d")).hex()
    '818537fa213d7f9f4d5158'
    """
    length = len(payload)
    first = (0x80 if fin else 0x00) | (0x40 if compressed else 0x00) | opcode

    mask_bit = 0x00
    if mask is not None:
        if len(mask) != 4:
            raise LocalProtocolError(f"a masking key is 4 bytes, got {len(mask)}")
        mask_bit = 0x80
    if length < 126:
        header = _HEADER_7(first, mask_bit | length)
    elif length < 65536:
        header = _HEADER_16(first, mask_bit | 126, length)
    else:
        header = _HEADER_64(first, mask_bit | 127, length)
    if mask is None:
        return header + payload
    return header + mask + masking.mask(payload, mask)
