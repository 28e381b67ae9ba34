"""A fixed set of faults injected into a copy of the demo workbook (scale 1), one at a time: which checker notices which.

Each fault is what a coordinator or finance officer can really type; the cells are rows the demo at
scale 1, seed 1 always has. `inject` writes the faulty copy with openpyxl (values only matter here).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ERROR_CELL = object()  # an Excel error value (#DIV/0!) in the cell
HIDDEN_ROW = object()  # the cell's row hidden


@dataclass(frozen=True)
class Fault:
    name: str
    sheet: str
    cell: str
    value: Any  # the new value, or ERROR_CELL / HIDDEN_ROW; a str starting "=copy:" copies that cell's value
    kind: str  # "schema": a schema language can say it; "rule": needs the rules between tables or domain knowledge


FAULTS = (
    Fault("text in a number column", "Toteumat", "D5", "paljon", "schema"),
    Fault("required value missing", "Sidonnat", "C3", None, "schema"),
    Fault("value outside the allowed list", "Kunnat", "C2", "Joku muu", "schema"),
    Fault("unknown subsidy type (reference)", "Sidonnat", "D4", "Tuntematon tuki", "schema"),
    Fault("duplicate commitment id", "Sidonnat", "A5", "=copy:A4", "schema"),
    Fault("negative payment", "Maksatukset", "C3", -100.0, "schema"),
    Fault("malformed Y-tunnus", "Sidonnat", "H6", "1234567", "schema"),
    Fault("payment to an unknown commitment", "Maksatukset", "B5", "SID-EI-OLE", "schema"),
    Fault("Y-tunnus with a wrong check digit", "Sidonnat", "H7", "0000000-1", "rule"),
    Fault("personal identity code in a comment", "Toteumat", "H6", "Soitettu 131052-308T", "rule"),
    Fault("month outside 2026", "Toteumat", "B7", dt.datetime(2025, 12, 1), "rule"),
    Fault("payment above its commitment", "Maksatukset", "C4", 999999.0, "rule"),
    Fault("Excel error value in a budget", "Tukibudjetti", "C3", ERROR_CELL, "rule"),
    Fault("hidden row of entries", "Toteumat", "A8", HIDDEN_ROW, "rule"),
)


def inject(workbook: Path, fault: Fault, out: Path) -> Path:
    import openpyxl

    book = openpyxl.load_workbook(workbook, keep_vba=True)
    ws = book[fault.sheet]
    cell = ws[fault.cell]
    if fault.value is HIDDEN_ROW:
        ws.row_dimensions[cell.row].hidden = True
    elif fault.value is ERROR_CELL:
        cell.value = "#DIV/0!"
        cell.data_type = "e"
    elif isinstance(fault.value, str) and fault.value.startswith("=copy:"):
        cell.value = ws[fault.value.removeprefix("=copy:")].value
    else:
        cell.value = fault.value
        if isinstance(fault.value, str):
            cell.data_type = "s"
    book.save(out)
    return out
