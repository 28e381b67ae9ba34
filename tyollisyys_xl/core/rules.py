"""The one registry of finding codes: every rule a finding can name, with its severity and Finnish words.

Each member of Rule is one row: the code (the member's name, stable: CI annotations, JUnit types and
the Tarkistus sheet show it), its severity, a short Finnish title and a one-line Finnish explanation.
Its documentation is the row with the same anchor in docs/validation.md (`Rule.X.doc`).

A Finding checks its rule against this registry when it is made, so an unregistered code cannot be
emitted at all: it raises UnregisteredRule in the first test that reaches it. To add a rule, add one
line below and one row to the rules table of docs/validation.md (tests/test_rules.py checks both).

Prior art: pandera's SchemaErrorReason enum (one enum of reason codes) and frictionless' error classes
(each with a title and a description).
"""

from __future__ import annotations

from enum import Enum, unique
from typing import Literal

Severity = Literal["virhe", "varoitus"]
ERROR: Severity = "virhe"  # the row is left out of the clean tables; `validate` exits with 1
WARNING: Severity = "varoitus"  # the row is kept
ERROR_OR_WARNING = (ERROR, WARNING)  # a rule whose cases differ in weight; the emitter says which (error by default)

DOC = "docs/validation.md"


class UnregisteredRule(ValueError):
    """A finding named a code that is not in Rule (a programming error, never a user's)."""


@unique
class Rule(Enum):
    """Every finding code: CODE = severity, Finnish title, one-line Finnish explanation."""

    # --- the file and the shape of its sheets
    TIEDOSTO = ERROR, "Tiedostoa ei voi lukea", "Tiedostoa ei ole, se ei ole Excel-työkirja tai se on salasanasuojattu, katkennut tai vioittunut; mitään ei tarkistettu."
    VALILEHTI_PUUTTUU = ERROR, "Syötevälilehti puuttuu", "Työkirjasta puuttuu syötetaulukon välilehti, joten sen tietoja ei voi käyttää."
    OTSIKKORIVI = ERROR, "Otsikkoriviä ei löydy", "Välilehden 30 ensimmäisellä rivillä ei ole yhtään taulukon sarakeotsikkoa."
    SARAKE_PUUTTUU = ERROR_OR_WARNING, "Sarake puuttuu", "Ilman pakollista saraketta taulukon rivejä ei käytetä (virhe); puuttuvan valinnaisen sarakkeen tiedot jäävät tyhjiksi (varoitus)."
    SARAKE_NIMETTY = ERROR, "Sarakkeen otsikkoa on muutettu", "Sarake luetaan paikkansa perusteella, mutta alkuperäinen otsikko pitää palauttaa."
    SARAKE_YLIMAARAINEN = WARNING, "Ylimääräinen sarake", "Taulukossa on sarake, jota työkalu ei lue."
    YHDISTETYT_SOLUT = ERROR, "Yhdistettyjä soluja", "Taulukon alueella on yhdistettyjä soluja; jokaisen arvon pitää olla omassa solussaan."
    PIILOTETUT_RIVIT = WARNING, "Piilotettuja rivejä", "Taulukossa on piilotettuja rivejä; ne tarkistetaan, mutta ne kannattaa näyttää."
    TYHJAT_RIVIT = WARNING, "Paljon muotoiltuja tyhjiä rivejä", "Tietojen jälkeen on yli 1 000 muotoiltua tyhjää riviä, jotka kasvattavat tiedostoa ja hidastavat Exceliä."

    # --- one cell
    EXCEL_VIRHE = ERROR, "Excelin virhearvo", "Solussa on Excelin virhearvo, esimerkiksi #JAKO/0! tai #PUUTTUU."
    HETU = ERROR, "Henkilötunnus", "Solussa on henkilötunnus, eikä niitä saa tallentaa työkirjaan; viesti ei toista tunnusta."
    OHJAUSMERKKI = ERROR, "Ohjausmerkki solussa", "Solussa on näkymätön ohjausmerkki (esimerkiksi NUL), jota Excel-tiedostoon ei voi tallentaa; viesti nimeää merkin koodin."
    SOLU_LIIAN_PITKA = ERROR, "Liian pitkä solu", "Solussa on enemmän kuin Excelin sallimat 32 767 merkkiä."
    KAAVAMAINEN_TEKSTI = WARNING, "Kaavalta näyttävä teksti", "Teksti alkaa merkillä =, +, - tai @, joten taulukko-ohjelma voi lukea sen kaavaksi."
    PAKOLLINEN = ERROR, "Pakollinen tieto puuttuu", "Pakollinen tieto, toteuman arvo tai tukilajin vaatima Y-tunnus puuttuu."
    TYYPPI = ERROR, "Arvoa ei voi lukea", "Arvo ei ole sarakkeen tyyppiä (luku, euromäärä, päivämäärä, kuukausi, Kyllä/Ei) tai se on epäselvä."
    KUUKAUSI = ERROR, "Kuukausi sallitun välin ulkopuolella", "Kuukausi ei ole sarakkeen kuukausista: Toteumissa vuodelta 2026, Vertailuvuodessa väliltä 12/2024–12/2025."
    PAIVAMAARA_ALUE = ERROR, "Päivämäärä sallitun välin ulkopuolella", "Päivämäärä on sarakkeelle sallitun välin ulkopuolella, joten vuosi on luultavasti kirjoitettu väärin."
    SALLITUT = ERROR, "Arvo ei ole sallittu", "Arvo ei ole sarakkeen sallittujen arvojen joukossa."
    ARVOALUE = ERROR, "Arvo rajojen ulkopuolella", "Luku on sarakkeen ala- tai ylärajan ulkopuolella, esimerkiksi negatiivinen euromäärä."
    EPAUSKOTTAVA = ERROR, "Epäuskottavan suuri luku", "Luku on suurempi kuin mikään todellinen arvo tässä yksikössä, joten se on kirjoitusvirhe tai rikkinäinen solu."
    DESIMAALIT = ERROR, "Liikaa desimaaleja", "Luvussa on enemmän desimaaleja kuin sarake sallii (euromäärissä kaksi)."
    MUOTO = ERROR, "Väärä muoto", "Teksti ei vastaa sarakkeen muotoa tai on liian pitkä."
    SKEEMA = ERROR, "Skeeman ehto ei täyty", "Arvo ei täytä sarakkeen skeeman muuta ehtoa."
    YTUNNUS = ERROR, "Virheellinen Y-tunnus", "Y-tunnus on väärää muotoa tai sen tarkistusmerkki ei täsmää."

    # --- references and keys between rows and tables
    TUNTEMATON_MITTARI = ERROR, "Tuntematon mittari", "Mittaria ei ole Mittarit-välilehdellä."
    TUNTEMATON_KUNTA = ERROR, "Tuntematon kunta", "Kuntaa ei ole Kunnat-välilehdellä (toteumissa käy myös ”Koko alue”)."
    TUNTEMATON_TUKILAJI = ERROR, "Tuntematon tukilaji", "Tukilajia ei ole Tukilajit-välilehdellä."
    TUNTEMATON_KUSTANNUSKOHDE = ERROR, "Tuntematon kustannuskohde", "Kustannuskohdetta ei ole Kustannuskohteet-välilehdellä."
    TUNTEMATON_ARVO = ERROR, "Tuntematon arvo", "Arvoa ei ole taulukossa, josta sarakkeen pudotusvalikko sen ottaa."
    MAKSU_TUNTEMATON_SIDONTA = ERROR, "Maksu tuntemattomaan sidontaan", "Maksun sidonnan tunnusta ei ole Sidonnat-välilehdellä."
    KAKSOISKIRJAUS = ERROR, "Kaksoiskirjaus", "Samat avaintiedot ovat jo aiemmalla rivillä, jonka viesti nimeää."

    # --- entries (Toteumat)
    YKSIKKO = ERROR_OR_WARNING, "Arvo ei sovi yksikköön", "Arvo ei sovi mittarin yksikköön; alle yhden oleva prosenttiarvo on varoitus."
    OSOITTAJA_SUURI = ERROR, "Osoittaja suurempi kuin nimittäjä", "Osuusmittarin osoittaja on suurempi kuin sen nimittäjä."
    SUMMA_EI_TASMAA = ERROR, "Kuntien summa ei täsmää", "Kuntien toteumat eivät täsmää saman kuukauden koko alueen toteumaan."
    KUNTAJAKO = WARNING, "Koko alueen mittari kunnalle", "Koko alueelle kirjattava mittari on kirjattu kunnalle."

    # --- accountability (core.explanations)
    SELITYS_PUUTTUU = WARNING, "Selitys puuttuu", "Valtuuston mittari on tilassa Riskissä tai Ei toteudu, eikä sille ole koko alueen selitystä tältä tai edelliseltä kuukaudelta."

    # --- what the entries mean for the programme (core.programme_checks)
    OHJELMA_MUUTETTU = ERROR, "Hyväksytyn ohjelman arvo muutettu", "Mittarit-välilehden hyväksytty arvo (lähtöarvo, tavoite, laji, taso, ajankohta, arviointi …) eroaa ohjelmatiedostosta; viesti kertoo molemmat arvot."
    OHJELMA_MITTARIT = ERROR, "Mittari lisätty tai poistettu", "Mittari puuttuu hyväksytystä ohjelmasta tai Mittarit-välilehdeltä."
    VERTAILU_KERTYMA = ERROR, "Kumulatiivinen mittari vertailuvuodessa", "Vertailuvuoteen kirjataan vain tilannemittareita; vuoden alusta kertyvällä mittarilla ei ole vertailukuukausia."
    SIDONNAT_ERI_LUKU = WARNING, "Kirjattu luku eroaa Sidonnoista", "Sidonnoista laskettavan mittarin kirjattu luku eroaa Sidonnat-taulukon jaksoista; viesti kertoo molemmat luvut."
    JUOKSEVA_SUMMA = WARNING, "Luvut näyttävät vuoden kertymältä", "Kumulatiivisen mittarin kuukausiluvut kasvavat kuin juokseva summa; kirjataan kuukauden luku, ei vuoden kertymää."
    KIRJAUS_PUUTTUU = WARNING, "Kunnan kirjaus puuttuu", "Kunta ei ole kirjannut kuukaudelle mittaria, jonka muut kunnat ovat kirjanneet."

    # --- money: the budget engine's alerts (core.budget), also on the Budjettihälytykset tab
    JAKSO_PAATTYY_ENNEN = ERROR, "Tukijakso päättyy ennen alkuaan", "Sidonnan tukijakso päättyy ennen kuin se alkaa, joten sille ei lasketa osuutta."
    SIDONNAT_YLI_BUDJETIN = WARNING, "Sidonnat ylittävät budjetin", "Kunnan ja tukilajin sidontojen vuoden 2026 osuus ylittää budjetin."
    EI_BUDJETTIA = WARNING, "Sidontoja ilman budjettia", "Kunnalla on tukilajin sidontoja, mutta ei budjettia."
    ENIMMAISTUKI = WARNING, "Sidonta ylittää tuen enimmäismäärän", "Sidottu summa ylittää tukilajin enimmäismäärän."
    YLI_KK_ENIMMAISMAARAN = WARNING, "Sidonta ylittää kuukausittaisen enimmäismäärän", "Sidottu summa ylittää tukilajin kuukausittaisen enimmäismäärän jakson kuukausilla kerrottuna."
    ENIMMAISKESTO = WARNING, "Tukijakso ylittää enimmäiskeston", "Tukijakso on pidempi kuin tukilajin enimmäiskesto."
    MAKSU_YLITTAA = ERROR, "Maksut ylittävät sidonnan", "Maksu ei mahdu siihen, mitä sidonnasta on jäljellä aiempien maksujen jälkeen."
    MAKSU_JAKSON_ULKOPUOLELLA = ERROR, "Maksu tukijakson ulkopuolella", "Maksupäivä on ennen tukijakson alkua tai yli puoli vuotta sen päättymisen jälkeen."
    MAKSU_ILMAN_SIDONTAA = WARNING, "Maksulle ei löydy sidontaa", "Maksun sidontaa ei ole käytettävissä, joten maksua ei lasketa budjettiseurantaan."

    def __init__(self, severity: Severity | tuple[Severity, ...], title: str, explanation: str):
        self.severities: tuple[Severity, ...] = severity if isinstance(severity, tuple) else (severity,)
        self.severity: Severity = self.severities[0]  # the default
        self.title = title
        self.explanation = explanation

    @property
    def code(self) -> str:
        return self.name

    @property
    def anchor(self) -> str:
        """The id of the rule's row in docs/validation.md."""
        return self.name.lower()

    @property
    def doc(self) -> str:
        return f"{DOC}#{self.anchor}"


def rule(code: str | Rule) -> Rule:
    """The registered rule of a code; UnregisteredRule when there is none."""
    if isinstance(code, Rule):
        return code
    try:
        return Rule[code]
    except KeyError:
        raise UnregisteredRule(
            f"finding code {code!r} is not registered: add it to tyollisyys_xl/core/rules.py and to {DOC}"
        ) from None
