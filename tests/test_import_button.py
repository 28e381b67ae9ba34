"""The button Tuo kuntien lomakkeet: its macro and place on Ohjaus, and its entry point on xlwings' remote engine
(real forms collected into the open workbook's tables, the same checks as `collect`, constant calls)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from oletools.olevba import VBA_Parser
from remote_book import actions, book_json, remote_book
from test_forms import edit_form
from workbook_edit import input_rows

import xlwings as xw
from tyollisyys_xl import excel
from tyollisyys_xl.cli import main
from tyollisyys_xl.master.text_sheets import IMPORT_BUTTON, IMPORT_FOLDER_NAME
from tyollisyys_xl.master.collect import form_paths

WRITES = {"setValues", "rangeClearContents", "rangeClear", "rangeDelete", "rangeInsert", "resizeTable"}


def test_the_macro_picks_a_folder_and_hands_it_over_through_a_named_cell(master_path):
    parser = VBA_Parser(str(master_path))
    code = {name: text for _, _, name, text in parser.extract_macros()}["Tyollisyys.bas"]
    parser.close()
    assert f"Public Sub {IMPORT_BUTTON.macro}()" in code
    assert 'RunPython "import tyollisyys_xl.excel as t; t.import_forms()"' in code
    assert "Application.FileDialog(4)" in code and "ThisWorkbook.Path" in code
    assert f'ThisWorkbook.Names("{IMPORT_FOLDER_NAME}").RefersToRange.Value = folder' in code
    assert IMPORT_FOLDER_NAME == excel.IMPORT_FOLDER_NAME
    book = openpyxl.load_workbook(master_path)
    assert book.defined_names[IMPORT_FOLDER_NAME].attr_text.startswith("Ohjaus!$C$")
    with zipfile.ZipFile(master_path) as archive:
        drawings = "".join(archive.read(n).decode() for n in archive.namelist() if n.endswith(".vml"))
    assert IMPORT_BUTTON.macro in drawings and IMPORT_BUTTON.caption in drawings


@pytest.fixture(scope="module")
def demo10_path(master_path, tmp_path_factory):
    from tyollisyys_xl.master.demo import make_demo

    return make_demo(master_path, tmp_path_factory.mktemp("tuonti10") / "demo10.xlsm", scale=10, seed=1)


def returned_forms(master: Path, folder: Path) -> list[Path]:
    """November forms of every municipality; the real area's eight each with a new figure and a changed one, and
    the service costs of November where a form asks for them (so both tables grow)."""
    assert main(["forms", str(master), "--out", str(folder / "lähteneet"), "--month", "11"]) == 0
    back = folder / "palautetut"
    back.mkdir()
    rows = input_rows(master)
    towns = [r["name"] for r in rows["kunnat"]][:8]
    for path in form_paths(folder / "lähteneet"):
        if path.stem not in towns:
            shutil.copy(path, back / path.name)
            continue
        edit_form(path, back / path.name, {("M06", "arvo", 11): 500, ("M06", "arvo", 3): 401})
        book = openpyxl.load_workbook(back / path.name)
        if "Palvelukustannukset" in book.sheetnames:
            book["Palvelukustannukset"]["M6"] = 1234.5  # the first cost object, 11/2026 (columns C..M: 1..11)
            book.save(back / path.name)
    return form_paths(back)


def press(path: Path, forms: list[Path]) -> tuple[list[dict], object]:
    book = remote_book(path)
    result = excel.import_forms(book, paths=forms)
    return actions(book), result


def test_collects_into_the_open_workbooks_tables(demo_path, tmp_path):
    forms = returned_forms(demo_path, tmp_path)
    done, results = press(demo_path, forms)
    assert [r.municipality for r in results] == sorted(r.municipality for r in results)
    assert {r.municipality: r.changes.counts() for r in results}["Jämsä"] == {"muutettu": 1, "lisätty": 1, "poistettu": 0}
    writes = [a for a in done if a["func"] in WRITES]
    toteumat = next(i for i, s in enumerate(book_json(demo_path)["sheets"]) if s["name"] == "Toteumat")
    resized = [a["args"] for a in writes if a["func"] == "resizeTable" and a["sheet_position"] == toteumat]
    rows = len(input_rows(demo_path)["toteumat"])
    assert resized == [[0, f"$A$1:$H${rows + 1 + 8}"]]  # eight new November rows
    block = next(a for a in writes if a["func"] == "setValues" and a["sheet_position"] == toteumat)
    written = block["values"]
    added = [row for row in written if row[1] == "2026-11-01"]
    assert len(added) == 8 and all(row[3] == 500 for row in added)
    assert block["start_row"] + len(written) == rows + 1 + 8  # the block ends at the new last row
    status = [a["values"] for a in done if a["func"] == "setValues" and a["sheet_position"] == 0]
    assert [["Tuo kuntien lomakkeet"]] in status
    assert any("Tuotu 8 lomaketta: muutettuja rivejä 8, lisättyjä" in str(v) for v in status)


def test_a_refused_form_leaves_the_tables_as_they_were(demo_path, tmp_path):
    assert main(["forms", str(demo_path), "--out", str(tmp_path), "--month", "10"]) == 0
    shutil.copy(tmp_path / "Keuruu.xlsx", tmp_path / "Jämsä.xlsx")  # Keuruu's form under Jämsä's name
    done, result = press(demo_path, form_paths(tmp_path))
    assert result is None
    assert not [a for a in done if a["func"] in WRITES and a["sheet_position"] != 0]
    alert = next(a for a in done if a["func"] == "alert")
    assert "annettiin kunnan Jämsä nimellä" in alert["args"][0]


def book_with_folder(path: Path, folder: str) -> xw.Book:
    """The workbook as a client sends it after the macro wrote folder into the named cell Tuonti_Kansio."""
    payload = book_json(path)
    name = next(n for n in payload["names"] if n["name"] == IMPORT_FOLDER_NAME)
    row, col = openpyxl.utils.cell.coordinate_to_tuple(name["address"])
    values = payload["sheets"][name["sheet_index"]]["values"]
    while len(values) < row:
        values.append([""] * len(values[0]))
    values[row - 1] += [""] * (col - len(values[row - 1]))
    values[row - 1][col - 1] = folder
    return xw.Book(json=payload)


def test_the_folder_comes_from_the_named_cell_the_macro_writes(demo_path, tmp_path):
    assert main(["forms", str(demo_path), "--out", str(tmp_path), "--month", "10"]) == 0
    book = book_with_folder(demo_path, str(tmp_path))
    results = excel.import_forms(book)
    assert len(results) == 8 and all(r.changes.same for r in results)
    assert not [a for a in actions(book) if a["func"] in WRITES and a["sheet_position"] != 0]
    online = book_with_folder(demo_path, "https://kunta.sharepoint.com/sites/tyollisyys/lomakkeet")
    assert excel.import_forms(online) is None
    assert "verkko-osoite" in next(a for a in actions(online) if a["func"] == "alert")["args"][0]


def test_as_many_calls_at_ten_times_the_data(demo_path, demo10_path, tmp_path):
    small_forms = returned_forms(demo_path, tmp_path / "pieni")
    large_forms = returned_forms(demo10_path, tmp_path / "suuri")
    assert len(large_forms) == 10 * len(small_forms)
    small, _ = press(demo_path, small_forms)
    large, results = press(demo10_path, large_forms)
    assert len(results) == len(large_forms)
    assert [a["func"] for a in large] == [a["func"] for a in small]
    assert len(small) <= 14  # screen off/on, a write and a resize per table, five status cells, the message
