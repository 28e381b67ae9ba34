"""Text from cells made safe to show and to hand on: control characters, and text a spreadsheet would run.

Cell text can hold anything a file carries: a NUL or another control character that XML 1.0 cannot
hold (so a JUnit report or an Excel file with it is malformed, and a terminal may act on an escape
sequence), or text that Excel runs as a formula when it opens a CSV file (`=HYPERLINK(...)`, `+cmd|...`).
The rules for both live here, once, for every output and for the findings that point at such cells
(OHJAUSMERKKI, KAAVAMAINEN_TEKSTI in core.validation.sheets).
"""

from __future__ import annotations

import re
from typing import Any

from tyollisyys_xl.core.parsing import ParseError, parse_number

# Characters XML 1.0 does not allow (tab, line feed and carriage return are allowed), and non-characters.
INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What output shows in their place: C0 controls as their Control Pictures symbol (NUL -> ␀), DEL as ␡, and
# C1 controls, surrogates and non-characters as the replacement character.
_SHOWN = {code: chr(0x2400 + code) for code in range(0x20) if chr(code) not in "\t\n\r"}
_SHOWN[0x7F] = "\u2421"
_UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")

# OWASP, CSV injection: a field starting with = + - @ tab or carriage return is a formula to a spreadsheet,
# also after leading white space. A sign alone ("-", as the programme writes "no baseline") has nothing to compute.
_FORMULA_START = re.compile(r"(?:\s*([=+\-@])|([\t\r]))(?=.)", re.DOTALL)


def visible(text: str) -> str:
    """text with every character a report, XML or terminal cannot show safely replaced by a visible symbol;
    the result is valid XML 1.0 character data and has no escape sequences."""
    if not _UNSHOWABLE.search(text):
        return text
    return _UNSHOWABLE.sub(lambda m: _SHOWN.get(ord(m.group()), "\ufffd"), text)


def formula_sign(text: str) -> str | None:
    """The character that makes a spreadsheet opening a CSV file take the text as a formula (OWASP's list),
    or None. A number typed as text ("-5", "-1 468,50") is none: a spreadsheet reads it as the number it is.

    One rule for both uses: validation warns about such input (KAAVAMAINEN_TEKSTI), exports neutralise it.
    """
    match = _FORMULA_START.match(text)
    if not match or _is_number(text):
        return None
    return match.group(1) or match.group(2)


def is_formula_like(text: str) -> bool:
    return formula_sign(text) is not None


def _is_number(text: str) -> bool:
    try:
        parse_number(text)
    except ParseError:
        return False
    return True


def neutralise_formula(value: Any) -> Any:
    """A CSV field that no spreadsheet runs: formula-like text gets a leading single quote (OWASP);
    anything else, numbers included, is returned as it is."""
    if value.__class__ is str and is_formula_like(value):
        return "'" + value
    return value
