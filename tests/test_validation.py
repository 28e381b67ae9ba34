"""Every validation rule, on the demo workbook with faults injected into a copy, plus the finer points on
sheet values built from the master (area totals, tolerances, clean-table types, schema fallback)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from decimal import Decimal

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tyollisyys_xl.core.budget import ALERT_KINDS, compute_budget
from tyollisyys_xl.core.cells import sheet_address
from tyollisyys_xl.core.findings import ERROR, WARNING
from tyollisyys_xl.core.parsing import hetu_check_character
from tyollisyys_xl.core.reports.tarkistus import HEADERS, tarkistus_sheet
from tyollisyys_xl.core.tables import ROW, TABLE_ATTRIBUTES
from tyollisyys_xl.core.validation import unit_rule, validate_sheets
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.pipeline import load
from tyollisyys_xl.schemas import load_table_schemas
from tyollisyys_xl.resources import schema_dir

HETU_OLD = "131052-308T"
HETU_2023 = "010594Y" + "903" + hetu_check_character("010594", "903")


class Sheet:
    """An openpyxl sheet addressed by its Finnish headers (row 1)."""

    def __init__(self, ws):
        self.ws = ws
        self.letters = {c.value: c.column_letter for c in ws[1] if c.value}

    def rows(self, **where) -> list[int]:
        headers = {k.replace("_", " "): v for k, v in where.items()}
        found = []
        for r in range(2, self.ws.max_row + 1):
            if all(self.ws[f"{self.letters[h]}{r}"].value == v for h, v in headers.items()):
                found.append(r)
        return found

    def get(self, header: str, row: int):
        return self.ws[f"{self.letters[header]}{row}"].value

    def set(self, header: str, row: int, value, number_format: str | None = None) -> str:
        cell = self.ws[f"{self.letters[header]}{row}"]
        cell.value = value
        if number_format:
            cell.number_format = number_format
        return f"{self.letters[header]}{row}"

    def append(self, values: dict) -> int:
        row = self.ws.max_row + 1
        for header, value in values.items():
            self.set(header, row, value)
        return row

    def record(self, row: int) -> dict:
        return {h: self.get(h, row) for h in self.letters}


@pytest.fixture(scope="module")
def faulty(demo_path, tmp_path_factory):
    """The demo with one fault per rule, each in its own cell: (result, expected {(severity, rule, address)}, notes)."""
    path = tmp_path_factory.mktemp("faulty") / "viallinen.xlsm"
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    expected: set[tuple[str, str, str]] = set()
    notes: dict[str, int] = {}

    def expect(severity, rule, sheet, cell):
        expected.add((severity, rule, f"{sheet}!{cell}"))

    entries = Sheet(book["Toteumat"])
    m01 = entries.rows(Mittari="M01")
    expect(ERROR, "TYYPPI", "Toteumat", entries.set("Arvo", m01[0], "abc"))
    expect(ERROR, "KUUKAUSI", "Toteumat", entries.set("Kuukausi", m01[1], "3/2025"))
    expect(ERROR, "TUNTEMATON_MITTARI", "Toteumat", entries.set("Mittari", m01[2], "M99"))
    expect(ERROR, "PAKOLLINEN", "Toteumat", entries.set("Kunta", m01[3], None))
    expect(ERROR, "TUNTEMATON_KUNTA", "Toteumat", entries.set("Kunta", m01[4], "Helsinki"))
    expect(ERROR, "YKSIKKO", "Toteumat", entries.set("Arvo", m01[5], 12.5))
    expect(WARNING, "KUNTAJAKO", "Toteumat", entries.set("Kunta", m01[6], "Jämsä"))
    notes["warning_row"] = m01[6]
    expect(ERROR, "EXCEL_VIRHE", "Toteumat", entries.set("Arvo", m01[7], "#DIV/0!"))
    expect(ERROR, "HETU", "Toteumat", entries.set("Kommentti", m01[8], f"Soitettu asiakkaalle {HETU_OLD}"))
    notes["error_row"] = m01[0]
    m22 = entries.rows(Mittari="M22")
    expect(ERROR, "OSOITTAJA_SUURI", "Toteumat", entries.set("Osoittaja", m22[0], entries.get("Nimittäjä", m22[0]) + 50))
    expect(ERROR, "YKSIKKO", "Toteumat", entries.set("Arvo", m22[1], 120))
    expect(WARNING, "YKSIKKO", "Toteumat", entries.set("Arvo", m22[2], 0.7))
    expect(ERROR, "YKSIKKO", "Toteumat", entries.set("Arvo", entries.rows(Mittari="M26")[0], 6))
    expect(ERROR, "YKSIKKO", "Toteumat", entries.set("Arvo", entries.rows(Mittari="M09")[0], 3))
    joutsa = entries.rows(Mittari="M06", Kunta="Joutsa")
    duplicate = entries.append(entries.record(joutsa[0]))
    expect(ERROR, "KAKSOISKIRJAUS", "Toteumat", f"A{duplicate}")
    january = [r for r in entries.rows(Mittari="M06") if entries.get("Kuukausi", r) == dt.datetime(2026, 1, 1) and r != duplicate]
    area_total = sum(entries.get("Arvo", r) for r in january) + 100
    area = entries.append({"Mittari": "M06", "Kuukausi": "1/2026", "Kunta": "Koko alue", "Arvo": area_total})
    expect(ERROR, "SUMMA_EI_TASMAA", "Toteumat", f"D{area}")
    # Finnish text and an unformatted Excel serial are read, not reported.
    entries.set("Arvo", joutsa[1], "1\u00a0363")
    entries.set("Kuukausi", joutsa[1], "helmikuu 2026")
    entries.set("Kuukausi", joutsa[2], 46082, number_format="General")
    notes["finnish_row"], notes["serial_row"] = joutsa[1], joutsa[2]

    book["Ohjaus"]["F3"] = f"Yhteyshenkilö {HETU_OLD}"
    expect(ERROR, "HETU", "Ohjaus", "F3")
    book.create_sheet("Muistiinpanot")["B2"] = f"asiakas {HETU_2023} soitti"
    expect(ERROR, "HETU", "Muistiinpanot", "B2")

    commitments = Sheet(book["Sidonnat"])
    budget = Sheet(book["Tukibudjetti"])
    by_decision = sorted(commitments.rows(Kunta="Joutsa", Tukilaji="Palkkatuki"), key=lambda r: (commitments.get("Päätöspäivä", r), r))
    commitments.set("Sidottu €", by_decision[0], 10_000_000)
    (joutsa_budget,) = budget.rows(Kunta="Joutsa", Tukilaji="Palkkatuki")
    expect(WARNING, "SIDONNAT_YLI_BUDJETIN", "Tukibudjetti", f"{budget.letters['Budjetti €']}{joutsa_budget}")  # at the budget exceeded
    jamsa = commitments.rows(Kunta="Jämsä", Tukilaji="Palkkatuki")
    start = commitments.get("Jakso alkaa", jamsa[0])
    expect(ERROR, "JAKSO_PAATTYY_ENNEN", "Sidonnat", commitments.set("Jakso päättyy", jamsa[0], start - dt.timedelta(days=1)))
    expect(ERROR, "YTUNNUS", "Sidonnat", commitments.set("Työnantajan Y-tunnus", jamsa[1], "0737546-3"))
    expect(ERROR, "PAKOLLINEN", "Sidonnat", commitments.set("Työnantajan Y-tunnus", jamsa[2], None))
    expect(ERROR, "TUNTEMATON_TUKILAJI", "Sidonnat", commitments.set("Tukilaji", jamsa[3], "Palkkatukix"))
    expect(ERROR, "DESIMAALIT", "Sidonnat", commitments.set("Sidottu €", jamsa[4], 100.505))
    expect(ERROR, "ARVOALUE", "Sidonnat", commitments.set("Sidottu €", jamsa[5], -5))
    youth = commitments.rows(Kunta="Jämsä", Tukilaji="Nuoret töihin -rekrytointituki")
    expect(WARNING, "ENIMMAISTUKI", "Sidonnat", commitments.set("Sidottu €", youth[0], 9500))
    broken_ids = {commitments.get("Sidonnan tunnus", r) for r in [by_decision[0], *jamsa[:6], youth[0]]}

    payments = Sheet(book["Maksatukset"])
    usable = [r for r in payments.rows() if payments.get("Sidonnan tunnus", r) not in broken_ids]
    expect(ERROR, "MAKSU_TUNTEMATON_SIDONTA", "Maksatukset", payments.set("Sidonnan tunnus", usable[0], "SID-9999"))
    last_of = {payments.get("Sidonnan tunnus", r): r for r in usable[1:]}
    over, early, serial = list(last_of.values())[:3]
    expect(ERROR, "MAKSU_YLITTAA", "Maksatukset", payments.set("Maksettu €", over, 1_000_000))
    starts = {commitments.get("Sidonnan tunnus", r): commitments.get("Jakso alkaa", r) for r in commitments.rows()}
    early_date = starts[payments.get("Sidonnan tunnus", early)] - dt.timedelta(days=1)
    expect(ERROR, "MAKSU_JAKSON_ULKOPUOLELLA", "Maksatukset", payments.set("Maksupäivä", early, early_date))
    payments.set("Maksupäivä", serial, 46101, number_format="General")
    notes["serial_payment"] = serial
    notes["money_error_payments"] = [over, early]

    expect(ERROR, "KAKSOISKIRJAUS", "Tukibudjetti", f"A{budget.append(budget.record(2))}")
    expect(ERROR, "TUNTEMATON_KUNTA", "Tukibudjetti", budget.set("Kunta", 4, "Jyväskylä"))

    municipalities = Sheet(book["Kunnat"])
    expect(ERROR, "MUOTO", "Kunnat", municipalities.set("Kuntanumero", 2, "17"))
    expect(ERROR, "SALLITUT", "Kunnat", municipalities.set("Valmennuksen tuottaja", 3, "Joku muu"))

    costs = Sheet(book["Palvelukustannukset"])
    expect(ERROR, "TUNTEMATON_KUSTANNUSKOHDE", "Palvelukustannukset", costs.set("Kustannuskohde", 2, "Siivous"))
    expect(ERROR, "ARVOALUE", "Palvelukustannukset", costs.set("Kustannus €", 3, -1))
    expect(ERROR, "TYYPPI", "Palvelukustannukset", costs.set("Kuukausi", 4, "13/2026"))

    indicators = Sheet(book["Mittarit"])
    expect(ERROR, "SALLITUT", "Mittarit", indicators.set("Taso", indicators.rows(Tunnus="M37")[0], "XX"))
    expect(ERROR, "TYYPPI", "Mittarit", indicators.set("Kuntakohtainen", indicators.rows(Tunnus="M36")[0], "Ehkä"))

    book.save(path)
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
    assert HETU_OLD not in text and HETU_2023 not in text
    assert sum(f.rule == "HETU" for f in result.findings) == 3


def test_rows_with_errors_are_left_out_and_warnings_kept(faulty):
    result, _, notes = faulty
    rows = set(result.tables.entries[ROW])
    assert notes["error_row"] not in rows
    assert notes["warning_row"] in rows


def test_payments_with_money_errors_are_left_out_of_the_clean_tables(faulty):
    """A money rule's error drops its row like any other error, and what is left passes the budget engine."""
    result, _, notes = faulty
    rows = set(result.tables.payments[ROW])
    assert not rows & set(notes["money_error_payments"])
    assert notes["serial_payment"] in rows
    again = compute_budget(result.tables).alerts
    assert not (again["severity"] == ERROR).any()
    warnings = {(f.rule, f.address, f.message) for f in result.findings if f.rule in ALERT_KINDS and f.severity == WARNING}
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


@pytest.fixture(scope="module")
def master_sheets(master_path):
    return CalamineSource(master_path).read_all()[0]


def with_rows(sheets, **rows):
    sheets = copy.deepcopy(sheets)
    for sheet, extra in rows.items():
        sheets[sheet].extend(extra)
    return sheets


MUNICIPALITIES = ["Joutsa", "Jämsä", "Keuruu", "Luhanka", "Multia", "Mänttä-Vilppula", "Petäjävesi", "Toivakka"]


def entry(indicator, municipality, value=None, numerator=None, denominator=None, month="3/2026"):
    return [indicator, month, municipality, value, numerator, denominator, None, None]


def rules_at(result):
    return {(f.rule, f.address) for f in result.findings}


@pytest.mark.parametrize(
    "municipal_values, area_value, reported",
    [
        ([100] * 8, 800, False),
        ([100] * 8, 800.4, False),  # rounding
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
    assert rules_at(result) == {("PAKOLLINEN", "Toteumat!D2"), ("PAKOLLINEN", "Toteumat!D4")}


def test_empty_cells_in_every_form_and_short_rows(master_sheets):
    """Adapters give an empty cell as None, "", spaces or a missing-value marker, and may end a row early:
    all of it reads as empty."""
    rows = [
        ["M06", "3/2026", "Jämsä", 10.0],  # the row ends after the value
        ["", "  ", None, "\u00a0", float("nan"), pd.NA, pd.NaT, ""],  # empty in every form: not a row at all
        entry("M06", "Keuruu", "   "),  # a value of spaces is a missing value
    ]
    result = validate_sheets(with_rows(master_sheets, Toteumat=rows))
    assert rules_at(result) == {("PAKOLLINEN", "Toteumat!D4")}
    entries = result.tables.entries
    assert entries[ROW].tolist() == [2] and entries.loc[0, "value"] == 10.0 and entries.loc[0, "comment"] is None


def test_dropdown_values_match_in_any_case(master_sheets):
    rows = [entry("m01", "koko alue", 1), entry("M06", "jämsä", 10)]
    result = validate_sheets(with_rows(master_sheets, Toteumat=rows))
    assert result.findings == []
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
    assert compute_budget(result.tables).summary["committed_cents"].tolist() == [7423452]


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
    assert rules_at(result) == {("ARVOALUE", "Sidonnat!G3"), ("EI_BUDJETTIA", "Sidonnat!C2")}


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

    from tyollisyys_xl.core.validation import _unit_violation

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
    assert grid[(2, 1)].startswith(f"{errors} virhe")
    assert spec.freeze == f"A{header_row + 1}"


def test_tarkistus_sheet_without_findings():
    spec = tarkistus_sheet([])
    assert spec.name == "Tarkistus"
    assert spec.values_grid()[(2, 1)] == "Ei virheitä eikä varoituksia."
    assert spec.hyperlinks == []


CELL_VALUES = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-10**6, 10**6),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)),
    st.sampled_from(["#DIV/0!", "#N/A", "3/2026", "M06", "Koko alue", "Jämsä", "Palkkatuki", "SID-1", "1 468,5", "Kyllä"]),
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(CELL_VALUES, min_size=0, max_size=10), min_size=1, max_size=6), st.sampled_from(
    ["Mittarit", "Toteumat", "Kunnat", "Tukilajit", "Tukibudjetti", "Sidonnat", "Maksatukset", "Palvelukustannukset"]))
def test_any_cell_values_give_findings_never_an_exception(master_sheets, rows, sheet):
    result = validate_sheets(with_rows(master_sheets, **{sheet: rows}))
    assert all(f.severity in (ERROR, WARNING) and f.message for f in result.findings)


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
@given(st.lists(st.tuples(st.sampled_from(["M06", "m06", "M09"]), st.sampled_from(["3/2026", "maaliskuu 2026", "4/2026"]),
                          st.sampled_from(["Jämsä", "JÄMSÄ", "Keuruu", None])), min_size=1, max_size=12))
def test_a_repeated_key_is_flagged_at_every_later_row_and_names_the_first(master_sheets, keys):
    """Keys are equal in any letter case and in any month spelling; a row with a missing key part repeats nothing."""
    result = validate_sheets(with_rows(master_sheets, Toteumat=[entry(i, m, 1, month=month) for i, month, m in keys]))
    first_row, expected = {}, {}
    for row, (indicator, month, municipality) in enumerate(keys, start=2):
        if municipality is None:
            continue
        key = (indicator.casefold(), 4 if month == "4/2026" else 3, municipality.casefold())
        if key in first_row:
            expected[f"Toteumat!A{row}"] = first_row[key]
        first_row.setdefault(key, row)
    found = {f.address: f.message for f in result.findings if f.rule == "KAKSOISKIRJAUS"}
    assert set(found) == set(expected)
    assert all(f"rivillä {expected[address]} " in message for address, message in found.items())
