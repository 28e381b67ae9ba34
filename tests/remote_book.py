"""Test helper: a real workbook file as xlwings' remote engine sees it, `xw.Book(json=...)`.

The payload is built the way xlwings' clients build it (xlwings/js/xlwings.ts for Office Scripts;
the Office.js client sends the same plus per-sheet metadata): cell values from A1 with empty cells
as "" and dates as ISO strings, range names only (book- and sheet-scoped), Excel tables.
Values come from python-calamine (the cached results, as Excel would send them); names, tables,
sheet visibility and the active sheet from openpyxl.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
from functools import cache
from pathlib import Path

import openpyxl
import xlwings as xw
from python_calamine import CalamineWorkbook

_RANGE_REFERENCE = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?)$")


def _client_value(value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%dT00:00:00.000Z")
    if isinstance(value, dt.time):
        return value.isoformat()
    return value


def _range_name(name: str, text: str, positions: dict[str, int], scope: str | None) -> dict | None:
    match = _RANGE_REFERENCE.match(text.strip().lstrip("="))
    if not match:  # constants and formulas: the clients send range names only
        return None
    sheet = (match.group(1) or match.group(2)).replace("''", "'")
    if sheet not in positions:
        return None
    return {
        "name": name,
        "sheet_index": positions[sheet],
        "address": match.group(3).replace("$", ""),
        "book_scope": scope is None,
        "scope_sheet_name": scope,
        "scope_sheet_index": positions[scope] if scope is not None else None,
        "refers_to": "=" + text.strip().lstrip("="),
    }


def _tables(ws) -> list[dict]:
    tables = []
    for table in ws.tables.values():
        (left, top), (right, bottom) = (re.match(r"([A-Z]+)(\d+)", part).groups() for part in table.ref.split(":"))
        tables.append(
            {
                "name": table.name,
                "range_address": table.ref,
                "header_row_range_address": f"{left}{top}:{right}{top}",
                "data_body_range_address": f"{left}{int(top) + 1}:{right}{max(int(bottom), int(top) + 1)}",
                "total_row_range_address": None,
                "show_headers": True,
                "show_totals": False,
                "table_style": table.tableStyleInfo.name if table.tableStyleInfo else None,
                "show_autofilter": True,
            }
        )
    return tables


@cache
def _payload(path: str, mtime: float, client: str) -> dict:
    values = CalamineWorkbook.from_path(path)
    book = openpyxl.load_workbook(path)
    positions = {ws.title: i for i, ws in enumerate(book.worksheets)}
    names = []
    for name, defined in book.defined_names.items():
        names.append(_range_name(name, defined.attr_text, positions, None))
    sheets = []
    for ws in book.worksheets:
        for name, defined in ws.defined_names.items():
            names.append(_range_name(name, defined.attr_text, positions, ws.title))
        rows = values.get_sheet_by_name(ws.title).to_python(skip_empty_area=False)
        sheet = {
            "name": ws.title,
            "values": [[_client_value(v) for v in row] for row in rows] or [[]],
            "pictures": [],
            "tables": _tables(ws),
        }
        if client == "Office.js":
            sheet.update(
                visibility="Visible" if ws.sheet_state == "visible" else "Hidden",
                charts=[], shapes=[], notes=[], pivot_tables=[], print_area=None, show_gridlines=True,
            )  # fmt: skip
        sheets.append(sheet)
    return {
        "client": client,
        "version": xw.__version__,
        "book": {"name": Path(path).name, "active_sheet_index": book.index(book.active), "selection": "A1"},
        "names": [n for n in names if n],
        "sheets": sheets,
    }


def book_json(path: Path | str, client: str = "Office.js") -> dict:
    """The payload a client would send for the workbook at path (built once per file version)."""
    path = str(path)
    return copy.deepcopy(_payload(path, os.path.getmtime(path), client))


def remote_book(path: Path | str, client: str = "Office.js") -> xw.Book:
    return xw.Book(json=book_json(path, client))


def actions(book: xw.Book) -> list[dict]:
    return book.json()["actions"]


def _sheet_payload(payload: dict, name: str, values: list[list]) -> dict:
    sheet = {"name": name, "values": values or [[]], "pictures": [], "tables": []}
    if payload["client"] == "Office.js":
        sheet.update(visibility="Visible", charts=[], shapes=[], notes=[], pivot_tables=[], print_area=None,
                     show_gridlines=True)
    return sheet


def insert_sheet(payload: dict, position: int, name: str, values: list[list], marked: bool = False) -> None:
    """A sheet as a client would send it once it stands at position (later sheets and names shift);
    marked: with the tool's generated-sheet mark, as a sheet the tool made carries it."""
    from tyollisyys_xl.io.generated import GENERATED_NAME, marker_reference

    for entry in payload["names"]:
        for key in ("sheet_index", "scope_sheet_index"):
            if entry.get(key) is not None and entry[key] >= position:
                entry[key] += 1
    payload["sheets"].insert(position, _sheet_payload(payload, name, values))
    if marked:
        payload["names"].append({"name": GENERATED_NAME, "sheet_index": position, "address": "A1", "book_scope": False,
                                 "scope_sheet_name": name, "scope_sheet_index": position,
                                 "refers_to": marker_reference(name)})


def remove_sheet(payload: dict, name: str) -> None:
    """The payload without the sheet and its names, as a client sends it once a user deleted the sheet."""
    position = next(i for i, s in enumerate(payload["sheets"]) if s["name"] == name)
    del payload["sheets"][position]
    payload["names"] = [n for n in payload["names"] if position not in (n.get("sheet_index"), n.get("scope_sheet_index"))]
    for entry in payload["names"]:
        for key in ("sheet_index", "scope_sheet_index"):
            if entry.get(key) is not None and entry[key] > position:
                entry[key] -= 1
    payload["book"]["active_sheet_index"] = min(payload["book"]["active_sheet_index"], len(payload["sheets"]) - 1)


def payload_after(payload: dict, specs: list, after: str | None) -> dict:
    """What a client sends after a run wrote these generated sheets after sheet `after`: their values
    as Excel shows them (a formula as its result), each with the tool's mark."""
    from tyollisyys_xl.core.sheetspec import Formula
    from tyollisyys_xl.io.generated import dense_block, sheet_cells

    payload = copy.deepcopy(payload)
    position = next(i for i, s in enumerate(payload["sheets"]) if s["name"] == after) + 1 if after else 0
    for offset, spec in enumerate(specs):
        block = dense_block(sheet_cells(spec))
        values = []
        if block:
            width = block.col - 1 + len(block.values[0])
            values = [[""] * width for _ in range(block.row - 1)]
            for row in block.values:
                shown = [v.cached if isinstance(v, Formula) else v for v in row]
                values.append([""] * (block.col - 1) + [_client_value(v) for v in shown])
        insert_sheet(payload, position + offset, spec.name, values, marked=True)
    return payload
