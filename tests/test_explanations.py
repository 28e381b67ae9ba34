"""Owners and explanations: the Selitykset table, the owner column, where the latest explanation shows
(Toteutuminen, Toteutuminen kunnittain, the right municipality card) and the SELITYS_PUUTTUU warning."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from table_factory import make_tables
from workbook_edit import month, rebuilt

from tyollisyys_xl.cli import main
from tyollisyys_xl.core.attainment import EI_TOTEUDU, RISKISSA, compute_attainment
from tyollisyys_xl.core.explanations import MISSING_EXPLANATION, latest_explanations, missing_explanations
from tyollisyys_xl.core.reports.cards import card_name
from tyollisyys_xl.core.reports.toteutuminen import INDICATOR_HEADERS, MAIN_SHEET, MUNICIPAL_HEADERS, MUNICIPAL_SHEET
from tyollisyys_xl.pipeline import load
from tyollisyys_xl.programme import AREA_TOTAL
from tyollisyys_xl.schemas import table_schemas

SCHEMAS = table_schemas()
HETU = "131052-308T"  # a valid personal identity code (the check character matches), of nobody known


def explanation(indicator, number, municipality, text, action=None, author="Koordinaattori"):
    return {"indicator_id": indicator, "month": month(number), "municipality": municipality,
            "explanation": text, "action": action, "author": author}


def validate_json(path: Path, capsys) -> list[dict]:
    main(["validate", str(path), "--format", "json"])
    return json.loads(capsys.readouterr().out)


# --- the workbook -------------------------------------------------------------------------------------


def test_master_has_the_selitykset_table_and_an_owner_column(master_path):
    book = openpyxl.load_workbook(master_path)
    sheet = book["Selitykset"]
    assert [c.value for c in sheet[1]] == ["Mittari", "Kuukausi", "Kunta", "Selitys", "Toimenpide", "Kirjoittaja"]
    assert "tblSelitykset" in sheet.tables
    prompts = {str(dv.sqref).split(":")[0]: dv for dv in sheet.data_validations.dataValidation}
    assert prompts["A2"].type == "list" and prompts["C2"].type == "list" and prompts["B2"].type == "list"
    assert "henkilötunnuksia" in prompts["D2"].prompt
    mittarit = [c.value for c in book["Mittarit"][1]]
    assert "Vastuuhenkilö" in mittarit
    owner_column = mittarit.index("Vastuuhenkilö") + 1
    owner_check = next(dv for dv in book["Mittarit"].data_validations.dataValidation
                       if str(dv.sqref).startswith(openpyxl.utils.get_column_letter(owner_column) + "2"))
    assert owner_check.type is None or owner_check.type == "any"  # free text: a name or a role


def test_demo_has_an_owner_for_every_indicator_and_a_check_in_for_every_kv_indicator(demo_path, capsys):
    tables = load(demo_path).tables
    assert tables.indicators["owner"].notna().all()
    kv = set(tables.indicators.loc[tables.indicators["level"] == "KV", "id"])
    area = tables.explanations[tables.explanations["municipality"] == AREA_TOTAL]
    assert set(area["indicator_id"]) == kv
    assert not [f for f in validate_json(demo_path, capsys) if f["rule"] == MISSING_EXPLANATION]


# --- where an explanation shows -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def explained_report(tmp_path_factory, demo_path):
    """The demo plus explanations typed for M07 (area) and M34 (Keuruu), then the real report command."""
    folder = tmp_path_factory.mktemp("explained")

    def add(rows):
        rows["selitykset"] = [
            *rows["selitykset"],
            explanation("M07", 9, AREA_TOTAL, "Koulutukset alkoivat myöhässä.", "Lisähaku lokakuussa.", "Tiina T."),
            explanation("M34", 9, "Keuruu", "Keuruun valmentaja oli sairauslomalla.", "Sijainen palkattu.", "Kari K."),
        ]
        # the demo's own notes of October would be the latest: drop them for these two
        rows["selitykset"] = [r for r in rows["selitykset"]
                              if not (r["indicator_id"] in ("M07", "M34") and r["month"].month == 10)]

    workbook = rebuilt(demo_path, folder / "selitetty.xlsm", add)
    out = folder / "raportti.xlsx"
    assert main(["report", str(workbook), "--out", str(out)]) in (0, 1)
    return workbook, openpyxl.load_workbook(out)


def _row_with(sheet, column: int, value) -> tuple:
    return next(row for row in sheet.iter_rows(values_only=True) if len(row) >= column and row[column - 1] == value)


def test_explanation_shows_beside_the_indicator_on_toteutuminen_with_its_owner(explained_report):
    workbook, report = explained_report
    row = _row_with(report[MAIN_SHEET], INDICATOR_HEADERS.index("Tunnus") + 1, "M07")
    shown = row[INDICATOR_HEADERS.index("Selitys ja toimenpide")]
    assert shown == "9/2026: Koulutukset alkoivat myöhässä. Toimenpide: Lisähaku lokakuussa. (Tiina T.)"
    owner = load(workbook).tables.indicators.set_index("id").loc["M07", "owner"]
    assert row[INDICATOR_HEADERS.index("Vastuuhenkilö")] == owner
    # Keuruu's own explanation is not the area's
    m34 = _row_with(report[MAIN_SHEET], 1, "M34")
    assert "sairauslomalla" not in str(m34[INDICATOR_HEADERS.index("Selitys ja toimenpide")])


def test_a_municipalitys_explanation_shows_on_the_municipal_sheet_and_its_own_card_only(explained_report):
    _, report = explained_report
    municipal = [row for row in report[MUNICIPAL_SHEET].iter_rows(values_only=True)
                 if row[0] == "M34" and len(row) >= len(MUNICIPAL_HEADERS)]
    by_town = {row[MUNICIPAL_HEADERS.index("Kunta")]: row[MUNICIPAL_HEADERS.index("Selitys ja toimenpide")]
               for row in municipal}
    assert "sairauslomalla" in by_town["Keuruu"]
    assert not any("sairauslomalla" in str(text) for town, text in by_town.items() if town != "Keuruu")

    def card_text(town: str) -> str | None:
        """The explanation on the card's legend line of M34 ("M34 name (unit) – explanation")."""
        column_a = (row[0] for row in report[card_name(town)].iter_rows(max_col=1, values_only=True))
        line = next(v for v in column_a if isinstance(v, str) and v.startswith("M34 "))
        return line.partition(" – ")[2] or None

    assert card_text("Keuruu") == ("9/2026: Keuruun valmentaja oli sairauslomalla. Toimenpide: Sijainen palkattu. "
                                   "(Kari K.)")
    for town in ("Jämsä", "Joutsa", "Multia"):
        assert "sairauslomalla" not in str(card_text(town))


# --- the warning ---------------------------------------------------------------------------------------


def test_warning_fires_for_every_red_kv_indicator_without_an_explanation(tmp_path, demo_path, capsys):
    bare = rebuilt(demo_path, tmp_path / "ei-selityksia.xlsm", lambda rows: rows.update(selitykset=[]))
    tables = load(bare).tables
    result = compute_attainment(tables)
    red_kv = result.indicators[(result.indicators["level"] == "KV")
                               & result.indicators["status"].isin([RISKISSA, EI_TOTEUDU])]
    assert len(red_kv) >= 2  # the demo has slipping council indicators
    findings = [f for f in validate_json(bare, capsys) if f["rule"] == "SELITYS_PUUTTUU"]
    assert [f["message"].split()[2] for f in findings] == list(red_kv["id"])
    first = findings[0]
    assert first["severity"] == "varoitus" and first["sheet"] == "Mittarit"
    mittari_row = int(tables.indicators.set_index("id").loc[red_kv["id"].iloc[0], "_row"])
    assert first["cell"] == f"A{mittari_row}"
    assert "Vastuuhenkilö:" in first["message"]
    # the button's job reports the same warnings on Tarkistus
    from tyollisyys_xl.io.calamine_source import CalamineSource
    from tyollisyys_xl.jobs import run_job

    values, facts = CalamineSource(bare).read_all()
    assert [f.message for f in run_job(values, "validate", facts=facts).findings if f.rule == MISSING_EXPLANATION] \
        == [f["message"] for f in findings]


def _hand_made(explanations: list[dict]):
    """M07 (KV, cumulative count, target 100): 2 a month for five months is far behind the pro-rata path."""
    entries = [dict(indicator_id="M07", month=m, municipality=AREA_TOTAL, value=2) for m in range(1, 6)]
    return make_tables(entries=entries, explanations=explanations)


@pytest.mark.parametrize(("month", "municipality", "warned"), [
    (5, AREA_TOTAL, False),  # the as-of month
    (4, AREA_TOTAL, False),  # the month before
    (3, AREA_TOTAL, True),  # too old
    (5, "Jämsä", True),  # a municipality's note does not explain the area's figure
    (None, None, True),
])
def test_which_explanations_silence_the_warning(month, municipality, warned):
    rows = [dict(indicator_id="M07", month=month, municipality=municipality, explanation="Syy", author="K")] if month else []
    tables = _hand_made(rows)
    result = compute_attainment(tables)
    assert result.as_of == 5 and result.indicators.set_index("id").loc["M07", "status"] == EI_TOTEUDU
    found = [f for f in missing_explanations(tables, result) if "M07" in f.message]
    assert bool(found) == warned
    if warned:
        assert "5/2026 tai 4/2026" in found[0].message


def test_latest_explanation_is_the_latest_month_up_to_the_as_of_month():
    rows = [dict(indicator_id="M07", month=m, municipality=AREA_TOTAL, explanation=f"kk {m}", author="K")
            for m in (2, 4, 7)]
    tables = _hand_made(rows)
    assert latest_explanations(tables, 5)[("M07", AREA_TOTAL)].text == "kk 4"
    assert latest_explanations(tables, None)[("M07", AREA_TOTAL)].text == "kk 7"
    assert latest_explanations(tables, 1) == {}


def test_free_text_is_checked_for_personal_identity_codes_and_length(tmp_path, master_path, capsys):
    def add(rows):
        rows["selitykset"] = [
            explanation("M07", 3, AREA_TOTAL, f"Asiakas {HETU} keskeytti."),
            explanation("M07", 4, AREA_TOTAL, "x" * 1001),
            explanation("M07", 5, AREA_TOTAL, "Hyvä selitys", author=None),
            explanation("M99", 5, "Jämsä", "Tuntematon mittari"),
        ]
        rows["mittarit"][0]["owner"] = f"Vastuu {HETU}"

    workbook = rebuilt(master_path, tmp_path / "teksti.xlsm", add)
    findings = validate_json(workbook, capsys)
    output = json.dumps(findings, ensure_ascii=False)
    assert HETU not in output
    found = {(f["sheet"], f["cell"], f["rule"]) for f in findings}
    assert ("Selitykset", "D2", "HETU") in found
    assert ("Selitykset", "D3", "MUOTO") in found
    assert ("Selitykset", "F4", "PAKOLLINEN") in found
    assert ("Selitykset", "A5", "TUNTEMATON_MITTARI") in found
    owner_letter = openpyxl.utils.get_column_letter(SCHEMAS["mittarit"].headers.index("Vastuuhenkilö") + 1)
    assert ("Mittarit", f"{owner_letter}2", "HETU") in found
