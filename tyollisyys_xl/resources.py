"""Where the reviewed text sources live: the repository checkout, or the copy packed into a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_ROOT = _PACKAGE_DIR.parent
_PACKED_ROOT = _PACKAGE_DIR / "_sources"


def source_root() -> Path:
    """The folder holding schema/, programme/ and workbook/vba/ (checkout first, so edits show at once)."""
    if (_CHECKOUT_ROOT / "schema").is_dir() and (_CHECKOUT_ROOT / "programme").is_dir():
        return _CHECKOUT_ROOT
    return _PACKED_ROOT


def schema_dir() -> Path:
    return source_root() / "schema"


def programme_dir() -> Path:
    return source_root() / "programme"


def vba_dir() -> Path:
    return source_root() / "workbook" / "vba"


def master_workbook() -> Path:
    """The committed master workbook (exists only in a checkout)."""
    return _CHECKOUT_ROOT / "workbook" / "Tyollisyysohjelma2026.xlsm"
