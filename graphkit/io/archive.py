"""Bounded zip archives: every member of a zip (ours, or the parts openpyxl reads from a workbook) is inflated
in bounded chunks, counted against the upload limit, and only stored or deflated members are opened at all.

``zipfile`` alone does not protect memory: it inflates bzip2 and lzma members without any output bound, and a
deflate member up to 2 GiB per ``read()`` before cutting it to the size its header declares — so a 3 KB zip
whose member *declares* 64 bytes can take gigabytes. Here a read never asks for more than :data:`CHUNK` bytes
at a time, a member never yields more than it declares, and a member whose stream goes on past its declared
size is refused as lying.

>>> import io, zipfile
>>> buf = io.BytesIO()
>>> with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
...     zf.writestr("a.csv", "x,y\\n1,2\\n")
>>> with open_archive(buf.getvalue(), limit=1000) as zf:
...     zf.read("a.csv")
b'x,y\\n1,2\\n'
"""

from __future__ import annotations

import io
import zipfile

__all__ = ["ArchiveError", "BoundedZipFile", "CHUNK", "open_archive"]

#: The most bytes one read inflates at once.
CHUNK = 1 << 20
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflate"}
_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "lzma", 9: "deflate64", 93: "zstandard", 98: "ppmd"}


class ArchiveError(Exception):
    """A zip graphkit will not inflate; ``code`` and ``params`` are the problem to report
    (``file_too_large``, ``zip_method``, ``zip_member_lies``)."""

    def __init__(self, code: str, **params):
        self.code, self.params = code, params
        super().__init__(f"{code}: {params}")


class _Member(io.RawIOBase):
    """One member being read: bounded chunks, counted against the archive's budget, checked for a lying size."""

    def __init__(self, archive: "BoundedZipFile", raw: zipfile.ZipExtFile, info: zipfile.ZipInfo):
        super().__init__()
        raw.MAX_N = CHUNK  # zipfile's read(-1) would ask the inflater for up to 2 GiB at once
        self._archive, self._raw, self._info = archive, raw, info
        self.name = info.filename
        self._done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            parts = []
            while part := self.read(CHUNK):
                parts.append(part)
            return b"".join(parts)
        data = self._raw.read(min(n, CHUNK))
        self._done += len(data)
        self._archive._count(self._info.filename, self._done)
        if not data and n:
            self._check_end()
        return data

    def _check_end(self) -> None:
        # zipfile stops at the declared size; a deflate stream that still inflates there holds more than it says
        inflater = getattr(self._raw, "_decompressor", None)
        if self._info.compress_type != zipfile.ZIP_DEFLATED or inflater is None or inflater.eof:
            return
        try:
            more = inflater.decompress(inflater.unconsumed_tail, 1)
        except Exception:  # a damaged stream: zipfile's CRC check reports it
            return
        if more:
            raise ArchiveError("zip_member_lies", member=self._info.filename, n=self._info.file_size)

    def close(self) -> None:
        self._raw.close()
        super().close()


class BoundedZipFile(zipfile.ZipFile):
    """A read-only :class:`zipfile.ZipFile` whose members are read as :class:`_Member` streams; opening it
    raises :class:`ArchiveError` for a member compressed with anything but stored or deflate, or when the
    declared sizes add up to more than ``limit``."""

    def __init__(self, file, *, limit: int):
        super().__init__(file, "r")
        self.limit, self.inflated, self._seen = limit, 0, {}
        declared = 0
        for info in self.infolist():
            if info.compress_type not in _METHODS:
                method = _NAMES.get(info.compress_type, f"method {info.compress_type}")
                self.close()
                raise ArchiveError("zip_method", member=info.filename, method=method)
            declared += info.file_size
        if declared > limit:
            self.close()
            raise ArchiveError("file_too_large", n=declared, limit=limit)

    def _count(self, member: str, done: int) -> None:
        # the inflated bytes of every member, counted by the furthest any one read of it got (openpyxl reads a
        # sheet's XML twice: its size, then its rows)
        seen = self._seen.get(member, 0)
        if done > seen:
            self._seen[member] = done
            self.inflated += done - seen
            if self.inflated > self.limit:
                raise ArchiveError("file_too_large", n=self.inflated, limit=self.limit)

    def open(self, name, mode="r", pwd=None, *, force_zip64=False):
        if mode != "r":
            raise ValueError("a BoundedZipFile is read-only")
        info = name if isinstance(name, zipfile.ZipInfo) else self.getinfo(name)
        return _Member(self, super().open(info, "r", pwd), info)


def open_archive(data: bytes, *, limit: int) -> BoundedZipFile:
    """``data`` as a :class:`BoundedZipFile` (raises :class:`zipfile.BadZipFile` when it is not a zip)."""
    return BoundedZipFile(io.BytesIO(data), limit=limit)
