"""The input tables as values, for a report made with `--with-inputs`: so that Tarkistus' links lead to
the offending cells, highlighted as in the workbook.

Each sheet keeps the cells where they stood (the links point at them), with the schema's number
format per column (so dates read as dates) and the header row bold and frozen. No Excel table,
dropdowns or macros: the report is for reading, the master stays the place to edit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tyollisyys_xl.core.cells import cell_range, column_letter
from tyollisyys_xl.core.sheetspec import Block, SheetSpec, Style
from tyollisyys_xl.schemas import NUMBER_FORMATS, TableSchema

HEADER_FILL = "DDEBF7"


def input_sheet(
    schema: TableSchema, values: Sequence[Sequence[Any]], letters: Mapping[str, str] | None, highlights: Sequence[Style] = ()
) -> SheetSpec:
    """One input sheet's values as read, formatted by its schema; letters: schema key -> the column where
    validation found it (None: the builder's layout); highlights: fill styles of offending cells."""
    rows = [[None if value == "" else value for value in row] for row in values]
    width = max((len(row) for row in rows), default=0)
    letters = letters or {column.key: column_letter(i) for i, column in enumerate(schema.columns, start=1)}
    spec = SheetSpec(schema.sheet, blocks=[Block(1, 1, rows)] if rows else [], freeze="A2")
    if width:
        spec.styles.append(Style(cell_range(1, 1, 1, width), bold=True, fill=HEADER_FILL, wrap=True))
    for column in schema.columns:
        letter = letters.get(column.key)
        if letter is None:
            continue
        spec.column_widths[letter] = column.width
        if len(rows) > 1 and NUMBER_FORMATS[column.cell_type] != "General":
            spec.styles.append(Style(f"{letter}2:{letter}{len(rows)}", number_format=NUMBER_FORMATS[column.cell_type]))
    spec.styles += highlights
    return spec
