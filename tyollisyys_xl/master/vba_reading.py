"""Reading a VBA project back: the records of the ``dir`` stream ([MS-OVBA] 2.3.4.2), the ``PROJECT``
stream's sections, and the sheets' codeNames in a workbook; the tests compare what the writer meant with
what it wrote through these, and olevba and LibreOffice check the same files independently.
"""

from __future__ import annotations

import struct
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from defusedxml import ElementTree

from tyollisyys_xl.master.vba_project import (
    DOCUMENT_OR_CLASS_MODULE,
    PROCEDURAL_MODULE,
    ControlReference,
    RegisteredReference,
    VbaReference,
    codec_for,
)

@dataclass(frozen=True)
class ModuleRecord:
    """The semantically relevant fields of one MODULE record."""

    name: str
    stream_name: str
    docstring: str
    text_offset: int
    help_context: int
    type_id: int
    read_only: bool
    private: bool


@dataclass(frozen=True)
class DirStream:
    """The decoded dir stream of a VBA project."""

    sys_kind: int
    lcid: int
    lcid_invoke: int
    code_page: int
    project_name: str
    docstring: str
    help_file: str
    help_context: int
    lib_flags: int
    version: tuple[int, int]
    constants: str
    references: tuple[VbaReference, ...]
    modules: tuple[ModuleRecord, ...]


class _Records:
    """Walks the (id, payload) records of a decompressed dir stream in order."""

    def __init__(self, data: bytes) -> None:
        self._records: list[tuple[int, bytes]] = []
        position = 0
        while position < len(data):
            record_id, size = struct.unpack_from("<HI", data, position)
            if record_id == 0x0009:  # PROJECTVERSION: its "size" field is a constant 4, not the payload size
                size = 6
            self._records.append((record_id, data[position + 6 : position + 6 + size]))
            position += 6 + size
        self._index = 0

    def peek(self) -> int | None:
        return self._records[self._index][0] if self._index < len(self._records) else None

    def take(self, record_id: int) -> bytes:
        if self.peek() != record_id:
            raise ValueError(f"dir stream: expected record 0x{record_id:04X}, found {self.peek()!r}")
        self._index += 1
        return self._records[self._index - 1][1]

    def take_optional(self, record_id: int) -> bytes | None:
        return self.take(record_id) if self.peek() == record_id else None


def parse_dir_stream(data: bytes) -> DirStream:
    """Decode a decompressed dir stream ([MS-OVBA] 2.3.4.2)."""
    records = _Records(data)
    sys_kind = _int(records.take(0x0001))
    records.take_optional(0x004A)  # PROJECTCOMPATVERSION
    lcid = _int(records.take(0x0002))
    lcid_invoke = _int(records.take(0x0014))
    code_page = _int(records.take(0x0003))
    codec = codec_for(code_page)

    def text(record_id: int, unicode_id: int | None = None) -> str:
        value = records.take(record_id).decode(codec)
        if unicode_id is not None:
            records.take_optional(unicode_id)
        return value

    project_name = text(0x0004)
    docstring = text(0x0005, 0x0040)
    help_file = text(0x0006, 0x003D)
    help_context = _int(records.take(0x0007))
    lib_flags = _int(records.take(0x0008))
    version = struct.unpack("<IH", records.take(0x0009))
    constants = text(0x000C, 0x003C)
    references = []
    while records.peek() != 0x000F:
        references.append(_parse_reference(records, text, codec))
    module_count = _int(records.take(0x000F))
    records.take(0x0013)
    modules = tuple(_parse_module(records, text) for _ in range(module_count))
    records.take(0x0010)
    return DirStream(
        sys_kind,
        lcid,
        lcid_invoke,
        code_page,
        project_name,
        docstring,
        help_file,
        help_context,
        lib_flags,
        (version[0], version[1]),
        constants,
        tuple(references),
        modules,
    )


def _int(payload: bytes) -> int:
    return int.from_bytes(payload, "little")


def _split_libid(payload: bytes, codec: str) -> str:
    size = _int(payload[:4])
    return payload[4 : 4 + size].decode(codec)


def _parse_reference(records: _Records, text: Callable[..., str], codec: str) -> VbaReference:
    name = text(0x0016, 0x003E)
    if records.peek() == 0x000D:
        return RegisteredReference(name, _split_libid(records.take(0x000D), codec))
    original = records.take_optional(0x0033)
    twiddled = records.take(0x002F)
    extended_name = text(0x0016, 0x003E) if records.peek() == 0x0016 else None
    extended = records.take(0x0030)
    libid_extended = _split_libid(extended, codec)
    tail = extended[4 + _int(extended[:4]) + 6 :]
    return ControlReference(
        name=name,
        libid_original=None if original is None else original.decode(codec),
        libid_twiddled=_split_libid(twiddled, codec),
        extended_name=extended_name,
        libid_extended=libid_extended,
        original_typelib=uuid.UUID(bytes_le=tail[:16]),
        cookie=_int(tail[16:20]),
    )


def _parse_module(records: _Records, text: Callable[..., str]) -> ModuleRecord:
    name = text(0x0019, 0x0047)
    stream_name = text(0x001A, 0x0032)
    docstring = text(0x001C, 0x0048)
    text_offset = _int(records.take(0x0031))
    help_context = _int(records.take(0x001E))
    records.take(0x002C)
    type_id = records.peek()
    if type_id not in (PROCEDURAL_MODULE, DOCUMENT_OR_CLASS_MODULE):
        raise ValueError(f"dir stream: unknown module type record {type_id!r}")
    records.take(type_id)
    read_only = records.take_optional(0x0025) is not None
    private = records.take_optional(0x0028) is not None
    records.take(0x002B)
    return ModuleRecord(name, stream_name, docstring, text_offset, help_context, type_id, read_only, private)


def parse_project_stream(data: bytes, code_page: int = 1252) -> dict[str, list[tuple[str, str]]]:
    """Split the PROJECT stream into ``{section: [(key, value), ...]}``; "" is the leading section."""
    sections: dict[str, list[tuple[str, str]]] = {"": []}
    current = ""
    for line in data.decode(codec_for(code_page)).splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            sections[current] = []
        elif "=" in line:
            key, value = line.split("=", 1)
            sections[current].append((key, value))
    return sections


def workbook_code_names(xlsx_path: str | Path) -> list[str | None]:
    """The codeNames of the workbook and then of each sheet in tab order.

    Excel binds document modules to host objects by these names, so they must
    equal the document modules of the embedded VBA project.
    """
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    relationships = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    with zipfile.ZipFile(xlsx_path) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in rels}
        workbook_properties = workbook.find(f"{main}workbookPr")
        names = [None if workbook_properties is None else workbook_properties.get("codeName")]
        for sheet in workbook.iter(f"{main}sheet"):
            target = targets[sheet.get(f"{relationships}id")]
            part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
            sheet_properties = ElementTree.fromstring(archive.read(part)).find(f"{main}sheetPr")
            names.append(None if sheet_properties is None else sheet_properties.get("codeName"))
    return names


