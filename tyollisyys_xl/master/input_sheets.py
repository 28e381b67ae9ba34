"""The input sheets of the master: one Excel table each, with formats, dropdowns, data validation and help
from its JSON Schema, and what `build --from` carries besides values (master/carry.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from tyollisyys_xl.core.code_labels import format_label
from tyollisyys_xl.core.months import year_and_month
from tyollisyys_xl.core.parsing import fi_value
from tyollisyys_xl.master.carry import SheetExtras, excel_result
from tyollisyys_xl.master.layout import BOOL_TEXT, HEADER_FORMAT, LISTAT, Formats, cell_format, write_cell
from tyollisyys_xl.master.printing import input_sheet_print
from tyollisyys_xl.master.reading import CellValue
from tyollisyys_xl.schemas import Column, TableSchema

TABLE_STYLE = "Table Style Medium 2"
LAST_ROW = 1_048_575  # validation and formats cover the whole column below the header

Rows = Mapping[str, Sequence[Mapping[str, CellValue]]]


def _structured_reference(schema: TableSchema, key: str) -> str:
    """tblKunnat[Kunta]: a reference that grows with the table (special characters escaped with ')."""
    header = "".join("'" + ch if ch in "[]#'" else ch for ch in schema.column(key).header)
    return f"{schema.table}[{header}]"


class Lists:
    """Dropdown sources: fixed lists on the hidden Listat sheet, or the column of another table."""

    def __init__(self, book: Workbook, sheet: Worksheet, formats: Formats, schemas: Mapping[str, TableSchema]):
        self._book, self._sheet, self._formats = book, sheet, formats
        self._by_sheet = {s.sheet: s for s in schemas.values()}
        self._fixed: dict[tuple, str] = {}
        self._table_names: set[str] = set()
        sheet.write_string(0, 0, "Pudotusvalikoiden luettelot (työkalu kirjoittaa tämän välilehden)", formats.get(bold=True))

    def for_column(self, schema: TableSchema, column: Column, rows: Rows) -> str | None:
        """The defined name of a column's dropdown source, or None when the column has no dropdown."""
        if column.list_label:
            return self._labels(schema, column, rows)
        if column.list_source and column.extra_values:
            source, key = self._source(column.list_source)
            values = [r[key] for r in rows.get(source.name, []) if r.get(key) is not None]
            return self._fixed_list(f"lst_{schema.name}_{column.key}", column.header, [*values, *column.extra_values])
        if column.list_source:
            return self._table_column(column.list_source)
        if column.cell_type == "bool":
            return self._fixed_list("lst_kylla_ei", "Kyllä/Ei", list(BOOL_TEXT.values()))
        if column.cell_type == "month":
            first, last = schema.month_range(column.key)
            months = [dt.datetime(*year_and_month(m), 1) for m in range(first, last + 1)]
            name = "lst_kuukaudet" if (first, last) == (1, 12) else f"lst_{schema.name}_{column.key}"
            return self._fixed_list(name, "Kuukausi", months, self._formats.get(num_format="m/yyyy"))
        if column.enum:
            return self._fixed_list(f"lst_{schema.name}_{column.key}", column.header, list(column.enum))
        return None

    def _labels(self, schema: TableSchema, column: Column, rows: Rows) -> str:
        """Labels such as "M06 – Laajan työttömyyden määrä (henkilöä)" of the source rows (x-list-where narrows
        them, e.g. to point-in-time indicators): the dropdown names what the code means."""
        source, _ = self._source(column.list_source)
        where = schema.json["properties"][column.key].get("x-list-where", {})
        labels = [format_label(column.list_label, r) for r in rows.get(source.name, [])
                  if all(r.get(key) == value for key, value in where.items())]
        return self._fixed_list(f"lst_{schema.name}_{column.key}", column.header, labels)

    def _source(self, list_source: str) -> tuple[TableSchema, str]:
        sheet_name, key = list_source.split(".")
        return self._by_sheet[sheet_name], key

    def _fixed_list(self, name: str, title: str, values: Sequence[CellValue], cell_format: Any = None) -> str:
        """A list written once on Listat as a defined name; the same values share one list."""
        key = tuple(values)
        if key in self._fixed:
            return self._fixed[key]
        col = len(self._fixed)
        self._sheet.write_string(1, col, title, self._formats.get(bold=True))
        self._sheet.set_column(col, col, max(14, len(title) + 2))
        for offset, value in enumerate(values):
            write_cell(self._sheet, 2 + offset, col, value, cell_format)
        letter = xl_col_to_name(col)
        self._book.define_name(name, f"={LISTAT}!${letter}$3:${letter}${2 + len(values)}")
        self._fixed[key] = name
        return name

    def _table_column(self, list_source: str) -> str:
        """A defined name over another table's column (e.g. Sidonnat.commitment_id), so new rows show up."""
        schema, key = self._source(list_source)
        name = f"lst_{schema.name}_{key}"
        if name not in self._table_names:
            self._book.define_name(name, "=" + _structured_reference(schema, key))
            self._table_names.add(name)
        return name


def _lower_bound(column: Column, schema: TableSchema) -> tuple[str, float] | None:
    """(">=" or ">", bound) from the column's minimum / exclusiveMinimum, or None."""
    prop = schema.json["properties"][column.key]
    if "exclusiveMinimum" in prop:
        return ">", prop["exclusiveMinimum"]
    if "minimum" in prop:
        return ">=", prop["minimum"]
    return None


def _date_range(column: Column, schema: TableSchema) -> tuple[dt.date, dt.date]:
    """A date column's plausible range, from its schema: Excel refuses what validation would report."""
    prop = schema.json["properties"][column.key]
    return dt.date.fromisoformat(prop["formatMinimum"]), dt.date.fromisoformat(prop["formatMaximum"])


def _validation(column: Column, schema: TableSchema, list_name: str | None) -> dict:
    """Excel data validation for a column: a dropdown, a number or date check, and always the column's help."""
    options: dict[str, Any] = {
        "input_title": column.header[:32],
        "input_message": column.description[:255],
        "error_title": "Virheellinen arvo",
        "error_type": "stop",
    }
    if list_name and column.list_label:  # a bare code typed by hand is as good as the label: warn, do not stop
        return {**options, "validate": "list", "source": f"={list_name}", "error_type": "warning",
                "error_message": "Arvo ei ole luettelossa. Pelkkä tunnus (esim. M06) kelpaa: jatka valitsemalla Kyllä."}
    if list_name:
        return {**options, "validate": "list", "source": f"={list_name}", "error_message": "Valitse arvo luettelosta."}
    if column.cell_type == "date":
        first, last = _date_range(column, schema)
        return {
            **options,
            "validate": "date",
            "criteria": "between",
            "minimum": first,
            "maximum": last,
            "error_message": f"Anna päivämäärä väliltä {fi_value(first)}–{fi_value(last)} muodossa p.k.vvvv, esim. 15.3.2026.",
        }
    if column.cell_type in {"number", "euro"}:
        bound = _lower_bound(column, schema)
        if bound is None:
            return {**options, "validate": "decimal", "criteria": "between", "minimum": -1e12, "maximum": 1e12,
                    "error_message": "Anna luku."}
        criteria, value = bound
        text = f"Anna luku, joka on {'vähintään' if criteria == '>=' else 'suurempi kuin'} {value:g}."
        return {**options, "validate": "decimal", "criteria": criteria, "value": value, "error_message": text}
    if column.cell_type == "business_id":
        return {**options, "validate": "length", "criteria": "==", "value": 9,
                "error_message": "Anna Y-tunnus muodossa 1234567-8."}
    return {**options, "validate": "any"}


def column_validation(schema: TableSchema, key: str) -> dict:
    """The master's data validation of a column without a dropdown (the entry forms give it to their fill cells)."""
    return _validation(schema.column(key), schema, None)


def write_input_sheet(
    sheet: Worksheet, schema: TableSchema, rows: Sequence[Mapping[str, CellValue]], formats: Formats, lists: Lists,
    all_rows: Rows,
) -> None:
    """One input table: an Excel table (≥ 1 data row, as xlsxwriter requires) with formats, dropdowns and help."""
    header_format = formats.get(**HEADER_FORMAT)
    unlocked = _editable_columns(schema)
    columns = [{"header": c.header, "header_format": header_format, "format": formats.column(c, c.key in unlocked)}
               for c in schema.columns]
    last_row = max(len(rows), 1)
    sheet.add_table(0, 0, last_row, len(columns) - 1, {"name": schema.table, "style": TABLE_STYLE, "columns": columns})
    for col, column in enumerate(schema.columns):
        sheet.set_column(col, col, column.width, formats.column(column, column.key in unlocked))
        list_name = lists.for_column(schema, column, all_rows)
        sheet.data_validation(1, col, LAST_ROW, col, _validation(column, schema, list_name))
    for r, row in enumerate(rows, start=1):
        for col, column in enumerate(schema.columns):
            value = row.get(column.key)
            if value is not None:
                write_cell(sheet, r, col, value, cell_format(formats, column, value, column.key in unlocked))
    sheet.set_row(0, 30)
    sheet.freeze_panes(1, 0)
    input_sheet_print(sheet, [column.width for column in schema.columns])
    if schema.approved_keys:
        _protect_approved(sheet)


# What a user may still do on a protected sheet: fills (the tool's highlights), widths, heights and filters.
PROTECTION_ALLOWS = {"format_cells": True, "format_columns": True, "format_rows": True, "autofilter": True}


def _editable_columns(schema: TableSchema) -> set[str]:
    """On a sheet that holds approved programme columns (x-approved), every other column stays editable."""
    approved = set(schema.approved_keys)
    return {c.key for c in schema.columns if c.key not in approved} if approved else set()


def _protect_approved(sheet: Worksheet) -> None:
    """Protection without a password: a guard against slips of the keyboard, not security. A real change of
    the programme goes to programme/ohjelma2026.yaml and reaches the workbook with build --from."""
    sheet.protect("", PROTECTION_ALLOWS)


def write_carried(sheet: Worksheet, extras: SheetExtras, formats: Formats, rows: Sequence[Mapping[str, CellValue]],
                  schema: TableSchema | None) -> None:
    """What `build --from` carries besides values (see master/carry.py), over what the sheet already holds:
    formulas with their cached results, fills, notes, hidden rows, and a user's own cells on a text sheet."""
    def value_at(row: int, col: int) -> CellValue:
        if schema is None or not 1 <= row <= len(rows) or col >= len(schema.columns):
            return None
        return rows[row - 1].get(schema.columns[col].key)

    def carried_format(row: int, col: int, value: CellValue) -> Any:
        fill = {"pattern": 1, "bg_color": "#" + extras.fills[(row, col)]} if (row, col) in extras.fills else {}
        if schema is None or col >= len(schema.columns):
            return formats.get(**fill) if fill else None
        if row == 0:
            return formats.get(**HEADER_FORMAT, **fill)
        return cell_format(formats, schema.columns[col], value, **fill)

    for (row, col), value in extras.values.items():
        write_cell(sheet, row, col, value, None)
    for (row, col) in extras.fills:
        if row == 0 and schema is not None and col < len(schema.columns):
            sheet.write_string(row, col, schema.columns[col].header, carried_format(row, col, None))
        elif (row, col) not in extras.formulas:
            value = value_at(row, col)
            if value is None:
                sheet.write_blank(row, col, None, carried_format(row, col, None))
            else:
                write_cell(sheet, row, col, value, carried_format(row, col, value))
    for (row, col), (formula, cached) in extras.formulas.items():
        sheet.write_formula(row, col, formula, carried_format(row, col, cached), excel_result(cached))
    for (row, col), (text, author) in extras.notes.items():
        sheet.write_comment(row, col, text, {"author": author} if author else {})
    for row in sorted(extras.hidden_rows):
        sheet.set_row(row, 30 if row == 0 else None, None, {"hidden": True})


