"""Building blocks shared by the generated report sheets: a title, notes, and styled tables.

Each helper appends Blocks and Styles to a SheetSpec and returns where it wrote, so that a sheet
is described top to bottom without counting rows by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from tyollisyys_xl.core.cells import cell_range
from tyollisyys_xl.core.months import month_label
from tyollisyys_xl.core.sheetspec import Block, ConditionalFormat, Series, SheetSpec, Style

# One number format per kind of value, the Finnish way: a Finnish Excel or Calc shows "," as the thousands
# space and "." as the decimal comma (4 301; 87,4 %; 5 200,0 %). Euros are whole: the cells keep the cents,
# which add nothing to a report. Percentages have one decimal, counts none, rates and means one.
EURO_FORMAT = '#,##0 "€"'
PERCENT_FORMAT = "#,##0.0 %"
SIGNED_PERCENT_FORMAT = "+#,##0.0 %;-#,##0.0 %;0.0 %"
WHOLE_FORMAT = "#,##0"
SIGNED_WHOLE_FORMAT = "+#,##0;-#,##0;0"
DECIMAL_FORMAT = "#,##0.0"
SIGNED_DECIMAL_FORMAT = "+#,##0.0;-#,##0.0;0.0"
# Chart series that stay apart in grey print: each differs from the others in lightness as well as in hue,
# and a line series in dash and marker too.
LINE_LOOKS = (("1F4E79", "solid", "circle"), ("C55A11", "dash", "square"), ("A5A5A5", "round_dot", "triangle"),
              ("000000", "long_dash", "diamond"))
BAR_COLORS = ("BDD7EE", "5B9BD5", "1F4E79", "000000")  # light to dark
MISSING = "ei tietoa"  # a month that has passed (or a figure that should be there) without data
NOT_YET = "–"  # a month after the as-of month: not missing, just not yet
NOT_YET_FILL, NOT_YET_FONT = "F2F2F2", "A6A6A6"
HEADER_FILL = "DDEBF7"
TOTAL_FILL = "F2F2F2"
TITLE_SIZE = 14.0
LINE_HEIGHT = 15.0  # points per line of 11-point text


@dataclass(frozen=True)
class TableArea:
    """Where a table landed: its header row, first and last data row, first and last column."""

    header_row: int
    first_row: int
    last_row: int
    left: int
    right: int

    def column(self, offset: int) -> str:
        """The data range of the table's column at offset (0 = leftmost), e.g. "C5:C16"."""
        return cell_range(self.first_row, self.left + offset, self.last_row, self.left + offset)


def page_footer(as_of: int | None) -> str:
    """The footer of every printed page: the month the figures are as of (when known), and the page number."""
    return (f"&LTilanne {month_label(as_of)}" if as_of else "") + "&RSivu &P / &N"


def title(spec: SheetSpec, row: int, text: str, notes: list[str] = ()) -> int:
    """A bold title and italic notes below it; returns the first free row after a blank one."""
    spec.blocks.append(Block(row, 1, [[text], *[[note] for note in notes]]))
    spec.styles.append(Style(f"A{row}", bold=True, font_size=TITLE_SIZE))
    if notes:
        spec.styles.append(Style(cell_range(row + 1, 1, row + len(notes), 1), italic=True, font_color="595959"))
    return row + len(notes) + 2


def heading(spec: SheetSpec, row: int, text: str) -> int:
    """A section heading; returns the next row."""
    spec.blocks.append(Block(row, 1, [[text]]))
    spec.styles.append(Style(f"A{row}", bold=True, font_size=12.0))
    return row + 1


def table(
    spec: SheetSpec,
    row: int,
    headers: list[str],
    rows: list[list[Any]],
    formats: dict[int, str] | None = None,
    total_rows: set[int] = frozenset(),
    left: int = 1,
    header_lines: int = 1,
) -> TableArea:
    """A header row and data rows; formats maps a column offset to a number format (those columns are
    right-aligned, so that a text such as "ei tietoa" lines up with the figures); total_rows are data-row
    offsets shown bold and shaded; header_lines makes the header row tall enough for wrapped headers."""
    right = left + len(headers) - 1
    spec.blocks.append(Block(row, left, [headers, *rows]))
    spec.styles.append(Style(cell_range(row, left, row, right), bold=True, fill=HEADER_FILL, wrap=True, border=True))
    if header_lines > 1:
        spec.row_heights[row] = LINE_HEIGHT * header_lines
    area = TableArea(row, row + 1, row + max(len(rows), 1), left, right)
    if rows:
        spec.styles.append(Style(cell_range(area.first_row, left, area.last_row, right), border=True))
        for offset, number_format in (formats or {}).items():
            spec.styles.append(Style(area.column(offset), number_format=number_format, align="right"))
        for offset in sorted(total_rows):
            spec.styles.append(Style(cell_range(area.first_row + offset, left, area.first_row + offset, right),
                                     bold=True, fill=TOTAL_FILL))
    return area


def line_series(series: list[Series]) -> list[Series]:
    """The series of a line chart, each with its own colour, dash and marker (LINE_LOOKS in order)."""
    return [replace(one, color=color, dash=dash, marker=marker) for one, (color, dash, marker) in zip(series, LINE_LOOKS)]


def bar_series(series: list[Series]) -> list[Series]:
    """The series of a bar or column chart, light to dark (BAR_COLORS in order)."""
    return [replace(one, color=color) for one, color in zip(series, BAR_COLORS)]


def month_cell(month: int, value: Any, as_of: int | None) -> Any:
    """A month's figure; a month up to the as-of month without one is "ei tietoa", a later one "–" (not yet)."""
    if value is not None:
        return value
    return MISSING if as_of is not None and month <= as_of else NOT_YET


def not_yet_format(cells: str) -> ConditionalFormat:
    """The months still ahead greyed (fill and text), so that grey print tells them from a missing month."""
    return ConditionalFormat(cells, "text", operator="equal", values=[NOT_YET], fill=NOT_YET_FILL, font_color=NOT_YET_FONT)
