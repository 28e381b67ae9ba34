"""Owners and explanations: who answers for an indicator, why it is off track and what is being done.

The board asks three questions about an indicator in red: who owns it (Mittarit: Vastuuhenkilö), why
it is red and what is done about it (Selitykset: Selitys, Toimenpide, Kirjoittaja, per indicator, month
and municipality or Koko alue). The reports show the latest explanation up to the as-of month beside
the indicator; a KV indicator at Riskissä or Ei toteudu without a Koko alue explanation for the as-of
month or the month before is a warning (SELITYS_PUUTTUU), so the warning goes away exactly when the
Toteutuminen sheet shows a fresh explanation.
"""

from __future__ import annotations

from dataclasses import dataclass

from tyollisyys_xl.core.attainment import EI_TOTEUDU, RISKISSA, AttainmentResult, compute_attainment
from tyollisyys_xl.core.findings import WARNING, Finding
from tyollisyys_xl.core.months import month_label
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.core.tables import ROW, Tables
from tyollisyys_xl.programme import AREA_TOTAL
from tyollisyys_xl.schemas import table_schemas

MISSING_EXPLANATION = Rule.SELITYS_PUUTTUU.code  # the one finding code of this module
RED_STATUSES = (RISKISSA, EI_TOTEUDU)
COUNCIL_LEVEL = "KV"
ID_COLUMN, ID_HEADER = "id", "Tunnus"


@dataclass(frozen=True)
class Explanation:
    """One Selitykset row."""

    indicator_id: str
    month: int
    municipality: str
    text: str
    action: str | None
    author: str

    def summary(self) -> str:
        """'6/2026: Yritysten rekrytoinnit siirtyivät syksyyn. Toimenpide: … (Anna Esimerkki)' for a report cell."""
        action = f" Toimenpide: {self.action}" if self.action else ""
        return f"{month_label(self.month)}: {self.text}{action} ({self.author})"


def latest_explanations(tables: Tables, as_of: int | None) -> dict[tuple[str, str], Explanation]:
    """(indicator id, municipality or Koko alue) -> its latest explanation for a month up to as_of (any month
    when as_of is None). The table's unique key makes the latest one per pair unambiguous."""
    frame = tables.explanations
    if frame.empty:
        return {}
    if as_of is not None:
        frame = frame[frame["month"] <= as_of]
    latest: dict[tuple[str, str], Explanation] = {}
    for row in frame.sort_values(["month", ROW], kind="stable").itertuples(index=False):
        latest[(row.indicator_id, row.municipality)] = Explanation(
            indicator_id=row.indicator_id,
            month=int(row.month),
            municipality=row.municipality,
            text=row.explanation,
            action=row.action or None,
            author=row.author,
        )
    return latest


def owners(tables: Tables) -> dict[str, str]:
    """Indicator id -> its owner (Vastuuhenkilö) where one is named."""
    indicators = tables.indicators
    if "owner" not in indicators:
        return {}
    return {i: o for i, o in zip(indicators["id"], indicators["owner"]) if isinstance(o, str) and o.strip()}


def _explained_months(tables: Tables) -> set[tuple[str, int]]:
    """(indicator id, month) pairs that have a Koko alue explanation."""
    frame = tables.explanations
    area = frame[frame["municipality"] == AREA_TOTAL] if not frame.empty else frame
    return {(i, int(m)) for i, m in zip(area.get("indicator_id", []), area.get("month", []))}


def missing_explanations(tables: Tables, attainment: AttainmentResult | None = None) -> list[Finding]:
    """SELITYS_PUUTTUU for every KV indicator at Riskissä or Ei toteudu in the as-of month that has no Koko alue
    explanation for that month or the one before; located to the indicator's id cell on Mittarit."""
    attainment = attainment if attainment is not None else compute_attainment(tables)
    month = attainment.as_of
    if month is None:
        return []
    explained = _explained_months(tables)
    owner_of = owners(tables)
    rows = dict(zip(tables.indicators["id"], tables.indicators[ROW]))
    letter = tables.column_letters.get("mittarit", {}).get(ID_COLUMN, "A")
    sheet = table_schemas()["mittarit"].sheet
    findings = []
    red = attainment.indicators[(attainment.indicators["level"] == COUNCIL_LEVEL)
                                & attainment.indicators["status"].isin(RED_STATUSES)]
    for indicator in red.itertuples(index=False):
        if (indicator.id, month) in explained or (indicator.id, month - 1) in explained:
            continue
        earlier = f" tai {month_label(month - 1)}" if month > 1 else ""
        owner = (f" Vastuuhenkilö: {owner_of[indicator.id]}." if indicator.id in owner_of
                 else " Mittarille ei ole nimetty vastuuhenkilöä.")
        findings.append(Finding(
            WARNING, sheet, f"{letter}{int(rows[indicator.id])}" if indicator.id in rows else None, ID_HEADER,
            MISSING_EXPLANATION,
            f"Valtuuston mittari {indicator.id} on tilassa ”{indicator.status}” {month_label(month)}, mutta sille ei ole "
            f"selitystä: kirjaa Selitykset-välilehdelle selitys ja toimenpide (kunta ”{AREA_TOTAL}”, kuukausi "
            f"{month_label(month)}{earlier}).{owner}",
        ))
    return findings


def explanation_text(explanation: Explanation | None) -> str | None:
    return explanation.summary() if explanation else None
