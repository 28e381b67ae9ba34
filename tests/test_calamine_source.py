"""The sheet-XML scan reads big sheets a chunk at a time: a hidden row or an error cell anywhere, even across the
seam of two chunks, must still make it read the whole sheet, and the last row tag must still be found."""

from __future__ import annotations

import pytest

from tyollisyys_xl.io.calamine_source import _last_row, _sheet_xml_to_scan

CHUNK = 64


def in_chunks(xml: bytes):
    """The sheet's XML as the snapshot hands it on: pieces of one size, the last maybe shorter."""
    return lambda: (xml[i : i + CHUNK] for i in range(0, len(xml), CHUNK))


def rows(first: int, last: int) -> bytes:
    return b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (r, r) for r in range(first, last + 1))


@pytest.mark.parametrize("tag, mark", [(b'<row r="7" hidden="1">', b"hidden="), (b'<c r="B7" t="e"><v>#N/A</v></c>', b't="e"')])
@pytest.mark.parametrize("offset", range(CHUNK - 8, CHUNK + 2))
def test_a_mark_at_any_offset_reads_the_whole_sheet(tag, mark, offset):
    """offset: where the mark itself starts; from CHUNK - 8 on it straddles the seam of the first two chunks."""
    head = b"<sheetData>" + b" " * (offset - tag.index(mark) - len(b"<sheetData>"))
    xml = head + tag + rows(8, 40) + b"</sheetData>"
    assert xml.index(mark) == offset
    assert _sheet_xml_to_scan(in_chunks(xml)) == xml


def test_a_sheet_without_marks_gives_only_its_end_with_the_last_row():
    xml = b"<sheetData>" + rows(1, 500) + b"</sheetData>" + b"<pageSetup/>" * 3
    scanned = _sheet_xml_to_scan(in_chunks(xml))
    assert len(scanned) <= 2 * CHUNK and xml.endswith(scanned)
    assert _last_row(scanned) == 500


def test_a_long_tail_after_the_rows_falls_back_to_the_whole_sheet():
    xml = b"<sheetData>" + rows(1, 20) + b"</sheetData>" + b"<pageSetup/>" * 100
    scanned = _sheet_xml_to_scan(in_chunks(xml))
    assert scanned == xml and _last_row(scanned) == 20
