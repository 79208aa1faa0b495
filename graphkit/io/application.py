"""Applications: the claims of an uploaded application workbook, read and validated against a loaded dataset.

An application is a workbook in the template's format (sheets named like the contract's tables) or a lone
``claims.csv``; only its ``claims`` sheet is read. Every row is checked against the dataset — the center and
the field must exist, the claim kind must be known, the value must fit the kind — and every problem is
reported at once as FILE:ROW:COLUMN, like a dataset's. The valid claims then go to :func:`graphkit.claims` (``claims(ds, frame=app.claims)``).

>>> from graphkit import load_dataset
>>> ds = load_dataset("tests/fixtures/tiny")
>>> app = read_application(b"center_id,claim,value\\nC1,coverage_ratio,62%\\nC9,member_count,x\\n", ds, name="claims.csv")
>>> app.problems.format_errors("en")
['claims.csv:3:center_id: unknown center id C9', 'claims.csv:3:value: x is not a non-negative whole number']
>>> from graphkit import claims
>>> [(v.claim, v.verdict) for v in claims(ds, frame=app.claims)]
[('coverage_ratio', 'understated')]
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from graphkit.io.csv import read_csv_bytes
from graphkit.io.read import read_raw
from graphkit.model.i18n import Kinds
from graphkit.model.problems import Problems
from graphkit.model.raw import RawTable
from graphkit.model.schema import CLAIM_KINDS, ENUM_SYNONYMS, TABLES
from graphkit.model.validate import parse_ratio
from graphkit.settings import Settings

__all__ = ["Application", "read_application"]

_COLUMNS = TABLES["claims"].column_names


@dataclass
class Application:
    """The claims of one application: typed like ``Dataset.frames["claims"]`` (index = spreadsheet row), only the
    rows without an error, and every problem found."""

    claims: pd.DataFrame
    problems: Problems
    origin: str

    @property
    def ok(self) -> bool:
        return not self.problems.has_errors()



def _claims_table(source, name: str | None, problems: Problems, settings: Settings | None) -> RawTable | None:
    label = name or (Path(source).name if not isinstance(source, (bytes, bytearray)) else "upload")
    if label.lower().endswith(".csv"):
        data = bytes(source) if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()
        return read_csv_bytes(data, "claims", label, problems, settings)
    # A workbook: read it whole, then keep only what concerns its claims sheet (an application need not hold
    # the dataset's required sheets, and may hold any others).
    found = Problems()
    raw = read_raw(source, found, settings, name=label)
    table = raw.tables.get("claims")
    sheet = table.label if table is not None else f"{label}[claims]"
    for p in found.items:
        other_hidden = p.code == "hidden_sheet" and dict(p.params).get("sheet") != "claims"
        if p.file == sheet or (p.file == label and p.code not in ("unknown_sheet", "merged_cells") and not other_hidden):
            problems.items.append(p)
    if table is None and not problems.has_errors():
        problems.error(sheet, 1, "*", "file_missing", file=sheet)
    return table


def _canon_claim(value: str) -> str | None:
    low = value.strip().lower()
    if low in CLAIM_KINDS:
        return low
    syn = ENUM_SYNONYMS.get(value.strip()) or ENUM_SYNONYMS.get(low)
    return syn if syn in CLAIM_KINDS else None


def _parse_value(kind: str, value: str, err, warn):
    if kind == "coverage_ratio":
        ratio, as_pct = parse_ratio(value)
        if ratio is None:
            return err("value", "bad_ratio", value=value)
        if not 0 <= ratio <= 1:
            return err("value", "ratio_range", value=value)
        if as_pct:
            warn("value", "ratio_as_percent", value=value, pct=f"{ratio * 100:g}")
        return ratio
    if kind == "member_count":
        text = value.replace(",", "").strip()
        try:
            number = float(text)
        except ValueError:
            number = -1.0
        if number < 0 or not number.is_integer():
            return err("value", "bad_count", value=value)
        return int(number)
    entries = tuple(x.strip() for x in value.split("|") if x.strip())
    return entries or err("value", "list_empty")


def read_application(source, ds, *, name: str | None = None, settings: Settings | None = None) -> Application:
    """Read the claims of an application (workbook or claims.csv: a path, or bytes with ``name``) and validate
    them against ``ds``; never raises for bad input (the problems say what is wrong)."""
    problems = Problems()
    table = _claims_table(source, name, problems, settings)
    label = table.label if table is not None else (name or str(source))
    rows: list[dict] = []
    if table is not None:
        frame = table.frame
        missing = [c for c in ("center_id", "claim", "value") if c not in frame.columns]
        for column in missing:
            problems.error(label, 1, column, "column_missing", column=column)
        if not missing and not len(frame):
            problems.error(label, 1, "*", "file_no_rows")
        if not missing:
            rows = _validate_rows(ds, frame, label, problems)
    claims = pd.DataFrame(rows, columns=[*_COLUMNS, "parsed_value", "_row"], dtype=object)
    if rows:
        claims.index = pd.Index([r["_row"] for r in rows])
    claims = claims.drop(columns=["_row"], errors="ignore")
    return Application(claims, problems, label)


def _validate_rows(ds, frame: pd.DataFrame, label: str, problems: Problems) -> list[dict]:
    ix = ds.index
    out = []
    for row, rec in zip(frame.index.tolist(), frame.to_dict("records")):
        before = len(problems.errors)

        def err(column, code, **kw):
            problems.error(label, row, column, code, **kw)

        def warn(column, code, **kw):
            problems.warning(label, row, column, code, **kw)

        cells = {c: str(rec.get(c) or "").strip() for c in _COLUMNS}
        for column in ("center_id", "claim", "value"):
            if not cells[column]:
                err(column, "required_empty")
        center, kind, field = cells["center_id"], _canon_claim(cells["claim"]) if cells["claim"] else None, cells["field_id"]
        if center and center not in ix.center_pos:
            err("center_id", "unknown_ref", kind=Kinds(("center",)), value=center)
        if cells["claim"] and kind is None:
            err("claim", "bad_enum", value=cells["claim"], allowed=", ".join(CLAIM_KINDS))
        if field and field not in ix.field_pos:
            err("field_id", "unknown_ref", kind=Kinds(("field",)), value=field)
        parsed = _parse_value(kind, cells["value"], err, warn) if kind and cells["value"] else None
        if len(problems.errors) == before:
            out.append({"center_id": center, "claim": kind, "value": cells["value"], "field_id": field or None,
                        "source": cells["source"] or None, "note": cells["note"] or None, "parsed_value": parsed,
                        "_row": row})
    return out
