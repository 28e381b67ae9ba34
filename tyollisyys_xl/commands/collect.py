"""tyollisyys-xl collect MASTER FORM... --out NEW.xlsm: the municipalities' forms into a new master.

A FORM is a file made by `forms`, or KUNTA=FILE to say whose form it is (otherwise a file named after a
municipality is taken as that municipality's). Every form is checked (its municipality, the programme
version, its values, conflicts with changes made in the master since the form was made); any problem
refuses them all and nothing is written. Then prints what each form changed, as `diff` prints it.
MASTER is never modified. Exit codes: 0 = written, 1 = refused (nothing written), 2 = MASTER cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_REFUSED, EXIT_UNREADABLE = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("master", type=Path, metavar="PÄÄTYÖKIRJA", help="päätyökirja; sitä ei muuteta")
    parser.add_argument("forms", nargs="+", metavar="LOMAKE", help="kuntien palauttamat lomakkeet (tai KUNTA=LOMAKE)")
    parser.add_argument("--out", type=Path, required=True, metavar="UUSI.xlsm",
                        help="uusi päätyökirja, johon lomakkeiden muutokset tuodaan")


def report(results) -> str:
    """What each form changed, in the words of `diff`."""
    from tyollisyys_xl.core.rowdiff import format_text

    parts = []
    for result in results:
        parts.append(f"### Lomake {result.path.name} (kunta {result.municipality})")
        parts.append(format_text(result.changes) or "Ei muutoksia.")
        parts += [f"Huom. {warning}" for warning in result.warnings]
        parts.append("")
    return "\n".join(parts)


def run(args: argparse.Namespace) -> int:
    from tyollisyys_xl.core.forms import text_of
    from tyollisyys_xl.master.collect import collect_forms, form_files
    from tyollisyys_xl.master.reading import BuildError, open_workbook, read_input_tables
    from tyollisyys_xl.schemas import table_schemas

    try:
        kunnat = read_input_tables(open_workbook(args.master), {"kunnat": table_schemas()["kunnat"]})["kunnat"]
    except BuildError as exc:
        sys.stderr.write(f"Päätyökirjaa ei voi lukea: {exc}\n")
        return EXIT_UNREADABLE
    files = form_files(args.forms, [text_of(r.get("name")) for r in kunnat.rows])
    try:
        results = collect_forms(args.master, files, args.out)
    except BuildError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_REFUSED
    sys.stdout.write(report(results))
    sys.stdout.write(f"Uusi päätyökirja: {args.out} (lomakkeita {len(results)}). {args.master} on ennallaan.\n")
    return EXIT_OK
