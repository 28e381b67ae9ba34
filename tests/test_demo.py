"""The demo generator: deterministic, fictional, plausible, valid, and scalable."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict

import openpyxl
import pytest

from tyollisyys_xl.master.builder import build_master
from tyollisyys_xl.master.demo import DATA_END, DATA_MONTH, DEMO_MARK, demo_notice, make_demo
from tyollisyys_xl.master.reading import BuildError, open_workbook, read_input_tables
from tyollisyys_xl.cli import main
from tyollisyys_xl.core.code_labels import label_code
from tyollisyys_xl.core.parsing import business_id_valid, contains_hetu
from tyollisyys_xl.pipeline import load
from tyollisyys_xl.programme import AREA_TOTAL, programme
from tyollisyys_xl.schemas import table_schemas

SCHEMAS = table_schemas()


@pytest.fixture(scope="module")
def tables(demo_path):
    return {name: t.rows for name, t in read_input_tables(open_workbook(demo_path), SCHEMAS).items()}


@pytest.fixture(scope="module")
def scaled(tmp_path_factory, master_path):
    return make_demo(master_path, tmp_path_factory.mktemp("scaled") / "demo3.xlsm", scale=3, seed=7)


def test_same_seed_same_bytes_other_seed_other_data(tmp_path, master_path, demo_path):
    again = make_demo(master_path, tmp_path / "again.xlsm", scale=1, seed=1)
    assert again.read_bytes() == demo_path.read_bytes()
    other = make_demo(master_path, tmp_path / "other.xlsm", scale=1, seed=2)
    assert other.read_bytes() != demo_path.read_bytes()


def test_every_input_table_has_rows(tables):
    for name, rows in tables.items():
        assert rows, f"{name} is empty"


def test_demo_is_marked_fictional_on_ohjaus(demo_path, master_path):
    notice = openpyxl.load_workbook(demo_path, read_only=True)["Ohjaus"]["B3"].value
    assert notice.startswith(DEMO_MARK)
    assert demo_notice(demo_path) == notice
    assert demo_notice(master_path) is None


def test_demo_passes_validation_without_findings(demo_path):
    result = load(demo_path)
    assert [f"{f.address} {f.rule}: {f.message}" for f in result.findings] == []
    assert len(result.tables.entries) == len(read_input_tables(open_workbook(demo_path), SCHEMAS)["toteumat"].rows)


def test_entries_cover_every_indicator_where_it_is_entered(tables):
    municipalities = [m["name"] for m in programme().municipalities]
    by_indicator = defaultdict(list)
    for row in tables["toteumat"]:
        by_indicator[row["indicator_id"]].append(row)
    for ind in programme().indicators:
        rows = by_indicator[ind["id"]]
        places = Counter(r["municipality"] for r in rows)
        if ind.get("ledger_subsidy_type"):  # counted from Sidonnat: nothing is typed
            assert rows == [], ind["id"]
            continue
        expected = municipalities if ind["per_municipality"] else [AREA_TOTAL]
        assert sorted(places) == sorted(expected), ind["id"]
        assert set(places.values()) == {DATA_MONTH}
        assert sorted({r["month"] for r in rows}) == [dt.date(2026, m, 1) for m in range(1, DATA_MONTH + 1)]
        if ind.get("rate_scale"):
            assert all(r["numerator"] is not None and r["denominator"] for r in rows), ind["id"]
            if ind["rate_scale"] == 100:
                assert all(r["numerator"] <= r["denominator"] for r in rows)
        else:
            assert all(isinstance(r["value"], float) for r in rows), ind["id"]


def test_milestones_step_from_zero_toward_two(tables):
    milestones = [i["id"] for i in programme().indicators if i["kind"] == "virstanpylväs"]
    for ind in milestones:
        values = [r["value"] for r in sorted(tables["toteumat"], key=lambda r: r["month"]) if r["indicator_id"] == ind]
        assert values == sorted(values) and set(values) <= {0, 1, 2}


def test_trends_head_for_the_targets(tables):
    by_name = {i["id"]: i for i in programme().indicators}
    broad = [r for r in tables["toteumat"] if r["indicator_id"] == "M06"]  # broad unemployment 4301 -> 4100
    january = sum(r["value"] for r in broad if r["month"].month == 1)
    october = sum(r["value"] for r in broad if r["month"].month == DATA_MONTH)
    assert 0.9 * by_name["M06"]["target"] < october < january < 1.15 * by_name["M06"]["baseline"]  # January's peak


def test_seasonal_stocks_have_a_reference_year_ending_at_the_baseline(tables):
    reference = defaultdict(float)
    for r in tables["vertailuvuosi"]:
        assert r["indicator_id"].startswith(("M06 – ", "M33 – ", "M35 – "))  # as the dropdown writes them
        reference[(label_code(r["indicator_id"]), r["month"].year, r["month"].month)] += r["value"]
    by_id = {i["id"]: i for i in programme().indicators}
    for indicator_id in ("M06", "M33", "M35"):
        months = sorted((y, m) for i, y, m in reference if i == indicator_id)
        assert months == [(2024, 12), *((2025, m) for m in range(1, 13))]
        assert reference[(indicator_id, 2025, 12)] == by_id[indicator_id]["baseline"]
    season = [reference[("M06", 2025, m)] for m in range(1, 13)]
    assert season[6] > season[4] and season[6] > season[8]  # July above May and September
    assert reference[("M33", 2025, 12)] / reference[("M33", 2024, 12)] == pytest.approx(1.28, abs=0.03)


def test_budget_covers_every_municipality_and_subsidy_type(tables):
    pairs = {(r["municipality"], r["subsidy_type"]) for r in tables["tukibudjetti"]}
    expected = {(m["name"], s["subsidy_type"]) for m in programme().municipalities for s in programme().subsidy_types}
    assert pairs == expected and len(tables["tukibudjetti"]) == len(expected)
    budget = {r["municipality"]: r["budget_eur"] for r in tables["tukibudjetti"] if r["subsidy_type"] == "Palkkatuki"}
    assert budget["Jämsä"] > budget["Keuruu"] > budget["Luhanka"]  # sized by population


def _months_between(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month + 1


def test_commitments_are_plausible_and_within_the_caps(tables):
    rows = tables["sidonnat"]
    caps = {s["subsidy_type"]: s for s in programme().subsidy_types}
    ids = [r["commitment_id"] for r in rows]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"SID-202[56]-\d{4}", i) for i in ids)
    assert any(r["period_end"].year == 2027 for r in rows)
    carried = [r for r in rows if r["decision_date"].year == 2025]
    assert carried and {r["subsidy_type"] for r in carried} == {"Palkkatuki"}  # pay subsidies running into 2026
    assert all(r["period_end"].year == 2026 for r in carried)
    for r in rows:
        assert dt.date(2025, 6, 1) <= r["decision_date"] <= DATA_END
        assert r["decision_date"] < r["period_start"] <= r["period_end"]
        months = _months_between(r["period_start"], r["period_end"])
        assert 3 <= months <= 12
        cap = caps[r["subsidy_type"]]
        if cap["max_total_eur"]:
            assert r["amount_eur"] <= cap["max_total_eur"]
            assert r["amount_eur"] / months <= cap["max_per_month_eur"] + 0.01
            assert months <= cap["max_months"]
        if cap["requires_business_id"]:
            assert business_id_valid(r["business_id"])
        else:
            assert r["business_id"] is None


def test_payments_never_exceed_their_commitment(tables):
    commitments = {r["commitment_id"]: r for r in tables["sidonnat"]}
    paid = defaultdict(float)
    for p in tables["maksatukset"]:
        assert p["commitment_id"] in commitments
        assert commitments[p["commitment_id"]]["period_start"] < p["payment_date"] <= DATA_END
        paid[p["commitment_id"]] += p["amount_eur"]
    for commitment_id, total in paid.items():
        assert total <= commitments[commitment_id]["amount_eur"]
    assert len(paid) > len(commitments) / 2


def test_service_costs_for_every_month_municipality_and_cost_object(tables):
    keys = {(r["month"].month, r["municipality"], r["cost_object"]) for r in tables["palvelukustannukset"]}
    assert len(keys) == len(tables["palvelukustannukset"]) == DATA_MONTH * 8 * 6
    assert all(r["amount_eur"] > 0 for r in tables["palvelukustannukset"])


def test_no_text_looks_like_a_personal_identity_code(tables):
    for rows in tables.values():
        for row in rows:
            for value in row.values():
                assert not (isinstance(value, str) and contains_hetu(value)), value


def test_scale_adds_fictional_areas_of_eight_municipalities(scaled, tables):
    big = {name: t.rows for name, t in read_input_tables(open_workbook(scaled), SCHEMAS).items()}
    kunnat = big["kunnat"]
    assert len(kunnat) == 24
    assert len({r["code"] for r in kunnat}) == 24 and all(re.fullmatch(r"\d{3}", r["code"]) for r in kunnat)
    assert all(len(f"Kuntakortti {r['name']}") <= 31 for r in kunnat)  # fits a sheet name
    assert len(big["tukibudjetti"]) == 3 * len(tables["tukibudjetti"])
    assert len(big["palvelukustannukset"]) == 3 * len(tables["palvelukustannukset"])
    per_municipality = [i["id"] for i in programme().indicators if i["per_municipality"] and not i.get("ledger_subsidy_type")]
    area_rows = [r for r in big["toteumat"] if r["municipality"] == AREA_TOTAL]
    assert len(area_rows) == len([r for r in tables["toteumat"] if r["municipality"] == AREA_TOTAL])
    assert len(big["toteumat"]) - len(area_rows) == len(per_municipality) * 24 * DATA_MONTH
    assert 2 * len(tables["sidonnat"]) < len(big["sidonnat"]) < 4 * len(tables["sidonnat"])


def test_scaled_demo_passes_validation_without_findings(scaled):
    assert [f"{f.address} {f.rule}" for f in load(scaled).findings] == []


@pytest.mark.slow
def test_national_scale_adds_areas_of_eight_municipalities(tmp_path, master_path):
    """Scale 50 is about the national volume; its speed is measured by benchmarks/run.py, not here."""
    path = make_demo(master_path, tmp_path / "national.xlsm", scale=50, seed=1)
    tables = read_input_tables(open_workbook(path), SCHEMAS)
    assert len(tables["kunnat"].rows) == 400
    assert len(tables["toteumat"].rows) > 20_000


def test_demo_never_overwrites_a_workbook_with_real_entries(tmp_path, master_path, demo_path):
    real = build_master(tmp_path / "real.xlsm", rows={"toteumat": [
        {"indicator_id": "M01", "month": dt.datetime(2026, 1, 1), "municipality": AREA_TOTAL, "value": 1}]})
    before = real.read_bytes()
    with pytest.raises(BuildError, match="--from"):
        make_demo(master_path, real)
    assert real.read_bytes() == before
    previous_demo = tmp_path / "demo.xlsm"
    previous_demo.write_bytes(demo_path.read_bytes())
    make_demo(master_path, previous_demo, seed=3)  # a demo may replace a demo
    assert previous_demo.read_bytes() != demo_path.read_bytes()


def test_scale_out_of_range_is_refused(tmp_path, master_path):
    with pytest.raises(BuildError, match="Mittakaava"):
        make_demo(master_path, tmp_path / "x.xlsm", scale=0)


def test_demo_command(tmp_path, master_path, capsys):
    out = tmp_path / "cli.xlsm"
    assert main(["demo", str(out), "--scale", "1", "--seed", "1", "--master", str(master_path)]) == 0
    assert "kuvitteellisia" in capsys.readouterr().out
    assert demo_notice(out) is not None
    assert main(["demo", str(tmp_path / "y.xlsm"), "--scale", "0"]) == 1
    assert "Mittakaava" in capsys.readouterr().err


def test_the_demo_mark_is_a_workbook_name_that_outlives_a_cleared_ohjaus_and_build_from(demo_path, master_path, tmp_path):
    from tyollisyys_xl.io.calamine_source import CalamineSource
    from tyollisyys_xl.io.generated import DEMO_NAME
    from tyollisyys_xl.master.upgrade import upgrade_master

    assert CalamineSource(demo_path).is_demo() and not CalamineSource(master_path).is_demo()
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    assert DEMO_NAME in book.defined_names
    book["Ohjaus"]["B3"] = None  # a user tidies Ohjaus: the notice goes, the mark stays
    cleared = tmp_path / "siivottu.xlsm"
    book.save(cleared)
    assert CalamineSource(cleared).is_demo() and demo_notice(cleared).startswith(DEMO_MARK)
    upgraded = tmp_path / "uusi.xlsm"
    upgrade_master(cleared, upgraded)
    assert CalamineSource(upgraded).is_demo()
    assert openpyxl.load_workbook(upgraded, read_only=True)["Ohjaus"]["B3"].value.startswith(DEMO_MARK)
