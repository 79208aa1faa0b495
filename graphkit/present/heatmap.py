"""The coverage heat map's table: centers (or groups of centers) × fields, each row with a readable label.

At 4,000 centers a row per center cannot be read, so the rows can be the centers of a search, the top N by a
chosen metric, or groups (the centers of a province, or of a field) with their mean coverage per field.

>>> abbreviate("浙江省新一代信息技术制造业创新中心", 12)
'浙江省新一代…业创新中心'
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from graphkit.queries.coverage import coverage_matrix

__all__ = ["ORDERS", "GROUPINGS", "coverage_cells", "abbreviate", "heatmap_rows"]

ORDERS = ("field", "worst", "best", "most_members", "fewest_members")
GROUPINGS = ("center", "province", "field")
_UNKNOWN = {"zh": "（未注明省份）", "en": "(province not given)"}


def coverage_cells(ds) -> pd.DataFrame:
    """Centers × fields as a long table: center_id, field_id, covered, total, ratio (None when the field has no
    platform), own (the center's own field)."""
    covered, totals, centers, fields = coverage_matrix(ds)
    C, F = len(centers), len(fields)
    frame = pd.DataFrame({
        "center_id": np.repeat(np.asarray(centers, object), F),
        "field_id": np.tile(np.asarray(fields, object), C),
        "covered": covered.ravel(),
        "total": np.tile(totals, C),
        "own": np.tile(np.arange(F), C) == np.repeat(ds.index.center_field, F),
    })
    frame["ratio"] = frame["covered"] / frame["total"].where(frame["total"] > 0)
    return frame


def abbreviate(name: str, limit: int = 16) -> str:
    """``name`` within ``limit`` characters: the start and the end kept, "…" between (names of one province and
    field often share the start, and differ at the end)."""
    name = " ".join(str(name).split())  # line and paragraph separators, tabs: one space
    if len(name) <= limit:
        return name
    head = (limit - 1) // 2 + (limit - 1) % 2
    return name[:head] + "…" + name[len(name) - (limit - 1 - head):]


def heatmap_rows(ds, cells: pd.DataFrame, *, fields=None, group: str = "center", order: str = "field",
                 top: int = 60, query: str = "", lang: str = "zh", limit: int = 16) -> tuple[pd.DataFrame, int]:
    """The cells to draw and how many rows matched before ``top``.

    Rows are centers (``group="center"``: of ``fields`` if given, whose name or id contains ``query``, ordered by
    ``order`` — the own field's coverage or the member count — and cut at ``top``), or the centers' provinces or
    own fields (``group="province"`` / ``"field"``: the mean coverage of the group's centers per field). Columns:
    row (key), label (abbreviated, unique), title (full), field_id, field (name), ratio, covered, total, own,
    centers (in the row)."""
    centers = ds.frames["centers"]
    own = cells[cells["own"]].set_index("center_id")
    sel = centers[["center_id", "name", "province", "field_id"]].copy()
    if fields:
        sel = sel[sel["field_id"].isin(list(fields))]
    q = " ".join(str(query).split()).lower()
    if q:
        sel = sel[sel["name"].str.lower().str.contains(q, regex=False) | sel["center_id"].str.lower().str.contains(q, regex=False)]
    fname = {f: ds.fields[f].name(lang) for f in ds.fields}
    if group in ("province", "field"):
        key = sel["province"].fillna("").replace("", _UNKNOWN[lang]) if group == "province" else sel["field_id"]
        member = dict(zip(sel["center_id"], key))
        part = cells[cells["center_id"].isin(member)].assign(row=lambda f: f["center_id"].map(member))
        out = part.groupby(["row", "field_id"], sort=False).agg(ratio=("ratio", "mean"), covered=("covered", "sum"),
                                                               total=("total", "sum"), centers=("center_id", "size"))
        out = out.reset_index()
        out["own"] = False
        if group == "field":
            out["own"] = out["row"] == out["field_id"]
        out["ratio"] = out["ratio"].where(out["total"] > 0)
        rows = sorted(out["row"].unique(), key=lambda r: (-int(out.loc[out["row"] == r, "centers"].iloc[0]), str(r)))
        matched = len(rows)
        rows = rows[:top]
        out = out[out["row"].isin(rows)]
        titles = {r: (f"{r} {fname.get(r, '')}" if group == "field" else r) for r in rows}
        counts = out.drop_duplicates("row").set_index("row")["centers"]
        suffix = "个中心" if lang == "zh" else " centers"
        title = {r: f"{titles[r]} ({int(counts[r])}{suffix})" for r in rows}
        out = out.assign(title=out["row"].map(title), label=out["row"].map({r: abbreviate(title[r], limit + 8) for r in rows}))
        out["order"] = out["row"].map({r: i for i, r in enumerate(rows)})
    else:
        ratio = own["ratio"].reindex(sel["center_id"]).fillna(-1).to_numpy()
        members = ds.frames["alliance_members"]["center_id"].value_counts().reindex(sel["center_id"]).fillna(0).to_numpy()
        sel = sel.assign(_r=ratio, _m=members)
        by = {"field": (["field_id", "center_id"], [True, True]), "worst": (["_r", "center_id"], [True, True]),
              "best": (["_r", "center_id"], [False, True]), "most_members": (["_m", "center_id"], [False, True]),
              "fewest_members": (["_m", "center_id"], [True, True])}[order]
        sel = sel.sort_values(by[0], ascending=by[1], kind="stable")
        matched = len(sel)
        sel = sel.head(top)
        title = {c: f"{n} ({c})" for c, n in zip(sel["center_id"], sel["name"])}
        label = {c: f"{abbreviate(n, limit)} ({c})" for c, n in zip(sel["center_id"], sel["name"])}
        out = cells[cells["center_id"].isin(title)].rename(columns={"center_id": "row"})
        out = out.assign(title=out["row"].map(title), label=out["row"].map(label), centers=1)
        out["order"] = out["row"].map({c: i for i, c in enumerate(sel["center_id"])})
    out = out.assign(field=out["field_id"].map(fname)).sort_values(["order", "field_id"], kind="stable")
    out["ratio"] = out["ratio"].astype(float)
    cols = ["row", "label", "title", "field_id", "field", "ratio", "covered", "total", "own", "centers", "order"]
    return out[cols].reset_index(drop=True), matched
