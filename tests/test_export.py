"""The Power BI export: tidy tables as CSV (Finnish Excel opens them) and typed Parquet, reconciling to the cent."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from decimal import Decimal

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest
from table_factory import day, make_tables

from tyollisyys_xl.cli import main
from tyollisyys_xl.commands.export import write_csv, write_export
from tyollisyys_xl.core.attainment import compute_attainment
from tyollisyys_xl.core.budget import compute_budget
from tyollisyys_xl.core.export import EXPORT_TABLES, export_frames
from tyollisyys_xl.core.money import to_cents
from tyollisyys_xl.core.safe_text import is_formula_like, neutralise_formula
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
    assert f"Kirjoitettu {2 * len(EXPORT_TABLES)} tiedostoa" in capsys.readouterr().out
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


# --- formula injection (OWASP: CSV injection) ------------------------------------------------------------

ATTACKS = ["=HYPERLINK(\"http://x\";\"klikkaa\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1",
           "  =1+1", "\tteksti", "\rteksti"]


def csv_fields(path):
    return [field for row in pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig").itertuples(index=False)
            for field in row]


def test_write_csv_neutralises_formula_like_text_and_keeps_numbers_numbers(tmp_path):
    frame = pd.DataFrame({
        "teksti": ATTACKS + ["-5", "+3,5", "tavallinen", "a=b"],
        "luku": [-5.5] * (len(ATTACKS) + 4),
        "summa_eur": [Decimal("-12.30")] * (len(ATTACKS) + 4),
    })
    write_csv(frame, tmp_path / "t.csv")
    back = pd.read_csv(tmp_path / "t.csv", sep=";", decimal=",", encoding="utf-8-sig", dtype={"teksti": str, "summa_eur": str},
                       keep_default_na=False)
    assert back["teksti"].tolist() == ["'" + attack for attack in ATTACKS] + ["-5", "+3,5", "tavallinen", "a=b"]
    assert back["luku"].tolist() == [-5.5] * len(back) and back["summa_eur"].tolist() == ["-12,30"] * len(back)


@pytest.fixture(scope="module")
def injected(demo_path, tmp_path_factory):
    """The demo with formula-like text in the free-text and id columns of every table that has one."""
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    placed = {("Toteumat", "Lähde"): ATTACKS[0], ("Kustannuskohteet", "Kuvaus"): ATTACKS[1],
              ("Tukilajit", "Peruste"): ATTACKS[3], ("Mittarit", "Tietolähde"): ATTACKS[4],
              ("Sidonnat", "Sidonnan tunnus"): ATTACKS[2]}
    for (sheet, header), text in placed.items():
        column = next(c.column for c in book[sheet][1] if c.value == header)
        cell = book[sheet].cell(2, column)
        cell.value, cell.data_type = text, "s"  # text, as typed after a quote in Excel
    folder = tmp_path_factory.mktemp("injected")
    book.save(folder / "kaavat.xlsm")
    assert main(["export", str(folder / "kaavat.xlsm"), "--out", str(folder / "bi")]) in (0, 1)
    return folder / "bi", placed


def test_no_csv_field_of_any_export_would_run_as_a_formula(injected):
    folder, _ = injected
    for stem in EXPORT_TABLES:
        for field in csv_fields(folder / f"{stem}.csv"):
            assert not is_formula_like(field) or field.startswith("'"), (stem, field)


@pytest.mark.parametrize("stem, column, attack", [("toteumat", "lahde", 0), ("kustannuskohteet", "kuvaus", 1),
                                                  ("tukilajit", "peruste", 3), ("mittarit", "tietolahde", 4)])
def test_csv_neutralises_and_parquet_keeps_the_text_as_typed(injected, stem, column, attack):
    folder, _ = injected
    csv_values = pd.read_csv(folder / f"{stem}.csv", sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")[column]
    parquet_values = pq.read_table(folder / f"{stem}.parquet").to_pandas()[column].fillna("")
    typed = ATTACKS[attack].strip()  # as validation keeps it: surrounding white space trimmed
    assert typed in set(parquet_values) and "'" + typed in set(csv_values)
    assert csv_values.tolist() == [neutralise_formula(v) for v in parquet_values]


# --- output problems: exit 2, a Finnish message, nothing half-written ---------------------------------------


def export(capsys, workbook, out, *extra):
    code = main(["export", str(workbook), "--out", str(out), *extra])
    _, err = capsys.readouterr()
    return code, err


def test_out_that_is_a_file_is_refused_before_reading(demo_path, tmp_path, capsys):
    target = tmp_path / "bi.csv"
    target.write_text("vanha")
    code, err = export(capsys, demo_path, target)
    assert code == 2 and "on tiedosto, ei kansio" in err and "Traceback" not in err
    assert target.read_text() == "vanha" and sorted(p.name for p in tmp_path.iterdir()) == ["bi.csv"]


def test_out_under_a_file_is_refused(demo_path, tmp_path, capsys):
    (tmp_path / "tiedosto").write_text("x")
    code, err = export(capsys, demo_path, tmp_path / "tiedosto" / "bi")
    assert code == 2 and "ei voi luoda (polun osa on tiedosto eikä kansio)" in err


def test_a_blocked_target_leaves_no_temporary_file_and_says_which(demo_path, tmp_path, capsys):
    out = tmp_path / "bi"
    (out / "mittarit.csv").mkdir(parents=True)  # something else stands where the export must go
    code, err = export(capsys, demo_path, out, "--format", "csv")
    assert code == 2 and "mittarit.csv" in err and "ei voi korvata" in err
    assert not [p for p in out.iterdir() if p.name.startswith(".~")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; the next test covers the message")
def test_a_read_only_folder_is_refused(demo_path, tmp_path, capsys):
    out = tmp_path / "bi"
    out.mkdir()
    out.chmod(0o555)
    try:
        code, err = export(capsys, demo_path, out)
    finally:
        out.chmod(0o755)
    assert code == 2 and "ei käyttöoikeutta" in err and list(out.iterdir()) == []


def test_a_write_that_fails_midway_leaves_the_previous_export_and_no_temporary_file(demo_path, tmp_path, capsys,
                                                                                       monkeypatch):
    out = tmp_path / "bi"
    assert export(capsys, demo_path, out)[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    from tyollisyys_xl.commands import export as export_command

    written = []

    def denied(frame, path):
        if len(written) == 5:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        written.append(path)
        export_command.write_csv(frame, path)

    monkeypatch.setitem(export_command.WRITERS, "csv", denied)
    code, err = export(capsys, demo_path, out, "--format", "csv")
    assert code == 2 and "ei voi kirjoittaa (ei käyttöoikeutta)" in err and "Permission" not in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_temporary_files_of_a_killed_export_are_removed_next_time(demo_path, tmp_path, capsys):
    out = tmp_path / "bi"
    out.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = out / f".~toteumat.csv.{int(gone.stdout)}.tmp"
    stale.write_text("puolikas")
    alive = out / f".~toteumat.csv.{os.getppid()}.tmp"  # a running export's file is left alone
    alive.write_text("kesken")
    assert export(capsys, demo_path, out)[0] == 0
    assert not stale.exists() and alive.exists()


def test_export_carries_the_same_month_a_year_earlier_for_power_bi(demo_path, tmp_path, capsys):
    assert main(["export", str(demo_path), "--out", str(tmp_path / "bi"), "--format", "parquet"]) == 0
    rows = pq.read_table(tmp_path / "bi" / "toteutuminen.parquet").to_pandas()
    area = rows[(rows["kunta"] == AREA_TOTAL) & (rows["mittari_id"] == "M06")].iloc[0]
    reference = load(demo_path).tables.reference_entries
    same_month = reference[(reference["indicator_id"] == "M06") & (reference["month"] == area["toteuma_kuukausi"] - 12)]
    expected = same_month["value"].sum()  # the demo enters 2025 per municipality: the area figure is their sum
    assert len(same_month) == 8 and area["vertailuarvo"] == pytest.approx(expected)
    assert area["muutos_vertailusta"] == pytest.approx(area["toteuma"] - expected)
    without = rows[(rows["kunta"] == AREA_TOTAL) & (rows["mittari_id"] == "M34")].iloc[0]  # a flow: no reference year
    assert pd.isna(without["vertailuarvo"]) and pd.isna(without["muutos_vertailusta"])
