"""Finnish cell values: what is read, what is refused as ambiguous, and that no message repeats a HETU."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tyollisyys_xl.core.parsing import (
    HETU_MASK,
    ParseError,
    business_id_check_digit,
    business_id_valid,
    contains_hetu,
    excel_serial_to_date,
    fi_number,
    fi_value,
    hetu_spans,
    is_excel_error,
    mask_hetu,
    normalize_business_id,
    parse_bool,
    parse_date,
    parse_euro,
    parse_month,
    parse_number,
    parse_text,
    quote,
)

SPACES = [" ", "\u00a0", "\u202f"]
CENTURY_SIGNS = {1800: "+", 1900: "-YXWVU", 2000: "ABCDEF"}

# --- known answers: personal identity codes (HETU) ----------------------------------------------
# The check character is the nine digits ddmmyy + nnn modulo 31, looked up in DVV's table
#   0-9 -> 0-9, 10 A, 11 B, 12 C, 13 D, 14 E, 15 F, 16 H, 17 J, 18 K, 19 L, 20 M, 21 N, 22 P, 23 R, 24 S,
#   25 T, 26 U, 27 V, 28 W, 29 X, 30 Y.
# Each row was worked out once by long division (shown beside it), never with the project's own code.
# 131052-308T is DVV's own example; the rows with 903 follow DVV's examples of the 2023 century signs.
# Together the rows cover all 31 check characters, every century sign (+, -, A and Y X W V U, B C D E F)
# and the individual numbers 002 and 999 at both ends of the range.
HETU_KNOWN = [
    ("040594V9030", 0),  # 040594903 = 31 × 1309513 + 0
    ("150785-0241", 1),  # 150785024 = 31 × 4864033 + 1
    ("010594Y9032", 2),  # 010594903 = 31 × 341771 + 2
    ("301163-0193", 3),  # 301163019 = 31 × 9714936 + 3
    ("010610A0024", 4),  # 010610002 = 31 × 342258 + 4
    ("030377+0295", 5),  # 030377029 = 31 × 979904 + 5
    ("241205A0236", 6),  # 241205023 = 31 × 7780807 + 6
    ("030516D9037", 7),  # 030516903 = 31 × 984416 + 7
    ("200171Y0078", 8),  # 200171007 = 31 × 6457129 + 8
    ("311299+0029", 9),  # 311299002 = 31 × 10041903 + 9
    ("080821B009A", 10),  # 080821009 = 31 × 2607129 + 10
    ("030594W903B", 11),  # 030594903 = 31 × 986932 + 11
    ("290200A002C", 12),  # 290200002 = 31 × 9361290 + 12 (29.2.2000: a leap day)
    ("090448-031D", 13),  # 090448031 = 31 × 2917678 + 13
    ("090999X026E", 14),  # 090999026 = 31 × 2935452 + 14
    ("010101A024F", 15),  # 010101024 = 31 × 325839 + 15
    ("050516F903H", 16),  # 050516903 = 31 × 1629577 + 16
    ("150630-009J", 17),  # 150630009 = 31 × 4859032 + 17
    ("020516C903K", 18),  # 020516903 = 31 × 661835 + 18
    ("280255U023L", 19),  # 280255023 = 31 × 9040484 + 19
    ("050594U903M", 20),  # 050594903 = 31 × 1632093 + 20
    ("010100+999N", 21),  # 010100999 = 31 × 325838 + 21
    ("020594X903P", 22),  # 020594903 = 31 × 664351 + 22
    ("290224A999R", 23),  # 290224999 = 31 × 9362096 + 23 (29.2.2024: a leap day)
    ("101012C005S", 24),  # 101012005 = 31 × 3258451 + 24
    ("131052-308T", 25),  # 131052308 = 31 × 4227493 + 25
    ("060666-003U", 26),  # 060666003 = 31 × 1956967 + 26
    ("040516E903V", 27),  # 040516903 = 31 × 1306996 + 27
    ("180880W006W", 28),  # 180880006 = 31 × 5834838 + 28
    ("010516B903X", 29),  # 010516903 = 31 × 339254 + 29
    ("071299-999Y", 30),  # 071299999 = 31 × 2299999 + 30
]
# Codes with the right check character for their digits that are still not codes.
HETU_NOT = [
    "131052-001W",  # individual number 001 (131052001 = 31 × 4227483 + 28 -> W): numbers start at 002
    "131052-000V",  # individual number 000 (131052000 = 31 × 4227483 + 27 -> V)
    "290200-002C",  # the digits of 290200A002C, but 29.2.1900 never was (1900 was no leap year)
    "290223A002A",  # 29.2.2023 never was (290223002 = 31 × 9362032 + 10 -> A)
    "310252-308Y",  # 31 February (310252308 = 31 × 10008138 + 30 -> Y)
]
CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"  # DVV's table, typed from the specification


def make_hetu(birth: dt.date, individual: int, sign: str) -> str:
    """A valid code, made with the test's own copy of DVV's table (an oracle independent of the project)."""
    ddmmyy = birth.strftime("%d%m%y")
    number = f"{individual:03d}"
    return f"{ddmmyy}{sign}{number}{CHECK_CHARACTERS[int(ddmmyy + number) % 31]}"


def finnish(number: float, decimals: int, space: str) -> str:
    """How a coordinator types a number: grouped thousands, decimal comma."""
    text = f"{abs(number):,.{decimals}f}".replace(",", space).replace(".", ",")
    return ("-" if number < 0 else "") + text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1 468", 1468.0),
        ("1\u00a0468", 1468.0),
        ("1\u202f468", 1468.0),
        ("69,9 %", 69.9),
        ("69,9%", 69.9),
        ("3.82", 3.82),
        ("0.468", 0.468),
        ("1234.567", 1234.567),
        ("1 468.5", 1468.5),
        ("12 345 678,25", 12345678.25),
        ("  42  ", 42.0),
        ("-5", -5.0),
        ("\u22125", -5.0),
        ("1,468", 1.468),
    ],
)
def test_numbers_typed_as_finnish_text(text, expected):
    assert parse_number(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["1.468", "12.345", "123.456", "1.468,50", "1,468.50", "1.468.500", "12 34", "abc", "5 kpl", "1e3", ""])
def test_ambiguous_or_foreign_numbers_are_refused(text):
    with pytest.raises(ParseError):
        parse_number(text)


@pytest.mark.parametrize("value", [True, dt.date(2026, 3, 1), float("nan")])
def test_number_cells_that_are_not_numbers_are_refused(value):
    with pytest.raises(ParseError):
        parse_number(value)


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(0, 3), st.sampled_from(SPACES))
def test_any_finnish_formatted_number_reads_back(number, decimals, space):
    rounded = round(number, decimals)
    assert parse_number(finnish(rounded, decimals, space)) == pytest.approx(rounded, abs=10 ** -(decimals + 1))


@given(st.integers(0, 10**9), st.integers(0, 99), st.sampled_from(SPACES))
def test_euros_read_exactly_to_the_cent(whole, cents, space):
    text = finnish(whole, 0, space) + f",{cents:02d} €"
    assert parse_euro(text) == Decimal(whole) + Decimal(cents) / 100


def test_euro_float_noise_is_rounded_off_and_extra_decimals_kept_for_the_schema():
    assert parse_euro(0.1 + 0.2) == Decimal("0.3")
    assert parse_euro(100.5000000001) == Decimal("100.5")  # noise beyond the ninth decimal
    assert parse_euro("1 200,505 e") == Decimal("1200.505")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("3/2026", (2026, 3)),
        ("03/2026", (2026, 3)),
        ("3.2026", (2026, 3)),
        ("2026-03", (2026, 3)),
        ("maaliskuu 2026", (2026, 3)),
        ("Maaliskuu 2026", (2026, 3)),
        ("maalis 2026", (2026, 3)),
        ("joulukuu 2025", (2025, 12)),
        ("1.3.2026", (2026, 3)),
        ("2026-03-15", (2026, 3)),
        (dt.date(2026, 3, 1), (2026, 3)),
        (dt.datetime(2026, 3, 1, 12, 0), (2026, 3)),
        (46082.0, (2026, 3)),
        (3, (2026, 3)),
        ("3", (2026, 3)),
        (1, (2026, 1)), (12.0, (2026, 12)), ("1", (2026, 1)), ("12", (2026, 12)),  # the ends of a bare month number
        (32874.0, (1990, 1)),  # 1.1.1990, the first serial read as a date
    ],
)
def test_months(value, expected):
    assert parse_month(value) == expected


@pytest.mark.parametrize("value", ["13/2026", "kevät 2026", 0, 13, "13", 32873.0, 2026, 14.5, True, "3/26", "²"])
def test_not_months(value):
    with pytest.raises(ParseError):
        parse_month(value)


@given(st.integers(1, 12), st.integers(1990, 2099), st.booleans())
def test_month_texts_round_trip(month, year, padded):
    assert parse_month(f"{month:02d}/{year}" if padded else f"{month}/{year}") == (year, month)
    assert parse_month(f"{year}-{month:02d}") == (year, month)


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_dates_round_trip_in_every_accepted_form(date):
    serial = (date - dt.date(1899, 12, 30)).days
    assert parse_date(f"{date.day}.{date.month}.{date.year}") == date
    assert parse_date(date.isoformat()) == date
    assert parse_date(float(serial)) == date
    assert parse_date(serial + 0.75) == date  # a time of day is dropped
    assert excel_serial_to_date(serial) == date


@pytest.mark.parametrize("value", ["1/3/2026", "1.3.26", "31.2.2026", "2026-13-01", "eilen", 0.0, -1.0, 2958466.0, True])
def test_dates_refused(value):
    with pytest.raises(ParseError):
        parse_date(value)


@pytest.mark.parametrize("serial, date", [
    (1, dt.date(1900, 1, 1)),  # Excel's first day
    (59, dt.date(1900, 2, 28)),
    (61, dt.date(1900, 3, 1)),  # after Excel's 29.2.1900 that never was, serials run one day ahead
    (46082, dt.date(2026, 3, 1)),
    (46082.99, dt.date(2026, 3, 1)),
    (2958465, dt.date(9999, 12, 31)),  # Excel's last day
])
def test_excel_serial_known_answers(serial, date):
    assert excel_serial_to_date(serial) == date


def test_serial_60_is_excels_29_february_1900_and_refused():
    """Serials 59 and 60 must not both read as 28.2.1900: 60 is a day that never was."""
    with pytest.raises(ParseError, match="29.2.1900"):
        parse_date(60)
    assert parse_date(59) == dt.date(1900, 2, 28)


def test_a_number_of_hundreds_of_digits_is_refused_not_infinite():
    with pytest.raises(ParseError, match="liian suuri"):
        parse_number("1" * 400)
    with pytest.raises(ParseError, match="liian suuri"):
        parse_euro("9" * 400 + " €")


@pytest.mark.parametrize("value, expected", [("Kyllä", True), ("kyllä", True), ("K", True), ("TOSI", True), (True, True), (1, True),
                                             ("Ei", False), ("ei", False), ("EPÄTOSI", False), (False, False), (0.0, False), (1.0, True)])
def test_booleans(value, expected):
    assert parse_bool(value) is expected


@pytest.mark.parametrize("value", ["ehkä", 2, -1, 0.5])
def test_boolean_refused(value):
    with pytest.raises(ParseError):
        parse_bool(value)


def test_text_cells():
    assert parse_text("  Jämsä ") == "Jämsä"
    assert parse_text(172.0) == "172"
    with pytest.raises(ParseError):
        parse_text(dt.date(2026, 1, 1))


# --- known answers: business ids (Y-tunnus) --------------------------------------------------------
# The seven digits weighted 7, 9, 10, 5, 8, 4, 2 and summed; remainder r of the sum by 11: check digit
# 0 when r = 0, no valid id when r = 1, else 11 - r. Worked out by hand once; one row per remainder.
# 0112038-9 (Nokia), 0109862-8 (Kesko) and 0245437-2 (Valtiokonttori) are published ids.
BUSINESS_ID_KNOWN = [
    ("1234562", 0),  # 1·7 + 2·9 + 3·10 + 4·5 + 5·8 + 6·4 + 2·2 = 143 = 11 × 13 + 0 -> 0
    ("1234568", None),  # 1·7 + 2·9 + 3·10 + 4·5 + 5·8 + 6·4 + 8·2 = 155 = 11 × 14 + 1 -> no check digit
    ("0112038", 9),  # 0·7 + 1·9 + 1·10 + 2·5 + 0·8 + 3·4 + 8·2 = 57 = 11 × 5 + 2 -> 11 - 2 = 9
    ("0109862", 8),  # 0·7 + 1·9 + 0·10 + 9·5 + 8·8 + 6·4 + 2·2 = 146 = 11 × 13 + 3 -> 11 - 3 = 8
    ("1234564", 7),  # 1·7 + 2·9 + 3·10 + 4·5 + 5·8 + 6·4 + 4·2 = 147 = 11 × 13 + 4 -> 11 - 4 = 7
    ("1234578", 6),  # 1·7 + 2·9 + 3·10 + 4·5 + 5·8 + 7·4 + 8·2 = 159 = 11 × 14 + 5 -> 11 - 5 = 6
    ("1234565", 5),  # 1·7 + 2·9 + 3·10 + 4·5 + 5·8 + 6·4 + 5·2 = 149 = 11 × 13 + 6 -> 11 - 6 = 5
    ("1234560", 4),  # 1·7 + 2·9 + 3·10 + 4·5 + 5·8 + 6·4 + 0·2 = 139 = 11 × 12 + 7 -> 11 - 7 = 4
    ("1234566", 3),  # 1·7 + 2·9 + 3·10 + 4·5 + 5·8 + 6·4 + 6·2 = 151 = 11 × 13 + 8 -> 11 - 8 = 3
    ("0245437", 2),  # 0·7 + 2·9 + 4·10 + 5·5 + 4·8 + 3·4 + 7·2 = 141 = 11 × 12 + 9 -> 11 - 9 = 2
    ("1234567", 1),  # 1·7 + 2·9 + 3·10 + 4·5 + 5·8 + 6·4 + 7·2 = 153 = 11 × 13 + 10 -> 11 - 10 = 1
]


@pytest.mark.parametrize("first_seven, digit", BUSINESS_ID_KNOWN)
def test_business_id_known_answers(first_seven, digit):
    assert business_id_check_digit(first_seven) == digit
    valid = {d for d in range(10) if business_id_valid(f"{first_seven}-{d}")}
    assert valid == ({digit} if digit is not None else set())


def business_id_oracle(first_seven: str) -> int | None:
    """The check digit computed another way than the project does: -(weighted sum) mod 11, where 10 means none."""
    digit = -sum(int(d) * w for d, w in zip(first_seven, (7, 9, 10, 5, 8, 4, 2))) % 11
    return None if digit == 10 else digit


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_business_id_check_digit_agrees_with_an_independent_oracle(first_seven):
    digit = business_id_oracle(first_seven)
    assert business_id_check_digit(first_seven) == digit
    assert {d for d in range(10) if business_id_valid(f"{first_seven}-{d}")} == ({digit} if digit is not None else set())


def test_a_seven_digit_business_id_or_other_text_is_left_as_typed():
    assert normalize_business_id("0112038-9") == "0112038-9"
    assert normalize_business_id(" ei tiedossa ") == "ei tiedossa"


def test_business_id_known_and_old_form():
    assert business_id_valid("0737546-2")
    assert not business_id_valid("0737546-3")
    assert normalize_business_id(" 737546-2 ") == "0737546-2"
    assert not business_id_valid("737546-2")  # the six-digit form only after normalising
    assert not business_id_valid("01120389")  # no dash


@pytest.mark.parametrize("code, remainder", HETU_KNOWN)
def test_hetu_known_answers(code, remainder):
    """Each known code is found; the same digits with any of the 30 other check characters are not."""
    assert CHECK_CHARACTERS[remainder] == code[-1]
    assert hetu_spans(code) == [(0, 11)]
    assert contains_hetu(code.lower())
    others = [code[:-1] + c for c in CHECK_CHARACTERS if c != code[-1]]
    assert [c for c in others if contains_hetu(c)] == []


def test_known_answers_cover_every_check_character_sign_and_edge():
    assert sorted(remainder for _, remainder in HETU_KNOWN) == list(range(31))
    assert {code[6] for code, _ in HETU_KNOWN} == set("+-A") | set("BCDEF") | set("UVWXY")
    assert {code[7:10] for code, _ in HETU_KNOWN} >= {"002", "999"}


@pytest.mark.parametrize("code", HETU_NOT)
def test_not_a_hetu(code):
    assert not contains_hetu(code)
    assert mask_hetu(code) == code


@given(
    st.sampled_from([1800, 1900, 2000]).flatmap(
        lambda century: st.tuples(
            st.dates(min_value=dt.date(century, 1, 1), max_value=dt.date(century + 99, 12, 31)),
            st.sampled_from(CENTURY_SIGNS[century]),
        )
    ),
    st.integers(2, 999),
    st.text(max_size=20),
    st.text(max_size=20),
)
def test_every_valid_hetu_is_found_and_masked_wherever_it_stands(birth_and_sign, individual, before, after):
    """Also glued to letters or digits: "Joutsa131052-308T", "…010101A123Nx"."""
    birth, sign = birth_and_sign
    code = make_hetu(birth, individual, sign)
    text = f"{before}{code}{after}"
    assert contains_hetu(text)
    masked = mask_hetu(text)
    assert code.casefold() not in masked.casefold() and HETU_MASK in masked
    assert not contains_hetu(masked)
    assert code not in quote(text, limit=1000)


@pytest.mark.parametrize("text, found", [
    ("Joutsa131052-308T", "131052-308T"),
    ("asiakas 010101A024Fx soitti", "010101A024F"),
    ("Jämsä131052-308Tkeuruu", "131052-308T"),
    ("1131052-308T", "131052-308T"),  # a digit before: the invalid candidate 113105... hides the real code
    ("131052-308T131052-308T", "131052-308T131052-308T"),
])
def test_hetu_glued_to_other_text(text, found):
    start, end = hetu_spans(text)[0][0], hetu_spans(text)[-1][1]
    assert text[start:end] == found
    assert "308T" not in mask_hetu(text) and "024F" not in mask_hetu(text)


def test_a_leap_day_hetu_is_dated_by_both_digits_of_its_year():
    """29.2.1912 was (290212123 = 31 × 9361681 + 12 -> C); 29.2.1902, of the year's last digit alone, was not."""
    assert contains_hetu("290212-123C")


def test_every_hetu_of_a_text_is_masked_and_the_text_between_kept():
    assert mask_hetu("x 131052-308T y 010101A024F z") == f"x {HETU_MASK} y {HETU_MASK} z"


def test_hetu_needs_a_valid_check_character_date_and_number():
    code = "131052-308T"
    assert hetu_spans(f"asiakas {code}.") == [(8, 19)]
    assert not contains_hetu(code[:-1] + "A")
    assert not contains_hetu("310252-308T")  # 31 February
    assert contains_hetu(code.lower())
    assert not contains_hetu("131052-308")  # no check character


@pytest.mark.parametrize("value", ["#DIV/0!", "#N/A", " #REF! ", "#NAME?", "#VALUE!", "#JAKO/0!", "#PUUTTUU"])
def test_excel_errors(value):
    assert is_excel_error(value)


@pytest.mark.parametrize("value", ["#1 tärkein", "N/A", 0, None])
def test_not_excel_errors(value):
    assert not is_excel_error(value)


def test_finnish_number_display():
    assert fi_number(4301.0) == "4 301"
    assert fi_number(1468.5) == "1 468,5"
    assert fi_number(Decimal("1200.5")) == "1 200,50"
    assert fi_number(-3.25) == "-3,25"
    assert fi_number(-0.0) == "0"  # no sign on zero
    assert fi_number(2.0000000001) == "2"  # float noise beyond six decimals does not show


def test_any_cell_value_as_a_finnish_reader_sees_it():
    assert [fi_value(v) for v in (True, False, 1234.5, Decimal("3"), "teksti")] == ["TOSI", "EPÄTOSI", "1 234,5", "3,00", "teksti"]
    assert fi_value(dt.datetime(2026, 3, 1, 14, 30)) == "1.3.2026 14:30"
    assert fi_value(dt.datetime(2026, 3, 1)) == "1.3.2026"  # midnight: a date
    assert fi_value(dt.date(2026, 3, 1)) == "1.3.2026"


# Every refusal, word for word: the message is what a coordinator reads beside the cell.
REFUSALS = [
    (parse_number, True, "”TOSI” on totuusarvo, ei luku."),
    (parse_number, dt.date(2026, 3, 1), "”1.3.2026” on päivämäärä tai aika, ei luku."),
    (parse_number, float("nan"), "Arvo ei ole luku."),
    (parse_number, "5 kpl", "”5 kpl” ei ole luku."),
    (parse_number, "1.468,50", "”1.468,50” on epäselvä luku: käytä desimaalipilkkua ja välilyöntiä tuhaterottimena, esim. 1 468,50."),
    (parse_number, "1.468", "”1.468” on epäselvä luku (tuhaterotin vai desimaalipiste?): kirjoita esim. 1468 tai 1,468."),
    (parse_number, "1" * 400, "”" + "1" * 39 + "…” on liian suuri luku."),
    (parse_euro, True, "”TOSI” on totuusarvo, ei luku."),
    (parse_euro, "noin 5 €", "”noin 5 €” ei ole luku."),
    (parse_date, True, "”TOSI” on totuusarvo, ei päivämäärä."),
    (parse_date, "1.3.26", "”1.3.26”: kirjoita vuosi nelinumeroisena, esim. 1.3.2026."),
    (parse_date, "31.2.2026", "”31.2.2026”: päivämäärää ei ole olemassa."),
    (parse_date, "2026-02-31", "”2026-02-31”: päivämäärää ei ole olemassa."),
    (parse_date, "1/3/2026", "”1/3/2026” on epäselvä päivämäärä (päivä vai kuukausi ensin?): kirjoita esim. 1.3.2026."),
    (parse_date, "eilen", "”eilen” ei ole päivämäärä (kirjoita esim. 1.3.2026)."),
    (parse_date, 0.0, "Luku 0 ei ole päivämäärä."),
    (parse_date, 60, "Luku 60 on Excelissä päivämäärä 29.2.1900, jota ei ole olemassa (vuosi 1900 ei ollut karkausvuosi)."),
    (parse_month, True, "”TOSI” on totuusarvo, ei kuukausi."),
    (parse_month, 14.5, "Luku 14,5 ei ole kuukausi (kirjoita esim. 3/2026)."),
    (parse_month, "13/2026", "”13/2026”: kuukauden numero on 1–12."),
    (parse_month, "kevät 2026", "”kevät 2026” ei ole kuukausi (kirjoita esim. 3/2026)."),
    (parse_bool, "ehkä", "”ehkä”: kirjoita Kyllä tai Ei."),
    (parse_text, True, "”TOSI” on totuusarvo, odotettiin tekstiä."),
    (parse_text, dt.date(2026, 1, 1), "”1.1.2026” on päivämäärä, odotettiin tekstiä."),
]


@pytest.mark.parametrize("parser, value, message", REFUSALS)
def test_each_refusal_says_what_was_typed_and_what_to_write(parser, value, message):
    with pytest.raises(ParseError) as refused:
        parser(value)
    assert str(refused.value) == message


def test_a_number_cell_is_taken_as_it_is_not_reread_as_text():
    """1.468 in a number cell is a number: only typed text can be ambiguous."""
    assert parse_number(1.468) == 1.468 and parse_euro(1.468) == Decimal("1.468") and parse_number(1e20) == 1e20


@pytest.mark.parametrize("parser", [parse_number, parse_euro, parse_date, parse_month])
@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_non_finite_numbers_are_refused_by_every_parser(parser, value):
    with pytest.raises(ParseError):
        parser(value)


def test_non_finite_number_in_a_text_column_is_kept_as_text():
    assert parse_text(float("inf")) == "inf"


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_a_non_finite_number_can_still_be_quoted_in_a_message(value):
    assert fi_number(value) == "ei luku"


@pytest.mark.parametrize("value, shown", [
    (1e308, "1 × 10³⁰⁸"), (-1.5e20, "-1,5 × 10²⁰"), (1e15, "1 × 10¹⁵"),  # from 10^15 on: a power of ten
    (999_999_999_999_999, "999 999 999 999 999"),  # just below it: every digit
])
def test_huge_numbers_are_shown_as_powers_of_ten(value, shown):
    assert fi_number(value) == shown


@pytest.mark.parametrize("text, quoted", [
    ("x" * 40, "”" + "x" * 40 + "”"),  # on the limit: whole
    ("x" * 41, "”" + "x" * 39 + "…”"),  # one more: cut, with an ellipsis in its place
    ("Joutsa131052-308T" + "x" * 100, "”Joutsa[henkilötunnus]" + "x" * 18 + "…”"),  # masked before it is cut
])
def test_quoted_values_are_capped_and_masked(text, quoted):
    assert quote(text) == quoted
