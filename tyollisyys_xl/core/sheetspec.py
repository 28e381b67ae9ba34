"""A generated sheet described as data, so that one description renders the same way headless
(XlsxWriter, the report file) and inside Excel (xlwings).

The core produces SheetSpecs; the adapters in tyollisyys_xl.io render them. Coordinates are 1-based
(row, column); ranges are A1 strings such as "B2:F40". Everything here is plain data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# Every generated sheet carries this text in a defined name / cell note so the tool knows it is its own.
GENERATED_MARK = "tyollisyys-xl:generoitu"


@dataclass(frozen=True)
class Formula:
    """A formula the tool itself wrote, e.g. Formula("=SUM(Toteumat!D2:D9)").

    Only values wrapped like this are written as formulas; any plain string, even one starting
    with "=", "+", "-" or "@", is written as text (user text must never become a formula).
    """

    text: str
    cached: object = None  # the value Python computed, for readers that do not recalculate


@dataclass
class Block:
    """A rectangle of values written in one call, top-left at (row, col)."""

    row: int
    col: int
    values: list[list[Any]]


@dataclass
class Style:
    """Formatting applied to a range in one call."""

    range: str
    number_format: str | None = None
    bold: bool = False
    italic: bool = False
    font_size: float | None = None
    font_color: str | None = None  # "RRGGBB"
    fill: str | None = None  # "RRGGBB"
    wrap: bool = False
    align: Literal["left", "center", "right"] | None = None
    border: bool = False


@dataclass
class ConditionalFormat:
    """cell_is: compare to a value; text: cell equals text; formula: a true formula formats the cell;
    icon_set / data_bar / color_scale as Excel has them.

    values per kind: cell_is -> the operand(s) (two for "between"); text -> [the text];
    formula -> [the formula, e.g. '=$B5="Yhteensä"', its relative references written for the range's
    top-left cell (as Excel's dialog shows them); one rule styles rows of any number in one call];
    icon_set -> the thresholds between icons, increasing numbers (2 for a 3-icon set);
    data_bar -> [] (automatic) or [minimum, maximum], bar colour in fill;
    color_scale -> 2 or 3 colours "RRGGBB" from the lowest value to the highest.
    fill, font_color and bold apply to cell_is, text and formula.
    """

    range: str
    kind: Literal["cell_is", "text", "formula", "icon_set", "data_bar", "color_scale"]
    operator: str | None = None  # for cell_is: "lessThan", "greaterThanOrEqual", "equal", "between", ...
    values: list[Any] = field(default_factory=list)
    fill: str | None = None
    font_color: str | None = None
    icon_style: str | None = None  # e.g. "3TrafficLights1"
    bold: bool = False


@dataclass
class Series:
    """One series; dash and marker tell it apart from the others in grey print, not its colour alone.

    Lines are always straight (never smoothed). A renderer that cannot set a look leaves it to the client
    (docs/excel.md lists what each client can do).
    """

    name: str
    values: str  # range of the values on this sheet, e.g. "C5:C16"
    categories: str | None = None  # range of the category labels
    color: str | None = None  # "RRGGBB": the line of a line series, the fill of a bar or column
    dash: Literal["solid", "dash", "round_dot", "long_dash", "dash_dot"] = "solid"  # line series
    marker: Literal["circle", "square", "triangle", "diamond", "x", "none"] | None = None  # line series; None: automatic


@dataclass
class Chart:
    """A chart of series on its sheet. A bar chart lists its categories top-down, in the order of the
    table they come from (Excel's default is bottom-up); value_format is the value axis' number format."""

    kind: Literal["line", "bar", "column", "pie"]
    title: str
    anchor: str  # top-left cell, e.g. "H3"
    series: list[Series]
    width_cm: float = 16.0
    height_cm: float = 8.0
    y_title: str | None = None
    x_title: str | None = None
    value_format: str | None = None  # e.g. '#,##0 "€"': whole euros on the axis


@dataclass
class Hyperlink:
    cell: str  # where the link text stands on this sheet
    target: str  # an in-workbook address, e.g. "Toteumat!D17"
    text: str


CM_PER_INCH = 2.54


@dataclass(frozen=True)
class Margins:
    """Page margins in centimetres; the defaults are Excel's "Normal" margins."""

    left: float = 1.78
    right: float = 1.78
    top: float = 1.91
    bottom: float = 1.91
    header: float = 0.76  # from the page edge to the header text
    footer: float = 0.76


@dataclass
class PrintSetup:
    """How a sheet prints. Header and footer use Excel's codes: &L, &C, &R start the left, centre and
    right sections; &P is the page number, &N the page count, &A the sheet name, &D the date.

    Fitting: fit_width pages wide and fit_height pages tall (0 = as many as needed); a scale (percent)
    instead prints at that size and fits nothing.
    """

    paper: Literal["A4"] = "A4"
    landscape: bool = False
    fit_width: int = 1
    fit_height: int = 1  # 0 = as many pages as needed
    scale: int | None = None  # percent, 10..400; set: no fitting
    margins: Margins = field(default_factory=Margins)
    repeat_rows: tuple[int, int] | None = None  # (first, last) row printed at the top of every page
    repeat_columns: tuple[str, str] | None = None  # ("A", "B") printed at the left of every page
    header: str | None = None  # e.g. '&L&"-,Bold"Kuntakortti Jämsä&R&D'
    footer: str | None = None  # e.g. "&LTilanne 6/2026&RSivu &P / &N"
    print_area: str | None = None
    center_horizontally: bool = False
    center_vertically: bool = False


@dataclass(frozen=True)
class SheetTemplate:
    """The hidden sheet a spec is a copy of (municipality cards): everything but the values.

    Inside Excel a card is then a copy of this sheet plus one values write, instead of a hundred
    formatting calls. spec holds the template's own SheetSpec (hidden, its stamp in A1, which every
    copy's values write overwrites); stamp names the layout, so a stale template is rendered anew.
    """

    spec: "SheetSpec"
    stamp: str


@dataclass
class SheetSpec:
    name: str
    blocks: list[Block] = field(default_factory=list)
    styles: list[Style] = field(default_factory=list)
    column_widths: dict[str, float] = field(default_factory=dict)  # column letter -> width in characters
    row_heights: dict[int, float] = field(default_factory=dict)  # row number -> height in points (wrapped headers)
    conditional_formats: list[ConditionalFormat] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    hyperlinks: list[Hyperlink] = field(default_factory=list)
    freeze: str | None = None  # top-left cell of the scrolling pane, e.g. "A2"
    print_setup: PrintSetup | None = None
    tab_color: str | None = None
    hidden: bool = False  # e.g. the tool's own bookkeeping sheet
    merged_ranges: list[str] = field(default_factory=list)  # e.g. ["A1:F1"]; the top-left cell holds the value
    template: SheetTemplate | None = None  # set when the sheet is a copy of a template sheet (cards)

    def values_grid(self) -> dict[tuple[int, int], Any]:
        """Every written cell as {(row, col): value}: what tests compare across renderers."""
        grid = {}
        for block in self.blocks:
            for r, row in enumerate(block.values):
                for c, value in enumerate(row):
                    grid[(block.row + r, block.col + c)] = value
        return grid
