"""One call from a workbook file to checked, clean tables: read headless with calamine, then validate."""

from __future__ import annotations

from pathlib import Path

from tyollisyys_xl.core.validation import ValidationResult, validate_sheets
from tyollisyys_xl.io.calamine_source import CalamineSource


def load(path: str | Path) -> ValidationResult:
    """Findings and clean Tables of the workbook at path; raises WorkbookReadError if it cannot be read at all."""
    values, facts = CalamineSource(path).read_all()
    return validate_sheets(values, facts)
