"""JSON Schema keywords of a column's property, each checked a whole column at a time.

As in jsonschema's own `_keywords.py`, each keyword has one checker function, found through KEYWORDS:
checker(table, column, the keyword's value, the whole property). A checker looks only at the values
its keyword applies to (a numeric keyword ignores text, a string keyword numbers), as JSON Schema
says. ANNOTATIONS say nothing about a value (`type` and `format` are what the column's x-type parser
already made of it). Any other keyword is still honoured: check_other_keywords hands the column to
jsonschema, one value at a time (slow, but no shipped schema needs it).

Two keywords are ours, after ajv-formats: formatMinimum and formatMaximum give a date column its
plausible range ("2020-01-01"), reported as PAIVAMAARA_ALUE.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pandas as pd

from tyollisyys_xl.core.parsing import fi_number, fi_value, quote
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.core.validation.table import CheckedTable, map_distinct, matches, numeric
from tyollisyys_xl.schemas import Column

NUMERIC_TYPES = {"number", "euro", "month"}  # parsed as float, Decimal and month number
TEXT_TYPES = {"text", "code", "code_label", "business_id"}  # parsed as str
ANNOTATIONS = {"title", "description", "$comment", "type", "format"}
EARLIEST_DATE = dt.date(1900, 3, 1)  # before it, a "date" is a small number shown as a date (Excel counts from 1.1.1900)

Checker = Callable[[CheckedTable, Column, Any, dict], None]


def enum(table: CheckedTable, column: Column, allowed: list, prop: dict) -> None:
    """One of the listed values, in any letter case (as Excel's dropdowns accept); the value becomes the listed spelling."""
    values = table.values[column.key]
    canonical = {str(v).casefold(): v for v in allowed}
    folded = map_distinct(values, lambda text: canonical.get(str(text).casefold()))
    bad = values.notna() & folded.isna()
    shown = ", ".join(str(v) for v in allowed)
    table.flag(column.key, bad, Rule.SALLITUT, lambda i: f"{quote(values[i])} ei ole sallittu arvo (sallitut: {shown}).")
    table.values[column.key] = folded.where(~bad, None)


def _bound(words: str, outside: Callable[[pd.Series, float], pd.Series]) -> Checker:
    """A checker for one numeric bound: outside(numbers, limit) marks the numbers beyond it."""

    def check(table: CheckedTable, column: Column, limit: float, prop: dict) -> None:
        if column.cell_type not in NUMERIC_TYPES:
            return
        numbers = table.numbers(column.key)
        shown = fi_number(limit)
        table.flag(column.key, outside(numbers, limit), Rule.ARVOALUE,
                   lambda i: f"Arvon pitää olla {words} {shown}, nyt {fi_number(numbers[i])}.")

    return check


def multiple_of(table: CheckedTable, column: Column, step: float, prop: dict) -> None:
    """A whole number of steps (0.01: at most two decimals), give or take a millionth of a step of float noise."""
    if column.cell_type not in NUMERIC_TYPES:
        return
    steps = table.numbers(column.key) / step
    off = (steps - steps.round()).abs() > 1e-6
    decimals = max(0, -Decimal(str(step)).as_tuple().exponent)
    table.flag(column.key, off, Rule.DESIMAALIT, f"Arvossa saa olla enintään {decimals} desimaalia.")


def pattern(table: CheckedTable, column: Column, regex: str, prop: dict) -> None:
    texts = table.values[column.key]
    compiled = re.compile(regex)
    bad = matches(texts, lambda v: isinstance(v, str) and not compiled.search(v))
    rule = Rule.YTUNNUS if column.cell_type == "business_id" else Rule.MUOTO
    example = column.description or regex
    table.flag(column.key, bad, rule, lambda i: f"{quote(texts[i])} on väärää muotoa ({example}).")


def _lengths(table: CheckedTable, column: Column) -> pd.Series:
    return numeric(map_distinct(table.values[column.key], lambda v: len(v) if isinstance(v, str) else None))


def min_length(table: CheckedTable, column: Column, least: int, prop: dict) -> None:
    table.flag(column.key, _lengths(table, column) < least, Rule.PAKOLLINEN, "Arvo on liian lyhyt.")


def max_length(table: CheckedTable, column: Column, most: int, prop: dict) -> None:
    table.flag(column.key, _lengths(table, column) > most, Rule.MUOTO, f"Arvo on liian pitkä (enintään {most} merkkiä).")


def _date_range(table: CheckedTable, column: Column, prop: dict, outside: Callable[[dt.date], bool]) -> None:
    """Dates beyond one end of the column's plausible range; the message names both ends."""
    values = table.values[column.key]
    ends = [fi_value(dt.date.fromisoformat(prop[k])) if k in prop else "" for k in ("formatMinimum", "formatMaximum")]
    allowed = "–".join(ends) if all(ends) else (f"aikaisintaan {ends[0]}" if ends[0] else f"viimeistään {ends[1]}")

    def message(i: Any) -> str:
        hint = " Excel näyttää pienen luvun päivämääränä vuoden 1900 alusta: tarkista solun arvo." if values[i] < EARLIEST_DATE else ""
        return f"Päivämäärä {fi_value(values[i])} ei ole sallitulla välillä {allowed}.{hint}"

    table.flag(column.key, matches(values, lambda v: isinstance(v, dt.date) and outside(v)), Rule.PAIVAMAARA_ALUE, message)


def format_minimum(table: CheckedTable, column: Column, earliest: str, prop: dict) -> None:
    first = dt.date.fromisoformat(earliest)
    _date_range(table, column, prop, lambda day: day < first)


def format_maximum(table: CheckedTable, column: Column, latest: str, prop: dict) -> None:
    last = dt.date.fromisoformat(latest)
    _date_range(table, column, prop, lambda day: day > last)


# In this order: enum first, since it turns a value into its listed spelling for the checks after it.
KEYWORDS: dict[str, Checker] = {
    "enum": enum,
    "minimum": _bound("vähintään", lambda numbers, limit: numbers < limit),
    "maximum": _bound("enintään", lambda numbers, limit: numbers > limit),
    "exclusiveMinimum": _bound("suurempi kuin", lambda numbers, limit: numbers <= limit),
    "exclusiveMaximum": _bound("pienempi kuin", lambda numbers, limit: numbers >= limit),
    "multipleOf": multiple_of,
    "pattern": pattern,
    "minLength": min_length,
    "maxLength": max_length,
    "formatMinimum": format_minimum,
    "formatMaximum": format_maximum,
}


def check_keywords(table: CheckedTable, column: Column, prop: dict) -> None:
    """Every keyword of the column's property that KEYWORDS knows, in KEYWORDS order."""
    for keyword, checker in KEYWORDS.items():
        if keyword in prop:
            checker(table, column, prop[keyword], prop)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def check_other_keywords(table: CheckedTable, column: Column, prop: dict) -> None:
    """Keywords in neither KEYWORDS nor ANNOTATIONS (nor ours, x-*): jsonschema checks each present value."""
    if not {k for k in prop if not k.startswith("x-")} - KEYWORDS.keys() - ANNOTATIONS:
        return
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(prop)
    values = table.values[column.key]
    failed = values.map(lambda v: next((e.validator for e in validator.iter_errors(_json_value(v))), None) if pd.notna(v) else None)
    table.flag(column.key, failed.notna(), Rule.SKEEMA,
               lambda i: f"Arvo {quote(values[i])} ei täytä sarakkeen skeeman ehtoa ”{failed[i]}” (schema/{table.schema.name}.schema.json).")
