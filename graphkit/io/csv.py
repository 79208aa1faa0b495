"""The CSV door: one CSV file, a folder of them or a zip of them becomes raw string tables (UTF-8, BOM, or
GB18030 with a warning; a pyarrow fast path and a careful path for odd files)."""

from __future__ import annotations

import csv
import io
import logging
import re
from pathlib import Path

import pandas as pd

from graphkit.io.archive import ArchiveError, open_archive
from graphkit.io.tables import columns_to_table, frame_to_table
from graphkit.model.problems import Problems
from graphkit.model.raw import RawDataset, RawTable
from graphkit.model.schema import TABLES
from graphkit.settings import Settings, get_settings

__all__ = ["read_csv_bytes", "read_csv_folder", "read_zip"]

log = logging.getLogger(__name__)


_MAGIC = [
    (b"PK\x03\x04", "an XLSX / ZIP file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls file"),
    (b"%PDF", "a PDF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"{\\rtf", "an RTF document"),
]


def sniff_binary(data: bytes) -> str | None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return what
    return None


def _decode(data: bytes, label: str, problems: Problems) -> str | None:
    """Decode UTF-8 (BOM accepted) or GB18030 with a warning; detect mixed encodings line by line."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        problems.error(label, 1, "*", "not_csv", what="UTF-16 text")
        return None
    if b"\x00" in data:
        head = data[:4096]
        if max(head[0::2].count(0), head[1::2].count(0)) * 4 >= len(head):  # every other byte NUL: UTF-16, no BOM
            problems.error(label, 1, "*", "not_csv", what="UTF-16 text")
        else:
            problems.error(label, 1, "*", "not_text")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":  # valid UTF-8 up to a character cut off at the very end
            problems.error(label, data.count(b"\n") + 1, "*", "truncated_char")
            return None
    # Mixed? Lines that are valid UTF-8 with non-ASCII bytes beside lines that are not.
    utf8_lines, bad_line = 0, None
    for number, line in enumerate(data.split(b"\n"), start=1):
        if max(line, default=0) < 0x80:
            continue
        try:
            decoded = line.decode("utf-8")
            # Some GBK text is valid UTF-8 by chance (学院 = D1A7 D4BA decodes as two Cyrillic letters); real
            # UTF-8 Chinese has characters from U+0800 up, so only such a line is evidence of UTF-8.
            if max(decoded) >= "\u0800":
                utf8_lines += 1
        except UnicodeDecodeError:
            try:
                line.decode("gb18030")
            except UnicodeDecodeError:  # neither UTF-8 nor GBK: say where, not "mixed"
                problems.error(label, number, "*", "not_utf8")
                return None
            bad_line = bad_line or number
    if utf8_lines and bad_line:
        problems.error(label, bad_line, "*", "mixed_encoding")
        return None
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        problems.error(label, 1, "*", "not_utf8")
        return None
    problems.warning(label, 1, "*", "gb18030")
    return text.lstrip("\ufeff")


def _csv_reader(text: str):
    """The csv module's reader over ``text``, its field limit (131,072 by default, process-wide) raised to the
    text's length: long cells are reported by the cell-length check, not as "malformed CSV"."""
    if csv.field_size_limit() < len(text):
        csv.field_size_limit(len(text) + 1)
    return csv.reader(io.StringIO(text, newline=""), strict=False)


def _structural_scan(text: str, label: str, problems: Problems) -> None:
    """Find every ragged row and an unclosed quote with the csv module (after pandas refused the file)."""
    reader = _csv_reader(text)
    width = None
    try:
        for record_no, record in enumerate(reader):
            row = record_no + 1
            if width is None:
                width = len(record)
                continue
            if len(record) > width and any(cell.strip() for cell in record[width:]):
                problems.error(label, row, "*", "ragged_row", n=len(record), m=width)
    except csv.Error as exc:  # pragma: no cover - csv in non-strict mode rarely raises
        problems.error(label, 1, "*", "csv_parse", detail=str(exc))
    # The csv module silently swallows an unclosed quote to EOF; detect it from the quote count.
    if text.count('"') % 2 == 1:
        # report the row where the last quote opens
        upto = text[: text.rfind('"')]
        row = upto.count("\n") + 1
        problems.error(label, row, "*", "unclosed_quote")


def read_csv_bytes(data: bytes, name: str, label: str, problems: Problems, settings: Settings | None = None) -> RawTable | None:
    """Parse one CSV file's bytes into a :class:`RawTable`, or report why it cannot be read (and return None)."""
    settings = settings or get_settings()
    if len(data) > settings.max_file_bytes:
        problems.error(label, 1, "*", "file_too_large", n=len(data), limit=settings.max_file_bytes)
        return None
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        problems.error(label, 1, "*", "file_empty")
        return None
    what = sniff_binary(data)
    if what:
        problems.error(label, 1, "*", "not_csv", what=what)
        return None
    if not _shape_within_limits(data, label, problems, settings):
        return None
    # The fast path: well-formed UTF-8 goes straight from bytes into pyarrow (which checks the UTF-8 itself),
    # without decoding the whole file into a Python string. Anything unusual takes the careful path below.
    if b"\x00" not in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and data.count(b'"') % 2 == 0:
        columns = _read_arrow(data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
        if columns is not None:
            return columns_to_table(columns, name, label, problems, settings, nul=False)
    text = _decode(data, label, problems)
    if text is None:
        return None
    if not text.strip():
        problems.error(label, 1, "*", "file_empty")
        return None
    if text.count('"') % 2 == 1:
        _structural_scan(text, label, problems)
        return None
    if problems.has_warning_for(label, "gb18030"):
        columns = _read_arrow(text.encode("utf-8"))
        if columns is not None:
            return columns_to_table(columns, name, label, problems, settings, nul=False)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype=object,
            header=None,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError:
        _structural_scan(text, label, problems)
        if problems.has_errors_for(label):
            return None
        # Only empty cells beyond the header (Excel pads rows with commas): read it with the csv module instead.
        records = list(_csv_reader(text))
        width = len(records[0]) if records else 0
        frame = pd.DataFrame([(r + [""] * width)[:width] for r in records], dtype=object)
    except (ValueError, MemoryError) as exc:
        problems.error(label, 1, "*", "csv_parse", detail=str(exc)[:200])
        return None
    return frame_to_table(frame, name, label, problems, settings)


def _shape_within_limits(data: bytes, label: str, problems: Problems, settings: Settings) -> bool:
    """Refuse a file with a line over ``max_line_bytes`` or a header over ``max_columns`` before any parser sees
    it: parsing one 500 MB line or a 10⁶-column header costs many times the file's size in memory and minutes."""
    if len(data) > settings.max_line_bytes:  # a smaller file cannot hold a longer line
        found = _long_line(data, settings.max_line_bytes)
        if found is not None:
            problems.error(label, found[0], "*", "line_too_long", n=found[1], limit=settings.max_line_bytes)
            return False
    end = data.find(b"\n")
    first = data if end < 0 else data[:end]
    width = first.split(b"\r", 1)[0].count(b",") + 1  # at most: a quoted header name may hold a comma
    if width > settings.max_columns:
        problems.error(label, 1, "*", "too_many_columns", n=width, limit=settings.max_columns)
        return False
    return True


def _long_line(data: bytes, limit: int, chunk: int = 1 << 26) -> tuple[int, int] | None:
    """The first line longer than ``limit`` bytes as (line number, length), scanned in 64 MB pieces."""
    import numpy as np

    view = np.frombuffer(data, dtype=np.uint8)
    last, line = -1, 1  # offset of the previous newline, number of the current line
    for start in range(0, len(view), chunk):
        breaks = np.flatnonzero(view[start:start + chunk] == 10) + start
        if len(breaks):
            gaps = np.diff(breaks, prepend=last) - 1
            over = np.flatnonzero(gaps > limit)
            if len(over):
                return line + int(over[0]), int(gaps[over[0]])
            line += len(breaks)
            last = int(breaks[-1])
    if len(data) - last - 1 > limit:
        return line, len(data) - last - 1
    return None


_BLANK_LINE = re.compile(rb"\n[ \t]*\r?\n|\n[ \t]+$")  # starts with a literal: a fast scan


def _read_arrow(raw: bytes) -> list | None:
    """The fast path: pyarrow's CSV reader, every column as text, from UTF-8 bytes without a BOM. None when the
    file needs the careful path (not UTF-8; blank lines would shift row numbers; ragged rows need their own
    messages)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    if raw.startswith((b"\n", b"\r\n")) or _BLANK_LINE.search(raw):
        return None
    end = raw.find(b"\n")
    first = raw if end < 0 else raw[:end]  # (not split(): that would copy the whole rest of the file)
    if b'"' in first:
        return None  # a quoted header (maybe spanning lines): let the careful path count it
    if b"\r" in first.rstrip(b"\r"):
        return None  # a bare CR inside the header line is a line break to the careful path (as to Excel)
    try:
        width = len(next(csv.reader([first.decode("utf-8").rstrip("\r")]), []))
    except UnicodeDecodeError:
        return None
    if width == 0:
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        table = pacsv.read_csv(
            io.BytesIO(raw),
            read_options=pacsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    return [table.column(i).combine_chunks() for i in range(width)]


def read_csv_folder(folder: Path, problems: Problems, settings: Settings | None = None) -> RawDataset:
    """Read every contract CSV in ``folder`` (missing optional files are empty tables)."""
    settings = settings or get_settings()
    tables: dict[str, RawTable] = {}
    failed: set[str] = set()
    present = {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
    for name, table in TABLES.items():
        path = present.get(table.filename)
        if path is None:
            if table.required_file:
                problems.error(table.filename, 1, "*", "file_missing", file=table.filename)
                failed.add(name)
            continue
        size = path.stat().st_size  # before reading: a 600 MB file is refused without being read
        if size > settings.max_file_bytes:
            problems.error(table.filename, 1, "*", "file_too_large", n=size, limit=settings.max_file_bytes)
            failed.add(name)
            continue
        raw = read_csv_bytes(path.read_bytes(), name, table.filename, problems, settings)
        if raw is not None:
            tables[name] = raw
        else:
            failed.add(name)
    for lower, path in present.items():
        if lower.endswith(".csv") and lower[:-4] not in TABLES:
            problems.warning(path.name, 1, "*", "unknown_sheet", sheet=path.name)
    return RawDataset(tables, str(folder), "csv", failed)


def read_zip(data: bytes, label: str, problems: Problems, settings: Settings | None = None) -> RawDataset:
    """Read the contract CSVs from a zip archive (files may sit in one sub-folder); guards against zip bombs."""
    settings = settings or get_settings()
    tables: dict[str, RawTable] = {}
    try:  # refuses bzip2/lzma members and declared sizes over the limit; every read is bounded (io.archive)
        archive = open_archive(data, limit=settings.max_upload_bytes)
    except ArchiveError as exc:
        problems.error(label, 1, "*", exc.code, **exc.params)
        return RawDataset(tables, label, "zip")
    except Exception as exc:  # BadZipFile mostly; a damaged directory can raise others (like openpyxl, below)
        problems.error(label, 1, "*", "zip_unreadable", detail=str(exc)[:200])
        return RawDataset(tables, label, "zip")
    members: dict[str, list] = {}
    failed: set[str] = set()
    total = 0
    for info in archive.infolist():
        if info.is_dir():
            continue
        # only the base name counts and nothing is extracted to disk: "../../x/centers.csv" is read as centers.csv
        base = info.filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
        if base.endswith(".csv") and base[:-4] in TABLES:
            members.setdefault(base, []).append(info)
            total += info.file_size  # the declared size: a BoundedZipFile never inflates a member beyond it
    if total > settings.max_upload_bytes:
        problems.error(label, 1, "*", "file_too_large", n=total, limit=settings.max_upload_bytes)
        return RawDataset(tables, label, "zip")
    for name, table in TABLES.items():
        found = members.get(table.filename)
        if found is None:
            if table.required_file:
                problems.error(table.filename, 1, "*", "file_missing", file=table.filename)
                failed.add(name)
            continue
        if len(found) > 1:  # which one is meant is anyone's guess: refuse rather than pick one silently
            problems.error(table.filename, 1, "*", "zip_duplicate_member", file=table.filename,
                           paths=", ".join(i.filename for i in found))
            failed.add(name)
            continue
        try:
            member = archive.read(found[0])
        except ArchiveError as exc:
            problems.error(table.filename, 1, "*", exc.code, **exc.params)
            failed.add(name)
            continue
        except Exception as exc:  # bad CRC, damaged deflate stream, encryption, unknown compression …
            problems.error(table.filename, 1, "*", "zip_member_unreadable", detail=f"{type(exc).__name__}: {exc}"[:200])
            failed.add(name)
            continue
        raw = read_csv_bytes(member, name, table.filename, problems, settings)
        if raw is not None:
            tables[name] = raw
        else:
            failed.add(name)
    return RawDataset(tables, label, "zip", failed)
