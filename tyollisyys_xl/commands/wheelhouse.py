"""tyollisyys-xl wheelhouse DIR [--platform P] [--python-version V] [--this-machine]: a folder of wheels for
machines without internet (or behind a proxy pip cannot pass).

On a machine with internet, it puts this package's wheel and the wheels of everything it needs (with the
command-line extra [cli]) into DIR, for the target the install scripts set up: 64-bit Windows and the
Python version asenna.ps1 installs. The offline machine then runs `excel\\asenna.cmd -Wheelhouse DIR`
(or `excel/asenna-mac.sh --wheelhouse DIR` with a folder made by `--this-machine` on a Mac), which
installs with `pip install --no-index --find-links DIR`. The same as two pip commands:

    pip wheel --no-deps -w DIR .                      (in a checkout; else: pip download --no-deps tyollisyys-xl==VERSION)
    pip download -d DIR --find-links DIR --only-binary=:all: --platform win_amd64 --python-version 3.12 \
        --implementation cp pywin32 tzdata "tyollisyys-xl[cli]==VERSION"
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import tyollisyys_xl

# What excel/asenna.ps1 installs when a machine has no Python of its own (keep the two in step).
WINDOWS_PLATFORM, WINDOWS_PYTHON = "win_amd64", "3.12"

# pip download judges environment markers by the machine it runs on, not by --platform, so the
# dependencies that only the target's system needs are named here (xlwings' and pandas' markers).
PLATFORM_DEPENDENCIES = {
    "win": ("pywin32>=224", "tzdata"),
    "macosx": ("psutil>=2.0.0", "appscript>=1.0.1"),
}


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", type=Path, metavar="KANSIO", help="kansio, johon pyörätiedostot (.whl) ladataan")
    parser.add_argument("--platform", default=WINDOWS_PLATFORM, metavar="ALUSTA",
                        help=f"kohdekoneen alusta pipin merkinnällä (oletus {WINDOWS_PLATFORM}, 64-bittinen Windows)")
    parser.add_argument("--python-version", default=WINDOWS_PYTHON, metavar="VERSIO",
                        help=f"kohdekoneen Python-versio (oletus {WINDOWS_PYTHON}, jonka asennusohjelma asentaa)")
    parser.add_argument("--this-machine", action="store_true",
                        help="lataa tämän koneen alustalle ja Python-versiolle (esim. Macille Macilla)")


def _checkout_root() -> Path | None:
    """The repository this package runs from, if any (its own wheel is then built from the source)."""
    root = Path(tyollisyys_xl.__file__).resolve().parent.parent
    return root if (root / "pyproject.toml").is_file() else None


def _pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args], check=True)


def target_options(args: argparse.Namespace) -> list[str]:
    """pip's options for the target machine, and the requirements only its system needs."""
    if args.this_machine:
        return []
    system = next((deps for prefix, deps in PLATFORM_DEPENDENCIES.items() if args.platform.startswith(prefix)), ())
    return ["--platform", args.platform, "--python-version", args.python_version, "--implementation", "cp", *system]


def run(args: argparse.Namespace) -> int:
    folder: Path = args.folder
    folder.mkdir(parents=True, exist_ok=True)
    version = tyollisyys_xl.__version__
    root = _checkout_root()
    try:
        if root:
            _pip("wheel", "--no-deps", "--quiet", "--wheel-dir", str(folder), str(root))
        else:
            _pip("download", "--no-deps", "--quiet", "--dest", str(folder), f"tyollisyys-xl=={version}")
        _pip("download", "--quiet", "--dest", str(folder), "--find-links", str(folder), "--only-binary=:all:",
             *target_options(args), f"tyollisyys-xl[cli]=={version}")
    except subprocess.CalledProcessError as exc:
        print(f"Pyörätiedostojen lataus epäonnistui (pip, poistumiskoodi {exc.returncode}); katso pipin viesti "
              f"yllä. Välityspalvelimen voi antaa ympäristömuuttujalla HTTPS_PROXY.", file=sys.stderr)
        return 1
    wheels = sorted(folder.glob("*.whl"))
    size = sum(w.stat().st_size for w in wheels) / 1e6
    target = "tämä kone" if args.this_machine else f"{args.platform}, Python {args.python_version}"
    print(f"Kansiossa {folder} on {len(wheels)} pyörätiedostoa ({size:.0f} Mt) kohteelle {target}.")
    print(f"Asenna verkottomalle koneelle: excel\\asenna.cmd -Wheelhouse \"{folder}\" "
          f"(Macissa: excel/asenna-mac.sh --wheelhouse \"{folder}\").")
    return 0
