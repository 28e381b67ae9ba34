"""Deterministic, clearly fictional demo data for every input table of the master workbook.

The demo is a proper build (the builder's xlsxwriter path, with VBA and buttons) of the master's
own reference tables plus generated entries, so it is as fast at national scale as at one area.
All randomness comes from random.Random streams seeded by the seed (one per table): the same
master, scale and seed give the same bytes. Figures (made in demo_entries) run from January to
DATA_MONTH (October: on 28 November 2026 the October figures are the latest complete ones) and trend
toward the targets, some on track, some ahead and some slipping. The stocks judged with last year's same month (M06, M33,
M35) move with a season and get a Vertailuvuosi series for 2025 whose December is the programme's
baseline; the indicators counted from Sidonnat (M30, M37) get no entries, and pay-subsidy decisions of
late 2025 still running in 2026 are in Sidonnat, as a real ledger holds them.

Scale N simulates N employment areas: the real area plus N-1 fictional ones of eight fictional
municipalities each ("Esimerkkikunta 9", ...). Everything per municipality (per-municipality
indicators, budgets, commitments, payments, service costs) therefore grows N-fold; the
whole-area ("Koko alue") entries stay one series per indicator.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tyollisyys_xl.master.builder import build_master
from tyollisyys_xl.master.layout import BOOL_TEXT, OHJAUS
from tyollisyys_xl.master.sources import REFERENCE_TABLES, Sources, default_rows, load_sources, to_cell
from tyollisyys_xl.master.text_sheets import NOTICE_CELL
from tyollisyys_xl.master.reading import BuildError, CellValue, cell_value, open_workbook, read_input_tables
from tyollisyys_xl.core.months import YEAR
from tyollisyys_xl.core.reports.layout import DEMO_BANNER
from tyollisyys_xl.core.parsing import business_id_check_digit
from tyollisyys_xl.programme import AREA_TOTAL
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.master.demo_entries import (
    DATA_MONTH,
    POPULATION,
    Indicator,
    Municipality,
    cell_number,
    entries,
    reference_entries,
)

DATA_END = dt.date(YEAR, DATA_MONTH, calendar.monthrange(YEAR, DATA_MONTH)[1])
MAX_SCALE = 100  # 8 municipalities per area need unique three-digit municipality codes
DEMO_MARK = DEMO_BANNER  # the words every printed page of a demo carries, and Ohjaus' notice starts with

# Yearly subsidy budget per resident (€) and the monthly amount range of one decision when the
# subsidy type gives no monthly cap.
BUDGET_PER_RESIDENT = {"Palkkatuki": 13.0, "Nuoret töihin -rekrytointituki": 4.5, "Starttiraha": 2.0}
MONTHLY_AMOUNT = {"Palkkatuki": (600.0, 1100.0), "Starttiraha": (650.0, 900.0)}
APPLIED_MONTHS = {"Palkkatuki": 2}  # months one payment covers (others: one)
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
CARRIED_OVER = "Palkkatuki"  # decisions of late 2025 still running in 2026


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
            max_per_month=cell_number(row.get("max_per_month_eur")),
            max_months=cell_number(row.get("max_months")),
            max_total=cell_number(row.get("max_total_eur")),
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


CARRY_OVER_FROM = dt.date(YEAR - 1, 6, 1)  # decisions of the previous year whose periods run into this one
CARRY_OVER_TO = dt.date(YEAR - 1, 11, 30)


def _commitment(municipality: str, subsidy: SubsidyType, employers: list[str], rng: random.Random,
                carried_over: bool = False) -> dict:
    """One decision: a period starting the month after the decision, within the subsidy type's caps.

    carried_over: decided in the second half of the previous year, for a period that runs into this one."""
    low, high = MONTHLY_AMOUNT.get(subsidy.name, (600.0, 1500.0))
    monthly = round(rng.uniform(0.6, 1.0) * subsidy.max_per_month, 2) if subsidy.max_per_month else round(
        rng.uniform(low, high), 2)
    first, last = (CARRY_OVER_FROM, CARRY_OVER_TO) if carried_over else (dt.date(YEAR, 1, 2), DATA_END - dt.timedelta(days=5))
    decision = first + dt.timedelta(days=rng.randint(0, (last - first).days))
    start = _add_months(decision, 1)
    shortest = max(3, 14 - start.month) if carried_over else 3  # a carried-over period runs at least into January
    months = rng.randint(shortest, int(subsidy.max_months) if subsidy.max_months else 12)
    if subsidy.max_total:
        months = min(months, int(subsidy.max_total // monthly))
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


def _share_in_year(row: dict) -> float:
    """The part of a decision's amount that falls on this year's months (a carried-over one binds less of it)."""
    first_month = (row["period_start"].year - YEAR) * 12 + row["period_start"].month
    months_here = sum(1 <= first_month + k <= 12 for k in range(row["_months"]))
    return row["amount_eur"] * months_here / row["_months"]


def commitments(budget_rows: list[dict], subsidy_types: list[SubsidyType], rng: random.Random) -> list[dict]:
    """Decisions per municipality and subsidy type binding 70-98 % of its budget (by this year's share), pay
    subsidies of late last year still running among them; ids per decision year in decision-date order."""
    by_name = {s.name: s for s in subsidy_types}
    employers: dict[str, list[str]] = {}
    rows = []
    for budget in budget_rows:
        municipality, subsidy = budget["municipality"], by_name[budget["subsidy_type"]]
        pool = employers.setdefault(municipality, [business_id(rng) for _ in range(rng.randint(4, 14))])
        goal, bound = budget["budget_eur"] * rng.uniform(0.7, 0.98), 0.0
        carrying = subsidy.name == CARRIED_OVER
        while True:
            row = _commitment(municipality, subsidy, pool, rng, carried_over=carrying)
            share = _share_in_year(row)
            if bound + share > goal:
                break
            bound += share
            rows.append(row)
            carrying = carrying and bound < goal * 0.45  # about half of this year's pay subsidy comes from last year
    rows.sort(key=lambda r: (r["decision_date"], r["municipality"], r["subsidy_type"]))
    width = max(4, len(str(len(rows))))
    numbers: Counter = Counter()
    for row in rows:
        year = row["decision_date"].year
        numbers[year] += 1
        row["commitment_id"] = f"SID-{year}-{numbers[year]:0{width}d}"
    return rows


def payments(commitment_rows: list[dict], rng: random.Random) -> list[dict]:
    """Subsidy months are paid on the 20th of the month after the months applied for, up to DATA_END, never above
    the monthly amount: pay subsidy two months at a time (employers apply for it in arrears), the others monthly.
    Payments of last year belong to last year's books: this year's Maksatukset starts in January."""
    rows = []
    for c in commitment_rows:
        step = APPLIED_MONTHS.get(c["subsidy_type"], 1)
        for first in range(0, c["_months"], step):
            months = min(step, c["_months"] - first)
            paid_on = _add_months(c["period_start"], first + months).replace(day=20)
            if paid_on > DATA_END:
                break
            if paid_on.year < YEAR:
                continue
            rows.append({"payment_date": paid_on, "commitment_id": c["commitment_id"],
                         "amount_eur": round(c["_monthly"] * months * rng.uniform(0.85, 1.0), 2)})
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
    """The notice of a demo workbook, or None for any other workbook. A demo is marked by a workbook name
    (io.generated.DEMO_NAME) that survives a cleared or overwritten Ohjaus; the notice is the one Ohjaus shows,
    or a short one when that cell no longer holds it. An older demo, from before the name, is known by its notice.
    workbook: a path, or a workbook already open (so that one run reads one version of it)."""
    book = workbook if isinstance(workbook, CalamineSource) else open_workbook(Path(workbook))
    cell = cell_value(book, OHJAUS, *NOTICE_CELL)
    if isinstance(cell, str) and cell.startswith(DEMO_MARK):
        return cell
    return f"{DEMO_MARK}: kaikki luvut on tuotettu komennolla tyollisyys-xl demo." if book.is_demo() else None


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
        "vertailuvuosi": reference_entries(indicators, municipalities, rng("vertailuvuosi")),
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
