"""io/generated.py on its own: the pure pieces both renderers share, by known answers and properties.

The renderers' tests (test_render_xlsx.py, test_xlwings_book.py) show that these pieces work in files;
these show each piece's own rule, so that a change to it fails here whatever a renderer happens to use.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import replace
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tyollisyys_xl.core.cells import cell, column_letter
from tyollisyys_xl.core.findings import ERROR, WARNING, Finding
from tyollisyys_xl.core.sheetspec import Block, Formula, Hyperlink, SheetSpec, Style
from tyollisyys_xl.io.generated import (
    ERROR_FILL,
    HIGHLIGHT_GONE,
    HIGHLIGHT_HEADERS,
    HIGHLIGHT_SHEET,
    WARNING_FILL,
    GeneratedSheetConflict,
    cf_operand,
    clean_value,
    coalesce_styles,
    column_index,
    dense_block,
    equal_runs,
    expand_cells,
    fill_bands,
    frozen_range,
    header_sections,
    highlight_fills,
    highlight_state_spec,
    highlight_styles,
    hyperlink_formula,
    link_sheet,
    parse_cell,
    plan_replacement,
    quote_sheet,
    read_highlight_state,
    sheet_cells,
)

# --- one value as both renderers write it ------------------------------------------------------------


@pytest.mark.parametrize("value, written", [
    ("a\x01b\x1fc", "abc"),  # control characters XML cannot carry are left out
    ("rivi\tja\nrivi", "rivi\tja\nrivi"),  # tab and line feed are not printable, but XML carries them
    (np.str_("a\x01b"), "ab"),  # a str of another class takes the same way
    (pd.NA, None), (pd.NaT, None), (float("nan"), None), (np.float64("nan"), None),
    (Decimal("1.25"), 1.25), (True, True), (None, None), (3, 3), (1.5, 1.5),
    (dt.date(2026, 3, 1), dt.date(2026, 3, 1)), (dt.time(12, 30), dt.time(12, 30)),
])
def test_a_value_is_written_as_a_plain_python_scalar(value, written):
    assert clean_value(value) == written if written is not None else clean_value(value) is None


@pytest.mark.parametrize("value, written", [
    (np.int64(5), 5), (np.float64(1.5), 1.5), (np.bool_(True), True),
    (pd.Timestamp("2026-03-01 12:00", tz="Europe/Helsinki"), dt.datetime(2026, 3, 1, 12, 0)),
    (dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone.utc), dt.datetime(2026, 3, 1, 12, 0)),
])
def test_numpy_and_pandas_scalars_become_their_python_kind(value, written):
    cleaned = clean_value(value)
    assert cleaned == written and type(cleaned) is type(written)


def test_a_formula_is_kept_as_it_is():
    formula = Formula("=1+1", cached=2)
    assert clean_value(formula) is formula


@pytest.mark.parametrize("value, operand", [
    ("Riskissä", '"Riskissä"'), ('sanoi "ei"', '"sanoi ""ei"""'), (3, "3"), (2.5, "2.5"), (Decimal("1.50"), "1.5"),
])
def test_a_conditional_format_operand(value, operand):
    assert cf_operand(value) == operand


# --- addresses -----------------------------------------------------------------------------------


def test_cell_addresses_and_columns():
    assert [column_index(c) for c in ("A", "Z", "AA", "az", "XFD")] == [1, 26, 27, 52, 16384]
    assert parse_cell(" $D$17 ") == (17, 4)
    with pytest.raises(ValueError, match="not a cell address: 'D0x'"):
        parse_cell("D0x")
    assert expand_cells("D17") == [(17, 4)]
    assert expand_cells("E18:D17") == [(17, 4), (17, 5), (18, 4), (18, 5)]  # either corner first


def test_quoted_sheet_names_and_the_sheet_a_link_points_to():
    assert quote_sheet("Kim's") == "'Kim''s'"
    assert link_sheet("'Kim''s (2)'!B3") == "Kim's (2)"
    assert link_sheet("'a!b'!A1") == "a!b"  # the last "!" ends the sheet name
    assert link_sheet("Toteumat!D17") == "Toteumat"


@pytest.mark.parametrize("scroll, frozen", [("A1", None), ("B1", "A:A"), ("A2", "1:1"), ("B2", "A1"), ("C3", "B2"), ("A3", "1:2")])
def test_the_frozen_part_left_of_and_above_the_first_scrolling_cell(scroll, frozen):
    assert frozen_range(scroll) == frozen


@pytest.mark.parametrize("header, sections", [
    ("Otsikko", {"left": "", "center": "Otsikko", "right": ""}),
    ("Otsikko&RSivu &P", {"left": "", "center": "Otsikko", "right": "Sivu &P"}),
    ("&Lvasen&Ckeski&Roikea", {"left": "vasen", "center": "keski", "right": "oikea"}),
    ("&Ca&Cb", {"left": "", "center": "ab", "right": ""}),
    ("T&&K&RSivu &P", {"left": "", "center": "T&&K", "right": "Sivu &P"}),  # && is a literal "&", not a code
    ("&LA&&Lb&&&Cc", {"left": "A&&Lb&&", "center": "c", "right": ""}),
])
def test_header_code_text_in_its_sections(header, sections):
    assert header_sections(header) == sections


def test_runs_of_equal_sizes():
    sizes = {1: 10, 2: 10, 3: 12, 4: 12, 6: 12, 7: 10, 8: 10, 9: 14}
    assert equal_runs(sizes) == [(1, 2, 10), (3, 4, 12), (6, 6, 12), (7, 8, 10), (9, 9, 14)]
    assert equal_runs({}) == []


# --- cells, links and blocks ---------------------------------------------------------------------


def test_a_link_is_a_hyperlink_formula_with_its_quotes_doubled():
    formula = hyperlink_formula(Hyperlink("A1", "'Omat \"x\"'!B2", 'Sano "hei"'))
    assert formula == Formula('=HYPERLINK("#\'Omat ""x""\'!B2","Sano ""hei""")', cached='Sano "hei"')


def test_without_a_list_of_sheets_every_link_is_live():
    spec = SheetSpec("S", blocks=[Block(1, 1, [["a"]])], hyperlinks=[Hyperlink("B1", "Toteumat!A1", "Toteumat")])
    assert sheet_cells(spec) == {(1, 1): "a", (1, 2): hyperlink_formula(spec.hyperlinks[0])}
    assert sheet_cells(spec, ["toteumat"])[(1, 2)] == hyperlink_formula(spec.hyperlinks[0])  # any case
    assert sheet_cells(spec, ["Muu"])[(1, 2)] == "Toteumat"


def test_a_dense_block_spans_the_cells_with_gaps_left_empty():
    assert dense_block({(2, 3): 1, (4, 2): "x"}) == Block(row=2, col=2, values=[[None, 1], [None, None], ["x", None]])
    assert dense_block({}) is None


# --- the replacement plan ------------------------------------------------------------------------


def test_the_plan_refuses_names_that_repeat_in_any_case_and_names_a_users_sheet():
    with pytest.raises(ValueError, match=r"sheet names repeat \(ignoring case\)"):
        plan_replacement(["Tarkistus", "TARKISTUS"], [], [])
    with pytest.raises(GeneratedSheetConflict) as conflict:
        plan_replacement(["Tarkistus"], ["Ohjaus", "tarkistus"], [])
    assert conflict.value.sheet == "Tarkistus"


# --- highlights ----------------------------------------------------------------------------------


def finding(severity, sheet, address):
    return Finding(severity, sheet, address, None, "TYYPPI" if severity == ERROR else "TYHJAT_RIVIT", "viesti")


def test_highlight_fills_an_error_wins_and_ranges_expand():
    findings = [
        finding(ERROR, "tarkistus", "A1"),  # a sheet to skip, in any case
        finding(ERROR, "Toteumat", "D2"), finding(WARNING, "Toteumat", "D2"),  # the error wins, whichever comes first
        finding(ERROR, "Sidonnat", None),  # a whole sheet: no cell to colour
        finding(WARNING, "Toteumat", "E3"), finding(ERROR, "Toteumat", "E3"),
        finding(ERROR, "Sidonnat", "ei solu"),  # not an address: skipped, not raised
        finding(WARNING, "Sidonnat", "B2:C2"),
    ]
    assert highlight_fills(findings, skip_sheets=["Tarkistus"]) == {
        "Toteumat": {"D2": ERROR_FILL, "E3": ERROR_FILL},
        "Sidonnat": {"B2": WARNING_FILL, "C2": WARNING_FILL},
    }


def test_highlight_styles_of_one_sheet_merge_alike_neighbours():
    styles = highlight_styles({"B3": ERROR_FILL, "B2": ERROR_FILL, "C2": WARNING_FILL, "C3": WARNING_FILL, "E9": ERROR_FILL})
    assert styles == [Style("B2:B3", fill=ERROR_FILL), Style("C2:C3", fill=WARNING_FILL), Style("E9", fill=ERROR_FILL)]
    # by column, then by row as numbers: a column of findings is one range, however the cells came
    column = highlight_styles({f"B{row}": ERROR_FILL for row in (4, 2, 11, 1, 3, 10, 5, 6, 7, 8, 9)})
    assert column == [Style("B1:B11", fill=ERROR_FILL)]
    ragged = highlight_styles({"B2": ERROR_FILL, "B4": ERROR_FILL, "C3": ERROR_FILL, "B3": ERROR_FILL, "C2": ERROR_FILL})
    assert ragged == [Style("B2:B4", fill=ERROR_FILL), Style("C2:C3", fill=ERROR_FILL)]


def test_the_highlight_memory_sheet():
    spec = highlight_state_spec({"Kim's": {"A10": ERROR_FILL, "A9": WARNING_FILL}, "B": {"C1": ERROR_FILL}})

    def tracking(reference, address):
        return Formula(f'=IFERROR(ADDRESS(ROW({reference}),COLUMN({reference}),4),"{HIGHLIGHT_GONE}")', cached=address)

    assert spec == SheetSpec(
        name=HIGHLIGHT_SHEET,
        blocks=[Block(1, 1, [HIGHLIGHT_HEADERS,
                             ["B", "C1", tracking("'B'!C1", "C1")],
                             ["Kim's", "A9", tracking("'Kim''s'!A9", "A9")],  # A9 before A10: by row, not as text
                             ["Kim's", "A10", tracking("'Kim''s'!A10", "A10")]])],
        styles=[Style("A1:C1", bold=True)],
        hidden=True,
    )


def test_the_memory_skips_rows_it_cannot_read():
    values = [HIGHLIGHT_HEADERS, ["Omat", "B2", "B2"], [None, "A1", "A1"], [5, "A1", "A1"], ["vain nimi"], ["Omat", "C3", HIGHLIGHT_GONE]]
    assert read_highlight_state(values) == {"Omat": {"B2"}}


def test_fill_bands_split_by_the_cell_limit():
    tall = {(r, 1): ERROR_FILL for r in range(1, 10_002)}
    assert [(top, len(matrix)) for top, _, matrix in fill_bands(tall)] == [(1, 10_000), (10_001, 1)]  # 10 000 cells a call
    wide = {(1, 1): ERROR_FILL, (2, 10_001): ERROR_FILL}  # a row wider than the limit: one row a band
    assert [top for top, _, _ in fill_bands(wide)] == [1, 2]
    three = {(r, c): ERROR_FILL for r in range(1, 5) for c in range(1, 4)}  # 10 cells: 3 rows of 3 a band
    assert [(top, len(matrix)) for top, _, matrix in fill_bands(three, max_cells=10)] == [(1, 3), (4, 1)]


# --- styles merged into few ranges ---------------------------------------------------------------


@pytest.mark.parametrize("styles, merged", [
    ([Style("A1", bold=True), Style("B1", bold=True)], [Style("A1:B1", bold=True)]),  # side by side
    ([Style("B1", bold=True), Style("A1", bold=True)], [Style("A1:B1", bold=True)]),  # the other way
    ([Style("A1:B1", bold=True), Style("A2:B2", bold=True)], [Style("A1:B2", bold=True)]),  # stacked
    ([Style("A2", bold=True), Style("A1", bold=True)], [Style("A1:A2", bold=True)]),
    ([Style("B1:A1", bold=True), Style("C1", bold=True)], [Style("A1:C1", bold=True)]),  # a range written backwards
    ([Style("A1", bold=True), Style("C1", bold=True)], [Style("A1", bold=True), Style("C1", bold=True)]),  # a gap
    ([Style("A1:A2", bold=True), Style("B1", bold=True)], [Style("A1:A2", bold=True), Style("B1", bold=True)]),  # not a rectangle
    ([Style("A1:B1", bold=True), Style("B2", bold=True)], [Style("A1:B1", bold=True), Style("B2", bold=True)]),
    ([Style("A1", bold=True), Style("B1", italic=True)], [Style("A1", bold=True), Style("B1", italic=True)]),  # unlike
    ([Style("A1", fill="X"), Style("B1", fill="Y"), Style("B1", fill="X")],  # B1 must end X: no merge past Y
     [Style("A1", fill="X"), Style("B1", fill="Y"), Style("B1", fill="X")]),
    ([Style("A1", fill="X"), Style("C1:D1", fill="Y"), Style("B1", fill="X")],  # Y is apart: the merge goes past it
     [Style("A1:B1", fill="X"), Style("C1:D1", fill="Y")]),
    ([Style("A:A", bold=True), Style("B:B", bold=True)], [Style("A:A", bold=True), Style("B:B", bold=True)]),  # whole columns
    ([Style("A1", fill="X"), Style("A:A", fill="Y"), Style("B1", fill="X")],  # a whole column is taken to touch anything
     [Style("A1", fill="X"), Style("A:A", fill="Y"), Style("B1", fill="X")]),
])
def test_coalesced_styles_known_answers(styles, merged):
    assert coalesce_styles(styles) == merged


def painted(styles):
    """Each cell's format after applying the styles one by one, the last one winning."""
    grid = {}
    for style in styles:
        for key in expand_cells(style.range):
            grid[key] = replace(style, range="")
    return grid


ranges = st.builds(lambda r1, c1, r2, c2: f"{chr(64 + c1)}{r1}:{chr(64 + c2)}{r2}",
                   st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(1, 4))


@given(st.lists(st.builds(lambda where, fill: Style(where, fill=fill), ranges, st.sampled_from(["X", "Y"])), max_size=10))
def test_coalescing_styles_formats_every_cell_as_applying_them_one_by_one(styles):
    merged = coalesce_styles(styles)
    assert painted(merged) == painted(styles)
    assert len(merged) <= len(styles)


# --- properties, and what a user may type or a reader may hand back -----------------------------------


_sheet_names = st.text(st.characters(blacklist_characters="[]:*?/\\", blacklist_categories=("Cs",)), min_size=1, max_size=31)
_section_text = st.text(st.characters(blacklist_characters="&", blacklist_categories=("Cs",)), max_size=12)
_cells = st.builds(cell, st.integers(1, 60), st.integers(1, 30))


@given(st.integers(1, 16_384), st.integers(1, 1_048_576))
def test_a_written_address_parses_back(col, row):
    assert column_index(column_letter(col)) == col
    assert parse_cell(cell(row, col)) == (row, col)
    assert parse_cell(f"${column_letter(col)}${row}") == (row, col)


@pytest.mark.parametrize("address", ["D", "17", "", "D17:E18", "ABCD1", "Toteumat!D17", "D-1"])
def test_what_is_not_one_cell_is_refused_by_name(address):
    with pytest.raises(ValueError, match=f"not a cell address: {address!r}"):
        parse_cell(address)


@given(_sheet_names, st.integers(1, 500), st.integers(1, 500))
def test_any_sheet_name_quoted_into_a_reference_is_found_again(name, row, col):
    assert link_sheet(f"{quote_sheet(name)}!{cell(row, col)}") == name


def test_clean_value_leaves_plain_values_alone():
    for value in (None, True, False, 0, -3, 2**70, 1.5, -0.0, math.inf, "", "teksti", "a\tb\nc\rd", "–€ä”",
                  dt.date(2026, 3, 31), dt.datetime(2026, 3, 31, 12, 30), dt.time(8, 15), dt.timedelta(hours=30),
                  Formula("=A1", cached=1)):  # times and durations come as read from an input sheet
        cleaned = clean_value(value)
        assert cleaned == value and type(cleaned) is type(value), value


def test_clean_value_drops_what_xml_cannot_carry():
    assert clean_value("a\x00b\x1fc\x0b") == "abc"
    assert clean_value("\ufffeok\uffff") == "ok"
    assert clean_value("a\ud800b") == "ab"
    text = clean_value(np.str_("x\x07y"))  # a str subclass, as numpy hands text on
    assert text == "xy"


@given(st.text())
def test_clean_text_is_the_text_without_its_xml_illegal_characters(text):
    cleaned = clean_value(text)
    legal = "".join(ch for ch in text if ch in "\t\n\r" or not (ch < " " or "\ud800" <= ch <= "\udfff" or ch in "\ufffe\uffff"))
    assert cleaned == legal


def test_sheet_cells_are_the_clean_values_and_the_links():
    spec = SheetSpec("Kortti", blocks=[Block(2, 2, [["a\x00", float("nan")], [Decimal("1.5"), None]])],
                     hyperlinks=[Hyperlink("B3", "Toteumat!D2", "Toteumat"), Hyperlink("D5", "'Oma lehti'!A1", "Oma\x01")])
    every_link = {(2, 2): "a", (2, 3): None, (3, 2): hyperlink_formula(spec.hyperlinks[0]), (3, 3): None,
                  (5, 4): hyperlink_formula(spec.hyperlinks[1])}
    assert sheet_cells(spec) == every_link
    assert sheet_cells(spec, ["TOTEUMAT", "oma LEHTI"]) == every_link  # Excel's sheet names ignore case
    assert sheet_cells(spec, ["Toteumat"]) == every_link | {(5, 4): "Oma"}  # no such sheet: the text, cleaned
    assert sheet_cells(spec, []) == every_link | {(3, 2): "Toteumat", (5, 4): "Oma"}


@given(st.dictionaries(st.tuples(st.integers(1, 30), st.integers(1, 30)), st.integers(), min_size=1, max_size=20))
def test_dense_block_writes_every_cell_where_it_stands(cells):
    block = dense_block(cells)
    written = {(block.row + r, block.col + c): v for r, row in enumerate(block.values) for c, v in enumerate(row)}
    assert {key: v for key, v in written.items() if key in cells} == cells
    assert all(v is None for key, v in written.items() if key not in cells)
    assert (block.row, block.col) == (min(r for r, _ in cells), min(c for _, c in cells))


@given(st.dictionaries(st.integers(1, 40), st.sampled_from([8.0, 9.5, 12.0]), max_size=30))
def test_equal_runs_size_every_position_once_as_given(sizes):
    runs = equal_runs(sizes)
    assert {p: size for first, last, size in runs for p in range(first, last + 1)} == sizes
    assert sum(last - first + 1 for first, last, _ in runs) == len(sizes)
    assert all(not (a[1] + 1 == b[0] and a[2] == b[2]) for a, b in zip(runs, runs[1:]))  # no two runs could be one


_section_with_ampersands = st.lists(st.one_of(_section_text, st.just("&&")), max_size=4).map("".join)


@given(_section_with_ampersands, _section_with_ampersands, _section_with_ampersands)
def test_header_sections_take_back_what_the_codes_put_in(left, center, right):
    """Any section text, literal ampersands ("&&") included, comes back from the codes it was put in with."""
    assert header_sections(f"&L{left}&C{center}&R{right}") == {"left": left, "center": center, "right": right}
    assert header_sections(f"{center}&R{right}&L{left}") == {"left": left, "center": center, "right": right}


@given(st.dictionaries(_sheet_names, st.dictionaries(_cells, st.just(ERROR_FILL), max_size=4),
                       max_size=3))
def test_the_highlight_memory_read_without_recalculation_gives_back_the_cells(fills):
    """A reader that does not calculate sees each formula's cached value: the address it was written for."""
    values = [[v.cached if isinstance(v, Formula) else v for v in row] for row in highlight_state_spec(fills).blocks[0].values]
    assert read_highlight_state(values) == {sheet: set(cells) for sheet, cells in fills.items() if cells}


def test_the_highlight_memory_ignores_what_it_cannot_read():
    values = [HIGHLIGHT_HEADERS, ["Toteumat"], [None, "B3", "B3"], [7, "B4"], ["Toteumat", 5, None], ["Toteumat", "ei solu"],
              ["Toteumat", " c5 ", None], ["Sidonnat", "A1", "A1", "lisää"]]
    assert read_highlight_state(values) == {"Toteumat": {"C5"}, "Sidonnat": {"A1"}}
    assert read_highlight_state(None) == {} and read_highlight_state([]) == {}
    assert read_highlight_state([["Toteumat", "A1", "A1"]]) == {}  # the first row is the header


def test_a_users_sheet_in_the_way_is_named_in_finnish():
    with pytest.raises(GeneratedSheetConflict) as raised:
        plan_replacement(["Tarkistus"], ["tarkistus"], [])
    assert raised.value.sheet == "Tarkistus"
    assert str(raised.value) == ("Välilehti 'Tarkistus' on jo työkirjassa, mutta sitä ei ole tehnyt tämä työkalu. "
                                 "Nimeä se uudelleen, niin työkalu voi luoda oman 'Tarkistus'-välilehtensä.")
