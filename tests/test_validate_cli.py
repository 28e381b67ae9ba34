"""`tyollisyys-xl validate`: exit codes, every output format, read-only, light imports; the CI workflow."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
import yaml

from tyollisyys_xl.cli import main

REPO = Path(__file__).resolve().parents[1]


def demo_copy(demo_path, path, cells: dict[tuple[str, str], object]):
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    for (sheet, cell), value in cells.items():
        book[sheet][cell] = value
    book.save(path)
    return path


WARNING_CELLS = {("Toteumat", "C3"): "Jämsä"}  # a whole-area indicator entered for a municipality


@pytest.fixture(scope="module")
def warning_path(demo_path, tmp_path_factory):
    return demo_copy(demo_path, tmp_path_factory.mktemp("cli") / "varoitus.xlsm", WARNING_CELLS)


@pytest.fixture(scope="module")
def faulty_path(demo_path, tmp_path_factory):
    """The demo with two errors (Toteumat!D2 not a number, Maksatukset!B2 an unknown commitment) and a warning."""
    errors = {("Toteumat", "D2"): "paljon", ("Maksatukset", "B2"): "SID-9999"}
    return demo_copy(demo_path, tmp_path_factory.mktemp("cli") / "virheellinen.xlsm", {**errors, **WARNING_CELLS})


@pytest.fixture(scope="module")
def not_a_workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "muistio.xlsm"
    path.write_text("tämä ei ole työkirja", encoding="utf-8")
    return path


def run_cli(capsys, *args) -> tuple[int, str]:
    code = main(["validate", *map(str, args)])
    return code, capsys.readouterr().out


def test_exit_codes(capsys, master_path, warning_path, faulty_path, not_a_workbook, tmp_path):
    assert run_cli(capsys, master_path)[0] == 0
    code, out = run_cli(capsys, warning_path)
    assert code == 0 and "0 virhettä, 1 varoitus" in out
    assert run_cli(capsys, faulty_path)[0] == 1
    assert run_cli(capsys, not_a_workbook)[0] == 2
    assert run_cli(capsys, tmp_path / "ei-ole.xlsm")[0] == 2


def test_text_format(capsys, faulty_path):
    code, out = run_cli(capsys, faulty_path)
    lines = out.strip().splitlines()
    assert code == 1
    assert any("Toteumat!D2" in line and "TYYPPI" in line and "Arvo: ”paljon” ei ole luku." in line for line in lines)
    assert lines[-1] == "virheellinen.xlsm: 2 virhettä, 1 varoitus. Korjaa virheet ennen raportointia."


def test_json_format(capsys, faulty_path):
    code, out = run_cli(capsys, faulty_path, "--format", "json")
    findings = json.loads(out)
    assert code == 1
    assert set(findings[0]) == {"severity", "sheet", "cell", "column", "rule", "message", "address"}
    errors = [(f["rule"], f["address"]) for f in findings if f["severity"] == "virhe"]
    assert errors == [("TYYPPI", "Toteumat!D2"), ("MAKSU_TUNTEMATON_SIDONTA", "Maksatukset!B2")]


def test_json_for_an_unreadable_file_is_one_finding(capsys, not_a_workbook):
    code, out = run_cli(capsys, not_a_workbook, "--format", "json")
    assert code == 2
    [finding] = json.loads(out)
    assert finding["rule"] == "TIEDOSTO" and finding["severity"] == "virhe" and finding["cell"] is None
    assert "ei ole Excel-työkirja" in finding["message"]


def test_junit_format(capsys, faulty_path, master_path):
    code, out = run_cli(capsys, faulty_path, "--format", "junit")
    root = ElementTree.fromstring(out)
    assert code == 1 and root.tag == "testsuites"
    failures = root.findall(".//testcase/failure")
    assert int(root.get("failures")) == len(failures) == 2
    assert {f.get("type") for f in failures} == {"TYYPPI", "MAKSU_TUNTEMATON_SIDONTA"}
    assert int(root.get("tests")) == len(root.findall(".//testcase"))
    assert {s.get("name") for s in root.findall("testsuite")} >= {"Toteumat", "Maksatukset"}

    code, out = run_cli(capsys, master_path, "--format", "junit")
    root = ElementTree.fromstring(out)
    assert code == 0 and root.get("failures") == "0" and len(root.findall(".//testcase")) == 1


def test_github_format(capsys, faulty_path):
    code, out = run_cli(capsys, faulty_path, "--format", "github")
    lines = out.strip().splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert code == 1 and len(errors) == 2
    assert [line for line in lines if line.startswith("::warning ")] == [
        "::warning file=" + str(faulty_path).replace(":", "%3A").replace(",", "%2C") + ",title=KUNTAJAKO Toteumat!C3::"
        "Toteumat!C3 (Kunta): Mittari kirjataan koko alueelle: kirjoita kunnaksi ”Koko alue”."
    ]
    first = errors[0]
    assert f"file={faulty_path}".replace(":", "%3A").replace(",", "%2C") in first
    assert "title=TYYPPI Toteumat!D2::" in first
    assert first.endswith("::Toteumat!D2 (Arvo): ”paljon” ei ole luku.")
    assert lines[-1].startswith("virheellinen.xlsm: 2 virhettä")


def test_validate_never_writes(capsys, faulty_path):
    before = (hashlib.sha256(faulty_path.read_bytes()).hexdigest(), faulty_path.stat().st_mtime_ns)
    names = set(os.listdir(faulty_path.parent))
    for fmt in ("text", "json", "junit", "github"):
        run_cli(capsys, faulty_path, "--format", fmt)
    assert (hashlib.sha256(faulty_path.read_bytes()).hexdigest(), faulty_path.stat().st_mtime_ns) == before
    assert set(os.listdir(faulty_path.parent)) == names


def test_cli_imports_no_writers(demo_path):
    """A fresh interpreter validates the scale-1 demo without importing openpyxl, xlsxwriter or xlwings
    (speed itself is measured with benchmarks/run.py, not in a test)."""
    probe = (
        "import sys; sys.argv = ['tyollisyys-xl', 'validate', sys.argv[1]];"
        "from tyollisyys_xl.cli import main; code = main();"
        "heavy = [m for m in ('openpyxl', 'xlsxwriter', 'xlwings') if m in sys.modules];"
        "print('HEAVY', heavy); sys.exit(code)"
    )
    result = subprocess.run([sys.executable, "-c", probe, str(demo_path)], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "HEAVY []" in result.stdout


def test_workflow_validates_the_committed_workbook_nightly_and_on_push():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "validate.yml").read_text(encoding="utf-8"))
    triggers = workflow[True] if True in workflow else workflow["on"]  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers and triggers["schedule"][0]["cron"]
    steps = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any("pip install" in step for step in steps)
    assert any("tyollisyys-xl validate workbook/Tyollisyysohjelma2026.xlsm --format github" in step for step in steps)
