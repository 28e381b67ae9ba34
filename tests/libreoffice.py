"""Test helper: let LibreOffice Calc open a workbook headless, recalculate every formula and save a copy.

A private user profile keeps runs apart from any desktop LibreOffice and from each other, and tells
Calc to recalculate OOXML files on load (its default keeps the cached values it finds in the file).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not on PATH")
needs_poppler = pytest.mark.skipif(
    shutil.which("pdfinfo") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils (pdfinfo, pdftoppm) are not on PATH",
)

_ALWAYS_RECALCULATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <item oor:path="/org.openoffice.Office.Calc/Formula/Load">
    <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop>
  </item>
  <item oor:path="/org.openoffice.Office.Calc/Formula/Load">
    <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop>
  </item>
</oor:items>
"""


def recalculated_copy(source: Path, out_dir: Path, target_format: str = "xlsx") -> Path:
    """Convert source with Calc (recalculating on load) into out_dir; returns the new file."""
    profile = out_dir / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_ALWAYS_RECALCULATE, encoding="utf-8")
    converted_dir = out_dir / "converted"
    converted_dir.mkdir(exist_ok=True)
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target_format,
         "--outdir", str(converted_dir), str(source)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    converted = converted_dir / f"{source.stem}.{target_format}"
    assert converted.is_file(), f"LibreOffice did not write {converted.name}"
    return converted
