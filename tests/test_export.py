"""The Power BI export: tidy tables as CSV (Finnish Excel opens them) and typed Parquet, reconciling to the cent."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from table_factory import day, make_tables

from tyollisyys_xl.cli import main
from tyollisyys_xl.commands.export import write_export
from tyollisyys_xl.core.attainment import compute_attainment
from tyollisyys_xl.core.budget import compute_budget
from tyollisyys_xl.core.export import EXPORT_TABLES, export_frames
from tyollisyys_xl.core.money import to_cents
from tyollisyys_xl.pipeline import load
from tyollisyys_xl.programme import AREA_TOTAL

PAY = "Palkkatuki"


@pytest.fixture(scope="module")
def small():
    tables = make_tables(
        budget=[dict(municipality="Jämsä", subsidy_type=PAY, budget_eur=Decimal("10000.10"))],
        commitments=[dict(commitment_id="S1", decision_date=day("1.12.2025"), municipality="Jämsä", subsidy_type=PAY,
                          period_start=day("1.12.2025"), period_end=day("31.5.2026"), amount_eur=6000)],
        payments=[dict(payment_date=day("15.1.2026"), commitment_id="S1", amount_eur=Decimal("1000.05")),
                  dict(payment_date=day("20.12.2025"), commitment_id="S1", amount_eur=500)],
        service_costs=[dict(month=2, municipality="Jämsä", cost_object="Valmennuspalvelut", amount_eur=Decimal("0.10"))],
        entries=[dict(indicator_id="M06", month=1, municipality="Jämsä", value=1500),
                 dict(indicator_id="M29", month=2, municipality="Jämsä", numerator=3, denominator=12)],
    )
    return tables, export_frames(tables, compute_budget(tables), compute_attainment(tables))


def test_every_fact_and_dimension_is_there(small):
    _, frames = small
    assert list(frames) == list(EXPORT_TABLES)
    assert {"toteumat", "toteutuminen", "sidonnat", "maksatukset", "tukibudjetti", "palvelukustannukset",
            "mittarit", "kunnat", "kuukaudet"} <= set(frames)


def test_money_stays_exact_and_the_multi_year_share_is_exported(small):
    _, frames = small
    (commitment,) = frames["sidonnat"].to_dict("records")
    assert commitment["sidottu_eur"] == Decimal("6000.00")
    assert commitment["sidottu_2026_eur"] == Decimal("4978.02")
    assert commitment["maksettu_2026_eur"] == Decimal("1000.05")
    assert commitment["maksettu_yhteensa_eur"] == Decimal("1500.05")
    assert commitment["avoin_2026_eur"] == Decimal("3977.97")
    assert sum(frames["sidonnat_kuukausittain"]["sidottu_eur"]) == Decimal("4978.02")
    assert frames["maksatukset"]["kuukausi"].tolist() == [1, pd.NA]  # a 2025 payment has no month of 2026
    assert frames["tukibudjetti"]["budjetti_eur"].tolist() == [Decimal("10000.10")]


def test_entries_carry_the_effective_value_and_join_to_the_dimensions(small):
    _, frames = small
    entries = frames["toteumat"]
    assert entries["arvo"].tolist() == [1500.0, 25.0]  # 100 * 3 / 12
    assert set(entries["kunta"]) <= set(frames["kunnat"]["kunta"])
    assert set(entries["mittari_id"]) <= set(frames["mittarit"]["mittari_id"])
    assert set(entries["kuukausi"]) <= set(frames["kuukaudet"]["kuukausi"])
    assert AREA_TOTAL in set(frames["kunnat"]["kunta"])
    attainment = frames["toteutuminen"]
    assert len(attainment[attainment["kunta"] == AREA_TOTAL]) == 37


def test_csv_opens_in_finnish_excel_and_parquet_keeps_types(small, tmp_path):
    _, frames = small
    written = write_export(frames, tmp_path)
    assert len(written) == 2 * len(EXPORT_TABLES) and not list(tmp_path.glob(".~*"))
    raw = (tmp_path / "sidonnat.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfsidonta_id;paatospaiva;")
    assert "S1;2025-12-01;Jämsä;Palkkatuki;2025-12-01;2026-05-31;6;6000,00;4978,02;1000,05;1500,05;3977,97" in raw.decode("utf-8-sig")
    back = pd.read_csv(tmp_path / "toteumat.csv", sep=";", decimal=",", encoding="utf-8-sig")
    assert back["arvo"].tolist() == [1500.0, 25.0]
    schema = pq.read_schema(tmp_path / "sidonnat.parquet")
    assert str(schema.field("sidottu_2026_eur").type) == "decimal128(18, 2)"
    assert str(schema.field("jakso_alkaa").type) == "date32[day]"
    table = pq.read_table(tmp_path / "sidonnat.parquet").to_pylist()
    assert table[0]["sidottu_2026_eur"] == Decimal("4978.02")


def test_export_command_on_the_demo_reconciles_to_the_workbook(demo_path, tmp_path, capsys):
    assert main(["export", str(demo_path), "--out", str(tmp_path / "bi")]) == 0
    assert "Kirjoitettu 24 tiedostoa" in capsys.readouterr().out
    tables = load(demo_path).tables
    budget = compute_budget(tables)
    commitments = pq.read_table(tmp_path / "bi" / "sidonnat.parquet").to_pandas()
    assert sum(to_cents(v) for v in commitments["sidottu_2026_eur"]) == budget.summary["committed_cents"].sum()
    payments = pd.read_csv(tmp_path / "bi" / "maksatukset.csv", sep=";", decimal=",", encoding="utf-8-sig",
                           dtype={"maksettu_eur": str})
    assert sum(to_cents(Decimal(v.replace(",", "."))) for v in payments["maksettu_eur"]) == \
        sum(to_cents(v) for v in tables.payments["amount_eur"])
    budget_rows = pq.read_table(tmp_path / "bi" / "tukibudjetti.parquet").to_pandas()
    assert sum(budget_rows["budjetti_eur"]) == sum(tables.budget["budget_eur"])


def test_export_command_on_an_unreadable_file_writes_nothing(tmp_path, capsys):
    broken = tmp_path / "rikki.xlsm"
    broken.write_bytes(b"ei ole zip")
    assert main(["export", str(broken), "--out", str(tmp_path / "bi")]) == 2
    err = capsys.readouterr().err
    assert f"Työkirjaa {broken} ei voi lukea" in err and err.count("ei voi lukea") == 1
    assert not (tmp_path / "bi").exists()


def test_export_command_leaves_rows_with_errors_out_and_says_so(demo_path, tmp_path, capsys):
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    book["Maksatukset"]["C2"] = "paljon"
    bad = tmp_path / "virheellinen.xlsm"
    book.save(bad)
    assert main(["export", str(bad), "--out", str(tmp_path / "bi")]) == 1
    assert "virheelliset rivit jäivät pois" in capsys.readouterr().err
    payments = pq.read_table(tmp_path / "bi" / "maksatukset.parquet").to_pandas()
    assert len(payments) == len(load(demo_path).tables.payments) - 1
