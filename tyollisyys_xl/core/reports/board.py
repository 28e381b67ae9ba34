"""The board's pages of attainment: Toteutuminen KV (the council's 14 indicators on one landscape A4 page, for
the valtuusto) and Toteutuminen LTK (every indicator of the programme, for the lautakunta, in one section per
theme: the theme's heading, then its indicators, with the column headers on every printed page).

The Toteutuminen sheet itself is the worksheet: every figure and formula, 24 columns, too wide to print
legibly. These pages show what a board member reads, values only, in ten columns that fit A4 landscape at
8 pt or more: names and explanations wrap at spaces, rows as tall as their text.
"""

from __future__ import annotations

import pandas as pd

from tyollisyys_xl.core.attainment import AttainmentResult
from tyollisyys_xl.core.cells import cell, cell_range, column_letter
from tyollisyys_xl.core.months import month_title
from tyollisyys_xl.core.reports.layout import (
    DECIMAL_FORMAT,
    FIRST_ROW,
    PERCENT_FORMAT,
    WHOLE_FORMAT,
    fit_header,
    table,
    title,
)
from tyollisyys_xl.core.reports.printing import board_print_setup
from tyollisyys_xl.core.reports.statuses import status_formats, status_label
from tyollisyys_xl.core.reports.toteutuminen import TAB_COLOR, follow_ups, fractional_indicators
from tyollisyys_xl.core.reports.toteutuminen_formulas import cell_value, month_text
from tyollisyys_xl.core.sheetspec import SheetSpec, Style
from tyollisyys_xl.core.tables import Tables

COUNCIL_SHEET = "Toteutuminen KV"
COMMITTEE_SHEET = "Toteutuminen LTK"
COLUMNS = {  # header -> width in units; the sum stays within what A4 landscape prints at 8 pt (printing.most_units)
    "Tunnus": 8, "Mittari (yksikkö)": 42, "Lähtöarvo": 11, "Tavoite": 9, "Toteuma": 9, "Odotettu nyt": 10,
    "Edistyminen": 13, "Tila": 14, "Selitys ja toimenpide": 62,
}
HEADERS = list(COLUMNS)
WRAPPED = ("Mittari (yksikkö)", "Selitys ja toimenpide")
NUMBERS = ("Lähtöarvo", "Tavoite", "Toteuma", "Odotettu nyt")
THEME_FILL = "D9E1F2"


def _row(indicator, follow_up, as_of: int | None) -> list:
    """One indicator as the board reads it: its name and unit, with its note (partial coverage, a due date) and
    the month of its figure when that is not the as-of month; the latest explanation beside the status."""
    unit = f" ({indicator.unit})" if isinstance(indicator.unit, str) and indicator.unit else ""
    stale = pd.notna(indicator.actual_month) and as_of is not None and int(indicator.actual_month) != as_of
    said = [f"{indicator.name}{unit}.", f"Tieto {month_text(indicator.actual_month)}." if stale else None,
            indicator.note if isinstance(indicator.note, str) and indicator.note else None]
    return [indicator.id, " ".join(part for part in said if part), cell_value(indicator.baseline),
            cell_value(indicator.target), cell_value(indicator.actual), cell_value(indicator.expected),
            cell_value(indicator.progress), status_label(cell_value(indicator.status)),
            follow_up.explanation if follow_up else None]


def _board_sheet(name: str, heading: str, note: str, result: AttainmentResult, tables: Tables,
                 indicators: pd.DataFrame, by_theme: bool) -> SheetSpec:
    spec = SheetSpec(name, tab_color=TAB_COLOR, column_widths={column_letter(i): w for i, w in
                                                                enumerate(COLUMNS.values(), start=1)})
    when = f" – tilanne {month_title(result.as_of)}" if result.as_of else ""
    row = title(spec, FIRST_ROW, f"{heading}{when}", [note], last_column=len(HEADERS))
    follow_up = follow_ups(tables, result.as_of)
    rows, theme_offsets = [], []
    for theme, group in indicators.groupby("theme", sort=False) if by_theme else [(None, indicators)]:
        if theme is not None:
            theme_offsets.append(len(rows))
            rows.append([theme, *[None] * (len(HEADERS) - 1)])
        rows += [_row(i, follow_up.get(i.id), result.as_of) for i in group.itertuples(index=False)]
    area = table(spec, row, HEADERS, rows, {HEADERS.index("Edistyminen"): PERCENT_FORMAT})
    fractional = fractional_indicators(result)
    first_number, last_number = HEADERS.index(NUMBERS[0]), HEADERS.index(NUMBERS[-1])
    for offset, values in enumerate(rows):
        if values[0] in result.specs:
            r = area.first_row + offset
            spec.styles.append(Style(cell_range(r, area.left + first_number, r, area.left + last_number),
                                     number_format=DECIMAL_FORMAT if values[0] in fractional else WHOLE_FORMAT, align="right"))
    for offset in theme_offsets:
        r = area.first_row + offset
        spec.styles.append(Style(cell_range(r, area.left, r, area.right), bold=True, fill=THEME_FILL))
    for header in WRAPPED:
        spec.styles.append(Style(area.column(HEADERS.index(header)), wrap=True))
    spec.styles.append(Style(area.column(HEADERS.index("Tila")), wrap=True))
    spec.conditional_formats += status_formats(area.column(HEADERS.index("Tila")))
    fit_header(spec, area, wrapped=[HEADERS.index(h) for h in (*WRAPPED, "Tila")])
    spec.freeze = cell(area.first_row, 3)
    spec.print_setup = board_print_setup(spec, last_row=area.last_row, last_column=area.right,
                                         header_rows=(area.header_row, area.header_row))
    return spec


def board_sheets(result: AttainmentResult, tables: Tables) -> list[SheetSpec]:
    """The council's page and the committee's pages (none before the programme has indicators)."""
    indicators = result.indicators
    if indicators.empty:
        return []
    council = indicators[indicators["level"] == "KV"]
    month = f" ({month_text(result.as_of)})" if result.as_of else ""
    return [
        _board_sheet(COUNCIL_SHEET, "Kaupunginvaltuuston mittarit (KV)",
                     f"Valtuuston asettamat {len(council)} mittaria. Toteuma: kertyvillä mittareilla vuoden kertymä, "
                     f"muilla viimeisin arvo{month}, muun kuukauden tieto mainittu; laskenta ja tilojen selitys: "
                     "Toteutuminen-välilehti.",
                     result, tables, council, by_theme=False),
        _board_sheet(COMMITTEE_SHEET, "Lautakunnan mittarit teemoittain",
                     f"Ohjelman kaikki {len(indicators)} mittaria teemoittain (KV- ja LTK-tason). Toteuma: kertyvillä "
                     f"mittareilla vuoden kertymä, muilla viimeisin arvo{month}; laskenta: Toteutuminen-välilehti.",
                     result, tables, indicators, by_theme=True),
    ]
