"""One snapshot per run, and zip bombs refused before anything is parsed.

The bombs are real archives (made without compressing gigabytes: see zip_tools.repeated_deflate); the memory
bound is the process's own peak resident size, reset before each run, so calamine's native memory counts too.
"""

from __future__ import annotations

import os
import shutil

import openpyxl
import pytest
from zip_tools import MIB, bomb_block, forge_declared_size, members, repeated_deflate, rezip, sheet_part, with_raw_member, write

from tyollisyys_xl.cli import main
from tyollisyys_xl.io import calamine_source, snapshot
from tyollisyys_xl.io.calamine_source import CalamineSource
from tyollisyys_xl.io.errors import WorkbookReadError
from tyollisyys_xl.io.snapshot import MAX_MEMBER_BYTES, MAX_MEMBERS, MAX_RATIO, MAX_TOTAL_BYTES, Snapshot
from tyollisyys_xl.pipeline import load


def peak_rss_growth(run) -> int:
    """Bytes the process's peak resident size grew by while run() ran (Linux: the peak is reset first)."""
    def peak() -> int:
        with open("/proc/self/status") as status:
            return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM"))

    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
    before = peak()
    run()
    return peak() - before


def refused(path) -> WorkbookReadError:
    with pytest.raises(WorkbookReadError) as caught:
        load(path)
    return caught.value


@pytest.fixture(scope="module")
def demo_bytes(demo_path) -> bytes:
    return demo_path.read_bytes()


# --- zip bombs ------------------------------------------------------------------------------------------


def test_a_sheet_that_unpacks_to_two_gigabytes_is_refused_before_any_parsing(demo_bytes, tmp_path, capsys):
    """The issue's case: a 2 MB file whose Toteumat unpacks to 2 GiB was 'Ei virheitä' at a 2.2 GB peak."""
    bomb = repeated_deflate(bytes(MIB), 2048, exact_crc=False)
    path = write(tmp_path, "pommi.xlsm", with_raw_member(demo_bytes, sheet_part(demo_bytes, "Toteumat"), bomb))
    assert path.stat().st_size < 3 * MIB
    growth = peak_rss_growth(lambda: refused(path))
    assert growth < 50 * MIB
    error = refused(path)
    assert "zip-pommi" in error.message and "xl/worksheets/sheet4.xml" in error.message
    assert main(["validate", str(path), "--format", "json"]) == 2
    out = capsys.readouterr().out
    assert '"rule": "TIEDOSTO"' in out and "zip-pommi" in out


def test_a_member_compressed_beyond_the_ratio_is_refused(demo_bytes, tmp_path):
    bomb = repeated_deflate(bytes(MIB), 20)  # 20 MiB of zeros: within the size limits, 1000 times compressed
    error = refused(write(tmp_path, "suhde.xlsm", with_raw_member(demo_bytes, "xl/sharedStrings.xml", bomb)))
    assert f"(raja {MAX_RATIO})" in error.message and "kertaisesti" in error.message


def test_members_each_within_the_limits_are_refused_together(demo_bytes, tmp_path):
    size = 200 * MIB
    assert size < MAX_MEMBER_BYTES and 3 * size > MAX_TOTAL_BYTES
    data = demo_bytes
    for index in range(3):  # compressed about 75 times: under the ratio limit
        data = with_raw_member(data, f"xl/media/kuva{index}.bin", repeated_deflate(bomb_block(90, index), size // MIB))
    error = refused(write(tmp_path, "yhteensa.xlsm", data))
    assert "yhteensä" in error.message and "zip-pommi" in error.message


def test_an_archive_of_too_many_members_is_refused(demo_bytes, tmp_path):
    parts = members(demo_bytes) | {f"xl/tyhja{index}.xml": b"" for index in range(MAX_MEMBERS)}
    error = refused(write(tmp_path, "osia.xlsm", rezip(parts)))
    assert f"(raja {MAX_MEMBERS})" in error.message


def test_a_declared_size_over_the_limit_is_refused_without_unpacking(demo_bytes, tmp_path):
    forged = forge_declared_size(demo_bytes, "xl/styles.xml", MAX_MEMBER_BYTES + 1)
    error = refused(write(tmp_path, "koko.xlsm", forged))
    assert "xl/styles.xml" in error.message and "purkautuisi" in error.message


@pytest.mark.parametrize("declared", ["smaller", "larger"])
def test_a_member_that_unpacks_to_other_than_it_declares_is_refused(demo_bytes, tmp_path, declared):
    """A forged directory must not let more than the declared size reach a parser (calamine's own unzip would
    otherwise unpack what the data holds)."""
    part = sheet_part(demo_bytes, "Toteumat")
    true_size = len(members(demo_bytes)[part])
    forged = forge_declared_size(demo_bytes, part, true_size // 4 if declared == "smaller" else true_size + 10)
    error = refused(write(tmp_path, "valhe.xlsm", forged))
    assert "vioittunut" in error.message and "Toteumat" in error.message


def test_a_lie_is_caught_after_at_most_one_piece_past_the_declared_size(demo_bytes, tmp_path):
    part = sheet_part(demo_bytes, "Toteumat")
    lying = forge_declared_size(with_raw_member(demo_bytes, part, repeated_deflate(bytes(MIB), 1024, exact_crc=False)),
                                part, 100)
    shot = Snapshot.take(write(tmp_path, "valhe.xlsm", lying))
    produced = 0
    with pytest.raises(snapshot.CorruptMember):
        for piece in shot.member_chunks(part):
            produced += len(piece)
    assert produced <= 100


def test_a_file_over_the_file_limit_is_refused_unread(demo_path, monkeypatch):
    monkeypatch.setattr(snapshot, "MAX_FILE_BYTES", demo_path.stat().st_size - 1)
    assert "päätyökirja on tavallisesti alle 5 Mt" in refused(demo_path).message


@pytest.mark.slow
def test_scale_100_passes_with_room_to_spare(master_path, tmp_path, capsys):
    """Twice the national volume must pass every limit with room for ten times more still."""
    from tyollisyys_xl.master.demo import make_demo

    path = make_demo(master_path, tmp_path / "sata.xlsm", scale=100, seed=1)
    infos = Snapshot.take(path).archive.infolist()
    assert sum(i.file_size for i in infos) * 10 < MAX_TOTAL_BYTES
    assert max(i.file_size for i in infos) * 10 < MAX_MEMBER_BYTES
    assert max(i.file_size / i.compress_size for i in infos if i.file_size > MIB) * 5 < MAX_RATIO
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out  # the demo may hold warnings or none; no limit refused it
    assert "0 virhettä" in out or "Ei virheitä" in out


# --- one snapshot per run ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_versions(demo_path, tmp_path_factory):
    """Version A: an error cell (a fact only the XML scan sees), a hidden row (another) and a changed value;
    version B: the demo as it is."""
    folder = tmp_path_factory.mktemp("versions")
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    sheet = book["Toteumat"]
    sheet["D3"].value, sheet["D3"].data_type = "#N/A", "e"
    sheet.row_dimensions[6].hidden = True
    sheet["D4"] = 4321
    book.save(folder / "a.xlsm")
    shutil.copy(demo_path, folder / "b.xlsm")
    return folder / "a.xlsm", folder / "b.xlsm"


def replacer(path, replacement):
    """A function that puts `replacement` in place of `path` the first time it is called, as a colleague's save
    or a sync client would (a new file moved over the old one)."""
    state = {"done": False}

    def replace_now():
        if not state["done"]:
            os.replace(shutil.copy(replacement, path.with_name("uusi.tmp")), path)
            state["done"] = True

    return replace_now, state


def replace_after_the_snapshot(monkeypatch, replace_now) -> None:
    take = Snapshot.take.__func__

    def take_then_replace(cls, where):
        shot = take(cls, where)
        replace_now()
        return shot

    monkeypatch.setattr(Snapshot, "take", classmethod(take_then_replace))


class CalamineSpy:
    """calamine's workbook class with its sheet parse as a step that can be hooked."""

    def __init__(self, book, hook):
        self._book, self._hook = book, hook

    def __getattr__(self, name):
        return getattr(self._book, name)

    def get_sheet_by_name(self, name):
        return self._hook(self._book.get_sheet_by_name, name)


STEPS = ["snapshot taken", "calamine opens", "calamine parses a sheet", "a sheet's XML is scanned"]


@pytest.mark.parametrize("step", STEPS)
def test_a_master_replaced_during_a_run_cannot_mix_versions(two_versions, tmp_path, monkeypatch, step):
    version_a, version_b = two_versions
    expected = load(version_a)
    assert {("EXCEL_VIRHE", "Toteumat!D3"), ("PIILOTETUT_RIVIT", "Toteumat!A6")} <= {(f.rule, f.address) for f in expected.findings}
    path = tmp_path / "paatyokirja.xlsm"
    shutil.copy(version_a, path)
    replace_now, state = replacer(path, version_b)

    def hooked(function, *args, **kwargs):
        replace_now()
        return function(*args, **kwargs)

    if step == "snapshot taken":
        replace_after_the_snapshot(monkeypatch, replace_now)
    elif step == "calamine opens":
        opener = calamine_source.CalamineWorkbook

        class Opening:
            @staticmethod
            def from_filelike(stream):
                return hooked(opener.from_filelike, stream)

        monkeypatch.setattr(calamine_source, "CalamineWorkbook", Opening)
    elif step == "calamine parses a sheet":
        opener = calamine_source.CalamineWorkbook

        class Parsing:
            @staticmethod
            def from_filelike(stream):
                return CalamineSpy(opener.from_filelike(stream), hooked)

        monkeypatch.setattr(calamine_source, "CalamineWorkbook", Parsing)
    else:
        chunks = Snapshot.member_chunks

        def scan_then_replace(self, name, *args):
            if "worksheets" in name:
                replace_now()
            return chunks(self, name, *args)

        monkeypatch.setattr(Snapshot, "member_chunks", scan_then_replace)

    result = load(path)
    assert state["done"] and path.read_bytes() == version_b.read_bytes()  # the file did change mid-run
    assert result.findings == expected.findings
    assert result.tables.entries.equals(expected.tables.entries)


def test_every_view_of_a_source_is_parsed_from_its_snapshot(two_versions, tmp_path):
    """Once a source is open, the file can go: values, facts and openpyxl's view all come from the bytes read."""
    version_a, _ = two_versions
    path = tmp_path / "poistuva.xlsm"
    shutil.copy(version_a, path)
    source = CalamineSource(path)
    path.unlink()
    values, facts = source.read_all()
    assert facts["Toteumat"].hidden_rows == (6,) and values["Toteumat"][2][3] == "#N/A"
    assert openpyxl.load_workbook(source.snapshot.stream(), read_only=True)["Toteumat"]["D4"].value == 4321


def test_the_report_is_made_from_the_same_snapshot(two_versions, tmp_path, monkeypatch, capsys):
    version_a, version_b = two_versions
    path = tmp_path / "paatyokirja.xlsm"
    shutil.copy(version_a, path)
    replace_now, state = replacer(path, version_b)
    replace_after_the_snapshot(monkeypatch, replace_now)
    out = tmp_path / "raportti.xlsx"
    assert main(["report", str(path), "--out", str(out)]) == 0
    assert state["done"]
    report = openpyxl.load_workbook(out, read_only=True)
    rows = list(report["Tarkistus"].iter_rows(values_only=True))
    for rule, cell in (("EXCEL_VIRHE", "D3"), ("PIILOTETUT_RIVIT", "A6")):  # Solu may be a link to the cell
        assert any(row[4] == rule and row[1] == "Toteumat" and cell in str(row[2]) for row in rows)
    if "Toteumat" in report.sheetnames:  # the report carries the inputs as they were read
        assert report["Toteumat"]["D4"].value == 4321
