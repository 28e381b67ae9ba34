"""One input table while it is checked, and the column-wise helpers every check uses.

A check marks cells with CheckedTable.flag: one finding per marked row at the column's cell. An error
also empties the cell's value (so that the rules after it treat it as missing) and marks its row, which
is then left out of the clean tables; a warning keeps both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tyollisyys_xl.core.findings import ERROR, Finding, Severity
from tyollisyys_xl.core.raw import distinct_matches, is_usable
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.core.tables import ROW, RawTable
from tyollisyys_xl.schemas import TableSchema

Message = str | Callable[[Any], str]


@dataclass
class CheckedTable:
    """One input table while it is being checked."""

    raw: RawTable
    values: dict[str, pd.Series] = field(default_factory=dict)  # parsed values; None where empty or bad
    error_rows: set[int] = field(default_factory=set)  # Excel row numbers with an error
    findings: list[Finding] = field(default_factory=list)
    _numbers: dict[str, tuple[pd.Series, pd.Series]] = field(default_factory=dict, repr=False)

    @property
    def schema(self) -> TableSchema:
        return self.raw.schema

    @property
    def rows(self) -> pd.Series:
        return self.raw.frame[ROW]

    @property
    def usable(self) -> bool:
        return is_usable(self.raw)

    def numbers(self, key: str) -> pd.Series:
        """The column's values as float64 (NaN where missing), made once per state of the column: several
        checks of a number column need them, and an error (which empties cells) gives a new state."""
        values = self.values[key]
        cached = self._numbers.get(key)
        if cached is None or cached[0] is not values:
            cached = self._numbers[key] = (values, numeric(values))
        return cached[1]

    def ok_mask(self) -> pd.Series:
        """Rows without an error so far."""
        return ~self.rows.isin(self.error_rows)

    def flag(self, key: str, mask: pd.Series, rule: Rule, message: Message, severity: Severity | None = None) -> None:
        """One finding per masked row at the key's cell; an error also drops the cell's value and the row.

        message: the text, or a function of the row's index label (called for flagged rows only).
        severity: the rule's own (core.rules) unless the rule allows another and the case calls for it.
        """
        if not mask.any():
            return
        severity = severity or rule.severity
        column = self.schema.column(key)
        rows = self.rows[mask]
        for index, row in rows.items():
            text = message(index) if callable(message) else message
            self.findings.append(Finding.of(rule, self.schema.sheet, self.raw.cell(key, row), column.header, text, severity))
        if severity == ERROR:
            self.error_rows.update(rows.tolist())
            if key in self.values:
                self.values[key] = self.values[key].mask(mask, None)

    def flag_row(self, key: str, row: int, rule: Rule, message: str) -> None:
        self.flag(key, self.rows == row, rule, message)


def numeric(values: pd.Series) -> pd.Series:
    """Parsed numbers (float, int or Decimal; None when missing) as float64."""
    return pd.to_numeric(values, errors="coerce").astype("float64")


def map_distinct(values: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """function of each value, None where missing; called once per distinct value, since columns repeat few.

    The values are of one kind (texts, months), so that equal means the same: 1 and True are one value here.
    """
    codes, distinct = pd.factorize(values.to_numpy())
    results = np.append(np.fromiter(map(function, distinct), dtype=object, count=len(distinct)), None)
    return pd.Series(results[codes], index=values.index, dtype=object, copy=False)  # code -1 (missing) takes the None


def matches(values: pd.Series, predicate: Callable[[Any], bool]) -> pd.Series:
    """predicate of each value as a boolean Series, asked once per distinct value."""
    return pd.Series(distinct_matches(values.to_numpy(), predicate), index=values.index, copy=False)


def dates(values: pd.Series) -> pd.Series:
    """datetime.date objects (None for missing) as datetime64, for vectorised comparisons."""
    return pd.to_datetime(values, errors="coerce")


def lookup(keys: pd.Series, table: CheckedTable, key: str, value: str) -> pd.Series:
    """For each key, the value column of the error-free row of table whose key column equals it (NaN if none)."""
    ok = table.ok_mask()
    mapping = pd.Series(table.values[value][ok].to_numpy(), index=table.values[key][ok].to_numpy())
    mapping = mapping[~mapping.index.duplicated()]
    return keys.map(mapping)
