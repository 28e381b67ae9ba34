"""Status history: statuses recomputed for every month, the Tilahistoria sheet, the JSON history and the export table."""

from __future__ import annotations

import json
import math

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from table_factory import make_tables

from tyollisyys_xl.cli import main
from tyollisyys_xl.core.attainment import (
    EI_TIETOA, EI_TOTEUDU, RISKISSA, SAAVUTETTU, TAVOITTEESSA, compute_attainment,
)
from tyollisyys_xl.core.attainment.assessment import _local_figures
from tyollisyys_xl.core.export import export_frames
from tyollisyys_xl.core.budget import compute_budget
from tyollisyys_xl.core.history import BETTER, NOT_COMPARABLE, UNCHANGED, WORSE, status_history, status_trend
from tyollisyys_xl.core.reports.history import HISTORY_SHEET, TREND_HEADER
from tyollisyys_xl.core.reports.statuses import status_label
from tyollisyys_xl.pipeline import load
from tyollisyys_xl.programme import AREA_TOTAL

# M07 (KV, cumulative count, no profile, target 100 by the end of 2026): the expected share by month m is m/12,
# so the year-to-date count is expected at 100 m / 12. Behind the path by at most 10 %-points: Tavoitteessa;
# at most 25: Riskissä; more: Ei toteudu.
MONTHLY = {1: 10, 2: 0, 3: 0, 4: 0, 5: 0, 6: 50, 7: 5}
BY_HAND = {
    1: TAVOITTEESSA,  # 10 vs 8.3: ahead
    2: TAVOITTEESSA,  # 10 vs 16.7: 6.7 points behind
    3: RISKISSA,  # 10 vs 25: 15 behind
    4: RISKISSA,  # 10 vs 33.3: 23.3 behind
    5: EI_TOTEUDU,  # 10 vs 41.7: 31.7 behind
    6: TAVOITTEESSA,  # 60 vs 50: ahead
    7: TAVOITTEESSA,  # 65 vs 58.3: ahead
}


@pytest.fixture(scope="module")
def hand_made():
    entries = [dict(indicator_id="M07", month=m, municipality=AREA_TOTAL, value=v) for m, v in MONTHLY.items()]
    entries += [dict(indicator_id="M06", month=m, municipality="Jämsä", value=1700) for m in (6, 7)]
    return make_tables(entries=entries)


def test_history_of_a_hand_made_series_has_the_statuses_computed_by_hand(hand_made):
    history = status_history(hand_made)
    assert history.as_of == 7
    assert [h["status"] for h in history.of("M07")] == list(BY_HAND.values())
    assert [h["actual"] for h in history.of("M07")] == [10, 10, 10, 10, 10, 60, 65]
    assert [h["status"] for h in history.of("M01")] == [EI_TIETOA] * 7
    assert history.trend("M07") == UNCHANGED
    assert status_history(hand_made, as_of=6).trend("M07") == BETTER
    assert status_history(hand_made, as_of=3).trend("M07") == WORSE
    assert status_history(hand_made, as_of=1).trend("M07") == NOT_COMPARABLE
    assert history.trend("M01") == NOT_COMPARABLE


def test_trend_ranks_the_statuses():
    assert status_trend(RISKISSA, SAAVUTETTU) == BETTER
    assert status_trend(TAVOITTEESSA, EI_TOTEUDU) == WORSE
    assert status_trend(EI_TIETOA, SAAVUTETTU) == NOT_COMPARABLE
    assert status_trend(None, SAAVUTETTU) == NOT_COMPARABLE


def test_each_month_is_exactly_what_attainment_says_as_of_that_month(demo_path):
    """The history judges every month from the as-of month's preparation; each month's rows must be those of a
    whole compute_attainment as of that month, area and municipal rows alike (the demo counts M30 and M37 from
    Sidonnat and has partial months, so the ledger and the latest-complete-month rules are in play)."""
    tables = load(demo_path).tables
    history = status_history(tables)
    assert history.as_of == compute_attainment(tables).as_of
    assert sorted(set(history.frame["month"])) == list(range(1, history.as_of + 1))
    compared = ["id", "municipality", "actual", "expected", "status"]
    for month in range(1, history.as_of + 1):
        result = compute_attainment(tables, as_of=month)
        expected = pd.concat([result.indicators.assign(municipality=AREA_TOTAL)[compared],
                              result.municipalities[compared]], ignore_index=True)
        mine = history.frame[history.frame["month"] == month][compared].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine.astype({"status": object}).fillna({"status": "-"}),
                                      expected.astype({"status": object}).fillna({"status": "-"}), check_dtype=False)
        assert {i: months[month] for i, months in history.statuses().items()} == dict(
            zip(result.indicators["id"], result.indicators["status"]))


def test_the_monthly_rows_of_a_whole_result_match_its_own_frames(demo_path):
    result = compute_attainment(load(demo_path).tables)
    area, local = result.monthly_rows()[-1]
    pd.testing.assert_frame_equal(pd.DataFrame(area)[["actual", "expected", "status", "note"]],
                                  result.indicators[["actual", "expected", "status", "note"]], check_dtype=False)
    assert [(r["id"], r["municipality"], r["status"]) for r in local] == list(
        zip(result.municipalities["id"], result.municipalities["municipality"],
            result.municipalities["status"].astype(object).where(result.municipalities["status"].notna(), None)))


def test_the_tilahistoria_sheet_in_a_real_report(demo_path, tmp_path):
    out = tmp_path / "raportti.xlsx"
    main(["report", str(demo_path), "--out", str(out)])
    book = openpyxl.load_workbook(out)
    sheet = book[HISTORY_SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(rows) if r[0] == "Tunnus")
    assert rows[header][:4] == ("Tunnus", "Taso", "Mittari", "1/2026")
    assert rows[header][-1] == TREND_HEADER and rows[header][-2] == "10/2026"
    tables = load(demo_path).tables
    history = status_history(tables)
    by_id = {r[0]: r for r in rows[header + 1:] if r[0]}
    assert list(by_id) == list(tables.indicators["id"])
    for indicator_id, months in history.statuses().items():
        assert list(by_id[indicator_id][3:13]) == [status_label(months[m]) for m in range(1, 11)]  # "● Saavutettu"
        trend = by_id[indicator_id][13] or ""
        assert trend.endswith(history.trend(indicator_id)) or history.trend(indicator_id) == NOT_COMPARABLE
    colours = {rule.formula[0] for rules in sheet.conditional_formatting for rule in rules.rules if rule.formula}
    assert f'"{status_label(EI_TOTEUDU)}"' in colours and f'"{status_label(SAAVUTETTU)}"' in colours


def test_attainment_json_carries_each_indicators_history(demo_path, capsys):
    assert main(["attainment", str(demo_path), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    for indicator in document["indicators"]:
        assert [h["month"] for h in indicator["history"]] == list(range(1, document["as_of"] + 1))
        assert indicator["history"][-1]["status"] == indicator["status"]
        assert set(indicator["history"][0]) == {"month", "status", "actual"}


def test_export_has_the_history_as_a_tidy_table(hand_made):
    attainment = compute_attainment(hand_made)
    frame = export_frames(hand_made, compute_budget(hand_made), attainment)["tilahistoria"]
    assert list(frame.columns) == ["mittari_id", "kunta", "kuukausi", "toteuma", "odotettu", "tila"]
    m07 = frame[(frame["mittari_id"] == "M07") & (frame["kunta"] == AREA_TOTAL)]
    assert list(m07["tila"]) == list(BY_HAND.values()) and list(m07["kuukausi"]) == list(range(1, 8))
    assert m07["odotettu"].round(2).tolist() == [round(100 * m / 12, 2) for m in range(1, 8)]
    jamsa = frame[(frame["mittari_id"] == "M06") & (frame["kunta"] == "Jämsä")]
    assert jamsa["toteuma"].tolist()[-2:] == [1700, 1700]
    n_areas, n_local = len(attainment.indicators), len(attainment.municipalities)
    assert len(frame) == 7 * (n_areas + n_local)


_ENTRY = st.tuples(
    st.sampled_from(["M06", "M29"]),  # indicator
    st.integers(1, 6),  # month
    st.sampled_from(["Joutsa", "Keuruu", AREA_TOTAL]),
    st.one_of(st.none(), st.integers(0, 50).map(float)),  # numerator (None: the part is missing)
    st.one_of(st.none(), st.integers(1, 50).map(float)),  # denominator
    st.integers(0, 500).map(float),  # effective value
)


@settings(deadline=None)
@given(st.lists(_ENTRY, max_size=25), st.integers(1, 6), st.integers(0, 5))
def test_the_municipal_figures_of_many_months_are_each_months_own(entries, last, span):
    """_local_figures of a range of months, from one grouped reduction over repeated entries, against the
    figures worked out month by month from the entries up to that month: the latest value (the last entered,
    in entry order within a month), the sum, the rate Σ numerators / Σ denominators when every entry has both
    parts, and the latest month."""
    values = pd.DataFrame([{"indicator_id": i, "month": m, "municipality": place, "numerator": n,
                            "denominator": d, "effective": v} for i, m, place, n, d, v in entries],
                          columns=["indicator_id", "month", "municipality", "effective", "numerator", "denominator"])
    values = values.astype({"month": "int64", "effective": "float64", "numerator": "float64", "denominator": "float64"})
    months = range(max(1, last - span), last + 1)
    figures = _local_figures(values, months)
    expected = {}
    for month in months:
        upto = sorted((e for e in entries if e[1] <= month and e[2] != AREA_TOTAL), key=lambda e: e[1])
        for key in dict.fromkeys((e[0], e[2]) for e in upto):
            rows = [e for e in upto if (e[0], e[2]) == key]
            parts = all(e[3] is not None and e[4] is not None for e in rows)
            rate = sum(e[3] for e in rows) / sum(e[4] for e in rows) if parts else math.nan
            expected[(month, *key)] = (rows[-1][5], sum(e[5] for e in rows), rate, rows[-1][1])
    assert figures.keys() == expected.keys()
    for key, (latest, total, rate, month) in expected.items():
        got = figures[key]
        assert (got[0], got[3]) == (latest, month) and got[1] == pytest.approx(total)
        assert (math.isnan(got[2]) and math.isnan(rate)) or got[2] == pytest.approx(rate)
