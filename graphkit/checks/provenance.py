"""Which facts behind a check result are synthetic: the rows and columns a check reads, judged by their ``source``.

A center row that cites a source may still hold synthetic columns: when its ``note`` says
``Real (from the source): a, b, …`` (as the bundled sample's real centers do) only those columns count as real;
an empty column of such a row is missing from the source, not synthetic.

>>> from graphkit import load_dataset
>>> from graphkit.checks.conditions import check
>>> ds = load_dataset("data/sample")
>>> r = check(ds, "C0003")[0].by_id()["4.2"]
>>> [(f["table"], f["synthetic_rows"]) for f in synthetic_facts(ds, "C0003", r)]
[('shareholders', 4), ('field_rankings', 30)]
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["CHECK_FACTS", "synthetic_facts", "is_synthetic", "source_label", "real_sources"]

SYNTHETIC = "synthetic"

# per check: the facts it reads — ("centers", columns) for the center's own row, or a table of rows
CHECK_FACTS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "1": [("centers", ("field_id",))],
    "4.1": [("centers", ("operating_company_id",)), ("shareholders", ()), ("alliance_members", ())],
    "4.2": [("shareholders", ()), ("field_rankings", ())],
    "4.3": [("alliance_members", ()), ("platforms", ())],
    "5.1": [("centers", ("has_board", "has_management_team"))],
    "6.1": [("shareholders", ())],
    "6.2": [("income", ())],
    "7.1": [("centers", ("has_expert_committee", "chair_is_leading_expert"))],
    "7.2": [("centers", ("employees", "rd_staff"))],
    "7.3": [("centers", ("total_cost", "rd_expense"))],
    "8.1": [("centers", ("has_roadmap", "roadmap_year"))],
    "8.2": [("collaborations", ())],
    "9.1": [("centers", ("has_ip_policy",))],
    "9.2": [("collaborations", ())],
    "10.2": [("collaborations", ())],
    "11": [("collaborations", ())],
    "12": [("centers", ("founded",))],
}
_REAL_COLS = re.compile(r"Real \(from the source\):\s*([^.]*)\.")


def is_synthetic(source) -> bool:
    """A ``source`` value that marks a synthetic row (case and spaces ignored)."""
    return str(source if source is not None and source == source else "").strip().lower() == SYNTHETIC


def _real_columns(row: pd.Series) -> set[str] | None:
    """The center row's real columns, or None when every column follows the row's source."""
    m = _REAL_COLS.search(str(row.get("note") or ""))
    if not m:
        return None
    return {part.strip().split(" ")[0] for part in m.group(1).split(",") if part.strip()}


def _rows(ds, table: str, center_id: str, center: pd.Series) -> pd.DataFrame:
    frame = ds.frames.get(table)
    if frame is None or frame.empty:
        return pd.DataFrame()
    if table in ("shareholders", "alliance_members", "income"):
        return frame[frame["center_id"] == center_id]
    if table == "field_rankings":
        return frame[frame["field_id"] == center["field_id"]]
    if table == "platforms":
        return frame[frame["field_ids"].astype(str).str.split("|").map(lambda fs: center["field_id"] in fs)]
    if table == "collaborations":
        ends = {center_id, str(center.get("operating_company_id") or "")} - {""}
        return frame[frame["from_id"].isin(ends)]
    return pd.DataFrame()


def synthetic_facts(ds, center_id: str, result) -> list[dict]:
    """The facts behind ``result`` (a check result of ``center_id``) that are synthetic, as dicts
    ``{"table", "columns", "rows", "synthetic_rows"}`` (rows: how many rows of the table the check reads for the
    center; a center column gives rows 1). A synthetic assessment that decided the result is listed as
    ``assessments``. Empty when every fact cites a source, or for a check that reads no table (attested ones)."""
    centers = ds.frames["centers"]
    center = centers[centers["center_id"] == center_id].iloc[0]
    out = []
    for table, cols in CHECK_FACTS.get(result.id, []):
        if table == "centers":
            real = _real_columns(center)
            if is_synthetic(center.get("source")):
                syn = list(cols)
            else:
                # an empty column of a cited row is missing from the source, not synthetic
                syn = [c for c in cols if real is not None and c not in real and str(center.get(c) or "").strip()
                       and center.get(c) == center.get(c)]
            if syn:
                out.append({"table": "centers", "columns": syn, "rows": 1, "synthetic_rows": 1})
            continue
        rows = _rows(ds, table, center_id, center)
        if rows.empty or "source" not in rows:
            continue
        n_syn = int(rows["source"].map(is_synthetic).sum())
        if n_syn:
            out.append({"table": table, "columns": [], "rows": int(len(rows)), "synthetic_rows": n_syn})
    if getattr(result, "assessment", None) and is_synthetic(result.assessment.get("source")):
        out.append({"table": "assessments", "columns": [], "rows": 1, "synthetic_rows": 1})
    return out


# kinds of citation the bundled sample uses, as a person reads them (zh, en)
_SOURCE_KINDS = [
    ("ror.org/", ("ROR 机构登记（CC0）", "ROR registry (CC0)")),
    ("学校标识码", ("教育部全国普通高等学校名单（2025-06-20）", "MoE list of higher-education institutions (2025-06-20)")),
    ("A-share list", ("A 股上市公司名单（tushare，CC-BY 4.0）", "A-share listed companies (tushare, CC-BY 4.0)")),
    ("http", ("公开网页（见各行 source）", "public web pages (see each row's source)")),
]


def source_label(source: str, lang: str = "zh") -> str:
    """The kind of citation a ``source`` value is (the first kind it names), or the value itself."""
    for key, (zh, en) in _SOURCE_KINDS:
        if key in source:
            return zh if lang == "zh" else en
    return source


def real_sources(provenance: dict[str, dict[str, int]], lang: str = "zh") -> dict[str, dict[str, int]]:
    """Per table, the rows that cite a source, counted by kind of citation (from ``Dataset.provenance()``)."""
    out: dict[str, dict[str, int]] = {}
    for table, by_source in provenance.items():
        for source, n in by_source.items():
            if source and not is_synthetic(source):
                label = source_label(source, lang)
                out.setdefault(table, {})
                out[table][label] = out[table].get(label, 0) + n
    return out
