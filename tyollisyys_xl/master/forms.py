"""`forms MASTER --out DIR`: one small macro-free entry form per municipality, written with XlsxWriter.

A form opens anywhere (Excel on the web included): a Toteumat grid of the indicators the municipality
enters (rows with name, what is entered, unit and instruction) by month, prefilled from the master, and
a Palvelukustannukset grid where the municipality produces services itself. Only the fill cells are
unlocked; they carry the master's data validation for their column. A very hidden sheet holds the
marks (core.forms): municipality, programme version, master state and every prefilled value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from tyollisyys_xl.core.forms import (
    COSTS,
    ENTRIES,
    FIELD_WORDS,
    FillCell,
    FormPlan,
    FormTables,
    marks_rows,
    plan_form,
    text_of,
)
from tyollisyys_xl.core.months import month_label
from tyollisyys_xl.master.builder import write_atomically
from tyollisyys_xl.master.input_sheets import column_validation
from tyollisyys_xl.schemas import NUMBER_FORMATS
from tyollisyys_xl.master.reading import BuildError, open_workbook, read_input_tables
from tyollisyys_xl.schemas import TableSchema, table_schemas

MARKS_SHEET = "Lomaketiedot"
SHEETS = {ENTRIES: "Toteumat", COSTS: "Palvelukustannukset"}
LABELS = {ENTRIES: ("Tunnus", "Mittari", "Kirjataan", "Yksikkö", "Ohje"), COSTS: ("Kustannuskohde", "Kuvaus")}
WIDTHS = {ENTRIES: (8, 44, 11, 16, 40), COSTS: (34, 44)}
HEADER_ROW = 4  # 0-based: title, instruction, provenance, blank, headers
FILL_COLOUR = "FFF2CC"
UNSAFE_IN_FILE_NAMES = re.compile(r'[<>:"/\\|?*\x00-\x1f]')


@dataclass(frozen=True)
class WrittenForm:
    path: Path
    plan: FormPlan


def form_file_name(municipality: str) -> str:
    """The form's file name: the municipality's own name (characters no file system takes replaced by _)."""
    return UNSAFE_IN_FILE_NAMES.sub("_", municipality).strip() + ".xlsx"


def _instructions(plan: FormPlan, table: str) -> list[str]:
    months = f"{month_label(plan.months[0])}–{month_label(plan.months[-1])}"
    if table == ENTRIES:
        return [f"Toteumat {months} – {plan.municipality} ({plan.code})",
                "Täytä keltaiset solut kunnan omista luvuista; kuukauden luku kuukauden sarakkeeseen. Muut solut on "
                "lukittu. Tyhjä solu = ei tietoa (ei nolla). Korjaa tarvittaessa myös aiempia kuukausia.",
                "Palauta lomake työllisyysalueelle sellaisenaan: älä nimeä sitä uudelleen äläkä kopioi sen soluja "
                "toiseen tiedostoon."]
    return [f"Palvelukustannukset {months} – {plan.municipality} ({plan.code})",
            "Kirjaa keltaisiin soluihin kunnan itse tuottamien palveluiden kustannukset euroina kuukausittain "
            "(ilman €-merkkiä).", ""]


def _write_grid(book: Any, sheet: Any, plan: FormPlan, table: str, schema: TableSchema) -> dict[FillCell, str]:
    """One grid sheet; returns the address of each fill cell."""
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "DDEBF7", "border": 1, "text_wrap": True, "valign": "top"})
    label = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    number_format = NUMBER_FORMATS["euro"] if table == COSTS else "General"
    fill = book.add_format({"locked": False, "bg_color": FILL_COLOUR, "border": 1, "num_format": number_format})
    lines = _instructions(plan, table)
    sheet.write_string(0, 0, lines[0], title)
    for row, line in enumerate(lines[1:], start=1):
        sheet.write_string(row, 0, line)
    labels, first_month = LABELS[table], len(LABELS[table])
    for col, (text, width) in enumerate(zip(labels, WIDTHS[table])):
        sheet.write_string(HEADER_ROW, col, text, header)
        sheet.set_column(col, col, width)
    for offset, month in enumerate(plan.months):
        sheet.write_string(HEADER_ROW, first_month + offset, month_label(month), header)
    sheet.set_column(first_month, first_month + len(plan.months) - 1, 11)
    addresses = {}
    for r, grid_row in enumerate(plan.rows_of(table), start=HEADER_ROW + 1):
        texts = ((grid_row.item, grid_row.label, FIELD_WORDS[grid_row.field], grid_row.unit, grid_row.instruction)
                 if table == ENTRIES else (grid_row.item, grid_row.instruction))
        for col, text in enumerate(texts):
            sheet.write_string(r, col, text, label)
        for offset, month in enumerate(plan.months):
            cell = FillCell(table, grid_row.item, grid_row.field, month)
            value = plan.prefill[cell]
            col = first_month + offset
            if isinstance(value, float):
                sheet.write_number(r, col, value, fill)
            elif value is not None:
                sheet.write_string(r, col, value, fill)  # text the master holds: shown as it is, never a formula
            else:
                sheet.write_blank(r, col, None, fill)
            addresses[cell] = f"{SHEETS[table]}!{xl_rowcol_to_cell(r, col)}"
        check = {**column_validation(schema, grid_row.field), "input_title": grid_row.item[:32],
                 "input_message": (grid_row.instruction or FIELD_WORDS[grid_row.field])[:255]}
        sheet.data_validation(r, first_month, r, first_month + len(plan.months) - 1, check)
    sheet.freeze_panes(HEADER_ROW + 1, first_month)
    sheet.protect("", {"select_locked_cells": True, "select_unlocked_cells": True})
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    return addresses


def _write_marks(sheet: Any, plan: FormPlan, addresses: dict[FillCell, str]) -> None:
    for r, line in enumerate(marks_rows(plan, addresses)):
        for c, value in enumerate(line):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            elif value is not None:
                sheet.write_string(r, c, str(value))
    sheet.very_hidden()


def write_form(path: Path, plan: FormPlan, schemas: dict[str, TableSchema]) -> Path:
    """The form of one plan at path (atomically: a half-written form never stands there)."""

    def write(temp: Path) -> None:
        book = xlsxwriter.Workbook(str(temp), {"strings_to_numbers": False, "strings_to_formulas": False,
                                               "strings_to_urls": False})
        book.set_properties({"title": f"Toteumalomake {plan.municipality}", "author": "tyollisyys-xl"})
        addresses: dict[FillCell, str] = {}
        for table in (ENTRIES, COSTS):
            if plan.rows_of(table):
                addresses |= _write_grid(book, book.add_worksheet(SHEETS[table]), plan, table, schemas[table])
        _write_marks(book.add_worksheet(MARKS_SHEET), plan, addresses)
        book.close()

    return write_atomically(path, write)


def make_forms(master: Path, out: Path, month: int | None = None) -> list[WrittenForm]:
    """One form per municipality of the master's Kunnat table in out; refuses (BuildError, nothing written) when
    a form of that name is already there, since it may hold a municipality's answers."""
    from tyollisyys_xl.core.forms import default_month

    schemas = table_schemas()
    tables = read_input_tables(open_workbook(Path(master)), schemas)
    missing = [t.schema.sheet for name, t in tables.items()
               if name in ("mittarit", "kunnat", "toteumat", "kustannuskohteet", "palvelukustannukset")
               and (not t.present or t.missing_required)]
    if missing:
        raise BuildError(f"Päätyökirjasta {master} puuttuu lomakkeisiin tarvittavia tietoja ({', '.join(missing)}).")
    rows = {name: t.rows for name, t in tables.items() if t.present}
    last_month = month or default_month(rows)
    names = [text_of(r.get("name")) for r in rows["kunnat"] if text_of(r.get("name"))]
    paths = {name: Path(out) / form_file_name(name) for name in names}
    existing = [str(p) for p in paths.values() if p.exists()]
    if existing:
        raise BuildError("Lomakkeita ei kirjoitettu, koska kansiossa on jo samannimisiä tiedostoja (niissä voi olla "
                         f"kuntien vastauksia): {', '.join(existing)}. Valitse uusi kansio.")
    indexed = FormTables(rows, schemas)
    return [WrittenForm(write_form(paths[name], plan, schemas), plan)
            for name in names for plan in [plan_form(rows, schemas, name, last_month, indexed)]]
