"""xlwings Lite: the master's five buttons without VBA and without a local Python.

xlwings Lite keeps this file in the workbook and runs it in Excel's browser engine (Pyodide) on Windows,
on a Mac and in Excel on the web. Each script hands the workbook Lite gives it to the same entry point of
tyollisyys_xl.excel as the VBA button of the same name, which reads the sheets, runs jobs.run_job, writes
the result with jobs.write_result and sets the status on Ohjaus. Nothing here computes or writes by itself,
so both paths give the same sheets.

Source: excel/lite/main.py in the tyollisyys-xl repository; `tyollisyys-xl build` stores it in the master.
Setup in Finnish: excel/README.md.
"""

import xlwings as xw
from xlwings import script

from tyollisyys_xl import excel


@script(name="Tarkista syötteet")
def validate_entries(book: xw.Book):
    """Tarkistaa syöttövälilehtien rivit ja kirjoittaa löydökset Tarkistus-välilehdelle. Ei muuta syötteitä."""
    excel.validate_entries(book)


@script(name="Laske toteutuminen")
def compute_attainment(book: xw.Book):
    """Laskee mittareiden toteutumisen Toteutuminen-välilehdille."""
    excel.compute_attainment(book)


@script(name="Luo kuntakortit")
def make_municipality_cards(book: xw.Book):
    """Luo jokaiselle kunnalle tulostettavan kuntakortin."""
    excel.make_municipality_cards(book)


@script(name="Päivitä budjettiseuranta")
def update_budget_tracking(book: xw.Book):
    """Laskee tukibudjetin, sidonnat ja maksatukset budjettiseurannan välilehdille."""
    excel.update_budget_tracking(book)


@script(name="Päivitä kaikki")
def update_all(book: xw.Book):
    """Tekee kaikki edellä mainitut peräkkäin."""
    excel.update_all(book)
