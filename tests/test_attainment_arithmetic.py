"""The arithmetic under every status: expected share, expected value, progress and the start of the way.

Known answers worked out by hand for each rule and its edges (a monthly profile, a path that starts after
January, a path of one month or none, a target of zero, a count or deliverable with a baseline), so that
a changed operator or constant in core/attainment/judging.py fails here and not only in an end-to-end run.
"""

from __future__ import annotations

import dataclasses
import math

import pytest

from tyollisyys_xl.core.attainment import (
    COUNT,
    DELIVERABLE,
    EI_TIETOA,
    LEVEL_MAX,
    LEVEL_MIN,
    MILESTONE,
    PATH,
    SUM,
    IndicatorSpec,
)
from tyollisyys_xl.core.attainment.judging import expected_share, expected_value, judge, raw_progress, start
from tyollisyys_xl.core.attainment.specs import UNSUPPORTED


def spec(rule: str, baseline: float = math.nan, target: float = 100.0, baseline_month: int = 0,
         target_month: int = 12, **other) -> IndicatorSpec:
    return IndicatorSpec(id="M99", kind="kasvu", rule=rule, combine=SUM, rate_scale=math.nan, baseline=baseline,
                         target=target, baseline_month=baseline_month, target_month=target_month, profile=None,
                         **other)


PROFILE = (0.05, 0.15, 0.3, 0.4, 0.5, 0.6, 0.65, 0.7, 0.8, 0.9, 0.95, 1.0)


@pytest.mark.parametrize(("indicator", "month", "share"), [
    (spec(COUNT), 3, 0.25),  # 3 / 12
    (spec(COUNT, target_month=6), 9, 1),  # past its due month: the whole way, not 9/6
    (dataclasses.replace(spec(COUNT), profile=PROFILE), 3, 0.3),  # the profile's own March (index 2)
    (dataclasses.replace(spec(COUNT), profile=PROFILE), 1, 0.05),
    (spec(PATH, 10, 20, baseline_month=3, target_month=9), 6, 0.5),  # (6 - 3) / (9 - 3)
    (spec(PATH, 10, 20, baseline_month=3, target_month=9), 2, 0),  # before the way starts
    (spec(PATH, 10, 20, baseline_month=3, target_month=9), 12, 1),  # after it ends: the whole way, not 9/6
    (spec(MILESTONE, baseline_month=5, target_month=6), 5, 0),  # a way of one month, at its start
    (spec(MILESTONE, baseline_month=5, target_month=6), 6, 1),
    (spec(DELIVERABLE, baseline_month=6, target_month=6), 3, 1),  # no way at all: due now
    (spec(LEVEL_MIN, 10, 20), 4, 1),  # a level is held at every month
    (spec(LEVEL_MAX, 10, 20), 4, 1),
])
def test_expected_share(indicator, month, share):
    assert expected_share(indicator, month) == share


@pytest.mark.parametrize(("indicator", "share", "expected"), [
    (spec(COUNT, target=1000), 0.25, 250),
    (spec(PATH, 100, 60), 0.5, 80),  # 100 + (60 - 100) × 0.5, the straight path (season 1 by default)
    (spec(MILESTONE, target=4), 0.5, 2),  # from 0 (not started) when the milestone has no baseline
    (spec(LEVEL_MIN, 10, 20), 0.5, 20),  # a level is expected whole
])
def test_expected_value(indicator, share, expected):
    assert expected_value(indicator, share) == expected


def test_expected_value_of_a_seasonal_path_and_of_a_deliverable():
    assert expected_value(spec(PATH, 100, 60), 0.5, season=1.5) == 120
    assert math.isnan(expected_value(spec(DELIVERABLE, target=1), 0.5))


@pytest.mark.parametrize(("indicator", "actual", "progress"), [
    (spec(COUNT, target=1000), 250, 0.25),
    (spec(PATH, 100, 60), 90, 0.25),  # (90 - 100) / (60 - 100), the straight path by default
    (spec(DELIVERABLE, 1, 3), 2, 0.5),  # a single deliverable with a baseline: along its way, not 2 / 3
    (spec(DELIVERABLE, 2, 4, cumulative=True), 3, 0.75),  # counted as they come: 3 of 4, not (3 - 2) / (4 - 2)
    (spec(LEVEL_MIN, 10, 20), 15, 0.75),
    (spec(LEVEL_MAX, 10, 20), 25, 0.8),
    (spec(LEVEL_MIN, 10, 0), 5, 1.0),  # no level to reach
    (spec(LEVEL_MIN, 0.1, 0.5), 0.25, 0.5),  # a level below one (a share)
    (spec(LEVEL_MAX, 10, 20), 0, 1.0),  # nothing above the limit
    (spec(LEVEL_MAX, 0.1, 0.25), 0.5, 0.5),  # an actual below one
])
def test_raw_progress(indicator, actual, progress):
    assert raw_progress(indicator, actual) == progress


def test_progress_is_undefined_without_a_way():
    assert math.isnan(raw_progress(spec(COUNT, target=0), 5))  # a count with nothing to reach
    assert math.isnan(raw_progress(spec(DELIVERABLE, 2, 0, cumulative=True), 3))
    assert math.isnan(raw_progress(spec(PATH, 50, 50), 50))  # target equal to the baseline
    assert raw_progress(spec(PATH, 100, 60), 135, season=1.5) == 0.25  # 135 / 1.5 = 90 on the straight path


def test_a_milestone_without_a_baseline_starts_from_nothing():
    assert start(spec(MILESTONE)) == 0.0
    assert start(spec(PATH, 7.5, 20)) == 7.5


@pytest.mark.parametrize("indicator", [spec(COUNT, target=1000), spec(LEVEL_MAX, 10, 20)])
def test_no_actual_is_no_information_with_the_expected_still_shown(indicator):
    judged = judge(indicator, math.nan, 6)
    assert judged.status == EI_TIETOA and math.isnan(judged.progress)
    assert (judged.expected_share, judged.expected) == (expected_share(indicator, 6), expected_value(indicator, 0.5))


def test_an_unsupported_rule_expects_nothing():
    judged = judge(spec(UNSUPPORTED, 10, 20), 15, 6)
    assert judged.status == EI_TIETOA and math.isnan(judged.expected)


def test_no_progress_is_a_plain_zero_never_minus_zero():
    """(100 - 100) / (60 - 100) is -0.0 in floating point, which a sheet would show as "-0 %"."""
    assert math.copysign(1, judge(spec(PATH, 100, 60), 100, 6).progress) == 1
