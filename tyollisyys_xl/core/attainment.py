"""Attainment: how far each indicator has come toward its 2026 target by the end of a month.

The programme's indicators are not all "bigger is better", so each is judged by one rule chosen
from its kind (Laji) and accumulation (Kertymä); docs/attainment.md explains the rules and why.
All thresholds live in THRESHOLDS and are shown on the Toteutuminen sheet.

Pure core: DataFrames in, an AttainmentResult out.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from itertools import accumulate

import numpy as np
import pandas as pd

from tyollisyys_xl.core.months import MONTHS, YEAR, month_label
from tyollisyys_xl.core.tables import Tables
from tyollisyys_xl.programme import AREA_TOTAL, programme

SAAVUTETTU = "Saavutettu"
TAVOITTEESSA = "Tavoitteessa"
RISKISSA = "Riskissä"
EI_TOTEUDU = "Ei toteudu"
EI_TIETOA = "Ei tietoa"
STATUSES = (SAAVUTETTU, TAVOITTEESSA, RISKISSA, EI_TOTEUDU, EI_TIETOA)

# Kinds (Laji) as the Mittarit table spells them.
KASVU, LASKU, YLLAPITO, YLARAJA = "kasvu", "lasku", "ylläpito", "yläraja"
KESKIARVO, VIRSTANPYLVAS, TOIMITETUT = "keskiarvo", "virstanpylväs", "toimitetut"
CUMULATIVE = "kumulatiivinen"

# Judging rules (one per way of reading an indicator; see rule_for).
COUNT = "count"  # year-to-date sum on a pro-rata path from zero to the annual target
PATH = "path"  # latest value on a straight path from the baseline (at its date) to the target
LEVEL_MIN = "level_min"  # latest value must stay at or above the target
LEVEL_MAX = "level_max"  # latest value must stay at or below the target
MILESTONE = "milestone"  # 0 ei aloitettu / 1 käynnissä / 2 valmis
UNSUPPORTED = "unsupported"  # a kind that cannot be a year-to-date sum

# How municipal entries of one month combine into the area figure.
SUM, RATE, MEAN = "sum", "rate", "mean"

LEVEL_TOTAL, LEVEL_COUNCIL = "KV ja LTK (lautakunta)", "KV (valtuusto)"
ROUNDING = 9  # comparisons are made at this many decimals, so Excel, Calc and Python agree at the edges


@dataclass(frozen=True)
class Thresholds:
    """Every number that turns progress into a status. Shown on the Toteutuminen sheet."""

    on_track_margin: float = 0.10  # behind the expected share of the way by at most this: Tavoitteessa
    at_risk_margin: float = 0.25  # behind by at most this (or a level missed by at most this): Riskissä
    maintain_tolerance: float = 0.05  # a maintained level (ylläpito) still counts as held this far below target
    milestone_start_share: float = 0.25  # a milestone not started once this share of its time has passed: Riskissä
    progress_min: float = -1.0  # progress is shown clipped to [min, max] so one outlier cannot dominate
    progress_max: float = 2.0

    def labelled(self) -> list[tuple[str, float]]:
        """(Finnish label, value) in the order the sheet shows them."""
        return [
            ("Tavoitteessa, kun jäljessä odotetusta osuudesta enintään", self.on_track_margin),
            ("Riskissä, kun jäljessä enintään (taso: alittaa/ylittää enintään)", self.at_risk_margin),
            ("Ylläpidettävä taso pysyy, kun alittaa tavoitteen enintään", self.maintain_tolerance),
            ("Virstanpylväs riskissä, jos aloittamatta, kun ajasta kulunut yli", self.milestone_start_share),
        ]


THRESHOLDS = Thresholds()


@dataclass(frozen=True)
class IndicatorSpec:
    """One Mittarit row reduced to what the rules need."""

    id: str
    kind: str
    rule: str
    combine: str
    rate_scale: float  # NaN unless entered as numerator and denominator
    baseline: float  # NaN when the programme gives no number
    target: float
    baseline_month: int  # months from the start of 2026 to the baseline's date (end of 2025 = 0)
    target_month: int  # months from the start of 2026 to the target's date (end of 2026 = 12)
    profile: tuple[float, ...] | None  # cumulative share of the year's target per month, when a profile is set
    notes: tuple[str, ...] = ()

    @property
    def reads_latest(self) -> bool:
        return self.rule != COUNT

    @property
    def judged_per_municipality(self) -> bool:
        """Rates and means compare with the area target in each municipality; sums have no municipal target."""
        return self.combine != SUM and self.rule != UNSUPPORTED


@dataclass(frozen=True)
class Judgement:
    expected_share: float
    expected: float
    progress: float
    status: str


@dataclass
class AttainmentResult:
    """Attainment at the end of month as_of (None: no entries at all).

    indicators: one row per indicator in Mittarit order: id, theme, focus_area, level, name, unit, kind,
        accumulation, per_municipality, rule, baseline, target, actual, actual_month, expected_share,
        expected, progress (clipped), progress_capped (0..1, for roll-ups), status, coverage (Finnish text),
        partial (bool), note (Finnish).
    municipalities: one row per (indicator entered per municipality, municipality): id, name, unit,
        municipality, actual, actual_month, share_of_area, expected, progress, progress_capped,
        baseline, target, status (empty where the indicator has no municipal target), note.
    rollups: group_type (taso / teema / painopiste / kunta), group, n, one count column per status,
        on_track_share ((Saavutettu + Tavoitteessa) / indicators with data), mean_progress.
    trend: id plus one column per month 1..12: the area figure (year-to-date for cumulative indicators).
    rollup_trend: one row per month 1..as_of: the all-indicator roll-up as of that month.
    """

    as_of: int | None
    indicators: pd.DataFrame
    municipalities: pd.DataFrame
    rollups: pd.DataFrame
    trend: pd.DataFrame
    rollup_trend: pd.DataFrame
    specs: dict[str, IndicatorSpec] = field(default_factory=dict)
    thresholds: Thresholds = THRESHOLDS


# --- reading the Mittarit table ---------------------------------------------------------------------

_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?")


def month_index(date_text: object, default: int) -> int:
    """Months from the start of 2026 to the end of a year or month: "2025" and "2025-12" -> 0, "2026-06" -> 6."""
    match = _DATE.match(str(date_text)) if date_text is not None and not _isnan(date_text) else None
    if not match:
        return default
    year, month = int(match.group(1)), int(match.group(2) or 12)
    return (year - YEAR) * 12 + month


def profile_shares(text: object) -> tuple[tuple[float, ...] | None, str | None]:
    """"w1;...;w12" -> cumulative share of the year per month, or (None, Finnish reason) when unusable."""
    if text is None or _isnan(text) or not str(text).strip():
        return None, None
    try:
        weights = [float(part.strip().replace(",", ".")) for part in str(text).split(";")]
    except ValueError:
        weights = []
    if len(weights) != len(MONTHS) or any(w < 0 for w in weights) or sum(weights) <= 0:
        return None, "Kuukausiprofiili ei kelpaa (12 ei-negatiivista painoa): käytetään tasaista polkua."
    total = sum(weights)
    return tuple(running / total for running in accumulate(weights)), None


def rule_for(kind: str, accumulation: str, rate: bool, baseline: float, target: float) -> str:
    """The judging rule: means, milestones and rates are always read as their latest value."""
    if kind == VIRSTANPYLVAS:
        return MILESTONE
    if accumulation == CUMULATIVE and kind != KESKIARVO and not rate:
        return COUNT if kind in (KASVU, TOIMITETUT, YLLAPITO) else UNSUPPORTED
    if kind == YLLAPITO:
        return LEVEL_MIN
    no_distance = math.isnan(baseline) or baseline == target
    if kind == YLARAJA:
        return LEVEL_MAX if no_distance or baseline < target else PATH
    if no_distance:
        return LEVEL_MAX if kind == LASKU else LEVEL_MIN
    return PATH


def combine_for(kind: str, rate: bool) -> str:
    if rate:
        return RATE
    return MEAN if kind in (KESKIARVO, YLARAJA, VIRSTANPYLVAS) else SUM


def indicator_spec(row) -> IndicatorSpec:
    rate = not _isnan(row.rate_scale)
    baseline, target = float(row.baseline), float(row.target)
    rule = rule_for(row.kind, row.accumulation, rate, baseline, target)
    profile, profile_note = profile_shares(row.monthly_profile) if rule == COUNT else (None, None)
    notes = [profile_note] if profile_note else []
    if rule == UNSUPPORTED:
        notes.append(f"Laji {row.kind} ei sovi kumulatiiviseen kertymään: ei arvioida.")
    elif math.isnan(baseline) and rule in (LEVEL_MIN, LEVEL_MAX):
        notes.append("Ei lähtöarvoa: arvioidaan tavoitetasoa vasten.")
    elif math.isnan(baseline) and rule == COUNT:
        notes.append("Ei lähtöarvoa: edistyminen = toteuma / tavoite.")
    return IndicatorSpec(
        id=row.id,
        kind=row.kind,
        rule=rule,
        combine=combine_for(row.kind, rate),
        rate_scale=float(row.rate_scale),
        baseline=baseline,
        target=target,
        baseline_month=month_index(row.baseline_date, 0),
        target_month=max(month_index(row.target_date, 12), 1),
        profile=profile,
        notes=tuple(notes),
    )


# --- the rules ---------------------------------------------------------------------------------------


def expected_share(spec: IndicatorSpec, month: int) -> float:
    """Share of the way from baseline to target that should be covered by the end of the month."""
    if spec.rule == COUNT:
        return spec.profile[month - 1] if spec.profile else min(1, month / spec.target_month)
    if spec.rule in (PATH, MILESTONE):
        span = spec.target_month - spec.baseline_month
        return min(1, max(0, (month - spec.baseline_month) / span)) if span > 0 else 1
    return 1


def expected_value(spec: IndicatorSpec, share: float) -> float:
    if spec.rule == COUNT:
        return spec.target * share
    if spec.rule in (PATH, MILESTONE):
        return _start(spec) + (spec.target - _start(spec)) * share
    return spec.target


def raw_progress(spec: IndicatorSpec, actual: float) -> float:
    """Share of the way from baseline to target covered (1 = target reached); NaN when undefined."""
    target = spec.target
    if spec.rule == COUNT:
        return actual / target if target > 0 else math.nan
    if spec.rule in (PATH, MILESTONE):
        baseline = _start(spec)
        return (actual - baseline) / (target - baseline) if target != baseline else math.nan
    if spec.rule == LEVEL_MIN:
        return actual / target if target > 0 else 1.0
    if spec.rule == LEVEL_MAX:
        return target / actual if actual > 0 else 1.0
    return math.nan


def judge(spec: IndicatorSpec, actual: float, month: int, thresholds: Thresholds = THRESHOLDS) -> Judgement:
    """Expected-by-now, progress and status of one actual value at the end of a month."""
    share = expected_share(spec, month)
    expected = expected_value(spec, share) if spec.rule != UNSUPPORTED else math.nan
    raw = raw_progress(spec, actual) if not math.isnan(actual) else math.nan
    if math.isnan(raw):
        return Judgement(share, expected, math.nan, EI_TIETOA)
    progress = min(thresholds.progress_max, max(thresholds.progress_min, raw)) + 0.0  # no "-0 %"
    return Judgement(share, expected, progress, _status(spec, actual, progress, share, month, thresholds))


def _status(spec: IndicatorSpec, actual: float, progress: float, share: float, month: int, t: Thresholds) -> str:
    if spec.rule in (LEVEL_MIN, LEVEL_MAX):
        if _level_held(spec, actual, t):
            return SAAVUTETTU
        return RISKISSA if _r(1 - progress) <= t.at_risk_margin else EI_TOTEUDU
    if spec.rule == MILESTONE:
        if actual >= spec.target:
            return SAAVUTETTU
        if month >= spec.target_month:
            return EI_TOTEUDU
        started = actual > _start(spec)
        return TAVOITTEESSA if started or _r(share) <= t.milestone_start_share else RISKISSA
    if _r(progress) >= 1:
        return SAAVUTETTU
    if month >= spec.target_month or progress < 0:
        return EI_TOTEUDU
    behind = _r(share - progress)
    if behind <= t.on_track_margin:
        return TAVOITTEESSA
    return RISKISSA if behind <= t.at_risk_margin else EI_TOTEUDU


def _level_held(spec: IndicatorSpec, actual: float, t: Thresholds) -> bool:
    if spec.rule == LEVEL_MAX:
        return actual <= spec.target
    tolerance = t.maintain_tolerance if spec.kind == YLLAPITO else 0.0
    return _r(actual - spec.target * (1 - tolerance)) >= 0


def _start(spec: IndicatorSpec) -> float:
    """Where the way to the target starts: the baseline (a path always has one), or 0 (ei aloitettu) for a
    milestone without one."""
    return 0.0 if math.isnan(spec.baseline) else spec.baseline


def _r(value: float) -> float:
    return round(value, ROUNDING)


def _isnan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


# --- entries into monthly area figures --------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    """The area figure of one indicator for one month, or year to date, and what stands behind it."""

    month: int
    value: float
    reported: int  # municipalities behind the figure (all of them for a Koko alue entry)
    complete: bool
    from_area: bool
    weighted: bool


def municipality_names(tables: Tables) -> list[str]:
    """The area's municipalities as the Kunnat table lists them (the programme's when the table is empty)."""
    names = tables.municipalities.get("name")
    if names is not None and len(names):
        return list(names)
    return [m["name"] for m in programme().municipalities]


def entry_values(tables: Tables, specs: dict[str, IndicatorSpec]) -> pd.DataFrame:
    """Entries of known indicators with their effective value (the value, or scale × numerator / denominator)."""
    entries = tables.entries
    scale = entries["indicator_id"].map({i: s.rate_scale for i, s in specs.items()})
    from_parts = scale * entries["numerator"] / entries["denominator"]
    frame = entries.assign(effective=entries["value"].where(entries["value"].notna(), from_parts))
    keep = frame["indicator_id"].isin(list(specs)) & frame["effective"].notna() & frame["month"].between(1, 12)
    return frame.loc[keep, ["indicator_id", "month", "municipality", "effective", "numerator", "denominator"]]


def monthly_figures(values: pd.DataFrame, specs: dict[str, IndicatorSpec], n_municipalities: int) -> dict[str, list[Figure]]:
    """Per indicator, its monthly area figures in month order: the Koko alue entry where there is one,
    else the municipal entries combined (sum, rate weighted by denominators, or mean weighted by them)."""
    area = values[values["municipality"] == AREA_TOTAL]
    combined = _combine_municipal(values[values["municipality"] != AREA_TOTAL], specs, n_municipalities)
    area_keys = set(zip(area["indicator_id"], area["month"]))
    figures: dict[str, list[Figure]] = {}
    for indicator_id, month, value in zip(area["indicator_id"], area["month"], area["effective"]):
        figures.setdefault(indicator_id, []).append(Figure(int(month), float(value), n_municipalities, True, True, True))
    for row in combined.itertuples(index=False):
        if (row.indicator_id, row.month) not in area_keys:
            figures.setdefault(row.indicator_id, []).append(
                Figure(int(row.month), float(row.value), int(row.reported), bool(row.complete), False, bool(row.weighted))
            )
    return {key: sorted(rows, key=lambda f: f.month) for key, rows in figures.items()}


def _combine_municipal(local: pd.DataFrame, specs: dict[str, IndicatorSpec], n_municipalities: int) -> pd.DataFrame:
    if local.empty:
        return pd.DataFrame(columns=["indicator_id", "month", "value", "reported", "complete", "weighted"])
    local = local.assign(
        has_parts=local["numerator"].notna() & local["denominator"].notna(),
        has_weight=local["denominator"].notna(),
        weighted_value=local["effective"] * local["denominator"],
    )
    groups = local.groupby(["indicator_id", "month"], sort=True)
    grouped = pd.DataFrame({  # one reduction at a time: about twice as fast as agg() with named aggregations
        "reported": groups["municipality"].nunique(),
        "total": groups["effective"].sum(),
        "mean": groups["effective"].mean(),
        "numerators": groups["numerator"].sum(),
        "denominators": groups["denominator"].sum(),
        "weighted_sum": groups["weighted_value"].sum(),
        "all_parts": groups["has_parts"].all(),
        "all_weights": groups["has_weight"].all(),
    }).reset_index()
    combine = grouped["indicator_id"].map({i: s.combine for i, s in specs.items()})
    scale = grouped["indicator_id"].map({i: s.rate_scale for i, s in specs.items()}).astype("float64")
    is_sum = combine == SUM
    rate_weighted = (combine == RATE) & grouped["all_parts"]
    mean_weighted = (combine == MEAN) & grouped["all_weights"]
    with np.errstate(divide="ignore", invalid="ignore"):
        grouped["value"] = np.select(
            [is_sum, rate_weighted, mean_weighted],
            [grouped["total"], scale * grouped["numerators"] / grouped["denominators"],
             grouped["weighted_sum"] / grouped["denominators"]],
            default=grouped["mean"],
        )
    grouped["weighted"] = is_sum | rate_weighted | mean_weighted
    grouped["complete"] = grouped["reported"] >= n_municipalities
    return grouped


def area_actual(spec: IndicatorSpec, figures: list[Figure], month: int) -> tuple[Figure | None, list[str]]:
    """The figure judged at the end of a month, with Finnish notes on how it was formed.

    Latest-value indicators take the latest month with every municipality reported (or a Koko alue
    entry), falling back to the latest month with any data; cumulative ones sum the months so far."""
    upto = [f for f in figures if f.month <= month]
    if not upto:
        return None, []
    if spec.reads_latest:
        complete = [f for f in upto if f.complete]
        chosen = complete[-1] if complete else upto[-1]
        newer = [f for f in upto if f.month > chosen.month]
        notes = [f"{month_label(newer[-1].month)} on vajaa ({newer[-1].reported} kuntaa): "
                 f"käytetään viimeisintä täyttä kuukautta {month_label(chosen.month)}."] if newer else []
        return chosen, notes
    total = Figure(
        month=upto[-1].month,
        value=float(sum(f.value for f in upto)),
        reported=min(f.reported for f in upto),
        complete=all(f.complete for f in upto),
        from_area=all(f.from_area for f in upto),
        weighted=all(f.weighted for f in upto),
    )
    return total, []


# --- results -----------------------------------------------------------------------------------------

INDICATOR_KEYS = ["id", "theme", "focus_area", "level", "name", "unit", "kind", "accumulation", "per_municipality"]


def _coverage_text(figure: Figure | None, per_municipality: bool, n_municipalities: int) -> str:
    if figure is None or (figure.from_area and not per_municipality):
        return ""
    if figure.from_area:
        return "Koko alue -rivi"
    return f"{figure.reported}/{n_municipalities} kuntaa"


def _assess(spec: IndicatorSpec, figures: list[Figure], month: int | None, per_municipality: bool,
            n_municipalities: int, thresholds: Thresholds) -> dict:
    """One indicator at the end of a month: actual, expected, progress, status and the notes behind them."""
    figure, notes = area_actual(spec, figures, month) if month else (None, [])
    notes = [*spec.notes, *notes]
    if figure is None:
        notes.append(f"Ei toteumia {month_label(month)} mennessä." if month else "Ei toteumia.")
        judgement = judge(spec, math.nan, month, thresholds) if month else None
    else:
        judgement = judge(spec, figure.value, month, thresholds)
        if not figure.complete:
            if spec.combine == SUM:
                notes.append(f"Vain {figure.reported}/{n_municipalities} kuntaa kirjannut: "
                             "summa ei ole koko alueen luku, ei arvioida.")
                judgement = Judgement(judgement.expected_share, judgement.expected, math.nan, EI_TIETOA)
            else:
                notes.append(f"Vain {figure.reported}/{n_municipalities} kuntaa kirjannut: luku on niiden tiedoista.")
        if not figure.weighted:
            notes.append("Osalta kunnista puuttuu osoittaja tai nimittäjä: painottamaton keskiarvo.")
    progress = judgement.progress if judgement else math.nan
    return {
        "rule": spec.rule,
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
    }


INDICATOR_COLUMNS = [*INDICATOR_KEYS, "rule", "baseline", "target", "actual", "actual_month", "expected_share",
                     "expected", "progress", "progress_capped", "status", "coverage", "partial", "note"]


def _assessments(indicators: pd.DataFrame, specs: dict[str, IndicatorSpec], figures: dict[str, list[Figure]],
                 month: int | None, n_municipalities: int, thresholds: Thresholds) -> list[dict]:
    """_assess of every indicator, in Mittarit order."""
    return [_assess(specs[indicator_id], figures.get(indicator_id, []), month, bool(per_municipality),
                    n_municipalities, thresholds)
            for indicator_id, per_municipality in zip(indicators["id"], indicators["per_municipality"])]


def _indicator_frame(indicators: pd.DataFrame, specs: dict[str, IndicatorSpec], figures: dict[str, list[Figure]],
                     month: int | None, n_municipalities: int, thresholds: Thresholds) -> pd.DataFrame:
    assessed = _assessments(indicators, specs, figures, month, n_municipalities, thresholds)
    rows = [{**row._asdict(), **a} for row, a in zip(indicators[INDICATOR_KEYS].itertuples(index=False), assessed)]
    return pd.DataFrame(rows, columns=INDICATOR_COLUMNS).astype({"actual_month": "Int64"})


MUNICIPAL_COLUMNS = ["id", "name", "unit", "municipality", "baseline", "target", "actual", "actual_month",
                     "share_of_area", "expected", "progress", "progress_capped", "status", "note"]


def _municipal_frame(indicators: pd.DataFrame, specs: dict[str, IndicatorSpec], values: pd.DataFrame,
                     area: pd.DataFrame, names: list[str], month: int | None, thresholds: Thresholds) -> pd.DataFrame:
    """Each municipality's own figure for indicators entered per municipality.

    The entries are summed once per indicator and municipality (latest value, sum and latest month), so
    the work grows with the entries plus the rows made, not with their product."""
    local = values[values["municipality"] != AREA_TOTAL]
    if month:
        local = local[local["month"] <= month]
    grouped = local.sort_values("month", kind="stable").groupby(["indicator_id", "municipality"], sort=False)
    latest, total, latest_month = grouped["effective"].last(), grouped["effective"].sum(), grouped["month"].last()
    figures = {key: (latest_value, total_value, int(month_number)) for key, latest_value, total_value, month_number
               in zip(latest.index, latest.to_numpy(), total.to_numpy(), latest_month.to_numpy())}
    area_by_id = {row.id: row for row in area[["id", "partial", "actual"]].itertuples(index=False)}
    rows = []
    for row in indicators.loc[indicators["per_municipality"], ["id", "name", "unit"]].itertuples(index=False):
        spec, area_row = specs[row.id], area_by_id[row.id]
        judged = spec.judged_per_municipality and month is not None
        area_shares = spec.combine == SUM and not area_row.partial and area_row.actual > 0
        for name in names:
            figure = figures.get((row.id, name))  # (latest value, sum, latest month)
            has_data = figure is not None
            actual = math.nan
            if has_data:
                actual = float(figure[0] if spec.reads_latest else figure[1])
            judgement = judge(spec, actual, month, thresholds) if judged else None
            progress = judgement.progress if judgement else math.nan
            rows.append({
                "id": row.id,
                "name": row.name,
                "unit": row.unit,
                "municipality": name,
                "baseline": spec.baseline,
                "target": spec.target,
                "actual": actual,
                "actual_month": figure[2] if has_data else None,
                "share_of_area": actual / area_row.actual if has_data and area_shares else math.nan,
                "expected": judgement.expected if judgement else math.nan,
                "progress": progress,
                "progress_capped": min(1.0, max(0.0, progress)) if not math.isnan(progress) else math.nan,
                "status": judgement.status if judgement else (EI_TIETOA if spec.judged_per_municipality else None),
                "note": "" if spec.judged_per_municipality else "Ei kuntakohtaista tavoitetta: näytetään osuus alueesta.",
            })
    return pd.DataFrame(rows, columns=MUNICIPAL_COLUMNS).astype({"actual_month": "Int64"})


def rollup(frame: pd.DataFrame, group_type: str, group: str) -> dict:
    """Share of indicators per status plus the mean of capped progress: unlike units are never summed."""
    return _rollup_of(group_type, group, frame["status"].tolist(), frame["progress_capped"].to_numpy("float64"))


def _rollup_of(group_type: str, group: str, statuses: list, capped: np.ndarray) -> dict:
    """The roll-up of one group from its statuses and capped progress (one value per indicator)."""
    counts = Counter(statuses)
    count = {status: counts[status] for status in STATUSES}
    with_data = len(statuses) - count[EI_TIETOA]
    return {
        "group_type": group_type,
        "group": group,
        "n": len(statuses),
        **count,
        "on_track_share": (count[SAAVUTETTU] + count[TAVOITTEESSA]) / with_data if with_data else math.nan,
        "mean_progress": _mean(capped),
    }


def _mean(values: np.ndarray) -> float:
    """The mean of the values that are not NaN (NaN when none is), summed in the order pandas' mean sums them."""
    missing = np.isnan(values)
    if missing.all():
        return math.nan
    return float(np.where(missing, 0.0, values).sum() / (values.size - missing.sum()))


ROLLUP_COLUMNS = ["group_type", "group", "n", *STATUSES, "on_track_share", "mean_progress"]


def view_rollups(indicators: pd.DataFrame, view: str) -> pd.DataFrame:
    """The roll-ups of one view (e.g. the council's KV indicators): the view itself, its themes, its focus areas."""
    rows = [rollup(indicators, "taso", view)]
    rows += [rollup(group, "teema", theme) for theme, group in indicators.groupby("theme", sort=False)]
    rows += [rollup(group, "painopiste", focus) for focus, group in indicators.groupby("focus_area", sort=False)]
    return pd.DataFrame(rows, columns=ROLLUP_COLUMNS)


def _rollups(indicators: pd.DataFrame, municipalities: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """The council's KV view, then the committee's view of every indicator by theme and focus area, then
    the municipalities over the indicators judged in each."""
    judged = municipalities[municipalities["status"].notna()]
    positions_of = judged.groupby("municipality", sort=False).indices
    statuses = judged["status"].to_numpy(dtype=object)
    capped = judged["progress_capped"].to_numpy(dtype="float64")
    none = np.array([], dtype="int64")
    council = pd.DataFrame([rollup(indicators[indicators["level"] == "KV"], "taso", LEVEL_COUNCIL)])
    towns = pd.DataFrame([_rollup_of("kunta", name, statuses[positions_of.get(name, none)].tolist(),
                                     capped[positions_of.get(name, none)]) for name in names],
                         columns=ROLLUP_COLUMNS)
    return pd.concat([council, view_rollups(indicators, LEVEL_TOTAL), towns], ignore_index=True)


def _rollup_trend(indicators: pd.DataFrame, specs: dict[str, IndicatorSpec], figures: dict[str, list[Figure]],
                  month: int | None, n_municipalities: int, thresholds: Thresholds) -> pd.DataFrame:
    """The all-indicator roll-up at the end of each month up to the as-of month."""
    rows = []
    for m in range(1, (month or 0) + 1):
        assessed = _assessments(indicators, specs, figures, m, n_municipalities, thresholds)
        statuses = [a["status"] for a in assessed]
        capped = np.array([a["progress_capped"] for a in assessed], dtype="float64")
        rows.append({"month": m, **_rollup_of("taso", LEVEL_TOTAL, statuses, capped)})
    return pd.DataFrame(rows, columns=["month", *ROLLUP_COLUMNS])


def _trend(specs: dict[str, IndicatorSpec], figures: dict[str, list[Figure]], month: int | None) -> pd.DataFrame:
    """Area figure per indicator and month up to the as-of month; partial sums are left out as misleading."""
    rows = []
    for indicator_id, spec in specs.items():
        row = {"id": indicator_id, **{m: math.nan for m in MONTHS}}
        for m in range(1, (month or 0) + 1):
            figure, _ = area_actual(spec, figures.get(indicator_id, []), m)
            shown = figure is not None and (figure.complete or spec.combine != SUM)
            if shown and (figure.month == m or not spec.reads_latest):
                row[m] = figure.value
        rows.append(row)
    return pd.DataFrame(rows, columns=["id", *MONTHS])


def compute_attainment(tables: Tables, as_of: int | None = None, thresholds: Thresholds = THRESHOLDS) -> AttainmentResult:
    """Attainment of every indicator at the end of month as_of of 2026 (None: the latest month with entries)."""
    if as_of is not None and as_of not in MONTHS:
        raise ValueError("Tarkastelukuukauden pitää olla 1–12.")
    specs = {row.id: indicator_spec(row) for row in tables.indicators.itertuples(index=False)}
    names = municipality_names(tables)
    values = entry_values(tables, specs)
    if as_of is None and len(values):
        as_of = int(values["month"].max())
    figures = monthly_figures(values, specs, len(names))
    indicators = _indicator_frame(tables.indicators, specs, figures, as_of, len(names), thresholds)
    municipalities = _municipal_frame(tables.indicators, specs, values, indicators, names, as_of, thresholds)
    return AttainmentResult(
        as_of=as_of,
        indicators=indicators,
        municipalities=municipalities,
        rollups=_rollups(indicators, municipalities, names),
        trend=_trend(specs, figures, as_of),
        rollup_trend=_rollup_trend(tables.indicators, specs, figures, as_of, len(names), thresholds),
        specs=specs,
        thresholds=thresholds,
    )
