"""Every validation rule, on the demo workbook with faults injected into a copy, plus the finer points on
sheet values built from the master (area totals, tolerances, clean-table types, schema fallback)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from faults import HETU_2023, HETU_OLD
from sheet_values import MUNICIPALITIES, entry, with_rows

from tyollisyys_xl.core.budget import ALERT_RULES, compute_budget
from tyollisyys_xl.core.cells import column_letter, sheet_address
from tyollisyys_xl.core.findings import ERROR, MESSAGE_LIMIT, WARNING
from tyollisyys_xl.core.parsing import contains_hetu
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.core.reports.tarkistus import HEADERS, tarkistus_sheet
from tyollisyys_xl.core.tables import ROW, TABLE_ATTRIBUTES
from tyollisyys_xl.core.validation import unit_rule, validate_sheets
from tyollisyys_xl.pipeline import load
from tyollisyys_xl.schemas import load_table_schemas, table_schemas
from tyollisyys_xl.resources import schema_dir



@pytest.fixture(scope="module")
def faulty(faulty_workbook):
    """The demo with one fault per rule, each in its own cell: (result, expected {(severity, rule, address)}, notes)."""
    path, expected, notes = faulty_workbook
    return load(path), expected, notes


def found(result, severity=None) -> set[tuple[str, str, str]]:
    return {(f.severity, f.rule, f.address) for f in result.findings if severity in (None, f.severity)}


def test_demo_and_master_are_clean(demo_path, master_path):
    assert load(master_path).findings == []
    assert not load(demo_path).has_errors


def test_each_injected_fault_is_reported_at_its_cell(faulty):
    result, expected, _ = faulty
    missing = expected - found(result)
    assert not missing, f"not reported: {sorted(missing)}"


def test_no_error_beyond_the_injected_ones(faulty):
    """One bad cell never spills into errors elsewhere (warnings may follow from inflated amounts)."""
    result, expected, _ = faulty
    assert found(result, ERROR) == {e for e in expected if e[0] == ERROR}


def test_findings_name_sheet_cell_and_column_in_finnish(faulty):
    result, _, _ = faulty
    by_address = {(f.rule, f.address): f for f in result.findings}
    finding = next(f for (rule, address), f in by_address.items() if rule == "TYYPPI" and address.startswith("Toteumat!"))
    assert finding.column == "Arvo" and finding.sheet == "Toteumat"
    assert "”abc” ei ole luku" in finding.message


def test_hetu_is_never_repeated(faulty):
    result, _, _ = faulty
    text = json.dumps([f.as_dict() for f in result.findings], ensure_ascii=False)
    assert HETU_OLD not in text and HETU_2023 not in text and "010101A024F" not in text
    assert sum(f.rule == "HETU" for f in result.findings) == 5  # two of them glued to other text


def test_rows_with_errors_are_left_out_and_warnings_kept(faulty):
    result, _, notes = faulty
    rows = set(result.tables.entries[ROW])
    assert notes["error_row"] not in rows
    assert notes["warning_row"] in rows
    assert set(notes["kept_rows"]) <= rows  # formula-like text warns; "-5" and "-" are no formulas at all


def test_formula_like_text_is_told_by_its_sign_and_a_negative_number_is_not(faulty):
    result, _, notes = faulty
    messages = {f.address: f.message for f in result.findings if f.rule == "KAAVAMAINEN_TEKSTI"}
    assert len(messages) == 2
    assert any("merkillä ”=”" in m for m in messages.values()) and any("merkillä ”@”" in m for m in messages.values())


def test_payments_with_money_errors_are_left_out_of_the_clean_tables(faulty):
    """A money rule's error drops its row like any other error, and what is left passes the budget engine."""
    result, _, notes = faulty
    rows = set(result.tables.payments[ROW])
    assert not rows & set(notes["money_error_payments"])
    assert notes["serial_payment"] in rows
    again = compute_budget(result.tables).alerts
    assert not (again["severity"] == ERROR).any()
    warnings = {(f.rule, f.address, f.message) for f in result.findings if f.rule in {r.code for r in ALERT_RULES} and f.severity == WARNING}
    assert warnings == {(a.rule, sheet_address(a.sheet, a.cell), a.message) for a in again.itertuples()}


def test_finnish_text_and_excel_serials_are_read_into_clean_types(faulty):
    result, _, notes = faulty
    entries = result.tables.entries.set_index(ROW)
    assert entries.loc[notes["finnish_row"], "value"] == 1363.0
    assert entries.loc[notes["finnish_row"], "month"] == 2
    assert entries.loc[notes["serial_row"], "month"] == 3
    payments = result.tables.payments.set_index(ROW)
    assert payments.loc[notes["serial_payment"], "payment_date"] == dt.date(2026, 3, 20)


def test_clean_table_types(demo_path):
    tables = load(demo_path).tables
    assert tables.entries["month"].dtype == "int64" and tables.entries["value"].dtype == "float64"
    assert all(isinstance(v, Decimal) and v == v.quantize(Decimal("0.01")) for v in tables.commitments["amount_eur"])
    assert all(type(v) is dt.date for v in tables.commitments["period_start"])
    assert tables.municipalities["lead"].dtype == bool and tables.municipalities["lead"].sum() == 1
    assert tables.entries[ROW].dtype == "int64"


def test_all_input_tables_empty_is_valid(empty_master_path, tmp_path):
    path = tmp_path / "tyhja.xlsm"
    book = openpyxl.load_workbook(empty_master_path, keep_vba=True)
    for name in ("Mittarit", "Toteumat", "Kunnat", "Tukilajit", "Tukibudjetti", "Sidonnat", "Maksatukset", "Kustannuskohteet", "Palvelukustannukset"):
        ws = book[name]
        ws.delete_rows(2, ws.max_row)
    book.save(path)
    result = load(path)
    assert result.findings == []
    assert all(getattr(result.tables, attribute).empty for attribute in TABLE_ATTRIBUTES.values())


# --- finer points on sheet values -------------------------------------------------------------


def rules_at(result):
    return {(f.rule, f.address) for f in result.findings}


@pytest.mark.parametrize(
    "municipal_values, area_value, reported",
    [
        ([100] * 8, 800, False),
        ([100] * 8, 801, True),
        ([100] * 5, 800, False),  # not all municipalities yet: a smaller sum is fine
        ([300] * 5, 800, True),  # ... but not a bigger one
    ],
)
def test_count_area_totals(master_sheets, municipal_values, area_value, reported):
    rows = [entry("M06", m, v) for m, v in zip(MUNICIPALITIES, municipal_values)] + [entry("M06", "Koko alue", area_value)]
    result = validate_sheets(with_rows(master_sheets, Toteumat=rows))
    assert (("SUMMA_EI_TASMAA", f"Toteumat!D{len(rows) + 1}") in rules_at(result)) is reported


@pytest.mark.parametrize(
    "area, reported",
    [
        (dict(numerator=800, denominator=1000), False),
        (dict(numerator=810, denominator=1000), True),
        (dict(value=80.0), False),
        (dict(value=80.3), True),
    ],
)
def test_rate_area_totals_are_weighted(master_sheets, area, reported):
    rows = [entry("M22", m, numerator=100, denominator=125) for m in MUNICIPALITIES] + [entry("M22", "Koko alue", **area)]
    result = validate_sheets(with_rows(master_sheets, Toteumat=rows))
    assert any(f.rule == "SUMMA_EI_TASMAA" for f in result.findings) is reported


def test_mean_area_total_is_weighted_by_respondents(master_sheets):
    """M26 is a whole-area indicator; per-municipality means are checked the same way once entered so."""
    sheets = copy.deepcopy(master_sheets)
    header = sheets["Mittarit"][0]
    m26 = next(r for r in sheets["Mittarit"] if r[0] == "M26")
    m26[header.index("Kuntakohtainen")] = "Kyllä"
    weights = [10, 30, 10, 10, 10, 10, 10, 10]
    local = [entry("M26", m, 3.0 if w == 10 else 5.0, denominator=w) for m, w in zip(MUNICIPALITIES, weights)]
    good = validate_sheets(with_rows(sheets, Toteumat=local + [entry("M26", "Koko alue", 3.6)]))
    bad = validate_sheets(with_rows(sheets, Toteumat=local + [entry("M26", "Koko alue", 3.25)]))
    assert not any(f.rule == "SUMMA_EI_TASMAA" for f in good.findings)
    assert any(f.rule == "SUMMA_EI_TASMAA" for f in bad.findings)


def test_rate_entry_needs_value_or_both_parts(master_sheets):
    rows = [entry("M22", "Joutsa", numerator=5), entry("M22", "Jämsä", numerator=5, denominator=10), entry("M01", "Koko alue")]
    result = validate_sheets(with_rows(master_sheets, Toteumat=rows))
    # (the other six municipalities' M22 is missing: a warning on the sheet, core.programme_checks)
    assert rules_at(result) == {("PAKOLLINEN", "Toteumat!D2"), ("PAKOLLINEN", "Toteumat!D4"), ("KIRJAUS_PUUTTUU", "Toteumat")}


def test_empty_cells_in_every_form_and_short_rows(master_sheets):
    """Adapters give an empty cell as None, "", spaces or a missing-value marker, and may end a row early:
    all of it reads as empty."""
    rows = [
        ["M06", "3/2026", "Jämsä", 10.0],  # the row ends after the value
        ["", "  ", None, "\u00a0", float("nan"), pd.NA, pd.NaT, ""],  # empty in every form: not a row at all
        entry("M06", "Keuruu", "   "),  # a value of spaces is a missing value
    ]
    result = validate_sheets(with_rows(master_sheets, Toteumat=rows))
    assert rules_at(result) == {("PAKOLLINEN", "Toteumat!D4"), ("KIRJAUS_PUUTTUU", "Toteumat")}  # Jämsä's M06 alone
    entries = result.tables.entries
    assert entries[ROW].tolist() == [2] and entries.loc[0, "value"] == 10.0 and entries.loc[0, "comment"] is None


def test_dropdown_values_match_in_any_case(master_sheets):
    rows = [entry("m01", "koko alue", 1), entry("M06", "jämsä", 10)]
    result = validate_sheets(with_rows(master_sheets, Toteumat=rows))
    assert {f.rule for f in result.findings} == {"KIRJAUS_PUUTTUU"}  # the other seven municipalities' M06
    assert list(result.tables.entries["municipality"]) == ["Koko alue", "Jämsä"]
    assert list(result.tables.entries["indicator_id"]) == ["M01", "M06"]


# --- money rules: the budget engine's alerts as findings ------------------------------------------

BUSINESS_ID = "1234567-1"
KEURUU_BUDGET = ["Keuruu", "Palkkatuki", 104500, None]
# 105 352 € over 1.8.2025–31.12.2026: 518 days, 365 of them in 2026, so its 2026 share is 74 234,52 €
MULTI_YEAR = ["K1", dt.date(2025, 7, 15), "Keuruu", "Palkkatuki", dt.date(2025, 8, 1), dt.date(2026, 12, 31), 105352, BUSINESS_ID, None]
IN_2026 = ["K2", dt.date(2026, 1, 2), "Keuruu", "Palkkatuki", dt.date(2026, 1, 1), dt.date(2026, 6, 30), 40000, BUSINESS_ID, None]


def test_budget_finding_and_alert_agree_on_the_2026_share(master_sheets):
    result = validate_sheets(with_rows(master_sheets, Tukibudjetti=[KEURUU_BUDGET], Sidonnat=[MULTI_YEAR, IN_2026]))
    (finding,) = [f for f in result.findings if f.rule == "SIDONNAT_YLI_BUDJETIN"]
    (alert,) = compute_budget(result.tables).alerts.query("rule == 'SIDONNAT_YLI_BUDJETIN'").itertuples()
    assert (finding.severity, finding.address, finding.column) == (WARNING, "Tukibudjetti!C2", "Budjetti €")
    assert (finding.message, finding.cell) == (alert.message, alert.cell)
    # 74 234,52 + 40 000 = 114 234,52 € against 104 500 €; the whole amounts (145 352 €) are not the measure
    assert "114\u00a0234,52\u00a0€" in finding.message and "ylitys 9\u00a0734,52\u00a0€" in finding.message
    assert "145\u00a0352" not in finding.message


def test_multi_year_commitment_counts_only_its_2026_share_against_the_budget(master_sheets):
    """The whole 105 352 € is above the 104 500 € budget, its 2026 share of 74 234,52 € is not."""
    result = validate_sheets(with_rows(master_sheets, Tukibudjetti=[KEURUU_BUDGET], Sidonnat=[MULTI_YEAR]))
    assert result.findings == []
    committed = compute_budget(result.tables).summary.query("committed_cents > 0")
    assert committed["committed_cents"].tolist() == [7423452]


def test_money_findings_point_to_the_columns_where_they_really_stand(master_sheets):
    """Maksatukset with its columns in another order: findings follow the sheet, not the builder's layout."""
    sheets = copy.deepcopy(master_sheets)
    sheets["Maksatukset"] = [
        ["Sidonnan tunnus", "Maksettu €", "Maksupäivä", "Kommentti"],
        ["K2", 30000, dt.date(2026, 3, 1), None],
        ["K2", 20000, dt.date(2026, 4, 1), None],
        ["K2", 100, dt.date(2025, 12, 31), None],
    ]
    result = validate_sheets(with_rows(sheets, Tukibudjetti=[KEURUU_BUDGET], Sidonnat=[IN_2026]))
    assert rules_at(result) == {("MAKSU_YLITTAA", "Maksatukset!B3"), ("MAKSU_JAKSON_ULKOPUOLELLA", "Maksatukset!C4")}
    assert all(f.severity == ERROR for f in result.findings)
    assert result.tables.payments[ROW].tolist() == [2]  # money errors leave their rows out
    assert compute_budget(result.tables).alerts.empty


def test_the_alert_tab_points_where_tarkistus_does_when_columns_are_moved(master_sheets):
    """A warning stays in the clean tables, so the Budjettihälytykset tab lists it too: at the same moved cell."""
    sheets = copy.deepcopy(master_sheets)
    header = sheets["Sidonnat"][0]
    order = [header.index("Kunta"), *(i for i, title in enumerate(header) if title != "Kunta")]  # Kunta moved to A
    sheets["Sidonnat"] = [[row[i] for i in order] for row in (header, IN_2026)]
    result = validate_sheets(sheets)  # no budget row for Keuruu: a warning, and the row stays
    assert rules_at(result) == {("EI_BUDJETTIA", "Sidonnat!A2")}  # the builder puts Kunta in C
    (alert,) = compute_budget(result.tables).alerts.itertuples()
    assert (alert.rule, f"{alert.sheet}!{alert.cell}") == ("EI_BUDJETTIA", "Sidonnat!A2")


def test_money_rules_never_raise_on_extreme_values(master_sheets):
    rows = [
        ["X1", dt.date(2026, 1, 1), "Joutsa", "Starttiraha", dt.date(2026, 1, 1), dt.date(9999, 12, 31), 999_999_999.99, None, None],
        ["X2", dt.date(2026, 1, 1), "Joutsa", "Starttiraha", dt.date(1900, 1, 1), dt.date(2026, 1, 31), 10**12, None, None],
    ]
    payments = [[dt.date(9999, 12, 31), "X1", 999_999_999.99, None]]
    result = validate_sheets(with_rows(master_sheets, Sidonnat=rows, Maksatukset=payments))
    assert rules_at(result) == {("PAIVAMAARA_ALUE", "Sidonnat!F2"), ("PAIVAMAARA_ALUE", "Sidonnat!E3"),
                                ("EPAUSKOTTAVA", "Sidonnat!G3"), ("PAIVAMAARA_ALUE", "Maksatukset!A2")}


@pytest.mark.parametrize(
    "unit, kind, scale, ok, bad",
    [
        ("henkilöä", "lasku", None, [0, 4301], [-1, 12.5]),
        ("%", "kasvu", 100, [0, 69.9, 100], [-0.1, 100.5]),
        ("keskiarvo (1–5)", "keskiarvo", None, [1, 3.82, 5], [0.9, 5.1]),
        ("vaihe (0 = ei aloitettu, 1 = käynnissä, 2 = valmis)", "virstanpylväs", None, [0, 1, 2], [0.5, 3]),
        ("viikkoa", "lasku", None, [62.5], [-1]),
        ("asiakasta / HTV", "lasku", 1, [133.4], [-2]),
    ],
)
def test_unit_rules(unit, kind, scale, ok, bad):
    import pandas as pd

    from tyollisyys_xl.core.validation.entries import _unit_violation

    rule = unit_rule(unit, kind, scale)
    assert not _unit_violation(rule, pd.Series(ok, dtype=float)).any()
    assert _unit_violation(rule, pd.Series(bad, dtype=float)).all()


def test_unknown_schema_keyword_falls_back_to_jsonschema(master_sheets, tmp_path):
    schemas = tmp_path / "schema"
    shutil.copytree(schema_dir(), schemas)
    path = schemas / "toteumat.schema.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["properties"]["source"]["not"] = {"const": "Arvaus"}
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    rows = [entry("M01", "Koko alue", 1), ["M01", "4/2026", "Koko alue", 1, None, None, "Arvaus", None]]
    result = validate_sheets(with_rows(master_sheets, Toteumat=rows), schemas=load_table_schemas(schemas))
    assert rules_at(result) == {("SKEEMA", "Toteumat!G3")}


def test_cells_to_highlight(faulty):
    result, expected, _ = faulty
    cells = result.cells_to_highlight()
    for _, _, address in expected:
        sheet, cell = address.split("!")
        assert cell in cells[sheet]
    assert all(len(v) == len(set(v)) for v in cells.values())


def test_tarkistus_sheet_lists_and_links_every_finding(faulty):
    result, _, _ = faulty
    spec = tarkistus_sheet(result.findings)
    grid = spec.values_grid()
    header_row = next(r for (r, c), v in grid.items() if c == 1 and v == HEADERS[0])
    assert [grid[(header_row, c)] for c in range(1, 7)] == HEADERS
    listed = [tuple(grid[(header_row + 1 + i, c)] for c in range(1, 7)) for i in range(len(result.findings))]
    assert listed == [(f.severity, f.sheet, f.cell or "", f.column or "", f.rule, f.message) for f in result.findings]
    links = {link.cell: link.target for link in spec.hyperlinks}
    first = result.findings[0]
    assert links[f"C{header_row + 1}"].endswith(f"!{first.cell}")
    assert "'Palvelukustannukset'" not in "".join(links.values())  # no quotes where none are needed
    errors = sum(f.severity == ERROR for f in result.findings)
    assert grid[(3, 1)].startswith(f"{errors} virhe")  # row 1: the banner row, row 2: the title
    assert spec.freeze == f"A{header_row + 1}"


def test_tarkistus_sheet_without_findings():
    spec = tarkistus_sheet([])
    assert spec.name == "Tarkistus"
    assert spec.values_grid()[(3, 1)] == "Ei virheitä eikä varoituksia."
    assert spec.hyperlinks == []


HETU_TEXTS = ["131052-308T", "Joutsa131052-308T", "asiakas 010101A024Fx", "290224A999R!", "1131052-308T"]
CELL_VALUES = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([1e308, -1e308, 1e16, 60, 59.0, 2958466]),
    st.integers(-10**6, 10**6),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)),
    st.sampled_from(["#DIV/0!", "#N/A", "3/2026", "M06", "Koko alue", "Jämsä", "Palkkatuki", "SID-1", "1 468,5", "Kyllä"]),
    st.sampled_from(["=1+1", "+358 40 123", "@SUMMA(A1)", "\t=1", "-5", "-", "1" * 400, "x" * 33_000]),
    st.tuples(st.text(max_size=4), st.sampled_from(HETU_TEXTS), st.text(max_size=4)).map("".join),
)
INPUT_SHEETS = ["Mittarit", "Toteumat", "Kunnat", "Tukilajit", "Tukibudjetti", "Sidonnat", "Maksatukset", "Palvelukustannukset"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.lists(CELL_VALUES, min_size=0, max_size=10), min_size=1, max_size=6), st.sampled_from(INPUT_SHEETS))
def test_any_cell_values_give_located_registered_safe_findings(master_sheets, rows, sheet):
    """Whatever the cells hold: findings point at the cell under the column they name, every code is
    registered with its severity, no HETU is repeated, and exactly the rows with an error are left out."""
    sheets = with_rows(master_sheets, **{sheet: rows})
    result = validate_sheets(sheets)
    header = sheets[sheet][0]
    letters = {title: column_letter(i + 1) for i, title in enumerate(header)}
    error_rows = set()
    for f in result.findings:
        assert f.severity in Rule[f.rule].severities and f.message and len(f.message) <= MESSAGE_LIMIT
        assert not contains_hetu(f"{f.column} {f.message}")
        assert f.sheet in sheets
        if f.sheet != sheet or f.cell is None:
            continue
        letter, row = re.fullmatch(r"([A-Z]+)(\d+)", f.cell).groups()
        assert 1 <= int(row) <= len(sheets[sheet])
        if f.column is not None and f.rule != "SARAKE_PUUTTUU":
            assert letters[f.column] == letter, f
        if f.severity == ERROR:
            error_rows.add(int(row))
    assert result.has_errors == any(f.severity == ERROR for f in result.findings)
    name = next(n for n, schema in table_schemas().items() if schema.sheet == sheet)
    clean_rows = set(getattr(result.tables, TABLE_ATTRIBUTES[name])[ROW])
    assert not clean_rows & error_rows
    assert clean_rows <= set(range(2, len(sheets[sheet]) + 1))


def test_keys_are_compared_in_any_letter_case(master_sheets):
    """SID-1 and sid-1 are the same commitment: Excel's dropdowns match them, so the payments would too."""
    rows = [
        ["SID-1", dt.date(2026, 1, 2), "Keuruu", "Starttiraha", dt.date(2026, 1, 1), dt.date(2026, 6, 30), 1000, None, None],
        ["sid-1", dt.date(2026, 1, 3), "Keuruu", "Starttiraha", dt.date(2026, 1, 1), dt.date(2026, 6, 30), 2000, None, None],
    ]
    result = validate_sheets(with_rows(master_sheets, Sidonnat=rows))
    (finding,) = [f for f in result.findings if f.rule == "KAKSOISKIRJAUS"]
    assert finding.address == "Sidonnat!A3" and "rivillä 2 " in finding.message
    assert result.tables.commitments["commitment_id"].tolist() == ["SID-1"]


def test_a_list_without_a_rule_of_its_own_reports_an_unknown_value(master_sheets, tmp_path):
    schemas = tmp_path / "schema"
    shutil.copytree(schema_dir(), schemas)
    path = schemas / "toteumat.schema.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["properties"]["source"]["x-list"] = "Kunnat.code"
    path.write_text(json.dumps(raw, ensure_ascii=False), encoding="utf-8")
    rows = [["M01", "3/2026", "Koko alue", 1, None, None, "172", None], ["M01", "4/2026", "Koko alue", 1, None, None, "999", None]]
    result = validate_sheets(with_rows(master_sheets, Toteumat=rows), schemas=load_table_schemas(schemas))
    assert rules_at(result) == {("TUNTEMATON_ARVO", "Toteumat!G3")}


@pytest.mark.parametrize("end, finding", [
    (dt.date(2026, 1, 1), None),  # a period of one day
    (dt.date(2025, 12, 31), ("Sidonnat!F2", "Jakso päättyy (31.12.2025) ennen kuin se alkaa (1.1.2026).")),
])
def test_a_period_may_end_on_the_day_it_starts_but_not_before(master_sheets, end, finding):
    row = ["K1", dt.date(2025, 12, 1), "Keuruu", "Starttiraha", dt.date(2026, 1, 1), end, 1000, None, None]
    result = validate_sheets(with_rows(master_sheets, Sidonnat=[row]))
    found = {(f.address, f.severity, f.message) for f in result.findings if f.rule == "JAKSO_PAATTYY_ENNEN"}
    assert found == ({(finding[0], ERROR, finding[1])} if finding else set())
    assert len(result.tables.commitments) == (0 if finding else 1)


@pytest.mark.parametrize("subsidy, business_id, required", [
    ("Palkkatuki", None, True), ("Palkkatuki", BUSINESS_ID, False), ("Starttiraha", None, False),
])
def test_a_business_id_is_required_where_the_subsidy_type_says_so(master_sheets, subsidy, business_id, required):
    row = ["K1", dt.date(2026, 1, 2), "Keuruu", subsidy, dt.date(2026, 1, 1), dt.date(2026, 6, 30), 1000, business_id, None]
    result = validate_sheets(with_rows(master_sheets, Sidonnat=[row]))
    found = {(f.rule, f.address, f.message) for f in result.findings if f.sheet == "Sidonnat" and f.severity == ERROR}
    assert found == ({("PAKOLLINEN", "Sidonnat!H2", f"Tukilaji ”{subsidy}” vaatii työnantajan Y-tunnuksen.")} if required else set())


def test_a_missing_business_id_column_is_reported_not_raised(master_sheets):
    """A user deletes the optional Y-tunnus column while a subsidy type requires one."""
    sheets = copy.deepcopy(master_sheets)
    header = sheets["Sidonnat"][0]
    keep = [i for i, title in enumerate(header) if title != "Työnantajan Y-tunnus"]
    sheets["Sidonnat"] = [[row[i] if i < len(row) else None for i in keep] for row in sheets["Sidonnat"]]
    sheets["Sidonnat"].append([IN_2026[i] for i in keep])
    result = validate_sheets(sheets)
    assert ("SARAKE_PUUTTUU", WARNING) in {(f.rule, f.severity) for f in result.findings if f.column == "Työnantajan Y-tunnus"}
    assert len(result.tables.commitments) == 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["M06", "m06", "M09"]), st.sampled_from(["3/2026", "maaliskuu 2026", "4/2026", None]),
                          st.sampled_from(["Jämsä", "JÄMSÄ", "Keuruu", None])), min_size=1, max_size=12))
@example(keys=[("M06", "3/2026", "Jämsä"), ("M06", None, "Jämsä"), ("M06", None, "Jämsä")])  # a missing middle part
def test_a_repeated_key_is_flagged_at_every_later_row_and_names_the_first(master_sheets, keys):
    """Keys are equal in any letter case and in any month spelling; a row with a missing key part (any of them) repeats nothing."""
    result = validate_sheets(with_rows(master_sheets, Toteumat=[entry(i, m, 1, month=month) for i, month, m in keys]))
    first_row, expected = {}, {}
    for row, (indicator, month, municipality) in enumerate(keys, start=2):
        if month is None or municipality is None:
            continue
        key = (indicator.casefold(), 4 if month == "4/2026" else 3, municipality.casefold())
        if key in first_row:
            expected[f"Toteumat!A{row}"] = first_row[key]
        first_row.setdefault(key, row)
    found = {f.address: f.message for f in result.findings if f.rule == "KAKSOISKIRJAUS"}
    assert set(found) == set(expected)
    assert all(f"rivillä {expected[address]} " in message for address, message in found.items())


def test_each_unique_key_of_a_table_is_checked_and_named_in_the_message(master_sheets):
    """Kunnat has two keys, the name and the code: a code repeated under another name is still a repeat."""
    sheets = copy.deepcopy(master_sheets)
    sheets["Kunnat"][2][1] = sheets["Kunnat"][1][1]  # Jämsä gets Joutsa's code
    sheets = with_rows(sheets, Toteumat=[entry("M06", "Jämsä", 1), entry("M06", "Jämsä", 2)])
    assert {(f.address, f.message) for f in validate_sheets(sheets).findings if f.rule == "KAKSOISKIRJAUS"} == {
        ("Kunnat!B3", "Sama Kuntanumero on jo rivillä 2 (kaksoiskirjaus)."),
        ("Toteumat!A3", "Sama Mittari, Kuukausi, Kunta on jo rivillä 2 (kaksoiskirjaus)."),
    }


def test_an_unknown_reference_names_the_value_and_the_column_under_its_own_rule(master_sheets):
    result = validate_sheets(with_rows(master_sheets, Toteumat=[entry("M06", "Jyväskylä", 10), entry("M99", "Jämsä", 10)]))
    assert {(f.rule, f.address, f.message) for f in result.findings} == {
        ("TUNTEMATON_KUNTA", "Toteumat!C2", "”Jyväskylä” ei ole Kunnat-välilehden sarakkeessa ”Kunta”."),
        ("TUNTEMATON_MITTARI", "Toteumat!A3", "”M99” ei ole Mittarit-välilehden sarakkeessa ”Tunnus”."),
    }
    assert result.tables.entries.empty  # both rows carry an error


def test_a_reference_to_an_unusable_table_is_not_checked_and_the_other_columns_still_are(master_sheets):
    """Mittarit without its header row: its ids cannot be looked up (OTSIKKORIVI says why), Kunnat's still can."""
    sheets = with_rows(master_sheets, Toteumat=[entry("M06", "Jyväskylä", 10), entry("M99", "Jämsä", 10)])
    sheets["Mittarit"] = [["x"]]
    assert {(f.rule, f.address) for f in validate_sheets(sheets).findings} == {
        ("OTSIKKORIVI", "Mittarit!A1"), ("TUNTEMATON_KUNTA", "Toteumat!C2")}
