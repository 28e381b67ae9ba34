"""Every status threshold and the coverage rule, exactly on, just inside and just outside.

A comparison turned from <= into < (or the other way) changes a status only for a value that sits
exactly on its threshold, so each threshold has a case there. The values are chosen so that the
arithmetic is exact at the engine's 9 decimals; the expected statuses are read off the rule by hand.
No LibreOffice is needed: these are the engine's own comparisons.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from tests.table_factory import entry, make_tables
from tyollisyys_xl.core.attainment import (
    COUNT,
    DELIVERABLE,
    EI_TIETOA,
    EI_TOTEUDU,
    LEVEL_MAX,
    LEVEL_MIN,
    MILESTONE,
    PATH,
    RISKISSA,
    SAAVUTETTU,
    TAVOITTEESSA,
    THRESHOLDS,
    IndicatorSpec,
    compute_attainment,
)
from tyollisyys_xl.core.attainment.judging import judge
from tyollisyys_xl.programme import programme

EPS = 1e-6  # far above the 9-decimal rounding, far below any threshold's neighbourhood
TOWNS = [m["name"] for m in programme().municipalities]


def spec(rule: str, baseline: float, target: float, kind: str = "kasvu", combine: str = "sum",
         target_month: int = 12) -> IndicatorSpec:
    return IndicatorSpec(id="M99", kind=kind, rule=rule, combine=combine, rate_scale=math.nan, baseline=baseline,
                         target=target, baseline_month=0, target_month=target_month, profile=None)


# --- on-track and at-risk margins of a path (count: 1000 a year, judged at the end of June) --------------
# expected share 6/12 = 0.5; progress = actual / 1000; behind = 0.5 - progress

CONTACTS = spec(COUNT, math.nan, 1000)


@pytest.mark.parametrize(("actual", "status"), [
    (400, TAVOITTEESSA),  # behind exactly 0.10 = on_track_margin: still on track
    (400 + EPS * 1000, TAVOITTEESSA),  # just inside
    (400 - EPS * 1000, RISKISSA),  # just outside
    (250, RISKISSA),  # behind exactly 0.25 = at_risk_margin: still at risk
    (250 + EPS * 1000, RISKISSA),
    (250 - EPS * 1000, EI_TOTEUDU),
])
def test_path_margins(actual, status):
    judged = judge(CONTACTS, actual, 6)
    assert judged.expected_share == 0.5
    assert judged.status == status


@pytest.mark.parametrize(("actual", "status"), [
    (1000, SAAVUTETTU),  # progress exactly 1
    (1000 - EPS * 1000, TAVOITTEESSA),  # a hair short of the target: on the path, not yet achieved
    (1000 + EPS * 1000, SAAVUTETTU),
])
def test_progress_of_one_is_achieved(actual, status):
    assert judge(CONTACTS, actual, 6).status == status


@pytest.mark.parametrize(("month", "status"), [(11, TAVOITTEESSA), (12, EI_TOTEUDU)])
def test_the_target_month_ends_the_path(month, status):
    # 995 of 1000: 0.005 behind in November (on track); in December the target is missed for good
    assert judge(CONTACTS, 995, month).status == status


# --- direction: a point-in-time path 4301 -> 4100 (a decrease) ------------------------------------------

UNEMPLOYMENT = spec(PATH, 4301, 4100, kind="lasku")


@pytest.mark.parametrize(("actual", "status"), [
    (4301, EI_TOTEUDU),  # progress exactly 0 in June: 0.5 behind
    (4301 + EPS, EI_TOTEUDU),  # moving away from the target
])
def test_a_path_at_or_beyond_its_start(actual, status):
    judged = judge(UNEMPLOYMENT, actual, 6)
    assert judged.status == status


def test_moving_away_is_not_judged_by_the_margin_in_january():
    # January: expected share 1/12; progress -0.00000498 is within 0.10 of the path, but the wrong way
    assert judge(UNEMPLOYMENT, 4301.001, 1).status == EI_TOTEUDU
    assert judge(UNEMPLOYMENT, 4301, 1).status == TAVOITTEESSA  # progress 0, behind 1/12 < 0.10


# --- levels: at least (kasvu without a baseline), maintained (ylläpito), at most (yläraja) ---------------

AT_LEAST = spec(LEVEL_MIN, math.nan, 100)
MAINTAINED = spec(LEVEL_MIN, 100, 100, kind="ylläpito")
AT_MOST = spec(LEVEL_MAX, math.nan, 3, kind="yläraja", combine="mean")


@pytest.mark.parametrize(("actual", "status"), [
    (100, SAAVUTETTU), (100 - EPS, RISKISSA), (100 + EPS, SAAVUTETTU),  # no tolerance for kasvu
    (75, RISKISSA), (75 + EPS, RISKISSA), (75 - EPS, EI_TOTEUDU),  # missed by exactly 25 %: at risk
])
def test_a_level_to_reach(actual, status):
    assert judge(AT_LEAST, actual, 6).status == status


@pytest.mark.parametrize(("actual", "status"), [
    (95, SAAVUTETTU), (95 + EPS, SAAVUTETTU), (95 - EPS, RISKISSA),  # 5 % maintain tolerance
    (75, RISKISSA), (75 - EPS, EI_TOTEUDU),
])
def test_a_maintained_level(actual, status):
    assert judge(MAINTAINED, actual, 6).status == status


@pytest.mark.parametrize(("actual", "status"), [
    (3, SAAVUTETTU), (3 - EPS, SAAVUTETTU), (3 + EPS, RISKISSA),  # a limit is strict
    (4, RISKISSA), (4 - EPS, RISKISSA), (4 + EPS, EI_TOTEUDU),  # 3/4: over by exactly 25 %
])
def test_an_upper_limit(actual, status):
    assert judge(AT_MOST, actual, 6).status == status


# --- milestones: not started once a quarter of the time has passed --------------------------------------

GUIDELINES = spec(MILESTONE, 0, 2, kind="virstanpylväs", combine="mean")


@pytest.mark.parametrize(("start_share", "status"), [
    (0.25, TAVOITTEESSA),  # March: share exactly 3/12 = 0.25, not yet past the threshold
    (0.25 + EPS, TAVOITTEESSA),
    (0.25 - EPS, RISKISSA),
])
def test_a_milestone_not_started(start_share, status):
    thresholds = dataclasses.replace(THRESHOLDS, milestone_start_share=start_share)
    assert judge(GUIDELINES, 0, 3, thresholds).status == status


@pytest.mark.parametrize(("month", "stage", "status"), [(11, 1, TAVOITTEESSA), (12, 1, EI_TOTEUDU), (12, 2, SAAVUTETTU)])
def test_a_milestone_at_its_due_month(month, stage, status):
    assert judge(GUIDELINES, stage, month).status == status


# --- deliverables: at risk once three quarters of the time has passed undelivered ------------------------

REPORT = spec(DELIVERABLE, 0, 1, kind="toimitetut")


@pytest.mark.parametrize(("risk_share", "status"), [
    (0.75, TAVOITTEESSA),  # September: exactly 9/12 = 0.75 of the time passed, not past the threshold
    (0.75 + EPS, TAVOITTEESSA),
    (0.75 - EPS, RISKISSA),
])
def test_an_undelivered_deliverable_near_its_due_date(risk_share, status):
    thresholds = dataclasses.replace(THRESHOLDS, deliverable_risk_share=risk_share)
    assert judge(REPORT, 0, 9, thresholds).status == status


@pytest.mark.parametrize(("month", "delivered", "status"), [
    (11, 0, RISKISSA), (12, 0, EI_TOTEUDU),  # due at the end of the year: the due month itself is the deadline
    (12, 1 - EPS, EI_TOTEUDU), (12, 1, SAAVUTETTU), (2, 1, SAAVUTETTU),
])
def test_a_deliverable_at_its_due_date(month, delivered, status):
    assert judge(REPORT, delivered, month).status == status


# --- coverage: a sum is the area's figure only when every municipality reported -------------------------

@pytest.mark.parametrize(("reporting", "status", "partial"), [(8, TAVOITTEESSA, False), (7, EI_TIETOA, True)])
def test_coverage_of_a_sum(reporting, status, partial):
    rows = [entry("M34", month, 2, town) for month in range(1, 7) for town in TOWNS[:reporting]]
    row = compute_attainment(make_tables(entries=rows), as_of=6).indicators.set_index("id").loc["M34"]
    assert row["coverage"] == f"{reporting}/8 kuntaa"
    assert (row["status"], row["partial"]) == (status, partial)
