"""The Excel path without Excel: the button entry points against xlwings' remote engine.

Each test turns a real workbook file (built by the builder, filled by the demo generator) into the
payload an xlwings client sends (`xw.Book(json=...)`), presses a button and checks the actions the
engine would send back to Excel.
"""

from __future__ import annotations

import collections
import copy
import datetime as dt
import math
from decimal import Decimal

import openpyxl
import pytest
import xlwings as xw
from remote_book import actions, book_json, payload_after, remote_book, remove_sheet
from render_samples import rich_spec

import tyollisyys_xl.excel as excel
from tyollisyys_xl.core.reports.budget_tabs import SUMMARY_SHEET
from tyollisyys_xl.core.reports.cards import TEMPLATE_SHEET
from tyollisyys_xl.core.sheetspec import Formula, Margins, PrintSetup, SheetSpec
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.io.generated import (
    ERROR_FILL,
    GENERATED_NAME,
    HIGHLIGHT_SHEET,
    column_index,
    highlight_state_spec,
    parse_cell,
    plan_replacement,
    sheet_cells,
)
from tyollisyys_xl.io.xlsxwriter_target import write_xlsx
from tyollisyys_xl.io.xlwings_book import XlwingsBook, excel_value, windows_page_setup
from tyollisyys_xl.jobs import read_sheets, run_job
from tyollisyys_xl.schemas import table_schemas

INPUT_SHEETS = [schema.sheet for schema in table_schemas().values()]
ENTRY_POINTS = {
    excel.validate_entries: "validate",
    excel.compute_attainment: "attainment",
    excel.make_municipality_cards: "cards",
    excel.update_budget_tracking: "budget",
    excel.update_all: "all",
}
WRITES = {"setValues", "rangeClearContents", "rangeClear", "rangeDelete", "rangeInsert", "sheetClear", "sheetDelete",
          "sheetClearContents", "setFormula", "rangeSort", "setSheetName"}


@pytest.fixture(scope="module")
def demo10_path(master_path, tmp_path_factory):
    from tyollisyys_xl.master.demo import make_demo

    return make_demo(master_path, tmp_path_factory.mktemp("demo10") / "demo10.xlsm", scale=10, seed=1)


def excel_view(value):
    """A value as Excel ends up holding it, to compare what both renderers wrote."""
    if isinstance(value, Formula):
        return value.text
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return None if value != value else float(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def created(action: dict) -> str | None:
    """The sheet an action brings into being under its own name: addSheet, or the rename of a copy."""
    if action["func"] == "addSheet":
        return action["args"][1]
    if action["func"] == "setSheetName":
        return action["args"][0]
    return None


def written_cells(book_actions: list[dict], sheet: str) -> dict[tuple[int, int], object]:
    """The cells the one values write after a sheet was added (or copied and named) put there, as Excel holds them."""
    index = next(i for i, a in enumerate(book_actions) if created(a) == sheet)
    position = book_actions[index]["args"][0] if book_actions[index]["func"] == "addSheet" else book_actions[index]["sheet_position"]
    write = next(a for a in book_actions[index + 1:] if a["func"] == "setValues")
    assert write["sheet_position"] == position
    cells = {}
    for r, row in enumerate(write["values"]):
        for c, value in enumerate(row):
            if value != "":
                text_prefixed = isinstance(value, str) and value.startswith("'")
                cells[(write["start_row"] + r + 1, write["start_column"] + c + 1)] = value[1:] if text_prefixed else value
    return cells


def spec_cells(spec) -> dict[tuple[int, int], object]:
    return {k: excel_view(v) for k, v in sheet_cells(spec).items() if excel_view(v) is not None}


def file_cells(ws) -> dict[tuple[int, int], object]:
    return {(c.row, c.column): excel_view(c.value) for row in ws.iter_rows() for c in row if c.value is not None}


def assert_same_cells(actual: dict, expected: dict, sheet: str) -> None:
    """Equal cells; numbers to the 16 significant digits openpyxl writes (Excel itself keeps 15)."""
    assert actual.keys() == expected.keys(), sheet
    for key, value in expected.items():
        if isinstance(value, float):
            assert math.isclose(actual[key], value, rel_tol=1e-14), (sheet, key)
        else:
            assert actual[key] == value, (sheet, key)


def named_cell(payload: dict, name: str) -> tuple[int, int, int]:
    """(sheet position, 0-based row, 0-based column) of a book-scoped range name."""
    entry = next(n for n in payload["names"] if n["name"] == name)
    row, col = openpyxl.utils.cell.coordinate_to_tuple(entry["address"])
    return entry["sheet_index"], row - 1, col - 1


def test_reading_in_excel_gives_what_the_headless_reader_gives(demo_path):
    excel_book, headless = XlwingsBook(remote_book(demo_path)), CalamineSource(demo_path)
    assert excel_book.sheet_names() == headless.sheet_names()
    for sheet in INPUT_SHEETS:
        excel_rows = [[excel_view(v) for v in row] for row in excel_book.sheet_values(sheet)]
        headless_rows = [[excel_view(v) for v in row] for row in headless.sheet_values(sheet)]
        assert excel_rows == headless_rows, sheet


def excel_and_headless_runs(path, job: str):
    excel_book = XlwingsBook(remote_book(path))
    in_excel = run_job(read_sheets(excel_book, skip=excel_book.generated_sheets()), job)
    source = CalamineSource(path)
    sheets = read_sheets(source)
    return in_excel, run_job(sheets, job, facts={name: source.sheet_facts(name) for name in sheets})


def test_excel_path_and_headless_path_compute_the_same_sheets(demo_path):
    in_excel, headless = excel_and_headless_runs(demo_path, "all")
    assert in_excel.findings == headless.findings
    assert [s.name for s in in_excel.specs] == [s.name for s in headless.specs]
    for ours, theirs in zip(in_excel.specs, headless.specs):
        assert spec_cells(ours) == spec_cells(theirs), ours.name


def test_excel_path_and_headless_path_find_the_same_at_ten_times_the_data(demo10_path):
    in_excel, headless = excel_and_headless_runs(demo10_path, "validate")
    assert in_excel.findings == headless.findings
    assert spec_cells(in_excel.specs[0]) == spec_cells(headless.specs[0])


def test_both_renderers_write_the_same_cells(demo_path, tmp_path):
    """values_grid vs the openpyxl file vs the remote engine's setValues, for real sheets and every feature."""
    source = CalamineSource(demo_path)
    specs = [*run_job(read_sheets(source), "all").specs, rich_spec()]
    write_xlsx(tmp_path / "headless.xlsx", [*specs, *(SheetSpec(name) for name in INPUT_SHEETS)], set())
    headless = openpyxl.load_workbook(tmp_path / "headless.xlsx")
    excel_book = remote_book(demo_path)
    XlwingsBook(excel_book).replace_generated_sheets(specs)
    for spec in specs:
        expected = spec_cells(spec)
        assert_same_cells(file_cells(headless[spec.name]), expected, spec.name)
        assert {k: excel_view(v) for k, v in written_cells(actions(excel_book), spec.name).items()} == expected, spec.name


def cells_of(address: str) -> set[tuple[int, int]]:
    first, _, last = address.partition(":")
    (top, left), (bottom, right) = parse_cell(first), parse_cell(last or first)
    return {(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)}


@pytest.fixture(scope="module")
def rendered_in_excel(demo_path):
    """(specs of every button, {sheet: its formatting actions}) with every sheet written to the remote engine;
    the master's card template is missing, so it is rendered too, and a card's formats are its template's."""
    specs = run_job(read_sheets(CalamineSource(demo_path)), "all").specs
    payload = book_json(demo_path)
    remove_sheet(payload, TEMPLATE_SHEET)
    book = xw.Book(json=payload)
    XlwingsBook(book).replace_generated_sheets(specs)
    per_sheet = actions_by_sheet(actions(book))
    for spec in specs:
        if spec.template is not None:
            per_sheet[spec.name] = per_sheet[spec.template.spec.name]
    return specs, per_sheet


def actions_by_sheet(done: list[dict]) -> dict[str, list[dict]]:
    """{sheet: the actions after it was added (or copied and named), up to the next sheet's}."""
    per_sheet: dict[str, list[dict]] = {}
    current: list[dict] = []
    for action in done:
        name = created(action)
        if name is not None:
            current = per_sheet.setdefault(name, [])
        elif action["func"] == "copySheet":
            current = []
        else:
            current.append(action)
    return per_sheet


def test_bordered_cells_reach_excel_with_one_border_call_per_table(rendered_in_excel):
    """Every cell a spec borders, and no other, gets the border; a table's header and body share one call."""
    specs, per_sheet = rendered_in_excel
    for spec in specs:
        expected = set().union(*(cells_of(style.range) for style in spec.styles if style.border))
        calls = {(a["start_row"], a["start_column"], a["row_count"], a["column_count"])
                 for a in per_sheet[spec.name] if a["func"] == "setBorderProperty"}
        bordered = {(top + r + 1, left + c + 1) for top, left, rows, cols in calls for r in range(rows) for c in range(cols)}
        assert bordered == expected, spec.name
        styles = [style for style in spec.styles if style.border]
        headers = [style for style in styles if style.bold]
        assert len(calls) <= max(len(headers), len(styles) - len(headers)), spec.name  # not one per header and body


def test_every_column_width_and_row_height_reaches_excel_in_one_call_per_run(rendered_in_excel):
    """Neighbouring columns (rows) of one size are sized by one call; each still gets exactly its own size."""
    specs, per_sheet = rendered_in_excel
    for spec in specs:
        widths, heights, width_calls = {}, {}, 0
        for a in per_sheet[spec.name]:
            if a["func"] == "setColumnWidth":
                width_calls += 1
                widths.update({a["start_column"] + 1 + c: a["args"][0] for c in range(a["column_count"])})
            elif a["func"] == "setRowHeight":
                heights.update({a["start_row"] + 1 + r: a["args"][0] for r in range(a["row_count"])})
        expected = {column_index(letter): round((width * 7 + 5) * 0.75, 2) for letter, width in spec.column_widths.items()}
        assert widths == expected, spec.name
        assert heights == spec.row_heights, spec.name
        runs = [c for c, w in expected.items() if expected.get(c - 1) != w]  # columns that start a run
        assert width_calls == len(runs), spec.name


def test_formats_conditional_formats_and_charts_reach_excel(demo_path):
    book = remote_book(demo_path)
    XlwingsBook(book).replace_generated_sheets([rich_spec()])
    done = actions(book)
    funcs = collections.Counter(a["func"] for a in done)
    assert funcs["setValues"] == 1  # the whole sheet, links included, in one write
    rules = [a["args"][0] for a in done if a["func"] == "addConditionalFormat"]
    assert sorted(r["type"] for r in rules) == ["CellValue", "CellValue", "CellValue", "ColorScale", "DataBar", "IconSet"]
    assert {"operator": "Between", "formula1": "5", "formula2": "10"}.items() <= rules[1].items()
    assert rules[3]["icon_set"] == "ThreeTrafficLights1" and rules[3]["thresholds"] == [6, 12]
    chart = next(a for a in done if a["func"] == "addChart")
    assert chart["args"][1:4] == ["LineMarkers", "Raportti", "$B$3:$B$15"]  # values with their header
    assert next(a for a in done if a["func"] == "setChartXAxisValues")["args"][1:] == ["Raportti", "$A$4:$A$15"]
    assert next(a for a in done if a["func"] == "freezePaneAtRange")["args"] == ["1:3"]  # rows above A4
    assert next(a for a in done if a["func"] == "setPrintArea")["args"] == ["A1:F16"]
    formats = {a["args"][0] for a in done if a["func"] == "setNumberFormat"}
    assert formats == {"0.0", '#,##0.00 "€"'}
    assert next(a for a in done if a["func"] == "namesAdd")["args"] == [GENERATED_NAME, "='Raportti'!$A$1"]


def test_the_budget_summarys_total_rows_reach_excel_as_one_rule(demo_path):
    book = remote_book(demo_path)
    result = excel.update_budget_tracking(book)
    done = actions(book)
    position = next(a["args"][0] for a in done if a["func"] == "addSheet" and a["args"][1] == SUMMARY_SHEET)
    added = [a for a in done if a["func"] == "addConditionalFormat" and a["sheet_position"] == position]
    rules = next(s for s in result.specs if s.name == SUMMARY_SHEET).conditional_formats  # red rates, red forecast, totals
    assert len(added) == len(rules) == 3
    for call, rule in zip(added, rules):
        first, last = (parse_cell(part) for part in rule.range.split(":"))
        assert (call["start_row"] + 1, call["start_column"] + 1) == first
        assert (call["row_count"], call["column_count"]) == (last[0] - first[0] + 1, last[1] - first[1] + 1)
        assert {"type": "Custom", "formula": rule.values[0], "fill_color": "#" + rule.fill.lower(),
                "font_bold": True}.items() <= call["args"][0].items()
    assert rules[-1].fill == "F2F2F2" and rules[-1].values[0].endswith('="Yhteensä"')


@pytest.mark.parametrize("entry_point", ENTRY_POINTS, ids=lambda f: f.__name__)
def test_every_button_writes_its_sheets_and_the_status_and_no_input(entry_point, demo_path):
    payload = book_json(demo_path)
    book = xw.Book(json=payload)
    result = entry_point(book)
    assert result is not None and result.job == ENTRY_POINTS[entry_point]
    done = actions(book)
    added = [created(a) for a in done if created(a)]
    assert added == [spec.name for spec in result.specs] + [HIGHLIGHT_SHEET]
    assert added[0] == "Tarkistus"
    expected_tarkistus = spec_cells(result.specs[0])
    assert {k: excel_view(v) for k, v in written_cells(done, "Tarkistus").items()} == expected_tarkistus
    # nothing but the tool's own fills lands on an input sheet
    positions = {s["name"]: i for i, s in enumerate(payload["sheets"])}
    input_positions = {positions[name] for name in INPUT_SHEETS}
    on_inputs = {a["func"] for a in done if a["sheet_position"] in input_positions}
    assert on_inputs <= {"setRangeColors"}
    assert not any(a["func"] == "sheetDelete" for a in done)
    # the outcome on Ohjaus
    writes = {(a["sheet_position"], a["start_row"], a["start_column"]): a["values"][0][0] for a in done if a["func"] == "setValues"}
    assert writes[named_cell(payload, "Tila_Virheet")] == result.errors
    assert writes[named_cell(payload, "Tila_Varoitukset")] == result.warnings
    assert writes[named_cell(payload, "Tila_Toiminto")] == excel_value(result.status(dt.datetime.now())["Tila_Toiminto"])
    assert str(writes[named_cell(payload, "Tila_Tulos")]).startswith(("0 virhettä", "Ei virheitä"))
    assert dt.datetime.fromisoformat(writes[named_cell(payload, "Tila_Aika")]).date() == dt.date.today()
    assert done[-2]["func"] == "activateSheet" and done[-2]["args"] == [payload["book"]["active_sheet_index"]]


def press(entry_point, path) -> list[dict]:
    """The actions one button press on the workbook at path sends to Excel."""
    book = remote_book(path)
    assert entry_point(book) is not None
    return actions(book)


def calls_per_card(done: list[dict]) -> dict[str, int]:
    """{card: the calls it took}: its copy, name, visibility and values, and the deletion of its older copy."""
    calls: dict[str, int] = {}
    starts = [i for i, a in enumerate(done) if a["func"] in ("addSheet", "copySheet", "sheetDelete")] + [len(done)]
    for start, end in zip(starts, starts[1:]):
        if done[start]["func"] == "copySheet":
            calls[created(done[start + 1])] = end - start
    deleted = [a for a in done if a["func"] == "sheetDelete"]
    return {card: count + (1 if deleted else 0) for card, count in calls.items()}


@pytest.mark.parametrize("entry_point", ENTRY_POINTS, ids=lambda f: f.__name__)
def test_a_button_makes_as_many_calls_at_ten_times_the_data(entry_point, demo_path, demo10_path):
    """Calls never grow with rows. The one exception is by design: --scale 10 adds fictional
    municipalities, and each gets its card, which costs the same few calls as any other."""
    small, large = press(entry_point, demo_path), press(entry_point, demo10_path)
    small_cards, large_cards = calls_per_card(small), calls_per_card(large)
    assert bool(small_cards) == (entry_point in (excel.make_municipality_cards, excel.update_all))
    assert len(large_cards) == 10 * len(small_cards)  # ten times the municipalities, one card each
    per_card = set(small_cards.values()) | set(large_cards.values())
    assert per_card <= {4}, per_card  # copy, name, show, values: whatever a municipality's data
    assert len(large) - len(small) == (len(large_cards) - len(small_cards)) * sum(per_card)


@pytest.mark.parametrize("path", ["demo_path", "demo10_path"])
def test_pressing_the_card_button_again_costs_at_most_five_calls_a_card_plus_a_constant(path, request):
    """A rerun deletes each older card first: five calls a card; everything else is the same constant."""
    workbook = request.getfixturevalue(path)
    first_book = remote_book(workbook)
    first = excel.make_municipality_cards(first_book)
    payload = book_json(workbook)
    after = payload_after(payload, first.specs + [highlight_state_spec({})], plan_replacement([], [s["name"] for s in payload["sheets"]], []).after)
    second = xw.Book(json=after)
    assert excel.make_municipality_cards(second) is not None
    per_card = calls_per_card(actions(second))
    assert len(per_card) == len(first.specs) - 2 and set(per_card.values()) == {5}  # all but Tarkistus, Kirjaustilanne
    constant = len(actions(second)) - 5 * len(per_card)
    assert constant == len(actions(first_book)) - 4 * len(per_card) + 3  # + deleting Tarkistus, Kirjaustilanne, Korostukset


def test_a_missing_or_stale_template_is_rendered_anew_once_and_a_users_sheet_of_its_name_is_kept(demo_path):
    def press_cards(payload):
        book = xw.Book(json=payload)
        return excel.make_municipality_cards(book), actions(book)

    current = book_json(demo_path)
    _, done = press_cards(current)
    assert not [a for a in done if created(a) == TEMPLATE_SHEET]  # the master's template is current: copied as it is
    missing = book_json(demo_path)
    remove_sheet(missing, TEMPLATE_SHEET)
    result, done = press_cards(missing)
    assert [created(a) for a in done if created(a) == TEMPLATE_SHEET] == [TEMPLATE_SHEET]
    position = next(a["args"][0] for a in done if created(a) == TEMPLATE_SHEET)
    assert next(a for a in done if a["func"] == "setSheetVisibility" and a["sheet_position"] == position)["args"] == ["Hidden"]
    assert [a["func"] for a in done].count("copySheet") == len(result.specs) - 2  # every card a copy of it
    stale = book_json(demo_path)
    template = next(s for s in stale["sheets"] if s["name"] == TEMPLATE_SHEET)
    template["values"][0][0] = "Kuntakorttien pohja (asettelu vanha)"
    _, done = press_cards(stale)
    assert [a["func"] for a in done].count("sheetDelete") == 1  # the stale template, then a new one
    assert [created(a) for a in done].count(TEMPLATE_SHEET) == 1
    users = book_json(demo_path)
    remove_sheet(users, TEMPLATE_SHEET)
    users["sheets"].append({**users["sheets"][-1], "name": "kuntakorttipohja", "values": [["oma"]]})
    result, done = press_cards(users)
    assert result is None and "Kuntakorttipohja" in next(a for a in done if a["func"] == "alert")["args"][0]
    assert not [a for a in done if a["func"] in ("addSheet", "copySheet", "sheetDelete")]


def test_pressing_again_rebuilds_the_same_sheets_in_the_same_places(demo_path):
    first = remote_book(demo_path)
    result = excel.update_all(first)
    payload = book_json(demo_path)
    names = [s["name"] for s in payload["sheets"]]
    after = payload_after(payload, [*result.specs, highlight_state_spec({})], plan_replacement([], names, []).after)
    standing = [s["name"] for s in after["sheets"]]
    second = xw.Book(json=after)
    again = excel.update_all(second)
    assert [s.name for s in again.specs] == [s.name for s in result.specs]
    placed = {created(a): a["args"][0] if a["func"] == "addSheet" else a["sheet_position"]
              for a in actions(second) if created(a)}
    for spec in again.specs:
        assert written_cells(actions(second), spec.name) == written_cells(actions(first), spec.name), spec.name
        assert placed[spec.name] == standing.index(spec.name), spec.name


def bad_entry_payload(path) -> tuple[dict, tuple[int, int]]:
    """The payload with one Toteumat value replaced by text: a type error at a known cell."""
    payload = book_json(path)
    sheet = next(s for s in payload["sheets"] if s["name"] == "Toteumat")
    sheet["values"][4][3] = "paljon"  # D5
    return payload, (5, 4)


def test_highlights_are_painted_remembered_and_cleared_on_the_next_run(demo_path, tmp_path):
    payload, (row, col) = bad_entry_payload(demo_path)
    book = xw.Book(json=payload)
    result = excel.validate_entries(book)
    assert result.errors >= 1
    fills = [a for a in actions(book) if a["func"] == "setRangeColors"]
    toteumat = next(i for i, s in enumerate(payload["sheets"]) if s["name"] == "Toteumat")
    painted = next(a for a in fills if a["sheet_position"] == toteumat)
    top, left = painted["start_row"] + 1, painted["start_column"] + 1
    assert painted["args"][0][row - top][col - left] == "#" + ERROR_FILL.lower()
    remembered = written_cells(actions(book), HIGHLIGHT_SHEET)
    rows = {(remembered[(r, 1)], remembered[(r, 2)], remembered[(r, 3)]) for r, c in remembered if r > 1 and c == 1}
    assert ("Toteumat", "D5", "=IFERROR(ADDRESS(ROW('Toteumat'!D5),COLUMN('Toteumat'!D5),4),\"poistettu\")") in rows

    # The next run sees the workbook as that run left it (the entry fixed, a user's sheet added at the end).
    names = [s["name"] for s in book_json(demo_path)["sheets"]]
    before = payload_after(book_json(demo_path), [*result.specs, highlight_state_spec({"Toteumat": {"D5": ERROR_FILL}})],
                           plan_replacement([], names, []).after)
    before["sheets"].append({**before["sheets"][1], "name": "Omat laskelmat", "values": [["oma"]], "tables": []})
    again = xw.Book(json=copy.deepcopy(before))
    rerun = excel.validate_entries(again)
    assert rerun.errors == 0
    done = actions(again)
    assert [a["args"] for a in done if a["func"] == "sheetDelete"] == [[None], [None], [None]]  # Tarkistus, Kirjaustilanne, Korostukset
    cleared = next(a for a in done if a["func"] == "setRangeColors" and a["sheet_position"] == toteumat)
    assert cleared["args"][0][5 - (cleared["start_row"] + 1)][4 - (cleared["start_column"] + 1)] is None
    user_sheet = next(i for i, s in enumerate(before["sheets"]) if s["name"] == "Omat laskelmat")
    assert not [a for a in done if a["sheet_position"] == user_sheet and a["func"] in WRITES]
    positions_before = [s["name"] for s in before["sheets"]]
    added_at = {a["args"][1]: a["args"][0] for a in done if a["func"] == "addSheet"}
    assert added_at["Tarkistus"] == positions_before.index("Tarkistus")  # back where it stood


def test_a_highlight_moved_by_an_inserted_row_is_cleared_where_it_now_is(demo_path, tmp_path):
    """After a run coloured Toteumat!D5 a user inserted a row above it: Excel's tracking formula now says D6."""
    payload = book_json(demo_path)
    payload = payload_after(payload, [highlight_state_spec({"Toteumat": {"D5": ERROR_FILL}})], payload["sheets"][-1]["name"])
    memory = next(s for s in payload["sheets"] if s["name"] == HIGHLIGHT_SHEET)
    assert memory["values"][1][:2] == ["Toteumat", "D5"]
    memory["values"][1][2] = "D6"  # what Excel's tracking formula computes once the row moved
    book = xw.Book(json=payload)
    assert excel.validate_entries(book).errors == 0
    toteumat = next(i for i, s in enumerate(payload["sheets"]) if s["name"] == "Toteumat")
    (change,) = [a for a in actions(book) if a["func"] == "setRangeColors" and a["sheet_position"] == toteumat]
    top, left = change["start_row"] + 1, change["start_column"] + 1
    colours = {(top + r, left + c): v for r, row in enumerate(change["args"][0]) for c, v in enumerate(row)}
    assert (6, 4) in colours and colours[(6, 4)] is None  # cleared where the colour now is
    assert colours.get((5, 4), "untouched") is not None  # and the cell that moved into D5 keeps its own


@pytest.mark.parametrize("name", ["Tarkistus", "tarkistus"])
def test_a_users_sheet_named_like_a_generated_one_stops_the_run_with_a_finnish_message(demo_path, name):
    payload = book_json(demo_path)
    payload["sheets"].append({"name": name, "values": [["käyttäjän oma"]], "pictures": [], "tables": [],
                              "visibility": "Visible", "charts": [], "shapes": [], "notes": []})
    book = xw.Book(json=payload)
    assert excel.validate_entries(book) is None
    done = actions(book)
    funcs = collections.Counter(a["func"] for a in done)
    assert not funcs["addSheet"] and not funcs["sheetDelete"] and not funcs["setRangeColors"]
    alert = next(a for a in done if a["func"] == "alert")
    assert "Tarkistus" in alert["args"][0] and "ei ole tehnyt tämä työkalu" in alert["args"][0]
    assert alert["args"][1] == "Tarkista syötteet epäonnistui" and alert["args"][3] == "critical"
    status = {(a["sheet_position"], a["start_row"], a["start_column"]): a["values"][0][0] for a in done if a["func"] == "setValues"}
    assert status[named_cell(payload, "Tila_Tulos")].startswith("Epäonnistui: Välilehti 'Tarkistus'")


def test_an_unexpected_failure_is_named_in_finnish_and_writes_nothing_half_done(demo_path, monkeypatch):
    def broken_write(target, result):
        target.replace_generated_sheets(result.specs[:1])  # writes one sheet, then fails
        raise RuntimeError("levy täynnä, solussa 131052-308T")

    monkeypatch.setattr(excel, "write_result", broken_write)
    book = remote_book(demo_path)
    assert excel.update_all(book) is None
    done = actions(book)
    assert {a["func"] for a in done} <= {"setValues", "alert", "setScreenUpdating"}
    alert = next(a for a in done if a["func"] == "alert")["args"][0]
    assert "Odottamaton virhe (RuntimeError: ”levy täynnä, solussa" in alert
    assert "131052-308T" not in alert  # an exception's text may hold a cell value: never echoed unmasked


def test_a_client_without_formatting_actions_still_gets_every_value(demo_path):
    book = remote_book(demo_path, client="Microsoft Office Scripts")
    result = excel.update_all(book)
    assert result is not None
    done = actions(book)
    assert not any(a["func"] == "setHorizontalAlignment" for a in done)  # Office.js only: skipped
    assert not any(a["func"] == "copySheet" for a in done)  # no sheet copy in this client: cards rendered whole
    assert sum(created(a) is not None and created(a).startswith("Kuntakortti ") for a in done) == 8
    for spec in result.specs:
        assert {k: excel_view(v) for k, v in written_cells(done, spec.name).items()} == spec_cells(spec)


def test_the_status_fills_exactly_the_cells_the_builder_names_on_ohjaus(demo_path):
    from tyollisyys_xl.master.text_sheets import STATUS_CELLS

    result = run_job(read_sheets(CalamineSource(demo_path)), "validate")
    assert set(result.status(dt.datetime.now())) == {name for name, _ in STATUS_CELLS}


def test_text_that_excel_would_reinterpret_gets_the_quote_prefix():
    assert [excel_value(v) for v in ["=1+1", "+358", "-", "@x", "'a", "12,5", "1.2.2026", "tosi", "Jämsä", ""]] == [
        "'=1+1", "'+358", "'-", "'@x", "''a", "'12,5", "'1.2.2026", "'tosi", "Jämsä", ""
    ]
    assert excel_value(Formula("=SUM(A1:A2)")) == "=SUM(A1:A2)" and excel_value(3.5) == 3.5


class Recorder:
    """Stands in for a COM object where no Windows Excel exists: remembers every property set on it, in order."""

    def __init__(self, **children):
        object.__setattr__(self, "sets", [])
        object.__setattr__(self, "children", children)

    def __getattr__(self, name):
        return self.children[name]

    def __setattr__(self, name, value):
        self.sets.append((name, value))


def test_every_print_setting_reaches_excels_page_setup_on_windows():
    setup = PrintSetup(landscape=True, fit_width=1, fit_height=0, margins=Margins(1.0, 1.5, 2.0, 2.5, 0.5, 0.6),
                       repeat_rows=(3, 4), repeat_columns=("A", "B"), header='&L&"-,Bold"&A&RTulostettu &D',
                       footer="&LTilanne 6/2026&RSivu &P / &N", center_horizontally=True)
    page = Recorder()
    windows_page_setup(page, setup)
    got = dict(page.sets)
    assert (got["PaperSize"], got["Orientation"], got["Zoom"], got["FitToPagesWide"], got["FitToPagesTall"]) == (9, 2, False, 1, False)
    assert [got[m] for m in ("LeftMargin", "RightMargin", "TopMargin", "BottomMargin", "HeaderMargin", "FooterMargin")] == \
        [28.35, 42.52, 56.69, 70.87, 14.17, 17.01]  # points
    assert (got["PrintTitleRows"], got["PrintTitleColumns"]) == ("$3:$4", "$A:$B")
    assert (got["LeftHeader"], got["CenterHeader"], got["RightHeader"]) == ('&"-,Bold"&A', "", "Tulostettu &D")
    assert (got["LeftFooter"], got["RightFooter"]) == ("Tilanne 6/2026", "Sivu &P / &N")
    assert (got["CenterHorizontally"], got["CenterVertically"]) == (True, False)
    scaled = Recorder()
    windows_page_setup(scaled, PrintSetup(scale=85))
    assert ("Zoom", 85) in scaled.sets and not any(name.startswith("FitToPages") for name, _ in scaled.sets)


def test_page_setup_on_windows_is_done_with_print_communication_off(monkeypatch):
    """Excel talks to the printer after every page-setup call unless PrintCommunication is off: off, then on again."""
    from tyollisyys_xl.io import xlwings_book

    app, page = Recorder(), Recorder()
    sheet = Recorder(api=Recorder(PageSetup=page, Tab=Recorder()), book=Recorder(app=Recorder(api=app)))
    xlwings_book._windows_sheet_extras(sheet, SheetSpec("Kortti", print_setup=PrintSetup(), tab_color="2F5597"))
    assert app.sets == [("PrintCommunication", False), ("PrintCommunication", True)]
    assert ("PaperSize", 9) in page.sets and sheet.api.Tab.sets == [("Color", 0x2F + 0x55 * 256 + 0x97 * 65536)]


def test_the_print_area_of_every_sheet_reaches_the_remote_engine(rendered_in_excel):
    specs, per_sheet = rendered_in_excel
    for spec in specs:
        areas = [a["args"][0] for a in per_sheet[spec.name] if a["func"] == "setPrintArea"]
        assert areas == ([spec.print_setup.print_area] if spec.print_setup and spec.print_setup.print_area else []), spec.name
