"""Workbooks changed at the zip level, for the tests of bad input: members replaced, sizes forged, bombs.

Everything works on bytes, so a test (or a fuzz example) makes its file without touching the shared fixtures.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from pathlib import Path

MIB = 1 << 20
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # zipfile.structCentralDir
_LOCAL = struct.Struct("<4s2B4HL2L2H")  # zipfile.structFileHeader


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def rezip(parts: Mapping[str, bytes], raw: Mapping[str, tuple[bytes, int, int]] | None = None) -> bytes:
    """A zip of these members (deflated); raw: name -> (deflate data, declared size, crc) written as they are."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            if raw and name in raw:
                continue
            archive.writestr(name, data)
    data = buffer.getvalue()
    for name, (deflated, size, crc) in (raw or {}).items():
        data = _append_raw(data, name, deflated, size, crc)
    return data


def edit_member(data: bytes, name: str, edit: Callable[[bytes], bytes]) -> bytes:
    parts = members(data)
    parts[name] = edit(parts[name])
    return rezip(parts)


def sheet_part(data: bytes, sheet: str) -> str:
    """The zip member of a sheet, by the order of the master's sheets (its builder numbers them in tab order)."""
    from python_calamine import CalamineWorkbook

    names = CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


def repeated_deflate(block: bytes, times: int, exact_crc: bool = True) -> tuple[bytes, int, int]:
    """Deflate data of `block` repeated `times` times, made without compressing it all: a block compressed after
    a full flush has the same bytes every time. Returns (data, unpacked size, crc); exact_crc=False saves the
    time of a checksum over gigabytes where the reader must refuse before it would look."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    packer.compress(block)
    packer.flush(zlib.Z_FULL_FLUSH)
    one = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(times if exact_crc else 0):
        crc = zlib.crc32(block, crc)
    return one * times + packer.flush(), len(block) * times, crc


def bomb_block(ratio: int, seed: int = 0) -> bytes:
    """One MiB that deflates about `ratio` times: random bytes for the share that does not compress, zeros after."""
    noise = random.Random(seed).randbytes(MIB // ratio)
    return noise + bytes(MIB - len(noise))


def with_raw_member(data: bytes, name: str, raw: tuple[bytes, int, int]) -> bytes:
    """The workbook with member `name` replaced by raw deflate data (see repeated_deflate)."""
    parts = members(data)
    parts[name] = b""
    return rezip(parts, {name: raw})


def forge_declared_size(data: bytes, name: str, size: int) -> bytes:
    """The zip with `name`'s declared unpacked size changed (local header and central directory), data as it was."""
    data = bytearray(data)
    encoded = name.encode()
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        local = archive.getinfo(name).header_offset
    fields = list(_LOCAL.unpack_from(data, local))
    fields[9] = size
    _LOCAL.pack_into(data, local, *fields)
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        fields = list(_CENTRAL.unpack_from(data, position))
        if data[position + _CENTRAL.size : position + _CENTRAL.size + fields[12]] == encoded:
            fields[11] = size
            _CENTRAL.pack_into(data, position, *fields)
            return bytes(data)
        position = data.find(b"PK\x01\x02", position + 1)
    raise KeyError(name)


def _append_raw(data: bytes, name: str, deflated: bytes, size: int, crc: int) -> bytes:
    """Add a member from ready deflate data (zipfile would compress it again): rewrite the directory after it."""
    end = data.rfind(b"PK\x05\x06")
    cd_start = struct.unpack_from("<L", data, end + 16)[0]
    body, directory = data[:cd_start], data[cd_start:end]
    encoded = name.encode()
    local = _LOCAL.pack(b"PK\x03\x04", 20, 0, 0, zipfile.ZIP_DEFLATED, 0, 0x21, crc, len(deflated), size,
                        len(encoded), 0) + encoded
    entry = _CENTRAL.pack(b"PK\x01\x02", 20, 3, 20, 0, 0, zipfile.ZIP_DEFLATED, 0, 0x21, crc, len(deflated), size,
                          len(encoded), 0, 0, 0, 0, 0, len(body)) + encoded
    body += local + deflated
    directory += entry
    count = struct.unpack_from("<H", data, end + 10)[0] + 1
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(body), 0)
    return body + directory + eocd


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def replace_bytes(data: bytes, old: bytes, new: bytes) -> bytes:
    """Every member holding `old` with it replaced by `new` (a marker typed with openpyxl, then made raw)."""
    parts = members(data)
    changed = {name: part.replace(old, new) for name, part in parts.items() if old in part}
    if not changed:
        raise KeyError(old)
    return rezip(parts | changed)
