"""The peers of `tyollisyys-xl validate` in the benchmark: frictionless and pandas (calamine engine) + pandera.

Their schemas are derived from schema/*.json here, never written by hand, so that each peer checks what
its own schema language can say of the same tables:

| JSON Schema (ours)            | frictionless Table Schema      | pandera                          |
|-------------------------------|--------------------------------|----------------------------------|
| x-type text/code/business_id  | string                         | (any)                            |
| x-type number/euro            | number                         | float dtype (coerced)            |
| x-type date/month             | date                           | datetime dtype (coerced)         |
| required                      | constraints.required           | nullable=False                   |
| enum                          | constraints.enum               | Check.isin                       |
| minimum/maximum (numbers)     | constraints.minimum/maximum    | Check.ge/le                      |
| exclusiveMinimum              | (none)                         | Check.gt                         |
| minLength, pattern            | constraints.minLength/pattern  | length / regex check on the text |
| multipleOf                    | (none)                         | Check (remainder)                |
| x-unique                      | primaryKey                     | unique                           |
| x-list (+ x-extra-values)     | foreignKeys (extra: none)      | Check.isin(referenced values)    |

Used by benchmarks/run.py: `python benchmarks/peers.py csv WORKBOOK DIR` exports the input tables as CSV
plus a datapackage.json (untimed preparation: frictionless reads CSV); `python benchmarks/peers.py pandera
WORKBOOK` is the timed pandas + pandera run and prints its number of failure cases.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tyollisyys_xl.schemas import TableSchema, table_schemas  # noqa: E402

_FRICTIONLESS_TYPES = {"text": "string", "code": "string", "code_label": "string", "business_id": "string", "bool": "string",
                       "number": "number", "euro": "number", "date": "date", "month": "date"}


def _json_property(schema: TableSchema, key: str) -> dict:
    return schema.json["properties"][key]


def frictionless_schema(schema: TableSchema, schemas: dict[str, TableSchema]) -> dict:
    """A Table Schema for the CSV of one input table (field names: the workbook's headers)."""
    fields = []
    for column in schema.columns:
        prop = _json_property(schema, column.key)
        constraints: dict = {}
        if column.required:
            constraints["required"] = True
        if column.enum:
            constraints["enum"] = list(column.enum)
        if column.cell_type in ("number", "euro"):
            for keyword in ("minimum", "maximum"):
                if keyword in prop:
                    constraints[keyword] = prop[keyword]
        for keyword in ("minLength", "pattern"):
            if keyword in prop:
                constraints[keyword] = prop[keyword]
        field = {"name": column.header, "type": _FRICTIONLESS_TYPES[column.cell_type]}
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    table: dict = {"fields": fields, "missingValues": [""]}
    if schema.unique_keys:
        table["primaryKey"] = [schema.column(key).header for key in schema.unique_keys[0]]
    foreign = []
    for column in schema.columns:
        if column.list_source:
            sheet, key = column.list_source.split(".")
            target = next(s for s in schemas.values() if s.sheet == sheet)
            foreign.append({"fields": [column.header],
                            "reference": {"resource": target.name, "fields": [target.column(key).header]}})
    if foreign:
        table["foreignKeys"] = foreign
    return table


def export_csv(workbook: Path, folder: Path) -> Path:
    """The input tables of workbook as CSV files and a datapackage.json describing them; returns the package."""
    from python_calamine import CalamineWorkbook

    folder.mkdir(parents=True, exist_ok=True)
    book = CalamineWorkbook.from_path(str(workbook))
    schemas = table_schemas()
    resources = []
    for name, schema in schemas.items():
        rows = book.get_sheet_by_name(schema.sheet).to_python(skip_empty_area=False)
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            for row in rows:
                writer.writerow([value.isoformat()[:10] if isinstance(value, (dt.date, dt.datetime)) else value for value in row])
        resources.append({"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
                          "encoding": "utf-8", "schema": frictionless_schema(schema, schemas)})
    package = folder / "datapackage.json"
    package.write_text(json.dumps({"name": "tyollisyysohjelma", "resources": resources}, ensure_ascii=False, indent=1),
                       encoding="utf-8")
    return package


def pandera_failures(workbook: Path) -> int:
    """Read every input table with pandas' calamine engine and check it with a pandera schema derived from
    its JSON Schema (all failures collected, lazy=True); the number of failure cases."""
    import pandas as pd
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors

    schemas = table_schemas()
    frames = pd.read_excel(workbook, sheet_name=[s.sheet for s in schemas.values()], engine="calamine")
    failures = 0
    for schema in schemas.values():
        columns = {}
        for column in schema.columns:
            prop = _json_property(schema, column.key)
            checks = []
            if column.enum:
                checks.append(pa.Check.isin(list(column.enum)))
            if column.cell_type in ("number", "euro"):
                if "minimum" in prop:
                    checks.append(pa.Check.ge(prop["minimum"]))
                if "maximum" in prop:
                    checks.append(pa.Check.le(prop["maximum"]))
                if "exclusiveMinimum" in prop:
                    checks.append(pa.Check.gt(prop["exclusiveMinimum"]))
                if "multipleOf" in prop:
                    step = prop["multipleOf"]
                    checks.append(pa.Check(lambda s, step=step: ((s / step).round(6) % 1 == 0)))
            if "minLength" in prop:  # as text: pandas reads a column of digits as numbers
                checks.append(pa.Check(lambda s, n=prop["minLength"]: s.astype("string").str.len() >= n))
            if "pattern" in prop:
                checks.append(pa.Check(lambda s, p=prop["pattern"]: s.astype("string").str.match(p)))
            if column.list_source:
                sheet, key = column.list_source.split(".")
                target = next(s for s in schemas.values() if s.sheet == sheet)
                allowed = set(frames[sheet][target.column(key).header].dropna()) | set(column.extra_values)
                checks.append(pa.Check.isin(sorted(allowed, key=str)))
            dtype = {"number": float, "euro": float, "date": "datetime64[ns]", "month": "datetime64[ns]"}.get(column.cell_type)
            columns[column.header] = pa.Column(dtype, checks=checks, nullable=not column.required, required=column.required,
                                               coerce=dtype is not None)
        unique = [schema.column(key).header for key in schema.unique_keys[0]] if schema.unique_keys else None
        try:
            pa.DataFrameSchema(columns, unique=unique).validate(frames[schema.sheet], lazy=True)
        except SchemaErrors as exc:
            failures += len(exc.failure_cases)
    return failures


if __name__ == "__main__":
    if sys.argv[1] == "csv":
        print(export_csv(Path(sys.argv[2]), Path(sys.argv[3])))
    elif sys.argv[1] == "pandera":
        print(json.dumps({"failures": pandera_failures(Path(sys.argv[2]))}))
    else:
        sys.exit(f"unknown command {sys.argv[1]!r}")
