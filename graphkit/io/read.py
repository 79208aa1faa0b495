"""Readers: a CSV folder, a zip of CSVs, or an XLSX workbook become raw string tables with spreadsheet row numbers.

Nothing here interprets values; :mod:`graphkit.model.validate` does. Every table keeps the row number a spreadsheet
shows (header = row 1) as its index, so every later message can say FILE:ROW:COLUMN.
"""

from __future__ import annotations

import logging
from pathlib import Path

from graphkit.io.csv import read_csv_bytes, read_csv_folder, read_zip, sniff_binary
from graphkit.model.problems import Problems
from graphkit.model.raw import RawDataset
from graphkit.model.schema import TABLES
from graphkit.settings import Settings, get_settings

__all__ = ["read_raw"]

log = logging.getLogger(__name__)


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
        from graphkit.io.xlsx import (
            read_xlsx,  # local: openpyxl is only needed for workbooks
        )

        return read_xlsx(data, label, problems, settings)
    if suffix == ".zip":
        return read_zip(data, label, problems, settings)
    if suffix in (".ttl", ".jsonld", ".json", ".nt", ".n3"):
        from graphkit.io.rdf.read import (
            read_rdf,  # local: rdflib is only needed for RDF sources
        )

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
    what = sniff_binary(data[:16]) or f"a '{suffix or 'unknown'}' file"
    problems.error(label, 1, "*", "not_csv", what=what)
    return RawDataset({}, label, "unknown")
