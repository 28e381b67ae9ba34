"""The command line: one subcommand per job, each in tyollisyys_xl/commands/<name>.py.

Command modules are imported only when their subcommand runs, so `validate` does not pay for
the builder's or the report writer's imports.
"""

from __future__ import annotations

import argparse
import importlib
import sys

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


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="tyollisyys-xl", description="Työllisyysohjelma 2026 -työkirjan työkalu")
    sub = parser.add_subparsers(dest="command", metavar="KOMENTO")
    for name, (_, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    if not argv or argv[0] not in COMMANDS:
        parser.parse_args(argv or ["--help"])
        return 2
    try:
        module = importlib.import_module(COMMANDS[argv[0]][0])
        command_parser = argparse.ArgumentParser(prog=f"tyollisyys-xl {argv[0]}", description=COMMANDS[argv[0]][1])
        module.configure(command_parser)
        args = command_parser.parse_args(argv[1:])
        return int(module.run(args) or 0)
    except ModuleNotFoundError as exc:
        if exc.name not in CLI_EXTRA_MODULES:
            raise
        print(f"Komento {argv[0]} tarvitsee lisäpaketin {exc.name}, joka ei ole asennettuna. Asenna komentorivin "
              f"lisäosat: pip install \"tyollisyys-xl[cli]\"", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
