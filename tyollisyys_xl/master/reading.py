"""Read a master workbook's input tables back as raw cell values, for the builder's own jobs.

The builder needs the values exactly as they stand in the cells (dates as dates, numbers as
numbers, text as text) to refuse overwriting entries, to carry entries into an upgraded master
(`build --from`) and to prove that nothing changed on the way. Validation and typing are the
validation engineer's job (tyollisyys_xl.core.validation); nothing here interprets a value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from xlsxwriter.utility import xl_col_to_name

from tyollisyys_xl.core.parsing import quote
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.io.errors import WorkbookReadError
from tyollisyys_xl.schemas import TableSchema

CellValue = str | float | bool | dt.date | dt.datetime | None


class BuildError(Exception):
    """A build step refused or failed; the message is Finnish and meant for the user as is."""


@dataclass
class InputTable:
    """One input sheet as found in a workbook.

    rows: schema key -> cell value; fully empty rows are left out (a fresh table has one).
    row_numbers: the Excel row number of each row.
    unknown_columns / missing_required: why the table cannot be carried into the current schema.
    """

    schema: TableSchema
    present: bool
    rows: list[dict[str, CellValue]] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    missing_required: list[str] = field(default_factory=list)
    column_letters: dict[str, str] = field(default_factory=dict)  # schema key -> where the column stands ("D")


def open_workbook(path: Path) -> CalamineSource:
    """The workbook through the one headless reader; unreadable files become the builder's BuildError."""
    try:
        return CalamineSource(path)
    except WorkbookReadError as exc:
        raise BuildError(str(exc)) from exc  # "<path>: <Finnish reason>"


def sheet_values(book: CalamineSource, sheet: str) -> list[list[CellValue]]:
    """The sheet's cells from A1 as calamine gives them (error cells None); trailing empty cells may be missing."""
    try:
        return book.sheet_values(sheet, error_text=False)
    except WorkbookReadError as exc:
        raise BuildError(str(exc)) from exc


def cell_value(book: CalamineSource, sheet: str, row: int, col: int) -> CellValue:
    """One cell by 0-based row and column; None when the sheet or the cell is missing."""
    if sheet not in book.sheet_names():
        return None
    values = sheet_values(book, sheet)
    return values[row][col] if row < len(values) and col < len(values[row]) else None


def _table_from_values(schema: TableSchema, values: list[list[CellValue]]) -> InputTable:
    header = values[0] if values else []
    by_title = {c.header: c.key for c in schema.columns}
    keys: dict[int, str] = {}
    table = InputTable(schema=schema, present=True)
    numbered = [(number, row) for number, row in enumerate(values[1:], start=2) if any(v is not None for v in row)]
    for index, title in enumerate(header):
        if title in by_title:
            keys[index] = by_title[title]
        elif title is not None or any(index < len(row) and row[index] is not None for _, row in numbered):
            shown = quote(title) if title is not None else "(ei otsikkoa)"
            table.unknown_columns.append(f"sarake {xl_col_to_name(index)} {shown}")
    found = set(keys.values())
    table.missing_required = [c.header for c in schema.columns if c.required and c.key not in found]
    table.rows = [{key: row[i] if i < len(row) else None for i, key in keys.items()} for _, row in numbered]
    table.column_letters = {key: xl_col_to_name(index) for index, key in keys.items()}
    table.row_numbers = [number for number, _ in numbered]
    return table


def read_input_tables(book: CalamineSource, schemas: Mapping[str, TableSchema]) -> dict[str, InputTable]:
    """Every input table of the workbook, by schema name (header row 1 matched to the schema's titles)."""
    names = set(book.sheet_names())
    return {
        name: _table_from_values(schema, sheet_values(book, schema.sheet))
        if schema.sheet in names
        else InputTable(schema=schema, present=False)
        for name, schema in schemas.items()
    }
