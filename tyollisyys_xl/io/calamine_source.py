"""The fast headless reader: python-calamine for values, a light look at the sheet XML for what calamine omits.

calamine reads an error cell (#DIV/0!, #N/A, ...) as an empty string and says nothing of hidden rows or
of formatted but empty rows. One regular-expression pass over each sheet's XML bytes finds those (row
tags with hidden="1", cells with t="e", the last row tag); no XML tree is built for the big sheet parts,
and the small workbook parts that name the sheet files are parsed with defusedxml. Anything that makes
the file unreadable becomes a WorkbookReadError with a Finnish message, never a traceback.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import Any

from defusedxml import DefusedXmlException, ElementTree
from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, SheetTypeEnum

from tyollisyys_xl.core.cells import cell_range
from tyollisyys_xl.core.raw import SheetFacts
from tyollisyys_xl.io.errors import WorkbookReadError
from tyollisyys_xl.io.generated import DEMO_NAME, GENERATED_NAME
from tyollisyys_xl.io.snapshot import REPAIR, CorruptMember, Snapshot

_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_HIDDEN_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*\bhidden=\"(?:1|true)\"[^>]*)>")
_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*\bt=\"e\"[^>]*)>(.*?)</(?:\w+:)?c>", re.DOTALL)
_R_ATTR = re.compile(rb"\br=\"([A-Z]*)(\d+)\"")
_V_TEXT = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def _column_index(letters: bytes) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ch - 64
    return index - 1


def _last_row(xml: bytes) -> int | None:
    """The number of the sheet's last row tag (looked for near the end first: the file can be large)."""
    end = len(xml)
    for start in (max(0, end - 65536), 0):
        tags = list(_ROW_TAG.finditer(xml, start, end))
        if tags:
            r = _R_ATTR.search(tags[-1].group(1))
            return int(r.group(2)) if r else None
    return None


_MARKS = (b"hidden=", b't="e"')
Chunks = Callable[[], Iterator[bytes]]


def _sheet_xml_to_scan(chunks: Chunks) -> bytes:
    """What the scan of a sheet needs: its whole XML if it has a hidden row or an error cell, else only its end
    (where the last row tag is). chunks() gives the sheet's XML a piece at a time, so that a big sheet with
    neither, the usual case, is never held whole in memory; it is called again when the whole is needed."""
    overlap = max(map(len, _MARKS)) - 1
    last_two = (b"", b"")
    for chunk in chunks():
        seam = last_two[1][-overlap:] + chunk[:overlap]
        if any(mark in chunk or mark in seam for mark in _MARKS):
            return b"".join(chunks())
        last_two = (last_two[1], chunk)
    end = b"".join(last_two)
    return end if _last_row(end) is not None else b"".join(chunks())


class CalamineSource:
    """WorkbookSource for a workbook file; reads it once (snapshot), never writes.

    Every view comes from the one snapshot: calamine's values and merged ranges, the scan of the sheet
    XML, and whatever else a caller parses from `snapshot` (openpyxl in `build --from`). A
    member is verified against the zip-bomb limits before any parser sees it: the workbook's own parts
    when the source opens, each sheet's XML when the sheet is first read (its scan does that in passing).
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.snapshot = Snapshot.take(self.path)
        with self._reading("osa xl/workbook.xml"):
            self._parts, self._generated, self._demo = self._sheet_parts()
        sheet_parts = set(self._parts.values())
        for name in self.snapshot.names():
            if name not in sheet_parts:
                with self._reading(f"osa {name}"):
                    self.snapshot.verify([name])
        with self._reading("työkirjan rakenne (xl/workbook.xml, xl/styles.xml tai xl/sharedStrings.xml)"):
            self._book = CalamineWorkbook.from_filelike(self.snapshot.stream())
            self._names = [m.name for m in self._book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
        self._sheets: dict[str, CalamineSheet] = {}
        self._xml_facts: dict[str, tuple[tuple[int, ...], int | None, dict[tuple[int, int], str]]] = {}

    def sheet_names(self) -> list[str]:
        return list(self._names)

    def generated_sheets(self) -> list[str]:
        """The sheets that carry the tool's mark (a sheet-scoped name in workbook.xml), in tab order."""
        return list(self._generated)

    def is_demo(self) -> bool:
        """True when the workbook carries the demo generator's name (it holds fictional data)."""
        return self._demo

    def every_sheet_name(self) -> list[str]:
        """Every sheet in tab order, chart sheets too: whoever copies a workbook must not miss one."""
        return list(self._book.sheet_names)

    def sheet_values(self, name: str, *, error_text: bool = True, empty_as_none: bool = True) -> list[list[Any]]:
        """Cell values from A1; empty cells None, error cells as their text ("#DIV/0!").

        error_text=False leaves error cells None, as calamine gives them.
        empty_as_none=False leaves empty cells "", as calamine gives them: validation reads "" as blank anyway,
        and replacing them costs a pass over every cell.
        """
        sheet = self._sheet(name)
        with self._reading(self._where(name)):
            rows = sheet.to_python(skip_empty_area=False)
        for row in rows if empty_as_none else ():  # in place: a second list per row would double what the GC walks
            row[:] = [None if v == "" else v for v in row]
        for (row, col), text in (self._scan(name)[2] if error_text else {}).items():
            while len(rows) <= row:
                rows.append([])
            line = rows[row]
            line.extend([None] * (col + 1 - len(line)))
            line[col] = text
        return rows

    def sheet_facts(self, name: str) -> SheetFacts:
        """Merged ranges, hidden rows and the last row tag of the sheet."""
        hidden, last_row, _ = self._scan(name)
        merged = self._sheet(name).merged_cell_ranges or []
        ranges = tuple(cell_range(top + 1, left + 1, bottom + 1, right + 1) for (top, left), (bottom, right) in merged)
        return SheetFacts(merged_ranges=ranges, hidden_rows=hidden, last_row=last_row)

    def _sheet(self, name: str) -> CalamineSheet:
        """The sheet as calamine parsed it, kept: parsing is most of the read, and values and facts both need it.
        Its XML is scanned (and so verified against the limits) first."""
        if name not in self._sheets:
            self._scan(name)
            with self._reading(self._where(name)):
                self._sheets[name] = self._book.get_sheet_by_name(name)
        return self._sheets[name]

    def _scan(self, name: str) -> tuple[tuple[int, ...], int | None, dict[tuple[int, int], str]]:
        """Hidden rows, the last row tag and the error cells of the sheet's XML, scanned once."""
        if name not in self._xml_facts:
            part = self._parts.get(name)
            with self._reading(self._where(name)):
                xml = _sheet_xml_to_scan(lambda: self.snapshot.member_chunks(part)) if part else b""
            self._xml_facts[name] = _scan_xml(xml)
        return self._xml_facts[name]

    def _sheet_parts(self) -> tuple[dict[str, str], list[str], bool]:
        """Sheet name -> its XML part in the zip, from workbook.xml and its relationships; the
        sheets that carry the tool's generated-sheet mark; and whether the workbook is marked a demo."""
        workbook = ElementTree.fromstring(self.snapshot.read("xl/workbook.xml"))
        rels_name = "xl/_rels/workbook.xml.rels"
        rels = ElementTree.fromstring(self.snapshot.read(rels_name)) if rels_name in self.snapshot.names() else None
        targets = {}
        for rel in rels if rels is not None else []:
            if rel.tag == f"{_PKG_REL_NS}Relationship":
                target = rel.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                targets[rel.get("Id")] = path
        parts = {}
        sheets = [sheet.get("name") for sheet in workbook.iter(f"{_MAIN_NS}sheet")]
        for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
            part = targets.get(sheet.get(f"{_REL_NS}id"))
            if part in self.snapshot.names():
                parts[sheet.get("name")] = part
        marked = {
            int(name.get("localSheetId"))
            for name in workbook.iter(f"{_MAIN_NS}definedName")
            if name.get("name") == GENERATED_NAME and (name.get("localSheetId") or "").isdigit()
        }
        demo = any(name.get("name") == DEMO_NAME and name.get("localSheetId") is None
                   for name in workbook.iter(f"{_MAIN_NS}definedName"))
        return parts, [name for index, name in enumerate(sheets) if index in marked], demo

    def _where(self, sheet: str) -> str:
        part = self._parts.get(sheet)
        return f"välilehden {sheet} osa {part}" if part else f"välilehti {sheet}"

    @contextmanager
    def _reading(self, where: str) -> Iterator[None]:
        """Turn whatever a parser raises on a broken part into one Finnish WorkbookReadError saying where.

        The library's own words are left out of the message: they are English, and may quote a cell's value.
        """
        try:
            yield
        except WorkbookReadError:
            raise
        except CorruptMember as exc:
            raise self.snapshot.error(f"Tiedosto on vioittunut: {where} ei purkaudu siksi, mitä zip-paketti "
                                      f"siitä ilmoittaa. {REPAIR}") from exc
        except (CalamineError, zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError, ElementTree.ParseError,
                DefusedXmlException) as exc:
            raise self.snapshot.error(f"Tiedosto on vioittunut: {where} ei ole luettavaa XML:ää. {REPAIR}") from exc

    def read_all(self, skip: Iterable[str] = ()) -> tuple[dict[str, list[list[Any]]], dict[str, SheetFacts]]:
        """Every worksheet's values and facts, as validate_sheets takes them; skip: sheets not to read
        (the report skips the tool's own generated sheets)."""
        skipped = set(skip)
        names = [name for name in self._names if name not in skipped]
        values = {name: self.sheet_values(name, empty_as_none=False) for name in names}
        return values, {name: self.sheet_facts(name) for name in names}


def _scan_xml(xml: bytes) -> tuple[tuple[int, ...], int | None, dict[tuple[int, int], str]]:
    hidden = []
    for match in _HIDDEN_ROW_TAG.finditer(xml) if b"hidden=" in xml else ():
        r = _R_ATTR.search(match.group(1))
        if r:
            hidden.append(int(r.group(2)))
    errors = {}
    for match in _ERROR_CELL.finditer(xml) if b't="e"' in xml else ():
        r, v = _R_ATTR.search(match.group(1)), _V_TEXT.search(match.group(2))
        if r and r.group(1):
            errors[(int(r.group(2)) - 1, _column_index(r.group(1)))] = v.group(1).decode("utf-8", "replace") if v else "#N/A"
    return tuple(hidden), _last_row(xml), errors
