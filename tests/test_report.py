"""`tyollisyys-xl report`: the generated sheets in a new file, the master never touched."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from libreoffice import needs_soffice, recalculated_copy

from tyollisyys_xl.cli import COMMANDS, main
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.io.generated import ERROR_FILL, HIGHLIGHT_SHEET
from tyollisyys_xl.io.openpyxl_target import OpenpyxlTarget
from tyollisyys_xl.jobs import STATUS_ERRORS, STATUS_JOB, STATUS_RESULT, STATUS_TIME
from tyollisyys_xl.schemas import table_schemas

INPUT_SHEETS = [schema.sheet for schema in table_schemas().values()]
USER_SHEET = "Omat laskelmat"


@pytest.fixture(scope="module")
def user_master(demo_path, tmp_path_factory) -> Path:
    """The demo as a coordinator left it: one bad value (Toteumat!D5) and a sheet of their own."""
    path = tmp_path_factory.mktemp("user_master") / "kaytossa.xlsm"
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    book["Toteumat"]["D5"] = "paljon"
    own = book.create_sheet(USER_SHEET)
    own.append(["Oma laskelma", "=Toteumat!D3*2", "=ei kaava"])
    own["C1"].data_type = "s"
    book.save(path)
    return path


@pytest.fixture(scope="module")
def reports(user_master, tmp_path_factory) -> tuple[Path, Path]:
    """A report of the master, and a report of that report (the generated sheets rebuilt over themselves)."""
    folder = tmp_path_factory.mktemp("reports")
    first, second = folder / "raportti.xlsx", folder / "raportti2.xlsx"
    assert main(["report", str(user_master), "--out", str(first)]) == 0
    assert main(["report", str(first), "--out", str(second)]) == 0
    return first, second


def all_values(path: Path) -> dict[str, list[list]]:
    source = CalamineSource(path)
    return {name: source.sheet_values(name) for name in source.sheet_names()}


def generated(path: Path) -> list[str]:
    return OpenpyxlTarget(openpyxl.load_workbook(path)).generated_sheets()


def without_status(values: list[list], path: Path) -> list[list]:
    """Ohjaus with the run's time and wording blanked (they differ from run to run by design)."""
    book = openpyxl.load_workbook(path)
    rows = [list(row) for row in values]
    for name in (STATUS_TIME, STATUS_RESULT, STATUS_JOB):
        _, reference = next(iter(book.defined_names[name].destinations))
        row, col = openpyxl.utils.cell.coordinate_to_tuple(reference.replace("$", ""))
        if row <= len(rows) and col <= len(rows[row - 1]):
            rows[row - 1][col - 1] = None
    return rows


def test_report_holds_every_generated_sheet_and_the_inputs_as_they_were(user_master, reports):
    first, _ = reports
    master, report = all_values(user_master), all_values(first)
    names = generated(first)
    assert names[0] == "Tarkistus" and "Toteutuminen" in names and HIGHLIGHT_SHEET in names
    assert sum(name.startswith("Kuntakortti ") for name in names) == 8
    for sheet in [*INPUT_SHEETS, USER_SHEET, "Ohjelma"]:
        assert report[sheet] == master[sheet], sheet
    assert list(master) == [name for name in report if name not in names]  # no sheet lost or renamed
    assert str(master[USER_SHEET][0][2]) == "=ei kaava"


def test_a_second_run_changes_no_generated_sheet(reports):
    first, second = reports
    before, after = all_values(first), all_values(second)
    assert list(before) == list(after)  # same sheets, same order
    assert generated(first) == generated(second)
    for name in generated(first):
        assert after[name] == before[name], name
    assert without_status(after["Ohjaus"], second) == without_status(before["Ohjaus"], first)


def test_the_report_highlights_the_bad_cell_and_the_master_stays_plain(user_master, reports):
    first, _ = reports
    report = openpyxl.load_workbook(first)
    assert report["Toteumat"]["D5"].fill.fgColor.rgb.endswith(ERROR_FILL)
    assert ["Toteumat", "D5"] in [list(row)[:2] for row in report[HIGHLIGHT_SHEET].values]
    assert report[HIGHLIGHT_SHEET].sheet_state == "hidden"
    assert openpyxl.load_workbook(user_master)["Toteumat"]["D5"].fill.fill_type is None
    tarkistus = [list(row) for row in report["Tarkistus"].values]
    assert any(row[1:3] == ["Toteumat", '=HYPERLINK("#Toteumat!D5","D5")'] for row in tarkistus)
    sheet, reference = next(iter(report.defined_names[STATUS_ERRORS].destinations))
    assert report[sheet][reference.replace("$", "")].value >= 1


def test_the_report_is_a_plain_xlsx_without_the_vba_project(reports):
    first, _ = reports
    with zipfile.ZipFile(first) as archive:
        names = archive.namelist()
        content_types = archive.read("[Content_Types].xml").decode()
    assert not any("vbaProject" in name for name in names)
    assert "macroEnabled" not in content_types


def zip_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def command_args(command: str, master: Path, tmp: Path) -> list[list[str]]:
    """Every way each CLI command reads a workbook, pointed at the master."""
    return {
        "build": [["build", "--check", str(master)], ["build", "--from", str(master), str(tmp / "uusi.xlsm")]],
        "demo": [["demo", "--master", str(master), str(tmp / "demo.xlsm")]],
        "validate": [["validate", str(master)], ["validate", "--format", "json", str(master)]],
        "attainment": [["attainment", str(master)], ["attainment", "--format", "csv", str(master)]],
        "report": [["report", str(master), "--out", str(tmp / "raportti.xlsx")]],
        "export": [["export", str(master), "--out", str(tmp / "vienti")]],
        "diff": [["diff", str(master), str(master)], ["diff", "--textconv", str(master)]],
        "forms": [["forms", str(master), "--out", str(tmp / "lomakkeet")]],
        "collect": [["forms", str(master), "--out", str(tmp / "lomakkeet")],
                    ["collect", str(master), str(tmp / "lomakkeet" / "Jämsä.xlsx"), str(tmp / "lomakkeet" / "Keuruu.xlsx"),
                     "--out", str(tmp / "uusi.xlsm")],
                    ["collect", str(master), str(tmp / "lomakkeet" / "Jämsä.xlsx"), "--out", str(master)]],
    }[command]


@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_changes_the_master(command, demo_path, tmp_path, capsys):
    master = tmp_path / "Tyollisyysohjelma2026.xlsm"
    shutil.copy2(demo_path, master)  # as the builder made it: VBA project, buttons, dropdowns
    parts, stamp = zip_parts(master), os.stat(master).st_mtime_ns
    for argv in command_args(command, master, tmp_path):
        main(argv)
        capsys.readouterr()
        assert zip_parts(master) == parts, argv
        assert os.stat(master).st_mtime_ns == stamp, argv
    assert sorted(p.name for p in tmp_path.glob("~$*")) == []


def test_refuses_to_write_over_the_master(reports, tmp_path, capsys):
    master = tmp_path / "raportti.xlsx"
    shutil.copy2(reports[0], master)
    parts = zip_parts(master)
    assert main(["report", str(master), "--out", str(master)]) == 2
    assert "päätyökirjan päälle" in capsys.readouterr().err
    assert zip_parts(master) == parts


def test_refuses_while_excel_holds_the_target_open(user_master, tmp_path, capsys):
    out = tmp_path / "Raportti toukokuu.xlsx"
    out.write_bytes(b"vanha")
    (tmp_path / "~$Raportti toukokuu.xlsx").write_bytes(b"owner")
    assert main(["report", str(user_master), "--out", str(out)]) == 2
    assert "auki Excelissä" in capsys.readouterr().err
    assert out.read_bytes() == b"vanha"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".~")] == []  # no temporary left behind


@pytest.mark.parametrize(
    ("out_name", "message"),
    [("raportti.xlsm", "tiedostopäätteen on oltava .xlsx"), ("puuttuva/raportti.xlsx", "Kansiota")],
)
def test_refuses_a_target_it_cannot_write(user_master, tmp_path, capsys, out_name, message):
    assert main(["report", str(user_master), "--out", str(tmp_path / out_name)]) == 2
    assert message in capsys.readouterr().err


def test_a_failed_save_gets_a_finnish_message_and_leaves_no_temporary_file(user_master, tmp_path, capsys):
    (tmp_path / "raportti.xlsx").mkdir()  # the target name is taken by a folder: the final move fails
    assert main(["report", str(user_master), "--out", str(tmp_path / "raportti.xlsx")]) == 2
    assert "ei voi kirjoittaa" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["raportti.xlsx"]


def test_an_unreadable_workbook_gets_a_finnish_message_not_a_traceback(tmp_path, capsys):
    broken = tmp_path / "rikki.xlsm"
    broken.write_bytes(b"PK\x03\x04 ei oikea zip")
    assert main(["report", str(broken), "--out", str(tmp_path / "r.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "rikki.xlsm" in err and "Traceback" not in err
    assert not (tmp_path / "r.xlsx").exists()


@pytest.mark.libreoffice
@needs_soffice
def test_libreoffice_opens_the_report_and_computes_its_links(reports, tmp_path):
    values = CalamineSource(recalculated_copy(reports[0], tmp_path)).sheet_values("Tarkistus")
    rows = [row for row in values if len(row) > 2 and row[1] == "Toteumat"]
    assert ["Toteumat", "D5"] in [row[1:3] for row in rows]  # the HYPERLINK formula shows its cell address
