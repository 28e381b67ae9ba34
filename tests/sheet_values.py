"""Workbooks as plain sheet values (what validate_sheets takes), built from the master's with a few rows added."""

from __future__ import annotations

import copy

MUNICIPALITIES = ["Joutsa", "Jämsä", "Keuruu", "Luhanka", "Multia", "Mänttä-Vilppula", "Petäjävesi", "Toivakka"]


def with_rows(sheets, **rows):
    """A deep copy of sheets with rows appended: with_rows(sheets, Toteumat=[entry(...), ...])."""
    sheets = copy.deepcopy(sheets)
    for sheet, extra in rows.items():
        sheets[sheet].extend(extra)
    return sheets


def entry(indicator, municipality, value=None, numerator=None, denominator=None, month="3/2026", source=None):
    """A Toteumat row in the builder's column order."""
    return [indicator, month, municipality, value, numerator, denominator, source, None]
