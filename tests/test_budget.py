"""The budget engine: exact cents, the multi-year split, each alert, and tabs that reconcile to the input."""

from __future__ import annotations

import datetime as dt
import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from table_factory import day, make_tables

from tyollisyys_xl.core.budget import ALERT_RULES, alerts_as_findings, commitment_shares, compute_budget, totals
from tyollisyys_xl.core.money import apportion, cents_series, cents_to_decimal, cents_to_euros, format_eur, to_cents
from tyollisyys_xl.core.reports.layout import TOTAL_FILL
from tyollisyys_xl.core.reports.budget_tabs import (
    ALERTS_SHEET,
    MONTHLY_SHEET,
    NO_BUDGET,
    NO_FORECAST,
    NO_RATE,
    OVER_FILL,
    SUMMARY_SHEET,
    TOTAL_LABEL,
    budget_sheets,
)
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.programme import AREA_TOTAL

KUNNAT = ["Joutsa", "Jämsä", "Keuruu", "Luhanka", "Multia", "Mänttä-Vilppula", "Petäjävesi", "Toivakka"]
PAY = "Palkkatuki"
YOUTH = "Nuoret töihin -rekrytointituki"
START = "Starttiraha"


def commitment(cid, municipality, subsidy, start, end, amount, decided=None):
    return dict(commitment_id=cid, decision_date=day(decided or start), municipality=municipality,
                subsidy_type=subsidy, period_start=day(start), period_end=day(end), amount_eur=amount)


def payment(on, cid, amount):
    return dict(payment_date=day(on), commitment_id=cid, amount_eur=amount)


def alerts_of(result, rule):
    return result.alerts[result.alerts["rule"] == rule]


# ---------------------------------------------------------------- money


def test_cents_and_finnish_euro_text():
    assert to_cents(Decimal("1234.50")) == 123450
    assert to_cents(Decimal("0.005")) == 1  # half up
    assert cents_to_decimal(123450) == Decimal("1234.50")
    assert format_eur(123450) == "1\u00a0234,50\u00a0€"
    assert format_eur(-5) == "-0,05\u00a0€"
    assert format_eur(100000000) == "1\u00a0000\u00a0000,00\u00a0€"
    assert format_eur(0) == "0,00\u00a0€"  # no sign on zero
    assert format_eur(-100) == "-1,00\u00a0€"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, np.int64(0) * np.nan])
def test_missing_cents_stay_missing_in_a_cell(missing):
    assert cents_to_euros(missing) is None


def test_cents_to_a_cells_euros():
    assert cents_to_euros(123450) == 1234.5 and cents_to_euros(np.int64(-5)) == -0.05


def test_apportion_gives_leftover_cents_to_largest_remainders():
    shares = apportion(np.array([100, 10, 0, 7]), np.array([[1, 1, 1], [1, 1, 1], [1, 2, 3], [0, 0, 0]]))
    assert shares.tolist() == [[34, 33, 33], [4, 3, 3], [0, 0, 0], [0, 0, 0]]


def test_apportion_ties_go_left_also_among_many_columns():
    # 3 cents over weights 1, 2, 1, 2, ... (sum 60): every share is 0 and the weight-2 columns tie for the
    # three cents, which go to the leftmost three of them. An unstable sort hands them out anywhere.
    shares = apportion(np.array([3]), np.array([[1, 2] * 20]))
    assert np.flatnonzero(shares[0]).tolist() == [1, 3, 5] and shares.sum() == 3


def test_apportion_gives_int_cents_for_whole_numbers_of_any_dtype():
    for totals_, weights in [([1000], [[1, 2]]), (np.array([1000.0]), np.array([[1.0, 2.0]]))]:
        shares = apportion(totals_, weights)
        assert shares.dtype == np.int64 and shares.tolist() == [[333, 667]]


def test_a_row_without_weight_gets_nothing_and_divides_by_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "divide by zero" would reach the user's console
        shares = apportion(np.array([500, 7]), np.array([[0, 0, 0], [1, 1, 1]]))
    assert shares.tolist() == [[0, 0, 0], [3, 2, 2]]


def test_cents_of_a_column_keep_its_index_and_are_int64():
    euros = pd.Series([Decimal("1.10"), Decimal("0.01"), Decimal("20")], index=[4, 9, 2], dtype=object)
    pd.testing.assert_series_equal(cents_series(euros), pd.Series([110, 1, 2000], index=[4, 9, 2], dtype="int64"))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**9), st.lists(st.integers(0, 400), min_size=1, max_size=14)),
                min_size=1, max_size=20))
def test_apportion_adds_up_exactly_and_each_share_is_within_a_cent(rows):
    width = max(len(w) for _, w in rows)
    totals_ = np.array([t for t, _ in rows])
    weights = np.array([w + [0] * (width - len(w)) for _, w in rows])
    shares = apportion(totals_, weights)
    sums = weights.sum(axis=1)
    assert (shares.sum(axis=1) == np.where(sums == 0, 0, totals_)).all()
    exact = totals_[:, None] * weights / np.where(sums == 0, 1, sums)[:, None]
    assert (np.abs(shares - exact) < 1).all()


# ---------------------------------------------------------------- the multi-year split


def test_commitment_spanning_years_counts_only_its_2026_share_by_days():
    tables = make_tables(commitments=[commitment("S1", "Jämsä", PAY, "1.12.2025", "31.5.2026", 6000)])
    shares, monthly = commitment_shares(tables.commitments)
    # 182 days, 151 of them in 2026: 6000 * 151 / 182 = 4978.0219...
    assert shares["period_days"].tolist() == [182]
    assert shares["share_cents"].tolist() == [497802]
    assert monthly.sum() == 497802
    # January has 31 of the 151 days: 4978.02 * 31 / 151 = 1021.98
    assert monthly[0, :6].tolist() == [102198, 92307, 102198, 98901, 102198, 0]


def test_commitment_spanning_into_2027_and_one_inside_2026():
    tables = make_tables(commitments=[
        commitment("S1", "Keuruu", PAY, "1.10.2026", "31.3.2027", Decimal("1000.01")),
        commitment("S2", "Keuruu", PAY, "1.2.2026", "28.2.2026", Decimal("333.33")),
    ])
    shares, monthly = commitment_shares(tables.commitments)
    # 182 days, 92 in 2026: 100001 * 92 / 182 = 50549.96 -> 50550 (largest remainder)
    assert shares["share_cents"].tolist() == [50550, 33333]
    # 50550 * 31/92 = 17033.15, * 30/92 = 16483.70: the leftover cent goes to November
    assert monthly[0, 9:].tolist() == [17033, 16484, 17033]
    assert monthly[1].tolist() == [0, 33333] + [0] * 10


@settings(max_examples=50, deadline=None)
@given(st.lists(st.tuples(st.dates(dt.date(2024, 1, 1), dt.date(2028, 12, 31)), st.integers(0, 800),
                          st.integers(0, 5 * 10**8)), min_size=1, max_size=15))
def test_year_and_month_shares_reconcile_for_any_period(periods):
    tables = make_tables(commitments=[
        dict(commitment_id=f"S{i}", decision_date=start, municipality="Joutsa", subsidy_type=PAY,
             period_start=start, period_end=start + dt.timedelta(days=length), amount_eur=Decimal(cents) / 100)
        for i, (start, length, cents) in enumerate(periods)
    ])
    shares, monthly = commitment_shares(tables.commitments)
    assert (monthly.sum(axis=1) == shares["share_cents"].to_numpy()).all()
    for (start, length, cents), share in zip(periods, shares["share_cents"]):
        end = start + dt.timedelta(days=length)
        inside = max(0, (min(end, dt.date(2026, 12, 31)) - max(start, dt.date(2026, 1, 1))).days + 1)
        assert abs(share - cents * inside / (length + 1)) < 1


# ---------------------------------------------------------------- summary and reconciliation


@pytest.fixture(scope="module")
def small():
    tables = make_tables(
        budget=[
            dict(municipality="Jämsä", subsidy_type=PAY, budget_eur=10000),
            dict(municipality="Jämsä", subsidy_type=YOUTH, budget_eur=Decimal("9000.00")),
            dict(municipality="Keuruu", subsidy_type=PAY, budget_eur=Decimal("5000.10")),
            dict(municipality="Luhanka", subsidy_type=START, budget_eur=1200),
        ],
        commitments=[
            commitment("S1", "Jämsä", PAY, "1.12.2025", "31.5.2026", 6000),
            commitment("S2", "Jämsä", YOUTH, "1.2.2026", "31.7.2026", 9000),
            commitment("S3", "Keuruu", PAY, "1.1.2026", "30.6.2026", Decimal("5400.33")),
            commitment("S4", "Multia", PAY, "1.3.2026", "31.8.2026", Decimal("3000.01")),
        ],
        payments=[
            payment("15.1.2026", "S1", 1000),
            payment("15.2.2026", "S1", Decimal("1000.50")),
            payment("10.3.2026", "S2", 1500),
            payment("10.4.2026", "S3", Decimal("900.05")),
            payment("12.4.2026", "S4", Decimal("0.01")),
        ],
        service_costs=[
            dict(month=1, municipality="Jämsä", cost_object="Valmennuspalvelut", amount_eur=Decimal("1200.10")),
            dict(month=2, municipality="Jämsä", cost_object="Valmennuspalvelut", amount_eur=Decimal("800.20")),
            dict(month=2, municipality="Keuruu", cost_object="Yrityspalvelut", amount_eur=500),
        ],
    )
    return tables, compute_budget(tables)


def test_summary_per_municipality_and_subsidy_type(small):
    _, result = small
    summary = result.summary.set_index(["municipality", "subsidy_type"])
    jamsa = summary.loc[("Jämsä", PAY)]
    assert (jamsa.budget_cents, jamsa.committed_cents, jamsa.paid_cents) == (1000000, 497802, 200050)
    assert jamsa.remaining_cents == 1000000 - 497802
    assert jamsa.open_cents == 497802 - 200050
    assert jamsa.forecast_cents == 497802
    assert jamsa.commitment_rate == pytest.approx(0.497802)
    assert jamsa.payment_rate == pytest.approx(0.200050)
    luhanka = summary.loc[("Luhanka", START)]  # a budget and nothing else
    assert (luhanka.committed_cents, luhanka.paid_cents, luhanka.commitment_rate) == (0, 0, 0.0)
    multia = summary.loc[("Multia", PAY)]  # commitments without a budget: budget missing, never zero
    assert pd.isna(multia.budget_cents) and pd.isna(multia.commitment_rate)
    assert multia.remaining_cents == -300001  # nothing to commit against
    assert result.payments_until == dt.date(2026, 4, 12)


def test_forecast_adds_the_new_commitments_expected_at_the_years_pace(small):
    """Decisions of 2026 run to March (S4, 1.3.2026): m = 3, so the 9 months left bind 3 times what 1-3 did."""
    _, result = small
    assert (result.decisions_until, result.forecast_months) == (3, 3)
    forecast = result.summary.set_index(["municipality", "subsidy_type"])["forecast_cents"]
    assert forecast[("Jämsä", PAY)] == 497802  # S1 was decided in 2025: no new commitments, no pace
    assert forecast[("Jämsä", YOUTH)] == 900000 + 900000 * 9 // 3  # S2, 9 000 € all in 2026
    assert forecast[("Keuruu", PAY)] == 540033 + 1620099  # S3: 5 400,33 € x 9 / 3 = 16 200,99 €
    assert forecast[("Multia", PAY)] == 300001 + 900003
    assert forecast[("Joutsa", PAY)] == 0  # nothing committed, nothing decided
    assert totals(result.summary, [])["forecast_cents"].iloc[0] == 497802 + 3600000 + 2160132 + 1200004


def test_forecast_rounds_each_row_half_up_and_totals_sum_the_rows():
    """m = 8 (a decision in August): 4 months left, expected = new x 4 / 8."""
    tables = make_tables(
        budget=[dict(municipality="Joutsa", subsidy_type=PAY, budget_eur=12000)],
        commitments=[
            commitment("A", "Joutsa", PAY, "1.2.2026", "31.7.2026", 8000, decided="15.1.2026"),
            commitment("B", "Joutsa", PAY, "1.9.2026", "30.9.2026", 1000, decided="20.8.2026"),
            commitment("C", "Joutsa", START, "1.12.2025", "31.1.2026", 620, decided="1.11.2025"),  # 31 of 62 days in 2026
            commitment("D", "Toivakka", PAY, "1.3.2026", "1.3.2026", Decimal("0.01"), decided="3.3.2026"),
        ],
    )
    result = compute_budget(tables)
    assert result.forecast_months == 8
    summary = result.summary.set_index(["municipality", "subsidy_type"])
    assert summary.loc[("Joutsa", PAY), ["new_cents", "expected_new_cents", "forecast_cents"]].tolist() == [
        900000, 450000, 1350000]
    assert summary.loc[("Joutsa", START), ["committed_cents", "forecast_cents"]].tolist() == [31000, 31000]
    assert summary.loc[("Toivakka", PAY), "forecast_cents"] == 1 + 1  # 0,5 cents rounds up
    assert totals(result.summary, [])["forecast_cents"].iloc[0] == 1350000 + 31000 + 2
    summary_tab = budget_sheets(result, tables)[0]
    joutsa = next(r for r in sheet_rows(summary_tab, "Kunta") if r[:2] == ["Joutsa", PAY])
    assert joutsa[9:] == [13500.0, 13500.0 - 12000]
    notes = [v for (r, c), v in summary_tab.values_grid().items() if c == 1 and isinstance(v, str)]
    assert any("1–8/2026 tehtyjen päätösten vuoden 2026 osuus ÷ 8 × 4 jäljellä olevaa kuukautta" in n for n in notes)


@pytest.mark.parametrize(("decided", "why"), [
    ("27.2.2026", "päätöksiä on vasta 2/2026 asti"),  # two months are no pace
    ("15.12.2025", "vuodelta 2026 ei ole vielä sidontapäätöksiä"),
])
def test_without_a_pace_there_is_no_forecast_and_the_tab_says_why(decided, why):
    tables = make_tables(commitments=[commitment("A", "Joutsa", PAY, "1.3.2026", "31.3.2026", 100, decided=decided)])
    result = compute_budget(tables)
    assert result.forecast_months is None and result.summary["forecast_cents"].isna().all()
    summary_tab = budget_sheets(result, tables)[0]
    joutsa = next(r for r in sheet_rows(summary_tab, "Kunta") if r[:2] == ["Joutsa", PAY])
    assert joutsa[3] == 100.0 and joutsa[9:] == [NO_FORECAST, NO_RATE]
    notes = [v for (r, c), v in summary_tab.values_grid().items() if c == 1 and isinstance(v, str)]
    assert any(why in n and "vähintään 3 kuukauden" in n for n in notes)


def test_a_full_year_of_decisions_forecasts_what_is_committed():
    tables = make_tables(commitments=[commitment("A", "Joutsa", PAY, "1.12.2026", "31.12.2026", 100, decided="1.12.2026")])
    result = compute_budget(tables)
    assert result.forecast_months == 12 and result.summary["forecast_cents"].sum() == 10000


def test_rates_above_100_percent_and_forecasts_above_budget_are_red(small):
    """One formula rule per column group: text cells ("–") are never coloured, whatever Excel ranks them."""
    tables, result = small
    summary = next(s for s in budget_sheets(result, tables) if s.name == SUMMARY_SHEET)
    header = next(r for (r, c), v in summary.values_grid().items() if c == 1 and v == "Kunta")
    rates, forecast = summary.conditional_formats[:2]
    last = header + len(sheet_rows(summary, "Kunta"))
    assert (rates.range, rates.values) == (f"G{header + 1}:H{last}", [f"=AND(ISNUMBER(G{header + 1}),G{header + 1}>1)"])
    assert (forecast.range, forecast.values) == (f"K{header + 1}:K{last}", [f"=AND(ISNUMBER(K{header + 1}),K{header + 1}>0)"])
    assert rates.fill == forecast.fill == OVER_FILL and rates.bold


def test_totals_reconcile_to_the_input_tables_both_ways(small):
    tables, result = small
    budget_in = sum(to_cents(v) for v in tables.budget["budget_eur"])
    paid_in = sum(to_cents(v) for v in tables.payments["amount_eur"])
    shares, _ = commitment_shares(tables.commitments)
    area = totals(result.summary, []).iloc[0]
    assert area.budget_cents == budget_in == result.summary["budget_cents"].sum()
    assert area.paid_cents == paid_in == result.monthly["paid_cents"].sum()
    assert area.committed_cents == shares["share_cents"].sum() == result.monthly["committed_cents"].sum()
    by_key = result.monthly.groupby(["municipality", "subsidy_type"])[["committed_cents", "paid_cents"]].sum()
    merged = result.summary.set_index(["municipality", "subsidy_type"]).join(by_key.add_suffix("_monthly")).fillna(0)
    assert (merged["committed_cents"] == merged["committed_cents_monthly"]).all()
    assert (merged["paid_cents"] == merged["paid_cents_monthly"]).all()


def test_service_costs_year_to_date(small):
    _, result = small
    costs = result.service_costs.set_index(["municipality", "cost_object"])
    assert costs.loc[("Jämsä", "Valmennuspalvelut")].tolist() == [200030, 2, 2]
    assert costs.loc[("Keuruu", "Yrityspalvelut")].tolist() == [50000, 1, 2]
    assert ("Jämsä", "Yrityspalvelut") not in costs.index  # not entered: missing, not a zero row


def sheet_rows(spec, first_header):
    """The rows of the table whose header row starts with first_header, as lists, until a blank row."""
    grid = spec.values_grid()
    header = next(r for (r, c), v in sorted(grid.items()) if c == 1 and v == first_header)
    width = max(c for (r, c) in grid if r == header)
    rows, r = [], header + 1
    while grid.get((r, 1)) is not None:
        rows.append([grid.get((r, c)) for c in range(1, width + 1)])
        r += 1
    return rows


def cents(value):
    """A money cell in cents; "ei budjettia" counts as no euros, as the totals count it."""
    return 0 if value is None or value == NO_BUDGET else round(value * 100)


def test_summary_tab_totals_equal_the_sum_of_rows_and_the_input(small):
    tables, result = small
    summary = next(s for s in budget_sheets(result, tables) if s.name == SUMMARY_SHEET)
    rows = sheet_rows(summary, "Kunta")
    detail = [r for r in rows if r[0] != AREA_TOTAL and r[1] != TOTAL_LABEL]
    municipality_totals = [r for r in rows if r[0] != AREA_TOTAL and r[1] == TOTAL_LABEL]
    by_type = [r for r in rows if r[0] == AREA_TOTAL and r[1] != TOTAL_LABEL]
    (grand,) = [r for r in rows if r[0] == AREA_TOTAL and r[1] == TOTAL_LABEL]
    assert [r[0] for r in municipality_totals] == KUNNAT  # every municipality, in Kunnat order
    assert [r[:2] for r in detail[:3]] == [["Joutsa", PAY], ["Joutsa", YOUTH], ["Joutsa", START]]  # every subsidy type
    assert [r[2] for r in detail[:3]] == [NO_BUDGET] * 3  # Joutsa has no budget row: said so, not left out
    for column in range(2, 11):
        if column in (6, 7):  # rates are not summed
            continue
        grand_cents = cents(grand[column])
        assert sum(cents(r[column]) for r in detail) == grand_cents, summary.blocks
        assert sum(cents(r[column]) for r in municipality_totals) == grand_cents
        assert sum(cents(r[column]) for r in by_type) == grand_cents
    assert cents(grand[2]) == sum(to_cents(v) for v in tables.budget["budget_eur"])
    assert cents(grand[4]) == sum(to_cents(v) for v in tables.payments["amount_eur"])
    multia = next(r for r in detail if r[0] == "Multia")
    assert multia[2] == NO_BUDGET and multia[6] == multia[7] == NO_RATE  # no budget: said so, never 0
    assert multia[5] == -3000.01  # and the commitment is all over it


def test_summary_total_rows_are_shaded_by_one_rule_however_many_municipalities(small):
    """A style per total row would cost Excel a call per municipality; one formula rule covers the table."""
    tables, result = small
    summary = next(s for s in budget_sheets(result, tables) if s.name == SUMMARY_SHEET)
    rule = summary.conditional_formats[-1]
    grid = summary.values_grid()
    header = next(r for (r, c), v in grid.items() if c == 1 and v == "Kunta")
    rows = sheet_rows(summary, "Kunta")
    assert rule.range == f"A{header + 1}:K{header + len(rows)}"
    assert rule.kind == "formula" and rule.values == [f'=$B{header + 1}="{TOTAL_LABEL}"']
    assert rule.bold and rule.fill == TOTAL_FILL
    marked = [r for r in rows if r[1] == TOTAL_LABEL]  # the rows the rule shades
    assert [r[0] for r in marked] == [*KUNNAT, AREA_TOTAL]
    assert not [s for s in summary.styles if s.fill == TOTAL_FILL]


def test_monthly_tab_reconciles_and_charts_cumulative_against_budget(small):
    tables, result = small
    monthly = next(s for s in budget_sheets(result, tables) if s.name == MONTHLY_SHEET)
    area_rows = sheet_rows(monthly, "Kuukausi")
    months, total = area_rows[:12], area_rows[12]
    assert total[0] == TOTAL_LABEL
    committed, paid = 4, 5  # columns: month, cumulative committed, cumulative paid, budget, committed, paid
    assert sum(cents(r[committed]) for r in months) == cents(total[committed]) == result.summary["committed_cents"].sum()
    assert sum(cents(r[paid]) for r in months) == cents(total[paid]) == result.summary["paid_cents"].sum()
    assert cents(months[-1][1]) == cents(total[committed])  # cumulative ends at the total
    assert cents(months[3][2]) == cents(total[paid])
    assert months[3][paid] is not None and months[4][paid] is None  # paid runs to April, May onward missing
    assert months[4][2] is None
    assert {r[3] for r in months} == {int(result.summary["budget_cents"].sum()) / 100}
    detail = sheet_rows(monthly, "Kunta")
    assert sum(cents(r[3]) for r in detail) == cents(total[committed])
    assert sum(cents(r[4]) for r in detail) == cents(total[paid])
    (chart,) = monthly.charts
    assert chart.kind == "line"
    assert [s.name for s in chart.series] == ["Sidottu kumulatiivinen €", "Maksettu kumulatiivinen €", "Budjetti €"]
    assert [s.values for s in chart.series] == ["B7:B18", "C7:C18", "D7:D18"]
    assert {s.categories for s in chart.series} == {"A7:A18"}


def test_tabs_with_no_data_show_missing_not_zero():
    tables = make_tables()
    result = compute_budget(tables)
    summary, monthly, alerts = budget_sheets(result, tables)
    rows = sheet_rows(summary, "Kunta")
    assert [r[0] for r in rows if r[1] == TOTAL_LABEL] == [*KUNNAT, AREA_TOTAL]
    assert {r[2] for r in rows} == {NO_BUDGET} and {r[9] for r in rows} == {NO_FORECAST}
    assert all(r[2] is None and r[5] is None for r in sheet_rows(monthly, "Kuukausi")[:12])
    assert sheet_rows(alerts, "Hälytys") == [["Ei hälytyksiä.", None, None, None, None, None]]


def test_sheet_names_are_short_enough_for_excel(small):
    tables, result = small
    assert all(len(s.name) <= 31 for s in budget_sheets(result, tables))


# ---------------------------------------------------------------- alerts, one by one


def only_alert(result, rule):
    found = alerts_of(result, rule)
    assert len(found) == 1, result.alerts[["rule", "cell", "message"]]
    return found.iloc[0]


def test_alert_commitments_above_budget_points_to_the_budget_cell():
    tables = make_tables(
        budget=[dict(municipality="Joutsa", subsidy_type=PAY, budget_eur=1000, _row=5)],
        commitments=[commitment("S1", "Joutsa", PAY, "1.1.2026", "31.1.2026", Decimal("1000.01"))],
    )
    alert = only_alert(compute_budget(tables), "SIDONNAT_YLI_BUDJETIN")
    assert (alert.sheet, alert.cell) == ("Tukibudjetti", "C5")
    assert "ylitys 0,01\u00a0€" in alert.message


def test_alert_commitments_without_budget_points_to_the_first_commitment():
    tables = make_tables(
        budget=[dict(municipality="Joutsa", subsidy_type=PAY, budget_eur=1000)],
        commitments=[
            commitment("S1", "Joutsa", PAY, "1.1.2026", "31.1.2026", 100),
            commitment("S2", "Toivakka", START, "1.1.2026", "31.1.2026", 100, decided="2.12.2025"),
            commitment("S3", "Toivakka", START, "1.2.2026", "28.2.2026", 100),
        ],
    )
    result = compute_budget(tables)
    alert = only_alert(result, "EI_BUDJETTIA")
    assert (alert.sheet, alert.cell, alert.municipality) == ("Sidonnat", "C3", "Toivakka")
    assert alerts_of(result, "SIDONNAT_YLI_BUDJETIN").empty  # no budget row is its own alert, not "above budget"


def test_alert_payments_above_commitment_points_to_the_payment_that_does_not_fit():
    tables = make_tables(
        commitments=[commitment("S1", "Jämsä", PAY, "1.1.2026", "30.6.2026", 3000)],
        payments=[payment("10.3.2026", "S1", 1000), payment("10.2.2026", "S1", 1500),
                  payment("10.4.2026", "S1", 600), payment("10.5.2026", "S1", 100)],
    )
    alert = only_alert(compute_budget(tables), "MAKSU_YLITTAA")
    # by date order 1500 + 1000 = 2500 fit, 600 does not (3100 > 3000); the 100 after it still fits
    assert (alert.sheet, alert.cell, alert.severity) == ("Maksatukset", "C4", "virhe")
    assert "maksettu jo 2\u00a0500,00\u00a0€" in alert.message and "ylitys 100,00\u00a0€" in alert.message
    assert "yhteensä 3\u00a0200,00\u00a0€" in alert.message


def test_every_payment_that_does_not_fit_is_flagged_and_the_rest_fit():
    """Leaving the flagged payments out leaves the commitment's payments within its amount."""
    tables = make_tables(
        commitments=[commitment("S1", "Jämsä", PAY, "1.1.2026", "30.6.2026", 3000)],
        payments=[payment("10.1.2026", "S1", 2900), payment("10.2.2026", "S1", 200), payment("10.3.2026", "S1", 200),
                  payment("10.4.2026", "S1", 100)],
    )
    found = alerts_of(compute_budget(tables), "MAKSU_YLITTAA")
    assert found["cell"].tolist() == ["C3", "C4"]
    tables.payments = tables.payments[~tables.payments["_row"].isin(found["row"])]
    assert alerts_of(compute_budget(tables), "MAKSU_YLITTAA").empty


def test_alert_payment_outside_the_commitment_period():
    tables = make_tables(
        commitments=[commitment("S1", "Jämsä", PAY, "1.2.2026", "30.4.2026", 3000)],
        payments=[payment("31.1.2026", "S1", 10), payment("1.2.2026", "S1", 10),
                  payment("30.10.2026", "S1", 10), payment("31.10.2026", "S1", 10)],
    )
    found = alerts_of(compute_budget(tables), "MAKSU_JAKSON_ULKOPUOLELLA")
    # before the start, or more than 183 days after the end (paid in arrears): 30.4. + 183 = 30.10.
    assert found["cell"].tolist() == ["A2", "A5"]
    assert "1.2.2026–30.4.2026" in found.iloc[0].message


def test_alert_payment_without_commitment_is_left_out_of_the_sums():
    tables = make_tables(payments=[payment("1.3.2026", "EI-OLE", 50)])
    result = compute_budget(tables)
    alert = only_alert(result, "MAKSU_ILMAN_SIDONTAA")
    assert alert.cell == "B2" and alert.municipality is None
    assert result.monthly.empty and not result.summary[["committed_cents", "paid_cents"]].any().any()


def test_alerts_for_subsidy_caps_come_from_the_subsidy_table():
    tables = make_tables(commitments=[
        commitment("N1", "Multia", YOUTH, "1.1.2026", "30.6.2026", 9000),  # at the caps: fine
        commitment("N2", "Multia", YOUTH, "1.1.2026", "30.6.2026", Decimal("9000.01")),  # total and monthly
        commitment("N3", "Multia", YOUTH, "1.1.2026", "31.3.2026", 4600),  # 3 months x 1 500
        commitment("N4", "Multia", YOUTH, "1.1.2026", "1.7.2026", 8000),  # 7 started months
        commitment("P1", "Multia", PAY, "1.1.2026", "31.12.2026", 90000),  # no caps in the table
    ])
    result = compute_budget(tables)
    assert alerts_of(result, "ENIMMAISTUKI")["commitment_id"].tolist() == ["N2"]
    assert alerts_of(result, "YLI_KK_ENIMMAISMAARAN")["commitment_id"].tolist() == ["N2", "N3"]
    assert alerts_of(result, "ENIMMAISKESTO")["commitment_id"].tolist() == ["N4"]
    n3 = alerts_of(result, "YLI_KK_ENIMMAISMAARAN").iloc[1]
    assert n3.cell == "G4" and "1\u00a0500,00\u00a0€/kk × 3 kk = 4\u00a0500,00\u00a0€" in n3.message
    # the rule is data: raise the cap in the table and the alert goes
    raised = tables.subsidy_types.copy()
    raised.loc[raised["subsidy_type"] == YOUTH, "max_total_eur"] = Decimal("10000.00")
    tables.subsidy_types = raised
    assert alerts_of(compute_budget(tables), "ENIMMAISTUKI").empty


def test_alert_period_ending_before_it_starts_has_no_share():
    tables = make_tables(commitments=[commitment("S1", "Jämsä", PAY, "1.6.2026", "31.5.2026", 500)])
    result = compute_budget(tables)
    assert only_alert(result, "JAKSO_PAATTYY_ENNEN").cell == "F2"
    assert result.summary["committed_cents"].sum() == 0


def test_alert_tab_lists_every_alert_with_a_link_to_its_cell():
    tables = make_tables(
        commitments=[commitment("N1", "Multia", YOUTH, "1.1.2026", "31.12.2026", 20000)],
        payments=[payment("31.12.2025", "N1", 20001), payment("1.3.2026", "X", 1)],
    )
    result = compute_budget(tables)
    assert set(result.alerts["rule"]) == {r.code for r in ALERT_RULES} - {"SIDONNAT_YLI_BUDJETIN", "JAKSO_PAATTYY_ENNEN"}
    sheet = next(s for s in budget_sheets(result, tables) if s.name == ALERTS_SHEET)
    rows = sheet_rows(sheet, "Hälytys")
    assert len(rows) == len(result.alerts)
    assert [h.target for h in sheet.hyperlinks] == [r[-1] for r in rows]
    assert all(target.split("!")[0] in {"Sidonnat", "Maksatukset", "Tukibudjetti"} for target in (r[-1] for r in rows))
    findings = alerts_as_findings(result.alerts)
    assert [f.severity for f in findings] == [Rule[code].severity for code in result.alerts["rule"]]
    assert {f.severity for f in findings} == {"varoitus", "virhe"} and findings[0].column == "Kunta"
    assert [f.cell for f in findings] == result.alerts["cell"].tolist()


def test_alerts_point_where_the_columns_really_stand():
    """Tables say where validation found each column; a table they do not cover keeps the builder's layout."""
    tables = make_tables(
        budget=[dict(municipality="Jämsä", subsidy_type=PAY, budget_eur=50)],
        commitments=[commitment("S1", "Jämsä", PAY, "1.1.2026", "30.6.2026", 100)],
        payments=[payment("1.3.2026", "S1", 150), payment("1.4.2027", "S1", 1)],
    )
    assert compute_budget(tables).alerts["cell"].tolist() == ["C2", "C2", "A3"]
    tables.column_letters = {"maksatukset": {"amount_eur": "E", "payment_date": "B"}}
    alerts = compute_budget(tables).alerts
    findings = alerts_as_findings(alerts)
    assert [f.cell for f in findings] == alerts["cell"].tolist()  # the tab and Tarkistus point at the same cells
    assert [(f.rule, f.address, f.column) for f in findings] == [
        ("SIDONNAT_YLI_BUDJETIN", "Tukibudjetti!C2", "Budjetti €"),  # no letters given: the builder's layout
        ("MAKSU_YLITTAA", "Maksatukset!E2", "Maksettu €"),
        ("MAKSU_JAKSON_ULKOPUOLELLA", "Maksatukset!B3", "Maksupäivä"),
    ]


# ---------------------------------------------------------------- speed


def test_national_volume_reconciles():
    """50 times the demo area's rows (90 commitments, 281 payments): still exact to the cent.

    Its speed is measured by benchmarks/run.py, not asserted here."""
    rng = np.random.default_rng(1)
    names = ["Joutsa", "Jämsä", "Keuruu", "Luhanka", "Multia", "Mänttä-Vilppula", "Petäjävesi", "Toivakka"]
    n = 5000
    starts = [dt.date(2025, 6, 1) + dt.timedelta(days=int(d)) for d in rng.integers(0, 500, n)]
    commitments = [
        dict(commitment_id=f"S{i}", decision_date=s, municipality=names[i % 8], subsidy_type=PAY, period_start=s,
             period_end=s + dt.timedelta(days=int(rng.integers(30, 400))), amount_eur=Decimal(int(rng.integers(1, 10**6))) / 100)
        for i, s in enumerate(starts)
    ]
    payments = [dict(payment_date=dt.date(2026, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365))),
                     commitment_id=f"S{int(rng.integers(0, n))}", amount_eur=Decimal(int(rng.integers(1, 10**5))) / 100)
                for _ in range(15000)]
    tables = make_tables(commitments=commitments, payments=payments,
                         budget=[dict(municipality=m, subsidy_type=PAY, budget_eur=10**6) for m in names])
    result = compute_budget(tables)
    budget_sheets(result, tables)
    assert result.monthly["paid_cents"].sum() == sum(to_cents(p["amount_eur"]) for p in payments)


@given(st.lists(st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False, allow_infinity=False), max_size=50))
def test_cents_series_agrees_with_exact_decimal_rounding(amounts):
    euros = pd.Series(amounts, dtype=object)
    assert cents_series(euros).tolist() == [to_cents(a) for a in amounts]
