"""The command line: one subcommand per job, each in tyollisyys_xl/commands/<name>.py.

Command modules are imported only when their subcommand runs, so `validate` does not pay for
the builder's or the report writer's imports. Everything argparse itself says (usage, headings,
errors such as a bad --format or a missing argument) is in Finnish: see FinnishArgumentParser.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

PROG = "tyollisyys-xl"

# subcommand -> (module, one-line help in Finnish)
COMMANDS = {
    "build": ("tyollisyys_xl.commands.build", "Rakenna päätyökirja lähteistä (ohjelma, skeemat, VBA)"),
    "demo": ("tyollisyys_xl.commands.demo", "Tee päätyökirjasta kopio, jossa on kuvitteellista esimerkkidataa"),
    "validate": ("tyollisyys_xl.commands.validate", "Tarkista syötteet (ei muuta työkirjaa)"),
    "attainment": ("tyollisyys_xl.commands.attainment", "Laske mittareiden toteutuminen"),
    "report": ("tyollisyys_xl.commands.report", "Kirjoita generoidut välilehdet uuteen tiedostoon"),
    "export": ("tyollisyys_xl.commands.export", "Vie taulut Power BI:lle (CSV ja Parquet)"),
    "wheelhouse": ("tyollisyys_xl.commands.wheelhouse", "Lataa asennuspaketit kansioon verkottomia koneita varten"),
    "forms": ("tyollisyys_xl.commands.forms", "Tee jokaiselle kunnalle toteumalomake (ilman makroja)"),
    "collect": ("tyollisyys_xl.commands.collect", "Tuo kuntien lomakkeet uuteen päätyökirjaan"),
    "diff": ("tyollisyys_xl.commands.diff", "Näytä, mitkä syöttötaulujen rivit muuttuivat kahden työkirjan välillä"),
}

# Modules of the optional extra [cli] (pyproject.toml): the Excel buttons and xlwings Lite run without them.
CLI_EXTRA_MODULES = {"python_calamine", "pyarrow"}
# The only command that uses pyarrow (to write Parquet); see console().
PYARROW_COMMANDS = {"export"}

# argparse's own texts (its gettext message ids, Python 3.11–3.13) in Finnish. argparse looks them up
# through its module-level gettext functions at the moment it needs them, so they are swapped for these
# only while our parser formats help or parses (see _finnish); nothing else in the process is affected.
ARGPARSE_TEXTS = {
    "usage: ": "Käyttö: ",
    "positional arguments": "argumentit",
    "options": "valitsimet",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "the following arguments are required: %s": "puuttuu: %s",
    "one of the arguments %s is required": "anna jokin näistä: %s",
    "unrecognized arguments: %s": "tuntemattomia argumentteja: %s",
    "not allowed with argument %s": "ei käy yhdessä valitsimen %s kanssa",
    "ignored explicit argument %r": "valitsin ei ota arvoa (annettu %r)",
    "expected one argument": "anna arvo",
    "expected at most one argument": "anna enintään yksi arvo",
    "expected at least one argument": "anna vähintään yksi arvo",
    "expected %s argument": "anna %s arvo",
    "expected %s arguments": "anna %s arvoa",
    "ambiguous option: %(option)s could match %(matches)s": "valitsin %(option)s on moniselitteinen: %(matches)s",
    "unexpected option string: %s": "odottamaton valitsin: %s",
    "invalid %(type)s value: %(value)r": "arvo %(value)r ei kelpaa (odotettiin: %(type)s)",
    "invalid choice: %(value)r (choose from %(choices)s)": "arvo %(value)r ei kelpaa; sallitut arvot: %(choices)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "tuntematon komento %(parser_name)r (komennot: %(choices)s)",
    "can't open '%(filename)s': %(error)s": "tiedostoa '%(filename)s' ei voi avata: %(error)s",
    "show this help message and exit": "näytä tämä ohje ja lopeta",
}


@contextmanager
def _finnish() -> Iterator[None]:
    english = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._ = lambda text: ARGPARSE_TEXTS.get(text, text)  # type: ignore[attr-defined]
    argparse.ngettext = lambda one, many, n: ARGPARSE_TEXTS.get(one if n == 1 else many, one if n == 1 else many)  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = english  # type: ignore[attr-defined]


class FinnishArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are in Finnish; an error says where to find the help."""

    def __init__(self, *args, **kwargs):
        with _finnish():
            super().__init__(*args, **kwargs)

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        with _finnish():
            return super().parse_args(args, namespace)

    def format_help(self) -> str:
        with _finnish():
            return super().format_help()

    def format_usage(self) -> str:
        with _finnish():
            return super().format_usage()

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: virhe: {message}\nOhje: {self.prog} --help\n")


def whole_number(text: str) -> int:
    """An argparse type: a whole number, with a Finnish message otherwise."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' ei ole kokonaisluku") from None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    for stream in (sys.stdout, sys.stderr):  # a character the console's code page lacks must not stop a run
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = FinnishArgumentParser(prog=PROG, description="Työllisyysohjelma 2026 -työkirjan työkalu")
    sub = parser.add_subparsers(dest="command", metavar="KOMENTO", parser_class=FinnishArgumentParser)
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not argv:
        parser.print_help(sys.stderr)
        return 2
    if argv[0] not in COMMANDS:
        parser.parse_args(argv)  # exits: help, or a Finnish error naming the commands
        return 2
    try:
        module = importlib.import_module(COMMANDS[argv[0]][0])
        command_parser = FinnishArgumentParser(prog=f"{PROG} {argv[0]}", description=COMMANDS[argv[0]][1])
        module.configure(command_parser)
        args = command_parser.parse_args(argv[1:])
        return int(module.run(args) or 0)
    except ModuleNotFoundError as exc:
        if exc.name not in CLI_EXTRA_MODULES:
            raise
        print(f"Komento {argv[0]} tarvitsee lisäpaketin {exc.name}, joka ei ole asennettuna. Asenna komentorivin "
              f"lisäosat: pip install \"tyollisyys-xl[cli]\"", file=sys.stderr)
        return 2


def keep_pandas_off_pyarrow() -> None:
    """Hide pyarrow from pandas in this process, when pandas is not imported yet.

    pandas imports pyarrow whenever it is installed and then keeps every text column in pyarrow arrays,
    which costs a command on the demo workbook about a sixth of its time (the import, and the many small
    frames a run makes) for nothing: only export uses pyarrow, to write Parquet. A None in sys.modules
    makes `import pyarrow` fail, as Python's import system documents, and pandas then uses its own strings.
    """
    if "pandas" not in sys.modules:
        sys.modules.setdefault("pyarrow", None)


def console() -> NoReturn:
    """The program tyollisyys-xl and python -m tyollisyys_xl: main() in a process of its own, where every
    command but export runs without pyarrow (keep_pandas_off_pyarrow), and the exit skips the collector's
    walks over what the run made (a tenth of a report's time on the demo). main() called from other code
    changes neither."""
    argv = sys.argv[1:]
    if not argv or argv[0] not in PYARROW_COMMANDS:
        keep_pandas_off_pyarrow()
    code = main(argv)
    gc.freeze()  # the run is over: the collector's passes at exit over all it made would free nothing it needs to
    sys.exit(code)


if __name__ == "__main__":
    console()
