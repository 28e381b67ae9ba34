"""tyollisyys-xl demo OUT.xlsm [--scale N] [--seed S] [--master PATH]: a master with fictional data in every input table."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tyollisyys_xl.cli import whole_number
from tyollisyys_xl.master.reading import BuildError
from tyollisyys_xl.schemas import SourceError


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("out", type=Path, metavar="TIEDOSTO.xlsm", help="kirjoitettava esimerkkityökirja")
    parser.add_argument("--scale", type=whole_number, default=1, metavar="N",
                        help="mittakaava: N työllisyysalueen verran kuntia ja rahaliikennettä (1 = yksi alue, 50 ≈ koko maa)")
    parser.add_argument("--seed", type=whole_number, default=1, metavar="S", help="satunnaislukujen siemen (sama siemen = sama tiedosto)")
    parser.add_argument("--master", type=Path, metavar="PÄÄTYÖKIRJA",
                        help="päätyökirja, jonka Mittarit, Kunnat, Tukilajit ja Kustannuskohteet otetaan "
                             "(oletus: workbook/Tyollisyysohjelma2026.xlsm, jos se on, muuten lähteet)")


def run(args: argparse.Namespace) -> int:
    from tyollisyys_xl.master.demo import make_demo
    from tyollisyys_xl.resources import master_workbook

    master = args.master or (master_workbook() if master_workbook().is_file() else None)
    try:
        path = make_demo(master, args.out, scale=args.scale, seed=args.seed)
    except (BuildError, SourceError) as exc:
        print(str(exc), file=sys.stderr)
        return 1
    print(f"Esimerkkityökirja kirjoitettu: {path} (mittakaava {args.scale}, siemen {args.seed}). "
          f"Kaikki sen luvut ovat kuvitteellisia.")
    return 0
