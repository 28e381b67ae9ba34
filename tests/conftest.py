"""Shared fixtures: real workbooks made by the project's own builder, once per test session.

- master_path: a freshly built master .xlsm (reference tables filled, entry tables empty); a copy of
  $TYOLLISYYS_XL_PREBUILT_MASTER when set (the mutation runner builds it once for all its sessions).
- empty_master_path: the same kind of build in a directory of its own, for tests that want a
  master nobody else's fixture shares (e.g. to copy and modify it).
- demo_path: the demo workbook at scale 1, seed 1 (fictional entries in every input table).
- master_sheets: the master's sheet values as the reader gives them ({sheet: rows}); copy before changing.
- faulty_workbook: the demo with one fault per rule injected (tests/faults.py): (path, expected, notes).

Treat these files as read-only: copy one into tmp_path before changing it.
"""

from __future__ import annotations

import os

# xlwings registers its remote engine (xw.Book(json=...)) at import time, and only with a licence key:
# the PolyForm Noncommercial licence covers the municipalities. Set before anything imports xlwings.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

from tyollisyys_xl.master.builder import build_master  # noqa: E402
from tyollisyys_xl.master.demo import make_demo  # noqa: E402

PREBUILT_MASTER = "TYOLLISYYS_XL_PREBUILT_MASTER"  # a master built from the same sources, for master_path

# scripts/mutation.py runs the property tests once per mutant: the same examples every time (a mutant is
# killed or not, whatever the run), fewer of them, and no example database shared between mutants.
settings.register_profile("mutation", max_examples=40, derandomize=True, database=None, deadline=None)
if os.environ.get("TYOLLISYYS_XL_MUTATION"):
    settings.load_profile("mutation")


@pytest.fixture(scope="session")
def master_path(tmp_path_factory) -> Path:
    target = tmp_path_factory.mktemp("master") / "Tyollisyysohjelma2026.xlsm"
    prebuilt = os.environ.get(PREBUILT_MASTER)
    if prebuilt:  # a mutation run starts thousands of sessions (scripts/mutation.py): one build serves them all
        return Path(shutil.copyfile(prebuilt, target))
    return build_master(target)


@pytest.fixture(scope="session")
def empty_master_path(tmp_path_factory) -> Path:
    return build_master(tmp_path_factory.mktemp("empty_master") / "Tyollisyysohjelma2026.xlsm")


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory, master_path) -> Path:
    return make_demo(master_path, tmp_path_factory.mktemp("demo") / "demo.xlsm", scale=1, seed=1)


@pytest.fixture(scope="session")
def faulty_workbook(tmp_path_factory, demo_path) -> tuple[Path, set, dict]:
    from faults import inject_faults

    path = tmp_path_factory.mktemp("faulty") / "viallinen.xlsm"
    expected, notes = inject_faults(demo_path, path)
    return path, expected, notes


@pytest.fixture(scope="session")
def master_sheets(master_path) -> dict[str, list[list]]:
    from tyollisyys_xl.io.calamine_source import CalamineSource

    return CalamineSource(master_path).read_all()[0]
