"""tyollisyys-xl forms MASTER --out DIR [--month 2026-07]: one entry form per municipality.

Each form (`<Kunta>.xlsx`, no macros) asks for the municipality's monthly figures from January to the
month given (default: the month after the latest month with entries), prefilled with what the master
holds; `collect` brings them back. The master is only read. Exit codes: 0 = written, 1 = refused
(nothing written), 2 = the master cannot be read or an argument is malformed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tyollisyys_xl.core.months import YEAR

EXIT_OK, EXIT_REFUSED, EXIT_UNREADABLE = 0, 1, 2


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("master", type=Path, metavar="PÄÄTYÖKIRJA", help="päätyökirja, josta lomakkeet tehdään; sitä vain luetaan")
    parser.add_argument("--out", type=Path, required=True, metavar="KANSIO", help="kansio, johon lomakkeet kirjoitetaan")
    parser.add_argument("--month", metavar="KUUKAUSI",
                        help=f"viimeinen kuukausi, jota lomake kysyy: {YEAR}-07, 7/{YEAR} tai 7 "
                             "(oletus: viimeisintä kirjattua kuukautta seuraava)")


def run(args: argparse.Namespace) -> int:
    from tyollisyys_xl.commands.attainment import ArgumentProblem, parse_as_of
    from tyollisyys_xl.master.forms import make_forms
    from tyollisyys_xl.master.reading import BuildError

    try:
        month = parse_as_of(args.month, "--month")
    except ArgumentProblem as exc:
        sys.stderr.write(f"Virhe: {exc}\n")
        return EXIT_UNREADABLE
    if not args.master.is_file():
        sys.stderr.write(f"Työkirjaa ei voi lukea: {args.master} ei ole.\n")
        return EXIT_UNREADABLE
    try:
        written = make_forms(args.master, args.out, month)
    except BuildError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_REFUSED
    for form in written:
        months = f"{form.plan.months[0]}–{form.plan.months[-1]}/{YEAR}"
        entries, costs = len(form.plan.rows_of("toteumat")), len(form.plan.rows_of("palvelukustannukset"))
        also = f", palvelukustannusrivejä {costs}" if costs else ""
        sys.stdout.write(f"{form.path}: {form.plan.municipality}, kuukaudet {months}, mittaririvejä {entries}{also}\n")
    return EXIT_OK
