"""tyollisyys-xl report WORKBOOK --out OUT.xlsx: every generated sheet, written into a new file.

The report is the master as it is (every input sheet and any sheet a user added) with the generated
sheets rebuilt, the offending input cells highlighted and the run's status on Ohjaus. The master is
only read, never saved: openpyxl would drop its form buttons and some data-validation and
conditional-format extensions. The report is an .xlsx without the VBA project, on purpose: buttons
without their macros would only mislead, and .xlsx files pass e-mail filters that block macros.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import warnings
from pathlib import Path

from tyollisyys_xl.io.errors import WorkbookReadError
from tyollisyys_xl.io.generated import GeneratedSheetConflict
from tyollisyys_xl.io.snapshot import REPAIR


class ReportError(Exception):
    """The report cannot be written where asked; the message is Finnish."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workbook", type=Path, metavar="TYÖKIRJA", help="päätyökirja (.xlsm); sitä vain luetaan")
    parser.add_argument("--out", type=Path, required=True, metavar="RAPORTTI.xlsx", help="uusi raporttitiedosto")
    parser.add_argument(
        "--as-of",
        metavar="KUUKAUSI",
        help="kuukausi, jonka lopun tilanne lasketaan: 2026-06, 6/2026 tai 6 (oletus: viimeisin kirjattu)",
    )


def owner_files(path: Path) -> list[Path]:
    """The lock files Excel keeps beside a workbook it has open ('~$' + the name, or replacing its first characters)."""
    names = {"~$" + path.name, "~$" + path.name[1:], "~$" + path.name[2:]}
    return [path.with_name(name) for name in sorted(names) if path.with_name(name).exists()]


def check_target(workbook: Path, out: Path) -> None:
    """Refuse a target that is the master itself, not .xlsx, in no folder, or open in Excel."""
    if out.suffix.lower() != ".xlsx":
        raise ReportError(f"Raportin tiedostopäätteen on oltava .xlsx (annettu: {out.name}).")
    if out.resolve() == workbook.resolve() or (out.exists() and workbook.exists() and out.samefile(workbook)):
        raise ReportError("Raporttia ei kirjoiteta päätyökirjan päälle: anna --out-kohdaksi uusi tiedosto.")
    if not out.parent.is_dir():
        raise ReportError(f"Kansiota {out.parent} ei ole.")
    if owner_files(out):
        raise ReportError(f"Tiedosto {out} on auki Excelissä (sen ~$-lukkotiedosto on kansiossa). Sulje se ja yritä uudelleen.")


def write_report(workbook: Path, out: Path, as_of: int | None = None):
    """Build the report file at out from the master at workbook; returns the JobResult."""
    import openpyxl

    from tyollisyys_xl.master.builder import write_atomically
    from tyollisyys_xl.io.calamine_source import CalamineSource
    from tyollisyys_xl.io.openpyxl_target import OpenpyxlTarget
    from tyollisyys_xl.jobs import read_sheets, run_job, write_result

    check_target(workbook, out)
    source = CalamineSource(workbook)  # raises WorkbookReadError with a Finnish message
    with warnings.catch_warnings():  # openpyxl's notes on dropped extensions are for developers
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(source.snapshot.stream())  # the bytes calamine read: one version
        except Exception as exc:
            raise WorkbookReadError(str(workbook), f"Työkirjan muotoilua ei voi lukea, joten raporttia ei voi "
                                                   f"kirjoittaa. {REPAIR}") from exc
    target = OpenpyxlTarget(book)
    sheets = read_sheets(source, skip=target.generated_sheets())
    facts = {name: source.sheet_facts(name) for name in sheets}
    result = run_job(sheets, "all", as_of=as_of, facts=facts)
    write_result(target, result)
    target.write_named_cells(result.status(dt.datetime.now().replace(microsecond=0)))
    book.calculation.fullCalcOnLoad = True  # openpyxl writes formulas without results: compute them on opening
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            write_atomically(out, book.save)
        except OSError as exc:
            raise ReportError(f"Raporttia {out} ei voi kirjoittaa ({exc.strerror or exc}).") from exc
    return result


def run(args: argparse.Namespace) -> int:
    from tyollisyys_xl.commands.attainment import ArgumentProblem, parse_as_of

    try:
        result = write_report(args.workbook, args.out, parse_as_of(args.as_of))
    except (ArgumentProblem, ReportError, WorkbookReadError, GeneratedSheetConflict) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"Raportti kirjoitettu: {args.out}")
    print(result.summary())
    return 0
