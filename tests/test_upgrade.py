"""`build --from OLD OUT`: every input row carried unchanged, proven by reading back; refusals write nothing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from openpyxl.styles import Color, PatternFill
from openpyxl.workbook.defined_name import DefinedName
from zip_tools import edit_member, replace_bytes, sheet_part

import tyollisyys_xl.master.input_sheets as input_sheets
import tyollisyys_xl.master.upgrade as upgrade
from tyollisyys_xl.master.builder import build_master
from tyollisyys_xl.master.text_sheets import DEFAULT_XLWINGS_SETTINGS
from tyollisyys_xl.master.reading import BuildError, open_workbook, read_input_tables
from tyollisyys_xl.master.upgrade import MAX_LISTED, CannotCarry, upgrade_master, xlwings_settings
from tyollisyys_xl.cli import main
from tyollisyys_xl.pipeline import load
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
    assert caught.value.problems == ["Toteumat: sarake B ”Kk” ei kuulu skeemaan",
                                     "Toteumat: pakollinen sarake ”Kuukausi” puuttuu"]
    assert_nothing_written(work, ["vanha.xlsm"])
    assert main(["build", "--from", str(old), str(work / "uusi.xlsm")]) == 1
    err = capsys.readouterr().err
    assert "”Kk”" in err and "Kuukausi" in err and "mitään ei kirjoitettu" in err
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
    write_cell = input_sheets.write_cell

    def corrupting(sheet, row, col, value, cell_format):
        write_cell(sheet, row, col, value.upper() if isinstance(value, str) else value, cell_format)

    monkeypatch.setattr(input_sheets, "write_cell", corrupting)
    with pytest.raises(BuildError, match="ei vastaa vanhaa") as caught:
        upgrade_master(demo_path, tmp_path / "uusi.xlsm")
    assert list(tmp_path.iterdir()) == []
    message = str(caught.value)
    assert "Mittarit!E2 (Mittari): teksti (54 merkkiä) muuttui" in message
    assert "Työllisyys" not in message and "TYÖLLISYYS" not in message  # no value of any cell, old or new
    assert message.count("\n") <= MAX_LISTED + 1 and len(message) < 10_000


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


# --- lossless: formulas, error results, notes, fills, hidden rows, a user's own text on Ohjaus -------------


def with_cell_xml(data: bytes, sheet: str, ref: str, inner: str, cell_type: str | None = None) -> bytes:
    """The workbook with one cell's content replaced (its style kept), as Excel writes a formula and its cached
    result (`<f>1+2</f><v>3</v>`) or an error value (`<v>#N/A</v>`, cell_type "e")."""
    part = sheet_part(data, sheet)
    pattern = re.compile(rb'<c r="%s"([^>]*?)(/>|>.*?</c>)' % ref.encode(), re.DOTALL)

    def edit(xml: bytes) -> bytes:
        match = pattern.search(xml)
        assert match, ref
        style = re.search(rb'\bs="\d+"', match.group(1))
        attributes = (b" " + style.group() if style else b"") + (f' t="{cell_type}"'.encode() if cell_type else b"")
        return xml[: match.start()] + b'<c r="%s"%s>%s</c>' % (ref.encode(), attributes, inner.encode()) + xml[match.end() :]

    return edit_member(data, part, edit)


THEME_ACCENT = Color(theme=5, tint=0.5999938962981048)  # "Accent 2, lighter 60 %" of Excel's fill palette


@pytest.fixture(scope="module")
def rich_old(demo_path, tmp_path_factory) -> Path:
    """The demo as a coordinator leaves it: formulas, a formula's error, notes, fills, hidden rows, own text."""
    folder = tmp_path_factory.mktemp("rich")
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    entries = book["Toteumat"]
    entries["H5"].comment = Comment("Tarkista luku Keuruulta", "Koordinaattori")
    entries["A1"].comment = Comment("Otsikon muistiinpano", "")
    entries["D6"].fill = PatternFill("solid", fgColor="FFFFFF00")
    entries["G7"].fill = PatternFill("solid", fgColor=THEME_ACCENT)
    entries["B1"].fill = PatternFill("solid", fgColor="FF92D050")
    entries.row_dimensions[9].hidden = True
    book["Ohjaus"]["F3"] = "Maaliskuun luvut puuttuvat vielä"
    book["Ohjaus"]["F4"] = 42
    book["Ohjelma"]["A2"].comment = Comment("Päivitä kesällä", "Kehittäjä")
    book.save(folder / "vali.xlsm")
    data = (folder / "vali.xlsm").read_bytes()
    data = with_cell_xml(data, "Toteumat", "D2", "<f>1+2</f><v>3</v>")
    data = with_cell_xml(data, "Toteumat", "D3", "<f>1/0</f><v>#DIV/0!</v>", "e")
    data = with_cell_xml(data, "Sidonnat", "G2", "<f>6180.56+0*Tukilajit!B2</f><v>6180.56</v>")
    (folder / "vanha.xlsm").write_bytes(data)
    return folder / "vanha.xlsm"


@pytest.fixture(scope="module")
def rich_new(rich_old, tmp_path_factory):
    out = tmp_path_factory.mktemp("rich_new") / "uusi.xlsm"
    return upgrade_master(rich_old, out), out


def test_formulas_stay_formulas_with_their_results(rich_new):
    report, out = rich_new
    book = openpyxl.load_workbook(out)
    assert book["Toteumat"]["D2"].value == "=1+2" and book["Toteumat"]["D3"].value == "=1/0"
    assert book["Sidonnat"]["G2"].value == "=6180.56+0*Tukilajit!B2"
    values = open_workbook(out).sheet_values("Toteumat")
    assert values[1][3] == 3.0 and values[2][3] == "#DIV/0!"
    assert report.extras["Toteumat"]["kaava tai sen tulos"] == 2


def test_an_error_result_stays_an_error_not_an_empty_cell(rich_old, rich_new):
    """EXCEL_VIRHE must not turn into PAKOLLINEN."""
    _, out = rich_new
    before = {(f.rule, f.address) for f in load(rich_old).findings if f.address.startswith("Toteumat!D3")}
    after = {(f.rule, f.address) for f in load(out).findings if f.address.startswith("Toteumat!D3")}
    assert before == after == {("EXCEL_VIRHE", "Toteumat!D3")}


def test_notes_fills_hidden_rows_and_own_text_are_carried(rich_new):
    _, out = rich_new
    book = openpyxl.load_workbook(out)
    entries = book["Toteumat"]
    assert (entries["H5"].comment.text, entries["H5"].comment.author) == ("Tarkista luku Keuruulta", "Koordinaattori")
    assert entries["A1"].comment.text == "Otsikon muistiinpano" and entries["A1"].value == "Mittari"
    assert book["Ohjelma"]["A2"].comment.text == "Päivitä kesällä"
    assert entries["D6"].fill.fgColor.rgb == "FFFFFF00"
    assert entries["G7"].fill.fgColor.rgb == "FFE6B9B8"  # accent 2 of the master's theme (C0504D) lightened 60 %, as Excel shows it
    assert entries["B1"].fill.fgColor.rgb == "FF92D050" and entries["B1"].font.bold  # still a header
    assert entries.row_dimensions[9].hidden and not entries.row_dimensions[8].hidden
    assert book["Ohjaus"]["F3"].value == "Maaliskuun luvut puuttuvat vielä" and book["Ohjaus"]["F4"].value == 42


def test_every_value_is_where_it_was(rich_old, rich_new):
    _, out = rich_new
    before, after = input_values(rich_old), input_values(out)
    assert after["Sidonnat"] == before["Sidonnat"] and after["Maksatukset"] == before["Maksatukset"]
    assert after["Toteumat"][3:] == before["Toteumat"][3:]  # D2 and D3: now computed, as they were cached


def test_the_read_back_compares_formulas_not_only_values(rich_old, tmp_path, monkeypatch):
    """A writer that put each formula's result in place of the formula gives the same values; the proof must
    still refuse it."""
    from xlsxwriter.worksheet import Worksheet

    def result_only(sheet, row, col, formula, cell_format=None, value=0):
        return Worksheet.write_number(sheet, row, col, value, cell_format) if isinstance(value, float) else \
            Worksheet.write_string(sheet, row, col, str(value), cell_format)

    monkeypatch.setattr(Worksheet, "write_formula", result_only)
    with pytest.raises(BuildError, match="kaava tai sen tulos ei säilynyt") as caught:
        upgrade_master(rich_old, tmp_path / "uusi.xlsm")
    assert "Toteumat!D2" in str(caught.value) and list(tmp_path.iterdir()) == []


def refusal(demo_path, tmp_path, edit_book=None, cells=()) -> list[str]:
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    if edit_book:
        edit_book(book)
    book.save(tmp_path / "vali.xlsm")
    data = (tmp_path / "vali.xlsm").read_bytes()
    for sheet, ref, inner, cell_type in cells:
        data = with_cell_xml(data, sheet, ref, inner, cell_type)
    old = tmp_path / "vanha.xlsm"
    old.write_bytes(data)
    with pytest.raises(CannotCarry) as caught:
        upgrade_master(old, tmp_path / "uusi.xlsm")
    assert not (tmp_path / "uusi.xlsm").exists()
    return caught.value.problems


def test_what_cannot_be_carried_is_listed_and_nothing_written(demo_path, tmp_path, monkeypatch):
    fresh_layout = upgrade._fresh_layout

    def longer_instructions(*args):  # as when a new version's Ohjaus reaches further than the old one did
        layout = fresh_layout(*args)
        cells = {**layout.text_cells, "Ohjaus": layout.text_cells["Ohjaus"] | {(29, 5)}}
        return dataclasses.replace(layout, text_cells=cells)

    monkeypatch.setattr(upgrade, "_fresh_layout", longer_instructions)

    def edit(book):
        book["Ohjaus"]["F30"] = "oma teksti"
        book["Toteumat"]["E8"].fill = PatternFill("darkGrid", fgColor="FFFF0000")

    problems = refusal(demo_path, tmp_path, edit, [
        ("Toteumat", "D4", "<v>#N/A</v>", "e"),
        ("Toteumat", "D5", "<f>Puuttuva!A1</f><v>1</v>", None),
        ("Toteumat", "D6", "<f>[1]Taul1!A1</f><v>1</v>", None),
        ("Toteumat", "D7", "<f>Kerroin*2</f><v>1</v>", None),
        ("Toteumat", "D8", '<f t="array" ref="D8">SUM(D2:D3)</f><v>1</v>', None),
    ])
    listed = "\n".join(problems)
    for expected in ["Toteumat!D4: solussa on virhearvo ”#N/A” vakiona", "Toteumat!D5: kaava viittaa välilehteen ”Puuttuva”",
                     "Toteumat!D6: kaava viittaa toiseen työkirjaan", "Toteumat!D7: kaava käyttää nimeä ”Kerroin”",
                     "Toteumat!D8: matriisi- tai tietotaulukkokaavaa", "Toteumat!E8: täyttökuviota",
                     "Ohjaus!F30: uusi Ohjaus-välilehti käyttää tätä solua"]:
        assert expected in listed, expected


def test_a_failure_message_never_shows_a_value_and_stays_short(demo_path, tmp_path, monkeypatch):
    hetu = "131052-308T"
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    for row in range(2, 200):
        book["Toteumat"].cell(row, 8).value = f"Asiakas {hetu} soitti"
    book.save(tmp_path / "vanha.xlsm")
    write_cell = input_sheets.write_cell

    def corrupting(sheet, row, col, value, cell_format):
        write_cell(sheet, row, col, value + "!" if isinstance(value, str) and "soitti" in value else value, cell_format)

    monkeypatch.setattr(input_sheets, "write_cell", corrupting)
    with pytest.raises(BuildError) as caught:
        upgrade_master(tmp_path / "vanha.xlsm", tmp_path / "uusi.xlsm")
    message = str(caught.value)
    assert hetu not in message and "soitti" not in message
    assert "Toteumat!H2 (Kommentti): oli teksti (26 merkkiä), uudessa teksti (27 merkkiä)" in message
    assert f"… ja {198 - MAX_LISTED} muuta" in message and len(message) < 5_000


def test_a_header_that_holds_a_personal_identity_code_is_listed_masked(demo_path, tmp_path):
    problems = refusal(demo_path, tmp_path, lambda book: book["Toteumat"].cell(1, 9, "Asiakas 131052-308T"))
    assert any("sarake I" in p for p in problems) and not any("131052-308T" in p for p in problems)


def test_a_control_character_is_listed_not_a_parser_error(demo_path, tmp_path):
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    book["Toteumat"]["H4"] = "MERKKI_TASSA"
    book.save(tmp_path / "vali.xlsm")
    old = tmp_path / "vanha.xlsm"
    old.write_bytes(replace_bytes((tmp_path / "vali.xlsm").read_bytes(), b"MERKKI_TASSA", b"MERKKI\x00TASSA"))
    with pytest.raises(CannotCarry) as caught:
        upgrade_master(old, tmp_path / "uusi.xlsm")
    assert [p[:60] for p in caught.value.problems] == ["Toteumat!H4: Solussa on näkymätön ohjausmerkki (U+0000), jot"]
