"""A Compound File Binary writer ([MS-CFB], version 3, 512-byte sectors): the container of
``xl/vbaProject.bin``. It writes a storage tree (folders of named streams) deterministically, with streams
under 4096 bytes in the mini stream and the directory's siblings as a red-black tree of black nodes.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Union

_SECTOR_SIZE = 512
_MINI_SECTOR_SIZE = 64
_MINI_STREAM_CUTOFF = 4096
_IDS_PER_SECTOR = _SECTOR_SIZE // 4
_HEADER_DIFAT_ENTRIES = 109
_FREESECT = 0xFFFFFFFF
_ENDOFCHAIN = 0xFFFFFFFE
_FATSECT = 0xFFFFFFFD
_NOSTREAM = 0xFFFFFFFF
_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1

StorageTree = Mapping[str, Union[bytes, "StorageTree"]]


@dataclass
class _DirectoryEntry:
    name: str
    object_type: int
    data: bytes = b""
    children: tuple[int, ...] = ()
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM
    color: int = _BLACK
    start: int = _ENDOFCHAIN
    size: int = 0

    def pack(self) -> bytes:
        name = self.name.encode("utf-16-le") + b"\x00\x00"
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            name,
            len(name),
            self.object_type,
            self.color,
            self.left,
            self.right,
            self.child,
            bytes(16),  # CLSID: none, which keeps the output fixed
            0,  # state bits
            0,  # creation time: none, for reproducible output
            0,  # modification time
            self.start,
            self.size,
        )


_UNUSED_ENTRY = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, _NOSTREAM, _NOSTREAM, _NOSTREAM, bytes(16), 0, 0, 0, 0, 0)


def write_compound_file(tree: StorageTree) -> bytes:
    """Serialise nested ``{name: bytes | {...}}`` as a version 3 compound file.

    Layout: FAT sectors, directory, mini FAT, mini stream, then the large
    streams, each as one contiguous chain.
    """
    entries = _flatten(tree)
    for entry in entries:
        if entry.object_type != _STREAM:
            entry.child = _link_siblings(entries, entry.children)

    mini_stream = bytearray()
    mini_fat: list[int] = []
    large_streams = [entry for entry in entries if entry.object_type == _STREAM and entry.size >= _MINI_STREAM_CUTOFF]
    for entry in entries:
        if entry.object_type == _STREAM and entry.size < _MINI_STREAM_CUTOFF:
            entry.start = _append_chain(mini_fat, _sectors(entry.size, _MINI_SECTOR_SIZE))
            mini_stream += entry.data.ljust(_sectors(entry.size, _MINI_SECTOR_SIZE) * _MINI_SECTOR_SIZE, b"\x00")

    mini_fat_bytes = _pack_ids(mini_fat, _sectors(len(mini_fat), _IDS_PER_SECTOR) * _IDS_PER_SECTOR)
    runs_without_directory = [mini_fat_bytes, bytes(mini_stream), *(entry.data for entry in large_streams)]
    directory_sectors = _sectors(len(entries) * 128, _SECTOR_SIZE)
    other_sectors = directory_sectors + sum(_sectors(len(run), _SECTOR_SIZE) for run in runs_without_directory)
    fat_sectors = _sectors(other_sectors, _IDS_PER_SECTOR - 1)
    if fat_sectors > _HEADER_DIFAT_ENTRIES:
        raise ValueError("compound file too large for a writer without DIFAT sectors")

    fat = [_FATSECT] * fat_sectors
    directory_start = _append_chain(fat, directory_sectors)
    mini_fat_start = _append_chain(fat, _sectors(len(mini_fat_bytes), _SECTOR_SIZE))
    entries[0].start = _append_chain(fat, _sectors(len(mini_stream), _SECTOR_SIZE))
    entries[0].size = len(mini_stream)
    for entry in large_streams:
        entry.start = _append_chain(fat, _sectors(entry.size, _SECTOR_SIZE))

    directory = b"".join(entry.pack() for entry in entries)
    directory += _UNUSED_ENTRY * (directory_sectors * 4 - len(entries))
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        bytes(16),
        0x003E,  # minor version
        0x0003,  # major version 3: 512-byte sectors
        0xFFFE,  # little-endian byte order mark
        9,  # sector shift: 2**9 = 512
        6,  # mini sector shift: 2**6 = 64
        bytes(6),
        0,  # directory sector count: always 0 in version 3
        fat_sectors,
        directory_start,
        0,  # transaction signature
        _MINI_STREAM_CUTOFF,
        mini_fat_start,
        _sectors(len(mini_fat_bytes), _SECTOR_SIZE),
        _ENDOFCHAIN,  # no DIFAT sectors
        0,
    )
    header += _pack_ids(list(range(fat_sectors)), _HEADER_DIFAT_ENTRIES)
    body = [_pack_ids(fat, fat_sectors * _IDS_PER_SECTOR), directory, *runs_without_directory]
    return header + b"".join(_pad(run, _SECTOR_SIZE) for run in body)


def _flatten(tree: StorageTree) -> list[_DirectoryEntry]:
    """Directory entries in depth-first order; entry 0 is the root storage."""
    entries = [_DirectoryEntry("Root Entry", _ROOT)]

    def add(parent: int, subtree: StorageTree) -> None:
        children = []
        for name, value in subtree.items():
            if len(name) > 31:
                raise ValueError(f"compound file names are limited to 31 characters: {name!r}")
            children.append(len(entries))
            if isinstance(value, bytes):
                entries.append(_DirectoryEntry(name, _STREAM, data=value, size=len(value)))
            else:
                entries.append(_DirectoryEntry(name, _STORAGE, start=0))
                add(children[-1], value)
        entries[parent].children = tuple(children)

    add(0, tree)
    return entries


def _link_siblings(entries: list[_DirectoryEntry], children: tuple[int, ...]) -> int:
    """Arrange one storage's children as a balanced red-black tree; returns its root id.

    Siblings are ordered by name length, then by upper-cased name ([MS-CFB] 2.6.4).
    Levels above the last are complete and black; nodes on a partial last level
    are red, so every path to a leaf crosses the same number of black nodes.
    """
    ordered = sorted(children, key=lambda index: (len(entries[index].name), entries[index].name.upper()))
    complete_levels = (len(ordered) + 1).bit_length() - 1

    def build(low: int, high: int, depth: int) -> int:
        if low >= high:
            return _NOSTREAM
        middle = (low + high) // 2
        entry = entries[ordered[middle]]
        entry.left = build(low, middle, depth + 1)
        entry.right = build(middle + 1, high, depth + 1)
        entry.color = _RED if depth == complete_levels else _BLACK
        return ordered[middle]

    return build(0, len(ordered), 0)


def _sectors(size: int, sector_size: int) -> int:
    return -(-size // sector_size)


def _append_chain(table: list[int], length: int) -> int:
    """Append a contiguous chain of ``length`` sectors; returns its first sector or ENDOFCHAIN."""
    if not length:
        return _ENDOFCHAIN
    start = len(table)
    table.extend(range(start + 1, start + length))
    table.append(_ENDOFCHAIN)
    return start


def _pack_ids(ids: list[int], length: int) -> bytes:
    """Sector ids as a table of ``length`` entries, unused ones marked free."""
    padded = ids + [_FREESECT] * (length - len(ids))
    return struct.pack(f"<{length}I", *padded)


def _pad(data: bytes, size: int) -> bytes:
    return data + bytes(-len(data) % size)
