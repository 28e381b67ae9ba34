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

from tyollisyys_xl.core.findings import ERROR
from tyollisyys_xl.core.forms import (
    COSTS,
    ENTRIES,
    FillCell,
    FormError,
    FormMarks,
    Rows,
    merge_form,
    programme_version,
    read_marks,
    text_of,
)
from tyollisyys_xl.core.rowdiff import TableRows, WorkbookDiff, diff_table, row_key
from tyollisyys_xl.master.forms import MARKS_SHEET
from tyollisyys_xl.master.reading import BuildError, InputTable, open_workbook, sheet_values
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


def _errors_by_row(rows: Rows, schemas: Mapping[str, TableSchema]) -> dict[tuple[str, tuple, str, str], str]:
    """Validation errors on the form tables, keyed by (table, row key, column, rule) so that moved rows stay
    the same rows -> "address: message"."""
    from tyollisyys_xl.core.validation import validate_sheets

    by_sheet = {schemas[name].sheet: name for name in FORM_TABLES}
    errors = {}
    for finding in validate_sheets(_sheets(rows, schemas)).findings:
        table = by_sheet.get(finding.sheet)
        match = re.match(r"[A-Z]+(\d+)$", finding.cell or "")
        if finding.severity != ERROR or table is None or not match:
            continue
        position = int(match.group(1)) - 2
        if 0 <= position < len(rows[table]):
            key = row_key(schemas[table], rows[table][position])
            errors[(table, key, finding.column or "", finding.rule)] = f"{finding.address}: {finding.message}"
    return errors


def collect_into(rows: Rows, schemas: Mapping[str, TableSchema], files: Sequence[FormFile]) -> list[CollectedForm]:
    """Merge the forms into rows (in place) and report what each changed; CollectRefused lists every problem
    (rows are then left as they were)."""
    original = {name: list(rows[name]) for name in FORM_TABLES}
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
    before_errors = _errors_by_row(rows, schemas)
    results, touched_by = [], {}
    for form, marks, answers in read:
        before = {name: TableRows(list(rows[name]), range(2, len(rows[name]) + 2)) for name in FORM_TABLES}
        merged = merge_form(rows, schemas, marks, answers, form.path.name)
        problems += merged.problems + merged.conflicts
        after = {name: TableRows(list(rows[name]), range(2, len(rows[name]) + 2)) for name in FORM_TABLES}
        changes = [diff_table(schemas[name], before[name], after[name]) for name in FORM_TABLES]
        results.append(CollectedForm(form.path, marks.municipality, WorkbookDiff([c for c in changes if c.rows])))
        touched_by.update({key: (form, marks, cells) for key, cells in merged.touched.items()})
    if not problems:
        for (table, key, column, rule), message in _errors_by_row(rows, schemas).items():
            if (table, key, column, rule) in before_errors:
                continue  # there before the forms: validate tells about it, it does not stop the forms
            form, marks, cells = touched_by.get((table, key), (None, None, []))
            if form is None:
                problems.append(f"Lomakkeiden muutosten jälkeen uuden päätyökirjan solussa {message}")
            else:
                where = ", ".join(marks.addresses[c] for c in cells)
                problems.append(f"{form.path.name}, {where}: {message.split(': ', 1)[1]}")
    if problems:
        for name in FORM_TABLES:
            rows[name] = original[name]
        raise CollectRefused(problems)
    return results


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
