"""How an area figure is formed and how complete it is: the year-to-date rate, the coverage column and the
judgement of a partial figure, by known answers on hand-made monthly figures (core/attainment)."""

from __future__ import annotations

import math

import pytest

from tyollisyys_xl.core.attainment import COUNT, EI_TIETOA, RISKISSA, TAVOITTEESSA, IndicatorSpec
from tyollisyys_xl.core.attainment.assessment import _coverage_text, _partial
from tyollisyys_xl.core.attainment.figures import Figure, area_actual
from tyollisyys_xl.core.attainment.judging import Judgement
from tyollisyys_xl.core.attainment.specs import MAX, RATE, SUM


def rate_spec() -> IndicatorSpec:
    """A year-to-date share in per cent: Σ numerators / Σ denominators of the months so far."""
    return IndicatorSpec(id="M98", kind="kasvu", rule=COUNT, combine=RATE, rate_scale=100.0, baseline=math.nan,
                         target=60.0, baseline_month=0, target_month=12, profile=None, cumulative=True)


def month(number: int, value: float, numerator: float, denominator: float, reported: int = 8,
          from_area: bool = False) -> Figure:
    return Figure(month=number, value=value, reported=reported, complete=reported == 8, from_area=from_area,
                  weighted=True, numerator=numerator, denominator=denominator)


def test_a_year_to_date_rate_divides_the_sums_and_keeps_the_thinnest_coverage():
    figure, notes = area_actual(rate_spec(), [month(1, 50, 5, 10), month(2, 50, 15, 30, reported=7),
                                              month(3, 90, 9, 10)], 2)
    assert figure == Figure(month=2, value=50.0, reported=7, complete=False, from_area=False, weighted=True,
                            numerator=20, denominator=40)
    assert notes == []


def test_a_year_to_date_rate_from_koko_alue_rows_is_from_the_area():
    figure, _ = area_actual(rate_spec(), [month(1, 50, 5, 10, from_area=True), month(2, 40, 4, 10, from_area=True)], 2)
    assert (figure.value, figure.from_area, figure.complete) == (45.0, True, True)


@pytest.mark.parametrize(("months", "value"), [
    ([month(1, 50, 5, 10), month(2, 40, math.nan, 10)], 45.0),  # a month without its numerator: the plain mean
    ([month(1, 50, 5, 10), month(2, 40, 4, math.nan)], 45.0),  # or without its denominator
    ([month(1, 50, 0, 0), month(2, 40, 0, 0)], 45.0),  # nothing to divide by
])
def test_a_year_to_date_rate_without_its_parts_is_the_unweighted_mean(months, value):
    figure, _ = area_actual(rate_spec(), months, 2)
    assert figure.value == value and not figure.weighted
    assert math.isnan(figure.numerator) and math.isnan(figure.denominator)


def test_a_year_to_date_rate_of_small_parts_is_still_weighted():
    figure, _ = area_actual(rate_spec(), [month(1, 10, 0.1, 0.25), month(2, 70, 0.1, 0.25)], 2)
    assert (figure.value, figure.weighted, figure.numerator, figure.denominator) == (40.0, True, 0.2, 0.5)


@pytest.mark.parametrize(("figure", "per_municipality", "text"), [
    (None, True, ""),
    (month(6, 1, 1, 1, from_area=True), False, ""),  # an area indicator from its own row: nothing to say
    (month(6, 1, 1, 1, from_area=True), True, "Koko alue -rivi"),  # a municipal one typed as an area total
    (month(6, 1, 1, 1, reported=7), True, "7/8 kuntaa"),
    (month(6, 1, 1, 1, reported=7), False, "7/8 kuntaa"),
])
def test_the_coverage_column(figure, per_municipality, text):
    assert _coverage_text(figure, per_municipality, 8) == text


@pytest.mark.parametrize("combine", [SUM, MAX])
def test_a_partial_sum_or_an_unbroken_partial_limit_is_not_judged_but_keeps_what_was_expected(combine):
    spec = IndicatorSpec(id="M97", kind="kasvu", rule=COUNT, combine=combine, rate_scale=math.nan, baseline=math.nan,
                         target=100.0, baseline_month=0, target_month=12, profile=None)
    notes: list[str] = []
    status = RISKISSA if combine == SUM else TAVOITTEESSA  # a partial limit is judged only once it is broken
    judged = _partial(spec, month(6, 30, 1, 1, reported=5), Judgement(0.5, 50.0, 0.3, status), notes, 8)
    assert (judged.expected_share, judged.expected, judged.status) == (0.5, 50.0, EI_TIETOA)
    assert math.isnan(judged.progress) and notes[0].startswith("Vain 5/8 kuntaa kirjannut")
