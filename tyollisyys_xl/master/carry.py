"""What `build --from` carries besides cell values: formulas, error results, notes, fills, hidden rows, and
text typed on the tool's text sheets. Each is carried or refused with a list; nothing is dropped silently.

| found in OLD | what happens |
|---|---|
| a formula in an input table | carried: the same formula, with its cached result, so that validation and any reader that does not recalculate see the same value |
| an error value that a formula gives | carried with its formula (validation still reports EXCEL_VIRHE) |
| an error value typed as a constant | refused: there is no such cell to write; fix or clear it first |
| an array or data-table formula; a formula referring to another workbook, or to a sheet or name the new master lacks; a formula in a header | refused |
| a note (comment) on any cell of any sheet of the master | carried: text and author |
| a solid fill on an input sheet | carried, as its RGB colour (a theme or palette colour is resolved); the tool's own highlights are not |
| a patterned or gradient fill on an input sheet | refused |
| a hidden row on an input sheet | carried |
| text or a formula typed on Ohjaus or Ohjelma into a cell the tool left unformatted | carried to the same cell; refused when the new layout uses that cell |

The tool's own formatting of Ohjaus, Ohjelma, Listat and xlwings.conf (its headings, widths, colours) is
rebuilt from the sources. OLD is read with openpyxl from the run's snapshot: reading only, never saving.
"""

from __future__ import annotations

import colorsys
import datetime as dt
import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from defusedxml import ElementTree
from openpyxl.formula import Tokenizer
from openpyxl.formula.tokenizer import Token
from openpyxl.styles.colors import COLOR_INDEX
from openpyxl.utils import get_column_letter

from tyollisyys_xl.core.parsing import quote
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.io.snapshot import REPAIR
from tyollisyys_xl.master.reading import BuildError

Position = tuple[int, int]  # 0-based (row, column), as xlsxwriter counts
TEXT_SHEETS = ("Ohjaus", "Ohjelma")  # the tool's text sheets: a user's own text there is carried by position
_A1 = re.compile(r"\$?[A-Za-z]{1,3}\$?\d+(:\$?[A-Za-z]{1,3}\$?\d+)?|\$?[A-Za-z]{1,3}:\$?[A-Za-z]{1,3}|\$?\d+:\$?\d+")
_DRAWING_NS = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_THEME_ORDER = ("lt1", "dk1", "lt2", "dk2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
                "hlink", "folHlink")  # theme colour index -> clrScheme element (Excel swaps light and dark)


@dataclass
class SheetExtras:
    """What one sheet carries besides the table values; positions are 0-based (row, column)."""

    formulas: dict[Position, tuple[str, Any]] = field(default_factory=dict)  # "=D2*2", cached result or error text
    notes: dict[Position, tuple[str, str]] = field(default_factory=dict)  # text, author
    fills: dict[Position, str] = field(default_factory=dict)  # "RRGGBB"
    hidden_rows: set[int] = field(default_factory=set)
    values: dict[Position, Any] = field(default_factory=dict)  # a user's own cells on a text sheet

    def __bool__(self) -> bool:
        return any((self.formulas, self.notes, self.fills, self.hidden_rows, self.values))

    def last_data_row(self) -> int:
        """The last row holding a formula (0-based; -1 when none): an input table must reach down to it."""
        return max((row for row, _ in self.formulas), default=-1)


@dataclass(frozen=True)
class Layout:
    """What a fresh build of the current sources holds, for deciding what can go where."""

    sheets: frozenset[str]
    names: frozenset[str]  # defined names and table names a formula may use
    text_cells: Mapping[str, frozenset[Position]]  # per text sheet: cells the tool writes or merges


def address(sheet: str, position: Position) -> str:
    return f"{sheet}!{get_column_letter(position[1] + 1)}{position[0] + 1}"


# --- colours ------------------------------------------------------------------------------------------


def _theme_colours(theme_xml: bytes | None) -> list[str]:
    if not theme_xml:
        return []
    scheme = next(ElementTree.fromstring(theme_xml).iter(f"{_DRAWING_NS}clrScheme"), None)
    if scheme is None:
        return []
    found = {}
    for element in scheme:
        name = element.tag.removeprefix(_DRAWING_NS)
        colour = next(iter(element), None)
        if colour is not None:
            found[name] = colour.get("lastClr") or colour.get("val") or ""
    return [found.get(name, "") for name in _THEME_ORDER]


def _tinted(rgb: str, tint: float) -> str:
    """Excel's tint: lighten (tint > 0) or darken (tint < 0) in HLS space."""
    if not tint:
        return rgb
    r, g, b = (int(rgb[i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, light, saturation = colorsys.rgb_to_hls(r, g, b)
    light = light * (1 + tint) if tint < 0 else light * (1 - tint) + tint
    return "".join(f"{round(v * 255):02X}" for v in colorsys.hls_to_rgb(hue, light, saturation))


def resolved_rgb(colour: Any, theme: list[str]) -> str | None:
    """An openpyxl Color as "RRGGBB", or None when it cannot be resolved (the system's own colours)."""
    if colour is None:
        return None
    if colour.type == "rgb" and isinstance(colour.rgb, str) and len(colour.rgb) >= 6:
        return _tinted(colour.rgb[-6:].upper(), colour.tint or 0)
    if colour.type == "indexed" and colour.indexed is not None and colour.indexed < len(COLOR_INDEX):
        return _tinted(COLOR_INDEX[colour.indexed][-6:].upper(), colour.tint or 0)
    if colour.type == "theme" and colour.theme is not None and colour.theme < len(theme) and theme[colour.theme]:
        return _tinted(theme[colour.theme].upper(), colour.tint or 0)
    return None


# --- formulas -----------------------------------------------------------------------------------------


def formula_problem(formula: str, layout: Layout) -> str | None:
    """Why a formula cannot be carried into the new master (Finnish), or None when it can."""
    try:
        tokens = Tokenizer(formula).items
    except Exception:  # openpyxl's tokenizer raises bare exceptions on malformed text
        return "kaavaa ei voi tulkita"
    for token in tokens:
        if token.type != Token.OPERAND or token.subtype != Token.RANGE:
            continue
        sheet, bang, local = token.value.rpartition("!")
        if bang:
            sheet = sheet.strip("'").replace("''", "'")
            if sheet.startswith("[") or "[" in sheet:
                return "kaava viittaa toiseen työkirjaan"
            if sheet not in layout.sheets:
                return f"kaava viittaa välilehteen {quote(sheet)}, jota uudessa päätyökirjassa ei ole"
        elif not _A1.fullmatch(local):
            name = local.split("[", 1)[0]
            if name and name not in layout.names:
                return f"kaava käyttää nimeä {quote(name)}, jota uudessa päätyökirjassa ei ole"
    return None


# --- reading OLD --------------------------------------------------------------------------------------


@dataclass
class Carried:
    extras: dict[str, SheetExtras]
    problems: list[str]  # what cannot be carried, Finnish, one item each (never a cell's value unmasked)


def read_extras(book: CalamineSource, input_sheets: Iterable[str], layout: Layout,
                tool_highlights: Mapping[str, set[str]]) -> Carried:
    """Everything OLD holds besides input values, sorted into what is carried and what is refused."""
    import openpyxl

    with warnings.catch_warnings():  # openpyxl's notes on extensions it does not read are for developers
        warnings.simplefilter("ignore")
        try:
            workbook = openpyxl.load_workbook(book.snapshot.stream(), data_only=False, rich_text=False)
        except Exception as exc:  # openpyxl raises whatever its parsers raise
            raise BuildError(f"Työkirjan {book.path} muotoilua (kaavat, muistiinpanot, täyttövärit) ei voi lukea, "
                             f"joten sitä ei voi siirtää. {REPAIR}") from exc
    theme = _theme_colours(workbook.loaded_theme)
    inputs = set(input_sheets)
    carried = Carried({}, [])
    for sheet in workbook.worksheets:
        extras = SheetExtras()
        if sheet.title in inputs:
            _input_sheet(sheet, extras, carried.problems, layout, theme, tool_highlights.get(sheet.title, set()))
        elif sheet.title in TEXT_SHEETS:
            _text_sheet(sheet, extras, carried.problems, layout)
        _notes(sheet, extras)
        if extras:
            carried.extras[sheet.title] = extras
    return carried


def _notes(sheet: Any, extras: SheetExtras) -> None:
    for row in sheet.iter_rows():
        for cell in row:
            if cell.comment is not None:
                extras.notes[(cell.row - 1, cell.column - 1)] = (cell.comment.text or "", cell.comment.author or "")


def _input_sheet(sheet: Any, extras: SheetExtras, problems: list[str], layout: Layout, theme: list[str],
                 highlighted: set[str]) -> None:
    name = sheet.title
    extras.hidden_rows = {number - 1 for number, dimension in sheet.row_dimensions.items() if dimension.hidden}
    for row in sheet.iter_rows():
        for cell in row:
            position = (cell.row - 1, cell.column - 1)
            where = address(name, position)
            if cell.data_type == "e":
                problems.append(f"{where}: solussa on virhearvo {quote(cell.value)} vakiona; korjaa tai tyhjennä se")
            elif cell.data_type == "f":
                _formula(cell, position, where, extras, problems, layout)
            fill = cell.fill
            if fill is None or fill.fill_type is None or cell.coordinate in highlighted:
                continue
            rgb = resolved_rgb(fill.fgColor, theme) if fill.fill_type == "solid" else None
            if rgb is None:
                problems.append(f"{where}: täyttökuviota tai -väriä ei voi siirtää; vaihda se tasaiseksi väriksi tai poista")
            else:
                extras.fills[position] = rgb


def _formula(cell: Any, position: Position, where: str, extras: SheetExtras, problems: list[str],
             layout: Layout) -> None:
    if not isinstance(cell.value, str):  # ArrayFormula, DataTableFormula
        problems.append(f"{where}: matriisi- tai tietotaulukkokaavaa ei voi siirtää; muuta se tavalliseksi kaavaksi")
        return
    if position[0] == 0:
        problems.append(f"{where}: otsikkorivillä on kaava; kirjoita otsikko tekstinä")
        return
    problem = formula_problem(cell.value, layout)
    if problem:
        problems.append(f"{where}: {problem}")
    else:
        extras.formulas[position] = (cell.value, None)  # the cached result is set from the values (see with_results)


def _text_sheet(sheet: Any, extras: SheetExtras, problems: list[str], layout: Layout) -> None:
    """A user's own cells on a text sheet: those with a value and no formatting (everything the tool writes
    there is formatted: headings, labels, instruction rows, status cells)."""
    taken = layout.text_cells.get(sheet.title, frozenset())
    for row in sheet.iter_rows():
        for cell in row:
            if cell.value is None or cell.has_style:
                continue
            position = (cell.row - 1, cell.column - 1)
            if position in taken:
                problems.append(f"{address(sheet.title, position)}: uusi {sheet.title}-välilehti käyttää tätä solua; "
                                "siirrä oma tekstisi toiseen soluun (esim. sarakkeeseen F)")
            elif cell.data_type == "f":
                _formula(cell, position, address(sheet.title, position), extras, problems, layout)
            elif cell.data_type != "e":
                extras.values[position] = cell.value


def with_results(extras: Mapping[str, SheetExtras], book: CalamineSource) -> None:
    """Give each carried formula the result OLD has cached for it (a value, or an error's text)."""
    for sheet, sheet_extras in extras.items():
        if not sheet_extras.formulas:
            continue
        values = book.sheet_values(sheet)  # error cells as their text
        for (row, col), (formula, _) in list(sheet_extras.formulas.items()):
            cached = values[row][col] if row < len(values) and col < len(values[row]) else None
            sheet_extras.formulas[(row, col)] = (formula, cached)


def layout_of(fresh: CalamineSource, tables: Iterable[str]) -> Layout:
    """The layout of a fresh build: its sheets, the names a formula may use, the cells of its text sheets."""
    root = ElementTree.fromstring(fresh.snapshot.read("xl/workbook.xml"))
    names = {element.get("name") for element in root.iter() if element.tag.endswith("definedName")}
    cells = {}
    for sheet in TEXT_SHEETS:
        values = fresh.sheet_values(sheet)
        taken = {(r, c) for r, row in enumerate(values) for c, value in enumerate(row) if value is not None}
        for merged in fresh.sheet_facts(sheet).merged_ranges:
            taken |= set(_cells_of(merged))
        cells[sheet] = frozenset(taken)
    return Layout(frozenset(fresh.every_sheet_name()), frozenset(names) | frozenset(tables), cells)


def _cells_of(merged: str) -> Iterable[Position]:
    from openpyxl.utils.cell import range_boundaries

    left, top, right, bottom = range_boundaries(merged)
    return ((r - 1, c - 1) for r in range(top, bottom + 1) for c in range(left, right + 1))


_EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 0, so that 1.3.1900 is 61 (Excel counts a 29.2.1900)


def excel_result(value: Any) -> Any:
    """A cached result as xlsxwriter writes it: dates as serial numbers, an empty result as ""."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
        serial = (moment - _EXCEL_EPOCH) / dt.timedelta(days=1)
        return serial - 1 if serial < 61 else serial
    return value
