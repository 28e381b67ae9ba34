"""The text sheets of the master: Ohjaus (buttons, status of the last run, instructions), Ohjelma (the
programme as readable text) and xlwings.conf (xlwings' settings with their guidance)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from tyollisyys_xl.io.generated import DEMO_NAME
from tyollisyys_xl.master.layout import OHJAUS, OHJELMA, Formats, write_cell
from tyollisyys_xl.master.printing import text_sheet_print
from tyollisyys_xl.master.reading import CellValue
from tyollisyys_xl.programme import AREA_TOTAL, Programme

if TYPE_CHECKING:
    from tyollisyys_xl.master.sources import Sources

NOTICE_CELL = (2, 1)  # Ohjaus!B3 (0-based row, column): the note a demo workbook carries


@dataclass(frozen=True)
class Button:
    """A button on Ohjaus; what it does is told in programme/tekstit.yaml under its macro."""

    macro: str  # Public Sub in workbook/vba/Tyollisyys.bas
    caption: str  # also the job's label (jobs.py) and the xlwings Lite script's name (excel/lite/main.py)
    entry_point: str  # function in tyollisyys_xl.excel the macro runs


BUTTONS = (
    Button("TarkistaSyotteet", "Tarkista syötteet", "validate_entries"),
    Button("LaskeToteutuminen", "Laske toteutuminen", "compute_attainment"),
    Button("LuoKuntakortit", "Luo kuntakortit", "make_municipality_cards"),
    Button("PaivitaBudjettiseuranta", "Päivitä budjettiseuranta", "update_budget_tracking"),
    Button("PaivitaKaikki", "Päivitä kaikki", "update_all"),
)

# The self-test button on Ohjaus (workbook/vba/Tyollisyys.bas): its macro starts no Python for its first
# checks, so it runs no entry point of tyollisyys_xl.excel.
SELF_TEST_MACRO, SELF_TEST_CAPTION = "TestaaAsennus", "Testaa asennus"
# The button that collects the municipalities' entry forms (its own section on Ohjaus, see _write_forms_section).
IMPORT_BUTTON = Button("TuoKuntienLomakkeet", "Tuo kuntien lomakkeet", "import_forms")
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


def write_ohjaus(book: Workbook, sheet: Worksheet, formats: Formats, sources: Sources, notice: str | None) -> None:
    """Title, the five buttons with what they do, the status of the last run, and short instructions."""
    sheet.set_column(0, 0, 3)
    sheet.set_column(1, 1, 30)
    sheet.set_column(2, 2, 24)
    sheet.set_column(3, 3, 80)
    sheet.hide_gridlines(2)
    prog, texts = sources.programme, sources.texts["ohjaus"]
    sheet.write_string(0, 1, texts["title"].format(title=prog.title), formats.get(bold=True, font_size=18, font_color="1F4E79"))
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
    sheet.write_string(4, 1, texts["actions_heading"], section)
    for index, button in enumerate(BUTTONS):
        _put_button(sheet, 5 + 2 * index, button.macro, button.caption, (formats, sources.texts["buttons"][button.macro]))

    status_row = 6 + 2 * len(BUTTONS)
    sheet.write_string(status_row, 1, texts["status_heading"], section)
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
    sheets = texts["sheets"]
    text.heading(sheets["heading"])
    text.bullets([f"{OHJELMA}: {sheets['ohjelma']}", *(f"{s.sheet}: {s.description}" for s in sources.schemas.values()),
                  sheets["generated"]])
    text.gap()
    text.heading(texts["entering"]["heading"])
    text.bullets(bullet.format(area_total=AREA_TOTAL) for bullet in texts["entering"]["bullets"])
    text.gap()
    _write_forms_section(book, sheet, formats, text, texts["forms"], sources.texts["buttons"][IMPORT_BUTTON.macro])
    text.gap()
    text.heading(texts["privacy"]["heading"])
    text.line(texts["privacy"]["text"], bold=True)
    text.gap()
    text.heading(texts["settings"]["heading"])
    _write_self_test_button(sheet, text, texts["settings"]["paragraphs"])
    text_sheet_print(sheet, (3, 30, 24, 80), text.row, 3)
    sheet.activate()


def _put_button(sheet: Worksheet, row: int, macro: str, caption: str,
                described: tuple[Formats, str] | None = None) -> None:
    """A button in column B over two rows, and what it does in D beside it when described (formats, text)."""
    sheet.insert_button(row, 1, {"macro": macro, "caption": caption, "width": 200, "height": 34,
                                 "x_offset": 4, "y_offset": 3})
    if described:
        formats, description = described
        cell_format = formats.get(text_wrap=True, valign="vcenter")
        sheet.merge_range(row, 3, row + 1, 3, "", cell_format)
        sheet.write_string(row, 3, description, cell_format)
    sheet.set_row(row, 20)
    sheet.set_row(row + 1, 20)


def _write_self_test_button(sheet: Worksheet, text: Writer, paragraphs: Iterable[str]) -> None:
    """Testaa asennus at the settings, with what it checks and where a user points to another Python."""
    _put_button(sheet, text.row, SELF_TEST_MACRO, SELF_TEST_CAPTION)
    text.row += 2
    for paragraph in paragraphs:
        text.line(paragraph)


def _write_forms_section(book: Workbook, sheet: Worksheet, formats: Formats, text: Writer, texts: Mapping[str, str],
                         button_description: str) -> None:
    """The monthly round on Ohjaus: what the municipalities' forms are, the import button, and the named cell
    where its macro puts the folder it collects from (Python reads it there, so no path becomes code)."""
    text.heading(texts["heading"])
    text.line(texts["text"])
    row = text.row
    _put_button(sheet, row, IMPORT_BUTTON.macro, IMPORT_BUTTON.caption, (formats, button_description))
    sheet.write_string(row + 2, 1, texts["folder_label"], formats.get(bold=True))
    sheet.write_blank(row + 2, 2, None, formats.get(bg_color="F2F2F2", align="left"))
    book.define_name(IMPORT_FOLDER_NAME, f"={OHJAUS}!{xl_rowcol_to_cell(row + 2, 2, row_abs=True, col_abs=True)}")
    text.row = row + 3


def write_ohjelma(sheet: Worksheet, formats: Formats, prog: Programme, texts: Mapping[str, Any]) -> None:
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
    for theme in prog.themes:
        text.heading(theme["name"], size=15)
        for focus in (f for f in prog.focus_areas if f["theme"] == theme["id"]):
            text.heading(focus["name"], size=13)
            if focus.get("description"):
                text.line(focus["description"], italic=True)
            text.line(focus["introduction"])
            for key, title in texts["sections"].items():
                text.line(title, bold=True)
                text.bullets(focus[key])
            indicators = [i for i in prog.indicators if i["focus_area"] == focus["id"]]
            for col, title in enumerate(texts["indicator_columns"]):
                sheet.write_string(text.row, col, title, header)
            text.row += 1
            for ind in indicators:
                values = (ind["level"], ind["id"], ind["name"], ind["baseline_text"], ind["target_text"])
                for col, value in enumerate(values):
                    sheet.write_string(text.row, col, value, cell)
                sheet.set_row(text.row, 15.0 * max(1, math.ceil(len(ind["name"]) / 55)))
                text.row += 1
            text.gap()
    text.heading(texts["services_heading"], size=15)
    groups: dict[str, list[str]] = {}
    for item in prog.service_catalogue:
        groups.setdefault(item["group"], []).append(item["service"])
    for group, services in groups.items():
        text.line(group, bold=True)
        text.bullets(services)


def _has_value(value: CellValue) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def with_default_settings(settings: Mapping[str, CellValue]) -> dict[str, CellValue]:
    """The master's own xlwings settings, unless settings name the key (a key given as None is dropped)."""
    given = {key.casefold() for key in settings}
    defaults = {k: v for k, v in DEFAULT_XLWINGS_SETTINGS.items() if k.casefold() not in given}
    return {**defaults, **settings}


def write_xlwings_conf(sheet: Worksheet, formats: Formats, settings: Mapping[str, CellValue],
                       texts: Mapping[str, Any]) -> None:
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
        write_cell(sheet, row, 1, value, text_format if isinstance(value, str) else None)
    sheet.write_string(0, GUIDANCE_COLUMN, texts["heading"], formats.get(bold=True))
    guidance = [line.format(keys=", ".join(XLWINGS_KEYS)) for line in texts["guidance"]]
    for row, line in enumerate(guidance, start=1):
        sheet.write_string(row, GUIDANCE_COLUMN, line, formats.get(italic=True))


