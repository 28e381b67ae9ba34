"""validate_sheets: every check in its order, on a workbook given as plain cell values, into one result."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tyollisyys_xl.core.cells import column_letter
from tyollisyys_xl.core.findings import ERROR, WARNING, Finding
from tyollisyys_xl.core.programme_checks import drop_error_rows, programme_checks
from tyollisyys_xl.core.raw import SheetFacts, raw_table
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.core.tables import Tables
from tyollisyys_xl.core.validation.cells import check_columns
from tyollisyys_xl.core.validation.clean import clean_frame, clean_tables, money_findings
from tyollisyys_xl.core.validation.entries import check_entries
from tyollisyys_xl.core.validation.keywords import TEXT_TYPES
from tyollisyys_xl.core.validation.references import check_commitments, check_references, check_unique
from tyollisyys_xl.core.validation.sheets import TextHit, scan_texts, structure_findings
from tyollisyys_xl.core.validation.table import CheckedTable
from tyollisyys_xl.schemas import TABLE_ORDER, TableSchema, table_schemas


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
    tables = {name: CheckedTable(raw_table(schemas[name], sheets.get(schemas[name].sheet))) for name in TABLE_ORDER}
    for table in tables.values():
        table.findings.extend(table.raw.problems)
        table.findings.extend(structure_findings(table, sheets.get(table.schema.sheet), facts.get(table.schema.sheet)))
        check_columns(table)
    sheet_findings = _text_findings(scan_texts(sheets, {t.schema.sheet for t in tables.values()}), tables)

    for table in tables.values():
        check_references(table, tables)
        check_unique(table)
    municipalities = tables["kunnat"]
    municipality_count = int(municipalities.ok_mask().sum()) if municipalities.usable else 0
    check_entries(tables["toteumat"], tables["mittarit"], municipality_count)
    check_commitments(tables["sidonnat"], tables["tukilajit"])

    clean = {name: clean_frame(table) for name, table in tables.items()}
    typed_ids = set(tables["mittarit"].values["id"].dropna())
    meaning = programme_checks(clean_tables(tables, clean), typed_ids)  # what the entries mean for the programme
    drop_error_rows(clean, meaning.error_rows)
    findings = [f for t in tables.values() for f in t.findings] + sheet_findings + meaning.findings
    findings += money_findings(tables, clean)
    sheet_order = dict.fromkeys([*sheets, *(schemas[name].sheet for name in TABLE_ORDER)])  # workbook order
    order = {name: i for i, name in enumerate(sheet_order)}
    findings.sort(key=_sort_key(order))
    return ValidationResult(findings, clean_tables(tables, clean))


def _text_findings(hits: list[TextHit], tables: Mapping[str, CheckedTable]) -> list[Finding]:
    """A hit in a table's cell is flagged on the table (an error leaves its row out); the rest become findings
    of their own, except formula-like text, which matters only in an input cell of a text column."""
    by_sheet = {t.schema.sheet: t for t in tables.values()}
    keys = {sheet: {letter: key for key, letter in t.raw.column_letters.items()} for sheet, t in by_sheet.items()}
    data_rows = {sheet: set(t.rows.tolist()) for sheet, t in by_sheet.items()} if hits else {}
    findings = []
    for hit in hits:
        letter = column_letter(hit.col + 1)
        key = keys.get(hit.sheet, {}).get(letter)
        if key is not None and hit.row in data_rows[hit.sheet]:
            table = by_sheet[hit.sheet]
            if hit.rule is not Rule.KAAVAMAINEN_TEKSTI or table.schema.column(key).cell_type in TEXT_TYPES:
                table.flag_row(key, hit.row, hit.rule, hit.message)
        elif hit.rule is not Rule.KAAVAMAINEN_TEKSTI:
            findings.append(Finding.of(hit.rule, hit.sheet, f"{letter}{hit.row}", None, hit.message))
    return findings


def _sort_key(sheet_order: dict[str, int]) -> Callable[[Finding], tuple]:
    def key(finding: Finding) -> tuple:
        match = re.match(r"([A-Z]+)(\d+)", finding.cell or "")
        position = (int(match.group(2)), len(match.group(1)), match.group(1)) if match else (0, 0, "")
        return sheet_order.get(finding.sheet, len(sheet_order)), finding.sheet, *position, finding.rule
    return key
