"""How an area figure is formed and how complete it is: the year-to-date rate, the coverage column and the
judgement of a partial figure, by known answers on hand-made monthly figures (core/attainment)."""

from __future__ import annotations

import dataclasses
import math
import warnings

import pandas as pd
import pytest

from tyollisyys_xl.core.attainment import COUNT, EI_TIETOA, PATH, RISKISSA, TAVOITTEESSA, IndicatorSpec
from tyollisyys_xl.core.attainment.assessment import _coverage_text, _partial
from tyollisyys_xl.core.attainment.figures import Figure, area_actual, monthly_figures
from tyollisyys_xl.core.attainment.judging import Judgement
from tyollisyys_xl.core.attainment.specs import MAX, MEAN, RATE, SUM
from tyollisyys_xl.core.months import month_label
from tyollisyys_xl.programme import AREA_TOTAL


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


def test_a_year_to_date_rate_is_as_of_its_latest_month():
    figure, _ = area_actual(rate_spec(), [month(1, 50, 5, 10), month(2, 50, 15, 30), month(3, 90, 9, 10)], 3)
    assert (figure.month, figure.numerator, figure.denominator, figure.value) == (3, 29, 50, 58.0)


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
    why = ("summa ei ole koko alueen luku" if combine == SUM else "raja voi ylittyä puuttuvissa kunnissa")
    assert math.isnan(judged.progress)
    assert notes == [f"Vain 5/8 kuntaa on kirjannut luvun: {why}, joten tilaa ei arvioida."]


def combined(indicator: str, rule_combine: str) -> IndicatorSpec:
    return IndicatorSpec(id=indicator, kind="kasvu", rule=COUNT, combine=rule_combine,
                         rate_scale=100.0 if rule_combine == RATE else math.nan, baseline=math.nan, target=1.0,
                         baseline_month=0, target_month=12, profile=None)


def test_municipal_entries_combine_into_area_figures_by_their_rule():
    """A rate weighted by its parts (a plain mean once a part is missing), a mean weighted by denominators,
    the maximum of a limit with the municipality behind it, a sum; 2 of 8 municipalities each month."""
    nan = math.nan
    rows = [  # indicator, month, municipality, effective, numerator, denominator
        ("R", 1, "Jämsä", 25.0, 1.0, 4.0), ("R", 1, "Keuruu", 75.0, 3.0, 4.0),
        ("R", 2, "Jämsä", 25.0, 1.0, 4.0), ("R", 2, "Keuruu", 50.0, nan, 4.0),
        ("A", 1, "Jämsä", 10.0, nan, 1.0), ("A", 1, "Keuruu", 20.0, nan, 3.0),
        ("A", 2, "Jämsä", 10.0, nan, nan), ("A", 2, "Keuruu", 20.0, nan, 3.0),
        ("X", 1, "Jämsä", 5.0, nan, nan), ("X", 1, "Keuruu", 9.0, nan, nan),
        ("S", 1, "Jämsä", 5.0, nan, nan), ("S", 1, "Keuruu", 9.0, nan, nan),
        ("S", 1, AREA_TOTAL, 20.0, nan, nan),  # an area row wins over the municipal ones of its month
    ]
    values = pd.DataFrame(rows, columns=["indicator_id", "month", "municipality", "effective", "numerator", "denominator"])
    specs = {"R": combined("R", RATE), "A": combined("A", MEAN), "X": combined("X", MAX), "S": combined("S", SUM)}
    figures = monthly_figures(values, specs, 8)
    r1, r2 = figures["R"]
    assert (r1.value, r1.weighted, r1.numerator, r1.denominator, r1.reported, r1.complete) == (50.0, True, 4.0, 8.0, 2, False)
    assert (r2.value, r2.weighted) == (37.5, False) and math.isnan(r2.numerator) and math.isnan(r2.denominator)
    a1, a2 = figures["A"]
    assert (a1.value, a1.weighted) == (17.5, True)  # (10 × 1 + 20 × 3) / 4
    assert (a2.value, a2.weighted) == (15.0, False)
    assert [(f.value, f.worst, f.weighted) for f in figures["X"]] == [(9.0, "Keuruu", True)]
    assert [(f.value, f.from_area, f.reported) for f in figures["S"]] == [(20.0, True, 8)]


def test_only_area_rows_need_no_combining():
    values = pd.DataFrame([("S", 3, AREA_TOTAL, 7.0, math.nan, math.nan)],
                          columns=["indicator_id", "month", "municipality", "effective", "numerator", "denominator"])
    [figure] = monthly_figures(values, {"S": combined("S", SUM)}, 8)["S"]
    assert (figure.month, figure.value, figure.reported, figure.complete, figure.from_area) == (3, 7.0, 8, True, True)


def point_in_time() -> IndicatorSpec:
    return IndicatorSpec(id="M96", kind="vähennys", rule=PATH, combine=SUM, rate_scale=math.nan, baseline=100.0,
                         target=80.0, baseline_month=0, target_month=12, profile=None)


def test_a_point_in_time_figure_is_the_latest_complete_month_and_says_which_later_ones_were_short():
    months = [month(1, 99, 1, 1), month(2, 50, 1, 1, reported=5), month(3, 60, 1, 1, reported=6),
              month(4, 70, 1, 1, reported=7)]
    figure, notes = area_actual(point_in_time(), months, 4)
    assert (figure.month, figure.value) == (1, 99)
    assert notes == [f"{month_label(4)} on vajaa (7 kuntaa): käytetään viimeisintä täyttä kuukautta {month_label(1)}."]


@pytest.mark.parametrize(("months", "chosen"), [
    ([month(1, 99, 1, 1), month(2, 98, 1, 1)], 2),  # the latest month is complete: no note
    ([month(1, 50, 1, 1, reported=5), month(2, 60, 1, 1, reported=6)], 2),  # none complete: the latest, no note
])
def test_a_point_in_time_figure_without_a_shorter_later_month(months, chosen):
    figure, notes = area_actual(point_in_time(), months, 2)
    assert figure.month == chosen and notes == []


def test_a_count_sums_its_months_and_keeps_the_weakest_of_each_mark():
    count = IndicatorSpec(id="M95", kind="kasvu", rule=COUNT, combine=SUM, rate_scale=math.nan, baseline=math.nan,
                          target=100.0, baseline_month=0, target_month=12, profile=None)
    months = [month(1, 10, 1, 1, from_area=True), dataclasses.replace(month(2, 5, 1, 1, reported=7), weighted=False),
              month(3, 7, 1, 1)]
    figure, notes = area_actual(count, months, 2)
    assert (figure.month, figure.value, figure.reported, figure.complete, figure.from_area, figure.weighted) == (
        2, 15.0, 7, False, False, False)
    assert notes == []
    figure, _ = area_actual(count, [month(1, 10, 1, 1, from_area=True), month(2, 5, 1, 1, from_area=True)], 2)
    assert (figure.from_area, figure.weighted, figure.complete) == (True, True, True)


def test_combining_names_no_worst_municipality_without_a_limit_and_warns_of_nothing():
    """The weighted choices are computed for every group, also over zero denominators: without a warning."""
    values = pd.DataFrame([("R", 1, "Jämsä", 0.0, 0.0, 0.0), ("A", 1, "Jämsä", 3.0, math.nan, 0.0),
                           ("S", 1, "Jämsä", 5.0, math.nan, math.nan)],
                          columns=["indicator_id", "month", "municipality", "effective", "numerator", "denominator"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figures = monthly_figures(values, {"R": combined("R", RATE), "A": combined("A", MEAN), "S": combined("S", SUM)}, 8)
    assert [figures[i][0].worst for i in "RAS"] == [None, None, None]
