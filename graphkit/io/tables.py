"""What every reader shares: the header and cell checks that turn string columns into a :class:`RawTable`, and the
formula neutralisation that exports apply and reads undo."""

from __future__ import annotations

import logging
import re

import numpy as np
import pandas as pd

from graphkit.model.columns import to_arrow
from graphkit.model.problems import Problems
from graphkit.model.raw import RawTable
from graphkit.model.schema import TABLES
from graphkit.settings import Settings

__all__ = ["DOC_SHEETS", "FORMULA_CHARS", "neutralize", "unneutralize", "unneutralize_arrow", "column_letter"]

log = logging.getLogger(__name__)


# Sheets of our own template that hold documentation, not data.
DOC_SHEETS = {"readme", "说明", "columns", "列说明", "instructions"}


def frame_to_table(frame: pd.DataFrame, name: str, label: str, problems: Problems, settings: Settings) -> RawTable | None:
    """A header-less string frame (header in its first row) as a :class:`RawTable`."""
    return columns_to_table([to_arrow(frame.iloc[:, i]) for i in range(frame.shape[1])], name, label, problems, settings)


def columns_to_table(columns: list, name: str, label: str, problems: Problems, settings: Settings, *, nul: bool = True) -> RawTable | None:
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
                problems.error(label, 1, column_letter(pos), "column_blank", n=pos + 1)
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
    check_cells(frame, label, problems, settings, nul=nul)
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
    from graphkit.model.columns import to_arrow

    return pd.Series(pd.arrays.ArrowStringArray(unneutralize_arrow(to_arrow(series))), index=series.index)


def check_cells(frame: pd.DataFrame, label: str, problems: Problems, settings: Settings, *, nul: bool = True) -> None:
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


def column_letter(pos: int) -> str:
    letters = ""
    pos += 1
    while pos:
        pos, rem = divmod(pos - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _want_tables(names) -> dict[str, str]:
    return {f"{t}.csv": t for t in TABLES if t in names}
