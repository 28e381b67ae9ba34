"""The JSON Schemas in schema/: the single source of every input table's columns, types and allowed values."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # jsonschema is imported where it is used: `validate` trusts the shipped schemas and never needs it
    from jsonschema import Draft202012Validator
    from referencing import Registry

from tyollisyys_xl.resources import schema_dir

# Input tables in the order their sheets stand in the workbook (after Ohjaus and Ohjelma).
TABLE_ORDER = (
    "mittarit",
    "toteumat",
    "vertailuvuosi",
    "selitykset",
    "kunnat",
    "tukilajit",
    "tukibudjetti",
    "sidonnat",
    "maksatukset",
    "kustannuskohteet",
    "palvelukustannukset",
)

# x-type: how a cell is read and shown. The row schema then checks the parsed value.
CELL_TYPES = {"text", "code", "code_label", "number", "euro", "month", "date", "bool", "business_id"}
# How a column of each x-type is shown (the builder's input tables, the report's copies of them).
NUMBER_FORMATS = {
    "euro": '#,##0.00 "€"',
    "month": "m/yyyy",
    "date": "d.m.yyyy",
    "text": "@",
    "code": "@",
    "code_label": "@",
    "business_id": "@",
    "bool": "@",
    "number": "General",
}


class SourceError(Exception):
    """A malformed source file (schema or programme data): names the file and the field."""

    def __init__(self, path: Path | str, field: str, message: str):
        self.path, self.field = str(path), field
        super().__init__(f"{path}: {field}: {message}")


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Finnish header in the workbook
    cell_type: str
    required: bool
    description: str
    width: float
    enum: tuple[Any, ...] | None
    list_source: str | None  # "Sheet.key" whose values are the allowed ones (a dropdown)
    extra_values: tuple[str, ...]  # allowed besides list_source, e.g. "Koko alue"
    nullable: bool
    list_label: str | None = None  # x-list-label: the dropdown shows "{id} – {name} ({unit})" of the source row
    approved: bool = False  # x-approved: part of the approved programme; compared with it and locked in the sheet


@dataclass(frozen=True)
class TableSchema:
    name: str  # file stem, e.g. "toteumat"
    sheet: str  # sheet title, e.g. "Toteumat"
    table: str  # Excel table name, e.g. "tblToteumat"
    description: str
    columns: tuple[Column, ...]
    unique_keys: tuple[tuple[str, ...], ...]
    json: dict
    row_key: tuple[str, ...] = ()  # what identifies a row across versions of a workbook (x-key, else the first x-unique)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def month_range(self, key: str) -> tuple[int, int]:
        """The months a month column allows (core.months numbering: 1..12 = 2026, 0 = 12/2025), from the
        column's minimum and maximum."""
        prop = self.json["properties"][key]
        return int(prop.get("minimum", 1)), int(prop.get("maximum", 12))

    @property
    def approved_keys(self) -> list[str]:
        """Columns of the approved programme (x-approved): guarded against edits, locked in the sheet."""
        return [c.key for c in self.columns if c.approved]


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SourceError(path, f"rivi {exc.lineno}", f"virheellinen JSON: {exc.msg}") from exc


def _parse_table_schema(name: str, path: Path, raw: dict, check_metaschema: bool) -> TableSchema:
    if check_metaschema:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import SchemaError

        try:
            Draft202012Validator.check_schema(raw)
        except SchemaError as exc:
            field = "/".join(str(p) for p in exc.path) or "(juuri)"
            raise SourceError(path, field, exc.message) from exc
    for key in ("x-sheet", "x-table", "properties"):
        if key not in raw:
            raise SourceError(path, key, "kenttä puuttuu")
    required = set(raw.get("required", []))
    columns = []
    for key, prop in raw["properties"].items():
        for field in ("title", "x-type"):
            if field not in prop:
                raise SourceError(path, f"properties/{key}/{field}", "kenttä puuttuu")
        if prop["x-type"] not in CELL_TYPES:
            raise SourceError(path, f"properties/{key}/x-type", f"tuntematon tyyppi {prop['x-type']!r}")
        _check_date_range(path, key, prop)
        types = prop.get("type", [])
        columns.append(
            Column(
                key=key,
                header=prop["title"],
                cell_type=prop["x-type"],
                required=key in required,
                description=prop.get("description", ""),
                width=float(prop.get("x-width", 14)),
                enum=tuple(prop["enum"]) if "enum" in prop else None,
                list_source=prop.get("x-list"),
                extra_values=tuple(prop.get("x-extra-values", [])),
                nullable="null" in (types if isinstance(types, list) else [types]),
                list_label=prop.get("x-list-label"),
                approved=bool(prop.get("x-approved", False)),
            )
        )
    for req in required:
        if req not in raw["properties"]:
            raise SourceError(path, f"required/{req}", "sarake puuttuu properties-kohdasta")
    unique_keys = tuple(tuple(k) for k in raw.get("x-unique", []))
    row_key = tuple(raw.get("x-key", unique_keys[0] if unique_keys else ()))
    if not row_key or any(key not in raw["properties"] for key in row_key):
        raise SourceError(path, "x-key", "rivin avain (x-key tai ensimmäinen x-unique) puuttuu tai nimeää tuntemattoman sarakkeen")
    return TableSchema(
        name=name,
        sheet=raw["x-sheet"],
        table=raw["x-table"],
        description=raw.get("description", ""),
        columns=tuple(columns),
        unique_keys=unique_keys,
        json=raw,
        row_key=row_key,
    )


def _check_date_range(path: Path, key: str, prop: dict) -> None:
    """A date column names its plausible range (formatMinimum, formatMaximum: ISO dates), so that a mistyped
    year is reported; any number would otherwise pass as some day of 1900 to 9999 (an Excel serial)."""
    if prop["x-type"] != "date":
        return
    for field in ("formatMinimum", "formatMaximum"):
        try:
            dt.date.fromisoformat(prop[field])
        except KeyError:
            raise SourceError(path, f"properties/{key}/{field}", "päivämääräsarakkeelta puuttuu sallittu väli") from None
        except (TypeError, ValueError):
            raise SourceError(path, f"properties/{key}/{field}", f"{prop[field]!r} ei ole päivämäärä muodossa vvvv-kk-pp") from None


def load_table_schemas(directory: Path | None = None, *, check_metaschema: bool = True) -> dict[str, TableSchema]:
    """All input-table schemas in workbook order; raises SourceError on a malformed file.

    check_metaschema=False skips checking each file against the JSON Schema metaschema (about 15 ms);
    the tool's own structural checks (sheet, table, title, x-type, required) always run.
    """
    directory = directory or schema_dir()
    schemas = {}
    for name in TABLE_ORDER:
        path = directory / f"{name}.schema.json"
        if not path.is_file():
            raise SourceError(path, "(tiedosto)", "skeematiedosto puuttuu")
        schemas[name] = _parse_table_schema(name, path, _read_json(path), check_metaschema)
    return schemas


@cache
def table_schemas() -> dict[str, TableSchema]:
    """The schemas shipped with the package, read once per process.

    A run trusts them against the metaschema: the builder (which bakes them into the workbook) and the
    tests check every shipped file, and an installed package cannot change them in between.
    """
    return load_table_schemas(check_metaschema=False)


def schema_registry(directory: Path | None = None) -> Registry:
    """A registry of every schema file, so that "$ref": "tukilajit.schema.json" resolves offline."""
    from referencing import Registry, Resource

    directory = directory or schema_dir()
    resources = []
    for path in sorted(directory.glob("*.schema.json")):
        raw = _read_json(path)
        resources.append((raw.get("$id", path.name), Resource.from_contents(raw)))
    return Registry().with_resources(resources)


def validator_for(schema_file: str, directory: Path | None = None) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    directory = directory or schema_dir()
    raw = _read_json(directory / schema_file)
    return Draft202012Validator(raw, registry=schema_registry(directory))
