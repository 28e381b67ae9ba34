"""The rule registry (core/rules.py): every code documented, every emitted code registered, findings safe to print."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from tyollisyys_xl.cli import main
from tyollisyys_xl.core.findings import ERROR, MESSAGE_LIMIT, WARNING, Finding
from tyollisyys_xl.core.parsing import contains_hetu
from tyollisyys_xl.core.rules import Rule, UnregisteredRule
from tyollisyys_xl.pipeline import load

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "validation.md"
DOC_ROW = re.compile(r'^\| <a id="(?P<anchor>[^"]+)"></a>`(?P<code>[A-Z_]+)` \| (?P<severity>[^|]+) \| (?P<title>[^|]+) \|', re.MULTILINE)


def documented_rows() -> list[re.Match]:
    return list(DOC_ROW.finditer(DOC.read_text(encoding="utf-8")))


@pytest.mark.parametrize("rule", list(Rule), ids=lambda r: r.code)
def test_every_registered_code_has_one_row_in_the_docs(rule):
    rows = [m for m in documented_rows() if m["code"] == rule.code]
    assert len(rows) == 1, f"{rule.code}: add one row to the rules table of {DOC.name}"
    row = rows[0]
    assert row["anchor"] == rule.anchor and rule.doc == f"docs/validation.md#{rule.anchor}"
    assert row["severity"].strip() == " / ".join(rule.severities)
    assert row["title"].strip() == rule.title


def test_every_documented_code_is_registered():
    assert [m["code"] for m in documented_rows() if m["code"] not in Rule.__members__] == []


def test_registry_entries_are_complete_finnish_sentences():
    for rule in Rule:
        assert rule.severities and set(rule.severities) <= {ERROR, WARNING}
        assert rule.title[0].isupper() and not rule.title.endswith(".")
        assert rule.explanation[0].isupper() and rule.explanation.endswith(".") and "\n" not in rule.explanation


def test_every_registered_code_is_named_by_a_test():
    """Each rule has at least one test that makes it fire (or checks it), besides this file."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "tests").glob("*.py") if p.name != "test_rules.py")
    assert [r.code for r in Rule if f'"{r.code}"' not in text and f"Rule.{r.code}" not in text] == []


# --- findings are made through the registry --------------------------------------------------------


def test_an_unregistered_code_cannot_be_emitted():
    with pytest.raises(UnregisteredRule, match="core/rules.py"):
        Finding(ERROR, "Toteumat", "D2", "Arvo", "EI_TALLAISTA", "viesti")


def test_a_severity_the_rule_does_not_have_cannot_be_emitted():
    with pytest.raises(ValueError, match="HETU"):
        Finding(WARNING, "Toteumat", "D2", None, "HETU", "viesti")
    assert Finding(WARNING, "Toteumat", "C1", None, "SARAKE_PUUTTUU", "viesti").severity == WARNING  # allowed both


def test_a_finding_names_its_rule_by_code():
    finding = Finding.of(Rule.KUNTAJAKO, "Toteumat", "C2", "Kunta", "viesti")
    assert (finding.severity, finding.rule) == (WARNING, "KUNTAJAKO")
    assert json.loads(json.dumps(finding.as_dict()))["rule"] == "KUNTAJAKO"


def test_every_message_is_capped_and_masked_whatever_made_it():
    finding = Finding(ERROR, "Toteumat", "H2", "Kommentti", "TYYPPI", "asiakas Joutsa131052-308T " + "x" * 10_000)
    assert len(finding.message) == MESSAGE_LIMIT and finding.message.endswith("…")
    assert not contains_hetu(finding.message) and "[henkilötunnus]" in finding.message


def _rule_arguments(tree: ast.AST):
    """String constants passed where a rule goes: Finding(...), Finding.of, flag, flag_row, _alerts."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in {"Finding", "of", "flag", "flag_row", "_alerts"}:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and re.fullmatch(r"[A-Z][A-Z_]{2,}", arg.value):
                        yield arg.value


def test_no_code_in_the_package_names_an_unregistered_rule():
    """Also on paths no test reaches: every literal code handed to a finding maker is registered."""
    found = {code for path in (REPO / "tyollisyys_xl").rglob("*.py") for code in _rule_arguments(ast.parse(path.read_text(encoding="utf-8")))}
    assert {code for code in found if code not in Rule.__members__} == set()


# --- real runs -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def broken_structure(demo_path, tmp_path_factory):
    """The demo with every kind of broken sheet at once."""
    path = tmp_path_factory.mktemp("rules") / "rikki.xlsm"
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    book.remove(book["Kustannuskohteet"])
    book["Toteumat"]["D1"] = "Arvo (kpl)"  # renamed
    book["Toteumat"]["I1"] = "Oma sarake"  # extra
    book["Sidonnat"].delete_cols(8)  # Työnantajan Y-tunnus (optional)
    book["Maksatukset"].delete_cols(2)  # Sidonnan tunnus (required)
    book["Kunnat"].merge_cells("E3:F3")
    book["Tukibudjetti"].row_dimensions[3].hidden = True
    ws = book["Palvelukustannukset"]
    for row in range(ws.max_row + 1, ws.max_row + 1200):
        ws.cell(row, 1).fill = PatternFill("solid", fgColor="FFFF00")
    ws = book["Tukilajit"]
    ws.delete_rows(1, ws.max_row)
    ws["A1"] = "ei otsikoita"
    book.save(path)
    return path


def test_every_code_emitted_on_real_runs_is_registered_and_safe(demo_path, faulty_workbook, broken_structure, tmp_path, capsys):
    findings = [*load(demo_path).findings, *load(faulty_workbook[0]).findings, *load(broken_structure).findings]
    unreadable = tmp_path / "muistio.xlsm"
    unreadable.write_text("ei työkirja", encoding="utf-8")
    assert main(["validate", str(unreadable), "--format", "json"]) == 2
    from_cli = json.loads(capsys.readouterr().out)

    emitted = {f.rule for f in findings} | {f["rule"] for f in from_cli}
    assert emitted <= set(Rule.__members__)
    assert all(f.severity in Rule[f.rule].severities for f in findings)
    assert all(len(f.message) <= MESSAGE_LIMIT and not contains_hetu(f.message) for f in findings)
    structure = {"TIEDOSTO", "VALILEHTI_PUUTTUU", "OTSIKKORIVI", "SARAKE_PUUTTUU", "SARAKE_NIMETTY", "SARAKE_YLIMAARAINEN",
                 "YHDISTETYT_SOLUT", "PIILOTETUT_RIVIT", "TYHJAT_RIVIT"}
    assert structure <= emitted
    assert len(emitted) >= 35  # the faults really were injected
