"""The headless renderer: SheetSpecs into a new .xlsx with XlsxWriter, read back with openpyxl and calamine."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from libreoffice import needs_soffice, recalculated_copy
from render_samples import USER_TEXTS, rich_spec

from tyollisyys_xl.core.sheetspec import Block, ConditionalFormat, Formula, Hyperlink, Margins, PrintSetup, SheetSpec, Style
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.io.generated import (
    ERROR_FILL,
    GENERATED_NAME,
    HIGHLIGHT_GONE,
    HIGHLIGHT_HEADERS,
    HIGHLIGHT_SHEET,
    WARNING_FILL,
    GeneratedSheetConflict,
    ReplacementPlan,
    fill_bands,
    frozen_range,
    header_sections,
    highlight_state_spec,
    plan_highlights,
    plan_replacement,
    read_highlight_state,
)
from tyollisyys_xl.io.xlsxwriter_target import write_xlsx


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


def written(tmp_path, *specs: SheetSpec, generated=None, name="out.xlsx"):
    path = tmp_path / name
    write_xlsx(path, list(specs), {s.name for s in specs} if generated is None else generated)
    return path


@pytest.fixture
def rendered(tmp_path):
    spec = rich_spec()
    path = written(tmp_path, spec, SheetSpec("Toteumat", blocks=[Block(1, 1, [["x"]])]), generated={spec.name})
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
    assert ws["D4"].number_format == "d.m.yyyy"  # a date without a format of its own still reads as a date


def test_formats_view_and_print_setup(rendered):
    spec, path, book = rendered
    ws = book[spec.name]
    assert ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["A3"].fill.fgColor.rgb.endswith("DDEBF7") and ws["A3"].border.left.style == "thin"
    assert ws["A3"].alignment.horizontal == "center" and ws["A3"].alignment.wrap_text
    assert ws["C5"].number_format == '#,##0.00 "€"' and ws["C5"].font.i
    assert ws.column_dimensions["E"].width == pytest.approx(30, abs=0.72)  # XlsxWriter stores Excel's padded width
    assert ws.freeze_panes == "A4"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert str(ws.oddHeader.left) == '&"-,Bold"Raportti' and str(ws.oddHeader.right) == "&D"
    assert ws.print_area == "'Raportti'!$A$1:$F$16"
    assert ws.sheet_properties.tabColor.rgb.endswith("1F4E79")
    kinds = sorted(rule.type for rules in ws.conditional_formatting for rule in rules.rules)
    assert kinds == ["cellIs", "cellIs", "cellIs", "colorScale", "dataBar", "iconSet"]
    icons = next(r for rules in ws.conditional_formatting for r in rules.rules if r.type == "iconSet").iconSet
    assert [(c.type, c.val) for c in icons.cfvo] == [("percent", 0), ("num", 6), ("num", 12)]
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 1
        xml = archive.read(charts[0]).decode()
        assert "Arvo kuukausittain" in xml and "Raportti!$B$4:$B$15" in xml and "Raportti!$A$4:$A$15" in xml


def test_every_print_setting_reaches_the_file(tmp_path):
    setup = PrintSetup(landscape=False, fit_width=1, fit_height=0, margins=Margins(1.0, 1.5, 2.0, 2.5, 0.5, 0.6),
                       repeat_rows=(3, 4), repeat_columns=("A", "B"), header='&L&"-,Bold"&A&RTulostettu &D',
                       footer="&LTilanne 6/2026&RSivu &P / &N", print_area="A1:F40", center_horizontally=True,
                       center_vertically=True)
    scaled = PrintSetup(landscape=True, scale=85)
    book = openpyxl.load_workbook(written(tmp_path, SheetSpec("Sivu", print_setup=setup), SheetSpec("Skaala", print_setup=scaled)))
    ws = book["Sivu"]
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"
    fit = (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight)  # 1 is the file format's default: left out
    assert ws.sheet_properties.pageSetUpPr.fitToPage and fit == (1, 0)
    margins = ws.page_margins
    assert [round(v * 2.54, 2) for v in (margins.left, margins.right, margins.top, margins.bottom, margins.header, margins.footer)] \
        == [1.0, 1.5, 2.0, 2.5, 0.5, 0.6]
    assert ws.print_title_rows == "$3:$4" and ws.print_title_cols == "$A:$B"
    assert str(ws.oddHeader.left) == '&"-,Bold"&A' and str(ws.oddHeader.right) == "Tulostettu &D"
    assert str(ws.oddFooter.left) == "Tilanne 6/2026" and str(ws.oddFooter.right) == "Sivu &P / &N"
    assert ws.print_area == "'Sivu'!$A$1:$F$40"
    assert ws.print_options.horizontalCentered and ws.print_options.verticalCentered
    other = book["Skaala"]
    assert other.page_setup.orientation == "landscape" and other.page_setup.scale == 85
    assert not other.sheet_properties.pageSetUpPr or not other.sheet_properties.pageSetUpPr.fitToPage


def test_merged_ranges_keep_their_value_and_format(tmp_path):
    spec = SheetSpec("Yhdistetty", blocks=[Block(1, 1, [["Otsikko yli sarakkeiden", None, None], [1.5, "b", None]])],
                     styles=[Style("A1:C1", bold=True, fill="DDEBF7"), Style("A2:C2", border=True)],
                     merged_ranges=["A1:C1"])
    ws = openpyxl.load_workbook(written(tmp_path, spec))["Yhdistetty"]
    assert [str(r) for r in ws.merged_cells.ranges] == ["A1:C1"]
    assert ws["A1"].value == "Otsikko yli sarakkeiden" and ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("DDEBF7")
    assert [ws["A2"].value, ws["B2"].value] == [1.5, "b"] and ws["C2"].border.left.style == "thin"  # the rest as it was


def test_a_formula_rule_formats_whole_rows_from_the_ranges_top_left_cell(tmp_path):
    spec = rich_spec()
    spec.conditional_formats = [ConditionalFormat("A4:E15", "formula", values=['=$E4="TOSI"'], fill="F2F2F2", bold=True)]
    ws = openpyxl.load_workbook(written(tmp_path, spec))[spec.name]
    (entry,) = ws.conditional_formatting
    (rule,) = entry.rules
    assert str(entry.sqref) == "A4:E15"
    assert rule.type == "expression" and rule.formula == ['$E4="TOSI"']
    assert rule.dxf.font.b and rule.dxf.fill.bgColor.rgb.endswith("F2F2F2")  # a dxf fill's colour is its bgColor


def test_only_generated_sheets_carry_the_mark(tmp_path):
    path = written(tmp_path, rich_spec("Tarkistus"), SheetSpec("Toteumat"), rich_spec("Toteutuminen"),
                   generated={"Tarkistus", "Toteutuminen"})
    assert CalamineSource(path).generated_sheets() == ["Tarkistus", "Toteutuminen"]
    book = openpyxl.load_workbook(path)
    assert GENERATED_NAME in book["Tarkistus"].defined_names and GENERATED_NAME not in book["Toteumat"].defined_names
    assert book["Tarkistus"].defined_names[GENERATED_NAME].attr_text == "'Tarkistus'!$A$1"


def test_a_link_to_a_sheet_the_file_does_not_hold_is_written_as_text(tmp_path):
    spec = SheetSpec("Tarkistus", hyperlinks=[Hyperlink("C5", "Toteumat!D5", "D5"), Hyperlink("C6", "'Oma taulu'!B2", "B2"),
                                              Hyperlink("C7", "Tarkistus!A1", "A1")])
    ws = openpyxl.load_workbook(written(tmp_path, spec, SheetSpec("Oma taulu"), generated={"Tarkistus"}))["Tarkistus"]
    assert ws["C5"].value == "D5" and ws["C5"].data_type == "s"  # no Toteumat in the file: no dead link
    assert ws["C6"].value == '=HYPERLINK("#\'Oma taulu\'!B2","B2")' and ws["C7"].value.startswith("=HYPERLINK")


def test_sheets_with_the_same_styles_are_formatted_alike(tmp_path):
    first, second = rich_spec("Yksi"), rich_spec("Kaksi")
    second.styles = first.styles  # as the cards share their template's
    book = openpyxl.load_workbook(written(tmp_path, first, second))
    for address in ("A1", "A3", "C5", "B16"):
        one, two = book["Yksi"][address], book["Kaksi"][address]
        assert (one.font.b, one.number_format, one.fill.fgColor.rgb) == (two.font.b, two.number_format, two.fill.fgColor.rgb)


def test_hidden_sheets_stay_hidden_and_a_visible_one_is_active(tmp_path):
    book = openpyxl.load_workbook(written(tmp_path, SheetSpec("Piilo", hidden=True), SheetSpec("Näkyvä")))
    assert book["Piilo"].sheet_state == "hidden" and book.active.title == "Näkyvä"


# ---------------------------------------------------------------- the replacement plan (io/generated.py)


def test_the_plan_puts_regenerated_sheets_where_they_stood():
    assert plan_replacement(["Tarkistus"], ["Ohjaus", "Toteumat", "Tarkistus", "Oma"], ["Tarkistus"]) == \
        ReplacementPlan(remove=("Tarkistus",), after="Toteumat")
    assert plan_replacement(["Tarkistus"], ["Ohjaus", "Toteumat"], []) == ReplacementPlan(remove=(), after="Toteumat")
    assert plan_replacement(["Tarkistus"], ["Tarkistus", "Ohjaus"], ["Tarkistus"]) == ReplacementPlan(("Tarkistus",), None)
    assert plan_replacement(["A", "B"], [], []) == ReplacementPlan((), None)


def test_the_plan_ignores_case_as_excel_does():
    """Excel's sheet names ignore case: the tool's own 'tarkistus' is replaced, a user's stops the run."""
    plan = plan_replacement(["Tarkistus"], ["Ohjaus", "tarkistus", "Oma"], ["tarkistus"])
    assert plan == ReplacementPlan(remove=("tarkistus",), after="Ohjaus")
    with pytest.raises(GeneratedSheetConflict, match="'Tarkistus'"):
        plan_replacement(["Toteutuminen", "Tarkistus"], ["Ohjaus", "tarkistus"], [])
    with pytest.raises(GeneratedSheetConflict):
        plan_replacement(["Tarkistus"], ["Ohjaus", "TARKISTUS", "Toteutuminen"], ["Toteutuminen"])
    with pytest.raises(ValueError):
        plan_replacement(["Tarkistus", "TARKISTUS"], [], [])


def test_the_highlight_plan_touches_only_sheets_that_are_not_the_tools():
    memory = [HIGHLIGHT_HEADERS, ["Toteumat", "B3", "B3"], ["Tarkistus", "A1", "A1"]]
    plan = plan_highlights(memory, {"Toteumat": {"C4": ERROR_FILL}, "Tarkistus": {"A2": ERROR_FILL}},
                           ["Ohjaus", "Toteumat", "Tarkistus"], ["Tarkistus"])
    assert plan.changes == {"Toteumat": {(3, 2): None, (4, 3): ERROR_FILL}}
    assert [row[:2] for row in plan.memory.blocks[0].values[1:]] == [["Toteumat", "C4"]]


def test_the_highlight_memory_reads_where_excel_says_each_cell_now_is():
    """Column C is Excel's result of the tracking formula: a user inserted a row above B3 and deleted C4's row."""
    values = [HIGHLIGHT_HEADERS, ["Toteumat", "B3", "B4"], ["Toteumat", "C4", HIGHLIGHT_GONE], ["Toteumat", "D9"],
              ["Toteumat", "E2", None], ["Toteumat", "F2", "=IFERROR(…)"]]
    assert read_highlight_state(values) == {"Toteumat": {"B4", "D9", "E2", "F2"}}  # no result: the address as written


@pytest.mark.libreoffice
@needs_soffice
def test_libreoffice_computes_the_highlight_memory_for_any_sheet_name(tmp_path):
    """The tracking formulas are valid in a real spreadsheet program, even for a sheet name with quotes and spaces."""
    odd = "Pekan 'omat' (2)"
    memory = highlight_state_spec({"Toteumat": {"B3": ERROR_FILL}, odd: {"B2": WARNING_FILL}})
    sheets = [SheetSpec("Toteumat", blocks=[Block(1, 1, [["x"] * 3] * 4)]), SheetSpec(odd, blocks=[Block(2, 2, [["x"]])]), memory]
    path = written(tmp_path, *sheets, generated={HIGHLIGHT_SHEET})
    values = CalamineSource(recalculated_copy(path, tmp_path)).sheet_values(HIGHLIGHT_SHEET)
    assert sorted(tuple(row[:3]) for row in values[1:]) == [(odd, "B2", "B2"), ("Toteumat", "B3", "B3")]


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


_names = st.text(alphabet="abcdeäöABCDEÄÖ ", min_size=1, max_size=6)


@given(existing=st.lists(_names, max_size=8, unique_by=str.casefold), data=st.data())
def test_the_plan_never_takes_a_users_sheet_and_puts_every_new_one_after_what_stays(existing, data):
    """Whatever the names and their case: a user's sheet of a wanted name stops the run, only the tool's
    own sheets of wanted names are removed, and the new sheets go after a sheet that stays."""
    generated = data.draw(st.lists(st.sampled_from(existing), unique=True)) if existing else []
    spellings = [data.draw(st.sampled_from([n, n.upper(), n.lower(), n.swapcase()])) for n in existing]
    wanted = data.draw(st.lists(st.one_of(_names, st.sampled_from(spellings)) if spellings else _names,
                                max_size=5, unique_by=str.casefold))
    users = {n.casefold() for n in existing} - {n.casefold() for n in generated}
    clash = [w for w in wanted if w.casefold() in users]
    if clash:
        with pytest.raises(GeneratedSheetConflict):
            plan_replacement(wanted, existing, generated)
        return
    plan = plan_replacement(wanted, existing, generated)
    assert set(plan.remove) == {n for n in generated if n.casefold() in {w.casefold() for w in wanted}}
    assert plan.after is None or (plan.after in existing and plan.after not in plan.remove)


def test_a_text_condition_is_written_as_xlsxwriter_would_write_it_and_never_rewritten(tmp_path, monkeypatch):
    """The writer skips XlsxWriter's prefixing of newer Excel functions for a condition that is one quoted text
    (the status colours): the file must be byte for byte the one XlsxWriter itself writes, and a text that looks
    like a function call keeps its letters (XlsxWriter would make "FILTER(" "_xlfn._xlws.FILTER(")."""
    from xlsxwriter.worksheet import Worksheet

    import tyollisyys_xl.io.xlsxwriter_target as target

    def spec_of(texts):
        spec = SheetSpec("Tila", blocks=[Block(1, 1, [[text] for text in texts])])
        spec.conditional_formats += [ConditionalFormat(f"A1:A{len(texts)}", "text", operator="equal", values=[text],
                                                       fill="C6EFCE") for text in texts]
        return spec

    def members(path):
        with zipfile.ZipFile(path) as book:
            return {name: book.read(name) for name in book.namelist()}

    statuses = spec_of(["● Saavutettu", "○ Tavoitteessa", '"lainaus"', "–"])
    properties = {"created": dt.datetime(2026, 12, 3)}
    write_xlsx(tmp_path / "ours.xlsx", [statuses], {"Tila"}, properties)
    write_xlsx(tmp_path / "function.xlsx", [spec_of(["FILTER(x)"])], {"Tila"}, properties)
    monkeypatch.setattr(target._Worksheet, "_prepare_formula", Worksheet._prepare_formula)
    write_xlsx(tmp_path / "theirs.xlsx", [statuses], {"Tila"}, properties)
    assert members(tmp_path / "ours.xlsx") == members(tmp_path / "theirs.xlsx")
    assert '<formula>"FILTER(x)"</formula>' in members(tmp_path / "function.xlsx")["xl/worksheets/sheet1.xml"].decode()
