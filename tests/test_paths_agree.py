"""The report file (XlsxWriter) and the Excel path (xlwings, remote engine) give the same sheets for the same data.

Compared: every value, number format, merged range, chart and print setting that both paths set. The
remote engine sets no page setup but the print area (the others go through COM on Windows; see
test_xlwings_book), so the print area is what is compared here. The cards are copies of the template
in Excel, so their formats there are the template's: once rendered by the button (a master without a
template), once as the builder put it into the master.
"""

from __future__ import annotations

import math
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwings as xw
from defusedxml import ElementTree
from remote_book import actions, book_json, remove_sheet
from test_xlwings_book import actions_by_sheet, excel_view, written_cells

import tyollisyys_xl.excel as excel
from tyollisyys_xl.cli import main
from tyollisyys_xl.core.reports.cards import TEMPLATE_SHEET
from tyollisyys_xl.io.generated import parse_cell

_C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


@pytest.fixture(scope="module")
def both(demo_path, tmp_path_factory):
    """(the report file read with openpyxl, the JobResult and the actions of the same job in Excel, per sheet)."""
    out = tmp_path_factory.mktemp("agree") / "raportti.xlsx"
    assert main(["report", str(demo_path), "--out", str(out), "--with-inputs"]) == 0
    payload = book_json(demo_path)
    remove_sheet(payload, TEMPLATE_SHEET)  # so that the button renders the cards' formats where they can be seen
    book = xw.Book(json=payload)
    result = excel.update_all(book)
    per_sheet = actions_by_sheet(actions(book))
    for spec in result.specs:
        if spec.template is not None:
            per_sheet[spec.name] = per_sheet[spec.template.spec.name] + per_sheet[spec.name]
    return out, openpyxl.load_workbook(out), result, actions(book), per_sheet


def cells(address: str) -> list[tuple[int, int]]:
    first, _, last = address.replace("$", "").partition(":")
    (top, left), (bottom, right) = parse_cell(first), parse_cell(last or first)
    return [(r, c) for r in range(top, bottom + 1) for c in range(left, right + 1)]


def action_cells(action: dict) -> list[tuple[int, int]]:
    return [(action["start_row"] + 1 + r, action["start_column"] + 1 + c)
            for r in range(action["row_count"]) for c in range(action["column_count"])]


def test_every_value_is_the_same(both):
    _, report, result, done, _ = both
    for spec in result.specs:
        ws = report[spec.name]
        in_excel = {k: excel_view(v) for k, v in written_cells(done, spec.name).items()}
        in_file = {(c.row, c.column): excel_view(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
        assert in_file.keys() == in_excel.keys(), spec.name
        for key, value in in_excel.items():
            if isinstance(value, float):
                assert math.isclose(in_file[key], value, rel_tol=1e-14), (spec.name, key)
            else:
                assert in_file[key] == value, (spec.name, key)


def test_every_number_format_is_the_same(both):
    _, report, result, _, per_sheet = both
    checked = 0
    for spec in result.specs:
        expected: dict[tuple[int, int], str] = {}
        for action in per_sheet[spec.name]:
            if action["func"] == "setNumberFormat":
                expected.update({cell: action["args"][0] for cell in action_cells(action)})
        ws = report[spec.name]
        for (row, col), number_format in expected.items():
            assert ws.cell(row, col).number_format == number_format, (spec.name, row, col)
        checked += len(expected)
    assert checked > 1000


def test_merged_ranges_are_the_same(both):
    _, report, result, _, per_sheet = both
    for spec in result.specs:
        in_excel = sorted(action_cells(a) for a in per_sheet[spec.name] if a["func"] == "rangeMerge")
        in_file = sorted(cells(str(r)) for r in report[spec.name].merged_cells.ranges)
        assert in_file == in_excel, spec.name


def chart_series(path: Path, sheet_names: list[str]) -> dict[str, list[tuple[str, list[str], str | None]]]:
    """{sheet: [(chart type, [values range of each series], categories range)]} from the file's drawing parts."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()

        def rels(part: str) -> dict[str, str]:
            folder, _, base = part.rpartition("/")
            rel_part = f"{folder}/_rels/{base}.rels"
            if rel_part not in names:
                return {}
            root = ElementTree.fromstring(archive.read(rel_part))
            return {r.get("Id"): str(Path(folder, r.get("Target")).resolve().relative_to(Path("/").resolve()))
                    if r.get("Target").startswith("/") else _join(folder, r.get("Target")) for r in root}

        charts = {}
        for index, sheet in enumerate(sheet_names, start=1):
            found = []
            for drawing in (t for t in rels(f"xl/worksheets/sheet{index}.xml").values() if "drawing" in t):
                for chart_part in (t for t in rels(drawing).values() if "chart" in t):
                    root = ElementTree.fromstring(archive.read(chart_part))
                    plot = root.find(f"{_C}chart/{_C}plotArea")
                    kind = next(child.tag.removeprefix(_C) for child in plot if child.tag.endswith("Chart"))
                    values = [v.text.split("!")[1] for v in plot.iter(f"{_C}val") for v in v.iter(f"{_C}f")]
                    categories = [c.text.split("!")[1] for c in plot.iter(f"{_C}cat") for c in c.iter(f"{_C}f")]
                    found.append((kind, values, categories[0] if categories else None))
            if found:
                charts[sheet] = found
    return charts


def _join(folder: str, target: str) -> str:
    parts = folder.split("/")
    for piece in target.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


_KINDS = {"LineMarkers": "lineChart", "BarClustered": "barChart", "ColumnClustered": "barChart", "Pie": "pieChart"}


def test_every_chart_plots_the_same_ranges(both):
    out, report, result, _, per_sheet = both
    in_file = chart_series(out, report.sheetnames)
    compared = 0
    for spec in result.specs:
        in_excel = []
        for action in per_sheet[spec.name]:
            if action["func"] == "addChart":
                kind, _, source = action["args"][1:4]
                (top, left), (bottom, right) = (parse_cell(p) for p in source.replace("$", "").split(":"))
                first_values = parse_cell(spec.charts[len(in_excel)].series[0].values.split(":")[0])[0]
                assert top in (first_values, first_values - 1)  # the row above when it holds the series' names
                columns = [f"${_col(c)}${first_values}:${_col(c)}${bottom}" for c in range(left, right + 1)]
                in_excel.append([_KINDS[kind], columns, None])
            elif action["func"] == "setChartXAxisValues":
                in_excel[-1][2] = action["args"][2]
        assert [list(chart) for chart in in_file.get(spec.name, [])] == in_excel, spec.name
        compared += len(in_excel)
    assert compared == sum(len(spec.charts) for spec in result.specs) > 8  # every chart, one per card among them


def _col(index: int) -> str:
    from tyollisyys_xl.core.cells import column_letter

    return column_letter(index)


def test_every_print_area_is_the_same(both):
    _, report, result, _, per_sheet = both
    for spec in result.specs:
        in_excel = [a["args"][0] for a in per_sheet[spec.name] if a["func"] == "setPrintArea"]
        area = report[spec.name].print_area
        assert ([area.split("!")[1].replace("$", "")] if area else []) == in_excel, spec.name


def test_the_masters_template_is_formatted_as_the_reports_cards(master_path, both):
    """The buttons copy the builder's template as it is: its formats are what every card in the report has."""
    _, report, result, _, _ = both
    template = openpyxl.load_workbook(master_path)[TEMPLATE_SHEET]
    card = report[next(s.name for s in result.specs if s.template is not None)]
    for row in card.iter_rows():
        for cell in row:
            mine = template.cell(cell.row, cell.column)
            assert (mine.number_format, mine.font.b, mine.font.sz, mine.fill.fgColor.rgb, mine.border.left.style) == \
                (cell.number_format, cell.font.b, cell.font.sz, cell.fill.fgColor.rgb, cell.border.left.style), cell.coordinate
    assert template.print_area == card.print_area.replace(card.title, TEMPLATE_SHEET)
    assert (template.page_setup.orientation, template.page_setup.fitToHeight) == (card.page_setup.orientation, card.page_setup.fitToHeight)
    assert [d.width for d in template.column_dimensions.values()] == [d.width for d in card.column_dimensions.values()]
