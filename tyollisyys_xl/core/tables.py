"""Tables as the core sees them: raw cell values located in the sheet, and clean typed frames.

Adapters hand the core plain 2-D cell values per sheet (see tyollisyys_xl.io.workbook); the core
turns them into RawTables (values as typed in, each row keeping its Excel row number), validation
turns those into clean Tables (parsed types, only rows without errors).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from tyollisyys_xl.core.findings import Finding
from tyollisyys_xl.schemas import TableSchema

ROW = "_row"  # column of every frame: the Excel row number the values came from


@dataclass
class RawTable:
    """One input sheet's values as typed in.

    frame: one column per schema key found in the sheet (object dtype, raw cell values) plus ROW.
    column_letters: schema key -> Excel column letter where that column was found.
    problems: findings about the sheet's shape (missing, renamed or extra columns, no such sheet).
    """

    schema: TableSchema
    frame: pd.DataFrame
    column_letters: dict[str, str]
    header_row: int = 1
    problems: list[Finding] = field(default_factory=list)

    def cell(self, key: str, row: int) -> str:
        return f"{self.column_letters[key]}{row}"


@dataclass
class Tables:
    """Clean, typed input tables (rows with errors left out). Column names are the schema keys, plus ROW.

    Types: text -> str; number -> float (NaN when empty); euro -> decimal.Decimal (2 decimals);
    month -> int 1..12 (of 2026); date -> datetime.date; bool -> bool; empty optional text -> None.
    column_letters: {table name: {schema key: column letter}} where validation found each column in the
    workbook, so that whatever points back at an input cell finds it; a table not given is laid out as
    the builder lays it (schema order from column A).
    """

    indicators: pd.DataFrame  # Mittarit
    entries: pd.DataFrame  # Toteumat
    explanations: pd.DataFrame  # Selitykset
    reference_entries: pd.DataFrame  # Vertailuvuosi: the months of 2025 of point-in-time indicators
    municipalities: pd.DataFrame  # Kunnat
    subsidy_types: pd.DataFrame  # Tukilajit
    budget: pd.DataFrame  # Tukibudjetti
    commitments: pd.DataFrame  # Sidonnat
    payments: pd.DataFrame  # Maksatukset
    cost_objects: pd.DataFrame  # Kustannuskohteet
    service_costs: pd.DataFrame  # Palvelukustannukset
    column_letters: dict[str, dict[str, str]] = field(default_factory=dict)


# schema name -> attribute of Tables
TABLE_ATTRIBUTES = {
    "mittarit": "indicators",
    "toteumat": "entries",
    "selitykset": "explanations",
    "vertailuvuosi": "reference_entries",
    "kunnat": "municipalities",
    "tukilajit": "subsidy_types",
    "tukibudjetti": "budget",
    "sidonnat": "commitments",
    "maksatukset": "payments",
    "kustannuskohteet": "cost_objects",
    "palvelukustannukset": "service_costs",
}
