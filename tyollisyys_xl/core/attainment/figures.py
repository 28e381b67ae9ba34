"""Entries into area figures: one figure per indicator and month, and the figure judged at a month's end.

A Koko alue row is the area's figure as it is; otherwise the municipalities' rows of the month are
combined by the indicator's way (sums, rates weighted by their denominators, means weighted by
respondents, upper limits by their worst municipality). docs/attainment.md explains the rules and why
a partial sum is not the area's figure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tyollisyys_xl.core.attainment.specs import MAX, MEAN, RATE, SUM, IndicatorSpec
from tyollisyys_xl.core.months import month_label
from tyollisyys_xl.core.tables import Tables
from tyollisyys_xl.programme import AREA_TOTAL, programme


@dataclass(frozen=True)
class Figure:
    """The area figure of one indicator for one month, or year to date, and what stands behind it."""

    month: int
    value: float
    reported: int  # municipalities behind the figure (all of them for a Koko alue entry)
    complete: bool
    from_area: bool
    weighted: bool
    numerator: float = math.nan  # Σ numerators behind a rate (NaN unless every row gave both parts)
    denominator: float = math.nan
    worst: str | None = None  # the municipality whose value is the area's figure of an upper limit


def municipality_names(tables: Tables) -> list[str]:
    """The area's municipalities as the Kunnat table lists them (the programme's when the table is empty)."""
    names = tables.municipalities.get("name")
    if names is not None and len(names):
        return list(names)
    return [m["name"] for m in programme().municipalities]


VALUE_COLUMNS = ["indicator_id", "month", "municipality", "effective", "numerator", "denominator"]


def entry_values(tables: Tables, specs: dict[str, IndicatorSpec], entries: pd.DataFrame | None = None,
                 months: tuple[int, int] = (1, 12)) -> pd.DataFrame:
    """Entries of known indicators with their effective value (the value, or scale × numerator / denominator).

    entries: Toteumat (default) or another table of the same columns, such as the reference year's, whose
    months (core.months numbering) lie in months."""
    entries = tables.entries if entries is None else entries
    scale = entries["indicator_id"].map({i: s.rate_scale for i, s in specs.items()})
    from_parts = scale * entries["numerator"] / entries["denominator"]
    frame = entries.assign(effective=entries["value"].where(entries["value"].notna(), from_parts))
    keep = frame["indicator_id"].isin(list(specs)) & frame["effective"].notna() & frame["month"].between(*months)
    return frame.loc[keep, VALUE_COLUMNS]


def monthly_figures(values: pd.DataFrame, specs: dict[str, IndicatorSpec], n_municipalities: int) -> dict[str, list[Figure]]:
    """Per indicator, its monthly area figures in month order: the Koko alue entry where there is one,
    else the municipal entries combined (sum, rate weighted by denominators, mean weighted by them, or the
    maximum of an upper limit with the municipality behind it)."""
    area = values[values["municipality"] == AREA_TOTAL]
    combined = _combine_municipal(values[values["municipality"] != AREA_TOTAL], specs, n_municipalities)
    area_keys = set(zip(area["indicator_id"], area["month"]))
    figures: dict[str, list[Figure]] = {}
    for indicator_id, month, value, numerator, denominator in zip(
            area["indicator_id"], area["month"], area["effective"], area["numerator"], area["denominator"]):
        figures.setdefault(indicator_id, []).append(Figure(int(month), float(value), n_municipalities, True, True, True,
                                                           float(numerator), float(denominator)))
    for row in combined.itertuples(index=False):
        if (row.indicator_id, row.month) not in area_keys:
            parts = bool(row.all_parts)
            figures.setdefault(row.indicator_id, []).append(Figure(
                int(row.month), float(row.value), int(row.reported), bool(row.complete), False, bool(row.weighted),
                float(row.numerators) if parts else math.nan, float(row.denominators) if parts else math.nan,
                row.worst if isinstance(row.worst, str) else None))
    return {key: sorted(rows, key=lambda f: f.month) for key, rows in figures.items()}


def _combine_municipal(local: pd.DataFrame, specs: dict[str, IndicatorSpec], n_municipalities: int) -> pd.DataFrame:
    """Per indicator and month: value, reported, complete, weighted, all_parts, numerators, denominators, worst."""
    if local.empty:
        return pd.DataFrame()  # no rows to go through (groupby of nothing would give no columns to fill)
    local = local.assign(
        has_parts=local["numerator"].notna() & local["denominator"].notna(),
        has_weight=local["denominator"].notna(),
        weighted_value=local["effective"] * local["denominator"],
    )
    groups = local.groupby(["indicator_id", "month"], sort=True)
    grouped = pd.DataFrame({  # one reduction at a time: about twice as fast as agg() with named aggregations
        "reported": groups["municipality"].nunique(),
        "total": groups["effective"].sum(),
        "mean": groups["effective"].mean(),
        "numerators": groups["numerator"].sum(),
        "denominators": groups["denominator"].sum(),
        "weighted_sum": groups["weighted_value"].sum(),
        "all_parts": groups["has_parts"].all(),
        "all_weights": groups["has_weight"].all(),
    }).reset_index()
    combine = grouped["indicator_id"].map({i: s.combine for i, s in specs.items()})
    scale = grouped["indicator_id"].map({i: s.rate_scale for i, s in specs.items()}).astype("float64")
    is_sum, is_max = combine == SUM, combine == MAX
    rate_weighted = (combine == RATE) & grouped["all_parts"]
    mean_weighted = (combine == MEAN) & grouped["all_weights"]
    grouped["worst"] = None
    if is_max.any():  # the municipality behind each maximum, only where a limit needs it
        worst = local["municipality"].loc[groups["effective"].idxmax()].to_numpy()
        grouped["worst"] = np.where(is_max, worst, None)
    grouped["value"] = np.select(  # pandas divides by zero without a warning; those choices are never picked
        [is_sum, is_max, rate_weighted, mean_weighted],
        [grouped["total"], groups["effective"].max().to_numpy(), scale * grouped["numerators"] / grouped["denominators"],
         grouped["weighted_sum"] / grouped["denominators"]],
        default=grouped["mean"],
    )
    grouped["weighted"] = is_sum | is_max | rate_weighted | mean_weighted
    grouped["complete"] = grouped["reported"] >= n_municipalities
    return grouped


def area_actual(spec: IndicatorSpec, figures: list[Figure], month: int) -> tuple[Figure | None, list[str]]:
    """The figure judged at the end of a month, with Finnish notes on how it was formed.

    Latest-value indicators take the latest month with every municipality reported (or a Koko alue
    entry), falling back to the latest month with any data; cumulative ones sum the months so far, and
    a year-to-date rate divides the numerators of the months so far by their denominators."""
    upto = [f for f in figures if f.month <= month]
    if not upto:
        return None, []
    if spec.year_to_date_rate:
        return _year_to_date_rate(spec, upto)
    if spec.reads_latest:
        complete = [f for f in upto if f.complete]
        chosen = complete[-1] if complete else upto[-1]
        newer = [f for f in upto if f.month > chosen.month]
        notes = [f"{month_label(newer[-1].month)} on vajaa ({newer[-1].reported} kuntaa): "
                 f"käytetään viimeisintä täyttä kuukautta {month_label(chosen.month)}."] if newer else []
        return chosen, notes
    total = Figure(
        month=upto[-1].month,
        value=float(sum(f.value for f in upto)),
        reported=min(f.reported for f in upto),
        complete=all(f.complete for f in upto),
        from_area=all(f.from_area for f in upto),
        weighted=all(f.weighted for f in upto),
    )
    return total, []


def _year_to_date_rate(spec: IndicatorSpec, upto: list[Figure]) -> tuple[Figure, list[str]]:
    """Σ numerators / Σ denominators of the months so far; a plain mean of the monthly rates (flagged as
    unweighted) when some month lacks its parts."""
    numerators, denominators = (math.fsum(getattr(f, part) for f in upto) for part in ("numerator", "denominator"))
    weighted = not (math.isnan(numerators) or math.isnan(denominators)) and denominators > 0
    value = spec.rate_scale * numerators / denominators if weighted else math.fsum(f.value for f in upto) / len(upto)
    figure = Figure(
        month=upto[-1].month,
        value=float(value),
        reported=min(f.reported for f in upto),
        complete=all(f.complete for f in upto),
        from_area=all(f.from_area for f in upto),
        weighted=weighted,
        numerator=numerators if weighted else math.nan,
        denominator=denominators if weighted else math.nan,
    )
    return figure, []
