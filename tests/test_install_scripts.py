"""The install scripts in excel/: linted and parsed here, the Mac script run end to end in a temporary HOME.

No PowerShell can be installed from the registries CI reaches (pwsh and PSScriptAnalyzer come only from
Microsoft's own feeds), so asenna.ps1 is parsed with tree-sitter's PowerShell grammar instead.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell
import xlwings as xw

from tests.remote_book import book_json
from tyollisyys_xl import excel
from tyollisyys_xl.commands.wheelhouse import WINDOWS_PLATFORM, WINDOWS_PYTHON, target_options
from tyollisyys_xl.master.text_sheets import DEFAULT_XLWINGS_SETTINGS

EXCEL = Path(__file__).resolve().parent.parent / "excel"
SHELL_SCRIPT, POWERSHELL_SCRIPT, CMD_WRAPPER = EXCEL / "asenna-mac.sh", EXCEL / "asenna.ps1", EXCEL / "asenna.cmd"


def syntax_errors(source: bytes) -> list[str]:
    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    found, todo = [], [parser.parse(source).root_node]
    while todo:
        node = todo.pop()
        if node.is_error or node.is_missing:
            found.append(f"line {node.start_point[0] + 1}: {node.type} {node.text[:60]!r}")
        todo += node.children
    return found


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed (.ci/run installs it)")
def test_shell_scripts_pass_shellcheck():
    for script in (SHELL_SCRIPT, EXCEL.parent / ".ci" / "run"):
        result = subprocess.run(["shellcheck", str(script)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout


def test_powershell_script_parses_without_errors():
    assert syntax_errors(POWERSHELL_SCRIPT.read_bytes()) == []
    assert syntax_errors(b"if ($x { Write-Host 'puuttuu sulje' ") != []  # the check does find errors


def test_windows_scripts_keep_the_bytes_their_hosts_need():
    """Windows PowerShell 5.1 reads a script without a BOM in the ANSI code page (Finnish letters break);
    cmd.exe reads a batch file in the OEM code page, so the wrapper stays ASCII, with CRLF line ends."""
    script = POWERSHELL_SCRIPT.read_bytes()
    assert script.startswith(b"\xef\xbb\xbf") and "ä".encode() in script
    wrapper = CMD_WRAPPER.read_bytes()
    assert wrapper.isascii() and wrapper.count(b"\r\n") == wrapper.count(b"\n")
    assert b'-ExecutionPolicy Bypass -File "%~dp0asenna.ps1" %*' in wrapper


def test_scripts_put_python_where_the_master_looks():
    script = POWERSHELL_SCRIPT.read_text(encoding="utf-8-sig")
    assert "$VenvDir = Join-Path $env:LOCALAPPDATA 'tyollisyys'" in script
    assert "$Interpreter = Join-Path $VenvDir 'Scripts\\pythonw.exe'" in script
    assert DEFAULT_XLWINGS_SETTINGS["Interpreter_Win"] == r"%LOCALAPPDATA%\tyollisyys\Scripts\pythonw.exe"
    assert 'VENV="$HOME/Library/tyollisyys"' in SHELL_SCRIPT.read_text(encoding="utf-8")
    assert DEFAULT_XLWINGS_SETTINGS["Interpreter_Mac"] == "$HOME/Library/tyollisyys/bin/python"


def test_wheelhouse_for_windows_is_for_the_python_the_script_installs():
    script = POWERSHELL_SCRIPT.read_text(encoding="utf-8-sig")
    assert f"$PythonVersion = '{WINDOWS_PYTHON}." in script
    options = target_options(argparse.Namespace(platform=WINDOWS_PLATFORM, python_version=WINDOWS_PYTHON, this_machine=False))
    assert options[:6] == ["--platform", "win_amd64", "--python-version", "3.12", "--implementation", "cp"]
    # pip judges markers by the machine it runs on: Windows-only dependencies are named explicitly
    assert {"pywin32>=224", "tzdata"} <= set(options)
    assert target_options(argparse.Namespace(platform="x", python_version="3.12", this_machine=True)) == []


def offline_env(home: Path) -> dict[str, str]:
    """Only the wheelhouse: no pip configuration or index of this machine may help the install."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    return {**env, "HOME": str(home), "PIP_CONFIG_FILE": os.devnull, "XLWINGS_LICENSE_KEY": "noncommercial"}


def make_wheelhouse(folder: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tyollisyys_xl.cli", "wheelhouse", str(folder), "--this-machine"],
                          capture_output=True, text=True)


def install(wheelhouse: Path, home: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(["sh", str(SHELL_SCRIPT), "--wheelhouse", str(wheelhouse), *options],
                          capture_output=True, text=True, env=offline_env(home))


JOB_IN_FRESH_VENV = """
import importlib.util, json, sys
import xlwings as xw
import tyollisyys_xl.jobs
from tyollisyys_xl import excel
extras = [m for m in ("python_calamine", "pyarrow") if importlib.util.find_spec(m) is not None]
book = xw.Book(json=json.load(open(sys.argv[1], encoding="utf-8")))
result = excel.update_all(book)
print(json.dumps({"extras": extras, "errors": result.errors, "sheets": [s.name for s in result.specs],
                  "actions": len(book.json()["actions"])}))
"""


@pytest.mark.slow
def test_wheelhouse_then_offline_install_in_a_fresh_home_then_a_job_on_the_core_alone(tmp_path, demo_path):
    """One run, as IT would do it (one test, so that parallel workers do not each install it):
    1. `tyollisyys-xl wheelhouse` of the local checkout for this machine;
    2. asenna-mac.sh from that folder in an empty HOME with the core package only (no extras), and again;
    3. in that fresh venv, tyollisyys_xl.jobs imports without python-calamine and pyarrow and a button's
       job on a remote-engine book of the demo gives what it gives here."""
    wheelhouse, home = tmp_path / "wheelhouse", tmp_path / "home"
    home.mkdir()
    made = make_wheelhouse(wheelhouse)
    assert made.returncode == 0, made.stderr
    names = {p.name.split("-")[0].lower() for p in wheelhouse.glob("*.whl")}
    assert {"tyollisyys_xl", "xlwings", "pandas", "python_calamine", "pyarrow", "jsonschema", "pyyaml"} <= names
    assert "pyörätiedostoa" in made.stdout and "asenna.cmd -Wheelhouse" in made.stdout

    first = install(wheelhouse, home, "--package", "tyollisyys-xl")
    assert first.returncode == 0, first.stdout + first.stderr
    for step in ("1/4 Python:", "2/4 Virtuaaliympäristö luotu:", "3/4 Paketti asennettu kansiosta", "4/4 Tarkistus:"):
        assert step in first.stdout
    interpreter = Path(DEFAULT_XLWINGS_SETTINGS["Interpreter_Mac"].replace("$HOME", str(home)))
    assert interpreter.is_file()  # where the master's xlwings.conf sheet looks
    applescript = home / "Library" / "Application Scripts" / "com.microsoft.Excel" / "xlwings-0.37.8.applescript"
    assert applescript.is_file()  # the step `xlwings runpython install`
    again = install(wheelhouse, home, "--package", "tyollisyys-xl")
    assert again.returncode == 0 and "on jo olemassa, päivitetään" in again.stdout
    missing = install(tmp_path / "ei-ole", home)
    assert missing.returncode == 1 and "VIRHE: kansiota" in missing.stderr

    payload = tmp_path / "book.json"
    payload.write_text(json.dumps(book_json(demo_path)), encoding="utf-8")
    run = subprocess.run([str(interpreter), "-c", JOB_IN_FRESH_VENV, str(payload)], capture_output=True, text=True,
                         env=offline_env(home), cwd=tmp_path)  # not the checkout's folder: only the venv's package
    assert run.returncode == 0, run.stderr
    here = xw.Book(json=book_json(demo_path))
    expected = excel.update_all(here)
    assert json.loads(run.stdout) == {"extras": [], "errors": expected.errors,
                                      "sheets": [s.name for s in expected.specs], "actions": len(here.json()["actions"])}


ROOT = EXCEL.parent
DOCS = (ROOT / "README.md", ROOT / "docs" / "excel.md", EXCEL / "README.md")


def slug(heading: str) -> str:
    """GitHub's anchor for a Markdown heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_deployment_docs_link_to_files_and_headings_that_exist():
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if target.startswith(("http://", "https://")):
                continue
            file_part, _, anchor = target.partition("#")
            linked = (doc.parent / file_part).resolve() if file_part else doc
            assert linked.exists(), f"{doc.name}: {target}"
            if anchor and linked.suffix == ".md":
                headings = re.findall(r"^#+ (.+)$", linked.read_text(encoding="utf-8"), re.M)
                assert anchor in {slug(h) for h in headings}, f"{doc.name}: {target}"


def test_python_version_is_stated_alike_everywhere():
    """The docs once said 3.11+ and showed py -3.12: pyproject, scripts and docs now agree."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["requires-python"] == ">=3.11"
    for script in (SHELL_SCRIPT, POWERSHELL_SCRIPT):
        assert "sys.version_info >= (3, 11)" in script.read_text(encoding="utf-8-sig")
    excel_md = (ROOT / "docs" / "excel.md").read_text(encoding="utf-8")
    assert "Python 3.11 or newer" in excel_md and "py -3.12" not in excel_md
    assert not re.search(r"C:\\Users\\\w+|/Users/\w+", excel_md)  # no personal example paths to copy


def test_a_cli_command_without_its_extra_says_in_finnish_how_to_install_it(master_path):
    """The core installs without python-calamine; a command that reads files then explains, no traceback.
    (A fresh process, where python-calamine cannot be imported, as in an install without the extra.)"""
    code = ("import sys; sys.modules['python_calamine'] = None; from tyollisyys_xl.cli import main; "
            "sys.exit(main(['validate', sys.argv[1]]))")
    run = subprocess.run([sys.executable, "-c", code, str(master_path)], capture_output=True, text=True)
    assert run.returncode == 2
    assert "python_calamine" in run.stderr and 'pip install "tyollisyys-xl[cli]"' in run.stderr
    assert "Traceback" not in run.stderr
