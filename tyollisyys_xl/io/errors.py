"""The one exception an adapter raises when a workbook cannot be read at all, and the operating system's
reasons in Finnish for any message about a file."""

from __future__ import annotations

import errno


class WorkbookReadError(Exception):
    """The file is not a readable workbook (missing, not a zip, encrypted, truncated, a zip bomb, ...).

    message: Finnish sentences that say what is wrong and what to do, without the file's name (a
    finding about the file carries the name beside it); str(error) is the whole line a command prints.
    """

    def __init__(self, path: str, message: str):
        self.path = path
        self.message = message
        super().__init__(f"Työkirjaa {path} ei voi lukea. {message}")


# What the operating system said, in Finnish (its own words are English on most systems).
_OS_REASONS = {
    errno.EACCES: "ei käyttöoikeutta",
    errno.EPERM: "ei käyttöoikeutta",
    errno.EROFS: "levy on vain luettavissa",
    errno.ENOSPC: "levy on täynnä",
    errno.EDQUOT: "levytila on käytetty loppuun",
    errno.ENOENT: "polkua ei ole",
    errno.ENOTDIR: "polun osa on tiedosto eikä kansio",
    errno.EISDIR: "samanniminen kansio on jo olemassa",
    errno.EEXIST: "samanniminen tiedosto on jo olemassa",
    errno.EBUSY: "toinen ohjelma käyttää tiedostoa",
    errno.ETXTBSY: "toinen ohjelma käyttää tiedostoa",
    errno.ENAMETOOLONG: "nimi on liian pitkä",
    errno.ELOOP: "polussa on linkkisilmukka",
    errno.EMFILE: "liian monta avointa tiedostoa",
    errno.EIO: "levyn luku- tai kirjoitusvirhe",
}


def os_reason(exc: OSError) -> str:
    """A short Finnish reason for an operating-system error, e.g. 'ei käyttöoikeutta'."""
    if exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    code = errno.errorcode.get(exc.errno, "") if exc.errno else ""
    return f"käyttöjärjestelmän virhe {code}".rstrip()
