"""Tidy tables for Power BI: one frame per fact and dimension, with Finnish snake_case column names.

Facts carry keys that join to the dimensions: kunta -> kunnat, mittari_id -> mittarit,
kuukausi -> kuukaudet, tukilaji -> tukilajit, kustannuskohde -> kustannuskohteet. Money stays exact:
euro columns (suffix _eur) hold decimal.Decimal with two decimals, turned from the engine's int cents.
Free-text comments are left out: they are notes for the workbook's users, not data to report.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd

from tyollisyys_xl.core.attainment import AttainmentResult, entry_values
from tyollisyys_xl.core.budget import BudgetResult
from tyollisyys_xl.core.history import status_history
from tyollisyys_xl.core.money import cents_to_decimal
from tyollisyys_xl.core.months import MONTH_ABBREVIATIONS, MONTH_NAMES, MONTHS, YEAR
from tyollisyys_xl.core.tables import ROW, Tables
from tyollisyys_xl.programme import AREA_TOTAL

# file stem -> one-line Finnish description (the order files are written and documented in)
EXPORT_TABLES = {
    "toteumat": "Mittareiden kuukausitoteumat kunnittain (arvo = kirjattu arvo tai osoittaja/nimittäjä)",
    "toteutuminen": "Mittareiden toteutuminen tarkastelukuukauden lopussa, koko alue ja kunnat, "
                    "vertailuna sama kuukausi vuotta aiemmin",
    "tilahistoria": "Mittareiden tila kunkin kuukauden lopussa tammikuusta tarkastelukuukauteen, koko alue ja kunnat",
    "sidonnat": "Sidonnat: koko summa, vuoden 2026 osuus, maksettu ja avoin",
    "sidonnat_kuukausittain": "Sidontojen vuoden 2026 osuus ja maksut kuukausittain kunnittain ja tukilajeittain",
    "maksatukset": "Maksatukset sidonnan kunnalle ja tukilajille kohdistettuina",
    "tukibudjetti": "Tukibudjetti kunnittain ja tukilajeittain",
    "palvelukustannukset": "Palvelukustannukset kuukausittain kunnittain ja kustannuskohteittain",
    "mittarit": "Mittarit (ulottuvuus)",
    "kunnat": "Kunnat ja Koko alue (ulottuvuus)",
    "kuukaudet": "Vuoden 2026 kuukaudet (ulottuvuus)",
    "tukilajit": "Tukilajit ja niiden enimmäismäärät (ulottuvuus)",
    "kustannuskohteet": "Kustannuskohteet (ulottuvuus)",
}


def _euros(cents: pd.Series) -> pd.Series:
    return pd.Series([None if pd.isna(c) else cents_to_decimal(int(c)) for c in cents], index=cents.index, dtype="object")


def _decimal(values: pd.Series) -> pd.Series:
    """Decimal euros from the clean tables as they are (None where empty)."""
    return pd.Series([None if v is None or pd.isna(v) else Decimal(v) for v in values], index=values.index, dtype="object")


def _months(month: pd.Series) -> pd.Series:
    return pd.Series([dt.date(YEAR, int(m), 1) for m in month], index=month.index, dtype="object")


def _in_row_order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(ROW, kind="stable").reset_index(drop=True)


def entries_frame(tables: Tables, attainment: AttainmentResult) -> pd.DataFrame:
    values = entry_values(tables, attainment.specs).join(tables.entries[[ROW, "source"]])
    values = _in_row_order(values)
    return pd.DataFrame({
        "mittari_id": values["indicator_id"],
        "kuukausi": values["month"].astype("int64"),
        "kuukausi_pvm": _months(values["month"]),
        "kunta": values["municipality"],
        "arvo": values["effective"].astype("float64"),
        "osoittaja": values["numerator"].astype("float64"),
        "nimittaja": values["denominator"].astype("float64"),
        "lahde": values["source"],
    })


def attainment_frame(attainment: AttainmentResult) -> pd.DataFrame:
    """Area rows (kunta = Koko alue) and the municipalities' own rows, at the end of month as_of."""
    area = attainment.indicators.assign(municipality=AREA_TOTAL, share_of_area=1.0)
    local = attainment.municipalities
    columns = ["id", "municipality", "actual", "actual_month", "expected", "progress", "status", "share_of_area",
               "reference_value", "change_from_reference"]
    frame = pd.concat([area[columns], local[columns]], ignore_index=True)
    return pd.DataFrame({
        "mittari_id": frame["id"],
        "kunta": frame["municipality"],
        "tarkastelukuukausi": pd.array([attainment.as_of] * len(frame), dtype="Int64"),
        "toteuma": frame["actual"].astype("float64"),
        "toteuma_kuukausi": frame["actual_month"].astype("Int64"),
        "odotettu": frame["expected"].astype("float64"),
        "edistyminen": frame["progress"].astype("float64"),
        "tila": frame["status"],
        "osuus_alueesta": frame["share_of_area"].astype("float64"),
        "vertailuarvo": frame["reference_value"].astype("float64"),  # the same month a year earlier (Vertailuvuosi)
        "muutos_vertailusta": frame["change_from_reference"].astype("float64"),
    })


def history_frame(tables: Tables, attainment: AttainmentResult) -> pd.DataFrame:
    """The status history as a tidy table: one row per indicator, Koko alue or municipality, and month."""
    history = status_history(tables, attainment.as_of, attainment).frame
    return pd.DataFrame({
        "mittari_id": history["id"],
        "kunta": history["municipality"],
        "kuukausi": history["month"].astype("int64"),
        "toteuma": history["actual"].astype("float64"),
        "odotettu": history["expected"].astype("float64"),
        "tila": history["status"],
    })


def commitments_frame(budget: BudgetResult) -> pd.DataFrame:
    c = _in_row_order(budget.commitments)
    return pd.DataFrame({
        "sidonta_id": c["commitment_id"],
        "paatospaiva": c["decision_date"],
        "kunta": c["municipality"],
        "tukilaji": c["subsidy_type"],
        "jakso_alkaa": c["period_start"],
        "jakso_paattyy": c["period_end"],
        "jakso_kk": c["period_months"].astype("int64"),
        "sidottu_eur": _euros(c["amount_cents"]),
        "sidottu_2026_eur": _euros(c["share_cents"]),
        "maksettu_2026_eur": _euros(c["paid_cents"]),
        "maksettu_yhteensa_eur": _euros(c["paid_total_cents"]),
        "avoin_2026_eur": _euros(c["open_cents"]),
    })


def monthly_frame(budget: BudgetResult) -> pd.DataFrame:
    m = budget.monthly
    return pd.DataFrame({
        "kunta": m["municipality"],
        "tukilaji": m["subsidy_type"],
        "kuukausi": m["month"].astype("int64"),
        "sidottu_eur": _euros(m["committed_cents"]),
        "maksettu_eur": _euros(m["paid_cents"]),
    })


def payments_frame(tables: Tables, budget: BudgetResult) -> pd.DataFrame:
    """Payments with their commitment's municipality and subsidy type (a payment without one has none)."""
    keys = budget.commitments[["commitment_id", "municipality", "subsidy_type"]]
    p = _in_row_order(tables.payments.merge(keys, on="commitment_id", how="left"))
    return pd.DataFrame({
        "maksupaiva": p["payment_date"],
        "kuukausi": pd.array([d.month if d.year == YEAR else None for d in p["payment_date"]], dtype="Int64"),
        "sidonta_id": p["commitment_id"],
        "kunta": p["municipality"],
        "tukilaji": p["subsidy_type"],
        "maksettu_eur": _decimal(p["amount_eur"]),
    })


def budget_frame(tables: Tables) -> pd.DataFrame:
    b = _in_row_order(tables.budget)
    return pd.DataFrame({"kunta": b["municipality"], "tukilaji": b["subsidy_type"], "budjetti_eur": _decimal(b["budget_eur"])})


def service_costs_frame(tables: Tables) -> pd.DataFrame:
    s = _in_row_order(tables.service_costs)
    return pd.DataFrame({
        "kuukausi": s["month"].astype("int64"),
        "kunta": s["municipality"],
        "kustannuskohde": s["cost_object"],
        "kustannus_eur": _decimal(s["amount_eur"]),
    })


def indicators_frame(tables: Tables) -> pd.DataFrame:
    i = _in_row_order(tables.indicators)
    return pd.DataFrame({
        "mittari_id": i["id"],
        "teema": i["theme"],
        "painopiste": i["focus_area"],
        "taso": i["level"],
        "nimi": i["name"],
        "yksikko": i["unit"],
        "laji": i["kind"],
        "kertyma": i["accumulation"],
        "kuntakohtainen": i["per_municipality"].astype(bool),
        "lahtoarvo": i["baseline"].astype("float64"),
        "tavoite": i["target"].astype("float64"),
        "tietolahde": i["data_source"],
    })


def municipalities_frame(tables: Tables) -> pd.DataFrame:
    """The municipalities plus a Koko alue row, so that area-wide entries join too."""
    m = _in_row_order(tables.municipalities)
    frame = pd.DataFrame({
        "kunta": m["name"],
        "kuntanumero": m["code"],
        "valmennuksen_tuottaja": m["coaching"],
        "kotoutumiskoulutuksen_tuottaja": m["integration_training"],
        "vastuukunta": m["lead"].astype(bool),
        "koko_alue": False,
    })
    area = pd.DataFrame([{"kunta": AREA_TOTAL, "vastuukunta": False, "koko_alue": True}])
    return pd.concat([frame, area], ignore_index=True)


def months_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "kuukausi": list(MONTHS),
        "kuukausi_pvm": [dt.date(YEAR, m, 1) for m in MONTHS],
        "nimi": list(MONTH_NAMES),
        "lyhenne": list(MONTH_ABBREVIATIONS),
        "vuosineljannes": [(m - 1) // 3 + 1 for m in MONTHS],
        "vuosi": YEAR,
    })


def subsidy_types_frame(tables: Tables) -> pd.DataFrame:
    s = _in_row_order(tables.subsidy_types)
    return pd.DataFrame({
        "tukilaji": s["subsidy_type"],
        "enimmaistuki_kk_eur": _decimal(s["max_per_month_eur"]),
        "enimmaiskesto_kk": s["max_months"].astype("float64"),
        "enimmaistuki_yhteensa_eur": _decimal(s["max_total_eur"]),
        "y_tunnus_vaaditaan": s["requires_business_id"].astype(bool),
        "peruste": s["legal_basis"],
    })


def cost_objects_frame(tables: Tables) -> pd.DataFrame:
    c = _in_row_order(tables.cost_objects)
    return pd.DataFrame({"kustannuskohde": c["cost_object"], "kuvaus": c["description"]})


def export_frames(tables: Tables, budget: BudgetResult, attainment: AttainmentResult) -> dict[str, pd.DataFrame]:
    """Every export table by file stem, in EXPORT_TABLES order."""
    frames = {
        "toteumat": entries_frame(tables, attainment),
        "toteutuminen": attainment_frame(attainment),
        "tilahistoria": history_frame(tables, attainment),
        "sidonnat": commitments_frame(budget),
        "sidonnat_kuukausittain": monthly_frame(budget),
        "maksatukset": payments_frame(tables, budget),
        "tukibudjetti": budget_frame(tables),
        "palvelukustannukset": service_costs_frame(tables),
        "mittarit": indicators_frame(tables),
        "kunnat": municipalities_frame(tables),
        "kuukaudet": months_frame(),
        "tukilajit": subsidy_types_frame(tables),
        "kustannuskohteet": cost_objects_frame(tables),
    }
    return {name: frames[name] for name in EXPORT_TABLES}
