"""Build the master workbook from its text sources (programme data, table schemas, VBA sources).

Everything about an input sheet (headers, column order, widths, number formats, dropdowns) comes
from its JSON Schema, so the workbook and the validator cannot drift apart. The output is written
with xlsxwriter in memory with fixed timestamps, so the same sources always give the same bytes:
that is what lets `build --check` compare the committed workbook with a fresh build part by part.
A build is written to a temporary file beside the target and moved over it only when complete, so
a failure never leaves a half-written or emptied master behind.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import math
import os
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from tyollisyys_xl.master.carry import SheetExtras, excel_result
from tyollisyys_xl.master.lite_parts import add_lite_parts, read_lite_files
from tyollisyys_xl.master.printing import input_sheet_print, text_sheet_print
from tyollisyys_xl.master.reading import BuildError, CellValue, open_workbook, read_input_tables
from tyollisyys_xl.master.vba_project import VbaModule, build_vba_project, read_bas_file
from tyollisyys_xl.core.code_labels import format_label
from tyollisyys_xl.core.months import year_and_month
from tyollisyys_xl.core.parsing import fi_value
from tyollisyys_xl.core.reports.cards import TEMPLATE_SHEET
from tyollisyys_xl.io.errors import WorkbookReadError, os_reason
from tyollisyys_xl.io.generated import DEMO_NAME
from tyollisyys_xl.io.snapshot import Snapshot
from tyollisyys_xl.programme import AREA_TOTAL, Programme, load_programme
from tyollisyys_xl.resources import master_workbook, source_root
from tyollisyys_xl.schemas import NUMBER_FORMATS, Column, SourceError, TableSchema, load_table_schemas

BUILD_TIME = dt.datetime(2026, 1, 1)  # fixed, so that two builds are byte-identical

OHJAUS, OHJELMA, LISTAT, XLWINGS_CONF = "Ohjaus", "Ohjelma", "Listat", "xlwings.conf"
VBA_MODULE_FILE = "Tyollisyys.bas"
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"  # the VB_Base of every VBA class module
CLASS_ATTRIBUTES = ("VB_GlobalNameSpace", "VB_Creatable", "VB_PredeclaredId", "VB_Exposed")
HEADER_FORMAT = {"bold": True, "text_wrap": True, "valign": "top"}  # the header row of an input table
NOTICE_CELL = (2, 1)  # Ohjaus!B3 (0-based row, column): the note a demo workbook carries

# Tables the builder fills from the sources; the others start empty and hold entries.
REFERENCE_TABLES = ("mittarit", "kunnat", "tukilajit", "kustannuskohteet")

BOOL_TEXT = {True: "Kyllä", False: "Ei"}
DATE_TYPES = {"date", "month"}
TABLE_STYLE = "Table Style Medium 2"
LAST_ROW = 1_048_575  # validation and formats cover the whole column below the header


@dataclass(frozen=True)
class Button:
    macro: str  # Public Sub in workbook/vba/Tyollisyys.bas
    caption: str
    entry_point: str  # function in tyollisyys_xl.excel the macro runs
    description: str


BUTTONS = (
    Button(
        "TarkistaSyotteet",
        "Tarkista syötteet",
        "validate_entries",
        "Tarkistaa syöttövälilehtien rivit (pakolliset tiedot, tyypit, luettelot, henkilötunnukset, hyväksytty "
        "ohjelma) ja kirjoittaa löydökset solu-osoitteineen Tarkistus-välilehdelle ja kuukauden kirjaukset "
        "Kirjaustilanne-välilehdelle. Ei muuta syötteitä.",
    ),
    Button(
        "LaskeToteutuminen",
        "Laske toteutuminen",
        "compute_attainment",
        "Laskee mittareiden toteutumisen viimeisimpään kirjattuun kuukauteen asti Toteutuminen-välilehdelle.",
    ),
    Button(
        "LuoKuntakortit",
        "Luo kuntakortit",
        "make_municipality_cards",
        "Luo jokaiselle kunnalle tulostettavan Kuntakortti-välilehden: mittarit, tukibudjetti ja palvelukustannukset.",
    ),
    Button(
        "PaivitaBudjettiseuranta",
        "Päivitä budjettiseuranta",
        "update_budget_tracking",
        "Laskee tukibudjetin, sidonnat ja maksatukset kunnittain ja tukilajeittain budjettiseurannan välilehdille.",
    ),
    Button("PaivitaKaikki", "Päivitä kaikki", "update_all", "Tekee kaikki edellä mainitut peräkkäin."),
)

# The self-test button on Ohjaus (workbook/vba/Tyollisyys.bas): its macro starts no Python for its first
# checks, so it runs no entry point of tyollisyys_xl.excel.
SELF_TEST_MACRO, SELF_TEST_CAPTION = "TestaaAsennus", "Testaa asennus"
# The button that collects the municipalities' entry forms (its own section on Ohjaus, see _write_forms_section).
IMPORT_BUTTON = Button(
    "TuoKuntienLomakkeet",
    "Tuo kuntien lomakkeet",
    "import_forms",
    "Kysyy kansion, jossa kuntien palauttamat lomakkeet ovat, tarkistaa jokaisen lomakkeen ja tuo sen luvut "
    "Toteumat- ja Palvelukustannukset-välilehdille. Jos yksikin lomake ei kelpaa, mitään ei tuoda.",
)
IMPORT_FOLDER_NAME = "Tuonti_Kansio"  # where the button's macro writes the chosen folder for Python to read

# Named cells on Ohjaus where the Excel entry points write the status of their last run.
STATUS_CELLS = (
    ("Tila_Toiminto", "Toiminto"),
    ("Tila_Aika", "Aika"),
    ("Tila_Tulos", "Tulos"),
    ("Tila_Virheet", "Virheitä"),
    ("Tila_Varoitukset", "Varoituksia"),
)

# The keys of xlwings' settings sheet (those of its quickstart --standalone workbook), listed in the
# sheet's guidance. A key on the sheet wins over the same key in the user's xlwings.conf file even with
# an empty value (xlwings.bas GetConfig), so the sheet holds only keys that have a value.
XLWINGS_KEYS = (
    "Interpreter_Win", "Interpreter_Mac", "PYTHONPATH", "Conda Path", "Conda Env", "UDF Modules", "Debug UDFs",
    "Use UDF Server", "Show Console", "ADD_WORKBOOK_TO_PYTHONPATH",
)
GUIDANCE_COLUMN = 3  # D: xlwings reads keys from column A and their values from B, nothing else

# The settings the master ships on its xlwings.conf sheet (each user overrides one in its cell).
# The interpreters are where the install scripts in excel/ put the per-user virtual environment, as
# xlwings.bas expands them for every user: GetConfig passes a sheet value through ExpandEnvironmentStrings,
# which on Windows is WScript.Shell's (any %VAR%) and on a Mac replaces a leading $HOME with the home folder
# outside Excel's sandbox (GetMacDir). The Mac path has no space: xlwings' AppleScript runs the interpreter
# unquoted. The package is installed, so the workbook's folder need not be on sys.path; adding it makes
# xlwings map a OneDrive or SharePoint address to a local folder (xlwings.utils.prepare_sys_path), which
# fails for a library that is not synced.
DEFAULT_XLWINGS_SETTINGS = {
    "Interpreter_Win": r"%LOCALAPPDATA%\tyollisyys\Scripts\pythonw.exe",
    "Interpreter_Mac": "$HOME/Library/tyollisyys/bin/python",
    "ADD_WORKBOOK_TO_PYTHONPATH": "false",
}

Rows = Mapping[str, Sequence[Mapping[str, CellValue]]]


@dataclass(frozen=True)
class Sources:
    """The checked text sources a master is built from."""

    root: Path
    schemas: dict[str, TableSchema]
    programme: Programme
    vba_modules: tuple[VbaModule, ...]  # standard and class modules, after the document modules
    lite_files: dict[str, str]  # excel/lite/main.py and requirements.txt, stored for xlwings Lite


def _xlwings_modules() -> list[VbaModule]:
    """xlwings' standalone VBA (RunPython) from the installed package, so it always matches the Python side."""
    package = Path(importlib.util.find_spec("xlwings").origin).parent  # located, not imported: importing is slow
    return [read_bas_file(package / "xlwings.bas"), _read_cls_file(package / "addin" / "Dictionary.cls")]


def _read_cls_file(path: Path) -> VbaModule:
    """A class module exported from the VBE, with the attribute header Excel itself stores for a class.

    An export drops VB_Base, VB_TemplateDerived and VB_Customizable and adds a VERSION/BEGIN..END
    block; the stored source has the former and not the latter (as in xlwings' own standalone workbook).
    """
    lines = path.read_bytes().decode("cp1252").splitlines()
    body = lines[lines.index("END") + 1 :]
    name = body[0].split('"')[1]  # Attribute VB_Name = "Dictionary"
    count = next(i for i, line in enumerate(body[1:]) if not line.startswith("Attribute VB_"))
    attributes = {line.split()[1]: line for line in body[1 : 1 + count]}
    header = [f'Attribute VB_Base = "{CLASS_BASE}"']
    header += [attributes.pop(key) for key in CLASS_ATTRIBUTES if key in attributes]
    header += ["Attribute VB_TemplateDerived = False", "Attribute VB_Customizable = False", *attributes.values()]
    return VbaModule(name=name, code="\r\n".join(header + body[1 + count :]) + "\r\n", kind="class")


def load_sources(root: Path | None = None) -> Sources:
    """Read and check every source; raises SourceError naming the file and the field."""
    root = root or source_root()
    schemas = load_table_schemas(root / "schema")
    prog = load_programme(root / "programme", root / "schema")
    bas = root / "workbook" / "vba" / VBA_MODULE_FILE
    try:
        own = read_bas_file(bas, encoding="utf-8")  # reviewed as UTF-8 text; the project stores cp1252
    except FileNotFoundError as exc:
        raise SourceError(bas, "(tiedosto)", "tiedosto puuttuu") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise SourceError(bas, "Attribute VB_Name", str(exc)) from exc
    macros = (*(b.macro for b in (*BUTTONS, IMPORT_BUTTON)), SELF_TEST_MACRO)
    missing = [macro for macro in macros if f"Public Sub {macro}()" not in own.code]
    if missing:
        raise SourceError(bas, missing[0], "painikkeen makro puuttuu moduulista")
    return Sources(root=root, schemas=schemas, programme=prog, vba_modules=(own, *_xlwings_modules()),
                   lite_files=read_lite_files(root / "excel" / "lite"))


# --- values ---------------------------------------------------------------


def to_cell(column: Column, value: Any) -> CellValue:
    """A typed value as the master's cell holds it (bool -> Kyllä/Ei, month -> first day of it, € -> float)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if column.cell_type == "bool":
        return BOOL_TEXT[bool(value)]
    if column.cell_type == "month" and isinstance(value, int):
        return dt.datetime(*year_and_month(value), 1)
    if column.cell_type == "date" and isinstance(value, str):
        return dt.datetime.fromisoformat(value)
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, Decimal):
        return float(value)
    return value


def default_rows(sources: Sources) -> dict[str, list[dict[str, CellValue]]]:
    """The reference tables as the sources give them (entry tables start empty)."""
    prog = sources.programme
    typed = {
        "mittarit": prog.indicator_rows(),
        "kunnat": prog.municipalities,
        "tukilajit": prog.subsidy_types,
        "kustannuskohteet": prog.cost_objects,
    }
    return {
        name: [{c.key: to_cell(c, row.get(c.key)) for c in sources.schemas[name].columns} for row in rows]
        for name, rows in typed.items()
    }


# --- formats --------------------------------------------------------------


class Formats:
    """xlsxwriter formats made once per workbook and shared, keyed by their properties."""

    def __init__(self, book: Workbook):
        self._book = book
        self._cache: dict[tuple, Any] = {}

    def get(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self._cache:
            self._cache[key] = self._book.add_format(props)
        return self._cache[key]

    def column(self, column: Column, unlocked: bool = False) -> Any:
        return self.get(num_format=NUMBER_FORMATS[column.cell_type], **_UNLOCKED if unlocked else {})


_UNLOCKED = {"locked": False}


def _cell_format(formats: Formats, column: Column, value: CellValue, unlocked: bool = False, **extra: Any) -> Any:
    """The column's format, unless the value's type would read back differently under it.

    A date typed into a text column stays a date and a number in a date column stays a number,
    so that carried entries read back exactly as they were. unlocked: the column stays editable on a
    protected sheet; extra: more properties (a carried fill).
    """
    lock = _UNLOCKED if unlocked else {}
    if isinstance(value, dt.date) and column.cell_type not in DATE_TYPES:
        return formats.get(num_format="d.m.yyyy", **lock, **extra)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and column.cell_type in DATE_TYPES:
        return formats.get(num_format="General", **lock, **extra)
    return formats.get(num_format=NUMBER_FORMATS[column.cell_type], **lock, **extra)


def _write_cell(sheet: Worksheet, row: int, col: int, value: CellValue, cell_format: Any) -> None:
    """Write one value by its type; text is always text (never a formula, number or link)."""
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, cell_format)
    elif isinstance(value, str):
        sheet.write_string(row, col, value, cell_format)
    else:
        raise BuildError(f"Arvoa tyyppiä {type(value).__name__} ei voi kirjoittaa soluun {xl_rowcol_to_cell(row, col)}")


# --- dropdown lists -------------------------------------------------------


def _structured_reference(schema: TableSchema, key: str) -> str:
    """tblKunnat[Kunta]: a reference that grows with the table (special characters escaped with ')."""
    header = "".join("'" + ch if ch in "[]#'" else ch for ch in schema.column(key).header)
    return f"{schema.table}[{header}]"


class Lists:
    """Dropdown sources: fixed lists on the hidden Listat sheet, or the column of another table."""

    def __init__(self, book: Workbook, sheet: Worksheet, formats: Formats, schemas: Mapping[str, TableSchema]):
        self._book, self._sheet, self._formats = book, sheet, formats
        self._by_sheet = {s.sheet: s for s in schemas.values()}
        self._fixed: dict[tuple, str] = {}
        self._table_names: set[str] = set()
        sheet.write_string(0, 0, "Pudotusvalikoiden luettelot (työkalu kirjoittaa tämän välilehden)", formats.get(bold=True))

    def for_column(self, schema: TableSchema, column: Column, rows: Rows) -> str | None:
        """The defined name of a column's dropdown source, or None when the column has no dropdown."""
        if column.list_label:
            return self._labels(schema, column, rows)
        if column.list_source and column.extra_values:
            source, key = self._source(column.list_source)
            values = [r[key] for r in rows.get(source.name, []) if r.get(key) is not None]
            return self._fixed_list(f"lst_{schema.name}_{column.key}", column.header, [*values, *column.extra_values])
        if column.list_source:
            return self._table_column(column.list_source)
        if column.cell_type == "bool":
            return self._fixed_list("lst_kylla_ei", "Kyllä/Ei", list(BOOL_TEXT.values()))
        if column.cell_type == "month":
            first, last = schema.month_range(column.key)
            months = [dt.datetime(*year_and_month(m), 1) for m in range(first, last + 1)]
            name = "lst_kuukaudet" if (first, last) == (1, 12) else f"lst_{schema.name}_{column.key}"
            return self._fixed_list(name, "Kuukausi", months, self._formats.get(num_format="m/yyyy"))
        if column.enum:
            return self._fixed_list(f"lst_{schema.name}_{column.key}", column.header, list(column.enum))
        return None

    def _labels(self, schema: TableSchema, column: Column, rows: Rows) -> str:
        """Labels such as "M06 – Laajan työttömyyden määrä (henkilöä)" of the source rows (x-list-where narrows
        them, e.g. to point-in-time indicators): the dropdown names what the code means."""
        source, _ = self._source(column.list_source)
        where = schema.json["properties"][column.key].get("x-list-where", {})
        labels = [format_label(column.list_label, r) for r in rows.get(source.name, [])
                  if all(r.get(key) == value for key, value in where.items())]
        return self._fixed_list(f"lst_{schema.name}_{column.key}", column.header, labels)

    def _source(self, list_source: str) -> tuple[TableSchema, str]:
        sheet_name, key = list_source.split(".")
        return self._by_sheet[sheet_name], key

    def _fixed_list(self, name: str, title: str, values: Sequence[CellValue], cell_format: Any = None) -> str:
        """A list written once on Listat as a defined name; the same values share one list."""
        key = tuple(values)
        if key in self._fixed:
            return self._fixed[key]
        col = len(self._fixed)
        self._sheet.write_string(1, col, title, self._formats.get(bold=True))
        self._sheet.set_column(col, col, max(14, len(title) + 2))
        for offset, value in enumerate(values):
            _write_cell(self._sheet, 2 + offset, col, value, cell_format)
        letter = xl_col_to_name(col)
        self._book.define_name(name, f"={LISTAT}!${letter}$3:${letter}${2 + len(values)}")
        self._fixed[key] = name
        return name

    def _table_column(self, list_source: str) -> str:
        """A defined name over another table's column (e.g. Sidonnat.commitment_id), so new rows show up."""
        schema, key = self._source(list_source)
        name = f"lst_{schema.name}_{key}"
        if name not in self._table_names:
            self._book.define_name(name, "=" + _structured_reference(schema, key))
            self._table_names.add(name)
        return name


def _lower_bound(column: Column, schema: TableSchema) -> tuple[str, float] | None:
    """(">=" or ">", bound) from the column's minimum / exclusiveMinimum, or None."""
    prop = schema.json["properties"][column.key]
    if "exclusiveMinimum" in prop:
        return ">", prop["exclusiveMinimum"]
    if "minimum" in prop:
        return ">=", prop["minimum"]
    return None


def _date_range(column: Column, schema: TableSchema) -> tuple[dt.date, dt.date]:
    """A date column's plausible range, from its schema: Excel refuses what validation would report."""
    prop = schema.json["properties"][column.key]
    return dt.date.fromisoformat(prop["formatMinimum"]), dt.date.fromisoformat(prop["formatMaximum"])


def _validation(column: Column, schema: TableSchema, list_name: str | None) -> dict:
    """Excel data validation for a column: a dropdown, a number or date check, and always the column's help."""
    options: dict[str, Any] = {
        "input_title": column.header[:32],
        "input_message": column.description[:255],
        "error_title": "Virheellinen arvo",
        "error_type": "stop",
    }
    if list_name and column.list_label:  # a bare code typed by hand is as good as the label: warn, do not stop
        return {**options, "validate": "list", "source": f"={list_name}", "error_type": "warning",
                "error_message": "Arvo ei ole luettelossa. Pelkkä tunnus (esim. M06) kelpaa: jatka valitsemalla Kyllä."}
    if list_name:
        return {**options, "validate": "list", "source": f"={list_name}", "error_message": "Valitse arvo luettelosta."}
    if column.cell_type == "date":
        first, last = _date_range(column, schema)
        return {
            **options,
            "validate": "date",
            "criteria": "between",
            "minimum": first,
            "maximum": last,
            "error_message": f"Anna päivämäärä väliltä {fi_value(first)}–{fi_value(last)} muodossa p.k.vvvv, esim. 15.3.2026.",
        }
    if column.cell_type in {"number", "euro"}:
        bound = _lower_bound(column, schema)
        if bound is None:
            return {**options, "validate": "decimal", "criteria": "between", "minimum": -1e12, "maximum": 1e12,
                    "error_message": "Anna luku."}
        criteria, value = bound
        text = f"Anna luku, joka on {'vähintään' if criteria == '>=' else 'suurempi kuin'} {value:g}."
        return {**options, "validate": "decimal", "criteria": criteria, "value": value, "error_message": text}
    if column.cell_type == "business_id":
        return {**options, "validate": "length", "criteria": "==", "value": 9,
                "error_message": "Anna Y-tunnus muodossa 1234567-8."}
    return {**options, "validate": "any"}


def column_validation(schema: TableSchema, key: str) -> dict:
    """The master's data validation of a column without a dropdown (the entry forms give it to their fill cells)."""
    return _validation(schema.column(key), schema, None)


# --- sheets ---------------------------------------------------------------


def _write_input_sheet(
    sheet: Worksheet, schema: TableSchema, rows: Sequence[Mapping[str, CellValue]], formats: Formats, lists: Lists,
    all_rows: Rows,
) -> None:
    """One input table: an Excel table (≥ 1 data row, as xlsxwriter requires) with formats, dropdowns and help."""
    header_format = formats.get(**HEADER_FORMAT)
    unlocked = _editable_columns(schema)
    columns = [{"header": c.header, "header_format": header_format, "format": formats.column(c, c.key in unlocked)}
               for c in schema.columns]
    last_row = max(len(rows), 1)
    sheet.add_table(0, 0, last_row, len(columns) - 1, {"name": schema.table, "style": TABLE_STYLE, "columns": columns})
    for col, column in enumerate(schema.columns):
        sheet.set_column(col, col, column.width, formats.column(column, column.key in unlocked))
        list_name = lists.for_column(schema, column, all_rows)
        sheet.data_validation(1, col, LAST_ROW, col, _validation(column, schema, list_name))
    for r, row in enumerate(rows, start=1):
        for col, column in enumerate(schema.columns):
            value = row.get(column.key)
            if value is not None:
                _write_cell(sheet, r, col, value, _cell_format(formats, column, value, column.key in unlocked))
    sheet.set_row(0, 30)
    sheet.freeze_panes(1, 0)
    input_sheet_print(sheet, [column.width for column in schema.columns])
    if schema.approved_keys:
        _protect_approved(sheet)


# What a user may still do on a protected sheet: fills (the tool's highlights), widths, heights and filters.
PROTECTION_ALLOWS = {"format_cells": True, "format_columns": True, "format_rows": True, "autofilter": True}


def _editable_columns(schema: TableSchema) -> set[str]:
    """On a sheet that holds approved programme columns (x-approved), every other column stays editable."""
    approved = set(schema.approved_keys)
    return {c.key for c in schema.columns if c.key not in approved} if approved else set()


def _protect_approved(sheet: Worksheet) -> None:
    """Protection without a password: a guard against slips of the keyboard, not security. A real change of
    the programme goes to programme/ohjelma2026.yaml and reaches the workbook with build --from."""
    sheet.protect("", PROTECTION_ALLOWS)


class Writer:
    """A top-to-bottom text layout on a sheet: headings, paragraphs and bullet lists across columns."""

    def __init__(self, sheet: Worksheet, formats: Formats, columns: tuple[int, int], width_chars: float):
        self.sheet, self.formats, self.width_chars = sheet, formats, width_chars
        self.first_col, self.last_col = columns
        self.row = 0

    def line(self, text: str, **props: Any) -> None:
        """Text across the columns, wrapped; the row is made as tall as the text needs (Excel does not
        grow merged cells itself)."""
        cell_format = self.formats.get(text_wrap=True, valign="top", **props)
        size = props.get("font_size", 11)
        lines = max(1, math.ceil(len(text) * size / 11 / self.width_chars))
        self.sheet.merge_range(self.row, self.first_col, self.row, self.last_col, "", cell_format)
        self.sheet.write_string(self.row, self.first_col, text, cell_format)
        self.sheet.set_row(self.row, max(15.0, 15.0 * lines * size / 11))
        self.row += 1

    def heading(self, text: str, size: int = 13) -> None:
        self.line(text, bold=True, font_size=size, font_color="1F4E79")

    def bullets(self, items: Iterable[str]) -> None:
        for item in items:
            self.line(f"•  {item}", indent=1)

    def gap(self, rows: int = 1) -> None:
        self.row += rows


def _write_ohjaus(book: Workbook, sheet: Worksheet, formats: Formats, sources: Sources, notice: str | None) -> None:
    """Title, the five buttons with what they do, the status of the last run, and short instructions."""
    sheet.set_column(0, 0, 3)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 2, 24)
    sheet.set_column(3, 3, 80)
    sheet.hide_gridlines(2)
    prog = sources.programme
    sheet.write_string(0, 1, f"{prog.title} – päätyökirja", formats.get(bold=True, font_size=18, font_color="1F4E79"))
    sheet.set_row(0, 28)
    municipalities = ", ".join(m["name"] for m in prog.municipalities)
    sheet.write_string(1, 1, f"{prog.area}: {municipalities}", formats.get(italic=True))
    if notice:
        row, col = NOTICE_CELL
        warning = formats.get(bold=True, font_color="FFFFFF", bg_color="C00000", text_wrap=True, valign="vcenter")
        sheet.merge_range(row, col, row, col + 2, "", warning)
        sheet.write_string(row, col, notice, warning)
        sheet.set_row(row, 48)
        book.define_name(DEMO_NAME, f"={OHJAUS}!{xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)}")

    section = formats.get(bold=True, font_size=13, font_color="1F4E79", bottom=1)
    sheet.write_string(4, 1, "Toiminnot", section)
    for index, button in enumerate(BUTTONS):
        row = 5 + 2 * index
        sheet.insert_button(row, 1, {"macro": button.macro, "caption": button.caption, "width": 200, "height": 34,
                                     "x_offset": 4, "y_offset": 3})
        sheet.merge_range(row, 3, row + 1, 3, "", formats.get(text_wrap=True, valign="vcenter"))
        sheet.write_string(row, 3, button.description, formats.get(text_wrap=True, valign="vcenter"))
        sheet.set_row(row, 20)
        sheet.set_row(row + 1, 20)

    status_row = 6 + 2 * len(BUTTONS)
    sheet.write_string(status_row, 1, "Viimeisin ajo", section)
    for offset, (name, label) in enumerate(STATUS_CELLS, start=1):
        sheet.write_string(status_row + offset, 1, label, formats.get(bold=True))
        cell = xl_rowcol_to_cell(status_row + offset, 2, row_abs=True, col_abs=True)
        number_format = "d.m.yyyy h:mm" if name == "Tila_Aika" else "General"
        status_format = formats.get(bg_color="F2F2F2", align="left", num_format=number_format)
        if name == "Tila_Tulos":  # a long text: wrapped across C:D, four lines tall, never wider than the page
            status_format = formats.get(bg_color="F2F2F2", align="left", valign="top", text_wrap=True)
            sheet.merge_range(status_row + offset, 2, status_row + offset, 3, "", status_format)
            sheet.set_row(status_row + offset, 60)
        sheet.write_blank(status_row + offset, 2, None, status_format)
        book.define_name(name, f"={OHJAUS}!{cell}")

    text = Writer(sheet, formats, (1, 3), 130)
    text.row = status_row + len(STATUS_CELLS) + 2
    text.heading("Välilehdet")
    text.bullets(
        [f"{OHJELMA}: ohjelman teksti – teemat, painopisteet, toimintatavat, mittarit ja palvelut (luettavaksi)."]
        + [f"{s.sheet}: {s.description}" for s in sources.schemas.values()]
        + [
            "Tarkistus, Toteutuminen, Kuntakortti <kunta> ja budjettiseurannan välilehdet ovat työkalun tuottamia: "
            "painikkeet kirjoittavat ne joka ajolla uudelleen, joten niihin ei kirjoiteta mitään."
        ]
    )
    text.gap()
    text.heading("Näin kirjaat")
    text.bullets(
        [
            "Kirjaa jokainen luku omalle rivilleen taulukon alimman rivin alle; taulukko laajenee itsestään. "
            "Älä lisää, poista tai nimeä uudelleen sarakkeita.",
            "Valitse mittari, kunta, tukilaji, kustannuskohde ja kuukausi pudotusvalikosta (kuukausi esim. 3/2026). "
            "Kun solu on valittuna, sen ohje näkyy solun vieressä.",
            f"Kuntakohtaiset mittarit (Mittarit: Kuntakohtainen = Kyllä) kirjataan kunnittain, muut kunnalla "
            f"\"{AREA_TOTAL}\".",
            "Osuusmittareille kirjaa osoittaja ja nimittäjä; osuus lasketaan niistä koko alueelle painotettuna.",
            "Kumulatiivisille mittareille kirjataan kuukauden uudet luvut, ei vuoden kertymää; tilannemittareille "
            "tilanne kuun lopussa. Jokaisen mittarin kirjausohje on Mittarit-välilehden Kirjausohje-sarakkeessa.",
            "Vertailuvuosi-välilehdelle kirjataan kerran tilannemittareiden kuukausiluvut 12/2024–12/2025 (esim. "
            "Työllisyyskatsauksesta): niillä kuukautta verrataan vuoden takaiseen.",
            "Mittarit-välilehti on suojattu ilman salasanaa, jottei hyväksytty ohjelma muutu vahingossa; tietolähdettä, "
            "kuukausiprofiilia, kirjausohjetta ja huomautusta voi muokata. Ohjelman muutos tehdään ohjelmatiedostoon "
            "(programme/ohjelma2026.yaml), ja päätyökirja päivitetään komennolla tyollisyys-xl build --from.",
            "Päivämäärät muodossa p.k.vvvv (esim. 15.3.2026) ja eurot lukuina ilman €-merkkiä.",
            "Lopuksi paina Tarkista syötteet ja korjaa Tarkistus-välilehden luettelemat solut.",
        ]
    )
    text.gap()
    _write_forms_section(book, sheet, formats, text)
    text.gap()
    text.heading("Tietosuoja")
    text.line(
        "Älä koskaan kirjaa henkilötunnuksia tai muita yksittäisen henkilön tunnistetietoja mihinkään soluun, "
        "ei myöskään kommentteihin. Tarkistus ilmoittaa henkilötunnuksen näköiset merkkijonot virheinä toistamatta niitä.",
        bold=True,
    )
    text.gap()
    text.heading("Asetukset")
    _write_self_test_button(sheet, text)
    text_sheet_print(sheet, (3, 30, 24, 80), text.row, 3)
    sheet.activate()


def _write_self_test_button(sheet: Worksheet, text: Writer) -> None:
    """Testaa asennus at the settings, with what it checks and where a user points to another Python."""
    sheet.insert_button(text.row, 1, {"macro": SELF_TEST_MACRO, "caption": SELF_TEST_CAPTION, "width": 200,
                                      "height": 34, "x_offset": 4, "y_offset": 3})
    sheet.set_row(text.row, 20)
    sheet.set_row(text.row + 1, 20)
    text.row += 2
    text.line(
        "Painikkeet ajavat Python-pakettia tyollisyys_xl xlwingsin kautta, joten makrot on sallittava ja koneelle on "
        "asennettava Python ja paketti (asennusohjelma excel/asenna.cmd, Macissa excel/asenna-mac.sh). Testaa asennus "
        "kertoo yhdellä painalluksella, mikä puuttuu: toimivatko makrot, mikä xlwings-versio työkirjassa on, löytyykö "
        "Python-tulkki ja saako Excel käynnistää sen."
    )
    text.line(
        "Python haetaan oletuksena asennusohjelman tekemästä kansiosta. Jos se on muualla, tuo piilotettu "
        "xlwings.conf-välilehti näkyviin (napsauta välilehteä hiiren kakkospainikkeella ja valitse Näytä) ja kirjoita "
        "Python-tulkin koko polku B-sarakkeeseen avaimen Interpreter_Win (Windows) tai Interpreter_Mac (Mac) viereen."
    )
    text.line(
        "Excelin selainversio ei aja makroja. Siellä samat toiminnot ajetaan xlwings Lite -apuohjelmalla, jonka koodi "
        "on tallennettu tähän työkirjaan (ohje: excel/README.md)."
    )
def _write_forms_section(book: Workbook, sheet: Worksheet, formats: Formats, text: Writer) -> None:
    """The monthly round on Ohjaus: what the municipalities' forms are, the import button, and the named cell
    where its macro puts the folder it collects from (Python reads it there, so no path becomes code)."""
    text.heading("Kuntien lomakkeet")
    text.line(
        "Kuukausikierros: tee kunnille lomakkeet komennolla tyollisyys-xl forms, tallenna kuntien palauttamat "
        "lomakkeet yhteen kansioon ja paina painiketta. Jokaisesta lomakkeesta tarkistetaan kunta, ohjelman versio "
        "ja arvot sekä se, ettei samaa solua ole muutettu päätyökirjassa lomakkeen tekemisen jälkeen."
    )
    row = text.row
    sheet.insert_button(row, 1, {"macro": IMPORT_BUTTON.macro, "caption": IMPORT_BUTTON.caption, "width": 200,
                                 "height": 34, "x_offset": 4, "y_offset": 3})
    description = formats.get(text_wrap=True, valign="vcenter")
    sheet.merge_range(row, 3, row + 1, 3, "", description)
    sheet.write_string(row, 3, IMPORT_BUTTON.description, description)
    sheet.set_row(row, 20)
    sheet.set_row(row + 1, 20)
    sheet.write_string(row + 2, 1, "Lomakekansio", formats.get(bold=True))
    sheet.write_blank(row + 2, 2, None, formats.get(bg_color="F2F2F2", align="left"))
    book.define_name(IMPORT_FOLDER_NAME, f"={OHJAUS}!{xl_rowcol_to_cell(row + 2, 2, row_abs=True, col_abs=True)}")
    text.row = row + 3


def _write_ohjelma(sheet: Worksheet, formats: Formats, prog: Programme) -> None:
    """The programme as readable text: themes, focus areas with their lists and indicators, and the services."""
    widths = (8, 7, 58, 30, 30)
    text_sheet_print(sheet, widths)
    for col, width in enumerate(widths):
        sheet.set_column(col, col, width)
    text = Writer(sheet, formats, (0, len(widths) - 1), sum(widths) * 0.95)
    text.line(prog.title, bold=True, font_size=18, font_color="1F4E79")
    text.line(prog.area, italic=True)
    text.gap()
    header = formats.get(bold=True, bg_color="DDEBF7", border=1, text_wrap=True, valign="top")
    cell = formats.get(border=1, text_wrap=True, valign="top")
    sections = (
        ("staff_in_practice", "Miten henkilöstö toimii arjessa"),
        ("leadership", "Miten johdetaan"),
        ("cooperation_with_municipalities", "Miten kehitetään ja toimitaan yhteistyössä sopijakuntien kanssa"),
    )
    for theme in prog.themes:
        text.heading(theme["name"], size=15)
        for focus in (f for f in prog.focus_areas if f["theme"] == theme["id"]):
            text.heading(focus["name"], size=13)
            if focus.get("description"):
                text.line(focus["description"], italic=True)
            text.line(focus["introduction"])
            for key, title in sections:
                text.line(title, bold=True)
                text.bullets(focus[key])
            indicators = [i for i in prog.indicators if i["focus_area"] == focus["id"]]
            for col, title in enumerate(("Taso", "Tunnus", "Mittari", "Lähtöarvo", "Tavoite")):
                sheet.write_string(text.row, col, title, header)
            text.row += 1
            for ind in indicators:
                values = (ind["level"], ind["id"], ind["name"], ind["baseline_text"], ind["target_text"])
                for col, value in enumerate(values):
                    sheet.write_string(text.row, col, value, cell)
                sheet.set_row(text.row, 15.0 * max(1, math.ceil(len(ind["name"]) / 55)))
                text.row += 1
            text.gap()
    text.heading("Palvelut", size=15)
    groups: dict[str, list[str]] = {}
    for item in prog.service_catalogue:
        groups.setdefault(item["group"], []).append(item["service"])
    for group, services in groups.items():
        text.line(group, bold=True)
        text.bullets(services)


def _has_value(value: CellValue) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _with_default_settings(settings: Mapping[str, CellValue]) -> dict[str, CellValue]:
    """The master's own xlwings settings, unless settings name the key (a key given as None is dropped)."""
    given = {key.casefold() for key in settings}
    defaults = {k: v for k, v in DEFAULT_XLWINGS_SETTINGS.items() if k.casefold() not in given}
    return {**defaults, **settings}


def _write_xlwings_conf(sheet: Worksheet, formats: Formats, settings: Mapping[str, CellValue]) -> None:
    """xlwings reads keys from A1 down to the first empty cell and each value beside its key, nothing else.

    A key without a value is left out: on the sheet it would hide the same key in the user's xlwings.conf
    file. The guidance stands in column D, which xlwings never reads, so a user's keys cannot run into it.
    """
    sheet.set_column(0, 0, 22)
    sheet.set_column(1, 1, 60)
    sheet.set_column(GUIDANCE_COLUMN, GUIDANCE_COLUMN, 110)
    text_format = formats.get(num_format="@")
    for row, (key, value) in enumerate((k, v) for k, v in settings.items() if _has_value(v)):
        sheet.write_string(row, 0, key, text_format)
        _write_cell(sheet, row, 1, value, text_format if isinstance(value, str) else None)
    sheet.write_string(0, GUIDANCE_COLUMN, "Ohje (xlwings ei lue tätä saraketta)", formats.get(bold=True))
    guidance = (
        "xlwings lukee asetukset tältä välilehdeltä: avain A-sarakkeeseen A1-solusta alkaen ilman tyhjiä rivejä "
        "väliin, arvo samalle riville B-sarakkeeseen.",
        "Valmiina ovat Interpreter_Win (Windows) ja Interpreter_Mac (Mac). Ne osoittavat Pythoniin, jonka "
        "asennusohjelma (excel/asenna.cmd tai excel/asenna-mac.sh) tekee käyttäjän omaan kansioon. %LOCALAPPDATA% ja "
        "$HOME tarkoittavat kunkin käyttäjän omaa kansiota, joten sama työkirja toimii kaikilla.",
        "ADD_WORKBOOK_TO_PYTHONPATH = false: paketti on asennettu, joten Pythonin ei tarvitse etsiä koodia "
        "työkirjan kansiosta. Näin painikkeet toimivat myös, kun työkirja on avattu SharePointista tai OneDrivesta.",
        "Jos Python on asennettu muualle, kirjoita Python-tulkin koko polku avaimen viereen B-sarakkeeseen "
        "(Windowsissa pythonw.exe, Macissa bin/python). Muuta ei tarvitse muuttaa. Paina sitten Ohjaus-välilehden "
        "Testaa asennus -painiketta.",
        "Kirjoita vain asetukset, joille annat arvon. Tällä välilehdellä oleva avain ohittaa saman avaimen "
        "xlwings.conf-tiedostossa, myös silloin kun sen arvo on tyhjä. Jos haluat käyttää tiedostoa, poista koko "
        "rivi (napsauta rivinumeroa hiiren kakkospainikkeella ja valitse Poista).",
        "Työkirjan viereen tallennettua xlwings.conf-tiedostoa ei lueta, kun työkirja on avattu OneDrivesta, "
        "SharePointista tai Teamsista: anna asetukset tällä välilehdellä.",
        "Avaimet: " + ", ".join(XLWINGS_KEYS) + ".",
    )
    for row, line in enumerate(guidance, start=1):
        sheet.write_string(row, GUIDANCE_COLUMN, line, formats.get(italic=True))


def _write_card_template(book: Workbook, sheet: Worksheet, sources: Sources, rows: Rows) -> None:
    """The hidden template of the municipality cards, laid out for the reference tables being built:
    the Excel buttons make each card as a copy of it (tyollisyys_xl.core.reports.cards)."""
    from tyollisyys_xl.core.reports.cards import card_template
    from tyollisyys_xl.core.validation import validate_sheets
    from tyollisyys_xl.io.xlsxwriter_target import SheetWriter

    sheets = {
        schema.sheet: [schema.headers, *([row.get(column.key) for column in schema.columns] for row in rows.get(name, []))]
        for name, schema in sources.schemas.items()
    }
    template = card_template(validate_sheets(sheets, schemas=sources.schemas).tables)
    if template is None:  # no municipalities: nothing to lay out
        sheet.hide()
        return
    SheetWriter(book).render(sheet, template)


def _sheet_names(sources: Sources) -> list[str]:
    """The master's sheets in order: Ohjaus, Ohjelma, the input sheets, then the hidden helpers."""
    return [OHJAUS, OHJELMA, *(s.sheet for s in sources.schemas.values()), LISTAT, XLWINGS_CONF, TEMPLATE_SHEET]


def _vba_project(sources: Sources, sheet_count: int) -> bytes:
    """ThisWorkbook and one document module per sheet (codeNames Sheet1..N), then the code modules."""
    documents = [VbaModule("ThisWorkbook", "", "document")]
    documents += [VbaModule(f"Sheet{i}", "", "document") for i in range(1, sheet_count + 1)]
    return build_vba_project([*documents, *sources.vba_modules])


def _write_carried(sheet: Worksheet, extras: SheetExtras, formats: Formats, rows: Sequence[Mapping[str, CellValue]],
                   schema: TableSchema | None) -> None:
    """What `build --from` carries besides values (see master/carry.py), over what the sheet already holds:
    formulas with their cached results, fills, notes, hidden rows, and a user's own cells on a text sheet."""
    def value_at(row: int, col: int) -> CellValue:
        if schema is None or not 1 <= row <= len(rows) or col >= len(schema.columns):
            return None
        return rows[row - 1].get(schema.columns[col].key)

    def cell_format(row: int, col: int, value: CellValue) -> Any:
        fill = {"pattern": 1, "bg_color": "#" + extras.fills[(row, col)]} if (row, col) in extras.fills else {}
        if schema is None or col >= len(schema.columns):
            return formats.get(**fill) if fill else None
        if row == 0:
            return formats.get(**HEADER_FORMAT, **fill)
        return _cell_format(formats, schema.columns[col], value, **fill)

    for (row, col), value in extras.values.items():
        _write_cell(sheet, row, col, value, None)
    for (row, col) in extras.fills:
        if row == 0 and schema is not None and col < len(schema.columns):
            sheet.write_string(row, col, schema.columns[col].header, cell_format(row, col, None))
        elif (row, col) not in extras.formulas:
            value = value_at(row, col)
            if value is None:
                sheet.write_blank(row, col, None, cell_format(row, col, None))
            else:
                _write_cell(sheet, row, col, value, cell_format(row, col, value))
    for (row, col), (formula, cached) in extras.formulas.items():
        sheet.write_formula(row, col, formula, cell_format(row, col, cached), excel_result(cached))
    for (row, col), (text, author) in extras.notes.items():
        sheet.write_comment(row, col, text, {"author": author} if author else {})
    for row in sorted(extras.hidden_rows):
        sheet.set_row(row, 30 if row == 0 else None, None, {"hidden": True})


def _write_workbook(
    path: Path, sources: Sources, rows: Rows, notice: str | None, settings: Mapping[str, CellValue],
    extras: Mapping[str, SheetExtras] | None = None,
) -> None:
    book = xlsxwriter.Workbook(
        str(path),
        {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    prog = sources.programme
    book.set_properties(
        {
            "title": prog.title,
            "subject": prog.area,
            "author": "tyollisyys-xl",
            "company": prog.area,
            "comments": notice or "Päätyökirja: rakennettu lähteistä komennolla tyollisyys-xl build.",
            "created": BUILD_TIME,
        }
    )
    book.set_size(1600, 1000)
    formats = Formats(book)
    names = _sheet_names(sources)
    sheets = {name: book.add_worksheet(name) for name in names}
    book.set_vba_name("ThisWorkbook")
    for index, name in enumerate(names, start=1):
        sheets[name].set_vba_name(f"Sheet{index}")
    lists = Lists(book, sheets[LISTAT], formats, sources.schemas)
    _write_ohjaus(book, sheets[OHJAUS], formats, sources, notice)
    _write_ohjelma(sheets[OHJELMA], formats, prog)
    for name, schema in sources.schemas.items():
        _write_input_sheet(sheets[schema.sheet], schema, rows.get(name, []), formats, lists, rows)
    _write_xlwings_conf(sheets[XLWINGS_CONF], formats, _with_default_settings(settings))
    _write_card_template(book, sheets[TEMPLATE_SHEET], sources, rows)
    by_sheet = {schema.sheet: (schema, rows.get(name, [])) for name, schema in sources.schemas.items()}
    for name, sheet_extras in (extras or {}).items():
        schema, sheet_rows = by_sheet.get(name, (None, []))
        _write_carried(sheets[name], sheet_extras, formats, sheet_rows, schema)
    sheets[LISTAT].hide()
    sheets[XLWINGS_CONF].hide()
    book.add_vba_project(io.BytesIO(_vba_project(sources, len(names))), is_stream=True)
    book.close()
    add_lite_parts(path, sources.lite_files)


# --- writing, refusing, checking -----------------------------------------


def _mode_for(out_path: Path) -> int:
    """Keep an existing file's permissions; a new file gets what the user's umask allows (mkstemp makes 0600)."""
    if out_path.exists():
        return out_path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_atomically(out_path: Path, write: Callable[[Path], None], verify: Callable[[Path], None] | None = None) -> Path:
    """Write to a temporary file beside out_path, verify it, then move it over out_path in one step.

    On any failure the temporary file is removed and out_path stays exactly as it was.
    """
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{out_path.stem}-", suffix=out_path.suffix, dir=out_path.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        write(temp)
        if verify:
            verify(temp)
        temp.chmod(_mode_for(out_path))
        os.replace(temp, out_path)
    except PermissionError as exc:
        raise BuildError(f"Tiedostoon {out_path} ei voi kirjoittaa ({os_reason(exc)}). Jos se on auki Excelissä, "
                         "sulje se ja yritä uudelleen.") from exc
    finally:
        temp.unlink(missing_ok=True)
    return out_path


def entry_row_counts(path: Path, schemas: Mapping[str, TableSchema]) -> dict[str, int]:
    """Rows in the entry tables (those the builder leaves empty) of an existing workbook, by sheet."""
    tables = read_input_tables(open_workbook(path), {n: s for n, s in schemas.items() if n not in REFERENCE_TABLES})
    return {t.schema.sheet: len(t.rows) for t in tables.values() if t.rows}


def refuse_if_entries(path: Path, schemas: Mapping[str, TableSchema]) -> None:
    """Entries typed into a master exist nowhere else: never overwrite them with an empty build."""
    if not Path(path).exists():
        return
    try:
        counts = entry_row_counts(path, schemas)
    except BuildError as exc:
        raise BuildError(f"Tiedostoa {path} ei korvata: sitä ei voi lukea työkirjana, joten ei voi tarkistaa, "
                         f"onko siinä kirjauksia. Siirrä tai poista se itse. ({exc})") from exc
    if counts:
        listed = ", ".join(f"{sheet} {count} riviä" for sheet, count in counts.items())
        raise BuildError(
            f"Työkirjaa {path} ei korvata: sen syöttötauluissa on kirjauksia ({listed}). "
            f"Siirrä kirjaukset uuteen päätyökirjaan komennolla: tyollisyys-xl build --from {path} UUSI.xlsm"
        )


def build_master(
    out_path: Path | str | None = None,
    sources: Path | Sources | None = None,
    *,
    rows: Rows | None = None,
    notice: str | None = None,
    xlwings_settings: Mapping[str, CellValue] | None = None,
    replace_entries: bool = False,
    verify: Callable[[Path], None] | None = None,
    extras: Mapping[str, SheetExtras] | None = None,
) -> Path:
    """Build a master workbook at out_path (default: the repository's workbook/Tyollisyysohjelma2026.xlsm).

    sources: a folder holding schema/, programme/, workbook/vba/ and excel/lite/ (default: the package's own), or
    loaded Sources. rows: cell values per table (schema name -> rows keyed by schema key); a table
    given here replaces its default rows. notice: a note shown on Ohjaus (the demo marks itself
    fictional). xlwings_settings: keys and values for the hidden xlwings.conf sheet (a key without a value
    is left out). extras: formulas, notes, fills, hidden rows and cells per sheet that `build --from` carries
    (master/carry.py). Refuses (BuildError) to overwrite a workbook whose entry tables hold rows unless
    replace_entries. Raises SourceError for a malformed source; nothing is written then.
    """
    out_path = Path(out_path) if out_path else master_workbook()
    loaded = sources if isinstance(sources, Sources) else load_sources(sources)
    if not replace_entries:
        refuse_if_entries(out_path, loaded.schemas)
    all_rows = {**default_rows(loaded), **(rows or {})}
    settings = xlwings_settings or {}
    return write_atomically(out_path, lambda temp: _write_workbook(temp, loaded, all_rows, notice, settings, extras),
                            verify)


def build_fresh(path: Path, sources: Sources, notice: str | None = None,
                settings: Mapping[str, CellValue] | None = None) -> None:
    """A master of the sources' own rows at path, written directly (for comparing with, not for users)."""
    _write_workbook(path, sources, default_rows(sources), notice, settings or {})


def _zip_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _part_label(part: str, sheet_names: list[str]) -> str:
    """xl/worksheets/sheet3.xml -> 'xl/worksheets/sheet3.xml (Mittarit)'."""
    match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", part)
    if match and int(match.group(1)) <= len(sheet_names):
        return f"{part} ({sheet_names[int(match.group(1)) - 1]})"
    return part


def check_master(path: Path | str | None = None, sources: Path | Sources | None = None) -> list[str]:
    """Parts (zip members) in which the workbook at path differs from a fresh build of the sources; [] = in step.

    Worksheet parts are labelled with their sheet's name, e.g. "xl/worksheets/sheet3.xml (Mittarit)".
    """
    path = Path(path) if path else master_workbook()
    if not path.is_file():
        raise BuildError(f"Työkirjaa {path} ei ole.")
    loaded = sources if isinstance(sources, Sources) else load_sources(sources)
    with tempfile.TemporaryDirectory() as folder:
        fresh = Path(folder) / path.name
        build_fresh(fresh, loaded)
        expected = _zip_parts(fresh.read_bytes())
    try:
        actual = _zip_parts(Snapshot.take(path).data)  # refused first if it is no workbook or a zip bomb
    except WorkbookReadError as exc:
        raise BuildError(f"{exc} Rakenna se uudelleen komennolla: tyollisyys-xl build") from exc
    except zipfile.BadZipFile as exc:
        raise BuildError(f"Työkirja {path} ei ole kelvollinen xlsm-tiedosto (zip-paketti on vioittunut). "
                         "Rakenna se uudelleen komennolla: tyollisyys-xl build") from exc
    parts = sorted(set(expected) | set(actual))
    sheet_names = _sheet_names(loaded)
    return [_part_label(part, sheet_names) for part in parts if expected.get(part) != actual.get(part)]
