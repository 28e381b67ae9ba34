"""Collecting the municipalities' entry forms: into a new master (`collect`) or the open workbook (the button).

Each form is checked before anything is taken from it: its marks must be intact, name a municipality of
the master's Kunnat with its code, agree with the name the form was given under (its file name, or an
explicit KUNTA=FILE), and come from the same version of the programme; one form per municipality. The
changed cells are then merged three ways (core.forms.merge_form): a cell the master changed since the
form was made is a conflict that names both values. The merged tables are validated, and an error the
forms brought in refuses the form at its cell. Any problem refuses the whole collection: nothing is
written, and every problem is listed at once.

`collect_forms` writes the result through `build --from`'s proven path (master.upgrade): a fresh master
with every input row of MASTER plus the forms' changes, read back and compared before it replaces
anything. MASTER itself is never written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tyollisyys_xl.core.findings import ERROR, Finding
from tyollisyys_xl.core.forms import (
    COSTS,
    ENTRIES,
    FillCell,
    FormError,
    FormMarks,
    FormTables,
    Merged,
    Rows,
    merge_form,
    programme_version,
    read_marks,
    text_of,
)
from tyollisyys_xl.core.rowdiff import TableRows, WorkbookDiff, diff_table, row_key, same_value
from tyollisyys_xl.master.forms import MARKS_SHEET
from tyollisyys_xl.master.reading import BuildError, InputTable, open_workbook, read_input_tables, sheet_values
from tyollisyys_xl.schemas import TableSchema

FORM_TABLES = (ENTRIES, COSTS)
_ADDRESS = re.compile(r"^(?P<sheet>.+)!(?P<col>[A-Z]{1,3})(?P<row>\d+)$")


class CollectRefused(BuildError):
    """Forms that cannot be collected; nothing was written. problems: every reason, in Finnish."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        listed = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"Lomakkeita ei tuotu, eikä mitään kirjoitettu:\n{listed}")


@dataclass(frozen=True)
class FormFile:
    path: Path
    claimed: str | None  # the municipality the form was given as (KUNTA=FILE, or its file name), if any


@dataclass
class CollectedForm:
    path: Path
    municipality: str
    changes: WorkbookDiff
    warnings: list[str] = field(default_factory=list)


def form_files(arguments: Sequence[str], municipalities: Sequence[str]) -> list[FormFile]:
    """FORM arguments as files: "Jämsä=lomake.xlsx" names the municipality; otherwise a file named after a
    municipality (Jämsä.xlsx) is taken as given under that name."""
    by_name = {name.casefold(): name for name in municipalities}
    files = []
    for argument in arguments:
        claimed, separator, path = str(argument).partition("=")
        if separator and claimed.strip().casefold() in by_name and not Path(argument).exists():
            files.append(FormFile(Path(path), by_name[claimed.strip().casefold()]))
        else:
            path = Path(argument)
            files.append(FormFile(path, by_name.get(path.stem.strip().casefold())))
    return files


def _cell_value(sheets: dict[str, list[list[Any]]], address: str) -> Any:
    match = _ADDRESS.match(address)
    if not match or match["sheet"] not in sheets:
        return None
    row, col = int(match["row"]) - 1, _column_index(match["col"])
    values = sheets[match["sheet"]]
    return values[row][col] if row < len(values) and col < len(values[row]) else None


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - ord("A") + 1
    return index - 1


def read_form(path: Path) -> tuple[FormMarks, dict[FillCell, Any]]:
    """A form's marks and the value of each of its fill cells; FormError (Finnish) when it cannot be used."""
    try:
        book = open_workbook(path)
        if MARKS_SHEET not in book.sheet_names():
            raise FormError(f"{path.name} ei ole tällä työkalulla tehty kuntalomake (lomakkeen merkinnät puuttuvat).")
        marks = read_marks(sheet_values(book, MARKS_SHEET), path.name)
        sheets = {name: sheet_values(book, name) for name in book.sheet_names() if name != MARKS_SHEET}
    except BuildError as exc:
        raise FormError(f"{path.name}: lomaketta ei voi lukea ({exc}).") from exc
    return marks, {cell: _cell_value(sheets, address) for cell, address in marks.addresses.items()}


def _identity_problems(form: FormFile, marks: FormMarks, towns: Mapping[str, str], version: str) -> list[str]:
    name = form.path.name
    if marks.municipality not in towns:
        return [f"{name} on tehty kunnalle {marks.municipality}, jota ei ole päätyökirjan Kunnat-välilehdellä."]
    problems = []
    if form.claimed is not None and form.claimed != marks.municipality:
        problems.append(f"{name} on kunnan {marks.municipality} lomake, mutta se annettiin kunnan {form.claimed} "
                        "nimellä: tarkista, kenen luvut lomakkeessa ovat.")
    if towns[marks.municipality] != marks.code:
        problems.append(f"{name}: lomakkeen kuntanumero {marks.code} ei ole kunnan {marks.municipality} numero "
                        f"{towns[marks.municipality]}.")
    if marks.programme_version != version:
        problems.append(f"{name} on tehty ohjelman toiselle versiolle (mittarit tai kustannuskohteet ovat muuttuneet "
                        "sen jälkeen): tee kunnalle uusi lomake.")
    return problems


def _sheets(rows: Rows, schemas: Mapping[str, TableSchema]) -> dict[str, list[list[Any]]]:
    """Rows as sheet values (header row, then the rows from row 2 in order), as validation reads a sheet."""
    return {schema.sheet: [schema.headers, *([row.get(c.key) for c in schema.columns] for row in rows.get(name, []))]
            for name, schema in schemas.items() if name in rows}


def _findings_by_row(rows: Rows, schemas: Mapping[str, TableSchema]) -> dict[tuple[str, tuple, str, str], Finding]:
    """Validation findings on the form tables, keyed by (table, row key, column, rule), so that a row is the
    same row wherever it moved."""
    from tyollisyys_xl.core.validation import validate_sheets

    by_sheet = {schemas[name].sheet: name for name in FORM_TABLES}
    found = {}
    for finding in validate_sheets(_sheets(rows, schemas)).findings:
        table = by_sheet.get(finding.sheet)
        match = re.match(r"[A-Z]+(\d+)$", finding.cell or "")
        position = int(match.group(1)) - 2 if match else -1
        if table is not None and 0 <= position < len(rows[table]):
            found[(table, row_key(schemas[table], rows[table][position]), finding.column or "", finding.rule)] = finding
    return found


def collect_into(rows: Rows, schemas: Mapping[str, TableSchema], files: Sequence[FormFile]) -> list[CollectedForm]:
    """Merge the forms into rows (in place: Toteumat and Palvelukustannukset) and report what each changed;
    CollectRefused lists every problem, and rows are then left as they were."""
    towns = {text_of(r.get("name")): text_of(r.get("code")) for r in rows.get("kunnat", [])}
    version = programme_version(rows)
    problems: list[str] = []
    read: list[tuple[FormFile, FormMarks, dict[FillCell, Any]]] = []
    seen: dict[str, Path] = {}
    for form in files:
        try:
            marks, answers = read_form(form.path)
        except FormError as exc:
            problems.append(str(exc))
            continue
        found = _identity_problems(form, marks, towns, version)
        if marks.municipality in seen:
            found.append(f"{form.path.name} ja {seen[marks.municipality].name} ovat molemmat kunnan "
                         f"{marks.municipality} lomakkeita: tuo vain toinen.")
        seen.setdefault(marks.municipality, form.path)
        problems += found
        if not found:
            read.append((form, marks, answers))
    before_findings = _findings_by_row(rows, schemas)
    tables = FormTables(rows, schemas)
    labels = {text_of(r.get("id")): text_of(r.get("name")) for r in rows.get("mittarit", [])}
    merges = []
    for form, marks, answers in read:
        merged = merge_form(tables, marks, answers, form.path.name, labels)
        problems += merged.problems + merged.conflicts
        merges.append((form, marks, merged))
    merged_rows = {**rows, **tables.rows()}
    results, touched_by = [], {}
    finals = {name: tables.final_numbers(name) for name in FORM_TABLES}
    for form, marks, merged in merges:
        results.append(CollectedForm(form.path, marks.municipality, _changes(tables, merged, finals)))
        touched_by.update({key: (results[-1], marks, cells) for key, cells in merged.touched.items()})
    for (table, key, column, rule), finding in (_findings_by_row(merged_rows, schemas).items() if not problems else ()):
        if (table, key, column, rule) in before_findings:
            continue  # there before the forms: validate tells about it, it does not stop the forms
        result, marks, cells = touched_by.get((table, key), (None, None, []))
        where = f"{result.path.name}, {', '.join(marks.addresses[c] for c in cells)}" if result else None
        text = f"{where}: {finding.message}" if where else \
            f"Lomakkeiden muutosten jälkeen uuden päätyökirjan solussa {finding.address}: {finding.message}"
        if finding.severity == ERROR:
            problems.append(text)
        elif result is not None:
            result.warnings.append(text)
    if problems:
        raise CollectRefused(problems)
    rows.update(merged_rows)
    return results


def _changes(tables: FormTables, merged: Merged, finals: Mapping[str, Mapping[int, int]]) -> WorkbookDiff:
    """What one form changed, as `diff` reports it: its rows before (numbered as they stood) and after (numbered
    as they stand in the new table: finals, position -> row)."""
    diffs = []
    for name in FORM_TABLES:
        final = finals[name]
        changes = [(before, after, position) for table, before, after, position in merged.changes if table == name]
        before = [(b, p + 2) for b, _, p in changes if b is not None]
        after = [(a, final[p]) for _, a, p in changes if a is not None]
        diffs.append(diff_table(tables.schemas[name], TableRows([r for r, _ in before], [n for _, n in before]),
                                TableRows([r for r, _ in after], [n for _, n in after])))
    return WorkbookDiff([d for d in diffs if d.rows])


def collect_forms(master: Path, files: Sequence[FormFile], out: Path, sources=None) -> list[CollectedForm]:
    """A new master at out: every input row of master plus the forms' changes, proven by reading it back."""
    from tyollisyys_xl.master.upgrade import upgrade_master

    master, out = Path(master), Path(out)
    if out.exists() and out.resolve() == master.resolve():
        raise BuildError("Päätyökirjaa ei muuteta paikallaan: anna --out-valitsimelle uuden tiedoston nimi.")
    results: list[CollectedForm] = []

    def merge(tables: dict[str, InputTable]) -> None:
        absent = [tables[name].schema.sheet for name in FORM_TABLES if not tables[name].present]
        if absent:
            raise BuildError(f"Päätyökirjasta puuttuu välilehti {', '.join(absent)}: päivitä se ensin (build --from).")
        rows = {name: [dict(r) for r in t.rows] for name, t in tables.items() if t.present}
        results.extend(collect_into(rows, {name: t.schema for name, t in tables.items()}, files))
        for name in FORM_TABLES:
            tables[name].rows = rows[name]
            tables[name].row_numbers = list(range(2, len(rows[name]) + 2))

    upgrade_master(master, out, sources, edit=merge)
    return results


# --- the button: collecting into the open workbook ------------------------------------------------------


class SheetValues:
    """Sheets already read (e.g. from Excel through xlwings), in the shape the builder's reader asks for."""

    def __init__(self, values: Mapping[str, list[list[Any]]]):
        self._values = values

    def sheet_names(self) -> list[str]:
        return list(self._values)

    def sheet_values(self, name: str, error_text: bool = False) -> list[list[Any]]:
        return self._values[name]


@dataclass(frozen=True)
class TableUpdate:
    """What one input sheet must become after the forms: one rectangle of values to write, and the table's new
    last row (the Excel table is resized when it differs from the old one)."""

    sheet: str
    table: str
    top: int  # 1-based row of the rectangle
    values: list[list[Any]]  # the rectangle from column A; [] when nothing changes
    old_last_row: int
    new_last_row: int


def table_update(schema: TableSchema, values: list[list[Any]], rows: list[dict[str, Any]]) -> TableUpdate:
    """The smallest rectangle (rows, from column A) that turns the sheet's current values into the merged rows,
    laid out as `build` lays out a table (header in row 1, rows from row 2 in order), with a cleared tail when
    the table shrinks."""
    header = list(values[0]) if values else []
    keys = [next((c.key for c in schema.columns if c.header == title), None) for title in header]
    width = len(header)
    current = [list(row) + [None] * (width - len(row)) for row in values[1:]]
    wanted = [[row.get(key) if key else None for key in keys] for row in rows]
    height = max(len(current), len(wanted))
    current += [[None] * width for _ in range(height - len(current))]
    wanted += [[None] * width for _ in range(height - len(wanted))]
    differing = [i for i in range(height) if any(not same_value(a, b) for a, b in zip(current[i], wanted[i]))]
    block = wanted[differing[0]: differing[-1] + 1] if differing else []
    return TableUpdate(schema.sheet, schema.table, (differing[0] + 2) if differing else 2, block,
                       old_last_row=max(len(values), 2), new_last_row=max(len(rows) + 1, 2))


def collect_into_sheets(values: Mapping[str, list[list[Any]]], schemas: Mapping[str, TableSchema],
                        paths: Sequence[Path]) -> tuple[list[CollectedForm], list[TableUpdate]]:
    """The button's work on sheet values read from the open workbook: the same checks and merge as `collect`,
    then what to write into Toteumat and Palvelukustannukset. CollectRefused when anything is wrong."""
    tables = read_input_tables(SheetValues(values), schemas)
    broken = [f"{t.schema.sheet}: {problem}" for name in FORM_TABLES for t in [tables[name]]
              for problem in ([] if t.present else ["välilehti puuttuu"]) + t.unknown_columns
              + [f"pakollinen sarake ”{h}” puuttuu" for h in t.missing_required]]
    if broken:
        raise CollectRefused(broken)
    rows = {name: [dict(r) for r in t.rows] for name, t in tables.items() if t.present}
    names = [text_of(r.get("name")) for r in rows.get("kunnat", [])]
    files = form_files([str(p) for p in paths], names)
    results = collect_into(rows, schemas, files)
    updates = [table_update(schemas[name], values[schemas[name].sheet], rows[name]) for name in FORM_TABLES]
    return results, updates


def form_paths(folder: Path) -> list[Path]:
    """The forms in a folder: its .xlsx files, without Excel's "~$" owner files."""
    return sorted(p for p in Path(folder).glob("*.xlsx") if not p.name.startswith("~$"))
