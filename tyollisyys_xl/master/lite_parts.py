"""xlwings Lite's code inside the master, so that opening it with the add-in is enough.

xlwings Lite keeps main.py and requirements.txt in the workbook as settings of its Office add-in: a web
extension part (xl/webextensions/webextension1.xml) whose properties hold each file's text as a JSON
string, reached from a task-pane part (xl/webextensions/taskpanes.xml) that the package's root
relationships point to. That is what Excel writes when a workbook is saved with xlwings Lite (store
add-in WA200008175); this module writes the same parts from excel/lite/, after xlsxwriter has written
the rest. The task pane stays closed (visibility 0), as Excel saves it: desktop users of the VBA buttons
see nothing of it, and a Lite user opens it from the add-in's button.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from xml.sax.saxutils import quoteattr

from tyollisyys_xl.schemas import SourceError

LITE_FILES = ("main.py", "requirements.txt")
LITE_STORE_ID = "wa200008175"  # xlwings Lite in Microsoft's add-in store
WEB_EXTENSION_ID = "{8D3F2B6E-7A41-4C1E-9B0D-2E5A6F1C3D47}"  # fixed, so that builds are byte-identical

_TASKPANES = "xl/webextensions/taskpanes.xml"
_WEB_EXTENSION = "xl/webextensions/webextension1.xml"
_CONTENT_TYPES = {
    _TASKPANES: "application/vnd.ms-office.webextensiontaskpanes+xml",
    _WEB_EXTENSION: "application/vnd.ms-office.webextension+xml",
}
_ROOT_RELATIONSHIP = (
    '<Relationship Id="rIdLite" Type="http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"'
    f' Target="{_TASKPANES}"/>'
)
_TASKPANES_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<wetp:taskpanes xmlns:wetp="http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11">'
    '<wetp:taskpane dockstate="right" visibility="0" width="350" row="4">'
    '<wetp:webextensionref xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"/>'
    "</wetp:taskpane></wetp:taskpanes>"
)
_TASKPANES_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.microsoft.com/office/2011/relationships/webextension"'
    ' Target="webextension1.xml"/></Relationships>'
)


def read_lite_files(folder: Path) -> dict[str, str]:
    """excel/lite/main.py and requirements.txt; raises SourceError naming a missing file."""
    files = {}
    for name in LITE_FILES:
        try:
            files[name] = (folder / name).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise SourceError(folder / name, "(tiedosto)", "tiedosto puuttuu") from exc
    return files


def web_extension_xml(files: Mapping[str, str]) -> str:
    """The add-in's part: each file as a setting whose value is the file's text as a JSON string."""
    properties = "".join(
        f"<we:property name={quoteattr(name)} value={quoteattr(json.dumps(text, ensure_ascii=False))}/>"
        for name, text in files.items()
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<we:webextension xmlns:we="http://schemas.microsoft.com/office/webextensions/webextension/2010/11"'
        f' id="{WEB_EXTENSION_ID}">'
        f'<we:reference id="{LITE_STORE_ID}" version="1.0.0.0" store="en-US" storeType="OMEX"/>'
        f'<we:alternateReferences><we:reference id="{LITE_STORE_ID}" version="1.0.0.0"'
        f' store="{LITE_STORE_ID.upper()}" storeType="OMEX"/></we:alternateReferences>'
        f"<we:properties>{properties}</we:properties><we:bindings/>"
        '<we:snapshot xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'
        "</we:webextension>"
    )


def add_lite_parts(path: Path, files: Mapping[str, str]) -> None:
    """Rewrite the package at path with the Lite parts added (same dates and compression as the rest)."""
    with zipfile.ZipFile(path) as archive:
        members = [(info, archive.read(info)) for info in archive.infolist()]
    template = members[0][0]
    added = {
        _TASKPANES: _TASKPANES_XML,
        "xl/webextensions/_rels/taskpanes.xml.rels": _TASKPANES_RELS,
        _WEB_EXTENSION: web_extension_xml(files),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for info, data in members:
            if info.filename == "[Content_Types].xml":
                overrides = "".join(f'<Override PartName="/{part}" ContentType="{kind}"/>'
                                    for part, kind in _CONTENT_TYPES.items())
                data = data.replace(b"</Types>", overrides.encode() + b"</Types>")
            elif info.filename == "_rels/.rels":
                data = data.replace(b"</Relationships>", _ROOT_RELATIONSHIP.encode() + b"</Relationships>")
            out.writestr(info, data)
        for name, text in added.items():
            info = zipfile.ZipInfo(name, date_time=template.date_time)
            info.compress_type = template.compress_type
            out.writestr(info, text.encode("utf-8"))
    path.write_bytes(buffer.getvalue())
