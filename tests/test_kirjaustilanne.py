"""The Kirjaustilanne sheet: the latest month's figures of every indicator per municipality, "puuttuu" where
an entry is missing, and the entry instruction of each indicator."""

from __future__ import annotations

import datetime as dt

from tests.table_factory import entry, make_tables
from tyollisyys_xl.core.reports.kirjaustilanne import MISSING, SHEET_NAME, kirjaustilanne_sheet
from tyollisyys_xl.jobs import run_job
from tyollisyys_xl.programme import AREA_TOTAL, programme

TOWNS = [m["name"] for m in programme().municipalities]


def grid_rows(spec) -> dict[str, list]:
    """Indicator id -> its row's cells, from the header row's columns."""
    grid = spec.values_grid()
    header_row = next(r for (r, c), v in grid.items() if c == 1 and v == "Tunnus")
    width = max(c for r, c in grid if r == header_row)
    headers = [grid.get((header_row, c)) for c in range(1, width + 1)]
    rows = {}
    for (r, c), value in grid.items():
        if c == 1 and r > header_row:
            rows[value] = dict(zip(headers, (grid.get((r, col)) for col in range(1, width + 1))))
    return rows


def test_the_latest_month_per_municipality_with_the_missing_ones_named():
    entries = [entry("M22", 6, municipality=t, numerator=7, denominator=10) for t in TOWNS if t != "Luhanka"]
    entries += [entry("M22", 5, municipality="Luhanka", numerator=6, denominator=10), entry("M02", 6, 80), entry("M03", 4, 12)]
    spec = kirjaustilanne_sheet(make_tables(entries=entries))
    assert spec.name == SHEET_NAME
    assert spec.values_grid()[(2, 1)] == "Kirjaustilanne – kesäkuu 2026"  # row 1: the banner row
    rows = grid_rows(spec)
    assert len(rows) == 37
    plans = rows["M22"]
    assert (plans["Joutsa"], plans["Luhanka"], plans["Kirjattu"], plans["Viimeksi kirjattu"]) == (70, MISSING, "7/8", "6/2026")
    assert plans[AREA_TOTAL] is None  # entered per municipality: no area row expected
    assert rows["M02"][AREA_TOTAL] == 80 and rows["M02"]["Kirjattu"] == "1/1"
    assert (rows["M03"][AREA_TOTAL], rows["M03"]["Viimeksi kirjattu"]) == (MISSING, "4/2026")  # entered in April only
    assert rows["M05"]["Viimeksi kirjattu"] == "ei koskaan" and rows["M05"]["Joutsa"] is None
    assert rows["M22"]["Kirjausohje"].startswith("Tilanne kuun lopussa kunnittain")
    (rule,) = spec.conditional_formats
    assert (rule.kind, rule.values, rule.fill) == ("text", [MISSING], "FFC7CE")


def test_indicators_counted_from_sidonnat_need_no_entry():
    commitments = [{"commitment_id": "S1", "decision_date": dt.date(2026, 1, 2), "municipality": "Jämsä",
                    "subsidy_type": "Palkkatuki", "period_start": dt.date(2026, 2, 1), "period_end": dt.date(2026, 7, 31),
                    "amount_eur": 6000, "business_id": "1234567-1"}]
    rows = grid_rows(kirjaustilanne_sheet(make_tables(entries=[entry("M02", 6, 80)], commitments=commitments)))
    assert rows["M30"]["Kirjattu"] == "Sidonnoista" and rows["M30"]["Keuruu"] == "Sidonnoista"


def test_a_workbook_without_entries_says_so():
    spec = kirjaustilanne_sheet(make_tables())
    assert spec.values_grid()[(2, 1)] == "Kirjaustilanne – toteumia ei ole vielä kirjattu"


def test_every_job_writes_it_after_tarkistus(master_path):
    from tyollisyys_xl.io.calamine_source import CalamineSource

    values, facts = CalamineSource(master_path).read_all()
    assert [spec.name for spec in run_job(values, "validate", facts=facts).specs] == ["Tarkistus", SHEET_NAME]
