"""The XLSX reader: a workbook whose sheets are named like the contract's tables becomes raw string tables.

Dates become ISO strings; a formula uses Excel's cached value (with a warning) or is an error; merged cells,
hidden and unknown sheets are reported; the unpacked size counts against the upload limit.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile

import pandas as pd

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
    import openpyxl  # imported here: only workbook users pay for it
    from openpyxl.utils.cell import range_boundaries

    settings = settings or get_settings()
    tables: dict[str, RawTable] = {}
    if len(data) > settings.max_upload_bytes:
        problems.error(label, 1, "*", "file_too_large", n=len(data), limit=settings.max_upload_bytes)
        return RawDataset(tables, label, "xlsx")
    try:  # a workbook is a zip: its unpacked size is what memory pays (a zip bomb is small on disk)
        unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except Exception:  # not a zip at all: openpyxl says so below
        unpacked = 0
    if unpacked > settings.max_upload_bytes:
        problems.error(label, 1, "*", "file_too_large", n=unpacked, limit=settings.max_upload_bytes)
        return RawDataset(tables, label, "xlsx")
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        problems.error(label, 1, "*", "workbook_unreadable", detail=f"{type(exc).__name__}: {exc}"[:200])
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
        rows = []
        formulas = []
        stream = ws.iter_rows(values_only=True)
        for r_index, row in enumerate(stream, start=1):
            cells = []
            for c_index, value in enumerate(row):
                if isinstance(value, str) and _FORMULA.match(value) and len(value) > 1:
                    formulas.append((r_index, c_index, value))
                cells.append(_xlsx_cell(value))
            rows.append(cells)
            if len(rows) > settings.max_rows + 1:
                break
        else:
            stream = None
        if stream is not None:  # over the row limit: count the rest without keeping it, for an exact message
            n = sum(any(c.strip() for c in r) for r in rows[1:])
            n += sum(any(v is not None and str(v).strip() for v in r) for r in stream)
            problems.error(sheet_label, 1, "*", "too_many_rows", n=n, limit=settings.max_rows)
            failed.add(name)
            continue
        if formulas:
            if cached is None:
                cached = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            cws = cached[ws.title]
            values = {(r, c): v for r, row in enumerate(cws.iter_rows(values_only=True), start=1) for c, v in enumerate(row)}
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
        for ref in _merged_ranges(book, ws):
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
