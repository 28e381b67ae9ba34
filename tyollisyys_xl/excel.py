"""The Excel buttons on Ohjaus. VBA calls them with RunPython, e.g.
`RunPython "import tyollisyys_xl.excel as t; t.validate_entries()"`.

Each takes an optional xlwings Book (default: the workbook whose button was pressed), reads the
sheets once, runs the same job as `tyollisyys-xl report`, writes the generated sheets and the status
on Ohjaus, and goes back to the sheet the user was on. Everything is computed before the first
write, so a failure leaves the workbook as it was; the user then gets a Finnish message box and the
failure in the status cells, never a traceback.
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
        result = run_job(read_sheets(workbook, skip=workbook.generated_sheets()), job)
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
