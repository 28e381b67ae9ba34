"""The Excel buttons on Ohjaus. VBA calls them with RunPython, e.g.
`RunPython "import tyollisyys_xl.excel as t; t.validate_entries()"`.

Each takes an optional xlwings Book (default: the workbook whose button was pressed), reads the
sheets once, runs the same job as `tyollisyys-xl report`, writes the generated sheets and the status
on Ohjaus, and goes back to the sheet the user was on. Everything is computed before the first
write, so a failure in the checks or computations leaves the workbook as it was; the user then gets a
Finnish message box and the failure in the status cells, never a traceback. A write that fails halfway
is undone only on the remote engine, which holds writes back until the run ends; desktop Excel writes at
once, so the sheets written so far stay until the next successful run replaces them (docs/excel.md).
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import xlwings as xw

from tyollisyys_xl.io.xlwings_book import XlwingsBook
from tyollisyys_xl.jobs import JOBS, JobResult, failure_message, failure_status, read_sheets, run_job, write_result


def validate_entries(book: xw.Book | None = None) -> JobResult | None:
    """Tarkista syötteet: Tarkistus and the highlights of the offending cells."""
    return _press("validate", book)


def compute_attainment(book: xw.Book | None = None) -> JobResult | None:
    """Laske toteutuminen: the attainment sheets (and Tarkistus)."""
    return _press("attainment", book)


def make_municipality_cards(book: xw.Book | None = None) -> JobResult | None:
    """Luo kuntakortit: one printable card per municipality (and Tarkistus)."""
    return _press("cards", book)


def update_budget_tracking(book: xw.Book | None = None) -> JobResult | None:
    """Päivitä budjettiseuranta: the budget-tracking sheets (and Tarkistus)."""
    return _press("budget", book)


def update_all(book: xw.Book | None = None) -> JobResult | None:
    """Päivitä kaikki: every generated sheet."""
    return _press("all", book)


def _press(job: str, book: xw.Book | None) -> JobResult | None:
    book = book or xw.Book.caller()
    workbook = XlwingsBook(book)
    mark = workbook.pending_writes()
    try:
        result = run_job(read_sheets(workbook, skip=workbook.generated_sheets()), job, demo=workbook.is_demo())
        with _screen_paused(book.app):
            active = book.sheets.active.name
            write_result(workbook, result)
            workbook.write_named_cells(result.status(dt.datetime.now().replace(microsecond=0)))
            book.sheets[active].activate()
        return result
    except Exception as exc:  # the user gets a message, never a traceback
        workbook.discard_writes_after(mark)
        message = failure_message(exc)
        workbook.write_named_cells(failure_status(job, message, dt.datetime.now().replace(microsecond=0)))
        workbook.alert(message, title=f"{JOBS[job].label} epäonnistui")
        return None


@contextmanager
def _screen_paused(app: xw.App):
    """Excel redraws after every write unless told not to: pause it for the run."""
    app.screen_updating = False
    try:
        yield
    finally:
        app.screen_updating = True


IMPORT_LABEL = "Tuo kuntien lomakkeet"
IMPORT_FOLDER_NAME = "Tuonti_Kansio"  # the named cell on Ohjaus where the button's macro writes the chosen folder
                                      # (master.text_sheets.IMPORT_FOLDER_NAME makes it; not imported: the builder is slow)


def import_forms(book: xw.Book | None = None, paths=None):
    """Tuo kuntien lomakkeet: the returned entry forms' figures into this workbook's Toteumat and
    Palvelukustannukset, with the checks of `tyollisyys-xl collect` (municipality, programme version, values,
    conflicts); any problem leaves the workbook as it was.

    paths: the form files; None reads the folder the macro wrote into the named cell Tuonti_Kansio (its folder
    picker, or the workbook's own folder), so that no path ever becomes code. Every sheet is read once, and each
    of the two tables takes one values write (plus a resize when its row count changes), however many rows.
    """
    from pathlib import Path

    from tyollisyys_xl.master.collect import CollectRefused, collect_into_sheets, form_paths
    from tyollisyys_xl.schemas import table_schemas

    book = book or xw.Book.caller()
    workbook = XlwingsBook(book)
    mark = workbook.pending_writes()
    now = dt.datetime.now().replace(microsecond=0)
    try:
        if paths is None:
            folder = str(book.names[IMPORT_FOLDER_NAME].refers_to_range.value or "")
            if folder.startswith(("http://", "https://")):
                raise CollectRefused([f"Kansio {folder} on verkko-osoite (SharePoint tai OneDrive): valitse kansio, "
                                      "joka on synkronoitu tälle tietokoneelle, tai tallenna lomakkeet paikalliseen kansioon."])
            paths = form_paths(Path(folder)) if folder else []
        schemas = table_schemas()
        inputs = {s.sheet for s in schemas.values()}
        values = read_sheets(workbook, skip=[n for n in workbook.sheet_names() if n not in inputs])
        results, updates = collect_into_sheets(values, schemas, [Path(p) for p in paths])
        with _screen_paused(book.app):
            for update in updates:
                _write_update(book, update)
        line, message = _import_summary(results, paths)
        workbook.write_named_cells(_import_status(now, line, 0, sum(len(r.warnings) for r in results)))
        workbook.alert(message, title=IMPORT_LABEL)
        return results
    except CollectRefused as exc:
        workbook.discard_writes_after(mark)
        workbook.write_named_cells(_import_status(now, f"Ei tuotu: {len(exc.problems)} ongelmaa.", len(exc.problems), None))
        workbook.alert(str(exc), title=f"{IMPORT_LABEL}: ei tuotu")
        return None
    except Exception as exc:  # the user gets a message, never a traceback
        workbook.discard_writes_after(mark)
        message = failure_message(exc)
        workbook.write_named_cells(_import_status(now, f"Epäonnistui: {message}", None, None))
        workbook.alert(message, title=f"{IMPORT_LABEL} epäonnistui")
        return None


def _write_update(book: xw.Book, update) -> None:
    """One values write for the changed rows (a cleared tail included) and a resize when the row count changed."""
    from tyollisyys_xl.io.xlwings_book import excel_value

    sheet = book.sheets[update.sheet]
    if update.values:
        width = len(update.values[0])
        sheet.range((update.top, 1), (update.top + len(update.values) - 1, width)).value = [
            [excel_value(v) for v in row] for row in update.values]
    if update.new_last_row != update.old_last_row:
        table = sheet.tables[update.table]
        table.resize(sheet.range((1, 1), (update.new_last_row, table.range.columns.count)))


def _import_summary(results, paths) -> tuple[str, str]:
    """(one line for the status cell, the lines of the message box)."""
    if not paths:
        return "Kansiossa ei ole lomakkeita.", "Valitussa kansiossa ei ole lomakkeita (.xlsx-tiedostoja)."
    totals = {kind: sum(r.changes.counts()[kind] for r in results) for kind in ("muutettu", "lisätty", "poistettu")}
    line = (f"Tuotu {len(results)} lomaketta: muutettuja rivejä {totals['muutettu']}, lisättyjä {totals['lisätty']}, "
            f"poistettuja {totals['poistettu']}.")
    lines = [line]
    for result in results:
        counts = result.changes.counts()
        changed = ", ".join(f"{kind} {n}" for kind, n in counts.items() if n) or "ei muutoksia"
        lines.append(f"{result.municipality}: {changed}")
    lines.append("Paina lopuksi Tarkista syötteet.")
    return line, "\n".join(lines)


def _import_status(when: dt.datetime, result: str, errors: int | None, warnings: int | None) -> dict:
    from tyollisyys_xl.jobs import STATUS_ERRORS, STATUS_JOB, STATUS_RESULT, STATUS_TIME, STATUS_WARNINGS

    return {STATUS_JOB: IMPORT_LABEL, STATUS_TIME: when, STATUS_RESULT: result, STATUS_ERRORS: errors,
            STATUS_WARNINGS: warnings}
