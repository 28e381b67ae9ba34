"""The Tarkistus sheet: every finding of the last run, each linked to its cell, errors first in colour."""

from __future__ import annotations

from collections.abc import Sequence

from tyollisyys_xl.core.cells import cell, sheet_address
from tyollisyys_xl.core.findings import ERROR, WARNING, Finding
from tyollisyys_xl.core.reports.layout import FIRST_ROW, fit_header, table, title
from tyollisyys_xl.core.reports.printing import board_print_setup
from tyollisyys_xl.core.sheetspec import ConditionalFormat, Hyperlink, SheetSpec, Style

SHEET_NAME = "Tarkistus"
HEADERS = ["Vakavuus", "Välilehti", "Solu", "Sarake", "Sääntö", "Viesti"]
WIDTHS = {"A": 11, "B": 17, "C": 9, "D": 20, "E": 24, "F": 90}  # within A4 landscape at 8 pt; Viesti wraps
ERROR_FILL = "FFC7CE"
WARNING_FILL = "FFEB9C"
NOTE = "Työkalu kirjoittaa tämän välilehden uudelleen joka tarkistuksella. Solun osoitetta napsauttamalla pääset soluun."


def summary(findings: Sequence[Finding]) -> str:
    """One Finnish line: how many errors and warnings."""
    errors = sum(f.severity == ERROR for f in findings)
    warnings = sum(f.severity == WARNING for f in findings)
    if not errors and not warnings:
        return "Ei virheitä eikä varoituksia."
    parts = [f"{errors} {'virhe' if errors == 1 else 'virhettä'}", f"{warnings} {'varoitus' if warnings == 1 else 'varoitusta'}"]
    return ", ".join(parts) + "." + (" Korjaa virheet ennen raportointia." if errors else "")


def tarkistus_sheet(findings: Sequence[Finding]) -> SheetSpec:
    """The findings as a sheet: a summary line, then one row per finding with a link to its cell."""
    spec = SheetSpec(name=SHEET_NAME, column_widths=dict(WIDTHS), tab_color="C00000" if any(f.severity == ERROR for f in findings) else "70AD47")
    row = title(spec, FIRST_ROW, "Tarkistus", [summary(findings), NOTE], last_column=len(HEADERS))
    rows = [[f.severity, f.sheet, f.cell or "", f.column or "", f.rule, f.message] for f in findings]
    area = table(spec, row, HEADERS, rows)
    spec.styles.append(Style(area.column(len(HEADERS) - 1), wrap=True))  # the whole message, the overrun amount too
    spec.styles.append(Style(area.column(3), wrap=True))
    spec.freeze = cell(area.first_row, 1)
    for offset, finding in enumerate(findings):
        if finding.cell:
            spec.hyperlinks.append(Hyperlink(cell(area.first_row + offset, 3), sheet_address(finding.sheet, finding.cell), finding.cell))
    if findings:
        severity_range = area.column(0)
        spec.conditional_formats += [
            ConditionalFormat(severity_range, "text", values=[ERROR], fill=ERROR_FILL),
            ConditionalFormat(severity_range, "text", values=[WARNING], fill=WARNING_FILL),
        ]
    fit_header(spec, area, wrapped=(3,))  # Sarake: column names; a message quotes user text and simply wraps
    spec.print_setup = board_print_setup(spec, last_row=area.last_row, last_column=len(HEADERS),
                                         header_rows=(area.header_row, area.header_row))
    return spec
