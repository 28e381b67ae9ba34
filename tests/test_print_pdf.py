"""The report as the board gets it: written by `tyollisyys-xl report`, printed to PDF by LibreOffice Calc in a
Finnish locale, and read back with pdfplumber. One conversion per workbook (the demo, and the demo with one
fault per rule), shared by every test here.

What a printed page must be (docs/report.md, "The print contract"): every card exactly one page; no text
smaller than 8 pt as printed; every indicator name whole; the error banner on every page when the data
has errors and on none when it has not; the demo banner on every page of a demo report.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from libreoffice import needs_soffice, recalculated_copy

from tyollisyys_xl.commands.report import write_report
from tyollisyys_xl.core.reports.board import COMMITTEE_SHEET, COUNCIL_SHEET
from tyollisyys_xl.core.reports.layout import DEMO_BANNER, error_banner
from tyollisyys_xl.core.reports.printing import MIN_PRINTED_POINTS
from tyollisyys_xl.resources import programme_dir

pdfplumber = pytest.importorskip("pdfplumber")
pytestmark = [pytest.mark.libreoffice, pytest.mark.slow, needs_soffice]

FOOTER = re.compile(r"^(?P<sheet>.+?)(?: · Tilanne \w+ \d{4})? Sivu (?P<page>\d+) / (?P<pages>\d+)")
FOOTER_BAND = 26  # points from the bottom edge of the page: the footer's line, below the printed area


@dataclass(frozen=True)
class Page:
    sheet: str  # from the footer, which names the sheet (&A) on every page
    text: str  # all of the page's text, whitespace collapsed
    smallest: float  # the smallest text on the page as printed, in points
    names: str  # the text of the page's indicator-name column, when it has one


@dataclass(frozen=True)
class Rendered:
    pages: list[Page]
    errors: int
    cards: list[str]  # the cards the report holds (one per valid municipality of the workbook)

    def of(self, sheet: str) -> list[Page]:
        return [page for page in self.pages if page.sheet == sheet]


def _flat(text: str) -> str:
    """Whitespace collapsed, and a word wrapped after its hyphen joined again ("Mänttä- Vilppula")."""
    return re.sub(r"([-–]) ", r"\1", " ".join(text.split()))


def _printed_size(char: dict) -> float:
    """A character's size as printed: pdfplumber's size is the height of its box, which for a turned character
    (a chart's vertical axis title) is the glyph's advance; the box's width is then its size."""
    return char["size"] if char["upright"] else char["width"]


def _names_column(page, header: str, next_header: str) -> str:
    """The text of the column under the header word (the indicator names), cut out by the header's x-range."""
    words = page.extract_words()
    start = next((w for w in words if w["text"] == header), None)
    end = next((w for w in words if start and w["text"] == next_header and abs(w["top"] - start["top"]) < 20), None)
    if start is None or end is None:
        return ""
    return page.crop((start["x0"] - 1, start["bottom"], end["x0"] - 1, page.height - FOOTER_BAND)).extract_text() or ""


def _read(pdf: Path) -> list[Page]:
    pages = []
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            footer = page.crop((0, page.height - FOOTER_BAND, page.width, page.height)).extract_text() or ""
            match = FOOTER.match(" ".join(footer.split()))
            assert match, f"a page without the footer: {footer!r}"
            names = _names_column(page, "Mittari", "Lähtöarvo") or _names_column(page, "Mittari", "Yksikkö")
            pages.append(Page(match["sheet"], _flat(page.extract_text() or ""),
                              min((_printed_size(c) for c in page.chars), default=99.0), _flat(names)))
    return pages


def _render(folder: Path, workbook: Path) -> Rendered:
    out = folder / "Raportti.xlsx"
    result = write_report(workbook, out)
    cards = [spec.name for spec in result.specs if spec.template is not None]
    return Rendered(_read(recalculated_copy(out, folder, "pdf", finnish=True)), result.errors, cards)


@pytest.fixture(scope="session")
def demo_pdf(tmp_path_factory, demo_path) -> Rendered:
    return _render(tmp_path_factory.mktemp("demo-pdf"), demo_path)


@pytest.fixture(scope="session")
def faulty_pdf(tmp_path_factory, faulty_workbook) -> Rendered:
    return _render(tmp_path_factory.mktemp("faulty-pdf"), faulty_workbook[0])


@pytest.fixture(scope="module")
def programme() -> list[dict]:
    return yaml.safe_load((programme_dir() / "ohjelma2026.yaml").read_text(encoding="utf-8"))["indicators"]


@pytest.fixture(params=["demo", "faulty"])
def rendered(request, demo_pdf, faulty_pdf) -> Rendered:
    return {"demo": demo_pdf, "faulty": faulty_pdf}[request.param]


def test_every_card_is_exactly_one_page(rendered):
    counts = Counter(page.sheet for page in rendered.pages)
    assert len(rendered.cards) >= 6 and {card: counts[card] for card in rendered.cards} == dict.fromkeys(rendered.cards, 1)


def test_no_text_prints_smaller_than_8_pt(rendered):
    small = {(page.sheet, round(page.smallest, 2)) for page in rendered.pages if page.smallest < MIN_PRINTED_POINTS - 0.05}
    assert not small, f"text below {MIN_PRINTED_POINTS} pt: {sorted(small)}"


def test_the_council_page_is_one_landscape_page_with_its_14_indicators_whole(demo_pdf, programme):
    (page,) = demo_pdf.of(COUNCIL_SHEET)
    council = [i for i in programme if i["level"] == "KV"]
    assert len(council) == 14
    for indicator in council:
        assert indicator["id"] in page.text and _flat(indicator["name"]) in page.names, indicator["name"]


def test_every_indicator_name_appears_whole_on_the_committee_pages(demo_pdf, programme):
    names = " ".join(page.names for page in demo_pdf.of(COMMITTEE_SHEET))
    missing = [i["name"] for i in programme if _flat(i["name"]) not in names]
    assert not missing


def test_every_card_names_its_indicators_whole(demo_pdf, programme):
    local = [i for i in programme if i["per_municipality"]]
    for page in (p for p in demo_pdf.pages if p.sheet.startswith("Kuntakortti ")):
        assert all(f"{i['id']} {_flat(i['name'])}" in page.text for i in local), page.sheet


def test_the_error_banner_is_on_every_page_when_the_data_has_errors_and_on_none_when_not(demo_pdf, faulty_pdf):
    assert demo_pdf.errors == 0 and not any("Tiedoissa on" in page.text for page in demo_pdf.pages)
    banner = _flat(error_banner(faulty_pdf.errors))
    assert faulty_pdf.errors > 1 and banner.startswith(f"Tiedoissa on {faulty_pdf.errors} virhettä")
    assert [page.sheet for page in faulty_pdf.pages if banner not in page.text] == []


def test_the_demo_banner_is_on_every_page_of_a_demo_report(rendered):
    assert [page.sheet for page in rendered.pages if DEMO_BANNER not in page.text] == []


def test_a_printed_decrease_has_the_minus_sign_not_a_hyphen(demo_pdf):
    """Finnish print writes a negative number with the minus sign (−); a hyphen before a digit is a typo."""
    cards = [page for page in demo_pdf.pages if page.sheet.startswith("Kuntakortti ")]
    assert any(re.search(r"−\d", page.text) for page in cards)
    hyphens = {page.sheet: re.findall(r"(?<![\w.])-\d[\d  ,]*", page.text) for page in demo_pdf.pages}
    assert {sheet: found for sheet, found in hyphens.items() if found} == {}
