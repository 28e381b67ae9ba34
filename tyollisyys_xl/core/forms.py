"""Entry forms per municipality, as data: what a form asks, what it was made from, how its answers come back.

A form is a grid of the fill cells of one municipality: each indicator entered per municipality (with
the fields it is entered with: a value, or a numerator and a denominator for a rate) and, where the
municipality produces services itself, each cost object, by month. The form carries marks: which
municipality, which version of the programme (a fingerprint of the indicators and cost objects the
grid is made of) and which master state (a fingerprint of the values it was prefilled with), plus
every prefilled value, so that collecting it is a three-way merge per cell: a cell the municipality
changed is taken if the master still holds what the form was made from, and a conflict (both values
named) if the master changed the same cell since.

Pure core: the master's raw input rows (schema name -> rows of cell values, as the builder's reader
gives them) in, plans, marks and merged rows out; no file is read or written here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tyollisyys_xl.core.months import YEAR, month_label
from tyollisyys_xl.core.parsing import ParseError, fi_value, mask_hetu, parse_bool, parse_month, parse_number, parse_text
from tyollisyys_xl.core.rowdiff import key_columns, row_key
from tyollisyys_xl.schemas import TableSchema

FORM_FORMAT = "tyollisyys-xl kuntalomake 1"  # bumped when the marks change shape
ENTRIES, COSTS = "toteumat", "palvelukustannukset"
ENTRY_FIELDS = ("value", "numerator", "denominator")
COST_FIELD = "amount_eur"
OWN_PRODUCTION = {"coaching": "Kunta (palvelutuotantosopimus)", "integration_training": "Kunta"}
# Where a form finds an indicator's entry instruction on Mittarit, first found first: the programme's own
# instruction if the table has one, else the note (which says what a rate's numerator and denominator are).
INSTRUCTION_KEYS = ("entry_instruction", "note")
FIELD_WORDS = {"value": "arvo", "numerator": "osoittaja", "denominator": "nimittäjä", COST_FIELD: "kustannus €"}
MARK_KEYS = ("Lomake", "Kunta", "Kuntanumero", "Ohjelman versio", "Päätyökirjan tila", "Kuukaudet")
CELLS_HEADER = ["Taulu", "Kohde", "Kenttä", "Kuukausi", "Solu", "Arvo lomaketta tehtäessä"]

Value = float | str | None  # a fill cell's value as compared: a number, text that is not one, or empty
Rows = dict[str, list[dict[str, Any]]]


class FormError(Exception):
    """A form that cannot be collected; the message is Finnish and names the form."""


@dataclass(frozen=True)
class FillCell:
    table: str  # ENTRIES or COSTS
    item: str  # indicator id or cost object
    field: str  # the schema key the cell fills
    month: int


@dataclass(frozen=True)
class GridRow:
    table: str
    item: str
    field: str
    label: str  # the indicator's name or the cost object
    unit: str
    instruction: str


@dataclass
class FormPlan:
    municipality: str
    code: str
    months: tuple[int, ...]
    rows: list[GridRow]
    prefill: dict[FillCell, Value]
    programme_version: str

    @property
    def state(self) -> str:
        return state_hash(self.prefill)

    def rows_of(self, table: str) -> list[GridRow]:
        return [row for row in self.rows if row.table == table]


@dataclass
class FormMarks:
    """What a form says about itself (read back from its hidden sheet)."""

    municipality: str
    code: str
    programme_version: str
    original: dict[FillCell, Value]  # every fill cell with the value it was prefilled with (its state checked)
    addresses: dict[FillCell, str]  # every fill cell's address, e.g. "Toteumat!F7"


@dataclass
class Merged:
    """What merging one form did: problems and conflicts refuse it; touched maps each changed row that is still
    there, by (table, row key), to the fill cells that changed it; changes lists (table, row before or None,
    row after or None, position) for the report."""

    problems: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    touched: dict[tuple[str, tuple], list[FillCell]] = field(default_factory=dict)
    changes: list[tuple[str, dict | None, dict | None, int]] = field(default_factory=list)


# --- values -----------------------------------------------------------------------------------------


def canonical(value: Any) -> Value:
    """A cell's value as forms compare it: a number (also Finnish text such as "1 468"), other text
    trimmed, or None when empty."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    try:
        return parse_number(value)
    except ParseError:
        return mask_hetu(fi_value(value)).strip()


def text_of(value: Any) -> str:
    """A name, id or code as text ("249", never "249,0"); "" when empty."""
    try:
        return mask_hetu(parse_text(value)) if value is not None else ""
    except ParseError:
        return mask_hetu(fi_value(value))


def same(a: Value, b: Value) -> bool:
    return a == b or (a is None and b is None)


def shown(value: Value) -> str:
    return "tyhjä" if value is None else (fi_value(value) if isinstance(value, float) else f"”{value}”")


def _fingerprint(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()[:16]


def state_hash(values: Mapping[FillCell, Value]) -> str:
    """A fingerprint of a form's prefilled values: equal exactly when the master held the same values."""
    return _fingerprint(sorted([c.table, c.item, c.field, c.month, v] for c, v in values.items()))


PROGRAMME_KEYS = ("id", "name", "unit", "kind", "accumulation", "per_municipality", "rate_scale")


def programme_version(rows: Mapping[str, Sequence[Mapping[str, Any]]]) -> str:
    """A fingerprint of what a form's rows mean: each indicator's id, name, unit, kind, accumulation, whether it
    is entered per municipality and its rate scale, and the cost objects. Owners, targets and notes are not in
    it: a form made before a coordinator typed an owner is still a form of the same programme."""
    indicators = [[canonical(r.get(k)) for k in PROGRAMME_KEYS] for r in rows.get("mittarit", [])]
    costs = [canonical(r.get("cost_object")) for r in rows.get("kustannuskohteet", [])]
    return _fingerprint([indicators, costs])


# --- planning a form ---------------------------------------------------------------------------------


def _yes(value: Any) -> bool:
    try:
        return parse_bool(value)
    except ParseError:
        return False


def _month_of(value: Any) -> int | None:
    try:
        year, month = parse_month(value)
    except ParseError:
        return None
    return month if year == YEAR else None


def produces_services(municipality: Mapping[str, Any]) -> bool:
    """A municipality that produces coaching or integration training itself reports its service costs."""
    return any(canonical(municipality.get(key)) == value for key, value in OWN_PRODUCTION.items())


def default_month(rows: Rows) -> int:
    """The month a round asks for: the one after the latest month with any entry (January when there is none)."""
    months = [m for m in (_month_of(r.get("month")) for r in rows.get(ENTRIES, [])) if m]
    return min(12, max(months) + 1) if months else 1


def _instruction(indicator: Mapping[str, Any], column: str) -> str:
    unit = text_of(indicator.get("unit"))
    own = next((text_of(indicator.get(k)) for k in INSTRUCTION_KEYS if text_of(indicator.get(k))), None)
    if own:
        return own
    if column == "value":
        return f"Kuukauden arvo, yksikkö {unit}."
    if column == "numerator":
        return "Osuuden osoittaja (osuus = osoittaja / nimittäjä)."
    return "Osuuden nimittäjä (keskiarvolle vastaajien määrä)."


def _entry_fields(indicator: Mapping[str, Any], held: set[str]) -> list[str]:
    """The fields an indicator is entered with, plus any the master already holds for the municipality."""
    if canonical(indicator.get("rate_scale")) is not None:
        wanted = {"numerator", "denominator"}
    elif canonical(indicator.get("kind")) == "keskiarvo":
        wanted = {"value", "denominator"}
    else:
        wanted = {"value"}
    return [f for f in ENTRY_FIELDS if f in wanted | held]


class FormTables:
    """The master's Toteumat and Palvelukustannukset rows while forms are planned from them or merged into them,
    indexed once by key (a month however typed, text without case). A row a form empties becomes a hole (None)
    until rows() compacts the tables, so that positions stay valid from one form to the next."""

    def __init__(self, rows: Rows, schemas: Mapping[str, TableSchema]):
        self.schemas = schemas
        self.tables: dict[str, list[dict[str, Any] | None]] = {name: list(rows.get(name, [])) for name in (ENTRIES, COSTS)}
        self.columns = {name: key_columns(schemas[name]) for name in self.tables}
        self.positions: dict[str, dict[tuple, list[int]]] = {name: {} for name in self.tables}
        for name, table in self.tables.items():
            for position, row in enumerate(table):
                self.positions[name].setdefault(self.key(name, row), []).append(position)

    def key(self, table: str, row: Mapping[str, Any]) -> tuple:
        return row_key(self.schemas[table], row, self.columns[table])

    def find(self, cell: FillCell, municipality: str) -> list[int]:
        """Positions of the rows holding the cell's key (more than one only in a master with repeated keys)."""
        return self.positions[cell.table].get(self.key(cell.table, key_values(cell, municipality)), [])

    def value(self, cell: FillCell, municipality: str) -> Value:
        positions = self.find(cell, municipality)
        return canonical(self.tables[cell.table][positions[0]].get(cell.field)) if positions else None

    def put(self, table: str, position: int | None, row: dict[str, Any] | None) -> int:
        """Replace the row at position (None: a new row at the end; row None: a hole); returns its position."""
        if position is None:
            self.tables[table].append(row)
            position = len(self.tables[table]) - 1
            self.positions[table].setdefault(self.key(table, row), []).append(position)
            return position
        if row is None:
            self.positions[table][self.key(table, self.tables[table][position])].remove(position)
        self.tables[table][position] = row
        return position

    def final_numbers(self, table: str) -> dict[int, int]:
        """Position -> the Excel row the row gets when rows() compacts the table (rows from row 2)."""
        kept = [p for p, row in enumerate(self.tables[table]) if row is not None]
        return {p: number for number, p in enumerate(kept, start=2)}

    def rows(self) -> Rows:
        return {name: [row for row in table if row is not None] for name, table in self.tables.items()}


def key_values(cell: FillCell, municipality: str) -> dict[str, Any]:
    """The key columns of the master row a fill cell belongs to (a month as the master's month cell holds it)."""
    month = dt.date(YEAR, cell.month, 1)  # as the reader gives a month cell back
    if cell.table == ENTRIES:
        return {"indicator_id": cell.item, "month": month, "municipality": municipality}
    return {"month": month, "municipality": municipality, "cost_object": cell.item}


def plan_form(rows: Rows, schemas: Mapping[str, TableSchema], municipality: str, last_month: int,
              tables: FormTables | None = None) -> FormPlan:
    """The form of one municipality for months 1..last_month, prefilled with what the master holds.

    tables: the rows already indexed (one FormTables serves every municipality's form)."""
    town = next((r for r in rows.get("kunnat", []) if text_of(r.get("name")) == municipality), None)
    if town is None:
        raise FormError(f"Kuntaa {municipality} ei ole Kunnat-välilehdellä.")
    months = tuple(range(1, last_month + 1))
    tables = tables or FormTables(rows, schemas)
    grid: list[GridRow] = []
    for indicator in rows.get("mittarit", []):
        if not _yes(indicator.get("per_municipality")) or text_of(indicator.get("ledger_subsidy_type")):
            continue  # an area indicator, or one counted from Sidonnat (nothing to type)
        item = text_of(indicator.get("id"))
        present = {f for f in ENTRY_FIELDS for m in months
                   if tables.value(FillCell(ENTRIES, item, f, m), municipality) is not None}
        for column in _entry_fields(indicator, present):
            grid.append(GridRow(ENTRIES, item, column, text_of(indicator.get("name")) or item,
                                text_of(indicator.get("unit")), _instruction(indicator, column)))
    if produces_services(town):
        for cost in rows.get("kustannuskohteet", []):
            item = text_of(cost.get("cost_object"))
            grid.append(GridRow(COSTS, item, COST_FIELD, item, "€", text_of(cost.get("description"))))
    prefill = {cell: tables.value(cell, municipality)
               for g in grid for m in months for cell in [FillCell(g.table, g.item, g.field, m)]}
    return FormPlan(municipality, text_of(town.get("code")), months, grid, prefill, programme_version(rows))


# --- marks ---------------------------------------------------------------------------------------------


def marks_rows(plan: FormPlan, addresses: Mapping[FillCell, str]) -> list[list[Any]]:
    """The hidden marks sheet of a form: key/value lines, a blank line, then every fill cell."""
    months = f"{plan.months[0]}–{plan.months[-1]}" if plan.months else ""
    values = (FORM_FORMAT, plan.municipality, plan.code, plan.programme_version, plan.state, months)
    lines: list[list[Any]] = [[key, value] for key, value in zip(MARK_KEYS, values)]
    lines += [[], CELLS_HEADER]
    lines += [[c.table, c.item, c.field, c.month, addresses[c], v] for c, v in plan.prefill.items()]
    return lines


def read_marks(values: Sequence[Sequence[Any]], form: str) -> FormMarks:
    """The marks of a form from its hidden sheet's values; FormError when they are missing or were changed."""
    head = {str(row[0]): row[1] if len(row) > 1 else None for row in values if row and row[0] in MARK_KEYS}
    if head.get("Lomake") != FORM_FORMAT:
        raise FormError(f"{form} ei ole tällä työkalulla tehty kuntalomake (lomakkeen merkinnät puuttuvat).")
    try:
        start = next(i for i, row in enumerate(values) if list(row[: len(CELLS_HEADER)]) == CELLS_HEADER) + 1
        cells = {FillCell(text_of(r[0]), text_of(r[1]), text_of(r[2]), int(r[3])):
                 (text_of(r[4]), canonical(r[5] if len(r) > 5 else None))
                 for r in values[start:] if r and r[0] is not None}
    except (StopIteration, ValueError, TypeError, IndexError) as exc:
        raise FormError(f"{form}: lomakkeen merkinnät ovat vioittuneet, joten lomaketta ei voi tuoda.") from exc
    original = {cell: value for cell, (_, value) in cells.items()}
    if state_hash(original) != head.get("Päätyökirjan tila"):
        raise FormError(f"{form}: lomakkeen piilotettuja merkintöjä on muutettu, joten lomaketta ei voi tuoda. "
                        "Tee kunnalle uusi lomake.")
    return FormMarks(text_of(head.get("Kunta")), text_of(head.get("Kuntanumero")), str(head.get("Ohjelman versio")),
                     original, {cell: address for cell, (address, _) in cells.items()})


# --- merging a form into the master's rows ------------------------------------------------------------


def _describe(cell: FillCell, municipality: str, labels: Mapping[str, str]) -> str:
    what = f"{cell.item} {labels[cell.item]}" if labels.get(cell.item) and labels[cell.item] != cell.item else cell.item
    return f"{municipality}, {what}, {FIELD_WORDS[cell.field]} {month_label(cell.month)}"


@dataclass
class _Pending:
    """The changes one form makes to one row, decided before any is applied."""

    position: int | None  # None: a new row
    key_values: dict[str, Any]
    fields: dict[str, Value] = field(default_factory=dict)
    cells: list[FillCell] = field(default_factory=list)


def merge_form(tables: FormTables, marks: FormMarks, answers: Mapping[FillCell, Any], form: str,
               labels: Mapping[str, str]) -> Merged:
    """Apply one form's changed cells: a cell the form changed is written when the master still holds the value
    the form was made from, and a conflict naming both values when the master changed it since. A row whose
    every form field ends up empty is removed. Nothing is applied when the form has a problem or a conflict.

    labels: indicator id -> name, for the messages."""
    merged = Merged()
    pending: dict[tuple[str, tuple], _Pending] = {}
    for cell, original in marks.original.items():
        where = f"{form}, solu {marks.addresses[cell]} ({_describe(cell, marks.municipality, labels)})"
        new = canonical(answers.get(cell))
        if same(new, original):
            continue  # as it was (even text the master held: validate reports that, not the form)
        if isinstance(new, str):
            merged.problems.append(f"{where}: {shown(new)} ei ole luku.")
            continue
        positions = tables.find(cell, marks.municipality)
        if len(positions) > 1:
            merged.problems.append(f"{where}: päätyökirjassa on {len(positions)} riviä samalla avaimella "
                                   "(kaksoiskirjaus); korjaa se ensin.")
            continue
        now = tables.value(cell, marks.municipality)
        if same(now, new):
            continue  # the master already holds the form's value
        if not same(now, original):
            merged.conflicts.append(f"{_describe(cell, marks.municipality, labels)}: päätyökirjassa nyt {shown(now)}, "
                                    f"lomakkeessa {shown(new)} (lomaketta tehtäessä {shown(original)}) – {form}, "
                                    f"solu {marks.addresses[cell]}.")
            continue
        values = key_values(cell, marks.municipality)
        change = pending.setdefault((cell.table, tables.key(cell.table, values)),
                                    _Pending(positions[0] if positions else None, values))
        change.fields[cell.field] = new
        change.cells.append(cell)
    if not (merged.problems or merged.conflicts):
        _apply(tables, pending, merged)
    return merged


def _apply(tables: FormTables, pending: Mapping[tuple[str, tuple], _Pending], merged: Merged) -> None:
    for (table, key), change in pending.items():
        before = tables.tables[table][change.position] if change.position is not None else None
        after = {**(before or change.key_values), **change.fields}
        fields = ENTRY_FIELDS if table == ENTRIES else (COST_FIELD,)
        if all(canonical(after.get(f)) is None for f in fields):
            if before is None:
                continue  # nothing there, nothing typed
            after = None
        position = tables.put(table, change.position, after)
        merged.changes.append((table, before, after, position))
        if after is not None:
            merged.touched[(table, key)] = change.cells
