"""tyollisyys-xl build [OUT] | build --check [PATH] | build --from OLD OUT.

- build: the master workbook from the sources (default workbook/Tyollisyysohjelma2026.xlsm); refuses
  to overwrite a workbook whose entry tables hold rows.
- build --check: exit 1 when the workbook differs from what its sources build (CI runs this).
- build --from OLD OUT: a fresh master carrying every input row of OLD, verified by reading it back.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tyollisyys_xl.core.safe_text import visible
from tyollisyys_xl.master.reading import BuildError
from tyollisyys_xl.schemas import SourceError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, nargs="?", metavar="TIEDOSTO",
                        help="kirjoitettava (tai --check: tarkistettava) työkirja; oletus workbook/Tyollisyysohjelma2026.xlsm")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true",
                      help="älä kirjoita mitään: tarkista, että työkirja vastaa lähteistä rakennettua (muuten poistumiskoodi 1)")
    mode.add_argument("--from", dest="old", type=Path, metavar="VANHA.xlsm",
                      help="rakenna uusi päätyökirja ja siirrä siihen kaikki VANHA.xlsm:n syöttötaulujen rivit")
    parser.add_argument("--sources", type=Path, metavar="KANSIO",
                        help="lähdekansio, jossa schema/, programme/, workbook/vba/ ja excel/lite/ (oletus: paketin omat)")


def _check(path: Path | None, sources: Path | None) -> int:
    from tyollisyys_xl.master.builder import check_master
    from tyollisyys_xl.resources import master_workbook

    path = path or master_workbook()
    differing = check_master(path, sources)
    if not differing:
        print(f"{path} vastaa lähteitään.")
        return 0
    listed = ", ".join(differing)
    print(f"{path} ei vastaa lähteistä rakennettua työkirjaa. Eroavat osat: {listed}. "
          f"Rakenna se uudelleen komennolla: tyollisyys-xl build", file=sys.stderr)
    return 1


def _upgrade(old: Path, out: Path | None, sources: Path | None) -> int:
    from tyollisyys_xl.master.upgrade import upgrade_master

    if out is None:
        print("Anna uuden työkirjan nimi: tyollisyys-xl build --from VANHA.xlsm UUSI.xlsm", file=sys.stderr)
        return 2
    report = upgrade_master(old, out, sources)
    carried = ", ".join(f"{sheet} {count}" for sheet, count in report.carried.items())
    print(f"Uusi päätyökirja {out} rakennettu. Siirretyt rivit: {carried}.")
    for sheet, counts in report.extras.items():
        print(f"Siirretty myös ({sheet}): {', '.join(f'{what} {count}' for what, count in counts.items())}.")
    compared = "kaikki rivit, arvot, kaavat, muistiinpanot, täyttövärit ja piilotetut rivit ovat samat kuin vanhassa"
    if report.programme_changes:
        print(f"Luettu takaisin ja verrattu: {compared} paitsi Mittarit-välilehden hyväksytyn ohjelman arvot, jotka "
              "päivitettiin ohjelmatiedostosta (programme/ohjelma2026.yaml): "
              f"{'; '.join(report.programme_changes)}.")
    else:
        print(f"Luettu takaisin ja verrattu: {compared}.")
    if report.from_sources:
        print(f"Vanhasta puuttuneet taulut täytettiin lähteistä: {', '.join(report.from_sources)}.")
    if report.dropped_generated:
        print(f"Työkalun tuottamat välilehdet jätettiin pois (luo ne uudelleen painikkeilla): "
              f"{', '.join(report.dropped_generated)}.")
    return 0


def run(args: argparse.Namespace) -> int:
    from tyollisyys_xl.master.builder import build_master

    try:
        if args.check:
            return _check(args.out, args.sources)
        if args.old:
            return _upgrade(args.old, args.out, args.sources)
        path = build_master(args.out, args.sources)
        print(f"Päätyökirja rakennettu: {path}")
        return 0
    except SourceError as exc:
        print(f"Lähdetiedosto on virheellinen, joten mitään ei kirjoitettu: {exc}", file=sys.stderr)
        return 1
    except BuildError as exc:
        print(visible(str(exc)), file=sys.stderr)
        return 1
