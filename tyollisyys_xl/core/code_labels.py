"""Dropdown labels that carry a code: "M06 – Laajan työttömyyden määrä (henkilöä)" instead of a bare "M06".

A coordinator picks an indicator by its name and unit; the tool reads the code in front. A bare code
(typed by hand, or carried from a master built before the labels) reads the same, so old entries and
`build --from` keep working.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SEPARATOR = " – "  # en dash between the code and what it names
_LABELLED = re.compile(r"^\s*(\S+)\s+[–—-]\s+\S")


def format_label(template: str, row: Mapping[str, Any]) -> str:
    """The label of one source row, e.g. template "{id} – {name} ({unit})"."""
    return template.format_map({key: "" if value is None else value for key, value in row.items()})


def label_code(value: Any) -> Any:
    """The code of a label ("M06 – Laajan …" -> "M06"); any other value as it is (a bare code stays a code)."""
    if isinstance(value, str):
        match = _LABELLED.match(value)
        return match.group(1) if match else value.strip()
    return value
