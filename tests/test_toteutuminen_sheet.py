"""The Toteutuminen sheets: what they show, and that LibreOffice Calc recalculating their formulas gets
exactly the numbers and statuses Python computed."""

from __future__ import annotations

import dataclasses
import math
import re
import warnings

import pytest
from openpyxl import load_workbook

from tests.libreoffice import needs_soffice, recalculated_copy
from tests.table_factory import make_tables
from tyollisyys_xl.core.attainment import EI_TIETOA, THRESHOLDS, Thresholds, compute_attainment
from tyollisyys_xl.core.cells import column_letter
from tyollisyys_xl.core.reports.layout import MISSING, NOT_YET, NOT_YET_FILL
from tyollisyys_xl.core.reports.toteutuminen import (
    INDICATOR_HEADERS,
    MAIN_SHEET,
    MUNICIPAL_SHEET,
    TREND_SHEET,
    toteutuminen_sheets,
)
from tyollisyys_xl.core.reports.statuses import STATUS_LABELS, status_label
from tyollisyys_xl.core.sheetspec import Block, Formula
from tyollisyys_xl.io.xlsxwriter_target import write_xlsx
from tyollisyys_xl.pipeline import load
from tyollisyys_xl.programme import AREA_TOTAL, programme

COLUMN = {header: i + 1 for i, header in enumerate(INDICATOR_HEADERS)}
EMPTY_SHEET = "Toteutuminen tyhjä"
EDGE_SHEET = "Toteutuminen erikoistapaukset"
EDITED_SHEET = "Toteutuminen rajat muutettu"
EDITED_THRESHOLDS = Thresholds(on_track_margin=0.0, at_risk_margin=0.1, maintain_tolerance=0.0,
                               milestone_start_share=0.5, deliverable_risk_share=0.9)


@pytest.fixture(scope="module")
def demo(demo_path):
    tables = load(demo_path).tables
    result = compute_attainment(tables)
    return tables, result, toteutuminen_sheets(result, tables)


@pytest.fixture(scope="module")
def empty(master_path):
    tables = load(master_path).tables
    result = compute_attainment(tables)
    return tables, result, toteutuminen_sheets(result, tables)


@pytest.fixture(scope="module")
def edge_cases():
    """Cases the demo lacks: a monthly profile, a partial sum, an unsupported kind, a milestone not started,
    a limit without baseline that is missed, a rate from some municipalities only."""
    towns = [m["name"] for m in programme().municipalities]
    changes = {"M02": {"monthly_profile": "1;1;2;2;3;3;0;1;2;2;1;0"}, "M05": {"accumulation": "tilanne", "kind": "lasku"},
               "M07": {"kind": "lasku"}}
    indicators = [{**row, **changes.get(row["id"], {})} for row in programme().indicator_rows()]

    def entry(indicator_id, month, value=None, municipality=AREA_TOTAL, numerator=None, denominator=None):
        return {"indicator_id": indicator_id, "month": month, "municipality": municipality, "value": value,
                "numerator": numerator, "denominator": denominator}

    entries = [entry("M02", m, 70) for m in range(1, 6)] + [entry("M05", 5, 150), entry("M07", 2, 30),
               entry("M09", 5, 0), entry("M12", 5, 3.6), entry("M21", 5, 14), entry("M30", 5, 60)]
    entries += [entry("M06", 5, 500, municipality=t) for t in towns[:5]]
    entries += [entry("M29", 5, municipality=t, numerator=30, denominator=90) for t in towns[:3]]
    tables = make_tables(indicators=indicators, entries=entries)
    result = compute_attainment(tables)
    return tables, result, toteutuminen_sheets(result, tables)


def sheet(specs, name):
    return next(spec for spec in specs if spec.name == name)


def plain(value):
    return value.cached if isinstance(value, Formula) else value


def indicator_rows(spec) -> dict[str, int]:
    """Indicator id -> its row on the Toteutuminen sheet."""
    grid = spec.values_grid()
    headers = next(r for (r, c), v in grid.items() if c == 1 and v == "Tunnus")
    return {v: r for (r, c), v in grid.items() if c == 1 and r > headers and isinstance(v, str) and v.startswith("M")}


def parameter_rows(spec) -> dict[str, int]:
    """Finnish threshold label -> its row (the value stands in column E, where the formulas read it)."""
    labels = {label for label, _ in THRESHOLDS.labelled()}
    return {v: r for (r, c), v in spec.values_grid().items() if c == 1 and v in labels}


def test_three_sheets_in_workbook_order(demo):
    assert [s.name for s in demo[2]] == [MAIN_SHEET, MUNICIPAL_SHEET, TREND_SHEET]


def test_one_row_per_indicator_with_python_figures(demo):
    _, result, specs = demo
    main = sheet(specs, MAIN_SHEET)
    grid, rows = main.values_grid(), indicator_rows(main)
    assert list(rows) == list(result.indicators["id"])
    for row in result.indicators.itertuples(index=False):
        r = rows[row.id]
        assert grid[(r, COLUMN["Taso"])] == row.level
        assert grid[(r, COLUMN["Painopiste"])] == row.focus_area
        assert grid[(r, COLUMN["Yksikkö"])] == row.unit
        assert grid[(r, COLUMN["Toteuma"])] == pytest.approx(row.actual)
        if math.isnan(row.expected):  # a deliverable has no expected value before its due date
            assert grid.get((r, COLUMN["Odotettu nyt"])) is None
        else:
            assert plain(grid[(r, COLUMN["Odotettu nyt"])]) == pytest.approx(row.expected)
        assert plain(grid[(r, COLUMN["Edistyminen"])]) == pytest.approx(row.progress)
        assert plain(grid[(r, COLUMN["Tila"])]) == status_label(row.status)  # "● Saavutettu": the symbol only on the sheet
        assert isinstance(grid[(r, COLUMN["Tila"])], Formula)  # every demo indicator is judged


def test_the_same_month_a_year_earlier_and_the_change_stand_beside_the_figure(demo):
    _, result, specs = demo
    main = sheet(specs, MAIN_SHEET)
    grid, rows = main.values_grid(), indicator_rows(main)
    for indicator_id in ("M06", "M33", "M35"):  # the demo's seasonal stocks
        expected = result.indicators.set_index("id").loc[indicator_id]
        r = rows[indicator_id]
        assert grid[(r, COLUMN["Sama kk vuotta aiemmin"])] == pytest.approx(expected["reference_value"])
        change = grid[(r, COLUMN["Muutos vuodessa"])]
        assert isinstance(change, Formula) and change.cached == pytest.approx(expected["change_from_reference"])
        assert plain(grid[(r, COLUMN["Muutos vuodessa %"])]) == pytest.approx(expected["change_from_reference_share"])
        assert grid[(r, COLUMN["Kausikerroin"])] == pytest.approx(expected["season_factor"])
        factor_cell = f"{column_letter(COLUMN['Kausikerroin'])}{r}"
        assert grid[(r, COLUMN["Odotettu nyt"])].text.endswith(f"*{factor_cell}")  # the seasonal path reads the factor
    assert grid.get((rows["M02"], COLUMN["Muutos vuodessa"])) is None
    municipal = sheet(specs, MUNICIPAL_SHEET).values_grid()
    header_row = next(r for (r, c), v in municipal.items() if c == 1 and v == "Tunnus" and municipal.get((r, 3)) == "Kunta")
    headers = {municipal[(header_row, c)]: c for c in range(1, 16) if (header_row, c) in municipal}
    towns = result.municipalities.set_index(["id", "municipality"])
    for r in range(header_row + 1, header_row + 200):
        if municipal.get((r, 1)) == "M33":
            town = towns.loc[("M33", municipal[(r, 3)])]
            assert municipal[(r, headers["Sama kk vuotta aiemmin"])] == pytest.approx(town["reference_value"])
            assert municipal[(r, headers["Muutos vuodessa %"])] == pytest.approx(town["change_from_reference_share"])


def test_subtotal_rows_for_every_focus_area_and_theme(demo):
    _, result, specs = demo
    labels = [v for (r, c), v in sheet(specs, MAIN_SHEET).values_grid().items()
              if c == COLUMN["Painopiste"] and isinstance(v, str)]
    assert [v for v in labels if v.startswith("Yhteensä: ")] == [
        f"Yhteensä: {f}" for f in result.indicators["focus_area"].unique()]
    assert [v for v in labels if v.startswith("Teema yhteensä: ")] == [
        f"Teema yhteensä: {t}" for t in result.indicators["theme"].unique()]


def test_thresholds_are_shown_and_read_by_the_status_formulas(demo):
    main = sheet(demo[2], MAIN_SHEET)
    grid, rows = main.values_grid(), parameter_rows(main)
    for label, value in THRESHOLDS.labelled():
        assert grid[(rows[label], 5)] == value
    status_formulas = " ".join(v.text for (r, c), v in grid.items() if c == COLUMN["Tila"] and isinstance(v, Formula))
    for label, _ in THRESHOLDS.labelled():
        assert f"$E${rows[label]}" in status_formulas


def test_formulas_reference_only_their_own_sheet(demo):
    """No "Sheet!A1" outside the formulas' text literals (which hold labels such as "! Riskissä")."""
    references = [re.sub(r'"[^"]*"', '""', v.text) for spec in demo[2] for v in spec.values_grid().values()
                  if isinstance(v, Formula)]
    assert len(references) > 100 and not [text for text in references if "!" in text]


def test_statuses_have_traffic_light_colours(demo):
    main = sheet(demo[2], MAIN_SHEET)
    status_column = f"{chr(64 + COLUMN['Tila'])}"
    coloured = {rule.values[0] for rule in main.conditional_formats
                if rule.kind == "text" and rule.range.startswith(status_column)}
    assert coloured == set(STATUS_LABELS)


def test_rollups_and_a_progress_chart_on_the_main_sheet(demo):
    _, result, specs = demo
    main = sheet(specs, MAIN_SHEET)
    grid = main.values_grid()
    groups = [v for (r, c), v in grid.items() if c == 4 and v in set(result.rollups["group"])]
    assert len(groups) == 2 + result.indicators["theme"].nunique() + result.indicators["focus_area"].nunique()
    (chart,) = main.charts
    assert chart.kind == "bar" and len(chart.series) == 1


def test_trend_sheet_says_missing_for_a_passed_month_and_greys_the_months_ahead(edge_cases):
    """Entries up to 5/2026, M02 in months 1-5, M05 only in May: its months 1-4 are missing, 6-12 ahead."""
    _, result, specs = edge_cases
    grid = sheet(specs, TREND_SHEET).values_grid()
    header = next(r for (r, c), v in grid.items() if c == 1 and v == "Tunnus")
    rows = {v: r for (r, c), v in grid.items() if c == 1 and r > header}
    assert result.as_of == 5
    assert [grid[(rows["M05"], 4 + m)] for m in range(1, 13)] == [MISSING] * 4 + [150] + [NOT_YET] * 7
    assert [grid[(rows["M06"], 4 + m)] for m in (4, 5, 6)] == [MISSING, MISSING, NOT_YET]  # a partial sum is missing


def test_trend_sheet_has_twelve_months_and_a_line_chart(demo):
    _, result, specs = demo
    trend = sheet(specs, TREND_SHEET)
    grid = trend.values_grid()
    header = next(r for (r, c), v in grid.items() if c == 1 and v == "Tunnus")
    assert [grid[(header, 5 + i)] for i in range(12)] == [f"{m}/2026" for m in range(1, 13)]
    ids = [v for (r, c), v in grid.items() if c == 1 and r > header]
    assert ids == list(result.indicators["id"])
    assert result.as_of == 10
    rows = {v: r for (r, c), v in grid.items() if c == 1 and r > header}
    m06 = result.trend.set_index("id").loc["M06"]  # entered for every month so far: figures, then "–" ahead
    assert [grid[(rows["M06"], 5 + i)] for i in range(12)] == [*(pytest.approx(m06[m]) for m in range(1, 11)), NOT_YET, NOT_YET]
    (ahead,) = [rule for rule in trend.conditional_formats if rule.values == [NOT_YET]]
    assert ahead.range == f"E{header + 1}:P{max(rows.values())}" and ahead.fill == NOT_YET_FILL
    (chart,) = trend.charts
    assert chart.kind == "line" and len(chart.series) == 2


def test_municipal_sheet_lists_every_municipality_for_each_per_municipality_indicator(demo):
    _, result, specs = demo
    grid = sheet(specs, MUNICIPAL_SHEET).values_grid()
    header = next(r for (r, c), v in grid.items() if c == 1 and v == "Tunnus")
    rows = [r for (r, c), v in grid.items() if c == 1 and r > header]
    per_municipality = int(result.indicators["per_municipality"].sum())
    assert len(rows) == per_municipality * 8


def test_an_empty_workbook_gives_sheets_that_say_there_is_no_data(empty):
    _, result, specs = empty
    main = sheet(specs, MAIN_SHEET)
    grid, rows = main.values_grid(), indicator_rows(main)
    assert len(rows) == 37
    assert {grid[(r, COLUMN["Tila"])] for r in rows.values()} == {status_label(EI_TIETOA)}
    assert "Toteumia ei ole vielä kirjattu." in str(grid[(3, 1)])
    assert sheet(specs, TREND_SHEET).charts == []


# --- LibreOffice Calc recalculates the formulas -----------------------------------------------------------


def _close(got, expected) -> bool:
    if isinstance(expected, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12)
    return got == expected or (expected == "" and got is None)


def other_sheets(empty, edge_cases):
    """Main sheets of other results under names of their own (their formulas name no sheet, so this is safe)."""
    return [dataclasses.replace(sheet(empty[2], MAIN_SHEET), name=EMPTY_SHEET),
            dataclasses.replace(sheet(edge_cases[2], MAIN_SHEET), name=EDGE_SHEET)]


def test_the_edge_cases_are_there(edge_cases):
    statuses = edge_cases[1].indicators.set_index("id")["status"]
    assert statuses["M06"] == EI_TIETOA and statuses["M07"] == EI_TIETOA  # partial sum, unsupported kind
    assert statuses["M09"] == "Riskissä" and statuses["M12"] == "Riskissä" and statuses["M21"] == "Ei toteudu"
    assert edge_cases[1].specs["M02"].profile is not None


@pytest.fixture(scope="module")
def recalculated(demo, empty, edge_cases, tmp_path_factory):
    """The demo's sheets, the empty master's and the edge cases' main sheets, and a main sheet whose
    thresholds a user edited, rendered by the real report writer and recalculated by Calc in one run."""
    tables, result, specs = demo
    main = sheet(specs, MAIN_SHEET)
    rows = parameter_rows(main)
    edits = [Block(rows[label], 5, [[value]]) for (label, _), (_, value) in zip(THRESHOLDS.labelled(), EDITED_THRESHOLDS.labelled())]
    extra = [*other_sheets(empty, edge_cases), dataclasses.replace(main, name=EDITED_SHEET, blocks=[*main.blocks, *edits])]
    folder = tmp_path_factory.mktemp("calc")
    write_xlsx(folder / "toteutuminen.xlsx", [*specs, *extra], set())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl notes the conditional-format extensions Calc writes
        return load_workbook(recalculated_copy(folder / "toteutuminen.xlsx", folder), data_only=True)


@pytest.mark.libreoffice
@needs_soffice
def test_calc_recalculates_every_formula_to_pythons_value(demo, empty, edge_cases, recalculated):
    sheets = [*demo[2], *other_sheets(empty, edge_cases)]
    checked, differences = 0, []
    for spec in sheets:
        ws = recalculated[spec.name]
        for (r, c), value in spec.values_grid().items():
            if isinstance(value, Formula):
                checked += 1
                got = ws.cell(r, c).value
                if not _close(got, value.cached):
                    differences.append((spec.name, ws.cell(r, c).coordinate, value.text, value.cached, got))
    assert checked > 600
    assert differences == []


@pytest.mark.libreoffice
@needs_soffice
def test_edited_thresholds_on_the_sheet_give_the_statuses_python_gives_with_them(demo, recalculated):
    tables, result, specs = demo
    edited = compute_attainment(tables, thresholds=EDITED_THRESHOLDS).indicators.set_index("id")["status"]
    default = result.indicators.set_index("id")["status"]
    assert (edited != default).sum() >= 3  # the edit matters
    ws = recalculated[EDITED_SHEET]
    calc = {i: ws.cell(r, COLUMN["Tila"]).value for i, r in indicator_rows(sheet(specs, MAIN_SHEET)).items()}
    assert calc == edited.map(status_label).to_dict()
