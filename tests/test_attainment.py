"""The attainment engine, judged with hand-computed cases built from the programme's own numbers."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.table_factory import entry, make_tables, programme_rows
from tyollisyys_xl.core.attainment import (
    EI_TIETOA,
    EI_TOTEUDU,
    LEVEL_COUNCIL,
    LEVEL_TOTAL,
    RISKISSA,
    SAAVUTETTU,
    STATUSES,
    TAVOITTEESSA,
    THRESHOLDS,
    compute_attainment,
    month_index,
)
from tyollisyys_xl.programme import programme

MUNICIPALITIES = [m["name"] for m in programme().municipalities]


def indicator(result, indicator_id) -> pd.Series:
    return result.indicators.set_index("id").loc[indicator_id]


def at(as_of, *entries, indicators=None):
    rows = {"entries": list(entries)}
    if indicators is not None:
        rows["indicators"] = indicators
    return compute_attainment(make_tables(**rows), as_of=as_of)


# --- broad unemployment 4301 (Dec 2025) -> 4100: decrease, point-in-time --------------------------------

@pytest.mark.parametrize(
    ("actual", "status"),
    [
        (4190, TAVOITTEESSA),  # (4301-4190)/201 = 0.552 of the way, 0.5 expected
        (4250, RISKISSA),  # 0.254 of the way: 0.246 behind the path
        (4260, EI_TOTEUDU),  # 0.204 of the way: 0.296 behind
        (4350, EI_TOTEUDU),  # moving away from the target
        (4100, SAAVUTETTU),
        (4050, SAAVUTETTU),
    ],
)
def test_broad_unemployment_is_judged_on_the_path_from_december_2025(actual, status):
    row = indicator(at(6, entry("M06", 6, actual)), "M06")
    assert row["rule"] == "path"
    assert row["expected"] == pytest.approx(4200.5)  # 4301 - 201 * 6/12
    assert row["progress"] == pytest.approx(max(-1, (actual - 4301) / (4100 - 4301)))
    assert row["status"] == status


def test_broad_unemployment_takes_the_latest_month_not_a_sum():
    result = at(6, entry("M06", 5, 4280), entry("M06", 6, 4190))
    row = indicator(result, "M06")
    assert (row["actual"], row["actual_month"]) == (4190, 6)


def test_a_stock_missed_at_the_end_of_the_year_does_not_come_true():
    row = indicator(at(12, entry("M06", 12, 4150)), "M06")
    assert row["progress"] == pytest.approx(151 / 201)
    assert row["status"] == EI_TOTEUDU


def test_municipal_stocks_are_summed_into_the_area_figure_when_every_municipality_reported():
    per_town = [entry("M06", 6, 4190 / 8, municipality=name) for name in MUNICIPALITIES]
    row = indicator(at(6, *per_town), "M06")
    assert row["actual"] == pytest.approx(4190)
    assert row["status"] == TAVOITTEESSA
    assert row["coverage"] == "8/8 kuntaa"
    assert not row["partial"]


def test_a_partial_sum_is_flagged_and_not_judged():
    per_town = [entry("M06", 6, 500, municipality=name) for name in MUNICIPALITIES[:6]]
    row = indicator(at(6, *per_town), "M06")
    assert row["actual"] == 3000
    assert row["partial"]
    assert row["coverage"] == "6/8 kuntaa"
    assert row["status"] == EI_TIETOA
    assert math.isnan(row["progress"])
    assert "6/8 kuntaa" in row["note"]


def test_a_newer_partial_month_gives_way_to_the_latest_complete_one():
    may = [entry("M06", 5, 530, municipality=name) for name in MUNICIPALITIES]
    june = [entry("M06", 6, 500, municipality=name) for name in MUNICIPALITIES[:3]]
    row = indicator(at(6, *may, *june), "M06")
    assert (row["actual"], row["actual_month"]) == (4240, 5)
    assert "6/2026 on vajaa" in row["note"]


def test_a_koko_alue_row_wins_over_municipal_rows_of_the_same_month():
    rows = [entry("M06", 6, 4200), *[entry("M06", 6, 100, municipality=n) for n in MUNICIPALITIES[:2]]]
    row = indicator(at(6, *rows), "M06")
    assert row["actual"] == 4200
    assert row["coverage"] == "Koko alue -rivi"


# --- customer satisfaction 3.82 (2025) -> 4.0 (2026): mean score ------------------------------------------

@pytest.mark.parametrize(("actual", "status"), [(3.9, TAVOITTEESSA), (3.87, RISKISSA), (3.85, EI_TOTEUDU),
                                                (4.0, SAAVUTETTU), (3.7, EI_TOTEUDU)])
def test_satisfaction_mean_is_judged_on_the_path_from_3_82_to_4_0(actual, status):
    row = indicator(at(6, entry("M26", 6, actual)), "M26")
    assert row["expected"] == pytest.approx(3.91)
    assert row["progress"] == pytest.approx(max(-1, (actual - 3.82) / 0.18))
    assert row["status"] == status


def test_satisfaction_from_municipalities_is_weighted_by_respondents():
    # 4.2 from 300 respondents and 3.6 from 100: (1260 + 360) / 400 = 4.05, not the plain mean 3.9
    answers = {name: (3.6, 100) if name == MUNICIPALITIES[0] else (4.2, 300 / 7) for name in MUNICIPALITIES}
    rows = [entry("M26", 6, v, municipality=name, denominator=n) for name, (v, n) in answers.items()]
    row = indicator(at(6, *rows), "M26")
    assert row["actual"] == pytest.approx(4.05)
    assert row["status"] == SAAVUTETTU


def test_a_mean_from_some_municipalities_is_judged_but_flagged():
    rows = [entry("M26", 6, 3.9, municipality=name) for name in MUNICIPALITIES[:5]]
    row = indicator(at(6, *rows), "M26")
    assert row["status"] == TAVOITTEESSA
    assert row["partial"]
    assert "5/8" in row["note"]


# --- integration-training queue at most 3 months: upper limit without a baseline ---------------------------

@pytest.mark.parametrize(("actual", "progress", "status"), [(2.5, 1.2, SAAVUTETTU), (3, 1.0, SAAVUTETTU),
                                                            (3.5, 3 / 3.5, RISKISSA), (4.5, 3 / 4.5, EI_TOTEUDU)])
def test_integration_training_queue_is_an_upper_limit(actual, progress, status):
    row = indicator(at(4, entry("M12", 4, actual)), "M12")
    assert row["rule"] == "level_max"
    assert row["expected"] == 3
    assert row["progress"] == pytest.approx(progress)
    assert row["status"] == status
    assert "Ei lähtöarvoa" in row["note"]


def test_statement_time_from_7_to_5_days_follows_a_path_down():
    row = indicator(at(6, entry("M23", 6, 6)), "M23")
    assert (row["rule"], row["expected"], row["progress"], row["status"]) == ("path", 6, 0.5, TAVOITTEESSA)
    assert indicator(at(6, entry("M23", 6, 5)), "M23")["status"] == SAAVUTETTU


# --- 65 pay-subsidy periods maintained (target = baseline) ----------------------------------------------

@pytest.mark.parametrize(("total", "status"), [(65, SAAVUTETTU), (70, SAAVUTETTU), (62, SAAVUTETTU),
                                               (61, RISKISSA), (49, RISKISSA), (48, EI_TOTEUDU)])
def test_pay_subsidy_periods_are_maintained_within_five_percent(total, status):
    # 62 >= 65 * 0.95 = 61.75 holds; 49/65 = 0.754 misses by less than 25 %; 48/65 = 0.738 by more
    per_town = [entry("M30", 3, total / 8, municipality=name) for name in MUNICIPALITIES]
    row = indicator(at(3, *per_town), "M30")
    assert row["rule"] == "level_min"
    assert row["expected"] == 65
    assert row["progress"] == pytest.approx(total / 65)
    assert row["status"] == status


def test_meetings_maintained_as_a_yearly_count_follow_the_pro_rata_path():
    row = indicator(at(6, entry("M27", 3, 1), entry("M27", 6, 1)), "M27")
    assert (row["rule"], row["actual"], row["expected"], row["status"]) == ("count", 2, 2, TAVOITTEESSA)


# --- 1000 employer contacts: cumulative, pro rata, no baseline -------------------------------------------

@pytest.mark.parametrize(("per_month", "status"), [(80, TAVOITTEESSA), (70, TAVOITTEESSA), (60, RISKISSA),
                                                   (40, EI_TOTEUDU), (170, SAAVUTETTU)])
def test_employer_contacts_are_a_year_to_date_sum_against_a_pro_rata_path(per_month, status):
    rows = [entry("M02", month, per_month) for month in range(1, 7)]
    row = indicator(at(6, *rows), "M02")
    assert row["actual"] == 6 * per_month
    assert row["expected"] == 500
    assert row["progress"] == pytest.approx(6 * per_month / 1000)
    assert row["status"] == status
    assert "Ei lähtöarvoa" in row["note"]


def test_employer_contacts_short_of_1000_at_year_end_do_not_come_true():
    row = indicator(at(12, *[entry("M02", m, 80) for m in range(1, 13)]), "M02")
    assert (row["actual"], row["status"]) == (960, EI_TOTEUDU)


def test_a_monthly_profile_shapes_the_expected_path():
    profile = "0;0;0;0;0;1;1;1;1;1;1;0"  # nothing expected before June, the year's target by November
    result = at(6, entry("M02", 6, 150), indicators=programme_rows(M02={"monthly_profile": profile}))
    row = indicator(result, "M02")
    assert row["expected_share"] == pytest.approx(1 / 6)
    assert row["expected"] == pytest.approx(1000 / 6)
    assert row["status"] == TAVOITTEESSA


def test_an_unusable_profile_falls_back_to_an_even_path_and_says_so():
    result = at(6, entry("M02", 6, 500), indicators=programme_rows(M02={"monthly_profile": "1;2;3"}))
    row = indicator(result, "M02")
    assert row["expected"] == 500
    assert "Kuukausiprofiili ei kelpaa" in row["note"]


# --- milestone: 0 ei aloitettu / 1 käynnissä / 2 valmis ---------------------------------------------------

@pytest.mark.parametrize(
    ("as_of", "stage", "status"),
    [(3, 0, TAVOITTEESSA), (4, 0, RISKISSA), (4, 1, TAVOITTEESSA), (11, 1, TAVOITTEESSA), (12, 1, EI_TOTEUDU),
     (12, 0, EI_TOTEUDU), (5, 2, SAAVUTETTU)],
)
def test_guidelines_milestone(as_of, stage, status):
    row = indicator(at(as_of, entry("M09", 1, stage)), "M09")
    assert row["rule"] == "milestone"
    assert row["progress"] == stage / 2
    assert row["expected"] == pytest.approx(2 * as_of / 12)
    assert row["status"] == status


# --- rates, missing baselines, no entries -----------------------------------------------------------------

def test_a_rate_is_weighted_by_denominators_not_a_mean_of_percentages():
    # Jämsä 300/600 = 50 %, the other seven 10/100 = 10 % each: (300 + 70) / (600 + 700) = 28.46 %, not 15 %
    rows = [entry("M29", 6, municipality=name, numerator=300 if name == "Jämsä" else 10,
                  denominator=600 if name == "Jämsä" else 100) for name in MUNICIPALITIES]
    result = at(6, *rows)
    row = indicator(result, "M29")
    assert row["actual"] == pytest.approx(100 * 370 / 1300)
    assert row["expected"] == pytest.approx(33)
    assert row["status"] == EI_TOTEUDU  # 0.046 of the way, 0.5 expected
    towns = result.municipalities.set_index(["id", "municipality"])
    assert towns.loc[("M29", "Jämsä"), "actual"] == pytest.approx(50)
    assert towns.loc[("M29", "Jämsä"), "status"] == SAAVUTETTU


def test_rates_with_only_values_fall_back_to_an_unweighted_mean_and_say_so():
    rows = [entry("M29", 6, 30 + i, municipality=name) for i, name in enumerate(MUNICIPALITIES)]
    row = indicator(at(6, *rows), "M29")
    assert row["actual"] == pytest.approx(33.5)
    assert "painottamaton" in row["note"]


def test_a_point_in_time_indicator_without_baseline_is_judged_against_its_target_level():
    result = at(6, entry("M06", 6, 4150), indicators=programme_rows(M06={"baseline": None, "baseline_date": None}))
    row = indicator(result, "M06")
    assert row["rule"] == "level_max"
    assert row["progress"] == pytest.approx(4100 / 4150)
    assert row["status"] == RISKISSA


def test_a_kind_that_cannot_accumulate_is_not_judged():
    result = at(6, entry("M06", 6, 4150), indicators=programme_rows(M06={"accumulation": "kumulatiivinen"}))
    row = indicator(result, "M06")
    assert row["status"] == EI_TIETOA
    assert "ei sovi kumulatiiviseen" in row["note"]


def test_an_empty_workbook_has_no_month_and_no_data():
    result = compute_attainment(make_tables())
    assert result.as_of is None
    assert set(result.indicators["status"]) == {EI_TIETOA}
    assert result.indicators["note"].str.contains("Ei toteumia").all()
    totals = result.rollups.set_index("group").loc[LEVEL_TOTAL]
    assert (totals["n"], totals[EI_TIETOA]) == (37, 37)
    assert math.isnan(totals["on_track_share"]) and math.isnan(totals["mean_progress"])
    assert result.rollup_trend.empty
    assert result.trend.drop(columns="id").isna().all().all()


def test_an_as_of_month_after_the_latest_entries_keeps_the_entries_and_moves_the_path():
    rows = [entry("M02", m, 80) for m in range(1, 7)] + [entry("M06", 6, 4190)]
    result = at(9, *rows)
    contacts, unemployment = indicator(result, "M02"), indicator(result, "M06")
    assert (contacts["actual"], contacts["expected"], contacts["status"]) == (480, 750, EI_TOTEUDU)
    assert (unemployment["actual"], unemployment["actual_month"]) == (4190, 6)
    assert unemployment["expected"] == pytest.approx(4301 - 201 * 9 / 12)


def test_an_as_of_month_before_any_entry_has_no_data():
    result = at(2, entry("M02", 3, 80), entry("M06", 3, 4250))
    assert set(result.indicators["status"]) == {EI_TIETOA}
    assert indicator(result, "M02")["expected"] == pytest.approx(1000 * 2 / 12)


def test_as_of_defaults_to_the_latest_month_with_entries():
    assert at(None, entry("M02", 3, 80), entry("M06", 5, 4250)).as_of == 5


def test_as_of_outside_the_year_is_refused_in_finnish():
    with pytest.raises(ValueError, match="1–12"):
        at(13)


@pytest.mark.parametrize(("text", "default", "months"), [("2025-12", 9, 0), ("2025", 9, 0), (None, 9, 9),
                                                         ("2026-06", 12, 6), ("2026", 0, 12), ("2025-06", 0, -6)])
def test_dates_become_months_from_the_start_of_2026(text, default, months):
    assert month_index(text, default) == months


# --- roll-ups and trend ------------------------------------------------------------------------------------

def rollup_row(result, group_type, group) -> pd.Series:
    rollups = result.rollups
    return rollups[(rollups["group_type"] == group_type) & (rollups["group"] == group)].iloc[0]


def test_rollups_count_statuses_and_average_capped_progress():
    result = at(
        6,
        entry("M01", 6, 2),  # KV, P1: Saavutettu, progress 1.0
        entry("M02", 6, 1200),  # KV, P1: Saavutettu, progress 1.2 -> capped 1.0
        entry("M06", 6, 4350),  # LTK, P1: Ei toteudu, progress -0.24 -> capped 0
        entry("M03", 6, 60),  # LTK, P1: Riskissä, 60/200 = 0.3
    )
    focus = rollup_row(result, "painopiste", "Työn ja työntekijän kohtaaminen")
    assert [focus[s] for s in STATUSES] == [2, 0, 1, 1, 2]
    assert focus["n"] == 6
    assert focus["on_track_share"] == pytest.approx(2 / 4)
    assert focus["mean_progress"] == pytest.approx((1 + 1 + 0 + 0.3) / 4)
    council = rollup_row(result, "taso", LEVEL_COUNCIL)
    assert (council["n"], council[SAAVUTETTU], council["mean_progress"]) == (14, 2, 1.0)
    committee = rollup_row(result, "taso", LEVEL_TOTAL)
    assert (committee["n"], committee[EI_TOTEUDU]) == (37, 1)
    theme = rollup_row(result, "teema", "Työnvälityksen ja elinvoiman edistäminen")
    assert (theme["n"], theme[SAAVUTETTU]) == (20, 2)


def test_municipal_rollups_judge_rates_and_give_sums_their_share_of_the_area():
    rows = [entry("M29", 6, municipality=name, numerator=40 if name == "Keuruu" else 20, denominator=100)
            for name in MUNICIPALITIES]
    rows += [entry("M34", m, 5, municipality=name) for m in (1, 2) for name in MUNICIPALITIES]
    result = at(6, *rows)
    keuruu = rollup_row(result, "kunta", "Keuruu")
    assert (keuruu["n"], keuruu[SAAVUTETTU], keuruu[EI_TIETOA]) == (3, 1, 2)  # M29 judged; M12 and M22 without entries
    towns = result.municipalities.set_index(["id", "municipality"])
    coaching = towns.loc[("M34", "Joutsa")]
    assert (coaching["actual"], coaching["share_of_area"]) == (10, 1 / 8)
    assert pd.isna(coaching["status"])  # no municipal target for a count


def test_trend_shows_year_to_date_sums_and_monthly_stocks():
    rows = [entry("M02", 1, 80), entry("M02", 3, 100), entry("M06", 2, 4280), entry("M06", 3, 4260)]
    trend = at(4, *rows).trend.set_index("id")
    assert list(trend.loc["M02", [1, 2, 3, 4]]) == [80, 80, 180, 180]
    assert trend.loc["M06", [2, 3]].tolist() == [4280, 4260]
    assert math.isnan(trend.loc["M06", 4]) and math.isnan(trend.loc["M02", 5])


def test_rollup_trend_has_one_row_per_month_up_to_as_of():
    rows = [entry("M02", m, 100) for m in range(1, 4)]
    trend = at(3, *rows).rollup_trend
    assert list(trend["month"]) == [1, 2, 3]
    assert list(trend[TAVOITTEESSA]) == [1, 1, 1]
    assert list(trend["mean_progress"]) == pytest.approx([0.1, 0.2, 0.3])


def test_thresholds_are_one_object_shown_with_finnish_labels():
    labels = THRESHOLDS.labelled()
    assert [value for _, value in labels] == [0.10, 0.25, 0.05, 0.25, 0.75]
    assert all(label[0].isupper() for label, _ in labels)


# --- end to end through the workbooks the builder makes ----------------------------------------------------

def test_the_demo_workbook_end_to_end(demo_path):
    from tyollisyys_xl.pipeline import load

    tables = load(demo_path).tables
    result = compute_attainment(tables)
    entries = tables.entries
    assert result.as_of == entries["month"].max()
    rows = result.indicators.set_index("id")
    assert list(rows.index) == list(tables.indicators["id"])
    assert not (rows["status"] == EI_TIETOA).any()

    contacts = entries[(entries["indicator_id"] == "M02") & (entries["month"] <= result.as_of)]
    assert rows.loc["M02", "actual"] == pytest.approx(contacts["value"].sum())

    latest = entries[(entries["indicator_id"] == "M06") & (entries["month"] == result.as_of)]
    assert set(latest["municipality"]) == set(MUNICIPALITIES)
    assert rows.loc["M06", "actual"] == pytest.approx(latest["value"].sum())

    faces = entries[(entries["indicator_id"] == "M29") & (entries["month"] <= result.as_of)]  # year to date
    assert rows.loc["M29", "actual"] == pytest.approx(100 * faces["numerator"].sum() / faces["denominator"].sum())


def test_the_empty_master_end_to_end(master_path):
    from tyollisyys_xl.pipeline import load

    result = compute_attainment(load(master_path).tables)
    assert result.as_of is None
    assert len(result.indicators) == 37
    assert set(result.indicators["status"]) == {EI_TIETOA}
