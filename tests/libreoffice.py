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


_FINNISH_LOCALE = """
  <item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>fi-FI</value></prop></item>
"""


def recalculated_copy(source: Path, out_dir: Path, target_format: str = "xlsx", finnish: bool = False) -> Path:
    """Convert source with Calc (recalculating on load) into out_dir; returns the new file.

    finnish: format numbers as a Finnish Excel does (thousands space, decimal comma), as the board sees them."""
    profile = out_dir / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    settings = _ALWAYS_RECALCULATE.replace("</oor:items>", _FINNISH_LOCALE + "</oor:items>") if finnish else _ALWAYS_RECALCULATE
    (profile / "user" / "registrymodifications.xcu").write_text(settings, encoding="utf-8")
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


_LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" script:language="StarBasic">{code}</script:module>
"""

COPY_SHEET_MACRO = """
Sub CopySheet(source As String, target As String, sheet As String, copyName As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = "Hidden" : args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(source), "_blank", 0, args())
  sheets = doc.getSheets()
  sheets.copyByName(sheet, copyName, sheets.getCount())
  Dim out(0) As New com.sun.star.beans.PropertyValue
  out(0).Name = "FilterName" : out(0).Value = "Calc Office Open XML"
  doc.storeToURL(ConvertToURL(target), out())
  doc.close(True)
End Sub
"""


def run_basic(out_dir: Path, code: str, call: str) -> None:
    """Run a LibreOffice Basic macro headless, e.g. call='CopySheet("/a.xlsx","/b.xlsx","A","B")'.

    The macro lives in a private profile's Standard library; the profile is made first, because its
    first start writes the default (empty) library over anything already there.
    """
    from xml.sax.saxutils import escape

    profile = out_dir / "lo-basic-profile"
    env = f"-env:UserInstallation={profile.as_uri()}"
    if not (profile / "user" / "basic" / "Standard").is_dir():
        subprocess.run(["soffice", env, "--headless", "--terminate_after_init"], check=True, capture_output=True, timeout=180)
    module = profile / "user" / "basic" / "Standard" / "Module1.xba"
    module.write_text(_LIBRARY.format(code=escape(code, {'"': "&quot;"})), encoding="utf-8")
    subprocess.run(["soffice", env, "--headless", f"macro:///Standard.Module1.{call}"], check=True, capture_output=True,
                   timeout=180)
