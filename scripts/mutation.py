"""Mutation-test the core rules with mutmut, one scope at a time (docs/mutation.md).

Each scope names the functions whose mutants count and the fast tests that must catch them. mutmut copies
the tree into `mutants/` and mutates whole files, so each scope runs in its own folder under
build/mutation/<scope>/ with its own [tool.mutmut] configuration, and keeps its results there: a second run
re-tests only what changed. LibreOffice tests are left out on purpose: a rule must be held by tests that run
everywhere.

    python scripts/mutation.py                  # every scope
    python scripts/mutation.py parsing money    # some scopes
    python scripts/mutation.py --list           # the scopes
    python scripts/mutation.py --fresh parsing  # forget the scope's earlier results first

Prints one line per scope (killed, survived, score, minutes) and every surviving mutant's name; writes the
same as JSON to build/mutation/summary.json. `cd build/mutation/<scope> && mutmut show NAME` prints a
mutant's diff. Exit 1 when a scope has a survivor that docs/mutation.md does not list as equivalent.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "mutation"
COPIED = ("tyollisyys_xl", "tests", "schema", "programme", "workbook/vba", "excel/lite")
PYTEST_ARGS = ["-p", "no:cacheprovider", "-m", "not libreoffice and not slow"]
EQUIVALENT_LIST = ROOT / "docs" / "mutation.md"


@dataclass(frozen=True)
class Scope:
    why: str
    functions: tuple[str, ...]  # mutmut mutant-name patterns: module.x_function (x_Class prefix for methods)
    tests: tuple[str, ...]

    def files(self) -> list[str]:
        modules = {pattern.rsplit(".", 1)[0] for pattern in self.functions}
        return sorted(module.replace(".", "/") + ".py" for module in modules)


SCOPES = {
    "parsing": Scope(
        "Finnish numbers, dates and months typed as text; HETU and Y-tunnus check characters",
        ("tyollisyys_xl.core.parsing.*",),
        ("tests/test_parsing.py",),
    ),
    "money": Scope(
        "exact cents, euro text and the split of totals by weights",
        ("tyollisyys_xl.core.money.*",),
        ("tests/test_budget.py", "tests/test_boundaries.py::test_rounding_to_cents",
         "tests/test_boundaries.py::test_cents_of_a_column_round_float_noise_and_take_exact_decimals",
         "tests/test_boundaries.py::test_apportion_ties_go_left_and_every_cent_is_kept",
         "tests/test_boundaries.py::test_euro_amounts"),
    ),
    "attainment-status": Scope(
        "expected share, progress and the status margins",
        ("tyollisyys_xl.core.attainment.judging.*",),
        ("tests/test_attainment_arithmetic.py", "tests/test_attainment_boundaries.py", "tests/test_attainment_rules.py"),
    ),
    "attainment-coverage": Scope(
        "area figures from municipal entries: complete or partial coverage, and the year-to-date rate",
        ("tyollisyys_xl.core.attainment.figures.x__combine_municipal*",
         "tyollisyys_xl.core.attainment.figures.x_area_actual*",
         "tyollisyys_xl.core.attainment.figures.x__year_to_date_rate*",
         "tyollisyys_xl.core.attainment.assessment.x__coverage_text*",
         "tyollisyys_xl.core.attainment.assessment.x__partial*"),
        ("tests/test_attainment_coverage.py", "tests/test_attainment_boundaries.py", "tests/test_attainment_rules.py",
         "tests/test_boundaries.py::test_coverage_of_municipalities_decides_complete_or_partial"),
    ),
    "validation-keys": Scope(
        "values from another table (x-list) and unique keys (x-unique), compared casefolded",
        ("tyollisyys_xl.core.validation.references.*",),
        ("tests/test_validation.py::test_dropdown_values_match_in_any_case",
         "tests/test_validation.py::test_keys_are_compared_in_any_letter_case",
         "tests/test_validation.py::test_a_list_without_a_rule_of_its_own_reports_an_unknown_value",
         "tests/test_validation.py::test_a_repeated_key_is_flagged_at_every_later_row_and_names_the_first",
         "tests/test_validation.py::test_each_unique_key_of_a_table_is_checked_and_named_in_the_message",
         "tests/test_validation.py::test_an_unknown_reference_names_the_value_and_the_column_under_its_own_rule",
         "tests/test_validation.py::test_a_reference_to_an_unusable_table_is_not_checked_and_the_other_columns_still_are",
         "tests/test_validation.py::test_a_period_may_end_on_the_day_it_starts_but_not_before",
         "tests/test_validation.py::test_a_business_id_is_required_where_the_subsidy_type_says_so",
         "tests/test_validation.py::test_a_missing_business_id_column_is_reported_not_raised",
         "tests/test_boundaries.py::test_payments_up_to_the_commitment",
         "tests/test_boundaries.py::test_date_range_of_payments"),
    ),
    "generated": Scope(
        "what both writers of generated sheets share: the replacement plan, highlights, cell addresses, style bands, "
        "header and footer sections, value cleaning",
        ("tyollisyys_xl.io.generated.*",),
        ("tests/test_generated.py", "tests/test_render_xlsx.py"),
    ),
}


def _prepare(name: str, scope: Scope, fresh: bool) -> Path:
    """The scope's folder: a copy of the tree (the earlier results kept unless fresh) and its configuration."""
    folder = WORK / name
    if fresh:
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", ".hypothesis", ".pytest_cache")
    for part in COPIED:
        target = folder / part
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / part, target, ignore=ignore)
    project = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    config = "\n".join([
        "", "[tool.mutmut]",
        'source_paths = ["tyollisyys_xl"]',
        f"only_mutate = {json.dumps(scope.files())}",
        f"also_copy = {json.dumps([p for p in COPIED if p not in ('tyollisyys_xl', 'tests')])}",
        f"pytest_add_cli_args = {json.dumps(PYTEST_ARGS)}",
        f"pytest_add_cli_args_test_selection = {json.dumps(list(scope.tests))}",
        "",
    ])
    (folder / "pyproject.toml").write_text(project + config, encoding="utf-8")
    return folder


def _prebuilt_master() -> Path:
    """One master built from the unmutated tree, copied by tests/conftest.py's master_path in every session."""
    path, fresh = WORK / "master.xlsm", WORK / f"master-{os.getpid()}.xlsm"
    subprocess.run([sys.executable, "-m", "tyollisyys_xl", "build", str(fresh)], cwd=ROOT, check=True,
                   capture_output=True)
    return fresh.replace(path)  # in one step: a run of another scope may be copying it


def _mutmut(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TYOLLISYYS_XL_PREBUILT_MASTER": str(WORK / "master.xlsm"), "TYOLLISYYS_XL_MUTATION": "1"}
    return subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=folder, env=env, capture_output=True, text=True)


def _statuses(folder: Path, scope: Scope) -> dict[str, str]:
    """{mutant name: mutmut's status} for the scope's functions."""
    listing = _mutmut(folder, "results", "--all", "true").stdout
    found = dict(re.findall(r"^\s+(\S+): (.+)$", listing, flags=re.MULTILINE))
    return {name: status for name, status in found.items()
            if any(fnmatch.fnmatchcase(name, pattern) for pattern in scope.functions)}


def _explained() -> set[str]:
    """Mutant names docs/mutation.md explains as equivalent (its table's first column)."""
    if not EQUIVALENT_LIST.is_file():
        return set()
    return set(re.findall(r"^\| `([^`]+__mutmut_\d+)` \|", EQUIVALENT_LIST.read_text(encoding="utf-8"), re.MULTILINE))


def run_scope(name: str, scope: Scope, fresh: bool, max_children: int) -> dict:
    folder = _prepare(name, scope, fresh)
    started = time.monotonic()
    run = _mutmut(folder, "run", "--max-children", str(max_children), *scope.functions)
    minutes = (time.monotonic() - started) / 60
    statuses = _statuses(folder, scope)
    if run.returncode != 0 or not statuses:
        sys.stderr.write(run.stdout[-3000:] + run.stderr[-3000:])
        raise SystemExit(f"mutmut failed in scope {name} (exit {run.returncode})")
    killed = [m for m, s in statuses.items() if s in ("killed", "timeout", "caught by type check")]
    survived = sorted(m for m, s in statuses.items() if m not in killed)
    return {"scope": name, "mutants": len(statuses), "killed": len(killed), "survived": survived,
            "statuses": {m: statuses[m] for m in survived}, "minutes": round(minutes, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scopes", nargs="*", metavar="SCOPE", help=f"one of: {', '.join(SCOPES)} (default: all)")
    parser.add_argument("--list", action="store_true", help="list the scopes and exit")
    parser.add_argument("--fresh", action="store_true", help="forget the scopes' earlier results")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    args = parser.parse_args(argv)
    if args.list:
        for name, scope in SCOPES.items():
            print(f"{name:20} {scope.why}\n{'':20} {', '.join(scope.functions)}\n{'':20} tests: {' '.join(scope.tests)}")
        return 0
    unknown = [name for name in args.scopes if name not in SCOPES]
    if unknown:
        parser.error(f"unknown scope {unknown[0]}; the scopes are: {', '.join(SCOPES)}")
    explained = _explained()
    WORK.mkdir(parents=True, exist_ok=True)
    _prebuilt_master()
    results = []
    for name in args.scopes or SCOPES:
        result = run_scope(name, SCOPES[name], args.fresh, args.max_children)
        results.append(result)
        unexplained = [m for m in result["survived"] if m not in explained]
        result["unexplained"] = unexplained
        score = 100 * result["killed"] / max(1, result["mutants"] - (len(result["survived"]) - len(unexplained)))
        print(f"{name:20} {result['killed']:4} of {result['mutants']:4} killed, {len(unexplained)} unexplained "
              f"survivor(s), {score:.1f} % of non-equivalent, {result['minutes']} min", flush=True)
        for mutant in result["survived"]:
            print(f"    {mutant}: {result['statuses'][mutant]}{'' if mutant in unexplained else ' (equivalent)'}")
    (WORK / "summary.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    return 1 if any(r["unexplained"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
