"""Test helper: a SheetSpec that uses every feature a renderer must handle."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tyollisyys_xl.core.sheetspec import (
    Block,
    Chart,
    ConditionalFormat,
    Formula,
    Hyperlink,
    PrintSetup,
    Series,
    SheetSpec,
    Style,
)

USER_TEXTS = ["=HYPERLINK(\"http://x\")", "+358 40 123", "-5", "@koko", "'lainaus", "12,5", "1.2.2026", "TOSI"]


def rich_spec(name: str = "Raportti", rows: int = 12) -> SheetSpec:
    """Title, a table with numbers, euros, dates, user text that looks like formulas, a formula, links."""
    table = [["Kuukausi", "Arvo", "Euroa", "Päivä", "Teksti"]]
    for month in range(1, rows + 1):
        table.append([month, month * 1.5, Decimal("1234.50") + month, dt.date(2026, month % 12 + 1, 1),
                      USER_TEXTS[month % len(USER_TEXTS)]])
    last = rows + 3
    return SheetSpec(
        name=name,
        blocks=[
            Block(1, 1, [["Otsikko"]]),
            Block(3, 1, table),
            Block(last + 1, 1, [["Yhteensä", Formula(f"=SUM(B4:B{last})", cached=None), float("nan")]]),
        ],
        styles=[
            Style("A1", bold=True, font_size=14.0),
            Style("A3:E3", bold=True, fill="DDEBF7", wrap=True, border=True, align="center"),
            Style(f"B4:B{last}", number_format="0.0"),
            Style(f"C4:C{last}", number_format='#,##0.00 "€"', italic=True, font_color="1F4E79"),
        ],
        column_widths={"A": 12.0, "E": 30.0},
        conditional_formats=[
            ConditionalFormat(f"B4:B{last}", "cell_is", operator="lessThan", values=[5], fill="FFC7CE"),
            ConditionalFormat(f"B4:B{last}", "cell_is", operator="between", values=[5, 10], fill="FFEB9C"),
            ConditionalFormat(f"E4:E{last}", "text", values=["TOSI"], fill="C6EFCE"),
            ConditionalFormat(f"B4:B{last}", "icon_set", values=[6, 12], icon_style="3TrafficLights1"),
            ConditionalFormat(f"C4:C{last}", "data_bar", fill="638EC6"),
            ConditionalFormat(f"A4:A{last}", "color_scale", values=["F8696B", "FFEB84", "63BE7B"]),
        ],
        charts=[Chart("line", "Arvo kuukausittain", "G3", [Series("Arvo", f"B4:B{last}", f"A4:A{last}")],
                      y_title="Arvo", x_title="Kuukausi")],
        hyperlinks=[Hyperlink(f"F{4 + i}", target=f"Toteumat!D{2 + i}", text=f"Toteumat!D{2 + i}") for i in range(3)],
        freeze="A4",
        print_setup=PrintSetup(landscape=True, header='&L&"-,Bold"Raportti&R&D', print_area=f"A1:F{last + 1}"),
        tab_color="1F4E79",
    )
