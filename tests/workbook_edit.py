"""Test helper: a real master rebuilt from another's rows after a test changed them, as typing would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from tyollisyys_xl.master.builder import build_master
from tyollisyys_xl.master.reading import open_workbook, read_input_tables
from tyollisyys_xl.schemas import table_schemas


def input_rows(path: Path) -> dict[str, list[dict]]:
    """Every input table of the workbook as rows of cell values (schema key -> value)."""
    return {name: t.rows for name, t in read_input_tables(open_workbook(path), table_schemas()).items() if t.present}


def rebuilt(source: Path, out: Path, edit: Callable[[dict[str, list[dict]]], None]) -> Path:
    """A master built at out from source's rows after edit(rows) changed them in place."""
    rows = input_rows(source)
    edit(rows)
    return build_master(out, rows=rows, replace_entries=True)


def month(number: int) -> dt.datetime:
    """A month cell as the master holds it: the first day of the month."""
    return dt.datetime(2026, number, 1)
