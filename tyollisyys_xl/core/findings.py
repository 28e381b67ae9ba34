"""A finding: one thing wrong in the workbook, located to a sheet and cell, said in Finnish."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["virhe", "varoitus"]
ERROR: Severity = "virhe"
WARNING: Severity = "varoitus"


@dataclass(frozen=True)
class Finding:
    severity: Severity
    sheet: str
    cell: str | None  # "D17"; None when the finding concerns a whole sheet or file
    column: str | None  # the Finnish column header
    rule: str  # stable rule code, e.g. "TYYPPI", "PAKOLLINEN", "HETU"
    message: str  # Finnish, never echoing a personal identity code

    @property
    def address(self) -> str:
        """Excel-style address, e.g. Toteumat!D17 (quoted when the sheet name has a space)."""
        sheet = f"'{self.sheet}'" if any(ch in self.sheet for ch in " -") else self.sheet
        return f"{sheet}!{self.cell}" if self.cell else sheet

    def as_dict(self) -> dict:
        return {**asdict(self), "address": self.address}
