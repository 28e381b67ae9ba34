"""`tyollisyys-xl report`: the generated sheets in a new file, the master never touched."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from libreoffice import needs_soffice, recalculated_copy

from tyollisyys_xl.cli import COMMANDS, main
from tyollisyys_xl.commands.report import TEMPORARY_SUFFIX, temporary_path
from tyollisyys_xl.core.reports.cards import TEMPLATE_SHEET
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.io.generated import ERROR_FILL, HIGHLIGHT_SHEET
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
def reports(user_master, tmp_path_factory) -> tuple[Path, Path, Path]:
    """The board's report of the master, one with the inputs, and a report of that one (the generated
    sheets rebuilt from the inputs the report carries)."""
    folder = tmp_path_factory.mktemp("reports")
    board, full, again = folder / "raportti.xlsx", folder / "raportti-syotteineen.xlsx", folder / "raportti2.xlsx"
    assert main(["report", str(user_master), "--out", str(board)]) == 0
    assert main(["report", str(user_master), "--out", str(full), "--with-inputs"]) == 0
    assert main(["report", str(full), "--out", str(again), "--with-inputs"]) == 0
    return board, full, again


def all_values(path: Path) -> dict[str, list[list]]:
    source = CalamineSource(path)
    return {name: source.sheet_values(name) for name in source.sheet_names()}


def generated(path: Path) -> list[str]:
    return CalamineSource(path).generated_sheets()


def test_the_boards_report_holds_the_generated_sheets_only(reports):
    board, _, _ = reports
    names = generated(board)
    assert CalamineSource(board).sheet_names() == names  # no input sheet, no Y-tunnus, no comments
    assert names[0] == "Tarkistus" and "Toteutuminen" in names and HIGHLIGHT_SHEET not in names
    assert sum(name.startswith("Kuntakortti ") for name in names) == 8 and TEMPLATE_SHEET not in names
    tarkistus = [list(row) for row in openpyxl.load_workbook(board)["Tarkistus"].values]
    row = next(row for row in tarkistus if row[1:3] == ["Toteumat", "D5"])  # the address as text: no dead link
    assert openpyxl.load_workbook(board)["Tarkistus"].cell(tarkistus.index(row) + 1, 3).data_type == "s"


def test_with_inputs_the_report_holds_the_input_tables_as_they_were(user_master, reports):
    _, full, _ = reports
    master, report = all_values(user_master), all_values(full)
    names = generated(full)
    assert list(report) == [*names, *INPUT_SHEETS]
    for sheet in INPUT_SHEETS:
        assert report[sheet] == master[sheet], sheet
    book = openpyxl.load_workbook(full)
    assert book["Sidonnat"]["B2"].number_format == "d.m.yyyy" and book["Toteumat"]["B2"].number_format == "m/yyyy"
    assert book["Toteumat"].freeze_panes == "A2" and book["Toteumat"]["A1"].font.b


def test_a_report_of_a_report_rebuilds_the_same_sheets(reports):
    _, full, again = reports
    before, after = all_values(full), all_values(again)
    assert list(before) == list(after)
    assert generated(full) == generated(again)
    for name in before:
        assert after[name] == before[name], name


def test_the_report_highlights_the_bad_cell_and_links_to_it(user_master, reports):
    _, full, _ = reports
    report = openpyxl.load_workbook(full)
    assert report["Toteumat"]["D5"].fill.fgColor.rgb.endswith(ERROR_FILL)
    assert report["Toteumat"]["D4"].fill.fill_type is None
    assert openpyxl.load_workbook(user_master)["Toteumat"]["D5"].fill.fill_type is None
    tarkistus = [list(row) for row in report["Tarkistus"].values]
    assert any(row[1:3] == ["Toteumat", '=HYPERLINK("#Toteumat!D5","D5")'] for row in tarkistus)


def test_the_report_is_a_plain_xlsx_without_the_vba_project(reports):
    for path in reports:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            content_types = archive.read("[Content_Types].xml").decode()
        assert not any("vbaProject" in name for name in names)
        assert "macroEnabled" not in content_types


def test_a_users_sheet_named_like_a_generated_one_stops_the_report(user_master, tmp_path, capsys):
    """The case rule of the replacement plan holds here as in Excel: a user's own 'tarkistus' is never the tool's."""
    master = tmp_path / "oma.xlsm"
    book = openpyxl.load_workbook(user_master, keep_vba=True)
    book.create_sheet("tarkistus")["A1"] = "käyttäjän oma"
    book.save(master)
    assert main(["report", str(master), "--out", str(tmp_path / "r.xlsx")]) == 2
    assert "Välilehti 'Tarkistus' on jo työkirjassa" in capsys.readouterr().err
    assert not (tmp_path / "r.xlsx").exists()


def zip_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def command_args(command: str, master: Path, tmp: Path) -> list[tuple[list[str], int]]:
    """Every way each CLI command reads a workbook, pointed at the master, with the exit code it must give."""
    return {
        "build": [(["build", "--check", str(master)], 1),  # a demo differs from a fresh build
                  (["build", "--from", str(master), str(tmp / "uusi.xlsm")], 0)],
        "demo": [(["demo", "--master", str(master), str(tmp / "demo.xlsm")], 0)],
        "validate": [(["validate", str(master)], 0), (["validate", "--format", "json", str(master)], 0)],
        "attainment": [(["attainment", str(master)], 0), (["attainment", "--format", "csv", str(master)], 0)],
        "report": [(["report", str(master), "--out", str(tmp / "raportti.xlsx")], 0),
                   (["report", str(master), "--out", str(tmp / "raportti2.xlsx"), "--with-inputs"], 0)],
        "export": [(["export", str(master), "--out", str(tmp / "vienti")], 0)],
        "wheelhouse": [],  # reads no workbook
        "diff": [(["diff", str(master), str(master)], 0), (["diff", "--textconv", str(master)], 0)],
        "forms": [(["forms", str(master), "--out", str(tmp / "lomakkeet")], 0)],
        "collect": [(["forms", str(master), "--out", str(tmp / "lomakkeet")], 0),
                    (["collect", str(master), str(tmp / "lomakkeet" / "Jämsä.xlsx"), str(tmp / "lomakkeet" / "Keuruu.xlsx"),
                      "--out", str(tmp / "uusi.xlsm")], 0),
                    (["collect", str(master), str(tmp / "lomakkeet" / "Jämsä.xlsx"), "--out", str(master)], 1)],  # refused
    }[command]


@pytest.mark.parametrize("command", COMMANDS)
def test_no_command_changes_the_master(command, demo_path, tmp_path, capsys):
    master = tmp_path / "Tyollisyysohjelma2026.xlsm"
    shutil.copy2(demo_path, master)  # as the builder made it: VBA project, buttons, dropdowns
    parts, stamp = zip_parts(master), os.stat(master).st_mtime_ns
    for argv, code in command_args(command, master, tmp_path):
        assert main(argv) == code, argv
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


def test_refuses_a_read_only_target(user_master, tmp_path, capsys):
    out = tmp_path / "raportti.xlsx"
    out.write_bytes(b"vanha raportti")
    out.chmod(0o444)
    assert main(["report", str(user_master), "--out", str(out)]) == 2
    assert "kirjoitussuojattu" in capsys.readouterr().err
    assert out.read_bytes() == b"vanha raportti"


def test_a_killed_runs_temporary_looks_like_no_report_and_the_next_run_removes_it(user_master, tmp_path):
    """kill -9 while the file is written leaves a hidden temporary named for that run, never a .xlsx."""
    out = tmp_path / "raportti.xlsx"
    temp = temporary_path(out)
    assert temp.name.startswith(".") and temp.name.endswith(TEMPORARY_SUFFIX) and ".xlsx" != temp.suffix
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = out.with_name(f".{out.name}.{dead.pid}{TEMPORARY_SUFFIX}")  # as a killed run left it: half a file
    stale.write_bytes(b"PK\x03\x04 katkennut")
    living = out.with_name(f".muu.xlsx.{os.getppid()}{TEMPORARY_SUFFIX}")  # a run that still writes
    living.write_bytes(b"PK")
    (tmp_path / ".oma.tmp").write_bytes(b"ei meidan")
    assert main(["report", str(user_master), "--out", str(out)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".oma.tmp", living.name, "raportti.xlsx"])


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
    values = CalamineSource(recalculated_copy(reports[1], tmp_path)).sheet_values("Tarkistus")
    rows = [row for row in values if len(row) > 2 and row[1] == "Toteumat"]
    assert ["Toteumat", "D5"] in [row[1:3] for row in rows]  # the HYPERLINK formula shows its cell address


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The installed program's entry (cli.console) in a process of its own; reports on stderr whether pandas
    had pyarrow."""
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print('pyarrow:', sys.modules.get('pyarrow') is not None, file=sys.stderr))\n"
            f"sys.argv = ['tyollisyys-xl', *{list(args)!r}]\n"
            "from tyollisyys_xl.cli import console\n"
            "console()\n")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd)


def _cell_values(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book.worksheets}


def test_the_program_runs_without_pyarrow_and_writes_the_same_report(demo_path, tmp_path):
    """The program keeps pyarrow from pandas (a sixth of a run's time) except for export, which writes Parquet
    with it; pandas' own strings must give the very report the in-process run (with pyarrow) gives."""
    ours = tmp_path / "ohjelma.xlsx"
    run = _cli("report", str(demo_path), "--out", str(ours), cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "pyarrow: False" in run.stderr
    in_process = tmp_path / "prosessissa.xlsx"
    assert main(["report", str(demo_path), "--out", str(in_process)]) == 0
    assert _cell_values(ours) == _cell_values(in_process)
    exported = _cli("export", str(demo_path), "--out", str(tmp_path / "vienti"), cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert "pyarrow: True" in exported.stderr and (tmp_path / "vienti" / "toteumat.parquet").is_file()
