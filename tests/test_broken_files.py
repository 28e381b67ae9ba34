"""Broken files and broken sheets: never a traceback, always one clear finding (or one clear read error)."""

from __future__ import annotations

import json
import zipfile

import openpyxl
import pytest
from msoffcrypto.format.ooxml import OOXMLFile
from openpyxl.styles import PatternFill
from zip_tools import replace_bytes

from tyollisyys_xl.cli import main
from tyollisyys_xl.core.findings import ERROR, WARNING
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.io.errors import WorkbookReadError
from tyollisyys_xl.pipeline import load


def edited(source, tmp_path, edit, name="muokattu.xlsm"):
    path = tmp_path / name
    book = openpyxl.load_workbook(source, keep_vba=True)
    edit(book)
    book.save(path)
    return path


@pytest.fixture(scope="module")
def demo_baseline(demo_path):
    return set(load(demo_path).findings)


def new_findings(result, baseline):
    return [f for f in result.findings if f not in baseline]


# --- files that cannot be read ------------------------------------------------------------------


def write_bytes(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def not_a_zip(tmp_path, demo_path):
    return write_bytes(tmp_path, "teksti.xlsm", "Mittari;Kuukausi\nM01;3/2026\n".encode())


def empty_file(tmp_path, demo_path):
    return write_bytes(tmp_path, "tyhja.xlsm", b"")


def zip_without_workbook(tmp_path, demo_path):
    path = tmp_path / "paketti.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("muistio.txt", "ei työkirja")
    return path


def encrypted(tmp_path, demo_path):
    path = tmp_path / "salattu.xlsm"
    with open(demo_path, "rb") as plain, open(path, "wb") as out:
        OOXMLFile(plain).encrypt("salasana", out)
    return path


def truncated(tmp_path, demo_path):
    return write_bytes(tmp_path, "katkennut.xlsm", demo_path.read_bytes()[: demo_path.stat().st_size // 2])


def corrupt_inside(tmp_path, demo_path):
    data = bytearray(demo_path.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 2000] = bytes(2000)
    return write_bytes(tmp_path, "vioittunut.xlsm", bytes(data))


def missing(tmp_path, demo_path):
    return tmp_path / "ei-ole.xlsm"


def directory(tmp_path, demo_path):
    return tmp_path


@pytest.mark.parametrize(
    "make, words",
    [
        (not_a_zip, "ei ole Excel-työkirja"),
        (empty_file, "tyhjä"),
        (zip_without_workbook, "ei ole Excel-työkirjaa"),
        (encrypted, "salasanalla"),
        (truncated, "katkennut"),
        (corrupt_inside, "vioittunut"),
        (missing, "Tiedostoa ei ole"),
        (directory, "ei ole tiedosto"),
    ],
)
def test_unreadable_files_raise_one_finnish_error(make, words, tmp_path, demo_path):
    path = make(tmp_path, demo_path)
    with pytest.raises(WorkbookReadError) as caught:
        load(path)
    assert words in caught.value.message
    assert caught.value.path == str(path)


# --- sheets with a broken shape -----------------------------------------------------------------


def test_missing_sheet(demo_path, tmp_path):
    path = edited(demo_path, tmp_path, lambda book: book.remove(book["Sidonnat"]))
    errors = load(path).errors
    assert [(f.rule, f.sheet, f.cell) for f in errors] == [("VALILEHTI_PUUTTUU", "Sidonnat", None)]


def test_renamed_column_is_reported_once_and_still_read(demo_path, demo_baseline, tmp_path):
    def rename(book):
        book["Toteumat"]["D1"] = "Arvo (kpl)"

    result = load(edited(demo_path, tmp_path, rename))
    findings = new_findings(result, demo_baseline)
    assert [(f.severity, f.rule, f.address, f.column) for f in findings] == [(ERROR, "SARAKE_NIMETTY", "Toteumat!D1", "Arvo")]
    assert "”Arvo (kpl)”" in findings[0].message
    assert result.tables.entries["value"].notna().sum() > 100


def test_missing_optional_column(demo_path, demo_baseline, tmp_path):
    result = load(edited(demo_path, tmp_path, lambda book: book["Toteumat"].delete_cols(7)))  # Lähde
    findings = new_findings(result, demo_baseline)
    assert [(f.severity, f.rule, f.column) for f in findings] == [(WARNING, "SARAKE_PUUTTUU", "Lähde")]
    entries = result.tables.entries
    assert len(entries) > 100 and entries["source"].isna().all()


def test_missing_required_column(demo_path, demo_baseline, tmp_path):
    path = edited(demo_path, tmp_path, lambda book: book["Toteumat"].delete_cols(3))  # Kunta
    findings = new_findings(result := load(path), demo_baseline)
    assert [(f.severity, f.rule, f.column) for f in findings] == [(ERROR, "SARAKE_PUUTTUU", "Kunta")]
    assert result.tables.entries.empty


def test_extra_column(demo_path, demo_baseline, tmp_path):
    def add(book):
        book["Toteumat"]["I1"] = "Oma muistiinpano"
        book["Toteumat"]["I2"] = "tarkista"

    findings = new_findings(load(edited(demo_path, tmp_path, add)), demo_baseline)
    assert [(f.severity, f.rule, f.address) for f in findings] == [(WARNING, "SARAKE_YLIMAARAINEN", "Toteumat!I1")]


def test_title_row_above_the_table_is_fine(demo_path, demo_baseline, tmp_path):
    def insert_title(book):
        book["Kunnat"].insert_rows(1)
        book["Kunnat"]["A1"] = "Työllisyysalueen kunnat"

    result = load(edited(demo_path, tmp_path, insert_title))
    assert new_findings(result, demo_baseline) == []
    assert list(result.tables.municipalities["_row"]) == list(range(3, 11))


def test_sheet_without_headers(demo_path, tmp_path):
    def scramble(book):
        ws = book["Kustannuskohteet"]
        ws.delete_rows(1, ws.max_row)
        ws["A1"] = "siivottu"

    errors = load(edited(demo_path, tmp_path, scramble)).errors
    assert [(f.rule, f.address) for f in errors] == [("OTSIKKORIVI", "Kustannuskohteet!A1")]


def test_merged_cells(demo_path, demo_baseline, tmp_path):
    findings = new_findings(load(edited(demo_path, tmp_path, lambda book: book["Toteumat"].merge_cells("G3:H3"))), demo_baseline)
    assert [(f.severity, f.rule, f.address) for f in findings] == [(ERROR, "YHDISTETYT_SOLUT", "Toteumat!G3")]
    assert "G3:H3" in findings[0].message


def test_hidden_rows(demo_path, demo_baseline, tmp_path):
    def hide(book):
        for row in (5, 6, 7, 20):
            book["Toteumat"].row_dimensions[row].hidden = True

    findings = new_findings(load(edited(demo_path, tmp_path, hide)), demo_baseline)
    assert [(f.severity, f.rule, f.address) for f in findings] == [(WARNING, "PIILOTETUT_RIVIT", "Toteumat!A5")]
    assert "rivit 5–7, 20" in findings[0].message


def test_thousands_of_formatted_empty_rows(demo_path, demo_baseline, tmp_path):
    def format_rows(book):
        ws = book["Maksatukset"]
        fill = PatternFill("solid", fgColor="FFFF00")
        for row in range(ws.max_row + 1, 8000):
            ws.cell(row, 1).fill = fill

    findings = new_findings(result := load(edited(demo_path, tmp_path, format_rows)), demo_baseline)
    assert [(f.severity, f.rule, f.sheet) for f in findings] == [(WARNING, "TYHJAT_RIVIT", "Maksatukset")]
    assert "7999" in findings[0].message
    assert result.tables.payments["_row"].max() < 1000


# --- characters XML 1.0 does not allow ------------------------------------------------------------------

MARKER = "MERKKI_TASSA"


@pytest.fixture(scope="module")
def marked(demo_path, tmp_path_factory):
    """The demo with a unique marker text in Toteumat!G5 (Lähde), to be turned into a bad character at zip level."""
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    book["Toteumat"]["G5"] = MARKER
    path = tmp_path_factory.mktemp("marked") / "merkitty.xlsm"
    book.save(path)
    return path.read_bytes()


CHARACTERS = {"\x00": "U+0000", "\x01": "U+0001", "\x1f": "U+001F", "\ufffe": "U+FFFE"}
FORMS = {
    "raw": lambda ch: ch.encode("utf-8"),  # not well-formed XML, as a careless tool writes it
    "escaped": lambda ch: f"_x{ord(ch):04X}_".encode(),  # as Excel itself writes a control character
}


def bad_character_cases():
    for ch, code in CHARACTERS.items():
        for form in FORMS:
            if form == "escaped" and ch == "\ufffe":
                continue  # _xFFFE_ is read as the text it is
            yield pytest.param(ch, code, form, id=f"{form}-{code}")


@pytest.mark.parametrize("character, code, form", list(bad_character_cases()))
def test_a_bad_character_is_the_same_finding_in_validate_and_report(marked, tmp_path, capsys, character, code, form):
    path = tmp_path / "merkki.xlsm"
    path.write_bytes(replace_bytes(marked, MARKER.encode(), b"MERKKI" + FORMS[form](character) + b"TASSA"))
    assert main(["validate", str(path), "--format", "json"]) == 1
    findings = [f for f in json.loads(capsys.readouterr().out) if f["rule"] == Rule.OHJAUSMERKKI.code]
    assert [(f["address"], f["severity"]) for f in findings] == [("Toteumat!G5", ERROR)]
    assert code in findings[0]["message"] and "MERKKI" not in findings[0]["message"]

    out = tmp_path / "raportti.xlsx"
    assert main(["report", str(path), "--out", str(out)]) == 0
    rows = openpyxl.load_workbook(out, read_only=True)["Tarkistus"].iter_rows(values_only=True)
    listed = [row for row in rows if row[4] == Rule.OHJAUSMERKKI.code]
    assert len(listed) == 1 and listed[0][1] == "Toteumat" and "G5" in str(listed[0][2]) and code in listed[0][5]
