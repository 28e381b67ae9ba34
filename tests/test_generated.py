"""io/generated.py without a workbook: what both renderers of generated sheets share, as known answers and properties.

The renderers' own tests (test_render_xlsx.py, test_xlwings_book.py) show these pieces working in a file and in
Excel; here each piece is held on its own, fast enough to run for every mutant (docs/mutation.md).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
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

# ------------------------------------------------------------------------------------------- cell addresses


@pytest.mark.parametrize(("letters", "index"), [("A", 1), ("Z", 26), ("AA", 27), ("AZ", 52), ("BA", 53), ("ZZ", 702),
                                                ("AAA", 703), ("XFD", 16_384), ("xfd", 16_384)])
def test_column_letters_known_answers(letters, index):
    assert column_index(letters) == index


@given(st.integers(1, 16_384), st.integers(1, 1_048_576))
def test_a_written_address_parses_back(col, row):
    assert column_index(column_letter(col)) == col
    assert parse_cell(cell(row, col)) == (row, col)
    assert parse_cell(f"${column_letter(col)}${row}") == (row, col)


@pytest.mark.parametrize(("address", "expected"), [("D17", (17, 4)), ("$D$17", (17, 4)), ("d17", (17, 4)),
                                                   (" D17 ", (17, 4)), ("AA1", (1, 27))])
def test_parse_cell_known_answers(address, expected):
    assert parse_cell(address) == expected


@pytest.mark.parametrize("address", ["D", "17", "", "D17:E18", "ABCD1", "Toteumat!D17", "D-1"])
def test_what_is_not_one_cell_is_refused_by_name(address):
    with pytest.raises(ValueError, match=f"not a cell address: {address!r}"):
        parse_cell(address)


def test_expand_cells_lists_a_range_row_by_row_whichever_corner_comes_first():
    assert expand_cells("D17") == [(17, 4)]
    block = [(17, 4), (17, 5), (18, 4), (18, 5)]
    assert expand_cells("D17:E18") == block
    assert expand_cells("E18:D17") == block
    assert expand_cells("E17:D18") == block
    assert expand_cells("B2:B4") == [(2, 2), (3, 2), (4, 2)]
    with pytest.raises(ValueError):
        expand_cells("D:D")


@pytest.mark.parametrize(("scroll", "frozen"), [("A1", None), ("A2", "1:1"), ("A4", "1:3"), ("B1", "A:A"),
                                                ("D1", "A:C"), ("B2", "A1"), ("C4", "B3")])
def test_freeze_names_the_frozen_part_excel_wants(scroll, frozen):
    assert frozen_range(scroll) == frozen


def test_quote_sheet_always_quotes_and_doubles_an_apostrophe():
    assert quote_sheet("Toteumat") == "'Toteumat'"
    assert quote_sheet("Pekan 'omat' (2)") == "'Pekan ''omat'' (2)'"


@pytest.mark.parametrize(("target", "sheet"), [("Toteumat!D17", "Toteumat"), ("'Omat (2)'!B3", "Omat (2)"),
                                               ("'Pekan ''omat'''!B2", "Pekan 'omat'"), ("'Huom!'!A1", "Huom!"),
                                               ("D17", "")])
def test_link_sheet_known_answers(target, sheet):
    assert link_sheet(target) == sheet


_sheet_names = st.text(st.characters(blacklist_characters="[]:*?/\\", blacklist_categories=("Cs",)), min_size=1, max_size=31)


@given(_sheet_names, st.integers(1, 500), st.integers(1, 500))
def test_any_sheet_name_quoted_into_a_reference_is_found_again(name, row, col):
    assert link_sheet(f"{quote_sheet(name)}!{cell(row, col)}") == name


# ------------------------------------------------------------------------------------------- values


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


def test_clean_value_turns_missing_values_into_empty_cells():
    assert clean_value(float("nan")) is None
    assert clean_value(np.float64("nan")) is None
    assert clean_value(pd.NA) is None
    assert clean_value(pd.NaT) is None


def test_clean_value_gives_plain_python_scalars():
    for value, expected in ((Decimal("12.34"), 12.34), (np.int64(7), 7), (np.float64(2.5), 2.5), (np.bool_(True), True),
                            (np.float32(0.5), 0.5)):
        cleaned = clean_value(value)
        assert cleaned == expected and type(cleaned) is type(expected), value


def test_clean_value_gives_plain_naive_datetimes():
    helsinki = dt.timezone(dt.timedelta(hours=2))
    for value in (pd.Timestamp("2026-03-31 12:30"), pd.Timestamp("2026-03-31 12:30", tz="Europe/Helsinki"),
                  dt.datetime(2026, 3, 31, 12, 30, tzinfo=helsinki)):
        cleaned = clean_value(value)
        assert cleaned == dt.datetime(2026, 3, 31, 12, 30) and type(cleaned) is dt.datetime, value


@given(st.text())
def test_clean_text_is_the_text_without_its_xml_illegal_characters(text):
    cleaned = clean_value(text)
    legal = "".join(ch for ch in text if ch in "\t\n\r" or not (ch < " " or "\ud800" <= ch <= "\udfff" or ch in "\ufffe\uffff"))
    assert cleaned == legal


def test_cf_operand_writes_numbers_as_numbers_and_quotes_text():
    assert cf_operand(5) == "5"
    assert cf_operand(0.25) == "0.25"
    assert cf_operand(Decimal("0.25")) == "0.25"
    assert cf_operand("Ei toteudu") == '"Ei toteudu"'
    assert cf_operand('sanoi "ei"') == '"sanoi ""ei"""'
    assert cf_operand("") == '""'


# ------------------------------------------------------------------------------------------- links and cells


def test_a_link_is_a_hyperlink_formula_that_shows_its_text_without_recalculation():
    formula = hyperlink_formula(Hyperlink("A1", "'Omat \"x\"'!B3", 'Katso "Omat"'))
    assert formula == Formula('=HYPERLINK("#\'Omat ""x""\'!B3","Katso ""Omat""")', cached='Katso "Omat"')


def test_sheet_cells_are_the_clean_values_and_the_links():
    spec = SheetSpec("Kortti", blocks=[Block(2, 2, [["a\x00", float("nan")], [Decimal("1.5"), None]])],
                     hyperlinks=[Hyperlink("B3", "Toteumat!D2", "Toteumat"), Hyperlink("D5", "'Oma lehti'!A1", "Oma\x01")])
    every_link = {(2, 2): "a", (2, 3): None, (3, 2): hyperlink_formula(spec.hyperlinks[0]), (3, 3): None,
                  (5, 4): hyperlink_formula(spec.hyperlinks[1])}
    assert sheet_cells(spec) == every_link
    assert sheet_cells(spec, ["TOTEUMAT", "oma LEHTI"]) == every_link  # Excel's sheet names ignore case
    assert sheet_cells(spec, ["Toteumat"]) == every_link | {(5, 4): "Oma"}  # no such sheet: the text, cleaned
    assert sheet_cells(spec, []) == every_link | {(3, 2): "Toteumat", (5, 4): "Oma"}


def test_dense_block_is_the_bounding_rectangle_with_gaps_empty():
    assert dense_block({}) is None
    assert dense_block({(3, 4): "x"}) == Block(3, 4, [["x"]])
    block = dense_block({(2, 3): "a", (4, 2): "b", (3, 5): 1})
    assert block == Block(row=2, col=2, values=[[None, "a", None, None], [None, None, None, 1], ["b", None, None, None]])


@given(st.dictionaries(st.tuples(st.integers(1, 30), st.integers(1, 30)), st.integers(), min_size=1, max_size=20))
def test_dense_block_writes_every_cell_where_it_stands(cells):
    block = dense_block(cells)
    written = {(block.row + r, block.col + c): v for r, row in enumerate(block.values) for c, v in enumerate(row)}
    assert {key: v for key, v in written.items() if key in cells} == cells
    assert all(v is None for key, v in written.items() if key not in cells)
    assert (block.row, block.col) == (min(r for r, _ in cells), min(c for _, c in cells))


# ------------------------------------------------------------------------------------------- sizes, headers


def test_equal_runs_size_each_run_of_neighbours_in_one_go():
    assert equal_runs({}) == []
    assert equal_runs({4: 12.0}) == [(4, 4, 12.0)]
    assert equal_runs({6: 12, 1: 10, 3: 12, 2: 10, 5: 12}) == [(1, 2, 10), (3, 3, 12), (5, 6, 12)]
    assert equal_runs({1: 10, 3: 10}) == [(1, 1, 10), (3, 3, 10)]  # a gap ends a run
    assert equal_runs({1: 1, 2: 2, 3: 3}) == [(1, 1, 1), (2, 2, 2), (3, 3, 3)]
    assert equal_runs({1: 2, 2: 2, 3: 2, 4: 9, 5: 9}) == [(1, 3, 2), (4, 5, 9)]
    assert equal_runs({1: 8, 2: 9, 3: 8}) == [(1, 1, 8), (2, 2, 9), (3, 3, 8)]


@given(st.dictionaries(st.integers(1, 40), st.sampled_from([8.0, 9.5, 12.0]), max_size=30))
def test_equal_runs_size_every_position_once_as_given(sizes):
    runs = equal_runs(sizes)
    assert {p: size for first, last, size in runs for p in range(first, last + 1)} == sizes
    assert sum(last - first + 1 for first, last, _ in runs) == len(sizes)
    assert all(not (a[1] + 1 == b[0] and a[2] == b[2]) for a, b in zip(runs, runs[1:]))  # no two runs could be one


def test_header_sections_known_answers():
    empty = {"left": "", "center": "", "right": ""}
    assert header_sections("") == empty
    assert header_sections("Kuntakortti") == empty | {"center": "Kuntakortti"}  # no section code: centred, as Excel
    assert header_sections("&LVasen&CKeski&RSivu &P / &N") == {"left": "Vasen", "center": "Keski", "right": "Sivu &P / &N"}
    assert header_sections("Alku&Rloppu") == empty | {"center": "Alku", "right": "loppu"}
    assert header_sections("Alku&Cjatko") == empty | {"center": "Alkujatko"}
    assert header_sections("&Ca&Lb&Cc") == empty | {"left": "b", "center": "ac"}
    assert header_sections('&C&"-,Bold"Otsikko') == empty | {"center": '&"-,Bold"Otsikko'}


_section_text = st.text(st.characters(blacklist_characters="&", blacklist_categories=("Cs",)), max_size=12)


@given(_section_text, _section_text, _section_text)
def test_header_sections_take_back_what_the_codes_put_in(left, center, right):
    assert header_sections(f"&L{left}&C{center}&R{right}") == {"left": left, "center": center, "right": right}
    assert header_sections(f"{center}&R{right}&L{left}") == {"left": left, "center": center, "right": right}


# ------------------------------------------------------------------------------------------- style bands


def painted(styles) -> dict[tuple[int, int], dict]:
    """What applying the styles one by one leaves in each cell: a renderer sets the fields a style has."""
    cells: dict[tuple[int, int], dict] = {}
    for style in styles:
        looks = {f.name: getattr(style, f.name) for f in dataclasses.fields(style) if f.name != "range" and getattr(style, f.name)}
        for key in expand_cells(style.range):
            cells.setdefault(key, {}).update(looks)
    return cells


def test_a_loop_of_the_same_format_becomes_one_range():
    columns = [Style(f"{letter}2:{letter}9", number_format="0.0") for letter in "BCDE"]
    assert coalesce_styles(columns) == [Style("B2:E9", number_format="0.0")]
    rows = [Style(f"B{row}:D{row}", bold=True) for row in range(3, 8)]
    assert coalesce_styles(rows) == [Style("B3:D7", bold=True)]
    assert coalesce_styles([Style("C2"), Style("B2")]) == [Style("B2:C2")]  # right to left too
    assert coalesce_styles([Style("B3"), Style("B2")]) == [Style("B2:B3")]  # and upwards
    assert coalesce_styles([Style("C3:B2", fill=ERROR_FILL), Style("B4:C4", fill=ERROR_FILL)]) == [Style("B2:C4", fill=ERROR_FILL)]
    assert coalesce_styles([]) == []


def test_only_alike_formats_that_make_a_rectangle_merge():
    apart = [Style("A1", bold=True), Style("B2", bold=True)]  # corner to corner
    assert coalesce_styles(apart) == apart
    gap = [Style("A1", bold=True), Style("C1", bold=True), Style("A3", bold=True)]
    assert coalesce_styles(gap) == gap
    ragged = [Style("A1:A2", bold=True), Style("B1", bold=True), Style("B2:C2", bold=True), Style("A3:B3", bold=True)]
    assert coalesce_styles(ragged) == ragged
    unlike = [Style("A1", bold=True), Style("B1", italic=True), Style("A2", bold=True, fill=ERROR_FILL)]
    assert coalesce_styles(unlike) == unlike
    whole = [Style("A:A", bold=True), Style("B:B", bold=True), Style("1:1", bold=True), Style("2:2", bold=True)]
    assert coalesce_styles(whole) == whole
    assert coalesce_styles([Style("A1", bold=True), Style("A:A", bold=True)]) == [Style("A1", bold=True), Style("A:A", bold=True)]


def test_a_style_merges_past_others_only_where_they_do_not_touch_it():
    """Merging moves a style earlier: it may not jump a style that formats any of its cells."""
    red, green = ERROR_FILL, "C6EFCE"
    past_an_untouched = [Style("A1", fill=red), Style("C5", fill=green), Style("A2", fill=red)]
    assert coalesce_styles(past_an_untouched) == [Style("A1:A2", fill=red), Style("C5", fill=green)]
    past_two = [Style("A1", fill=red), Style("C5", fill=green), Style("D9", bold=True), Style("A2", fill=red)]
    assert coalesce_styles(past_two) == [Style("A1:A2", fill=red), Style("C5", fill=green), Style("D9", bold=True)]
    for between in ("A2", "A2:B3", "A1:A2", "1:3", "A:A"):
        styles = [Style("A1", fill=red), Style(between, fill=green), Style("A2", fill=red)]
        assert coalesce_styles(styles) == styles, between
    for corner in ("B3", "C1:C4", "A4:C9"):  # ranges that miss A2 by one row or column
        styles = [Style("A1", fill=red), Style(corner, fill=green), Style("A2", fill=red)]
        assert coalesce_styles(styles) == [Style("A1:A2", fill=red), Style(corner, fill=green)], corner
    joined = [Style("A1:B1", bold=True), Style("C1", bold=True), Style("A2:C2", bold=True)]
    assert coalesce_styles(joined) == [Style("A1:C2", bold=True)]


_ranges = st.builds(lambda t, l, h, w: f"{cell(t, l)}:{cell(t + h, l + w)}" if h or w else cell(t, l),
                    st.integers(1, 4), st.integers(1, 4), st.integers(0, 2), st.integers(0, 2))
_styles = st.builds(Style, _ranges, fill=st.sampled_from([None, ERROR_FILL, WARNING_FILL]), bold=st.booleans())


@given(st.lists(_styles, max_size=8))
def test_coalesced_styles_format_every_cell_as_the_styles_one_by_one(styles):
    merged = coalesce_styles(styles)
    assert painted(merged) == painted(styles)
    assert len(merged) <= len(styles)


def test_highlights_of_a_tall_block_take_one_range_per_column():
    fills = {cell(row, col): ERROR_FILL for row in (5, 3, 4, 2, *range(6, 60)) for col in (4, 2)}
    assert highlight_styles(fills) == [Style("B2:B59", fill=ERROR_FILL), Style("D2:D59", fill=ERROR_FILL)]
    mixed = {"C3": WARNING_FILL, "C2": ERROR_FILL, "B3": ERROR_FILL, "C4": ERROR_FILL}
    assert highlight_styles(mixed) == [Style("B3", fill=ERROR_FILL), Style("C2", fill=ERROR_FILL),
                                       Style("C3", fill=WARNING_FILL), Style("C4", fill=ERROR_FILL)]
    assert highlight_styles({}) == []


def test_fill_bands_stay_within_the_limit_of_cells():
    column = {(row, 1): ERROR_FILL for row in range(1, 10_002)}
    bands = fill_bands(column)
    assert [(top, left, len(matrix)) for top, left, matrix in bands] == [(1, 1, 10_000), (10_001, 1, 1)]
    assert fill_bands({}) == []
    seven = {(row, 2): WARNING_FILL for row in range(1, 8)}
    assert [(top, len(m)) for top, _, m in fill_bands(seven, max_cells=3)] == [(1, 3), (4, 3), (7, 1)]
    wide = {(1, 1): ERROR_FILL, (1, 3): None, (2, 3): ERROR_FILL, (4, 2): WARNING_FILL}
    assert fill_bands(wide, max_cells=7) == [(1, 1, [[ERROR_FILL, ..., None], [..., ..., ERROR_FILL]]),
                                             (4, 1, [[..., WARNING_FILL, ...]])]
    assert fill_bands(wide, max_cells=12) == [(1, 1, [[ERROR_FILL, ..., None], [..., ..., ERROR_FILL], [..., ..., ...],
                                                      [..., WARNING_FILL, ...]])]
    assert [top for top, _, _ in fill_bands(wide, max_cells=2)] == [1, 2, 4]  # wider than the limit: a row a band
    block = {(row, col): ERROR_FILL for row in range(1, 5) for col in (1, 3)}  # 7 cells hold two whole rows of 3
    assert [(top, len(m) * len(m[0])) for top, _, m in fill_bands(block, max_cells=7)] == [(1, 6), (3, 6)]


# ------------------------------------------------------------------------------------------- highlights


def finding(severity, sheet, address):
    return Finding(severity, sheet, address, None, "SARAKE_PUUTTUU", "viesti")


def test_highlight_fills_colour_located_findings_and_an_error_wins():
    findings = [finding(WARNING, "Toteumat", "D3"), finding(ERROR, "Toteumat", "D3:E4"), finding(WARNING, "Toteumat", "E4"),
                finding(WARNING, "Sidonnat", "b2"), finding(ERROR, "Sidonnat", None), finding(ERROR, "Sidonnat", "B"),
                finding(ERROR, "Tarkistus", "A1"), finding(ERROR, "tarkistus", "A2")]
    assert highlight_fills(findings, skip_sheets=["TARKISTUS"]) == {
        "Toteumat": {"D3": ERROR_FILL, "E3": ERROR_FILL, "D4": ERROR_FILL, "E4": ERROR_FILL},
        "Sidonnat": {"B2": WARNING_FILL},
    }
    assert highlight_fills(findings[:1]) == {"Toteumat": {"D3": WARNING_FILL}}
    assert highlight_fills(findings)["Tarkistus"] == {"A1": ERROR_FILL}


def tracking(reference: str) -> str:
    return f'=IFERROR(ADDRESS(ROW({reference}),COLUMN({reference}),4),"{HIGHLIGHT_GONE}")'


def test_the_highlight_memory_is_a_hidden_sheet_of_addresses_in_reading_order():
    spec = highlight_state_spec({"Toteumat": {"B10": ERROR_FILL, "B9": ERROR_FILL, "AA1": WARNING_FILL},
                                 "Pekan 'omat'": {"C2": ERROR_FILL}})
    assert (spec.name, spec.hidden, spec.styles) == (HIGHLIGHT_SHEET, True, [Style("A1:C1", bold=True)])
    assert [(block.row, block.col) for block in spec.blocks] == [(1, 1)]
    assert spec.blocks[0].values == [
        HIGHLIGHT_HEADERS,
        ["Pekan 'omat'", "C2", Formula(tracking("'Pekan ''omat'''!C2"), cached="C2")],
        ["Toteumat", "AA1", Formula(tracking("'Toteumat'!AA1"), cached="AA1")],
        ["Toteumat", "B9", Formula(tracking("'Toteumat'!B9"), cached="B9")],
        ["Toteumat", "B10", Formula(tracking("'Toteumat'!B10"), cached="B10")],
    ]
    assert highlight_state_spec({}).blocks[0].values == [HIGHLIGHT_HEADERS]


@given(st.dictionaries(_sheet_names, st.dictionaries(_ranges.map(lambda r: r.split(":")[0]), st.just(ERROR_FILL), max_size=4),
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


# ------------------------------------------------------------------------------------------- the replacement plan


def test_a_users_sheet_in_the_way_is_named_in_finnish():
    with pytest.raises(GeneratedSheetConflict) as raised:
        plan_replacement(["Tarkistus"], ["tarkistus"], [])
    assert raised.value.sheet == "Tarkistus"
    assert str(raised.value) == ("Välilehti 'Tarkistus' on jo työkirjassa, mutta sitä ei ole tehnyt tämä työkalu. "
                                 "Nimeä se uudelleen, niin työkalu voi luoda oman 'Tarkistus'-välilehtensä.")


def test_repeated_names_are_refused_by_name():
    with pytest.raises(ValueError, match=r"sheet names repeat \(ignoring case\): \['Tarkistus', 'TARKISTUS'\]"):
        plan_replacement(["Tarkistus", "TARKISTUS"], [], [])
