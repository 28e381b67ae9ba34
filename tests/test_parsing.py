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
    hetu_check_character,
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


def make_hetu(birth: dt.date, individual: int, sign: str) -> str:
    ddmmyy = birth.strftime("%d%m%y")
    number = f"{individual:03d}"
    return f"{ddmmyy}{sign}{number}{hetu_check_character(ddmmyy, number)}"


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


@pytest.mark.parametrize("text", ["1.468", "12.345", "1.468,50", "1,468.50", "1.468.500", "12 34", "abc", "5 kpl", "1e3", ""])
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
    ],
)
def test_months(value, expected):
    assert parse_month(value) == expected


@pytest.mark.parametrize("value", ["13/2026", "kevät 2026", 0, 2026, 14.5, True, "3/26"])
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


@pytest.mark.parametrize("value", ["1/3/2026", "1.3.26", "31.2.2026", "2026-13-01", "eilen", 5.0, True])
def test_dates_refused(value):
    with pytest.raises(ParseError):
        parse_date(value)


@pytest.mark.parametrize("value, expected", [("Kyllä", True), ("kyllä", True), ("K", True), ("TOSI", True), (True, True), (1, True),
                                             ("Ei", False), ("ei", False), ("EPÄTOSI", False), (False, False), (0.0, False)])
def test_booleans(value, expected):
    assert parse_bool(value) is expected


def test_boolean_refused():
    with pytest.raises(ParseError):
        parse_bool("ehkä")


def test_text_cells():
    assert parse_text("  Jämsä ") == "Jämsä"
    assert parse_text(172.0) == "172"
    with pytest.raises(ParseError):
        parse_text(dt.date(2026, 1, 1))


@given(st.text(alphabet="0123456789", min_size=7, max_size=7))
def test_business_id_check_digit(first_seven):
    digit = business_id_check_digit(first_seven)
    if digit is None:  # remainder 1: no valid id has these digits
        assert not any(business_id_valid(f"{first_seven}-{d}") for d in range(10))
        return
    assert business_id_valid(f"{first_seven}-{digit}")
    assert not any(business_id_valid(f"{first_seven}-{d}") for d in range(10) if d != digit)


def test_business_id_known_and_old_form():
    assert business_id_valid("0737546-2")
    assert not business_id_valid("0737546-3")
    assert normalize_business_id(" 737546-2 ") == "0737546-2"


@given(
    st.sampled_from([1800, 1900, 2000]).flatmap(
        lambda century: st.tuples(
            st.dates(min_value=dt.date(century, 1, 1), max_value=dt.date(century + 99, 12, 31)),
            st.sampled_from(CENTURY_SIGNS[century]),
        )
    ),
    st.integers(2, 999),
    st.text(max_size=20),
)
def test_every_valid_hetu_is_found_and_masked(birth_and_sign, individual, surrounding):
    birth, sign = birth_and_sign
    code = make_hetu(birth, individual, sign)
    text = f"{surrounding} {code} {surrounding}"
    assert contains_hetu(text)
    assert code not in mask_hetu(text) and HETU_MASK in mask_hetu(text)
    assert code not in quote(text, limit=1000)


def test_hetu_needs_a_valid_check_character_date_and_number():
    code = make_hetu(dt.date(1952, 10, 13), 308, "-")
    assert code == "131052-308T"
    assert hetu_spans(f"asiakas {code}.") == [(8, 19)]
    wrong_check = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert not contains_hetu(wrong_check)
    assert not contains_hetu("310252-308T")  # 31 February
    assert not contains_hetu("131052-001" + hetu_check_character("131052", "001"))  # individual number 001
    assert not contains_hetu("X" + code)  # part of a longer token
    assert contains_hetu(code.lower())


def test_new_century_signs_of_2023():
    for sign in "YXWVU":
        assert contains_hetu(make_hetu(dt.date(1985, 5, 1), 123, sign))
    for sign in "BCDEF":
        assert contains_hetu(make_hetu(dt.date(2024, 2, 29), 456, sign))


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
