"""Write a source-only ``xl/vbaProject.bin`` from VBA module sources.

The project is written the way MS-OVBA tells a writer to: ``_VBA_PROJECT`` has
version 0xFFFF and no performance cache, every module stream holds only its
compressed source at offset 0.  Office therefore compiles the modules from
source when the workbook is opened, so no binary produced by Office is needed
and the same sources always give byte-identical output.

Sections of the specifications are cited as [MS-OVBA] / [MS-CFB] x.y.z.
"""

from __future__ import annotations

import re
import struct
import uuid
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal, Union

from defusedxml import ElementTree

ModuleKind = Literal["document", "standard", "class"]


@dataclass(frozen=True)
class VbaModule:
    """One VBA module.

    ``code`` is the source without the ``Attribute VB_Name`` line, which the
    writer adds.  For ``document`` modules (ThisWorkbook, sheets) the writer
    also adds the fixed attributes Excel gives host objects.  A ``class``
    module keeps its own ``VB_Base``/``VB_Exposed``/... lines in ``code``
    (as in an exported .cls after its ``BEGIN ... END`` block), because they
    encode the class's Instancing, which only its author knows.
    """

    name: str
    code: str
    kind: ModuleKind


@dataclass(frozen=True)
class RegisteredReference:
    """A type library referenced by its registered LibId (REFERENCEREGISTERED, [MS-OVBA] 2.3.4.2.2.5)."""

    name: str
    libid: str


@dataclass(frozen=True)
class ControlReference:
    """A twiddled type library reference (REFERENCECONTROL, [MS-OVBA] 2.3.4.2.2.3).

    Excel stores MSForms this way once a UserForm existed in the project.
    """

    name: str
    libid_original: str | None
    libid_twiddled: str
    extended_name: str | None
    libid_extended: str
    original_typelib: uuid.UUID
    cookie: int


VbaReference = Union[RegisteredReference, ControlReference]

# The two references a new Excel (64-bit Office 2016+) project carries; the VBA
# and Excel libraries are implicit and never listed.
STDOLE_REFERENCE = RegisteredReference(
    "stdole",
    r"*\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\Windows\System32\stdole2.tlb#OLE Automation",
)
OFFICE_REFERENCE = RegisteredReference(
    "Office",
    r"*\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\Program Files\Common Files"
    r"\Microsoft Shared\OFFICE16\MSO.DLL#Microsoft Office 16.0 Object Library",
)
DEFAULT_REFERENCES: tuple[VbaReference, ...] = (STDOLE_REFERENCE, OFFICE_REFERENCE)

# The document module bound to the workbook object; every other document
# module is a worksheet.  xlsxwriter's set_vba_name() defaults to this name.
WORKBOOK_CODE_NAME = "ThisWorkbook"
_WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
_WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"

# MODULETYPE ids, [MS-OVBA] 2.3.4.2.3.2.8: procedural vs. document/class.
PROCEDURAL_MODULE = 0x0021
DOCUMENT_OR_CLASS_MODULE = 0x0022

# PROJECTSYSKIND 3 = 64-bit Windows, what current Excel writes; Office
# recompiles from source for any other platform, so the value is not binding.
_SYS_KIND_WIN64 = 3
_LCID_EN_US = 0x0409
# PROJECTVERSION: any value is accepted; Office bumps it on every save.
_PROJECT_VERSION = (1, 0)
_COOKIE_ON_WRITE = 0xFFFF
_VBA_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_VERSION_COMPATIBLE_32 = "393222000"
# [MS-OVBA] 2.4.3.2 obfuscates CMG/DPB/GC with a random seed; a fixed seed and
# zero filler bytes keep the output reproducible.
_ENCRYPTION_SEED = 0xA5
# Plain values behind CMG, DPB and GC ([MS-OVBA] 2.3.1.15-17).
_UNPROTECTED = bytes(4)
_NO_PASSWORD = bytes(1)
_VISIBLE = b"\xff"

_VBA_IDENTIFIER = re.compile(r"[^\W\d_]\w{0,30}")


def read_bas_file(path: str | Path, code_page: int = 1252, encoding: str | None = None) -> VbaModule:
    """Load a standard module exported from the VBE, dropping its VB_Name header.

    The VBE exports in the project's code page; encoding overrides it for sources kept as UTF-8 text
    (the project stores them in its code page all the same).
    """
    text = Path(path).read_bytes().decode(encoding or _codec(code_page))
    first_line, _, rest = text.partition("\n")
    header = re.fullmatch(r'Attribute VB_Name = "([^"]+)"\r?', first_line)
    if header is None:
        raise ValueError(f"{path}: does not start with an 'Attribute VB_Name' line")
    return VbaModule(name=header.group(1), code=rest, kind="standard")


def module_source(module: VbaModule) -> str:
    """The full text stored in the module stream: attribute header plus code, CRLF line ends."""
    header = [f'Attribute VB_Name = "{module.name}"']
    if module.kind == "document":
        base = _WORKBOOK_BASE if module.name == WORKBOOK_CODE_NAME else _WORKSHEET_BASE
        header += [
            f'Attribute VB_Base = "{base}"',
            "Attribute VB_GlobalNameSpace = False",
            "Attribute VB_Creatable = False",
            "Attribute VB_PredeclaredId = True",
            "Attribute VB_Exposed = True",
            "Attribute VB_TemplateDerived = False",
            "Attribute VB_Customizable = True",
        ]
    return _crlf("\r\n".join(header) + "\r\n" + module.code)


def build_vba_project(
    modules: Sequence[VbaModule],
    project_name: str = "VBAProject",
    code_page: int = 1252,
    *,
    references: Sequence[VbaReference] = DEFAULT_REFERENCES,
    project_id: str | None = None,
) -> bytes:
    """Build the bytes of a source-only vbaProject.bin holding ``modules`` in this order.

    ``project_id`` is the GUID written to the PROJECT stream; by default it is
    derived from ``project_name`` so that builds are reproducible.
    """
    _check_names(project_name, modules)
    if project_id is None:
        project_id = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"vba-project:{project_name}")).upper() + "}"
    module_streams = {m.name: compress(module_source(m).encode(_codec(code_page))) for m in modules}
    vba_storage = {
        "_VBA_PROJECT": _vba_project_stream(),
        "dir": compress(_dir_stream(modules, project_name, code_page, references)),
        **module_streams,
    }
    return write_compound_file(
        {
            "VBA": vba_storage,
            "PROJECT": _project_stream(modules, project_name, project_id, code_page),
            "PROJECTwm": _project_wm_stream(modules, code_page),
        }
    )


def _check_names(project_name: str, modules: Sequence[VbaModule]) -> None:
    """Fail at build time on names the VBE would not accept, instead of in Excel."""
    for name in [project_name, *(m.name for m in modules)]:
        if not _VBA_IDENTIFIER.fullmatch(name):
            raise ValueError(f"{name!r} is not a valid VBA identifier (letter first, at most 31 characters)")
    seen: set[str] = set()
    for module in modules:
        if module.name.casefold() in seen:
            raise ValueError(f"duplicate module name {module.name!r}")
        seen.add(module.name.casefold())


def _codec(code_page: int) -> str:
    return f"cp{code_page}"


def _crlf(text: str) -> str:
    return re.sub(r"\r\n|\r|\n", "\r\n", text)


# --- VBA storage streams --------------------------------------------------


def _vba_project_stream() -> bytes:
    """_VBA_PROJECT with version 0xFFFF: no performance cache, compile from source ([MS-OVBA] 2.3.4.1)."""
    return struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001)


def _record(record_id: int, payload: bytes = b"") -> bytes:
    return struct.pack("<HI", record_id, len(payload)) + payload


def _u16(value: int) -> bytes:
    return struct.pack("<H", value)


def _u32(value: int) -> bytes:
    return struct.pack("<I", value)


def _dual_string(record_id: int, unicode_id: int, text: str, codec: str) -> bytes:
    """A record stored twice, in the project code page and in UTF-16."""
    return _record(record_id, text.encode(codec)) + _record(unicode_id, text.encode("utf-16-le"))


def _dir_stream(
    modules: Sequence[VbaModule], project_name: str, code_page: int, references: Sequence[VbaReference]
) -> bytes:
    """The uncompressed dir stream ([MS-OVBA] 2.3.4.2)."""
    codec = _codec(code_page)
    information = b"".join(
        [
            _record(0x0001, _u32(_SYS_KIND_WIN64)),
            _record(0x0002, _u32(_LCID_EN_US)),
            _record(0x0014, _u32(_LCID_EN_US)),
            _record(0x0003, _u16(code_page)),
            _record(0x0004, project_name.encode(codec)),
            _dual_string(0x0005, 0x0040, "", codec),
            _dual_string(0x0006, 0x003D, "", codec),
            _record(0x0007, _u32(0)),
            _record(0x0008, _u32(0)),
            struct.pack("<HIIH", 0x0009, 4, *_PROJECT_VERSION),
            _dual_string(0x000C, 0x003C, "", codec),
        ]
    )
    reference_records = b"".join(_reference_records(reference, codec) for reference in references)
    module_records = b"".join(_module_records(module, codec) for module in modules)
    return (
        information
        + reference_records
        + _record(0x000F, _u16(len(modules)))
        + _record(0x0013, _u16(_COOKIE_ON_WRITE))
        + module_records
        + _record(0x0010)
    )


def _libid(libid: str, codec: str) -> bytes:
    encoded = libid.encode(codec)
    return _u32(len(encoded)) + encoded


def _reference_records(reference: VbaReference, codec: str) -> bytes:
    name = _dual_string(0x0016, 0x003E, reference.name, codec)
    if isinstance(reference, RegisteredReference):
        return name + _record(0x000D, _libid(reference.libid, codec) + _u32(0) + _u16(0))
    original = b"" if reference.libid_original is None else _record(0x0033, reference.libid_original.encode(codec))
    extended_name = (
        b"" if reference.extended_name is None else _dual_string(0x0016, 0x003E, reference.extended_name, codec)
    )
    return (
        name
        + original
        + _record(0x002F, _libid(reference.libid_twiddled, codec) + _u32(0) + _u16(0))
        + extended_name
        + _record(
            0x0030,
            _libid(reference.libid_extended, codec)
            + _u32(0)
            + _u16(0)
            + reference.original_typelib.bytes_le
            + _u32(reference.cookie),
        )
    )


def _module_records(module: VbaModule, codec: str) -> bytes:
    """The MODULE records of [MS-OVBA] 2.3.4.2.3.2; the stream is named like the module."""
    type_id = PROCEDURAL_MODULE if module.kind == "standard" else DOCUMENT_OR_CLASS_MODULE
    return b"".join(
        [
            _dual_string(0x0019, 0x0047, module.name, codec),
            _dual_string(0x001A, 0x0032, module.name, codec),
            _dual_string(0x001C, 0x0048, "", codec),
            _record(0x0031, _u32(0)),
            _record(0x001E, _u32(0)),
            _record(0x002C, _u16(_COOKIE_ON_WRITE)),
            _record(type_id),
            _record(0x002B),
        ]
    )


# --- PROJECT and PROJECTwm streams ----------------------------------------


def _project_stream(modules: Sequence[VbaModule], project_name: str, project_id: str, code_page: int) -> bytes:
    """The text PROJECT stream ([MS-OVBA] 2.3.1) that lists the modules to the VBE."""
    codec = _codec(code_page)
    declarations = {
        "document": lambda name: f"Document={name}/&H00000000",
        "standard": lambda name: f"Module={name}",
        "class": lambda name: f"Class={name}",
    }
    lines = [
        f'ID="{project_id}"',
        *(declarations[m.kind](m.name) for m in modules),
        f'Name="{project_name}"',
        'HelpContextID="0"',
        f'VersionCompatible32="{_VERSION_COMPATIBLE_32}"',
        f'CMG="{_encrypt(project_id, _UNPROTECTED, codec)}"',
        f'DPB="{_encrypt(project_id, _NO_PASSWORD, codec)}"',
        f'GC="{_encrypt(project_id, _VISIBLE, codec)}"',
        "",
        "[Host Extender Info]",
        _VBA_HOST_EXTENDER,
        "",
        "[Workspace]",
        *(f"{m.name}=0, 0, 0, 0, C" for m in modules),
        "",
    ]
    return "".join(line + "\r\n" for line in lines).encode(codec)


def _encrypt(project_id: str, data: bytes, codec: str) -> str:
    """Data Encryption of [MS-OVBA] 2.4.3.2, as the hex string the PROJECT stream stores."""
    version = 2
    project_key = sum(project_id.encode(codec)) & 0xFF
    version_enc = _ENCRYPTION_SEED ^ version
    project_key_enc = _ENCRYPTION_SEED ^ project_key
    out = bytearray([_ENCRYPTION_SEED, version_enc, project_key_enc])
    unencrypted_1, encrypted_1, encrypted_2 = project_key, project_key_enc, version_enc
    ignored = bytes((_ENCRYPTION_SEED & 6) // 2)
    for byte in ignored + _u32(len(data)) + data:
        byte_enc = byte ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        out.append(byte_enc)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    return out.hex().upper()


def _project_wm_stream(modules: Sequence[VbaModule], code_page: int) -> bytes:
    """PROJECTwm maps code-page module names to their Unicode form ([MS-OVBA] 2.3.3)."""
    codec = _codec(code_page)
    pairs = b"".join(m.name.encode(codec) + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00" for m in modules)
    return pairs + b"\x00\x00"


# --- Compression ([MS-OVBA] 2.4.1) -----------------------------------------

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
                body += _u16(((offset - 1) << (16 - bit_count)) | (length - 3))
                body[flag_index] |= 1 << bit
            else:
                length = 1
                body.append(chunk[position])
            for start in range(position, min(position + length, len(chunk) - 2)):
                earlier_positions.setdefault(chunk[start : start + 3], []).append(start)
            position += length
    if len(body) + 2 > _MAX_COMPRESSED_CHUNK:
        # Incompressible: a raw chunk, always 4096 bytes long (2.4.1.3.10).
        return _u16(0x3000 | (_MAX_COMPRESSED_CHUNK - 3)) + chunk.ljust(_CHUNK_SIZE, b"\x00")
    return _u16(0x8000 | 0x3000 | (len(body) + 2 - 3)) + bytes(body)


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


# --- Reading the dir and PROJECT streams back -------------------------------


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
    codec = _codec(code_page)

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
    for line in data.decode(_codec(code_page)).splitlines():
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


# --- Compound File Binary writer ([MS-CFB], version 3) ---------------------

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
