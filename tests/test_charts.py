"""Charts and figures as the board sees them: series apart in grey print (dash, marker, lightness), straight
lines, whole euros on the axes, bars in the tables' order; the Finnish formats in a LibreOffice render."""

from __future__ import annotations

import re
import subprocess
import zipfile
from xml.sax.saxutils import escape

import pytest
from libreoffice import needs_poppler, needs_soffice, recalculated_copy
from remote_book import actions, remote_book

import tyollisyys_xl.excel as excel
from tyollisyys_xl.cli import main
from tyollisyys_xl.core.reports.layout import EURO_FORMAT

_C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


@pytest.fixture(scope="module")
def report(demo_path, tmp_path_factory):
    out = tmp_path_factory.mktemp("charts") / "raportti.xlsx"
    assert main(["report", str(demo_path), "--out", str(out)]) == 0
    return out


def chart_parts(path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()
                if name.startswith("xl/charts/chart")}


def test_line_series_differ_in_dash_and_marker_and_are_straight(report):
    lines = [xml for xml in chart_parts(report).values() if "<c:lineChart>" in xml]
    assert len(lines) == 2  # Budjetti kuukausittain, Toteutuminen kuukausittain
    for xml in lines:
        series = re.findall(r"<c:ser>(.*?)</c:ser>", xml, re.S)
        dashes = [re.search(r'<a:prstDash val="(\w+)"', s) for s in series]
        markers = [re.search(r'<c:symbol val="(\w+)"', s).group(1) for s in series]
        colours = [re.search(r'<a:srgbClr val="(\w+)"', s).group(1) for s in series]
        assert len(set(markers)) == len(set(colours)) == len(series) >= 2
        assert len({d.group(1) if d else "solid" for d in dashes}) == len(series)
        assert '<c:smooth val="1"/>' not in xml


def test_euro_axes_show_whole_euros_and_bars_run_top_down(report):
    charts = chart_parts(report).values()
    euro_axes = [xml for xml in charts if f'formatCode="{escape(EURO_FORMAT, {chr(34): "&quot;"})}"' in xml]
    assert len(euro_axes) == 1 + 8  # the monthly budget chart and the card's bar chart (in each card)
    bars = [xml for xml in charts if "<c:barChart>" in xml and '<c:barDir val="bar"/>' in xml]
    assert len(bars) == 1 + 8  # the progress by focus area, and every card's subsidies
    for xml in bars:
        category = re.search(r"<c:catAx>(.*?)</c:catAx>", xml, re.S).group(1)
        value = re.search(r"<c:valAx>(.*?)</c:valAx>", xml, re.S).group(1)
        assert '<c:orientation val="maxMin"/>' in category  # the first table row at the top
        assert '<c:crosses val="max"/>' in value  # and the value axis still at the bottom


def test_excel_gets_the_axis_formats_and_bar_order(demo_path):
    """The remote engine sets axes; series looks need the series, which it cannot look up (docs/excel.md)."""
    book = remote_book(demo_path)
    excel.update_all(book)
    axes = [a["args"][1:] for a in actions(book) if a["func"] == "setChartAxis"]
    assert ["value", {"number_format": EURO_FORMAT}] in axes
    assert ["category", {"reverse_order": True, "crosses": "maximum"}] in axes


@pytest.mark.libreoffice
@needs_soffice
@needs_poppler
def test_a_finnish_render_shows_finnish_figures(report, tmp_path):
    """Thousands space, decimal comma, whole euros and symbols as LibreOffice in Finnish prints them."""
    pdf = recalculated_copy(report, tmp_path, "pdf", finnish=True)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = text.replace("\u00a0", " ").replace("\u202f", " ")
    assert re.search(r"\b\d{1,3} \d{3} €", text)  # 384 100 €
    assert not re.search(r"\d,\d\d €", text)  # no cents in a cell or on an axis
    assert re.search(r"\b\d{1,3},\d %", text)  # 87,4 %
    assert "ei budjettia" in text and "Ennuste vuoden loppuun" in text
    assert "● Saavutettu" in text and "○ Tavoitteessa" in text
    assert re.search(r"\b1 \d{3}\b", text)  # a count with its thousands space (4 301 on a card)
