"""The one small interface between the core and a workbook: read every sheet's values, write generated sheets.

Two implementations: headless (python-calamine to read, openpyxl to write a report file) and inside
Excel (xlwings, batched). The core never imports either library.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from tyollisyys_xl.core.sheetspec import SheetSpec


class WorkbookSource(Protocol):
    def sheet_names(self) -> list[str]: ...

    def sheet_values(self, name: str) -> list[list[Any]]:
        """The sheet's cell values from A1 as a 2-D list (None for empty cells; dates as datetime)."""
        ...


class WorkbookTarget(Protocol):
    def sheet_names(self) -> list[str]: ...

    def generated_sheets(self) -> list[str]:
        """The sheets that carry the tool's mark (see tyollisyys_xl.io.generated): the only ones it may replace."""
        ...

    def replace_generated_sheets(self, specs: list[SheetSpec]) -> None:
        """Remove the tool's own sheets of these names and render the specs; never touch other sheets."""
        ...

    def highlight_cells(self, fills: Mapping[str, Mapping[str, str]]) -> None:
        """Colour offending input cells, {sheet: {cell: "RRGGBB"}} for all sheets in one call (fill only,
        values untouched); clears the previous run's colours, and only those."""
        ...
