"""The clean tables: the rows without an error, typed as tables.Tables promises, and the money rules on them.

The money rules (budget, subsidy caps, payments against their commitment) are the budget engine's
(core.budget): they run last, on the rows every other check left, so that a commitment is judged by
its 2026 share exactly as the budget tabs judge it.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import numpy as np
import pandas as pd

from tyollisyys_xl.core.budget import alerts_as_findings, budget_alerts
from tyollisyys_xl.core.findings import ERROR, Finding
from tyollisyys_xl.core.tables import ROW, TABLE_ATTRIBUTES, Tables
from tyollisyys_xl.core.validation.table import CheckedTable

_CENT = Decimal("0.01")


def _cents(values: pd.Series) -> pd.Series:
    """Parsed euro amounts (float or Decimal) as Decimal with two decimals; None where missing.

    Floats are rounded to whole cents column-wise (half to even, as round() does).
    """
    amounts = values.to_numpy(dtype=object)
    kinds = np.fromiter(map(type, amounts), dtype=object, count=len(amounts))
    cents = np.full(len(amounts), None)
    floats = (kinds == float) & pd.notna(amounts)
    whole_cents = np.round(amounts[floats].astype(float) * 100).astype(np.int64)
    cents[floats] = [Decimal(c).scaleb(-2) for c in whole_cents.tolist()]
    decimals = kinds == Decimal
    cents[decimals] = [value.quantize(_CENT) for value in amounts[decimals]]
    return pd.Series(cents, index=values.index, dtype=object, copy=False)


def clean_frame(table: CheckedTable) -> pd.DataFrame:
    """Error-free rows with the types promised in tables.Tables."""
    keep = (table.ok_mask() if table.usable else pd.Series(False, index=table.rows.index)).to_numpy()
    data: dict[str, pd.Series] = {}
    for column in table.schema.columns:
        values = table.values[column.key][keep].reset_index(drop=True)
        if column.cell_type == "number":
            data[column.key] = pd.to_numeric(values, errors="coerce").astype("float64")
        elif column.cell_type == "euro":
            data[column.key] = _cents(values)
        elif column.cell_type == "month" and values.notna().all():
            data[column.key] = values.astype("int64")
        elif column.cell_type == "bool" and values.notna().all():
            data[column.key] = values.astype(bool)
        else:  # text, dates, and months or booleans with gaps: object columns the checks leave None in, never NaN
            data[column.key] = values
    data[ROW] = table.rows[keep].astype("int64").reset_index(drop=True)
    return pd.DataFrame(data)


def money_findings(tables: Mapping[str, CheckedTable], clean: dict[str, pd.DataFrame]) -> list[Finding]:
    """The budget engine's money rules (core.budget owns them) on the clean tables, as findings.

    They run on the rows that passed every other check, so that a commitment is judged by its 2026
    share exactly as the budget tabs judge it. A money error (a payment beyond its commitment or outside
    its period) then leaves its row out of clean (updated in place), like any other error; what is left
    raises no money error when the budget engine runs on it again. Findings point to the cells where
    the columns really stand in the sheet.
    """
    alerts = budget_alerts(clean_tables(tables, clean))
    errors = alerts[alerts["severity"] == ERROR]
    for name, rows in errors.groupby("table")["row"]:
        clean[name] = clean[name][~clean[name][ROW].isin(rows)].reset_index(drop=True)
    return alerts_as_findings(alerts)


def clean_tables(tables: Mapping[str, CheckedTable], clean: Mapping[str, pd.DataFrame]) -> Tables:
    """The clean frames as Tables, with where each column stands in the sheet (for whatever points back at a cell)."""
    return Tables(**{TABLE_ATTRIBUTES[name]: frame for name, frame in clean.items()},
                  column_letters={name: dict(table.raw.column_letters) for name, table in tables.items()})
