"""How an attainment status looks on a generated sheet: a symbol before its name, and a colour.

The symbol makes the statuses tell apart in grey print and for readers who do not see colour; it is
drawn from the glyphs Calibri and its metric twin Carlito have (LibreOffice's stand-in for Calibri), so
no font falls back. Only the rendered sheets carry it: the engine's frames, the JSON and CSV of the
attainment command and the Power BI export keep the plain names ("Saavutettu"), which is what machines
compare. On a sheet, the formulas that decide a status write the label, and the formulas and conditional
formats that count or colour statuses compare labels (docs/attainment.md).
"""

from __future__ import annotations

from tyollisyys_xl.core.attainment import EI_TIETOA, EI_TOTEUDU, RISKISSA, SAAVUTETTU, STATUSES, TAVOITTEESSA
from tyollisyys_xl.core.sheetspec import ConditionalFormat

STATUS_SYMBOLS = {
    SAAVUTETTU: "●",  # full: the target is met
    TAVOITTEESSA: "○",  # hollow: on the way
    RISKISSA: "!",
    EI_TOTEUDU: "×",
    EI_TIETOA: "–",
}
STATUS_COLORS = {  # fill, font, bold: a lightness ladder as well as a hue, so grey print keeps them apart
    SAAVUTETTU: ("A9D08E", "1E4620", True),
    TAVOITTEESSA: ("E2EFDA", "375623", False),
    RISKISSA: ("FFEB9C", "7F4600", False),
    EI_TOTEUDU: ("FFC7CE", "9C0006", True),
    EI_TIETOA: ("EDEDED", "595959", False),
}


def status_label(status: str | None) -> str | None:
    """"Saavutettu" -> "● Saavutettu"; None (not judged) stays None; a text that is no status stays as it is."""
    symbol = STATUS_SYMBOLS.get(status)
    return f"{symbol} {status}" if symbol else status


STATUS_LABELS = tuple(status_label(s) for s in STATUSES)


def status_formats(cells: str) -> list[ConditionalFormat]:
    """Each status label in its colours over cells (one rule per status, whatever the number of cells)."""
    return [ConditionalFormat(cells, "text", operator="equal", values=[status_label(status)], fill=fill,
                              font_color=font, bold=bold)
            for status, (fill, font, bold) in STATUS_COLORS.items()]
