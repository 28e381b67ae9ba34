"""Deterministic, clearly fictional demo data for every input table of the master workbook.

The demo is a proper build (the builder's xlsxwriter path, with VBA and buttons) of the master's
own reference tables plus generated entries, so it is as fast at national scale as at one area.
All randomness comes from random.Random streams seeded by the seed (one per table): the same
master, scale and seed give the same bytes. Figures run from January to DATA_MONTH (October: on
28 November 2026 the October figures are the latest complete ones) and trend toward the targets,
some on track, some ahead and some slipping.

Scale N simulates N employment areas: the real area plus N-1 fictional ones of eight fictional
municipalities each ("Esimerkkikunta 9", ...). Everything per municipality (per-municipality
indicators, budgets, commitments, payments, service costs) therefore grows N-fold; the
whole-area ("Koko alue") entries stay one series per indicator.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tyollisyys_xl.master.builder import (
    BOOL_TEXT,
    NOTICE_CELL,
    OHJAUS,
    REFERENCE_TABLES,
    Sources,
    build_master,
    default_rows,
    load_sources,
    to_cell,
)
from tyollisyys_xl.master.reading import BuildError, CellValue, cell_value, open_workbook, read_input_tables
from tyollisyys_xl.core.months import YEAR
from tyollisyys_xl.core.parsing import business_id_check_digit
from tyollisyys_xl.programme import AREA_TOTAL
from tyollisyys_xl.io.calamine_source import CalamineSource

DATA_MONTH = 10
DATA_END = dt.date(YEAR, DATA_MONTH, calendar.monthrange(YEAR, DATA_MONTH)[1])
MAX_SCALE = 100  # 8 municipalities per area need unique three-digit municipality codes
DEMO_MARK = "KUVITTEELLINEN ESIMERKKIAINEISTO"

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
# Yearly subsidy budget per resident (€) and the monthly amount range of one decision when the
# subsidy type gives no monthly cap.
BUDGET_PER_RESIDENT = {"Palkkatuki": 11.0, "Nuoret töihin -rekrytointituki": 4.5, "Starttiraha": 2.0}
MONTHLY_AMOUNT = {"Palkkatuki": (700.0, 1600.0), "Starttiraha": (650.0, 900.0)}
# Monthly service cost per resident (€) by cost object.
COST_PER_RESIDENT = {
    "Valmennuspalvelut": 1.3,
    "Ammatinvalinta- ja uraohjaus": 0.35,
    "Työkykykoordinaattorin palvelut": 0.3,
    "Työvoimakoulutukset": 0.9,
    "Kotoutumiskoulutukset": 0.4,
    "Yrityspalvelut": 0.25,
}
# Monthly check-in notes (Selitykset) and owner roles (Mittarit: Vastuuhenkilö); roles, never names of persons.
CHECK_INS = (
    ("Kehitys on edennyt suunnitelman mukaisesti.", "Jatketaan nykyisellä toimintamallilla."),
    ("Kesän lomakausi hidasti kertymää.", "Syksyn kampanja käynnistetään syyskuussa."),
    ("Yritysten rekrytointitarpeet ovat vähentyneet.", "Lisätään yrityskäyntejä ja tiedotusta."),
    ("Kirjausten viive vääristää kuukauden lukua.", "Tarkistetaan luku seuraavan kuun raportilta."),
)
OWNER_ROLES = ("Työllisyyspalvelupäällikkö", "Yrityspalvelukoordinaattori", "Palveluesihenkilö", "Kehittämiskoordinaattori")
SEASON = (1.0, 1.1, 1.1, 1.05, 1.0, 0.8, 0.45, 0.8, 1.15, 1.15, 1.1, 0.9)  # summer holidays dip
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

    @classmethod
    def from_row(cls, row: Mapping[str, CellValue]) -> Indicator:
        return cls(
            id=str(row["id"]),
            kind=str(row["kind"]),
            cumulative=row["accumulation"] == "kumulatiivinen",
            per_municipality=row["per_municipality"] in (True, BOOL_TEXT[True]),
            rate_scale=_number(row.get("rate_scale")),
            baseline=_number(row.get("baseline")),
            target=float(row["target"]),
            data_source=row.get("data_source"),
        )

    @property
    def decimals(self) -> int:
        """Counts are whole; means, upper limits (days, months) and non-integral programme values are not."""
        if self.kind == "keskiarvo":
            return 2
        values = [v for v in (self.baseline, self.target) if v is not None]
        return 0 if self.kind != "yläraja" and all(float(v).is_integer() for v in values) else 1


def _number(value: CellValue) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


# --- fictional identifiers --------------------------------------------------


def business_id(rng: random.Random) -> str:
    """A check-digit-valid Y-tunnus from the 99xxxxx range, so unlikely to be a real company's."""
    while True:
        digits = "99" + "".join(str(rng.randrange(10)) for _ in range(5))
        check = business_id_check_digit(digits)
        if check is not None:
            return f"{digits}-{check}"


def _extra_municipalities(kunnat: list[dict], scale: int) -> list[dict]:
    """Rows of Kunnat for the N-1 fictional areas, modelled on the real area's municipalities."""
    used = {str(r["code"]) for r in kunnat}
    codes = (f"{n:03d}" for n in range(1, 1000) if f"{n:03d}" not in used)
    rows = []
    for number in range(len(kunnat) + 1, len(kunnat) * scale + 1):
        rows.append(
            {
                "name": f"Esimerkkikunta {number}",
                "code": next(codes),
                "coaching": "Työllisyysalue",
                "integration_training": "Työllisyysalue",
                "lead": BOOL_TEXT[(number - 1) % len(kunnat) == 0],
            }
        )
    return rows


def _municipalities(kunnat: list[dict], area_size: int, rng: random.Random) -> list[Municipality]:
    """Every municipality with its population and its share of its own area (blocks of area_size)."""
    base = [POPULATION.get(str(r["name"]), 3000) for r in kunnat[:area_size]]
    populations = [
        POPULATION.get(str(r["name"])) or round(base[i % area_size] * rng.uniform(0.6, 1.4), -1)
        for i, r in enumerate(kunnat)
    ]
    result = []
    for start in range(0, len(kunnat), area_size):
        block = populations[start : start + area_size]
        total = sum(block)
        result += [Municipality(str(kunnat[start + i]["name"]), p, p / total) for i, p in enumerate(block)]
    return result


# --- Toteumat ---------------------------------------------------------------


def _path(ind: Indicator, progress: float, month: int, start: float) -> float:
    """Linear from start toward the target, covering `progress` of the distance by December."""
    return start + (ind.target - start) * progress * month / 12


def _start(ind: Indicator) -> float:
    if ind.baseline is not None:
        return ind.baseline
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


def _entry(ind: Indicator, month: int, municipality: str, **values: Any) -> dict[str, Any]:
    return {"indicator_id": ind.id, "month": month, "municipality": municipality, "source": ind.data_source, **values}


def _indicator_entries(
    ind: Indicator, municipalities: list[Municipality], rng: random.Random
) -> list[dict[str, Any]]:
    """One indicator's entries for January..DATA_MONTH, per municipality or for the whole area."""
    progress = rng.choice((rng.uniform(0.9, 1.2), rng.uniform(0.9, 1.2), rng.uniform(0.5, 0.85)))
    places = [(m.name, m.share) for m in municipalities] if ind.per_municipality else [(AREA_TOTAL, 1.0)]
    months = range(1, DATA_MONTH + 1)
    entries = []
    if ind.kind == "virstanpylväs":
        for place, _ in places:
            entries += [_entry(ind, m, place, value=v) for m, v in zip(months, _milestone_series(rng))]
        return entries
    if ind.cumulative:
        for place, share in places:
            for m, count in zip(months, _cumulative_series(ind.target * progress * share, rng)):
                entries.append(_entry(ind, m, place, value=count))
        return entries
    start = _start(ind)
    noise = 0.015 * max(abs(start), abs(ind.target), 1.0)
    for place, share in places:
        offset, base = rng.gauss(0, noise), _base_denominator(ind, share, rng)
        for m in months:
            level = max(0.0, _path(ind, progress, m, start) + offset + rng.gauss(0, noise))
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
    value = round(level * share, ind.decimals)
    return {"value": int(value) if ind.decimals == 0 else value}


def entries(indicators: list[Indicator], municipalities: list[Municipality], rng: random.Random) -> list[dict]:
    rows = [row for ind in indicators for row in _indicator_entries(ind, municipalities, rng)]
    for row in rows:
        if rng.random() < 0.03:
            row["comment"] = rng.choice(ENTRY_COMMENTS)
    return rows


def with_owners(mittarit: list[dict], rng: random.Random) -> list[dict]:
    """Mittarit rows with an owner role where the master names none."""
    return [row if row.get("owner") else {**row, "owner": rng.choice(OWNER_ROLES)} for row in mittarit]


def explanations(mittarit: list[dict], municipalities: list[Municipality], rng: random.Random) -> list[dict]:
    """A check-in note for the whole area in DATA_MONTH on every council (KV) indicator, and one from each of two
    municipalities of the real area on the council's per-municipality indicators."""
    rows = []
    towns = [m.name for m in municipalities[:len(POPULATION)]]
    for row in (r for r in mittarit if r["level"] == "KV"):
        places = [AREA_TOTAL]
        if row["per_municipality"] in (True, BOOL_TEXT[True]):
            places += rng.sample(towns, 2)
        for place in places:
            text, action = rng.choice(CHECK_INS)
            rows.append({"indicator_id": row["id"], "month": DATA_MONTH, "municipality": place, "explanation": text,
                         "action": action, "author": rng.choice(OWNER_ROLES)})
    return rows


# --- money --------------------------------------------------------------------


@dataclass(frozen=True)
class SubsidyType:
    name: str
    max_per_month: float | None
    max_months: float | None
    max_total: float | None
    requires_business_id: bool

    @classmethod
    def from_row(cls, row: Mapping[str, CellValue]) -> SubsidyType:
        return cls(
            name=str(row["subsidy_type"]),
            max_per_month=_number(row.get("max_per_month_eur")),
            max_months=_number(row.get("max_months")),
            max_total=_number(row.get("max_total_eur")),
            requires_business_id=row["requires_business_id"] in (True, BOOL_TEXT[True]),
        )


def budgets(municipalities: list[Municipality], subsidy_types: list[SubsidyType]) -> list[dict]:
    return [
        {"municipality": m.name, "subsidy_type": s.name,
         "budget_eur": round(m.population * BUDGET_PER_RESIDENT.get(s.name, 3.0), -2)}
        for m in municipalities
        for s in subsidy_types
    ]


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    return dt.date(day.year + index // 12, index % 12 + 1, 1)


def _commitment(municipality: str, subsidy: SubsidyType, employers: list[str], rng: random.Random) -> dict:
    """One decision: a period starting the month after the decision, within the subsidy type's caps."""
    low, high = MONTHLY_AMOUNT.get(subsidy.name, (600.0, 1500.0))
    monthly = round(rng.uniform(0.6, 1.0) * subsidy.max_per_month, 2) if subsidy.max_per_month else round(
        rng.uniform(low, high), 2)
    months = rng.randint(3, int(subsidy.max_months) if subsidy.max_months else 12)
    if subsidy.max_total:
        months = min(months, int(subsidy.max_total // monthly))
    decision = dt.date(YEAR, 1, 2) + dt.timedelta(days=rng.randint(0, (DATA_END - dt.date(YEAR, 1, 2)).days - 5))
    start = _add_months(decision, 1)
    return {
        "decision_date": decision,
        "municipality": municipality,
        "subsidy_type": subsidy.name,
        "period_start": start,
        "period_end": _add_months(start, months) - dt.timedelta(days=1),
        "amount_eur": round(monthly * months, 2),
        "business_id": rng.choice(employers) if subsidy.requires_business_id else None,
        "_monthly": monthly,
        "_months": months,
    }


def commitments(budget_rows: list[dict], subsidy_types: list[SubsidyType], rng: random.Random) -> list[dict]:
    """Decisions per municipality and subsidy type binding 70-98 % of its budget; ids in decision-date order."""
    by_name = {s.name: s for s in subsidy_types}
    employers: dict[str, list[str]] = {}
    rows = []
    for budget in budget_rows:
        municipality, subsidy = budget["municipality"], by_name[budget["subsidy_type"]]
        pool = employers.setdefault(municipality, [business_id(rng) for _ in range(rng.randint(4, 14))])
        goal, bound = budget["budget_eur"] * rng.uniform(0.7, 0.98), 0.0
        while True:
            row = _commitment(municipality, subsidy, pool, rng)
            if bound + row["amount_eur"] > goal:
                break
            bound += row["amount_eur"]
            rows.append(row)
    rows.sort(key=lambda r: (r["decision_date"], r["municipality"], r["subsidy_type"]))
    width = max(4, len(str(len(rows))))
    for number, row in enumerate(rows, start=1):
        row["commitment_id"] = f"SID-{YEAR}-{number:0{width}d}"
    return rows


def payments(commitment_rows: list[dict], rng: random.Random) -> list[dict]:
    """Each subsidy month is paid on the 20th of the next month, up to DATA_END, never above the monthly amount."""
    rows = []
    for c in commitment_rows:
        for k in range(c["_months"]):
            paid_on = _add_months(c["period_start"], k + 1).replace(day=20)
            if paid_on > DATA_END:
                break
            rows.append({"payment_date": paid_on, "commitment_id": c["commitment_id"],
                         "amount_eur": round(c["_monthly"] * rng.uniform(0.85, 1.0), 2)})
    rows.sort(key=lambda r: (r["payment_date"], r["commitment_id"]))
    return rows


def service_costs(municipalities: list[Municipality], cost_objects: list[str], rng: random.Random) -> list[dict]:
    return [
        {"month": month, "municipality": m.name, "cost_object": obj,
         "amount_eur": round(m.population * COST_PER_RESIDENT.get(obj, 0.5) * rng.uniform(0.8, 1.2), 2)}
        for month in range(1, DATA_MONTH + 1)
        for m in municipalities
        for obj in cost_objects
    ]


# --- the workbook ------------------------------------------------------------


def notice(scale: int, seed: int) -> str:
    extra = f" Mukana on lisäksi {scale - 1} kuvitteellista työllisyysaluetta (Esimerkkikunta …)." if scale > 1 else ""
    return (
        f"{DEMO_MARK} (siemen {seed}, mittakaava {scale}): kaikki toteumat, budjetit, sidonnat, Y-tunnukset, "
        f"maksatukset ja kustannukset on tuotettu satunnaisesti komennolla tyollisyys-xl demo. Ne eivät kuvaa "
        f"todellisia henkilöitä, yrityksiä eivätkä kuntien todellista tilannetta.{extra}"
    )


def demo_notice(workbook: Path | CalamineSource) -> str | None:
    """The notice of a demo workbook (Ohjaus says it is fictional), or None for any other workbook.
    workbook: a path, or a workbook already open (so that one run reads one version of it)."""
    book = workbook if isinstance(workbook, CalamineSource) else open_workbook(Path(workbook))
    cell = cell_value(book, OHJAUS, *NOTICE_CELL)
    return cell if isinstance(cell, str) and cell.startswith(DEMO_MARK) else None


def _reference_rows(master: Path | None, sources: Sources) -> dict[str, list[dict[str, CellValue]]]:
    """The master's reference tables as they stand in it (or the sources' when no master is given)."""
    if master is None:
        return default_rows(sources)
    tables = read_input_tables(open_workbook(Path(master)), {n: sources.schemas[n] for n in REFERENCE_TABLES})
    broken = [t.schema.sheet for t in tables.values() if not t.present or t.unknown_columns or t.missing_required]
    if broken:
        raise BuildError(
            f"{master} ei ole nykyisten skeemojen mukainen päätyökirja (välilehdet {', '.join(broken)}). "
            f"Päivitä se ensin: tyollisyys-xl build --from {master} UUSI.xlsm"
        )
    return {name: t.rows for name, t in tables.items()}


def demo_rows(reference: Mapping[str, list[dict]], scale: int, seed: int, sources: Sources) -> dict[str, list[dict]]:
    """Every input table's rows (cell values) for a demo built on these reference rows."""
    def rng(part: str) -> random.Random:
        """One stream per table, so that changing how one table is made leaves the others as they were."""
        return random.Random(f"{seed}:{part}")

    kunnat = list(reference["kunnat"]) + _extra_municipalities(list(reference["kunnat"]), scale)
    municipalities = _municipalities(kunnat, len(reference["kunnat"]), rng("kunnat"))
    indicators = [Indicator.from_row(r) for r in reference["mittarit"]]
    subsidy_types = [SubsidyType.from_row(r) for r in reference["tukilajit"]]
    cost_objects = [str(r["cost_object"]) for r in reference["kustannuskohteet"]]
    budget_rows = budgets(municipalities, subsidy_types)
    commitment_rows = commitments(budget_rows, subsidy_types, rng("sidonnat"))
    mittarit = with_owners(list(reference["mittarit"]), rng("mittarit"))
    typed = {
        "toteumat": entries(indicators, municipalities, rng("toteumat")),
        "selitykset": explanations(mittarit, municipalities, rng("selitykset")),
        "tukibudjetti": budget_rows,
        "sidonnat": commitment_rows,
        "maksatukset": payments(commitment_rows, rng("maksatukset")),
        "palvelukustannukset": service_costs(municipalities, cost_objects, rng("palvelukustannukset")),
    }
    rows = {name: [{c.key: to_cell(c, r.get(c.key)) for c in sources.schemas[name].columns} for r in table]
            for name, table in typed.items()}
    return {**reference, "mittarit": mittarit, "kunnat": kunnat, **rows}


def make_demo(master: Path | str | None, out: Path | str, scale: int = 1, seed: int = 1,
              sources: Path | Sources | None = None) -> Path:
    """Build a demo workbook at out from the master's reference tables plus generated entries.

    Overwrites out only when it is missing or itself a demo: real entries are never replaced.
    """
    if not 1 <= scale <= MAX_SCALE:
        raise BuildError(f"Mittakaavan on oltava 1–{MAX_SCALE}, nyt {scale}.")
    out = Path(out)
    loaded = sources if isinstance(sources, Sources) else load_sources(sources)
    rows = demo_rows(_reference_rows(Path(master) if master else None, loaded), scale, seed, loaded)
    replacing_demo = out.exists() and demo_notice(out) is not None
    return build_master(out, loaded, rows=rows, notice=notice(scale, seed), replace_entries=replacing_demo)
