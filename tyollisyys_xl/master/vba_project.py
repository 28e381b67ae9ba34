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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Union

from tyollisyys_xl.master.compound_file import write_compound_file
from tyollisyys_xl.master.vba_compression import compress

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
    text = Path(path).read_bytes().decode(encoding or codec_for(code_page))
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
    module_streams = {m.name: compress(module_source(m).encode(codec_for(code_page))) for m in modules}
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


def codec_for(code_page: int) -> str:
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
    codec = codec_for(code_page)
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
    codec = codec_for(code_page)
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
    codec = codec_for(code_page)
    pairs = b"".join(m.name.encode(codec) + b"\x00" + m.name.encode("utf-16-le") + b"\x00\x00" for m in modules)
    return pairs + b"\x00\x00"
