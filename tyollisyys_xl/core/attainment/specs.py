"""What the engine knows of an indicator: its Mittarit row reduced to the rule that judges it.

The programme's indicators are not all "bigger is better", so each is judged by one rule chosen from
its kind (Laji) and accumulation (Kertymä); docs/attainment.md explains the rules and why. Every
number that turns progress into a status lives in THRESHOLDS and is shown on the Toteutuminen sheet.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from itertools import accumulate

from tyollisyys_xl.core.months import MONTHS, YEAR, month_label

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
# Judging (Arviointi) the approved programme sets for an indicator, beside its kind.
DUE_DATE, SAME_MONTH = "määräpäivä", "vertailukuukausi"

# Judging rules (one per way of reading an indicator; see rule_for).
COUNT = "count"  # year-to-date sum on a pro-rata path from zero to the annual target
PATH = "path"  # latest value on a straight path from the baseline (at its date) to the target
LEVEL_MIN = "level_min"  # latest value must stay at or above the target
LEVEL_MAX = "level_max"  # latest value must stay at or below the target
MILESTONE = "milestone"  # 0 ei aloitettu / 1 käynnissä / 2 valmis
DELIVERABLE = "deliverable"  # delivered by its due date: never Ei toteudu before it, undelivered after it is
SEASONAL = "seasonal"  # a path whose expected value moves with last year's season (see core.attainment.reference)
UNSUPPORTED = "unsupported"  # a kind that cannot be a year-to-date sum

# How municipal entries of one month combine into the area figure.
SUM, RATE, MEAN, MAX = "sum", "rate", "mean", "max"  # max: an upper limit holds only where the worst holds it

LEVEL_TOTAL, LEVEL_COUNCIL = "KV ja LTK (lautakunta)", "KV (valtuusto)"
ROUNDING = 9  # comparisons are made at this many decimals, so Excel, Calc and Python agree at the edges


@dataclass(frozen=True)
class Thresholds:
    """Every number that turns progress into a status. Shown on the Toteutuminen sheet."""

    on_track_margin: float = 0.10  # behind the expected share of the way by at most this: Tavoitteessa
    at_risk_margin: float = 0.25  # behind by at most this (or a level missed by at most this): Riskissä
    maintain_tolerance: float = 0.05  # a maintained level (ylläpito) still counts as held this far below target
    milestone_start_share: float = 0.25  # a milestone not started once this share of its time has passed: Riskissä
    deliverable_risk_share: float = 0.75  # a deliverable not complete once this share of its time has passed: Riskissä
    progress_min: float = -1.0  # progress is shown clipped to [min, max] so one outlier cannot dominate
    progress_max: float = 2.0

    def labelled(self) -> list[tuple[str, float]]:
        """(Finnish label, value) in the order the sheet shows them."""
        return [
            ("Tavoitteessa, kun jäljessä odotetusta etenemisestä enintään", self.on_track_margin),
            ("Riskissä, kun jäljessä enintään (taso: alittaa/ylittää enintään)", self.at_risk_margin),
            ("Ylläpidettävä taso pysyy, kun alittaa tavoitteen enintään", self.maintain_tolerance),
            ("Virstanpylväs riskissä, jos aloittamatta, kun ajasta kulunut yli", self.milestone_start_share),
            ("Toimitettava riskissä, jos kesken, kun ajasta kulunut yli", self.deliverable_risk_share),
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
    cumulative: bool = False  # Kertymä kumulatiivinen: counts add up over the year, a rate is the year-to-date ratio
    seasonal: bool = False  # judged with last year's same month when the reference year is there
    ledger_type: str | None = None  # subsidy type whose periods in Sidonnat are the figure when none is entered

    @property
    def adds_up(self) -> bool:
        """The actual is the sum of the months so far (a count, or deliverables counted as they come)."""
        return self.rule == COUNT or (self.rule == DELIVERABLE and self.cumulative and self.combine == SUM)

    @property
    def year_to_date_rate(self) -> bool:
        """The actual is the year-to-date ratio: Σ numerators / Σ denominators over the months so far."""
        return self.cumulative and self.combine == RATE

    @property
    def year_to_date(self) -> bool:
        return self.adds_up or self.year_to_date_rate

    @property
    def reads_latest(self) -> bool:
        return not self.year_to_date

    @property
    def judged_per_municipality(self) -> bool:
        """Rates and means compare with the area target in each municipality; sums have no municipal target."""
        return self.combine != SUM and self.rule != UNSUPPORTED


_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?")


def isnan(value: object) -> bool:
    return isinstance(value, float) and math.isnan(value)


def month_index(date_text: object, default: int) -> int:
    """Months from the start of 2026 to the end of a year or month: "2025" and "2025-12" -> 0, "2026-06" -> 6."""
    match = _DATE.match(str(date_text)) if date_text is not None and not isnan(date_text) else None
    if not match:
        return default
    year, month = int(match.group(1)), int(match.group(2) or 12)
    return (year - YEAR) * 12 + month


def profile_shares(text: object) -> tuple[tuple[float, ...] | None, str | None]:
    """"w1;...;w12" -> cumulative share of the year per month, or (None, Finnish reason) when unusable."""
    if text is None or isnan(text) or not str(text).strip():
        return None, None
    try:
        weights = [float(part.strip().replace(",", ".")) for part in str(text).split(";")]
    except ValueError:
        weights = []
    if len(weights) != len(MONTHS) or any(w < 0 for w in weights) or sum(weights) <= 0:
        return None, "Kuukausiprofiili ei kelpaa (12 ei-negatiivista painoa): käytetään tasaista polkua."
    total = sum(weights)
    return tuple(running / total for running in accumulate(weights)), None


def rule_for(kind: str, accumulation: str, rate: bool, baseline: float, target: float, judging: object = None) -> str:
    """The judging rule: a milestone by its stages, a deliverable by its due date, counts year to date,
    the rest (means and rates too) by their latest value."""
    if kind == VIRSTANPYLVAS:
        return MILESTONE
    if judging == DUE_DATE:
        return DELIVERABLE
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
    if kind == YLARAJA:
        return MAX
    return MEAN if kind in (KESKIARVO, VIRSTANPYLVAS) else SUM


def indicator_spec(row) -> IndicatorSpec:
    rate = not isnan(row.rate_scale)
    baseline, target = float(row.baseline), float(row.target)
    rule = rule_for(row.kind, row.accumulation, rate, baseline, target, row.judging)
    combine = combine_for(row.kind, rate)
    cumulative = row.accumulation == CUMULATIVE
    target_month = max(month_index(row.target_date, 12), 1)
    profile, profile_note = profile_shares(row.monthly_profile) if rule == COUNT else (None, None)
    notes = [profile_note] if profile_note else []
    if rule == UNSUPPORTED:
        notes.append(f"Laji {row.kind} ei sovi kumulatiiviseen kertymään: tilaa ei arvioida.")
    elif math.isnan(baseline) and rule in (LEVEL_MIN, LEVEL_MAX):
        notes.append("Ei lähtöarvoa: toteumaa verrataan tavoitetasoon.")
    elif math.isnan(baseline) and rule == COUNT:
        notes.append("Ei lähtöarvoa: edistyminen = toteuma / tavoite.")
    if rule == DELIVERABLE:
        notes.append(f"Määräpäivä {month_label(target_month)}.")
    if cumulative and combine == RATE:
        notes.append("Osuus vuoden alusta (osoittajien summa / nimittäjien summa).")
    ledger_type = row.ledger_subsidy_type if isinstance(row.ledger_subsidy_type, str) else None
    return IndicatorSpec(
        id=row.id,
        kind=row.kind,
        rule=rule,
        combine=combine,
        rate_scale=float(row.rate_scale),
        baseline=baseline,
        target=target,
        baseline_month=month_index(row.baseline_date, 0),
        target_month=target_month,
        profile=profile,
        notes=tuple(notes),
        cumulative=cumulative,
        seasonal=row.judging == SAME_MONTH and rule == PATH,
        ledger_type=ledger_type,
    )
