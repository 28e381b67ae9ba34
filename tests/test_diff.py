"""`tyollisyys-xl diff`: rows matched by key across two real versions of the master, in Finnish, HETU never shown,
and the textconv mode that lets `git diff` show a readable diff of the committed workbook."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workbook_edit import month, rebuilt

from tyollisyys_xl.cli import main
from tyollisyys_xl.core.rowdiff import ADDED, CHANGED, REMOVED, TableRows, diff_table
from tyollisyys_xl.schemas import table_schemas

SCHEMAS = table_schemas()
HETU = "131052-308T"


@pytest.fixture(scope="module")
def edited(tmp_path_factory, demo_path):
    """The demo with M06's target changed, one entry added, one commitment removed, and Toteumat reversed
    (a new position for every entry, which is no change)."""
    folder = tmp_path_factory.mktemp("diff")

    def edit(rows):
        m06 = next(r for r in rows["mittarit"] if r["id"] == "M06")
        m06["target"] = 4000.0
        rows["toteumat"].reverse()
        rows["toteumat"].append({"indicator_id": "M01", "month": month(11), "municipality": "Koko alue", "value": 1.0,
                                 "comment": f"Soitettu {HETU}"})
        rows["sidonnat"] = [r for r in rows["sidonnat"] if r["commitment_id"] != "SID-2026-0003"]

    return rebuilt(demo_path, folder / "muokattu.xlsm", edit)


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(["diff", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_master_against_itself_prints_nothing_and_exits_0(tmp_path, demo_path, capsys):
    copy = shutil.copy(demo_path, tmp_path / "kopio.xlsm")
    assert run(capsys, demo_path, copy) == (0, "", "")
    assert run(capsys, demo_path, demo_path, "--format", "csv") == (0, "", "")
    code, out, _ = run(capsys, demo_path, copy, "--format", "json")
    assert code == 0 and json.loads(out)["same"] is True and json.loads(out)["tables"] == []


def test_names_exactly_the_changed_target_the_added_row_and_the_removed_row(demo_path, edited, capsys):
    code, out, _ = run(capsys, demo_path, edited)
    assert code == 1
    lines = [line for line in out.splitlines() if line and not line.startswith("==")]
    assert len(lines) == 4, out  # three rows and the total
    headings = [line for line in out.splitlines() if line.startswith("==")]
    assert headings[0].startswith("== Mittarit – ohjelman mittarit")  # the auditor's question comes first
    assert headings[1:] == ["== Toteumat ==", "== Sidonnat =="]
    assert lines[0].startswith("muutettu  M06 (rivi 7): Tavoite: 4 100 → 4 000")
    assert lines[1].startswith("lisätty   M01 · 11/2026 · Koko alue (rivi ")
    assert "Arvo 1" in lines[1]
    assert re.match(r"poistettu SID-2026-0003 \(rivi \d+\): ", lines[2])
    assert "Sidottu €" in lines[2]
    assert lines[3] == "Yhteensä: muutettuja rivejä 1, lisättyjä 1, poistettuja 1."


def test_a_personal_identity_code_is_never_echoed(demo_path, edited, capsys):
    for file_format in ("text", "json", "csv"):
        _, out, _ = run(capsys, demo_path, edited, "--format", file_format)
        assert HETU not in out and "[henkilötunnus]" in out
    _, out, _ = run(capsys, edited, "--textconv")
    assert HETU not in out and "[henkilötunnus]" in out


def test_json_and_csv_carry_old_and_new_per_cell(demo_path, edited, capsys):
    code, out, _ = run(capsys, demo_path, edited, "--format", "json")
    document = json.loads(out)
    assert code == 1 and document["counts"] == {CHANGED: 1, ADDED: 1, REMOVED: 1}
    assert [t["sheet"] for t in document["tables"]] == ["Mittarit", "Toteumat", "Sidonnat"]
    change = document["tables"][0]["rows"][0]
    assert change["key"] == {"Tunnus": "M06"}
    assert change["cells"] == [{"column": "Tavoite", "old": 4100.0, "new": 4000.0}]
    code, out, _ = run(capsys, demo_path, edited, "--format", "csv")
    rows = list(csv.reader(io.StringIO(out), delimiter=";"))
    assert rows[0] == ["Välilehti", "Muutos", "Avain", "Vanha rivi", "Uusi rivi", "Sarake", "Vanha arvo", "Uusi arvo"]
    assert ["Mittarit", "muutettu", "M06", "7", "7", "Tavoite", "4 100", "4 000"] in rows
    added = [r for r in rows if r[1] == "lisätty"]
    assert {r[5] for r in added} == {"Mittari", "Kuukausi", "Kunta", "Arvo", "Kommentti"}


def test_an_unreadable_file_exits_2(tmp_path, demo_path, capsys):
    broken = tmp_path / "rikki.xlsm"
    broken.write_bytes(b"ei ole zip")
    code, out, err = run(capsys, demo_path, broken)
    assert code == 2 and out == "" and "Työkirjaa ei voi lukea" in err
    assert run(capsys, demo_path)[0] == 2  # one file without --textconv


def test_textconv_lists_rows_by_key_so_reordering_is_no_change(demo_path, edited, capsys):
    _, original, _ = run(capsys, demo_path, "--textconv")
    _, changed, _ = run(capsys, edited, "--textconv")
    before, after = set(original.splitlines()), set(changed.splitlines())
    removed, added = before - after, after - before
    assert len([line for line in added if line.startswith("M06 |")]) == 1
    assert sorted(line.split(" | ")[0] for line in added if not line.startswith("==")) == ["M01 · 11/2026 · Koko alue", "M06"]
    assert sorted(line.split(" | ")[0] for line in removed if not line.startswith("==")) == ["M06", "SID-2026-0003"]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_diff_of_the_master_shows_the_changed_rows_through_the_textconv_driver(tmp_path, demo_path, edited):
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout

    git("init", "-q")
    git("config", "user.email", "ci@example.invalid")
    git("config", "user.name", "CI")
    git("config", "diff.xlsm.textconv", f"{sys.executable} -m tyollisyys_xl diff --textconv")
    (repo / ".gitattributes").write_text("*.xlsm diff=xlsm\n", encoding="utf-8")
    shutil.copy(demo_path, repo / "Tyollisyysohjelma2026.xlsm")
    git("add", ".")
    git("commit", "-qm", "demo")
    shutil.copy(edited, repo / "Tyollisyysohjelma2026.xlsm")
    shown = git("diff")
    changed = [line for line in shown.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert any(line.startswith("-M06 |") and "Tavoite: 4 100" in line for line in changed)
    assert any(line.startswith("+M06 |") and "Tavoite: 4 000" in line for line in changed)
    assert any(line.startswith("+M01 · 11/2026 · Koko alue |") for line in changed)
    assert any(line.startswith("-SID-2026-0003 |") for line in changed)
    assert "Binary files" not in shown


# --- the comparison as a property ------------------------------------------------------------------

TOTEUMAT = SCHEMAS["toteumat"]
entry_rows = st.lists(
    st.fixed_dictionaries({
        "indicator_id": st.sampled_from(["M06", "M22", "M34"]),
        "month": st.integers(1, 12).map(month),
        "municipality": st.sampled_from(["Jämsä", "Keuruu", "Koko alue"]),
        "value": st.one_of(st.none(), st.integers(0, 500).map(float)),
        "comment": st.one_of(st.none(), st.text(max_size=5)),
    }),
    max_size=12,
    unique_by=lambda r: (r["indicator_id"], r["month"], r["municipality"]),
)


@settings(max_examples=60, deadline=None)
@given(entry_rows, st.randoms(use_true_random=False))
def test_position_is_never_a_change(rows, rng):
    shuffled = list(rows)
    rng.shuffle(shuffled)
    old = TableRows(rows, list(range(2, len(rows) + 2)))
    new = TableRows(shuffled, list(range(2, len(rows) + 2)))
    assert diff_table(TOTEUMAT, old, new).rows == []


@settings(max_examples=60, deadline=None)
@given(entry_rows.filter(bool), st.data())
def test_one_edited_cell_is_one_changed_row_naming_that_cell(rows, data):
    index = data.draw(st.integers(0, len(rows) - 1))
    edited = [dict(r) for r in rows]
    edited[index]["value"] = (edited[index]["value"] or 0.0) + 1
    numbers = list(range(2, len(rows) + 2))
    changes = diff_table(TOTEUMAT, TableRows(rows, numbers), TableRows(edited, numbers)).rows
    assert [(c.kind, c.old_row, [cell.column for cell in c.cells]) for c in changes] == [(CHANGED, index + 2, ["Arvo"])]


def test_every_table_has_a_row_key_and_a_bad_one_stops_the_schema_load(tmp_path):
    from tyollisyys_xl.schemas import SourceError, load_table_schemas
    from tyollisyys_xl.resources import schema_dir

    assert {name: s.row_key for name, s in SCHEMAS.items()}["maksatukset"] == ("commitment_id", "payment_date")
    assert all(s.row_key for s in SCHEMAS.values())
    folder = tmp_path / "schema"
    shutil.copytree(schema_dir(), folder)
    path = folder / "maksatukset.schema.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"payment_date"\n  ]', '"maksupaiva"\n  ]'),
                    encoding="utf-8")
    with pytest.raises(SourceError, match="x-key"):
        load_table_schemas(folder)
