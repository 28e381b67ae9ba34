"""The budget-tracking tabs: area summary, month by month with a cumulative chart, and the alert list.

Every figure comes from the BudgetResult's int cents; totals are summed as cents before they become
euros in a cell, so each total row equals the sum of the rows above it to the cent.
"""

from __future__ import annotations

from itertools import groupby
from operator import attrgetter

import pandas as pd

from tyollisyys_xl.core.budget import FORECAST_MIN_MONTHS, KEYS, BudgetResult, totals
from tyollisyys_xl.core.cells import cell, cell_range, column_letter, sheet_address
from tyollisyys_xl.core.money import cents_to_euros
from tyollisyys_xl.core.months import MONTHS, YEAR, month_label
from tyollisyys_xl.core.parsing import fi_value
from tyollisyys_xl.core.reports.layout import (
    EURO_FORMAT,
    FIRST_ROW,
    PERCENT_FORMAT,
    TOTAL_FILL,
    TableArea,
    fit_header,
    heading,
    line_series,
    table,
    title,
)
from tyollisyys_xl.core.reports.printing import board_print_setup
from tyollisyys_xl.core.sheetspec import Chart, ConditionalFormat, Hyperlink, Series, SheetSpec, Style
from tyollisyys_xl.core.tables import ROW, Tables
from tyollisyys_xl.programme import AREA_TOTAL

SUMMARY_SHEET = "Budjettiseuranta"
MONTHLY_SHEET = "Budjetti kuukausittain"
ALERTS_SHEET = "Budjettihälytykset"
TOTAL_LABEL = "Yhteensä"
TAB_COLOR = "548235"

COMMITTED_NOTE = f"Sidottu = sidontojen vuodelle {YEAR} kohdistuva osuus, jaettu tukijakson päivien mukaan."
NO_BUDGET = "ei budjettia"
NO_RATE = "–"  # a rate without a budget cannot be computed
NO_FORECAST = "ei ennustetta"
NO_BUDGET_NOTE = (f"”{NO_BUDGET}” = kunnalle ei ole kirjattu tukilajin budjettia Tukibudjetti-välilehdelle: asteita ei "
                  f"voi laskea ({NO_RATE}), ja kaikki sidottu on budjetin yli.")
OVER_NOTE = "Punaisella: sidonta- tai maksatusaste yli 100 % tai ennuste yli budjetin."
OVER_FILL, OVER_FONT = "FFC7CE", "9C0006"

SUMMARY_HEADERS = [
    "Kunta", "Tukilaji", "Budjetti €", f"Sidottu {YEAR} €", "Maksettu €", "Sidottavissa €", "Sidonta-aste",
    "Maksatusaste", "Avoimet sidonnat €", "Ennuste vuoden loppuun €", "Ennuste – budjetti €",
]


def payments_note(result: BudgetResult) -> str:
    if result.payments_until is None:
        return "Maksatuksia ei ole vielä kirjattu."
    return f"Maksatukset {fi_value(result.payments_until)} asti."


def forecast_note(result: BudgetResult) -> str:
    """How the year-end forecast is made from this ledger, or why there is none."""
    m = result.forecast_months
    if m is None:
        so_far = (f"päätöksiä on vasta {month_label(result.decisions_until)} asti" if result.decisions_until
                  else f"vuodelta {YEAR} ei ole vielä sidontapäätöksiä")
        return (f"Ennustetta vuoden loppuun ei lasketa ({NO_FORECAST}): {so_far}, ja vuoden tahti arvioidaan vasta "
                f"vähintään {FORECAST_MIN_MONTHS} kuukauden päätöksistä.")
    if m == len(MONTHS):
        return f"Ennuste vuoden loppuun = sidottu {YEAR}: koko vuoden päätökset on kirjattu."
    return (f"Ennuste vuoden loppuun = sidottu {YEAR} + odotetut uudet sidonnat: kuukausina 1–{month_label(m)} "
            f"tehtyjen päätösten vuoden {YEAR} osuus ÷ {m} × {len(MONTHS) - m} jäljellä olevaa kuukautta. Arvio on "
            f"pikemmin yläkanttiin, sillä myöhemmin tehdyistä päätöksistä vuodelle {YEAR} osuu pienempi osa.")


# frame column -> (reference table attribute of Tables, its key column)
REFERENCE_TABLES = {
    "municipality": ("municipalities", "name"),
    "subsidy_type": ("subsidy_types", "subsidy_type"),
    "cost_object": ("cost_objects", "cost_object"),
}


def reference_order(tables: Tables, column: str, used) -> list[str]:
    """The names of a reference table in its row order, then any other names the data uses, sorted."""
    attribute, key = REFERENCE_TABLES[column]
    names = list(getattr(tables, attribute).sort_values(ROW)[key])
    return names + sorted(set(used) - set(names))


def ordered(frame: pd.DataFrame, tables: Tables, keys: list[str] = KEYS) -> pd.DataFrame:
    """Rows in the workbook's own order: municipalities as in Kunnat, subsidy types as in Tukilajit."""

    def rank(column: pd.Series) -> pd.Series:
        if column.name not in REFERENCE_TABLES:
            return column
        order = {name: i for i, name in enumerate(reference_order(tables, column.name, column))}
        return column.map(order)

    return frame.sort_values(keys, key=rank, kind="stable", ignore_index=True)


def budget_cell(row) -> float | str:
    """A row's budget in euros, or "ei budjettia" (the card and the tab say it alike)."""
    return NO_BUDGET if pd.isna(row.budget_cents) else cents_to_euros(int(row.budget_cents))


def rate_cell(rate) -> float | str:
    return NO_RATE if pd.isna(rate) else float(rate)


def money_cells(row) -> list:
    """One summary or totals row as cell values in SUMMARY_HEADERS order from Budjetti €."""
    budget = 0 if pd.isna(row.budget_cents) else int(row.budget_cents)
    forecast = None if pd.isna(row.forecast_cents) else int(row.forecast_cents)
    return [
        budget_cell(row),
        cents_to_euros(row.committed_cents),
        cents_to_euros(row.paid_cents),
        cents_to_euros(row.remaining_cents),
        rate_cell(row.commitment_rate),
        rate_cell(row.payment_rate),
        cents_to_euros(row.open_cents),
        NO_FORECAST if forecast is None else cents_to_euros(forecast),
        NO_RATE if forecast is None else cents_to_euros(forecast - budget),
    ]


def _summary_rows(result: BudgetResult, tables: Tables) -> list[list]:
    """Each municipality's rows and its total row, then the area by subsidy type and the area total;
    a total row has TOTAL_LABEL in the Tukilaji column."""
    summary = ordered(result.summary, tables)
    rows = []
    municipal_totals = {r.municipality: r for r in totals(summary, ["municipality"]).itertuples()}
    for municipality, group in groupby(summary.itertuples(), key=attrgetter("municipality")):  # sorted: contiguous
        rows += [[municipality, r.subsidy_type, *money_cells(r)] for r in group]
        rows.append([municipality, TOTAL_LABEL, *money_cells(municipal_totals[municipality])])
    for r in ordered(totals(summary, ["subsidy_type"]), tables, ["subsidy_type"]).itertuples():
        rows.append([AREA_TOTAL, r.subsidy_type, *money_cells(r)])
    rows.append([AREA_TOTAL, TOTAL_LABEL, *money_cells(next(totals(summary, []).itertuples()))])
    return rows


def total_rows_format(area: TableArea) -> ConditionalFormat:
    """Total rows bold and shaded by one rule over the whole table: one call in Excel however many
    municipalities there are (a style per total row would cost a call per municipality)."""
    label = f"{column_letter(area.left + 1)}{area.first_row}"
    return ConditionalFormat(
        cell_range(area.first_row, area.left, area.last_row, area.right), "formula",
        values=[f'=${label}="{TOTAL_LABEL}"'], fill=TOTAL_FILL, bold=True,
    )


def over_format(area: TableArea, first: int, last: int, limit: float) -> ConditionalFormat:
    """Figures above limit in the table's columns first..last (offsets) in red: one rule, one call in Excel.

    A formula rule, since a plain "greater than" rule would also colour the texts ("–"): Excel ranks any
    text above every number.
    """
    top_left = cell(area.first_row, area.left + first)
    return ConditionalFormat(
        cell_range(area.first_row, area.left + first, area.last_row, area.left + last), "formula",
        values=[f"=AND(ISNUMBER({top_left}),{top_left}>{limit:g})"], fill=OVER_FILL, font_color=OVER_FONT, bold=True,
    )


def summary_sheet(result: BudgetResult, tables: Tables) -> SheetSpec:
    spec = SheetSpec(SUMMARY_SHEET, tab_color=TAB_COLOR,
                     column_widths={"A": 16, "B": 24} | {column_letter(3 + i): 14 for i in range(len(SUMMARY_HEADERS) - 2)})
    row = title(spec, FIRST_ROW, f"Tukibudjetin seuranta {YEAR}",
                [payments_note(result), COMMITTED_NOTE, NO_BUDGET_NOTE, forecast_note(result), OVER_NOTE],
                last_column=len(SUMMARY_HEADERS))
    formats = {i: EURO_FORMAT for i in (2, 3, 4, 5, 8, 9, 10)} | {6: PERCENT_FORMAT, 7: PERCENT_FORMAT}
    area = table(spec, row, SUMMARY_HEADERS, _summary_rows(result, tables), formats, header_lines=2)
    spec.conditional_formats += [over_format(area, 6, 7, 1), over_format(area, 10, 10, 0), total_rows_format(area)]
    spec.styles.append(Style(area.column(1), wrap=True))
    fit_header(spec, area)
    spec.freeze = cell(area.first_row, 3)
    spec.print_setup = board_print_setup(spec, last_row=area.last_row, last_column=area.right,
                                         header_rows=(area.header_row, area.header_row), key_columns=("A", "B"))
    return spec


def _cumulative(values: list[int | None]) -> list[int | None]:
    out, running = [], 0
    for value in values:
        running = None if value is None or running is None else running + value
        out.append(running)
    return out


def monthly_sheet(result: BudgetResult, tables: Tables) -> SheetSpec:
    """Area totals month by month with a cumulative chart against the budget, then the detail rows."""
    spec = SheetSpec(MONTHLY_SHEET, tab_color=TAB_COLOR, column_widths=dict(MONTHLY_WIDTHS))
    last_paid_month = result.payments_until.month if result.payments_until else 0
    row = title(spec, FIRST_ROW, f"Sidonnat ja maksatukset kuukausittain {YEAR}", [payments_note(result), COMMITTED_NOTE],
                last_column=len(MONTHLY_WIDTHS))

    by_month = result.monthly.groupby("month")[["committed_cents", "paid_cents"]].sum()
    committed = [int(by_month["committed_cents"].get(m, 0)) for m in MONTHS]
    paid = [int(by_month["paid_cents"].get(m, 0)) if m <= last_paid_month else None for m in MONTHS]
    budget = totals(result.summary, [])["budget_cents"].iloc[0]
    budget = None if pd.isna(budget) else int(budget)
    # the charted columns come first and side by side: Excel charts one rectangle of columns
    rows = [
        [name, *(cents_to_euros(v) for v in (cc, cp, budget, c, p))]
        for name, c, p, cc, cp in zip(map(month_label, MONTHS), committed, paid, _cumulative(committed), _cumulative(paid))
    ]
    rows.append([TOTAL_LABEL, None, None, cents_to_euros(budget), cents_to_euros(sum(committed)),
                 cents_to_euros(sum(p or 0 for p in paid))])
    headers = ["Kuukausi", "Sidottu kumulatiivinen €", "Maksettu kumulatiivinen €", "Budjetti €", "Sidottu €",
               "Maksettu €"]
    area = table(spec, row, headers, rows, {i: EURO_FORMAT for i in range(1, 6)}, {len(rows) - 1}, header_lines=2)
    last_month_row = area.first_row + len(MONTHS) - 1

    def months_range(offset: int) -> str:
        return cell_range(area.first_row, area.left + offset, last_month_row, area.left + offset)

    spec.charts.append(
        Chart(
            kind="line",
            title="Kumulatiiviset sidonnat ja maksatukset suhteessa budjettiin",
            anchor=cell(area.last_row + 2, 1),  # under the table, on the printed page
            series=line_series([Series(headers[i], months_range(i), months_range(0)) for i in (1, 2, 3)]),
            width_cm=18,
            height_cm=9,
            value_format=EURO_FORMAT,
        )
    )
    fit_header(spec, area)

    detail = ordered(result.monthly, tables, [*KEYS, "month"])
    detail_rows = [
        [r.municipality, r.subsidy_type, month_label(r.month), cents_to_euros(r.committed_cents),
         cents_to_euros(r.paid_cents) if r.month <= last_paid_month else None]
        for r in detail.itertuples()
    ]
    row = heading(spec, area.last_row + 2 + CHART_ROWS, "Kunnittain ja tukilajeittain")
    detail_area = table(spec, row, ["Kunta", "Tukilaji", "Kuukausi", "Sidottu €", "Maksettu €"], detail_rows,
                        {3: EURO_FORMAT, 4: EURO_FORMAT})
    spec.styles.append(Style(detail_area.column(1), wrap=True))
    fit_header(spec, detail_area)
    spec.print_setup = board_print_setup(spec, last_row=detail_area.last_row, last_column=len(MONTHLY_WIDTHS),
                                         header_rows=(detail_area.header_row, detail_area.header_row))
    return spec


MONTHLY_WIDTHS = {"A": 16, "B": 28, "C": 16, "D": 16, "E": 16, "F": 16}
CHART_ROWS = 19  # a 9 cm chart covers about 17 rows of default height


def alerts_sheet(result: BudgetResult, tables: Tables) -> SheetSpec:
    spec = SheetSpec(ALERTS_SHEET, tab_color="C00000", column_widths=dict(ALERT_WIDTHS))
    count = len(result.alerts)
    row = title(spec, FIRST_ROW, "Budjettihälytykset", [f"{count} hälytystä. {payments_note(result)} "
                                                         "Syöttösolu-linkki vie riville, jota hälytys koskee."],
                last_column=len(ALERT_WIDTHS))
    headers = ["Hälytys", "Kunta", "Tukilaji", "Sidonta", "Selitys", "Syöttösolu"]
    rows = [
        [a.kind, a.municipality, a.subsidy_type, a.commitment_id, a.message, sheet_address(a.sheet, a.cell)]
        for a in result.alerts.itertuples()
    ] or [["Ei hälytyksiä.", None, None, None, None, None]]
    area = table(spec, row, headers, rows)
    spec.hyperlinks = [
        Hyperlink(cell(area.first_row + i, area.right), target=r[-1], text=r[-1])
        for i, r in enumerate(rows) if r[-1]
    ]
    wrapped = (0, 2, 4)  # Hälytys, Tukilaji and Selitys wrap: nothing runs into the next cell or off the page
    for column in wrapped:
        spec.styles.append(Style(area.column(column), wrap=True))
    fit_header(spec, area, wrapped=(0, 2))  # the kinds of alert and subsidy types; Selitys quotes user text
    spec.freeze = cell(area.first_row, 1)
    spec.print_setup = board_print_setup(spec, last_row=area.last_row, last_column=area.right,
                                         header_rows=(area.header_row, area.header_row))
    return spec


ALERT_WIDTHS = {"A": 24, "B": 16, "C": 20, "D": 12, "E": 48, "F": 16}


def budget_sheets(result: BudgetResult, tables: Tables) -> list[SheetSpec]:
    """The three budget-tracking tabs, in the order they stand in the workbook."""
    return [summary_sheet(result, tables), monthly_sheet(result, tables), alerts_sheet(result, tables)]
