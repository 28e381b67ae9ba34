"""The net under every bad-input fix: a demo workbook mutated at the zip, XML and cell level, run through
`validate`, `attainment`, `report` and `export`.

For every example, whatever the mutation:
- each command exits 0, 1 or 2 (attainment 0 or 2) and never raises (no traceback);
- no personal identity code planted in the input appears in any output (stdout, stderr, written files);
- the input file's bytes are unchanged;
- the output folder holds only what the command was asked to write, and nothing on failure;
- the process's peak memory grows by less than MEMORY_BOUND.

Profiles (an environment variable picks one): the suite runs a short one; a long run is
    TYOLLISYYS_FUZZ=long .venv/bin/python -m pytest tests/test_fuzz.py -p no:randomly
(see docs/validation.md, "What we promise under bad input").
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import subprocess
import sys
import tempfile
import xml.sax.saxutils
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zip_tools import MIB, forge_declared_size, members, repeated_deflate, rezip, with_raw_member

from tyollisyys_xl.cli import main
from tyollisyys_xl.core.export import EXPORT_TABLES

settings.register_profile("fuzz-short", max_examples=10, deadline=None, derandomize=False,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("fuzz-long", max_examples=400, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = settings.get_profile("fuzz-long" if os.environ.get("TYOLLISYYS_FUZZ") == "long" else "fuzz-short")

MEMORY_BOUND = 400 * MIB  # growth of the peak resident size in one example (the report of the demo: ~100 MB)
HETUS = ["131052-308T", "010101A123N"]  # valid codes (check characters right): never to be echoed
GLUED = ["Joutsa131052-308T", "010101A123Nx"]  # the same codes glued to letters (found by their check character)
EXPORT_FILES = {f"{stem}.{kind}" for stem in EXPORT_TABLES for kind in ("csv", "parquet")}
INPUT_SHEETS = ["Mittarit", "Toteumat", "Kunnat", "Tukilajit", "Tukibudjetti", "Sidonnat", "Maksatukset",
                "Kustannuskohteet", "Palvelukustannukset"]


# --- the seed, parsed once -----------------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class Seed:
    data: bytes
    parts: dict[str, bytes]
    sheet_parts: dict[str, str]  # input sheet -> its XML member
    cells: dict[str, list[str]]  # input sheet -> addresses of cells it holds (the first rows)
    bomb: tuple[bytes, int, int]

    def __repr__(self) -> str:  # Hypothesis shows the strategy's arguments: not the workbook's bytes
        return f"Seed({len(self.data)} bytes)"


@pytest.fixture(scope="module")
def seed(demo_path) -> Seed:
    from python_calamine import CalamineWorkbook

    data = demo_path.read_bytes()
    parts = members(data)
    names = CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names
    sheet_parts = {sheet: f"xl/worksheets/sheet{names.index(sheet) + 1}.xml" for sheet in INPUT_SHEETS}
    cells = {sheet: re.findall(rb'<c r="([A-Z]+(?:[2-9]|[1-3]\d))"', parts[part])[:120]
             for sheet, part in sheet_parts.items()}
    cells = {sheet: [ref.decode() for ref in refs] for sheet, refs in cells.items() if refs}
    return Seed(data, parts, sheet_parts, cells, repeated_deflate(bytes(MIB), 2048, exact_crc=False))


# --- mutations -----------------------------------------------------------------------------------------------

TEXTS = [
    "\x00", "a\x01b", "\x1b[2J", "\x7f\x85", "\ufffe", "=HYPERLINK(\"http://x\")", "+cmd|' /C calc'!A0", "-2+3",
    "@SUM(1)", "\t=1", "\r=1", " =1", *HETUS, *GLUED, f"asiakas {HETUS[0]} soitti", f"({HETUS[1]})", "x" * 40_000,
    "", " ", "1 468", "69,9 %", "1.3.2026", "13/2026", "kevät 2026", "#N/A", "TOSI", "Koko alue", "M01", "Jämsä",
]
NUMBERS = ["1e308", "-1e308", "1" + "0" * 300, "1" + "0" * 400, "NaN", "INF", "-INF", "-0", "59", "60", "2958466", "-1",
           "4.9e-324", "0.1", "99999999999999999999", "1e-400", "abc", ""]  # 1 and 400 zeros: the Arvo


def xml_text(text: str, raw_controls: bool) -> str:
    escaped = xml.sax.saxutils.escape(text)
    if raw_controls:
        return escaped
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", lambda m: f"_x{ord(m.group()):04X}_", escaped)


@st.composite
def cell_content(draw) -> str:
    """The inside and type of a cell, as a file can hold it (well-formed or not)."""
    kind = draw(st.sampled_from(["text", "text", "number", "number", "bool", "error", "formula"]))
    if kind == "text":
        text = draw(st.one_of(st.sampled_from(TEXTS), st.text(max_size=20)))
        raw = draw(st.booleans())
        return f' t="inlineStr"><is><t xml:space="preserve">{xml_text(text, raw)}</t></is>'
    if kind == "number":
        number = draw(st.one_of(st.sampled_from(NUMBERS), st.floats().map(repr), st.integers().map(str)))
        return f"><v>{number}</v>"
    if kind == "bool":
        return f' t="b"><v>{draw(st.sampled_from(["0", "1", "2", "x"]))}</v>'
    if kind == "error":
        return f' t="e"><v>{draw(st.sampled_from(["#N/A", "#DIV/0!", "#SPILL!", "roskaa"]))}</v>'
    return f"><f>{draw(st.sampled_from(['1/0', 'SUM(A1:A3)', 'Puuttuva!A1']))}</f><v>1</v>"


def set_cell(xml: bytes, ref: str, content: str) -> bytes:
    pattern = re.compile(rb'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % ref.encode(), re.DOTALL)
    return pattern.sub(lambda m: f'<c r="{ref}"{content}</c>'.encode("utf-8", "surrogatepass"), xml, count=1)


class Mutation:
    """A damaged workbook; shown by what was done to it (Hypothesis prints a failing example, and a dataclass
    it would print field by field, bytes included)."""

    def __init__(self, what: str, data: bytes):
        self.what, self.data = what, data

    def __repr__(self) -> str:
        return f"Mutation({self.what!r})"


@st.composite
def mutation(draw, seed: Seed) -> Mutation:
    """A damaged copy of the seed."""
    return Mutation(*draw(_mutated(seed)))


@st.composite
def _mutated(draw, seed: Seed) -> tuple[str, bytes]:
    level = draw(st.sampled_from(["cell", "cell", "cell", "xml", "zip"]))
    parts = dict(seed.parts)
    if level == "cell":
        done = []
        for _ in range(draw(st.integers(1, 4))):
            sheet = draw(st.sampled_from(sorted(seed.cells)))
            ref = draw(st.sampled_from(seed.cells[sheet]))
            content = draw(cell_content())
            parts[seed.sheet_parts[sheet]] = set_cell(parts[seed.sheet_parts[sheet]], ref, content)
            done.append(f"{sheet}!{ref}{content[:40]!r}")
        return f"{level}: {', '.join(done)}", rezip(parts)
    if level == "xml":
        name = draw(st.sampled_from([*seed.sheet_parts.values(), "xl/workbook.xml", "xl/sharedStrings.xml",
                                     "xl/styles.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels"]))
        xml = parts[name]
        how = draw(st.sampled_from(["cut", "insert", "hide", "retype", "delete"]))
        at = draw(st.integers(0, len(xml)))
        if how == "cut":
            xml = xml[:at]
        elif how == "insert":
            xml = xml[:at] + draw(st.binary(min_size=1, max_size=16)) + xml[at:]
        elif how == "hide":
            xml = xml.replace(b"<row r=", b'<row hidden="1" r=', draw(st.integers(1, 50)))
        elif how == "retype":
            xml = xml.replace(b't="s"', draw(st.sampled_from([b't="e"', b't="n"', b't="b"', b't="str"'])), 5)
        else:
            end = min(len(xml), at + draw(st.integers(1, 200)))
            xml = xml[:at] + xml[end:]
        parts[name] = xml
        return f"xml: {how} {name} at {at}", rezip(parts)
    how = draw(st.sampled_from(["truncate", "bytes", "drop", "bomb", "forge"]))
    data = seed.data
    if how == "truncate":
        at = draw(st.integers(0, len(data)))
        return f"zip: truncated at {at}", data[:at]
    if how == "bytes":
        mutable = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            mutable[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        return "zip: random bytes", bytes(mutable)
    name = draw(st.sampled_from(sorted(parts)))
    if how == "drop":
        del parts[name]
        return f"zip: dropped {name}", rezip(parts)
    if how == "bomb":
        return f"zip: bomb in {name}", with_raw_member(data, name, seed.bomb)
    size = draw(st.sampled_from([0, 1, 100, 1 << 31]))
    return f"zip: {name} declares {size} bytes", forge_declared_size(data, name, size)


# --- one example ---------------------------------------------------------------------------------------------


def peak_rss() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM"))


def reset_peak() -> None:
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")


def run(capsys, *args: str) -> tuple[int, str]:
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse
        code = exit_.code
    except Exception as exc:  # a traceback a user would see
        pytest.fail(f"{args[0]} raised {type(exc).__name__}: {exc}")
    out, err = capsys.readouterr()
    return code, out + err


def leaked(text: str, planted: list[str]) -> list[str]:
    return [code for code in planted if code in text]


def report_text(path: Path, input_sheets: set[str]) -> str:
    """Every value of the report's own sheets (the sheets copied from the input as they were are the user's:
    the writers' XlsxWriter report (#15) leaves them out by default)."""
    book = openpyxl.load_workbook(path, read_only=True)
    return "\n".join(str(value) for sheet in book.worksheets if sheet.title not in input_sheets
                     for row in sheet.iter_rows(values_only=True) for value in row if value is not None)


def export_text(folder: Path) -> str:
    texts = []
    for path in folder.iterdir():
        if path.suffix == ".csv":
            texts.append(path.read_text(encoding="utf-8-sig"))
        else:
            texts.append(str(pq.read_table(path).to_pylist()))
    return "\n".join(texts)


def check_example(capsys, what: str, data: bytes, planted: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = work / "syote.xlsm"
        source.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        out = work / "tulos"
        out.mkdir()
        reset_peak()
        before = peak_rss()
        outputs = []

        code, text = run(capsys, "validate", str(source), "--format", "json")
        assert code in (0, 1, 2), (what, "validate", code)
        outputs.append(text)
        code, text = run(capsys, "attainment", str(source), "--format", "json")
        assert code in (0, 2), (what, "attainment", code)
        outputs.append(text)
        report = out / "raportti.xlsx"
        code, text = run(capsys, "report", str(source), "--out", str(report))
        assert code in (0, 1, 2), (what, "report", code)
        assert report.exists() == (code != 2), (what, "report", code)
        outputs.append(text)
        if report.exists():
            from python_calamine import CalamineWorkbook

            inputs = set(CalamineWorkbook.from_filelike(io.BytesIO(data)).sheet_names)
            outputs.append(report_text(report, inputs))
        export = out / "bi"
        code, text = run(capsys, "export", str(source), "--out", str(export))
        assert code in (0, 1, 2), (what, "export", code)
        outputs.append(text)
        written = {p.name for p in export.iterdir()} if export.exists() else set()
        assert written == (EXPORT_FILES if code != 2 else set()), (what, "export", code, written ^ EXPORT_FILES)
        if written:
            outputs.append(export_text(export))

        growth = peak_rss() - before
        assert growth < MEMORY_BOUND, (what, f"peak grew {growth / MIB:.0f} MB")
        everything = "\n".join(outputs)
        assert "Traceback" not in everything, what
        assert not leaked(everything, planted), (what, leaked(everything, planted))
        assert hashlib.sha256(source.read_bytes()).hexdigest() == digest, (what, "the input changed")
        assert {p.name for p in work.iterdir()} == {"syote.xlsm", "tulos"}, what
        assert {p.name for p in out.iterdir()} <= {"raportti.xlsx", "bi"}, (what, list(out.iterdir()))


@pytest.mark.slow
def test_fuzz_every_command_holds_under_any_mutation(seed, capsys):
    @given(mutation(seed))
    @settings(PROFILE)
    def example(mutated):
        check_example(capsys, mutated.what, mutated.data, HETUS)

    example()


# --- a few real processes ------------------------------------------------------------------------------------

PROCESS_MEMORY_BOUND = 600 * MIB  # a whole process's peak (the report of the demo: about 150 MB)


def fixed_cases(seed: Seed) -> dict[str, bytes]:
    entries = seed.sheet_parts["Toteumat"]
    bad_cells = dict(seed.parts)
    xml = bad_cells[entries]
    for ref, text, raw in (("G2", "a\x00b", True), ("H3", f"asiakas {HETUS[0]}", False), ("G4", "=1+1", False),
                           ("H5", "\x1b[2J", False)):
        xml = set_cell(xml, ref, f' t="inlineStr"><is><t>{xml_text(text, raw)}</t></is>')
    bad_cells[entries] = set_cell(xml, "D6", "><v>1e999</v>")
    return {
        "pommi": with_raw_member(seed.data, entries, seed.bomb),
        "huonot-solut": rezip(bad_cells),
        "katkennut": seed.data[: len(seed.data) * 2 // 3],
    }


# Runs the command as `python -m tyollisyys_xl` does, and at exit writes the process's own peak (VmHWM: the
# getrusage peak would include the forking test process's memory, which Linux folds in at exec).
WITH_PEAK = """
import atexit, runpy, sys
peak_file = sys.argv.pop(1)
def write_peak():
    with open("/proc/self/status") as status, open(peak_file, "w") as out:
        out.write(next(line.split()[1] for line in status if line.startswith("VmHWM")))
atexit.register(write_peak)
sys.argv[0] = "tyollisyys-xl"
runpy.run_module("tyollisyys_xl", run_name="__main__")
"""


def run_process(tmp_path: Path, *args: str) -> tuple[int, str, int]:
    """Exit code, stdout + stderr and peak resident size of one real `tyollisyys-xl` process."""
    peak = tmp_path.parent / f"{tmp_path.name}.peak"
    done = subprocess.run([sys.executable, "-c", WITH_PEAK, str(peak), *args], capture_output=True)
    kilobytes = int(peak.read_text())
    peak.unlink()
    return done.returncode, done.stdout.decode("utf-8", "replace") + done.stderr.decode("utf-8", "replace"), kilobytes * 1024


@pytest.mark.slow
@pytest.mark.parametrize("case", ["pommi", "huonot-solut", "katkennut"])
def test_real_processes_exit_cleanly_within_memory(seed, tmp_path, case):
    source = tmp_path / f"{case}.xlsm"
    source.write_bytes(fixed_cases(seed)[case])
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    commands = {
        "validate": ["validate", str(source), "--format", "junit"],
        "attainment": ["attainment", str(source), "--format", "csv"],
        "report": ["report", str(source), "--out", str(tmp_path / "raportti.xlsx")],
        "export": ["export", str(source), "--out", str(tmp_path / "bi")],
    }
    codes = {}
    for name, args in commands.items():
        code, text, peak = run_process(tmp_path, *args)
        codes[name] = code
        assert code in (0, 1, 2), (case, name, code, text[-500:])
        assert "Traceback" not in text and "\x1b" not in text and "\x00" not in text, (case, name, text[-500:])
        assert not leaked(text, HETUS), (case, name)
        assert peak < PROCESS_MEMORY_BOUND, (case, name, peak)
        if case != "huonot-solut":
            assert code == 2 and "ei voi lukea" in text, (case, name, text[-500:])
    assert hashlib.sha256(source.read_bytes()).hexdigest() == digest
    left = {p.name for p in tmp_path.iterdir()} - {source.name}
    assert left == {name for name, command in (("raportti.xlsx", "report"), ("bi", "export")) if codes[command] != 2}
