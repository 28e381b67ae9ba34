"""What changed between two versions of the master's input tables, row by row, matched by each row's key.

A row's key is what identifies it to a person (an entry's indicator, month and municipality; a
commitment's id; see each schema's x-key or first x-unique), never its position: sorting a table or
inserting a row changes no key. Key values are compared as validation reads them (text without case
or surrounding spaces, a month however it was typed), cell values exactly (a number and the same number
typed as text differ). Rows repeating a key are paired in the order they stand. Every value shown has
any personal identity code masked.

Pure core: plain rows in (schema key -> cell value, as the builder's reader gives them), a WorkbookDiff out.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tyollisyys_xl.core.months import YEAR, month_label
from tyollisyys_xl.core.parsing import ParseError, fi_value, mask_hetu, parse_date, parse_month, parse_number
from tyollisyys_xl.schemas import Column, TableSchema

CHANGED, ADDED, REMOVED = "muutettu", "lisätty", "poistettu"
KIND_ORDER = (CHANGED, ADDED, REMOVED)
KEY_SEPARATOR = " · "
EMPTY = "(tyhjä)"


@dataclass(frozen=True)
class TableRows:
    """One input table of one workbook version: its rows and the Excel row number of each."""

    rows: Sequence[Mapping[str, Any]]
    numbers: Sequence[int]


@dataclass(frozen=True)
class CellChange:
    column: str  # the Finnish header
    old: Any
    new: Any
    shown_old: str
    shown_new: str


@dataclass(frozen=True)
class RowChange:
    kind: str  # CHANGED, ADDED or REMOVED
    key: dict[str, str]  # Finnish header -> the key value as shown
    old_row: int | None
    new_row: int | None
    cells: list[CellChange]  # changed cells; for an added or removed row, its non-empty cells

    @property
    def key_text(self) -> str:
        return KEY_SEPARATOR.join(self.key.values())


@dataclass(frozen=True)
class TableDiff:
    name: str  # schema name
    sheet: str
    rows: list[RowChange]


@dataclass
class WorkbookDiff:
    tables: list[TableDiff] = field(default_factory=list)  # only tables with differences, Mittarit first

    @property
    def same(self) -> bool:
        return not self.tables

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(KIND_ORDER, 0)
        for table in self.tables:
            for row in table.rows:
                counts[row.kind] += 1
        return counts


# --- values --------------------------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and value == "")


def same_value(a: Any, b: Any) -> bool:
    """Equal cell contents: 5 and 5.0 are the same number, a date and midnight of it the same date; text is
    compared exactly, and a number never equals text or a truth value."""
    if _is_empty(a) or _is_empty(b):
        return _is_empty(a) and _is_empty(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, dt.date) and isinstance(b, dt.date):
        return _as_datetime(a) == _as_datetime(b)
    return type(a) is type(b) and a == b


def _as_datetime(value: dt.date) -> dt.datetime:
    return value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)


def shown(column: Column, value: Any, limit: int | None = None) -> str:
    """A cell value as a Finnish reader expects it, personal identity codes masked; text in ”…”."""
    if _is_empty(value):
        return EMPTY
    if column.cell_type == "month" and isinstance(value, dt.date):
        return month_label(value.month) if value.year == YEAR else f"{value.month}/{value.year}"
    text = mask_hetu(fi_value(value))
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"”{text}”" if isinstance(value, str) else text


def plain(value: Any) -> Any:
    """A cell value for JSON: numbers and truth values as they are, dates as ISO text, text masked."""
    if _is_empty(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return mask_hetu(value)
    return value


# --- keys ----------------------------------------------------------------------------------------

_KEY_PARSERS: dict[str, Callable[[Any], Any]] = {"month": parse_month, "date": parse_date, "number": parse_number,
                                                 "euro": parse_number}


def key_part(column: Column, value: Any) -> tuple:
    """A key value as validation reads it, so that "3/2026" and a date in March are one month and
    " Jämsä" is Jämsä; a value that cannot be read is compared as typed."""
    if _is_empty(value):
        return (0,)
    parser = _KEY_PARSERS.get(column.cell_type)
    if parser is not None:
        try:
            parsed = parser(value)
        except ParseError:
            pass
        else:  # (year, month), a date or a number: each sorts among its own kind
            if isinstance(parsed, tuple):
                return (1, *parsed)
            return (1, parsed.isoformat() if isinstance(parsed, dt.date) else float(parsed))
    if isinstance(value, str):
        return (2, value.strip().casefold())
    return (3, type(value).__name__, str(value))


def key_columns(schema: TableSchema) -> list[Column]:
    return [schema.column(key) for key in schema.row_key]


def row_key(schema: TableSchema, row: Mapping[str, Any], columns: Sequence[Column] | None = None) -> tuple:
    """The row's key as compared; columns: key_columns(schema), when the caller keys many rows."""
    return tuple(key_part(column, row.get(column.key)) for column in (columns or key_columns(schema)))


def key_shown(schema: TableSchema, row: Mapping[str, Any]) -> dict[str, str]:
    """The key columns of a row as a reader sees them (text without quotes: it names the row)."""
    shown_key = {}
    for key in schema.row_key:
        column = schema.column(key)
        value = row.get(key)
        shown_key[column.header] = shown(column, value).strip("”") if not _is_empty(value) else EMPTY
    return shown_key


# --- the comparison ------------------------------------------------------------------------------


def _by_key(schema: TableSchema, table: TableRows) -> dict[tuple, list[int]]:
    """Key -> positions of the rows holding it, in table order."""
    positions: dict[tuple, list[int]] = {}
    columns = key_columns(schema)
    for index, row in enumerate(table.rows):
        positions.setdefault(row_key(schema, row, columns), []).append(index)
    return positions


def _whole_row(schema: TableSchema, row: Mapping[str, Any], old_side: bool, limit: int | None) -> list[CellChange]:
    cells = []
    for column in schema.columns:
        value = row.get(column.key)
        if _is_empty(value):
            continue
        text = shown(column, value, limit)
        cells.append(CellChange(column.header, value if old_side else None, None if old_side else value,
                                text if old_side else EMPTY, EMPTY if old_side else text))
    return cells


def diff_table(schema: TableSchema, old: TableRows | None, new: TableRows | None,
               limit: int | None = None) -> TableDiff:
    """Added, removed and changed rows of one table (a table missing from one side: all rows added or removed).

    limit: the longest text shown (longer text is shortened with …); None shows all of it."""
    old = old or TableRows((), ())
    new = new or TableRows((), ())
    old_keys, new_keys = _by_key(schema, old), _by_key(schema, new)
    changes: list[RowChange] = []
    for key, old_positions in old_keys.items():
        new_positions = new_keys.get(key, [])
        for i, position in enumerate(old_positions):
            before = old.rows[position]
            if i >= len(new_positions):
                changes.append(RowChange(REMOVED, key_shown(schema, before), old.numbers[position], None,
                                         _whole_row(schema, before, True, limit)))
                continue
            after = new.rows[new_positions[i]]
            cells = [CellChange(c.header, before.get(c.key), after.get(c.key), shown(c, before.get(c.key), limit),
                                shown(c, after.get(c.key), limit))
                     for c in schema.columns if not same_value(before.get(c.key), after.get(c.key))]
            if cells:
                changes.append(RowChange(CHANGED, key_shown(schema, after), old.numbers[position],
                                         new.numbers[new_positions[i]], cells))
    for key, new_positions in new_keys.items():
        for position in new_positions[len(old_keys.get(key, [])):]:
            after = new.rows[position]
            changes.append(RowChange(ADDED, key_shown(schema, after), None, new.numbers[position],
                                     _whole_row(schema, after, False, limit)))
    changes.sort(key=lambda c: (KIND_ORDER.index(c.kind), c.old_row or 0, c.new_row or 0))
    return TableDiff(schema.name, schema.sheet, changes)


def diff_workbooks(schemas: Mapping[str, TableSchema], old: Mapping[str, TableRows | None],
                   new: Mapping[str, TableRows | None], limit: int | None = None) -> WorkbookDiff:
    """Every input table compared, in the schemas' order (Mittarit, the programme, first)."""
    tables = [diff_table(schema, old.get(name), new.get(name), limit) for name, schema in schemas.items()
              if old.get(name) is not None or new.get(name) is not None]
    return WorkbookDiff([t for t in tables if t.rows])


def dump_lines(schema: TableSchema, table: TableRows) -> list[str]:
    """One line per row, sorted by key and without row numbers, so that a line diff of two dumps shows the
    rows that changed and nothing that merely moved (what `git diff` shows through a textconv driver)."""
    columns = key_columns(schema)
    keyed = sorted(((row_key(schema, row, columns), row) for row in table.rows), key=lambda pair: pair[0])
    lines = []
    for _, row in keyed:
        cells = [f"{c.header}: {shown(c, row.get(c.key))}" for c in schema.columns
                 if c.key not in schema.row_key and not _is_empty(row.get(c.key))]
        line = " | ".join([KEY_SEPARATOR.join(key_shown(schema, row).values()), *cells])
        lines.append(line.replace("\r", "\\r").replace("\n", "\\n"))
    return lines


# --- the report: text, json, csv -------------------------------------------------------------------

TEXT_LIMIT = 80  # the longest text value the text report shows whole
PROGRAMME_HEADING = "ohjelman mittarit: tavoitteet, lähtöarvot ja muut hyväksytyt tiedot"
CSV_HEADERS = ["Välilehti", "Muutos", "Avain", "Vanha rivi", "Uusi rivi", "Sarake", "Vanha arvo", "Uusi arvo"]
_FORMULA_START = ("=", "+", "-", "@")


def _where(row: RowChange) -> str:
    if row.kind == ADDED:
        return f"rivi {row.new_row}"
    if row.kind == REMOVED or row.old_row == row.new_row:
        return f"rivi {row.old_row}"
    return f"rivi {row.old_row} → {row.new_row}"


def heading(table: TableDiff) -> str:
    return f"{table.sheet} – {PROGRAMME_HEADING}" if table.name == "mittarit" else table.sheet


def format_text(diff: WorkbookDiff) -> str:
    """Finnish, one line per row: the kind, the key, where, and old → new per changed cell; "" when the same."""
    if diff.same:
        return ""
    lines = []
    for table in diff.tables:
        lines.append(f"== {heading(table)} ==")
        for row in table.rows:
            if row.kind == CHANGED:
                details = "; ".join(f"{c.column}: {c.shown_old} → {c.shown_new}" for c in row.cells)
            else:
                details = "; ".join(f"{c.column} {c.shown_new if row.kind == ADDED else c.shown_old}" for c in row.cells)
            lines.append(f"{row.kind:<10}{row.key_text} ({_where(row)}): {details}")
        lines.append("")
    counts = diff.counts()
    lines.append(f"Yhteensä: muutettuja rivejä {counts[CHANGED]}, lisättyjä {counts[ADDED]}, "
                 f"poistettuja {counts[REMOVED]}.")
    return "\n".join(lines)


def as_document(diff: WorkbookDiff) -> dict:
    """The diff as plain data for JSON (values as they stand in the cells, personal identity codes masked)."""
    return {
        "same": diff.same,
        "counts": diff.counts(),
        "tables": [
            {
                "table": table.name,
                "sheet": table.sheet,
                "rows": [
                    {"kind": row.kind, "key": row.key, "old_row": row.old_row, "new_row": row.new_row,
                     "cells": [{"column": c.column, "old": plain(c.old), "new": plain(c.new)} for c in row.cells]}
                    for row in table.rows
                ],
            }
            for table in diff.tables
        ],
    }


def csv_text(value: Any) -> str:
    """A value for a CSV cell: Finnish, masked, and never read as a formula by a spreadsheet."""
    text = "" if _is_empty(value) else mask_hetu(fi_value(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_rows(diff: WorkbookDiff) -> list[list[str]]:
    """One row per changed cell (an added or removed row: one per non-empty cell), headers first; [] when the same."""
    if diff.same:
        return []
    rows = [CSV_HEADERS]
    for table in diff.tables:
        for row in table.rows:
            for cell in row.cells:
                rows.append([table.sheet, row.kind, csv_text(row.key_text), str(row.old_row or ""),
                             str(row.new_row or ""), cell.column, csv_text(cell.old), csv_text(cell.new)])
    return rows
