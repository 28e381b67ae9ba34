"""What argparse says is Finnish in every command: usage, headings, help, and every kind of argument error."""

from __future__ import annotations

import argparse
import re

import pytest

from tyollisyys_xl.cli import ARGPARSE_TEXTS, COMMANDS, main

ENGLISH = re.compile(r"\b(usage|options|positional arguments|error|invalid choice|required|unrecognized|expected|"
                     r"show this help|argument)\b")


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    out, err = capsys.readouterr()
    return exited.value.code, out, err


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_finnish(capsys, command):
    code, out, _ = run(capsys, *([command] if command else []), "--help")
    assert code == 0 and out.startswith("Käyttö: tyollisyys-xl")
    assert "valitsimet:" in out and "näytä tämä ohje ja lopeta" in out
    assert not ENGLISH.search(out), ENGLISH.search(out)


@pytest.mark.parametrize("args, words", [
    (["validate", "x.xlsm", "--format", "xml"], "--format: arvo 'xml' ei kelpaa; sallitut arvot: 'text', 'json'"),
    (["attainment", "x.xlsm", "--level", "kaikki"], "--level: arvo 'kaikki' ei kelpaa"),
    (["export", "x.xlsm", "--format", "xlsx", "--out", "bi"], "--format: arvo 'xlsx' ei kelpaa"),
    (["validate"], "puuttuu: TYÖKIRJA"),
    (["report", "x.xlsm"], "puuttuu: --out"),
    (["export", "x.xlsm", "--out"], "--out: anna arvo"),
    (["validate", "x.xlsm", "ylimääräinen"], "tuntemattomia argumentteja: ylimääräinen"),
    (["build", "--check", "--from", "a.xlsm"], "--from: ei käy yhdessä valitsimen --check kanssa"),
    (["demo", "x.xlsm", "--scale", "paljon"], "--scale: 'paljon' ei ole kokonaisluku"),
    (["tarkista"], "arvo 'tarkista' ei kelpaa; sallitut arvot: 'build'"),
])
def test_argument_errors_are_finnish_exit_2_and_point_to_the_help(capsys, args, words):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert words in err, err
    assert err.startswith("Käyttö: ") and "virhe: " in err and "Ohje: tyollisyys-xl" in err
    assert not ENGLISH.search(err.replace("--format", "").replace("--out", "")), err


def test_no_command_shows_the_commands(capsys):
    assert main([]) == 2
    assert "KOMENTO" in capsys.readouterr().err


def test_argparse_is_english_again_outside_our_parsers(capsys):
    """The Finnish texts are swapped in only while our parser works: other argparse users are untouched."""
    run(capsys, "validate", "--format", "xml")
    parser = argparse.ArgumentParser(prog="muu")
    assert parser.format_usage().startswith("usage: muu")
    assert set(ARGPARSE_TEXTS) >= {"usage: ", "options", "invalid choice: %(value)r (choose from %(choices)s)"}
