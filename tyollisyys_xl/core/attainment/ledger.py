"""Subsidy periods counted from the ledger (Sidonnat) instead of being typed twice.

Every pay-subsidy or youth-recruitment decision is a Sidonnat row with its subsidy type, municipality
and period, so the indicators about those periods (M30, M37) need no typing: an indicator whose
Mittarit row names a subsidy type (*Sidonnoista (tukilaji)*) is counted here

- when cumulative (M37 "30 alkanutta jaksoa"): the periods of that type **starting** in each month of
  2026 — the year's count is their sum up to the as-of month;
- when point-in-time (M30 "Palkkatukijaksot 65 → 65", a level to maintain): the periods **running at the
  end** of each month (start on or before the month's last day, end on or after it), as the national
  statistics count people in subsidised work at the end of a month.

When Toteumat holds entries for such an indicator they win, and validation compares them with these
counts. An empty Sidonnat gives nothing: not kept yet is not zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tyollisyys_xl.core.attainment.figures import VALUE_COLUMNS
from tyollisyys_xl.core.attainment.specs import IndicatorSpec
from tyollisyys_xl.core.months import MONTHS, YEAR


_MONTH_ENDS = np.array([np.datetime64(f"{YEAR}-{m:02d}", "M") + 1 for m in MONTHS], dtype="datetime64[D]") - 1


def period_counts(commitments: pd.DataFrame, subsidy_type: str, started: bool, names: list[str]) -> pd.DataFrame:
    """municipality, month (1..12), count: every municipality and month, zeros included (the ledger is complete).

    started: periods starting in the month; else periods running at the month's end."""
    codes, kinds = pd.factorize(commitments["subsidy_type"])
    wanted = [code for code, kind in enumerate(kinds) if isinstance(kind, str) and kind.casefold() == subsidy_type.casefold()]
    rows = commitments[np.isin(codes, wanted)]
    place = pd.Index(names).get_indexer(rows["municipality"])
    start = pd.to_datetime(rows["period_start"], errors="coerce").to_numpy("datetime64[D]")
    end = pd.to_datetime(rows["period_end"], errors="coerce").to_numpy("datetime64[D]")
    counts = np.zeros((len(names), len(MONTHS)), dtype="int64")
    known = place >= 0
    if started:
        month = (start.astype("datetime64[M]") - np.datetime64(f"{YEAR}-01", "M")).astype("int64")
        in_year = known & ~np.isnat(start) & (month >= 0) & (month < len(MONTHS))
        np.add.at(counts, (place[in_year], month[in_year]), 1)
    else:
        running = (start[:, None] <= _MONTH_ENDS[None, :]) & (end[:, None] >= _MONTH_ENDS[None, :])
        np.add.at(counts, place[known], running[known].astype("int64"))
    return pd.DataFrame({"municipality": np.repeat(names, len(MONTHS)), "month": np.tile(np.array(MONTHS), len(names)),
                         "count": counts.ravel()})


def ledger_values(commitments: pd.DataFrame, specs: dict[str, IndicatorSpec], entered: set[str],
                  names: list[str]) -> pd.DataFrame:
    """Value rows (as entry_values gives them) of the ledger indicators that have no entries of their own.

    An empty Sidonnat says nothing (the ledger has not been kept yet), so it gives no rows; once it holds
    any decision, a month without periods of a type is a real zero."""
    if commitments.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    frames = []
    for indicator_id, spec in specs.items():
        if spec.ledger_type is None or indicator_id in entered:
            continue
        counts = period_counts(commitments, spec.ledger_type, spec.cumulative, names)
        frames.append(pd.DataFrame({
            "indicator_id": indicator_id,
            "month": counts["month"].astype("int64"),
            "municipality": counts["municipality"],
            "effective": counts["count"].astype("float64"),
            "numerator": np.nan,
            "denominator": np.nan,
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=VALUE_COLUMNS)
