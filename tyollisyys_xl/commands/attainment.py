"""tyollisyys-xl attainment WORKBOOK [--as-of 2026-06] [--level KV|LTK|all] [--format text|json|csv]

Prints each indicator's attainment at the end of a month and the roll-ups of the chosen view
(KV = the council's indicators, LTK = the committee's own, all = everything the committee follows).
Attainment is computed from the rows that pass validation; rows left out are counted with their
reasons, and `validate` shows them one by one. Exit codes: 0 = done, 2 = the file cannot be read
or an argument is malformed. The workbook is only read.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from tyollisyys_xl.core.attainment import LEVEL_COUNCIL, LEVEL_TOTAL, STATUSES, AttainmentResult, view_rollups
from tyollisyys_xl.core.findings import ERROR, Finding
from tyollisyys_xl.core.history import StatusHistory
from tyollisyys_xl.core.months import YEAR, month_label
from tyollisyys_xl.core.parsing import ParseError, fi_number, parse_month
from tyollisyys_xl.core.safe_text import neutralise_formula, visible
from tyollisyys_xl.schemas import table_schemas

FORMATS = ("text", "json", "csv")
LEVELS = ("KV", "LTK", "all")
EXIT_OK, EXIT_UNREADABLE = 0, 2
GROUP_PREFIXES = {"teema": "Teema: ", "painopiste": "Painopiste: "}
VIEW_NAMES = {"KV": LEVEL_COUNCIL, "LTK": "LTK (lautakunnan omat)", "all": LEVEL_TOTAL}
CSV_HEADERS = {
    "id": "Tunnus", "level": "Taso", "theme": "Teema", "focus_area": "Painopiste", "name": "Mittari",
    "unit": "Yksikkö", "kind": "Laji", "accumulation": "Kertymä", "baseline": "Lähtöarvo", "target": "Tavoite",
    "actual": "Toteuma", "actual_month": "Tieto kk", "reference_value": "Sama kk vuotta aiemmin",
    "change_from_reference": "Muutos vuodessa", "change_from_reference_share": "Muutos vuodessa (osuus)",
    "expected": "Odotettu nyt", "progress": "Edistyminen", "status": "Tila", "coverage": "Kattavuus", "note": "Huomio",
}

class ArgumentProblem(Exception):
    """A malformed argument; the message is Finnish."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workbook", type=Path, metavar="TYÖKIRJA", help="päätyökirja (.xlsm tai .xlsx); sitä vain luetaan")
    parser.add_argument("--as-of", metavar="KUUKAUSI",
                        help=f"kuukausi, jonka lopun tilanne lasketaan: {YEAR}-06, 6/{YEAR} tai 6 "
                             "(oletus: viimeisin kuukausi, jolle on kirjattu toteumia)")
    parser.add_argument("--level", choices=LEVELS, default="all",
                        help="KV = valtuuston mittarit, LTK = lautakunnan omat, all = kaikki (oletus)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="tulosteen muoto (oletus: text)")


def parse_as_of(text: str | None, option: str = "--as-of") -> int | None:
    """"2026-06", "6/2026", "kesäkuu 2026" or "6" -> 6 (read as a month cell is); None -> the latest month with entries."""
    if text is None:
        return None
    try:
        year, month = parse_month(text.strip())
    except ParseError as exc:
        raise ArgumentProblem(f"{option}: '{text}' ei ole kuukausi (esim. {YEAR}-06 tai 6/{YEAR}).") from exc
    if year != YEAR:
        raise ArgumentProblem(f"{option}: ohjelma koskee vuotta {YEAR}; anna kuukausi 1–12 (annettu '{text}').")
    return month


def left_out_rows(findings: Sequence[Finding]) -> dict[str, dict]:
    """Rows of Mittarit and Toteumat that validation left out, per sheet: how many and under which rules."""
    sheets = [table_schemas()[name].sheet for name in ("mittarit", "toteumat")]
    rows: dict[str, set[int]] = {}
    rules: dict[str, Counter] = {}
    for finding in findings:
        if finding.severity != ERROR or finding.sheet not in sheets:
            continue
        row = re.sub(r"^[A-Z]+", "", finding.cell or "")
        rows.setdefault(finding.sheet, set()).add(int(row) if row.isdigit() else 0)
        rules.setdefault(finding.sheet, Counter())[finding.rule] += 1
    return {sheet: {"rows": len(rows[sheet]), "rules": dict(rules[sheet])} for sheet in sheets if sheet in rows}


def left_out_text(left_out: dict[str, dict], workbook: Path) -> list[str]:
    lines = []
    for sheet, info in left_out.items():
        reasons = ", ".join(f"{rule} {count}" for rule, count in info["rules"].items())
        lines.append(f"{sheet}: {info['rows']} riviä jätettiin laskennan ulkopuolelle virheiden vuoksi ({reasons}).")
    if lines:
        lines.append(f"Virheet rivi riviltä: tyollisyys-xl validate {workbook}")
    return lines


def select_view(result: AttainmentResult, level: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Indicators, roll-ups and municipal rows of one view."""
    indicators = result.indicators if level == "all" else result.indicators[result.indicators["level"] == level]
    municipalities = result.municipalities[result.municipalities["id"].isin(indicators["id"])]
    return indicators, view_rollups(indicators, VIEW_NAMES[level]), municipalities


# --- formats ----------------------------------------------------------------------------------------


def shown_number(x, decimals: int = 2) -> str:
    """4153.0 -> "4 153", 3.891 -> "3,89": rounded for reading, Finnish separators; "" for no value."""
    return "" if x is None or pd.isna(x) else fi_number(round(float(x), decimals))


def fi_percent(x) -> str:
    if x is None or pd.isna(x):
        return ""
    return f"{round(float(x) * 100):d} %" if math.isfinite(float(x) * 100) else "ei luku"


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def format_text(result: AttainmentResult, level: str, workbook: Path, left_out: dict[str, dict]) -> str:
    indicators, rollups, _ = select_view(result, level)
    when = f"{month_label(result.as_of)} lopussa" if result.as_of else "ei toteumia"
    lines = [f"Mittareiden toteutuminen {when} – {VIEW_NAMES[level]} – {workbook.name}", ""]
    header = f"{'Tunnus':<7}{'Taso':<5}{'Mittari':<46}{'Toteuma':>10}{'Odotettu':>10}{'Tavoite':>10}" \
             f"{'Edist.':>8}  Tila"
    lines += [header, "-" * len(header)]
    for row in indicators.itertuples(index=False):
        lines.append(f"{row.id:<7}{row.level:<5}{_shorten(row.name, 45):<46}{shown_number(row.actual):>10}"
                     f"{shown_number(row.expected, 1):>10}{shown_number(row.target):>10}{fi_percent(row.progress):>8}"
                     f"  {row.status}")
    lines += ["", "Yhteenveto: mittareita tiloittain; Tav.+saav. = Saavutettu tai Tavoitteessa niistä, joilla on "
              "tietoa; Edistyminen = keskiarvo, kunkin mittarin edistyminen rajattuna 0–100 %"]
    counts = "".join(f"{s:>13}" for s in STATUSES)
    lines.append(f"{'Ryhmä':<58}{'Mittareita':>11}{counts}{'Tav.+saav.':>12}{'Edistyminen':>13}")
    for row in rollups.to_dict("records"):
        group = GROUP_PREFIXES.get(row["group_type"], "") + row["group"]
        statuses = "".join(f"{row[s]:>13}" for s in STATUSES)
        lines.append(f"{_shorten(group, 57):<58}{row['n']:>11}{statuses}{fi_percent(row['on_track_share']):>12}"
                     f"{fi_percent(row['mean_progress']):>13}")
    notes = [f"{row.id}: {row.note}" for row in indicators.itertuples(index=False) if row.note]
    if notes:
        lines += ["", "Huomiot:", *notes]
    left = left_out_text(left_out, workbook)
    if left:
        lines += ["", *left]
    return "\n".join(lines)


def _json_value(x):
    """A value JSON can hold: no NaN or infinity (not JSON at all, though Python writes them), numpy as Python."""
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return None
    x = x.item() if hasattr(x, "item") else x
    return None if isinstance(x, float) and not math.isfinite(x) else x


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{key: _json_value(value) for key, value in row.items()} for row in frame.to_dict("records")]


def format_json(result: AttainmentResult, level: str, workbook: Path, left_out: dict[str, dict],
                history: StatusHistory | None = None) -> str:
    """history: each indicator's [{month, status, actual}] from January (status_history of the same tables)."""
    indicators, rollups, municipalities = select_view(result, level)
    records = _records(indicators)
    for record in records if history is not None else ():
        record["history"] = history.of(record["id"])
    document = {
        "workbook": workbook.name,
        "as_of": result.as_of,
        "as_of_label": month_label(result.as_of) if result.as_of else None,
        "level": level,
        "thresholds": {label: value for label, value in result.thresholds.labelled()},
        "indicators": records,
        "rollups": _records(rollups),
        "municipalities": _records(municipalities),
        "left_out": left_out,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False)


def _csv_cell(x) -> str:
    """A field Finnish Excel reads as meant: decimal comma, and text that would run as a formula neutralised."""
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return ""
    if isinstance(x, float) and not isinstance(x, bool):
        return format(x, ".10g").replace(".", ",")
    return neutralise_formula(str(x))


def format_csv(result: AttainmentResult, level: str, workbook: Path, left_out: dict[str, dict]) -> str:
    """Semicolons and decimal commas, as Excel in Finnish opens them; one row per indicator."""
    indicators, _, _ = select_view(result, level)
    lines = [_csv_line(CSV_HEADERS.values())]
    for record in indicators[list(CSV_HEADERS)].to_dict("records"):
        record["actual_month"] = month_label(record["actual_month"]) if not pd.isna(record["actual_month"]) else None
        lines.append(_csv_line(_csv_cell(value) for value in record.values()))
    for line in left_out_text(left_out, workbook):
        sys.stderr.write(line + "\n")
    return "\n".join(lines)


def _csv_line(fields) -> str:
    """One CSV record without its line end. Written with CRLF as the record end, so that the csv module quotes a
    field holding a lone carriage return too (it quotes only the characters of its line terminator)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow(fields)
    return buffer.getvalue()[:-2]


FORMATTERS = {"text": format_text, "json": format_json, "csv": format_csv}


def run(args: argparse.Namespace) -> int:
    from tyollisyys_xl.core.attainment import compute_attainment
    from tyollisyys_xl.io.errors import WorkbookReadError
    from tyollisyys_xl.pipeline import load

    try:
        as_of = parse_as_of(args.as_of)
        loaded = load(args.workbook)
    except ArgumentProblem as exc:
        sys.stderr.write(f"Virhe: {exc}\n")
        return EXIT_UNREADABLE
    except WorkbookReadError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_UNREADABLE
    result = compute_attainment(loaded.tables, as_of=as_of)
    left_out = left_out_rows(loaded.findings)
    if args.format == "json":
        from tyollisyys_xl.core.history import status_history

        history = status_history(loaded.tables, as_of, result)
        output = format_json(result, args.level, args.workbook, left_out, history)
    else:
        output = visible(FORMATTERS[args.format](result, args.level, args.workbook, left_out))
    sys.stdout.write(output + "\n")
    return EXIT_OK
