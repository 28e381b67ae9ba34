"""One snapshot of a workbook file per run, checked against zip bombs before anything parses it.

Why one snapshot: a run looks at the file in several ways (python-calamine for values, a scan of the sheet
XML for what calamine omits, openpyxl where `build --from` needs formulas and styles). Opening
the path for each would let a master replaced during the run (a colleague saving over it, a sync client)
give values of one version and facts of another. So the file's bytes are read once, and every view is
parsed from those bytes.

Why limits: a workbook is a zip archive, and a few megabytes of deflate can unpack to gigabytes (a "zip
bomb"). The limits are checked on the central directory before any member is parsed, and a member is only
ever decompressed here, in bounded chunks that stop at its declared size: a member whose data unpacks to
more or less than it declares is refused, so no parser (the Rust one inside calamine included) can be
handed more than the limits allow. The limits are far above real data: the demo at scale 100 (twice the
national volume, 800 municipalities) is a 3.4 MB file that unpacks to 30 MB, its largest member 13 MB,
at most 11 times compressed; a sheet of a million formatted empty rows, the worst a user makes by hand,
is 28 times compressed. See docs/validation.md (Bad input).
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from tyollisyys_xl.io.errors import WorkbookReadError, os_reason

MIB = 1 << 20
MAX_FILE_BYTES = 100 * MIB  # the file itself (scale 100: 3.4 MB)
MAX_MEMBERS = 10_000  # zip members (the master has 43)
MAX_MEMBER_BYTES = 256 * MIB  # one member unpacked (scale 100: 13 MB; a million formatted rows: 166 MB)
MAX_TOTAL_BYTES = 512 * MIB  # every member unpacked together (scale 100: 30 MB)
MAX_RATIO = 100  # unpacked / packed, as Apache POI's default minimum inflate ratio of 0.01 (real sheets: 5–30)
RATIO_GRACE_BYTES = MIB  # small members may compress better than that (a run of empty tags) and harm nothing

CHUNK_BYTES = 1 << 18  # what a member is decompressed and handed on in

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # zipfile.structFileHeader
_LOCAL_SIGNATURE = b"PK\x03\x04"
_ENCRYPTED_FLAG = 0x1

REPAIR = "Avaa työkirja Excelissä ja tallenna se uudelleen, tai palauta edellinen versio varmuuskopiosta."
BOMB = ("Tiedosto ei ole tavallinen Excel-työkirja, vaan se voi olla tahallaan tehty purkautumaan valtavaksi "
        "(”zip-pommi”). Sitä ei luettu. Pyydä lähettäjältä työkirja uudelleen tai tallenna se Excelissä uutena tiedostona.")


class CorruptMember(Exception):
    """A member's data does not unpack to what the archive declares (broken, truncated or forged)."""


def megabytes(size: int) -> str:
    """Bytes as Finnish megabytes, e.g. '2 048 Mt' or '0,4 Mt'."""
    value = size / MIB
    text = f"{value:,.0f}" if value >= 10 else f"{value:.1f}"
    return text.replace(",", "\u00a0").replace(".", ",") + " Mt"


def _bounded_read(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise WorkbookReadError(
            str(path),
            f"Tiedostoa ei voi avata ({os_reason(exc)}). Tarkista, että sinulla on "
            "lukuoikeus ja ettei toinen ohjelma pidä sitä lukittuna.",
        ) from exc
    if len(data) > MAX_FILE_BYTES:
        raise WorkbookReadError(
            str(path),
            f"Tiedosto on yli {megabytes(MAX_FILE_BYTES)}; päätyökirja on tavallisesti alle 5 Mt. "
            "Tarkista, että annoit oikean tiedoston.",
        )
    return data


def _refuse_non_workbooks(path: Path, data: bytes) -> None:
    """Say why a file that is not a zip is not a workbook (empty, encrypted, old .xls, something else)."""
    if not data:
        raise WorkbookReadError(str(path), "Tiedosto on tyhjä. Palauta työkirja varmuuskopiosta.")
    if data[:8] == _OLE_MAGIC:
        if _ENCRYPTED_STREAM in data:
            raise WorkbookReadError(
                str(path),
                "Työkirja on suojattu salasanalla. Poista salasana (Tiedosto > Tiedot > Suojaa työkirja) ja tallenna uudelleen.",
            )
        raise WorkbookReadError(str(path), "Tiedosto on vanhaa .xls-muotoa. Tallenna se Excelissä .xlsm-muodossa.")
    if data[:4] != _ZIP_MAGIC:
        raise WorkbookReadError(
            str(path), "Tiedosto ei ole Excel-työkirja (.xlsx tai .xlsm). Tarkista, että annoit oikean tiedoston."
        )


class Snapshot:
    """A workbook file's bytes, read once, with its zip directory checked against the limits.

    Members are read only through members_chunks/read, which verify that each unpacks to exactly its
    declared size and checksum; calamine and openpyxl get the same bytes through stream().
    """

    def __init__(self, path: Path, data: bytes):
        self.path = path
        self.data = data
        self._verified: set[str] = set()
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise self.error(f"Tiedosto on katkennut tai vioittunut (zip-paketti ei ole eheä). {REPAIR}") from exc
        self._infos = {info.filename: info for info in self.archive.infolist()}
        self._check_limits()
        if "xl/workbook.xml" not in self._infos:
            raise self.error("Tiedosto on zip-paketti, mutta siinä ei ole Excel-työkirjaa. Tarkista, että annoit oikean tiedoston.")

    @classmethod
    def take(cls, path: str | Path) -> Snapshot:
        """Read the file at path once; raises WorkbookReadError (Finnish, says what to do) for anything unreadable."""
        path = Path(path)
        if not path.exists():
            raise WorkbookReadError(str(path), "Tiedostoa ei ole. Tarkista polku ja tiedoston nimi.")
        if not path.is_file():
            raise WorkbookReadError(str(path), "Polku ei ole tiedosto vaan kansio. Anna työkirjan (.xlsm) polku.")
        data = _bounded_read(path)
        _refuse_non_workbooks(path, data)
        return cls(path, data)

    def error(self, message: str) -> WorkbookReadError:
        return WorkbookReadError(str(self.path), message)

    def stream(self) -> io.BytesIO:
        """The snapshot as a file object, for a parser that takes one (calamine, openpyxl)."""
        return io.BytesIO(self.data)

    def names(self) -> list[str]:
        return list(self._infos)

    def _check_limits(self) -> None:
        infos = list(self._infos.values())
        if len(infos) > MAX_MEMBERS:
            raise self.error(f"Työkirjan zip-paketissa on {len(infos)} osaa (raja {MAX_MEMBERS}). {BOMB}")
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > MAX_MEMBER_BYTES:
                raise self.error(f"Työkirjan osa {info.filename} purkautuisi {megabytes(info.file_size)} kokoiseksi "
                                 f"(raja {megabytes(MAX_MEMBER_BYTES)}). {BOMB}")
            ratio = info.file_size / max(info.compress_size, 1)
            if info.file_size > RATIO_GRACE_BYTES and ratio > MAX_RATIO:
                raise self.error(f"Työkirjan osa {info.filename} on pakattu {ratio:.0f}-kertaisesti (raja {MAX_RATIO}). {BOMB}")
        if total > MAX_TOTAL_BYTES:
            raise self.error(f"Työkirja purkautuisi yhteensä {megabytes(total)} kokoiseksi (raja {megabytes(MAX_TOTAL_BYTES)}). {BOMB}")

    # --- members -------------------------------------------------------------------------------------

    def member_chunks(self, name: str, size: int = CHUNK_BYTES) -> Iterator[bytes]:
        """The member's bytes in pieces of `size` (the last may be shorter), verified as they come.

        Raises CorruptMember when the data is broken or unpacks to other than its declared size and
        checksum; never produces more than the declared size, whatever the data holds.
        """
        info = self._infos[name]
        pending = bytearray()
        for piece in self._unpacked(info):
            pending += piece
            while len(pending) >= size:
                yield bytes(pending[:size])
                del pending[:size]
        if pending:
            yield bytes(pending)
        self._verified.add(name)

    def read(self, name: str) -> bytes:
        """The member's bytes, verified (KeyError when there is no such member)."""
        return b"".join(self.member_chunks(name))

    def verify(self, names: Iterable[str]) -> None:
        """Unpack each member once (in bounded pieces) unless already verified; raises CorruptMember."""
        for name in names:
            if name not in self._verified:
                for _ in self.member_chunks(name):
                    pass

    def _compressed(self, info: zipfile.ZipInfo) -> memoryview:
        start = info.header_offset
        header = self.data[start : start + _LOCAL_HEADER.size]
        if len(header) < _LOCAL_HEADER.size:
            raise CorruptMember(info.filename)
        fields = _LOCAL_HEADER.unpack(header)
        if fields[0] != _LOCAL_SIGNATURE:
            raise CorruptMember(info.filename)
        begin = start + _LOCAL_HEADER.size + fields[10] + fields[11]  # file name and extra field lengths
        if begin + info.compress_size > len(self.data):
            raise CorruptMember(info.filename)
        return memoryview(self.data)[begin : begin + info.compress_size]

    def _unpacked(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        if info.flag_bits & _ENCRYPTED_FLAG:
            raise CorruptMember(info.filename)
        raw = self._compressed(info)
        produced, crc = 0, 0
        if info.compress_type == zipfile.ZIP_STORED:
            pieces: Iterable[bytes] = (raw[i : i + CHUNK_BYTES] for i in range(0, len(raw), CHUNK_BYTES))
        elif info.compress_type == zipfile.ZIP_DEFLATED:
            pieces = _inflate(raw, info.file_size)
        else:  # Excel and LibreOffice write only these two
            raise CorruptMember(info.filename)
        try:
            for piece in pieces:
                produced += len(piece)
                if produced > info.file_size:
                    raise CorruptMember(info.filename)
                crc = zlib.crc32(piece, crc)
                yield bytes(piece)
        except zlib.error as exc:
            raise CorruptMember(info.filename) from exc
        if produced != info.file_size or crc != info.CRC:
            raise CorruptMember(info.filename)


def _inflate(raw: memoryview, declared: int) -> Iterator[bytes]:
    """Raw deflate data unpacked in pieces of at most CHUNK_BYTES; stops one piece past the declared size,
    so that a member which would unpack to more is caught after a bounded amount of work."""
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    position, pending = 0, b""
    produced = 0
    while not inflater.eof:
        if not pending:
            if position >= len(raw):
                raise zlib.error("deflate data ends early")
            pending = raw[position : position + CHUNK_BYTES // 4]
            position += CHUNK_BYTES // 4
        piece = inflater.decompress(pending, CHUNK_BYTES)
        pending = inflater.unconsumed_tail
        produced += len(piece)
        yield piece
        if produced > declared:
            return
