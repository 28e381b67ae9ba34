"""How the master's own sheets print: the input tables, the text sheets and Ohjaus (docs/workbook.md).

The same contract as the generated sheets (core/reports/printing.py): A4, text at 8 pt or more, the header
row on every page, the page number in the footer. A table wider than a page at that size prints on as
many pages across as it needs, its first column repeated on each, instead of shrinking below 8 pt.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from xlsxwriter.worksheet import Worksheet

from tyollisyys_xl.core.reports.printing import BOARD_MARGINS, PAGE_NUMBER, most_units

INPUT_FOOTER = f"&L&A&C{PAGE_NUMBER}&RTulostettu &D"
CM_PER_INCH = 2.54


def _margins(sheet: Worksheet) -> None:
    m = BOARD_MARGINS
    sheet.set_margins(left=m.left / CM_PER_INCH, right=m.right / CM_PER_INCH, top=m.top / CM_PER_INCH,
                      bottom=m.bottom / CM_PER_INCH)


def pages_across(widths: Sequence[float]) -> tuple[bool, int]:
    """(landscape, pages wide) for a table of these column widths: portrait when it fits there at 8 pt,
    else landscape and as many pages across as the width needs."""
    total = sum(widths)
    if total <= most_units(False, columns=len(widths)):
        return False, 1
    return True, max(1, math.ceil(total / most_units(True, columns=len(widths))))


def input_sheet_print(sheet: Worksheet, widths: Sequence[float]) -> None:
    """An input table: A4, its header row on every page, the key column on every page across."""
    landscape, across = pages_across(widths)
    sheet.set_paper(9)
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(across, 0)
    _margins(sheet)
    sheet.repeat_rows(0)
    if across > 1:
        sheet.repeat_columns(0)
    sheet.set_footer(INPUT_FOOTER, {"margin": BOARD_MARGINS.footer / CM_PER_INCH})


def text_sheet_print(sheet: Worksheet, widths: Sequence[float], last_row: int | None = None,
                     last_col: int | None = None) -> None:
    """A text sheet (Ohjaus, Ohjelma): one column of pages (landscape when portrait would print below 8 pt),
    never cut at the right edge. A print area keeps a long value (the status of the last run) from widening
    the page and so shrinking it."""
    sheet.set_paper(9)
    if pages_across(widths)[0]:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    _margins(sheet)
    sheet.set_footer(INPUT_FOOTER, {"margin": BOARD_MARGINS.footer / CM_PER_INCH})
    if last_row is not None and last_col is not None:
        sheet.print_area(0, 0, last_row, last_col)
