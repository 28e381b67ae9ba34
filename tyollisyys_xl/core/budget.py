"""The subsidy budget engine: budget, commitments, payments and service costs summed exactly in int cents.

Rules (also in docs/budget.md):

- Money: every euro amount is turned into int cents once (core.money) and only integers are summed,
  so each total equals the sum of its parts to the cent.
- Committed (sidottu) means a commitment's 2026 share. A commitment's whole amount is split over the
  days of its period (first and last day included) into the days before 2026, in 2026 and after 2026,
  by the largest-remainder method: share = amount x days in the part / days of the whole period,
  rounded down to the cent, and the cents left over go to the parts with the largest remainders (ties
  to the earlier part). The 2026 share is then split the same way over the months of 2026 by the
  days of the period in each month. So the year parts add up exactly to the amount and the monthly
  parts exactly to the 2026 share. A period that ends before it starts has no days and no share.
- A payment is outside its commitment's period when dated before the period starts or more than
  PAYMENT_GRACE_DAYS after it ends: subsidies are paid in arrears.
- Paid (maksettu) means payments dated in 2026, counted against their commitment's municipality and
  subsidy type and in the month of the payment date.
- Open (avoin) means what of a commitment's 2026 share is still unpaid: max(0, 2026 share - its
  payments dated in 2026).
- Forecast (ennuste) for the year end = committed (the 2026 share) + the new commitments expected at
  the year's pace so far. The ledger runs to month m, the month of the latest decision dated in 2026;
  the commitments decided in 2026 (months 1..m) bound new_cents of 2026 money, so the remaining 12 - m
  months are expected to bind new_cents / m each (rounded half up to the cent, per row, so that totals
  are sums of rows). With fewer than FORECAST_MIN_MONTHS months of 2026 decisions there is no forecast
  (missing, and the tab says why). The estimate leans high: a commitment decided later in the year has
  fewer 2026 months, so it binds less of 2026 than the early ones the pace is taken from.
- Remaining to commit (sidottavissa) = budget - committed. Commitments without a budget row have
  nothing to be committed against, so their remaining is minus what they commit (and every total
  remaining is total budget - total committed). Commitment rate = committed / budget and payment
  rate = paid / budget; without a budget the budget and both rates stay missing, never zero.
- Subsidy caps (per month, months, total) come from the editable Tukilajit table, never from code.

This module is the one owner of the money rules: the alert list (ALERT_RULES, docs/budget.md) is what
the Budjettihälytykset tab shows and, through budget_alerts and alerts_as_findings, what validation
reports, with the same rule codes and the severity and label the rule registry (core.rules) gives each.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from tyollisyys_xl.core.cells import column_letter
from tyollisyys_xl.core.findings import Finding
from tyollisyys_xl.core.rules import Rule, Severity
from tyollisyys_xl.core.money import apportion, cents_series, format_eur, to_cents
from tyollisyys_xl.core.months import MONTHS, YEAR
from tyollisyys_xl.core.parsing import fi_value
from tyollisyys_xl.core.tables import ROW, Tables
from tyollisyys_xl.schemas import table_schemas

KEYS = ["municipality", "subsidy_type"]
SUMMED_COLUMNS = ["budget_cents", "committed_cents", "paid_cents", "open_cents", "new_cents", "expected_new_cents"]
ZERO_WHEN_MISSING = ["committed_cents", "paid_cents", "open_cents", "new_cents"]  # budget and the expectation stay <NA>
FORECAST_MIN_MONTHS = 3  # fewer months of decisions give no pace worth projecting
PAYMENT_GRACE_DAYS = 183  # payments are made in arrears: up to six months after the period ends


# The money rules (registered in core.rules, with their severity and label), in the order alerts are listed.
ALERT_RULES = (
    Rule.SIDONNAT_YLI_BUDJETIN,
    Rule.EI_BUDJETTIA,
    Rule.ENIMMAISTUKI,
    Rule.YLI_KK_ENIMMAISMAARAN,
    Rule.ENIMMAISKESTO,
    Rule.JAKSO_PAATTYY_ENNEN,
    Rule.MAKSU_YLITTAA,
    Rule.MAKSU_JAKSON_ULKOPUOLELLA,
    Rule.MAKSU_ILMAN_SIDONTAA,
)


class Alert(NamedTuple):
    """One alert: its rule, the input cell it points to (table and schema key, sheet, row, cell), what it concerns."""

    rule: str
    kind: str  # the rule's Finnish title
    severity: Severity
    table: str
    sheet: str
    key: str
    row: int
    cell: str  # where the column stands (Tables.column_letters), else as the builder lays the table out
    municipality: str | None
    subsidy_type: str | None
    commitment_id: str | None
    message: str


ALERT_COLUMNS = list(Alert._fields)


@dataclass
class BudgetResult:
    """Money columns (suffix _cents) are int cents; missing budget stays <NA>, never 0.

    summary: one row per municipality x subsidy type: every pair of the Kunnat and Tukilajit tables, and
        any other pair found in the budget or the commitments: budget_cents (Int64, <NA> without a budget
        row), committed_cents, paid_cents, open_cents, new_cents (the 2026 share of commitments decided in
        2026), expected_new_cents and forecast_cents (Int64, <NA> without a forecast), remaining_cents,
        commitment_rate, payment_rate (float, NaN without budget).
    monthly: municipality x subsidy type x month (1..12): committed_cents (the 2026 share falling in the
        month), paid_cents (payments dated in the month).
    commitments: one row per commitment: its input row, period months, amount, 2026 share, paid, open.
    service_costs: municipality x cost object: amount_cents year to date, months_entered, last_month.
    alerts: the finance alert list (ALERT_COLUMNS), each with its severity and input cell (builder layout).
    payments_until: the latest payment date in 2026 (None without payments): how far "paid" runs.
    decisions_until: the month (1..12) of the latest decision dated in 2026 (None without one): the m of
        the forecast, whose pace is taken from months 1..m.
    """

    summary: pd.DataFrame
    monthly: pd.DataFrame
    commitments: pd.DataFrame
    service_costs: pd.DataFrame
    alerts: pd.DataFrame
    payments_until: dt.date | None
    decisions_until: int | None

    @property
    def forecast_months(self) -> int | None:
        """The m the forecast's pace is taken from, None when there is no forecast (too few months)."""
        return _forecast_months(self.decisions_until)


def _forecast_months(decisions_until: int | None) -> int | None:
    return decisions_until if decisions_until is not None and decisions_until >= FORECAST_MIN_MONTHS else None


# ---------------------------------------------------------------- locating input cells


@cache
def _column_letters(table: str) -> dict[str, str]:
    """Schema key -> column letter as the builder lays the table out (schema order from column A)."""
    return {column.key: column_letter(i + 1) for i, column in enumerate(table_schemas()[table].columns)}


def _texts(column: pd.Series) -> list[str | None]:
    return [None if pd.isna(v) else str(v) for v in column]


def _alerts(rule: Rule, table: str, key: str, frame: pd.DataFrame, message: Callable[[Any], str]) -> list[Alert]:
    """Alert records for the input rows in frame (ROW plus whichever of the key columns apply).

    Finding the rows is vectorised; only the few rows found are worded, one message(row) each, and
    the records become one frame at the end (_alert_list), since most rules find nothing.
    """
    if frame.empty:
        return []
    sheet, letter = table_schemas()[table].sheet, _column_letters(table)[key]
    rows = frame[ROW].astype("int64").tolist()
    named = [_texts(frame[c]) if c in frame else [None] * len(frame) for c in ("municipality", "subsidy_type", "commitment_id")]
    messages = [message(r) for r in frame.itertuples(index=False)]
    return [
        Alert(rule.code, rule.title, rule.severity, table, sheet, key, row, f"{letter}{row}", municipality, subsidy_type, commitment_id, text)
        for row, municipality, subsidy_type, commitment_id, text in zip(rows, *named, messages)
    ]


def _located(alerts: list[Alert], column_letters: Mapping[str, Mapping[str, str]]) -> list[Alert]:
    """Alerts pointed at the cells where their columns really stand; the builder's layout where not known."""
    return [
        alert._replace(cell=f"{letter}{alert.row}") if (letter := column_letters.get(alert.table, {}).get(alert.key)) else alert
        for alert in alerts
    ]


def alerts_as_findings(alerts: pd.DataFrame) -> list[Finding]:
    """The alert list as validation findings, each with its rule's severity, at its input cell."""
    headers = {name: {c.key: c.header for c in schema.columns} for name, schema in table_schemas().items()}
    return [
        Finding(a.severity, a.sheet, a.cell, headers[a.table][a.key], a.rule, a.message)
        for a in alerts.itertuples(index=False)
    ]


# ---------------------------------------------------------------- commitments


def _days(series: pd.Series) -> np.ndarray:
    return pd.to_datetime(pd.Series(list(series), dtype="object")).to_numpy().astype("datetime64[D]")


def _overlap_days(start: np.ndarray, end: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Days of [start, end] inside [lo, hi], all inclusive; broadcasts (n,1) against (k,)."""
    return np.clip((np.minimum(end, hi) - np.maximum(start, lo)).astype("int64") + 1, 0, None)


def _period_months(start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Calendar months a period runs, a started month counting whole: 1.1.-30.6. = 6, 15.1.-15.7. = 7."""
    s, e = pd.DatetimeIndex(start), pd.DatetimeIndex(end)
    months = (e.year - s.year) * 12 + (e.month - s.month) + (e.day >= s.day).astype(int)
    return np.clip(np.asarray(months, dtype="int64"), 0, None)


def commitment_shares(commitments: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """Each commitment's amount, period length and 2026 share, and its shares per month of 2026.

    Returns the frame (input columns plus start_day and end_day as datetime64, amount_cents, period_days,
    period_months, share_cents) and an int64 array (n commitments x 12 months) of monthly shares that add
    up to share_cents row by row.
    """
    frame = commitments.reset_index(drop=True).copy()
    amount = cents_series(frame["amount_eur"]).to_numpy()
    start, end = _days(frame["period_start"])[:, None], _days(frame["period_end"])[:, None]
    year_start, year_end = np.datetime64(f"{YEAR}-01-01"), np.datetime64(f"{YEAR}-12-31")
    far_past, far_future = np.datetime64("1900-01-01"), np.datetime64("2999-12-31")
    year_parts = np.hstack(
        [
            _overlap_days(start, end, far_past, year_start - 1),
            _overlap_days(start, end, year_start, year_end),
            _overlap_days(start, end, year_end + 1, far_future),
        ]
    )
    share = apportion(amount, year_parts)[:, 1]
    month_starts = np.array([np.datetime64(f"{YEAR}-{m:02d}-01") for m in MONTHS])
    month_ends = np.append(month_starts[1:], np.datetime64(f"{YEAR + 1}-01-01")) - 1
    monthly = apportion(share, _overlap_days(start, end, month_starts, month_ends))
    frame["start_day"], frame["end_day"] = start[:, 0], end[:, 0]  # converted once: the alerts compare them again
    frame["amount_cents"] = amount
    frame["period_days"] = year_parts.sum(axis=1)
    frame["period_months"] = _period_months(start[:, 0], end[:, 0])
    frame["share_cents"] = share
    return frame, monthly


def _cap_cents(euros: pd.Series) -> pd.Series:
    """A cap column of the Tukilajit table in int cents (<NA> where the table sets no cap)."""
    return pd.Series([None if pd.isna(e) else to_cents(e) for e in euros], index=euros.index, dtype="Int64")


def _commitment_rule_alerts(shares: pd.DataFrame, subsidy_types: pd.DataFrame) -> list[Alert]:
    """Commitments beyond the caps of their subsidy type (Tukilajit), and periods that end before they start."""
    caps = subsidy_types[["subsidy_type", "max_months"]].assign(  # in cents once per subsidy type, not per commitment
        total_cap=_cap_cents(subsidy_types["max_total_eur"]), month_cap=_cap_cents(subsidy_types["max_per_month_eur"]))
    frame = shares.merge(caps, on="subsidy_type", how="left")
    frame["months_cap"] = frame["month_cap"] * frame["period_months"]
    ends_first = frame["end_day"] < frame["start_day"]
    backwards = frame[ends_first]
    over_total = frame[(frame["amount_cents"] > frame["total_cap"]).fillna(False)]
    over_month = frame[(frame["amount_cents"] > frame["months_cap"]).fillna(False) & ~ends_first]
    over_months = frame[(frame["period_months"] > frame["max_months"]).fillna(False)]
    return [
        *_alerts(Rule.JAKSO_PAATTYY_ENNEN, "sidonnat", "period_end", backwards, lambda r: (
            f"Sidonnan {r.commitment_id} tukijakso päättyy ({fi_value(r.period_end)}) ennen kuin se alkaa "
            f"({fi_value(r.period_start)}); sidonnalle ei lasketa osuutta vuodelle {YEAR}.")),
        *_alerts(Rule.ENIMMAISTUKI, "sidonnat", "amount_eur", over_total, lambda r: (
            f"Sidonta {r.commitment_id} ({r.subsidy_type}): {format_eur(r.amount_cents)} ylittää tuen "
            f"enimmäismäärän {format_eur(r.total_cap)} (Tukilajit).")),
        *_alerts(Rule.YLI_KK_ENIMMAISMAARAN, "sidonnat", "amount_eur", over_month, lambda r: (
            f"Sidonta {r.commitment_id} ({r.subsidy_type}): {format_eur(r.amount_cents)} ylittää tuen "
            f"enimmäismäärän {format_eur(r.month_cap)}/kk × {r.period_months} kk = {format_eur(r.months_cap)} "
            "(Tukilajit).")),
        *_alerts(Rule.ENIMMAISKESTO, "sidonnat", "period_end", over_months, lambda r: (
            f"Sidonnan {r.commitment_id} ({r.subsidy_type}) tukijakso {r.period_months} kk ylittää "
            f"enimmäiskeston {r.max_months:g} kk (Tukilajit).")),
    ]


# ---------------------------------------------------------------- payments and the budget


def _beyond_commitment(frame: pd.DataFrame) -> pd.DataFrame:
    """Payments (sorted by commitment, date, row) that do not fit in what is left of their commitment.

    In date order each payment is taken against the commitment unless it does not fit in what the
    earlier payments that fit left of it. So one mistyped payment is the only one flagged, and the
    payments not flagged always add up to at most the commitment. Only commitments paid beyond their
    amount in total are walked one payment at a time. Adds fitted_before_cents and paid_all_cents.
    """
    frame = frame.assign(paid_all_cents=frame.groupby("commitment_row")["paid_cents"].transform("sum"))
    beyond = frame[frame["paid_all_cents"] > frame["amount_cents"]]
    fitted_before, flagged = [], []
    for _, payments in beyond.groupby("commitment_row", sort=False):
        fitted = 0
        for paid, amount in zip(payments["paid_cents"], payments["amount_cents"]):
            fitted_before.append(fitted)
            flagged.append(fitted + paid > amount)
            fitted += 0 if flagged[-1] else paid
    beyond = beyond.assign(fitted_before_cents=np.array(fitted_before, dtype="int64"))
    return beyond[np.array(flagged, dtype=bool)]


def _commitment_row(payments: pd.DataFrame, shares: pd.DataFrame) -> np.ndarray:
    """For each payment, the position of its commitment in shares (the first, should an id repeat), -1 if none."""
    ids = pd.Index(shares["commitment_id"])
    positions = pd.Series(np.arange(len(ids)), index=ids)[~ids.duplicated()]
    return payments["commitment_id"].map(positions).fillna(-1).to_numpy("int64")


def _with_commitment(payments: pd.DataFrame, shares: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Payments that have a commitment, with the columns of it (a positional take: the ids are matched once)."""
    known = payments[payments["commitment_row"] >= 0]
    taken = shares[columns].iloc[known["commitment_row"].to_numpy()].set_axis(known.index)
    return known.assign(**{column: taken[column] for column in columns})


def _payment_alerts(payments: pd.DataFrame, shares: pd.DataFrame) -> list[Alert]:
    """Payments without a commitment, outside their commitment's period, or beyond its amount."""
    orphans = payments[payments["commitment_row"] < 0]
    columns = [*KEYS, "period_start", "period_end", "start_day", "end_day", "amount_cents"]
    frame = _with_commitment(payments, shares, columns).sort_values(  # by numbers: faster than by id and date objects
        ["commitment_row", "paid_day", ROW], kind="stable", ignore_index=True)
    latest = frame["end_day"] + np.timedelta64(PAYMENT_GRACE_DAYS, "D")
    outside = frame[(frame["paid_day"] < frame["start_day"]) | (frame["paid_day"] > latest)]
    return [
        *_alerts(Rule.MAKSU_ILMAN_SIDONTAA, "maksatukset", "commitment_id", orphans, lambda r: (
            f"Sidontaa {r.commitment_id} ei ole Sidonnat-taulukossa tai sen rivillä on virhe; "
            "maksua ei lasketa budjettiseurantaan.")),
        *_alerts(Rule.MAKSU_JAKSON_ULKOPUOLELLA, "maksatukset", "payment_date", outside, lambda r: (
            f"Maksupäivä {fi_value(r.payment_date)} on sidonnan {r.commitment_id} tukijakson "
            f"{fi_value(r.period_start)}–{fi_value(r.period_end)} ulkopuolella (maksu voidaan maksaa enintään "
            f"{PAYMENT_GRACE_DAYS} päivää jakson päättymisen jälkeen).")),
        *_alerts(Rule.MAKSU_YLITTAA, "maksatukset", "amount_eur", _beyond_commitment(frame), lambda r: (
            f"Maksu {format_eur(r.paid_cents)} ei mahdu sidontaan {r.commitment_id}: sidottu "
            f"{format_eur(r.amount_cents)}, siitä maksettu jo {format_eur(r.fitted_before_cents)} (ylitys "
            f"{format_eur(r.fitted_before_cents + r.paid_cents - r.amount_cents)}); sidonnan maksut yhteensä "
            f"{format_eur(r.paid_all_cents)}.")),
    ]


def _first_rows(frame: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """keys with the input row (ROW) of the first row of frame that has each key."""
    return keys.merge(frame.sort_values(ROW).drop_duplicates(KEYS)[[*KEYS, ROW]], on=KEYS)


def _budget_alerts(summary: pd.DataFrame, budget: pd.DataFrame, per_commitment: pd.DataFrame) -> list[Alert]:
    """2026 shares above the budget (at the budget cell) and commitments with no budget row (at the first commitment)."""
    committed = summary[summary["committed_cents"] > 0]
    over = committed[(committed["committed_cents"] > committed["budget_cents"]).fillna(False)]
    missing = committed[committed["budget_cents"].isna()]
    over = _first_rows(budget, over) if len(over) else over  # usually none: skip the sort and merge
    missing = _first_rows(per_commitment, missing) if len(missing) else missing
    return [
        *_alerts(Rule.SIDONNAT_YLI_BUDJETIN, "tukibudjetti", "budget_eur", over, lambda r: (
            f"{r.municipality}, {r.subsidy_type}: sidottu vuodelle {YEAR} {format_eur(r.committed_cents)} "
            f"ylittää budjetin {format_eur(r.budget_cents)} (ylitys {format_eur(r.committed_cents - r.budget_cents)}); "
            f"usealle vuodelle ulottuvista sidonnoista lasketaan vain vuoden {YEAR} osuus.")),
        *_alerts(Rule.EI_BUDJETTIA, "sidonnat", "municipality", missing, lambda r: (
            f"Kunnalla {r.municipality} on tukilajin {r.subsidy_type} sidontoja {format_eur(r.committed_cents)}, "
            "mutta Tukibudjetti-taulukossa ei ole niille budjettia (tai budjettirivillä on virhe).")),
    ]


def _alert_list(ledger: _Ledger, summary: pd.DataFrame, tables: Tables) -> pd.DataFrame:
    """Every alert (ALERT_COLUMNS), listed in ALERT_RULES order, then by sheet and row."""
    alerts = _located([
        *_budget_alerts(summary, ledger.budget, ledger.per_commitment),
        *_commitment_rule_alerts(ledger.per_commitment, tables.subsidy_types),
        *_payment_alerts(ledger.payments, ledger.per_commitment),
    ], tables.column_letters)
    order = {rule.code: i for i, rule in enumerate(ALERT_RULES)}
    alerts.sort(key=lambda a: (order[a.rule], a.sheet, a.row))
    return pd.DataFrame(alerts, columns=ALERT_COLUMNS)


# ---------------------------------------------------------------- sums


def _derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Add forecast, remaining and the rates to a frame of SUMMED_COLUMNS (rows or totals alike)."""
    frame = frame.astype({"budget_cents": "Int64", "expected_new_cents": "Int64"} | dict.fromkeys(ZERO_WHEN_MISSING, "int64"))
    frame["forecast_cents"] = frame["committed_cents"] + frame["expected_new_cents"]
    frame["remaining_cents"] = (frame["budget_cents"].fillna(0) - frame["committed_cents"]).astype("int64")
    with_budget = frame["budget_cents"].fillna(0).gt(0).astype(bool)
    base = frame["budget_cents"].astype("float64")
    frame["commitment_rate"] = (frame["committed_cents"] / base).where(with_budget)
    frame["payment_rate"] = (frame["paid_cents"] / base).where(with_budget)
    return frame


def totals(summary: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Totals of the summary by some of its keys ([] = one row for the whole area), rates recomputed.

    A total budget is the sum of the budgets there are, and missing only when every row misses one.
    """
    if by:
        summed = summary.groupby(by, as_index=False, sort=False)[SUMMED_COLUMNS].sum(min_count=1)
    else:
        summed = summary[SUMMED_COLUMNS].sum(min_count=1).to_frame().T
    return _derive(summed.fillna(dict.fromkeys(ZERO_WHEN_MISSING, 0)))


def _expected_new(new_cents: pd.Series, months: int | None) -> pd.Series:
    """new / m x (12 - m) per row, in cents rounded half up; <NA> without a forecast."""
    if months is None:
        return pd.Series(pd.NA, index=new_cents.index, dtype="Int64")
    remaining = len(MONTHS) - months
    return ((new_cents.astype("int64") * remaining * 2 + months) // (2 * months)).astype("Int64")


def _summary(budget: pd.DataFrame, per_commitment: pd.DataFrame, forecast_months: int | None = None,
             pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """The summary rows: budget and commitments summed per key, on every pair given (and any other found)."""
    new = per_commitment["share_cents"].where(per_commitment["decision_year"] == YEAR, 0)
    money = per_commitment.assign(new_cents=new).groupby(KEYS, as_index=False)[
        ["share_cents", "paid_cents", "open_cents", "new_cents"]].sum()
    money = money.rename(columns={"share_cents": "committed_cents"})
    frame = budget.groupby(KEYS, as_index=False)["budget_cents"].sum().merge(money, on=KEYS, how="outer")
    if pairs is not None:
        frame = pairs.merge(frame, on=KEYS, how="outer")
    frame = frame.fillna(dict.fromkeys(ZERO_WHEN_MISSING, 0))
    frame["expected_new_cents"] = _expected_new(frame["new_cents"], forecast_months)
    return _derive(frame).sort_values(KEYS, ignore_index=True)


def _every_pair(tables: Tables) -> pd.DataFrame:
    """Every municipality of Kunnat with every subsidy type of Tukilajit: the rows each of them always has."""
    return pd.MultiIndex.from_product(
        [tables.municipalities["name"].dropna().unique(), tables.subsidy_types["subsidy_type"].dropna().unique()],
        names=KEYS).to_frame(index=False)


def _decisions_until(per_commitment: pd.DataFrame) -> int | None:
    """The month of the latest decision dated in 2026, None without one."""
    months = per_commitment.loc[per_commitment["decision_year"] == YEAR, "decision_month"]
    return int(months.max()) if len(months) else None


def _monthly(shares: pd.DataFrame, monthly_shares: np.ndarray, payments: pd.DataFrame) -> pd.DataFrame:
    committed = pd.DataFrame(monthly_shares, columns=list(MONTHS))
    committed[KEYS] = shares[KEYS].to_numpy()
    committed = committed.groupby(KEYS).sum().stack()
    committed.index = committed.index.set_names("month", level=-1)
    paid = payments.groupby([*KEYS, "month"])["paid_cents"].sum()
    keys = sorted(set(committed.index.droplevel(-1)) | set(paid.index.droplevel(-1)))
    grid = pd.MultiIndex.from_tuples([(*k, m) for k in keys for m in MONTHS], names=[*KEYS, "month"])
    frame = pd.DataFrame({"committed_cents": committed.reindex(grid), "paid_cents": paid.reindex(grid)})
    return frame.fillna(0).astype("int64").reset_index()


def _service_costs(service_costs: pd.DataFrame) -> pd.DataFrame:
    frame = service_costs.assign(amount_cents=cents_series(service_costs["amount_eur"]))
    grouped = frame.groupby(["municipality", "cost_object"], as_index=False).agg(
        amount_cents=("amount_cents", "sum"), months_entered=("month", "nunique"), last_month=("month", "max")
    )
    return grouped.astype({"amount_cents": "int64", "months_entered": "int64", "last_month": "int64"})


@dataclass
class _Ledger:
    """The money tables in cents, with each commitment's 2026 share and payments: what sums and alerts share."""

    per_commitment: pd.DataFrame  # commitment_shares plus paid_cents (2026), paid_total_cents, open_cents
    monthly_shares: np.ndarray  # commitments x 12 months
    budget: pd.DataFrame  # plus budget_cents
    payments: pd.DataFrame  # every payment, plus paid_cents, paid_day (datetime64) and commitment_row (-1: none)
    in_year: pd.DataFrame  # payments dated in 2026 with a known commitment, plus its KEYS and month


def _sum_per_commitment(payments: pd.DataFrame, n_commitments: int) -> np.ndarray:
    """paid_cents summed onto each commitment's position (int64, exact)."""
    sums = np.zeros(n_commitments, dtype="int64")
    np.add.at(sums, payments["commitment_row"].to_numpy(), payments["paid_cents"].to_numpy("int64"))
    return sums


def _ledger(tables: Tables) -> _Ledger:
    shares, monthly_shares = commitment_shares(tables.commitments)
    budget = tables.budget.assign(budget_cents=cents_series(tables.budget["budget_eur"]))
    all_payments = tables.payments.assign(
        paid_cents=cents_series(tables.payments["amount_eur"]), paid_day=_days(tables.payments["payment_date"]),
        commitment_row=_commitment_row(tables.payments, shares))
    payments = _with_commitment(all_payments, shares, KEYS)
    paid_on = pd.DatetimeIndex(payments["paid_day"])
    in_year = payments.loc[paid_on.year == YEAR].assign(month=paid_on[paid_on.year == YEAR].month.astype("int64"))

    per_commitment = shares.assign(
        paid_cents=_sum_per_commitment(in_year, len(shares)), paid_total_cents=_sum_per_commitment(payments, len(shares)))
    per_commitment["open_cents"] = (per_commitment["share_cents"] - per_commitment["paid_cents"]).clip(lower=0)
    decided = pd.DatetimeIndex(_days(per_commitment["decision_date"]))
    per_commitment["decision_year"], per_commitment["decision_month"] = decided.year, decided.month
    return _Ledger(per_commitment, monthly_shares, budget, all_payments, in_year)


def budget_alerts(tables: Tables) -> pd.DataFrame:
    """Only the alert list (ALERT_COLUMNS), as compute_budget gives it, without the monthly and service-cost sums.

    Validation calls this on every check, so it skips what only the tabs need.
    """
    ledger = _ledger(tables)
    return _alert_list(ledger, _summary(ledger.budget, ledger.per_commitment), tables)


def compute_budget(tables: Tables) -> BudgetResult:
    """Sum the budget, commitments, payments and service costs exactly (see the module docstring for the rules)."""
    ledger = _ledger(tables)
    decisions_until = _decisions_until(ledger.per_commitment)
    summary = _summary(ledger.budget, ledger.per_commitment, _forecast_months(decisions_until), _every_pair(tables))
    in_year = ledger.in_year
    return BudgetResult(
        summary=summary,
        monthly=_monthly(ledger.per_commitment, ledger.monthly_shares, in_year),
        commitments=ledger.per_commitment,
        service_costs=_service_costs(tables.service_costs),
        alerts=_alert_list(ledger, summary, tables),
        payments_until=max(in_year["payment_date"]) if len(in_year) else None,
        decisions_until=decisions_until,
    )
