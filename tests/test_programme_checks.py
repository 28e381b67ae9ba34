"""Checks that read the workbook the way the programme means it: the guarded programme (in Mittarit,
in the sheet protection and through `build --from`), typed figures against the ledger, running totals,
completeness, the reference year, and indicator codes read from dropdown labels."""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest

from tests.table_factory import entry, make_tables, programme_rows
from tyollisyys_xl.core.attainment import compute_attainment
from tyollisyys_xl.core.findings import ERROR, WARNING
from tyollisyys_xl.core.programme_checks import missing_entries, programme_checks, rising_runs
from tyollisyys_xl.master.builder import build_master
from tyollisyys_xl.master.reading import open_workbook, read_input_tables
from tyollisyys_xl.master.upgrade import upgrade_master
from tyollisyys_xl.pipeline import load
from tyollisyys_xl.programme import AREA_TOTAL, programme
from tyollisyys_xl.resources import source_root
from tyollisyys_xl.schemas import table_schemas

TOWNS = [m["name"] for m in programme().municipalities]
MITTARIT = table_schemas()["mittarit"]


def findings(rule, **rows):
    return [f for f in programme_checks(make_tables(**rows)).findings if f.rule == rule]


# --- the approved programme -----------------------------------------------------------------------------

def test_an_edited_target_is_an_error_naming_the_cell_the_approved_and_the_typed_value():
    checked = programme_checks(make_tables(indicators=programme_rows(M03={"target": 20})))
    (finding,) = checked.findings
    # M03 is the third indicator: Excel row 4; Tavoite is column O as the builder lays out Mittarit
    assert (finding.severity, finding.rule, finding.sheet, finding.cell) == (ERROR, "OHJELMA_MUUTETTU", "Mittarit", "O4")
    assert "hyväksytyssä ohjelmassa 200, työkirjassa 20" in finding.message
    assert "build --from" in finding.message
    assert checked.error_rows["mittarit"] == {4}


def test_the_editable_columns_are_not_compared():
    edited = programme_rows(M03={"data_source": "Oma laskenta", "monthly_profile": "1;1;1;1;1;1;0;1;1;1;1;1",
                                 "entry_instruction": "Kuukauden esittelyt.", "note": "Huom."})
    assert programme_checks(make_tables(indicators=edited)).findings == []


@pytest.mark.parametrize(("changes", "header"), [
    ({"kind": "kasvu"}, "Laji"), ({"level": "KV"}, "Taso"), ({"baseline_date": "2025"}, "Lähtöarvon ajankohta"),
    ({"judging": None}, "Arviointi"), ({"per_municipality": False}, "Kuntakohtainen"), ({"baseline": 4400}, "Lähtöarvo"),
])
def test_kinds_levels_dates_and_the_judging_are_guarded(changes, header):
    (finding,) = programme_checks(make_tables(indicators=programme_rows(M06=changes))).findings
    assert (finding.rule, finding.column) == ("OHJELMA_MUUTETTU", header)


def test_an_indicator_added_or_removed_is_an_error():
    rows = programme_rows()
    extra = {**rows[0], "id": "M38"}
    found = programme_checks(make_tables(indicators=[*rows[1:], extra])).findings
    assert {f.rule for f in found} == {"OHJELMA_MITTARIT"}
    assert any("M38" in f.message for f in found) and any("M01 puuttuu" in f.message for f in found)


def test_the_edited_target_in_a_real_workbook(tmp_path, master_path):
    path = tmp_path / "muokattu.xlsm"
    book = openpyxl.load_workbook(master_path, keep_vba=True)
    sheet = book["Mittarit"]
    target = next(c.column_letter for c in sheet[1] if c.value == "Tavoite")
    row = next(r for r in range(2, sheet.max_row + 1) if sheet[f"A{r}"].value == "M03")
    sheet[f"{target}{row}"] = 20
    book.save(path)
    result = load(path)
    (finding,) = [f for f in result.findings if f.rule == "OHJELMA_MUUTETTU"]
    assert finding.address == f"Mittarit!{target}{row}"
    assert "M03" not in set(result.tables.indicators["id"])  # the row is left out, never judged on 20
    assert "M03" not in set(compute_attainment(result.tables).indicators["id"])


def test_mittarit_is_protected_without_a_password_and_the_editable_columns_stay_open(master_path):
    book = openpyxl.load_workbook(master_path)
    sheet = book["Mittarit"]
    assert sheet.protection.sheet and not sheet.protection.password
    assert not sheet.protection.formatCells  # formatting allowed: the tool's highlights still reach locked cells
    headers = {c.value: c.column_letter for c in sheet[1]}
    for column in MITTARIT.columns:
        letter = headers[column.header]
        assert sheet.column_dimensions[letter].protection.locked == column.approved, column.header  # rows to come
        if sheet[f"{letter}5"].value is not None:
            assert sheet[f"{letter}5"].protection.locked == column.approved, column.header
    assert {c.key for c in MITTARIT.columns if not c.approved} >= {"data_source", "monthly_profile", "entry_instruction"}
    assert not book["Toteumat"].protection.sheet


def test_a_real_change_is_made_in_the_yaml_and_build_from(tmp_path):
    sources = tmp_path / "sources"
    for part in ("schema", "programme", "workbook/vba", "excel/lite"):
        shutil.copytree(source_root() / part, sources / part)
    old = build_master(tmp_path / "vanha.xlsm", sources, rows={"toteumat": [
        {"indicator_id": "M03", "month": dt.datetime(2026, 2, 1), "municipality": AREA_TOTAL, "value": 12}]})
    book = openpyxl.load_workbook(old, keep_vba=True)
    sheet = book["Mittarit"]
    source_column = next(c.column_letter for c in sheet[1] if c.value == "Tietolähde")
    sheet[f"{source_column}4"] = "Oma laskenta"  # a coordinator's legitimate edit of M03's data source
    book.save(old)
    yaml_path = sources / "programme" / "ohjelma2026.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    approved = "  target_text: '200'\n  target: 200\n  target_date: null\n  unit: kpl\n"
    assert text.count(approved) == 1
    yaml_path.write_text(text.replace(approved, approved.replace("target: 200", "target: 250")), encoding="utf-8")

    report = upgrade_master(old, tmp_path / "uusi.xlsm", sources)
    assert report.programme_changes == ["M03 Tavoite: 200.0 → 250.0"]
    rows = {r["id"]: r for r in read_input_tables(open_workbook(tmp_path / "uusi.xlsm"), table_schemas())["mittarit"].rows}
    assert (rows["M03"]["target"], rows["M03"]["data_source"]) == (250, "Oma laskenta")


# --- typed figures against the ledger ------------------------------------------------------------------

YOUTH = "Nuoret töihin -rekrytointituki"


def commitment(number, municipality, start):
    return {"commitment_id": f"SID-{number}", "decision_date": start - dt.timedelta(days=20),
            "municipality": municipality, "subsidy_type": YOUTH, "period_start": start,
            "period_end": start + dt.timedelta(days=150), "amount_eur": 6000, "business_id": "1234567-1"}


def test_typed_periods_that_differ_from_sidonnat_are_a_warning_naming_both_numbers():
    ledger = [commitment(1, "Jämsä", dt.date(2026, 3, 2)), commitment(2, "Jämsä", dt.date(2026, 3, 16))]
    typed = [entry("M37", 3, 3, "Jämsä", _row=7), entry("M37", 3, 0, "Keuruu", _row=8), entry("M37", 4, 0, "Jämsä", _row=9)]
    (finding,) = findings("SIDONNAT_ERI_LUKU", entries=typed, commitments=ledger)
    assert (finding.severity, finding.cell) == (WARNING, "D7")
    assert finding.message == ("Mittari M37, 3/2026, Jämsä: kirjattu 3, Sidonnoissa 2 kuukauden aikana alkanutta jaksoa "
                               f"(tukilaji {YOUTH}).")


def test_a_koko_alue_figure_is_compared_with_the_whole_ledger():
    ledger = [commitment(1, "Jämsä", dt.date(2026, 3, 2)), commitment(2, "Keuruu", dt.date(2026, 3, 16))]
    assert findings("SIDONNAT_ERI_LUKU", entries=[entry("M37", 3, 2)], commitments=ledger) == []
    (finding,) = findings("SIDONNAT_ERI_LUKU", entries=[entry("M37", 3, 3)], commitments=ledger)
    assert "kirjattu 3, Sidonnoissa 2" in finding.message


# --- running totals ------------------------------------------------------------------------------------

def test_a_year_to_date_figure_typed_each_month_is_flagged_naming_its_cells():
    typed = [entry("M02", m, v, _row=m + 1) for m, v in enumerate((80, 165, 250, 330, 410), start=1)]
    (finding,) = findings("JUOKSEVA_SUMMA", entries=typed)
    assert (finding.severity, finding.cell) == (WARNING, "D6")
    assert "1/2026–5/2026" in finding.message and "solut D2, D3, D4, D5, D6" in finding.message
    assert "80, 165, 250, 330, 410" in finding.message


@pytest.mark.parametrize(("series", "runs"), [
    ([80, 165, 250, 330], [(0, 3)]),  # a total from January: four months, rising, four-fold
    ([80, 165, 250], []),  # three months are not yet a pattern
    ([80, 85, 90, 95, 99], []),  # a genuine rise: not doubling
    ([80, 160, 160, 240, 320], []),  # a month that did not rise breaks the run (only 3 months after it)
    ([14, 16, 15, 12, 6, 12, 14, 16], []),  # an autumn rise after the summer dip: genuine monthly counts
    ([12, 14, 13, 15, 16, 86, 102, 118, 130], [(5, 8)]),  # from June the year's total: June alone >= the five before
    ([0, 1, 2, 3], []),  # too small to tell
    ([0, 1, 2, 5], []),  # a January of 0 is no evidence: three rising months after it are not yet a pattern
    ([0, 30, 70, 120, 170], [(0, 4)]),  # ... four are, and 30 -> 170 more than doubles: a total from January
    ([0, 30, 40, 50, 59], []),  # ... unless they do not double after the 0
])
def test_rising_runs(series, runs):
    assert rising_runs(list(range(1, len(series) + 1)), series) == runs


def test_a_gap_of_a_month_ends_a_run():
    assert rising_runs([1, 2, 4, 5], [80, 165, 250, 330]) == []


def test_point_in_time_and_rate_indicators_are_not_checked_for_running_totals():
    rising = [4100, 4200, 4300, 8700]
    assert findings("JUOKSEVA_SUMMA", entries=[entry("M06", m, v) for m, v in enumerate(rising, start=1)]) == []


# --- completeness --------------------------------------------------------------------------------------

def test_a_municipality_missing_what_the_others_entered_is_listed():
    typed = [entry("M22", 6, numerator=7, denominator=10, municipality=t) for t in TOWNS if t != "Luhanka"]
    typed += [entry("M29", 6, numerator=3, denominator=10, municipality=t) for t in TOWNS if t not in ("Luhanka", "Multia")]
    typed += [entry("M22", 5, numerator=7, denominator=10, municipality=t) for t in TOWNS]
    found = findings("KIRJAUS_PUUTTUU", entries=typed)
    assert [f.message for f in found] == [
        "Luhanka: M22, M29 puuttuu 6/2026 (muut kunnat ovat kirjanneet kuukauden).",
        "Multia: M29 puuttuu 6/2026 (muut kunnat ovat kirjanneet kuukauden).",
    ]
    assert all((f.severity, f.sheet, f.cell) == (WARNING, "Toteumat", None) for f in found)


def test_missing_entries_ignore_months_nobody_entered_and_whole_area_rows():
    typed = make_tables(entries=[entry("M22", 6, 70, "Joutsa"), entry("M02", 6, 80)]).entries.assign(effective=1.0)
    missing = missing_entries(typed, ["M22"], ["Joutsa", "Luhanka"])
    assert missing == {("Luhanka", 6): ["M22"]}


# --- the reference year --------------------------------------------------------------------------------

def test_a_cumulative_indicator_in_the_reference_year_is_an_error():
    rows = [{"indicator_id": "M02", "month": -3, "municipality": AREA_TOTAL, "value": 80},
            {"indicator_id": "M06", "month": -3, "municipality": AREA_TOTAL, "value": 4200}]
    (finding,) = findings("VERTAILU_KERTYMA", reference_entries=rows)
    assert (finding.severity, finding.sheet, finding.cell) == (ERROR, "Vertailuvuosi", "A2")


# --- indicators chosen from the dropdown ---------------------------------------------------------------

def test_a_dropdown_label_and_a_bare_code_read_the_same(tmp_path):
    label = "M06 – Laajan työttömyyden määrä (henkilöä)"
    rows = [{"indicator_id": label, "month": dt.datetime(2026, 1, 1), "municipality": "Jämsä", "value": 1500},
            {"indicator_id": "M06", "month": dt.datetime(2026, 2, 1), "municipality": "Jämsä", "value": 1480},
            {"indicator_id": "m06 - vanha nimi", "month": dt.datetime(2026, 3, 1), "municipality": "Jämsä", "value": 1470}]
    reference = [{"indicator_id": label, "month": dt.datetime(2025, 1, 1), "municipality": "Jämsä", "value": 1400}]
    path = build_master(tmp_path / "labels.xlsm", rows={"toteumat": rows, "vertailuvuosi": reference})
    result = load(path)
    assert [f for f in result.findings if f.severity == ERROR] == []
    assert list(result.tables.entries["indicator_id"]) == ["M06", "M06", "M06"]
    assert list(result.tables.reference_entries["month"]) == [-11]  # 1/2025 in core.months numbering
