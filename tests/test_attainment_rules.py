"""The rules that judge indicators the way the programme means them, each with hand-computed numbers:
seasonal stocks against the same month a year earlier, deliverables by their due date, year-to-date
rates, upper limits by the worst municipality, subsidy periods counted from Sidonnat."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from tests.table_factory import entry, make_tables, programme_rows
from tyollisyys_xl.core.attainment import (
    EI_TIETOA,
    EI_TOTEUDU,
    RISKISSA,
    SAAVUTETTU,
    TAVOITTEESSA,
    compute_attainment,
)
from tyollisyys_xl.core.attainment.reference import season
from tyollisyys_xl.programme import AREA_TOTAL, programme

TOWNS = [m["name"] for m in programme().municipalities]


def reference(indicator_id, month, value, municipality=AREA_TOTAL):
    """A Vertailuvuosi row; months are numbered as core.months counts them (0 = 12/2025, -5 = 7/2025)."""
    return {"indicator_id": indicator_id, "month": month, "municipality": municipality, "value": value}


def judged(as_of, entries=(), references=(), indicators=None, commitments=None) -> pd.DataFrame:
    rows = {"entries": list(entries), "reference_entries": list(references)}
    if indicators is not None:
        rows["indicators"] = indicators
    if commitments is not None:
        rows["commitments"] = commitments
    return compute_attainment(make_tables(**rows), as_of=as_of).indicators.set_index("id")


# --- seasonal stocks: broad unemployment 4301 (12/2025) -> 4100 -----------------------------------------

JULY_2025, DECEMBER_2025, DECEMBER_2024 = -5, 0, -12
FLAT_YEAR = [reference("M06", DECEMBER_2024, 4301), reference("M06", JULY_2025, 4600),
             reference("M06", DECEMBER_2025, 4301)]  # December to December unchanged: no trend in 2025
JULY_2026 = 4462  # 3 % below July 2025: 0.97 * 4600


def test_a_july_3_percent_below_july_2025_is_on_track():
    row = judged(7, [entry("M06", 7, JULY_2026)], FLAT_YEAR).loc["M06"]
    # season factor g(7) = 4600 / 4301 (no trend); path(7) = 4301 - 201 * 7/12 = 4183.75
    factor = 4600 / 4301
    assert row["rule"] == "seasonal"
    assert row["season_factor"] == pytest.approx(factor)
    assert row["expected"] == pytest.approx(4183.75 * factor)  # 4474.6: July is a high month
    assert row["expected"] == pytest.approx(4600 * (1 + (4100 / 4301 - 1) * 7 / 12))  # the issue's own form
    progress = (JULY_2026 / factor - 4301) / (4100 - 4301)  # (4171.97 - 4301) / -201 = 0.642
    assert row["progress"] == pytest.approx(progress)
    assert progress == pytest.approx(0.6419, abs=1e-4)  # ahead of the 7/12 = 0.583 expected
    assert row["status"] == TAVOITTEESSA
    assert (row["reference_value"], row["change_from_reference"]) == (4600, JULY_2026 - 4600)
    assert row["change_from_reference_share"] == pytest.approx(-0.03)


def test_the_same_july_on_the_straight_path_goes_red_and_the_note_says_why():
    row = judged(7, [entry("M06", 7, JULY_2026)]).loc["M06"]
    assert row["rule"] == "path"
    assert row["status"] == EI_TOTEUDU  # 4462 is above the December baseline: "moving away"
    assert "Ei kausitasoitusta" in row["note"] and "7/2025" in row["note"]
    assert math.isnan(row["reference_value"]) and math.isnan(row["change_from_reference"])


def test_last_years_trend_is_taken_out_of_the_season():
    # 2025 rose 10 % December to December: July 2025 sat on a trend 1.1 ** (5/12) below December's level
    trending = [reference("M06", DECEMBER_2024, 3910), reference("M06", JULY_2025, 4600),
                reference("M06", DECEMBER_2025, 4301)]
    row = judged(7, [entry("M06", 7, JULY_2026)], trending).loc["M06"]
    factor = 4600 / 4301 * (4301 / 3910) ** (5 / 12)  # 1.0695 * 1.0405 = 1.1129
    assert row["season_factor"] == pytest.approx(factor)
    assert row["expected"] == pytest.approx(4183.75 * factor)
    assert "trendi poistettu" in row["note"]


def test_without_december_2024_the_trend_is_taken_as_zero_and_said_so():
    note = season({JULY_2025: 4600.0, DECEMBER_2025: 4301.0}, 7)
    assert note.factor == pytest.approx(4600 / 4301)
    assert "12/2024 puuttuu" in note.note


def test_municipal_reference_months_add_up_and_each_municipality_shows_its_own_change():
    references = [reference("M06", m, v / 8, town) for m, v in ((DECEMBER_2024, 4301), (JULY_2025, 4600),
                                                                 (DECEMBER_2025, 4301)) for town in TOWNS]
    entries = [entry("M06", 7, JULY_2026 / 8, town) for town in TOWNS]
    result = compute_attainment(make_tables(entries=entries, reference_entries=references), as_of=7)
    assert result.indicators.set_index("id").loc["M06", "rule"] == "seasonal"
    town = result.municipalities.set_index(["id", "municipality"]).loc[("M06", "Luhanka")]
    assert town["reference_value"] == pytest.approx(575)
    assert town["change_from_reference_share"] == pytest.approx(-0.03)


def test_a_partial_reference_month_is_no_area_figure():
    references = [*FLAT_YEAR[:1], *(reference("M06", JULY_2025, 575, t) for t in TOWNS[:6]), FLAT_YEAR[2]]
    row = judged(7, [entry("M06", 7, JULY_2026)], references).loc["M06"]
    assert row["rule"] == "path" and "7/2025" in row["note"]


# --- deliverables by their due date: the Power BI report (M17, 0 -> 1, due at the end of 2026) -----------

@pytest.mark.parametrize(("as_of", "status"), [
    (4, TAVOITTEESSA),  # 0 of 1 in April: due in December, so not Ei toteudu (the old pro-rata path said so)
    (9, TAVOITTEESSA),  # 9/12 = 0.75 of the time passed: not past the threshold
    (10, RISKISSA),  # 10/12 > 0.75 and nothing delivered
    (12, EI_TOTEUDU),  # the due date reached undelivered
])
def test_an_undelivered_report(as_of, status):
    row = judged(as_of, [entry("M17", 1, 0)]).loc["M17"]
    assert row["rule"] == "deliverable"
    assert (row["actual"], row["progress"], row["status"]) == (0, 0, status)
    assert math.isnan(row["expected"])  # nothing is "expected by now" of a single product
    assert "Määräpäivä 12/2026" in row["note"]


def test_a_delivered_report_is_achieved_at_once():
    assert judged(3, [entry("M17", 3, 1)]).loc["M17", "status"] == SAAVUTETTU


@pytest.mark.parametrize(("as_of", "status"), [(4, TAVOITTEESSA), (5, RISKISSA), (6, EI_TOTEUDU), (7, EI_TOTEUDU)])
def test_a_deliverable_due_in_june_fails_after_june(as_of, status):
    # due 2026-06: 4/6 of the time by April, 5/6 > 0.75 by May; at the due date and after it undelivered fails
    row = judged(as_of, [entry("M17", 1, 0)], indicators=programme_rows(M17={"target_date": "2026-06"})).loc["M17"]
    assert row["status"] == status


def test_a_count_of_deliverables_adds_up_the_months():
    # M15 eight municipality cards: 3 in March and 2 in May; 5/8 by June is on its way, not a pro-rata miss
    row = judged(6, [entry("M15", 3, 3), entry("M15", 5, 2)]).loc["M15"]
    assert (row["actual"], row["progress"], row["status"]) == (5, 5 / 8, TAVOITTEESSA)


def test_a_point_in_time_deliverable_reads_its_latest_value():
    # M18 at least one tool per service (the smallest count per service is entered): 0 then 1
    assert judged(8, [entry("M18", 2, 0), entry("M18", 8, 1)]).loc["M18", "status"] == SAAVUTETTU


# --- year-to-date rates ------------------------------------------------------------------------------

def test_face_to_face_service_is_a_year_to_date_ratio():
    # M29 28 % -> 38 %: January 28/100, February 45/100, March 40/200
    rows = [entry("M29", 1, numerator=28, denominator=100), entry("M29", 2, numerator=45, denominator=100),
            entry("M29", 3, numerator=40, denominator=200)]
    row = judged(3, rows).loc["M29"]
    assert row["actual"] == pytest.approx(100 * 113 / 400)  # 28.25 %, not March's 20 % nor the mean 31 %
    assert row["expected"] == pytest.approx(28 + 10 * 3 / 12)  # 30.5
    assert row["progress"] == pytest.approx(0.025)  # (28.25 - 28) / 10
    assert row["status"] == RISKISSA  # 0.225 behind the 0.25 expected
    assert "Osuus vuoden alusta" in row["note"]


def test_a_year_to_date_ratio_sums_across_municipalities_and_months():
    # Jämsä 300/600 and the other seven 10/100 in January; everyone 20/100 in February
    rows = [entry("M29", 1, municipality=t, numerator=300 if t == "Jämsä" else 10, denominator=600 if t == "Jämsä" else 100)
            for t in TOWNS] + [entry("M29", 2, municipality=t, numerator=20, denominator=100) for t in TOWNS]
    result = compute_attainment(make_tables(entries=rows), as_of=2)
    assert result.indicators.set_index("id").loc["M29", "actual"] == pytest.approx(100 * (370 + 160) / (1300 + 800))
    towns = result.municipalities.set_index(["id", "municipality"])
    assert towns.loc[("M29", "Jämsä"), "actual"] == pytest.approx(100 * 320 / 700)


def test_plans_up_to_date_stay_a_point_in_time_share():
    rows = [entry("M22", 1, numerator=70, denominator=100), entry("M22", 2, numerator=60, denominator=80)]
    assert judged(2, rows).loc["M22", "actual"] == pytest.approx(75)  # February's 60/80, not 130/180


@pytest.mark.parametrize(("held", "status"), [((50, 50), SAAVUTETTU), ((45, 50), RISKISSA), ((35, 50), RISKISSA),
                                              ((20, 50), EI_TOTEUDU)])
def test_initial_interviews_are_the_share_held_within_the_deadline(held, status):
    # M21: January 50/50, February as given: year to date (50 + a) / 100 against 100 %
    rows = [entry("M21", 1, numerator=50, denominator=50), entry("M21", 2, numerator=held[0], denominator=held[1])]
    row = judged(2, rows).loc["M21"]
    assert row["actual"] == pytest.approx(50 + held[0])
    assert row["rule"] == "level_min" and row["target"] == 100
    assert row["status"] == status  # 95 % and 85 % miss by at most 25 %: Riskissä; 70 % misses by more


# --- upper limits by the worst municipality: the integration-training queue at most 3 months -------------

def test_the_queue_is_the_longest_municipal_queue_and_the_sheet_names_it():
    rows = [entry("M12", 5, 3.5 if t == "Keuruu" else 2.5, t) for t in TOWNS]
    row = judged(5, rows).loc["M12"]
    assert row["actual"] == 3.5  # not the mean 2.625, which would hide Keuruu
    assert row["limit_set_by"] == "Keuruu" and "Keuruu" in row["note"]
    assert row["status"] == RISKISSA  # 3 / 3.5 = 0.857: over by less than 25 %


@pytest.mark.parametrize(("keuruu", "status"), [(2.5, EI_TIETOA), (4.5, EI_TOTEUDU)])
def test_a_partial_maximum_is_judged_only_when_it_already_breaks_the_limit(keuruu, status):
    rows = [entry("M12", 5, keuruu if t == "Keuruu" else 2.0, t) for t in TOWNS if t != "Luhanka"]
    row = judged(5, rows).loc["M12"]
    assert row["partial"] and row["status"] == status  # Luhanka might be longer than 2.5, never shorter than 4.5


# --- subsidy periods from the ledger -----------------------------------------------------------------

def commitment(number, municipality, subsidy_type, start, end):
    return {"commitment_id": f"SID-{number}", "decision_date": start - dt.timedelta(days=20), "municipality": municipality,
            "subsidy_type": subsidy_type, "period_start": start, "period_end": end, "amount_eur": 6000,
            "business_id": "1234567-1"}


YOUTH = "Nuoret töihin -rekrytointituki"
LEDGER = [
    commitment(1, "Jämsä", YOUTH, dt.date(2026, 1, 5), dt.date(2026, 6, 30)),
    commitment(2, "Jämsä", YOUTH, dt.date(2026, 1, 19), dt.date(2026, 4, 30)),
    commitment(3, "Keuruu", YOUTH, dt.date(2026, 3, 1), dt.date(2026, 8, 31)),
    commitment(4, "Keuruu", YOUTH, dt.date(2026, 5, 1), dt.date(2026, 10, 31)),
    commitment(5, "Joutsa", YOUTH, dt.date(2025, 11, 1), dt.date(2026, 2, 28)),  # started in 2025: not this year's
    commitment(6, "Joutsa", YOUTH, dt.date(2026, 8, 1), dt.date(2027, 1, 31)),  # starts after June
    commitment(7, "Jämsä", "Palkkatuki", dt.date(2026, 1, 1), dt.date(2026, 6, 30)),  # running at the end of June
    commitment(8, "Jämsä", "Palkkatuki", dt.date(2026, 3, 1), dt.date(2026, 6, 15)),  # ended mid-June
    commitment(9, "Multia", "Palkkatuki", dt.date(2025, 10, 1), dt.date(2026, 9, 30)),  # from 2025, still running
]


def test_youth_recruitment_periods_are_counted_from_sidonnat():
    # M37 30 periods started in 2026: by June 4 started (two in January, March, May); 30 * 6/12 = 15 expected
    result = compute_attainment(make_tables(entries=[entry("M02", 6, 80)], commitments=LEDGER), as_of=6)
    row = result.indicators.set_index("id").loc["M37"]
    assert (row["actual"], row["expected"]) == (4, 15)
    assert row["progress"] == pytest.approx(4 / 30)
    assert row["status"] == EI_TOTEUDU  # 0.37 behind
    assert "Sidonnoista" in row["note"]
    towns = result.municipalities.set_index(["id", "municipality"])["actual"]
    assert (towns[("M37", "Jämsä")], towns[("M37", "Keuruu")], towns[("M37", "Joutsa")]) == (2, 2, 0)
    assert list(result.trend.set_index("id").loc["M37", [1, 2, 3, 4, 5, 6]]) == [2, 2, 3, 3, 4, 4]


def test_pay_subsidy_periods_are_those_running_at_the_month_end():
    # M30 at the end of June: SID-7 (ends 30.6.) and SID-9 (from 2025) run; SID-8 ended on 15.6.
    result = compute_attainment(make_tables(entries=[entry("M02", 6, 80)], commitments=LEDGER), as_of=6)
    row = result.indicators.set_index("id").loc["M30"]
    assert row["actual"] == 2
    assert list(result.trend.set_index("id").loc["M30", [1, 2, 3, 6]]) == [2, 2, 3, 2]


def test_typed_entries_win_over_the_ledger():
    rows = [entry("M02", 6, 80), *(entry("M37", 6, 1, t) for t in TOWNS)]
    assert judged(6, rows, commitments=LEDGER).loc["M37", "actual"] == 8


def test_an_empty_ledger_says_nothing():
    assert judged(6, [entry("M02", 6, 80)]).loc["M37", "status"] == EI_TIETOA
