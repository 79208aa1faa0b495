"""A review recorded by hand: reviewers' decisions on checks as the contract's assessments table — applied to a
dataset, exported as ``assessments.csv`` / ``.xlsx`` (formulas neutralised) and read back, every problem at once.

>>> rows = [{"center_id": "C1", "check_id": "2", "status": "met", "assessor": "张三", "date": "2026-11-02"}]
>>> list(assessments_table(rows).columns)
['center_id', 'check_id', 'status', 'assessor', 'date', 'note', 'evidence']
"""

from __future__ import annotations

import datetime as _dt
import io
import re

import pandas as pd

from graphkit.model.i18n import Kinds
from graphkit.model.notice import CHECKS
from graphkit.model.problems import Problems

__all__ = ["COLUMNS", "REQUIRED", "STATUSES", "assessments_table", "with_assessments", "assessments_csv_bytes",
           "assessments_xlsx_bytes", "read_assessments", "reviewable_checks"]

COLUMNS = ("center_id", "check_id", "status", "assessor", "date", "note", "evidence")
REQUIRED = ("center_id", "check_id", "status")
STATUSES = ("met", "not_met")
_DATE = re.compile(r"\d{4}(-\d{1,2}(-\d{1,2})?)?")


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def assessments_table(rows) -> pd.DataFrame:
    """Decisions (dicts) as the contract's table, in the contract's column order; missing values empty."""
    return pd.DataFrame([{c: _text(r.get(c)) for c in COLUMNS} for r in rows], columns=list(COLUMNS))


def reviewable_checks(result) -> list[str]:
    """The checks of a center's result a reviewer decides: the attested ones, and any already assessed
    (an override of a computed check), in the notice's order."""
    return [c.id for c in result.checks if CHECKS[c.id].kind == "attested" or c.assessment]


def with_assessments(ds, rows):
    """A copy of ``ds`` whose assessments are its own plus ``rows``; a row replaces the dataset's assessments of the
    same center and check (the reviewer's decision in this session is the one that holds). ``ds`` is unchanged."""
    rows = list(rows)
    if not rows:
        return ds
    new = assessments_table(rows)
    old = ds.frames["assessments"]
    decided = set(zip(new["center_id"], new["check_id"]))
    keep = ~pd.Series([(c, k) in decided for c, k in zip(old["center_id"], old["check_id"])], index=old.index, dtype=bool)
    start = (int(old.index.max()) + 1) if len(old) else 2
    new.index = pd.RangeIndex(start, start + len(new))
    frame = pd.concat([old[keep], new.reindex(columns=old.columns)]) if len(old.columns) else new
    clone = object.__new__(type(ds))
    clone.__dict__.update(ds.__dict__)
    clone.frames = {**ds.frames, "assessments": frame.astype(object).where(frame.notna(), None)}
    for cached in ("_check_tables", "_provenance"):  # derived from the assessments: computed again for the copy
        clone.__dict__.pop(cached, None)
    return clone


def assessments_csv_bytes(rows) -> bytes:
    """``assessments.csv`` as the contract writes it (UTF-8 with BOM, formulas neutralised)."""
    from graphkit.io.export import table_to_csv_bytes

    return table_to_csv_bytes(assessments_table(rows))


def assessments_xlsx_bytes(rows) -> bytes:
    """An ``assessments`` sheet (formulas neutralised)."""
    from graphkit.io.export import table_to_xlsx_bytes

    return table_to_xlsx_bytes({"assessments": assessments_table(rows)})


def _frame(data: bytes, name: str) -> pd.DataFrame:
    if name.lower().endswith((".xlsx", ".xlsm")):
        book = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, header=0)
        sheet = next((f for s, f in book.items() if s.strip().lower() in ("assessments", "评审意见")),
                     next(iter(book.values())))
        return sheet
    return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False, encoding="utf-8-sig")


def read_assessments(data: bytes, name: str, ds) -> tuple[list[dict], Problems]:
    """Read an uploaded assessments table (CSV or XLSX) against ``ds``: the decisions, and every problem found
    (``FILE:ROW:COLUMN``; the rows are returned only when there is no error)."""
    problems = Problems()
    try:
        frame = _frame(data, name)
    except UnicodeDecodeError:
        problems.error(name, 1, "", "not_utf8")
        return [], problems
    except (ValueError, OSError, KeyError, StopIteration, pd.errors.ParserError) as exc:
        code = "workbook_unreadable" if name.lower().endswith((".xlsx", ".xlsm")) else "csv_parse"
        problems.error(name, 1, "", code, detail=str(exc)[:200])
        return [], problems
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    missing = [c for c in REQUIRED if c not in frame.columns]
    for c in missing:
        problems.error(name, 1, c, "column_missing", column=c)
    if missing:
        return [], problems
    rows = []
    for pos, raw in enumerate(frame.to_dict("records")):
        row_no = pos + 2  # as a spreadsheet shows it, header = row 1
        rec = {c: _text(raw.get(c)) for c in COLUMNS}
        for c in COLUMNS:  # a cell this app exported starts with ' when it looked like a formula
            if rec[c] and rec[c].startswith("'") and rec[c][1:2] in ("=", "+", "-", "@"):
                rec[c] = rec[c][1:]
        for c in REQUIRED:
            if not rec[c]:
                problems.error(name, row_no, c, "required_empty")
        if rec["center_id"] and rec["center_id"] not in ds.index.center_pos:
            problems.error(name, row_no, "center_id", "unknown_ref", kind=Kinds(("center",)), value=rec["center_id"])
        if rec["check_id"] and rec["check_id"] not in CHECKS:
            problems.error(name, row_no, "check_id", "bad_check_id", value=rec["check_id"], allowed=", ".join(CHECKS))
        if rec["status"] and rec["status"] not in STATUSES:
            problems.error(name, row_no, "status", "bad_enum", value=rec["status"], allowed=" / ".join(STATUSES))
        if rec["date"] and not _valid_date(rec["date"]):
            problems.error(name, row_no, "date", "bad_date", value=rec["date"])
        rows.append(rec)
    return ([] if problems.has_errors() else rows), problems


def _valid_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    parts = [int(p) for p in text.split("-")] + [1, 1]
    try:
        _dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        return False
    return True
