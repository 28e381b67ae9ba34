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
from collections.abc import Iterable
from contextlib import nullcontext
from pathlib import Path, PurePosixPath
from typing import Any

from defusedxml import DefusedXmlException, ElementTree
from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, SheetTypeEnum

from tyollisyys_xl.core.cells import cell_range
from tyollisyys_xl.core.raw import SheetFacts
from tyollisyys_xl.io.errors import WorkbookReadError
from tyollisyys_xl.io.generated import GENERATED_NAME

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
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


def check_file(path: Path) -> None:
    """Refuse what is not an Excel workbook before calamine sees it, with a message that says why."""
    if not path.exists():
        raise WorkbookReadError(str(path), "Tiedostoa ei ole.")
    if not path.is_file():
        raise WorkbookReadError(str(path), "Polku ei ole tiedosto.")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
            if head == _OLE_MAGIC:
                encrypted = _ENCRYPTED_STREAM in fh.read()
    except OSError as exc:
        raise WorkbookReadError(str(path), f"Tiedostoa ei voi avata ({exc.strerror or exc}).") from exc
    if not head:
        raise WorkbookReadError(str(path), "Tiedosto on tyhjä.")
    if head == _OLE_MAGIC:
        if encrypted:
            raise WorkbookReadError(str(path), "Työkirja on suojattu salasanalla. Poista salasana (Tiedosto > Tiedot > Suojaa työkirja) ja tallenna uudelleen.")
        raise WorkbookReadError(str(path), "Tiedosto on vanhaa .xls-muotoa. Tallenna se Excelissä .xlsm-muodossa.")
    if head[:4] != _ZIP_MAGIC:
        raise WorkbookReadError(str(path), "Tiedosto ei ole Excel-työkirja (.xlsx tai .xlsm).")
    try:
        with zipfile.ZipFile(path) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise WorkbookReadError(str(path), "Tiedosto on zip-paketti, mutta siinä ei ole Excel-työkirjaa.")
    except zipfile.BadZipFile as exc:
        raise WorkbookReadError(str(path), "Tiedosto on katkennut tai vioittunut (zip-paketti ei ole eheä).") from exc


def _last_row(xml: bytes) -> int | None:
    """The number of the sheet's last row tag (looked for near the end first: the file can be large)."""
    end = len(xml)
    for start in (max(0, end - 65536), 0):
        tags = list(_ROW_TAG.finditer(xml, start, end))
        if tags:
            r = _R_ATTR.search(tags[-1].group(1))
            return int(r.group(2)) if r else None
    return None


_SCAN_CHUNK = 1 << 18
_MARKS = (b"hidden=", b't="e"')


def _sheet_xml_to_scan(archive: zipfile.ZipFile, part: str) -> bytes:
    """What the scan of a sheet needs: its whole XML if it has a hidden row or an error cell, else only its end
    (where the last row tag is). Read a chunk at a time, so that a big sheet with neither, the usual case,
    is never held whole in memory."""
    overlap = max(map(len, _MARKS)) - 1
    last_two = (b"", b"")
    with archive.open(part) as stream:
        while chunk := stream.read(_SCAN_CHUNK):
            seam = last_two[1][-overlap:] + chunk[:overlap]
            if any(mark in chunk or mark in seam for mark in _MARKS):
                return archive.read(part)
            last_two = (last_two[1], chunk)
    end = b"".join(last_two)
    return end if _last_row(end) is not None else archive.read(part)


class CalamineSource:
    """WorkbookSource for a workbook file; opens read-only and never writes."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        check_file(self.path)
        try:
            self._book = CalamineWorkbook.from_path(str(self.path))
            self._names = [m.name for m in self._book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]
            self._parts, self._generated = self._sheet_parts()
        except (CalamineError, zipfile.BadZipFile, OSError, KeyError, ElementTree.ParseError, DefusedXmlException) as exc:
            raise WorkbookReadError(str(self.path), f"Työkirjaa ei voi lukea: {_reason(exc)}") from exc
        self._sheets: dict[str, CalamineSheet] = {}
        self._xml_facts: dict[str, tuple[SheetFacts, dict[tuple[int, int], str]]] = {}

    def sheet_names(self) -> list[str]:
        return list(self._names)

    def generated_sheets(self) -> list[str]:
        """The sheets that carry the tool's mark (a sheet-scoped name in workbook.xml), in tab order."""
        return list(self._generated)

    def every_sheet_name(self) -> list[str]:
        """Every sheet in tab order, chart sheets too: whoever copies a workbook must not miss one."""
        return list(self._book.sheet_names)

    def sheet_values(self, name: str, *, error_text: bool = True, empty_as_none: bool = True) -> list[list[Any]]:
        """Cell values from A1; empty cells None, error cells as their text ("#DIV/0!").

        error_text=False leaves error cells None, as calamine gives them, and skips the look at the sheet XML.
        empty_as_none=False leaves empty cells "", as calamine gives them: validation reads "" as blank anyway,
        and replacing them costs a pass over every cell.
        """
        try:
            rows = self._sheet(name).to_python(skip_empty_area=False)
        except (CalamineError, OSError) as exc:
            raise WorkbookReadError(str(self.path), f"Välilehteä {name} ei voi lukea: {_reason(exc)}") from exc
        for row in rows if empty_as_none else ():  # in place: a second list per row would double what the GC walks
            row[:] = [None if v == "" else v for v in row]
        for (row, col), text in (self._facts(name)[1] if error_text else {}).items():
            while len(rows) <= row:
                rows.append([])
            line = rows[row]
            line.extend([None] * (col + 1 - len(line)))
            line[col] = text
        return rows

    def sheet_facts(self, name: str) -> SheetFacts:
        """Merged ranges, hidden rows and the last row tag of the sheet."""
        return self._facts(name)[0]

    def _sheet(self, name: str) -> CalamineSheet:
        """The sheet as calamine parsed it, kept: parsing is most of the read, and values and facts both need it."""
        if name not in self._sheets:
            self._sheets[name] = self._book.get_sheet_by_name(name)
        return self._sheets[name]

    def _facts(self, name: str, archive: zipfile.ZipFile | None = None) -> tuple[SheetFacts, dict[tuple[int, int], str]]:
        """The scan of the sheet's XML, once; archive: the workbook already open (read_all scans every sheet)."""
        if name not in self._xml_facts:
            try:
                with nullcontext(archive) if archive else zipfile.ZipFile(self.path) as opened:
                    self._xml_facts[name] = self._scan_sheet(name, opened)
            except (CalamineError, zipfile.BadZipFile, OSError, KeyError) as exc:
                raise WorkbookReadError(str(self.path), f"Välilehteä {name} ei voi lukea: {_reason(exc)}") from exc
        return self._xml_facts[name]

    def _scan_sheet(self, name: str, archive: zipfile.ZipFile) -> tuple[SheetFacts, dict[tuple[int, int], str]]:
        part = self._parts.get(name)
        merged = self._sheet(name).merged_cell_ranges or []
        xml = _sheet_xml_to_scan(archive, part) if part else b""
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
        ranges = tuple(cell_range(top + 1, left + 1, bottom + 1, right + 1) for (top, left), (bottom, right) in merged)
        return SheetFacts(merged_ranges=ranges, hidden_rows=tuple(hidden), last_row=_last_row(xml)), errors

    def _sheet_parts(self) -> tuple[dict[str, str], list[str]]:
        """Sheet name -> its XML part in the zip, from workbook.xml and its relationships; and the
        sheets that carry the tool's generated-sheet mark."""
        with zipfile.ZipFile(self.path) as archive:
            workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            rels_name = "xl/_rels/workbook.xml.rels"
            rels = ElementTree.fromstring(archive.read(rels_name)) if rels_name in archive.namelist() else None
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
            if part:
                parts[sheet.get("name")] = part
        marked = {
            int(name.get("localSheetId"))
            for name in workbook.iter(f"{_MAIN_NS}definedName")
            if name.get("name") == GENERATED_NAME and (name.get("localSheetId") or "").isdigit()
        }
        return parts, [name for index, name in enumerate(sheets) if index in marked]

    def read_all(self, skip: Iterable[str] = ()) -> tuple[dict[str, list[list[Any]]], dict[str, SheetFacts]]:
        """Every worksheet's values and facts, as validate_sheets takes them; skip: sheets not to read
        (the report skips the tool's own generated sheets)."""
        skipped = set(skip)
        names = [name for name in self._names if name not in skipped]
        try:
            with zipfile.ZipFile(self.path) as archive:  # opened once for every sheet's scan
                for name in names:
                    self._facts(name, archive)
        except (zipfile.BadZipFile, OSError) as exc:
            raise WorkbookReadError(str(self.path), f"Työkirjaa ei voi lukea: {_reason(exc)}") from exc
        values = {name: self.sheet_values(name, empty_as_none=False) for name in names}
        return values, {name: self.sheet_facts(name) for name in names}


def _reason(exc: BaseException) -> str:
    """A short Finnish-prefixed reason; library messages are English but still help whoever fixes the file."""
    text = str(exc).strip() or exc.__class__.__name__
    return f"tiedosto on vioittunut ({text[:200]})"
