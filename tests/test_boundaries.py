"""Every threshold of validation and money, exactly on it, just inside and just outside.

Each parametrised case says which side of its threshold it stands on; "on" is always allowed (every
limit here is inclusive), so that a comparison turned from <= into < (or back) fails a case.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from sheet_values import MUNICIPALITIES, entry, with_rows
from table_factory import day, make_tables

from tyollisyys_xl.core.budget import PAYMENT_GRACE_DAYS, compute_budget
from tyollisyys_xl.core.money import apportion, cents_series, to_cents
from tyollisyys_xl.core.raw import SheetFacts
from tyollisyys_xl.core.validation import validate_sheets
from tyollisyys_xl.core.validation.keywords import ANNOTATIONS, KEYWORDS
from tyollisyys_xl.resources import schema_dir
from tyollisyys_xl.schemas import load_table_schemas, table_schemas

def rules(result) -> set[str]:
    return {f.rule for f in result.findings}


def per_municipality(sheets, indicator):
    """The sheets with an indicator turned into one entered per municipality (the workbook is the truth)."""
    sheets = copy.deepcopy(sheets)
    header = sheets["Mittarit"][0]
    row = next(r for r in sheets["Mittarit"] if r[0] == indicator)
    row[header.index("Kuntakohtainen")] = "Kyllä"
    return sheets


# --- area totals: tolerance of sums and the coverage of municipalities --------------------------------


@pytest.mark.parametrize("area_numerator, reported", [
    (800.5, False),  # on: the municipal sum falls short by exactly 0.5
    (800.49, False),  # inside
    (800.51, True),  # outside
    (799.5, False),  # on: the municipal sum exceeds by exactly 0.5
    (799.51, False),
    (799.49, True),
])
def test_sum_tolerance_with_every_municipality(master_sheets, area_numerator, reported):
    """Sums add up within 0.5 (rounding): counts are whole, so the tolerance shows on a rate's numerators."""
    rows = [entry("M22", m, numerator=100, denominator=125) for m in MUNICIPALITIES]
    rows.append(entry("M22", "Koko alue", numerator=area_numerator, denominator=1000))
    assert ("SUMMA_EI_TASMAA" in rules(validate_sheets(with_rows(master_sheets, Toteumat=rows)))) is reported


@pytest.mark.parametrize("area_numerator, reported", [
    (699.5, False),  # on: seven municipalities exceed the area by exactly 0.5
    (699.49, True),  # outside
    (900, False),  # falling short is fine while municipalities are missing
])
def test_sum_tolerance_while_municipalities_are_missing(master_sheets, area_numerator, reported):
    rows = [entry("M22", m, numerator=100, denominator=125) for m in MUNICIPALITIES[:7]]
    rows.append(entry("M22", "Koko alue", numerator=area_numerator, denominator=1000))
    assert ("SUMMA_EI_TASMAA" in rules(validate_sheets(with_rows(master_sheets, Toteumat=rows)))) is reported


@pytest.mark.parametrize("area_value, reported", [(800, False), (801, True), (799, True)])
def test_whole_counts_add_up_exactly(master_sheets, area_value, reported):
    rows = [entry("M06", m, 100) for m in MUNICIPALITIES] + [entry("M06", "Koko alue", area_value)]
    result = validate_sheets(with_rows(master_sheets, Toteumat=rows))
    assert rules(result) == ({"SUMMA_EI_TASMAA"} if reported else set())


def _kunnat_with_a_ninth(sheets):
    sheets = copy.deepcopy(sheets)
    header = sheets["Kunnat"][0]
    ninth = list(sheets["Kunnat"][2])
    ninth[header.index("Kunta")], ninth[header.index("Kuntanumero")] = "Uusikunta", "999"
    ninth[header.index("Vastuukunta")] = "Ei"
    sheets["Kunnat"].append(ninth)
    return sheets


@pytest.mark.parametrize("municipalities, in_kunnat, reported", [
    (8, 8, True),  # on: every municipality of Kunnat is in, so the sum must reach the area total
    (7, 8, False),  # one missing: partial, a shortfall is fine
    (8, 9, False),  # Kunnat has a ninth: eight are partial
])
def test_coverage_of_municipalities_decides_complete_or_partial(master_sheets, municipalities, in_kunnat, reported):
    sheets = _kunnat_with_a_ninth(master_sheets) if in_kunnat == 9 else master_sheets
    rows = [entry("M06", m, 100) for m in MUNICIPALITIES[:municipalities]] + [entry("M06", "Koko alue", 100 * municipalities + 1)]
    result = validate_sheets(with_rows(sheets, Toteumat=rows))
    assert not result.has_errors or rules(result) == {"SUMMA_EI_TASMAA"}
    assert ("SUMMA_EI_TASMAA" in rules(result)) is reported


@pytest.mark.parametrize("area_value, reported", [
    (62.6, False),  # on: 62.6 - 62.5 is 0.1000000000000014 in binary, still within 0.1
    (62.59, False),
    (62.61, True),
    (62.4, False),  # on, from below
    (62.39, True),
])
def test_rate_tolerance(master_sheets, area_value, reported):
    """Eight municipalities of 100 / 160: the area rate from the summed parts is exactly 62.5 %."""
    rows = [entry("M22", m, numerator=100, denominator=160) for m in MUNICIPALITIES]
    rows.append(entry("M22", "Koko alue", area_value, numerator=800, denominator=1280))
    assert ("SUMMA_EI_TASMAA" in rules(validate_sheets(with_rows(master_sheets, Toteumat=rows)))) is reported


@pytest.mark.parametrize("area_value, reported", [(4.05, False), (4.04, False), (4.06, True), (3.95, False), (3.94, True)])
def test_mean_tolerance(master_sheets, area_value, reported):
    sheets = per_municipality(master_sheets, "M26")
    rows = [entry("M26", m, 4.0, denominator=10) for m in MUNICIPALITIES] + [entry("M26", "Koko alue", area_value, denominator=80)]
    assert ("SUMMA_EI_TASMAA" in rules(validate_sheets(with_rows(sheets, Toteumat=rows)))) is reported


# --- an entry against its unit ----------------------------------------------------------------------


@pytest.mark.parametrize("indicator, value, rule", [
    ("M22", 0, None), ("M22", -0.01, "YKSIKKO"), ("M22", 100, None), ("M22", 100.01, "YKSIKKO"),  # %: 0-100
    ("M22", 1, None), ("M22", 0.99, "YKSIKKO"), ("M22", 0.01, "YKSIKKO"),  # strictly between 0 and 1: a fraction? (warning)
    ("M26", 1, None), ("M26", 0.99, "YKSIKKO"), ("M26", 5, None), ("M26", 5.01, "YKSIKKO"),  # keskiarvo (1–5)
    ("M01", 0, None), ("M01", -1, "YKSIKKO"), ("M01", 1.5, "YKSIKKO"),  # a count: whole and non-negative
    ("M01", 10_000_000, None), ("M01", 10_000_001, "EPAUSKOTTAVA"), ("M01", -10_000_001, "EPAUSKOTTAVA"),
    ("M12", 600, None), ("M12", 600.5, "EPAUSKOTTAVA"), ("M12", 0, None), ("M12", -0.5, "YKSIKKO"),  # kk: 50 years
])
def test_unit_bounds(master_sheets, indicator, value, rule):
    result = validate_sheets(with_rows(master_sheets, Toteumat=[entry(indicator, "Koko alue", value)]))
    assert rules(result) == ({rule} if rule else set())


def test_a_fraction_of_a_percent_is_only_a_warning(master_sheets):
    result = validate_sheets(with_rows(master_sheets, Toteumat=[entry("M22", "Koko alue", 0.99)]))
    assert [f.severity for f in result.findings] == ["varoitus"] and len(result.tables.entries) == 1


@pytest.mark.parametrize("numerator, reported", [(125, False), (124, False), (126, True), (125.5, True)])
def test_numerator_up_to_its_denominator(master_sheets, numerator, reported):
    result = validate_sheets(with_rows(master_sheets, Toteumat=[entry("M22", "Koko alue", numerator=numerator, denominator=125)]))
    assert ("OSOITTAJA_SUURI" in rules(result)) is reported


@pytest.mark.parametrize("month, rule", [("1/2026", None), ("12/2026", None), ("12/2025", "KUUKAUSI"), ("1/2027", "KUUKAUSI"),
                                         (12, None), (13, "TYYPPI"), (1, None), (0, "TYYPPI")])
def test_months_of_the_programme_year(master_sheets, month, rule):
    result = validate_sheets(with_rows(master_sheets, Toteumat=[entry("M01", "Koko alue", 1, month=month)]))
    assert rules(result) == ({rule} if rule else set())


# --- dates, euros and cells --------------------------------------------------------------------------


def commitment_row(decided, start, end, amount=1000):
    return ["K1", decided, "Keuruu", "Starttiraha", start, end, amount, None, None]


D = dt.date


@pytest.mark.parametrize("column, date, reported", [
    ("decided", D(2020, 1, 1), False), ("decided", D(2019, 12, 31), True),
    ("decided", D(2030, 12, 31), False), ("decided", D(2031, 1, 1), True),
    ("start", D(2020, 1, 1), False), ("start", D(2019, 12, 31), True),
    ("end", D(2035, 12, 31), False), ("end", D(2036, 1, 1), True),
])
def test_date_ranges_of_commitments(master_sheets, column, date, reported):
    dates = {"decided": D(2026, 1, 2), "start": D(2026, 1, 1), "end": D(2026, 6, 30), column: date}
    if column == "start":
        dates["decided"] = date
    row = commitment_row(dates["decided"], dates["start"], dates["end"])
    result = validate_sheets(with_rows(master_sheets, Sidonnat=[row]))
    assert ("PAIVAMAARA_ALUE" in rules(result)) is reported


@pytest.mark.parametrize("paid_on, reported", [(D(2036, 12, 31), False), (D(2037, 1, 1), True), (D(2020, 1, 1), False), (D(2019, 12, 31), True)])
def test_date_range_of_payments(master_sheets, paid_on, reported):
    result = validate_sheets(with_rows(master_sheets, Maksatukset=[[paid_on, "X", 1, None]]))
    assert ("PAIVAMAARA_ALUE" in [f.rule for f in result.findings if f.cell == "A2"]) is reported


@pytest.mark.parametrize("amount, rule", [
    (1_000_000_000, None), (1_000_000_000.01, "EPAUSKOTTAVA"),  # the plausible size of a euro amount
    (0, None), (-0.01, "ARVOALUE"),  # minimum 0
    (100.5, None), (100.505, "DESIMAALIT"), (100.5000000001, None),  # two decimals, give or take float noise
])
def test_euro_amounts(master_sheets, amount, rule):
    result = validate_sheets(with_rows(master_sheets, Sidonnat=[commitment_row(D(2026, 1, 2), D(2026, 1, 1), D(2026, 6, 30), amount)]))
    assert {f.rule for f in result.findings if f.cell == "G2"} == ({rule} if rule else set())


def test_float_noise_within_the_decimals_rounds_to_the_cent(master_sheets):
    result = validate_sheets(with_rows(master_sheets, Sidonnat=[commitment_row(D(2026, 1, 2), D(2026, 1, 1), D(2026, 6, 30), 100.5000000001)]))
    assert result.tables.commitments["amount_eur"].tolist() == [Decimal("100.50")]


@pytest.mark.parametrize("length, reported", [(32_767, False), (32_768, True)])
def test_excel_cell_length(master_sheets, length, reported):
    result = validate_sheets(with_rows(master_sheets, Toteumat=[entry("M01", "Koko alue", 1, source="x" * length)]))
    assert ("SOLU_LIIAN_PITKA" in rules(result)) is reported


@pytest.mark.parametrize("gap, reported", [(1000, False), (1001, True), (999, False)])
def test_formatted_empty_rows_after_the_data(master_sheets, gap, reported):
    data_end = len(master_sheets["Maksatukset"])
    facts = {"Maksatukset": SheetFacts(last_row=data_end + gap)}
    assert ("TYHJAT_RIVIT" in rules(validate_sheets(master_sheets, facts))) is reported


@pytest.mark.parametrize("header_row, reported", [(30, False), (29, False), (31, True)])
def test_header_row_is_looked_for_in_the_first_30_rows(master_sheets, header_row, reported):
    sheets = copy.deepcopy(master_sheets)
    sheets["Kunnat"] = [[None]] * (header_row - 1) + sheets["Kunnat"]
    assert ("OTSIKKORIVI" in rules(validate_sheets(sheets))) is reported


# --- money --------------------------------------------------------------------------------------------

PAY = "Palkkatuki"
YOUTH = "Nuoret töihin -rekrytointituki"


def commitment(cid, subsidy, start, end, amount, municipality="Multia"):
    return dict(commitment_id=cid, decision_date=day(start), municipality=municipality, subsidy_type=subsidy,
                period_start=day(start), period_end=day(end), amount_eur=amount)


def alert_rules(tables) -> list[str]:
    return compute_budget(tables).alerts["rule"].tolist()


@pytest.mark.parametrize("paid_on, reported", [
    ("30.6.2026", False),  # the period's last day
    (None, False),  # on: PAYMENT_GRACE_DAYS after it
    ("after", True),  # a day more
    ("1.1.2026", False),  # the first day of the period
    ("31.12.2025", True),  # the day before it
])
def test_payment_grace_after_the_period(paid_on, reported):
    end = day("30.6.2026")
    on = {None: end + dt.timedelta(days=PAYMENT_GRACE_DAYS), "after": end + dt.timedelta(days=PAYMENT_GRACE_DAYS + 1)}
    paid = on[paid_on] if paid_on in on else day(paid_on)
    tables = make_tables(commitments=[commitment("S1", PAY, "1.1.2026", "30.6.2026", 1000)],
                         payments=[dict(payment_date=paid, commitment_id="S1", amount_eur=100)])
    assert ("MAKSU_JAKSON_ULKOPUOLELLA" in alert_rules(tables)) is reported


@pytest.mark.parametrize("paid, reported", [("1000.00", False), ("999.99", False), ("1000.01", True)])
def test_payments_up_to_the_commitment(paid, reported):
    tables = make_tables(commitments=[commitment("S1", PAY, "1.1.2026", "30.6.2026", 1000)],
                         payments=[dict(payment_date=day("1.3.2026"), commitment_id="S1", amount_eur=Decimal(paid))])
    assert ("MAKSU_YLITTAA" in alert_rules(tables)) is reported


@pytest.mark.parametrize("budget, reported", [("1000.00", False), ("1000.01", False), ("999.99", True)])
def test_commitments_up_to_the_budget(budget, reported):
    tables = make_tables(commitments=[commitment("S1", PAY, "1.1.2026", "30.6.2026", 1000)],
                         budget=[dict(municipality="Multia", subsidy_type=PAY, budget_eur=Decimal(budget))])
    assert ("SIDONNAT_YLI_BUDJETIN" in alert_rules(tables)) is reported


@pytest.mark.parametrize("amount, end, rules_found", [
    ("9000.00", "30.6.2026", []),  # on the total cap and on 1 500 €/kk x 6
    ("8999.99", "30.6.2026", []),
    ("9000.01", "30.6.2026", ["ENIMMAISTUKI", "YLI_KK_ENIMMAISMAARAN"]),
    ("4500.00", "31.3.2026", []),  # on 1 500 €/kk x 3
    ("4500.01", "31.3.2026", ["YLI_KK_ENIMMAISMAARAN"]),
    ("100.00", "15.6.2026", []),  # six started months: on the maximum of 6
    ("100.00", "1.7.2026", ["ENIMMAISKESTO"]),  # a seventh month started
])
def test_subsidy_caps(amount, end, rules_found):
    tables = make_tables(commitments=[commitment("N1", YOUTH, "1.1.2026", end, Decimal(amount))])
    assert [r for r in alert_rules(tables) if r != "EI_BUDJETTIA"] == rules_found


@pytest.mark.parametrize("euros, cents", [
    ("0.005", 1), ("0.00499", 0), ("-0.005", -1),  # half up, away from zero
    ("1.005", 101), ("2.675", 268),  # exact decimals, where binary floats would round down
    (0.1 + 0.2, 30),
])
def test_rounding_to_cents(euros, cents):
    assert to_cents(euros) == cents


def test_cents_of_a_column_round_float_noise_and_take_exact_decimals():
    amounts = [Decimal("0.01"), Decimal("1234.56"), 0.1 + 0.2, 1e9, Decimal("999999999.99")]
    assert cents_series(pd.Series(amounts, dtype=object)).tolist() == [1, 123456, 30, 100_000_000_000, 99_999_999_999]


def test_apportion_ties_go_left_and_every_cent_is_kept():
    assert apportion(np.array([1, 2, 5]), np.array([[1, 1], [1, 1], [1, 1]])).tolist() == [[1, 0], [1, 1], [3, 2]]


# --- every keyword of the map, on its own bound ----------------------------------------------------------


@pytest.fixture(scope="module")
def keyword_schemas(tmp_path_factory):
    """The shipped schemas with Toteumat's Lähde and Arvo given one more keyword each, as a user might write them."""
    schemas = tmp_path_factory.mktemp("keywords") / "schema"
    shutil.copytree(schema_dir(), schemas)
    path = schemas / "toteumat.schema.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["properties"]["source"].update(minLength=2, maxLength=5, pattern="^[A-Z]")
    raw["properties"]["value"].update(maximum=50, exclusiveMinimum=-10, multipleOf=0.5)
    raw["properties"]["numerator"].update(exclusiveMaximum=100)
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    return load_table_schemas(schemas)


@pytest.mark.parametrize("value, numerator, source, rule", [
    (50, None, "Ab", None), (50.5, None, "Ab", "ARVOALUE"),  # maximum 50: on is inside
    (-9.5, None, "Ab", None), (-10, None, "Ab", "ARVOALUE"),  # exclusiveMinimum -10: on is outside
    (1, 99.5, "Ab", None), (1, 100, "Ab", "ARVOALUE"),  # exclusiveMaximum 100
    (49.5, None, "Ab", None), (49.7, None, "Ab", "DESIMAALIT"),  # multipleOf 0.5
    (1, None, "Abcde", None), (1, None, "Abcdef", "MUOTO"),  # maxLength 5
    (1, None, "Ab", None), (1, None, "A", "PAKOLLINEN"),  # minLength 2
    (1, None, "ab", "MUOTO"),  # pattern ^[A-Z]
])
def test_each_keyword_of_the_map_on_its_bound(master_sheets, keyword_schemas, value, numerator, source, rule):
    sheets = with_rows(master_sheets, Toteumat=[entry("M01", "Koko alue", value, numerator=numerator, source=source)])
    result = validate_sheets(sheets, schemas=keyword_schemas)
    # M01 is a count, so a value that is not whole is also YKSIKKO: only the keywords' own rules are asked here
    assert {f.rule for f in result.findings if f.rule != "YKSIKKO"} == ({rule} if rule else set())


def test_the_shipped_schemas_need_no_jsonschema_fallback():
    """Every keyword of every shipped table schema is checked column-wise (KEYWORDS) or says nothing of a value."""
    for schema in table_schemas().values():
        for key, prop in schema.json["properties"].items():
            unknown = {k for k in prop if not k.startswith("x-")} - KEYWORDS.keys() - ANNOTATIONS
            assert not unknown, f"{schema.name}.{key}: {unknown}"
