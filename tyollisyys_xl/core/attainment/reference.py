"""The reference year (Vertailuvuosi: 12/2024–12/2025): year-on-year change and the season of a stock.

Unemployment peaks in winter and in July, so a July figure set against a straight line from December
looks bad while the area does well. The national monthly review (Työllisyyskatsaus) compares a month
with the same month a year earlier; so does this tool, in two ways:

- **Year-on-year change**: the month's figure minus the same month of 2025, in persons and in per cent,
  wherever the figure is shown.
- **The seasonal path** of an indicator judged by "vertailukuukausi": the straight path from the baseline
  to the target, times the month's season factor g(m) (the month's level against December):

      expected(m) = (baseline + (target − baseline) × share(m)) × g(m)
      g(m) = ref(m) / ref(12/2025) × (ref(12/2025) / ref(12/2024)) ^ ((12 − m) / 12)

  where ref(m) is the area figure of month m of 2025. The second factor takes out 2025's own trend: the
  change from December 2024 to December 2025 has no season in it (same month), so it is the year's trend,
  spread evenly over the months. Without December 2024 the trend is taken as zero and the formula is
  ref(m) × (1 + (target / baseline − 1) × share(m)) when the baseline is December 2025's figure: last
  year's same month moved by the pro-rata share of the planned change. The trend matters when 2025 itself
  moved: long-term unemployment rose about 28 % during 2025, so January 2025 lies far below the December
  baseline, and "last year's same month" alone would ask spring 2026 to fall back to early-2025 levels.

The factor of a month needs that month of 2025 and December 2025 as area figures; otherwise the straight
path stays and the note says what is missing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from tyollisyys_xl.core.attainment.figures import Figure, entry_values, monthly_figures
from tyollisyys_xl.core.attainment.specs import SUM, IndicatorSpec
from tyollisyys_xl.core.months import month_label
from tyollisyys_xl.core.tables import Tables
from tyollisyys_xl.programme import AREA_TOTAL

FIRST_MONTH, DECEMBER = -12, 0  # 12/2024 and 12/2025 in core.months numbering
YEAR_EARLIER = 12  # months back to the same month a year earlier


@dataclass(frozen=True)
class YearOnYear:
    """A figure beside the same month a year earlier."""

    reference: float  # NaN when that month was not entered
    change: float  # actual − reference
    change_share: float  # change / reference

    @classmethod
    def of(cls, actual: float, reference: float) -> YearOnYear:
        if math.isnan(actual) or math.isnan(reference):
            return cls(reference, math.nan, math.nan)
        change = actual - reference
        return cls(reference, change, change / reference if reference else math.nan)


NO_REFERENCE = YearOnYear(math.nan, math.nan, math.nan)


@dataclass(frozen=True)
class Season:
    """The season factor of one month of 2026, or why there is none (a Finnish note)."""

    factor: float | None
    note: str


def season(area: dict[int, float], month: int) -> Season:
    """g(month) of the module docstring from the area figures of 12/2024–12/2025 (month numbering of core.months)."""
    same, december, before = (area.get(m) for m in (month - YEAR_EARLIER, DECEMBER, FIRST_MONTH))
    missing = [m for m, value in ((month - YEAR_EARLIER, same), (DECEMBER, december)) if value is None]
    if missing:
        listed = " ja ".join(month_label(m) for m in dict.fromkeys(missing))
        return Season(None, f"Ei kausitasoitusta: vertailuvuodesta puuttuu {listed}; arvioidaan suoraa polkua vasten.")
    if same <= 0 or december <= 0:
        return Season(None, "Ei kausitasoitusta: vertailuluku ei ole positiivinen; arvioidaan suoraa polkua vasten.")
    if before is None or before <= 0:
        return Season(same / december, f"Kausitasoitettu polku ({month_label(month - YEAR_EARLIER)}); "
                                       f"{month_label(FIRST_MONTH)} puuttuu, joten vuoden 2025 trendiä ei poistettu.")
    trend = (december / before) ** ((YEAR_EARLIER - month) / YEAR_EARLIER)
    return Season(same / december * trend, f"Kausitasoitettu polku ({month_label(month - YEAR_EARLIER)}, "
                                           "vuoden 2025 trendi poistettu).")


@dataclass
class ReferenceYear:
    """The reference months as area figures and per municipality."""

    area: dict[str, dict[int, float]] = field(default_factory=dict)  # id -> month -> area figure
    local: dict[tuple[str, str, int], float] = field(default_factory=dict)  # (id, municipality, month) -> value

    def year_on_year(self, indicator_id: str, actual: float, month: int | None) -> YearOnYear:
        if month is None:
            return NO_REFERENCE
        return YearOnYear.of(actual, self.area.get(indicator_id, {}).get(month - YEAR_EARLIER, math.nan))

    def local_year_on_year(self, indicator_id: str, municipality: str, actual: float, month: int | None) -> YearOnYear:
        if month is None:
            return NO_REFERENCE
        return YearOnYear.of(actual, self.local.get((indicator_id, municipality, month - YEAR_EARLIER), math.nan))

    def season(self, indicator_id: str, month: int) -> Season:
        return season(self.area.get(indicator_id, {}), month)


def reference_year(tables: Tables, specs: dict[str, IndicatorSpec], n_municipalities: int) -> ReferenceYear:
    """The reference months of the point-in-time indicators; cumulative ones have none (validation says so)."""
    point_in_time = {i: s for i, s in specs.items() if s.reads_latest}
    rows = tables.reference_entries.assign(numerator=math.nan, denominator=math.nan)
    values = entry_values(tables, point_in_time, rows, months=(FIRST_MONTH, DECEMBER))
    figures = monthly_figures(values, point_in_time, n_municipalities)
    local = values[values["municipality"] != AREA_TOTAL]
    return ReferenceYear(
        area={indicator_id: _usable(point_in_time[indicator_id], monthly) for indicator_id, monthly in figures.items()},
        local={(i, m, int(month)): float(v) for i, m, month, v in
               zip(local["indicator_id"], local["municipality"], local["month"], local["effective"])},
    )


def _usable(spec: IndicatorSpec, monthly: list[Figure]) -> dict[int, float]:
    """Month -> area figure; a partial sum is no area figure (as in the year being judged)."""
    return {f.month: f.value for f in monthly if f.complete or spec.combine != SUM}
