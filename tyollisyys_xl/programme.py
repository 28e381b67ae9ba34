"""The programme as reviewed text (programme/*.yaml), checked against its schema before anything uses it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from tyollisyys_xl.resources import programme_dir, schema_dir
from tyollisyys_xl.schemas import SourceError, validator_for

PROGRAMME_FILE = "ohjelma2026.yaml"
DEFAULTS_FILE = "oletukset.yaml"
TEXTS_FILE = "tekstit.yaml"  # the instruction texts of the master's own sheets (master/text_sheets.py)
AREA_TOTAL = "Koko alue"  # the municipality value of an entry for the whole employment area
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's when installed: the programme in 0.05 s, not 0.2


@dataclass(frozen=True)
class Programme:
    title: str
    area: str
    year: int
    themes: list[dict]
    focus_areas: list[dict]
    indicators: list[dict]
    municipalities: list[dict]
    service_catalogue: list[dict]
    subsidy_types: list[dict]
    cost_objects: list[dict]

    def theme_name(self, theme_id: str) -> str:
        return next(t["name"] for t in self.themes if t["id"] == theme_id)

    def focus_area(self, focus_id: str) -> dict:
        return next(f for f in self.focus_areas if f["id"] == focus_id)

    def indicator_rows(self) -> list[dict]:
        """Indicators as rows of the Mittarit table (names instead of theme and focus-area ids)."""
        rows = []
        for ind in self.indicators:
            focus = self.focus_area(ind["focus_area"])
            profile = ind.get("monthly_profile")
            rows.append(
                {
                    "id": ind["id"],
                    "theme": self.theme_name(focus["theme"]),
                    "focus_area": focus["name"],
                    "level": ind["level"],
                    "name": ind["name"],
                    "unit": ind["unit"],
                    "kind": ind["kind"],
                    "accumulation": ind["accumulation"],
                    "per_municipality": ind["per_municipality"],
                    "rate_scale": ind.get("rate_scale"),
                    "baseline_text": ind["baseline_text"],
                    "baseline": ind["baseline"],
                    "baseline_date": ind.get("baseline_date"),
                    "target_text": ind["target_text"],
                    "target": ind["target"],
                    "target_date": ind.get("target_date"),
                    "monthly_profile": ";".join(f"{w:g}" for w in profile) if profile else None,
                    "data_source": ind["data_source"],
                    "note": ind.get("note"),
                    "judging": ind.get("judging"),
                    "judging_note": ind["judging_note"],
                    "ledger_subsidy_type": ind.get("ledger_subsidy_type"),
                    "entry_instruction": ind["entry_instruction"],
                }
            )
        return rows


def _load_yaml(path: Path) -> dict:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=SAFE_LOADER)
    except FileNotFoundError as exc:
        raise SourceError(path, "(tiedosto)", "tiedosto puuttuu") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"rivi {mark.line + 1}" if mark else "(tiedosto)"
        raise SourceError(path, where, f"virheellinen YAML: {getattr(exc, 'problem', exc)}") from exc


def _check(path: Path, data: dict, schema_file: str, schemas: Path) -> None:
    errors = sorted(validator_for(schema_file, schemas).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        field = "/".join(str(p) for p in first.absolute_path) or "(juuri)"
        raise SourceError(path, field, first.message)


def _check_references(path: Path, data: dict) -> None:
    themes = {t["id"] for t in data["themes"]}
    focus = {f["id"] for f in data["focus_areas"]}
    for i, fa in enumerate(data["focus_areas"]):
        if fa["theme"] not in themes:
            raise SourceError(path, f"focus_areas/{i}/theme", f"tuntematon teema {fa['theme']!r}")
    seen = set()
    for i, ind in enumerate(data["indicators"]):
        if ind["focus_area"] not in focus:
            raise SourceError(path, f"indicators/{i}/focus_area", f"tuntematon painopiste {ind['focus_area']!r}")
        if ind["id"] in seen:
            raise SourceError(path, f"indicators/{i}/id", f"tunnus {ind['id']} on jo käytössä")
        seen.add(ind["id"])


def load_programme(directory: Path | None = None, schemas: Path | None = None, *, check_schema: bool = True) -> Programme:
    """Read and check the programme and the default reference rows; raises SourceError naming file and field.

    check_schema=False trusts the files against their JSON Schemas (jsonschema is then not even imported);
    the references between them are checked all the same."""
    directory = directory or programme_dir()
    schemas = schemas or schema_dir()
    prog_path, defaults_path = directory / PROGRAMME_FILE, directory / DEFAULTS_FILE
    data = _load_yaml(prog_path)
    if check_schema:
        _check(prog_path, data, "programme.schema.json", schemas)
    _check_references(prog_path, data)
    defaults = _load_yaml(defaults_path)
    if check_schema:
        _check(defaults_path, defaults, "defaults.schema.json", schemas)
    return Programme(
        title=data["title"],
        area=data["area"],
        year=data["year"],
        themes=data["themes"],
        focus_areas=data["focus_areas"],
        indicators=data["indicators"],
        municipalities=data["municipalities"],
        service_catalogue=data["service_catalogue"],
        subsidy_types=defaults["subsidy_types"],
        cost_objects=defaults["cost_objects"],
    )


def load_texts(directory: Path | None = None, schemas: Path | None = None) -> dict:
    """The Finnish instruction texts the builder writes on Ohjaus, Ohjelma and xlwings.conf, checked against
    their schema; kept beside the programme so that an editor fixes them without touching Python."""
    path = (directory or programme_dir()) / TEXTS_FILE
    texts = _load_yaml(path)
    _check(path, texts, "texts.schema.json", schemas or schema_dir())
    return texts


@cache
def programme() -> Programme:
    """The programme shipped with the package, read once per process.

    A run trusts it against its schema, as it trusts the shipped table schemas (schemas.table_schemas): the
    builder, which bakes it into the workbook, and the tests check the shipped files, and an installed
    package cannot change them in between. Validation reads it for the guarded programme on every run."""
    return load_programme(check_schema=False)
