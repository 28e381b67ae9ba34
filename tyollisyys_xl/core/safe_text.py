"""Text from cells made safe to show and to hand on: control characters, and text a spreadsheet would run.

Cell text can hold anything a file carries: a NUL or another control character that XML 1.0 cannot
hold (so a JUnit report or an Excel file with it is malformed, and a terminal may act on an escape
sequence), or text that Excel runs as a formula when it opens a CSV file (`=HYPERLINK(...)`, `+cmd|...`).
The rules for both live here, once, for every output and for the finding that points at such a cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

CONTROL_CHARACTER_RULE = "OHJAUSMERKKI"  # the finding's rule code (see docs/validation.md)

# Characters XML 1.0 does not allow (tab, line feed and carriage return are allowed), and non-characters.
INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What output shows in their place: C0 controls as their Control Pictures symbol (NUL -> ␀), DEL as ␡, and
# C1 controls, surrogates and non-characters as the replacement character.
_SHOWN = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\t\n\r"}
_SHOWN[0x7F] = "\u2421"
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# OWASP, CSV injection: a field starting with = + - @ tab or carriage return is a formula to a spreadsheet,
# also after leading white space; such a field is prefixed with a single quote. A sign alone ("-", as the
# programme writes "no baseline") has nothing to compute.
_FORMULA_START = re.compile(r"(?:[\t\r]|\s*[=+\-@])(?=.)", re.DOTALL)
_PLAIN_NUMBER = re.compile(r"\s*[+-]?\d+(?:[.,]\d+)?\s*")


def visible(text: str) -> str:
    """text with every character a report, XML or terminal cannot show safely replaced by a visible symbol;
    the result is valid XML 1.0 character data and has no escape sequences."""
    if not _UNSHOWABLE.search(text):
        return text
    return _UNSHOWABLE.sub(lambda m: _SHOWN.get(ord(m.group()), "\ufffd"), text)


def is_formula_like(text: str) -> bool:
    """True for text that a spreadsheet opening a CSV file would take as a formula (OWASP's CSV injection list).

    A plain number such as "-5" or "+3,5" is not: a spreadsheet reads it as the number it is.
    """
    return bool(_FORMULA_START.match(text)) and not _PLAIN_NUMBER.fullmatch(text)


def neutralise_formula(value: Any) -> Any:
    """A CSV field that no spreadsheet runs: formula-like text gets a leading single quote (OWASP);
    anything else, numbers included, is returned as it is."""
    if value.__class__ is str and is_formula_like(value):
        return "'" + value
    return value


def invalid_character_cells(sheets: Mapping[str, Iterable[Iterable[Any]]]) -> list[tuple[str, int, int, str]]:
    """(sheet, 1-based row, 0-based column, first offending character) of every text cell holding a character
    XML 1.0 does not allow. One search over each sheet's distinct texts; cells are located only when it hits."""
    hits = []
    for name, rows in sheets.items():
        rows = list(rows)
        texts = {v for row in rows for v in row if v.__class__ is str}
        if not INVALID_XML.search("".join(texts)):
            continue
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value.__class__ is str and (found := INVALID_XML.search(value)):
                    hits.append((name, r, c, found.group()))
    return hits


def invalid_character_message(character: str) -> str:
    """The finding's Finnish message: names the character by its code, never repeats the cell's text."""
    return (f"Solussa on näkymätön ohjausmerkki (U+{ord(character):04X}), jota Excel-tiedostoon ei voi tallentaa. "
            "Kirjoita solun teksti uudelleen tai poista merkki. Tällainen merkki tulee yleensä mukaan, kun tekstiä "
            "kopioidaan toisesta järjestelmästä.")
