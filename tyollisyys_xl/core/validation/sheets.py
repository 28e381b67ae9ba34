"""Rules on whole sheets: what any text cell of any sheet may not hold, and the shape of an input sheet.

Text cells: a personal identity code (HETU), wherever it stands in the text; more characters than
Excel allows in a cell; a control character XML 1.0 cannot hold (a NUL, raw in a file or escaped as
_x0000_); and, in input tables, text that a spreadsheet would take for a formula (the rule of
core.safe_text, which the CSV exports neutralise by). Each
sheet's distinct texts are joined and searched once; cells are located only when that finds something.

Shape: merged cells, hidden rows and masses of formatted empty rows, as the adapter saw them (SheetFacts).
"""

from __future__ import annotations

import re
from itertools import chain
from collections.abc import Collection, Iterable, Mapping
from typing import Any, NamedTuple

from tyollisyys_xl.core.findings import Finding
from tyollisyys_xl.core.parsing import fi_number, hetu_spans, quote
from tyollisyys_xl.core.raw import SheetFacts
from tyollisyys_xl.core.rules import Rule
from tyollisyys_xl.core.safe_text import INVALID_XML, formula_sign
from tyollisyys_xl.core.validation.table import CheckedTable

EXCEL_CELL_LIMIT = 32_767  # characters in one cell (Excel's specifications and limits)
EMPTY_ROWS_LIMIT = 1000  # formatted empty rows past the data worth a warning
HETU_MESSAGE = "Solussa on henkilötunnus. Poista se: henkilötunnuksia ei saa tallentaa työkirjaan."
_FORMULA_LIKE_IN_JOINED = re.compile(r"(?:^|\n)\s*[=+\-@\t\r]")  # a quick look at a whole sheet before each text
SIGN_NAMES = {"\t": "sarkaimella", "\r": "rivinvaihtomerkillä"}


class TextHit(NamedTuple):
    rule: Rule
    sheet: str
    row: int  # 1-based, as in Excel
    col: int  # 0-based, as in the values lists
    message: str


def invalid_character_message(character: str) -> str:
    """Names the character by its code, never repeats the cell's text."""
    return (f"Solussa on näkymätön ohjausmerkki (U+{ord(character):04X}), jota Excel-tiedostoon ei voi tallentaa. "
            "Kirjoita solun teksti uudelleen tai poista merkki. Tällainen merkki tulee yleensä mukaan, kun tekstiä "
            "kopioidaan toisesta järjestelmästä.")


def _messages(texts: set[str], formulas: bool) -> dict[str, list[tuple[Rule, str]]]:
    """{text: [(rule, message)]} for the texts that break a rule; searched a whole joined sheet at a time."""
    found: dict[str, list[tuple[Rule, str]]] = {}
    joined = "\n".join(texts)
    if hetu_spans(joined):
        for text in texts:
            if hetu_spans(text):
                found.setdefault(text, []).append((Rule.HETU, HETU_MESSAGE))
    if max(map(len, texts)) > EXCEL_CELL_LIMIT:
        for text in texts:
            if len(text) > EXCEL_CELL_LIMIT:
                found.setdefault(text, []).append((Rule.SOLU_LIIAN_PITKA, (
                    f"Solussa on {fi_number(len(text))} merkkiä, enemmän kuin Excelin sallimat {fi_number(EXCEL_CELL_LIMIT)}: "
                    "lyhennä tekstiä (Excel katkaisee sen, ja vienti muihin ohjelmiin voi epäonnistua).")))
    if INVALID_XML.search(joined):
        for text in texts:
            if character := INVALID_XML.search(text):
                found.setdefault(text, []).append((Rule.OHJAUSMERKKI, invalid_character_message(character.group())))
    if formulas and _FORMULA_LIKE_IN_JOINED.search(joined):
        for text in texts:
            if sign := formula_sign(text):
                start = SIGN_NAMES.get(sign, f"merkillä ”{sign}”")
                found.setdefault(text, []).append((Rule.KAAVAMAINEN_TEKSTI, (
                    f"Teksti {quote(text)} alkaa {start}, joten taulukko-ohjelma voi lukea sen kaavaksi, kun "
                    "tiedot avataan viedystä tiedostosta. Aloita teksti muulla merkillä, ellei merkki ole välttämätön.")))
    return found


def scan_texts(sheets: Mapping[str, list[list[Any]]], table_sheets: Collection[str]) -> list[TextHit]:
    """Every text cell on any sheet that holds a HETU or is too long for Excel, and formula-like text on table_sheets."""
    hits = []
    for name, rows in sheets.items():
        texts = {v for v in set(chain.from_iterable(rows)) if v.__class__ is str}  # a sheet repeats its values: dedupe first
        found = _messages(texts, formulas=name in table_sheets) if texts else {}
        if not found:
            continue
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value.__class__ is str and value in found:
                    hits.extend(TextHit(rule, name, r, c, message) for rule, message in found[value])
    return hits


def structure_findings(table: CheckedTable, values: list[list[Any]] | None, facts: SheetFacts | None) -> list[Finding]:
    """Merged cells, hidden rows and masses of formatted empty rows, as the adapter saw them."""
    if facts is None or values is None:
        return []
    sheet, header_row = table.schema.sheet, table.raw.header_row
    findings = []
    for merged in facts.merged_ranges:
        first, _, last = merged.partition(":")
        last_row = int(re.sub(r"\D", "", last or first))
        if last_row >= header_row:
            findings.append(Finding.of(Rule.YHDISTETYT_SOLUT, sheet, first, None,
                                    f"Solut {merged} on yhdistetty: pura yhdistäminen, jotta jokainen arvo on omassa solussaan."))
    data_end = len(values)
    hidden = [r for r in facts.hidden_rows if header_row < r <= data_end]
    if hidden:
        findings.append(Finding.of(Rule.PIILOTETUT_RIVIT, sheet, f"A{hidden[0]}", None,
                                f"Välilehdellä on piilotettuja rivejä ({_row_ranges(hidden)}); ne tarkistettiin, mutta näytä ne, ettei mikään jää huomaamatta."))
    if facts.last_row and facts.last_row - data_end > EMPTY_ROWS_LIMIT:
        findings.append(Finding.of(Rule.TYHJAT_RIVIT, sheet, f"A{data_end + 1}", None,
                                f"Viimeisen tietorivin {data_end} jälkeen on muotoiltuja tyhjiä rivejä riville {facts.last_row} asti: "
                                "ne kasvattavat tiedostoa ja hidastavat Exceliä. Poista tyhjät rivit."))
    return findings


def _row_ranges(rows: Iterable[int], shown: int = 8) -> str:
    ranges: list[list[int]] = []
    for row in sorted(rows):
        if ranges and row == ranges[-1][1] + 1:
            ranges[-1][1] = row
        else:
            ranges.append([row, row])
    parts = [f"{a}" if a == b else f"{a}–{b}" for a, b in ranges]
    more = f" ja {len(parts) - shown} muuta" if len(parts) > shown else ""
    return "rivit " + ", ".join(parts[:shown]) + more
