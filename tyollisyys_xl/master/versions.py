"""A master's input tables as rows for comparing two versions of it (`diff`, `collect`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from tyollisyys_xl.core.rowdiff import TableRows
from tyollisyys_xl.master.reading import InputTable, open_workbook, read_input_tables
from tyollisyys_xl.schemas import TableSchema


def as_rows(tables: Mapping[str, InputTable]) -> dict[str, TableRows | None]:
    """Schema name -> the table's rows (None for a sheet the workbook does not have)."""
    return {name: TableRows(t.rows, t.row_numbers) if t.present else None for name, t in tables.items()}


def notes_on(path: Path, tables: Mapping[str, InputTable]) -> list[str]:
    """What a comparison leaves out: missing sheets and columns the schemas do not know (Finnish)."""
    notes = []
    for table in tables.values():
        if not table.present:
            notes.append(f"{path.name}: välilehteä {table.schema.sheet} ei ole; sen rivit näkyvät lisättyinä tai poistettuina.")
        notes += [f"{path.name}: {table.schema.sheet}: {column} ei kuulu skeemaan, joten sitä ei verrattu."
                  for column in table.unknown_columns]
    return notes


def read_versions(path: Path, schemas: Mapping[str, TableSchema]) -> tuple[dict[str, TableRows | None], list[str]]:
    """(rows per table, notes) of the workbook at path; raises BuildError (Finnish) when it cannot be read."""
    tables = read_input_tables(open_workbook(Path(path)), schemas)
    return as_rows(tables), notes_on(Path(path), tables)
