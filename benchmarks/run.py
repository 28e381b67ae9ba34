"""Benchmark the tool at area (scale 1) and national (scale 10, 50) volume, against the floor of merely reading the file.

Usage:  python benchmarks/run.py [--scales 1 10 50] [--repeat 5] [--out benchmarks/results]

Each stage runs in a fresh Python process, so that its peak memory (ru_maxrss) is its own; times are the best of
--repeat runs, measured inside the process around the stage alone (imports excluded), except the main job, which is
timed from outside: `tyollisyys-xl report`, interpreter start included, as a user runs it. The floor is the time
python-calamine takes just to read every cell value of every sheet.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CLI = [PYTHON, "-m", "tyollisyys_xl"]

# Each snippet prints a JSON object {"seconds": float, ...}; PATH is the workbook.
STAGES = {
    "floor (calamine read)": """
import time, python_calamine as pc
t = time.perf_counter()
wb = pc.CalamineWorkbook.from_path(PATH)
cells = sum(len(row) for name in wb.sheet_names for row in wb.get_sheet_by_name(name).to_python())
result = {"seconds": time.perf_counter() - t, "cells": cells}
""",
    "read": """
import time
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.pipeline import collector_paused
t = time.perf_counter()
with collector_paused():  # as pipeline.load reads
    sheets, facts = CalamineSource(PATH).read_all()
result = {"seconds": time.perf_counter() - t}
""",
    "validate": """
import time
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.core.validation import validate_sheets
from tyollisyys_xl.pipeline import collector_paused
sheets, facts = CalamineSource(PATH).read_all()
t = time.perf_counter()
with collector_paused():  # as pipeline.load validates
    res = validate_sheets(sheets, facts)
result = {"seconds": time.perf_counter() - t, "findings": len(res.findings)}
""",
    "attainment": """
import time
from tyollisyys_xl.pipeline import load
from tyollisyys_xl.core.attainment import compute_attainment
res = load(PATH)
t = time.perf_counter()
att = compute_attainment(res.tables)
result = {"seconds": time.perf_counter() - t}
""",
    "read+validate+attainment": """
import time
t = time.perf_counter()
from tyollisyys_xl.pipeline import load
from tyollisyys_xl.core.attainment import compute_attainment
t = time.perf_counter()
res = load(PATH)
att = compute_attainment(res.tables)
result = {"seconds": time.perf_counter() - t}
""",
    "cards + budget tabs": """
import time
from tyollisyys_xl.pipeline import load
from tyollisyys_xl.core.attainment import compute_attainment
from tyollisyys_xl.core.budget import compute_budget
from tyollisyys_xl.core.reports.budget_tabs import budget_sheets
from tyollisyys_xl.core.reports.cards import municipality_cards
res = load(PATH)
att = compute_attainment(res.tables)
t = time.perf_counter()
budget = compute_budget(res.tables)
specs = budget_sheets(budget, res.tables) + municipality_cards(res.tables, budget, att)
result = {"seconds": time.perf_counter() - t, "sheets": len(specs)}
""",
}

RUNNER = """
import json, resource, sys
PATH = sys.argv[1]
{body}
result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""

XLWINGS_CALLS = """
import json, os, sys
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
from tests.remote_book import actions, remote_book
import tyollisyys_xl.excel as excel
counts = {}
for button in ("validate_entries", "compute_attainment", "update_budget_tracking", "make_municipality_cards", "update_all"):
    book = remote_book(sys.argv[1])
    getattr(excel, button)(book=book)
    counts[button] = len(actions(book))
print(json.dumps(counts))
"""


# One card per municipality: these buttons write one more sheet for every municipality the data adds.
CARD_BUTTONS = ("make_municipality_cards", "update_all")


def run_stage(body: str, path: Path, repeat: int) -> dict:
    best = None
    for _ in range(repeat):
        out = subprocess.run([PYTHON, "-c", RUNNER.format(body=body), str(path)], capture_output=True, text=True, cwd=ROOT)
        if out.returncode:
            raise RuntimeError(out.stderr[-2000:])
        result = json.loads(out.stdout.strip().splitlines()[-1])
        best = result if best is None or result["seconds"] < best["seconds"] else best
    return best


def run_main_job(path: Path, repeat: int) -> dict:
    """The whole main job as a user runs it: interpreter start, read, validate, compute, write the report file."""
    best = None
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            out_file = Path(tmp) / "raportti.xlsx"
            cmd = ["/usr/bin/time", "-f", "%M"] + CLI + ["report", str(path), "--out", str(out_file)]
            t = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            seconds = time.perf_counter() - t
            if proc.returncode not in (0, 1):
                raise RuntimeError(proc.stderr[-2000:])
            peak_mb = int(proc.stderr.strip().splitlines()[-1]) / 1024
            if best is None or seconds < best["seconds"]:
                best = {"seconds": seconds, "peak_mb": peak_mb}
    return best


def xlwings_actions(path: Path) -> dict[str, int]:
    """Remote-engine actions (the calls Excel would receive) of each button pressed once."""
    out = subprocess.run([PYTHON, "-c", XLWINGS_CALLS, str(path)], capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def make_demo(scale: int, directory: Path) -> Path:
    path = directory / f"demo-scale{scale}.xlsm"
    subprocess.run(CLI + ["demo", str(path), "--scale", str(scale), "--seed", "1"], check=True, cwd=ROOT, capture_output=True)
    return path


def exponent(t10: float, t50: float) -> float:
    return math.log(t50 / t10) / math.log(5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()

    results: dict[int, dict[str, dict]] = {}
    sizes: dict[int, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for scale in args.scales:
            started = time.perf_counter()
            path = make_demo(scale, Path(tmp))
            sizes[scale] = {"mb": path.stat().st_size / 1e6, "demo_s": time.perf_counter() - started}
            stage_results = {name: run_stage(body, path, args.repeat) for name, body in STAGES.items()}
            stage_results["main job (CLI report)"] = run_main_job(path, args.repeat)
            sizes[scale]["cells"] = stage_results["floor (calamine read)"]["cells"]
            sizes[scale]["municipalities"] = 8 * scale
            sizes[scale]["xlwings_actions"] = xlwings_actions(path) if scale <= 10 else {}
            results[scale] = stage_results
            print(f"scale {scale}: done ({sizes[scale]['cells']} cells)", file=sys.stderr)

    report = render(results, sizes, args.scales)
    print(report)
    args.out.mkdir(parents=True, exist_ok=True)
    out_file = args.out / f"{dt.date.today().isoformat()}.md"
    out_file.write_text(report, encoding="utf-8")
    (args.out / "latest.md").write_text(report, encoding="utf-8")
    print(f"\nwritten: {out_file}", file=sys.stderr)
    return 0 if "NOT MET" not in report else 1


def render(results: dict, sizes: dict, scales: list[int]) -> str:
    floor = "floor (calamine read)"
    lines = [
        f"# Benchmark {dt.date.today().isoformat()}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
        "Times: best of the repeats, seconds; peak: the stage's process peak RSS, MB.",
        "",
        "| scale | municipalities | cells | file MB |",
        "|---|---|---|---|",
    ]
    lines += [f"| {s} | {sizes[s]['municipalities']} | {sizes[s]['cells']:,} | {sizes[s]['mb']:.1f} |" for s in scales]
    lines += [
        "",
        "| stage | " + " | ".join(f"scale {s}: s (x floor) | peak MB" for s in scales) + " |",
        "|---|" + "---|---|" * len(scales),
    ]
    for name in results[scales[0]]:
        cells = []
        for scale in scales:
            stage, base = results[scale][name], results[scale][floor]["seconds"]
            cells.append(f"{stage['seconds']:.3f} ({stage['seconds'] / base:.1f}x) | {stage['peak_mb']:.0f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    targets = []
    if 1 in results:
        t = results[1]["main job (CLI report)"]["seconds"]
        targets.append(("whole main job at scale 1 < 3 s (interpreter start included)", f"{t:.2f} s", t < 3))
    if 50 in results:
        r = results[50]
        ratio = r["read+validate+attainment"]["seconds"] / r[floor]["seconds"]
        targets.append(("read + validate + attainment at scale 50 <= 3x the read floor", f"{ratio:.2f}x", ratio <= 3))
        peak = max(s["peak_mb"] for s in r.values())
        targets.append(("peak memory at scale 50 < 1 GB", f"{peak:.0f} MB", peak < 1024))
    if 10 in results and 50 in results:
        lines += ["", "Scaling exponent from scale 10 to 50 (log(t50/t10) / log 5):", ""]
        for name in results[10]:
            e = exponent(results[10][name]["seconds"], results[50][name]["seconds"])
            lines.append(f"- {name}: {e:.2f}")
            if name != floor:
                targets.append((f"scaling exponent of '{name}' <= 1.1", f"{e:.2f}", e <= 1.1))
    counted = [s for s in scales if sizes[s]["xlwings_actions"]]
    if counted:
        lines += ["", "xlwings calls of one button press (remote-engine actions):", "",
                  "| button | " + " | ".join(f"scale {s} ({sizes[s]['municipalities']} municipalities)" for s in counted) + " |",
                  "|---|" + "---|" * len(counted)]
        for button in sizes[counted[0]]["xlwings_actions"]:
            lines.append(f"| {button} | " + " | ".join(str(sizes[s]["xlwings_actions"][button]) for s in counted) + " |")
        if 1 in counted and 10 in counted:
            one, ten = sizes[1]["xlwings_actions"], sizes[10]["xlwings_actions"]
            flat = [b for b in one if b not in CARD_BUTTONS]
            targets.append(("xlwings calls of the other buttons do not grow with the data",
                            ", ".join(f"{b} {one[b]} -> {ten[b]}" for b in flat), all(one[b] == ten[b] for b in flat)))
            per_card = {b: (ten[b] - one[b]) / (sizes[10]["municipalities"] - sizes[1]["municipalities"]) for b in CARD_BUTTONS}
            targets.append(("card buttons grow only by a constant per added municipality card",
                            ", ".join(f"{b} +{v:g}/card" for b, v in per_card.items()),
                            len(set(per_card.values())) == 1 and all(v == int(v) for v in per_card.values())))
    lines += ["", "| target | measured | |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {'met' if ok else 'NOT MET'} |" for name, value, ok in targets]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
