"""The VBA project writer must produce what real readers (olevba, olefile, LibreOffice) and Excel's own files agree on."""

from __future__ import annotations

import io
import random
import re
import shutil
import zipfile
from pathlib import Path

import olefile
import pytest
import xlsxwriter
import xlwings
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser

from tests.libreoffice import recalculated_copy
from tyollisyys_xl.master.compound_file import write_compound_file
from tyollisyys_xl.master.vba_compression import compress, decompress
from tyollisyys_xl.master.vba_project import (
    DOCUMENT_OR_CLASS_MODULE,
    PROCEDURAL_MODULE,
    VbaModule,
    build_vba_project,
    module_source,
    read_bas_file,
)
from tyollisyys_xl.master.vba_reading import parse_dir_stream, parse_project_stream, workbook_code_names

XLWINGS_DIR = Path(xlwings.__file__).parent
XLWINGS_BAS = XLWINGS_DIR / "xlwings.bas"
# Saved by Excel, then stripped to source only by xlwings (_VBA_PROJECT version 0xFFFF).
EXCEL_WORKBOOK = XLWINGS_DIR / "quickstart_standalone.xlsm"
NOSTREAM = 0xFFFFFFFF
RED = 0


# As exported in a .cls after its BEGIN ... END block: the class brings its own instancing attributes.
CLASS_CODE = (
    'Attribute VB_Base = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"\r\n'
    "Attribute VB_GlobalNameSpace = False\r\n"
    "Attribute VB_Creatable = False\r\n"
    "Attribute VB_PredeclaredId = False\r\n"
    "Attribute VB_Exposed = False\r\n"
    "Option Explicit\r\n"
    "Private m_count As Long\r\n"
    "Public Sub Lisaa()\r\n"
    "    m_count = m_count + 1\r\n"
    "End Sub\r\n"
)


def lf(text: str) -> str:
    return re.sub(r"\r\n?", "\n", text)


@pytest.fixture(scope="module")
def modules() -> list[VbaModule]:
    return [
        VbaModule("ThisWorkbook", "Private Sub Workbook_Open()\r\n    Sheet1.Activate\r\nEnd Sub\r\n", "document"),
        VbaModule("Sheet1", "", "document"),
        VbaModule("Sheet2", "", "document"),
        VbaModule(
            "Tyollisyys",
            'Option Explicit\n\nPublic Sub Tervehdi()\n    MsgBox "Työllisyysohjelma 2026: hyvää päivää"\nEnd Sub\n',
            "standard",
        ),
        VbaModule("Laskuri", CLASS_CODE, "class"),
        read_bas_file(XLWINGS_BAS),
    ]


@pytest.fixture(scope="module")
def vba_bin(modules: list[VbaModule]) -> bytes:
    return build_vba_project(modules)


@pytest.fixture(scope="module")
def xlsm(tmp_path_factory: pytest.TempPathFactory, vba_bin: bytes) -> Path:
    path = tmp_path_factory.mktemp("xlsm") / "vba_project_test.xlsm"
    workbook = xlsxwriter.Workbook(path)
    workbook.set_vba_name("ThisWorkbook")
    for code_name in ("Sheet1", "Sheet2"):
        worksheet = workbook.add_worksheet()
        worksheet.set_vba_name(code_name)
        worksheet.write("A1", code_name)
    workbook.add_vba_project(io.BytesIO(vba_bin), is_stream=True)
    workbook.close()
    return path


def excel_project() -> olefile.OleFileIO:
    return olefile.OleFileIO(zipfile.ZipFile(EXCEL_WORKBOOK).read("xl/vbaProject.bin"))


def module_kinds(project_stream: dict[str, list[tuple[str, str]]]) -> dict[str, str]:
    """Module name -> kind, from the Document=/Module=/Class= lines of a PROJECT stream."""
    kinds = {"Document": "document", "Module": "standard", "Class": "class"}
    return {value.split("/")[0]: kinds[key] for key, value in project_stream[""] if key in kinds}


def decrypt(hex_text: str, project_id: str) -> bytes:
    """Data Decryption of [MS-OVBA] 2.4.3.3, checking the version and project key on the way."""
    encrypted = bytes.fromhex(hex_text)
    seed, version_enc, project_key_enc = encrypted[:3]
    assert seed ^ version_enc == 2
    assert seed ^ project_key_enc == sum(project_id.encode("cp1252")) & 0xFF
    unencrypted_1, encrypted_1, encrypted_2 = seed ^ project_key_enc, project_key_enc, version_enc
    plain = bytearray()
    for byte_enc in encrypted[3:]:
        byte = byte_enc ^ ((encrypted_2 + unencrypted_1) & 0xFF)
        plain.append(byte)
        encrypted_2, encrypted_1, unencrypted_1 = encrypted_1, byte_enc, byte
    ignored = (seed & 6) // 2
    length = int.from_bytes(plain[ignored : ignored + 4], "little")
    data = bytes(plain[ignored + 4 :])
    assert len(data) == length
    return data


def black_height(ole: olefile.OleFileIO, sid: int, parent_is_red: bool = False) -> int:
    """Black height of a directory subtree, asserting the red-black rules on the way."""
    if sid == NOSTREAM:
        return 1
    entry = ole.direntries[sid]
    is_red = entry.color == RED
    assert not (is_red and parent_is_red), f"red entry {entry.name!r} has a red parent"
    left, right = black_height(ole, entry.sid_left, is_red), black_height(ole, entry.sid_right, is_red)
    assert left == right, f"unbalanced black height below {entry.name!r}"
    return left + (0 if is_red else 1)


def sibling_names(ole: olefile.OleFileIO, sid: int) -> list[str]:
    """In-order names of a sibling tree, i.e. the order a CFB reader searches in."""
    if sid == NOSTREAM:
        return []
    entry = ole.direntries[sid]
    return [*sibling_names(ole, entry.sid_left), entry.name, *sibling_names(ole, entry.sid_right)]


def assert_valid_directory_trees(ole: olefile.OleFileIO) -> None:
    for entry in ole.direntries:
        if entry is None or entry.entry_type == olefile.STGTY_STREAM:
            continue
        assert black_height(ole, entry.sid_child) >= 1
        names = sibling_names(ole, entry.sid_child)
        assert names == sorted(names, key=lambda name: (len(name), name.upper()))
    assert ole.direntries[0].color != RED


# --- olevba / olefile reading what we wrote ---------------------------------


def test_olevba_reads_back_every_module_source(xlsm: Path, modules: list[VbaModule]) -> None:
    parser = VBA_Parser(str(xlsm), relaxed=False)
    extracted = [(stream_path, filename, code) for _, stream_path, filename, code in parser.extract_macros()]

    extensions = {"document": "cls", "class": "cls", "standard": "bas"}
    assert [(path, name) for path, name, _ in extracted] == [
        (f"VBA/{m.name}", f"{m.name}.{extensions[m.kind]}") for m in modules
    ]
    for module, (_, _, source) in zip(modules, extracted):
        header = module_source(VbaModule(module.name, "", module.kind))
        assert source.startswith(header)
        assert lf(source[len(header) :]) == lf(module.code)
        assert "\n" not in source.replace("\r\n", "")


def test_compound_file_is_what_olefile_reads(vba_bin: bytes, modules: list[VbaModule]) -> None:
    ole = olefile.OleFileIO(vba_bin)

    assert (ole.dll_version, ole.sector_size, ole.mini_sector_size, ole.mini_stream_cutoff_size) == (3, 512, 64, 4096)
    assert len(vba_bin) % 512 == 0
    assert sorted(ole.listdir()) == sorted(
        [["PROJECT"], ["PROJECTwm"], ["VBA", "_VBA_PROJECT"], ["VBA", "dir"], *(["VBA", m.name] for m in modules)]
    )
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("cc61ffff000100")
    sizes = {m.name: ole.get_size(f"VBA/{m.name}") for m in modules}
    assert sizes["xlwings"] >= 4096 > sizes["Tyollisyys"], "both the FAT and the mini FAT path are exercised"
    for module in modules:
        stored = decompress(ole.openstream(f"VBA/{module.name}").read())
        assert stored == module_source(module).encode("cp1252")
    assert_valid_directory_trees(ole)


def test_dir_and_project_streams_describe_the_modules(vba_bin: bytes, modules: list[VbaModule]) -> None:
    ole = olefile.OleFileIO(vba_bin)
    directory = parse_dir_stream(decompress(ole.openstream("VBA/dir").read()))
    project = parse_project_stream(ole.openstream("PROJECT").read())

    assert (directory.project_name, directory.code_page, directory.lcid, directory.lcid_invoke) == (
        "VBAProject",
        1252,
        0x409,
        0x409,
    )
    assert [reference.name for reference in directory.references] == ["stdole", "Office"]
    assert [(m.name, m.stream_name, m.text_offset, m.type_id) for m in directory.modules] == [
        (m.name, m.name, 0, PROCEDURAL_MODULE if m.kind == "standard" else DOCUMENT_OR_CLASS_MODULE) for m in modules
    ]
    assert module_kinds(project) == {m.name: m.kind for m in modules}
    properties = dict(project[""])
    project_id = properties["ID"].strip('"')
    assert decrypt(properties["CMG"].strip('"'), project_id) == bytes(4)
    assert decrypt(properties["DPB"].strip('"'), project_id) == b"\x00"
    assert decrypt(properties["GC"].strip('"'), project_id) == b"\xff"
    assert [key for key, _ in project["Workspace"]] == [m.name for m in modules]
    wm = ole.openstream("PROJECTwm").read()
    assert wm.startswith(b"ThisWorkbook\x00" + "ThisWorkbook".encode("utf-16-le") + b"\x00\x00")
    assert wm.endswith(b"xlwings\x00" + "xlwings".encode("utf-16-le") + b"\x00\x00\x00\x00")


def test_workbook_code_names_match_the_document_modules(xlsm: Path, modules: list[VbaModule]) -> None:
    assert workbook_code_names(xlsm) == [m.name for m in modules if m.kind == "document"]


# --- Golden comparison with a project Excel wrote --------------------------


def test_rebuilding_excels_project_gives_the_same_records() -> None:
    excel = excel_project()
    excel_dir = parse_dir_stream(decompress(excel.openstream("VBA/dir").read()))
    excel_project_stream = parse_project_stream(excel.openstream("PROJECT").read(), excel_dir.code_page)
    kinds = module_kinds(excel_project_stream)
    sources = {Path(path).name: code for _, path, _, code in VBA_Parser(str(EXCEL_WORKBOOK)).extract_macros()}
    assert set(kinds) == {"ThisWorkbook", "Sheet1", "Sheet2", "Module1", "xlwings", "Dictionary"}

    modules = []
    for record in excel_dir.modules:
        header = lf(module_source(VbaModule(record.name, "", kinds[record.name])))
        source = lf(sources[record.name])
        assert source.startswith(header), f"{record.name}: our attribute header differs from Excel's"
        modules.append(VbaModule(record.name, source[len(header) :], kinds[record.name]))
    excel_id = dict(excel_project_stream[""])["ID"].strip('"')
    rebuilt = olefile.OleFileIO(
        build_vba_project(
            modules,
            excel_dir.project_name,
            excel_dir.code_page,
            references=excel_dir.references,
            project_id=excel_id,
        )
    )
    ours = parse_dir_stream(decompress(rebuilt.openstream("VBA/dir").read()))
    our_project_stream = parse_project_stream(rebuilt.openstream("PROJECT").read(), ours.code_page)

    def project_fields(d):
        return (d.sys_kind, d.lcid, d.lcid_invoke, d.code_page, d.project_name, d.docstring, d.help_file)

    assert project_fields(ours) == project_fields(excel_dir)
    assert (ours.help_context, ours.lib_flags, ours.constants) == (excel_dir.help_context, excel_dir.lib_flags, "")
    assert ours.references == excel_dir.references
    assert [reference.name for reference in ours.references] == ["MSForms", "Office"]

    def module_fields(d):
        return [(m.name, m.stream_name, m.type_id, m.help_context, m.read_only, m.private) for m in d.modules]

    assert module_fields(ours) == module_fields(excel_dir)
    assert all(m.text_offset == 0 for m in ours.modules)

    excel_properties, our_properties = excel_project_stream[""], our_project_stream[""]
    assert [p for p in our_properties if p[0] not in ("CMG", "DPB", "GC")] == [
        p for p in excel_properties if p[0] not in ("CMG", "DPB", "GC")
    ]
    for key in ("CMG", "DPB", "GC"):
        ours_plain = decrypt(dict(our_properties)[key].strip('"'), excel_id)
        assert ours_plain == decrypt(dict(excel_properties)[key].strip('"'), excel_id)
    assert our_project_stream["Host Extender Info"] == excel_project_stream["Host Extender Info"]
    assert [key for key, _ in our_project_stream["Workspace"]] == [key for key, _ in excel_project_stream["Workspace"]]

    for record, our_record in zip(excel_dir.modules, ours.modules):
        excel_source = decompress(excel.openstream(f"VBA/{record.stream_name}").read()[record.text_offset :])
        our_source = decompress(rebuilt.openstream(f"VBA/{our_record.stream_name}").read())
        assert lf(our_source.decode("cp1252")) == lf(excel_source.decode("cp1252")), record.name


def test_excel_workbook_code_names_match_its_document_modules() -> None:
    excel = excel_project()
    excel_dir = parse_dir_stream(decompress(excel.openstream("VBA/dir").read()))
    kinds = module_kinds(parse_project_stream(excel.openstream("PROJECT").read()))
    documents = [m.name for m in excel_dir.modules if kinds[m.name] == "document"]

    assert workbook_code_names(EXCEL_WORKBOOK) == documents == ["ThisWorkbook", "Sheet1", "Sheet2"]


def test_read_bas_file_strips_only_the_name_header(tmp_path: Path) -> None:
    module = read_bas_file(XLWINGS_BAS)
    text = XLWINGS_BAS.read_bytes().decode("cp1252")

    assert (module.name, module.kind) == ("xlwings", "standard")
    assert text == 'Attribute VB_Name = "xlwings"\r\n' + module.code
    not_a_module = tmp_path / "plain.bas"
    not_a_module.write_text("Sub X()\r\nEnd Sub\r\n")
    with pytest.raises(ValueError, match="VB_Name"):
        read_bas_file(not_a_module)


@pytest.mark.parametrize("bad_name", ["1st", "Has Space", "x" * 32, ""])
def test_invalid_module_names_are_rejected(bad_name: str) -> None:
    with pytest.raises(ValueError, match="identifier"):
        build_vba_project([VbaModule(bad_name, "", "standard")])


def test_duplicate_module_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        build_vba_project([VbaModule("Sheet1", "", "document"), VbaModule("SHEET1", "", "standard")])


# --- Compression -------------------------------------------------------------

# [MS-OVBA] 3.2.1-3.2.3.
SPEC_EXAMPLES = [
    (
        b"abcdefghijklmnopqrstuv.",
        "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E",
    ),
    (
        b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
        "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 20 6D 6E 6F 70"
        " 06 71 02 70 04 00 72 73 74 75 76 10 77 78 79 7A 00 2C",
    ),
    (b"a" * 73, "01 03 B0 02 61 45 00"),
]


@pytest.mark.parametrize(("plain", "compressed_hex"), SPEC_EXAMPLES)
def test_spec_compression_examples(plain: bytes, compressed_hex: str) -> None:
    assert compress(plain) == bytes.fromhex(compressed_hex)
    assert decompress(bytes.fromhex(compressed_hex)) == plain


VBA_LINES = st.sampled_from(
    ["Option Explicit", "Sub Laske()", "    Dim i As Long", "    i = i + 1", "End Sub", "' työllisyys", ""]
)
COMPRESSIBLE = st.one_of(
    st.text().map(lambda text: text.encode("utf-8")),
    st.lists(VBA_LINES, max_size=1500).map(lambda lines: "\r\n".join(lines).encode("cp1252")),
    st.tuples(st.binary(min_size=1, max_size=60), st.integers(1, 400)).map(lambda pair: pair[0] * pair[1]),
)


@settings(deadline=None, max_examples=150)
@given(COMPRESSIBLE)
def test_compression_round_trips(data: bytes) -> None:
    assert decompress(compress(data)) == data


@settings(deadline=None, max_examples=50)
@given(st.binary(max_size=20_000))
def test_any_bytes_round_trip_up_to_raw_chunk_padding(data: bytes) -> None:
    """A raw (incompressible) chunk is always 4096 bytes long, so the format pads a short last one with zeros."""
    restored = decompress(compress(data))
    assert restored[: len(data)] == data
    assert not any(restored[len(data) :])


@settings(deadline=None, max_examples=40)
@given(st.one_of(st.integers(0, 3 * 4096 + 2), st.sampled_from([4095, 4096, 4097, 4000, 8191, 8192, 8193])), st.integers(0, 2**32))
def test_random_bytes_of_any_length_round_trip(length: int, seed: int) -> None:
    """Random bytes hardly compress: a chunk of them is stored raw, always 4096 bytes, the last one padded with
    zeros. The container must decompress to the bytes (and any padding), at and around the chunk size."""
    data = random.Random(seed).randbytes(length)
    restored = decompress(compress(data))
    assert restored[:length] == data
    assert restored[length:] in (b"", bytes(-length % 4096))


def test_4000_random_bytes_round_trip() -> None:
    data = random.Random(4000).randbytes(4000)
    assert decompress(compress(data)) == data + bytes(96)


def test_repetitive_input_is_stored_as_copy_tokens() -> None:
    source = ("    Range(\"A1\").Value = Range(\"B1\").Value\r\n" * 400).encode("cp1252")
    compressed = compress(source)

    assert len(compressed) < len(source) / 8
    chunk_header = int.from_bytes(compressed[1:3], "little")
    assert chunk_header & 0x8000, "chunks are flagged compressed"
    assert decompress(compressed) == source


def test_real_module_source_compresses() -> None:
    source = XLWINGS_BAS.read_bytes()
    assert len(compress(source)) < len(source) * 0.6


def test_incompressible_chunk_is_stored_raw() -> None:
    noise = random.Random(2026).randbytes(4096)
    compressed = compress(noise)

    assert compressed[1:3] == b"\xff\x3f"  # size 4095 + 3, signature 0b011, flag 0 = raw
    assert compressed[3:] == noise
    assert decompress(compressed) == noise


@pytest.mark.parametrize(
    ("container", "message"),
    [
        (b"", "signature byte"),
        (b"\x00\x19\xb0", "signature byte"),
        (b"\x01\x19\x00\x61", "chunk header"),
        (b"\x01\x19\xb0\x00\x61", "chunk header"),
        (b"\x01\x02\xb0\x01\x00\x00", "before the start"),
    ],
    ids=["empty", "bad signature", "bad chunk signature", "truncated chunk", "copy before chunk start"],
)
def test_decompress_rejects_malformed_input(container: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        decompress(container)


# --- Compound file writer ------------------------------------------------------


def test_compound_file_sibling_trees_are_red_black() -> None:
    children = {f"Stream{index:02d}": bytes([index]) * (index * 300) for index in range(1, 21)}
    data = write_compound_file({"Storage": children, "Big": b"x" * 10_000, "Small": b"y"})
    ole = olefile.OleFileIO(data)

    assert any(entry.color == RED for entry in ole.direntries if entry is not None)
    assert_valid_directory_trees(ole)
    for name, content in children.items():
        assert ole.openstream(f"Storage/{name}").read() == content
    assert ole.openstream("Big").read() == b"x" * 10_000
    assert ole.openstream("Small").read() == b"y"


# --- Determinism ----------------------------------------------------------------


def test_same_sources_build_identical_bytes(modules: list[VbaModule], vba_bin: bytes) -> None:
    copies = [VbaModule(m.name, str(m.code), m.kind) for m in modules]
    assert build_vba_project(copies) == vba_bin


# --- LibreOffice ------------------------------------------------------------------


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not on PATH")
def test_libreoffice_opens_the_workbook_and_imports_the_modules(
    xlsm: Path, modules: list[VbaModule], tmp_path: Path
) -> None:
    recalculated_copy(xlsm, tmp_path, "xlsx")
    ods = recalculated_copy(xlsm, tmp_path, "ods")

    with zipfile.ZipFile(ods) as archive:
        basic_modules = {
            Path(name).stem: archive.read(name).decode("utf-8")
            for name in archive.namelist()
            if name.startswith("Basic/") and not Path(name).name.startswith("script-")
        }
    assert {m.name for m in modules} <= set(basic_modules)
    assert "Työllisyysohjelma 2026: hyvää päivää" in basic_modules["Tyollisyys"]
    assert "Sub Workbook_Open()" in basic_modules["ThisWorkbook"]
    assert "Function GetConfigFromSheet" in basic_modules["xlwings"]
    module_types = {"document": "document", "standard": "normal", "class": "class"}
    for module in modules:
        assert f'script:moduleType="{module_types[module.kind]}"' in basic_modules[module.name], module.name
