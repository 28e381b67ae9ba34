"""Status history: every indicator's status as of every month from January to the as-of month.

Entries are monthly, so the status an indicator had at the end of any earlier month can be recomputed
from the same tables: no saved history is needed, and a corrected figure corrects its history too.
This is a scorecard's check-in history, derived instead of typed. Each month is judged by the code
compute_attainment uses (monthly_judgements: one code path with Toteutuminen, so the history's last month
is exactly the status on the sheet), and the trend compares the as-of month with the month before.

Pure core: Tables in, a StatusHistory out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from tyollisyys_xl.core.attainment import (
    EI_TOTEUDU,
    RISKISSA,
    SAAVUTETTU,
    TAVOITTEESSA,
    monthly_judgements,
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

    def statuses(self) -> dict[str, dict[int, str]]:
        """Indicator id -> month -> the area's status."""
        table: dict[str, dict[int, str]] = {}
        area = self.area()
        for indicator_id, month, status in zip(area["id"], area["month"], area["status"]):
            table.setdefault(indicator_id, {})[int(month)] = status
        return table

    def trend(self, indicator_id: str) -> str:
        """The as-of month against the month before: parempi, huonompi, ennallaan, or ei vertailtavissa (January,
        or either month without data)."""
        months = self.statuses().get(indicator_id, {})
        if self.as_of is None or self.as_of < 2:
            return NOT_COMPARABLE
        return status_trend(months.get(self.as_of - 1), months.get(self.as_of))


def status_trend(before: str | None, now: str | None) -> str:
    if before not in STATUS_RANK or now not in STATUS_RANK:
        return NOT_COMPARABLE
    if STATUS_RANK[now] == STATUS_RANK[before]:
        return UNCHANGED
    return BETTER if STATUS_RANK[now] > STATUS_RANK[before] else WORSE


def _month_rows(indicators: pd.DataFrame, municipalities: pd.DataFrame, month: int) -> pd.DataFrame:
    area = indicators.assign(municipality=AREA_TOTAL)[["id", "municipality", "actual", "expected", "status"]]
    local = municipalities[["id", "municipality", "actual", "expected", "status"]]
    return pd.concat([area, local], ignore_index=True).assign(month=month)


def status_history(tables: Tables, as_of: int | None = None) -> StatusHistory:
    """The statuses of every indicator (area and municipal rows) at the end of each month 1..as_of
    (None: the latest month with entries, as compute_attainment takes it)."""
    month, judged = monthly_judgements(tables, as_of)
    frames = [_month_rows(indicators, municipalities, m) for m, (indicators, municipalities) in enumerate(judged, start=1)]
    frame = pd.concat(frames, ignore_index=True)[HISTORY_COLUMNS] if frames else pd.DataFrame(columns=HISTORY_COLUMNS)
    frame = frame.astype({"actual": "float64", "expected": "float64"})
    indicators = tables.indicators[["id", "level", "name"]].reset_index(drop=True)
    return StatusHistory(month, frame, indicators)
