"""The rules: from an actual value at the end of a month to expected-by-now, progress and a status.

Every comparison is made at ROUNDING decimals, as the Toteutuminen sheet's formulas make it, so that
Python, Excel and Calc agree exactly on a value that sits on a threshold.

A seasonal path is the straight path from the baseline to the target multiplied by the month's season
factor (core.attainment.reference): expected = path × factor, progress = (actual / factor − baseline) /
(target − baseline). With a factor of 1 it is the straight path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tyollisyys_xl.core.attainment.specs import (
    COUNT,
    DELIVERABLE,
    EI_TIETOA,
    EI_TOTEUDU,
    LEVEL_MAX,
    LEVEL_MIN,
    MILESTONE,
    PATH,
    RISKISSA,
    ROUNDING,
    SAAVUTETTU,
    TAVOITTEESSA,
    THRESHOLDS,
    UNSUPPORTED,
    YLLAPITO,
    IndicatorSpec,
    Thresholds,
)


@dataclass(frozen=True)
class Judgement:
    expected_share: float
    expected: float
    progress: float
    status: str


def expected_share(spec: IndicatorSpec, month: int) -> float:
    """Share of the way from baseline to target that should be covered by the end of the month (for a
    deliverable: the share of its time that has passed)."""
    if spec.rule == COUNT:
        return spec.profile[month - 1] if spec.profile else min(1, month / spec.target_month)
    if spec.rule in (PATH, MILESTONE, DELIVERABLE):
        span = spec.target_month - spec.baseline_month
        return min(1, max(0, (month - spec.baseline_month) / span)) if span > 0 else 1
    return 1


def expected_value(spec: IndicatorSpec, share: float, season: float = 1.0) -> float:
    """What the actual should be by now; a deliverable has no expected value before its due date."""
    if spec.rule == COUNT:
        return spec.target * share
    if spec.rule in (PATH, MILESTONE):
        return (start(spec) + (spec.target - start(spec)) * share) * season
    if spec.rule == DELIVERABLE:
        return math.nan
    return spec.target


def raw_progress(spec: IndicatorSpec, actual: float, season: float = 1.0) -> float:
    """Share of the way from baseline to target covered (1 = target reached); NaN when undefined."""
    target = spec.target
    if spec.rule == COUNT or (spec.rule == DELIVERABLE and spec.adds_up):
        return actual / target if target > 0 else math.nan
    if spec.rule in (PATH, MILESTONE, DELIVERABLE):
        baseline = start(spec)
        return (actual / season - baseline) / (target - baseline) if target != baseline else math.nan
    if spec.rule == LEVEL_MIN:
        return actual / target if target > 0 else 1.0
    if spec.rule == LEVEL_MAX:
        return target / actual if actual > 0 else 1.0
    return math.nan


def judge(spec: IndicatorSpec, actual: float, month: int, thresholds: Thresholds = THRESHOLDS,
          season: float = 1.0) -> Judgement:
    """Expected-by-now, progress and status of one actual value at the end of a month.

    season: the season factor of the actual's month for a seasonal path (1: the straight path)."""
    share = expected_share(spec, month)
    expected = expected_value(spec, share, season) if spec.rule != UNSUPPORTED else math.nan
    raw = raw_progress(spec, actual, season) if not math.isnan(actual) else math.nan
    if math.isnan(raw):
        return Judgement(share, expected, math.nan, EI_TIETOA)
    progress = min(thresholds.progress_max, max(thresholds.progress_min, raw)) + 0.0  # no "-0 %"
    return Judgement(share, expected, progress, _status(spec, actual, progress, share, month, thresholds))


def _status(spec: IndicatorSpec, actual: float, progress: float, share: float, month: int, t: Thresholds) -> str:
    if spec.rule in (LEVEL_MIN, LEVEL_MAX):
        if _level_held(spec, actual, t):
            return SAAVUTETTU
        return RISKISSA if _r(1 - progress) <= t.at_risk_margin else EI_TOTEUDU
    if spec.rule == MILESTONE:
        if actual >= spec.target:
            return SAAVUTETTU
        if month >= spec.target_month:
            return EI_TOTEUDU
        started = actual > start(spec)
        return TAVOITTEESSA if started or _r(share) <= t.milestone_start_share else RISKISSA
    if spec.rule == DELIVERABLE:
        if _r(progress) >= 1:
            return SAAVUTETTU
        if month >= spec.target_month:
            return EI_TOTEUDU
        return RISKISSA if _r(share) > t.deliverable_risk_share else TAVOITTEESSA
    if _r(progress) >= 1:
        return SAAVUTETTU
    if month >= spec.target_month or progress < 0:
        return EI_TOTEUDU
    behind = _r(share - progress)
    if behind <= t.on_track_margin:
        return TAVOITTEESSA
    return RISKISSA if behind <= t.at_risk_margin else EI_TOTEUDU


def _level_held(spec: IndicatorSpec, actual: float, t: Thresholds) -> bool:
    if spec.rule == LEVEL_MAX:
        return actual <= spec.target
    tolerance = t.maintain_tolerance if spec.kind == YLLAPITO else 0.0
    return _r(actual - spec.target * (1 - tolerance)) >= 0


def start(spec: IndicatorSpec) -> float:
    """Where the way to the target starts: the baseline (a path always has one), or 0 (ei aloitettu) for a
    milestone without one."""
    return 0.0 if math.isnan(spec.baseline) else spec.baseline


def _r(value: float) -> float:
    return round(value, ROUNDING)
