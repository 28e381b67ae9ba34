"""Machine formats stay valid whatever the cells hold: control characters, formula-like text, huge numbers.

Findings quote cell values, and attainment prints indicator names from the workbook, so any text a cell can
carry reaches these outputs. Each format is parsed back with a strict parser of its own kind.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from table_factory import make_tables

from tyollisyys_xl.commands import attainment as attainment_command
from tyollisyys_xl.commands.validate import FORMATS, render
from tyollisyys_xl.core.attainment import compute_attainment
from tyollisyys_xl.core.findings import ERROR, Finding
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.core.safe_text import INVALID_XML, is_formula_like, neutralise_formula, visible
from tyollisyys_xl.programme import AREA_TOTAL, programme

# Any code point, surrogates included (a file name on Linux can carry them), weighted towards the troublemakers.
ANY_CHARACTER = st.characters(exclude_categories=())
TROUBLE = st.sampled_from(["\x00", "\x01", "\x0b", "\x1b[31m", "\x7f", "\x85", "\x9b", "\ud800", "\ufffe", "\uffff",
                           "\r", "\n", "\t", "%", ":", ",", "::error::", "<", "&", "\"", "]]>", "=1+1", "@SUM(A1)",
                           "-2+3", "+cmd|' /C calc'!A0", " =", "\t=", "\r="])
TEXT = st.lists(st.one_of(st.text(ANY_CHARACTER, max_size=6), TROUBLE), max_size=6).map("".join)
# What a cell can hold: any Unicode scalar value (a workbook is UTF-8 XML: no lone surrogates)
CELL_TEXT = TEXT.map(lambda text: re.sub("[\ud800-\udfff]", "", text))

@st.composite
def a_finding(draw) -> Finding:
    """Any registered rule at one of its severities; any text everywhere else (a finding quotes cells)."""
    rule = draw(st.sampled_from(list(Rule)))
    severity = draw(st.sampled_from(rule.severities))
    return Finding.of(rule, draw(TEXT), draw(st.none() | TEXT), draw(st.none() | TEXT), draw(TEXT), severity)


findings = st.lists(a_finding(), max_size=6)
workbook_names = TEXT.map(lambda name: Path("/kansio") / f"{name.replace('/', '_') or 'x'}.xlsm")

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def encodes(text: str) -> bool:
    text.encode("utf-8")  # raises on a lone surrogate
    return True


@given(findings, workbook_names)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_junit_is_well_formed_xml_with_every_finding(items, workbook):
    output = render("junit", items, workbook)
    root = ElementTree.fromstring(output.encode("utf-8"))  # expat refuses any character XML 1.0 does not allow
    cases = root.findall("testsuite/testcase")
    assert len(cases) == max(len(items), 1)
    failures = [case.find("failure") for case in cases if case.find("failure") is not None]
    assert sorted(f.get("message") for f in failures) == sorted(visible(f.message) for f in items if f.severity == ERROR)
    assert int(root.get("failures")) == sum(f.severity == ERROR for f in items)


@given(findings, workbook_names)
@settings(max_examples=150, deadline=None)
def test_json_is_valid_and_carries_every_finding(items, workbook):
    output = render("json", items, workbook)
    assert encodes(output)
    document = json.loads(output, parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    assert [(d["severity"], d["message"], d["cell"]) for d in document] == \
        [(f.severity, visible(f.message), f.cell and visible(f.cell)) for f in items]


def unescape(text: str) -> str:
    return re.sub("%(25|0D|0A|3A|2C)", lambda m: {"25": "%", "0D": "\r", "0A": "\n", "3A": ":", "2C": ","}[m.group(1)], text)


@given(findings, workbook_names)
@settings(max_examples=150, deadline=None)
def test_github_gives_one_annotation_line_per_finding(items, workbook):
    output = render("github", items, workbook)
    assert encodes(output) and not CONTROL.search(output)
    lines = output.split("\n")
    assert len(lines) == len(items) + 1  # no finding's text can start a line, so none can start a command
    for line, finding in zip(lines, items):
        level = "error" if finding.severity == ERROR else "warning"
        match = re.fullmatch(rf"::{level} file=([^,:]*),title=([^,:]*)::(.*)", line, re.DOTALL)
        assert match, line
        assert unescape(match.group(3)).endswith(visible(finding.message))


@given(findings, workbook_names)
@settings(max_examples=100, deadline=None)
def test_text_shows_no_control_character_a_terminal_would_act_on(items, workbook):
    output = render("text", items, workbook)
    assert encodes(output) and not CONTROL.search(output)


def test_every_format_is_covered():
    assert set(FORMATS) == {"text", "json", "junit", "github"}


def test_a_control_character_is_shown_as_its_symbol():
    assert visible("a\x00b\x1bc\x7f\x85\ud800") == "a\u2400b\u241bc\u2421\ufffd\ufffd"
    assert visible("rivi 1\nrivi 2\tsarake") == "rivi 1\nrivi 2\tsarake"
    assert not INVALID_XML.search(visible("".join(map(chr, range(0x110000)))))


# --- attainment ---------------------------------------------------------------------------------------


INDICATORS = programme().indicator_rows()
numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e308, -1e308, 1e-308, 0.0]))


@given(names=st.lists(CELL_TEXT, min_size=3, max_size=3), values=st.lists(numbers, min_size=3, max_size=3))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_attainment_json_and_csv_stay_valid(names, values):
    rows = [dict(row) for row in INDICATORS]
    for row, name in zip(rows, names):
        row["name"] = name
    entries = [dict(indicator_id=row["id"], month=3, municipality=AREA_TOTAL, value=value)
               for row, value in zip(rows, values)]
    result = compute_attainment(make_tables(indicators=rows, entries=entries))
    where = Path("demo.xlsm")
    document = json.loads(attainment_command.format_json(result, "all", where, {}),
                          parse_constant=lambda name: (_ for _ in ()).throw(ValueError(name)))
    assert [i["name"] for i in document["indicators"]][:3] == names
    for indicator in document["indicators"]:
        assert all(not isinstance(v, float) or math.isfinite(v) for v in indicator.values())
    text = attainment_command.format_csv(result, "all", where, {})
    parsed = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert len(parsed) == len(rows) + 1
    for row, name in zip(parsed[1:4], names):
        assert row[4] == neutralise_formula(name)
        assert not is_formula_like(row[4]) or row[4].startswith("'")
    attainment_command.format_text(result, "all", where, {})  # no exception on any number
