"""The one exception an adapter raises when a workbook cannot be read at all."""

from __future__ import annotations


class WorkbookReadError(Exception):
    """The file is not a readable workbook (missing, not a zip, encrypted, truncated, a zip bomb, ...).

    message: Finnish sentences that say what is wrong and what to do, without the file's name (a
    finding about the file carries the name beside it); str(error) is the whole line a command prints.
    """

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"Työkirjaa {path} ei voi lukea. {message}")
