"""One call from a workbook file to checked, clean tables: read headless with calamine, then validate."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tyollisyys_xl.core.validation import ValidationResult, validate_sheets
from tyollisyys_xl.io.calamine_source import CalamineSource


@contextmanager
def collector_paused() -> Iterator[None]:
    """Reading a workbook makes hundreds of thousands of small objects that all stay alive to the end;
    the cyclic garbage collector would walk them over and over and free nothing. Pause it meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load(path: str | Path) -> ValidationResult:
    """Findings and clean Tables of the workbook at path; raises WorkbookReadError if it cannot be read at all."""
    with collector_paused():
        values, facts = CalamineSource(path).read_all()
        return validate_sheets(values, facts)
