"""`build --from OLD OUT`: a fresh master from the current sources, carrying every input row of OLD.

Once coordinators have typed into a master, its rows exist nowhere else, so an upgrade must lose
nothing: every input table of OLD is read by its Finnish headers, written unchanged into the fresh
tables (numbers as numbers, dates as dates, text as text), and the new file is read back and compared
value by value before it replaces anything. What cannot be carried (a column the schema does not
know, a required column missing, a sheet that is neither the master's nor the tools') stops the
upgrade before anything is written, with the full list.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tyollisyys_xl.master.builder import (
    LISTAT,
    OHJAUS,
    OHJELMA,
    XLWINGS_CONF,
    Sources,
    build_master,
    load_sources,
)
from tyollisyys_xl.master.demo import demo_notice
from tyollisyys_xl.master.reading import (
    BuildError,
    CellValue,
    InputTable,
    open_workbook,
    read_input_tables,
    sheet_scoped_names,
    sheet_values,
)
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.io.generated import GENERATED_NAME

CARRIED_TYPES = (str, float, int, bool, dt.date)  # dt.datetime is a dt.date
MAX_LISTED_DIFFERENCES = 10


class CannotCarry(BuildError):
    """OLD holds something the current schemas have no place for; nothing was written."""

    def __init__(self, old: Path, problems: list[str]):
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"Työkirjan {old} kaikkia tietoja ei voi siirtää uuteen päätyökirjaan, joten mitään ei kirjoitettu:\n"
            f"{listed}\nKorjaa nämä vanhaan työkirjaan (esim. palauta sarakkeen nimi) ja aja komento uudelleen."
        )


@dataclass
class UpgradeReport:
    carried: dict[str, int]  # sheet -> rows carried
    from_sources: list[str] = field(default_factory=list)  # input sheets OLD lacked: filled from the sources
    dropped_generated: list[str] = field(default_factory=list)  # the tools' own sheets, rebuilt by the buttons


def _value_problems(table: InputTable) -> list[str]:
    problems = []
    for number, row in zip(table.row_numbers, table.rows):
        for key, value in row.items():
            if value is not None and not isinstance(value, CARRIED_TYPES):
                header = table.schema.column(key).header
                problems.append(f"{table.schema.sheet} rivi {number}, sarake '{header}': "
                                f"arvoa tyyppiä {type(value).__name__} ei voi siirtää")
    return problems


def _table_problems(table: InputTable) -> list[str]:
    sheet = table.schema.sheet
    problems = [f"{sheet}: {column} ei kuulu skeemaan" for column in table.unknown_columns]
    if table.rows:
        problems += [f"{sheet}: pakollinen sarake '{header}' puuttuu" for header in table.missing_required]
    return problems + _value_problems(table)


def _other_sheets(book: CalamineSource, sources: Sources) -> tuple[list[str], list[str]]:
    """(the tools' generated sheets, sheets that are neither the master's nor the tools')."""
    master_sheets = {OHJAUS, OHJELMA, LISTAT, XLWINGS_CONF, *(s.sheet for s in sources.schemas.values())}
    scoped = sheet_scoped_names(book)
    others = [name for name in book.every_sheet_name() if name not in master_sheets]
    generated = [name for name in others if GENERATED_NAME in scoped.get(name, set())]
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


def _same(a: CellValue, b: CellValue) -> bool:
    """Equal and of the same kind: True is not 1.0 and a date is not a datetime."""
    return type(a) is type(b) and a == b


def _differences(old: Mapping[str, InputTable], new: Mapping[str, InputTable]) -> list[str]:
    found = []
    for name, table in old.items():
        if not table.present:
            continue
        sheet, written = table.schema.sheet, new[name]
        if len(written.rows) != len(table.rows):
            found.append(f"{sheet}: {len(table.rows)} riviä, uudessa {len(written.rows)}")
            continue
        for number, before, after in zip(table.row_numbers, table.rows, written.rows):
            for column in table.schema.columns:
                was, now = before.get(column.key), after.get(column.key)
                if not _same(was, now):
                    found.append(f"{sheet} rivi {number}, sarake '{column.header}': oli {was!r}, uudessa {now!r}")
    return found


def upgrade_master(old: Path | str, out: Path | str, sources: Path | Sources | None = None) -> UpgradeReport:
    """Build a fresh master at out carrying every input row of old, and prove nothing was lost or changed.

    Raises CannotCarry (nothing written) when old holds what the current schemas cannot take, and
    BuildError (nothing written, out as it was) when the read-back differs from old.
    """
    old, out = Path(old), Path(out)
    loaded = sources if isinstance(sources, Sources) else load_sources(sources)
    book = open_workbook(old)
    tables = read_input_tables(book, loaded.schemas)
    generated, foreign = _other_sheets(book, loaded)
    problems = [f"välilehti '{name}' ei kuulu päätyökirjaan eikä ole työkalun tuottama" for name in foreign]
    for table in tables.values():
        problems += _table_problems(table) if table.present else []
    if problems:
        raise CannotCarry(old, problems)

    def verify(written: Path) -> None:
        differences = _differences(tables, read_input_tables(open_workbook(written), loaded.schemas))
        if differences:
            shown = "\n".join(f"  - {d}" for d in differences[:MAX_LISTED_DIFFERENCES])
            raise BuildError(f"Siirto epäonnistui: uuden työkirjan arvot eroavat vanhasta, joten mitään ei "
                             f"kirjoitettu ({len(differences)} eroa):\n{shown}")

    build_master(
        out,
        loaded,
        rows={name: t.rows for name, t in tables.items() if t.present},
        notice=demo_notice(book),
        xlwings_settings=xlwings_settings(book),
        replace_entries=out.exists() and out.resolve() == old.resolve(),
        verify=verify,
    )
    return UpgradeReport(
        carried={t.schema.sheet: len(t.rows) for t in tables.values() if t.present},
        from_sources=[t.schema.sheet for t in tables.values() if not t.present],
        dropped_generated=generated,
    )
