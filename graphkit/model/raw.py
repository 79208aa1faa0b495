"""Raw tables: a dataset as strings with spreadsheet row numbers, before validation types it (every reader's output)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import pandas as pd

from graphkit.model.schema import TABLES

__all__ = ["RawTable", "RawDataset", "frame_from_rows", "empty_raw_table"]

log = logging.getLogger(__name__)


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


def empty_raw_table(name: str) -> RawTable:
    """An empty table with the contract's columns (a missing optional file)."""
    table = TABLES[name]
    frame = _empty_frame(table.column_names)
    return RawTable(name, table.filename, frame)
