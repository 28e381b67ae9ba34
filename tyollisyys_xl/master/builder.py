"""Build the master workbook from its text sources (programme data, table schemas, VBA sources).

Everything about an input sheet (headers, column order, widths, number formats, dropdowns) comes
from its JSON Schema, so the workbook and the validator cannot drift apart. The output is written
with xlsxwriter in memory with fixed timestamps, so the same sources always give the same bytes:
that is what lets `build --check` compare the committed workbook with a fresh build part by part.
A build is written to a temporary file beside the target and moved over it only when complete, so
a failure never leaves a half-written or emptied master behind.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import xlsxwriter
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from tyollisyys_xl.core.reports.cards import TEMPLATE_SHEET
from tyollisyys_xl.io.errors import WorkbookReadError, os_reason
from tyollisyys_xl.io.snapshot import Snapshot
from tyollisyys_xl.master.carry import SheetExtras
from tyollisyys_xl.master.input_sheets import Lists, Rows, write_carried, write_input_sheet
from tyollisyys_xl.master.layout import LISTAT, OHJAUS, OHJELMA, XLWINGS_CONF, Formats
from tyollisyys_xl.master.lite_parts import add_lite_parts
from tyollisyys_xl.master.reading import BuildError, CellValue, open_workbook, read_input_tables
from tyollisyys_xl.master.sources import REFERENCE_TABLES, Sources, default_rows, load_sources
from tyollisyys_xl.master.text_sheets import with_default_settings, write_ohjaus, write_ohjelma, write_xlwings_conf
from tyollisyys_xl.master.vba_project import VbaModule, build_vba_project
from tyollisyys_xl.resources import master_workbook
from tyollisyys_xl.schemas import TableSchema

BUILD_TIME = dt.datetime(2026, 1, 1)  # fixed, so that two builds are byte-identical


def _write_card_template(book: Workbook, sheet: Worksheet, sources: Sources, rows: Rows) -> None:
    """The hidden template of the municipality cards, laid out for the reference tables being built:
    the Excel buttons make each card as a copy of it (tyollisyys_xl.core.reports.cards)."""
    from tyollisyys_xl.core.reports.cards import card_template
    from tyollisyys_xl.core.validation import validate_sheets
    from tyollisyys_xl.io.xlsxwriter_target import SheetWriter

    sheets = {
        schema.sheet: [schema.headers, *([row.get(column.key) for column in schema.columns] for row in rows.get(name, []))]
        for name, schema in sources.schemas.items()
    }
    template = card_template(validate_sheets(sheets, schemas=sources.schemas).tables)
    if template is None:  # no municipalities: nothing to lay out
        sheet.hide()
        return
    SheetWriter(book).render(sheet, template)


def _sheet_names(sources: Sources) -> list[str]:
    """The master's sheets in order: Ohjaus, Ohjelma, the input sheets, then the hidden helpers."""
    return [OHJAUS, OHJELMA, *(s.sheet for s in sources.schemas.values()), LISTAT, XLWINGS_CONF, TEMPLATE_SHEET]


def _vba_project(sources: Sources, sheet_count: int) -> bytes:
    """ThisWorkbook and one document module per sheet (codeNames Sheet1..N), then the code modules."""
    documents = [VbaModule("ThisWorkbook", "", "document")]
    documents += [VbaModule(f"Sheet{i}", "", "document") for i in range(1, sheet_count + 1)]
    return build_vba_project([*documents, *sources.vba_modules])


def _write_workbook(
    path: Path, sources: Sources, rows: Rows, notice: str | None, settings: Mapping[str, CellValue],
    extras: Mapping[str, SheetExtras] | None = None,
) -> None:
    book = xlsxwriter.Workbook(
        str(path),
        {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    prog = sources.programme
    book.set_properties(
        {
            "title": prog.title,
            "subject": prog.area,
            "author": "tyollisyys-xl",
            "company": prog.area,
            "comments": notice or "Päätyökirja: rakennettu lähteistä komennolla tyollisyys-xl build.",
            "created": BUILD_TIME,
        }
    )
    book.set_size(1600, 1000)
    formats = Formats(book)
    names = _sheet_names(sources)
    sheets = {name: book.add_worksheet(name) for name in names}
    book.set_vba_name("ThisWorkbook")
    for index, name in enumerate(names, start=1):
        sheets[name].set_vba_name(f"Sheet{index}")
    lists = Lists(book, sheets[LISTAT], formats, sources.schemas)
    write_ohjaus(book, sheets[OHJAUS], formats, sources, notice)
    write_ohjelma(sheets[OHJELMA], formats, prog, sources.texts["ohjelma"])
    for name, schema in sources.schemas.items():
        write_input_sheet(sheets[schema.sheet], schema, rows.get(name, []), formats, lists, rows)
    write_xlwings_conf(sheets[XLWINGS_CONF], formats, with_default_settings(settings), sources.texts["xlwings_conf"])
    _write_card_template(book, sheets[TEMPLATE_SHEET], sources, rows)
    by_sheet = {schema.sheet: (schema, rows.get(name, [])) for name, schema in sources.schemas.items()}
    for name, sheet_extras in (extras or {}).items():
        schema, sheet_rows = by_sheet.get(name, (None, []))
        write_carried(sheets[name], sheet_extras, formats, sheet_rows, schema)
    sheets[LISTAT].hide()
    sheets[XLWINGS_CONF].hide()
    book.add_vba_project(io.BytesIO(_vba_project(sources, len(names))), is_stream=True)
    book.close()
    add_lite_parts(path, sources.lite_files)


# --- writing, refusing, checking -----------------------------------------


def _mode_for(out_path: Path) -> int:
    """Keep an existing file's permissions; a new file gets what the user's umask allows (mkstemp makes 0600)."""
    if out_path.exists():
        return out_path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(out_path: Path, write: Callable[[Path], None], verify: Callable[[Path], None] | None = None) -> Path:
    """Write to a temporary file beside out_path, verify it, then move it over out_path in one step.

    On any failure the temporary file is removed and out_path stays exactly as it was.
    """
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{out_path.stem}-", suffix=out_path.suffix, dir=out_path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        write(temp)
        if verify:
            verify(temp)
        temp.chmod(_mode_for(out_path))
        os.replace(temp, out_path)
    except PermissionError as exc:
        raise BuildError(f"Tiedostoon {out_path} ei voi kirjoittaa ({os_reason(exc)}). Jos se on auki Excelissä, "
                         "sulje se ja yritä uudelleen.") from exc
    finally:
        temp.unlink(missing_ok=True)
    return out_path


def entry_row_counts(path: Path, schemas: Mapping[str, TableSchema]) -> dict[str, int]:
    """Rows in the entry tables (those the builder leaves empty) of an existing workbook, by sheet."""
    tables = read_input_tables(open_workbook(path), {n: s for n, s in schemas.items() if n not in REFERENCE_TABLES})
    return {t.schema.sheet: len(t.rows) for t in tables.values() if t.rows}


def refuse_if_entries(path: Path, schemas: Mapping[str, TableSchema]) -> None:
    """Entries typed into a master exist nowhere else: never overwrite them with an empty build."""
    if not Path(path).exists():
        return
    try:
        counts = entry_row_counts(path, schemas)
    except BuildError as exc:
        raise BuildError(f"Tiedostoa {path} ei korvata: sitä ei voi lukea työkirjana, joten ei voi tarkistaa, "
                         f"onko siinä kirjauksia. Siirrä tai poista se itse. ({exc})") from exc
    if counts:
        listed = ", ".join(f"{sheet} {count} riviä" for sheet, count in counts.items())
        raise BuildError(
            f"Työkirjaa {path} ei korvata: sen syöttötauluissa on kirjauksia ({listed}). "
            f"Siirrä kirjaukset uuteen päätyökirjaan komennolla: tyollisyys-xl build --from {path} UUSI.xlsm"
        )


def build_master(
    out_path: Path | str | None = None,
    sources: Path | Sources | None = None,
    *,
    rows: Rows | None = None,
    notice: str | None = None,
    xlwings_settings: Mapping[str, CellValue] | None = None,
    replace_entries: bool = False,
    verify: Callable[[Path], None] | None = None,
    extras: Mapping[str, SheetExtras] | None = None,
) -> Path:
    """Build a master workbook at out_path (default: the repository's workbook/Tyollisyysohjelma2026.xlsm).

    sources: a folder holding schema/, programme/, workbook/vba/ and excel/lite/ (default: the package's own), or
    loaded Sources. rows: cell values per table (schema name -> rows keyed by schema key); a table
    given here replaces its default rows. notice: a note shown on Ohjaus (the demo marks itself
    fictional). xlwings_settings: keys and values for the hidden xlwings.conf sheet (a key without a value
    is left out). extras: formulas, notes, fills, hidden rows and cells per sheet that `build --from` carries
    (master/carry.py). Refuses (BuildError) to overwrite a workbook whose entry tables hold rows unless
    replace_entries. Raises SourceError for a malformed source; nothing is written then.
    """
    out_path = Path(out_path) if out_path else master_workbook()
    loaded = sources if isinstance(sources, Sources) else load_sources(sources)
    if not replace_entries:
        refuse_if_entries(out_path, loaded.schemas)
    all_rows = {**default_rows(loaded), **(rows or {})}
    settings = xlwings_settings or {}
    return write_atomically(out_path, lambda temp: _write_workbook(temp, loaded, all_rows, notice, settings, extras),
                            verify)


def build_fresh(path: Path, sources: Sources, notice: str | None = None,
                settings: Mapping[str, CellValue] | None = None) -> None:
    """A master of the sources' own rows at path, written directly (for comparing with, not for users)."""
    _write_workbook(path, sources, default_rows(sources), notice, settings or {})


def _zip_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _part_label(part: str, sheet_names: list[str]) -> str:
    """xl/worksheets/sheet3.xml -> 'xl/worksheets/sheet3.xml (Mittarit)'."""
    match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", part)
    if match and int(match.group(1)) <= len(sheet_names):
        return f"{part} ({sheet_names[int(match.group(1)) - 1]})"
    return part


def check_master(path: Path | str | None = None, sources: Path | Sources | None = None) -> list[str]:
    """Parts (zip members) in which the workbook at path differs from a fresh build of the sources; [] = in step.

    Worksheet parts are labelled with their sheet's name, e.g. "xl/worksheets/sheet3.xml (Mittarit)".
    """
    path = Path(path) if path else master_workbook()
    if not path.is_file():
        raise BuildError(f"Työkirjaa {path} ei ole.")
    loaded = sources if isinstance(sources, Sources) else load_sources(sources)
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / path.name
        build_fresh(fresh, loaded)
        expected = _zip_parts(fresh.read_bytes())
    try:
        actual = _zip_parts(Snapshot.take(path).data)  # refused first if it is no workbook or a zip bomb
    except WorkbookReadError as exc:
        raise BuildError(f"{exc} Rakenna se uudelleen komennolla: tyollisyys-xl build") from exc
    except zipfile.BadZipFile as exc:
        raise BuildError(f"Työkirja {path} ei ole kelvollinen xlsm-tiedosto (zip-paketti on vioittunut). "
                         "Rakenna se uudelleen komennolla: tyollisyys-xl build") from exc
    parts = sorted(set(expected) | set(actual))
    sheet_names = _sheet_names(loaded)
    return [_part_label(part, sheet_names) for part in parts if expected.get(part) != actual.get(part)]
