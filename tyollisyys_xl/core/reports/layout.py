"""Building blocks shared by the generated report sheets: the banner row, a title, notes, and styled tables.

Each helper appends Blocks and Styles to a SheetSpec and returns where it wrote, so that a sheet
is described top to bottom without counting rows by hand.

Row 1 of every generated sheet is its banner row: empty, or the marks that must travel with the printed
page (the data has errors; the workbook holds fictional demo data). The sheets start at FIRST_ROW.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from tyollisyys_xl.core.cells import cell_range, column_letter
from tyollisyys_xl.core.months import month_title
from tyollisyys_xl.core.reports.printing import (
    PAGE_NUMBER,
    columns_width,
    longest_word,
    print_bounds,
    row_height,
    width_for,
    wrapped_lines,
)
from tyollisyys_xl.core.sheetspec import Block, ConditionalFormat, Series, SheetSpec, Style

# One number format per kind of value, the Finnish way: a Finnish Excel or Calc shows "," as the thousands
# space and "." as the decimal comma (4 301; 87,4 %; 5 200,0 %). Euros are whole: the cells keep the cents,
# which add nothing to a report. Percentages have one decimal, counts none, rates and means one. A negative
# number has the minus sign (−, as in Finnish print), not the hyphen; a change shows its sign either way.
EURO_FORMAT = '#,##0 "€";"−"#,##0 "€"'
PERCENT_FORMAT = '#,##0.0 %;"−"#,##0.0 %'
SIGNED_PERCENT_FORMAT = '+#,##0.0 %;"−"#,##0.0 %;0.0 %'
WHOLE_FORMAT = '#,##0;"−"#,##0'
SIGNED_WHOLE_FORMAT = '+#,##0;"−"#,##0;0'
DECIMAL_FORMAT = '#,##0.0;"−"#,##0.0'
SIGNED_DECIMAL_FORMAT = '+#,##0.0;"−"#,##0.0;0.0'
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
FIRST_ROW = 2  # row 1 is the banner row
LONGEST_WORD_WIDTH = 30  # units: the widest a column grows to hold a long word of its text
BANNER_ROW = 1
BANNER_SIZE = 11.0
BANNER_COLOR = "9C0006"
DEMO_BANNER = "KUVITTEELLINEN ESIMERKKIAINEISTO"


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
    """The footer of every printed page: the sheet and the month its figures are as of (when known), the page
    number, and the day it was printed."""
    month = f" · Tilanne {month_title(as_of)}" if as_of else ""
    return f"&L&A{month}&C{PAGE_NUMBER}&RTulostettu &D"


def error_banner(errors: int) -> str | None:
    """"Tiedoissa on 7 virhettä – luvut ovat alustavia. Katso Tarkistus." (None without errors)."""
    if not errors:
        return None
    return f"Tiedoissa on {errors} {'virhe' if errors == 1 else 'virhettä'} – luvut ovat alustavia. Katso Tarkistus."


def banner_text(errors: int, demo: bool) -> str | None:
    """The marks a printed page of this data must carry, in one line (None: no marks)."""
    parts = [part for part in (DEMO_BANNER if demo else None, error_banner(errors)) if part]
    return " · ".join(parts) or None


def banner_row(spec: SheetSpec, last_column: int, lines: int | None = None) -> None:
    """Format row 1 as the banner: bold dark red across the printed width, wrapped. lines fixes its height
    (a card's template is the same whatever the banner); without it the height follows the text."""
    address = cell_range(BANNER_ROW, 1, BANNER_ROW, last_column)
    spec.styles.append(Style(address, bold=True, font_size=BANNER_SIZE, font_color=BANNER_COLOR, wrap=True))
    if last_column > 1:
        spec.merged_ranges.append(address)
    if lines:
        spec.row_heights[BANNER_ROW] = row_height(lines, BANNER_SIZE)


def add_banners(specs: Iterable[SheetSpec], errors: int, demo: bool) -> None:
    """Write the marks into row 1 of every generated sheet that prints, and into the page header of those
    that run to more than one page (each page then carries them).

    A sheet made from a template (a card) gets only the value: its format, height and header are the
    template's, shared by every card. The value is written even when empty, so that a card's one values
    write clears the template's stamp in A1.
    """
    text = banner_text(errors, demo)
    for spec in specs:
        if spec.print_setup is None or spec.hidden:
            continue
        spec.blocks.append(Block(BANNER_ROW, 1, [[text]]))
        if spec.template is not None or text is None:
            continue
        _, left, _, right = print_bounds(spec)
        banner_row(spec, right)
        spec.row_heights[BANNER_ROW] = row_height(wrapped_lines(text, columns_width(spec, left, right), bold=True))
        if spec.print_setup.fit_height != 1:
            spec.print_setup = replace(spec.print_setup, header=f'&C&"-,Bold"{text}')


def title(spec: SheetSpec, row: int, text: str, notes: list[str] = (), last_column: int | None = None) -> int:
    """A bold title and italic notes below it; returns the first free row after a blank one.

    last_column: the notes wrap across columns A..last_column (the printed width), each row as tall as its
    note, instead of running past the edge of the page."""
    spec.blocks.append(Block(row, 1, [[text], *[[note] for note in notes]]))
    spec.styles.append(Style(f"A{row}", bold=True, font_size=TITLE_SIZE))
    if notes:
        spec.styles.append(Style(cell_range(row + 1, 1, row + len(notes), 1), italic=True, font_color="595959"))
    if notes and last_column:
        wrap_across(spec, range(row + 1, row + len(notes) + 1), last_column)
    return row + len(notes) + 2


def wrap_across(spec: SheetSpec, rows: Iterable[int], last_column: int, font: float = 11.0) -> None:
    """Merge each row's A..last_column into one wrapped cell, as tall as its text (Excel does not grow a merged
    row by itself)."""
    width = columns_width(spec, 1, last_column)
    grid = spec.values_grid()
    for r in rows:
        address = cell_range(r, 1, r, last_column)
        spec.merged_ranges.append(address)
        spec.styles.append(Style(address, wrap=True))
        text = grid.get((r, 1))
        if isinstance(text, str):
            spec.row_heights[r] = max(spec.row_heights.get(r, 0), row_height(wrapped_lines(text, width, font), font))


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


def fit_header(spec: SheetSpec, area: TableArea, font: float = 11.0, wrapped: Iterable[int] = ()) -> None:
    """Widen the table's columns where a header word would not fit (a header never breaks mid-word) and make
    the header row as tall as its longest header wraps to; wrapped: offsets of columns whose text wraps, each
    widened to its longest word too ("oppisopimustyösuhdetta"). Call once the sheet's widths are set."""
    grid = spec.values_grid()
    texts: dict[int, set[str]] = {area.left + offset: set() for offset in wrapped}  # one pass, each text once
    for (r, c), v in grid.items():
        if c in texts and area.first_row <= r <= area.last_row and isinstance(v, str):
            texts[c].add(v)
    for col, distinct in texts.items():
        longest = max(map(longest_word, distinct), default=0)
        letter = column_letter(col)
        needed = min(width_for(longest, font), LONGEST_WORD_WIDTH)  # a pasted URL is broken, not given the page
        spec.column_widths[letter] = max(spec.column_widths.get(letter, 8.43), needed)
    lines = 1
    for col in range(area.left, area.right + 1):
        text = grid.get((area.header_row, col))
        if not isinstance(text, str):
            continue
        letter = column_letter(col)
        width = max(spec.column_widths.get(letter, 8.43), width_for(longest_word(text), font, bold=True))
        if width > spec.column_widths.get(letter, 8.43):
            spec.column_widths[letter] = width
        lines = max(lines, wrapped_lines(text, width, font, bold=True))
    spec.row_heights[area.header_row] = row_height(lines, font)


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
