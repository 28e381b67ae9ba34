"""tyollisyys-xl export WORKBOOK --out DIR: tidy tables for Power BI as CSV and Parquet.

CSV is for people and Finnish Excel: UTF-8 with a byte-order mark, ";" between fields, decimal comma,
dates as yyyy-mm-dd, and every text field that a spreadsheet would run as a formula (=, +, -, @, a tab
or a carriage return at its start, also after white space) prefixed with a single quote, as OWASP's
CSV-injection guidance says. Parquet is for Power BI: typed columns (money as exact decimal(18,2),
dates as dates), so no locale setting can misread a figure, and text exactly as typed: nothing opens
a Parquet file as a spreadsheet, and a quote added there would be a change to the data.
Rows with errors are left out, as everywhere.

Exit codes: 0 = written, 1 = written but the workbook has errors (those rows are missing),
2 = nothing written: the workbook cannot be read, or the output folder cannot be written.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd

from tyollisyys_xl.core.safe_text import neutralise_formula
from tyollisyys_xl.io.errors import os_reason

FORMATS = ("csv", "parquet")
EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
MONEY_TYPE = (18, 2)  # decimal precision and scale of euro columns in Parquet
TEMP_PREFIX = ".~"  # temporary files: ".~<stem>.<format>.<process id>.tmp", never mistaken for an export


class ExportError(Exception):
    """The export cannot be written where asked; the message is Finnish and says what to do."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workbook", type=Path, metavar="TYÖKIRJA", help="luettava työkirja (.xlsm tai .xlsx); sitä ei muuteta")
    parser.add_argument("--out", type=Path, required=True, metavar="KANSIO", help="kansio, johon taulut kirjoitetaan")
    parser.add_argument("--format", choices=[*FORMATS, "both"], default="both",
                        help="tiedostomuoto: csv, parquet tai molemmat (oletus)")


def _csv_cell(value):
    """Formula-like text neutralised, decimal euros with a decimal comma; everything else as pandas writes it."""
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    return neutralise_formula(value)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    safe = frame.apply(lambda col: col.map(_csv_cell) if col.dtype == object or pd.api.types.is_string_dtype(col) else col)
    safe.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig", date_format="%Y-%m-%d",
                lineterminator="\r\n")  # RFC 4180 and Excel's own; the csv module then quotes a lone CR in a field too


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = []
    for name in frame.columns:
        if name.endswith("_eur"):
            fields.append(pa.field(name, pa.decimal128(*MONEY_TYPE)))
        else:
            fields.append(pa.Schema.from_pandas(frame[[name]], preserve_index=False).field(name))
    pq.write_table(pa.Table.from_pandas(frame, schema=pa.schema(fields), preserve_index=False), path)


WRITERS = {"csv": write_csv, "parquet": write_parquet}


def refuse_a_file(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise ExportError(f"{out} on tiedosto, ei kansio. Anna --out-kohdaksi kansio (se luodaan, jos sitä ei ole).")


def prepare_folder(out: Path) -> None:
    """Make the output folder (and its parents); refuse a path that is a file or cannot be made."""
    refuse_a_file(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"Kansiota {out} ei voi luoda ({os_reason(exc)}). Tarkista polku ja oikeudet, "
                          "tai anna toinen kansio.") from exc


def remove_stale_temporaries(out: Path) -> None:
    """Temporary files of our naming left by an export that was killed (its process is gone): remove them."""
    pattern = re.compile(rf"{re.escape(TEMP_PREFIX)}.+\.(\d+)\.tmp")
    for path in out.glob(f"{TEMP_PREFIX}*.tmp"):
        match = pattern.fullmatch(path.name)
        if match and not _running(int(match.group(1))):
            path.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but is another user's
        return True
    return True


def write_export(frames: dict[str, pd.DataFrame], out: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write each frame as <stem>.<format> in out.

    Every file is written to a temporary file first; only when all are complete are they moved into place,
    so a failure leaves the previous export as it was. Temporary files are removed whatever happens (and
    those of an earlier export that was killed, next time). Raises ExportError with a Finnish message.
    """
    prepare_folder(out)
    remove_stale_temporaries(out)
    planned = [(out / f"{stem}.{file_format}", stem, file_format) for stem in frames for file_format in formats]
    temporaries: list[tuple[Path, Path]] = []
    try:
        for path, stem, file_format in planned:
            temp = out / f"{TEMP_PREFIX}{stem}.{file_format}.{os.getpid()}.tmp"
            temporaries.append((temp, path))
            try:
                WRITERS[file_format](frames[stem], temp)
            except OSError as exc:
                raise ExportError(f"Kansioon {out} ei voi kirjoittaa ({os_reason(exc)}). Tarkista kansion "
                                  "oikeudet ja vapaa tila, tai anna toinen kansio.") from exc
        for temp, path in temporaries:
            try:
                os.replace(temp, path)
            except OSError as exc:
                raise ExportError(f"Tiedostoa {path} ei voi korvata ({os_reason(exc)}). Jos se on auki Excelissä "
                                  "tai Power BI:ssä, sulje se ja yritä uudelleen.") from exc
    finally:
        for temp, _ in temporaries:
            temp.unlink(missing_ok=True)
    return [path for path, _, _ in planned]


def run(args: argparse.Namespace) -> int:
    from tyollisyys_xl.core.attainment import compute_attainment
    from tyollisyys_xl.core.budget import compute_budget
    from tyollisyys_xl.core.export import export_frames
    from tyollisyys_xl.io.errors import WorkbookReadError
    from tyollisyys_xl.pipeline import load

    try:
        refuse_a_file(args.out)  # before the read: say it at once
        validation = load(args.workbook)
        tables = validation.tables
        frames = export_frames(tables, compute_budget(tables), compute_attainment(tables))
        written = write_export(frames, args.out, FORMATS if args.format == "both" else (args.format,))
    except WorkbookReadError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_UNREADABLE
    except ExportError as exc:
        sys.stderr.write(f"Vientiä ei kirjoitettu. {exc}\n")
        return EXIT_UNREADABLE
    sys.stdout.write(f"Kirjoitettu {len(written)} tiedostoa kansioon {args.out}.\n")
    errors = len(validation.errors)
    if errors:
        sys.stderr.write(f"Työkirjassa on {errors} virhettä: virheelliset rivit jäivät pois viennistä "
                         f"(katso tyollisyys-xl validate {args.workbook}).\n")
        return EXIT_ERRORS
    return EXIT_OK
