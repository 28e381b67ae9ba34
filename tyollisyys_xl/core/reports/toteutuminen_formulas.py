"""One indicator row of the Toteutuminen sheet: its columns, and the Excel formulas that redo the engine's
arithmetic over the row's own cells and the thresholds shown at the top of the sheet.

Each formula follows the rule applied to the row (result.indicators.rule), so that a reader can click a
status and see how it came about, and Calc or Excel recompute it when a threshold cell is edited
(tests/test_toteutuminen_sheet.py proves they agree with Python).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from tyollisyys_xl.core.attainment import (
    COUNT,
    DELIVERABLE,
    EI_TIETOA,
    EI_TOTEUDU,
    LEVEL_MAX,
    LEVEL_MIN,
    MILESTONE,
    PATH,
    RISKISSA,
    ROUNDING,
    SAAVUTETTU,
    SEASONAL,
    TAVOITTEESSA,
    YLLAPITO,
    IndicatorSpec,
    Thresholds,
)
from tyollisyys_xl.core.cells import column_letter
from tyollisyys_xl.core.months import month_label
from tyollisyys_xl.core.reports.statuses import status_label
from tyollisyys_xl.core.sheetspec import Formula

INDICATOR_HEADERS = [
    "Tunnus", "Taso", "Painopiste", "Mittari", "Yksikkö", "Laji", "Kertymä", "Lähtöarvo", "Tavoite", "Toteuma",
    "Tieto kk", "Sama kk vuotta aiemmin", "Muutos vuodessa", "Muutos vuodessa %", "Odotettu nyt", "Edistyminen",
    "Tila", "Vastuuhenkilö", "Selitys ja toimenpide", "Kattavuus", "Huomio", "Odotettu eteneminen",
    "Edistyminen rajattuna", "Kausikerroin",
]

def indicator_column(header: str) -> str:
    """The letter of a column of the indicator table."""
    return column_letter(INDICATOR_HEADERS.index(header) + 1)


BASE, TARGET, ACTUAL = indicator_column("Lähtöarvo"), indicator_column("Tavoite"), indicator_column("Toteuma")
EXPECTED, PROGRESS, STATUS = indicator_column("Odotettu nyt"), indicator_column("Edistyminen"), indicator_column("Tila")
SHARE, CAPPED, LEVEL, ID = indicator_column("Odotettu eteneminen"), indicator_column("Edistyminen rajattuna"), indicator_column("Taso"), indicator_column("Tunnus")
REFERENCE, FACTOR = indicator_column("Sama kk vuotta aiemmin"), indicator_column("Kausikerroin")

def cell_value(x):
    """A cell value: None for NaN / NA, plain Python numbers otherwise."""
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return None
    if isinstance(x, (int, float)) and not isinstance(x, bool):
        return float(x) if isinstance(x, float) or not float(x).is_integer() else int(x)
    return x.item() if hasattr(x, "item") else x


def month_text(month) -> str | None:
    return None if month is None or pd.isna(month) else month_label(int(month))


@dataclass(frozen=True)
class FollowUp:
    """Who owns an indicator and its latest explanation, shown beside its status."""

    owner: str | None = None
    explanation: str | None = None


# --- the formulas of one indicator row -------------------------------------------------------------------


@dataclass(frozen=True)
class ParameterCells:
    """Absolute addresses of the as-of month and the thresholds shown at the top of the sheet."""

    as_of: str
    on_track: str
    at_risk: str
    maintain: str
    milestone: str
    deliverable: str


def _number(x: float) -> str:
    return repr(float(x)) if not float(x).is_integer() else str(int(x))


# The formulas below follow the rule applied to a row (result.indicators.rule): the spec's rule, or
# "seasonal" where the reference year shaped a path (the season factor then stands in its own cell).
_PATH_LIKE = (PATH, SEASONAL, MILESTONE, DELIVERABLE)


def share_formula(spec: IndicatorSpec, rule: str, p: ParameterCells) -> str:
    """Expected share of the way by the end of the as-of month, as attainment.expected_share computes it."""
    if rule == COUNT:
        if spec.profile:
            return f"=CHOOSE({p.as_of},{','.join(_number(s) for s in spec.profile)})"
        return f"=MIN(1,{p.as_of}/{spec.target_month})"
    span = spec.target_month - spec.baseline_month
    if rule in _PATH_LIKE and span > 0:
        return f"=MIN(1,MAX(0,({p.as_of}-{_number(spec.baseline_month)})/{span}))"
    return "=1"


def expected_formula(rule: str, r: int) -> str:
    if rule == COUNT:
        return f"={TARGET}{r}*{SHARE}{r}"
    if rule in (PATH, MILESTONE):
        return f"={BASE}{r}+({TARGET}{r}-{BASE}{r})*{SHARE}{r}"
    if rule == SEASONAL:
        return f"=({BASE}{r}+({TARGET}{r}-{BASE}{r})*{SHARE}{r})*{FACTOR}{r}"
    return f"={TARGET}{r}"


def progress_formula(spec: IndicatorSpec, rule: str, r: int, t: Thresholds) -> str:
    a, b, g = f"{ACTUAL}{r}", f"{BASE}{r}", f"{TARGET}{r}"
    raw = {
        COUNT: f"{a}/{g}",
        PATH: f"({a}-{b})/({g}-{b})",
        SEASONAL: f"({a}/{FACTOR}{r}-{b})/({g}-{b})",
        MILESTONE: f"({a}-{b})/({g}-{b})",
        DELIVERABLE: f"{a}/{g}" if spec.adds_up else f"({a}-{b})/({g}-{b})",
        LEVEL_MIN: f"IF({g}>0,{a}/{g},1)",
        LEVEL_MAX: f"IF({a}>0,{g}/{a},1)",
    }[rule]
    return f"=MAX({_number(t.progress_min)},MIN({_number(t.progress_max)},{raw}))"


def status_formula(spec: IndicatorSpec, rule: str, r: int, p: ParameterCells) -> str:
    """The status ladder of attainment's judging._status, written as nested IFs (IFS needs Excel 2019), giving
    the status's label as the sheets show it ("● Saavutettu")."""
    a, b, g, share, prog = f"{ACTUAL}{r}", f"{BASE}{r}", f"{TARGET}{r}", f"{SHARE}{r}", f"{PROGRESS}{r}"

    def rnd(x: str) -> str:
        return f"ROUND({x},{ROUNDING})"

    met, on_track, at_risk, missed = (status_label(s) for s in (SAAVUTETTU, TAVOITTEESSA, RISKISSA, EI_TOTEUDU))

    if rule == DELIVERABLE:
        return (f'=IF({rnd(prog)}>=1,"{met}",IF({p.as_of}>={spec.target_month},"{missed}",'
                f'IF({rnd(share)}>{p.deliverable},"{at_risk}","{on_track}")))')
    if rule in (LEVEL_MIN, LEVEL_MAX):
        if rule == LEVEL_MAX:
            held = f"{a}<={g}"
        else:
            tolerance = p.maintain if spec.kind == YLLAPITO else "0"
            held = f"{rnd(f'{a}-{g}*(1-{tolerance})')}>=0"
        return f'=IF({held},"{met}",IF({rnd(f"1-{prog}")}<={p.at_risk},"{at_risk}","{missed}"))'
    if rule == MILESTONE:
        return (f'=IF({a}>={g},"{met}",IF({p.as_of}>={spec.target_month},"{missed}",'
                f'IF(OR({a}>{b},{rnd(share)}<={p.milestone}),"{on_track}","{at_risk}")))')
    behind = rnd(f"{share}-{prog}")
    return (f'=IF({rnd(prog)}>=1,"{met}",IF(OR({p.as_of}>={spec.target_month},{prog}<0),"{missed}",'
            f'IF({behind}<={p.on_track},"{on_track}",IF({behind}<={p.at_risk},"{at_risk}","{missed}"))))')


def year_on_year_cells(row, r: int) -> list:
    """The same month a year earlier and the change from it, as formulas where there is a reference."""
    if pd.isna(row.reference_value) or pd.isna(row.actual):
        return [cell_value(row.reference_value), None, None]
    reference, actual = f"{REFERENCE}{r}", f"{ACTUAL}{r}"
    return [cell_value(row.reference_value),
            Formula(f"={actual}-{reference}", cell_value(row.change_from_reference)),
            Formula(f'=IF({reference}=0,"",({actual}-{reference})/{reference})',
                    cell_value(row.change_from_reference_share) if not pd.isna(row.change_from_reference_share) else "")]


def indicator_cells(row, spec: IndicatorSpec, r: int, p: ParameterCells, t: Thresholds, as_of: int | None,
                    follow_up: FollowUp = FollowUp()) -> list:
    """One indicator row of the Toteutuminen table; formulas where the arithmetic applies, values elsewhere."""
    rule = row.rule
    has_share = as_of is not None and rule in (COUNT, *_PATH_LIKE, LEVEL_MIN, LEVEL_MAX)
    has_expected = has_share and rule != DELIVERABLE  # a deliverable has no expected value before its due date
    judged = row.status != EI_TIETOA
    share = Formula(share_formula(spec, rule, p), cell_value(row.expected_share)) if has_share else None
    expected = Formula(expected_formula(rule, r), cell_value(row.expected)) if has_expected else None
    progress = Formula(progress_formula(spec, rule, r, t), cell_value(row.progress)) if judged else None
    status = Formula(status_formula(spec, rule, r, p), status_label(row.status)) if judged else status_label(row.status)
    capped = Formula(f"=MAX(0,MIN(1,{PROGRESS}{r}))", cell_value(row.progress_capped)) if judged else None
    return [
        row.id, row.level, row.focus_area, row.name, row.unit, row.kind, row.accumulation, cell_value(row.baseline),
        cell_value(row.target), cell_value(row.actual), month_text(row.actual_month), *year_on_year_cells(row, r),
        expected, progress, status, follow_up.owner, follow_up.explanation, row.coverage or None, row.note or None,
        share, capped, cell_value(row.season_factor),
    ]
