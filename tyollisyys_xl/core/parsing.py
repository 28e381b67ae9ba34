"""Cell values as Finnish coordinators type them: numbers, euros, months, dates, Kyllä/Ei, Y-tunnus, HETU.

Each parser takes one raw cell value as an adapter read it (str, float, int, bool, date, datetime) and
returns the typed value or raises ParseError with a Finnish message. Messages quote user text through
`quote()`, which masks personal identity codes, so no message ever repeats one.

What counts as ambiguous (and is reported, not guessed):
- Numbers: the comma is the decimal separator; a space, no-break space or narrow no-break space groups
  thousands in groups of three ("1 468", "12 345,50"). A dot is read as a decimal point only when the text
  has no comma and the dot could not be a thousands separator: "3.82" and "0.468" are fine, "1.468" could
  be 1,468 or 1468 and is rejected, as is any text with both a dot and a comma ("1.468,50").
- Dates: d.m.yyyy ("1.3.2026") and yyyy-mm-dd; "1/3/2026" (day or month first?) and two-digit years are
  rejected. Numbers in a date cell are Excel serial dates (1900 date system), serial 60 (29.2.1900, a day
  that never was) refused; each date column's plausible range is its schema's, checked by validation.
- Months: m/yyyy, mm/yyyy, m.yyyy, yyyy-mm, "maaliskuu 2026", a date (its month), an Excel serial date, or
  a bare month number 1..12 (of the programme year).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from operator import mul

from tyollisyys_xl.core.months import MONTH_ABBREVIATIONS, YEAR


class ParseError(ValueError):
    """A value that cannot be read as the column's type; the message is Finnish and safe to show."""


# --- quoting user text safely -------------------------------------------------------------------

# A HETU is found wherever it stands, glued to letters or digits too ("Joutsa131052-308T"): what tells a
# code from other text is its valid date, individual number and check character, not the text around it.
_HETU = re.compile(r"([0-9]{6})([-+A-FU-Y])([0-9]{3})([0-9A-Y])", re.IGNORECASE)
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"  # indexed by the nine digits modulo 31 (DVV)
_CENTURY = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900}
_CENTURY.update({sign: 2000 for sign in "ABCDEF"})
HETU_MASK = "[henkilötunnus]"


def _is_valid_hetu(match: re.Match) -> bool:
    """Check date, individual number (002-999) and check character, so random digit strings are not flagged."""
    birth, sign, individual, check = match.group(1), match.group(2).upper(), match.group(3), match.group(4).upper()
    if not 2 <= int(individual) <= 999:
        return False
    try:
        dt.date(_CENTURY[sign] + int(birth[4:6]), int(birth[2:4]), int(birth[0:2]))
    except ValueError:
        return False
    return _HETU_CHECK[int(birth + individual) % 31] == check


def hetu_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every valid Finnish personal identity code in the text (old and 2023 century signs).

    A candidate that is not valid may hide a valid one starting inside it ("1131052-308T"), so the search
    goes on from the candidate's second character, not from its end.
    """
    spans: list[tuple[int, int]] = []
    position = 0
    while match := _HETU.search(text, position):
        if _is_valid_hetu(match):
            spans.append(match.span())
            position = match.end()
        else:
            position = match.start() + 1
    return spans


def contains_hetu(text: str) -> bool:
    return bool(hetu_spans(text))


def mask_hetu(text: str) -> str:
    spans = hetu_spans(text)
    if not spans:
        return text
    parts, end = [], 0
    for start, stop in spans:
        parts += [text[end:start], HETU_MASK]
        end = stop
    return "".join(parts) + text[end:]


def quote(value: object, limit: int = 40) -> str:
    """User text for a message: quoted, shortened, any personal identity code masked."""
    text = mask_hetu(fi_value(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return f"”{text}”"


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_HUGE = 1e15  # from here on a float no longer holds every whole number: shown as a power of ten


def fi_number(value: float | int | Decimal) -> str:
    """A number the Finnish way: space between thousands, decimal comma, no trailing zeros; 1e308 as 1 × 10³⁰⁸."""
    if not isinstance(value, Decimal) and not math.isfinite(value):
        return "ei luku"
    if abs(value) >= _HUGE:
        mantissa, exponent = f"{float(value):.3e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.').replace('.', ',')} × 10{str(int(exponent)).translate(_SUPERSCRIPTS)}"
    if isinstance(value, Decimal):
        text = f"{value:,.2f}"
    else:
        text = f"{value:,.6f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    return text.replace(",", " ").replace(".", ",")


def fi_value(value: object) -> str:
    """Any cell value as a Finnish reader expects to see it."""
    if isinstance(value, bool):
        return "TOSI" if value else "EPÄTOSI"
    if isinstance(value, (int, float, Decimal)):
        return fi_number(value)
    if isinstance(value, dt.datetime):
        return f"{value.day}.{value.month}.{value.year}" + (f" {value:%H:%M}" if value.time() != dt.time() else "")
    if isinstance(value, dt.date):
        return f"{value.day}.{value.month}.{value.year}"
    return str(value)


# --- Excel error values -------------------------------------------------------------------------

EXCEL_ERRORS = frozenset(
    {
        "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!",
        "#CALC!", "#FIELD!", "#BLOCKED!", "#UNKNOWN!", "#CONNECT!", "#BUSY!", "#PYTHON!", "#EXTERNAL!",
        # as Finnish Excel shows them, in case someone types or pastes the displayed text
        "#TYHJÄ!", "#JAKO/0!", "#ARVO!", "#VIITTAUS!", "#NIMI?", "#LUKU!", "#PUUTTUU",
    }
)


def is_excel_error(value: object) -> bool:
    return isinstance(value, str) and value.strip().upper() in EXCEL_ERRORS


# --- numbers ------------------------------------------------------------------------------------

_GROUP_SPACES = "[ \u00a0\u202f]"
_NUMBER = re.compile(
    rf"^(?P<sign>[-+\u2212]?)(?P<int>\d{{1,3}}(?:{_GROUP_SPACES}\d{{3}})+|\d+)(?:(?P<sep>[,.])(?P<frac>\d+))?$"
)
_EURO_SUFFIX = re.compile(r"\s*(€|e|eur|euroa)$", re.IGNORECASE)
_PERCENT_SUFFIX = re.compile(r"\s*%$")


def _number_from_text(text: str, original: object) -> float:
    compact = text.strip()
    if "," in compact and "." in compact:
        raise ParseError(f"{quote(original)} on epäselvä luku: käytä desimaalipilkkua ja välilyöntiä tuhaterottimena, esim. 1 468,50.")
    match = _NUMBER.match(compact)
    if not match:
        raise ParseError(f"{quote(original)} ei ole luku.")
    integer, sep, frac = match.group("int"), match.group("sep"), match.group("frac")
    grouped = not integer.isdigit()
    if sep == "." and not grouped and len(frac) == 3 and len(integer) <= 3 and integer != "0":
        raise ParseError(f"{quote(original)} on epäselvä luku (tuhaterotin vai desimaalipiste?): kirjoita esim. 1468 tai 1,468.")
    digits = re.sub(_GROUP_SPACES, "", integer) + (f".{frac}" if frac else "")
    number = float(digits)
    if not math.isfinite(number):  # hundreds of digits: beyond what any number cell can hold
        raise ParseError(f"{quote(original)} on liian suuri luku.")
    return -number if match.group("sign") in ("-", "\u2212") else number


def _finite(value: int | float) -> float:
    """A number cell as float; NaN and infinity never come from Excel, and no parser can use them."""
    number = float(value)
    if not math.isfinite(number):
        raise ParseError("Arvo ei ole luku.")
    return number


def _native_number(value: object) -> float | None:
    """A number cell's value, or None when the value is not a number cell at all."""
    if isinstance(value, bool):
        raise ParseError(f"{quote(value)} on totuusarvo, ei luku.")
    if isinstance(value, (int, float)):
        return _finite(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise ParseError(f"{quote(value)} on päivämäärä tai aika, ei luku.")
    return None


def parse_number(value: object) -> float:
    """A number: a number cell, or Finnish text such as "1 468", "69,9 %" (the percent sign is dropped)."""
    number = _native_number(value)
    if number is not None:
        return number
    return _number_from_text(_PERCENT_SUFFIX.sub("", str(value).strip()), value)


def parse_euro(value: object) -> Decimal:
    """Euros as Decimal: a number cell or text such as "1 200,50 €".

    A float's binary noise (0.1 + 0.2) is rounded off at nine decimals; how many decimals are allowed is
    the schema's multipleOf, checked by the validator.
    """
    number = _native_number(value)
    if number is None:
        number = _number_from_text(_EURO_SUFFIX.sub("", str(value).strip()), value)
    return Decimal(repr(round(number, 9)))


# --- dates and months ---------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # for serials from 61 (1.3.1900) on
_EXCEL_EPOCH_BEFORE_LEAP_BUG = dt.date(1899, 12, 31)  # for serials 1 (1.1.1900) to 59 (28.2.1900)
_LEAP_BUG_SERIAL = 60  # Excel's 29.2.1900, a day that never was (Lotus 1-2-3 took 1900 for a leap year)
_LAST_EXCEL_SERIAL = (dt.date(9999, 12, 31) - _EXCEL_EPOCH).days
_FIRST_SERIAL = (dt.date(1990, 1, 1) - _EXCEL_EPOCH).days  # a number in a month column from here on is a date
_FI_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2,4})\.?$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_SLASH_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{2,4}$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})\s*[/.-]\s*(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/]\s*(\d{1,2})$")
_MONTH_NAME = re.compile(rf"^({'|'.join(MONTH_ABBREVIATIONS)})(?:kuu(?:ta|n|ssa|lta)?)?\.?\s*[/ ]?\s*(\d{{4}})$")


def excel_serial_to_date(serial: float) -> dt.date:
    """An Excel serial date (1900 date system, 1 = 1.1.1900); the time of day is dropped.

    Serial 60 is Excel's 29.2.1900, which never existed, and is refused rather than read as its
    neighbour; whether a date is plausible for its column is the schema's range, checked by validation.
    """
    day = int(serial)
    if day == _LEAP_BUG_SERIAL:
        raise ParseError("Luku 60 on Excelissä päivämäärä 29.2.1900, jota ei ole olemassa (vuosi 1900 ei ollut karkausvuosi).")
    if not 1 <= day <= _LAST_EXCEL_SERIAL:
        raise ParseError(f"Luku {fi_number(serial)} ei ole päivämäärä.")
    return (_EXCEL_EPOCH_BEFORE_LEAP_BUG if day < _LEAP_BUG_SERIAL else _EXCEL_EPOCH) + dt.timedelta(days=day)


def _make_date(year: int, month: int, day: int, original: object) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ParseError(f"{quote(original)}: päivämäärää ei ole olemassa.") from None


def parse_date(value: object) -> dt.date:
    """A date cell, an Excel serial, or text "1.3.2026" / "2026-03-01"."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise ParseError(f"{quote(value)} on totuusarvo, ei päivämäärä.")
    if isinstance(value, (int, float)):
        return excel_serial_to_date(_finite(value))
    text = str(value).strip()
    if match := _FI_DATE.match(text):
        day, month, year = match.groups()
        if len(year) != 4:
            raise ParseError(f"{quote(value)}: kirjoita vuosi nelinumeroisena, esim. 1.3.2026.")
        return _make_date(int(year), int(month), int(day), value)
    if match := _ISO_DATE.match(text):
        year, month, day = match.groups()
        return _make_date(int(year), int(month), int(day), value)
    if _SLASH_DATE.match(text):
        raise ParseError(f"{quote(value)} on epäselvä päivämäärä (päivä vai kuukausi ensin?): kirjoita esim. 1.3.2026.")
    raise ParseError(f"{quote(value)} ei ole päivämäärä (kirjoita esim. 1.3.2026).")


def parse_month(value: object, default_year: int = YEAR) -> tuple[int, int]:
    """(year, month) from "3/2026", "2026-03", "maaliskuu 2026", a date, an Excel serial or a month number 1..12.

    The year is returned as read, so that the caller can tell "not a month" from "a month outside the year".
    """
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year, value.month
    if isinstance(value, bool):
        raise ParseError(f"{quote(value)} on totuusarvo, ei kuukausi.")
    if isinstance(value, (int, float)):
        value = _finite(value)
        if value.is_integer() and 1 <= value <= 12:
            return default_year, int(value)
        if value >= _FIRST_SERIAL:
            date = excel_serial_to_date(value)
            return date.year, date.month
        raise ParseError(f"Luku {fi_number(value)} ei ole kuukausi (kirjoita esim. 3/{default_year}).")
    text = str(value).strip()
    lowered = text.casefold()
    if text.isdecimal() and 1 <= int(text) <= 12:  # isdigit() would take "²", which int() refuses
        return default_year, int(text)
    for pattern, order in ((_MONTH_YEAR, (1, 0)), (_YEAR_MONTH, (0, 1))):
        if match := pattern.match(lowered):
            year, month = int(match.group(order[0] + 1)), int(match.group(order[1] + 1))
            if not 1 <= month <= 12:
                raise ParseError(f"{quote(value)}: kuukauden numero on 1–12.")
            return year, month
    if match := _MONTH_NAME.match(lowered):
        return int(match.group(2)), MONTH_ABBREVIATIONS.index(match.group(1)) + 1
    try:
        date = parse_date(text)
    except ParseError:
        raise ParseError(f"{quote(value)} ei ole kuukausi (kirjoita esim. 3/{default_year}).") from None
    return date.year, date.month


# --- booleans, text, business ids ---------------------------------------------------------------

_TRUE = {"kyllä", "kylla", "k", "tosi", "true", "1"}
_FALSE = {"ei", "e", "epätosi", "false", "0"}


def parse_bool(value: object) -> bool:
    """Kyllä/Ei (also K/E, TOSI/EPÄTOSI, 1/0), or a real boolean cell."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = str(value).strip().casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ParseError(f"{quote(value)}: kirjoita Kyllä tai Ei.")


def parse_text(value: object) -> str:
    """Text as typed (trimmed); a number cell becomes its text ("172"), a date or boolean is refused."""
    if isinstance(value, bool):
        raise ParseError(f"{quote(value)} on totuusarvo, odotettiin tekstiä.")
    if isinstance(value, (dt.date, dt.datetime, dt.time, dt.timedelta)):
        raise ParseError(f"{quote(value)} on päivämäärä, odotettiin tekstiä.")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


_BUSINESS_ID = re.compile(r"^(\d{6,7})-(\d)$")
_BUSINESS_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def business_id_check_digit(first_seven: str) -> int | None:
    """The Y-tunnus check digit for seven digits; None when no digit is valid (remainder 1)."""
    remainder = sum(map(mul, map(int, first_seven), _BUSINESS_ID_WEIGHTS)) % 11
    if remainder == 1:
        return None
    return 0 if remainder == 0 else 11 - remainder


def normalize_business_id(value: object) -> str:
    """Trimmed Y-tunnus text; an old six-digit form gets its leading zero ("123456-7" -> "0123456-7")."""
    text = parse_text(value)
    match = _BUSINESS_ID.match(text)
    if match and len(match.group(1)) == 6:
        return f"0{text}"
    return text


def business_id_valid(text: str) -> bool:
    match = _BUSINESS_ID.match(text)
    if not match or len(match.group(1)) != 7:
        return False
    return business_id_check_digit(match.group(1)) == int(match.group(2))
