"""The one exception an adapter raises when a workbook cannot be read at all."""

from __future__ import annotations


class WorkbookReadError(Exception):
    """The file is not a readable workbook (missing, not a zip, encrypted, truncated, ...).

    The message is Finnish and names the file, so the CLI can show it as it is.
    """

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}")
