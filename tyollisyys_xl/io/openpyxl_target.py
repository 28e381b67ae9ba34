"""Render SheetSpecs into an openpyxl Workbook: the headless writer (CLI `report`, CI, tests).

The same layout decisions as the Excel path come from tyollisyys_xl.io.generated, so both give the
same cells. This module never saves anything: the caller saves to a new file, never over the
master, because a load and save with openpyxl drops form buttons and some data validation and
conditional-format extensions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from copy import copy
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference, Series
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, DataBarRule, FormulaRule, IconSet, Rule
from openpyxl.formatting.rule import FormatObject as Cfvo
from openpyxl.styles import Border, Font, PatternFill, Side
from openpyxl.utils.cell import range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from tyollisyys_xl.core.sheetspec import Chart, ConditionalFormat, Formula, PrintSetup, SheetSpec, Style
from tyollisyys_xl.io.generated import (
    GENERATED_NAME,
    HIGHLIGHT_SHEET,
    cf_operand,
    check_sheet_names,
    coalesce_styles,
    fill_changes,
    header_sections,
    highlight_state_spec,
    marker_reference,
    placement,
    read_highlight_state,
    sheet_cells,
)

_THIN = Side(style="thin", color="A6A6A6")


def is_generated(ws: Worksheet) -> bool:
    return GENERATED_NAME in ws.defined_names


def mark_generated(ws: Worksheet) -> None:
    """Give the sheet the tool's mark (a sheet-scoped defined name) so a later run may replace it."""
    ws.defined_names[GENERATED_NAME] = DefinedName(GENERATED_NAME, attr_text=marker_reference(ws.title)[1:])


class OpenpyxlTarget:
    """A WorkbookTarget over an openpyxl Workbook held in memory."""

    def __init__(self, workbook: Workbook):
        self.workbook = workbook

    def sheet_names(self) -> list[str]:
        return self.workbook.sheetnames

    def generated_sheets(self) -> list[str]:
        return [ws.title for ws in self.workbook.worksheets if is_generated(ws)]

    def replace_generated_sheets(self, specs: list[SheetSpec]) -> None:
        wb = self.workbook
        existing, generated = wb.sheetnames, self.generated_sheets()
        check_sheet_names(specs, existing, generated)
        wanted = {spec.name.casefold() for spec in specs}
        removed = [name for name in generated if name.casefold() in wanted]
        anchor = placement(existing, removed)
        active = wb.active.title if wb.active is not None else None
        for name in removed:
            wb.remove(wb[name])
        index = wb.sheetnames.index(anchor) + 1 if anchor else 0
        for offset, spec in enumerate(specs):
            render_sheet(wb.create_sheet(spec.name, index + offset), spec)
        wb.active = wb[active] if active in wb.sheetnames else 0

    def write_named_cells(self, values: Mapping[str, Any]) -> None:
        """Write status values into the workbook's named cells (Ohjaus); names that do not exist are skipped."""
        for name, value in values.items():
            defined = self.workbook.defined_names.get(name)
            for sheet, reference in defined.destinations if defined else ():
                cell = self.workbook[sheet][reference.replace("$", "")]
                _write_value(cell, value)
                if isinstance(value, dt.datetime):
                    cell.number_format = "d.m.yyyy h:mm"

    def highlight_cells(self, fills: Mapping[str, Mapping[str, str]]) -> None:
        wb = self.workbook
        generated = set(self.generated_sheets())
        state_values = [list(row) for row in wb[HIGHLIGHT_SHEET].values] if HIGHLIGHT_SHEET in generated else None
        inputs = [name for name in wb.sheetnames if name not in generated]
        for sheet, changes in fill_changes(read_highlight_state(state_values), fills, inputs).items():
            ws = wb[sheet]
            for (row, col), colour in changes.items():
                ws.cell(row, col).fill = _solid(colour) if colour else PatternFill(fill_type=None)
        self.replace_generated_sheets([highlight_state_spec({s: fills[s] for s in inputs if s in fills})])


def render_sheet(ws: Worksheet, spec: SheetSpec) -> None:
    """Write one spec into an empty worksheet: values, formats, conditional formats, charts, view, print."""
    for (row, col), value in sheet_cells(spec).items():
        _write_value(ws.cell(row, col), value)
    for style in coalesce_styles(spec.styles):
        _apply_style(ws, style)
    for letter, width in spec.column_widths.items():
        ws.column_dimensions[letter].width = width
    for row, height in spec.row_heights.items():
        ws.row_dimensions[row].height = height
    for rule in spec.conditional_formats:
        ws.conditional_formatting.add(rule.range, _cf_rule(rule))
    for chart in spec.charts:
        ws.add_chart(_chart(ws, chart), chart.anchor)
    if spec.freeze:
        ws.freeze_panes = spec.freeze
    if spec.print_setup:
        _apply_print_setup(ws, spec.print_setup)
    if spec.tab_color:
        ws.sheet_properties.tabColor = spec.tab_color
    if spec.hidden:
        ws.sheet_state = "hidden"
    mark_generated(ws)


def _write_value(cell, value: Any) -> None:
    """Only Formula objects become formulas; any text, even '=...', stays text."""
    if isinstance(value, Formula):
        cell.value = value.text if value.text.startswith("=") else "=" + value.text
    else:
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"


def _solid(colour: str) -> PatternFill:
    return PatternFill(fill_type="solid", start_color=colour, end_color=colour)


def _cells(ws: Worksheet, address: str) -> Iterable:
    min_col, min_row, max_col, max_row = range_boundaries(address)
    return (
        cell
        for row in ws.iter_rows(
            min_row=min_row or 1,
            max_row=max_row or max(ws.max_row, 1),
            min_col=min_col or 1,
            max_col=max_col or max(ws.max_column, 1),
        )
        for cell in row
    )


def _apply_style(ws: Worksheet, style: Style) -> None:
    font_changes = {
        key: value
        for key, value in (
            ("b", style.bold or None),
            ("i", style.italic or None),
            ("sz", style.font_size),
            ("color", style.font_color),
        )
        if value is not None
    }
    fill = _solid(style.fill) if style.fill else None
    border = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN) if style.border else None
    # Registering a format with the workbook is slow; cells that start alike end alike, so the
    # result for one cell is reused for the rest (openpyxl keeps a cell's format as an index array).
    done = {}
    for cell in _cells(ws, style.range):
        before = tuple(cell._style or ())
        if before in done:
            cell._style = copy(done[before])
            continue
        if style.number_format:
            cell.number_format = style.number_format
        if font_changes:
            font = copy(cell.font)
            for key, value in font_changes.items():
                setattr(font, key, value)
            cell.font = font
        if fill:
            cell.fill = fill
        if style.wrap or style.align:
            alignment = copy(cell.alignment)
            alignment.wrap_text = style.wrap or alignment.wrap_text
            alignment.horizontal = style.align or alignment.horizontal
            cell.alignment = alignment
        if border:
            cell.border = border
        done[before] = copy(cell._style)


def _cf_rule(rule: ConditionalFormat) -> Rule:
    fill = _solid(rule.fill) if rule.fill else None
    font = Font(color=rule.font_color, b=rule.bold or None) if rule.font_color or rule.bold else None
    if rule.kind == "cell_is":
        return CellIsRule(operator=rule.operator, formula=[cf_operand(v) for v in rule.values], fill=fill, font=font)
    if rule.kind == "text":
        return CellIsRule(operator="equal", formula=[cf_operand(str(rule.values[0]))], fill=fill, font=font)
    if rule.kind == "formula":
        return FormulaRule(formula=[rule.values[0].removeprefix("=")], fill=fill, font=font)
    if rule.kind == "icon_set":
        thresholds = [Cfvo(type="percent", val=0)] + [Cfvo(type="num", val=v) for v in rule.values]
        return Rule(type="iconSet", iconSet=IconSet(iconSet=rule.icon_style, cfvo=thresholds))
    if rule.kind == "data_bar":
        if rule.values:
            low, high = rule.values
            return DataBarRule(start_type="num", start_value=low, end_type="num", end_value=high, color=rule.fill)
        return DataBarRule(start_type="min", end_type="max", color=rule.fill)
    if rule.kind == "color_scale":
        colours = list(rule.values)
        if len(colours) == 3:
            return ColorScaleRule(
                start_type="min", start_color=colours[0],
                mid_type="percentile", mid_value=50, mid_color=colours[1],
                end_type="max", end_color=colours[2],
            )  # fmt: skip
        return ColorScaleRule(start_type="min", start_color=colours[0], end_type="max", end_color=colours[1])
    raise ValueError(f"unknown conditional format kind {rule.kind!r}")


def _reference(ws: Worksheet, address: str) -> Reference:
    min_col, min_row, max_col, max_row = range_boundaries(address)
    return Reference(ws, min_col=min_col, min_row=min_row, max_col=max_col, max_row=max_row)


def _chart(ws: Worksheet, spec: Chart):
    if spec.kind == "line":
        chart = LineChart()
    elif spec.kind == "pie":
        chart = PieChart()
    else:
        chart = BarChart()
        chart.type = "col" if spec.kind == "column" else "bar"
    chart.title = spec.title
    chart.width, chart.height = spec.width_cm, spec.height_cm
    for series in spec.series:
        chart.series.append(Series(_reference(ws, series.values), title=series.name))
    categories = next((s.categories for s in spec.series if s.categories), None)
    if categories:
        chart.set_categories(_reference(ws, categories))
    if spec.kind != "pie":
        chart.x_axis.delete = False  # openpyxl 3.1 hides axes unless told otherwise
        chart.y_axis.delete = False
        chart.y_axis.title = spec.y_title
        chart.x_axis.title = spec.x_title
    return chart


def _apply_print_setup(ws: Worksheet, setup: PrintSetup) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if setup.landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = setup.fit_width
    ws.page_setup.fitToHeight = setup.fit_height
    if setup.header:
        for side, text in header_sections(setup.header).items():
            getattr(ws.oddHeader, side).text = text or None
    if setup.print_area:
        ws.print_area = setup.print_area
