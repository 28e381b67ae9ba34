"""The headless renderer: SheetSpecs into an openpyxl workbook, saved and read back as a file."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.styles import PatternFill
from libreoffice import needs_soffice, recalculated_copy
from render_samples import USER_TEXTS, rich_spec

from tyollisyys_xl.core.sheetspec import Block, ConditionalFormat, Formula, SheetSpec
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.io.generated import (
    ERROR_FILL,
    GENERATED_NAME,
    HIGHLIGHT_GONE,
    HIGHLIGHT_HEADERS,
    HIGHLIGHT_SHEET,
    WARNING_FILL,
    GeneratedSheetConflict,
    fill_bands,
    frozen_range,
    header_sections,
    placement,
    read_highlight_state,
)
from tyollisyys_xl.io.openpyxl_target import OpenpyxlTarget


def input_book() -> openpyxl.Workbook:
    """A small stand-in for the master: Ohjaus, an input sheet with values and a user's own sheet."""
    book = openpyxl.Workbook()
    book.active.title = "Ohjaus"
    entries = book.create_sheet("Toteumat")
    for row in range(1, 8):
        entries.append([f"M{row:02d}", row, row * 2.5, "=ei kaava"])
    entries["D1"].data_type = "s"
    entries["A1"].fill = PatternFill(fill_type="solid", start_color="FFFF00", end_color="FFFF00")
    book.create_sheet("Omat muistiinpanot")["A1"] = "käyttäjän teksti"
    return book


def saved(book: openpyxl.Workbook, tmp_path, name: str = "out.xlsx") -> openpyxl.Workbook:
    path = tmp_path / name
    book.save(path)
    return openpyxl.load_workbook(path)


def expected_value(value):
    """What openpyxl reads back for a value the spec wrote."""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    return value


@pytest.fixture
def rendered(tmp_path):
    book = input_book()
    spec = rich_spec()
    OpenpyxlTarget(book).replace_generated_sheets([spec])
    path = tmp_path / "rendered.xlsx"
    book.save(path)
    return spec, path, openpyxl.load_workbook(path)


def test_every_value_reads_back_and_user_text_stays_text(rendered):
    spec, _, book = rendered
    ws = book[spec.name]
    for (row, col), value in spec.values_grid().items():
        assert ws.cell(row, col).value == expected_value(value), (row, col)
    texts = [ws.cell(r, 5) for r in range(4, 16)]
    assert {c.value for c in texts} >= set(USER_TEXTS)
    assert all(c.data_type == "s" for c in texts)
    assert ws["B16"].data_type == "f"  # only the Formula object is a formula
    assert ws["F4"].value == '=HYPERLINK("#Toteumat!D2","Toteumat!D2")'


def test_formats_view_and_print_setup(rendered):
    spec, path, book = rendered
    ws = book[spec.name]
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["A3"].fill.fgColor.rgb.endswith("DDEBF7") and ws["A3"].border.left.style == "thin"
    assert ws["A3"].alignment.horizontal == "center" and ws["A3"].alignment.wrap_text
    assert ws["C5"].number_format == '#,##0.00 "€"' and ws["C5"].font.i
    assert ws.column_dimensions["E"].width == 30
    assert ws.freeze_panes == "A4"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert str(ws.oddHeader.left) == '&"-,Bold"Raportti' and str(ws.oddHeader.right) == "&D"
    assert ws.print_area == "'Raportti'!$A$1:$F$16"
    assert ws.sheet_properties.tabColor.rgb.endswith("1F4E79")
    kinds = sorted(rule.type for rules in ws.conditional_formatting for rule in rules.rules)
    assert kinds == ["cellIs", "cellIs", "cellIs", "colorScale", "dataBar", "iconSet"]
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        assert "Arvo kuukausittain" in archive.read(charts[0]).decode()


def test_a_formula_rule_formats_whole_rows_from_the_ranges_top_left_cell(tmp_path):
    spec = rich_spec()
    spec.conditional_formats = [
        ConditionalFormat("A4:E15", "formula", values=['=$E4="TOSI"'], fill="F2F2F2", bold=True)
    ]
    book = input_book()
    OpenpyxlTarget(book).replace_generated_sheets([spec])
    ws = saved(book, tmp_path)[spec.name]
    (entry,) = ws.conditional_formatting
    (rule,) = entry.rules
    assert str(entry.sqref) == "A4:E15"
    assert rule.type == "expression" and rule.formula == ['$E4="TOSI"']
    assert rule.dxf.font.b and rule.dxf.fill.fgColor.rgb.endswith("F2F2F2")


def test_generated_sheets_are_marked_and_rerendered_in_place(tmp_path):
    book = input_book()
    target = OpenpyxlTarget(book)
    target.replace_generated_sheets([rich_spec("Tarkistus"), rich_spec("Toteutuminen")])
    assert book.sheetnames == ["Ohjaus", "Toteumat", "Omat muistiinpanot", "Tarkistus", "Toteutuminen"]
    book.move_sheet("Omat muistiinpanot", offset=2)  # the user moves their sheet after the generated ones
    smaller = SheetSpec("Tarkistus", blocks=[Block(1, 1, [["vain tämä"]])])
    target.replace_generated_sheets([smaller, rich_spec("Toteutuminen")])
    book = saved(book, tmp_path)
    assert book.sheetnames == ["Ohjaus", "Toteumat", "Tarkistus", "Toteutuminen", "Omat muistiinpanot"]
    assert [[c.value for c in row] for row in book["Tarkistus"].iter_rows()] == [["vain tämä"]]
    assert OpenpyxlTarget(book).generated_sheets() == ["Tarkistus", "Toteutuminen"]
    assert GENERATED_NAME in book["Tarkistus"].defined_names
    assert book["Omat muistiinpanot"]["A1"].value == "käyttäjän teksti"


def test_a_users_sheet_with_a_generated_name_is_never_replaced():
    book = input_book()
    book.create_sheet("Tarkistus")["A1"] = "käyttäjän oma"
    with pytest.raises(GeneratedSheetConflict, match="Tarkistus"):
        OpenpyxlTarget(book).replace_generated_sheets([rich_spec("Toteutuminen"), rich_spec("Tarkistus")])
    assert book.sheetnames == ["Ohjaus", "Toteumat", "Omat muistiinpanot", "Tarkistus"]
    assert book["Tarkistus"]["A1"].value == "käyttäjän oma"


def test_highlights_are_remembered_and_cleared_without_touching_values_or_user_fills(tmp_path):
    book = input_book()
    before = [[c.value for c in row] for row in book["Toteumat"].iter_rows()]
    OpenpyxlTarget(book).highlight_cells({"Toteumat": {"B3": ERROR_FILL, "C4": WARNING_FILL}, "Ei ole": {"A1": ERROR_FILL}})
    book = saved(book, tmp_path, "first.xlsx")
    ws = book["Toteumat"]
    assert ws["B3"].fill.fgColor.rgb.endswith(ERROR_FILL) and ws["C4"].fill.fgColor.rgb.endswith(WARNING_FILL)
    assert book[HIGHLIGHT_SHEET].sheet_state == "hidden"
    remembered = [list(r) for r in book[HIGHLIGHT_SHEET].values]
    assert [r[:2] for r in remembered] == [["Välilehti", "Solu"], ["Toteumat", "B3"], ["Toteumat", "C4"]]
    assert remembered[1][2] == "=IFERROR(ADDRESS(ROW('Toteumat'!B3),COLUMN('Toteumat'!B3),4),\"poistettu\")"  # follows the cell

    OpenpyxlTarget(book).highlight_cells({"Toteumat": {"C4": ERROR_FILL}})
    book = saved(book, tmp_path, "second.xlsx")
    ws = book["Toteumat"]
    assert ws["B3"].fill.fill_type is None
    assert ws["C4"].fill.fgColor.rgb.endswith(ERROR_FILL)
    assert ws["A1"].fill.fgColor.rgb.endswith("FFFF00")  # the user's own fill
    assert [[c.value for c in row] for row in ws.iter_rows()] == before
    assert book.sheetnames.count(HIGHLIGHT_SHEET) == 1


def test_the_highlight_memory_reads_where_excel_says_each_cell_now_is():
    """Column C is Excel's result of the tracking formula: a user inserted a row above B3 and deleted C4's row."""
    values = [HIGHLIGHT_HEADERS, ["Toteumat", "B3", "B4"], ["Toteumat", "C4", HIGHLIGHT_GONE], ["Toteumat", "D9"],
              ["Toteumat", "E2", None], ["Toteumat", "F2", "=IFERROR(…)"]]
    assert read_highlight_state(values) == {"Toteumat": {"B4", "D9", "E2", "F2"}}  # no result: the address as written


@pytest.mark.libreoffice
@needs_soffice
def test_libreoffice_computes_the_highlight_memory_for_any_sheet_name(tmp_path):
    """The tracking formulas are valid in a real spreadsheet program, even for a sheet name with quotes and spaces."""
    book = input_book()
    odd = book.create_sheet("Pekan 'omat' (2)")
    odd["B2"] = "x"
    OpenpyxlTarget(book).highlight_cells({"Toteumat": {"B3": ERROR_FILL}, odd.title: {"B2": WARNING_FILL}})
    path = tmp_path / "korostukset.xlsx"
    book.save(path)
    values = CalamineSource(recalculated_copy(path, tmp_path)).sheet_values(HIGHLIGHT_SHEET)
    assert sorted(tuple(row[:3]) for row in values[1:]) == [("Pekan 'omat' (2)", "B2", "B2"), ("Toteumat", "B3", "B3")]


def test_placement_puts_regenerated_sheets_where_they_stood():
    assert placement(["Ohjaus", "Toteumat", "Tarkistus", "Oma"], ["Tarkistus"]) == "Toteumat"
    assert placement(["Ohjaus", "Toteumat"], []) == "Toteumat"
    assert placement(["Tarkistus", "Ohjaus"], ["Tarkistus"]) is None


def test_fill_bands_cover_any_number_of_cells_in_few_rectangles():
    changes = {(row, 4): ERROR_FILL for row in range(2, 40_002, 7)} | {(5, 2): None}
    bands = fill_bands(changes)
    assert len(bands) == 12  # 40 000 rows x 3 columns, 3 333 rows (9 999 cells) a band
    assert all(len(m) * len(m[0]) <= 10_000 for _, _, m in bands)
    painted = {(top + r, left + c): v for top, left, m in bands for r, row in enumerate(m) for c, v in enumerate(row) if v is not ...}
    assert painted == changes


def test_freeze_and_header_translations():
    assert frozen_range("A2") == "1:1" and frozen_range("C1") == "A:B" and frozen_range("B3") == "A2"
    assert header_sections('&L&"-,Bold"Kuntakortti Jämsä&R&D') == {"left": '&"-,Bold"Kuntakortti Jämsä', "center": "", "right": "&D"}


@pytest.mark.libreoffice
@needs_soffice
def test_libreoffice_opens_the_rendered_file_and_shows_text_as_text(rendered, tmp_path):
    spec, path, _ = rendered
    values = CalamineSource(recalculated_copy(path, tmp_path)).sheet_values(spec.name)
    texts = {row[4] for row in values[3:15]}
    assert texts >= set(USER_TEXTS)  # user text that looks like a formula or a number stays as typed
    assert [row[5] for row in values[3:6]] == ["Toteumat!D2", "Toteumat!D3", "Toteumat!D4"]  # the tool's links
    assert values[15][:2] == ["Yhteensä", 117]  # =SUM(B4:B15) recalculated: 1.5 * (1 + ... + 12)
