"""Render the README's pictures: the council's page (Toteutuminen KV) and a municipality card, as the board gets
them. The demo workbook is built from this repository, reported on (`tyollisyys-xl report`), printed to PDF by
LibreOffice Calc in a Finnish locale and the two pages turned into PNG by pdftoppm, into docs/img/.

    .venv/bin/python scripts/render_readme_images.py

Needs soffice and pdftoppm/pdftotext (poppler-utils), as the LibreOffice tests do. The pictures are made by
this script only, never by hand, so that they show what the code prints.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the LibreOffice helper the tests use: one way to print a workbook

from libreoffice import recalculated_copy  # noqa: E402

from tyollisyys_xl.commands.report import write_report  # noqa: E402
from tyollisyys_xl.master.builder import build_master  # noqa: E402
from tyollisyys_xl.master.demo import make_demo  # noqa: E402

IMAGES = {  # the sheet a page's footer names -> the picture
    "Toteutuminen KV": "toteutuminen-kv.png",
    "Kuntakortti Jämsä": "kuntakortti-jamsa.png",
}
RESOLUTION = 90  # dots per inch: an A4 page about 1 050 pixels wide in landscape


def page_of(pdf: Path, sheet: str) -> int:
    """The first page (1-based) whose footer names the sheet ("Kuntakortti Jämsä · Tilanne …")."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for number, page in enumerate(text.split("\f"), start=1):
        if f"{sheet} · Tilanne" in page:
            return number
    raise SystemExit(f"no page of {sheet} in {pdf}")


def main() -> int:
    out = ROOT / "docs" / "img"
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        master = build_master(work / "Tyollisyysohjelma2026.xlsm")
        demo = make_demo(master, work / "demo.xlsm", scale=1, seed=1)
        write_report(demo, work / "Raportti.xlsx")
        pdf = recalculated_copy(work / "Raportti.xlsx", work, "pdf", finnish=True)
        for sheet, name in IMAGES.items():
            page = page_of(pdf, sheet)
            target = out / name
            subprocess.run(["pdftoppm", "-f", str(page), "-l", str(page), "-r", str(RESOLUTION), "-png", "-singlefile",
                            str(pdf), str(target.with_suffix(""))], check=True)
            print(f"{target.relative_to(ROOT)}: {sheet}, sivu {page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
