#!/bin/sh
# Työllisyysohjelma 2026: asentaa päätyökirjan Python-osan Macin käyttäjän omaan kansioon
# ($HOME/Library/tyollisyys) ilman ylläpitäjän oikeuksia ja sallii työkirjan painikkeiden käynnistää sen.
#
# Käyttö Päätteessä:
#   sh asenna-mac.sh                          asentaa PyPI:stä (verkko, välityspalvelin ympäristömuuttujista)
#   sh asenna-mac.sh --wheelhouse KANSIO      asentaa ilman verkkoa kansiosta, jonka komento
#                                             "tyollisyys-xl wheelhouse KANSIO --this-machine" teki
#   sh asenna-mac.sh --proxy http://välityspalvelin:8080
#   sh asenna-mac.sh --package PAKETTI        esim. tyollisyys-xl[cli]==0.1.0 tai pyörätiedoston polku
#   sh asenna-mac.sh --python /polku/python3  käyttää tätä Pythonia (3.11 tai uudempi)
#
# Tarvitsee Python 3.11:n tai uudemman (python.org tai IT:n jakama). Ohje IT:lle: docs/excel.md.
set -eu

PACKAGE="tyollisyys-xl[cli]"
WHEELHOUSE=""
PROXY=""
PYTHON=""
VENV="$HOME/Library/tyollisyys"   # the xlwings.conf sheet's Interpreter_Mac: $HOME/Library/tyollisyys/bin/python

fail() {
    printf 'VIRHE: %s\n' "$1" >&2
    exit 1
}

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
}

while [ $# -gt 0 ]; do
    case "$1" in
        --wheelhouse) [ $# -ge 2 ] || fail "--wheelhouse tarvitsee kansion"; WHEELHOUSE=$2; shift 2 ;;
        --proxy) [ $# -ge 2 ] || fail "--proxy tarvitsee osoitteen"; PROXY=$2; shift 2 ;;
        --package) [ $# -ge 2 ] || fail "--package tarvitsee paketin"; PACKAGE=$2; shift 2 ;;
        --python) [ $# -ge 2 ] || fail "--python tarvitsee polun"; PYTHON=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) fail "tuntematon valitsin $1 (katso: sh asenna-mac.sh --help)" ;;
    esac
done

# A Python 3.11 or newer. macOS's own /usr/bin/python3 is older and, without the developer tools,
# only opens a dialog that offers to install them, so it is never tried.
is_usable_python() {
    [ -n "$1" ] && [ "$1" != "/usr/bin/python3" ] && [ -x "$1" ] &&
        "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

find_python() {
    for name in python3.13 python3.12 python3.11 python3; do
        candidate=$(command -v "$name" 2>/dev/null || true)
        if is_usable_python "$candidate"; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    for candidate in /Library/Frameworks/Python.framework/Versions/3.1[1-9]/bin/python3 \
                     /opt/homebrew/bin/python3 /usr/local/bin/python3; do
        if is_usable_python "$candidate"; then
            printf '%s\n' "$candidate"
            return 0
        fi
    done
    return 1
}

echo "Työllisyysohjelma 2026 – päätyökirjan Python-osan asennus"

if [ -n "$PYTHON" ]; then
    is_usable_python "$PYTHON" || fail "$PYTHON ei ole Python 3.11 tai uudempi."
else
    PYTHON=$(find_python) || fail "Python 3.11 tai uudempi puuttuu. Asenna se python.org-sivulta (macOS-asennusohjelma) \
tai pyydä IT:ltä, ja aja tämä uudelleen."
fi
echo "1/4 Python: $PYTHON ($("$PYTHON" -c 'import platform; print(platform.python_version())'))"

if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    echo "2/4 Virtuaaliympäristö on jo olemassa, päivitetään: $VENV"
else
    rm -rf "$VENV"
    mkdir -p "$(dirname "$VENV")"
    "$PYTHON" -m venv "$VENV" || fail "virtuaaliympäristön luonti epäonnistui: $VENV"
    echo "2/4 Virtuaaliympäristö luotu: $VENV"
fi

if [ -n "$PROXY" ]; then
    export HTTPS_PROXY="$PROXY" HTTP_PROXY="$PROXY"
fi
if [ -n "$WHEELHOUSE" ]; then
    [ -d "$WHEELHOUSE" ] || fail "kansiota $WHEELHOUSE ei ole."
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade --no-index \
        --find-links "$WHEELHOUSE" "$PACKAGE" || fail "asennus kansiosta $WHEELHOUSE epäonnistui (katso pipin viesti yllä)."
    echo "3/4 Paketti asennettu kansiosta $WHEELHOUSE: $PACKAGE"
else
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "$PACKAGE" ||
        fail "asennus verkosta epäonnistui (katso pipin viesti yllä). Välityspalvelimen voi antaa valitsimella --proxy; \
ilman verkkoa käytä valitsinta --wheelhouse."
    echo "3/4 Paketti asennettu verkosta: $PACKAGE"
fi

versions=$("$VENV/bin/python" -c 'import tyollisyys_xl, tyollisyys_xl.excel, xlwings
print("tyollisyys_xl", tyollisyys_xl.__version__, "ja xlwings", xlwings.__version__)') ||
    fail "tarkistus epäonnistui: paketti ei latautunut (katso viesti yllä)."
"$VENV/bin/tyollisyys-xl" --help >/dev/null || fail "tarkistus epäonnistui: komento tyollisyys-xl ei toimi."
echo "4/4 Tarkistus: $versions toimivat."

# Excel on a Mac may only start programs through a script in its own scripts folder: xlwings puts its
# RunPython script there. This is `xlwings runpython install`; its function is called directly because
# xlwings registers that subcommand only on macOS (xlwings/cli.py), and the tests run this script on Linux.
"$VENV/bin/python" -c 'from xlwings.cli import runpython_install; runpython_install(None)' ||
    fail "xlwings runpython install epäonnistui."
echo "Excelin apuskripti asennettu: $HOME/Library/Application Scripts/com.microsoft.Excel"

echo "Valmis. Työkirja löytää tämän Pythonin itse (xlwings.conf: Interpreter_Mac = \$HOME/Library/tyollisyys/bin/python)."
echo "Avaa päätyökirja, salli makrot ja paina Ohjaus-välilehden Testaa asennus -painiketta."
