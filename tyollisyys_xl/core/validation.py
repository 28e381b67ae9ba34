"""Validation: every row of every input table against its JSON Schema, then the rules between tables.

The schema files are the single source of the per-cell rules: required, x-type (how a cell is read),
enum, minimum/maximum, multipleOf, pattern, min/maxLength, x-list (allowed values from another table)
and x-unique are read from them and checked a column at a time with pandas, each distinct value parsed
once. A keyword this module does not know is still honoured: its column falls back to jsonschema.

A finding never stops the checks: a bad cell is treated as empty for the rules after it, and a row
with any error is left out of the clean Tables (warnings keep the row).

The money rules (budget, subsidy caps, payments against their commitment) are not checked here: the
budget engine (core.budget) owns them, and its alerts on the clean tables become findings here with
the same rule codes (see _money_findings).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from tyollisyys_xl.core.budget import alerts_as_findings, budget_alerts
from tyollisyys_xl.core.cells import column_letter
from tyollisyys_xl.core.findings import ERROR, WARNING, Finding, Severity
from tyollisyys_xl.core.parsing import (
    YEAR,
    ParseError,
    business_id_valid,
    fi_euros,
    fi_number,
    fi_value,
    hetu_spans,
    is_excel_error,
    normalize_business_id,
    parse_bool,
    parse_date,
    parse_euro,
    parse_month,
    parse_number,
    parse_text,
    quote,
)
from tyollisyys_xl.core.raw import SheetFacts, distinct_matches, is_usable, raw_table
from tyollisyys_xl.core.safe_text import CONTROL_CHARACTER_RULE, invalid_character_cells, invalid_character_message
from tyollisyys_xl.core.tables import ROW, TABLE_ATTRIBUTES, RawTable, Tables
from tyollisyys_xl.programme import AREA_TOTAL
from tyollisyys_xl.schemas import TABLE_ORDER, Column, TableSchema, table_schemas

# Rule code for a value missing from the table its dropdown comes from (x-list).
REFERENCE_RULES = {
    "Mittarit.id": "TUNTEMATON_MITTARI",
    "Kunnat.name": "TUNTEMATON_KUNTA",
    "Tukilajit.subsidy_type": "TUNTEMATON_TUKILAJI",
    "Kustannuskohteet.cost_object": "TUNTEMATON_KUSTANNUSKOHDE",
    "Sidonnat.commitment_id": "MAKSU_TUNTEMATON_SIDONTA",
}
# Schema keywords checked here column-wise; anything else in a property goes to jsonschema.
HANDLED_KEYWORDS = {
    "title", "description", "type", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "multipleOf", "pattern", "minLength", "maxLength", "format",
}
DURATION_UNITS = {"kk", "pv", "päivää", "vrk", "viikkoa", "tuntia", "h"}
COUNT_TOLERANCE = 0.5  # municipal counts vs the area total: rounding only
RATE_TOLERANCE = 0.1  # weighted municipal rate vs the area rate, in the rate's own unit (e.g. %-points)
MEAN_TOLERANCE = 0.05  # weighted municipal mean vs the area mean
EURO_LIMIT = 1_000_000_000  # no real amount comes near; keeps the budget engine's exact int-cent sums from overflowing
EMPTY_ROWS_LIMIT = 1000  # formatted empty rows past the data worth a warning
HETU_MESSAGE = "Solussa on henkilötunnus. Poista se: henkilötunnuksia ei saa tallentaa työkirjaan."

PARSERS: dict[str, Callable[[Any], Any]] = {
    "text": parse_text,
    "code": parse_text,
    "number": parse_number,
    "euro": parse_euro,
    "month": parse_month,
    "date": parse_date,
    "bool": parse_bool,
    "business_id": normalize_business_id,
}


@dataclass
class ValidationResult:
    findings: list[Finding]
    tables: Tables

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    @property
    def has_errors(self) -> bool:
        return any(f.severity == ERROR for f in self.findings)

    def cells_to_highlight(self) -> dict[str, list[str]]:
        """{sheet: cells} of every finding located to a cell, in finding order, each cell once."""
        cells: dict[str, dict[str, None]] = {}
        for finding in self.findings:
            if finding.cell:
                cells.setdefault(finding.sheet, {})[finding.cell] = None
        return {sheet: list(found) for sheet, found in cells.items()}


Message = str | Callable[[Any], str]


@dataclass
class _Table:
    """One input table while it is being checked."""

    raw: RawTable
    values: dict[str, pd.Series] = field(default_factory=dict)  # parsed values; None where empty or bad
    error_rows: set[int] = field(default_factory=set)  # Excel row numbers with an error
    findings: list[Finding] = field(default_factory=list)

    @property
    def schema(self) -> TableSchema:
        return self.raw.schema

    @property
    def rows(self) -> pd.Series:
        return self.raw.frame[ROW]

    @property
    def usable(self) -> bool:
        return is_usable(self.raw)

    def ok_mask(self) -> pd.Series:
        """Rows without an error so far."""
        return ~self.rows.isin(self.error_rows)

    def flag(self, key: str, mask: pd.Series, rule: str, message: Message, severity: Severity = ERROR) -> None:
        """One finding per masked row at the key's cell; an error also drops the cell's value and the row.

        message: the text, or a function of the row's index label (called for flagged rows only).
        """
        if not mask.any():
            return
        column = self.schema.column(key)
        rows = self.rows[mask]
        for index, row in rows.items():
            text = message(index) if callable(message) else message
            self.findings.append(Finding(severity, self.schema.sheet, self.raw.cell(key, row), column.header, rule, text))
        if severity == ERROR:
            self.error_rows.update(rows.tolist())
            if key in self.values:
                self.values[key] = self.values[key].mask(mask, None)

    def flag_row(self, key: str, row: int, rule: str, message: str, severity: Severity = ERROR) -> None:
        self.flag(key, self.rows == row, rule, message, severity)


# --- per-column schema rules --------------------------------------------------------------------


def _parse_series(series: pd.Series, cell_type: str) -> tuple[pd.Series, pd.DataFrame | None]:
    """(parsed values, problems): values None where empty or bad; problems a frame of rule and message per
    cell (None where fine), or None when no cell has a problem (nearly always, so nothing more is made then).

    Cells are taken a Python type at a time (1, 1.0 and True read differently). Plain text in a text
    column and plain numbers in a number column (nearly every cell) are taken as they are; the rest is
    parsed once per distinct value, since columns repeat few values (months, municipalities, dates).
    """
    cells = series.to_numpy()
    values = np.full(len(cells), None)
    rules = messages = None
    kinds = np.fromiter(map(type, cells), dtype=object, count=len(cells))
    parser = PARSERS[cell_type]
    for kind in set(kinds.tolist()) - {type(None)}:
        at = np.flatnonzero(kinds == kind)
        fast, fast_values = _fast_values(cells[at], kind, cell_type)
        values[at[fast]] = fast_values[fast]
        slow = at[~fast]
        if len(slow):
            codes, distinct = pd.factorize(cells[slow])
            parsed = [_parse_one(value, parser) for value in distinct]
            parsed_values, parsed_rules, parsed_messages = (np.fromiter(r, dtype=object, count=len(distinct)) for r in zip(*parsed))
            values[slow] = parsed_values[codes]
            if any(rule is not None for rule in parsed_rules):
                if rules is None:
                    rules, messages = np.full(len(cells), None), np.full(len(cells), None)
                rules[slow], messages[slow] = parsed_rules[codes], parsed_messages[codes]
    parsed_series = pd.Series(values, index=series.index, dtype=object, copy=False)
    if rules is None:
        return parsed_series, None
    return parsed_series, pd.DataFrame({"rule": rules, "message": messages}, index=series.index, dtype=object)


def _fast_values(cells: np.ndarray, kind: type, cell_type: str) -> tuple[np.ndarray, np.ndarray]:
    """(taken, values): which cells of one Python type need no parsing, and their values. Those are text
    (not an Excel error) in a text column and finite numbers in a number or euro column (euros become
    Decimal only in the clean tables)."""
    if kind is str and cell_type in ("text", "code"):
        stripped = np.fromiter(map(str.strip, cells), dtype=object, count=len(cells))
        return ~distinct_matches(stripped, lambda text: text.startswith("#")), stripped
    if kind in (float, int) and cell_type in ("number", "euro"):
        numbers = cells.astype(float)
        return np.isfinite(numbers), numbers
    return np.zeros(len(cells), dtype=bool), cells


def _parse_one(value: Any, parser: Callable[[Any], Any]) -> tuple[Any, str | None, str | None]:
    if is_excel_error(value):
        return None, "EXCEL_VIRHE", f"Solussa on Excelin virhearvo {value.strip()}: korjaa kaava tai arvo."
    try:
        return parser(value), None, None
    except ParseError as exc:
        return None, "TYYPPI", str(exc)


def _numeric(values: pd.Series) -> pd.Series:
    """Parsed numbers (float, int or Decimal; None when missing) as float64."""
    return pd.to_numeric(values, errors="coerce").astype("float64")


def _map_distinct(values: pd.Series, function: Callable[[Any], Any]) -> pd.Series:
    """function of each value, None where missing; called once per distinct value, since columns repeat few.

    The values are of one kind (texts, months), so that equal means the same: 1 and True are one value here.
    """
    codes, distinct = pd.factorize(values.to_numpy())
    results = np.append(np.fromiter(map(function, distinct), dtype=object, count=len(distinct)), None)
    return pd.Series(results[codes], index=values.index, dtype=object, copy=False)  # code -1 (missing) takes the None


def _matches(values: pd.Series, predicate: Callable[[Any], bool]) -> pd.Series:
    """predicate of each value as a boolean Series, asked once per distinct value."""
    return pd.Series(distinct_matches(values.to_numpy(), predicate), index=values.index, copy=False)


def _check_parsed(table: _Table, column: Column, prop: dict) -> None:
    """enum, minimum/maximum, multipleOf, pattern, lengths: straight from the column's schema property."""
    key = column.key
    values = table.values[key]
    if column.enum is not None:
        canonical = {str(v).casefold(): v for v in column.enum}
        folded = _map_distinct(values, lambda text: canonical.get(text.casefold()))
        bad = values.notna() & folded.isna()
        allowed = ", ".join(str(v) for v in column.enum)
        table.flag(key, bad, "SALLITUT", lambda i: f"{quote(values[i])} ei ole sallittu arvo (sallitut: {allowed}).")
        table.values[key] = values = folded.where(~bad, None)
    if column.cell_type in ("number", "euro", "month"):
        present = values.notna()
        numbers = _numeric(values)
        bounds = [
            ("minimum", numbers < prop.get("minimum", float("-inf")), "vähintään"),
            ("maximum", numbers > prop.get("maximum", float("inf")), "enintään"),
            ("exclusiveMinimum", numbers <= prop.get("exclusiveMinimum", float("-inf")), "suurempi kuin"),
            ("exclusiveMaximum", numbers >= prop.get("exclusiveMaximum", float("inf")), "pienempi kuin"),
        ]
        for keyword, bad, words in bounds:
            if keyword in prop:
                limit = fi_number(prop[keyword])
                table.flag(key, present & bad, "ARVOALUE", lambda i, w=words, lim=limit: f"Arvon pitää olla {w} {lim}, nyt {fi_number(numbers[i])}.")
        if column.cell_type == "euro":
            table.flag(key, present & ~(numbers.abs() <= EURO_LIMIT), "ARVOALUE",
                       f"Euromäärä on epäuskottavan suuri: enintään {fi_euros(EURO_LIMIT)}.")
        if "multipleOf" in prop:
            steps = numbers / prop["multipleOf"]
            off = (steps - steps.round()).abs() > 1e-6
            decimals = max(0, -Decimal(str(prop["multipleOf"])).as_tuple().exponent)
            table.flag(key, off, "DESIMAALIT", f"Arvossa saa olla enintään {decimals} desimaalia.")
        return
    texts = table.values[key]
    if "pattern" in prop:
        pattern = re.compile(prop["pattern"])
        bad = _matches(texts, lambda v: isinstance(v, str) and not pattern.search(v))
        rule = "YTUNNUS" if column.cell_type == "business_id" else "MUOTO"
        example = column.description or prop["pattern"]
        table.flag(key, bad, rule, lambda i: f"{quote(texts[i])} on väärää muotoa ({example}).")
    if column.cell_type == "business_id":
        texts = table.values[key]
        bad = _matches(texts, lambda v: isinstance(v, str) and not business_id_valid(v))
        table.flag(key, bad, "YTUNNUS", lambda i: f"Y-tunnuksen {quote(texts[i])} tarkistusmerkki ei täsmää.")
    if "minLength" in prop or "maxLength" in prop:
        texts = table.values[key]
        lengths = _numeric(_map_distinct(texts, lambda v: len(v) if isinstance(v, str) else None))
        short = lengths < prop.get("minLength", 0)
        long = lengths > prop.get("maxLength", float("inf"))
        table.flag(key, short, "PAKOLLINEN", "Arvo on liian lyhyt.")
        table.flag(key, long, "MUOTO", f"Arvo on liian pitkä (enintään {prop.get('maxLength')} merkkiä).")


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _check_other_keywords(table: _Table, column: Column, prop: dict) -> None:
    """Keywords not handled column-wise: jsonschema checks each present value against the property."""
    if not set(prop) - HANDLED_KEYWORDS - {k for k in prop if k.startswith("x-")}:
        return
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(prop)
    values = table.values[column.key]
    messages = values.map(lambda v: next((e.message for e in validator.iter_errors(_json_value(v))), None) if pd.notna(v) else None)
    table.flag(column.key, messages.notna(), "SKEEMA", lambda i: f"Arvo ei täytä skeeman ehtoa: {messages[i]}")


def _check_columns(table: _Table) -> None:
    """Excel errors, required, type, then the schema's constraints, column by column."""
    frame = table.raw.frame
    for column in table.schema.columns:
        key = column.key
        if key not in table.raw.column_letters or frame.empty:
            table.values[key] = pd.Series(None, index=frame.index, dtype=object)
            continue
        cells = frame[key]
        if column.required:
            table.flag(key, cells.isna(), "PAKOLLINEN", "Pakollinen tieto puuttuu.")
        parsed, problems = _parse_series(cells, column.cell_type)
        table.values[key] = _numeric(parsed) if column.cell_type == "number" else parsed  # numbers as float64 from here on
        if column.cell_type == "month":
            _check_year(table, key, parsed)
        for rule in ("EXCEL_VIRHE", "TYYPPI") if problems is not None else ():
            table.flag(key, problems["rule"] == rule, rule, problems["message"].__getitem__)
        prop = table.schema.json["properties"][key]
        _check_parsed(table, column, prop)
        _check_other_keywords(table, column, prop)


def _check_year(table: _Table, key: str, parsed: pd.Series) -> None:
    """(year, month) -> month number; a month of another year is its own finding."""
    other_year = _matches(parsed, lambda ym: isinstance(ym, tuple) and ym[0] != YEAR)
    table.values[key] = _map_distinct(parsed, lambda ym: ym[1] if isinstance(ym, tuple) else None)
    table.flag(key, other_year, "KUUKAUSI", lambda i: f"Kuukausi {parsed[i][1]}/{parsed[i][0]} ei ole vuodelta {YEAR}.")


# --- rules across rows and tables -----------------------------------------------------------------


TEXT_TYPES = {"text", "code", "business_id"}


def _fold(column: Column) -> Callable[[Any], Any]:
    """What a value of the column is compared by: text casefolded, since Excel's dropdowns accept any case."""
    return str.casefold if column.cell_type in TEXT_TYPES else lambda value: value


def _check_references(table: _Table, tables: Mapping[str, _Table]) -> None:
    """x-list: the value must stand in the other table's column (case as typed there wins)."""
    by_sheet = {t.schema.sheet: t for t in tables.values()}
    for column in table.schema.columns:
        if not column.list_source:
            continue
        sheet, ref_key = column.list_source.split(".")
        target = by_sheet.get(sheet)
        if target is None or not target.usable:
            continue
        fold = _fold(column)
        known = {fold(value): value for value in target.values[ref_key].dropna()}
        known.update({v.casefold(): v for v in column.extra_values})
        values = table.values[column.key]
        resolved = _map_distinct(values, lambda value: known.get(fold(value)))
        unknown = values.notna() & resolved.isna()
        header = target.schema.column(ref_key).header
        table.flag(column.key, unknown, REFERENCE_RULES.get(column.list_source, "TUNTEMATON_ARVO"),
                   lambda i: f"{quote(values[i])} ei ole {sheet}-välilehden sarakkeessa ”{header}”.")
        table.values[column.key] = resolved.where(~unknown, None)


def _key_codes(values: pd.Series, fold: Callable[[Any], Any]) -> np.ndarray:
    """An int64 code per value, equal where the folded values are equal; -1 where missing."""
    codes, distinct = pd.factorize(values.to_numpy())
    folded_codes, _ = pd.factorize(np.fromiter(map(fold, distinct), dtype=object, count=len(distinct)))
    return np.append(folded_codes, -1).astype("int64")[codes]  # code -1 (missing) takes the -1


def _check_unique(table: _Table) -> None:
    """x-unique: a later row repeating the key of an earlier one is an error that names the earlier row.

    Each key column becomes integer codes, and the codes one number per row, so that finding repeats is integer work.
    """
    for keys in table.schema.unique_keys:
        combined = np.zeros(len(table.rows), dtype="int64")
        complete = np.ones(len(table.rows), dtype=bool)
        for key in keys:
            codes = _key_codes(table.values[key], _fold(table.schema.column(key)))
            complete &= codes >= 0
            combined, _ = pd.factorize(combined * (int(codes.max(initial=0)) + 1) + np.maximum(codes, 0))  # stays below the row count
        keyed = pd.Series(combined, index=table.rows.index)[complete]
        repeated = keyed.duplicated()
        if not repeated.any():
            continue
        first_row = table.rows[complete].groupby(keyed, sort=False).transform("first")
        headers = ", ".join(table.schema.column(k).header for k in keys)
        table.flag(keys[0], repeated.reindex(table.rows.index, fill_value=False), "KAKSOISKIRJAUS",
                   lambda i: f"Sama {headers} on jo rivillä {first_row[i]} (kaksoiskirjaus).")


@dataclass(frozen=True)
class UnitRule:
    """What an entry's value may be, read from the indicator's unit, kind and rate scale."""

    name: str  # "count" | "percent" | "range" | "levels" | "non_negative"
    low: float | None = None
    high: float | None = None
    levels: tuple[float, ...] = ()


_RANGE_IN_UNIT = re.compile(r"\((\d+(?:[,.]\d+)?)\s*[–-]\s*(\d+(?:[,.]\d+)?)\)")
_LEVEL_IN_UNIT = re.compile(r"(\d+)\s*=")


def unit_rule(unit: str, kind: str, rate_scale: float | None) -> UnitRule:
    """Counts are whole numbers >= 0, '%' is 0..100, "keskiarvo (1–5)" is 1..5, milestones take their listed levels."""
    unit = (unit or "").strip()
    levels = tuple(float(n) for n in _LEVEL_IN_UNIT.findall(unit))
    if kind == "virstanpylväs" or len(levels) >= 2:
        return UnitRule("levels", levels=levels or (0.0, 1.0, 2.0))
    if match := _RANGE_IN_UNIT.search(unit):
        low, high = (float(g.replace(",", ".")) for g in match.groups())
        return UnitRule("range", low, high)
    if unit == "%":
        return UnitRule("percent", 0.0, 100.0)
    if rate_scale is not None or unit.casefold() in DURATION_UNITS:
        return UnitRule("non_negative", 0.0)
    return UnitRule("count", 0.0)


def _unit_violation(rule: UnitRule, values: pd.Series) -> pd.Series:
    """True where a present value does not fit the unit rule."""
    if rule.name == "levels":
        bad = ~values.isin(rule.levels)
    else:
        bad = values < (rule.low or 0.0)
        if rule.high is not None:
            bad |= values > rule.high
        if rule.name == "count":
            bad |= values != values.round()
    return bad & values.notna()


def _unit_message(rule: UnitRule, unit: str, value: float) -> str:
    """Why the value does not fit the unit (called only for values that do not)."""
    shown = fi_number(value)
    if rule.name == "levels":
        allowed = ", ".join(fi_number(v) for v in rule.levels)
        return f"Virstanpylvään arvo on jokin näistä: {allowed} (yksikkö ”{unit}”), nyt {shown}."
    if rule.high is not None:
        return f"Arvon pitää olla {fi_number(rule.low)}–{fi_number(rule.high)} (yksikkö ”{unit}”), nyt {shown}."
    if value < (rule.low or 0.0):
        return f"Arvo ei voi olla negatiivinen (yksikkö ”{unit}”), nyt {shown}."
    return f"Yksikkö on ”{unit}”: arvon pitää olla kokonaisluku, nyt {shown}."


def _indicator_info(mittarit: _Table) -> pd.DataFrame:
    """Error-free indicators, indexed by id: unit, rule, rate scale, per municipality."""
    if not mittarit.usable:
        return pd.DataFrame(columns=["unit", "rule", "rate_scale", "per_municipality"])
    ok = mittarit.ok_mask()
    values = mittarit.values
    info = pd.DataFrame(
        {
            "unit": values["unit"][ok],
            "kind": values["kind"][ok],
            "rate_scale": values["rate_scale"][ok],
            "per_municipality": values["per_municipality"][ok],
        }
    )
    info.index = values["id"][ok]
    info["rule"] = [unit_rule(u, k, r if r == r else None) for u, k, r in zip(info["unit"], info["kind"], info["rate_scale"])]
    return info[~info.index.duplicated()]


def _check_entries(entries: _Table, mittarit: _Table, municipality_count: int) -> None:
    """Toteumat: value present and in its unit, numerator within denominator, area totals add up."""
    if not entries.usable or not mittarit.usable:
        return
    info = _indicator_info(mittarit)
    values = entries.values
    known = values["indicator_id"].isin(info.index) & entries.ok_mask()
    ids = values["indicator_id"].where(known)
    indicator = info.reindex(ids.to_numpy()).set_axis(ids.index)  # each entry's indicator; NaN where unknown
    rule, units = indicator["rule"], indicator["unit"]
    is_rate = known & indicator["rate_scale"].astype("float64").notna()
    value, num, den = (_numeric(values[k]) for k in ("value", "numerator", "denominator"))

    has_pair = num.notna() & den.notna()
    missing = known & value.isna() & ~(is_rate & has_pair)
    entries.flag("value", missing & ~is_rate, "PAKOLLINEN", "Arvo puuttuu.")
    entries.flag("value", missing & is_rate, "PAKOLLINEN", "Anna arvo tai sekä osoittaja että nimittäjä.")

    off_unit = pd.Series(False, index=value.index)
    for rule_of_group, indicators in info.groupby("rule", sort=False):  # indicators sharing a unit rule
        off_unit |= ids.isin(indicators.index) & _unit_violation(rule_of_group, value)
    entries.flag("value", off_unit, "YKSIKKO", lambda i: _unit_message(rule[i], units[i], value[i]))
    percent = ids.isin(info.index[[r.name == "percent" for r in info["rule"]]])
    fraction = known & percent & (value > 0) & (value < 1)
    entries.flag("value", fraction, "YKSIKKO", lambda i: f"Prosenttiarvo {fi_number(value[i])} on alle 1: jos tarkoitit {fi_number(value[i] * 100)} %, kirjoita {fi_number(value[i] * 100)}.", WARNING)

    too_big = known & percent & has_pair & (num > den)
    entries.flag("numerator", too_big, "OSOITTAJA_SUURI", lambda i: f"Osoittaja {fi_number(num[i])} on suurempi kuin nimittäjä {fi_number(den[i])}.")

    whole_area = indicator["per_municipality"].eq(False)
    local = whole_area & (values["municipality"] != AREA_TOTAL) & values["municipality"].notna()
    entries.flag("municipality", local, "KUNTAJAKO", f"Mittari kirjataan koko alueelle: kirjoita kunnaksi ”{AREA_TOTAL}”.", WARNING)
    _check_area_totals(entries, info, municipality_count)


def _check_area_totals(entries: _Table, info: pd.DataFrame, municipality_count: int) -> None:
    """Municipal entries vs an area-total entry of the same indicator and month (see docs/validation.md)."""
    values = entries.values
    ok = entries.ok_mask()
    frame = pd.DataFrame(
        {
            "indicator": values["indicator_id"],
            "month": values["month"],
            "municipality": values["municipality"],
            "value": _numeric(values["value"]),
            "numerator": _numeric(values["numerator"]),
            "denominator": _numeric(values["denominator"]),
            ROW: entries.rows,
        }
    )[ok]
    per_municipality = info.index[info["per_municipality"].astype(bool)]
    frame = frame[frame["indicator"].isin(per_municipality) & frame["month"].notna()]
    if frame.empty:
        return
    is_area = frame["municipality"] == AREA_TOTAL
    area = frame[is_area]
    local = frame[~is_area]
    local = local.assign(weighted=local["value"] * local["denominator"])
    parts = local.groupby(["indicator", "month"]).indices  # (indicator, month) -> positions in local
    summed = {key: local[key].to_numpy() for key in ("value", "numerator", "denominator", "weighted")}
    rules, scales = info["rule"].to_dict(), info["rate_scale"].to_dict()
    for total in area.to_dict("records"):
        indicator, month = total["indicator"], total["month"]
        positions = parts.get((indicator, month))
        if positions is None:
            continue
        part = {key: _sum_of_all(values[positions]) for key, values in summed.items()}
        message = _area_mismatch(rules[indicator], scales[indicator], part, total, complete=len(positions) >= municipality_count)
        if message:
            entries.flag_row("value", int(total[ROW]), "SUMMA_EI_TASMAA", f"Mittari {indicator}, {int(month)}/{YEAR}: {message}")


def _sum_of_all(values: np.ndarray) -> float:
    """The sum, or NaN when any value is missing (a partial sum would pass for a total)."""
    return np.nan if np.isnan(values).any() else values.sum()


def _sums_disagree(municipal_sum: float, area_value: float, complete: bool) -> bool:
    """Municipal sum vs the area figure: it may fall short only while municipalities are missing."""
    if pd.isna(municipal_sum) or pd.isna(area_value):
        return False
    gap = municipal_sum - area_value
    return gap > COUNT_TOLERANCE or (complete and abs(gap) > COUNT_TOLERANCE)


def _area_mismatch(rule: UnitRule, scale: float, part: Mapping[str, float], total: Mapping[str, Any], complete: bool) -> str | None:
    """Why the municipal rows do not add up to the area row, or None (also when it cannot be told).

    Counts add up. Rates add up in numerators and denominators, and the rate of the summed parts is
    the area rate. Means weighted by the respondents (denominators) give the area mean.
    """
    area_value = total["value"]
    if rule.name == "count":
        if _sums_disagree(part["value"], area_value, complete):
            return f"kuntien arvojen summa {fi_number(part['value'])} ei täsmää koko alueen arvoon {fi_number(area_value)}."
        return None
    has_weights = complete and pd.notna(part["denominator"]) and part["denominator"] > 0 and pd.notna(area_value)
    if rule.name in ("percent", "non_negative") and pd.notna(scale):
        for key, label in (("numerator", "osoittajien"), ("denominator", "nimittäjien")):
            if _sums_disagree(part[key], total[key], complete):
                return f"kuntien {label} summa {fi_number(part[key])} ei täsmää koko alueen lukuun {fi_number(total[key])}."
        if has_weights and pd.notna(part["numerator"]):
            weighted = scale * part["numerator"] / part["denominator"]
            if abs(weighted - area_value) > RATE_TOLERANCE:
                return f"kuntien osoittajista ja nimittäjistä laskettu {fi_number(round(weighted, 2))} ei täsmää koko alueen arvoon {fi_number(area_value)}."
        return None
    if rule.name == "range" and has_weights and pd.notna(part["weighted"]):
        mean = part["weighted"] / part["denominator"]
        if abs(mean - area_value) > MEAN_TOLERANCE:
            return f"kuntien vastaajamäärillä painotettu keskiarvo {fi_number(round(mean, 2))} ei täsmää koko alueen arvoon {fi_number(area_value)}."
    return None


def _dates(values: pd.Series) -> pd.Series:
    """datetime.date objects (None for missing) as datetime64, for vectorised comparisons."""
    return pd.to_datetime(values, errors="coerce")


def _lookup(keys: pd.Series, table: _Table, key: str, value: str) -> pd.Series:
    """For each key, the value column of the error-free row of table whose key column equals it (NaN if none)."""
    ok = table.ok_mask()
    mapping = pd.Series(table.values[value][ok].to_numpy(), index=table.values[key][ok].to_numpy())
    mapping = mapping[~mapping.index.duplicated()]
    return keys.map(mapping)


def _check_commitments(commitments: _Table, subsidy_types: _Table) -> None:
    """Sidonnat, row by row: period order, and a business id where the subsidy type requires one.

    The money rules on commitments (caps, budget) are the budget engine's: see _money_findings.
    """
    if not commitments.usable:
        return
    values = commitments.values
    start, end = _dates(values["period_start"]), _dates(values["period_end"])
    commitments.flag("period_end", end < start, "JAKSO_PAATTYY_ENNEN",
                     lambda i: f"Jakso päättyy ({fi_value(values['period_end'][i])}) ennen kuin se alkaa ({fi_value(values['period_start'][i])}).")
    if not subsidy_types.usable or "business_id" not in commitments.raw.column_letters:  # reported as SARAKE_PUUTTUU
        return
    subsidy = values["subsidy_type"]
    needs_id = _lookup(subsidy, subsidy_types, "subsidy_type", "requires_business_id").eq(True)
    commitments.flag("business_id", needs_id & values["business_id"].isna() & commitments.ok_mask(), "PAKOLLINEN",
                     lambda i: f"Tukilaji ”{subsidy[i]}” vaatii työnantajan Y-tunnuksen.")


def _money_findings(tables: Mapping[str, _Table], clean: dict[str, pd.DataFrame]) -> list[Finding]:
    """The budget engine's money rules (core.budget owns them) on the clean tables, as findings.

    They run on the rows that passed every other check, so that a commitment is judged by its 2026
    share exactly as the budget tabs judge it. A money error (a payment beyond its commitment or outside
    its period) then leaves its row out of clean (updated in place), like any other error; what is left
    raises no money error when the budget engine runs on it again. Findings point to the cells where
    the columns really stand in the sheet.
    """
    alerts = budget_alerts(_clean_tables(tables, clean))
    errors = alerts[alerts["severity"] == ERROR]
    for name, rows in errors.groupby("table")["row"]:
        clean[name] = clean[name][~clean[name][ROW].isin(rows)].reset_index(drop=True)
    return alerts_as_findings(alerts)


def _clean_tables(tables: Mapping[str, _Table], clean: Mapping[str, pd.DataFrame]) -> Tables:
    """The clean frames as Tables, with where each column stands in the sheet (for whatever points back at a cell)."""
    return Tables(**{TABLE_ATTRIBUTES[name]: frame for name, frame in clean.items()},
                  column_letters={name: dict(table.raw.column_letters) for name, table in tables.items()})


# --- whole-workbook rules -----------------------------------------------------------------------


def _hetu_cells(sheets: Mapping[str, list[list[Any]]]) -> list[tuple[str, int, int]]:
    """(sheet, row, col) of every text cell holding a personal identity code, on any sheet.

    One regex pass over each sheet's distinct texts joined together; cells are located only when it finds one.
    """
    hits = []
    for name, rows in sheets.items():
        texts = {v for row in rows for v in row if v.__class__ is str}
        if not hetu_spans("\n".join(texts)):
            continue
        with_hetu = {text for text in texts if hetu_spans(text)}
        for r, row in enumerate(rows, start=1):
            hits.extend((name, r, c) for c, v in enumerate(row) if v.__class__ is str and v in with_hetu)
    return hits


def _structure_findings(table: _Table, values: list[list[Any]] | None, facts: SheetFacts | None) -> list[Finding]:
    """Merged cells, hidden rows and masses of formatted empty rows, as the adapter saw them."""
    if facts is None or values is None:
        return []
    sheet, header_row = table.schema.sheet, table.raw.header_row
    findings = []
    for merged in facts.merged_ranges:
        first, _, last = merged.partition(":")
        last_row = int(re.sub(r"\D", "", last or first))
        if last_row >= header_row:
            findings.append(Finding(ERROR, sheet, first, None, "YHDISTETYT_SOLUT",
                                    f"Solut {merged} on yhdistetty: pura yhdistäminen, jotta jokainen arvo on omassa solussaan."))
    data_end = len(values)
    hidden = [r for r in facts.hidden_rows if header_row < r <= data_end]
    if hidden:
        findings.append(Finding(WARNING, sheet, f"A{hidden[0]}", None, "PIILOTETUT_RIVIT",
                                f"Välilehdellä on piilotettuja rivejä ({_row_ranges(hidden)}); ne tarkistettiin, mutta näytä ne, ettei mikään jää huomaamatta."))
    if facts.last_row and facts.last_row - data_end > EMPTY_ROWS_LIMIT:
        findings.append(Finding(WARNING, sheet, f"A{data_end + 1}", None, "TYHJAT_RIVIT",
                                f"Viimeisen tietorivin {data_end} jälkeen on muotoiltuja tyhjiä rivejä riville {facts.last_row} asti: "
                                "ne kasvattavat tiedostoa ja hidastavat Exceliä. Poista tyhjät rivit."))
    return findings


def _row_ranges(rows: Iterable[int], shown: int = 8) -> str:
    ranges: list[list[int]] = []
    for row in sorted(rows):
        if ranges and row == ranges[-1][1] + 1:
            ranges[-1][1] = row
        else:
            ranges.append([row, row])
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in ranges]
    more = f" ja {len(parts) - shown} muuta" if len(parts) > shown else ""
    return "rivit " + ", ".join(parts[:shown]) + more


# --- clean tables -------------------------------------------------------------------------------

_CENT = Decimal("0.01")


def _cents(values: pd.Series) -> pd.Series:
    """Parsed euro amounts (float or Decimal) as Decimal with two decimals; None where missing.

    Floats are rounded to whole cents column-wise (half to even, as round() does).
    """
    amounts = values.to_numpy(dtype=object)
    kinds = np.fromiter(map(type, amounts), dtype=object, count=len(amounts))
    cents = np.full(len(amounts), None)
    floats = (kinds == float) & pd.notna(amounts)
    whole_cents = np.round(amounts[floats].astype(float) * 100).astype(np.int64)
    cents[floats] = [Decimal(c).scaleb(-2) for c in whole_cents.tolist()]
    decimals = kinds == Decimal
    cents[decimals] = [value.quantize(_CENT) for value in amounts[decimals]]
    return pd.Series(cents, index=values.index, dtype=object, copy=False)


def _clean_frame(table: _Table) -> pd.DataFrame:
    """Error-free rows with the types promised in tables.Tables."""
    keep = (table.ok_mask() if table.usable else pd.Series(False, index=table.rows.index)).to_numpy()
    data: dict[str, pd.Series] = {}
    for column in table.schema.columns:
        values = table.values[column.key][keep].reset_index(drop=True)
        if column.cell_type == "number":
            data[column.key] = pd.to_numeric(values, errors="coerce").astype("float64")
        elif column.cell_type == "euro":
            data[column.key] = _cents(values)
        elif column.cell_type == "month" and values.notna().all():
            data[column.key] = values.astype("int64")
        elif column.cell_type == "bool" and values.notna().all():
            data[column.key] = values.astype(bool)
        else:  # text, dates, and months or booleans with gaps: object columns the checks leave None in, never NaN
            data[column.key] = values
    data[ROW] = table.rows[keep].astype("int64").reset_index(drop=True)
    return pd.DataFrame(data)


# --- entry point --------------------------------------------------------------------------------


def _sort_key(sheet_order: dict[str, int]) -> Callable[[Finding], tuple]:
    def key(finding: Finding) -> tuple:
        match = re.match(r"([A-Z]+)(\d+)", finding.cell or "")
        position = (int(match.group(2)), len(match.group(1)), match.group(1)) if match else (0, 0, "")
        return sheet_order.get(finding.sheet, len(sheet_order)), finding.sheet, *position, finding.rule
    return key


def validate_sheets(
    sheets: Mapping[str, list[list[Any]]],
    facts: Mapping[str, SheetFacts] | None = None,
    schemas: Mapping[str, TableSchema] | None = None,
) -> ValidationResult:
    """Check a workbook given as {sheet name: 2-D cell values from A1}; never raises on bad content.

    The row and table rules run first; the money rules (the budget engine's) run last, on the clean
    tables those leave, and a row they find in error (a payment beyond its commitment or outside its
    period) is dropped from the clean tables too. So result.tables never holds a row with an error.

    facts: what the adapter knows besides values (merged cells, hidden rows, last formatted row).
    schemas: the table schemas (default: the shipped ones).
    """
    schemas = schemas or table_schemas()
    facts = facts or {}
    tables = {name: _Table(raw_table(schemas[name], sheets.get(schemas[name].sheet))) for name in TABLE_ORDER}
    for table in tables.values():
        table.findings.extend(table.raw.problems)
        table.findings.extend(_structure_findings(table, sheets.get(table.schema.sheet), facts.get(table.schema.sheet)))
        _check_columns(table)

    by_sheet = {t.schema.sheet: t for t in tables.values()}
    extra_findings = []

    def flag_cell(sheet: str, row: int, col: int, rule: str, message: str) -> None:
        """An error at one cell of any sheet; in an input table's row it leaves that row out."""
        letter = column_letter(col + 1)
        table = by_sheet.get(sheet)
        key = next((k for k, found in table.raw.column_letters.items() if found == letter), None) if table else None
        if key is not None and (table.rows == row).any():
            table.flag_row(key, row, rule, message)
        else:
            extra_findings.append(Finding(ERROR, sheet, f"{letter}{row}", None, rule, message))

    for sheet, row, col in _hetu_cells(sheets):
        flag_cell(sheet, row, col, "HETU", HETU_MESSAGE)
    for sheet, row, col, character in invalid_character_cells(sheets):
        flag_cell(sheet, row, col, CONTROL_CHARACTER_RULE, invalid_character_message(character))

    for table in tables.values():
        _check_references(table, tables)
        _check_unique(table)
    municipalities = tables["kunnat"]
    municipality_count = int(municipalities.ok_mask().sum()) if municipalities.usable else 0
    _check_entries(tables["toteumat"], tables["mittarit"], municipality_count)
    _check_commitments(tables["sidonnat"], tables["tukilajit"])

    clean = {name: _clean_frame(table) for name, table in tables.items()}
    findings = [f for t in tables.values() for f in t.findings] + extra_findings + _money_findings(tables, clean)
    sheet_order = dict.fromkeys([*sheets, *(schemas[name].sheet for name in TABLE_ORDER)])  # workbook order
    order = {name: i for i, name in enumerate(sheet_order)}
    findings.sort(key=_sort_key(order))
    return ValidationResult(findings, _clean_tables(tables, clean))
