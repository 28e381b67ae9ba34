"""tyollisyys-xl validate WORKBOOK [--format text|json|junit|github]: check the entries, change nothing.

Exit codes: 0 = no errors (warnings allowed), 1 = errors, 2 = the file cannot be read at all.
The workbook is only read (python-calamine); openpyxl, xlsxwriter and xlwings are never imported here,
which keeps a run on the demo workbook well under two seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from xml.etree import ElementTree

from tyollisyys_xl.core.findings import ERROR, Finding
from tyollisyys_xl.core.reports.tarkistus import summary
from tyollisyys_xl.core.safe_text import visible

FORMATS = ("text", "json", "junit", "github")
EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
FILE_RULE = "TIEDOSTO"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("workbook", type=Path, metavar="TYÖKIRJA", help="tarkistettava työkirja (.xlsm tai .xlsx); sitä vain luetaan")
    parser.add_argument("--format", choices=FORMATS, default="text", help="tulosteen muoto (oletus: text)")


def format_text(findings: Sequence[Finding], workbook: Path) -> str:
    lines = [f"{f.severity:<8} {f.address:<28} {f.rule:<26} {(f.column + ': ') if f.column else ''}{f.message}" for f in findings]
    lines.append(f"{workbook.name}: {summary(findings)}")
    return "\n".join(lines)


def format_json(findings: Sequence[Finding], workbook: Path) -> str:
    return json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=2)


def format_junit(findings: Sequence[Finding], workbook: Path) -> str:
    """One test suite per sheet, one test case per finding (errors fail, warnings pass with their text)."""
    suites = ElementTree.Element("testsuites", name=f"tyollisyys-xl validate {workbook.name}")
    by_sheet: dict[str, list[Finding]] = {}
    for finding in findings:
        by_sheet.setdefault(finding.sheet, []).append(finding)
    if not by_sheet:
        suite = ElementTree.SubElement(suites, "testsuite", name=workbook.name, tests="1", failures="0", errors="0", skipped="0")
        ElementTree.SubElement(suite, "testcase", classname=workbook.name, name="Ei virheitä eikä varoituksia")
    for sheet, items in by_sheet.items():
        failures = sum(f.severity == ERROR for f in items)
        suite = ElementTree.SubElement(suites, "testsuite", name=sheet, tests=str(len(items)), failures=str(failures), errors="0", skipped="0")
        for finding in items:
            case = ElementTree.SubElement(suite, "testcase", classname=f"{workbook.name}.{sheet}", name=f"{finding.rule} {finding.address}")
            if finding.severity == ERROR:
                failure = ElementTree.SubElement(case, "failure", message=finding.message, type=finding.rule)
                failure.text = _describe(finding)
            else:
                ElementTree.SubElement(case, "system-out").text = f"varoitus: {_describe(finding)}"
    suites.set("tests", str(sum(int(s.get("tests")) for s in suites)))
    suites.set("failures", str(sum(int(s.get("failures")) for s in suites)))
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)


def _describe(finding: Finding) -> str:
    column = f" ({finding.column})" if finding.column else ""
    return f"{finding.address}{column}: {finding.message}"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(findings: Sequence[Finding], workbook: Path) -> str:
    """GitHub Actions workflow commands: one ::error / ::warning annotation per finding, then the summary."""
    lines = []
    for finding in findings:
        level = "error" if finding.severity == ERROR else "warning"
        props = f"file={_escape_property(str(workbook))},title={_escape_property(f'{finding.rule} {finding.address}')}"
        lines.append(f"::{level} {props}::{_escape_data(_describe(finding))}")
    lines.append(_escape_data(f"{workbook.name}: {summary(findings)}"))  # a line break in a name starts no command
    return "\n".join(lines)


FORMATTERS: dict[str, Callable[[Sequence[Finding], Path], str]] = {
    "text": format_text,
    "json": format_json,
    "junit": format_junit,
    "github": format_github,
}


def render(output_format: str, findings: Sequence[Finding], workbook: Path) -> str:
    """The findings in one format. Every text first shows its control characters as visible symbols (a cell's
    NUL as ␀): XML 1.0 cannot hold them, and a terminal or an annotation must not act on them."""
    shown = [
        replace(f, sheet=visible(f.sheet), cell=f.cell and visible(f.cell), column=f.column and visible(f.column),
                rule=visible(f.rule), message=visible(f.message))
        for f in findings
    ]
    return FORMATTERS[output_format](shown, Path(visible(str(workbook))))


def run(args: argparse.Namespace) -> int:
    from tyollisyys_xl.core.explanations import missing_explanations
    from tyollisyys_xl.io.errors import WorkbookReadError
    from tyollisyys_xl.pipeline import load

    try:
        loaded = load(args.workbook)
        findings = [*loaded.findings, *missing_explanations(loaded.tables)]
        code = EXIT_ERRORS if any(f.severity == ERROR for f in findings) else EXIT_OK
    except WorkbookReadError as exc:
        findings = [Finding(ERROR, args.workbook.name, None, None, FILE_RULE, f"Työkirjaa ei voi lukea. {exc.message}")]
        code = EXIT_UNREADABLE
    sys.stdout.write(render(args.format, findings, args.workbook) + "\n")
    return code
