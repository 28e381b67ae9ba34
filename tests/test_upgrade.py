"""`build --from OLD OUT`: every input row carried unchanged, proven by reading back; refusals write nothing."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

import tyollisyys_xl.master.builder as builder
from tyollisyys_xl.master.builder import DEFAULT_XLWINGS_SETTINGS, build_master
from tyollisyys_xl.master.reading import BuildError, open_workbook, read_input_tables
from tyollisyys_xl.master.upgrade import CannotCarry, upgrade_master, xlwings_settings
from tyollisyys_xl.cli import main
from tyollisyys_xl.io.generated import GENERATED_NAME
from tyollisyys_xl.programme import AREA_TOTAL
from tyollisyys_xl.resources import source_root
from tyollisyys_xl.schemas import table_schemas

SCHEMAS = table_schemas()


def input_values(path: Path) -> dict[str, list[tuple]]:
    """Every input table's data rows as openpyxl sees them: a reader independent of the builder's own."""
    book = openpyxl.load_workbook(path, read_only=True)
    values = {}
    for schema in SCHEMAS.values():
        rows = book[schema.sheet].iter_rows(min_row=2, max_col=len(schema.columns), values_only=True)
        values[schema.sheet] = [row for row in rows if any(v is not None for v in row)]
    return values


def schema_copy_with_title(tmp_path: Path, old_title: str, new_title: str) -> Path:
    """Sources whose Toteumat schema names one column differently: the builder then makes an 'old' workbook."""
    root = tmp_path / "old_sources"
    for part in ("schema", "programme", "workbook/vba", "excel/lite"):
        shutil.copytree(source_root() / part, root / part)
    path = root / "schema" / "toteumat.schema.json"
    text = path.read_text(encoding="utf-8")
    assert f'"title": "{old_title}"' in text
    path.write_text(text.replace(f'"title": "{old_title}"', f'"title": "{new_title}"'), encoding="utf-8")
    return root


def assert_nothing_written(folder: Path, expected: list[str]) -> None:
    assert sorted(p.name for p in folder.iterdir()) == sorted(expected)


def test_demo_round_trip_keeps_every_row_and_value(tmp_path, demo_path):
    out = tmp_path / "uusi.xlsm"
    report = upgrade_master(demo_path, out)
    before, after = input_values(demo_path), input_values(out)
    assert after == before
    assert report.carried == {sheet: len(rows) for sheet, rows in before.items()}
    assert report.carried["Toteumat"] > 500 and report.from_sources == [] and report.dropped_generated == []
    assert out.read_bytes() == demo_path.read_bytes()  # same sources, same rows: the very same workbook


def test_cli_from_reports_what_was_carried(tmp_path, demo_path, capsys):
    out = tmp_path / "uusi.xlsm"
    assert main(["build", "--from", str(demo_path), str(out)]) == 0
    text = capsys.readouterr().out
    assert "Toteumat" in text and "samat" in text
    assert main(["build", "--from", str(demo_path)]) == 2


def test_values_keep_their_types_and_odd_values_survive(tmp_path):
    odd = [
        {"indicator_id": "M01", "month": dt.datetime(2026, 2, 1), "municipality": AREA_TOTAL, "value": 1.5,
         "comment": "=1+1 ei kaava"},
        {"indicator_id": "M02", "month": 3.0, "municipality": AREA_TOTAL, "value": "12,5", "source": True},
        {"indicator_id": "M03", "month": "4/2026", "municipality": "Jämsä", "value": dt.datetime(2026, 4, 5, 10, 30)},
    ]
    old = build_master(tmp_path / "vanha.xlsm", rows={"toteumat": odd})
    out = tmp_path / "uusi.xlsm"
    upgrade_master(old, out)
    rows = read_input_tables(open_workbook(out), SCHEMAS)["toteumat"].rows
    assert [r["month"] for r in rows] == [dt.date(2026, 2, 1), 3.0, "4/2026"]
    assert [r["value"] for r in rows] == [1.5, "12,5", dt.datetime(2026, 4, 5, 10, 30)]
    assert rows[0]["comment"] == "=1+1 ei kaava" and rows[1]["source"] is True


def test_renamed_column_lists_what_cannot_be_carried_and_writes_nothing(tmp_path, demo_path, capsys):
    old_sources = schema_copy_with_title(tmp_path, "Kuukausi", "Kk")
    rows = {n: t.rows for n, t in read_input_tables(open_workbook(demo_path), SCHEMAS).items()}
    work = tmp_path / "work"
    old = build_master(work / "vanha.xlsm", old_sources, rows=rows)
    with pytest.raises(CannotCarry) as caught:
        upgrade_master(old, work / "uusi.xlsm")
    assert caught.value.problems == ["Toteumat: sarake B 'Kk' ei kuulu skeemaan",
                                     "Toteumat: pakollinen sarake 'Kuukausi' puuttuu"]
    assert_nothing_written(work, ["vanha.xlsm"])
    assert main(["build", "--from", str(old), str(work / "uusi.xlsm")]) == 1
    err = capsys.readouterr().err
    assert "'Kk'" in err and "Kuukausi" in err and "mitään ei kirjoitettu" in err
    assert_nothing_written(work, ["vanha.xlsm"])


def test_a_users_own_sheet_blocks_and_the_tools_sheets_are_dropped(tmp_path, demo_path):
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    generated = book.create_sheet("Tarkistus")
    generated["A1"] = "Tarkistus"
    generated.defined_names[GENERATED_NAME] = DefinedName(GENERATED_NAME, attr_text="'Tarkistus'!$A$1")
    old = tmp_path / "vanha.xlsm"
    book.save(old)
    report = upgrade_master(old, tmp_path / "uusi.xlsm")
    assert report.dropped_generated == ["Tarkistus"]
    assert "Tarkistus" not in openpyxl.load_workbook(tmp_path / "uusi.xlsm", read_only=True).sheetnames

    book.create_sheet("Muistiinpanot")["A1"] = "oma muistiinpano"
    book.save(old)
    with pytest.raises(CannotCarry, match="Muistiinpanot"):
        upgrade_master(old, tmp_path / "uusi2.xlsm")
    assert not (tmp_path / "uusi2.xlsm").exists()


def test_a_table_the_old_workbook_lacks_comes_from_the_sources(tmp_path, demo_path):
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    del book["Kustannuskohteet"]
    old = tmp_path / "vanha.xlsm"
    book.save(old)
    report = upgrade_master(old, tmp_path / "uusi.xlsm")
    assert report.from_sources == ["Kustannuskohteet"]
    assert len(input_values(tmp_path / "uusi.xlsm")["Kustannuskohteet"]) == 6
    assert input_values(tmp_path / "uusi.xlsm")["Toteumat"] == input_values(demo_path)["Toteumat"]


def test_a_read_back_mismatch_leaves_nothing_behind(tmp_path, demo_path, monkeypatch):
    write_cell = builder._write_cell

    def corrupting(sheet, row, col, value, cell_format):
        write_cell(sheet, row, col, value.upper() if isinstance(value, str) else value, cell_format)

    monkeypatch.setattr(builder, "_write_cell", corrupting)
    with pytest.raises(BuildError, match="eroavat"):
        upgrade_master(demo_path, tmp_path / "uusi.xlsm")
    assert list(tmp_path.iterdir()) == []


def test_in_place_upgrade_and_refusal_to_overwrite_other_entries(tmp_path, demo_path):
    old = tmp_path / "vanha.xlsm"
    shutil.copy(demo_path, old)
    upgrade_master(old, old)
    assert input_values(old) == input_values(demo_path)
    other = tmp_path / "toinen.xlsm"
    shutil.copy(demo_path, other)
    before = other.read_bytes()
    with pytest.raises(BuildError, match="ei korvata"):
        upgrade_master(old, other)
    assert other.read_bytes() == before


def test_xlwings_settings_are_carried(tmp_path):
    interpreter = r"C:\tyollisyys\.venv\Scripts\pythonw.exe"
    old = build_master(tmp_path / "vanha.xlsm", xlwings_settings={"Interpreter_Win": interpreter})
    out = tmp_path / "uusi.xlsm"
    upgrade_master(old, out)
    settings = xlwings_settings(open_workbook(out))
    assert settings["Interpreter_Win"] == interpreter
    # the master's other defaults come back; keys without a value are never written
    assert settings == {**DEFAULT_XLWINGS_SETTINGS, "Interpreter_Win": interpreter}
