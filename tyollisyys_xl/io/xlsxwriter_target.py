"""Render SheetSpecs into a new .xlsx with XlsxWriter: the headless report file, and the card template of the master.

Why XlsxWriter, not openpyxl (docs/report.md): it writes a new file only, which is all the report needs (the
master is read once, with calamine, and never saved); it is several times faster and lighter than
building an openpyxl workbook in memory; and its output is byte-deterministic, as the builder needs.

XlsxWriter writes each cell once with its final format, so a spec's styles are resolved per cell here: a
later style wins property by property, as when formats are applied one after another in Excel. Sheets
with the same styles (the municipality cards) share one resolution.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from tyollisyys_xl.core.cells import column_letter
from tyollisyys_xl.core.reports.printing import DEFAULT_FONT, LINE_POINTS, row_height, wrapped_lines
from tyollisyys_xl.core.sheetspec import CM_PER_INCH, Chart, ConditionalFormat, Formula, PrintSetup, SheetSpec, Style
from tyollisyys_xl.io.generated import (
    DEMO_NAME,
    GENERATED_NAME,
    cf_operand,
    column_index,
    equal_runs,
    marker_reference,
    parse_cell,
    quote_sheet,
    sheet_cells,
)

WORKBOOK_OPTIONS = {
    "in_memory": True,  # no temporary files: the package is assembled in memory and written once
    "strings_to_numbers": False,
    "strings_to_formulas": False,  # user text that starts with "=" stays text
    "strings_to_urls": False,
    "nan_inf_to_errors": True,
}
BORDER_COLOUR = "#A6A6A6"
DATE_FORMAT = "d.m.yyyy"
DATETIME_FORMAT = "d.m.yyyy h:mm"
PIXELS_PER_CM = 96 / CM_PER_INCH
CHART_TITLE_SIZE, CHART_TEXT_SIZE = 12, 11
DEFAULT_WIDTH = 8.43  # Excel's default column width in characters
_CRITERIA = {
    "between": "between",
    "notBetween": "not between",
    "equal": "==",
    "notEqual": "!=",
    "greaterThan": ">",
    "lessThan": "<",
    "greaterThanOrEqual": ">=",
    "lessThanOrEqual": "<=",
}
_ICON_STYLES = {  # Excel's name -> XlsxWriter's
    "3Arrows": "3_arrows", "3ArrowsGray": "3_arrows_gray", "3Flags": "3_flags", "3TrafficLights1": "3_traffic_lights",
    "3TrafficLights": "3_traffic_lights", "3TrafficLights2": "3_traffic_lights_rimmed", "3Signs": "3_signs",
    "3Symbols": "3_symbols_circled", "3Symbols2": "3_symbols", "4Arrows": "4_arrows", "4ArrowsGray": "4_arrows_gray",
    "4RedToBlack": "4_red_to_black", "4Rating": "4_ratings", "4TrafficLights": "4_traffic_lights",
    "5Arrows": "5_arrows", "5ArrowsGray": "5_arrows_gray", "5Quarters": "5_quarters", "5Rating": "5_ratings",
}  # fmt: skip
_STYLE_FIELDS = ("number_format", "bold", "italic", "font_size", "font_color", "fill", "wrap", "align", "border")


_TEXT_LITERAL = re.compile(r'"(?:[^"]|"")*"')


class _Worksheet(Worksheet):
    """XlsxWriter's worksheet, except that a formula that is one quoted text (a status colour's condition
    "● Saavutettu") is written as it is. XlsxWriter runs about 140 regular expressions over each conditional
    format's formula to prefix Excel's newer functions; a text calls no function (and the prefixing could only
    change its letters), and at national scale those runs were a tenth of writing the file."""

    def _prepare_formula(self, formula, expand_future_functions=False):
        if _TEXT_LITERAL.fullmatch(formula):
            return formula
        return super()._prepare_formula(formula, expand_future_functions)


@lru_cache(maxsize=4096)  # every card names the same ranges
def _bounds(address: str, extent: tuple[int, int]) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of "B2:D9", "B2", "A:C" or "3:5"; whole rows or columns end at extent."""
    first, _, last = address.replace("$", "").partition(":")
    last = last or first
    if first.isalpha():  # columns
        return 1, column_index(first), extent[0], column_index(last)
    if first.isdigit():  # rows
        return int(first), 1, int(last), extent[1]
    (r1, c1), (r2, c2) = parse_cell(first), parse_cell(last)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def _style_props(styles: Iterable[Style]) -> dict[str, Any]:
    """The format of a cell that the styles cover, applied in order: each sets only what it names."""
    props: dict[str, Any] = {}
    for style in styles:
        if style.number_format:
            props["num_format"] = style.number_format
        if style.bold:
            props["bold"] = True
        if style.italic:
            props["italic"] = True
        if style.font_size:
            props["font_size"] = style.font_size
        if style.font_color:
            props["font_color"] = "#" + style.font_color
        if style.fill:
            props["bg_color"], props["pattern"] = "#" + style.fill, 1
        if style.wrap:
            props["text_wrap"] = True
        if style.align:
            props["align"] = style.align
        if style.border:
            props["border"], props["border_color"] = 1, BORDER_COLOUR
    return props


class SheetWriter:
    """Adds SheetSpecs as worksheets of one XlsxWriter Workbook; formats are made once per workbook."""

    def __init__(self, book: Workbook):
        self.book = book
        self._formats: dict[tuple, Any] = {}
        self._layouts: dict[tuple[int, tuple[int, int]], dict[tuple[int, int], Any]] = {}
        self._pinned: list[list[Style]] = []

    def format(self, **props: Any):
        key = tuple(sorted(props.items()))
        if key not in self._formats:
            self._formats[key] = self.book.add_format(props) if props else None
        return self._formats[key]

    def add(self, spec: SheetSpec, *, mark: bool = True, sheets: Iterable[str] | None = None) -> Worksheet:
        """Render spec as a new worksheet at the end. mark: give it the tool's generated-sheet mark;
        sheets: every sheet the file will hold (links to others become text), None = all are there."""
        ws = self.book.add_worksheet(spec.name, worksheet_class=_Worksheet)
        self.render(ws, spec, mark=mark, sheets=sheets)
        return ws

    def render(self, ws: Worksheet, spec: SheetSpec, *, mark: bool = True, sheets: Iterable[str] | None = None) -> None:
        """Render spec into an empty worksheet of this workbook named spec.name (see add)."""
        cells = sheet_cells(spec, sheets)
        formats = self._cell_formats(spec, cells)
        for address in spec.merged_ranges:  # first: the cells' own writes then fill in the top-left value
            top, left, bottom, right = _bounds(address, (1, 1))
            ws.merge_range(top - 1, left - 1, bottom - 1, right - 1, "", formats.get((top, left)))
        self._write_cells(ws, cells, formats)
        widths = {column_index(letter): width for letter, width in spec.column_widths.items()}
        for first, last, width in equal_runs(widths):
            ws.set_column(first - 1, last - 1, width)
        for row, height in sorted((spec.row_heights | _fitted_heights(spec, cells, formats)).items()):
            ws.set_row(row - 1, height)
        for rule in spec.conditional_formats:
            ws.conditional_format(rule.range.replace("$", ""), self._conditional_format(rule))
        for chart in spec.charts:
            self._chart(ws, spec.name, chart)
        if spec.freeze:
            row, col = parse_cell(spec.freeze)
            ws.freeze_panes(row - 1, col - 1)
        if spec.print_setup:
            print_setup(ws, spec.print_setup)
        if spec.tab_color:
            ws.set_tab_color("#" + spec.tab_color)
        if spec.hidden:
            ws.hide()
        if mark:
            self.book.define_name(f"{quote_sheet(spec.name)}!{GENERATED_NAME}", marker_reference(spec.name))

    # -- cells ---------------------------------------------------------------------------------
    def _cell_formats(self, spec: SheetSpec, cells: Mapping[tuple[int, int], Any]) -> dict[tuple[int, int], Any]:
        """{cell: format} for every styled cell; sheets with the same styles share one resolution."""
        if not spec.styles:
            return {}
        extent = (max((r for r, _ in cells), default=1), max((c for _, c in cells), default=1))
        # Cards share their template's list of styles: one resolution for all of them. The list is kept
        # alive here, so that its id cannot be reused while this writer lives.
        key = (id(spec.styles), extent)
        if key not in self._layouts:
            self._pinned.append(spec.styles)
            covering: dict[tuple[int, int], tuple[int, ...]] = {}
            for index, style in enumerate(spec.styles):
                top, left, bottom, right = _bounds(style.range, extent)
                for row in range(top, bottom + 1):
                    for col in range(left, right + 1):
                        covering[(row, col)] = covering.get((row, col), ()) + (index,)
            by_styles = {
                styles: self.format(**_style_props(spec.styles[i] for i in styles)) for styles in set(covering.values())
            }
            self._layouts[key] = {cell: by_styles[styles] for cell, styles in covering.items()}
        return self._layouts[key]

    def _write_cells(self, ws: Worksheet, cells: Mapping[tuple[int, int], Any], formats: Mapping) -> None:
        """Each value with the writer of its type: text stays text, only Formula objects become formulas."""
        write_string, write_number, write_blank = ws.write_string, ws.write_number, ws.write_blank
        for (row, col), value in cells.items():
            fmt = formats.get((row, col))
            kind = type(value)
            if kind is str:
                write_string(row - 1, col - 1, value, fmt)
            elif kind is float or kind is int:
                write_number(row - 1, col - 1, value, fmt)
            elif value is None:
                if fmt is not None:
                    write_blank(row - 1, col - 1, None, fmt)
            elif kind is bool:
                ws.write_boolean(row - 1, col - 1, value, fmt)
            elif isinstance(value, Formula):
                cached = "" if value.cached is None else value.cached
                ws.write_formula(row - 1, col - 1, value.text, fmt, cached)
            elif isinstance(value, (date, datetime)):
                ws.write_datetime(row - 1, col - 1, value, fmt or self._date_format(value))
            elif isinstance(value, (int, float)):
                write_number(row - 1, col - 1, value, fmt)
            else:
                write_string(row - 1, col - 1, str(value), fmt)
        for cell in formats.keys() - cells.keys():  # formatted but empty, e.g. a bordered blank
            write_blank(cell[0] - 1, cell[1] - 1, None, formats[cell])

    def _date_format(self, value: date):
        return self.format(num_format=DATETIME_FORMAT if isinstance(value, datetime) and value.time() != datetime.min.time() else DATE_FORMAT)

    # -- conditional formats and charts --------------------------------------------------------
    def _conditional_format(self, rule: ConditionalFormat) -> dict[str, Any]:
        looks = {}
        if rule.fill:
            looks["bg_color"] = "#" + rule.fill
        if rule.font_color:
            looks["font_color"] = "#" + rule.font_color
        if rule.bold:
            looks["bold"] = True
        fmt = {"format": self.book.add_format(looks)} if looks else {}
        if rule.kind == "cell_is":
            operands = [cf_operand(v) for v in rule.values]
            if rule.operator in ("between", "notBetween"):
                return {"type": "cell", "criteria": _CRITERIA[rule.operator], "minimum": operands[0], "maximum": operands[1], **fmt}
            return {"type": "cell", "criteria": _CRITERIA[rule.operator], "value": operands[0], **fmt}
        if rule.kind == "text":
            return {"type": "cell", "criteria": "==", "value": cf_operand(str(rule.values[0])), **fmt}
        if rule.kind == "formula":
            return {"type": "formula", "criteria": rule.values[0], **fmt}
        if rule.kind == "icon_set":
            icons = [{"type": "number", "value": value} for value in reversed(rule.values)]
            return {"type": "icon_set", "icon_style": _ICON_STYLES[rule.icon_style], "icons": icons}
        if rule.kind == "data_bar":
            bar = {"type": "data_bar", "bar_color": "#" + (rule.fill or "638EC6")}
            if rule.values:
                low, high = rule.values
                bar |= {"min_type": "num", "min_value": low, "max_type": "num", "max_value": high}
            return bar
        if rule.kind == "color_scale":
            colours = ["#" + colour for colour in rule.values]
            if len(colours) == 3:
                return {"type": "3_color_scale", "min_color": colours[0], "mid_color": colours[1], "max_color": colours[2]}
            return {"type": "2_color_scale", "min_color": colours[0], "max_color": colours[1]}
        raise ValueError(f"unknown conditional format kind {rule.kind!r}")

    def _chart(self, ws: Worksheet, sheet: str, spec: Chart) -> None:
        chart = self.book.add_chart({"type": spec.kind})
        for series in spec.series:
            options: dict[str, Any] = {"name": series.name, "values": _reference(sheet, series.values)}
            if series.categories:
                options["categories"] = _reference(sheet, series.categories)
            if spec.kind == "line":
                options["smooth"] = False
                options["marker"] = {"type": series.marker or "automatic"}
                options["line"] = {"dash_type": series.dash} | ({"color": "#" + series.color} if series.color else {})
                if series.color and series.marker not in (None, "none"):
                    options["marker"] |= {"border": {"color": "#" + series.color}, "fill": {"color": "#" + series.color}}
            elif series.color:
                options["fill"] = {"color": "#" + series.color}
            chart.add_series(options)
        # Chart text as large as the cells' (a chart's own default is 10 pt or less): still 8 pt or more on a
        # page fitted to A4 (core/reports/printing.py).
        chart.set_title({"name": spec.title, "name_font": {"size": CHART_TITLE_SIZE}})
        chart.set_legend({"font": {"size": CHART_TEXT_SIZE}})
        if spec.kind != "pie":
            # XlsxWriter's x axis is the category axis, except in a bar chart, where it is the value axis.
            category, value = ({}, {}) if spec.kind != "bar" else ({"reverse": True, "crossing": "max"}, {})
            if spec.value_format:
                value["num_format"] = spec.value_format
            if spec.y_title:
                value["name"] = spec.y_title
            if spec.x_title:
                category["name"] = spec.x_title
            text = {"num_font": {"size": CHART_TEXT_SIZE}, "name_font": {"size": CHART_TEXT_SIZE}}
            x_axis, y_axis = (value, category) if spec.kind == "bar" else (category, value)
            chart.set_x_axis(text | x_axis)
            chart.set_y_axis(text | y_axis)
        chart.set_size({"width": round(spec.width_cm * PIXELS_PER_CM), "height": round(spec.height_cm * PIXELS_PER_CM)})
        row, col = parse_cell(spec.anchor)
        ws.insert_chart(row - 1, col - 1, chart)


def _fitted_heights(spec: SheetSpec, cells: Mapping[tuple[int, int], Any], formats: Mapping) -> dict[int, float]:
    """Rows tall enough for their wrapped text, where the spec sets no height.

    Excel grows such a row itself, on opening the file and when the buttons write into it; LibreOffice and
    other readers take the height the file gives. So the file gives the height Excel would (estimated with
    core/reports/printing.py): the wrapped text of a report is never cut, on screen or on paper.
    """
    merged = {(top, left) for top, left, _, _ in (_bounds(a, (1, 1)) for a in spec.merged_ranges)}
    heights: dict[int, float] = {}
    for (row, col), value in cells.items():
        fmt = formats.get((row, col))
        if type(value) is not str or fmt is None or not fmt.text_wrap or row in spec.row_heights or (row, col) in merged:
            continue
        font = fmt.font_size or DEFAULT_FONT
        width = spec.column_widths.get(column_letter(col), DEFAULT_WIDTH)
        height = row_height(wrapped_lines(value, width, font, bool(fmt.bold)), font)
        if height > heights.get(row, LINE_POINTS):
            heights[row] = height
    return heights


def _reference(sheet: str, address: str) -> list:
    top, left, bottom, right = _bounds(address, (1, 1))
    return [sheet, top - 1, left - 1, bottom - 1, right - 1]


def _inches(cm: float) -> float:
    return round(cm / CM_PER_INCH, 4)


def print_setup(ws: Worksheet, setup: PrintSetup) -> None:
    """Every PrintSetup field into the sheet's page setup."""
    ws.set_paper(9)  # A4
    if setup.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    if setup.scale:
        ws.set_print_scale(setup.scale)
    else:
        ws.fit_to_pages(setup.fit_width, setup.fit_height)
    margins = setup.margins
    ws.set_margins(left=_inches(margins.left), right=_inches(margins.right), top=_inches(margins.top),
                   bottom=_inches(margins.bottom))
    ws.set_header(setup.header or "", {"margin": _inches(margins.header)})
    ws.set_footer(setup.footer or "", {"margin": _inches(margins.footer)})
    if setup.repeat_rows:
        ws.repeat_rows(setup.repeat_rows[0] - 1, setup.repeat_rows[1] - 1)
    if setup.repeat_columns:
        ws.repeat_columns(f"{setup.repeat_columns[0]}:{setup.repeat_columns[1]}")
    if setup.print_area:
        ws.print_area(setup.print_area.replace("$", ""))
    if setup.center_horizontally:
        ws.center_horizontally()
    if setup.center_vertically:
        ws.center_vertically()


def write_xlsx(
    out: str | Path | BinaryIO,
    specs: Sequence[SheetSpec],
    generated: Container[str],
    properties: Mapping[str, Any] | None = None,
    demo: bool = False,
) -> None:
    """A new workbook of these sheets in this order; those named in generated get the tool's mark. demo: the
    data is fictional, and the file says so as the demo master does (a workbook name), so that a report of
    this report marks its pages too."""
    book = xlsxwriter.Workbook(out if not isinstance(out, Path) else str(out), WORKBOOK_OPTIONS)
    if properties:
        book.set_properties(dict(properties))
    writer = SheetWriter(book)
    names = [spec.name for spec in specs]
    sheets = [writer.add(spec, mark=spec.name in generated, sheets=names) for spec in specs]
    if demo and specs:
        book.define_name(DEMO_NAME, f"={quote_sheet(specs[0].name)}!$A$1")
    visible = next((ws for ws, spec in zip(sheets, specs) if not spec.hidden), None)
    if visible is not None:
        visible.activate()
    book.close()

