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
from tyollisyys_xl.core.cells import cell, cell_range
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
    DECIMAL_FORMAT,
    EURO_FORMAT,
    MISSING,
    NOT_YET,
    PERCENT_FORMAT,
    SIGNED_DECIMAL_FORMAT,
    SIGNED_PERCENT_FORMAT,
    SIGNED_WHOLE_FORMAT,
    WHOLE_FORMAT,
    TableArea,
    bar_series,
    heading,
    month_cell,
    not_yet_format,
    page_footer,
    table,
)
from tyollisyys_xl.core.reports.statuses import status_formats, status_label
from tyollisyys_xl.core.sheetspec import Block, Chart, PrintSetup, Series, SheetSpec, SheetTemplate, Style
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
COLUMN_WIDTHS = {"A": 28} | {chr(ord("B") + i): 13 for i in range(7)}
CHART_ROWS = 12  # rows left free under the subsidy table for its chart
ROW_CM = 0.53  # a default 15-point row
CHART_WIDTH_CM = 22.0
EXPLANATION_LABEL = "Selitys ja toimenpide ³"
INDICATOR_HEADER_LINES = 4  # the longest indicator name wraps to about six lines of 8-point text


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
    by_type = {r.subsidy_type: r for r in area.summary.get(name, [])}
    rows = [_money_row(subsidy_type, by_type.get(subsidy_type)) for subsidy_type in area.subsidy_types]
    rows.append(_money_row(TOTAL_LABEL, area.by_municipality.get(name)))
    headers = ["Tukilaji", "Budjetti €", "Sidottu €", "Maksettu €", "Sidottavissa €", "Sidonta-aste", "Maksatusaste"]
    formats = {1: EURO_FORMAT, 2: EURO_FORMAT, 3: EURO_FORMAT, 4: EURO_FORMAT, 5: PERCENT_FORMAT, 6: PERCENT_FORMAT}
    area = table(spec, row, headers, rows, formats, {len(rows) - 1}, header_lines=2)
    spec.conditional_formats.append(over_format(area, 5, 6, 1))
    return area


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
    return table(spec, row, headers, rows, {1: EURO_FORMAT, 2: PERCENT_FORMAT, 3: "0"}, {len(rows) - 1}, header_lines=2)


def _cost_total(costs: list) -> int | None:
    return int(sum(r.amount_cents for r in costs)) if costs else None


def _shares_table(spec: SheetSpec, row: int, name: str, area: _Area, costs: list) -> TableArea:
    """The municipality's euros beside the area's, and its share."""
    mine, whole = area.by_municipality.get(name), area.budget_total
    cost_total = _cost_total(costs)
    pairs = [("Tukibudjetti", mine.budget_cents if mine else None, whole.budget_cents),
             ("Sidottu", mine.committed_cents if mine else 0, whole.committed_cents),
             ("Maksettu", mine.paid_cents if mine else 0, whole.paid_cents),
             ("Palvelukustannukset", cost_total, area.costs_total)]
    rows = [[label, _euros_or_missing(part), _euros_or_missing(total), _share(part, total)] for label, part, total in pairs]
    headers = ["Kunnan osuus alueesta", f"{name} €", "Koko alue €", "Osuus"]
    return table(spec, row, headers, rows, {1: EURO_FORMAT, 2: EURO_FORMAT, 3: PERCENT_FORMAT}, header_lines=2)


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
    rows = [[label, *(column[i] for column in columns)] for i, label in enumerate(labels)]
    area_ = table(spec, row, rows[0], rows[1:], header_lines=INDICATOR_HEADER_LINES)
    spec.styles.append(Style(cell_range(area_.header_row, 2, area_.first_row, area_.right), font_size=8.0))
    spec.styles.append(Style(cell_range(area_.first_row, 1, area_.last_row, 1), bold=True))
    row_of = {label: area_.first_row + i - 1 for i, label in enumerate(labels)}
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
    spec.styles.append(Style(cell_range(area_.first_row, 2, row_of["Tila"], area_.right), align="right"))
    months = cell_range(row_of[MONTH_LABELS[0]], 2, row_of[MONTH_LABELS[-1]], area_.right)
    spec.conditional_formats.append(not_yet_format(months))
    spec.conditional_formats += status_formats(cell_range(row_of["Tila"], 2, row_of["Tila"], area_.right))
    explained = row_of[EXPLANATION_LABEL]
    spec.styles.append(Style(cell_range(explained, 2, explained, area_.right), font_size=8.0, wrap=True, align="left"))
    return area_


def municipality_card(municipality, budget: BudgetResult, area: _Area) -> SheetSpec:
    """One card: same rows and columns for every municipality."""
    name = municipality.name
    spec = SheetSpec(card_name(name), tab_color=TAB_COLOR, column_widths=dict(COLUMN_WIDTHS))
    costs = area.costs.get(name, [])
    info = _info_rows(municipality, budget, area, costs)
    spec.blocks.append(Block(1, 1, [[f"Kuntakortti {name}"], *info]))
    spec.styles += [Style("A1", bold=True, font_size=16.0),
                    Style(cell_range(2, 1, 1 + len(info), 1), italic=True, font_color="404040")]

    row = heading(spec, len(info) + 3, f"Tukibudjetti, sidonnat ja maksatukset {YEAR}")
    subsidies = _budget_table(spec, row, name, area)
    categories = cell_range(subsidies.first_row, 1, subsidies.last_row - 1, 1)
    spec.charts.append(Chart(
        kind="bar",
        title="Tuet tukilajeittain",
        anchor=cell(subsidies.last_row + 2, 1),
        series=bar_series([Series(header, cell_range(subsidies.first_row, col, subsidies.last_row - 1, col), categories)
                           for col, header in ((2, "Budjetti €"), (3, "Sidottu €"), (4, "Maksettu €"))]),
        width_cm=CHART_WIDTH_CM,
        height_cm=CHART_ROWS * ROW_CM,
        value_format=EURO_FORMAT,
    ))
    row = heading(spec, subsidies.last_row + CHART_ROWS + 3, "Palvelukustannukset vuoden alusta")
    costs_area = _costs_table(spec, row, costs, area)
    shares = _shares_table(spec, costs_area.last_row + 2, name, area, costs)
    row = heading(spec, shares.last_row + 2, "Mittarit kunnassa (kuukausittain kirjatut arvot)")
    indicators = _indicator_table(spec, row, name, area)
    notes = [["¹ Kumulatiivisilla mittareilla vuoden alusta yhteensä, muilla viimeisin kirjattu arvo. "
              "Lähtöarvo ja tavoite ovat koko alueen. Tila arvioidaan osuus- ja keskiarvomittareille ja ylärajoille. "
              "² Tilanteen kuukausi vuonna 2025 (Vertailuvuosi-välilehti)."],
             ["³ Viimeisin kunnan oma selitys ja toimenpide (Selitykset-välilehti)."]]
    spec.blocks.append(Block(indicators.last_row + 1, 1, notes))
    last_note = indicators.last_row + len(notes)
    spec.styles.append(Style(cell_range(indicators.last_row + 1, 1, last_note, 1), italic=True, font_size=8.0))
    spec.print_setup = PrintSetup(
        landscape=False, fit_width=1, fit_height=1,
        header='&L&"-,Bold"&A&RTulostettu &D',  # &A: the sheet's name, "Kuntakortti Jämsä"
        footer=page_footer(area.as_of),
        print_area=cell_range(1, 1, last_note, max(indicators.right, len(COLUMN_WIDTHS))),
    )
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
