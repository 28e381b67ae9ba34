"""xlwings Lite: excel/lite/main.py runs the five buttons' jobs through the same entry points as VBA.

xlwings Lite calls a script through xlwings.server.custom_scripts_call with the workbook it builds from
Office.js (client "Office.js", the remote engine used here) and sets XLWINGS_ON_SERVER, so that
`from xlwings import script` is xlwings.server.script; the tests load main.py the same way.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import re
import tomllib
import zipfile
from pathlib import Path

import pytest
import xlwings as xw
from defusedxml import ElementTree
import xlwings.server

import tyollisyys_xl
import tyollisyys_xl.io.xlwings_book as xlwings_book
from tests.remote_book import actions, book_json, remote_book
from tyollisyys_xl import excel

LITE = Path(__file__).resolve().parent.parent / "excel" / "lite"
ENTRY_POINTS = ("validate_entries", "compute_attainment", "make_municipality_cards", "update_budget_tracking",
                "update_all")


@pytest.fixture(scope="module")
def lite_main():
    """excel/lite/main.py imported as xlwings Lite imports it (server-side @script)."""
    patch = pytest.MonkeyPatch()
    patch.setattr(xw, "script", xlwings.server.script)
    spec = importlib.util.spec_from_file_location("lite_main", LITE / "main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    patch.undo()
    return module


def scripts(module) -> dict[str, object]:
    return {name: f for name, f in vars(module).items() if hasattr(f, "__xlscript__")}


def run_script(module, name: str, book: xw.Book) -> xw.Book:
    return asyncio.run(xlwings.server.custom_scripts_call(module, name, typehint_to_value={xw.Book: book}))


def status_time_cell(book: xw.Book) -> tuple[int, int, int]:
    """(sheet position, row, column) of the status cell that holds the time of the run (it differs per run)."""
    cell = book.names["Tila_Aika"].refers_to_range
    return cell.sheet.index - 1, cell.row - 1, cell.column - 1


def without_time(book: xw.Book) -> list[dict]:
    sheet, row, column = status_time_cell(book)
    return [a for a in actions(book)
            if not (a["func"] == "setValues" and (a["sheet_position"], a["start_row"], a["start_column"]) == (sheet, row, column))]


def test_main_py_has_one_script_per_button_named_as_on_ohjaus(lite_main):
    from tyollisyys_xl.master.text_sheets import BUTTONS

    found = scripts(lite_main)
    assert list(found) == list(ENTRY_POINTS)
    assert [f.__xlscript__["name"] for f in found.values()] == [b.caption for b in BUTTONS]
    assert [b.entry_point for b in BUTTONS] == list(ENTRY_POINTS)
    for function in found.values():
        assert function.__doc__ and function.__doc__.strip()  # App Mode shows it under the button


@pytest.mark.parametrize("name", ENTRY_POINTS)
def test_each_script_writes_what_the_vba_button_writes(lite_main, demo_path, name, monkeypatch):
    skipped: list[str] = []

    def strict(action):  # no formatting call may be one the Office.js client (Lite) cannot do
        try:
            action()
        except NotImplementedError as exc:
            skipped.append(str(exc))

    monkeypatch.setattr(xlwings_book, "_optional", strict)
    lite_book = run_script(lite_main, name, remote_book(demo_path))
    vba_book = remote_book(demo_path)
    getattr(excel, name)(vba_book)

    written = without_time(lite_book)
    assert written == without_time(vba_book)
    assert any(a["func"] == "setValues" for a in written)
    assert skipped == []
    assert lite_book.api["client"] == "Office.js"


def test_a_refused_run_alerts_in_finnish_and_writes_no_sheet(lite_main, demo_path):
    """A user's own sheet named like a generated one stops the run before any sheet is written."""
    payload = book_json(demo_path)
    own = dict(payload["sheets"][-1], name="Tarkistus", values=[["omia muistiinpanoja"]], tables=[])
    payload["sheets"].append(own)
    book = run_script(lite_main, "validate_entries", xw.Book(json=payload))
    funcs = [a["func"] for a in actions(book)]
    assert "alert" in funcs and "addSheet" not in funcs
    alert = next(a for a in actions(book) if a["func"] == "alert")
    assert "Tarkistus" in str(alert["args"])


def test_requirements_pin_the_package_and_the_xlwings_of_this_release():
    lines = [line.strip() for line in (LITE / "requirements.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    pyproject = tomllib.loads((LITE.parent.parent / "pyproject.toml").read_text(encoding="utf-8"))
    xlwings_pin = next(d for d in pyproject["project"]["dependencies"] if d.startswith("xlwings"))
    assert lines == [xlwings_pin, f"tyollisyys-xl=={tyollisyys_xl.__version__}"]
    # the core the jobs need may not pull the extras, which Pyodide builds only for some versions
    assert not any(re.match(r"(python-calamine|pyarrow)\b", d) for d in pyproject["project"]["dependencies"])


def test_master_carries_main_py_and_requirements_as_xlwings_lite_stores_them(master_path):
    """Lite keeps each file as an add-in setting: a JSON string in a property of the web extension part
    that the task-pane part (reached from the package's root relationships) names."""
    with zipfile.ZipFile(master_path) as archive:
        types = ElementTree.fromstring(archive.read("[Content_Types].xml"))
        root_rels = ElementTree.fromstring(archive.read("_rels/.rels"))
        panes = ElementTree.fromstring(archive.read("xl/webextensions/taskpanes.xml"))
        pane_rels = ElementTree.fromstring(archive.read("xl/webextensions/_rels/taskpanes.xml.rels"))
        extension = ElementTree.fromstring(archive.read("xl/webextensions/webextension1.xml"))
    we = "{http://schemas.microsoft.com/office/webextensions/webextension/2010/11}"
    overrides = {o.get("PartName"): o.get("ContentType") for o in types}
    assert overrides["/xl/webextensions/webextension1.xml"] == "application/vnd.ms-office.webextension+xml"
    assert overrides["/xl/webextensions/taskpanes.xml"] == "application/vnd.ms-office.webextensiontaskpanes+xml"
    assert any(r.get("Target") == "xl/webextensions/taskpanes.xml" and r.get("Type").endswith("/webextensiontaskpanes")
               for r in root_rels)
    pane = next(iter(panes))
    assert pane.get("visibility") == "0"  # closed, as Excel saves it: VBA users see nothing of Lite
    assert [r.get("Target") for r in pane_rels] == ["webextension1.xml"]
    assert extension.find(f"{we}reference").get("id") == "wa200008175"  # xlwings Lite in the add-in store
    stored = {p.get("name"): json.loads(p.get("value")) for p in extension.iter(f"{we}property")}
    assert stored == {name: (LITE / name).read_text(encoding="utf-8") for name in ("main.py", "requirements.txt")}

