"""What the master ships for a municipality's machines: xlwings settings that find the per-user Python of
the install scripts, and the Testaa asennus button whose first checks need no Python."""

from __future__ import annotations

import platform
import re
import subprocess
import sys
import zipfile

import openpyxl
import pytest
import xlwings
from oletools.olevba import VBA_Parser
from xlwings.utils import read_config_sheet

import tyollisyys_xl
from tests.remote_book import remote_book
from tyollisyys_xl.master.text_sheets import (
    DEFAULT_XLWINGS_SETTINGS,
    SELF_TEST_CAPTION,
    SELF_TEST_MACRO,
    XLWINGS_KEYS,
)

WINDOWS_INTERPRETER = r"%LOCALAPPDATA%\tyollisyys\Scripts\pythonw.exe"
MAC_INTERPRETER = "$HOME/Library/tyollisyys/bin/python"


@pytest.fixture(scope="module")
def conf_sheet(master_path):
    return openpyxl.load_workbook(master_path)["xlwings.conf"]


@pytest.fixture(scope="module")
def tyollisyys_module(master_path) -> str:
    parser = VBA_Parser(str(master_path))
    modules = {name: code for _, _, name, code in parser.extract_macros()}
    parser.close()
    return modules["Tyollisyys.bas"]


def test_conf_sheet_ships_the_per_user_interpreters_as_xlwings_reads_them(master_path):
    """xlwings' own reader of the sheet (the remote engine's) gets the keys RunPython asks for."""
    assert read_config_sheet(remote_book(master_path)) == {
        "Interpreter_Win": WINDOWS_INTERPRETER,
        "Interpreter_Mac": MAC_INTERPRETER,
        "ADD_WORKBOOK_TO_PYTHONPATH": "false",
    }
    assert DEFAULT_XLWINGS_SETTINGS == read_config_sheet(remote_book(master_path))


def test_default_paths_are_per_user_and_expandable(conf_sheet):
    """No personal path in the shared master: Windows expands %LOCALAPPDATA% anywhere in the value,
    the Mac only a leading $HOME (xlwings.bas ExpandEnvironmentStrings), and the Mac path has no space
    (xlwings' AppleScript runs the interpreter unquoted)."""
    values = [row[1].value for row in conf_sheet.iter_rows(max_col=2) if row[0].value]
    assert not any(re.search(r"(?i)\\users\\|/Users/", str(v)) for v in values)
    assert WINDOWS_INTERPRETER.startswith("%LOCALAPPDATA%\\")
    assert MAC_INTERPRETER.startswith("$HOME/") and " " not in MAC_INTERPRETER
    keys = [row[0].value for row in conf_sheet.iter_rows(max_col=1)]
    assert keys[:4] == ["Interpreter_Win", "Interpreter_Mac", "ADD_WORKBOOK_TO_PYTHONPATH", None]


def test_guidance_tells_how_to_override_in_one_cell_and_what_is_ignored(conf_sheet):
    guidance = " ".join(c.value for c in conf_sheet["D"] if c.value)
    assert "B-sarakkeeseen" in guidance and "Testaa asennus" in guidance
    assert "SharePoint" in guidance and "xlwings.conf-tiedosto" in guidance
    assert all(key in guidance for key in XLWINGS_KEYS)
    assert "C:\\" not in guidance  # no example path anyone could copy into the shared master


def test_self_test_button_sits_on_ohjaus_bound_to_its_macro(master_path):
    with zipfile.ZipFile(master_path) as archive:
        vml = archive.read("xl/drawings/vmlDrawing1.vml").decode("utf-8")
    assert f"[0]!{SELF_TEST_MACRO}" in vml and SELF_TEST_CAPTION in vml


def procedures(module: str) -> dict[str, str]:
    """Sub and Function bodies of a VBA module by name."""
    found = re.finditer(r"^(?:Public |Private )?(?:Sub|Function) (\w+)\(.*?^End (?:Sub|Function)", module, re.M | re.S)
    return {m.group(1): m.group(0) for m in found}


def reachable(name: str, bodies: dict[str, str]) -> set[str]:
    """name and every procedure of the module it calls, transitively."""
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        todo += [other for other in bodies if other != current and re.search(rf"\b{other}\b", bodies[current])]
    return seen


def test_self_test_macro_is_in_the_project_and_runs_no_python_for_its_first_checks(tyollisyys_module):
    bodies = procedures(tyollisyys_module)
    assert SELF_TEST_MACRO in bodies
    for name in reachable(SELF_TEST_MACRO, bodies):
        assert "RunPython" not in bodies[name], name
    main = bodies[SELF_TEST_MACRO]
    first_checks = main[: main.index("SelfTestImport(")]
    # macros run, the VBA module's version, the interpreter as xlwings resolves it and whether the file exists
    for needed in ("Makrot toimivat", "XLWINGS_VERSION", "SelfTestInterpreter(", "FileExists(interpreter)"):
        assert needed in first_checks
    assert ".Run(" not in first_checks and "AppleScriptTask" not in first_checks
    assert 'GetConfig(key, "", CStr(layer))' in bodies["SelfTestInterpreter"]  # xlwings' own layers


def test_self_test_names_a_refused_process_start_in_finnish(tyollisyys_module):
    bodies = procedures(tyollisyys_module)
    windows = bodies["SelfTestRunWindows"]
    assert 'wsh.Run("cmd.exe /S /C "' in windows  # the way RunPython starts Python
    refused = windows[windows.index("ElseIf errorNumber <> 0"):]
    assert "ESTI PROSESSIN KÄYNNISTYKSEN" in refused and "ASR" in refused
    assert "Block all Office applications from creating child processes" in refused  # as IT's consoles name it
    assert "xlwings runpython install" in bodies["SelfTestRunMac"]


def vba_constants(module: str) -> dict[str, str]:
    """String constants of a module, concatenations joined (Private Const X As String = "a" & _ "b")."""
    found = re.finditer(r'^Private Const (\w+) As String = ((?:"[^"]*"(?: & _\s*)?)+)', module, re.M)
    return {m.group(1): "".join(re.findall(r'"([^"]*)"', m.group(2))) for m in found}


def test_self_test_python_check_runs_and_reports_versions_or_the_import_error(tyollisyys_module, tmp_path):
    """The Windows check as the macro starts it (code, then the output file as argument); it travels
    inside cmd.exe /S /C "..." and sh -c "...", so it holds no double quote, %, $ or !."""
    constants = vba_constants(tyollisyys_module)
    code = constants["CHECK_WINDOWS_PREFIX"] + constants["CHECK_BODY"]
    assert not set(code + constants["CHECK_MAC_PREFIX"]) & set('"%$!')
    out = tmp_path / "testi.txt"
    subprocess.run([sys.executable, "-B", "-c", code, str(out)], check=True)
    lines = out.read_text().splitlines()
    assert lines == [f"PYTHON {platform.python_version()}", f"XLWINGS {xlwings.__version__}",
                     f"TYOLLISYYS_XL {tyollisyys_xl.__version__}"]
    # without the package on the path the traceback's last line names the missing module
    broken = tmp_path / "rikki.txt"
    isolated = subprocess.run([sys.executable, "-I", "-S", "-B", "-c", code, str(broken)])
    assert isolated.returncode != 0
    assert broken.read_text().splitlines()[-1] == "ModuleNotFoundError: No module named 'xlwings'"


def test_module_declarations_precede_every_procedure(tyollisyys_module):
    """VBA compiles nothing but comments after the first procedure outside procedures: a module-level
    Const, Dim or Declare placed below a Sub would stop every macro of the module."""
    outside, depth, seen_procedure = [], 0, False
    for line in tyollisyys_module.splitlines():
        code = line.strip()
        if re.match(r"(Public |Private )?(Sub|Function) \w+\(", code):
            depth, seen_procedure = depth + 1, True
        elif re.match(r"End (Sub|Function)\b", code):
            depth -= 1
        elif depth == 0 and seen_procedure:
            outside.append(code)
    assert not [c for c in outside if re.match(r"(Public |Private |Global )?(Const|Dim|Declare|Type|Enum)\b", c)]
