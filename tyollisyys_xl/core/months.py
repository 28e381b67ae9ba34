"""The months of the programme year in Finnish, as the reports and exports name them.

One form per use: "7/2026" in tables and notes (month_label), "heinäkuu 2026" in titles and footers
(month_title). Lower case, as Finnish writes month names.

A month is a number counted from the start of the programme year: 1..12 are the months of 2026, 0 is
December 2025 and -11 January 2025 (the reference year's months), so that "a year earlier" is m - 12.
"""

from __future__ import annotations

YEAR = 2026
MONTHS = tuple(range(1, 13))
MONTH_NAMES = ("tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu",
               "heinäkuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu")
MONTH_ABBREVIATIONS = ("tammi", "helmi", "maalis", "huhti", "touko", "kesä",
                       "heinä", "elo", "syys", "loka", "marras", "joulu")


def month_label(month: int) -> str:
    """5 -> "5/2026", 0 -> "12/2025": the short form reports use for "up to this month"."""
    year, number = year_and_month(month)
    return f"{number}/{year}"


def month_title(month: int) -> str:
    """5 -> "toukokuu 2026", 0 -> "joulukuu 2025": the long form titles and page footers use."""
    year, number = year_and_month(month)
    return f"{MONTH_NAMES[number - 1]} {year}"


def year_and_month(month: int) -> tuple[int, int]:
    """0 -> (2025, 12), 5 -> (2026, 5)."""
    return YEAR + (month - 1) // 12, (month - 1) % 12 + 1


def month_number(year: int, month: int) -> int:
    """(2025, 12) -> 0, (2026, 5) -> 5: the inverse of year_and_month."""
    return (year - YEAR) * 12 + month
