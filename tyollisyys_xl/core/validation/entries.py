"""Toteumat: each entry's value in the unit of its indicator, numerators within denominators, area totals.

What an entry may be is read from its indicator's row of Mittarit (the workbook is the truth): its
unit, kind and rate scale give a UnitRule. The area-total rule compares the municipal entries of an
indicator and month with its "Koko alue" entry (docs/validation.md#summa_ei_tasmaa).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tyollisyys_xl.core.findings import WARNING
from tyollisyys_xl.core.parsing import YEAR, fi_number
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.core.tables import ROW
from tyollisyys_xl.core.validation.limits import DURATION_UNITS, PLAUSIBLE_LIMITS, Limit, beyond_limit, implausible_message
from tyollisyys_xl.core.validation.table import CheckedTable, numeric
from tyollisyys_xl.programme import AREA_TOTAL

COUNT_TOLERANCE = 0.5  # municipal counts vs the area total: rounding only
RATE_TOLERANCE = 0.1  # weighted municipal rate vs the area rate, in the rate's own unit (e.g. %-points)
MEAN_TOLERANCE = 0.05  # weighted municipal mean vs the area mean
# A difference exactly at a tolerance is within it, whatever binary fractions make of it (62.6 - 62.5 > 0.1).
FLOAT_SLACK = 1e-9


@dataclass(frozen=True)
class UnitRule:
    """What an entry's value may be, read from the indicator's unit, kind and rate scale."""

    name: str  # "count" | "percent" | "range" | "levels" | "non_negative"
    low: float | None = None
    high: float | None = None
    levels: tuple[float, ...] = ()
    limit: Limit | None = None  # the plausible size of a duration (validation.limits)


_RANGE_IN_UNIT = re.compile(r"\((\d+(?:[,.]\d+)?)\s*[–-]\s*(\d+(?:[,.]\d+)?)\)")
_LEVEL_IN_UNIT = re.compile(r"(\d+)\s*=")


def unit_rule(unit: str, kind: str, rate_scale: float | None) -> UnitRule:
    """Counts are whole numbers >= 0, '%' is 0..100, "keskiarvo (1–5)" is 1..5, milestones take their listed levels."""
    unit = (unit or "").strip()
    levels = tuple(float(n) for n in _LEVEL_IN_UNIT.findall(unit))
    if kind == "virstanpylväs" or len(levels) >= 2:
        return UnitRule("levels", levels=levels or (0.0, 1.0, 2.0))
    if match := _RANGE_IN_UNIT.search(unit):
        low, high = (float(g.replace(",", ".")) for g in match.groups())
        return UnitRule("range", low, high)
    if unit == "%":
        return UnitRule("percent", 0.0, 100.0)
    duration = unit.casefold() in DURATION_UNITS
    if rate_scale is not None or duration:
        return UnitRule("non_negative", 0.0, limit=PLAUSIBLE_LIMITS[unit.casefold()] if duration else None)
    return UnitRule("count", 0.0)


def _unit_violation(rule: UnitRule, values: pd.Series) -> pd.Series:
    """True where a present value does not fit the unit rule."""
    if rule.name == "levels":
        bad = ~values.isin(rule.levels)
    else:
        bad = values < (rule.low or 0.0)
        if rule.high is not None:
            bad |= values > rule.high
        if rule.name == "count":
            bad |= values != values.round()
    return bad & values.notna()


def _unit_message(rule: UnitRule, unit: str, value: float) -> str:
    """Why the value does not fit the unit (called only for values that do not)."""
    shown = fi_number(value)
    if rule.name == "levels":
        allowed = ", ".join(fi_number(v) for v in rule.levels)
        return f"Virstanpylvään arvo on jokin näistä: {allowed} (yksikkö ”{unit}”), nyt {shown}."
    if rule.high is not None:
        return f"Arvon pitää olla {fi_number(rule.low)}–{fi_number(rule.high)} (yksikkö ”{unit}”), nyt {shown}."
    if value < (rule.low or 0.0):
        return f"Arvo ei voi olla negatiivinen (yksikkö ”{unit}”), nyt {shown}."
    return f"Yksikkö on ”{unit}”: arvon pitää olla kokonaisluku, nyt {shown}."


def _indicator_info(mittarit: CheckedTable) -> pd.DataFrame:
    """Error-free indicators, indexed by id: unit, rule, rate scale, per municipality."""
    if not mittarit.usable:
        return pd.DataFrame(columns=["unit", "rule", "rate_scale", "per_municipality"])
    ok = mittarit.ok_mask()
    values = mittarit.values
    info = pd.DataFrame(
        {
            "unit": values["unit"][ok],
            "kind": values["kind"][ok],
            "rate_scale": values["rate_scale"][ok],
            "per_municipality": values["per_municipality"][ok],
        }
    )
    info.index = values["id"][ok]
    info["rule"] = [unit_rule(u, k, r if r == r else None) for u, k, r in zip(info["unit"], info["kind"], info["rate_scale"])]
    return info[~info.index.duplicated()]


def check_entries(entries: CheckedTable, mittarit: CheckedTable, municipality_count: int) -> None:
    """Toteumat: value present and in its unit, numerator within denominator, area totals add up."""
    if not entries.usable or not mittarit.usable:
        return
    info = _indicator_info(mittarit)
    values = entries.values
    known = values["indicator_id"].isin(info.index) & entries.ok_mask()
    ids = values["indicator_id"].where(known)
    indicator = info.reindex(ids.to_numpy()).set_axis(ids.index)  # each entry's indicator; NaN where unknown
    rule, units = indicator["rule"], indicator["unit"]
    is_rate = known & indicator["rate_scale"].astype("float64").notna()
    value, num, den = (numeric(values[k]) for k in ("value", "numerator", "denominator"))

    has_pair = num.notna() & den.notna()
    missing = known & value.isna() & ~(is_rate & has_pair)
    entries.flag("value", missing & ~is_rate, Rule.PAKOLLINEN, "Arvo puuttuu.")
    entries.flag("value", missing & is_rate, Rule.PAKOLLINEN, "Anna arvo tai sekä osoittaja että nimittäjä.")

    off_unit, implausible = pd.Series(False, index=value.index), pd.Series(False, index=value.index)
    for rule_of_group, indicators in info.groupby("rule", sort=False):  # indicators sharing a unit rule
        of_group = ids.isin(indicators.index)
        off_unit |= of_group & _unit_violation(rule_of_group, value)
        if rule_of_group.limit is not None:
            implausible |= of_group & beyond_limit(value, rule_of_group.limit)
    entries.flag("value", implausible, Rule.EPAUSKOTTAVA, lambda i: implausible_message(value[i], rule[i].limit))
    entries.flag("value", off_unit & ~implausible, Rule.YKSIKKO, lambda i: _unit_message(rule[i], units[i], value[i]))
    percent = ids.isin(info.index[[r.name == "percent" for r in info["rule"]]])
    fraction = known & percent & (value > 0) & (value < 1)
    entries.flag("value", fraction, Rule.YKSIKKO, lambda i: f"Prosenttiarvo {fi_number(value[i])} on alle 1: jos tarkoitit {fi_number(value[i] * 100)} %, kirjoita {fi_number(value[i] * 100)}.", WARNING)

    too_big = known & percent & has_pair & (num > den)
    entries.flag("numerator", too_big, Rule.OSOITTAJA_SUURI, lambda i: f"Osoittaja {fi_number(num[i])} on suurempi kuin nimittäjä {fi_number(den[i])}.")

    whole_area = indicator["per_municipality"].eq(False)
    local = whole_area & (values["municipality"] != AREA_TOTAL) & values["municipality"].notna()
    entries.flag("municipality", local, Rule.KUNTAJAKO, f"Mittari kirjataan koko alueelle: kirjoita kunnaksi ”{AREA_TOTAL}”.")
    _check_area_totals(entries, info, municipality_count)


def _check_area_totals(entries: CheckedTable, info: pd.DataFrame, municipality_count: int) -> None:
    """Municipal entries vs an area-total entry of the same indicator and month (see docs/validation.md)."""
    values = entries.values
    ok = entries.ok_mask()
    frame = pd.DataFrame(
        {
            "indicator": values["indicator_id"],
            "month": values["month"],
            "municipality": values["municipality"],
            "value": numeric(values["value"]),
            "numerator": numeric(values["numerator"]),
            "denominator": numeric(values["denominator"]),
            ROW: entries.rows,
        }
    )[ok]
    per_municipality = info.index[info["per_municipality"].astype(bool)]
    frame = frame[frame["indicator"].isin(per_municipality) & frame["month"].notna()]
    if frame.empty:
        return
    is_area = frame["municipality"] == AREA_TOTAL
    area = frame[is_area]
    local = frame[~is_area]
    local = local.assign(weighted=local["value"] * local["denominator"])
    parts = local.groupby(["indicator", "month"]).indices  # (indicator, month) -> positions in local
    summed = {key: local[key].to_numpy() for key in ("value", "numerator", "denominator", "weighted")}
    rules, scales = info["rule"].to_dict(), info["rate_scale"].to_dict()
    for total in area.to_dict("records"):
        indicator, month = total["indicator"], total["month"]
        positions = parts.get((indicator, month))
        if positions is None:
            continue
        part = {key: _sum_of_all(values[positions]) for key, values in summed.items()}
        message = _area_mismatch(rules[indicator], scales[indicator], part, total, complete=len(positions) >= municipality_count)
        if message:
            entries.flag_row("value", int(total[ROW]), Rule.SUMMA_EI_TASMAA, f"Mittari {indicator}, {int(month)}/{YEAR}: {message}")


def _sum_of_all(values: np.ndarray) -> float:
    """The sum, or NaN when any value is missing (a partial sum would pass for a total)."""
    return np.nan if np.isnan(values).any() else values.sum()


def _beyond(difference: float, tolerance: float) -> bool:
    return difference > tolerance + FLOAT_SLACK


def _sums_disagree(municipal_sum: float, area_value: float, complete: bool) -> bool:
    """Municipal sum vs the area figure: it may fall short only while municipalities are missing."""
    if pd.isna(municipal_sum) or pd.isna(area_value):
        return False
    gap = municipal_sum - area_value
    return _beyond(gap, COUNT_TOLERANCE) or (complete and _beyond(-gap, COUNT_TOLERANCE))


def _area_mismatch(rule: UnitRule, scale: float, part: Mapping[str, float], total: Mapping[str, Any], complete: bool) -> str | None:
    """Why the municipal rows do not add up to the area row, or None (also when it cannot be told).

    Counts add up. Rates add up in numerators and denominators, and the rate of the summed parts is
    the area rate. Means weighted by the respondents (denominators) give the area mean.
    """
    area_value = total["value"]
    if rule.name == "count":
        if _sums_disagree(part["value"], area_value, complete):
            return f"kuntien arvojen summa {fi_number(part['value'])} ei täsmää koko alueen arvoon {fi_number(area_value)}."
        return None
    has_weights = complete and pd.notna(part["denominator"]) and part["denominator"] > 0 and pd.notna(area_value)
    if rule.name in ("percent", "non_negative") and pd.notna(scale):
        for key, label in (("numerator", "osoittajien"), ("denominator", "nimittäjien")):
            if _sums_disagree(part[key], total[key], complete):
                return f"kuntien {label} summa {fi_number(part[key])} ei täsmää koko alueen lukuun {fi_number(total[key])}."
        if has_weights and pd.notna(part["numerator"]):
            weighted = scale * part["numerator"] / part["denominator"]
            if _beyond(abs(weighted - area_value), RATE_TOLERANCE):
                return f"kuntien osoittajista ja nimittäjistä laskettu {fi_number(round(weighted, 2))} ei täsmää koko alueen arvoon {fi_number(area_value)}."
        return None
    if rule.name == "range" and has_weights and pd.notna(part["weighted"]):
        mean = part["weighted"] / part["denominator"]
        if _beyond(abs(mean - area_value), MEAN_TOLERANCE):
            return f"kuntien vastaajamäärillä painotettu keskiarvo {fi_number(round(mean, 2))} ei täsmää koko alueen arvoon {fi_number(area_value)}."
    return None
