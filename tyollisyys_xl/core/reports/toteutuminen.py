"""The attainment sheets: Toteutuminen (summary, roll-ups and one row per indicator), Toteutuminen
kunnittain, and Toteutuminen kuukausittain (trend with a chart).

On the Toteutuminen sheet the per-indicator arithmetic is native Excel formulas over the sheet's own
cells (expected share, expected value, progress, status; toteutuminen_formulas) and over the thresholds
shown at its top,
so a reader can click a cell and see how a status came about; each formula carries the value Python
computed. Actuals are values: forming them needs the area rules (Koko alue rows, weighted rates,
partial coverage) that docs/attainment.md explains. Only the sheet's own cells are referenced, so the
sheet works in any file it is written into.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tyollisyys_xl.core.attainment import (
    EI_TIETOA,
    EI_TOTEUDU,
    LEVEL_COUNCIL,
    LEVEL_TOTAL,
    RISKISSA,
    SAAVUTETTU,
    STATUSES,
    TAVOITTEESSA,
    AttainmentResult,
    Thresholds,
)
from tyollisyys_xl.core.cells import cell, cell_range, column_letter
from tyollisyys_xl.core.explanations import explanation_text, latest_explanations, owners
from tyollisyys_xl.core.months import MONTHS, month_label
from tyollisyys_xl.core.reports.layout import (
    BAR_COLORS,
    DECIMAL_FORMAT,
    MISSING,
    NOT_YET,
    PERCENT_FORMAT,
    SIGNED_PERCENT_FORMAT,
    SIGNED_WHOLE_FORMAT,
    TOTAL_FILL,
    WHOLE_FORMAT,
    FIRST_ROW,
    TableArea,
    fit_header,
    heading,
    line_series,
    month_cell,
    not_yet_format,
    table,
    title,
    wrap_across,
)
from tyollisyys_xl.core.reports.printing import board_print_setup
from tyollisyys_xl.core.reports.statuses import STATUS_LABELS, status_formats, status_label
from tyollisyys_xl.core.reports.toteutuminen_formulas import (
    CAPPED,
    ID,
    INDICATOR_HEADERS,
    LEVEL,
    STATUS,
    FollowUp,
    ParameterCells,
    cell_value,
    indicator_cells,
    indicator_column,
    month_text,
)
from tyollisyys_xl.core.sheetspec import (
    Block,
    Chart,
    ConditionalFormat,
    Formula,
    Series,
    SheetSpec,
    Style,
)
from tyollisyys_xl.core.tables import Tables
from tyollisyys_xl.programme import AREA_TOTAL

MAIN_SHEET = "Toteutuminen"
MUNICIPAL_SHEET = "Toteutuminen kunnittain"
TREND_SHEET = "Toteutuminen kuukausittain"
TAB_COLOR = "2F5597"

FACTOR_FORMAT = "0.000"
AXIS_PERCENT_FORMAT = "0 %"  # axis steps are round: no decimal to show
AS_OF_FORMAT = '0"/2026"'

ON_TRACK_SHARE_HEADER = "Saavutettu tai tavoitteessa (niistä, joista on tietoa)"
STATUS_LEGEND = (
    f"Tila: {status_label(SAAVUTETTU)} = tavoite täyttyy nyt; {status_label(TAVOITTEESSA)} = etenee "
    f"tavoiteaikataulussa; {status_label(RISKISSA)} = jäljessä aikataulusta tai hieman tavoitetasosta; "
    f"{status_label(EI_TOTEUDU)} = selvästi jäljessä, väärään suuntaan tai määräaika on ohi; "
    f"{status_label(EI_TIETOA)} = ei toteumia tai summasta puuttuu kuntia. Toimitettava (määräpäivä) ei ole "
    "”Ei toteudu” ennen määräpäiväänsä; kausimittareita verrataan vuoden 2025 samaan kuukauteen."
)
ROLLUP_NOTE = (
    "Yhteenveto ei laske yhteen erilaisia yksiköitä: se kertoo mittareiden määrän tiloittain ja "
    "keskimääräisen edistymisen, jossa kunkin mittarin edistyminen on rajattu välille 0–100 %."
)

ROLLUP_HEADERS = ["Näkymä", "Ryhmä", "Mittareita", *STATUS_LABELS, ON_TRACK_SHARE_HEADER, "Keskimääräinen edistyminen"]


INDICATOR_WIDTHS = {
    "Tunnus": 8, "Taso": 6, "Painopiste": 30, "Mittari": 46, "Yksikkö": 16, "Laji": 12, "Kertymä": 14, "Lähtöarvo": 11,
    "Tavoite": 11, "Toteuma": 11, "Tieto kk": 9, "Sama kk vuotta aiemmin": 11, "Muutos vuodessa": 10,
    "Muutos vuodessa %": 10, "Odotettu nyt": 11, "Edistyminen": 11, "Tila": 13, "Vastuuhenkilö": 18,
    "Selitys ja toimenpide": 50, "Kattavuus": 12, "Huomio": 44,
    "Odotettu eteneminen": 11, "Edistyminen rajattuna": 11, "Kausikerroin": 11,
}
ROLLUP_LEFT = 3  # the roll-up table starts under Painopiste so that its wide columns fit
NOTE_COLUMNS = 4  # the notes under a title wrap across A..D, within the first printed page
WRAPPED_COLUMNS = ("Huomio", "Selitys ja toimenpide", "Kattavuus", "Mittari", "Painopiste", "Yksikkö")
PRINTED_UP_TO = "Huomio"  # the last column on paper; the formulas' helper columns after it stay on screen


def fractional_indicators(result: AttainmentResult) -> set[str]:
    """Indicators with a value that is not a whole number (rates, means, durations): shown with decimals."""
    fractional: set[str] = set()
    for frame, columns in ((result.indicators, ["baseline", "target", "actual"]), (result.municipalities, ["actual"]),
                           (result.trend, list(MONTHS))):
        values = frame[columns].to_numpy(dtype="float64")
        with np.errstate(invalid="ignore"):  # an infinity is not whole: inf % 1 is NaN
            whole = np.isnan(values) | (values % 1 == 0)
        fractional.update(frame["id"][~whole.all(axis=1)])
    return fractional


def _spans(offsets: list[int]) -> list[tuple[int, int]]:
    """[7, 8, 9, 11] -> [(7, 9), (11, 11)]: runs of adjacent columns, styled with one range each."""
    spans: list[tuple[int, int]] = []
    for offset in sorted(offsets):
        if spans and offset == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], offset)
        else:
            spans.append((offset, offset))
    return spans


def _number_styles(spec: SheetSpec, area: TableArea, ids: list, formats: dict[int, str], fractional: set[str]) -> None:
    """Each number column in its own format; the rows of fractional indicators with decimals."""
    for offset, number_format in formats.items():
        spec.styles.append(Style(area.column(offset), number_format=number_format))
    spans = _spans(list(formats))
    for row_offset, indicator_id in enumerate(ids):
        if indicator_id in fractional:
            r = area.first_row + row_offset
            spec.styles += [Style(cell_range(r, area.left + a, r, area.left + b), number_format=DECIMAL_FORMAT)
                            for a, b in spans]


def follow_ups(tables: Tables, as_of: int | None, municipality: str = AREA_TOTAL) -> dict[str, FollowUp]:
    """Indicator id -> its owner and the latest explanation naming the municipality (Koko alue for the area)."""
    owner_of = owners(tables)
    latest = latest_explanations(tables, as_of)
    ids = set(owner_of) | {i for i, m in latest if m == municipality}
    return {i: FollowUp(owner_of.get(i), explanation_text(latest.get((i, municipality)))) for i in ids}


# --- the Toteutuminen sheet ------------------------------------------------------------------------------


@dataclass
class _Group:
    """A contiguous run of indicator rows on the sheet (a focus area or a theme)."""

    group_type: str
    name: str
    first: int
    last: int


def _subtotal_cells(label: str, first: int, last: int, result_row: dict) -> list:
    statuses = f"{STATUS}{first}:{STATUS}{last}"
    capped = f"{CAPPED}{first}:{CAPPED}{last}"
    ids = f"{ID}{first}:{ID}{last}"
    on_track = int(result_row[SAAVUTETTU]) + int(result_row[TAVOITTEESSA])
    mean = cell_value(result_row["mean_progress"])
    cells: list = [None] * len(INDICATOR_HEADERS)
    cells[INDICATOR_HEADERS.index("Painopiste")] = label
    cells[INDICATOR_HEADERS.index("Edistyminen")] = Formula(
        f'=IF(COUNT({capped})=0,"",AVERAGE({capped}))', mean if mean is not None else "")
    cells[INDICATOR_HEADERS.index("Huomio")] = Formula(
        f'=COUNTIF({statuses},"{status_label(SAAVUTETTU)}")+COUNTIF({statuses},"{status_label(TAVOITTEESSA)}")'
        f'&"/"&COUNTA({ids})'
        f'&" saavutettu tai tavoitteessa"',
        f"{on_track}/{int(result_row['n'])} saavutettu tai tavoitteessa",
    )
    return cells


def _indicator_table(spec: SheetSpec, result: AttainmentResult, header_row: int, params: ParameterCells,
                     follow_up: dict[str, FollowUp]) -> tuple[list[_Group], TableArea]:
    """Indicators grouped by theme and focus area with subtotal rows; returns the groups and where the table is."""
    rollups = result.rollups.set_index(["group_type", "group"])
    rows, total_offsets, theme_offsets, groups = [], set(), set(), []
    first_data = header_row + 1
    for theme, theme_rows in result.indicators.groupby("theme", sort=False):
        theme_offsets.add(len(rows))
        rows.append([None, None, theme, *[None] * (len(INDICATOR_HEADERS) - 3)])
        theme_first = first_data + len(rows)
        for focus, focus_rows in theme_rows.groupby("focus_area", sort=False):
            focus_first = first_data + len(rows)
            for row in focus_rows.itertuples(index=False):
                r = first_data + len(rows)
                rows.append(indicator_cells(row, result.specs[row.id], r, params, result.thresholds, result.as_of,
                                            follow_up.get(row.id, FollowUp())))
            focus_last = first_data + len(rows) - 1
            groups.append(_Group("painopiste", focus, focus_first, focus_last))
            total_offsets.add(len(rows))
            rows.append(_subtotal_cells(f"Yhteensä: {focus}", focus_first, focus_last,
                                        rollups.loc[("painopiste", focus)]))
        theme_last = first_data + len(rows) - 1
        groups.append(_Group("teema", theme, theme_first, theme_last))
        total_offsets.add(len(rows))
        rows.append(_subtotal_cells(f"Teema yhteensä: {theme}", theme_first, theme_last,
                                    rollups.loc[("teema", theme)]))
    formats = {INDICATOR_HEADERS.index(h): PERCENT_FORMAT for h in
               ("Edistyminen", "Odotettu eteneminen", "Edistyminen rajattuna")}
    formats[INDICATOR_HEADERS.index("Muutos vuodessa %")] = SIGNED_PERCENT_FORMAT
    formats[INDICATOR_HEADERS.index("Kausikerroin")] = FACTOR_FORMAT
    area = table(spec, header_row, INDICATOR_HEADERS, rows, formats, total_offsets)
    numbers = {INDICATOR_HEADERS.index(h): f for h, f in [
        ("Lähtöarvo", WHOLE_FORMAT), ("Tavoite", WHOLE_FORMAT), ("Toteuma", WHOLE_FORMAT), ("Sama kk vuotta aiemmin", WHOLE_FORMAT),
        ("Muutos vuodessa", SIGNED_WHOLE_FORMAT), ("Odotettu nyt", DECIMAL_FORMAT)]}
    _number_styles(spec, area, [r[0] for r in rows], numbers, fractional_indicators(result))
    for offset in theme_offsets:
        r = area.first_row + offset
        spec.styles.append(Style(cell_range(r, 1, r, area.right), bold=True, font_size=12.0, fill="D9E1F2"))
    for wrapped in WRAPPED_COLUMNS:
        column = indicator_column(wrapped)
        spec.styles.append(Style(f"{column}{area.first_row}:{column}{area.last_row}", wrap=True))
    spec.conditional_formats += status_formats(f"{STATUS}{area.first_row}:{STATUS}{area.last_row}")
    return groups, area


def _rollup_cells(r: int, label: str, group: str, counts: dict[str, str], n: str, mean: str, row: pd.Series) -> list:
    """One roll-up row: count formulas, then the share of those with data and the mean capped progress."""
    left = ROLLUP_LEFT
    n_cell, first_status = cell(r, left + 2), left + 3
    status_cell = {s: cell(r, first_status + i) for i, s in enumerate(STATUSES)}
    with_data = f"{n_cell}-{status_cell[EI_TIETOA]}"
    share = (f'=IF({with_data}=0,"",({status_cell[SAAVUTETTU]}+{status_cell[TAVOITTEESSA]})/({with_data}))')
    return [
        label,
        group,
        Formula(n, int(row["n"])),
        *[Formula(counts[s], int(row[s])) for s in STATUSES],
        Formula(share, cell_value(row["on_track_share"]) if not math.isnan(row["on_track_share"]) else ""),
        Formula(mean, cell_value(row["mean_progress"]) if not math.isnan(row["mean_progress"]) else ""),
    ]


def _rollup_rows(result: AttainmentResult, header_row: int, groups: list[_Group], first: int, last: int) -> list:
    rollups = result.rollups.set_index(["group_type", "group"])
    ids, levels, statuses, capped = (f"${c}${first}:${c}${last}" for c in (ID, LEVEL, STATUS, CAPPED))
    rows = []

    def r() -> int:
        return header_row + 1 + len(rows)

    council = {s: f'=COUNTIFS({levels},"KV",{statuses},"{status_label(s)}")' for s in STATUSES}
    rows.append(_rollup_cells(
        r(), "Taso", LEVEL_COUNCIL, council, f'=COUNTIF({levels},"KV")',
        f'=IF(COUNTIFS({levels},"KV",{capped},">=0")=0,"",'
        f'SUMIFS({capped},{levels},"KV")/COUNTIFS({levels},"KV",{capped},">=0"))',
        rollups.loc[("taso", LEVEL_COUNCIL)]))
    everything = {s: f'=COUNTIF({statuses},"{status_label(s)}")' for s in STATUSES}
    rows.append(_rollup_cells(r(), "Taso", LEVEL_TOTAL, everything, f"=COUNTA({ids})",
                              f'=IF(COUNT({capped})=0,"",AVERAGE({capped}))', rollups.loc[("taso", LEVEL_TOTAL)]))
    for group_type, label in (("teema", "Teema"), ("painopiste", "Painopiste")):
        for g in (g for g in groups if g.group_type == group_type):
            span = {c: f"{c}{g.first}:{c}{g.last}" for c in (ID, STATUS, CAPPED)}
            counts = {s: f'=COUNTIF({span[STATUS]},"{status_label(s)}")' for s in STATUSES}
            rows.append(_rollup_cells(r(), label, g.name, counts, f"=COUNTA({span[ID]})",
                                      f'=IF(COUNT({span[CAPPED]})=0,"",AVERAGE({span[CAPPED]}))',
                                      rollups.loc[(group_type, g.name)]))
    return rows


def _parameter_block(spec: SheetSpec, row: int, as_of: int | None, t: Thresholds) -> tuple[ParameterCells, int]:
    """The as-of month and the thresholds, labels in A and values in E, where the formulas read them."""
    value_col = 5
    entries = [("Tarkastelukuukausi (kuukauden loppu)", as_of), *t.labelled()]
    for i, (label, value) in enumerate(entries):
        spec.blocks.append(Block(row + i, 1, [[label]]))
        spec.blocks.append(Block(row + i, value_col, [[value]]))
    spec.styles.append(Style(cell(row, value_col), number_format=AS_OF_FORMAT, bold=True, fill=TOTAL_FILL,
                             border=True))
    spec.styles.append(Style(cell_range(row + 1, value_col, row + len(entries) - 1, value_col),
                             number_format=PERCENT_FORMAT, fill=TOTAL_FILL, border=True))
    addresses = [f"${column_letter(value_col)}${row + i}" for i in range(len(entries))]
    return ParameterCells(*addresses), row + len(entries) + 1


def main_sheet(result: AttainmentResult, tables: Tables) -> SheetSpec:
    spec = SheetSpec(MAIN_SHEET, tab_color=TAB_COLOR)
    spec.column_widths = {indicator_column(header): width for header, width in INDICATOR_WIDTHS.items()}
    as_of_text = f"Tilanne {month_label(result.as_of)} lopussa." if result.as_of else "Toteumia ei ole vielä kirjattu."
    row = title(spec, FIRST_ROW, "Työllisyysohjelman 2026 mittareiden toteutuminen", [
        f"{as_of_text} Laskettu {len(tables.entries)} hyväksytystä toteumarivistä. "
        "Kumulatiiviset mittarit: vuoden kertymä; tilannemittarit: viimeisin arvo.",
        "Työkalun tuottama välilehti: muutokset tehdään Mittarit- ja Toteumat-välilehdille.",
        STATUS_LEGEND,
    ], last_column=NOTE_COLUMNS)
    params, row = _parameter_block(spec, row, result.as_of, result.thresholds)

    row = heading(spec, row, "Yhteenveto")
    spec.blocks.append(Block(row, 1, [[ROLLUP_NOTE]]))
    spec.styles.append(Style(f"A{row}", italic=True, font_color="595959"))
    wrap_across(spec, [row], NOTE_COLUMNS)
    rollup_header = row + 1
    n_groups = 2 + result.indicators["theme"].nunique() + result.indicators["focus_area"].nunique()
    indicator_header = heading(spec, rollup_header + n_groups + 2, "Mittarit") if len(result.indicators) else None

    groups, first, last, indicators = [], 0, 0, None
    if indicator_header:
        groups, indicators = _indicator_table(spec, result, indicator_header, params, follow_ups(tables, result.as_of))
        first, last = indicators.first_row, indicators.last_row
    rollup_rows = _rollup_rows(result, rollup_header, groups, first, last) if indicator_header else []
    n_headers = len(ROLLUP_HEADERS)
    area = table(spec, rollup_header, ROLLUP_HEADERS, rollup_rows,
                 {n_headers - 2: PERCENT_FORMAT, n_headers - 1: PERCENT_FORMAT}, left=ROLLUP_LEFT)
    fit_header(spec, area)
    if rollup_rows:
        spec.conditional_formats.append(ConditionalFormat(area.column(n_headers - 1), "data_bar", fill="5B9BD5"))
        focus_rows = [i for i, r in enumerate(rollup_rows) if r[0] == "Painopiste"]
        top, bottom = area.first_row + focus_rows[0], area.first_row + focus_rows[-1]
        spec.charts.append(Chart(
            kind="bar",
            title="Keskimääräinen edistyminen painopisteittäin",
            anchor=cell(FIRST_ROW, area.right + 1),
            series=[Series("Keskimääräinen edistyminen",
                           cell_range(top, area.right, bottom, area.right),
                           cell_range(top, ROLLUP_LEFT + 1, bottom, ROLLUP_LEFT + 1), color=BAR_COLORS[1])],
            width_cm=14, height_cm=11, value_format=AXIS_PERCENT_FORMAT,
        ))
    if indicators is not None:
        fit_header(spec, indicators, wrapped=[INDICATOR_HEADERS.index(h) for h in WRAPPED_COLUMNS])
    last_printed = INDICATOR_HEADERS.index(PRINTED_UP_TO) + 1  # the helper columns of the formulas stay off paper
    spec.print_setup = board_print_setup(spec, last_row=max(last, area.last_row), last_column=last_printed,
                                         header_rows=(indicators.header_row,) * 2 if indicators else None,
                                         key_columns=("A", "A"))
    return spec


# --- Toteutuminen kunnittain --------------------------------------------------------------------------------

MUNICIPAL_HEADERS = ["Tunnus", "Mittari", "Kunta", "Toteuma", "Tieto kk", "Sama kk vuotta aiemmin", "Muutos vuodessa",
                     "Muutos vuodessa %", "Osuus alueen luvusta", "Lähtöarvo", "Tavoite", "Odotettu nyt", "Edistyminen",
                     "Tila", "Selitys ja toimenpide", "Huomio"]
MUNICIPAL_WIDTHS = {"A": 16, "B": 30, "C": 16, "D": 10, "E": 9, "F": 11, "G": 10, "H": 10, "I": 11, "J": 10,
                    "K": 10, "L": 10, "M": 12, "N": 13, "O": 32, "P": 30}
MUNICIPAL_ROLLUP_HEADERS = ["Kunta", "Arvioituja mittareita", *STATUS_LABELS, ON_TRACK_SHARE_HEADER,
                            "Keskimääräinen edistyminen"]


def _rollup_values(row: dict) -> list:
    return [cell_value(row["n"]), *[cell_value(row[s]) for s in STATUSES], cell_value(row["on_track_share"]),
            cell_value(row["mean_progress"])]


def municipal_sheet(result: AttainmentResult, tables: Tables) -> SheetSpec:
    spec = SheetSpec(MUNICIPAL_SHEET, tab_color=TAB_COLOR, column_widths=dict(MUNICIPAL_WIDTHS))
    row = title(spec, FIRST_ROW, "Kuntakohtaisten mittareiden toteutuminen", [
        (f"Tilanne {month_label(result.as_of)} lopussa." if result.as_of else "Toteumia ei ole vielä kirjattu."),
        "Osuuksia ja keskiarvoja verrataan alueen tavoitteeseen. Määrille ja summille kunnilla ei ole omaa "
        "tavoitetta, joten niistä näytetään kunnan osuus alueen luvusta.",
    ], last_column=NOTE_COLUMNS)
    row = heading(spec, row, "Yhteenveto kunnittain")
    towns = result.rollups[result.rollups["group_type"] == "kunta"]
    rollup_rows = [[r["group"], *_rollup_values(r)] for r in towns.to_dict("records")]
    n = len(MUNICIPAL_ROLLUP_HEADERS)
    area = table(spec, row, MUNICIPAL_ROLLUP_HEADERS, rollup_rows, {n - 2: PERCENT_FORMAT, n - 1: PERCENT_FORMAT})
    if rollup_rows:
        spec.conditional_formats.append(ConditionalFormat(area.column(n - 1), "data_bar", fill="5B9BD5"))

    row = heading(spec, area.last_row + 2, "Mittarit kunnittain")
    latest = latest_explanations(tables, result.as_of)
    rows = [
        [m.id, m.name, m.municipality, cell_value(m.actual), month_text(m.actual_month), cell_value(m.reference_value),
         cell_value(m.change_from_reference), cell_value(m.change_from_reference_share), cell_value(m.share_of_area),
         cell_value(m.baseline), cell_value(m.target), cell_value(m.expected), cell_value(m.progress),
         status_label(cell_value(m.status)), explanation_text(latest.get((m.id, m.municipality))), m.note or None]
        for m in result.municipalities.itertuples(index=False)
    ]
    formats = {MUNICIPAL_HEADERS.index(h): PERCENT_FORMAT for h in ("Osuus alueen luvusta", "Edistyminen")}
    formats[MUNICIPAL_HEADERS.index("Muutos vuodessa %")] = SIGNED_PERCENT_FORMAT
    detail = table(spec, row, MUNICIPAL_HEADERS, rows, formats)
    numbers = {MUNICIPAL_HEADERS.index(h): f for h, f in [
        ("Toteuma", WHOLE_FORMAT), ("Sama kk vuotta aiemmin", WHOLE_FORMAT), ("Muutos vuodessa", SIGNED_WHOLE_FORMAT), ("Lähtöarvo", WHOLE_FORMAT),
        ("Tavoite", WHOLE_FORMAT), ("Odotettu nyt", DECIMAL_FORMAT)]}
    _number_styles(spec, detail, [r[0] for r in rows], numbers, fractional_indicators(result))
    spec.conditional_formats += status_formats(detail.column(MUNICIPAL_HEADERS.index("Tila")))
    for wrapped in ("Mittari", "Selitys ja toimenpide", "Huomio"):
        spec.styles.append(Style(detail.column(MUNICIPAL_HEADERS.index(wrapped)), wrap=True))
    fit_header(spec, area)
    fit_header(spec, detail, wrapped=[MUNICIPAL_HEADERS.index(h) for h in ("Mittari", "Selitys ja toimenpide", "Huomio")])
    spec.freeze = cell(detail.first_row, 4)
    spec.print_setup = board_print_setup(spec, last_row=detail.last_row, last_column=detail.right,
                                         header_rows=(detail.header_row, detail.header_row), key_columns=("A", "C"))
    return spec


# --- Toteutuminen kuukausittain -----------------------------------------------------------------------------

TREND_HEADERS = ["Tunnus", "Mittari", "Yksikkö", "Kertymä", *(month_label(m) for m in MONTHS), "Tavoite"]
MONTHLY_ROLLUP_HEADERS = ["Kuukausi", *STATUS_LABELS, ON_TRACK_SHARE_HEADER, "Keskimääräinen edistyminen"]
TREND_ROLLUP_LEFT = 5  # beside the chart, under the month columns


def trend_sheet(result: AttainmentResult) -> SheetSpec:
    spec = SheetSpec(TREND_SHEET, tab_color=TAB_COLOR, column_widths={"A": 8, "B": 34, "C": 14, "D": 15} | {
        column_letter(5 + i): 9 for i in range(len(MONTHS) + 1)})
    row = title(spec, FIRST_ROW, "Mittareiden toteutuminen kuukausittain", [
        "Alueen luku kuukauden lopussa: kumulatiivisille mittareille vuoden kertymä, tilannemittareille "
        f"kuukauden arvo. ”{MISSING}” = kuukaudelta ei ole lukua tai summasta puuttuu kuntia; ”{NOT_YET}” = "
        "kuukausi on vielä edessä.",
    ], last_column=NOTE_COLUMNS)
    row = heading(spec, row, "Kaikki mittarit kuukausittain")
    monthly = [[month_label(int(r["month"])), *[cell_value(r[s]) for s in STATUSES], cell_value(r["on_track_share"]),
                cell_value(r["mean_progress"])] for r in result.rollup_trend.to_dict("records")]
    n = len(MONTHLY_ROLLUP_HEADERS)
    area = table(spec, row, MONTHLY_ROLLUP_HEADERS, monthly, {n - 2: PERCENT_FORMAT, n - 1: PERCENT_FORMAT},
                 left=TREND_ROLLUP_LEFT)
    fit_header(spec, area)
    if monthly:
        months = cell_range(area.first_row, area.left, area.last_row, area.left)
        spec.charts.append(Chart(
            kind="line",
            title="Mittareiden tila kuukausittain",
            anchor=cell(row, 1),
            series=line_series([Series(MONTHLY_ROLLUP_HEADERS[i], area.column(i), months) for i in (n - 2, n - 1)]),
            width_cm=15, height_cm=8, value_format=AXIS_PERCENT_FORMAT,
        ))
    chart_rows = 17  # an 8 cm chart covers about 16 rows of default height
    row = heading(spec, max(area.last_row, row + chart_rows) + 2, "Mittarit kuukausittain")
    indicators = result.indicators.set_index("id")
    rows = [
        [t["id"], indicators.loc[t["id"], "name"], indicators.loc[t["id"], "unit"],
         indicators.loc[t["id"], "accumulation"], *[month_cell(m, cell_value(t[m]), result.as_of) for m in MONTHS],
         cell_value(indicators.loc[t["id"], "target"])]
        for _, t in result.trend.iterrows()
    ]
    detail = table(spec, row, TREND_HEADERS, rows)
    values = range(TREND_HEADERS.index(month_label(1)), len(TREND_HEADERS))
    _number_styles(spec, detail, [r[0] for r in rows], dict.fromkeys(values, WHOLE_FORMAT), fractional_indicators(result))
    if rows:
        spec.styles.append(Style(cell_range(detail.first_row, detail.left + values[0], detail.last_row,
                                            detail.left + values[-1]), align="right"))
        spec.conditional_formats.append(not_yet_format(cell_range(detail.first_row, detail.left + values[0],
                                                                  detail.last_row, detail.left + values[-2])))
    spec.styles += [Style(detail.column(1), wrap=True), Style(detail.column(2), wrap=True)]
    fit_header(spec, detail, wrapped=(1, 2))
    spec.freeze = cell(detail.first_row, 3)
    spec.print_setup = board_print_setup(spec, last_row=detail.last_row, last_column=detail.right,
                                         header_rows=(detail.header_row, detail.header_row), key_columns=("A", "B"))
    return spec


def toteutuminen_sheets(result: AttainmentResult, tables: Tables) -> list[SheetSpec]:
    """The three attainment sheets, in the order they stand in the workbook."""
    return [main_sheet(result, tables), municipal_sheet(result, tables), trend_sheet(result)]
