"""Assessment: every indicator judged at the end of a month, for the area and per municipality, with the
roll-ups and the monthly trend. compute_attainment is the engine's one entry point.

Pure core: DataFrames in, an AttainmentResult out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from tyollisyys_xl.core.attainment.figures import Figure, area_actual, entry_values, monthly_figures, municipality_names
from tyollisyys_xl.core.attainment.judging import Judgement, judge
from tyollisyys_xl.core.attainment.ledger import ledger_values
from tyollisyys_xl.core.attainment.reference import ReferenceYear, reference_year
from tyollisyys_xl.core.attainment.rollups import ROLLUP_COLUMNS, all_rollups, rollup_of
from tyollisyys_xl.core.attainment.specs import (
    EI_TIETOA,
    EI_TOTEUDU,
    LEVEL_TOTAL,
    MAX,
    RISKISSA,
    SEASONAL,
    SUM,
    THRESHOLDS,
    IndicatorSpec,
    Thresholds,
    indicator_spec,
)
from tyollisyys_xl.core.months import MONTHS, month_label
from tyollisyys_xl.core.tables import Tables
from tyollisyys_xl.programme import AREA_TOTAL


@dataclass
class AttainmentResult:
    """Attainment at the end of month as_of (None: no entries at all).

    indicators: one row per indicator in Mittarit order: id, theme, focus_area, level, name, unit, kind,
        accumulation, per_municipality, rule (seasonal where last year's season shaped the path), baseline,
        target, actual, actual_month, expected_share, expected, progress (clipped), progress_capped (0..1, for
        roll-ups), status, coverage (Finnish text), partial (bool), note (Finnish), reference_value (the area
        figure of the actual's month a year earlier), change_from_reference, change_from_reference_share,
        season_factor (NaN unless seasonal), limit_set_by (the municipality behind an upper limit's figure).
    values: the monthly values behind the figures (entry_values columns): the entries, plus the counts
        from Sidonnat of ledger indicators without entries.

    The other views are made on first use, from the same preparation (validation needs only the indicators'
    statuses, and a national-scale workbook should not pay for municipal rows and trends it never shows):
    municipalities: one row per (indicator entered per municipality, municipality): id, name, unit,
        municipality, actual, actual_month, share_of_area, expected, progress, progress_capped,
        baseline, target, status (empty where the indicator has no municipal target), note, and the
        municipality's own reference_value, change_from_reference, change_from_reference_share.
    rollups: group_type (taso / teema / painopiste / kunta), group, n, one count column per status,
        on_track_share ((Saavutettu + Tavoitteessa) / indicators with data), mean_progress.
    trend: id plus one column per month 1..12: the area figure (year-to-date for cumulative indicators).
    rollup_trend: one row per month 1..as_of: the all-indicator roll-up as of that month.
    """

    as_of: int | None
    indicators: pd.DataFrame
    specs: dict[str, IndicatorSpec]
    thresholds: Thresholds
    values: pd.DataFrame
    _prepared: _Prepared = field(repr=False, compare=False)
    _area: list[dict] = field(repr=False, compare=False)  # the as-of month's assessments, as indicators holds them

    @cached_property
    def municipalities(self) -> pd.DataFrame:
        month = self.as_of
        figures = _local_figures(self.values, range(month, month + 1)) if month else {}
        return pd.DataFrame(_municipal_rows(self._prepared, figures, self._area, month),
                            columns=MUNICIPAL_COLUMNS).astype({"actual_month": "Int64"})

    @cached_property
    def rollups(self) -> pd.DataFrame:
        return all_rollups(self.indicators, self.municipalities, self._prepared.names)

    @cached_property
    def trend(self) -> pd.DataFrame:
        return _trend(self._prepared.context, self.as_of)

    @cached_property
    def rollup_trend(self) -> pd.DataFrame:
        return _rollup_trend(self._area_by_month)

    @cached_property
    def _area_by_month(self) -> list[list[dict]]:
        """The area assessments at the end of each month 1..as_of (the last one is the as-of month's own)."""
        earlier = range(1, self.as_of or 0)
        return [*(_assessments(self._prepared, m) for m in earlier), *([self._area] if self.as_of else [])]

    def monthly_rows(self) -> list[tuple[list[dict], list[dict]]]:
        """For each month 1..as_of, the area assessments (Mittarit order) and the municipal rows that
        compute_attainment(tables, month) gives, as records: the status history judges every month from this
        one preparation. The same as preparing for the month: the figures of later months are never read
        (area_actual and _local_figures stop at the month), and the ledger counts every month from January, so
        its notes hold for any month."""
        if not self.as_of:
            return []
        figures = _local_figures(self.values, range(1, self.as_of + 1))
        return [(area, _municipal_rows(self._prepared, figures, area, month))
                for month, area in enumerate(self._area_by_month, start=1)]


@dataclass(frozen=True)
class _Context:
    """What judging any indicator at any month needs besides the indicator itself."""

    specs: dict[str, IndicatorSpec]
    figures: dict[str, list[Figure]]
    n_municipalities: int
    thresholds: Thresholds
    reference: ReferenceYear
    notes: dict[str, str]  # id -> a note on where its figures come from (the ledger)


INDICATOR_KEYS = ["id", "theme", "focus_area", "level", "name", "unit", "kind", "accumulation", "per_municipality"]


def _coverage_text(figure: Figure | None, per_municipality: bool, n_municipalities: int) -> str:
    if figure is None or (figure.from_area and not per_municipality):
        return ""
    if figure.from_area:
        return "Koko alue -rivi"
    return f"{figure.reported}/{n_municipalities} kuntaa"


def _judge_area(spec: IndicatorSpec, figure: Figure, month: int, context: _Context
                ) -> tuple[Judgement, str, float, list[str]]:
    """Judgement, rule applied, season factor (NaN if none) and notes of an area figure: seasonal where the
    reference months allow (the factor of the actual's own month)."""
    if not spec.seasonal:
        return judge(spec, figure.value, month, context.thresholds), spec.rule, math.nan, []
    season = context.reference.season(spec.id, figure.month)
    if season.factor is None:
        return judge(spec, figure.value, month, context.thresholds), spec.rule, math.nan, [season.note]
    judged = judge(spec, figure.value, month, context.thresholds, season.factor)
    return judged, SEASONAL, season.factor, [season.note]


def _assess(spec: IndicatorSpec, month: int | None, per_municipality: bool, context: _Context) -> dict:
    """One indicator at the end of a month: actual, expected, progress, status and the notes behind them."""
    n_municipalities = context.n_municipalities
    figure, notes = area_actual(spec, context.figures.get(spec.id, []), month) if month else (None, [])
    notes = [*spec.notes, *([context.notes[spec.id]] if spec.id in context.notes else []), *notes]
    rule, season = spec.rule, math.nan
    if figure is None:
        notes.append(f"Ei toteumia {month_label(month)} mennessä." if month else "Ei toteumia.")
        judgement = judge(spec, math.nan, month, context.thresholds) if month else None
    else:
        judgement, rule, season, rule_notes = _judge_area(spec, figure, month, context)
        notes += rule_notes
        if figure.worst:
            notes.append(f"Alueen luku on kuntien suurin: {figure.worst}.")
        if not figure.complete:
            judgement = _partial(spec, figure, judgement, notes, n_municipalities)
        if not figure.weighted:
            notes.append("Osalta kunnista puuttuu osoittaja tai nimittäjä: käytetään painottamatonta keskiarvoa.")
    progress = judgement.progress if judgement else math.nan
    compared = context.reference.year_on_year(spec.id, figure.value if figure else math.nan, figure.month if figure else None)
    return {
        "rule": rule,
        "baseline": spec.baseline,
        "target": spec.target,
        "actual": figure.value if figure else math.nan,
        "actual_month": figure.month if figure else None,
        "expected_share": judgement.expected_share if judgement else math.nan,
        "expected": judgement.expected if judgement else math.nan,
        "progress": progress,
        "progress_capped": min(1.0, max(0.0, progress)) if not math.isnan(progress) else math.nan,
        "status": judgement.status if judgement else EI_TIETOA,
        "coverage": _coverage_text(figure, per_municipality, n_municipalities),
        "partial": bool(figure is not None and not figure.complete),
        "note": " ".join(notes),
        "reference_value": compared.reference,
        "change_from_reference": compared.change,
        "change_from_reference_share": compared.change_share,
        "season_factor": season,
        "limit_set_by": figure.worst if figure else None,
    }


def _partial(spec: IndicatorSpec, figure: Figure, judgement: Judgement, notes: list[str], n: int) -> Judgement:
    """A figure from some municipalities only: a sum is not the area's figure (not judged); the maximum of an
    upper limit is judged only when it already breaks the limit (a missing municipality cannot mend that);
    a rate or mean is a fair estimate from those who reported."""
    if spec.combine == SUM:
        notes.append(f"Vain {figure.reported}/{n} kuntaa on kirjannut luvun: summa ei ole koko alueen luku, "
                     "joten tilaa ei arvioida.")
        return Judgement(judgement.expected_share, judgement.expected, math.nan, EI_TIETOA)
    if spec.combine == MAX and judgement.status not in (RISKISSA, EI_TOTEUDU):
        notes.append(f"Vain {figure.reported}/{n} kuntaa on kirjannut luvun: raja voi ylittyä puuttuvissa kunnissa, "
                     "joten tilaa ei arvioida.")
        return Judgement(judgement.expected_share, judgement.expected, math.nan, EI_TIETOA)
    notes.append(f"Vain {figure.reported}/{n} kuntaa on kirjannut luvun: luku on laskettu niiden tiedoista.")
    return judgement


INDICATOR_COLUMNS = [*INDICATOR_KEYS, "rule", "baseline", "target", "actual", "actual_month", "expected_share",
                     "expected", "progress", "progress_capped", "status", "coverage", "partial", "note",
                     "reference_value", "change_from_reference", "change_from_reference_share", "season_factor",
                     "limit_set_by"]


def _assessments(prepared: _Prepared, month: int | None) -> list[dict]:
    """_assess of every indicator, in Mittarit order."""
    indicators, context = prepared.indicators, prepared.context
    return [_assess(context.specs[indicator_id], month, bool(per_municipality), context)
            for indicator_id, per_municipality in zip(indicators["id"], indicators["per_municipality"])]


def _indicator_frame(indicators: pd.DataFrame, assessed: list[dict]) -> pd.DataFrame:
    rows = [{**row._asdict(), **a} for row, a in zip(indicators[INDICATOR_KEYS].itertuples(index=False), assessed)]
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS).astype({"actual_month": "Int64"})


MUNICIPAL_COLUMNS = ["id", "name", "unit", "municipality", "baseline", "target", "actual", "actual_month",
                     "share_of_area", "expected", "progress", "progress_capped", "status", "note",
                     "reference_value", "change_from_reference", "change_from_reference_share"]


def _local_figures(values: pd.DataFrame, months: range) -> dict[tuple[int, str, str], tuple[float, float, float, int]]:
    """(month, indicator, municipality) -> (latest value, sum, year-to-date rate parts as numerator / denominator,
    latest month) of the entries up to that month, for each month of months. One grouped reduction for them all:
    each entry is repeated for every month from its own (or the first) to the last, so the work grows with the
    entries times the months asked, not with the rows made."""
    if not months:
        return {}
    local = values[(values["municipality"] != AREA_TOTAL) & (values["month"] <= months[-1])]
    first = np.maximum(local["month"].to_numpy("int64"), months[0])
    repeats = months[-1] - first + 1
    starts = np.cumsum(repeats) - repeats
    upto = np.repeat(first, repeats) + np.arange(int(repeats.sum())) - np.repeat(starts, repeats)
    local = local.iloc[np.repeat(np.arange(len(local)), repeats)].assign(upto=upto)
    keys = ["upto", "indicator_id", "municipality"]
    grouped = local.sort_values("month", kind="stable").groupby(keys, sort=False)
    latest, total, latest_month = grouped["effective"].last(), grouped["effective"].sum(), grouped["month"].last()
    parts = local["numerator"].notna() & local["denominator"].notna()
    numerators = grouped["numerator"].sum(min_count=1)
    denominators = grouped["denominator"].sum(min_count=1)
    complete_parts = parts.groupby([local[key] for key in keys], sort=False).all()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (numerators / denominators).where(complete_parts.reindex(numerators.index, fill_value=False))
    return {key: (latest_value, total_value, ratio_value, int(month_number)) for key, latest_value, total_value, ratio_value,
            month_number in zip(latest.index, latest.to_numpy(), total.to_numpy(), ratio.to_numpy(), latest_month.to_numpy())}


def _local_actual(spec: IndicatorSpec, figure: tuple[float, float, float, int]) -> float:
    latest, total, ratio, _ = figure
    if spec.year_to_date_rate and not math.isnan(ratio):
        return float(spec.rate_scale * ratio)
    return float(total if spec.adds_up else latest)


def _municipal_rows(prepared: _Prepared, figures: dict, area: list[dict], month: int | None) -> list[dict]:
    """Each municipality's own figure for indicators entered per municipality, at the end of month (figures:
    _local_figures of a range holding it; area: the month's area assessments in Mittarit order)."""
    context, indicators = prepared.context, prepared.indicators
    area_by_id = dict(zip(indicators["id"], area))
    rows = []
    for row in indicators.loc[indicators["per_municipality"], ["id", "name", "unit"]].itertuples(index=False):
        spec, area_row = context.specs[row.id], area_by_id[row.id]
        judged = spec.judged_per_municipality and month is not None
        area_shares = spec.combine == SUM and not area_row["partial"] and area_row["actual"] > 0
        for name in prepared.names:
            figure = figures.get((month, row.id, name))
            has_data = figure is not None
            actual = _local_actual(spec, figure) if has_data else math.nan
            judgement = judge(spec, actual, month, context.thresholds) if judged else None
            progress = judgement.progress if judgement else math.nan
            compared = context.reference.local_year_on_year(row.id, name, actual, figure[3] if has_data else None)
            rows.append({
                "id": row.id,
                "name": row.name,
                "unit": row.unit,
                "municipality": name,
                "baseline": spec.baseline,
                "target": spec.target,
                "actual": actual,
                "actual_month": figure[3] if has_data else None,
                "share_of_area": actual / area_row["actual"] if has_data and area_shares else math.nan,
                "expected": judgement.expected if judgement else math.nan,
                "progress": progress,
                "progress_capped": min(1.0, max(0.0, progress)) if not math.isnan(progress) else math.nan,
                "status": judgement.status if judgement else (EI_TIETOA if spec.judged_per_municipality else None),
                "note": "" if spec.judged_per_municipality else "Ei kuntakohtaista tavoitetta: näytetään osuus alueesta.",
                "reference_value": compared.reference,
                "change_from_reference": compared.change,
                "change_from_reference_share": compared.change_share,
            })
    return rows


def _rollup_trend(area_by_month: list[list[dict]]) -> pd.DataFrame:
    """The all-indicator roll-up at the end of each month up to the as-of month."""
    rows = []
    for m, assessed in enumerate(area_by_month, start=1):
        statuses = [a["status"] for a in assessed]
        capped = np.array([a["progress_capped"] for a in assessed], dtype="float64")
        rows.append({"month": m, **rollup_of("taso", LEVEL_TOTAL, statuses, capped)})
    return pd.DataFrame(rows, columns=["month", *ROLLUP_COLUMNS])


def _trend(context: _Context, month: int | None) -> pd.DataFrame:
    """Area figure per indicator and month up to the as-of month; partial sums are left out as misleading."""
    rows = []
    for indicator_id, spec in context.specs.items():
        row = {"id": indicator_id, **{m: math.nan for m in MONTHS}}
        for m in range(1, (month or 0) + 1):
            figure, _ = area_actual(spec, context.figures.get(indicator_id, []), m)
            shown = figure is not None and (figure.complete or spec.combine != SUM)
            if shown and (figure.month == m or spec.year_to_date):
                row[m] = figure.value
        rows.append(row)
    return pd.DataFrame(rows, columns=["id", *MONTHS])


def _ledger_notes(specs: dict[str, IndicatorSpec], counted: set[str]) -> dict[str, str]:
    return {i: f"Luku lasketaan Sidonnoista (tukilaji {specs[i].ledger_type}): "
               + ("kuukausittain alkaneet jaksot." if specs[i].cumulative else "jaksot käynnissä kuun lopussa.")
            for i in counted}


@dataclass(frozen=True)
class _Prepared:
    """What judging any month up to as_of needs, built once."""

    as_of: int | None
    indicators: pd.DataFrame  # Mittarit
    names: list[str]
    values: pd.DataFrame  # entries, plus ledger counts up to as_of
    context: _Context


def _prepare(tables: Tables, as_of: int | None, thresholds: Thresholds) -> _Prepared:
    """Indicators counted from Sidonnat (and without entries of their own) take their figures from it up to the
    as-of month, which still comes from the entries: the ledger holds decisions for months to come."""
    if as_of is not None and as_of not in MONTHS:
        raise ValueError("Tarkastelukuukauden pitää olla 1–12.")
    specs = {row.id: indicator_spec(row) for row in tables.indicators.itertuples(index=False)}
    names = municipality_names(tables)
    entered = entry_values(tables, specs)
    if as_of is None and len(entered):
        as_of = int(entered["month"].max())
    from_ledger = ledger_values(tables.commitments, specs, set(entered["indicator_id"]), names)
    from_ledger = from_ledger[from_ledger["month"] <= (as_of or 0)]  # decisions for months to come are not yet figures
    values = pd.concat([entered, from_ledger], ignore_index=True) if len(from_ledger) else entered
    context = _Context(
        specs=specs,
        figures=monthly_figures(values, specs, len(names)),
        n_municipalities=len(names),
        thresholds=thresholds,
        reference=reference_year(tables, specs, len(names)),
        notes=_ledger_notes(specs, set(from_ledger["indicator_id"])),
    )
    return _Prepared(as_of, tables.indicators, names, values, context)


def compute_attainment(tables: Tables, as_of: int | None = None, thresholds: Thresholds = THRESHOLDS) -> AttainmentResult:
    """Attainment of every indicator at the end of month as_of of 2026 (None: the latest month with entries)."""
    prepared = _prepare(tables, as_of, thresholds)
    area = _assessments(prepared, prepared.as_of)
    return AttainmentResult(
        as_of=prepared.as_of,
        indicators=_indicator_frame(tables.indicators, area),
        specs=prepared.context.specs,
        thresholds=thresholds,
        values=prepared.values,
        _prepared=prepared,
        _area=area,
    )
