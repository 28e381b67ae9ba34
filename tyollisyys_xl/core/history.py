"""Status history: every indicator's status as of every month from January to the as-of month.

Entries are monthly, so the status an indicator had at the end of any earlier month can be recomputed
from the same tables: no saved history is needed, and a corrected figure corrects its history too.
This is a scorecard's check-in history, derived instead of typed. Each month is judged by the code and
the preparation of compute_attainment (AttainmentResult.monthly_rows: one code path with Toteutuminen, so
the history's last month is exactly the status on the sheet), and the trend compares the as-of month with
the month before.

Pure core: Tables in, a StatusHistory out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from tyollisyys_xl.core.attainment import (
    EI_TOTEUDU,
    RISKISSA,
    SAAVUTETTU,
    TAVOITTEESSA,
    AttainmentResult,
    compute_attainment,
)
from tyollisyys_xl.core.tables import Tables
from tyollisyys_xl.programme import AREA_TOTAL

# The better a status, the higher; Ei tietoa has no rank, so a month without data is never better or worse.
STATUS_RANK = {EI_TOTEUDU: 1, RISKISSA: 2, TAVOITTEESSA: 3, SAAVUTETTU: 4}
BETTER, WORSE, UNCHANGED, NOT_COMPARABLE = "parempi", "huonompi", "ennallaan", "ei vertailtavissa"
HISTORY_COLUMNS = ["id", "municipality", "month", "actual", "expected", "status"]


@dataclass
class StatusHistory:
    """frame: one row per indicator, place (Koko alue or a municipality) and month 1..as_of: id, municipality,
    month, actual, expected, status (None where a municipality's figure has no target of its own).
    indicators: the indicators in Mittarit order (id, level, name)."""

    as_of: int | None
    frame: pd.DataFrame
    indicators: pd.DataFrame

    def area(self) -> pd.DataFrame:
        return self.frame[self.frame["municipality"] == AREA_TOTAL]

    def of(self, indicator_id: str) -> list[dict]:
        """The area's [{month, status, actual}] of one indicator, January first (actual None when missing)."""
        rows = self.area()
        rows = rows[rows["id"] == indicator_id]
        return [{"month": int(m), "status": s, "actual": None if a is None or math.isnan(a) else float(a)}
                for m, s, a in zip(rows["month"], rows["status"], rows["actual"])]

    @cached_property
    def _statuses(self) -> dict[str, dict[int, str]]:
        table: dict[str, dict[int, str]] = {}
        area = self.area()
        for indicator_id, month, status in zip(area["id"], area["month"], area["status"]):
            table.setdefault(indicator_id, {})[int(month)] = status
        return table

    def statuses(self) -> dict[str, dict[int, str]]:
        """Indicator id -> month -> the area's status."""
        return {indicator_id: dict(months) for indicator_id, months in self._statuses.items()}

    def trend(self, indicator_id: str) -> str:
        """The as-of month against the month before: parempi, huonompi, ennallaan, or ei vertailtavissa (January,
        or either month without data)."""
        months = self._statuses.get(indicator_id, {})
        if self.as_of is None or self.as_of < 2:
            return NOT_COMPARABLE
        return status_trend(months.get(self.as_of - 1), months.get(self.as_of))


def status_trend(before: str | None, now: str | None) -> str:
    if before not in STATUS_RANK or now not in STATUS_RANK:
        return NOT_COMPARABLE
    if STATUS_RANK[now] == STATUS_RANK[before]:
        return UNCHANGED
    return BETTER if STATUS_RANK[now] > STATUS_RANK[before] else WORSE


def status_history(tables: Tables, as_of: int | None = None, latest: AttainmentResult | None = None) -> StatusHistory:
    """The statuses of every indicator (area and municipal rows) at the end of each month 1..as_of.

    as_of None: the latest month with entries, as compute_attainment takes it. latest: the attainment already
    computed for as_of, whose preparation every month reuses."""
    latest = latest if latest is not None and (as_of is None or latest.as_of == as_of) else compute_attainment(tables, as_of)
    ids = list(latest.indicators["id"])
    records = []
    for month, (area, local) in enumerate(latest.monthly_rows(), start=1):
        records += [(i, AREA_TOTAL, month, a["actual"], a["expected"], a["status"]) for i, a in zip(ids, area)]
        records += [(r["id"], r["municipality"], month, r["actual"], r["expected"], r["status"]) for r in local]
    frame = pd.DataFrame.from_records(records, columns=HISTORY_COLUMNS).astype(
        {"month": "int64", "actual": "float64", "expected": "float64"})
    indicators = latest.indicators[["id", "level", "name"]].reset_index(drop=True)
    return StatusHistory(latest.as_of, frame, indicators)
