"""The jobs behind the Excel buttons and the CLI `report`: sheet values in, generated sheets out.

One function runs the core for a job (run_job) and one writes its result through any WorkbookTarget
(write_result), so a button in Excel and `tyollisyys-xl report` give the same sheets. Every job
validates first and rewrites Tarkistus, Kirjaustilanne and the highlights, so the findings on view always
belong to the data the other sheets were computed from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tyollisyys_xl.core.findings import ERROR, WARNING, Finding
from tyollisyys_xl.core.sheetspec import SheetSpec
from tyollisyys_xl.io.generated import HIGHLIGHT_SHEET, GeneratedSheetConflict, highlight_fills, plan_replacement
from tyollisyys_xl.io.workbook import WorkbookSource, WorkbookTarget


@dataclass(frozen=True)
class Job:
    label: str  # Finnish, as on the button
    attainment_sheets: bool = False
    budget_sheets: bool = False
    cards: bool = False


JOBS = {
    "validate": Job("Tarkista syötteet"),
    "attainment": Job("Laske toteutuminen", attainment_sheets=True),
    "cards": Job("Luo kuntakortit", cards=True),
    "budget": Job("Päivitä budjettiseuranta", budget_sheets=True),
    "all": Job("Päivitä kaikki", attainment_sheets=True, budget_sheets=True, cards=True),
}

# Named cells on Ohjaus (made by the builder) that hold the outcome of the last run.
STATUS_JOB, STATUS_TIME, STATUS_RESULT = "Tila_Toiminto", "Tila_Aika", "Tila_Tulos"
STATUS_ERRORS, STATUS_WARNINGS = "Tila_Virheet", "Tila_Varoitukset"


@dataclass(frozen=True)
class JobResult:
    job: str
    specs: list[SheetSpec]
    findings: list[Finding]
    column_letters: dict[str, dict[str, str]] = field(default_factory=dict)  # where validation found each column

    @property
    def errors(self) -> int:
        return sum(f.severity == ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == WARNING for f in self.findings)

    def summary(self) -> str:
        """In Finnish: what the run found and which sheets it rewrote."""
        from tyollisyys_xl.core.reports.tarkistus import summary

        return f"{summary(self.findings)} Päivitetty: {', '.join(spec.name for spec in self.specs)}."

    def status(self, when: dt.datetime) -> dict[str, Any]:
        return {
            STATUS_JOB: JOBS[self.job].label,
            STATUS_TIME: when,
            STATUS_RESULT: self.summary(),
            STATUS_ERRORS: self.errors,
            STATUS_WARNINGS: self.warnings,
        }


def failure_status(job: str, message: str, when: dt.datetime) -> dict[str, Any]:
    return {
        STATUS_JOB: JOBS[job].label,
        STATUS_TIME: when,
        STATUS_RESULT: f"Epäonnistui: {message}",
        STATUS_ERRORS: None,
        STATUS_WARNINGS: None,
    }


def failure_message(exc: BaseException) -> str:
    """What a user is told when a run fails; a fault is named as one, never shown as a traceback."""
    if isinstance(exc, GeneratedSheetConflict):
        return str(exc)
    from tyollisyys_xl.core.parsing import quote

    # The exception's own text may hold a cell value: it is quoted like any user text (shortened, HETU masked).
    return (
        f"Odottamaton virhe ({type(exc).__name__}: {quote(str(exc), limit=200)}). Syötteiden arvoja ei muutettu. "
        "Ilmoita virheestä työkalun ylläpitäjälle ja kerro, mitä painiketta painoit."
    )


def read_sheets(source: WorkbookSource, skip: Iterable[str] = ()) -> dict[str, list[list[Any]]]:
    """Every sheet's values except the tool's own generated sheets (one read per sheet)."""
    skipped = {name.casefold() for name in skip}
    return {name: source.sheet_values(name) for name in source.sheet_names() if name.casefold() not in skipped}


def run_job(
    sheets: Mapping[str, list[list[Any]]],
    job: str = "all",
    as_of: int | None = None,
    facts: Mapping[str, Any] | None = None,
    demo: bool = False,
) -> JobResult:
    """Validate, then compute what the job needs; nothing is written here.

    facts: what a headless reader knows besides values (merged cells, hidden rows), per sheet.
    demo: the workbook is marked as fictional demo data; every printed page then says so.
    """
    from tyollisyys_xl.core.attainment import compute_attainment
    from tyollisyys_xl.core.explanations import missing_explanations
    from tyollisyys_xl.core.reports.kirjaustilanne import kirjaustilanne_sheet
    from tyollisyys_xl.core.reports.layout import add_banners
    from tyollisyys_xl.core.reports.tarkistus import tarkistus_sheet
    from tyollisyys_xl.core.validation import validate_sheets

    plan = JOBS[job]
    validation = validate_sheets(sheets, facts)
    tables = validation.tables
    attainment = compute_attainment(tables, as_of=as_of)  # every job: the explanation warnings need the statuses
    findings = [*validation.findings, *missing_explanations(tables, attainment)]
    specs = [tarkistus_sheet(findings), kirjaustilanne_sheet(tables)]
    budget = None
    if plan.budget_sheets or plan.cards:
        from tyollisyys_xl.core.budget import compute_budget

        budget = compute_budget(tables)
    if plan.attainment_sheets:
        from tyollisyys_xl.core.history import status_history
        from tyollisyys_xl.core.reports.history import history_sheet
        from tyollisyys_xl.core.reports.board import board_sheets
        from tyollisyys_xl.core.reports.toteutuminen import toteutuminen_sheets

        main, *details = toteutuminen_sheets(attainment, tables)
        specs += [main, *board_sheets(attainment, tables), *details,
                  history_sheet(status_history(tables, as_of, attainment))]
    if plan.budget_sheets:
        from tyollisyys_xl.core.reports.budget_tabs import budget_sheets

        specs += budget_sheets(budget, tables)
    if plan.cards:
        from tyollisyys_xl.core.reports.cards import municipality_cards

        specs += municipality_cards(tables, budget, attainment)
    _add_page_footers(specs, attainment.as_of)
    add_banners(specs, sum(f.severity == ERROR for f in findings), demo)
    return JobResult(job=job, specs=specs, findings=findings, column_letters=tables.column_letters)


def _add_page_footers(specs: Iterable[SheetSpec], as_of: int | None) -> None:
    """Every printed page names the month its figures are as of and its page number (unless the sheet has its own footer)."""
    from tyollisyys_xl.core.reports.layout import page_footer

    for spec in specs:
        if spec.print_setup is not None and spec.print_setup.footer is None:
            spec.print_setup.footer = page_footer(as_of)


def write_result(target: WorkbookTarget, result: JobResult) -> None:
    """Write the generated sheets and the highlights; refuses before writing anything on a name clash."""
    templates = sorted({spec.template.spec.name for spec in result.specs if spec.template is not None})
    plan_replacement([*(spec.name for spec in result.specs), HIGHLIGHT_SHEET, *templates], target.sheet_names(),
                     target.generated_sheets())
    target.replace_generated_sheets(result.specs)
    target.highlight_cells(highlight_fills(result.findings, skip_sheets=target.generated_sheets()))
