"""The master workbook builder: layout from the schemas, programme read back, determinism, --check, bad sources."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwings
import yaml
from oletools.olevba import VBA_Parser
from remote_book import remote_book
from xlwings.utils import read_config_sheet

from tyollisyys_xl.core.reports.cards import TEMPLATE_SHEET
from tyollisyys_xl.master.builder import build_master, check_master
from tyollisyys_xl.master.text_sheets import BUTTONS, IMPORT_BUTTON, STATUS_CELLS
from tyollisyys_xl.schemas import NUMBER_FORMATS
from tyollisyys_xl.master.reading import open_workbook, read_input_tables
from tyollisyys_xl.master.vba_reading import workbook_code_names
from tyollisyys_xl.cli import main
from tyollisyys_xl.programme import AREA_TOTAL, programme
from tyollisyys_xl.resources import master_workbook, source_root
from tyollisyys_xl.schemas import TABLE_ORDER, table_schemas

SCHEMAS = table_schemas()
INPUT_SHEETS = [SCHEMAS[name].sheet for name in TABLE_ORDER]
ENTRY_TABLES = ("toteumat", "tukibudjetti", "sidonnat", "maksatukset", "palvelukustannukset")


@pytest.fixture(scope="module")
def book(master_path):
    return openpyxl.load_workbook(master_path, keep_vba=True)


def copy_sources(tmp_path: Path) -> Path:
    """A private copy of schema/, programme/ and workbook/vba/ that a test may break."""
    root = tmp_path / "sources"
    for part in ("schema", "programme", "workbook/vba", "excel/lite"):
        shutil.copytree(source_root() / part, root / part)
    return root


def test_sheets_in_order_with_helpers_hidden(book):
    assert book.sheetnames == ["Ohjaus", "Ohjelma", *INPUT_SHEETS, "Listat", "xlwings.conf", TEMPLATE_SHEET]
    assert book["Listat"].sheet_state == "hidden"
    assert book["xlwings.conf"].sheet_state == "hidden"
    assert book[TEMPLATE_SHEET].sheet_state == "hidden"
    assert book.active.title == "Ohjaus"


def test_the_card_template_is_the_tools_and_laid_out_for_the_reference_tables(master_path, book):
    """The buttons copy it as it is when its stamp is the layout's, so a fresh master's must be current."""
    from tyollisyys_xl.core.reports.cards import card_layout, layout_stamp
    from tyollisyys_xl.core.budget import compute_budget
    from tyollisyys_xl.io.calamine_source import CalamineSource
    from tyollisyys_xl.pipeline import load

    assert CalamineSource(master_path).generated_sheets() == [TEMPLATE_SHEET]
    tables = load(master_path).tables
    layout = card_layout(tables, compute_budget(tables))
    assert f"(asettelu {layout_stamp(layout.cards[0])})" in book[TEMPLATE_SHEET]["A1"].value
    printed = book[TEMPLATE_SHEET].print_area.split("!")[1].replace("$", "")
    assert printed == layout.template.print_setup.print_area


@pytest.mark.parametrize("name", TABLE_ORDER)
def test_input_sheet_is_an_excel_table_shaped_by_its_schema(book, name):
    schema = SCHEMAS[name]
    sheet = book[schema.sheet]
    table = sheet.tables[schema.table]
    assert table.ref.startswith("A1:")
    assert [c.value for c in sheet[1]][: len(schema.columns)] == schema.headers
    assert [c.name for c in table.tableColumns] == schema.headers
    assert sheet.freeze_panes == "A2"
    dimensions = {i: d for d in sheet.column_dimensions.values() for i in range(d.min, d.max + 1)}
    for index, column in enumerate(schema.columns, start=1):
        assert dimensions[index].width == pytest.approx(column.width, abs=1)
        assert dimensions[index].number_format == NUMBER_FORMATS[column.cell_type]


def test_number_formats_are_the_agreed_ones():
    assert NUMBER_FORMATS["euro"] == '#,##0.00 "€"'
    assert NUMBER_FORMATS["month"] == "m/yyyy"
    assert NUMBER_FORMATS["date"] == "d.m.yyyy"


def _validations(sheet) -> dict[str, object]:
    """Column letter -> its data validation."""
    return {str(dv.sqref).split(":")[0].rstrip("0123456789"): dv for dv in sheet.data_validations.dataValidation}


@pytest.mark.parametrize("name", TABLE_ORDER)
def test_every_column_has_help_and_the_right_check(book, name):
    schema = SCHEMAS[name]
    validations = _validations(book[schema.sheet])
    for index, column in enumerate(schema.columns, start=1):
        dv = validations[openpyxl.utils.get_column_letter(index)]
        assert str(dv.sqref).endswith("1048576")
        assert dv.promptTitle == column.header[:32]
        assert dv.prompt == column.description[:255]
        dropdown = column.list_source or column.enum or column.cell_type in {"bool", "month"}
        assert (dv.type == "list") == bool(dropdown), column.key
        if column.cell_type in {"number", "euro"}:
            assert dv.type == "decimal"
        if column.cell_type == "date":  # the schema's plausible range, as validation checks it (PAIVAMAARA_ALUE)
            prop = schema.json["properties"][column.key]
            serials = [str((dt.date.fromisoformat(prop[k]) - dt.date(1899, 12, 30)).days) for k in ("formatMinimum", "formatMaximum")]
            assert (dv.type, dv.operator, [dv.formula1, dv.formula2]) == ("date", None, serials)  # None: between, the default


def _list_values(book, name: str) -> list:
    """The values a dropdown's defined name points to (a range on Listat or a table column)."""
    target = book.defined_names[name].attr_text
    if "[" in target:
        table_name, column = target.rstrip("]").split("[")
        for sheet in book.worksheets:
            if table_name in sheet.tables:
                table = sheet.tables[table_name]
                headers = [c.name for c in table.tableColumns]
                col = headers.index(column) + 1
                return [row[col - 1].value for row in sheet.iter_rows(min_row=2, max_row=sheet.max_row)]
    sheet_name, cells = target.split("!")
    return [row[0].value for row in book[sheet_name][cells.replace("$", "")]]


def test_dropdowns_offer_the_allowed_values(book):
    dv = _validations(book["Toteumat"])
    assert _list_values(book, dv["A"].formula1) == [f"{i['id']} – {i['name']} ({i['unit']})" for i in programme().indicators]
    assert dv["A"].errorStyle == "warning"  # a bare code typed by hand is let through (it reads the same)
    assert [d.month for d in _list_values(book, dv["B"].formula1)] == list(range(1, 13))
    reference = _validations(book["Vertailuvuosi"])
    assert [label.split(" – ")[0] for label in _list_values(book, reference["A"].formula1)] == [
        i["id"] for i in programme().indicators if i["accumulation"] == "tilanne"]
    assert [(d.year, d.month) for d in _list_values(book, reference["B"].formula1)] == [
        (2024, 12), *((2025, m) for m in range(1, 13))]
    assert _list_values(book, dv["C"].formula1) == [m["name"] for m in programme().municipalities] + [AREA_TOTAL]
    assert _list_values(book, _validations(book["Mittarit"])["D"].formula1) == ["KV", "LTK"]
    assert _list_values(book, _validations(book["Kunnat"])["E"].formula1) == ["Kyllä", "Ei"]
    assert book.defined_names[_validations(book["Maksatukset"])["B"].formula1].attr_text == "tblSidonnat[Sidonnan tunnus]"
    assert _list_values(book, _validations(book["Sidonnat"])["D"].formula1) == [
        s["subsidy_type"] for s in programme().subsidy_types
    ]


def test_mittarit_read_back_equals_the_programme(master_path):
    rows = list(openpyxl.load_workbook(master_path, read_only=True)["Mittarit"].iter_rows(values_only=True))
    headers = rows[0]
    got = [dict(zip(headers, row)) for row in rows[1:]]
    indicators = programme().indicators
    assert len(got) == len(indicators) == 37
    for row, ind in zip(got, indicators):
        assert row["Tunnus"] == ind["id"]
        assert row["Taso"] == ind["level"]
        assert row["Mittari"] == ind["name"]
        assert row["Lähtöarvo (ohjelman teksti)"] == ind["baseline_text"]
        assert row["Tavoite (ohjelman teksti)"] == ind["target_text"]
        assert row["Lähtöarvo"] == ind["baseline"]
        assert row["Tavoite"] == ind["target"]
        assert row["Kuntakohtainen"] == ("Kyllä" if ind["per_municipality"] else "Ei")


def test_reference_tables_filled_and_entry_tables_empty(master_path):
    tables = read_input_tables(open_workbook(master_path), SCHEMAS)
    kunnat = tables["kunnat"].rows
    assert [(r["name"], r["code"]) for r in kunnat] == [(m["name"], m["code"]) for m in programme().municipalities]
    assert [r["name"] for r in kunnat if r["lead"] == "Kyllä"] == ["Jämsä"]
    assert [r["subsidy_type"] for r in tables["tukilajit"].rows] == [s["subsidy_type"] for s in programme().subsidy_types]
    assert len(tables["kustannuskohteet"].rows) == 6
    for name in ENTRY_TABLES:
        assert tables[name].present and tables[name].rows == []


def test_empty_entry_table_has_one_blank_row_that_readers_skip(book, master_path):
    assert book["Toteumat"].tables["tblToteumat"].ref == "A1:H2"
    assert all(c.value is None for c in book["Toteumat"][2])
    from tyollisyys_xl.pipeline import load

    result = load(master_path)
    assert result.findings == []
    assert len(result.tables.entries) == 0
    assert len(result.tables.indicators) == 37


def test_ohjaus_has_the_five_buttons_bound_to_macros(master_path):
    with zipfile.ZipFile(master_path) as archive:
        vml = archive.read("xl/drawings/vmlDrawing1.vml").decode("utf-8")
    for button in BUTTONS:
        assert f"[0]!{button.macro}" in vml
        assert button.caption in vml
    assert [b.caption for b in BUTTONS] == [
        "Tarkista syötteet", "Laske toteutuminen", "Luo kuntakortit", "Päivitä budjettiseuranta", "Päivitä kaikki"]


def test_status_cells_are_named_cells_on_ohjaus_beside_their_labels(book):
    sheet = book["Ohjaus"]
    for name, label in STATUS_CELLS:
        target = book.defined_names[name].attr_text
        sheet_name, cell = target.split("!")
        assert sheet_name == "Ohjaus"
        row = int(cell.replace("$", "").lstrip("ABCDEFGHIJ"))
        assert sheet.cell(row, 2).value == label
        assert cell.startswith("$C$")


def test_ohjaus_explains_the_sheets_hetu_and_settings(book):
    text = " ".join(str(c.value) for row in book["Ohjaus"].iter_rows() for c in row if c.value)
    for sheet in INPUT_SHEETS:
        assert f"{sheet}:" in text
    assert "henkilötunnuksia" in text
    assert "Interpreter_Win" in text
    assert "KUVITTEELLINEN" not in text


def test_ohjelma_sheet_holds_the_programme_text(book):
    text = "\n".join(str(c.value) for row in book["Ohjelma"].iter_rows() for c in row if c.value)
    prog = programme()
    for focus in prog.focus_areas:
        assert focus["name"] in text
        assert focus["introduction"] in text
        for item in focus["staff_in_practice"] + focus["leadership"] + focus["cooperation_with_municipalities"]:
            assert item in text
    for ind in prog.indicators:
        assert ind["name"] in text
    for item in prog.service_catalogue:
        assert item["service"] in text


def sheet_texts(path: Path, sheet: str) -> list[str]:
    return [c.value for row in openpyxl.load_workbook(path, read_only=True)[sheet].iter_rows() for c in row
            if isinstance(c.value, str)]


def test_every_instruction_text_comes_from_the_reviewed_yaml(book):
    """Each text of programme/tekstit.yaml stands on its sheet, with the builder's names filled in."""
    texts = yaml.safe_load((source_root() / "programme" / "tekstit.yaml").read_text(encoding="utf-8"))
    ohjaus = " ".join(str(c.value) for row in book["Ohjaus"].iter_rows() for c in row if c.value)
    for button in (*BUTTONS, IMPORT_BUTTON):
        assert texts["buttons"][button.macro] in ohjaus
    o = texts["ohjaus"]
    for line in [o["actions_heading"], o["status_heading"], o["sheets"]["generated"], o["forms"]["text"],
                 o["privacy"]["text"], *o["settings"]["paragraphs"]]:
        assert line in ohjaus
    assert o["title"].format(title=programme().title) in ohjaus
    assert all(bullet.format(area_total=AREA_TOTAL) in ohjaus for bullet in o["entering"]["bullets"])
    ohjelma = " ".join(str(c.value) for row in book["Ohjelma"].iter_rows() for c in row if c.value)
    assert all(title in ohjelma for title in texts["ohjelma"]["sections"].values())
    assert all(title in ohjelma for title in texts["ohjelma"]["indicator_columns"])
    conf = " ".join(str(c.value) for row in book["xlwings.conf"].iter_rows() for c in row if c.value)
    assert texts["xlwings_conf"]["guidance"][0] in conf and "Avaimet: Interpreter_Win, " in conf


def test_an_editor_fixes_a_text_in_the_yaml_and_the_build_carries_it(tmp_path):
    sources = copy_sources(tmp_path)
    path = sources / "programme" / "tekstit.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Näin kirjaat", "Näin kirjaat luvut"), encoding="utf-8")
    built = build_master(tmp_path / "m.xlsm", sources)
    assert "Näin kirjaat luvut" in sheet_texts(built, "Ohjaus")


@pytest.mark.parametrize("edit, field", [
    (("  LuoKuntakortit: >-", "  LuoKortit: >-"), "buttons/LuoKuntakortit"),  # a button left without its description
    (("  status_heading: Viimeisin ajo\n", ""), "ohjaus"),  # a required text removed
    (("  services_heading: Palvelut", "  services_heading: ''"), "ohjelma/services_heading"),  # an empty text
])
def test_a_text_source_with_a_gap_stops_the_build_naming_file_and_field(tmp_path, capsys, edit, field):
    sources = copy_sources(tmp_path)
    path = sources / "programme" / "tekstit.yaml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1]), encoding="utf-8")
    target = tmp_path / "out" / "m.xlsm"
    assert main(["build", str(target), "--sources", str(sources)]) == 1
    err = capsys.readouterr().err
    assert "tekstit.yaml" in err and field in err
    assert not target.exists()


def test_vba_project_holds_the_button_macros_and_xlwings(master_path):
    parser = VBA_Parser(str(master_path))
    modules = {name: code for _, _, name, code in parser.extract_macros()}
    parser.close()
    sheet_count = len(TABLE_ORDER) + 5  # Ohjaus, Ohjelma, the input sheets, the card template, Listat, xlwings.conf
    sheet_modules = {f"Sheet{i}.cls" for i in range(1, sheet_count + 1)}  # one document module per sheet
    assert set(modules) == {"ThisWorkbook.cls", *sheet_modules, "Tyollisyys.bas", "xlwings.bas", "Dictionary.cls"}
    for button in BUTTONS:
        assert f"Public Sub {button.macro}()" in modules["Tyollisyys.bas"]
        assert f'RunPython "import tyollisyys_xl.excel as t; t.{button.entry_point}()"' in modules["Tyollisyys.bas"]
    installed = (Path(xlwings.__file__).parent / "xlwings.bas").read_text(encoding="cp1252")
    assert f'XLWINGS_VERSION As String = "{xlwings.__version__}"' in modules["xlwings.bas"]
    assert "Public Function RunPython" in modules["xlwings.bas"] and "Public Function RunPython" in installed
    assert workbook_code_names(master_path) == ["ThisWorkbook", *(f"Sheet{i}" for i in range(1, sheet_count + 1))]


def settings_cells(sheet) -> list[list]:
    """Every row of the columns xlwings reads on its settings sheet: keys in A, values in B."""
    return [[c.value for c in row] for row in sheet.iter_rows(max_col=2) if any(c.value is not None for c in row)]


def test_only_xlwings_settings_with_a_value_reach_the_sheet(tmp_path):
    interpreter = r"C:\tyollisyys\.venv\Scripts\pythonw.exe"
    given = {"Interpreter_Win": interpreter, "Interpreter_Mac": None, "Conda Env": "  ", "Show Console": True,
             "ADD_WORKBOOK_TO_PYTHONPATH": None}
    path = build_master(tmp_path / "asetukset.xlsm", xlwings_settings=given)
    assert read_config_sheet(remote_book(path)) == {"Interpreter_Win": interpreter, "Show Console": True}
    assert settings_cells(openpyxl.load_workbook(path)["xlwings.conf"]) == [
        ["Interpreter_Win", interpreter], ["Show Console", True]
    ]


def test_build_is_deterministic(tmp_path):
    first = build_master(tmp_path / "a.xlsm").read_bytes()
    second = build_master(tmp_path / "b.xlsm").read_bytes()
    assert first == second


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    rows = {"toteumat": [{"indicator_id": "M01", "month": None, "municipality": AREA_TOTAL, "comment": "=SUM(A1:A9)"}]}
    path = build_master(tmp_path / "f.xlsm", rows=rows, replace_entries=True)
    cell = openpyxl.load_workbook(path)["Toteumat"]["H2"]
    assert cell.value == "=SUM(A1:A9)" and cell.data_type == "s"


def test_check_passes_on_a_fresh_build_and_names_the_parts_a_schema_change_alters(tmp_path, capsys):
    sources = copy_sources(tmp_path)
    built = build_master(tmp_path / "m.xlsm", sources)
    assert check_master(built, sources) == []
    assert main(["build", "--check", str(built), "--sources", str(sources)]) == 0
    schema = sources / "schema" / "toteumat.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"title": "Kommentti"', '"title": "Huomio"'),
                      encoding="utf-8")
    differing = check_master(built, sources)
    assert "xl/worksheets/sheet4.xml (Toteumat)" in differing
    assert "xl/tables/table2.xml" in differing
    capsys.readouterr()
    assert main(["build", "--check", str(built), "--sources", str(sources)]) == 1
    assert "Toteumat" in capsys.readouterr().err


def test_committed_workbook_is_in_step_with_its_sources(capsys):
    assert master_workbook().is_file(), "rakenna päätyökirja: tyollisyys-xl build"
    assert main(["build", "--check"]) == 0, capsys.readouterr().err


def _assert_nothing_written(target: Path, before: bytes) -> None:
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


def test_malformed_schema_stops_the_build_naming_file_and_field(tmp_path, capsys):
    sources = copy_sources(tmp_path)
    target = build_master(tmp_path / "out" / "m.xlsm", sources)
    before = target.read_bytes()
    schema = sources / "schema" / "toteumat.schema.json"
    schema.write_text(schema.read_text(encoding="utf-8").replace('"x-type": "month"', '"x-type": "kuukausi"'),
                      encoding="utf-8")
    assert main(["build", str(target), "--sources", str(sources)]) == 1
    err = capsys.readouterr().err
    assert "toteumat.schema.json" in err and "properties/month/x-type" in err
    _assert_nothing_written(target, before)


def test_malformed_programme_stops_the_build_naming_file_and_field(tmp_path, capsys):
    sources = copy_sources(tmp_path)
    target = build_master(tmp_path / "out" / "m.xlsm", sources)
    before = target.read_bytes()
    path = sources / "programme" / "ohjelma2026.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["indicators"][5]["level"] = "KH"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["build", str(target), "--sources", str(sources)]) == 1
    err = capsys.readouterr().err
    assert "ohjelma2026.yaml" in err and "indicators/5/level" in err
    _assert_nothing_written(target, before)


def test_vba_source_without_a_button_macro_stops_the_build(tmp_path, capsys):
    sources = copy_sources(tmp_path)
    bas = sources / "workbook" / "vba" / "Tyollisyys.bas"
    bas.write_bytes(bas.read_bytes().replace(b"Public Sub LuoKuntakortit()", b"Public Sub LuoKortit()"))
    target = tmp_path / "out" / "m.xlsm"
    assert main(["build", str(target), "--sources", str(sources)]) == 1
    err = capsys.readouterr().err
    assert "Tyollisyys.bas" in err and "LuoKuntakortit" in err
    assert not target.parent.exists() or not any(target.parent.iterdir())


def test_build_refuses_to_overwrite_a_workbook_with_entries(tmp_path, demo_path, capsys):
    target = tmp_path / "m.xlsm"
    shutil.copy(demo_path, target)
    before = target.read_bytes()
    assert main(["build", str(target)]) == 1
    err = capsys.readouterr().err
    assert "Toteumat" in err and "--from" in err
    _assert_nothing_written(target, before)


def test_build_overwrites_a_master_without_entries(tmp_path, capsys):
    target = build_master(tmp_path / "m.xlsm")
    assert main(["build", str(target)]) == 0
    assert "rakennettu" in capsys.readouterr().out


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_opens_and_converts_the_master(master_path, tmp_path):
    profile = f"file:///tmp/lo-{uuid.uuid4()}"
    try:
        completed = subprocess.run(
            ["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "xlsx",
             "--outdir", str(tmp_path), str(master_path)],
            capture_output=True, text=True, timeout=60,
        )
    finally:
        shutil.rmtree(profile.removeprefix("file://"), ignore_errors=True)
    converted = tmp_path / (master_path.stem + ".xlsx")
    assert completed.returncode == 0, completed.stderr
    assert converted.is_file() and converted.stat().st_size > 0
    again = openpyxl.load_workbook(converted, read_only=True)
    assert again.sheetnames[:3] == ["Ohjaus", "Ohjelma", "Mittarit"]
    assert sum(1 for _ in again["Mittarit"].iter_rows(min_row=2, values_only=True)) == 37


def test_docs_give_the_status_cells_where_they_are(book):
    docs = (source_root() / "docs" / "workbook.md").read_text(encoding="utf-8")
    for name, _ in STATUS_CELLS:
        assert f"| `{name}` | `{book.defined_names[name].attr_text}` |" in docs


def test_written_workbook_gets_ordinary_permissions(tmp_path):
    """The temporary file behind an atomic write is private (0600); the result must not be."""
    old = os.umask(0o022)
    try:
        out = build_master(tmp_path / "uusi.xlsm")
    finally:
        os.umask(old)
    assert out.stat().st_mode & 0o777 == 0o644
