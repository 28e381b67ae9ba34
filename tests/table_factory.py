"""Clean Tables for unit tests of the core, built from a few rows per table.

Reference tables (Mittarit, Kunnat, Tukilajit, Kustannuskohteet) default to the programme's own rows,
the others to empty frames; each row gets an Excel row number counting from 2, as under a header row.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from tyollisyys_xl.core.tables import ROW, TABLE_ATTRIBUTES, Tables
from tyollisyys_xl.programme import AREA_TOTAL, programme
from tyollisyys_xl.schemas import table_schemas

EURO_KEYS = {name: {c.key for c in s.columns if c.cell_type == "euro"} for name, s in table_schemas().items()}


def euro(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def day(text: str) -> dt.date:
    """'15.3.2026' -> date(2026, 3, 15)."""
    d, m, y = (int(p) for p in text.split("."))
    return dt.date(y, m, d)


def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    keys = [c.key for c in table_schemas()[name].columns]
    records = []
    for i, row in enumerate(rows):
        record = {key: row.get(key) for key in keys}
        for key in EURO_KEYS[name]:
            record[key] = euro(record[key])
        record[ROW] = row.get(ROW, i + 2)
        records.append(record)
    frame = pd.DataFrame(records, columns=[*keys, ROW])
    for column in table_schemas()[name].columns:
        if column.cell_type in {"number"}:
            frame[column.key] = pd.to_numeric(frame[column.key]).astype("float64")
        if column.cell_type == "month":
            frame[column.key] = frame[column.key].astype("int64")
    frame[ROW] = frame[ROW].astype("int64")
    return frame


def make_tables(**rows: list[dict]) -> Tables:
    """Tables from rows keyed by Tables attribute (budget=[...], commitments=[...], ...)."""
    prog = programme()
    defaults = {
        "indicators": prog.indicator_rows(),
        "municipalities": prog.municipalities,
        "subsidy_types": prog.subsidy_types,
        "cost_objects": prog.cost_objects,
    }
    frames = {
        attribute: _frame(name, rows.get(attribute, defaults.get(attribute, [])))
        for name, attribute in TABLE_ATTRIBUTES.items()
    }
    return Tables(**frames)


def entry(indicator_id, month, value=None, municipality=AREA_TOTAL, numerator=None, denominator=None, **more) -> dict:
    """A Toteumat row (more: e.g. _row, the Excel row number)."""
    return {"indicator_id": indicator_id, "month": month, "municipality": municipality, "value": value,
            "numerator": numerator, "denominator": denominator, **more}


def programme_rows(**changes_by_id) -> list[dict]:
    """The programme's Mittarit rows with some fields changed, e.g. M06={"baseline": None}."""
    return [{**row, **changes_by_id.get(row["id"], {})} for row in programme().indicator_rows()]
