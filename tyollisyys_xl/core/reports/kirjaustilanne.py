"""The Kirjaustilanne sheet: what has been entered for the latest month, and what to chase before a meeting.

One row per indicator, one column per municipality (and Koko alue): the figure of the latest month with
entries, or "puuttuu" where a municipality (or, for a whole-area indicator, the area) has not entered it.
Each row carries the indicator's entry instruction (Mittarit: Kirjausohje), so the sheet doubles as the
month's checklist. Built from plain blocks, styles and conditional formats (a constant number of them, and
one more style for each indicator whose figures have decimals), so every renderer draws it as it draws any
generated sheet.
"""

from __future__ import annotations

from tyollisyys_xl.core.attainment.figures import entry_values, municipality_names
from tyollisyys_xl.core.attainment.specs import indicator_spec
from tyollisyys_xl.core.cells import cell, cell_range, column_letter
from tyollisyys_xl.core.months import month_label, month_title
from tyollisyys_xl.core.reports.layout import DECIMAL_FORMAT, FIRST_ROW, WHOLE_FORMAT, fit_header, heading, table, title
from tyollisyys_xl.core.reports.printing import board_print_setup
from tyollisyys_xl.core.sheetspec import ConditionalFormat, SheetSpec, Style
from tyollisyys_xl.core.tables import Tables
from tyollisyys_xl.programme import AREA_TOTAL

SHEET_NAME = "Kirjaustilanne"
MISSING = "puuttuu"
FROM_LEDGER = "Sidonnoista"
NEVER = "ei koskaan"
MISSING_FILL, MISSING_FONT = "FFC7CE", "9C0006"
TAB_COLOR = "ED7D31"
LEADING = ["Tunnus", "Mittari", "Kirjattu", "Viimeksi kirjattu", AREA_TOTAL]  # then the municipalities, then:
INSTRUCTION = "Kirjausohje"


def kirjaustilanne_sheet(tables: Tables) -> SheetSpec:
    """The latest month's figure of every indicator per municipality (or for the whole area), with the instructions."""
    names = municipality_names(tables)
    spec = SheetSpec(SHEET_NAME, tab_color=TAB_COLOR, column_widths=_widths(len(names)))
    specs = {row.id: indicator_spec(row) for row in tables.indicators.itertuples(index=False)}
    values = entry_values(tables, specs)
    month = int(values["month"].max()) if len(values) else None
    when = month_title(month) if month else "toteumia ei ole vielä kirjattu"
    row = title(spec, FIRST_ROW, f"Kirjaustilanne – {when}", [
        "Viimeisin kuukausi, jolle on kirjattu toteumia: ”puuttuu” = kunta (tai koko alueen mittarissa alue) ei ole "
        "vielä kirjannut lukua. Tarkistus-välilehti luettelee puuttuvat myös aiemmilta kuukausilta.",
        f"”{FROM_LEDGER}” = luku lasketaan Sidonnat-taulukosta, eikä sitä tarvitse kirjata. Työkalun tuottama "
        "välilehti: kirjaukset tehdään Toteumat-välilehdelle.",
    ], last_column=len(spec.column_widths))
    if month is None:
        return spec
    latest = values[values["month"] == month]
    figure = {(i, place): v for i, place, v in zip(latest["indicator_id"], latest["municipality"], latest["effective"])}
    last_entered = values.groupby("indicator_id")["month"].max().to_dict()
    rows = []
    for indicator in tables.indicators.itertuples(index=False):
        local, indicator_id = bool(indicator.per_municipality), indicator.id
        ledger = local and specs[indicator_id].ledger_type is not None and indicator_id not in last_entered
        if local:
            places = [FROM_LEDGER if ledger else figure.get((indicator_id, name), MISSING) for name in names]
            area = figure.get((indicator_id, AREA_TOTAL))
            entered = f"{sum(p not in (MISSING, FROM_LEDGER) for p in places)}/{len(names)}"
        else:
            places = [None] * len(names)
            area = figure.get((indicator_id, AREA_TOTAL), MISSING)
            entered = "1/1" if area != MISSING else "0/1"
        last = last_entered.get(indicator_id)
        rows.append([indicator_id, indicator.name, FROM_LEDGER if ledger else entered,
                     month_label(last) if last else NEVER, area, *places, _text(indicator.entry_instruction)])

    row = heading(spec, row, f"Mittarit kunnittain, {month_title(month)}")
    headers = [*LEADING, *names, INSTRUCTION]
    first_figure, last_figure = len(LEADING) - 1, len(LEADING) + len(names) - 1  # offsets: Koko alue .. last municipality
    area = table(spec, row, headers, rows, dict.fromkeys(range(first_figure, last_figure + 1), WHOLE_FORMAT),
                 header_lines=2)
    for offset, figures_of_row in enumerate(r[first_figure:last_figure + 1] for r in rows):
        if any(isinstance(v, float) and not v.is_integer() for v in figures_of_row):  # a rate or a mean: one decimal
            r = area.first_row + offset
            spec.styles.append(Style(cell_range(r, area.left + first_figure, r, area.left + last_figure),
                                     number_format=DECIMAL_FORMAT))
    figures = cell_range(area.first_row, area.left + first_figure, area.last_row, area.left + last_figure)
    spec.conditional_formats.append(ConditionalFormat(figures, "text", operator="equal", values=[MISSING],
                                                      fill=MISSING_FILL, font_color=MISSING_FONT))
    spec.styles.append(Style(area.column(len(headers) - 1), wrap=True))
    spec.styles.append(Style(area.column(1), wrap=True))
    spec.freeze = cell(area.first_row, 3)
    fit_header(spec, area, wrapped=(1, len(headers) - 1))
    spec.print_setup = board_print_setup(spec, last_row=area.last_row, last_column=area.right,
                                         header_rows=(area.header_row, area.header_row), key_columns=("A", "B"))
    return spec


def _widths(municipalities: int) -> dict[str, float]:
    """Indicator, its entry counts, a figure per place and the instruction; the names and instructions wrap.
    Wider than a page at 8 pt, the sheet prints on pages across with the indicator at the left of each."""
    figures = {column_letter(len(LEADING) + i): 10 for i in range(municipalities)}
    return {"A": 8, "B": 28, "C": 9, "D": 10, "E": 10} | figures | {column_letter(len(LEADING) + municipalities + 1): 32}


def _text(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
