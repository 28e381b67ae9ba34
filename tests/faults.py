"""The demo workbook with one fault per rule injected into a copy, each in its own cell.

inject_faults returns what validation must report: {(severity, rule, "Sheet!Cell")}, and notes on
rows worth checking again (a row with an error, a row with only a warning, text read as numbers).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl

from tyollisyys_xl.core.findings import ERROR, WARNING

HETU_OLD = "131052-308T"  # DVV's example (tests/test_parsing.py HETU_KNOWN)
HETU_2023 = "010594Y9032"  # 010594903 = 31 × 341771 + 2 -> "2" (HETU_KNOWN)
LONG_TEXT_MARK = "PITKÄ-TEKSTI-TÄHÄN"  # replaced by 42 000 characters in the saved file


class Sheet:
    """An openpyxl sheet addressed by its Finnish headers (row 1)."""

    def __init__(self, ws):
        self.ws = ws
        self.letters = {c.value: c.column_letter for c in ws[1] if c.value}

    def rows(self, **where) -> list[int]:
        headers = {k.replace("_", " "): v for k, v in where.items()}
        found = []
        for r in range(2, self.ws.max_row + 1):
            if all(self.ws[f"{self.letters[h]}{r}"].value == v for h, v in headers.items()):
                found.append(r)
        return found

    def get(self, header: str, row: int):
        return self.ws[f"{self.letters[header]}{row}"].value

    def set(self, header: str, row: int, value, number_format: str | None = None) -> str:
        cell = self.ws[f"{self.letters[header]}{row}"]
        cell.value = value
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"  # text that looks like a formula, as a user's text cell holds it, not a formula
        if number_format:
            cell.number_format = number_format
        return f"{self.letters[header]}{row}"

    def append(self, values: dict) -> int:
        row = self.ws.max_row + 1
        for header, value in values.items():
            self.set(header, row, value)
        return row

    def record(self, row: int) -> dict:
        return {h: self.get(h, row) for h in self.letters}


def inject_faults(demo_path: Path, path: Path) -> tuple[set[tuple[str, str, str]], dict]:
    """Write the demo with its faults to path; return (expected findings, notes)."""
    book = openpyxl.load_workbook(demo_path, keep_vba=True)
    expected: set[tuple[str, str, str]] = set()
    notes: dict[str, int] = {}

    def expect(severity, rule, sheet, cell):
        expected.add((severity, rule, f"{sheet}!{cell}"))

    entries = Sheet(book["Toteumat"])
    m01 = entries.rows(Mittari="M01")
    expect(ERROR, "TYYPPI", "Toteumat", entries.set("Arvo", m01[0], "abc"))
    expect(ERROR, "KUUKAUSI", "Toteumat", entries.set("Kuukausi", m01[1], "3/2025"))
    expect(ERROR, "TUNTEMATON_MITTARI", "Toteumat", entries.set("Mittari", m01[2], "M99"))
    expect(ERROR, "PAKOLLINEN", "Toteumat", entries.set("Kunta", m01[3], None))
    expect(ERROR, "TUNTEMATON_KUNTA", "Toteumat", entries.set("Kunta", m01[4], "Helsinki"))
    expect(ERROR, "YKSIKKO", "Toteumat", entries.set("Arvo", m01[5], 12.5))
    expect(WARNING, "KUNTAJAKO", "Toteumat", entries.set("Kunta", m01[6], "Jämsä"))
    notes["warning_row"] = m01[6]
    expect(ERROR, "EXCEL_VIRHE", "Toteumat", entries.set("Arvo", m01[7], "#DIV/0!"))
    expect(ERROR, "HETU", "Toteumat", entries.set("Kommentti", m01[8], f"Soitettu asiakkaalle {HETU_OLD}"))
    notes["error_row"] = m01[0]
    m22 = entries.rows(Mittari="M22")
    expect(ERROR, "OSOITTAJA_SUURI", "Toteumat", entries.set("Osoittaja", m22[0], entries.get("Nimittäjä", m22[0]) + 50))
    expect(ERROR, "YKSIKKO", "Toteumat", entries.set("Arvo", m22[1], 120))
    expect(WARNING, "YKSIKKO", "Toteumat", entries.set("Arvo", m22[2], 0.7))
    expect(ERROR, "YKSIKKO", "Toteumat", entries.set("Arvo", entries.rows(Mittari="M26")[0], 6))
    expect(ERROR, "YKSIKKO", "Toteumat", entries.set("Arvo", entries.rows(Mittari="M09")[0], 3))
    joutsa = entries.rows(Mittari="M06", Kunta="Joutsa")
    duplicate = entries.append(entries.record(joutsa[0]))
    expect(ERROR, "KAKSOISKIRJAUS", "Toteumat", f"A{duplicate}")
    january = [r for r in entries.rows(Mittari="M06") if entries.get("Kuukausi", r) == dt.datetime(2026, 1, 1) and r != duplicate]
    area_total = sum(entries.get("Arvo", r) for r in january) + 100
    area = entries.append({"Mittari": "M06", "Kuukausi": "1/2026", "Kunta": "Koko alue", "Arvo": area_total})
    expect(ERROR, "SUMMA_EI_TASMAA", "Toteumat", f"D{area}")
    m02, m03 = entries.rows(Mittari="M02"), entries.rows(Mittari="M03")
    expect(ERROR, "EPAUSKOTTAVA", "Toteumat", entries.set("Arvo", m02[0], 1e308))  # a count: two would add up to infinity
    expect(ERROR, "TYYPPI", "Toteumat", entries.set("Arvo", m02[1], "1" * 400))  # text that would read as infinity
    expect(ERROR, "EPAUSKOTTAVA", "Toteumat", entries.set("Arvo", entries.rows(Mittari="M12")[0], 601))  # kk: over 50 years
    expect(WARNING, "KAAVAMAINEN_TEKSTI", "Toteumat", entries.set("Lähde", m03[0], '=HYPERLINK("http://esimerkki.fi";"klik")'))
    expect(WARNING, "KAAVAMAINEN_TEKSTI", "Toteumat", entries.set("Kommentti", m03[1], "\t@SUMMA(1;2)"))
    entries.set("Kommentti", m03[2], "-5")  # a negative number typed as text is no formula
    entries.set("Lähde", m03[2], "-")  # nor is the sign alone
    expect(ERROR, "SOLU_LIIAN_PITKA", "Toteumat", entries.set("Kommentti", m03[3], LONG_TEXT_MARK))
    expect(ERROR, "HETU", "Toteumat", entries.set("Lähde", m03[4], f"Joutsa{HETU_OLD}"))  # glued to a word
    notes["kept_rows"] = [m03[0], m03[1], m03[2]]
    # Finnish text and an unformatted Excel serial are read, not reported.
    entries.set("Arvo", joutsa[1], "1\u00a0363")
    entries.set("Kuukausi", joutsa[1], "helmikuu 2026")
    entries.set("Kuukausi", joutsa[2], 46082, number_format="General")
    notes["finnish_row"], notes["serial_row"] = joutsa[1], joutsa[2]

    book["Ohjaus"]["F3"] = f"Yhteyshenkilö {HETU_OLD}"
    expect(ERROR, "HETU", "Ohjaus", "F3")
    notes_sheet = book.create_sheet("Muistiinpanot")
    notes_sheet["B2"] = f"asiakas {HETU_2023} soitti"
    expect(ERROR, "HETU", "Muistiinpanot", "B2")
    notes_sheet["B3"] = "asiakas 010101A024Fx soitti"  # glued to a letter after it
    expect(ERROR, "HETU", "Muistiinpanot", "B3")
    notes_sheet["B4"] = LONG_TEXT_MARK
    expect(ERROR, "SOLU_LIIAN_PITKA", "Muistiinpanot", "B4")
    notes_sheet["B5"] = "=ei syöte"  # formula-like text matters only in input tables

    commitments = Sheet(book["Sidonnat"])
    budget = Sheet(book["Tukibudjetti"])
    by_decision = sorted(commitments.rows(Kunta="Joutsa", Tukilaji="Palkkatuki"), key=lambda r: (commitments.get("Päätöspäivä", r), r))
    commitments.set("Sidottu €", by_decision[0], 10_000_000)
    (joutsa_budget,) = budget.rows(Kunta="Joutsa", Tukilaji="Palkkatuki")
    expect(WARNING, "SIDONNAT_YLI_BUDJETIN", "Tukibudjetti", f"{budget.letters['Budjetti €']}{joutsa_budget}")  # at the budget exceeded
    jamsa = commitments.rows(Kunta="Jämsä", Tukilaji="Palkkatuki")
    start = commitments.get("Jakso alkaa", jamsa[0])
    expect(ERROR, "JAKSO_PAATTYY_ENNEN", "Sidonnat", commitments.set("Jakso päättyy", jamsa[0], start - dt.timedelta(days=1)))
    expect(ERROR, "YTUNNUS", "Sidonnat", commitments.set("Työnantajan Y-tunnus", jamsa[1], "0737546-3"))
    expect(ERROR, "PAKOLLINEN", "Sidonnat", commitments.set("Työnantajan Y-tunnus", jamsa[2], None))
    expect(ERROR, "TUNTEMATON_TUKILAJI", "Sidonnat", commitments.set("Tukilaji", jamsa[3], "Palkkatukix"))
    expect(ERROR, "DESIMAALIT", "Sidonnat", commitments.set("Sidottu €", jamsa[4], 100.505))
    expect(ERROR, "ARVOALUE", "Sidonnat", commitments.set("Sidottu €", jamsa[5], -5))
    youth = commitments.rows(Kunta="Jämsä", Tukilaji="Nuoret töihin -rekrytointituki")
    expect(WARNING, "ENIMMAISTUKI", "Sidonnat", commitments.set("Sidottu €", youth[0], 9500))
    expect(ERROR, "PAIVAMAARA_ALUE", "Sidonnat", commitments.set("Päätöspäivä", jamsa[6], dt.datetime(2031, 1, 1)))
    broken_ids = {commitments.get("Sidonnan tunnus", r) for r in [by_decision[0], *jamsa[:7], youth[0]]}

    payments = Sheet(book["Maksatukset"])
    usable = [r for r in payments.rows() if payments.get("Sidonnan tunnus", r) not in broken_ids]
    expect(ERROR, "MAKSU_TUNTEMATON_SIDONTA", "Maksatukset", payments.set("Sidonnan tunnus", usable[0], "SID-9999"))
    last_of = {payments.get("Sidonnan tunnus", r): r for r in usable[1:]}
    over, early, serial = list(last_of.values())[:3]
    expect(ERROR, "MAKSU_YLITTAA", "Maksatukset", payments.set("Maksettu €", over, 1_000_000))
    starts = {commitments.get("Sidonnan tunnus", r): commitments.get("Jakso alkaa", r) for r in commitments.rows()}
    early_date = starts[payments.get("Sidonnan tunnus", early)] - dt.timedelta(days=1)
    expect(ERROR, "MAKSU_JAKSON_ULKOPUOLELLA", "Maksatukset", payments.set("Maksupäivä", early, early_date))
    payments.set("Maksupäivä", serial, 46101, number_format="General")
    leap_bug = list(last_of.values())[3]
    expect(ERROR, "TYYPPI", "Maksatukset", payments.set("Maksupäivä", leap_bug, 60, number_format="General"))  # 29.2.1900
    notes["serial_payment"] = serial
    notes["money_error_payments"] = [over, early]

    expect(ERROR, "KAKSOISKIRJAUS", "Tukibudjetti", f"A{budget.append(budget.record(2))}")
    expect(ERROR, "TUNTEMATON_KUNTA", "Tukibudjetti", budget.set("Kunta", 4, "Jyväskylä"))

    municipalities = Sheet(book["Kunnat"])
    expect(ERROR, "MUOTO", "Kunnat", municipalities.set("Kuntanumero", 2, "17"))
    expect(ERROR, "SALLITUT", "Kunnat", municipalities.set("Valmennuksen tuottaja", 3, "Joku muu"))

    costs = Sheet(book["Palvelukustannukset"])
    expect(ERROR, "TUNTEMATON_KUSTANNUSKOHDE", "Palvelukustannukset", costs.set("Kustannuskohde", 2, "Siivous"))
    expect(ERROR, "ARVOALUE", "Palvelukustannukset", costs.set("Kustannus €", 3, -1))
    expect(ERROR, "TYYPPI", "Palvelukustannukset", costs.set("Kuukausi", 4, "13/2026"))

    indicators = Sheet(book["Mittarit"])
    expect(ERROR, "SALLITUT", "Mittarit", indicators.set("Taso", indicators.rows(Tunnus="M37")[0], "XX"))
    expect(ERROR, "TYYPPI", "Mittarit", indicators.set("Kuntakohtainen", indicators.rows(Tunnus="M36")[0], "Ehkä"))

    book.save(path)
    _lengthen_marked_texts(path)
    return expected, notes


def _lengthen_marked_texts(path: Path) -> None:
    """Put texts longer than Excel's 32 767 characters into the saved file (openpyxl cuts them at the limit):
    LONG_TEXT_MARK is replaced in the sheets of the archive."""
    with zipfile.ZipFile(path) as archive:
        parts = {info: archive.read(info.filename) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            if info.filename.startswith("xl/worksheets/") or info.filename == "xl/sharedStrings.xml":
                data = data.replace(LONG_TEXT_MARK.encode(), ("pitkä " * 7000).encode())
            archive.writestr(info, data)


