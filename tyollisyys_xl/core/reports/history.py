"""The Tilahistoria sheet: each indicator's status at the end of every month so far, colour-coded, and its
trend since the month before (the check-in history of a scorecard, derived from the monthly entries)."""

from __future__ import annotations

from tyollisyys_xl.core.cells import cell, column_letter
from tyollisyys_xl.core.history import BETTER, NOT_COMPARABLE, UNCHANGED, WORSE, StatusHistory
from tyollisyys_xl.core.months import month_label
from tyollisyys_xl.core.reports.layout import FIRST_ROW, fit_header, heading, table, title
from tyollisyys_xl.core.reports.printing import board_print_setup
from tyollisyys_xl.core.reports.statuses import status_formats, status_label
from tyollisyys_xl.core.reports.toteutuminen import TAB_COLOR
from tyollisyys_xl.core.sheetspec import ConditionalFormat, SheetSpec, Style

HISTORY_SHEET = "Tilahistoria"
TREND_TEXT = {BETTER: "↑ parempi", WORSE: "↓ huonompi", UNCHANGED: "→ ennallaan", NOT_COMPARABLE: ""}
TREND_COLORS = {TREND_TEXT[BETTER]: ("C6EFCE", "006100"), TREND_TEXT[WORSE]: ("FFC7CE", "9C0006")}
TREND_HEADER = "Suunta edellisestä kuukaudesta"


def history_sheet(history: StatusHistory) -> SheetSpec:
    months = list(range(1, (history.as_of or 0) + 1))
    spec = SheetSpec(HISTORY_SHEET, tab_color=TAB_COLOR, column_widths={"A": 8, "B": 6, "C": 32} | {
        column_letter(4 + i): 13 for i in range(len(months))} | {column_letter(4 + len(months)): 16})
    row = title(spec, FIRST_ROW, "Mittareiden tilahistoria", [
        (f"Koko alueen tila kunkin kuukauden lopussa {month_label(1)}–{month_label(history.as_of)}, laskettuna "
         "samoista toteumista kuin Toteutuminen-välilehti: korjattu luku korjaa myös historian.")
        if history.as_of else "Toteumia ei ole vielä kirjattu.",
        "Suunta vertaa tarkastelukuukauden tilaa edellisen kuukauden tilaan (”Ei tietoa” ei ole muita tiloja parempi "
        "eikä huonompi).",
    ], last_column=3)
    row = heading(spec, row, "Tila kuukausittain")
    statuses = history.statuses()
    rows = [[i.id, i.level, i.name, *(status_label(statuses.get(i.id, {}).get(m)) for m in months),
             TREND_TEXT[history.trend(i.id)]]
            for i in history.indicators.itertuples(index=False)]
    headers = ["Tunnus", "Taso", "Mittari", *(month_label(m) for m in months), TREND_HEADER]
    area = table(spec, row, headers, rows, header_lines=3)
    if rows and months:
        statuses_range = f"{cell(area.first_row, 4)}:{cell(area.last_row, 3 + len(months))}"
        spec.conditional_formats += status_formats(statuses_range)
    if rows:
        spec.conditional_formats += [
            ConditionalFormat(area.column(len(headers) - 1), "text", operator="equal", values=[text], fill=fill,
                              font_color=font) for text, (fill, font) in TREND_COLORS.items()]
    spec.styles.append(Style(area.column(2), wrap=True))
    fit_header(spec, area)
    spec.freeze = cell(area.first_row, 4)
    spec.print_setup = board_print_setup(spec, last_row=area.last_row, last_column=area.right,
                                         header_rows=(area.header_row, area.header_row), key_columns=("A", "C"))
    return spec
