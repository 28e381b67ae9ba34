"""The eight municipality cards: same layout, figures that reconcile, missing shown as missing, one A4 page."""

from __future__ import annotations

import dataclasses
import subprocess
from decimal import Decimal

import numpy as np
import openpyxl
import pytest
from libreoffice import needs_poppler, needs_soffice, recalculated_copy
from table_factory import day, make_tables

from tyollisyys_xl.core.attainment import compute_attainment
from tyollisyys_xl.core.budget import compute_budget
from tyollisyys_xl.core.cells import column_letter
from tyollisyys_xl.core.reports.budget_tabs import NO_BUDGET, NO_RATE
from tyollisyys_xl.core.reports.layout import MISSING, NOT_YET, NOT_YET_FILL
from tyollisyys_xl.core.reports.statuses import STATUS_LABELS
from tyollisyys_xl.core.reports.cards import (
    NOT_JUDGED,
    SHARE_LABEL,
    TEMPLATE_SHEET,
    card_layout,
    card_name,
    layout_stamp,
    municipality_cards,
)
from tyollisyys_xl.core.reports.budget_tabs import TOTAL_LABEL
from tyollisyys_xl.core.sheetspec import Style
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.io.generated import dense_block, sheet_cells
from tyollisyys_xl.io.xlsxwriter_target import write_xlsx
from tyollisyys_xl.pipeline import load

NAMES = ["Joutsa", "Jämsä", "Keuruu", "Luhanka", "Multia", "Mänttä-Vilppula", "Petäjävesi", "Toivakka"]
PAY = "Palkkatuki"


def labels(spec) -> dict[int, str]:
    """Column A of a card under its title and info lines: the row labels that make its layout."""
    return {r: v for (r, c), v in spec.values_grid().items() if c == 1 and r > 5}


def row_of(spec, label: str, start: int = 1) -> list:
    grid = spec.values_grid()
    row = next(r for r in sorted({r for r, _ in grid}) if r >= start and grid.get((r, 1)) == label)
    width = max(c for r, c in grid if r == row)
    return [grid.get((row, c)) for c in range(1, width + 1)]


@pytest.fixture(scope="module")
def small():
    tables = make_tables(
        budget=[dict(municipality="Jämsä", subsidy_type=PAY, budget_eur=10000),
                dict(municipality="Keuruu", subsidy_type=PAY, budget_eur=5000)],
        commitments=[
            dict(commitment_id="S1", decision_date=day("1.12.2025"), municipality="Jämsä", subsidy_type=PAY,
                 period_start=day("1.12.2025"), period_end=day("31.5.2026"), amount_eur=6000),
            dict(commitment_id="S2", decision_date=day("1.1.2026"), municipality="Keuruu", subsidy_type=PAY,
                 period_start=day("1.1.2026"), period_end=day("31.3.2026"), amount_eur=Decimal("3000.03")),
        ],
        payments=[dict(payment_date=day("15.1.2026"), commitment_id="S1", amount_eur=1000)],
        service_costs=[dict(month=1, municipality="Jämsä", cost_object="Valmennuspalvelut", amount_eur=Decimal("1200.10")),
                       dict(month=2, municipality="Keuruu", cost_object="Valmennuspalvelut", amount_eur=Decimal("799.90"))],
        entries=[dict(indicator_id="M06", month=m, municipality=name, value=100 * (i + 1) + m)
                 for m in (1, 2, 3) for i, name in enumerate(NAMES)]
        + [dict(indicator_id="M34", month=m, municipality="Jämsä", value=5) for m in (1, 2)],
    )
    budget = compute_budget(tables)
    return tables, budget, municipality_cards(tables, budget, compute_attainment(tables))


def test_one_card_per_municipality_in_kunnat_order(small):
    _, _, cards = small
    assert [c.name for c in cards] == [card_name(n) for n in NAMES]
    assert all(len(c.name) <= 31 for c in cards)


def test_every_card_has_the_same_layout(small):
    _, _, cards = small
    first = cards[0]
    for card in cards[1:]:
        assert labels(card) == labels(first)
        assert [(s.range, s.number_format, s.bold) for s in card.styles] == [(s.range, s.number_format, s.bold) for s in first.styles]
        assert [(c.anchor, [s.values for s in c.series]) for c in card.charts] == [(c.anchor, [s.values for s in c.series]) for c in first.charts]
        assert card.row_heights == first.row_heights and card.column_widths == first.column_widths
        assert card.print_setup.print_area == first.print_setup.print_area


def test_print_setup_is_one_a4_portrait_page_with_name_month_and_page(small):
    _, _, cards = small
    setup = cards[1].print_setup
    assert (setup.paper, setup.landscape, setup.fit_width, setup.fit_height, setup.scale) == ("A4", False, 1, 1, None)
    # &A prints the sheet's name ("Kuntakortti Jämsä"), &P / &N the page, &D the day it was printed
    assert setup.footer == "&L&A · Tilanne maaliskuu 2026&CSivu &P / &N&RTulostettu &D"


def test_every_card_is_its_templates_formats_and_its_own_values(small):
    tables, budget, _ = small
    layout = card_layout(tables, budget)
    template = layout.template
    assert template.name == TEMPLATE_SHEET and template.hidden and template.template is None
    stamp = layout_stamp(layout.cards[0])
    assert stamp in template.values_grid()[(1, 1)]
    for card in layout.cards:
        assert card.template.spec is template and card.template.stamp == stamp and not card.hidden
        assert card.styles is template.styles and card.charts is template.charts  # shared, not copied
        assert card.print_setup is template.print_setup and card.column_widths is template.column_widths
        block = dense_block(sheet_cells(card))
        assert (block.row, block.col) == (1, 1)  # the values write covers A1: the template's stamp goes away
        assert set(template.values_grid()) <= {(block.row + r, block.col + c) for r in range(len(block.values))
                                               for c in range(len(block.values[0]))}


def test_the_stamp_changes_with_the_layout_and_only_with_it(small):
    tables, budget, cards = small
    again = card_layout(tables, budget)
    assert layout_stamp(again.cards[0]) == layout_stamp(cards[0]) == layout_stamp(cards[5])
    fewer = dataclasses.replace(tables, subsidy_types=tables.subsidy_types.iloc[:-1])
    smaller = card_layout(fewer, compute_budget(fewer))
    assert layout_stamp(smaller.cards[0]) != layout_stamp(cards[0])  # one subsidy row less: another layout
    restyled = dataclasses.replace(cards[0], styles=[*cards[0].styles, Style("A1", italic=True)])
    assert layout_stamp(restyled) != layout_stamp(cards[0])


def test_card_heading_names_code_service_model_and_data_date(small):
    _, _, cards = small
    grid = cards[2].values_grid()
    assert grid[(1, 1)] is None  # the banner row: empty until the run's marks are known (add_banners)
    assert grid[(2, 1)] == "Kuntakortti Keuruu"
    assert grid[(3, 1)] == "Kuntanumero 249"
    assert grid[(4, 1)] == "Palvelumalli: valmennuksen tuottaa kunta (palvelutuotantosopimus), kotoutumiskoulutuksen kunta."
    assert cards[1].values_grid()[(4, 1)] == "Palvelumalli: valmennuksen ja kotoutumiskoulutuksen tuottaa työllisyysalue."
    assert grid[(5, 1)].startswith("Tiedot 31.3.2026 asti: toteumat 3/2026 asti; maksatukset 15.1.2026 asti")
    assert "vastuukunta" in cards[1].values_grid()[(3, 1)]


def test_subsidy_figures_reconcile_with_the_budget_summary(small):
    _, budget, cards = small
    committed = sum(round(row_of(c, PAY)[2] * 100) for c in cards)
    assert committed == budget.summary["committed_cents"].sum()
    jamsa = row_of(cards[1], PAY)
    assert jamsa[1:5] == [10000.0, 4978.02, 1000.0, 5021.98]
    assert row_of(cards[1], "Yhteensä")[1:4] == [10000.0, 4978.02, 1000.0]


def test_missing_data_is_shown_as_missing_never_as_zero(small):
    _, _, cards = small
    luhanka = cards[3]
    pay = row_of(luhanka, PAY)
    assert pay[1] == NO_BUDGET and pay[5] == pay[6] == NO_RATE  # no budget row: said as Budjettiseuranta says it
    assert pay[2] == pay[4] == 0.0  # no commitments is a true zero: every commitment is entered
    assert row_of(luhanka, "Valmennuspalvelut")[1] == MISSING  # no service costs entered
    assert row_of(luhanka, "Tilanne nyt ¹")[6] == MISSING  # M34 not entered for Luhanka
    m34 = row_of(luhanka, "Mittari").index(next(h for h in row_of(luhanka, "Mittari") if h.startswith("M34")))
    assert [row_of(luhanka, m)[m34] for m in ("1/2026", "3/2026", "4/2026", "12/2026")] == [MISSING, MISSING, NOT_YET, NOT_YET]
    assert row_of(luhanka, "3/2026")[1] == 403.0 and row_of(luhanka, "4/2026")[1] == NOT_YET  # entries run to 3/2026
    (not_yet,) = [rule for rule in luhanka.conditional_formats if rule.values == [NOT_YET]]
    assert not_yet.fill == NOT_YET_FILL and not_yet.range.startswith("B") and not_yet.kind == "text"


def test_service_costs_and_shares_of_the_area(small):
    _, _, cards = small
    jamsa, keuruu = cards[1], cards[2]
    assert row_of(jamsa, "Valmennuspalvelut")[1:3] == [1200.10, pytest.approx(1200.10 / 2000)]
    costs = next(r for (r, c), v in keuruu.values_grid().items() if c == 1 and v == "Kustannuskohde")
    assert row_of(keuruu, TOTAL_LABEL, start=costs)[1:3] == [799.90, pytest.approx(799.90 / 2000)]
    assert row_of(jamsa, SHARE_LABEL)[1] == pytest.approx(10000 / 15000)  # of the area's budget


def test_indicator_values_trend_and_share(small):
    _, _, cards = small
    jamsa = cards[1]
    header = row_of(jamsa, "Mittari")
    m06, m34 = header.index(next(h for h in header if h.startswith("M06"))), header.index(next(h for h in header if h.startswith("M34")))
    assert [row_of(jamsa, m)[m06] for m in ("1/2026", "2/2026", "3/2026")] == [201.0, 202.0, 203.0]
    assert row_of(jamsa, "Tilanne nyt ¹")[m06] == 203.0
    assert row_of(jamsa, "Tilanne nyt ¹")[m34] == 10.0  # cumulative: year to date
    assert row_of(jamsa, "Suunta (kk→kk)")[m06] == "↑ +1 (2→3)"
    total = sum(100 * (i + 1) + 3 for i in range(8))
    assert row_of(jamsa, "Osuus alueesta")[m06] == pytest.approx(203 / total)


def test_stocks_show_the_change_from_the_same_month_a_year_earlier(demo_cards):
    tables, _, cards = demo_cards
    jamsa = next(card for card in cards if card.name == card_name("Jämsä"))
    header = row_of(jamsa, "Mittari")
    m06, m34 = (header.index(next(h for h in header if h.startswith(code))) for code in ("M06", "M34"))
    town = compute_attainment(tables).municipalities.set_index(["id", "municipality"]).loc[("M06", "Jämsä")]
    now, before = row_of(jamsa, "Tilanne nyt ¹")[m06], row_of(jamsa, "Sama kk vuotta aiemmin ²")[m06]
    assert before == town["reference_value"] > 0  # October 2025 of Jämsä, from Vertailuvuosi
    assert row_of(jamsa, "Muutos vuodessa")[m06] == pytest.approx(now - before)
    assert row_of(jamsa, "Muutos vuodessa %")[m06] == pytest.approx((now - before) / before)
    assert row_of(jamsa, "Sama kk vuotta aiemmin ²")[m34] == MISSING  # a year-to-date count has no reference month


def test_the_tila_row_carries_symbols_and_colours(demo_cards):
    """Each status its own symbol and colour on the card too; grey print keeps "● Saavutettu" and "○ Tavoitteessa" apart."""
    _, _, cards = demo_cards
    jamsa = next(card for card in cards if card.name == card_name("Jämsä"))
    tila = row_of(jamsa, "Tila")
    assert set(tila[1:]) <= {*STATUS_LABELS, NOT_JUDGED} and len(set(tila[1:]) & set(STATUS_LABELS)) >= 2
    row = next(r for (r, c), v in jamsa.values_grid().items() if c == 1 and v == "Tila")
    coloured = {rule.values[0]: rule for rule in jamsa.conditional_formats if rule.values and rule.values[0] in STATUS_LABELS}
    assert set(coloured) == set(STATUS_LABELS)
    assert {rule.range for rule in coloured.values()} == {f"B{row}:{column_letter(len(tila))}{row}"}
    assert coloured["● Saavutettu"].fill != coloured["○ Tavoitteessa"].fill


def test_cards_without_any_data_still_have_the_full_layout(small):
    tables = make_tables()
    cards = municipality_cards(tables, compute_budget(tables))  # attainment computed when not given
    assert len(cards) == 8 and labels(cards[0]) == labels(small[2][0])
    assert cards[0].values_grid()[(5, 1)].startswith("Tietoja ei ole vielä kirjattu: ei toteumia;")
    assert cards[0].print_setup.footer == "&L&A&CSivu &P / &N&RTulostettu &D"  # no entries: no month to name


# ---------------------------------------------------------------- the demo workbook, rendered


@pytest.fixture(scope="module")
def demo_cards(demo_path):
    tables = load(demo_path).tables
    budget = compute_budget(tables)
    return tables, budget, municipality_cards(tables, budget, compute_attainment(tables))


def test_demo_cards_reconcile_with_the_area(demo_cards):
    tables, budget, cards = demo_cards
    assert len(cards) == 8
    for column, key in ((1, "budget_cents"), (2, "committed_cents"), (3, "paid_cents")):
        from_cards = sum(round(row_of(card, "Yhteensä")[column] * 100) for card in cards)
        assert from_cards == budget.summary[key].sum()


def render_card(spec, path):
    write_xlsx(path, [spec], {spec.name})
    return path


@pytest.mark.libreoffice
@needs_soffice
@needs_poppler
def test_libreoffice_prints_a_card_on_one_a4_page_that_is_not_blank(demo_cards, tmp_path):
    _, _, cards = demo_cards
    pdf = recalculated_copy(render_card(cards[1], tmp_path / "kuntakortti.xlsx"), tmp_path, "pdf")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info
    width, height = (float(v) for v in info.split("Page size:")[1].split("pts")[0].split(" x "))
    assert (round(width), round(height)) == (595, 842)  # A4 portrait in points
    subprocess.run(["pdftoppm", "-r", "60", "-gray", str(pdf), str(tmp_path / "page")], check=True)
    pixels = read_pgm(next(tmp_path.glob("page*.pgm")))
    assert pixels.std() > 10  # text, lines and a chart, not an empty page
    assert (pixels[: pixels.shape[0] // 2] < 128).mean() > 0.01 and (pixels[pixels.shape[0] // 2 :] < 128).mean() > 0.005


def read_pgm(path) -> np.ndarray:
    """A binary PGM (P5) image as a 2-D array of grey levels."""
    data = path.read_bytes()
    fields, offset = [], 0
    while len(fields) < 4:
        while data[offset : offset + 1].isspace():
            offset += 1
        end = offset
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[offset:end])
        offset = end
    assert fields[0] == b"P5"
    width, height = int(fields[1]), int(fields[2])
    return np.frombuffer(data[offset + 1 : offset + 1 + width * height], dtype=np.uint8).reshape(height, width)


def test_regenerating_cards_and_budget_tabs_gives_the_same_file_contents(demo_path, tmp_path):
    from tyollisyys_xl.core.reports.budget_tabs import budget_sheets

    def written(name):
        tables = load(demo_path).tables
        budget = compute_budget(tables)
        specs = budget_sheets(budget, tables) + municipality_cards(tables, budget, compute_attainment(tables))
        write_xlsx(tmp_path / name, specs, {s.name for s in specs})
        source = CalamineSource(tmp_path / name)
        return specs, {sheet: source.sheet_values(sheet) for sheet in source.sheet_names()}

    (first, once), (second, twice) = written("yksi.xlsx"), written("kaksi.xlsx")
    assert [s.values_grid() for s in first] == [s.values_grid() for s in second]
    assert list(once) == list(twice) and once == twice
    assert sum(name.startswith("Kuntakortti ") for name in once) == 8


@pytest.mark.libreoffice
@needs_soffice
def test_a_copy_of_the_template_carries_its_mark_and_print_setup_in_a_real_spreadsheet_program(small, tmp_path):
    """Excel copies a sheet with its sheet-scoped names and page setup, moved to the copy; so does LibreOffice.

    The chart is the exception in LibreOffice: its copy keeps plotting the original sheet, while Excel
    (desktop and the web, whose Worksheet.copy the remote engine calls) points it at the copy. So the
    template's chart is checked to plot only its own sheet, and Excel's behaviour is relied on (docs/report.md).
    """
    from libreoffice import COPY_SHEET_MACRO, run_basic

    tables, budget, _ = small
    layout = card_layout(tables, budget)
    source, copied = tmp_path / "pohja.xlsx", tmp_path / "kopio.xlsx"
    write_xlsx(source, [layout.template, layout.cards[0]], {TEMPLATE_SHEET, layout.cards[0].name})
    run_basic(tmp_path, COPY_SHEET_MACRO, f'CopySheet("{source}","{copied}","{TEMPLATE_SHEET}","Kuntakortti Kopio")')
    book = openpyxl.load_workbook(copied)
    copy = book["Kuntakortti Kopio"]
    assert copy.defined_names["TyollisyysXL_Generoitu"].attr_text == "'Kuntakortti Kopio'!$A$1"
    assert CalamineSource(copied).generated_sheets() == [TEMPLATE_SHEET, layout.cards[0].name, "Kuntakortti Kopio"]
    assert copy.print_area == f"'Kuntakortti Kopio'!{book[TEMPLATE_SHEET].print_area.split('!')[1]}"
    assert (copy.page_setup.orientation, copy.page_setup.paperSize) == ("portrait", 9)
    assert all(":" in series.values and "!" not in series.values for chart in layout.template.charts for series in chart.series)
