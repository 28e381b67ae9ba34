"""Each column of an input table on its own: read every cell as the column's x-type, then check it.

A column is checked in this order: a required value present; each cell read by its x-type's parser
(an Excel error value or an unreadable cell is a finding); a month outside the column's months; the schema's
keywords (validation.keywords); the x-type's own checks (a Y-tunnus's check digit, a plausible size
for a number, validation.limits); any keyword left to jsonschema.

Speed: cells are taken a Python type at a time (1, 1.0 and True read differently). Plain text in a
text column and plain numbers in a number column (nearly every cell) are taken as they are; the rest
is parsed once per distinct value, since columns repeat few values (months, municipalities, dates).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from tyollisyys_xl.core.code_labels import label_code
from tyollisyys_xl.core.months import month_label, month_number, year_and_month
from tyollisyys_xl.core.parsing import (
    ParseError,
    business_id_valid,
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
from tyollisyys_xl.core.raw import distinct_matches
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.core.validation.keywords import check_keywords, check_other_keywords
from tyollisyys_xl.core.validation.limits import PLAUSIBLE_LIMITS, beyond_limit, implausible_message
from tyollisyys_xl.core.validation.table import CheckedTable, map_distinct, matches, numeric
from tyollisyys_xl.schemas import Column

PARSERS: dict[str, Callable[[Any], Any]] = {
    "text": parse_text,
    "code": parse_text,
    "code_label": lambda value: label_code(parse_text(value)),
    "number": parse_number,
    "euro": parse_euro,
    "month": parse_month,
    "date": parse_date,
    "bool": parse_bool,
    "business_id": normalize_business_id,
}


def check_columns(table: CheckedTable) -> None:
    """Every column of the table, in schema order; a column not in the sheet is all empty."""
    frame = table.raw.frame
    for column in table.schema.columns:
        key = column.key
        if key not in table.raw.column_letters or frame.empty:
            table.values[key] = pd.Series(None, index=frame.index, dtype=object)
            continue
        cells = frame[key]
        if column.required:
            table.flag(key, cells.isna(), Rule.PAKOLLINEN, "Pakollinen tieto puuttuu.")
        parsed, problems = _parse_series(cells, column.cell_type)
        table.values[key] = numeric(parsed) if column.cell_type == "number" else parsed  # numbers as float64 from here on
        if column.cell_type == "month":
            _check_year(table, key, parsed, table.schema.month_range(key))
        for rule in (Rule.EXCEL_VIRHE, Rule.TYYPPI) if problems is not None else ():
            table.flag(key, problems["rule"] == rule, rule, problems["message"].__getitem__)
        prop = table.schema.json["properties"][key]
        check_keywords(table, column, prop)
        if check := TYPE_CHECKS.get(column.cell_type):
            check(table, column)
        check_other_keywords(table, column, prop)


# --- reading cells ------------------------------------------------------------------------------


def _parse_series(series: pd.Series, cell_type: str) -> tuple[pd.Series, pd.DataFrame | None]:
    """(parsed values, problems): values None where empty or bad; problems a frame of rule and message per
    cell (None where fine), or None when no cell has a problem (nearly always, so nothing more is made then).
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


def _parse_one(value: Any, parser: Callable[[Any], Any]) -> tuple[Any, Rule | None, str | None]:
    if is_excel_error(value):
        return None, Rule.EXCEL_VIRHE, f"Solussa on Excelin virhearvo {value.strip()}: korjaa kaava tai arvo."
    try:
        return parser(value), None, None
    except ParseError as exc:
        return None, Rule.TYYPPI, str(exc)


def _check_year(table: CheckedTable, key: str, parsed: pd.Series, allowed: tuple[int, int]) -> None:
    """(year, month) -> month number (core.months: 1..12 = 2026, 0 = 12/2025); a month outside the column's
    range (its minimum and maximum) is its own finding."""
    first, last = allowed
    numbers = map_distinct(parsed, lambda ym: month_number(*ym) if isinstance(ym, tuple) else None)
    outside = matches(numbers, lambda m: isinstance(m, int) and not first <= m <= last)
    if year_and_month(first)[0] == year_and_month(last)[0]:
        expected = f"vuodelta {year_and_month(first)[0]}"
    else:
        expected = f"väliltä {month_label(first)}–{month_label(last)}"
    table.values[key] = numbers
    table.flag(key, outside, Rule.KUUKAUSI, lambda i: f"Kuukausi {parsed[i][1]}/{parsed[i][0]} ei ole {expected}.")


# --- checks of an x-type --------------------------------------------------------------------------


def _check_business_id(table: CheckedTable, column: Column) -> None:
    texts = table.values[column.key]
    bad = matches(texts, lambda v: isinstance(v, str) and not business_id_valid(v))
    table.flag(column.key, bad, Rule.YTUNNUS, lambda i: f"Y-tunnuksen {quote(texts[i])} tarkistusmerkki ei täsmää.")


def _check_plausible(table: CheckedTable, column: Column) -> None:
    limit = PLAUSIBLE_LIMITS[column.cell_type]
    numbers = table.numbers(column.key)
    table.flag(column.key, beyond_limit(numbers, limit), Rule.EPAUSKOTTAVA, lambda i: implausible_message(numbers[i], limit))


TYPE_CHECKS: dict[str, Callable[[CheckedTable, Column], None]] = {
    "business_id": _check_business_id,
    "number": _check_plausible,
    "euro": _check_plausible,
}
