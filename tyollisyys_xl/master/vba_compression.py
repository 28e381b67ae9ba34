"""The compression of VBA source streams ([MS-OVBA] 2.4.1): a run of 4096-byte chunks, each a sequence of
literal bytes and copy tokens, and its reverse, which the tests and `build --check` use to read sources back.

The compressor finds the longest earlier match through a table of 3-byte prefixes instead of scanning every
earlier byte as the specification's pseudocode does; the output is the same.
"""

from __future__ import annotations

import struct

_CHUNK_SIZE = 4096
_MAX_COMPRESSED_CHUNK = _CHUNK_SIZE + 2


def _offset_bit_count(position_in_chunk: int) -> int:
    """Bits of a copy token used for the offset; grows with the position in the chunk (2.4.1.3.19.1)."""
    return max((position_in_chunk - 1).bit_length(), 4)


def compress(data: bytes) -> bytes:
    """Compress ``data`` into a CompressedContainer with real copy tokens.

    Matching follows 2.4.1.3.19.4 (longest match, nearest on ties), looked up
    through a table of 3-byte prefixes instead of scanning every earlier byte.
    """
    chunks = (_compress_chunk(data[start : start + _CHUNK_SIZE]) for start in range(0, len(data), _CHUNK_SIZE))
    return b"\x01" + b"".join(chunks)


def _compress_chunk(chunk: bytes) -> bytes:
    """One CompressedChunk; a raw chunk only if the tokens would outgrow the 4096 bytes of input."""
    body = bytearray()
    earlier_positions: dict[bytes, list[int]] = {}
    position = 0
    while position < len(chunk):
        flag_index = len(body)
        body.append(0)
        for bit in range(8):
            if position >= len(chunk):
                break
            offset, length = _longest_match(chunk, position, earlier_positions)
            if length:
                bit_count = _offset_bit_count(position)
                body += struct.pack("<H", ((offset - 1) << (16 - bit_count)) | (length - 3))
                body[flag_index] |= 1 << bit
            else:
                length = 1
                body.append(chunk[position])
            for start in range(position, min(position + length, len(chunk) - 2)):
                earlier_positions.setdefault(chunk[start : start + 3], []).append(start)
            position += length
    if len(body) + 2 > _MAX_COMPRESSED_CHUNK:
        # Incompressible: a raw chunk, always 4096 bytes long (2.4.1.3.10).
        return struct.pack("<H", 0x3000 | (_MAX_COMPRESSED_CHUNK - 3)) + chunk.ljust(_CHUNK_SIZE, b"\x00")
    return struct.pack("<H", 0x8000 | 0x3000 | (len(body) + 2 - 3)) + bytes(body)


def _longest_match(chunk: bytes, position: int, earlier_positions: dict[bytes, list[int]]) -> tuple[int, int]:
    """(offset, length) of the best copy for ``position``, or (0, 0) if no match of 3+ bytes exists."""
    max_length = (0xFFFF >> _offset_bit_count(position)) + 3
    limit = min(max_length, len(chunk) - position)
    if limit < 3:
        return 0, 0
    best_length, best_start = 0, 0
    for start in reversed(earlier_positions.get(chunk[position : position + 3], ())):
        if best_length and chunk[start + best_length] != chunk[position + best_length]:
            continue
        length = 3
        while length < limit and chunk[start + length] == chunk[position + length]:
            length += 1
        if length > best_length:
            best_length, best_start = length, start
            if length == limit:
                break
    return (position - best_start, best_length) if best_length else (0, 0)


def decompress(container: bytes) -> bytes:
    """Decompress a CompressedContainer ([MS-OVBA] 2.4.1.3.1), rejecting malformed input."""
    if not container or container[0] != 0x01:
        raise ValueError("not a compressed container: signature byte is not 0x01")
    out = bytearray()
    position = 1
    while position < len(container):
        header = struct.unpack_from("<H", container, position)[0]
        chunk_end = position + (header & 0x0FFF) + 3
        if (header >> 12) & 0b111 != 0b011 or chunk_end > len(container):
            raise ValueError(f"bad chunk header 0x{header:04X} at byte {position}")
        position += 2
        if not header & 0x8000:
            out += container[position : position + _CHUNK_SIZE]
            position += _CHUNK_SIZE
            continue
        chunk_start = len(out)
        while position < chunk_end:
            flags = container[position]
            position += 1
            for bit in range(8):
                if position >= chunk_end:
                    break
                if not flags >> bit & 1:
                    out.append(container[position])
                    position += 1
                    continue
                token = struct.unpack_from("<H", container, position)[0]
                position += 2
                bit_count = _offset_bit_count(len(out) - chunk_start)
                length = (token & (0xFFFF >> bit_count)) + 3
                source = len(out) - ((token >> (16 - bit_count)) + 1)
                if source < chunk_start:
                    raise ValueError("copy token points before the start of its chunk")
                for index in range(source, source + length):
                    out.append(out[index])
    return bytes(out)
