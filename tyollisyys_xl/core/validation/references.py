"""Rules between rows and tables: values from another table (x-list), unique keys (x-unique), commitments.

Text is compared casefolded, as Excel's dropdowns accept any case: "SID-1" and "sid-1" are one key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from tyollisyys_xl.core.parsing import fi_value, quote
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.core.validation.keywords import TEXT_TYPES
from tyollisyys_xl.core.validation.table import CheckedTable, dates, lookup, map_distinct
from tyollisyys_xl.schemas import Column

# The rule for a value missing from the table its dropdown comes from (x-list); TUNTEMATON_ARVO otherwise.
REFERENCE_RULES = {
    "Mittarit.id": Rule.TUNTEMATON_MITTARI,
    "Kunnat.name": Rule.TUNTEMATON_KUNTA,
    "Tukilajit.subsidy_type": Rule.TUNTEMATON_TUKILAJI,
    "Kustannuskohteet.cost_object": Rule.TUNTEMATON_KUSTANNUSKOHDE,
    "Sidonnat.commitment_id": Rule.MAKSU_TUNTEMATON_SIDONTA,
}


def _fold(column: Column) -> Callable[[Any], Any]:
    """What a value of the column is compared by: text casefolded, since Excel's dropdowns accept any case."""
    return str.casefold if column.cell_type in TEXT_TYPES else lambda value: value


def check_references(table: CheckedTable, tables: Mapping[str, CheckedTable]) -> None:
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
        resolved = map_distinct(values, lambda value: known.get(fold(value)))
        unknown = values.notna() & resolved.isna()
        header = target.schema.column(ref_key).header
        table.flag(column.key, unknown, REFERENCE_RULES.get(column.list_source, Rule.TUNTEMATON_ARVO),
                   lambda i: f"{quote(values[i])} ei ole {sheet}-välilehden sarakkeessa ”{header}”.")
        table.values[column.key] = resolved.where(~unknown, None)


def _key_codes(values: pd.Series, fold: Callable[[Any], Any]) -> np.ndarray:
    """An int64 code per value, equal where the folded values are equal; -1 where missing."""
    codes, distinct = pd.factorize(values.to_numpy())
    folded_codes, _ = pd.factorize(np.fromiter(map(fold, distinct), dtype=object, count=len(distinct)))
    return np.append(folded_codes, -1).astype("int64")[codes]  # code -1 (missing) takes the -1


def check_unique(table: CheckedTable) -> None:
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
        table.flag(keys[0], repeated.reindex(table.rows.index, fill_value=False), Rule.KAKSOISKIRJAUS,
                   lambda i: f"Sama {headers} on jo rivillä {first_row[i]} (kaksoiskirjaus).")


def check_commitments(commitments: CheckedTable, subsidy_types: CheckedTable) -> None:
    """Sidonnat, row by row: period order, and a business id where the subsidy type requires one.

    The money rules on commitments (caps, budget) are the budget engine's: see validation.clean.
    """
    if not commitments.usable:
        return
    values = commitments.values
    start, end = dates(values["period_start"]), dates(values["period_end"])
    commitments.flag("period_end", end < start, Rule.JAKSO_PAATTYY_ENNEN,
                     lambda i: f"Jakso päättyy ({fi_value(values['period_end'][i])}) ennen kuin se alkaa ({fi_value(values['period_start'][i])}).")
    if not subsidy_types.usable or "business_id" not in commitments.raw.column_letters:  # reported as SARAKE_PUUTTUU
        return
    subsidy = values["subsidy_type"]
    needs_id = lookup(subsidy, subsidy_types, "subsidy_type", "requires_business_id").eq(True)
    commitments.flag("business_id", needs_id & values["business_id"].isna() & commitments.ok_mask(), Rule.PAKOLLINEN,
                     lambda i: f"Tukilaji ”{subsidy[i]}” vaatii työnantajan Y-tunnuksen.")
