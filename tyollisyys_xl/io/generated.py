"""What every renderer (XlsxWriter for the report file, xlwings in Excel) shares, so that they give the same sheets.

- How a generated sheet is marked: a sheet-scoped defined name that refers to the sheet's own A1.
  It lives inside the workbook, travels with the sheet in Excel (a copied sheet carries it too), is
  reported by every xlwings client (they send range names only) and is in workbook.xml for readers.
  A sheet without it is never removed.
- The replacement plan: which of the tool's sheets go, where the new ones stand, and the case rule
  that protects a user's sheet of the same name (plan_replacement). Adapters only carry it out.
- How a spec becomes cells: its blocks plus HYPERLINK formulas for its links (a formula rides along
  in the one values write; a real hyperlink would cost one call per link in Excel).
- Highlights of offending input cells and the hidden sheet that remembers them, so that the next
  run clears exactly the cells the tool coloured and never a user's own fill (plan_highlights).

Pure: no XlsxWriter or xlwings import, so a button press pays for neither here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from tyollisyys_xl.core.cells import cell, cell_range, column_letter
from tyollisyys_xl.core.findings import ERROR, Finding
from tyollisyys_xl.core.safe_text import INVALID_XML
from tyollisyys_xl.core.sheetspec import Block, Formula, Hyperlink, SheetSpec, Style

GENERATED_NAME = "TyollisyysXL_Generoitu"
# A workbook-scoped name the demo generator writes (and build --from carries): the workbook holds fictional
# data. A name is not a cell: clearing Ohjaus does not remove it, and every reader and xlwings client sees it.
DEMO_NAME = "TyollisyysXL_Esimerkkiaineisto"
HIGHLIGHT_SHEET = "Korostukset"
HIGHLIGHT_HEADERS = ["Välilehti", "Solu", "Solu nyt"]
HIGHLIGHT_GONE = "poistettu"  # what the tracking formula shows once its cell's row or column is deleted
ERROR_FILL = "FFC7CE"  # light red, as Excel's "bad" style
WARNING_FILL = "FFEB9C"  # light yellow, as Excel's "neutral" style

_ILLEGAL_CHARACTERS = INVALID_XML  # what XML 1.0 cannot carry: left out of a written cell (validation reports it)
_CELL = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


class GeneratedSheetConflict(Exception):
    """A sheet the tool must write already exists and is not the tool's own: it is never overwritten."""

    def __init__(self, sheet: str):
        self.sheet = sheet
        super().__init__(
            f"Välilehti '{sheet}' on jo työkirjassa, mutta sitä ei ole tehnyt tämä työkalu. "
            f"Nimeä se uudelleen, niin työkalu voi luoda oman '{sheet}'-välilehtensä."
        )


def quote_sheet(name: str) -> str:
    """A sheet name as a formula reference prefix; quoting is always valid, so always quote."""
    return "'" + name.replace("'", "''") + "'"


def marker_reference(sheet: str) -> str:
    return f"={quote_sheet(sheet)}!$A$1"


def column_index(letters: str) -> int:
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


def parse_cell(address: str) -> tuple[int, int]:
    """'D17' -> (17, 4)."""
    match = _CELL.match(address.strip())
    if not match:
        raise ValueError(f"not a cell address: {address!r}")
    return int(match.group(2)), column_index(match.group(1))


def equal_runs(sizes: Mapping[int, float]) -> list[tuple[int, int, float]]:
    """(first, last, size) for each run of consecutive positions (columns or rows) that share a size:
    in Excel, one call sizes a whole run."""
    runs: list[list] = []
    for position, size in sorted(sizes.items()):
        if runs and runs[-1][1] == position - 1 and runs[-1][2] == size:
            runs[-1][1] = position
        else:
            runs.append([position, position, size])
    return [(first, last, size) for first, last, size in runs]


def expand_cells(address: str) -> list[tuple[int, int]]:
    """'D17' or 'D17:E18' -> the cells it covers."""
    first, _, last = address.partition(":")
    (r1, c1), (r2, c2) = parse_cell(first), parse_cell(last or first)
    return [(r, c) for r in range(min(r1, r2), max(r1, r2) + 1) for c in range(min(c1, c2), max(c1, c2) + 1)]


def frozen_range(scroll_top_left: str) -> str | None:
    """SheetSpec.freeze names the first scrolling cell (as openpyxl does); Excel's freeze_at wants the frozen part."""
    row, col = parse_cell(scroll_top_left)
    if row > 1 and col > 1:
        return cell(row - 1, col - 1)
    if row > 1:
        return f"1:{row - 1}"
    if col > 1:
        return f"A:{column_letter(col - 1)}"
    return None


_SECTION_CODES = {"&L": "left", "&C": "center", "&R": "right"}


def header_sections(header: str) -> dict[str, str]:
    """Split Excel header code text ('&L...&C...&R...') into its left/center/right sections. A doubled "&" is
    Excel's literal ampersand ("T&&K"): it stays in its section, and its second "&" never starts a code."""
    sections = {"left": "", "center": "", "right": ""}
    current = "center"  # text before any code is centred
    for token in re.split(r"(&&|&[LCR])", header):
        if token in _SECTION_CODES:
            current = _SECTION_CODES[token]
        else:
            sections[current] += token
    return sections


def clean_value(value: Any) -> Any:
    """One value as both renderers write it: plain Python scalars, no NaN, no Decimal, no illegal characters."""
    kind = type(value)  # the common cases first: a report has hundreds of thousands of cells
    if kind is float:
        return value if value == value else None
    if kind is str:
        return value if value.isprintable() or not _ILLEGAL_CHARACTERS.search(value) else _ILLEGAL_CHARACTERS.sub("", value)
    if kind is int:
        return value
    if value is None or isinstance(value, (bool, Formula)):
        return value
    if value.__class__.__name__ in ("NAType", "NaTType"):  # pandas' missing values
        return None
    if isinstance(value, str):
        return _ILLEGAL_CHARACTERS.sub("", value)
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        value = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "item"):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def hyperlink_formula(link: Hyperlink) -> Formula:
    """An in-workbook link as a HYPERLINK formula: works in Excel, Excel on the web and LibreOffice alike."""
    target = link.target.replace('"', '""')
    text = link.text.replace('"', '""')
    return Formula(f'=HYPERLINK("#{target}","{text}")', cached=link.text)


def link_sheet(target: str) -> str:
    """The sheet an in-workbook address points to: "'Omat (2)'!B3" -> "Omat (2)"."""
    sheet = target.rpartition("!")[0]
    return sheet[1:-1].replace("''", "'") if sheet.startswith("'") and sheet.endswith("'") else sheet


def sheet_cells(spec: SheetSpec, sheets: Iterable[str] | None = None) -> dict[tuple[int, int], Any]:
    """Every cell the spec writes, links included, as {(row, col): clean value}.

    sheets: the sheets the written workbook holds (None: every link's target is there). A link to a
    sheet that is not there is written as its text, not as a link that leads nowhere.
    """
    cells = {key: clean_value(value) for key, value in spec.values_grid().items()}
    present = None if sheets is None else {name.casefold() for name in sheets}
    for link in spec.hyperlinks:
        live = present is None or link_sheet(link.target).casefold() in present
        cells[parse_cell(link.cell)] = hyperlink_formula(link) if live else clean_value(link.text)
    return cells


def dense_block(cells: Mapping[tuple[int, int], Any]) -> Block | None:
    """The bounding rectangle of the cells as one Block (gaps None): a new sheet takes it in one write."""
    if not cells:
        return None
    rows = [r for r, _ in cells]
    cols = [c for _, c in cells]
    top, left = min(rows), min(cols)
    grid = [[None] * (max(cols) - left + 1) for _ in range(max(rows) - top + 1)]
    for (r, c), value in cells.items():
        grid[r - top][c - left] = value
    return Block(row=top, col=left, values=grid)


@dataclass(frozen=True)
class ReplacementPlan:
    """What regenerating sheets does to a workbook, decided before anything is written.

    Adapters only carry it out: delete `remove`, then add the new sheets in the given order right
    after `after` (before every sheet when None).
    """

    remove: tuple[str, ...]  # the tool's own sheets to delete, as the workbook spells them
    after: str | None


def plan_replacement(names: Sequence[str], existing: Sequence[str], generated: Iterable[str]) -> ReplacementPlan:
    """Plan writing sheets `names` into a workbook whose sheets are `existing`, `generated` of them the tool's.

    The case rule: Excel's sheet names ignore case, so names are compared casefolded. A sheet of the
    same name that the tool did not make stops the run (GeneratedSheetConflict): it is a user's and is
    never replaced. One of the tool's own is removed and comes back under the new spelling.
    The new sheets go where the first removed one stood (a rerun puts them back in place), else
    after the last sheet.
    """
    wanted = {name.casefold() for name in names}
    if len(wanted) < len(names):
        raise ValueError(f"sheet names repeat (ignoring case): {list(names)}")
    ours = {name.casefold() for name in generated}
    for name in existing:
        if name.casefold() in wanted and name.casefold() not in ours:
            raise GeneratedSheetConflict(next(n for n in names if n.casefold() == name.casefold()))
    removed = [name for name in existing if name.casefold() in wanted]
    first_removed = next((i for i, name in enumerate(existing) if name.casefold() in wanted), None)
    before = existing[:first_removed] if first_removed is not None else existing
    kept_before = [name for name in before if name.casefold() not in wanted]
    return ReplacementPlan(remove=tuple(removed), after=kept_before[-1] if kept_before else None)


def highlight_fills(findings: Iterable[Finding], skip_sheets: Iterable[str] = ()) -> dict[str, dict[str, str]]:
    """{sheet: {cell: fill}} for findings located to a cell; an error's colour wins over a warning's."""
    skip = {name.casefold() for name in skip_sheets}
    fills: dict[str, dict[str, str]] = {}
    for finding in findings:
        if not finding.cell or finding.sheet.casefold() in skip:
            continue
        colour = ERROR_FILL if finding.severity == ERROR else WARNING_FILL
        try:
            cells = expand_cells(finding.cell)
        except ValueError:
            continue
        sheet_fills = fills.setdefault(finding.sheet, {})
        for row, col in cells:
            address = cell(row, col)
            if sheet_fills.get(address) != ERROR_FILL:
                sheet_fills[address] = colour
    return fills


def highlight_state_spec(fills: Mapping[str, Mapping[str, str]]) -> SheetSpec:
    """The hidden sheet that remembers which cells this run coloured (rendered like any generated sheet).

    Beside each address stands a formula that points at the cell: when a user inserts or deletes rows,
    Excel moves the reference with the cell, so the next run clears the colour where it now is (or
    nowhere, once the cell itself is deleted).
    """
    def tracking(sheet: str, address: str) -> Formula:
        reference = "'" + sheet.replace("'", "''") + "'!" + address  # quoted: valid for any sheet name
        return Formula(f'=IFERROR(ADDRESS(ROW({reference}),COLUMN({reference}),4),"{HIGHLIGHT_GONE}")', cached=address)

    rows = [[sheet, address, tracking(sheet, address)]
            for sheet in sorted(fills) for address in sorted(fills[sheet], key=parse_cell)]
    return SheetSpec(
        name=HIGHLIGHT_SHEET,
        blocks=[Block(1, 1, [HIGHLIGHT_HEADERS, *rows])],
        styles=[Style("A1:C1", bold=True)],
        hidden=True,
    )


def _cell_address(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        parse_cell(value)
    except ValueError:
        return None
    return value.strip().upper()


def read_highlight_state(values: Sequence[Sequence[Any]] | None) -> dict[str, set[str]]:
    """{sheet: cells} from the hidden sheet's values; anything unreadable is ignored (it is only a memory).

    A cell is where the formula beside it says, as Excel computed it, and gone once it says so; where
    there is no computed address (a reader that does not calculate, a memory from before the formula),
    the address as written.
    """
    state: dict[str, set[str]] = {}
    for row in list(values or [])[1:]:
        now = row[2] if len(row) > 2 else None
        if len(row) < 2 or not isinstance(row[0], str) or now == HIGHLIGHT_GONE:
            continue
        address = _cell_address(now) or _cell_address(row[1])
        if address:
            state.setdefault(row[0], set()).add(address)
    return state


@dataclass(frozen=True)
class HighlightPlan:
    """The highlight changes of a run: per sheet {(row, col): fill, or None to clear last run's colour},
    and the hidden sheet that remembers this run's highlights (written with the generated sheets)."""

    changes: dict[str, dict[tuple[int, int], str | None]]
    memory: SheetSpec


def plan_highlights(
    memory_values: Sequence[Sequence[Any]] | None,
    fills: Mapping[str, Mapping[str, str]],
    existing: Sequence[str],
    generated: Iterable[str],
) -> HighlightPlan:
    """Colour this run's cells and clear last run's (memory_values: the memory sheet's values, None if
    there is none); only sheets that are not the tool's own are touched."""
    ours = set(generated)
    inputs = [name for name in existing if name not in ours]
    return HighlightPlan(
        changes=fill_changes(read_highlight_state(memory_values), fills, inputs),
        memory=highlight_state_spec({sheet: fills[sheet] for sheet in inputs if sheet in fills}),
    )


def highlight_styles(fills: Mapping[str, str]) -> list[Style]:
    """One sheet's highlights as fill styles (a new file has no earlier colours to clear)."""
    return coalesce_styles(Style(address, fill=fill) for address, fill in sorted(fills.items(), key=lambda i: parse_cell(i[0])[::-1]))


def fill_changes(
    previous: Mapping[str, Iterable[str]], current: Mapping[str, Mapping[str, str]], sheets: Iterable[str]
) -> dict[str, dict[tuple[int, int], str | None]]:
    """Per existing sheet: new highlights get their fill, last run's highlights that are gone get none."""
    changes: dict[str, dict[tuple[int, int], str | None]] = {}
    for sheet in sheets:
        sheet_changes = {parse_cell(address): None for address in previous.get(sheet, ())}
        sheet_changes.update({parse_cell(address): fill for address, fill in current.get(sheet, {}).items()})
        if sheet_changes:
            changes[sheet] = sheet_changes
    return changes


def fill_bands(
    changes: Mapping[tuple[int, int], str | None], max_cells: int = 10_000
) -> list[tuple[int, int, list[list[Any]]]]:
    """Fill changes as few rectangles as possible, (top, left, matrix) with ... for "leave as it is".

    Rectangles span the changed columns and at most max_cells cells (xlwings' set_colors limit), so a
    handful of calls colour any number of cells.
    """
    if not changes:
        return []
    left = min(c for _, c in changes)
    width = max(c for _, c in changes) - left + 1
    rows_per_band = max(1, max_cells // width)
    bands = []
    rows = sorted({r for r, _ in changes})
    i = 0
    while i < len(rows):
        top = rows[i]
        while i + 1 < len(rows) and rows[i + 1] < top + rows_per_band:
            i += 1
        bottom = rows[i]
        matrix = [[changes.get((r, left + k), ...) for k in range(width)] for r in range(top, bottom + 1)]
        bands.append((top, left, matrix))
        i += 1
    return bands


def cf_operand(value: Any) -> str:
    """A conditional-format comparison value as formula text: numbers as they are, text quoted."""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    return repr(float(value)) if isinstance(value, Decimal) else str(value)


def _bounds(address: str) -> tuple[int, int, int, int]:
    first, _, last = address.partition(":")
    (r1, c1), (r2, c2) = parse_cell(first), parse_cell(last or first)
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def coalesce_styles(styles: Iterable[Style]) -> list[Style]:
    """Merge styles that format alike and together form a rectangle into one range.

    A per-column or per-row loop of the same format becomes one range: one call in Excel instead of
    one per column or row. A style merges into an earlier one only when no style between them
    touches either range, so the result is the same as applying them one by one.
    """
    merged: list[Style] = []
    for style in styles:
        for j in range(len(merged) - 1, -1, -1):
            if _mergeable(merged[j], style):
                top, left, bottom, right = (
                    f(a, b) for f, a, b in zip((min, min, max, max), _bounds(merged[j].range), _bounds(style.range))
                )
                merged[j] = replace(style, range=cell_range(top, left, bottom, right))
                break
            if _overlap(merged[j], style):
                merged.append(style)
                break
        else:
            merged.append(style)
    return merged


def _overlap(a: Style, b: Style) -> bool:
    try:
        (t1, l1, b1, r1), (t2, l2, b2, r2) = _bounds(a.range), _bounds(b.range)
    except ValueError:  # whole rows or columns: assume they touch
        return True
    return t1 <= b2 and t2 <= b1 and l1 <= r2 and l2 <= r1


def _mergeable(a: Style, b: Style) -> bool:
    if replace(a, range="") != replace(b, range=""):
        return False
    try:
        (t1, l1, b1, r1), (t2, l2, b2, r2) = _bounds(a.range), _bounds(b.range)
    except ValueError:  # whole rows or columns ("A:A") are left as they are
        return False
    side_by_side = (t1, b1) == (t2, b2) and (l2 == r1 + 1 or l1 == r2 + 1)
    stacked = (l1, r1) == (l2, r2) and (t2 == b1 + 1 or t1 == b2 + 1)
    return side_by_side or stacked
