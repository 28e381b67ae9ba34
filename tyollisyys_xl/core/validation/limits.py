"""The largest plausible number per kind of quantity, and why: beyond it a value is a typo or a broken cell.

Kept, such a value would break whatever is computed from it: two counts of 1e308 add up to infinity
(attainment then shows "ei luku", yet "Saavutettu"), and euros beyond int64 cents overflow the budget
engine's exact sums. Each limit lies far above any real value of the programme, so that it never
refuses real data; a value beyond it is reported as EPAUSKOTTAVA at its cell and its row left out.

Numbers are bounded by their column's x-type (every euro and number column), entries of a duration
indicator also by the unit of the indicator (Toteumat's value, see validation.entries).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tyollisyys_xl.core.parsing import fi_number


@dataclass(frozen=True)
class Limit:
    largest: float  # in absolute value
    unit: str  # as a message names it ("" for a plain number)
    reason: str


_FIFTY_YEARS = "a duration of 50 years is no waiting time, unemployment spell or service of a programme year"

PLAUSIBLE_LIMITS: dict[str, Limit] = {
    # by x-type
    "euro": Limit(1_000_000_000, "€", "no budget, commitment, payment or service cost of an employment area comes "
                  "near a billion euros, and it keeps the budget engine's int64 cent sums far from overflowing"),
    "number": Limit(10_000_000, "", "counts of people, events or contacts, rates per person-year and scales: "
                    "Finland has 5.6 million inhabitants"),
    # by the unit of a duration indicator (validation.entries)
    "kk": Limit(600, "kk", _FIFTY_YEARS),
    "viikkoa": Limit(2_609, "viikkoa", _FIFTY_YEARS),
    "päivää": Limit(18_263, "päivää", _FIFTY_YEARS),
    "pv": Limit(18_263, "pv", _FIFTY_YEARS),
    "vrk": Limit(18_263, "vrk", _FIFTY_YEARS),
    "tuntia": Limit(438_300, "tuntia", _FIFTY_YEARS),
    "h": Limit(438_300, "h", _FIFTY_YEARS),
}

DURATION_UNITS = frozenset(PLAUSIBLE_LIMITS) - {"euro", "number"}


def beyond_limit(numbers: pd.Series, limit: Limit) -> pd.Series:
    """Where a number is larger in size than the limit allows (missing numbers never are)."""
    return numbers.abs() > limit.largest


def implausible_message(number: float, limit: Limit) -> str:
    unit = f" {limit.unit}" if limit.unit else ""
    return f"Luku {fi_number(number)} on epäuskottavan suuri (enintään {fi_number(limit.largest)}{unit}): tarkista arvo."
