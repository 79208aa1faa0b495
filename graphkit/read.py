"""Readers: a CSV folder, a zip of CSVs, or an XLSX workbook become raw string tables with spreadsheet row numbers.

Nothing here interprets values; :mod:`graphkit.validate` does. Every table keeps the row number a spreadsheet
shows (header = row 1) as its index, so every later message can say FILE:ROW:COLUMN.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .columns import to_arrow
from .problems import Problems
from .schema import TABLES
from .settings import Settings, get_settings

__all__ = ["RawTable", "RawDataset", "read_raw", "neutralize", "unneutralize", "read_csv_bytes", "read_csv_folder", "read_zip", "frame_from_rows"]

log = logging.getLogger(__name__)

# Sheets of our own template that hold documentation, not data.
DOC_SHEETS = {"readme", "说明", "columns", "列说明", "instructions"}

_MAGIC = [
    (b"PK\x03\x04", "an XLSX / ZIP file"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls file"),
    (b"%PDF", "a PDF file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"{\\rtf", "an RTF document"),
]


@dataclass
class RawTable:
    """One table as strings: ``frame`` columns are the header names, its index the spreadsheet row numbers."""

    name: str
    label: str  # what messages call the file: "centers.csv" or "book.xlsx[centers]"
    frame: pd.DataFrame
    extras: dict = field(default_factory=dict)


@dataclass
class RawDataset:
    """The raw tables of one dataset, by table name, plus where they came from."""

    tables: dict[str, RawTable]
    origin: str
    kind: str  # csv, zip, xlsx, turtle, jsonld, neo4j
    failed: set = field(default_factory=set)  # tables that exist but could not be read (or required and missing)


def _empty_frame(columns) -> pd.DataFrame:
    return pd.DataFrame(columns=list(columns), dtype=object)


def frame_from_rows(header: list[str], rows: list[list], first_row: int = 2) -> pd.DataFrame:
    """A string frame from a header and rows (as the RDF / Bolt / XLSX readers produce), indexed by row number."""
    width = len(header)
    data = [[("" if v is None else str(v)) for v in (r[:width] + [""] * (width - len(r)))] for r in rows]
    frame = pd.DataFrame(data, columns=header, dtype=object) if data else _empty_frame(header)
    frame.index = pd.RangeIndex(first_row, first_row + len(frame))
    return frame


def _sniff_binary(data: bytes) -> str | None:
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
    what = _sniff_binary(data)
    if what:
        problems.error(label, 1, "*", "not_csv", what=what)
        return None
    # The fast path: well-formed UTF-8 goes straight from bytes into pyarrow (which checks the UTF-8 itself),
    # without decoding the whole file into a Python string. Anything unusual takes the careful path below.
    if b"\x00" not in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and data.count(b'"') % 2 == 0:
        columns = _read_arrow(data[3:] if data.startswith(b"\xef\xbb\xbf") else data)
        if columns is not None:
            return _columns_to_table(columns, name, label, problems, settings, nul=False)
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
            return _columns_to_table(columns, name, label, problems, settings, nul=False)
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
    return _frame_to_table(frame, name, label, problems, settings)


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


def _frame_to_table(frame: pd.DataFrame, name: str, label: str, problems: Problems, settings: Settings) -> RawTable | None:
    """A header-less string frame (header in its first row) as a :class:`RawTable`."""
    return _columns_to_table([to_arrow(frame.iloc[:, i]) for i in range(frame.shape[1])], name, label, problems, settings)


def _columns_to_table(columns: list, name: str, label: str, problems: Problems, settings: Settings, *, nul: bool = True) -> RawTable | None:
    """Split off the header (row 1), drop blank rows, index by spreadsheet row number, check the header."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not columns or len(columns[0]) == 0:
        problems.error(label, 1, "*", "file_empty")
        return None
    header_cells = [(c[0].as_py() or "").strip().lstrip("\ufeff") for c in columns]
    # exports neutralise header cells too (an extra column may be named "=x"); undo it like any other cell
    header_cells = [c[1:] if _NEUTRALIZED.match(c) else c for c in header_cells]
    body = [unneutralize_arrow(pc.utf8_trim_whitespace(c.slice(1))) for c in columns]
    table = TABLES.get(name)
    names: list[str] = []
    keep: list[int] = []
    seen: dict[str, int] = {}
    ok = True
    for pos, cell in enumerate(header_cells):
        if not cell:
            if pc.any(pc.not_equal(body[pos], "")).as_py():
                problems.error(label, 1, _column_letter(pos), "column_blank", n=pos + 1)
                ok = False
            continue
        canonical = cell
        if table is not None and cell.lower() in table.column_names:
            canonical = cell.lower()
        if canonical in seen:
            problems.error(label, 1, canonical, "column_duplicate", column=canonical)
            ok = False
            continue
        seen[canonical] = pos
        names.append(canonical)
        keep.append(pos)
    if not ok:
        return None
    kept = [body[i] for i in keep]
    rows = np.arange(2, 2 + (len(columns[0]) - 1), dtype=np.int64)
    if kept:  # drop rows that are entirely blank (Excel's empty rows)
        filled = np.zeros(len(rows), dtype=bool)
        for col in kept:
            filled |= pc.not_equal(col, "").to_numpy(zero_copy_only=False)
        if not filled.all():
            mask = pa.array(filled)
            kept = [c.filter(mask) for c in kept]
            rows = rows[filled]
    if kept and len(rows):  # the header again (two exports pasted together): one clear error, not one per cell
        again = np.ones(len(rows), dtype=bool)
        for col, pos in zip(kept, keep):
            cells = pc.utf8_lower(pc.utf8_ltrim(col, characters="\ufeff"))
            again &= pc.equal(cells, header_cells[pos].lower()).to_numpy(zero_copy_only=False)
            if not again.any():
                break
        if again.any():
            for row in rows[again]:
                problems.error(label, int(row), "*", "header_repeated")
            kept = [c.filter(pa.array(~again)) for c in kept]
            rows = rows[~again]
    if len(rows) > settings.max_rows:
        problems.error(label, 1, "*", "too_many_rows", n=len(rows), limit=settings.max_rows)
        return None
    index = pd.Index(rows)
    frame = pd.DataFrame({n: pd.Series(pd.arrays.ArrowStringArray(c), index=index) for n, c in zip(names, kept)}, index=index)
    _check_cells(frame, label, problems, settings, nul=nul)
    return RawTable(name, label, frame)


FORMULA_CHARS = ("=", "+", "-", "@", "\t", "\r")


_NEUTRALIZED = re.compile(r"^'+[=+\-@\t\r]")  # what neutralize() prefixes: apostrophes, then a formula character


def neutralize(value: str) -> str:
    r"""Make a text cell safe for spreadsheets: a leading = + - @ TAB or CR gets an apostrophe in front — and so
    does a value that already starts with apostrophes before such a character, so that reading undoes exactly one.

    >>> neutralize("=HYPERLINK(\"http://x\")"), neutralize("ok"), neutralize("'=1")
    ('\'=HYPERLINK("http://x")', 'ok', "''=1")
    """
    if value and (value[0] in FORMULA_CHARS or _NEUTRALIZED.match(value)):
        return "'" + value
    return value


def unneutralize_arrow(arr):
    """:func:`unneutralize` on a pyarrow string array: one leading apostrophe goes when apostrophes lead to a
    formula character."""
    import pyarrow.compute as pc

    if not pc.any(pc.starts_with(arr, "'")).as_py():
        return arr
    mask = pc.match_substring_regex(arr, _NEUTRALIZED.pattern)
    return pc.if_else(mask, pc.utf8_slice_codeunits(arr, 1), arr)


def unneutralize(series: pd.Series) -> pd.Series:
    """Undo :func:`neutralize` on read, so that export → load is lossless."""
    from .columns import to_arrow

    return pd.Series(pd.arrays.ArrowStringArray(unneutralize_arrow(to_arrow(series))), index=series.index)


def _check_cells(frame: pd.DataFrame, label: str, problems: Problems, settings: Settings, *, nul: bool = True) -> None:
    """Cell-level limits that hold for every column: length and control characters (CSV files with NUL bytes
    are refused whole, so ``nul=False`` skips that scan for them)."""
    import pyarrow.compute as pc

    limit = settings.max_cell_chars
    for col in frame.columns:
        arr = to_arrow(frame[col])
        if not len(arr):
            continue
        if pc.max(pc.binary_length(arr)).as_py() > limit:  # bytes ≥ characters: only then count characters
            lengths = pc.utf8_length(arr).to_numpy(zero_copy_only=False)
            for row, n in zip(frame.index[lengths > limit], lengths[lengths > limit]):
                problems.error(label, int(row), col, "cell_too_long", n=int(n), limit=limit)
        if nul:
            hit = pc.match_substring(arr, "\x00").to_numpy(zero_copy_only=False)
            for row in frame.index[hit]:
                problems.error(label, int(row), col, "nul_in_cell")


def _column_letter(pos: int) -> str:
    letters = ""
    pos += 1
    while pos:
        pos, rem = divmod(pos - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _want_tables(names) -> dict[str, str]:
    return {f"{t}.csv": t for t in TABLES if t in names}


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
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
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
            total += info.file_size  # the declared size: zipfile never inflates a member beyond it
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


def read_raw(source, problems: Problems, settings: Settings | None = None, *, name: str | None = None) -> RawDataset:
    """Read any supported source into raw tables.

    ``source`` is a folder of CSVs, a .zip, a .xlsx, a .ttl / .jsonld file, or bytes with ``name`` giving the
    file name (as an upload does).
    """
    settings = settings or get_settings()
    if isinstance(source, (bytes, bytearray)):
        label = name or "upload"
        data = bytes(source)
        suffix = Path(label).suffix.lower()
        if len(data) > settings.max_upload_bytes:  # an upload of any kind (Turtle and JSON-LD too)
            problems.error(label, 1, "*", "file_too_large", n=len(data), limit=settings.max_upload_bytes)
            return RawDataset({}, label, suffix.lstrip("."))
    else:
        path = Path(source)
        if path.is_dir():
            return read_csv_folder(path, problems, settings)
        label = path.name
        suffix = path.suffix.lower()
        if not path.exists():
            problems.error(label, 1, "*", "file_missing", file=str(path))
            return RawDataset({}, str(path), "missing")
        size = path.stat().st_size
        if size > settings.max_upload_bytes:
            problems.error(label, 1, "*", "file_too_large", n=size, limit=settings.max_upload_bytes)
            return RawDataset({}, str(path), suffix.lstrip("."))
        data = path.read_bytes()
    if suffix in (".xlsx", ".xlsm"):
        from .read_xlsx import read_xlsx  # local: openpyxl is only needed for workbooks

        return read_xlsx(data, label, problems, settings)
    if suffix == ".zip":
        return read_zip(data, label, problems, settings)
    if suffix in (".ttl", ".jsonld", ".json", ".nt", ".n3"):
        from .rdf import read_rdf  # local: rdflib is only needed for RDF sources

        try:
            return read_rdf(data, label, suffix, problems)
        except RecursionError:  # JSON nested deeper than Python recurses ([[[[…]]]]): a problem, not a crash
            problems.error(label, 1, "*", "rdf_parse", detail="the document is nested too deeply")
            return RawDataset({}, label, suffix.lstrip("."), set(TABLES))
    if suffix == ".csv":
        # a single CSV: only meaningful as one table of a folder
        base = Path(label).stem.lower()
        tables = {}
        raw = read_csv_bytes(data, base, label, problems, settings) if base in TABLES else None
        if raw is not None:
            tables[base] = raw
        failed = set()
        for t in TABLES.values():
            if t.required_file and t.name not in tables:
                problems.error(t.filename, 1, "*", "file_missing", file=t.filename)
                failed.add(t.name)
        return RawDataset(tables, label, "csv", failed)
    what = _sniff_binary(data[:16]) or f"a '{suffix or 'unknown'}' file"
    problems.error(label, 1, "*", "not_csv", what=what)
    return RawDataset({}, label, "unknown")


def empty_raw_table(name: str) -> RawTable:
    """An empty table with the contract's columns (a missing optional file)."""
    table = TABLES[name]
    frame = _empty_frame(table.column_names)
    return RawTable(name, table.filename, frame)
