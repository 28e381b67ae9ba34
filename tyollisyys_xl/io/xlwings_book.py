"""An xlwings Book as WorkbookSource and WorkbookTarget: the path inside Excel (buttons).

Every call to Excel is slow, so the number of calls never depends on the data: one read per sheet,
one values write per generated sheet (the whole sheet as one 2-D block, links as HYPERLINK
formulas inside it), a fixed handful per style, conditional format and chart of a spec, and a few
rectangles for all highlights together. A sheet made from a template (the municipality cards) is a
copy of the hidden template sheet, renamed, shown and given its values: four calls (five when an
older copy is deleted first), however many formats it has. A missing or stale template (its A1 stamp
differs from the layout's) is rendered anew first, once per run.

Works on every xlwings engine through the public API: desktop Excel (Windows/Mac, COM/AppleScript)
and the remote engine (xlwings Server/Lite; tests use `xw.Book(json=...)`). A client that cannot do a
formatting feature raises NotImplementedError; the feature is then skipped, never the values (see
docs/excel.md for the list).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import xlwings as xw

from tyollisyys_xl.core.sheetspec import (
    CM_PER_INCH,
    Chart,
    ConditionalFormat,
    Formula,
    PrintSetup,
    Series,
    SheetSpec,
    SheetTemplate,
    Style,
)
from tyollisyys_xl.io.generated import (
    DEMO_NAME,
    GENERATED_NAME,
    HIGHLIGHT_SHEET,
    GeneratedSheetConflict,
    cf_operand,
    coalesce_styles,
    column_index,
    dense_block,
    equal_runs,
    fill_bands,
    frozen_range,
    header_sections,
    marker_reference,
    parse_cell,
    plan_highlights,
    plan_replacement,
    sheet_cells,
)

# Excel would turn such text into a formula, number, date or boolean when written as a value;
# a leading apostrophe (Excel's quote prefix) keeps it text and is not part of the cell's value.
_TEXT_PREFIX_TRIGGERS = ("=", "+", "-", "@", "'")
_LOOKS_NUMERIC = re.compile(r"^[\s\d.,:/%€$()eE+\-]*\d[\s\d.,:/%€$()eE+\-]*$")
_BOOLEAN_WORDS = {"TRUE", "FALSE", "TOSI", "EPÄTOSI"}

_CF_OPERATORS = {
    "between": "between",
    "notBetween": "not_between",
    "equal": "equal_to",
    "notEqual": "not_equal_to",
    "greaterThan": "greater_than",
    "lessThan": "less_than",
    "greaterThanOrEqual": "greater_than_or_equal",
    "lessThanOrEqual": "less_than_or_equal",
}
_CHART_TYPES = {"line": "line_markers", "bar": "bar_clustered", "column": "column_clustered", "pie": "pie"}


def excel_value(value: Any) -> Any:
    """A clean cell value as Excel must receive it in a values write."""
    if isinstance(value, Formula):
        return value.text if value.text.startswith("=") else "=" + value.text
    if isinstance(value, str) and value and (
        value.startswith(_TEXT_PREFIX_TRIGGERS) or _LOOKS_NUMERIC.match(value) or value.upper() in _BOOLEAN_WORDS
    ):
        return "'" + value
    return value


def icon_set_name(excel_name: str) -> str:
    """Excel's icon set name ('3TrafficLights1') as xlwings spells it ('3_traffic_lights_1')."""
    return re.sub(r"(?<!^)(?=[A-Z])|(?<=[a-z])(?=\d)", "_", excel_name).lower()


def _optional(action: Callable[[], Any]) -> None:
    """Run a formatting call the client may not support; without it the sheet still has every value."""
    try:
        action()
    except NotImplementedError:
        pass


class XlwingsBook:
    """WorkbookSource and WorkbookTarget over an xlwings Book."""

    def __init__(self, book: xw.Book):
        self.book = book
        self.remote = book.app.engine.name == "remote"
        # Desktop Excel and the Office.js client copy sheets; the other remote clients (Office Scripts,
        # Google Sheets) have no sheet copy, so there a template's copies are rendered whole instead.
        self.copies_sheets = not self.remote or book.api.get("client") == "Office.js"
        self._generated: list[str] | None = None  # read once, then kept up to date by our own writes
        self._templates: dict[str, xw.Sheet] = {}  # stamp -> the template sheet checked or rendered in this run

    # -- reading -------------------------------------------------------------------------------
    def sheet_names(self) -> list[str]:
        return [sheet.name for sheet in self.book.sheets]

    def sheet_values(self, name: str) -> list[list[Any]]:
        sheet = self.book.sheets[name]
        last = sheet.used_range.last_cell
        return sheet.range((1, 1), (last.row, last.column)).options(ndim=2).value

    def generated_sheets(self) -> list[str]:
        """The sheets carrying the tool's mark, looked up once (each lookup is a round of calls in Excel)."""
        if self._generated is None:
            self._generated = [
                sheet.name
                for sheet in self.book.sheets
                if any(name.name.rsplit("!", 1)[-1] == GENERATED_NAME for name in sheet.names)
            ]
        return list(self._generated)

    def is_demo(self) -> bool:
        """True when the workbook carries the demo generator's name (it holds fictional data): one call."""
        return any(name.name == DEMO_NAME for name in self.book.names)

    # -- writing -------------------------------------------------------------------------------
    def replace_generated_sheets(self, specs: list[SheetSpec]) -> None:
        existing, generated = self.sheet_names(), self.generated_sheets()
        plan = plan_replacement([spec.name for spec in specs], existing, generated)
        for name in plan.remove:
            self.book.sheets[name].delete()
        self._generated = [name for name in generated if name not in plan.remove]
        previous = self.book.sheets[plan.after] if plan.after else None
        for spec in specs:
            if spec.template is not None and self.copies_sheets:
                sheet = self._copy(self._template(spec.template), previous, spec)
            else:
                place = {"after": previous} if previous is not None else {"before": self.book.sheets[0]}
                sheet = self.book.sheets.add(name=spec.name, **place)
                self._render(sheet, spec)
            self._generated.append(spec.name)
            previous = sheet

    def highlight_cells(self, fills: Mapping[str, Mapping[str, str]]) -> None:
        generated = self.generated_sheets()
        memory = self.sheet_values(HIGHLIGHT_SHEET) if HIGHLIGHT_SHEET in generated else None
        plan = plan_highlights(memory, fills, self.sheet_names(), generated)
        for sheet_name, changes in plan.changes.items():
            sheet = self.book.sheets[sheet_name]
            for top, left, matrix in fill_bands(changes):
                colours = [[c if c in (None, ...) else "#" + c for c in row] for row in matrix]
                bottom_right = (top + len(matrix) - 1, left + len(matrix[0]) - 1)
                sheet.range((top, left), bottom_right).set_colors(colours)
        self.replace_generated_sheets([plan.memory])

    def write_named_cells(self, values: Mapping[str, Any]) -> None:
        """Write status values into the workbook's named cells (Ohjaus); names that do not exist are skipped."""
        known = {name.name for name in self.book.names}
        for name, value in values.items():
            if name in known:
                self.book.names[name].refers_to_range.value = excel_value(value)

    def pending_writes(self) -> int | None:
        """How many writes the remote engine holds back (None for desktop Excel, which writes at once)."""
        return len(self.book.json()["actions"]) if self.remote else None

    def discard_writes_after(self, mark: int | None) -> None:
        """Drop the writes queued after mark, so a failed run sends nothing half-done to the client."""
        if mark is not None:
            del self.book.json()["actions"][mark:]

    def alert(self, message: str, title: str) -> None:
        self.book.app.alert(message, title=title, mode="critical")

    # -- sheets from a template ----------------------------------------------------------------
    def _template(self, template: SheetTemplate) -> xw.Sheet:
        """The hidden template sheet, rendered anew (at the end) when it is missing or its stamp is not the layout's."""
        if template.stamp in self._templates:
            return self._templates[template.stamp]
        self._templates[template.stamp] = sheet = self._current_template(template)
        return sheet

    def _current_template(self, template: SheetTemplate) -> xw.Sheet:
        name = template.spec.name
        current = next((n for n in self.sheet_names() if n.casefold() == name.casefold()), None)
        if current is not None:
            if current not in self.generated_sheets():
                raise GeneratedSheetConflict(name)
            sheet = self.book.sheets[current]
            if template.stamp in str(sheet.range("A1").value or ""):
                return sheet
            sheet.delete()
            self._generated.remove(current)
        sheet = self.book.sheets.add(name=name, after=self.book.sheets[-1])
        self._render(sheet, template.spec)
        self._generated.append(name)
        return sheet

    def _copy(self, template: xw.Sheet, previous: xw.Sheet | None, spec: SheetSpec) -> xw.Sheet:
        """A copy of the template after previous, named and shown, with the spec's values: four calls.

        The copy carries the template's formats, chart, print setup and sheet-scoped names (the tool's
        mark among them): Excel moves a chart's and a name's references to the sheet they were copied
        with. The public Sheet.copy finds the copy by comparing every sheet's name before and after, a
        call per sheet in Excel; the engine's own copy and the known position of the copy avoid that.
        """
        if previous is None:
            template.impl.copy(before=self.book.sheets[0].impl, after=None)
            index = 0
        else:
            template.impl.copy(before=None, after=previous.impl)
            index = previous.index  # 1-based position of previous = 0-based position of its copy
        sheet = self.book.sheets[index]
        sheet.name = spec.name
        sheet.visible = not spec.hidden
        self._write_values(sheet, sheet_cells(spec))
        return sheet

    # -- one sheet -----------------------------------------------------------------------------
    @staticmethod
    def _write_values(sheet: xw.Sheet, cells: Mapping[tuple[int, int], Any]) -> None:
        block = dense_block(cells)
        if block:
            sheet.range((block.row, block.col)).value = [[excel_value(v) for v in row] for row in block.values]

    def _render(self, sheet: xw.Sheet, spec: SheetSpec) -> None:
        cells = sheet_cells(spec)
        self._write_values(sheet, cells)
        styles = coalesce_styles(spec.styles)
        for style in styles:
            self._style(sheet.range(style.range), replace(style, border=False))
        # A border is a dozen calls (six sides, style and colour each) and does not depend on the other
        # formats: bordered ranges merge on their own, so a table's header and body take one border call.
        for bordered in coalesce_styles(Style(style.range, border=True) for style in styles if style.border):
            _optional(lambda r=sheet.range(bordered.range): r.borders.set("all", line_style="continuous", color="#A6A6A6"))
        widths = {column_index(letter): width for letter, width in spec.column_widths.items()}
        for first, last, width in equal_runs(widths):
            # Desktop Excel measures widths in characters, the remote clients in points.
            points = round((width * 7 + 5) * 0.75, 2) if self.remote else width
            _optional(lambda r=sheet.range((1, first), (1, last)), w=points: setattr(r, "column_width", w))
        for first, last, height in equal_runs(spec.row_heights):
            _optional(lambda r=sheet.range((first, 1), (last, 1)), h=height: setattr(r, "row_height", h))
        for rule in spec.conditional_formats:
            _optional(lambda r=rule: self._add_conditional_format(sheet.range(r.range), r))
        for chart in spec.charts:
            _optional(lambda c=chart: _add_chart(sheet, c, cells, series_looks=not self.remote))
        frozen = frozen_range(spec.freeze) if spec.freeze else None
        if frozen:
            _optional(lambda: sheet.freeze_panes.freeze_at(frozen))
        for merged in spec.merged_ranges:
            _optional(lambda r=sheet.range(merged): r.merge())
        if spec.print_setup and spec.print_setup.print_area:
            _optional(lambda: setattr(sheet.page_setup, "print_area", spec.print_setup.print_area))
        if not self.remote and sys.platform.startswith("win"):
            _windows_sheet_extras(sheet, spec)
        sheet.names.add(GENERATED_NAME, marker_reference(spec.name))
        if spec.hidden:
            sheet.visible = False

    def _add_conditional_format(self, rng: xw.Range, rule: ConditionalFormat) -> None:
        if rule.kind == "formula" and not self.remote:
            # Desktop Excel reads a new rule's relative references from the active cell, not from the
            # range (the remote clients and the file format use the range's top-left cell): select it.
            rng[0, 0].select()
        _add_conditional_format(rng.conditional_formats, rule)

    @staticmethod
    def _style(rng: xw.Range, style: Style) -> None:
        if style.number_format:
            rng.number_format = style.number_format
        if style.bold:
            rng.font.bold = True
        if style.italic:
            rng.font.italic = True
        if style.font_size:
            rng.font.size = style.font_size
        if style.font_color:
            rng.font.color = "#" + style.font_color
        if style.fill:
            rng.color = "#" + style.fill
        if style.wrap:
            rng.wrap_text = True
        if style.align:
            _optional(lambda: setattr(rng, "horizontal_alignment", style.align))


def _add_conditional_format(formats, rule: ConditionalFormat) -> None:
    looks = {
        "fill_color": rule.fill and "#" + rule.fill,
        "font_color": rule.font_color and "#" + rule.font_color,
        "font_bold": rule.bold or None,
    }
    if rule.kind == "cell_is":
        operands = [cf_operand(v) for v in rule.values]
        formats.add_cell_value(_CF_OPERATORS[rule.operator], *operands, **looks)
    elif rule.kind == "text":
        formats.add_cell_value("equal_to", cf_operand(str(rule.values[0])), **looks)
    elif rule.kind == "formula":
        formats.add_custom(rule.values[0], **looks)
    elif rule.kind == "icon_set":
        formats.add_icon_set(icon_set_name(rule.icon_style), thresholds=list(rule.values))
    elif rule.kind == "data_bar":
        low, high = rule.values if rule.values else (None, None)
        formats.add_data_bar("#" + (rule.fill or "638EC6"), minimum=low, maximum=high)
    elif rule.kind == "color_scale":
        formats.add_color_scale(["#" + colour for colour in rule.values])
    else:
        raise ValueError(f"unknown conditional format kind {rule.kind!r}")


def _bounds(addresses: list[str]) -> tuple[tuple[int, int], tuple[int, int]]:
    cells = [parse_cell(part) for address in addresses for part in address.split(":")]
    rows, cols = [r for r, _ in cells], [c for _, c in cells]
    return (min(rows), min(cols)), (max(rows), max(cols))


def _add_chart(sheet: xw.Sheet, spec: Chart, cells: Mapping[tuple[int, int], Any], series_looks: bool = True) -> None:
    """Excel charts one rectangle: the series side by side, with the row above when it holds their names.

    series_looks: set each series' marker and colour (desktop Excel); the remote clients cannot look a
    series up before Excel has drawn it, so there the client's own colours stay."""
    (top, left), (bottom, right) = _bounds([series.values for series in spec.series])
    if all(cells.get((top - 1, parse_cell(s.values.split(":")[0])[1])) == s.name for s in spec.series):
        top -= 1
    points_per_cm = 72 / 2.54
    chart = sheet.charts.add(
        anchor=sheet.range(spec.anchor),
        width=spec.width_cm * points_per_cm,
        height=spec.height_cm * points_per_cm,
        chart_type=_CHART_TYPES[spec.kind],
    )
    chart.set_source_data(sheet.range((top, left), (bottom, right)), plot_by="columns")
    categories = next((s.categories for s in spec.series if s.categories), None)
    if categories:
        chart.set_x_axis_values(sheet.range(categories))
    chart.title = spec.title
    if spec.value_format:
        _optional(lambda: chart.value_axis.set(number_format=spec.value_format))
    if spec.kind == "bar":  # top-down as in the table: reversed categories, the value axis at the last one
        _optional(lambda: chart.category_axis.set(reverse_order=True, crosses="maximum"))
    # Excel's line charts are straight unless told otherwise; xlwings has no dash style for a series, so
    # there the markers and colours tell the series apart.
    for index, series in enumerate(spec.series if series_looks else [], start=1):
        chart.series(index).set(**_series_looks(spec.kind, series))


def _series_looks(kind: str, series: Series) -> dict[str, Any]:
    """A series' marker and colour as xlwings' ChartSeries.set takes them."""
    looks: dict[str, Any] = {}
    if kind == "line" and series.marker:
        looks["marker_style"] = series.marker
    if series.color:
        looks["line_color" if kind == "line" else "fill_color"] = "#" + series.color
        if kind == "line" and series.marker not in (None, "none"):
            looks["marker_foreground_color"] = looks["marker_background_color"] = "#" + series.color
    return looks


def _windows_sheet_extras(sheet: xw.Sheet, spec: SheetSpec) -> None:
    """Tab colour and page setup have no xlwings API: set them through COM on desktop Excel for Windows."""
    if spec.tab_color:
        red, green, blue = (int(spec.tab_color[i : i + 2], 16) for i in (0, 2, 4))
        sheet.api.Tab.Color = red + green * 256 + blue * 65536
    if spec.print_setup is None:
        return
    app = sheet.book.app.api
    app.PrintCommunication = False  # Excel talks to the printer driver after every page-setup call otherwise
    try:
        windows_page_setup(sheet.api.PageSetup, spec.print_setup)
    finally:
        app.PrintCommunication = True


def _points(cm: float) -> float:
    return round(cm / CM_PER_INCH * 72, 2)


def windows_page_setup(page: Any, setup: PrintSetup) -> None:
    """Every PrintSetup field onto a COM PageSetup object (print area: through xlwings, on every engine)."""
    page.PaperSize = 9  # xlPaperA4
    page.Orientation = 2 if setup.landscape else 1  # xlLandscape, xlPortrait
    if setup.scale:
        page.Zoom = setup.scale
    else:
        page.Zoom = False
        page.FitToPagesWide = setup.fit_width or False
        page.FitToPagesTall = setup.fit_height or False
    margins = setup.margins
    page.LeftMargin, page.RightMargin = _points(margins.left), _points(margins.right)
    page.TopMargin, page.BottomMargin = _points(margins.top), _points(margins.bottom)
    page.HeaderMargin, page.FooterMargin = _points(margins.header), _points(margins.footer)
    page.PrintTitleRows = f"${setup.repeat_rows[0]}:${setup.repeat_rows[1]}" if setup.repeat_rows else ""
    page.PrintTitleColumns = f"${setup.repeat_columns[0]}:${setup.repeat_columns[1]}" if setup.repeat_columns else ""
    header = header_sections(setup.header or "")
    page.LeftHeader, page.CenterHeader, page.RightHeader = header["left"], header["center"], header["right"]
    footer = header_sections(setup.footer or "")
    page.LeftFooter, page.CenterFooter, page.RightFooter = footer["left"], footer["center"], footer["right"]
    page.CenterHorizontally = setup.center_horizontally
    page.CenterVertically = setup.center_vertically
