"""`tyollisyys-xl attainment`: formats, views, the as-of month, and what a user is told when things go wrong."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil

import pytest
from openpyxl import load_workbook

from tyollisyys_xl.cli import main
from tyollisyys_xl.commands.attainment import parse_as_of, shown_number
from tyollisyys_xl.core.attainment import EI_TIETOA, LEVEL_COUNCIL, compute_attainment
from tyollisyys_xl.pipeline import load


def run(capsys, *args) -> tuple[int, str, str]:
    code = main(["attainment", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def demo_result(demo_path):
    return compute_attainment(load(demo_path).tables)


def test_text_lists_every_indicator_with_its_status(capsys, demo_path, demo_result):
    code, out, err = run(capsys, demo_path)
    assert code == 0 and err == ""
    assert out.startswith(f"Mittareiden toteutuminen {demo_result.as_of}/2026 lopussa")
    lines = {line.split()[0]: line for line in out.splitlines() if re.match(r"^M\d\d ", line)}
    assert list(lines) == list(demo_result.indicators["id"])
    for row in demo_result.indicators.itertuples():
        assert lines[row.id].rstrip().endswith(row.status)
    assert "Yhteenveto" in out and "Teema: Laadukas lähipalvelu" in out


@pytest.mark.parametrize("as_of", ["2026-06", "6/2026", "06/2026", "6"])
def test_as_of_is_accepted_in_the_forms_people_write(capsys, demo_path, as_of):
    code, out, _ = run(capsys, demo_path, "--as-of", as_of, "--format", "json")
    assert code == 0
    assert json.loads(out)["as_of"] == 6


def test_json_carries_the_engines_numbers(capsys, demo_path, demo_result):
    code, out, _ = run(capsys, demo_path, "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert document["as_of_label"] == f"{demo_result.as_of}/2026"
    by_id = {row["id"]: row for row in document["indicators"]}
    for row in demo_result.indicators.itertuples():
        assert by_id[row.id]["status"] == row.status
        assert by_id[row.id]["actual"] == pytest.approx(row.actual)
    assert document["rollups"][0]["group"] == "KV ja LTK (lautakunta)"
    assert len(document["municipalities"]) == 8 * 8  # 8 indicators entered per municipality, 8 municipalities
    assert document["left_out"] == {}


def test_json_names_the_seasonal_rule_and_the_change_from_a_year_earlier(capsys, demo_path, demo_result):
    _, out, _ = run(capsys, demo_path, "--format", "json")
    by_id = {row["id"]: row for row in json.loads(out)["indicators"]}
    expected = demo_result.indicators.set_index("id")
    for indicator_id in ("M06", "M33", "M35"):  # the demo's seasonal stocks have their months of 2025
        row = by_id[indicator_id]
        assert row["rule"] == "seasonal"
        assert row["reference_value"] == pytest.approx(expected.loc[indicator_id, "reference_value"])
        assert row["change_from_reference"] == pytest.approx(row["actual"] - row["reference_value"])
    assert by_id["M02"]["reference_value"] is None and by_id["M02"]["change_from_reference"] is None


def test_the_council_view_has_only_kv_indicators_and_their_rollups(capsys, demo_path, demo_result):
    code, out, _ = run(capsys, demo_path, "--level", "KV", "--format", "json")
    document = json.loads(out)
    kv = demo_result.indicators[demo_result.indicators["level"] == "KV"]
    assert [row["id"] for row in document["indicators"]] == list(kv["id"])
    view = document["rollups"][0]
    assert (view["group"], view["n"]) == (LEVEL_COUNCIL, 14)
    assert sum(r["n"] for r in document["rollups"] if r["group_type"] == "teema") == 14


def test_csv_opens_in_finnish_excel(capsys, demo_path, demo_result):
    code, out, _ = run(capsys, demo_path, "--level", "LTK", "--format", "csv")
    rows = list(csv.reader(io.StringIO(out), delimiter=";"))
    assert code == 0
    assert rows[0][:5] == ["Tunnus", "Taso", "Teema", "Painopiste", "Mittari"]
    ltk = demo_result.indicators[demo_result.indicators["level"] == "LTK"]
    assert [r[0] for r in rows[1:]] == list(ltk["id"])
    satisfaction = next(r for r in rows if r[0] == "M26")
    assert satisfaction[rows[0].index("Lähtöarvo")] == "3,82"
    unemployment = next(r for r in rows if r[0] == "M06")
    reference = demo_result.indicators.set_index("id").loc["M06", "reference_value"]
    assert unemployment[rows[0].index("Sama kk vuotta aiemmin")] == f"{reference:.10g}".replace(".", ",")


def test_an_empty_master_has_no_data_and_still_exits_zero(capsys, master_path):
    code, out, _ = run(capsys, master_path, "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert document["as_of"] is None
    assert {row["status"] for row in document["indicators"]} == {EI_TIETOA}


def test_an_unreadable_file_exits_2_with_a_finnish_message(capsys, tmp_path):
    broken = tmp_path / "rikki.xlsm"
    broken.write_bytes(b"ei ole zip")
    code, out, err = run(capsys, broken)
    assert code == 2 and out == ""
    assert err.startswith(f"Työkirjaa {broken} ei voi lukea. Tiedosto ei ole Excel-työkirja")
    assert err.count("ei voi lukea") == 1
    assert "Traceback" not in err


@pytest.mark.parametrize("as_of", ["2025-06", "13/2026", "kesäkuu"])
def test_a_bad_as_of_exits_2_in_finnish(capsys, demo_path, as_of):
    code, out, err = run(capsys, demo_path, "--as-of", as_of)
    assert code == 2 and out == ""
    assert err.startswith("Virhe: --as-of:")


def test_rows_left_out_by_validation_are_counted_and_pointed_to_validate(capsys, demo_path, tmp_path):
    copy = tmp_path / "virheellinen.xlsm"
    shutil.copy(demo_path, copy)
    book = load_workbook(copy, keep_vba=True)
    entries = book["Toteumat"]
    entries["B2"] = "kuukausi"  # not a month
    entries["A3"] = "M99"  # no such indicator
    book.save(copy)
    code, out, _ = run(capsys, copy)
    assert code == 0
    assert "Toteumat: 2 riviä jätettiin laskennan ulkopuolelle virheiden vuoksi" in out
    assert f"tyollisyys-xl validate {copy}" in out


@pytest.mark.parametrize(("text", "month"), [("2026-12", 12), ("1/2026", 1), (" 3 ", 3)])
def test_parse_as_of(text, month):
    assert parse_as_of(text) == month


@pytest.mark.parametrize(("value", "text"), [(4153.0, "4 153"), (3.891, "3,89"), (0.5, "0,5"), (None, ""),
                                             (1000.0, "1 000"), (131.27346, "131,27")])
def test_numbers_are_written_the_finnish_way(value, text):
    assert shown_number(value) == text
