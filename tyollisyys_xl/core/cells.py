"""A1 addresses for the core (which may not import openpyxl): column letters and sheet-qualified cells."""

from __future__ import annotations


def column_letter(index: int) -> str:
    """1 -> "A", 27 -> "AA"."""
    name = ""
    while index:
        index, rem = divmod(index - 1, 26)
        name = chr(65 + rem) + name
    return name


def cell(row: int, col: int) -> str:
    """(2, 3) -> "C2"."""
    return f"{column_letter(col)}{row}"


def cell_range(top: int, left: int, bottom: int, right: int) -> str:
    """(2, 1, 5, 3) -> "A2:C5"."""
    return f"{cell(top, left)}:{cell(bottom, right)}"


def range_bounds(address: str) -> tuple[int, int, int, int]:
    """"B2:D9" (or "B2") -> (top, left, bottom, right), 1-based."""
    corners = []
    for part in address.replace("$", "").split(":"):
        letters = part.rstrip("0123456789")
        col = 0
        for ch in letters.upper():
            col = col * 26 + ord(ch) - 64
        corners.append((int(part[len(letters):]), col))
    (r1, c1), (r2, c2) = corners[0], corners[-1]
    return min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2)


def sheet_address(sheet: str, address: str) -> str:
    """Sidonnat, G17 -> "Sidonnat!G17"; a sheet name with a space or dash is quoted as Excel wants."""
    if any(ch in sheet for ch in " -"):
        sheet = "'" + sheet.replace("'", "''") + "'"
    return f"{sheet}!{address}"
