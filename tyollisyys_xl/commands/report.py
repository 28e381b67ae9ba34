"""tyollisyys-xl report WORKBOOK --out OUT.xlsx [--with-inputs]: every generated sheet, written into a new file.

The master is read once (python-calamine) and never written. The report is a new .xlsx written with
XlsxWriter (docs/report.md says why): by default the generated sheets only, for the board, who need
neither Y-tunnus numbers nor comments; `--with-inputs` adds the input tables as values, with the
offending cells highlighted, so that Tarkistus' links lead somewhere. Without them a link's address
stands as text. No VBA project: buttons without their macros would only mislead, and .xlsx files pass
e-mail filters that block macros.

The file is assembled in memory and written to a hidden temporary beside the target (named
`.<name>.<pid>.tyollisyys-xl-kesken`, never ending in .xlsx), then moved over it in one step; a run
killed midway leaves only such a temporary, and the next run into that folder removes it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import re
import stat
import sys
from pathlib import Path

from tyollisyys_xl.io.errors import WorkbookReadError, os_reason
from tyollisyys_xl.io.generated import GeneratedSheetConflict

TEMPORARY_SUFFIX = ".tyollisyys-xl-kesken"
_TEMPORARY = re.compile(r"^\..+\.(\d+)" + re.escape(TEMPORARY_SUFFIX) + r"$")


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
    parser.add_argument(
        "--with-inputs",
        action="store_true",
        help="ota mukaan myös syöttötaulut arvoina (Tarkistuksen linkit vievät niihin; virheelliset solut korostettuina)",
    )


def owner_files(path: Path) -> list[Path]:
    """The lock files Excel keeps beside a workbook it has open ('~$' + the name, or replacing its first characters)."""
    names = {"~$" + path.name, "~$" + path.name[1:], "~$" + path.name[2:]}
    return [path.with_name(name) for name in sorted(names) if path.with_name(name).exists()]


def check_target(workbook: Path, out: Path) -> None:
    """Refuse a target that is the master itself, not .xlsx, in no folder, read-only, or open in Excel."""
    if out.suffix.lower() != ".xlsx":
        raise ReportError(f"Raportin tiedostopäätteen on oltava .xlsx (annettu: {out.name}).")
    if out.resolve() == workbook.resolve() or (out.exists() and workbook.exists() and out.samefile(workbook)):
        raise ReportError("Raporttia ei kirjoiteta päätyökirjan päälle: anna --out-kohdaksi uusi tiedosto.")
    if not out.parent.is_dir():
        raise ReportError(f"Kansiota {out.parent} ei ole.")
    if out.is_file() and (not out.stat().st_mode & stat.S_IWUSR or not os.access(out, os.W_OK)):
        raise ReportError(f"Tiedosto {out} on kirjoitussuojattu, joten sen päälle ei kirjoiteta. "
                          "Anna toinen --out-tiedosto tai poista tiedostolta kirjoitussuojaus.")
    if owner_files(out):
        raise ReportError(f"Tiedosto {out} on auki Excelissä (sen ~$-lukkotiedosto on kansiossa). Sulje se ja yritä uudelleen.")


def temporary_path(out: Path) -> Path:
    """Where the report is written before it is moved into place: hidden, named for this run, not .xlsx."""
    return out.with_name(f".{out.name}.{os.getpid()}{TEMPORARY_SUFFIX}")


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return False  # on Windows a running writer holds its file open, so removing it fails (and is skipped)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove temporaries of our own naming left by runs that no longer run (killed, or the machine stopped)."""
    removed = []
    for path in folder.iterdir():
        match = _TEMPORARY.match(path.name)
        if match and path.is_file() and not _running(int(match.group(1))):
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


def write_file(out: Path, data: bytes) -> None:
    """Write data to out in one step: the temporary beside it first, then a rename over it."""
    temp = temporary_path(out)
    try:
        with temp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, out)
    except OSError as exc:
        raise ReportError(f"Raporttia {out} ei voi kirjoittaa ({os_reason(exc)}).") from exc
    finally:
        temp.unlink(missing_ok=True)


def write_report(workbook: Path, out: Path, as_of: int | None = None, with_inputs: bool = False):
    """Build the report file at out from the master at workbook; returns the JobResult."""
    from tyollisyys_xl.core.reports.inputs import input_sheet
    from tyollisyys_xl.io.calamine_source import CalamineSource
    from tyollisyys_xl.io.generated import highlight_fills, highlight_styles, plan_replacement
    from tyollisyys_xl.io.xlsxwriter_target import write_xlsx
    from tyollisyys_xl.jobs import run_job
    from tyollisyys_xl.pipeline import collector_paused
    from tyollisyys_xl.schemas import table_schemas

    check_target(workbook, out)
    remove_stale_temporaries(out.parent)
    source = CalamineSource(workbook)  # raises WorkbookReadError with a Finnish message
    generated = source.generated_sheets()
    with collector_paused():
        sheets, facts = source.read_all(skip=generated)
        demo = source.is_demo()
        result = run_job(sheets, "all", as_of=as_of, facts=facts, demo=demo)
        # the same rule as in Excel: a user's own sheet named like a generated one stops the run
        plan_replacement([spec.name for spec in result.specs], source.sheet_names(), generated)
        specs = list(result.specs)
        if with_inputs:
            fills = highlight_fills(result.findings)
            specs += [
                input_sheet(schema, sheets[schema.sheet], result.column_letters.get(name), highlight_styles(fills.get(schema.sheet, {})))
                for name, schema in table_schemas().items() if schema.sheet in sheets
            ]
        buffer = io.BytesIO()
        write_xlsx(buffer, specs, {spec.name for spec in result.specs},
                   {"title": "Työllisyysohjelma 2026 – raportti", "author": "tyollisyys-xl", "created": dt.datetime.now()},
                   demo=demo)
    write_file(out, buffer.getvalue())
    return result


def run(args: argparse.Namespace) -> int:
    from tyollisyys_xl.commands.attainment import ArgumentProblem, parse_as_of

    try:
        result = write_report(args.workbook, args.out, parse_as_of(args.as_of), args.with_inputs)
    except (ArgumentProblem, ReportError, WorkbookReadError, GeneratedSheetConflict) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(f"Raportti kirjoitettu: {args.out}")
    print(result.summary())
    return 0
