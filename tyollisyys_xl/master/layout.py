"""What every sheet of the master shares: the sheet names, formats made once per workbook, and typed cell writes.

A value is written by its type, never guessed from text, so that carried entries read back exactly as they were.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from tyollisyys_xl.master.reading import BuildError, CellValue
from tyollisyys_xl.schemas import NUMBER_FORMATS, Column

OHJAUS, OHJELMA, LISTAT, XLWINGS_CONF = "Ohjaus", "Ohjelma", "Listat", "xlwings.conf"

HEADER_FORMAT = {"bold": True, "text_wrap": True, "valign": "top"}  # the header row of an input table
BOOL_TEXT = {True: "Kyllä", False: "Ei"}
DATE_TYPES = {"date", "month"}


class Formats:
    """xlsxwriter formats made once per workbook and shared, keyed by their properties."""

    def __init__(self, book: Workbook):
        self._book = book
        self._cache: dict[tuple, Any] = {}

    def get(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._book.add_format(props)
        return self._cache[key]

    def column(self, column: Column, unlocked: bool = False) -> Any:
        return self.get(num_format=NUMBER_FORMATS[column.cell_type], **_UNLOCKED if unlocked else {})


_UNLOCKED = {"locked": False}


def cell_format(formats: Formats, column: Column, value: CellValue, unlocked: bool = False, **extra: Any) -> Any:
    """The column's format, unless the value's type would read back differently under it.

    A date typed into a text column stays a date and a number in a date column stays a number,
    so that carried entries read back exactly as they were. unlocked: the column stays editable on a
    protected sheet; extra: more properties (a carried fill).
    """
    lock = _UNLOCKED if unlocked else {}
    if isinstance(value, dt.date) and column.cell_type not in DATE_TYPES:
        return formats.get(num_format="d.m.yyyy", **lock, **extra)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and column.cell_type in DATE_TYPES:
        return formats.get(num_format="General", **lock, **extra)
    return formats.get(num_format=NUMBER_FORMATS[column.cell_type], **lock, **extra)


def write_cell(sheet: Worksheet, row: int, col: int, value: CellValue, cell_format: Any) -> None:
    """Write one value by its type; text is always text (never a formula, number or link)."""
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, cell_format)
    elif isinstance(value, str):
        sheet.write_string(row, col, value, cell_format)
    else:
        raise BuildError(f"Arvoa tyyppiä {type(value).__name__} ei voi kirjoittaa soluun {xl_rowcol_to_cell(row, col)}")


