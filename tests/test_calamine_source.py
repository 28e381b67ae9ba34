"""The sheet-XML scan reads big sheets a chunk at a time: a hidden row or an error cell anywhere, even across the
seam of two chunks, must still make it read the whole sheet, and the last row tag must still be found."""

from __future__ import annotations

import io
import zipfile

import pytest

from tyollisyys_xl.io import calamine_source
from tyollisyys_xl.io.calamine_source import _last_row, _sheet_xml_to_scan

CHUNK = 64


def archive_with(xml: bytes) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", xml)
    return zipfile.ZipFile(buffer)


def rows(first: int, last: int) -> bytes:
    return b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(first, last + 1))


@pytest.mark.parametrize("tag, mark", [(b'<row r="7" hidden="1">', b"hidden="), (b'<c r="B7" t="e"><v>#N/A</v></c>', b't="e"')])
@pytest.mark.parametrize("offset", range(CHUNK - 8, CHUNK + 2))
def test_a_mark_at_any_offset_reads_the_whole_sheet(monkeypatch, tag, mark, offset):
    """offset: where the mark itself starts; from CHUNK - 8 on it straddles the seam of the first two chunks."""
    monkeypatch.setattr(calamine_source, "_SCAN_CHUNK", CHUNK)
    head = b"<sheetData>" + b" " * (offset - tag.index(mark) - len(b"<sheetData>"))
    xml = head + tag + rows(8, 40) + b"</sheetData>"
    assert xml.index(mark) == offset
    assert _sheet_xml_to_scan(archive_with(xml), "xl/worksheets/sheet1.xml") == xml


def test_a_sheet_without_marks_gives_only_its_end_with_the_last_row(monkeypatch):
    monkeypatch.setattr(calamine_source, "_SCAN_CHUNK", CHUNK)
    xml = b"<sheetData>" + rows(1, 500) + b"</sheetData>" + b"<pageSetup/>" * 3
    scanned = _sheet_xml_to_scan(archive_with(xml), "xl/worksheets/sheet1.xml")
    assert len(scanned) <= 2 * CHUNK and xml.endswith(scanned)
    assert _last_row(scanned) == 500


def test_a_long_tail_after_the_rows_falls_back_to_the_whole_sheet(monkeypatch):
    monkeypatch.setattr(calamine_source, "_SCAN_CHUNK", CHUNK)
    xml = b"<sheetData>" + rows(1, 20) + b"</sheetData>" + b"<pageSetup/>" * 100
    scanned = _sheet_xml_to_scan(archive_with(xml), "xl/worksheets/sheet1.xml")
    assert scanned == xml and _last_row(scanned) == 20
