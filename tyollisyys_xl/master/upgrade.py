"""`build --from OLD OUT`: a fresh master from the current sources, carrying every input row of OLD.

Once coordinators have typed into a master, its rows exist nowhere else, so an upgrade must lose
nothing: every input table of OLD is read by its Finnish headers and written unchanged into the fresh
tables (numbers as numbers, dates as dates, text as text, each row where it stood), with what OLD holds
besides values (formulas, notes, fills, hidden rows, a user's own text on Ohjaus: master/carry.py). The
new file is read back and compared, values by type, formulas by text and cached result, notes, fills
and hidden rows, before it replaces anything. What cannot be carried (a column the schema does not know,
a required column missing, a sheet that is neither the master's nor the tools', a constant error value,
a formula that would break) stops the upgrade before anything is written, with the full list. No message
repeats a cell's value: a value is described by its kind, a text through quote() (shortened, HETU masked).

The one exception is the approved programme: Mittarit's approved columns (x-approved) come from the
sources, since editing programme/ohjelma2026.yaml and running `build --from` is how the programme is
changed; the columns coordinators edit (owner, data source, monthly profile, entry instruction …) are
carried from OLD by indicator id. Every approved value that changes is listed in the report.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

from tyollisyys_xl.core.parsing import quote
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.core.validation.sheets import scan_texts
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.io.generated import HIGHLIGHT_SHEET, read_highlight_state
from tyollisyys_xl.core.reports.cards import TEMPLATE_SHEET
from tyollisyys_xl.master.builder import build_fresh, build_master
from tyollisyys_xl.master.layout import LISTAT, OHJAUS, OHJELMA, XLWINGS_CONF
from tyollisyys_xl.master.sources import Sources, default_rows, load_sources
from tyollisyys_xl.master.carry import Layout, SheetExtras, layout_of, read_extras, with_results
from tyollisyys_xl.master.demo import demo_notice
from tyollisyys_xl.master.reading import (
    BuildError,
    CellValue,
    InputTable,
    open_workbook,
    read_input_tables,
    sheet_values,
)

CARRIED_TYPES = (str, float, int, bool, dt.date)  # dt.datetime is a dt.date
MAX_LISTED = 25  # problems or differences listed in one message; the rest are counted
KINDS = {dt.time: "kellonaika", dt.timedelta: "kesto"}  # what calamine may give that a master cell cannot take


class CannotCarry(BuildError):
    """OLD holds something the current schemas have no place for; nothing was written."""

    def __init__(self, old: Path, problems: list[str]):
        self.problems = problems
        listed = listing(problems)
        super().__init__(
            f"Työkirjan {old} kaikkia tietoja ei voi siirtää uuteen päätyökirjaan, joten mitään ei kirjoitettu:\n"
            f"{listed}\nKorjaa nämä vanhaan työkirjaan (esim. palauta sarakkeen nimi) ja aja komento uudelleen."
        )


@dataclass
class UpgradeReport:
    carried: dict[str, int]  # sheet -> rows carried
    from_sources: list[str] = field(default_factory=list)  # input sheets OLD lacked: filled from the sources
    dropped_generated: list[str] = field(default_factory=list)  # the tools' own sheets, rebuilt by the buttons
    programme_changes: list[str] = field(default_factory=list)  # approved Mittarit values taken from the sources
    extras: dict[str, dict[str, int]] = field(default_factory=dict)  # sheet -> what was carried besides values, counted


def listing(items: list[str]) -> str:
    """Items as an indented list, at most MAX_LISTED of them, each line at most 300 characters."""
    shown = [f"  - {item if len(item) <= 300 else item[:299] + '…'}" for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        shown.append(f"  … ja {len(items) - MAX_LISTED} muuta")
    return "\n".join(shown)


def kind(value: CellValue) -> str:
    """A value described without showing it (it may be a personal identity code)."""
    if value is None:
        return "tyhjä"
    if isinstance(value, bool):
        return "totuusarvo"
    if isinstance(value, (int, float)):
        return "luku"
    if isinstance(value, dt.datetime):
        return "päivämäärä ja aika"
    if isinstance(value, dt.date):
        return "päivämäärä"
    if isinstance(value, str):
        return f"teksti ({len(value)} merkkiä)"
    return KINDS.get(type(value), "tuntematon arvo")


def _value_problems(table: InputTable) -> list[str]:
    problems = []
    for number, row in zip(table.row_numbers, table.rows):
        for key, value in row.items():
            if value is not None and not isinstance(value, CARRIED_TYPES):
                column = table.schema.column(key)
                letter = table.column_letters.get(key, "?")
                problems.append(f"{table.schema.sheet}!{letter}{number} ({column.header}): arvo on {kind(value)}, "
                                "jota päätyökirjan taulukko ei ota; kirjoita se päivämääränä, lukuna tai tekstinä")
    return problems


def _table_problems(table: InputTable) -> list[str]:
    sheet = table.schema.sheet
    problems = [f"{sheet}: {column} ei kuulu skeemaan" for column in table.unknown_columns]
    if table.rows:
        problems += [f"{sheet}: pakollinen sarake ”{header}” puuttuu" for header in table.missing_required]
    return problems + _value_problems(table)


def _other_sheets(book: CalamineSource, sources: Sources) -> tuple[list[str], list[str]]:
    """(the tools' generated sheets, sheets that are neither the master's nor the tools')."""
    master_sheets = {OHJAUS, OHJELMA, LISTAT, XLWINGS_CONF, TEMPLATE_SHEET, *(s.sheet for s in sources.schemas.values())}
    others = [name for name in book.every_sheet_name() if name not in master_sheets]
    marked = set(book.generated_sheets())
    generated = [name for name in others if name in marked]
    return generated, [name for name in others if name not in generated]


def xlwings_settings(book: CalamineSource) -> dict[str, CellValue]:
    """The key/value rows of the xlwings.conf sheet, read as xlwings does: from A1 to the first empty key."""
    if XLWINGS_CONF not in book.sheet_names():
        return {}
    settings = {}
    for row in sheet_values(book, XLWINGS_CONF):
        if not row or row[0] is None:
            break
        settings[str(row[0])] = row[1] if len(row) > 1 else None
    return settings


def _character_problems(book: CalamineSource) -> list[str]:
    """Cells holding a control character (as validation finds them): carried, they would break the new file."""
    hits = scan_texts({name: sheet_values(book, name) for name in book.sheet_names()}, table_sheets=())
    return [f"{hit.sheet}!{get_column_letter(hit.col + 1)}{hit.row}: {hit.message}"
            for hit in hits if hit.rule is Rule.OHJAUSMERKKI]


def _same(a: CellValue, b: CellValue) -> bool:
    """Equal and of the same kind: True is not 1.0 and a date is not a datetime."""
    return type(a) is type(b) and a == b


def _differences(old: Mapping[str, InputTable], new: Mapping[str, InputTable]) -> list[str]:
    found = []
    for name, table in old.items():
        if not table.present:
            continue
        sheet, written = table.schema.sheet, new[name]
        if written.row_numbers != table.row_numbers:
            found.append(f"{sheet}: {len(table.rows)} riviä, uudessa {len(written.rows)} (tai eri riveillä)")
            continue
        for number, before, after in zip(table.row_numbers, table.rows, written.rows):
            for column in table.schema.columns:
                was, now = before.get(column.key), after.get(column.key)
                if not _same(was, now):
                    letter = table.column_letters.get(column.key, "?")
                    change = f"oli {kind(was)}, uudessa {kind(now)}" if kind(was) != kind(now) else f"{kind(was)} muuttui"
                    found.append(f"{sheet}!{letter}{number} ({column.header}): {change}")
    return found


def _shown(value: CellValue) -> str:
    """An approved programme value as the change list shows it (text through quote(): shortened, HETU masked)."""
    return "tyhjä" if value is None else quote(value) if isinstance(value, str) else str(value)


def approved_programme(old: InputTable, sources: Sources) -> tuple[InputTable, list[str]]:
    """Mittarit for the new master: the sources' rows, with OLD's values of the editable columns by indicator id;
    and what changes in the approved columns (Finnish, one line per value or indicator)."""
    schema = old.schema
    approved = set(schema.approved_keys)
    by_id = {row.get("id"): row for row in old.rows}
    rows, changes = [], []
    for new in default_rows(sources)[schema.name]:
        new = {key: float(v) if isinstance(v, int) and not isinstance(v, bool) else v for key, v in new.items()}  # as read
        previous = by_id.pop(new["id"], None)
        if previous is None:
            changes.append(f"mittari {new['id']} lisättiin")
            rows.append(new)
            continue
        rows.append({key: new[key] if key in approved or key not in previous else previous[key] for key in new})
        changes += [f"{new['id']} {schema.column(key).header}: {_shown(previous[key])} → {_shown(new[key])}"
                    for key in schema.approved_keys if key in previous and previous[key] != new[key]]
    changes += [f"mittari {indicator_id} poistettiin (ei hyväksytyssä ohjelmassa)" for indicator_id in by_id]
    return InputTable(schema, True, rows, list(range(2, len(rows) + 2)), column_letters=old.column_letters), changes


EXTRA_PARTS = {"formulas": "kaava tai sen tulos", "notes": "muistiinpano", "fills": "täyttöväri",
               "hidden_rows": "piilotettu rivi", "values": "oma teksti"}


def _extras_differences(old: Mapping[str, SheetExtras], new: Mapping[str, SheetExtras]) -> list[str]:
    """Where the written file's formulas, notes, fills, hidden rows or a user's own cells differ from OLD's."""
    from tyollisyys_xl.master.carry import address

    found = []
    for sheet in sorted(set(old) | set(new)):
        before, after = old.get(sheet, SheetExtras()), new.get(sheet, SheetExtras())
        for part, label in EXTRA_PARTS.items():
            was, now = getattr(before, part), getattr(after, part)
            if part == "hidden_rows":
                found += [f"{sheet}: rivi {row + 1}: {label}" for row in sorted(was ^ now)]
                continue
            for position in sorted(set(was) | set(now)):
                if position not in was or position not in now or not _same_extra(was[position], now[position]):
                    found.append(f"{address(sheet, position)}: {label} ei säilynyt")
    return found


def _same_extra(a, b) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return _same(a, b)


def _positioned(table: InputTable, extras: SheetExtras | None) -> list[dict[str, CellValue]]:
    """The table's rows where they stood in OLD (an empty row keeps its place), down to its last formula, so that
    formulas, notes, fills and hidden rows stay on the rows they belong to."""
    last = max([*table.row_numbers, (extras.last_data_row() + 1) if extras else 0, 1])
    rows: list[dict[str, CellValue]] = [{} for _ in range(last - 1)]
    for number, row in zip(table.row_numbers, table.rows):
        rows[number - 2] = row
    return rows


def _fresh_layout(sources: Sources, notice: str | None, settings: Mapping[str, CellValue]) -> Layout:
    """The layout a fresh build of the sources has (its sheets, names, and the cells of Ohjaus and Ohjelma)."""
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / "tuore.xlsm"
        build_fresh(fresh, sources, notice, settings)
        return layout_of(open_workbook(fresh), [schema.table for schema in sources.schemas.values()])


def _extras(book: CalamineSource, tables: Mapping[str, InputTable], layout: Layout):
    highlights = read_highlight_state(sheet_values(book, HIGHLIGHT_SHEET)) if HIGHLIGHT_SHEET in book.sheet_names() else {}
    carried = read_extras(book, [t.schema.sheet for t in tables.values() if t.present], layout, highlights)
    with_results(carried.extras, book)
    return carried


def upgrade_master(old: Path | str, out: Path | str, sources: Path | Sources | None = None,
                   edit: Callable[[dict[str, InputTable]], None] | None = None) -> UpgradeReport:
    """Build a fresh master at out carrying every input row of old, and prove nothing was lost or changed.

    edit: changes the rows read from old before they are written (`collect` merges the municipalities'
    forms here; it may raise BuildError to stop); the read-back is then compared with the edited rows.
    Raises CannotCarry (nothing written) when old holds what the current schemas cannot take, and
    BuildError (nothing written, out as it was) when the read-back differs from old.
    """
    old, out = Path(old), Path(out)
    loaded = sources if isinstance(sources, Sources) else load_sources(sources)
    book = open_workbook(old)  # one snapshot of OLD: every view below is parsed from it
    tables = read_input_tables(book, loaded.schemas)
    generated, foreign = _other_sheets(book, loaded)
    problems = [f"välilehti {quote(name)} ei kuulu päätyökirjaan eikä ole työkalun tuottama" for name in foreign]
    for table in tables.values():
        problems += _table_problems(table) if table.present else []
    problems += _character_problems(book)
    if problems:  # before the formatting is read: a raw control character stops openpyxl's parser
        raise CannotCarry(old, problems)
    notice, settings = demo_notice(book), xlwings_settings(book)
    layout = _fresh_layout(loaded, notice, settings)
    carried = _extras(book, tables, layout)
    problems += carried.problems
    if problems:
        raise CannotCarry(old, problems)
    changes: list[str] = []
    if tables["mittarit"].present:
        tables["mittarit"], changes = approved_programme(tables["mittarit"], loaded)
    if edit is not None:
        edit(tables)

    def verify(written: Path) -> None:
        new_book = open_workbook(written)
        differences = _differences(tables, read_input_tables(new_book, loaded.schemas))
        differences += _extras_differences(carried.extras, _extras(new_book, tables, layout).extras)
        if differences:
            raise BuildError(f"Siirto epäonnistui: uusi työkirja ei vastaa vanhaa, joten mitään ei kirjoitettu "
                             f"({len(differences)} eroa):\n{listing(differences)}")

    build_master(
        out,
        loaded,
        rows={name: _positioned(t, carried.extras.get(t.schema.sheet)) for name, t in tables.items() if t.present},
        notice=notice,
        xlwings_settings=settings,
        replace_entries=out.exists() and out.resolve() == old.resolve(),
        verify=verify,
        extras=carried.extras,
    )
    return UpgradeReport(
        carried={t.schema.sheet: len(t.rows) for t in tables.values() if t.present},
        from_sources=[t.schema.sheet for t in tables.values() if not t.present],
        dropped_generated=generated,
        programme_changes=changes,
        extras={sheet: _counts(e) for sheet, e in carried.extras.items()},
    )


def _counts(extras: SheetExtras) -> dict[str, int]:
    return {label: len(getattr(extras, part)) for part, label in EXTRA_PARTS.items() if getattr(extras, part)}
