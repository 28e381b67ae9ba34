"""The built master's macros as a real spreadsheet program sees them: LibreOffice Calc opens the
.xlsm headless without a repair prompt and imports every VBA module with the button macros."""

from __future__ import annotations

import html
import zipfile
from pathlib import Path

import pytest

from tests.libreoffice import needs_soffice, recalculated_copy
from tyollisyys_xl.master.text_sheets import BUTTONS


@pytest.mark.libreoffice
@needs_soffice
def test_libreoffice_sees_the_vba_modules_of_the_master(master_path: Path, tmp_path: Path):
    ods = recalculated_copy(master_path, tmp_path, "ods")
    with zipfile.ZipFile(ods) as archive:
        modules = {Path(name).stem: html.unescape(archive.read(name).decode("utf-8"))
                   for name in archive.namelist() if name.startswith("Basic/") and not Path(name).name.startswith("script-")}
    assert {"ThisWorkbook", "Tyollisyys", "xlwings", "Dictionary"} <= set(modules)
    assert {f"Sheet{n}" for n in range(1, 14)} <= set(modules)
    for button in BUTTONS:
        assert f"Sub {button.macro}()" in modules["Tyollisyys"]
        assert f'RunPython "import tyollisyys_xl.excel as t; t.{button.entry_point}()"' in modules["Tyollisyys"]
