"""The print contract of every generated sheet (docs/report.md), checked on the specs of a demo run: A4, the
smallest text at 8 pt or more once the page is fitted, header rows on every page, the footer with the sheet,
month and page, headers that never break mid-word, and the banners of the data in row 1.

tests/test_print_pdf.py checks the same on paper, through LibreOffice; this one needs no spreadsheet program.
"""

from __future__ import annotations

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tyollisyys_xl.core.cells import range_bounds
from tyollisyys_xl.core.reports.board import COMMITTEE_SHEET, COUNCIL_SHEET
from tyollisyys_xl.core.reports.layout import BANNER_ROW, DEMO_BANNER, error_banner, page_footer
from tyollisyys_xl.core.reports.printing import (
    LINE_POINTS,
    MIN_PRINTED_POINTS,
    columns_width,
    fit_scale,
    longest_word_fits,
    smallest_printed_size,
    wrapped_lines,
)
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.jobs import run_job
from tyollisyys_xl.programme import programme

GENERATED = {"Tarkistus", "Kirjaustilanne", "Toteutuminen", COUNCIL_SHEET, COMMITTEE_SHEET, "Toteutuminen kunnittain",
             "Toteutuminen kuukausittain", "Tilahistoria", "Budjettiseuranta", "Budjetti kuukausittain",
             "Budjettihälytykset"}


def _run(path):
    source = CalamineSource(path)
    sheets, facts = source.read_all(skip=source.generated_sheets())
    return run_job(sheets, "all", facts=facts, demo=source.is_demo())


@pytest.fixture(scope="module")
def demo(demo_path):
    return _run(demo_path)


@pytest.fixture(scope="module")
def printed(demo):
    return [spec for spec in demo.specs if spec.print_setup is not None and not spec.hidden]


def _cards(specs):
    return [spec for spec in specs if spec.template is not None]


def _style_at(spec, row: int, col: int) -> dict:
    """The format properties that apply to a cell, later styles winning, as the renderers resolve them."""
    props: dict = {}
    for style in spec.styles:
        top, left, bottom, right = range_bounds(style.range)
        if top <= row <= bottom and left <= col <= right:
            props |= {k: v for k, v in vars(style).items() if v not in (None, False) and k != "range"}
    return props


def _width_at(spec, row: int, col: int) -> float:
    """The width a cell's text has: its column's, or its merged range's."""
    for merged in spec.merged_ranges:
        top, left, bottom, right = range_bounds(merged)
        if top <= row <= bottom and left == col:
            return columns_width(spec, left, right)
    return columns_width(spec, col, col)


def test_every_generated_sheet_prints_on_a4_with_its_smallest_text_at_8_pt_or_more(printed):
    assert {spec.name for spec in printed} >= GENERATED and len(_cards(printed)) == 8
    for spec in printed:
        assert spec.print_setup.paper == "A4" and spec.print_setup.print_area, spec.name
        assert smallest_printed_size(spec) >= MIN_PRINTED_POINTS, (spec.name, fit_scale(spec))


def test_headers_repeat_on_every_page_and_every_footer_names_the_sheet_month_and_page(demo, printed):
    footer = page_footer(10)  # the demo's figures run to October
    assert footer == "&L&A · Tilanne lokakuu 2026&CSivu &P / &N&RTulostettu &D"
    for spec in printed:
        setup = spec.print_setup
        assert setup.footer == footer, spec.name
        if spec.template is None:  # a sheet that may run to more pages than one: the table's header on each
            assert setup.fit_height == 0 and setup.repeat_rows, spec.name
            header = [v for (r, _), v in spec.values_grid().items() if r == setup.repeat_rows[0] and v]
            assert len(header) >= 3, spec.name
        else:  # a card: one portrait page
            assert (setup.landscape, setup.fit_width, setup.fit_height) == (False, 1, 1)


def test_the_council_page_fits_one_page_wide_and_the_committee_pages_go_by_theme(printed):
    council, committee = (next(s for s in printed if s.name == name) for name in (COUNCIL_SHEET, COMMITTEE_SHEET))
    assert council.print_setup.landscape and council.print_setup.fit_width == 1
    level = {i["id"]: i["level"] for i in programme().indicators}
    ids = [v for (r, c), v in council.values_grid().items() if c == 1 and v in level]
    assert len(ids) == 14 and {level[i] for i in ids} == {"KV"}
    listed = [v for (r, c), v in committee.values_grid().items() if c == 1 and v in level]
    assert sorted(listed) == sorted(level)  # all 37, for the lautakunta
    themes = [v for (r, c), v in committee.values_grid().items() if c == 1 and v in {t["name"] for t in programme().themes}]
    assert len(themes) == 3  # a section per theme: its heading row, then its indicators


def test_no_header_breaks_mid_word_and_no_set_row_height_cuts_its_text(printed):
    for spec in printed:
        grid = spec.values_grid()
        for (row, col), value in grid.items():
            if not isinstance(value, str) or not value or row == BANNER_ROW:
                continue
            props = _style_at(spec, row, col)
            font, bold = props.get("font_size", 11.0), props.get("bold", False)
            width = _width_at(spec, row, col)
            if spec.print_setup.repeat_rows and row == spec.print_setup.repeat_rows[0]:
                assert longest_word_fits(value, width, font, bold), (spec.name, value, width)
            if props.get("wrap") and row in spec.row_heights:
                lines = wrapped_lines(value, width, font, bold)
                assert lines * LINE_POINTS * max(font, 11.0) / 11.0 <= spec.row_heights[row] + 0.1, (spec.name, row, value)


def test_every_printed_page_of_a_demo_carries_the_demo_banner(printed):
    for spec in printed:
        assert spec.values_grid()[(BANNER_ROW, 1)] == DEMO_BANNER, spec.name
        if spec.template is None:  # more pages than one: the page header carries it onto each
            assert DEMO_BANNER in spec.print_setup.header, spec.name


def test_the_error_banner_counts_the_errors_and_goes_on_every_sheet(faulty_workbook):
    result = _run(faulty_workbook[0])
    banner = error_banner(result.errors)
    assert result.errors > 1 and banner == (f"Tiedoissa on {result.errors} virhettä – luvut ovat alustavia. "
                                            "Katso Tarkistus.")
    for spec in (s for s in result.specs if s.print_setup is not None and not s.hidden):
        assert spec.values_grid()[(BANNER_ROW, 1)] == f"{DEMO_BANNER} · {banner}", spec.name


def test_one_error_is_one_virhe_and_none_is_no_banner():
    assert error_banner(1) == "Tiedoissa on 1 virhe – luvut ovat alustavia. Katso Tarkistus."
    assert error_banner(0) is None


def test_a_workbook_without_marks_has_an_empty_banner_row(master_path):
    for spec in (s for s in _run(master_path).specs if s.print_setup is not None and not s.hidden):
        assert spec.values_grid().get((BANNER_ROW, 1)) is None and not spec.print_setup.header, spec.name


@given(st.text(alphabet="abcdeäö -", max_size=200), st.floats(min_value=2, max_value=120))
def test_wrapping_takes_at_least_one_line_and_fewer_as_the_cell_widens(text, width):
    lines = wrapped_lines(text, width)
    assert 1 <= lines <= wrapped_lines(text, width / 2)


def test_input_sheets_and_ohjaus_print_on_a4_with_the_header_row_on_every_page(master_path):
    book = openpyxl.load_workbook(master_path)
    for name in ("Toteumat", "Mittarit", "Sidonnat", "Kunnat"):
        ws = book[name]
        assert ws.page_setup.paperSize == 9 and ws.sheet_properties.pageSetUpPr.fitToPage, name
        assert ws.print_title_rows == "$1:$1" and "Sivu &P / &N" in ws.oddFooter.center.text, name
    assert book["Mittarit"].page_setup.fitToWidth > 1 and book["Mittarit"].print_title_cols == "$A:$A"  # 24 columns
    ohjaus = book["Ohjaus"]
    assert ohjaus.print_area and "$D$" in ohjaus.print_area  # the status text cannot widen the page
    status = book.defined_names["Tila_Tulos"].attr_text.split("!")[1].replace("$", "")
    assert any(status in merged and merged.startswith(status) for merged in map(str, ohjaus.merged_cells.ranges))
    assert ohjaus[status].alignment.wrap_text
