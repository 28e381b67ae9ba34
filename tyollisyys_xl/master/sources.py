"""The checked text sources a master is built from: table schemas, the programme, the VBA modules (the
project's own and xlwings' standalone ones) and the xlwings Lite files; and the reference tables' rows."""

from __future__ import annotations

import datetime as dt
import importlib.util
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from tyollisyys_xl.core.months import year_and_month
from tyollisyys_xl.master.layout import BOOL_TEXT
from tyollisyys_xl.master.lite_parts import read_lite_files
from tyollisyys_xl.master.reading import CellValue
from tyollisyys_xl.master.text_sheets import BUTTONS, IMPORT_BUTTON, SELF_TEST_MACRO
from tyollisyys_xl.master.vba_project import VbaModule, read_bas_file
from tyollisyys_xl.programme import TEXTS_FILE, Programme, load_programme, load_texts
from tyollisyys_xl.resources import source_root
from tyollisyys_xl.schemas import Column, SourceError, TableSchema, load_table_schemas

VBA_MODULE_FILE = "Tyollisyys.bas"
CLASS_BASE = "0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"  # the VB_Base of every VBA class module
CLASS_ATTRIBUTES = ("VB_GlobalNameSpace", "VB_Creatable", "VB_PredeclaredId", "VB_Exposed")

# Tables the builder fills from the sources; the others start empty and hold entries.
REFERENCE_TABLES = ("mittarit", "kunnat", "tukilajit", "kustannuskohteet")


@dataclass(frozen=True)
class Sources:
    """The checked text sources a master is built from."""

    root: Path
    schemas: dict[str, TableSchema]
    programme: Programme
    vba_modules: tuple[VbaModule, ...]  # standard and class modules, after the document modules
    lite_files: dict[str, str]  # excel/lite/main.py and requirements.txt, stored for xlwings Lite
    texts: dict  # programme/tekstit.yaml: the instruction texts of Ohjaus, Ohjelma and xlwings.conf


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
    texts = load_texts(root / "programme", root / "schema")
    undescribed = [b.macro for b in (*BUTTONS, IMPORT_BUTTON) if b.macro not in texts["buttons"]]
    if undescribed:
        raise SourceError(root / "programme" / TEXTS_FILE, f"buttons/{undescribed[0]}", "painikkeen kuvaus puuttuu")
    return Sources(root=root, schemas=schemas, programme=prog, vba_modules=(own, *_xlwings_modules()),
                   lite_files=read_lite_files(root / "excel" / "lite"), texts=texts)


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


