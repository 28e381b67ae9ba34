"""Sheet values -> RawTable: find the header row, map Finnish headers to schema keys, keep Excel row numbers.

Headers are matched ignoring case and extra spaces. A header that differs from the schema's but stands
where the schema column belongs (between its neighbours) is read as that column and reported as renamed,
so that one edited header does not make every row of the sheet fail.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import numpy as np
import pandas as pd

from tyollisyys_xl.core.cells import cell, column_letter
from tyollisyys_xl.core.findings import WARNING, Finding
from tyollisyys_xl.core.parsing import quote
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.core.tables import ROW, RawTable
from tyollisyys_xl.schemas import TableSchema

HEADER_SCAN_ROWS = 30  # the header row is looked for among the first rows only


@dataclass(frozen=True)
class SheetFacts:
    """What an adapter knows of a sheet besides its values (plain data, so the core stays pure)."""

    merged_ranges: tuple[str, ...] = ()  # "B6:C6"
    hidden_rows: tuple[int, ...] = ()  # Excel row numbers
    last_row: int | None = None  # the last row the file holds, formatted or not


def cell_address(row: int, col: int) -> str:
    """1-based row, 0-based column index (as in the values lists) -> "D17"."""
    return cell(row, col + 1)


def _normalize_header(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value)).strip().casefold() if value is not None else ""


def is_usable(raw: RawTable) -> bool:
    """Every required column was found, so the rows can be checked and used."""
    return all(c.key in raw.column_letters for c in raw.schema.columns if c.required)


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _find_header_row(values: list[list[Any]], wanted: set[str]) -> int | None:
    """0-based index of the row with the most schema headers among the first rows; None when none has any."""
    best, best_hits = None, 0
    for index, row in enumerate(values[:HEADER_SCAN_ROWS]):
        hits = len({_normalize_header(v) for v in row} & wanted)
        if hits > best_hits:
            best, best_hits = index, hits
    return best


def _pair_renamed(schema: TableSchema, positions: dict[str, int], extras: dict[int, str]) -> dict[str, int]:
    """Missing schema columns whose place holds an unknown header: key -> column index."""
    renamed: dict[str, int] = {}
    keys = [c.key for c in schema.columns]
    for i, key in enumerate(keys):
        if key in positions:
            continue
        before = max((positions[k] for k in keys[:i] if k in positions), default=-1)
        after = min((positions[k] for k in keys[i + 1 :] if k in positions), default=10**6)
        between = [c for c in extras if before < c < after and c not in renamed.values()]
        if len(between) == 1:
            renamed[key] = between[0]
            continue
        header = _normalize_header(schema.column(key).header)
        scored = [(difflib.SequenceMatcher(None, header, _normalize_header(extras[c])).ratio(), c) for c in between]
        scored = [s for s in scored if s[0] >= 0.6]
        if scored:
            renamed[key] = max(scored)[1]
    return renamed


def _shape_findings(
    schema: TableSchema, header_row: int, positions: dict[str, int], renamed: dict[str, int], extras: dict[int, str], header_cells: list
) -> list[Finding]:
    findings = []
    sheet = schema.sheet
    for key, col in renamed.items():
        column = schema.column(key)
        findings.append(
            Finding.of(Rule.SARAKE_NIMETTY, sheet, cell_address(header_row, col), column.header,
                    f"Sarakkeen otsikko on {quote(header_cells[col])}, odotettiin ”{column.header}”. "
                    "Sarake luettiin, mutta palauta alkuperäinen otsikko (kaavat ja raportit käyttävät sitä).")
        )
    found_cols = sorted(positions.values())
    for column in schema.columns:
        if column.key in positions or column.key in renamed:
            continue
        where = cell_address(header_row, (found_cols[-1] + 1) if found_cols else 0)
        if column.required:
            findings.append(Finding.of(Rule.SARAKE_PUUTTUU, sheet, where, column.header,
                                       f"Pakollinen sarake ”{column.header}” puuttuu, joten taulukon rivejä ei voi käyttää."))
        else:
            findings.append(Finding.of(Rule.SARAKE_PUUTTUU, sheet, where, column.header,
                                       f"Sarake ”{column.header}” puuttuu; sen tiedot jäävät tyhjiksi.", WARNING))
    for col, header in extras.items():
        if col in renamed.values():
            continue
        findings.append(Finding.of(Rule.SARAKE_YLIMAARAINEN, sheet, cell_address(header_row, col), None,
                                   f"Ylimääräinen sarake {quote(header)}: työkalu ei lue sitä."))
    return findings


def _empty_frame(schema: TableSchema) -> pd.DataFrame:
    return pd.DataFrame({**{c.key: pd.Series([], dtype=object) for c in schema.columns}, ROW: pd.Series([], dtype="int64")})


def raw_table(schema: TableSchema, values: list[list[Any]] | None) -> RawTable:
    """Read one input sheet's values (from A1) into a RawTable; shape problems become findings, never exceptions."""
    sheet = schema.sheet
    if values is None:
        finding = Finding.of(Rule.VALILEHTI_PUUTTUU, sheet, None, None, f"Välilehti ”{sheet}” puuttuu työkirjasta.")
        return RawTable(schema, _empty_frame(schema), {}, problems=[finding])
    wanted = {_normalize_header(c.header): c.key for c in schema.columns}
    header_index = _find_header_row(values, set(wanted))
    if header_index is None:
        empty = all(is_blank(v) for row in values for v in row)
        what = "Välilehti on tyhjä" if empty else "Välilehdeltä ei löydy otsikkoriviä"
        finding = Finding.of(Rule.OTSIKKORIVI, sheet, "A1", None, f"{what} (odotettiin sarakkeita {', '.join(schema.headers)}).")
        return RawTable(schema, _empty_frame(schema), {}, problems=[finding])

    header_cells = values[header_index]
    header_row = header_index + 1
    positions: dict[str, int] = {}
    extras: dict[int, str] = {}
    for col, header in enumerate(header_cells):
        key = wanted.get(_normalize_header(header))
        if key is not None and key not in positions:
            positions[key] = col
        elif not is_blank(header):
            extras[col] = header
    renamed = _pair_renamed(schema, positions, extras)
    problems = _shape_findings(schema, header_row, positions, renamed, extras, header_cells)
    mapping = {**positions, **renamed}

    frame = _data_frame(schema, values[header_index + 1 :], mapping, first_row=header_row + 1)
    letters = {key: column_letter(col + 1) for key, col in mapping.items()}
    return RawTable(schema, frame, letters, header_row=header_row, problems=problems)


def _data_frame(schema: TableSchema, rows: list[list[Any]], mapping: dict[str, int], first_row: int) -> pd.DataFrame:
    """Mapped columns of the data rows (object dtype, blanks as None), fully empty rows dropped.

    Each mapped column is taken out of the rows once; after that every step works on whole columns.
    """
    cells = _columns(rows, mapping)
    blank = {key: _blank_mask(column) for key, column in cells.items()}
    keep = ~np.logical_and.reduce(list(blank.values()))
    data = {}
    for column in schema.columns:
        if column.key in cells:
            values = cells[column.key]
            values[blank[column.key]] = None
            data[column.key] = values[keep]
        else:
            data[column.key] = np.full(int(keep.sum()), None)
    frame = pd.DataFrame(data, dtype=object)
    frame[ROW] = np.arange(first_row, first_row + len(rows), dtype="int64")[keep]
    return frame


def _columns(rows: list[list[Any]], mapping: dict[str, int]) -> dict[str, np.ndarray]:
    """key -> that column of the rows as an object array; a row too short for it gives None."""
    width = max(mapping.values()) + 1
    if min(map(len, rows), default=width) < width:
        rows = [row + [None] * (width - len(row)) for row in rows]
    return {key: np.fromiter(map(itemgetter(col), rows), dtype=object, count=len(rows)) for key, col in mapping.items()}


def _blank_mask(cells: np.ndarray) -> np.ndarray:
    """True for None, NaN, "" and whitespace-only text (adapters differ in how they give an empty cell).

    Asked once per distinct value, inline: a column of amounts or ids has nearly as many distinct values as cells.
    """
    blanks = {
        value for value in set(cells.tolist())
        if value is None or value is pd.NA or (not value.strip() if value.__class__ is str else value != value)
    }
    if not blanks:
        return np.zeros(len(cells), dtype=bool)
    return np.fromiter(map(blanks.__contains__, cells), dtype=bool, count=len(cells))


def distinct_matches(values: np.ndarray, predicate: Callable[[Any], bool]) -> np.ndarray:
    """predicate of each value as a boolean array, asked once per distinct value (a column repeats few)."""
    hits = {value for value in set(values.tolist()) if predicate(value)}
    if not hits:
        return np.zeros(len(values), dtype=bool)
    return np.fromiter(map(hits.__contains__, values), dtype=bool, count=len(values))
