"""Attainment: how far each indicator has come toward its 2026 target by the end of a month.

The engine in parts: specs (an indicator's rule and the thresholds), judging (the rules), figures
(entries into area figures), rollups, and assessment (compute_attainment, the one entry point).
Callers import from here; docs/attainment.md explains the rules and why.
"""

from tyollisyys_xl.core.attainment.assessment import AttainmentResult, compute_attainment
from tyollisyys_xl.core.attainment.figures import entry_values
from tyollisyys_xl.core.attainment.rollups import view_rollups
from tyollisyys_xl.core.attainment.specs import (
    COUNT,
    DELIVERABLE,
    EI_TIETOA,
    EI_TOTEUDU,
    LEVEL_COUNCIL,
    LEVEL_MAX,
    LEVEL_MIN,
    LEVEL_TOTAL,
    MILESTONE,
    PATH,
    RISKISSA,
    ROUNDING,
    SAAVUTETTU,
    SEASONAL,
    STATUSES,
    SUM,
    TAVOITTEESSA,
    THRESHOLDS,
    YLLAPITO,
    IndicatorSpec,
    Thresholds,
    month_index,
)

__all__ = [
    "COUNT", "DELIVERABLE", "EI_TIETOA", "EI_TOTEUDU", "LEVEL_COUNCIL", "LEVEL_MAX", "LEVEL_MIN", "LEVEL_TOTAL", "MILESTONE", "PATH",
    "RISKISSA", "ROUNDING", "SAAVUTETTU", "SEASONAL", "STATUSES", "SUM", "TAVOITTEESSA", "THRESHOLDS", "YLLAPITO",
    "AttainmentResult", "IndicatorSpec", "Thresholds", "compute_attainment", "entry_values", "month_index",
    "view_rollups",
]
