"""Entry forms per municipality (`forms`) and collecting them (`collect`), with real files: forms made from the
demo master, filled in as a municipality would (openpyxl stands in for Excel), and collected into a new master."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from workbook_edit import input_rows, rebuilt

from tyollisyys_xl.cli import main
from tyollisyys_xl.core.forms import FORM_FORMAT
from tyollisyys_xl.core.parsing import fi_number
from tyollisyys_xl.master.forms import MARKS_SHEET
from tyollisyys_xl.master.upgrade import _same

NAMES = ["Joutsa", "Jämsä", "Keuruu", "Luhanka", "Multia", "Mänttä-Vilppula", "Petäjävesi", "Toivakka"]
PER_MUNICIPALITY = ["M06", "M12", "M22", "M29", "M33", "M34"]  # M30, M37: counted from Sidonnat
SELF_PRODUCING = {"Joutsa", "Keuruu", "Mänttä-Vilppula"}  # coaching or integration training of their own
FIRST_MONTH = 6  # column F holds 1/2026 on the Toteumat grid


@pytest.fixture(scope="module")
def made(tmp_path_factory, demo_path):
    """The forms of the demo's October round (months 1–10)."""
    folder = tmp_path_factory.mktemp("lomakkeet")
    assert main(["forms", str(demo_path), "--out", str(folder), "--month", "2026-10"]) == 0
    return folder


def grid_rows(sheet) -> dict[tuple[str, str], int]:
    """(indicator id, what is entered) -> the row of the Toteumat grid."""
    return {(row[0].value, row[2].value): row[0].row for row in sheet.iter_rows(min_row=6) if row[0].value}


def edit_form(source: Path, out: Path, changes: dict[tuple[str, str, int], object]) -> Path:
    """A copy of a form with cells changed: (indicator id, what is entered, month) -> value."""
    book = openpyxl.load_workbook(source)
    sheet = book["Toteumat"]
    rows = grid_rows(sheet)
    for (indicator, entered, number), value in changes.items():
        sheet.cell(rows[(indicator, entered)], FIRST_MONTH + number - 1).value = value
    book.save(out)
    return out


def collect(capsys, master, *forms, out) -> tuple[int, str, str]:
    code = main(["collect", str(master), *map(str, forms), "--out", str(out)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def entry(rows, indicator, number, town):
    return next(r for r in rows["toteumat"]
                if r["indicator_id"] == indicator and r["month"].month == number and r["municipality"] == town)


# --- making the forms ----------------------------------------------------------------------------------


def test_one_macro_free_form_per_municipality_named_after_it(made):
    assert sorted(p.name for p in made.iterdir()) == sorted(f"{name}.xlsx" for name in NAMES)
    for path in made.iterdir():
        with zipfile.ZipFile(path) as archive:
            assert not any("vbaProject" in name for name in archive.namelist())
            assert "macroEnabled" not in archive.read("[Content_Types].xml").decode()


def test_grid_of_the_municipalitys_indicators_prefilled_from_the_master(made, demo_path):
    rows = input_rows(demo_path)
    sheet = openpyxl.load_workbook(made / "Keuruu.xlsx")["Toteumat"]
    assert [c.value for c in sheet[5]] == ["Tunnus", "Mittari", "Kirjataan", "Yksikkö", "Ohje",
                                           *(f"{m}/2026" for m in range(1, 11))]
    grid = grid_rows(sheet)
    assert sorted({indicator for indicator, _ in grid}) == PER_MUNICIPALITY
    assert ("M22", "osoittaja") in grid and ("M22", "nimittäjä") in grid and ("M22", "arvo") not in grid
    assert ("M06", "arvo") in grid
    assert "osoittajaksi" in sheet.cell(grid[("M22", "osoittaja")], 5).value  # the note of Mittarit says what it is
    for number in (1, 10):
        m06 = entry(rows, "M06", number, "Keuruu")
        assert sheet.cell(grid[("M06", "arvo")], FIRST_MONTH + number - 1).value == m06["value"]
        m22 = entry(rows, "M22", number, "Keuruu")
        assert sheet.cell(grid[("M22", "nimittäjä")], FIRST_MONTH + number - 1).value == m22["denominator"]


def test_only_fill_cells_are_unlocked_and_they_carry_the_masters_checks(made, master_path):
    book = openpyxl.load_workbook(made / "Jämsä.xlsx")
    sheet = book["Toteumat"]
    assert sheet.protection.sheet
    grid = grid_rows(sheet)
    for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=FIRST_MONTH + 9):
        for cell in row:
            fill = cell.row in grid.values() and cell.column >= FIRST_MONTH
            assert cell.protection.locked is not fill, cell.coordinate
    checks = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    master = {str(dv.sqref).split(":")[0][:-1]: dv for dv in openpyxl.load_workbook(master_path)["Toteumat"]
              .data_validations.dataValidation}  # column letter -> the master's check
    for (indicator, entered), r, letter in [(k, v, {"arvo": "D", "osoittaja": "E", "nimittäjä": "F"}[k[1]])
                                            for k, v in grid.items()]:
        check = checks[f"F{r}"]
        assert (check.type, check.operator, check.formula1) == (master[letter].type, master[letter].operator,
                                                                 master[letter].formula1), (indicator, entered)
        assert str(check.sqref) == f"F{r}:O{r}"


def test_service_costs_only_where_the_municipality_produces_services_itself(made, demo_path):
    rows = input_rows(demo_path)
    for name in NAMES:
        book = openpyxl.load_workbook(made / f"{name}.xlsx")
        assert ("Palvelukustannukset" in book.sheetnames) == (name in SELF_PRODUCING), name
    sheet = openpyxl.load_workbook(made / "Keuruu.xlsx")["Palvelukustannukset"]
    first = next(r for r in rows["palvelukustannukset"] if r["municipality"] == "Keuruu" and r["month"].month == 1)
    row = next(r for r in sheet.iter_rows(min_row=6) if r[0].value == first["cost_object"])
    assert row[2].value == first["amount_eur"] and row[2].number_format == '#,##0.00 "€"'


def test_hidden_marks_name_the_municipality_programme_version_and_master_state(made):
    book = openpyxl.load_workbook(made / "Keuruu.xlsx")
    marks = book[MARKS_SHEET]
    assert marks.sheet_state == "veryHidden"
    head = {row[0].value: row[1].value for row in marks.iter_rows(max_row=6)}
    assert head["Lomake"] == FORM_FORMAT and head["Kunta"] == "Keuruu" and head["Kuntanumero"] == "249"
    assert len(head["Ohjelman versio"]) == 16 and len(head["Päätyökirjan tila"]) == 16
    states = {openpyxl.load_workbook(made / f"{n}.xlsx")[MARKS_SHEET]["B5"].value for n in NAMES}
    assert len(states) == len(NAMES)  # each form's own prefilled values


def test_forms_never_overwrite_files_that_may_hold_answers(made, demo_path, capsys):
    before = (made / "Jämsä.xlsx").read_bytes()
    assert main(["forms", str(demo_path), "--out", str(made)]) == 1
    assert "samannimisiä" in capsys.readouterr().err
    assert (made / "Jämsä.xlsx").read_bytes() == before


# --- collecting them -------------------------------------------------------------------------------------


def test_collect_without_edits_gives_the_same_rows_and_diff_says_so(made, demo_path, tmp_path, capsys):
    master_bytes = demo_path.read_bytes()
    code, out, err = collect(capsys, demo_path, *sorted(made.iterdir()), out=tmp_path / "uusi.xlsm")
    assert code == 0, err
    assert out.count("Ei muutoksia.") == len(NAMES)
    old, new = input_rows(demo_path), input_rows(tmp_path / "uusi.xlsm")
    assert old.keys() == new.keys()
    for name in old:
        assert len(old[name]) == len(new[name]), name
        for a, b in zip(old[name], new[name]):
            assert all(_same(a[k], b[k]) for k in a), (name, a, b)
    assert main(["diff", str(demo_path), str(tmp_path / "uusi.xlsm")]) == 0
    assert capsys.readouterr().out == ""
    assert demo_path.read_bytes() == master_bytes  # the master is only read


def test_one_edited_cell_changes_exactly_that_row(made, demo_path, tmp_path, capsys):
    rows = input_rows(demo_path)
    before = entry(rows, "M34", 3, "Keuruu")["value"]
    form = edit_form(made / "Keuruu.xlsx", tmp_path / "Keuruu.xlsx", {("M34", "arvo", 3): before + 4})
    code, out, err = collect(capsys, demo_path, form, out=tmp_path / "uusi.xlsm")
    assert code == 0, err
    changed = [line for line in out.splitlines() if line.startswith(("muutettu", "lisätty", "poistettu"))]
    assert changed == [f"muutettu  M34 · 3/2026 · Keuruu (rivi {changed[0].split('rivi ')[1].split(')')[0]}): "
                       f"Arvo: {before:g} → {before + 4:g}"]
    assert main(["diff", str(demo_path), str(tmp_path / "uusi.xlsm")]) == 1
    shown = [line for line in capsys.readouterr().out.splitlines() if line.startswith("muutettu")]
    assert shown == changed
    assert entry(input_rows(tmp_path / "uusi.xlsm"), "M34", 3, "Keuruu")["value"] == before + 4


def test_a_new_month_adds_a_row_and_a_cleared_cell_removes_it(made, demo_path, tmp_path, capsys):
    form = edit_form(made / "Jämsä.xlsx", tmp_path / "Jämsä.xlsx", {("M06", "arvo", 10): None})
    code, out, err = collect(capsys, demo_path, form, out=tmp_path / "uusi.xlsm")
    assert code == 0, err
    assert "poistettu M06 · 10/2026 · Jämsä" in out
    new = input_rows(tmp_path / "uusi.xlsm")
    assert len(new["toteumat"]) == len(input_rows(demo_path)["toteumat"]) - 1

    later = tmp_path / "marraskuu"
    assert main(["forms", str(demo_path), "--out", str(later), "--month", "11"]) == 0
    capsys.readouterr()
    form = edit_form(later / "Jämsä.xlsx", tmp_path / "Jämsä-11.xlsx", {("M06", "arvo", 11): 1500})
    code, out, err = collect(capsys, demo_path, f"Jämsä={form}", out=tmp_path / "uusi-11.xlsm")
    assert code == 0, err
    assert "lisätty   M06 · 11/2026 · Jämsä" in out
    assert entry(input_rows(tmp_path / "uusi-11.xlsm"), "M06", 11, "Jämsä")["value"] == 1500


def test_keuruus_form_under_jamsas_name_is_refused(made, demo_path, tmp_path, capsys):
    disguised = shutil.copy(made / "Keuruu.xlsx", tmp_path / "Jämsä.xlsx")
    code, _, err = collect(capsys, demo_path, disguised, out=tmp_path / "uusi.xlsm")
    assert code == 1
    assert "Jämsä.xlsx on kunnan Keuruu lomake, mutta se annettiin kunnan Jämsä nimellä" in err
    assert not (tmp_path / "uusi.xlsm").exists()
    code, _, err = collect(capsys, demo_path, f"Jämsä={made / 'Keuruu.xlsx'}", out=tmp_path / "uusi.xlsm")
    assert code == 1 and "annettiin kunnan Jämsä nimellä" in err
    code, _, err = collect(capsys, demo_path, made / "Keuruu.xlsx", disguised, out=tmp_path / "uusi.xlsm")
    assert code == 1 and "molemmat kunnan Keuruu lomakkeita" in err


def test_a_conflicting_edit_is_refused_with_both_values_named(made, demo_path, tmp_path, capsys):
    original = entry(input_rows(demo_path), "M06", 2, "Jämsä")["value"]

    def coordinator(rows):  # the master changes after the forms went out: one cell the form also changes,
        entry(rows, "M06", 2, "Jämsä")["value"] = 1700.0
        entry(rows, "M06", 3, "Keuruu")["value"] = 900.0  # and one it does not

    changed = rebuilt(demo_path, tmp_path / "muutettu.xlsm", coordinator)
    form = edit_form(made / "Jämsä.xlsx", tmp_path / "Jämsä.xlsx", {("M06", "arvo", 2): 1650})
    code, _, err = collect(capsys, changed, form, out=tmp_path / "uusi.xlsm")
    assert code == 1 and not (tmp_path / "uusi.xlsm").exists()
    assert (f"Jämsä, M06 Laajan työttömyyden määrä, arvo 2/2026: päätyökirjassa nyt {fi_number(1700)}, "
            f"lomakkeessa {fi_number(1650)} "
            f"(lomaketta tehtäessä {fi_number(original)})") in err
    # Keuruu's form (made before the change) does not touch that cell: its own edit merges, the master's stays
    keuruu = edit_form(made / "Keuruu.xlsx", tmp_path / "Keuruu.xlsx", {("M06", "arvo", 4): 950})
    code, _, err = collect(capsys, changed, keuruu, out=tmp_path / "uusi.xlsm")
    assert code == 0, err
    new = input_rows(tmp_path / "uusi.xlsm")
    assert entry(new, "M06", 3, "Keuruu")["value"] == 900 and entry(new, "M06", 4, "Keuruu")["value"] == 950


def test_a_form_of_another_programme_version_is_refused(made, demo_path, tmp_path, capsys):
    def rename(rows):
        next(r for r in rows["mittarit"] if r["id"] == "M34")["unit"] = "henkilöä"

    # A master whose Mittarit was changed outside the approved programme makes forms of that other version;
    # the current master (its programme restored from the sources on every write) refuses them.
    other = rebuilt(demo_path, tmp_path / "toinen-ohjelma.xlsm", rename)
    assert main(["forms", str(other), "--out", str(tmp_path / "toiset"), "--month", "2026-10"]) == 0
    code, _, err = collect(capsys, demo_path, tmp_path / "toiset" / "Jämsä.xlsx", out=tmp_path / "uusi.xlsm")
    assert code == 1 and "ohjelman toiselle versiolle" in err and not (tmp_path / "uusi.xlsm").exists()

    def owner(rows):  # an owner typed into Mittarit is not a new programme
        rows["mittarit"][0]["owner"] = "Uusi vastuuhenkilö"

    same_programme = rebuilt(demo_path, tmp_path / "omistaja.xlsm", owner)
    assert collect(capsys, same_programme, made / "Jämsä.xlsx", out=tmp_path / "uusi.xlsm")[0] == 0


def test_values_that_break_the_rules_are_refused_at_their_cell(made, demo_path, tmp_path, capsys):
    form = edit_form(made / "Multia.xlsx", tmp_path / "Multia.xlsx",
                     {("M34", "arvo", 2): "paljon", ("M06", "arvo", 2): 12.5})
    code, _, err = collect(capsys, demo_path, form, out=tmp_path / "uusi.xlsm")
    assert code == 1
    assert "Multia.xlsx, solu Toteumat!G" in err and "”paljon” ei ole luku" in err
    form = edit_form(made / "Multia.xlsx", tmp_path / "Multia.xlsx", {("M06", "arvo", 2): 12.5})
    code, _, err = collect(capsys, demo_path, form, out=tmp_path / "uusi.xlsm")
    assert code == 1 and "Multia.xlsx, Toteumat!G6: Yksikkö on ”henkilöä”: arvon pitää olla kokonaisluku" in err


def test_changed_marks_and_foreign_files_are_refused(made, demo_path, tmp_path, capsys):
    book = openpyxl.load_workbook(made / "Luhanka.xlsx")
    marks = book[MARKS_SHEET]
    marks.cell(marks.max_row, 6).value = 123456  # someone edited a prefilled value in the hidden sheet
    book.save(tmp_path / "Luhanka.xlsx")
    code, _, err = collect(capsys, demo_path, tmp_path / "Luhanka.xlsx", out=tmp_path / "uusi.xlsm")
    assert code == 1 and "piilotettuja merkintöjä on muutettu" in err
    code, _, err = collect(capsys, demo_path, demo_path, out=tmp_path / "uusi.xlsm")
    assert code == 1 and "ei ole tällä työkalulla tehty kuntalomake" in err


def test_the_master_is_never_modified_in_place(made, demo_path, tmp_path, capsys):
    master = shutil.copy(demo_path, tmp_path / "paa.xlsm")
    before = Path(master).read_bytes()
    code, _, err = collect(capsys, master, made / "Jämsä.xlsx", out=master)
    assert code == 1 and "ei muuteta paikallaan" in err
    assert Path(master).read_bytes() == before
