"""The print contract of the generated sheets (docs/report.md): A4, the smallest text at least 8 pt once the
page is fitted, header rows on every page, a footer with the month and the page, and text that wraps at
spaces instead of being cut.

Widths are Excel's character units (the width of a digit of the default font, Calibri 11). Excel prints a
unit 5.25 pt wide; LibreOffice, which draws Calibri with its metric twin Carlito (fonts-crosextra-carlito,
which CI installs), lays the same columns out about 7 % wider (5.64 pt, measured; without Carlito it falls back
to DejaVu Sans, about 7.2 pt, and fitted pages print smaller). The contract is kept with the wider of the two, so a page
that is legible in LibreOffice prints a little larger, never smaller, in Excel.

Pure: plain numbers and SheetSpecs, so that the tests check the contract without a spreadsheet program.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

from tyollisyys_xl.core.cells import cell_range, column_letter, range_bounds
from tyollisyys_xl.core.sheetspec import Margins, PrintSetup, SheetSpec

A4_CM = (21.0, 29.7)  # width, height (portrait)
POINTS_PER_CM = 72 / 2.54
POINTS_PER_UNIT = 5.7  # one unit of column width as LibreOffice prints it (the wide case; Excel: 5.25)
COLUMN_PADDING = 0.71  # Excel stores a column of width w as w + 5/7 units (the cell's padding)
LINE_POINTS = 15.0  # one line of 11-point text, as a row height
MIN_PRINTED_POINTS = 8.0
DEFAULT_FONT = 11.0
BOARD_MARGINS = Margins(left=1.0, right=1.0, top=1.0, bottom=1.0, header=0.4, footer=0.4)
PAGE_NUMBER = "Sivu &P / &N"


def printable_points(setup: PrintSetup) -> tuple[float, float]:
    """The width and height of the area inside the margins, in points."""
    width, height = A4_CM if not setup.landscape else A4_CM[::-1]
    m = setup.margins
    return (width - m.left - m.right) * POINTS_PER_CM, (height - m.top - m.bottom) * POINTS_PER_CM


def width_points(widths: list[float]) -> float:
    """How wide columns of these widths print at 100 % (the wide case)."""
    return sum(w + COLUMN_PADDING for w in widths) * POINTS_PER_UNIT


def columns_width(spec: SheetSpec, first: int, last: int) -> float:
    """The width of columns first..last (1-based) in units; a column without a width is Excel's 8.43."""
    return sum(spec.column_widths.get(column_letter(c), 8.43) for c in range(first, last + 1))


def print_bounds(spec: SheetSpec) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of what prints: the print area, else every written cell."""
    if spec.print_setup and spec.print_setup.print_area:
        return range_bounds(spec.print_setup.print_area)
    cells = spec.values_grid()
    rows, cols = [r for r, _ in cells] or [1], [c for _, c in cells] or [1]
    return 1, 1, max(rows), max(cols)


def fit_scale(spec: SheetSpec) -> float:
    """The scale a fitted page prints at (1.0 = 100 %): the width decides; for a sheet fitted to one page
    tall (a card) the height too, with every row at its set height or one line."""
    setup = spec.print_setup
    if setup is None:
        return 1.0
    if setup.scale:
        return setup.scale / 100
    top, left, bottom, right = print_bounds(spec)
    page_width, page_height = printable_points(setup)
    widths = [spec.column_widths.get(column_letter(c), 8.43) for c in range(left, right + 1)]
    scale = min(1.0, page_width * max(setup.fit_width, 1) / width_points(widths))
    if setup.fit_height:
        height = sum(spec.row_heights.get(r, LINE_POINTS) for r in range(top, bottom + 1))
        scale = min(scale, page_height * setup.fit_height / height)
    return scale


def smallest_font(spec: SheetSpec) -> float:
    """The smallest font size the sheet's styles set (the default 11 pt when none is smaller)."""
    return min([DEFAULT_FONT, *(s.font_size for s in spec.styles if s.font_size)])


def smallest_printed_size(spec: SheetSpec) -> float:
    """The smallest text of the sheet as printed, in points."""
    return smallest_font(spec) * fit_scale(spec)


def most_units(landscape: bool, font: float = DEFAULT_FONT, columns: int = 0) -> float:
    """The widest a sheet of `columns` columns may be (sum of widths in units) and still print `font`-point
    text at 8 pt or more when fitted to one page wide."""
    page_width = printable_points(PrintSetup(landscape=landscape, margins=BOARD_MARGINS))[0]
    return page_width * font / MIN_PRINTED_POINTS / POINTS_PER_UNIT - columns * COLUMN_PADDING


def pages_wide(spec: SheetSpec, last_column: int, landscape: bool = True, key_columns: tuple[str, str] | None = None) -> int:
    """How many pages across the sheet's columns A..last_column need for its smallest text to print at 8 pt;
    key_columns (printed again at the left of every further page) take their room on each."""
    widths = [spec.column_widths.get(column_letter(c), 8.43) for c in range(1, last_column + 1)]
    page = most_units(landscape, smallest_font(spec), len(widths))
    if sum(widths) <= page:
        return 1
    keys = range_bounds(f"{key_columns[0]}1:{key_columns[1]}1") if key_columns else (0, 1, 0, 0)
    key = sum(widths[keys[1] - 1:keys[3]])
    return max(2, math.ceil((sum(widths) - key) / (page - key)))


def board_print_setup(
    spec: SheetSpec,
    *,
    landscape: bool = True,
    last_row: int,
    last_column: int,
    header_rows: tuple[int, int] | None = None,
    key_columns: tuple[str, str] | None = None,
    one_page: bool = False,
) -> PrintSetup:
    """The print setup every generated sheet uses: A4, fitted to as few pages across as keep its smallest text
    at 8 pt or more (one, where the widths allow; key_columns then repeat at the left of every page) and as
    many pages tall as it needs (exactly one for a card), the table's header rows on every page. The footer
    (sheet, month, page) is added by the job, the banners of the data by add_banners."""
    across = 1 if one_page else pages_wide(spec, last_column, landscape, key_columns)
    return PrintSetup(
        landscape=landscape,
        fit_width=across,
        fit_height=1 if one_page else 0,
        margins=BOARD_MARGINS,
        repeat_rows=header_rows,
        repeat_columns=key_columns if across > 1 else None,
        print_area=cell_range(1, 1, last_row, last_column),
    )


# --- wrapping -----------------------------------------------------------------------------------------

CHARACTERS_PER_UNIT = 1.1  # average Finnish text is narrower than the digit that defines a unit (measured: 1.1–1.2)
BOLD_FACTOR = 0.92


def line_capacity(width: float, font: float = DEFAULT_FONT, bold: bool = False) -> float:
    """About how many characters of text fit on one line of a cell this many units wide."""
    return max(1.0, (width - 1) * CHARACTERS_PER_UNIT * DEFAULT_FONT / font * (BOLD_FACTOR if bold else 1.0))


_PIECE = re.compile(r"[^-–]*[-–]|[^-–]+")


@lru_cache(maxsize=65536)  # a sheet repeats its texts (statuses, names, units) thousands of times
def words(text: str) -> tuple[str, ...]:
    """The pieces a wrapped cell may break between: at spaces, and after a hyphen ("Mänttä-", "Vilppula")."""
    return tuple(piece for word in str(text).split() for piece in _PIECE.findall(word))


@lru_cache(maxsize=65536)  # the same text in the same column width: a card's status, "ei tietoa", a name
def wrapped_lines(text: str, width: float, font: float = DEFAULT_FONT, bold: bool = False) -> int:
    """How many lines the text takes in a wrapped cell of this width (greedy, at spaces, hyphens and line breaks)."""
    capacity = line_capacity(width, font, bold)
    lines = 0
    for paragraph in str(text).split("\n"):
        current = 0.0
        lines += 1
        for word in words(paragraph):
            needed = len(word) if current == 0 else current + 1 + len(word)
            if needed <= capacity:
                current = needed
            else:
                lines += 1 if current else 0
                extra = math.ceil(len(word) / capacity) - 1  # a word longer than a line is broken
                lines += extra
                current = len(word) - extra * capacity
    return lines


def longest_word_fits(text: str, width: float, font: float = DEFAULT_FONT, bold: bool = False) -> bool:
    """True when no word of the text is wider than the cell, so that wrapping never breaks a word."""
    return longest_word(text) <= line_capacity(width, font, bold)


def longest_word(text: str) -> int:
    return max(map(len, words(text)), default=0)


def width_for(word_length: int, font: float = DEFAULT_FONT, bold: bool = False) -> float:
    """The narrowest column (units) whose wrapped cell holds a word this long on one line."""
    return math.ceil(word_length / (CHARACTERS_PER_UNIT * DEFAULT_FONT / font * (BOLD_FACTOR if bold else 1.0))) + 1


def row_height(lines: int, font: float = DEFAULT_FONT) -> float:
    """The height in points of a row showing this many lines of text."""
    return round(max(1, lines) * LINE_POINTS * max(font, DEFAULT_FONT) / DEFAULT_FONT, 1)
