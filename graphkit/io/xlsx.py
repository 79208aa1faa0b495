"""The XLSX reader: a workbook whose sheets are named like the contract's tables becomes raw string tables.

Dates become ISO strings; a formula uses Excel's cached value (with a warning) or is an error; merged cells,
hidden and unknown sheets are reported; the unpacked size counts against the upload limit (every part is inflated
in bounded chunks, see :mod:`graphkit.io.archive`); a damaged sheet is a located problem, never a crash.
"""

from __future__ import annotations

import datetime as _dt
import re
import warnings

import pandas as pd

from graphkit.io.archive import ArchiveError, open_archive
from graphkit.io.tables import DOC_SHEETS, column_letter, frame_to_table
from graphkit.model.problems import Problems
from graphkit.model.raw import RawDataset, RawTable
from graphkit.model.schema import TABLES
from graphkit.settings import Settings, get_settings

__all__ = ["read_xlsx"]


def _xlsx_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        if value.time() == _dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


_FORMULA = re.compile(r"^=")


def read_xlsx(data: bytes, label: str, problems: Problems, settings: Settings | None = None) -> RawDataset:
    """Read a workbook whose sheets are named like the contract's tables.

    Formula cells use Excel's cached value when there is one (with a warning) and are an error otherwise; merged
    cells are reported; dates become ISO strings.
    """
    with warnings.catch_warnings():  # openpyxl warns on stderr about what it skips; what matters is reported here
        warnings.simplefilter("ignore")
        return _read_xlsx(data, label, problems, settings)


def _read_xlsx(data: bytes, label: str, problems: Problems, settings: Settings | None) -> RawDataset:
    from openpyxl.utils.cell import range_boundaries

    settings = settings or get_settings()
    tables: dict[str, RawTable] = {}
    if len(data) > settings.max_upload_bytes:
        problems.error(label, 1, "*", "file_too_large", n=len(data), limit=settings.max_upload_bytes)
        return RawDataset(tables, label, "xlsx")
    try:  # a workbook is a zip: every part openpyxl reads is inflated in bounded chunks (graphkit.io.archive)
        book = _open_book(data, settings, data_only=False)
    except ArchiveError as exc:
        problems.error(label, 1, "*", exc.code, **exc.params)
        return RawDataset(tables, label, "xlsx")
    except Exception as exc:  # openpyxl raises many types for a damaged file
        problems.error(label, 1, "*", "workbook_unreadable", detail=_detail(exc))
        return RawDataset(tables, label, "xlsx")
    cached = None
    failed: set[str] = set()
    sheets = {ws.title.strip().lower(): ws for ws in book.worksheets}
    for title in sheets:
        if title not in TABLES and title not in DOC_SHEETS:
            problems.warning(label, 1, "*", "unknown_sheet", sheet=title)
        elif title in TABLES and getattr(sheets[title], "sheet_state", "visible") != "visible":
            problems.warning(label, 1, "*", "hidden_sheet", sheet=title)  # read, but a reviewer should know
    for name, table in TABLES.items():
        sheet_label = f"{label}[{name}]"
        ws = sheets.get(name)
        if ws is None:
            if table.required_file:
                problems.error(sheet_label, 1, "*", "file_missing", file=sheet_label)
                failed.add(name)
            continue
        rows: list[list[str]] = []
        formulas = []
        try:  # openpyxl parses the sheet XML lazily, row by row, inside this loop
            over = _read_rows(ws, rows, formulas, settings)
            if formulas:
                if cached is None:
                    cached = _open_book(data, settings, data_only=True)
                cws = cached[ws.title]
                cws.reset_dimensions()
                values = {(r, c): v for r, row in enumerate(cws.iter_rows(values_only=True), start=1)
                          for c, v in enumerate(row)}
            merged = _merged_ranges(book, ws)
        except ArchiveError as exc:
            problems.error(sheet_label, 1, "*", exc.code, **exc.params)
            failed.add(name)
            continue
        except _Refused as exc:
            problems.error(sheet_label, exc.row, "*", exc.code, **exc.params)
            failed.add(name)
            continue
        except Exception as exc:  # not well-formed XML, a bad number or date, a shared string out of range …
            problems.error(sheet_label, len(rows) + 1, "*", "sheet_damaged", detail=_detail(exc))
            failed.add(name)
            continue
        if over:  # stopped counting at the limit: a 1,048,576-row sheet costs no more than the limit
            problems.error(sheet_label, 1, "*", "too_many_rows_over", limit=settings.max_rows)
            failed.add(name)
            continue
        if formulas:
            for r, c, formula in formulas:
                header = rows[0][c] if rows and c < len(rows[0]) else column_letter(c)
                value = values.get((r, c))
                if value is None:
                    problems.error(sheet_label, r, header or column_letter(c), "formula_cell", formula=formula[:60])
                    rows[r - 1][c] = ""
                else:
                    problems.warning(sheet_label, r, header or column_letter(c), "formula_cell", formula=formula[:60])
                    rows[r - 1][c] = _xlsx_cell(value)
        if not rows or not any(str(v).strip() for v in rows[0]):
            problems.error(sheet_label, 1, "*", "file_empty")
            failed.add(name)
            continue
        for ref in merged:
            min_col, min_row, _, _ = range_boundaries(ref)
            header = rows[0][min_col - 1].strip() if min_col <= len(rows[0]) else ""
            header = header.lower() if header.lower() in table.column_names else header
            problems.warning(sheet_label, min_row, header or column_letter(min_col - 1), "merged_cells", range=ref)
        width = max(len(r) for r in rows)
        frame = pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=object)
        raw = frame_to_table(frame, name, sheet_label, problems, settings)
        if raw is not None:
            tables[name] = raw
        else:
            failed.add(name)
    return RawDataset(tables, label, "xlsx", failed)


class _Refused(Exception):
    """A sheet over a limit: the problem to report at ``row``."""

    def __init__(self, row: int, code: str, **params):
        self.row, self.code, self.params = row, code, params
        super().__init__(code)


def _detail(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]


def _open_book(data: bytes, settings: Settings, *, data_only: bool):
    """openpyxl's read-only workbook over a :class:`BoundedZipFile`: openpyxl's own ``zipfile.ZipFile`` would
    inflate a lying or bzip2 part without bound."""
    from openpyxl.reader.excel import ExcelReader

    archive = open_archive(data, limit=settings.max_upload_bytes)
    reader = ExcelReader.__new__(ExcelReader)  # ExcelReader.__init__ would open a plain ZipFile: set its fields
    reader.archive = archive
    reader.valid_files = archive.namelist()
    reader.read_only, reader.keep_vba, reader.data_only = True, False, data_only
    reader.keep_links, reader.rich_text, reader.shared_strings = True, False, []
    reader.read()
    return reader.wb


def _read_rows(ws, rows: list, formulas: list, settings: Settings) -> bool:
    """Append the sheet's rows (as strings) to ``rows`` and its formula cells to ``formulas``; True when the sheet
    has more than ``settings.max_rows`` data rows (reading stops there)."""
    ws.reset_dimensions()  # read every row: the declared <dimension> may be stale or lie (Excel ignores it)
    for r_index, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if len(row) > settings.max_columns:
            raise _Refused(r_index, "too_many_columns", n=len(row), limit=settings.max_columns)
        cells = []
        for c_index, value in enumerate(row):
            if isinstance(value, str) and _FORMULA.match(value) and len(value) > 1:
                formulas.append((r_index, c_index, value))
            cells.append(_xlsx_cell(value))
        rows.append(cells)
        if len(rows) > settings.max_rows + 1:
            return True
    return False


_MERGE_CELL = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]+[0-9]+(?::[A-Za-z]+[0-9]+)?)"')


def _merged_ranges(book, ws) -> list[str]:
    """The merged ranges of a read-only sheet, scanned from its XML in 1 MB pieces: openpyxl parses them only in
    full mode, which would build every cell of an untrusted workbook in memory."""
    try:
        source = book._archive.open(ws._worksheet_path)
    except Exception:  # pragma: no cover - a sheet openpyxl just read is there
        return []
    found, tail = [], b""
    with source:
        while chunk := source.read(1 << 20):
            block = tail + chunk
            cut = block.rfind(b"<")  # every element starts with "<": scan whole elements, carry the last one
            if cut <= 0:
                tail = block
                continue
            found += _MERGE_CELL.findall(block[:cut])
            tail = block[cut:]
    found += _MERGE_CELL.findall(tail)
    return [ref.decode("ascii").upper() for ref in found]
