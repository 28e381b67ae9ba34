"""The eight municipality cards ("Kuntakortti <kunta>"): one printable A4 page each, all alike.

Every card has the same rows and columns, whatever its data: the subsidy types, cost objects and
indicators come from the workbook's shared tables (Tukilajit, Kustannuskohteet, Mittarit), so a
municipality without data shows "ei tietoa" where another shows a figure. Missing is never zero.
Indicator figures come from the attainment result (one code path with the Toteutuminen sheet).

Because every card looks the same, one card layout gives a template (a hidden sheet with every
format, chart and print setting, and a stamp of the layout in A1) and each card is that template
plus its own values. In Excel a card is then a copy of the template sheet and one values write
(docs/report.md); the report file renders each card whole. Both come from card_layout.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from calendar import monthrange
from dataclasses import dataclass, replace

import pandas as pd

from tyollisyys_xl.core.attainment import EI_TIETOA, SUM, AttainmentResult, compute_attainment
from tyollisyys_xl.core.budget import BudgetResult, totals
from tyollisyys_xl.core.cells import cell, cell_range, column_letter
from tyollisyys_xl.core.explanations import explanation_text, latest_explanations
from tyollisyys_xl.core.money import cents_to_euros
from tyollisyys_xl.core.months import MONTHS, YEAR, month_label
from tyollisyys_xl.core.parsing import fi_number, fi_value
from tyollisyys_xl.core.reports.budget_tabs import (
    NO_BUDGET,
    NO_RATE,
    TOTAL_LABEL,
    budget_cell,
    over_format,
    payments_note,
    rate_cell,
    reference_order,
)
from tyollisyys_xl.core.reports.layout import (
    BANNER_ROW,
    DECIMAL_FORMAT,
    EURO_FORMAT,
    FIRST_ROW,
    MISSING,
    NOT_YET,
    PERCENT_FORMAT,
    SIGNED_DECIMAL_FORMAT,
    SIGNED_PERCENT_FORMAT,
    SIGNED_WHOLE_FORMAT,
    WHOLE_FORMAT,
    TableArea,
    banner_row,
    bar_series,
    heading,
    month_cell,
    not_yet_format,
    page_footer,
    table,
    wrap_across,
)
from tyollisyys_xl.core.reports.printing import board_print_setup, most_units
from tyollisyys_xl.core.reports.statuses import status_formats, status_label
from tyollisyys_xl.core.sheetspec import Block, Chart, Margins, Series, SheetSpec, SheetTemplate, Style
from tyollisyys_xl.core.tables import ROW, Tables
from tyollisyys_xl.programme import AREA_TOTAL

SHEET_PREFIX = "Kuntakortti "
TEMPLATE_SHEET = "Kuntakorttipohja"
LAYOUT_VERSION = 1  # raise when the layout code changes in a way the layout's own fields do not show
TEMPLATE_NOTE = "Kuntakorttien pohja: työkalu tekee kuntakortit tämän välilehden kopioina. Älä muokkaa."
NOT_JUDGED = "ei arvioida"
NOT_APPLICABLE = "ei sovellu"
MONTH_LABELS = tuple(month_label(m) for m in MONTHS)
TAB_COLOR = "2F5597"
LABEL_WIDTH = 22  # column A; then one column per indicator (at least the subsidy table's six)
CARD_MARGINS = Margins(left=0.8, right=0.8, top=1.2, bottom=1.2, header=0.5, footer=0.5)  # one page: every cm counts
ROW_CM = 0.53  # a default 15-point row
CHART_WIDTH_CM = 11.5  # columns E..I beside the costs table
EXPLANATION_LABEL = "Selitys ja toimenpide"
IN_LEGEND = ("Yksikkö", EXPLANATION_LABEL)  # shown under the table, one line per indicator, not in narrow columns
SHARE_LABEL = "Kunnan osuus alueesta"


def column_widths(indicators: int) -> dict[str, float]:
    """Column A for the labels, then one column per indicator, as wide as A4 portrait allows at 8 pt."""
    columns = max(indicators, 6)
    room = most_units(landscape=False, columns=columns + 1) - LABEL_WIDTH
    return {"A": LABEL_WIDTH} | {column_letter(2 + i): min(12.5, int(room / columns * 2) / 2) for i in range(columns)}


def card_name(municipality: str) -> str:
    return f"{SHEET_PREFIX}{municipality}"[:31]


def _month_end(month: int) -> dt.date:
    return dt.date(YEAR, month, monthrange(YEAR, month)[1])


def _euros_or_missing(cents) -> float | str:
    return MISSING if cents is None or pd.isna(cents) else cents_to_euros(int(cents))


def _share(part, whole) -> float | str:
    """part / whole, or "ei tietoa" when either is missing or the whole is zero."""
    if part is None or whole is None or pd.isna(part) or pd.isna(whole) or whole == 0:
        return MISSING
    return float(part) / float(whole)


class _Area:
    """The area-wide figures every card is compared with, and each municipality's own rows, computed once
    for all the cards: one pass over each table, never a filter per card."""

    def __init__(self, tables: Tables, budget: BudgetResult, attainment: AttainmentResult):
        self.subsidy_types = reference_order(tables, "subsidy_type", budget.summary["subsidy_type"])
        self.cost_objects = reference_order(tables, "cost_object", budget.service_costs["cost_object"])
        per_municipality = tables.indicators[tables.indicators["per_municipality"].astype(bool)]
        self.indicators = list(per_municipality.sort_values(ROW).itertuples())
        self.budget_total = next(totals(budget.summary, []).itertuples())
        self.by_municipality = {r.municipality: r for r in totals(budget.summary, ["municipality"]).itertuples()}
        self.summary = _rows_by_municipality(budget.summary)
        self.costs = _rows_by_municipality(budget.service_costs)
        self.costs_total = int(budget.service_costs["amount_cents"].sum()) if len(budget.service_costs) else None
        self.costs_by_object = budget.service_costs.groupby("cost_object")["amount_cents"].sum().to_dict()
        self.entered = _entered_values(attainment.values)  # entries, and counts from Sidonnat where none are entered
        self.specs = attainment.specs
        self.municipal = {(r.id, r.municipality): r for r in attainment.municipalities.itertuples()}
        self.as_of = attainment.as_of
        self.explanations = latest_explanations(tables, attainment.as_of)


def _rows_by_municipality(frame: pd.DataFrame) -> dict[str, list]:
    """A frame's rows (as tuples) per municipality, in the frame's order."""
    rows: dict[str, list] = {}
    for r in frame.itertuples():
        rows.setdefault(r.municipality, []).append(r)
    return rows


def _entered_values(values: pd.DataFrame) -> dict[str, dict[str, dict[int, float]]]:
    """Municipality -> indicator -> month -> the value entered (Koko alue rows are not a municipality's)."""
    local = values[values["municipality"] != AREA_TOTAL]
    entered: dict[str, dict[str, dict[int, float]]] = {}
    for name, indicator_id, month, value in zip(local["municipality"], local["indicator_id"], local["month"].tolist(),
                                                local["effective"].tolist()):
        entered.setdefault(name, {}).setdefault(indicator_id, {})[month] = value
    return entered


def _info_rows(municipality, budget: BudgetResult, area: _Area, costs: list) -> list[list]:
    """The lines under the title: code, service model, how far the data runs, what the words mean."""
    lead = " · vastuukunta" if bool(municipality.lead) else ""
    entered = area.entered.get(municipality.name, {})
    last_entry = max(max(months) for months in entered.values()) if entered else None
    last_cost = int(max(r.last_month for r in costs)) if costs else None
    dates = [d for d in (last_entry and _month_end(last_entry), budget.payments_until, last_cost and _month_end(last_cost)) if d]
    runs_to = f"Tiedot {fi_value(max(dates))} asti" if dates else "Tietoja ei ole vielä kirjattu"
    entries_text = f"toteumat {month_label(last_entry)} asti" if last_entry else "ei toteumia"
    costs_text = f"palvelukustannukset {month_label(last_cost)} asti" if last_cost else "ei palvelukustannuksia"
    rows = [
        [f"Kuntanumero {municipality.code}{lead}"],
        [_service_model(municipality)],
        [f"{runs_to}: {entries_text}; {payments_note(budget).rstrip('.').lower()}; {costs_text}."],
        [f"Sidottu = sidontojen vuoden {YEAR} osuus. ”{MISSING}” = ei kirjattu; ”{NOT_YET}” = kuukausi on vielä "
         f"edessä; ”{NO_BUDGET}” = tukilajille ei ole budjettia."],
    ]
    return rows


def _service_model(municipality) -> str:
    """Who produces coaching and integration training, from the Kunnat table, as a sentence."""
    coaching, training = (f"{p[:1].lower()}{p[1:]}" for p in (str(municipality.coaching),
                                                                str(municipality.integration_training)))
    if coaching == training:
        return f"Palvelumalli: valmennuksen ja kotoutumiskoulutuksen tuottaa {coaching}."
    return f"Palvelumalli: valmennuksen tuottaa {coaching}, kotoutumiskoulutuksen {training}."


def _money_row(label: str, r) -> list:
    """A subsidy row as Budjettiseuranta shows it (a summary or totals row; None: a subsidy type only another
    municipality's data names, with no budget and no commitments here)."""
    if r is None:
        return [label, NO_BUDGET, 0.0, 0.0, 0.0, NO_RATE, NO_RATE]
    return [label, budget_cell(r), cents_to_euros(r.committed_cents), cents_to_euros(r.paid_cents),
            cents_to_euros(r.remaining_cents), rate_cell(r.commitment_rate), rate_cell(r.payment_rate)]


def _budget_table(spec: SheetSpec, row: int, name: str, area: _Area) -> TableArea:
    """The subsidy types, their total, and under it the municipality's share of the area's euros."""
    by_type = {r.subsidy_type: r for r in area.summary.get(name, [])}
    rows = [_money_row(subsidy_type, by_type.get(subsidy_type)) for subsidy_type in area.subsidy_types]
    rows.append(_money_row(TOTAL_LABEL, area.by_municipality.get(name)))
    rows.append(_shares_row(name, area))
    headers = ["Tukilaji", "Budjetti €", "Sidottu €", "Maksettu €", "Sidottavissa €", "Sidonta-aste", "Maksatusaste"]
    formats = {1: EURO_FORMAT, 2: EURO_FORMAT, 3: EURO_FORMAT, 4: EURO_FORMAT, 5: PERCENT_FORMAT, 6: PERCENT_FORMAT}
    area_ = table(spec, row, headers, rows, formats, {len(rows) - 2}, header_lines=2)
    spec.styles.append(Style(area_.column(0), wrap=True))  # a long subsidy type wraps, never cut at its figure
    spec.conditional_formats.append(over_format(area_, 5, 6, 1))
    share_row = area_.last_row
    spec.styles.append(Style(cell_range(share_row, 2, share_row, 4), number_format=PERCENT_FORMAT))
    spec.styles.append(Style(f"A{share_row}", italic=True))
    return area_


def _costs_table(spec: SheetSpec, row: int, costs: list, area: _Area) -> TableArea:
    mine = {r.cost_object: r for r in costs}
    rows = []
    for cost_object in area.cost_objects:
        amount = int(mine[cost_object].amount_cents) if cost_object in mine else None
        months = int(mine[cost_object].months_entered) if cost_object in mine else MISSING
        rows.append([cost_object, _euros_or_missing(amount), _share(amount, area.costs_by_object.get(cost_object)),
                     months])
    total = _cost_total(costs)
    rows.append([TOTAL_LABEL, _euros_or_missing(total), _share(total, area.costs_total), None])
    headers = ["Kustannuskohde", "Kustannus €", "Osuus alueesta", "Kuukausia kirjattu"]
    area_ = table(spec, row, headers, rows, {1: EURO_FORMAT, 2: PERCENT_FORMAT, 3: "0"}, {len(rows) - 1}, header_lines=2)
    spec.styles.append(Style(area_.column(0), wrap=True))  # a long cost object wraps, never runs into its figure
    return area_


def _cost_total(costs: list) -> int | None:
    return int(sum(r.amount_cents for r in costs)) if costs else None


def _shares_row(name: str, area: _Area) -> list:
    """The municipality's share of the area's budget, commitments and payments (its share of the service costs
    stands in the costs table): one row under the subsidy table, so that the card keeps to one page."""
    mine, whole = area.by_municipality.get(name), area.budget_total
    return [SHARE_LABEL, _share(mine.budget_cents if mine else None, whole.budget_cents),
            _share(mine.committed_cents if mine else 0, whole.committed_cents),
            _share(mine.paid_cents if mine else 0, whole.paid_cents), None, None, None]


def _trend_arrow(monthly: list[float | None]) -> str:
    """Direction from the second latest to the latest entered month, e.g. "↓ −23 (4→5)"."""
    entered = [(m, v) for m, v in zip(MONTHS, monthly) if v is not None]
    if len(entered) < 2:
        return MISSING
    (m1, v1), (m2, v2) = entered[-2], entered[-1]
    change = v2 - v1
    arrow = "→" if math.isclose(change, 0, abs_tol=1e-9) else ("↑" if change > 0 else "↓")
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    return f"{arrow} {sign}{fi_number(round(abs(change), 1))} ({m1}→{m2})"


YEAR_ON_YEAR_LABELS = ("Sama kk vuotta aiemmin ²", "Muutos vuodessa", "Muutos vuodessa %")


def _year_on_year(judged) -> list:
    """The municipality's figure a year earlier and the change from it; "ei tietoa" without the month of 2025
    (a point-in-time indicator) and "ei sovellu" for a year-to-date count, which starts again every January."""
    if judged is None or pd.isna(judged.reference_value):
        return [MISSING] * len(YEAR_ON_YEAR_LABELS)
    return [float(judged.reference_value), float(judged.change_from_reference),
            float(judged.change_from_reference_share) if not pd.isna(judged.change_from_reference_share) else MISSING]


def _indicator_table(spec: SheetSpec, row: int, name: str, area: _Area) -> TableArea:
    """Indicators as columns, months down the rows: each column reads as its municipality's time series."""
    by_indicator = area.entered.get(name, {})
    columns = []
    for ind in area.indicators:
        entered = by_indicator.get(ind.id, {})
        monthly = [float(entered[m]) if m in entered else None for m in MONTHS]
        shown_months = [month_cell(m, value, area.as_of) for m, value in zip(MONTHS, monthly)]
        judged = area.municipal.get((ind.id, name))
        actual = MISSING if judged is None or pd.isna(judged.actual) else float(judged.actual)
        if area.specs[ind.id].combine != SUM:
            share = NOT_APPLICABLE  # a rate or a mean has no share of the area
        elif judged is None:
            share = MISSING
        else:
            share = _share(judged.share_of_area, 1)
        if judged is None:
            status = status_label(EI_TIETOA)
        else:
            status = NOT_JUDGED if pd.isna(judged.status) else status_label(judged.status)
        baseline = MISSING if pd.isna(ind.baseline) else float(ind.baseline)
        target = MISSING if pd.isna(ind.target) else float(ind.target)
        explanation = explanation_text(area.explanations.get((ind.id, name))) or MISSING
        columns.append([f"{ind.id} {ind.name}", ind.unit, baseline, target, *shown_months, actual, _trend_arrow(monthly),
                        *_year_on_year(judged), share, status, explanation])
    labels = ["Mittari", "Yksikkö", "Alueen lähtöarvo", "Alueen tavoite", *MONTH_LABELS,
              "Tilanne nyt ¹", "Suunta (kk→kk)", *YEAR_ON_YEAR_LABELS, "Osuus alueesta", "Tila", EXPLANATION_LABEL]
    shown = [i for i, label in enumerate(labels) if label not in IN_LEGEND]  # the names and texts: in the legend
    rows = [[labels[i], *(column[i] for column in columns)] for i in shown]
    rows[0][1:] = [ind.id for ind in area.indicators]
    area_ = table(spec, row, rows[0], rows[1:])
    spec.styles.append(Style(cell_range(area_.first_row, 1, area_.last_row, 1), bold=True))
    row_of = {labels[i]: area_.first_row + k - 1 for k, i in enumerate(shown)}
    figures = (row_of["Alueen lähtöarvo"], row_of[YEAR_ON_YEAR_LABELS[0]])  # the Suunta row between is text
    change, change_share = row_of[YEAR_ON_YEAR_LABELS[1]], row_of[YEAR_ON_YEAR_LABELS[2]]
    spec.styles += [
        Style(cell_range(figures[0], 2, figures[1], area_.right), number_format=WHOLE_FORMAT),
        Style(cell_range(change, 2, change, area_.right), number_format=SIGNED_WHOLE_FORMAT),
        Style(cell_range(change_share, 2, change_share, area_.right), number_format=SIGNED_PERCENT_FORMAT),
        Style(cell_range(row_of["Osuus alueesta"], 2, row_of["Osuus alueesta"], area_.right), number_format=PERCENT_FORMAT),
    ]
    for col, ind in enumerate(area.indicators, start=2):
        if area.specs[ind.id].combine != SUM:  # rates and means to one decimal; counts whole
            spec.styles += [Style(cell_range(figures[0], col, figures[1], col), number_format=DECIMAL_FORMAT),
                            Style(cell_range(change, col, change, col), number_format=SIGNED_DECIMAL_FORMAT)]
    spec.styles.append(Style(cell_range(area_.header_row, 2, row_of["Tila"], area_.right), align="right"))
    months = cell_range(row_of[MONTH_LABELS[0]], 2, row_of[MONTH_LABELS[-1]], area_.right)
    spec.conditional_formats.append(not_yet_format(months))
    spec.conditional_formats += status_formats(cell_range(row_of["Tila"], 2, row_of["Tila"], area_.right))
    return area_


def _legend(name: str, area: _Area) -> list[list[str]]:
    """One line per indicator of the table: its name and unit, and the municipality's latest explanation."""
    lines = []
    for ind in area.indicators:
        unit = f" ({ind.unit})" if isinstance(ind.unit, str) and ind.unit else ""
        explanation = explanation_text(area.explanations.get((ind.id, name)))
        lines.append([f"{ind.id} {ind.name}{unit}" + (f" – {explanation}" if explanation else "")])
    return lines


def municipality_card(municipality, budget: BudgetResult, area: _Area) -> SheetSpec:
    """One card: same rows and columns for every municipality."""
    name = municipality.name
    spec = SheetSpec(card_name(name), tab_color=TAB_COLOR, column_widths=column_widths(len(area.indicators)))
    last_column = len(spec.column_widths)
    costs = area.costs.get(name, [])
    info = _info_rows(municipality, budget, area, costs)
    spec.blocks.append(Block(BANNER_ROW, 1, [[None], [f"Kuntakortti {name}"], *info]))  # A1: the banner (add_banners)
    spec.styles += [Style(f"A{FIRST_ROW}", bold=True, font_size=16.0),
                    Style(cell_range(FIRST_ROW + 1, 1, FIRST_ROW + len(info), 1), italic=True, font_color="404040")]
    wrap_across(spec, range(FIRST_ROW + 1, FIRST_ROW + len(info) + 1), last_column)

    row = heading(spec, FIRST_ROW + len(info) + 2, f"Tukibudjetti, sidonnat ja maksatukset {YEAR}")
    subsidies = _budget_table(spec, row, name, area)
    types_last = subsidies.last_row - 2  # the total and the share rows are not charted
    categories = cell_range(subsidies.first_row, 1, types_last, 1)
    row = heading(spec, subsidies.last_row + 2, "Palvelukustannukset vuoden alusta")
    costs_area = _costs_table(spec, row, costs, area)
    spec.charts.append(Chart(  # beside the costs table: the card keeps to one page
        kind="bar",
        title="Tuet tukilajeittain",
        anchor=cell(row - 1, costs_area.right + 1),
        series=bar_series([Series(header, cell_range(subsidies.first_row, col, types_last, col), categories)
                           for col, header in ((2, "Budjetti €"), (3, "Sidottu €"), (4, "Maksettu €"))]),
        width_cm=CHART_WIDTH_CM,
        height_cm=(costs_area.last_row - row + 3) * ROW_CM,
        value_format=EURO_FORMAT,
    ))
    row = heading(spec, costs_area.last_row + 2, "Mittarit kunnassa (kuukausittain kirjatut arvot)")
    indicators = _indicator_table(spec, row, name, area)
    notes = [["¹ Kumulatiivisilla mittareilla vuoden alusta yhteensä, muilla viimeisin kirjattu arvo. "
              "Lähtöarvo ja tavoite ovat koko alueen. Tila arvioidaan osuus- ja keskiarvomittareille ja ylärajoille. "
              "² Tilanteen kuukausi vuonna 2025 (Vertailuvuosi-välilehti). "
              "Mittarit ja kunnan viimeisin oma selitys ja toimenpide (Selitykset-välilehti):"],
             *_legend(name, area)]
    spec.blocks.append(Block(indicators.last_row + 1, 1, notes))
    last_note = indicators.last_row + len(notes)
    spec.styles.append(Style(f"A{indicators.last_row + 1}", italic=True))
    wrap_across(spec, range(indicators.last_row + 1, last_note + 1), last_column)
    banner_row(spec, last_column, lines=2)  # fixed: every card shares the template's height, whatever its banner
    spec.print_setup = replace(board_print_setup(spec, landscape=False, last_row=last_note,
                                                 last_column=last_column, one_page=True),
                               margins=CARD_MARGINS, footer=page_footer(area.as_of))
    return spec


@dataclass(frozen=True)
class CardLayout:
    template: SheetSpec  # the hidden template sheet: every card's formats, the layout's stamp in A1
    cards: list[SheetSpec]  # one per municipality: the template's formats and its own values


def layout_stamp(card: SheetSpec) -> str:
    """A short name of everything on a card but its values: equal stamps, equal layouts."""
    layout = (LAYOUT_VERSION, card.styles, card.column_widths, card.row_heights, card.conditional_formats, card.charts,
              card.freeze, card.print_setup, card.tab_color, card.merged_ranges)
    return hashlib.sha256(repr(layout).encode()).hexdigest()[:12]


def _template_of(card: SheetSpec) -> SheetSpec:
    stamp = layout_stamp(card)
    return replace(card, name=TEMPLATE_SHEET, blocks=[Block(1, 1, [[f"{TEMPLATE_NOTE} (asettelu {stamp})"]])],
                   hyperlinks=[], hidden=True, template=None)


def card_layout(tables: Tables, budget: BudgetResult, attainment: AttainmentResult | None = None) -> CardLayout | None:
    """The cards of every municipality of the Kunnat table, in its order, and their template (None: no municipalities)."""
    area = _Area(tables, budget, attainment if attainment is not None else compute_attainment(tables))
    cards = [municipality_card(m, budget, area) for m in tables.municipalities.sort_values(ROW).itertuples()]
    if not cards:
        return None
    for card in cards[1:]:  # one height for every card: the tallest text of the row on any card (the legend)
        for r, height in card.row_heights.items():
            cards[0].row_heights[r] = max(height, cards[0].row_heights.get(r, 0))
    template = _template_of(cards[0])
    reference = SheetTemplate(template, layout_stamp(cards[0]))
    for i, card in enumerate(cards):  # every card shares the template's formats (the same objects, not copies)
        cards[i] = replace(template, name=card.name, blocks=card.blocks, hyperlinks=card.hyperlinks, hidden=False,
                           template=reference)
    return CardLayout(template, cards)


def municipality_cards(tables: Tables, budget: BudgetResult, attainment: AttainmentResult | None = None) -> list[SheetSpec]:
    """One card per municipality of the Kunnat table, in its order."""
    layout = card_layout(tables, budget, attainment)
    return layout.cards if layout else []


def card_template(tables: Tables) -> SheetSpec | None:
    """The template sheet for these tables (the builder puts it into the master)."""
    from tyollisyys_xl.core.budget import compute_budget

    layout = card_layout(tables, compute_budget(tables))
    return layout.template if layout else None
