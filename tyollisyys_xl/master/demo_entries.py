"""The demo's monthly entries: Toteumat for January..DATA_MONTH and the Vertailuvuosi series of the
seasonal stocks (see tyollisyys_xl.master.demo for the whole demo and its guarantees)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tyollisyys_xl.core.code_labels import format_label
from tyollisyys_xl.master.layout import BOOL_TEXT
from tyollisyys_xl.master.reading import CellValue
from tyollisyys_xl.programme import AREA_TOTAL

DATA_MONTH = 10  # figures run from January to October: on 28 November the October figures are the latest

# Rounded populations, used only to size the fictional figures of each municipality.
POPULATION = {
    "Joutsa": 4300,
    "Jämsä": 19700,
    "Keuruu": 9500,
    "Luhanka": 700,
    "Multia": 1600,
    "Mänttä-Vilppula": 9400,
    "Petäjävesi": 3800,
    "Toivakka": 2400,
}
JOB_SEEKERS_PER_RESIDENT = 0.08  # denominators of the per-municipality rates (clients)
SEASON = (1.0, 1.1, 1.1, 1.05, 1.0, 0.8, 0.45, 0.8, 1.15, 1.15, 1.1, 0.9)  # summer holidays dip
# Unemployment against its December level: highest in January and July (students, summer lay-offs),
# lowest in May and in the autumn.
UNEMPLOYMENT_SEASON = (1.10, 1.09, 1.05, 1.01, 0.96, 1.04, 1.10, 1.00, 0.94, 0.94, 0.97, 1.00)
# Seasonal stocks: how strong the season is (share of UNEMPLOYMENT_SEASON's swing) and how much the
# stock grew from January to December 2025 (long-term unemployment rose about 28 % during 2025).
SEASONAL_STOCKS = {"M06": (1.0, 0.06), "M33": (0.35, 0.28), "M35": (0.25, 0.03)}
LABEL = "{id} – {name} ({unit})"  # as Toteumat's dropdown shows an indicator (schema x-list-label)
ENTRY_COMMENTS = ("Luku tarkistettu raportilta", "Korjattu edellisen kuun tiedon perusteella", "Arvio, tarkentuu")


@dataclass(frozen=True)
class Municipality:
    name: str
    population: int
    share: float  # of its employment area's population


@dataclass(frozen=True)
class Indicator:
    id: str
    kind: str
    cumulative: bool
    per_municipality: bool
    rate_scale: float | None
    baseline: float | None
    target: float
    data_source: str | None
    label: str  # what Toteumat's dropdown puts in the cell
    from_ledger: bool  # counted from Sidonnat: nothing to type

    @classmethod
    def from_row(cls, row: Mapping[str, CellValue]) -> Indicator:
        return cls(
            id=str(row["id"]),
            kind=str(row["kind"]),
            cumulative=row["accumulation"] == "kumulatiivinen",
            per_municipality=row["per_municipality"] in (True, BOOL_TEXT[True]),
            rate_scale=cell_number(row.get("rate_scale")),
            baseline=cell_number(row.get("baseline")),
            target=float(row["target"]),
            data_source=row.get("data_source"),
            label=format_label(LABEL, row),
            from_ledger=bool(row.get("ledger_subsidy_type")),
        )

    @property
    def decimals(self) -> int:
        """Counts are whole; means, upper limits (days, months) and non-integral programme values are not."""
        if self.kind == "keskiarvo":
            return 2
        values = [v for v in (self.baseline, self.target) if v is not None]
        return 0 if self.kind != "yläraja" and all(float(v).is_integer() for v in values) else 1


def cell_number(value: CellValue) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# --- Toteumat ---------------------------------------------------------------


def _path(ind: Indicator, progress: float, month: int, start: float) -> float:
    """Linear from start toward the target, covering `progress` of the distance by December."""
    return start + (ind.target - start) * progress * month / 12


def _start(ind: Indicator) -> float:
    if ind.baseline is not None:
        return ind.baseline
    if ind.rate_scale == 100 and ind.target == 100:  # a share that should be all: most already are
        return 90.0
    return ind.target * (1.25 if ind.kind in {"lasku", "yläraja"} else 0.5)


def _cumulative_series(annual: float, rng: random.Random) -> list[int]:
    """Monthly counts whose year would total about `annual`: seasonal for big counts, scattered events for small."""
    if annual >= 24:
        return [max(0, round(annual / 12 * SEASON[m - 1] * rng.uniform(0.85, 1.15))) for m in range(1, DATA_MONTH + 1)]
    events = max(0, round(annual * DATA_MONTH / 12 + rng.uniform(-0.5, 0.5)))
    counts = [0] * DATA_MONTH
    for month in rng.choices(range(DATA_MONTH), k=events):
        counts[month] += 1
    return counts


def _milestone_series(rng: random.Random) -> list[int]:
    """0 = not started, 1 = under way, 2 = done: some finish by October, some are still under way."""
    started = rng.randint(1, 4)
    done = started + rng.randint(2, 9)
    return [0 if m < started else 1 if m < done else 2 for m in range(1, DATA_MONTH + 1)]


def _entry(ind: Indicator, month: int, municipality: str, labelled: bool = False, **values: Any) -> dict[str, Any]:
    """One row of Toteumat or Vertailuvuosi. labelled: the indicator as the dropdown writes it ("M06 – Laajan …");
    Toteumat keeps the bare codes of masters built before the labels (both read the same)."""
    indicator = ind.label if labelled else ind.id
    return {"indicator_id": indicator, "month": month, "municipality": municipality, "source": ind.data_source, **values}


def _season(ind: Indicator, month: int) -> float:
    """The month's level against December for a seasonal stock; 1 for everything else."""
    if ind.id not in SEASONAL_STOCKS:
        return 1.0
    strength, _ = SEASONAL_STOCKS[ind.id]
    return 1 + (UNEMPLOYMENT_SEASON[month - 1] - 1) * strength


def _split(total: int, shares: list[float]) -> list[int]:
    """Whole numbers proportional to shares that add up to total exactly (largest remainder)."""
    raw = [total * share for share in shares]
    parts = [int(r) for r in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[i] += 1
    return parts


def reference_entries(indicators: list[Indicator], municipalities: list[Municipality], rng: random.Random) -> list[dict]:
    """Vertailuvuosi: 12/2024–12/2025 of the seasonal stocks (months numbered -12..0, as core.months counts
    them), growing through 2025 as the area's stocks did, December 2025 exactly the programme's baseline
    (split per municipality so that the area adds up to it)."""
    rows = []
    for ind in (i for i in indicators if i.id in SEASONAL_STOCKS and i.baseline is not None):
        _, growth = SEASONAL_STOCKS[ind.id]
        areas = [municipalities[i:i + 8] for i in range(0, len(municipalities), 8)] if ind.per_municipality else [None]
        for month in range(-12, 1):
            level = ind.baseline * (1 + growth) ** (month / 12) * _season(ind, (month - 1) % 12 + 1)
            if month < 0:
                level *= rng.uniform(0.99, 1.01)
            for area in areas:
                if area is None:
                    rows.append(_entry(ind, month, AREA_TOTAL, labelled=True, value=round(level, ind.decimals)))
                    continue
                values = _split(round(level), [m.share for m in area])
                rows += [_entry(ind, month, m.name, labelled=True, value=v) for m, v in zip(area, values)]
    return rows



def _indicator_entries(
    ind: Indicator, municipalities: list[Municipality], rng: random.Random
) -> list[dict[str, Any]]:
    """One indicator's entries for January..DATA_MONTH, per municipality or for the whole area."""
    if ind.from_ledger:
        return []
    progress = rng.choice((rng.uniform(0.9, 1.2), rng.uniform(0.9, 1.2), rng.uniform(0.5, 0.85)))
    places = [(m.name, m.share) for m in municipalities] if ind.per_municipality else [(AREA_TOTAL, 1.0)]
    months = range(1, DATA_MONTH + 1)
    entries = []
    if ind.kind == "virstanpylväs":
        for place, _ in places:
            entries += [_entry(ind, m, place, value=v) for m, v in zip(months, _milestone_series(rng))]
        return entries
    if ind.cumulative and not ind.rate_scale:  # a cumulative rate is entered month by month as any rate
        for place, share in places:
            for m, count in zip(months, _cumulative_series(ind.target * progress * share, rng)):
                entries.append(_entry(ind, m, place, value=count))
        return entries
    start = _start(ind)
    noise = 0.015 * max(abs(start), abs(ind.target), 1.0)
    for place, share in places:
        offset, base = rng.gauss(0, noise), _base_denominator(ind, share, rng)
        for m in months:
            level = max(0.0, _path(ind, progress, m, start) * _season(ind, m) + offset + rng.gauss(0, noise))
            entries.append(_entry(ind, m, place, **_measure(ind, level, share, base, rng)))
    return entries


def _base_denominator(ind: Indicator, share: float, rng: random.Random) -> float:
    """A place's usual denominator: clients for a percentage, person-years for a ratio, respondents for a mean."""
    if ind.rate_scale == 100:
        return sum(POPULATION.values()) * JOB_SEEKERS_PER_RESIDENT * share
    if ind.rate_scale:
        return rng.uniform(26, 32)
    return 80.0


def _measure(ind: Indicator, level: float, share: float, base: float, rng: random.Random) -> dict[str, Any]:
    """The entry's value columns: numerator and denominator for rates, respondents for means, else a value."""
    if ind.rate_scale == 100:  # a percentage of the place's clients
        denominator = max(5, round(base * rng.uniform(0.97, 1.03)))
        return {"numerator": round(min(level, 100.0) / 100 * denominator), "denominator": denominator}
    if ind.rate_scale:  # a ratio such as clients per person-year, in half person-years
        denominator = round((base + rng.uniform(-0.6, 0.6)) * 2) / 2
        return {"numerator": round(level / ind.rate_scale * denominator), "denominator": denominator}
    if ind.kind == "keskiarvo":
        return {"value": round(min(level, 5.0), 2), "denominator": round(base * rng.uniform(0.5, 1.5))}
    value = round(level if ind.kind == "yläraja" else level * share, ind.decimals)  # a limit holds in each place
    return {"value": int(value) if ind.decimals == 0 else value}


def entries(indicators: list[Indicator], municipalities: list[Municipality], rng: random.Random) -> list[dict]:
    rows = [row for ind in indicators for row in _indicator_entries(ind, municipalities, rng)]
    for row in rows:
        if rng.random() < 0.03:
            row["comment"] = rng.choice(ENTRY_COMMENTS)
    return rows
