"""The months of the programme year in Finnish, as the reports and exports name them."""

from __future__ import annotations

YEAR = 2026
MONTHS = tuple(range(1, 13))
MONTH_NAMES = ("tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu",
               "heinäkuu", "elokuu", "syyskuu", "lokakuu", "marraskuu", "joulukuu")
MONTH_ABBREVIATIONS = ("tammi", "helmi", "maalis", "huhti", "touko", "kesä",
                       "heinä", "elo", "syys", "loka", "marras", "joulu")


def month_label(month: int) -> str:
    """5 -> "5/2026", the short form reports use for "up to this month"."""
    return f"{month}/{YEAR}"
