"""A finding: one thing wrong in the workbook, located to a sheet and cell, said in Finnish.

A finding is checked when it is made: its rule must be registered (core.rules) with its severity, and
its message is made safe to print anywhere: any personal identity code masked, at most MESSAGE_LIMIT
characters long. So no output of any format can echo a HETU or be flooded by one huge cell.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from tyollisyys_xl.core.parsing import mask_hetu
from tyollisyys_xl.core.rules import ERROR, WARNING, Rule, Severity, rule

__all__ = ["ERROR", "WARNING", "MESSAGE_LIMIT", "Finding", "Rule", "Severity"]

MESSAGE_LIMIT = 500  # characters; the longest real message (a payment beyond its commitment) is about 250


@dataclass(frozen=True)
class Finding:
    severity: Severity
    sheet: str
    cell: str | None  # "D17"; None when the finding concerns a whole sheet or file
    column: str | None  # the Finnish column header
    rule: str  # a registered code (core.rules.Rule), e.g. "TYYPPI"; a Rule member is taken as its code
    message: str  # Finnish; personal identity codes masked, at most MESSAGE_LIMIT characters

    def __post_init__(self) -> None:
        registered = rule(self.rule)
        if self.severity not in registered.severities:
            raise ValueError(f"rule {registered.code} is registered as {' / '.join(registered.severities)}, not {self.severity!r}")
        message = mask_hetu(self.message)
        if len(message) > MESSAGE_LIMIT:
            message = message[: MESSAGE_LIMIT - 1] + "…"
        object.__setattr__(self, "rule", registered.code)
        object.__setattr__(self, "message", message)

    @classmethod
    def of(cls, rule: Rule, sheet: str, cell: str | None, column: str | None, message: str,
           severity: Severity | None = None) -> Finding:
        """A finding of a registered rule, with the rule's own severity unless the case calls for another it allows."""
        return cls(severity or rule.severity, sheet, cell, column, rule.code, message)

    @property
    def address(self) -> str:
        """Excel-style address, e.g. Toteumat!D17 (quoted when the sheet name has a space)."""
        sheet = f"'{self.sheet}'" if any(ch in self.sheet for ch in " -") else self.sheet
        return f"{sheet}!{self.cell}" if self.cell else sheet

    def as_dict(self) -> dict:
        return {**asdict(self), "address": self.address}
