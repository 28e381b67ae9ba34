"""Benchmark the tool at area (scale 1) and national (10, 50, 100) volume, beside its peers, against the read floor.

Usage:  python benchmarks/run.py [--scales 1 10 50 100] [--repeat 3] [--out benchmarks/results]
        (the peers need the bench extra: pip install -e '.[bench]')

Whole processes, interpreter start included, as a user runs them; each figure is the median of --repeat runs
and its peak memory the process's peak RSS. The floor is a process that only reads every cell value of every
sheet with python-calamine. In the same run: `frictionless validate` on the same tables as CSV, and pandas
(calamine engine) + pandera, both with schemas derived from schema/*.json (benchmarks/peers.py), and a fixed
set of injected faults (benchmarks/faults.py) to show which checker catches which. Stages inside one process
(imports excluded) show where the time goes. Writes benchmarks/results/<date>.md and latest.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CLI = [PYTHON, "-m", "tyollisyys_xl"]
FRICTIONLESS = shutil.which("frictionless", path=str(Path(PYTHON).parent)) or shutil.which("frictionless")
sys.path.insert(0, str(ROOT / "benchmarks"))

FLOOR = "floor (calamine read)"
LOAD_AT_START = os.getloadavg()[0]
FLOOR_SCRIPT = """
import sys, python_calamine as pc
wb = pc.CalamineWorkbook.from_path(sys.argv[1])
print(sum(len(row) for name in wb.sheet_names for row in wb.get_sheet_by_name(name).to_python()))
"""
OURS, PEERS = ("validate", "report"), ("frictionless validate (CSV)", "pandas (calamine) + pandera")

# Stages inside one process, each printing {"seconds": ...}; PATH is the workbook.
STAGES = {
    "read": """
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.pipeline import collector_paused
t = time.perf_counter()
with collector_paused():
    sheets, facts = CalamineSource(PATH).read_all()
""",
    "validate": """
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.core.validation import validate_sheets
from tyollisyys_xl.pipeline import collector_paused
sheets, facts = CalamineSource(PATH).read_all()
t = time.perf_counter()
with collector_paused():
    validate_sheets(sheets, facts)
""",
    "attainment (every view) and status history": """
from tyollisyys_xl.pipeline import load
from tyollisyys_xl.core.attainment import compute_attainment
from tyollisyys_xl.core.history import status_history
res = load(PATH)
t = time.perf_counter()
att = compute_attainment(res.tables)
att.municipalities, att.rollups, att.trend, att.rollup_trend
status_history(res.tables, att.as_of, att)
""",
    "cards + budget tabs": """
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
""",
    "write the report file": """
import io
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.io.xlsxwriter_target import write_xlsx
from tyollisyys_xl.jobs import run_job
from tyollisyys_xl.pipeline import collector_paused
source = CalamineSource(PATH)
with collector_paused():
    sheets, facts = source.read_all(skip=source.generated_sheets())
    result = run_job(sheets, "all", facts=facts)
    t = time.perf_counter()
    write_xlsx(io.BytesIO(), result.specs, {s.name for s in result.specs})
""",
}
STAGE_RUNNER = """
import json, sys, time
from tyollisyys_xl.cli import keep_pandas_off_pyarrow
keep_pandas_off_pyarrow()  # as the command line does
PATH = sys.argv[1]
{body}
print(json.dumps({{"seconds": time.perf_counter() - t}}))
"""

XLWINGS_CALLS = """
import json, os, sys
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
sys.path.insert(0, "tests")
import xlwings as xw
from remote_book import actions, book_json, payload_after, remote_book
import tyollisyys_xl.excel as excel
from tyollisyys_xl.io.generated import highlight_state_spec
counts = {}
for button in ("validate_entries", "compute_attainment", "update_budget_tracking", "make_municipality_cards", "update_all"):
    book = remote_book(sys.argv[1])
    result = getattr(excel, button)(book=book)
    counts[button] = len(actions(book))
payload = book_json(sys.argv[1])
rerun = xw.Book(json=payload_after(payload, result.specs + [highlight_state_spec({})], payload["sheets"][-1]["name"]))
excel.make_municipality_cards(rerun)
counts["make_municipality_cards again"] = len(actions(rerun))
print(json.dumps(counts))
"""
CARD_BUTTONS = ("make_municipality_cards", "update_all")


def timed(cmd: list[str], repeat: int, ok=(0,), cwd: Path = ROOT) -> dict:
    """Median wall time, median CPU time (user + system: what a shared machine's load does not inflate as
    much) and the largest peak RSS of repeated runs of a whole process."""
    seconds, cpu, peaks, out = [], [], [], ""
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", *cmd], capture_output=True, text=True, cwd=cwd)
        seconds.append(time.perf_counter() - started)
        if proc.returncode not in ok:
            raise RuntimeError(f"{cmd}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
        peak, user, system = proc.stderr.strip().splitlines()[-1].split()
        peaks.append(int(peak) / 1024)
        cpu.append(float(user) + float(system))
        out = proc.stdout
    return {"seconds": statistics.median(seconds), "cpu": statistics.median(cpu), "peak_mb": max(peaks), "stdout": out}


def stage(body: str, path: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        proc = subprocess.run([PYTHON, "-c", STAGE_RUNNER.format(body=body), str(path)], capture_output=True, text=True, cwd=ROOT)
        if proc.returncode:
            raise RuntimeError(proc.stderr[-2000:])
        times.append(json.loads(proc.stdout.strip().splitlines()[-1])["seconds"])
    return statistics.median(times)


def make_demo(scale: int, directory: Path) -> Path:
    path = directory / f"demo-scale{scale}.xlsm"
    subprocess.run(CLI + ["demo", str(path), "--scale", str(scale), "--seed", "1"], check=True, cwd=ROOT, capture_output=True)
    return path


def csv_package(workbook: Path, folder: Path) -> Path:
    proc = subprocess.run([PYTHON, str(ROOT / "benchmarks" / "peers.py"), "csv", str(workbook), str(folder)],
                          check=True, capture_output=True, text=True, cwd=ROOT)
    return Path(proc.stdout.strip())


def processes(path: Path, tmp: Path, scale: int, repeat: int, peers: bool) -> dict[str, dict]:
    out = tmp / f"raportti-{scale}.xlsx"
    results = {
        FLOOR: timed([PYTHON, "-c", FLOOR_SCRIPT, str(path)], repeat),
        "validate": timed(CLI + ["validate", str(path)], repeat, ok=(0, 1)),
        "report": timed(CLI + ["report", str(path), "--out", str(out)], repeat),
    }
    if scale <= 50:
        results["report --with-inputs"] = timed(CLI + ["report", str(path), "--out", str(out), "--with-inputs"], repeat)
    results[FLOOR]["cells"] = int(results[FLOOR]["stdout"])
    if peers:
        package = csv_package(path, tmp / f"csv-{scale}")
        results[PEERS[0]] = timed([FRICTIONLESS, "validate", str(package)], repeat, ok=(0, 1))
        results[PEERS[1]] = timed([PYTHON, str(ROOT / "benchmarks" / "peers.py"), "pandera", str(path)], repeat)
    return results


def fault_findings(path: Path, tmp: Path, peers: bool) -> dict[str, int]:
    """How many problems each checker reports for the workbook at path."""
    ours = subprocess.run(CLI + ["validate", "--format", "json", str(path)], capture_output=True, text=True, cwd=ROOT)
    counts = {"tyollisyys-xl validate": len(json.loads(ours.stdout))}
    if peers:
        package = csv_package(path, tmp / f"csv-{path.stem}")
        report = subprocess.run([FRICTIONLESS, "validate", "--json", str(package)], capture_output=True, text=True, cwd=ROOT)
        counts[PEERS[0]] = sum(task["stats"]["errors"] for task in json.loads(report.stdout)["tasks"])
        pandera = subprocess.run([PYTHON, str(ROOT / "benchmarks" / "peers.py"), "pandera", str(path)], capture_output=True,
                                 text=True, cwd=ROOT, check=True)
        counts[PEERS[1]] = json.loads(pandera.stdout.strip().splitlines()[-1])["failures"]
    return counts


def catch_table(demo: Path, tmp: Path, peers: bool) -> tuple[dict[str, int], dict[str, dict[str, bool]]]:
    from faults import FAULTS, inject

    baseline = fault_findings(demo, tmp, peers)
    caught = {}
    for i, fault in enumerate(FAULTS):
        faulty = inject(demo, fault, tmp / f"vika{i}.xlsm")
        counts = fault_findings(faulty, tmp, peers)
        caught[fault.name] = {tool: counts[tool] > baseline[tool] for tool in baseline}
    return baseline, caught


def xlwings_actions(path: Path) -> dict[str, int]:
    proc = subprocess.run([PYTHON, "-c", XLWINGS_CALLS, str(path)], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 50, 100])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    args = parser.parse_args()
    peers = FRICTIONLESS is not None
    if not peers:
        print("frictionless/pandera missing (pip install -e '.[bench]'): peers left out", file=sys.stderr)

    # An installed package carries compiled bytecode; this machine may forbid writing it (PYTHONDONTWRITEBYTECODE),
    # and every run would then compile the package anew. Compile it once, as an installation does.
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "tyollisyys_xl")], check=True)
    runs, stages, sizes, calls = {}, {}, {}, {}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for scale in args.scales:
            path = make_demo(scale, tmp)
            runs[scale] = processes(path, tmp, scale, args.repeat, peers and scale <= 50)
            sizes[scale] = {"mb": path.stat().st_size / 1e6, "cells": runs[scale][FLOOR]["cells"], "municipalities": 8 * scale}
            if scale <= 50:
                stages[scale] = {name: stage(body, path, args.repeat) for name, body in STAGES.items()}
            if scale <= 10:
                calls[scale] = xlwings_actions(path)
            if scale == 1:
                baseline, caught = catch_table(path, tmp, peers)
            print(f"scale {scale}: done ({sizes[scale]['cells']} cells)", file=sys.stderr)

    report = render(runs, stages, sizes, calls, baseline, caught)
    print(report)
    args.out.mkdir(parents=True, exist_ok=True)
    out_file = args.out / f"{dt.date.today().isoformat()}.md"
    out_file.write_text(report, encoding="utf-8")
    runs = {scale: {name: {k: v for k, v in r.items() if k != "stdout"} for name, r in by.items()} for scale, by in runs.items()}
    raw = {"runs": runs, "stages": stages, "sizes": sizes, "calls": calls, "baseline": baseline, "caught": caught}
    out_file.with_suffix(".json").write_text(json.dumps(raw, indent=1, default=str), encoding="utf-8")
    (args.out / "latest.md").write_text(report, encoding="utf-8")
    print(f"\nwritten: {out_file}", file=sys.stderr)
    return 0 if "NOT MET" not in report else 1


def ratio(runs: dict, scale: int, name: str, measure: str = "seconds") -> float:
    return runs[scale][name][measure] / runs[scale][FLOOR][measure]


def verdict(wall_ok: bool, cpu_ok: bool) -> str:
    """Targets are judged on wall time; on a shared machine the CPU time says whether the load alone missed it."""
    if wall_ok:
        return "met"
    return "NOT MET on wall time (met on CPU time: the machine was shared)" if cpu_ok else "NOT MET"


def render(runs, stages, sizes, calls, baseline, caught) -> str:
    scales = list(runs)
    lines = [
        f"# Benchmark {dt.date.today().isoformat()}",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{LOAD_AT_START:.1f} at the start and {os.getloadavg()[0]:.1f} at the end (above 1, other work shared the "
        "cores: wall times are inflated, CPU times much less). Whole processes (interpreter start included, the "
        "package's bytecode compiled first as an installation does), median "
        "of the repeats: wall and CPU (user + system) seconds, each with its ratio to the floor of the same scale in "
        "the same run; peak: the process's peak RSS, MB.",
        "",
        "| scale | municipalities | cells | file MB |",
        "|---|---|---|---|",
    ]
    lines += [f"| {s} | {sizes[s]['municipalities']} | {sizes[s]['cells']:,} | {sizes[s]['mb']:.1f} |" for s in scales]
    names = list(dict.fromkeys(name for s in scales for name in runs[s]))
    lines += ["", "| process | " + " | ".join(f"scale {s}: wall s (x floor) | CPU s (x floor) | peak MB" for s in scales) + " |",
              "|---|" + "---|---|---|" * len(scales)]
    for name in names:
        cells = []
        for s in scales:
            r = runs[s].get(name)
            cells.append(f"{r['seconds']:.2f} ({ratio(runs, s, name):.1f}x) | {r['cpu']:.2f} ({ratio(runs, s, name, 'cpu'):.1f}x)"
                         f" | {r['peak_mb']:.0f}" if r else "– | – | –")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")

    if stages:
        lines += ["", "Inside one process (imports excluded), median seconds:", "",
                  "| stage | " + " | ".join(f"scale {s}" for s in stages) + " |", "|---|" + "---|" * len(stages)]
        for name in STAGES:
            lines.append(f"| {name} | " + " | ".join(f"{stages[s][name]:.3f}" for s in stages) + " |")

    tools = list(baseline)
    lines += ["", "Injected faults (scale 1, one at a time): caught = more problems reported than for the clean demo "
              f"(which gives {', '.join(f'{t} {n}' for t, n in baseline.items())}).", "",
              "| fault | " + " | ".join(tools) + " |", "|---|" + "---|" * len(tools)]
    for fault, by_tool in caught.items():
        lines.append(f"| {fault} | " + " | ".join("caught" if by_tool[t] else "–" for t in tools) + " |")
    totals = {t: sum(by_tool[t] for by_tool in caught.values()) for t in tools}
    lines.append("| **caught** | " + " | ".join(f"**{totals[t]} / {len(caught)}**" for t in tools) + " |")

    targets = []  # (what, measured, verdict)
    if 1 in runs:
        t, cpu = runs[1]["report"]["seconds"], runs[1]["report"]["cpu"]
        targets.append(("main job (report) at scale 1 < 1.5 s, interpreter start included",
                        f"{t:.2f} s (CPU {cpu:.2f} s)", verdict(t < 1.5, cpu < 1.5)))
    if 50 in runs:
        for name, limit in (("report", 25), ("report", 15), ("validate", 5)):
            wall, cpu = ratio(runs, 50, name), ratio(runs, 50, name, "cpu")
            what = f"{name} at scale 50 <= {limit}x the floor" + (" (stretch)" if limit == 15 else "")
            targets.append((what, f"{wall:.1f}x (CPU {cpu:.1f}x)", verdict(wall <= limit, cpu <= limit)))
        peak = runs[50]["report"]["peak_mb"]
        targets.append(("report peak memory at scale 50 < 400 MB", f"{peak:.0f} MB", verdict(peak < 400, False)))
    if 100 in runs:
        peak = runs[100]["report"]["peak_mb"]
        targets.append(("report peak memory at scale 100 < 800 MB", f"{peak:.0f} MB", verdict(peak < 800, False)))
    for s in scales:
        if PEERS[1] in runs[s]:
            ours, theirs = runs[s]["validate"], runs[s][PEERS[1]]
            targets.append((f"validate not slower than pandas (calamine) + pandera at scale {s}",
                            f"{ours['seconds']:.2f} s vs {theirs['seconds']:.2f} s (CPU {ours['cpu']:.2f} vs {theirs['cpu']:.2f})",
                            verdict(ours["seconds"] <= theirs["seconds"], ours["cpu"] <= theirs["cpu"])))
    if caught and len(tools) > 1:
        best_peer = max(totals[t] for t in tools[1:])
        targets.append(("validate catches more injected faults than either peer",
                        ", ".join(f"{t} {totals[t]}" for t in tools), verdict(totals[tools[0]] > best_peer, False)))

    if calls:
        lines += ["", "xlwings calls of one button press (remote-engine actions):", "",
                  "| button | " + " | ".join(f"scale {s} ({sizes[s]['municipalities']} municipalities)" for s in calls) + " |",
                  "|---|" + "---|" * len(calls)]
        first = next(iter(calls.values()))
        for button in first:
            lines.append(f"| {button} | " + " | ".join(str(calls[s][button]) for s in calls) + " |")
        if 1 in calls and 10 in calls:
            one, ten = calls[1], calls[10]
            added = sizes[10]["municipalities"] - sizes[1]["municipalities"]
            flat = [b for b in ("validate_entries", "compute_attainment", "update_budget_tracking")]
            targets.append(("xlwings calls of the other buttons do not grow with the data",
                            ", ".join(f"{b} {one[b]} -> {ten[b]}" for b in flat), verdict(all(one[b] == ten[b] for b in flat), False)))
            for button in (*CARD_BUTTONS, "make_municipality_cards again"):
                per_card = (ten[button] - one[button]) / added
                targets.append((f"{button}: xlwings calls per municipality card <= 5 (+ a constant)",
                                f"{per_card:g} per card, constant {one[button] - per_card * 8:g}", verdict(per_card <= 5, False)))

    lines += ["", "| target (issue #15) | measured | |", "|---|---|---|"]
    lines += [f"| {name} | {value} | {ok} |" for name, value, ok in targets]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
