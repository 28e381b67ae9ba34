"""Roll-ups: groups of indicators (a level, theme, focus area or municipality) as counts per status and
the mean of capped progress. Unlike units are never added or averaged; docs/attainment.md says why.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pandas as pd

from tyollisyys_xl.core.attainment.specs import (
    EI_TIETOA,
    LEVEL_COUNCIL,
    LEVEL_TOTAL,
    SAAVUTETTU,
    STATUSES,
    TAVOITTEESSA,
)


def rollup(frame: pd.DataFrame, group_type: str, group: str) -> dict:
    """Share of indicators per status plus the mean of capped progress: unlike units are never summed."""
    return rollup_of(group_type, group, frame["status"].tolist(), frame["progress_capped"].to_numpy("float64"))


def rollup_of(group_type: str, group: str, statuses: list, capped: np.ndarray) -> dict:
    """The roll-up of one group from its statuses and capped progress (one value per indicator)."""
    counts = Counter(statuses)
    count = {status: counts[status] for status in STATUSES}
    with_data = len(statuses) - count[EI_TIETOA]
    return {
        "group_type": group_type,
        "group": group,
        "n": len(statuses),
        **count,
        "on_track_share": (count[SAAVUTETTU] + count[TAVOITTEESSA]) / with_data if with_data else math.nan,
        "mean_progress": _mean(capped),
    }


def _mean(values: np.ndarray) -> float:
    """The mean of the values that are not NaN (NaN when none is), summed in the order pandas' mean sums them."""
    missing = np.isnan(values)
    if missing.all():
        return math.nan
    return float(np.where(missing, 0.0, values).sum() / (values.size - missing.sum()))


ROLLUP_COLUMNS = ["group_type", "group", "n", *STATUSES, "on_track_share", "mean_progress"]


def view_rollups(indicators: pd.DataFrame, view: str) -> pd.DataFrame:
    """The roll-ups of one view (e.g. the council's KV indicators): the view itself, its themes, its focus areas."""
    rows = [rollup(indicators, "taso", view)]
    rows += [rollup(group, "teema", theme) for theme, group in indicators.groupby("theme", sort=False)]
    rows += [rollup(group, "painopiste", focus) for focus, group in indicators.groupby("focus_area", sort=False)]
    return pd.DataFrame(rows, columns=ROLLUP_COLUMNS)


def all_rollups(indicators: pd.DataFrame, municipalities: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The council's KV view, then the committee's view of every indicator by theme and focus area, then
    the municipalities over the indicators judged in each."""
    judged = municipalities[municipalities["status"].notna()]
    positions_of = judged.groupby("municipality", sort=False).indices
    statuses = judged["status"].to_numpy(dtype=object)
    capped = judged["progress_capped"].to_numpy(dtype="float64")
    none = np.array([], dtype="int64")
    council = pd.DataFrame([rollup(indicators[indicators["level"] == "KV"], "taso", LEVEL_COUNCIL)])
    towns = pd.DataFrame([rollup_of("kunta", name, statuses[positions_of.get(name, none)].tolist(),
                                     capped[positions_of.get(name, none)]) for name in names],
                         columns=ROLLUP_COLUMNS)
    return pd.concat([council, view_rollups(indicators, LEVEL_TOTAL), towns], ignore_index=True)
