"""The programme data must match the source document exactly."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from tyollisyys_xl.programme import load_programme, programme
from tyollisyys_xl.resources import programme_dir, schema_dir
from tyollisyys_xl.schemas import SourceError, load_table_schemas

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "tyollisyysohjelma-2026.txt"


def seed_indicator_rows() -> list[tuple[str, str, str, str, str]]:
    """(focus heading, level, name, baseline text, target text) for every MITTARI table row of the document."""
    rows, level, heading, in_table = [], None, None, False
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if line.isupper() and line.strip() and not line.startswith("\t"):
            heading = heading if line.strip().startswith(("KEHITETÄÄN", "YKSILÖLLISET", "PAINOTUS", "POWER", "OPPILAITOS", "TYÖNANTAJA")) else line.strip()
        if line.startswith("\tMITTARI"):
            in_table, level = True, None
            continue
        if in_table:
            if not line.strip():
                in_table = False
                continue
            cells = line.split("\t")
            if cells[0]:
                level = cells[0]
            name = cells[1].strip()
            if name.startswith("("):  # the cross-reference to the pay-subsidy indicator, not an indicator
                continue
            rows.append((heading, level, name, cells[2].strip(), cells[3].strip()))
    return rows


@pytest.mark.skipif(not SEED.exists(), reason="the source document lies outside the repository")
def test_every_indicator_matches_the_document_word_for_word():
    expected = seed_indicator_rows()
    assert len(expected) == 37
    prog = programme()
    got = [(ind["level"], ind["name"], ind["baseline_text"], ind["target_text"]) for ind in prog.indicators]
    assert got == [(lvl, name, base, target) for _, lvl, name, base, target in expected]
    headings = [prog.focus_area(ind["focus_area"])["heading"] for ind in prog.indicators]
    assert headings == [h for h, *_ in expected]


def test_structure_three_themes_eight_focus_areas_37_indicators():
    prog = programme()
    assert load_programme() == prog  # the shipped files pass their schemas (a run trusts them unchecked)
    assert [t["id"] for t in prog.themes] == ["T1", "T2", "T3"]
    assert len(prog.focus_areas) == 8
    assert len(prog.indicators) == 37
    assert len({i["id"] for i in prog.indicators}) == 37
    assert sum(i["level"] == "KV" for i in prog.indicators) == 14
    for fa in prog.focus_areas:
        assert fa["staff_in_practice"] and fa["leadership"] and fa["cooperation_with_municipalities"]


def number_in(text: str) -> float | None:
    match = re.search(r"\d[\d ]*(?:,\d+)?", text)
    return float(match.group().replace(" ", "").replace(",", ".")) if match else None


# Indicators whose machine values are a reading of the document's words, each explained in its YAML note:
# M21 "Toteutuu 10 päivässä" is measured as the share of initial interviews held within the 10 days.
READINGS = {"M21"}


def test_machine_values_agree_with_the_document_text():
    for ind in programme().indicators:
        if ind["id"] in READINGS:
            assert ind["note"].startswith("Ohjelman sanat")
            continue
        if ind["kind"] == "virstanpylväs":
            assert (ind["baseline"], ind["target"]) == (0, 2)
            continue
        for text_key, value_key in (("baseline_text", "baseline"), ("target_text", "target")):
            number = number_in(ind[text_key])
            if number is not None and not ind[text_key].startswith(("Vähintään", "Raportit")):
                assert ind[value_key] == number, (ind["id"], text_key)


def test_document_facts_transcribed():
    by_name = {i["name"]: i for i in programme().indicators}
    broad = by_name["Laajan työttömyyden määrä"]
    assert (broad["baseline"], broad["baseline_date"], broad["target"], broad["kind"]) == (4301, "2025-12", 4100, "lasku")
    assert by_name["Työnantajakontaktien määrä"]["baseline"] is None
    assert by_name["Kotoutumiskoulutuksen jonotusaika"]["kind"] == "yläraja"
    assert by_name["Palkkatukijaksot"]["kind"] == "ylläpito"
    assert by_name["Suunnitelmien ajantasaisuus"]["baseline"] == 69.9
    long_term = by_name["Pitkäaikaistyöttömien ja rinnasteisesti pitkäaikaistyöttömien määrä"]
    assert (long_term["baseline"], long_term["target"]) == (1468, 1400)


def test_municipalities_and_codes():
    codes = {m["name"]: m["code"] for m in programme().municipalities}
    assert codes == {"Joutsa": "172", "Jämsä": "182", "Keuruu": "249", "Luhanka": "435", "Multia": "495",
                     "Mänttä-Vilppula": "508", "Petäjävesi": "592", "Toivakka": "850"}
    own_coaching = {m["name"] for m in programme().municipalities if m["coaching"].startswith("Kunta")}
    assert own_coaching == {"Keuruu", "Mänttä-Vilppula"}


def copy_sources(tmp_path: Path) -> tuple[Path, Path]:
    prog, schemas = tmp_path / "programme", tmp_path / "schema"
    shutil.copytree(programme_dir(), prog)
    shutil.copytree(schema_dir(), schemas)
    return prog, schemas


def test_malformed_programme_names_file_and_field(tmp_path):
    prog, schemas = copy_sources(tmp_path)
    data = yaml.safe_load((prog / "ohjelma2026.yaml").read_text(encoding="utf-8"))
    data["indicators"][5]["level"] = "KH"
    (prog / "ohjelma2026.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_programme(prog, schemas)
    assert err.value.field == "indicators/5/level"
    assert "ohjelma2026.yaml" in err.value.path


def test_broken_yaml_and_unknown_focus_area(tmp_path):
    prog, schemas = copy_sources(tmp_path)
    (prog / "ohjelma2026.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    with pytest.raises(SourceError, match="virheellinen YAML"):
        load_programme(prog, schemas)
    prog2, _ = copy_sources(tmp_path / "b")
    data = yaml.safe_load((prog2 / "ohjelma2026.yaml").read_text(encoding="utf-8"))
    data["indicators"][0]["focus_area"] = "P9"
    (prog2 / "ohjelma2026.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SourceError, match="tuntematon painopiste"):
        load_programme(prog2, schemas)


def test_malformed_table_schema_names_file_and_field(tmp_path):
    _, schemas = copy_sources(tmp_path)
    path = schemas / "toteumat.schema.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"x-type": "month"', '"x-type": "kuukausi"'), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_table_schemas(schemas)
    assert err.value.field == "properties/month/x-type"


def test_a_schema_the_metaschema_rejects_is_refused_by_the_builder_path(tmp_path):
    """Runs trust the shipped schemas (table_schemas skips the metaschema); whoever loads them for a build does not."""
    _, schemas = copy_sources(tmp_path)
    path = schemas / "kunnat.schema.json"
    path.write_text(path.read_text(encoding="utf-8").replace('"type": "string"', '"type": "merkkijono"', 1), encoding="utf-8")
    with pytest.raises(SourceError, match="merkkijono"):
        load_table_schemas(schemas)
    load_table_schemas(schemas, check_metaschema=False)  # the run-time path reads it all the same
    load_table_schemas()  # and every shipped schema passes the metaschema


def test_defaults_obey_their_table_schemas(tmp_path):
    prog, schemas = copy_sources(tmp_path)
    text = (prog / "oletukset.yaml").read_text(encoding="utf-8").replace("max_months: 6", "max_months: kuusi")
    (prog / "oletukset.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as err:
        load_programme(prog, schemas)
    assert err.value.field == "subsidy_types/1/max_months"


def committee_table_rows() -> list[str]:
    """The lines of docs/attainment.md's table "indicator → rule → why", as the engine and the YAML give them."""
    from tests.table_factory import make_tables
    from tyollisyys_xl.core.attainment.specs import MAX, SEASONAL, indicator_spec

    notes = {i["id"]: i["judging_note"] for i in programme().indicators}
    lines = []
    for row in make_tables().indicators.itertuples(index=False):
        spec = indicator_spec(row)
        extras = [text for text, applies in (("year-to-date ratio", spec.year_to_date_rate),
                                             ("from Sidonnat", spec.ledger_type is not None),
                                             ("worst municipality", spec.combine == MAX and row.per_municipality))
                  if applies]
        rule = f"`{SEASONAL if spec.seasonal else spec.rule}`" + (f" ({', '.join(extras)})" if extras else "")
        lines.append(f"| {row.id} {row.name} | {row.level} | {rule} | {notes[row.id]} |")
    return lines


def test_the_committees_table_in_the_docs_says_what_the_yaml_and_the_engine_say():
    docs = (Path(__file__).resolve().parents[1] / "docs" / "attainment.md").read_text(encoding="utf-8")
    documented = [line for line in docs.splitlines() if re.match(r"^\| M\d\d ", line)]
    assert documented == committee_table_rows()


def test_every_indicator_says_what_to_type_and_why_it_is_judged_so():
    for ind in programme().indicators:
        for key in ("entry_instruction", "judging_note"):
            text = ind[key]
            assert text[0].isupper() and text.endswith(".") and len(text) < 260, (ind["id"], key)
        if ind["accumulation"] == "kumulatiivinen" and not ind.get("rate_scale") and not ind.get("ledger_subsidy_type"):
            assert "ei vuoden kertymää" in ind["entry_instruction"], ind["id"]  # the monthly figure, never the year's
