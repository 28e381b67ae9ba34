"""Checks that read the workbook the way the programme means it (run by validation on the clean tables).

- **The approved programme is guarded**: every approved column of Mittarit (x-approved in its schema:
  baselines, targets, kinds, levels, dates, the judging…) must equal programme/ohjelma2026.yaml. A real
  change is made in that file and reaches the workbook with `tyollisyys-xl build --from`; a typed change
  is a slip, and an error names the cell, the approved value and the typed one.
- **Typed figures against the ledger**: an indicator counted from Sidonnat (M30, M37) that is typed as
  well is compared month by month with the ledger; a difference is a warning naming both numbers.
- **Running totals**: the monthly figures of a cumulative indicator are summed over the year, so a
  year-to-date figure typed each month is counted many times over. A place's series is flagged, naming
  its cells, when it rises every month for four months or more, either from its first month of the year
  (at least doubling: a total from January) or from a month that alone holds as much as all the months
  before it (a switch from monthly figures to the year's total). A rise after the summer dip alone is
  not flagged: genuine monthly counts do that every autumn. A January of 0 is no evidence either way (a
  total and a monthly count both start there), so the four months and the doubling are counted after it:
  a small municipality's 0, 1, 2, 5 events is a plausible run of monthly counts, not a flag.
- **Completeness**: a municipality missing an entry that the other municipalities made for the month is
  listed ("Luhanka: M22 puuttuu 6/2026"), so a coordinator knows whom to chase before the meeting.
- **The reference year** (Vertailuvuosi) holds point-in-time indicators only: a cumulative count starts
  again every January, so last year's months mean nothing to it.

Their rule codes are registered in core.rules (the section "what the entries mean for the programme")
and documented in docs/validation.md.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from tyollisyys_xl.core.attainment.figures import entry_values
from tyollisyys_xl.core.attainment.ledger import period_counts
from tyollisyys_xl.core.attainment.specs import IndicatorSpec, indicator_spec
from tyollisyys_xl.core.cells import column_letter
from tyollisyys_xl.core.findings import ERROR, Finding
from tyollisyys_xl.core.months import month_label
from tyollisyys_xl.core.parsing import fi_number
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.core.tables import ROW, Tables
from tyollisyys_xl.programme import AREA_TOTAL, programme
from tyollisyys_xl.schemas import TableSchema, table_schemas

RUNNING_MONTHS = 4  # a running total is suspected after this many months of rising figures
RUNNING_GROWTH = 2.0  # ... that grow at least this many times over (monthly counts wobble, totals pile up)
RUNNING_SMALLEST = 4  # ... and end at least this high (0, 1, 2, 3 events is no evidence)
CHANGE_HOW = ("Ohjelmaa muutetaan vain ohjelmatiedostossa (programme/ohjelma2026.yaml), ja päätyökirja "
              "päivitetään komennolla tyollisyys-xl build --from.")


@dataclass
class Checked:
    """Findings, and the Excel rows their errors leave out of the clean tables (schema name -> rows)."""

    findings: list[Finding] = field(default_factory=list)
    error_rows: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))

    def add(self, finding: Finding, table: str | None = None, row: int | None = None) -> None:
        self.findings.append(finding)
        if finding.severity == ERROR and table and row is not None:
            self.error_rows[table].add(row)


def programme_checks(tables: Tables, typed_ids: set[str] | None = None, approved: list[dict] | None = None) -> Checked:
    """Every check of this module on clean tables.

    typed_ids: the id of every Mittarit row, also of rows left out for other errors (default: the clean
    rows'), so that a row with a bad cell is not reported missing as well. approved: the programme's Mittarit
    rows (default: the shipped programme's)."""
    checked = Checked()
    schemas = table_schemas()
    typed_ids = set(tables.indicators["id"]) if typed_ids is None else typed_ids
    _check_programme(tables, schemas["mittarit"], approved or programme().indicator_rows(), typed_ids, checked)
    specs = {row.id: indicator_spec(row) for row in tables.indicators.itertuples(index=False)}
    _check_reference_year(tables, schemas["vertailuvuosi"], specs, checked)
    if not len(tables.entries) or not specs:
        return checked
    values = entry_values(tables, specs).join(tables.entries[ROW])
    value = _Column.of(tables, schemas["toteumat"], "value")
    _check_ledger(tables, specs, values, value, checked)
    _check_running_totals(specs, values, value, checked)
    _check_completeness(tables, values, schemas["toteumat"].sheet, checked)
    return checked


@dataclass(frozen=True)
class _Column:
    """Where a column of an input table stands, to name its cells (as validation found it, else as built)."""

    sheet: str
    header: str
    letter: str

    @classmethod
    def of(cls, tables: Tables, schema: TableSchema, key: str) -> _Column:
        letter = tables.column_letters.get(schema.name, {}).get(key)
        if letter is None:
            letter = column_letter([c.key for c in schema.columns].index(key) + 1)
        return cls(schema.sheet, schema.column(key).header, letter)

    def cell(self, row: int) -> str:
        return f"{self.letter}{int(row)}"


# --- the approved programme --------------------------------------------------------------------------


def _shown(value: object) -> str:
    """A value as the message shows it (Finnish numbers, Kyllä/Ei, quoted text)."""
    if _empty(value):
        return "tyhjä"
    if isinstance(value, bool):
        return "Kyllä" if value else "Ei"
    if isinstance(value, (int, float)):
        return fi_number(value)
    return f"”{value}”"


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or (isinstance(value, str) and not value.strip())


def _same(typed: object, approved: object) -> bool:
    if _empty(typed) or _empty(approved):
        return _empty(typed) and _empty(approved)
    if isinstance(approved, bool) or isinstance(typed, bool):
        return bool(typed) == bool(approved)
    if isinstance(approved, (int, float)) and isinstance(typed, (int, float)):
        return math.isclose(float(typed), float(approved), rel_tol=0, abs_tol=1e-9)
    return str(typed).strip() == str(approved).strip()


def _check_programme(tables: Tables, schema: TableSchema, approved: list[dict], typed_ids: set[str],
                     checked: Checked) -> None:
    """Mittarit's approved columns against the approved programme, row by indicator id."""
    sheet, letters = schema.sheet, tables.column_letters.get(schema.name, {})
    keys = schema.approved_keys
    present = [key for key in keys if key in letters] if letters else keys
    columns = {key: _Column.of(tables, schema, key) for key in present}
    for key in keys:
        if key not in present:
            checked.add(Finding.of(Rule.OHJELMA_MUUTETTU, sheet, None, schema.column(key).header,
                                f"Hyväksytyn ohjelman sarake ”{schema.column(key).header}” puuttuu, joten ohjelmaa ei voi "
                                f"verrata hyväksyttyyn. Päivitä päätyökirja komennolla tyollisyys-xl build --from."))
    by_id = {row["id"]: row for row in approved}
    for row in tables.indicators.to_dict("records"):
        expected = by_id.get(row["id"])
        if expected is None:
            checked.add(Finding.of(Rule.OHJELMA_MITTARIT, sheet, _Column.of(tables, schema, "id").cell(row[ROW]), schema.column("id").header,
                                f"Mittaria {row['id']} ei ole hyväksytyssä ohjelmassa. {CHANGE_HOW}"), schema.name, row[ROW])
            continue
        for key in present:
            if not _same(row[key], expected.get(key)):
                header = schema.column(key).header
                checked.add(Finding.of(Rule.OHJELMA_MUUTETTU, sheet, columns[key].cell(row[ROW]), header,
                    f"Mittari {row['id']}, {header}: hyväksytyssä ohjelmassa {_shown(expected.get(key))}, "
                    f"työkirjassa {_shown(row[key])}. {CHANGE_HOW}"), schema.name, row[ROW])
    for indicator_id in (i for i in by_id if i not in typed_ids and typed_ids):
        checked.add(Finding.of(Rule.OHJELMA_MITTARIT, sheet, None, None,
                            f"Hyväksytyn ohjelman mittari {indicator_id} puuttuu Mittarit-välilehdeltä. {CHANGE_HOW}"))


# --- the reference year ------------------------------------------------------------------------------


def _check_reference_year(tables: Tables, schema: TableSchema, specs: Mapping[str, IndicatorSpec],
                          checked: Checked) -> None:
    indicator = _Column.of(tables, schema, "indicator_id")
    cumulative = [i for i, spec in specs.items() if not spec.reads_latest]
    wrong = tables.reference_entries[tables.reference_entries["indicator_id"].isin(cumulative)]
    for indicator_id, row in zip(wrong["indicator_id"], wrong[ROW]):
        checked.add(Finding.of(Rule.VERTAILU_KERTYMA, indicator.sheet, indicator.cell(row), indicator.header,
                            f"Vertailuvuoteen kirjataan vain tilannemittareita: {indicator_id} kertyy vuoden alusta, "
                            "joten sen edellisen vuoden kuukausia ei käytetä."), schema.name, int(row))


# --- typed figures against the ledger -----------------------------------------------------------------


def _check_ledger(tables: Tables, specs: Mapping[str, IndicatorSpec], values: pd.DataFrame, value: _Column,
                  checked: Checked) -> None:
    """Each typed month of a ledger indicator against Sidonnat: per municipality, or the area's sum for Koko alue."""
    if tables.commitments.empty:
        return
    names = list(tables.municipalities["name"]) if len(tables.municipalities) else [m["name"] for m in programme().municipalities]
    counted = [i for i, spec in specs.items() if spec.ledger_type is not None]
    for indicator_id, typed in values[values["indicator_id"].isin(counted)].groupby("indicator_id", sort=False):
        spec = specs[indicator_id]
        counts = period_counts(tables.commitments, spec.ledger_type, spec.cumulative, names)
        ledger = counts.set_index(["municipality", "month"])["count"].to_dict()
        area = counts.groupby("month")["count"].sum().to_dict()
        what = "kuukauden aikana alkanutta jaksoa" if spec.cumulative else "jaksoa käynnissä kuun lopussa"
        for place, month, figure, row in zip(typed["municipality"], typed["month"], typed["effective"], typed[ROW]):
            expected = area.get(month, 0) if place == AREA_TOTAL else ledger.get((place, month), 0)
            if not math.isclose(figure, expected):
                checked.add(Finding.of(Rule.SIDONNAT_ERI_LUKU, value.sheet, value.cell(row), value.header,
                                    f"Mittari {indicator_id}, {month_label(int(month))}, {place}: kirjattu {fi_number(figure)}, "
                                    f"Sidonnoissa {fi_number(expected)} {what} (tukilaji {spec.ledger_type})."))


# --- running totals -----------------------------------------------------------------------------------


def rising_runs(months: list[int], series: list[float]) -> list[tuple[int, int]]:
    """(first, last) positions of the runs that look like a running total (see the module docstring): at
    least RUNNING_MONTHS consecutive months, each above the one before, ending at least RUNNING_SMALLEST, and
    starting either at the first month (then growing RUNNING_GROWTH-fold) or at a month holding at least the
    sum of the two or more months before it."""
    runs, start = [], 0
    for i in range(1, len(series) + 1):
        if i < len(series) and months[i] == months[i - 1] + 1 and series[i] > series[i - 1]:
            continue
        end = i - 1
        if series[end] >= RUNNING_SMALLEST:
            base = 1 if series[0] == 0 else 0  # a January of 0 shows nothing: measure from February
            if start == 0 and end + 1 - base >= RUNNING_MONTHS and series[end] >= RUNNING_GROWTH * series[base]:
                runs.append((0, end))
            else:
                switches = (p for p in range(max(start, 2), end - RUNNING_MONTHS + 2) if series[p] >= sum(series[:p]))
                switch = next(switches, None)
                if switch is not None:
                    runs.append((switch, end))
        start = i
    return runs


def _in_long_rises(typed: pd.DataFrame) -> pd.Series:
    """Rows of the series (sorted by indicator, place, month) that hold a rise of RUNNING_MONTHS months or more:
    one vectorised pass, so that rising_runs reads only the few series that could look like a running total."""
    same = (typed["indicator_id"].eq(typed["indicator_id"].shift()) & typed["municipality"].eq(typed["municipality"].shift()))
    rising = same & typed["month"].eq(typed["month"].shift() + 1) & typed["effective"].gt(typed["effective"].shift())
    run = (~rising).cumsum()  # one id per rising run (its first month starts it)
    long_run = run.map(run.value_counts()) >= RUNNING_MONTHS
    series = (~same).cumsum()
    return series.isin(series[long_run])


def _check_running_totals(specs: Mapping[str, IndicatorSpec], values: pd.DataFrame, value: _Column,
                          checked: Checked) -> None:
    summed = [i for i, spec in specs.items() if spec.adds_up]
    typed = values[values["indicator_id"].isin(summed)].sort_values(["indicator_id", "municipality", "month"])
    typed = typed[_in_long_rises(typed)]
    for (indicator_id, place), series in typed.groupby(["indicator_id", "municipality"], sort=False):
        months, figures, rows = series["month"].tolist(), series["effective"].tolist(), series[ROW].tolist()
        for first, last in rising_runs(months, figures):
            cells = ", ".join(value.cell(r) for r in rows[first:last + 1])
            shown = ", ".join(fi_number(v) for v in figures[first:last + 1])
            checked.add(Finding.of(Rule.JUOKSEVA_SUMMA, value.sheet, value.cell(rows[last]), value.header,
                                f"Mittari {indicator_id}, {place}: luvut kasvavat joka kuukausi "
                                f"{month_label(months[first])}–{month_label(months[last])} ({shown}; solut {cells}). "
                                "Ne näyttävät vuoden kertymältä: kirjaa kuukauden luku, ei kertymää, koska työkalu "
                                "laskee kuukaudet yhteen."))


# --- completeness -------------------------------------------------------------------------------------


def missing_entries(values: pd.DataFrame, per_municipality: Iterable[str], names: list[str]) -> dict[tuple[str, int], list[str]]:
    """(municipality, month) -> indicators the municipality did not enter that month although another did."""
    local = values[values["indicator_id"].isin(list(per_municipality)) & (values["municipality"] != AREA_TOTAL)]
    missing: dict[tuple[str, int], list[str]] = defaultdict(list)
    for (indicator_id, month), places in local.groupby(["indicator_id", "month"], sort=True)["municipality"]:
        entered = set(places)
        if len(entered) < len(names):
            for name in names:
                if name not in entered:
                    missing[(name, int(month))].append(indicator_id)
    return dict(missing)


def _check_completeness(tables: Tables, values: pd.DataFrame, sheet: str, checked: Checked) -> None:
    names = list(tables.municipalities["name"])
    per_municipality = tables.indicators.loc[tables.indicators["per_municipality"].astype(bool), "id"]
    order = {name: i for i, name in enumerate(names)}
    missing = missing_entries(values, per_municipality, names)
    for (name, month), indicators in sorted(missing.items(), key=lambda item: (item[0][1], order[item[0][0]])):
        listed = ", ".join(indicators)
        checked.add(Finding.of(Rule.KIRJAUS_PUUTTUU, sheet, None, None,
                            f"{name}: {listed} puuttuu {month_label(month)} (muut kunnat ovat kirjanneet kuukauden)."))


def drop_error_rows(clean: dict[str, pd.DataFrame], error_rows: Mapping[str, set[int]]) -> None:
    """Leave the rows these checks found in error out of the clean frames (in place), as validation does."""
    for name, rows in error_rows.items():
        if rows:
            clean[name] = clean[name][~clean[name][ROW].isin(list(rows))].reset_index(drop=True)

