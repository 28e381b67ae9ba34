"""tyollisyys-xl export WORKBOOK --out DIR: tidy tables for Power BI as CSV and Parquet.

CSV is for people and Finnish Excel: UTF-8 with a byte-order mark, ";" between fields, decimal comma,
dates as yyyy-mm-dd. Parquet is for Power BI: typed columns (money as exact decimal(18,2), dates as
dates), so no locale setting can misread a figure. Rows with errors are left out, as everywhere.

Exit codes: 0 = written, 1 = written but the workbook has errors (those rows are missing),
2 = the workbook cannot be read (nothing written).
"""

from __future__ import annotations

import argparse
import os
import sys
from decimal import Decimal
from pathlib import Path

import pandas as pd

FORMATS = ("csv", "parquet")
EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
MONEY_TYPE = (18, 2)  # decimal precision and scale of euro columns in Parquet


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workbook", type=Path, metavar="TYÖKIRJA", help="luettava työkirja (.xlsm tai .xlsx); sitä ei muuteta")
    parser.add_argument("--out", type=Path, required=True, metavar="KANSIO", help="kansio, johon taulut kirjoitetaan")
    parser.add_argument("--format", choices=[*FORMATS, "both"], default="both",
                        help="tiedostomuoto: csv, parquet tai molemmat (oletus)")


def _csv_cell(value):
    """Decimal euros with a decimal comma; everything else as pandas writes it."""
    return str(value).replace(".", ",") if isinstance(value, Decimal) else value


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    text_money = frame.apply(lambda col: col.map(_csv_cell) if col.dtype == object else col)
    text_money.to_csv(path, sep=";", decimal=",", index=False, encoding="utf-8-sig", date_format="%Y-%m-%d")


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


def write_export(frames: dict[str, pd.DataFrame], out: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write each frame as <stem>.<format> in out; each file is swapped in whole, never seen half-written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for stem, frame in frames.items():
        for file_format in formats:
            path = out / f"{stem}.{file_format}"
            temp = out / f".~{stem}.{file_format}"
            WRITERS[file_format](frame, temp)
            os.replace(temp, path)
            written.append(path)
    return written


def run(args: argparse.Namespace) -> int:
    from tyollisyys_xl.core.attainment import compute_attainment
    from tyollisyys_xl.core.budget import compute_budget
    from tyollisyys_xl.core.export import export_frames
    from tyollisyys_xl.io.errors import WorkbookReadError
    from tyollisyys_xl.pipeline import load

    try:
        validation = load(args.workbook)
    except WorkbookReadError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_UNREADABLE
    tables = validation.tables
    frames = export_frames(tables, compute_budget(tables), compute_attainment(tables))
    formats = FORMATS if args.format == "both" else (args.format,)
    written = write_export(frames, args.out, formats)
    sys.stdout.write(f"Kirjoitettu {len(written)} tiedostoa kansioon {args.out}.\n")
    errors = len(validation.errors)
    if errors:
        sys.stderr.write(f"Työkirjassa on {errors} virhettä: virheelliset rivit jäivät pois viennistä "
                         f"(katso tyollisyys-xl validate {args.workbook}).\n")
        return EXIT_ERRORS
    return EXIT_OK
