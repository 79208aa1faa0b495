"""The dataset as a networkx MultiDiGraph: entities are nodes, contract relations are typed edges.

Nodes carry ``type`` (center / organization / platform / field) and every column of their row (lists as
lists, missing values left out, ``source`` included). Each edge's key is its relation (``member_of``,
``shareholder_of``, ``operated_by``, ``in_field``, ``hosted_by``, ``collaborates_with``, ``ranked_in``) and
its ``relation`` attribute says the same; a second edge of one relation between the same pair (two
collaborations, two ranking years) gets the key ``collaborates_with/2`` and so on, so parallel facts stay
parallel edges. A center's income rows, assessments and claims sit on its node as lists of dicts.

The graph is built from whole columns at once (``add_nodes_from`` / ``add_edges_from`` over prepared
tuples), never row by row with lookups.

>>> from graphkit import load_dataset
>>> ds = load_dataset(Path(__file__).parents[2] / "tests" / "fixtures" / "tiny")
>>> g = to_networkx(ds)
>>> g.nodes["C1"]["type"], g.nodes["C1"]["field_id"], g.nodes["O2"]["aliases"]
('center', 'F03', ['北大'])
>>> sorted(k for _, _, k in g.out_edges("C1", keys=True))
['in_field', 'operated_by']
>>> g.edges["O5", "C1", "shareholder_of"]["share_pct"]
40.0
"""

from __future__ import annotations

import gc
import logging
from collections import defaultdict
from dataclasses import asdict
from pathlib import Path  # noqa: F401 (the doctest uses it)

import networkx as nx
import numpy as np
import pandas as pd

__all__ = ["to_networkx", "RELATIONS", "NODE_TYPES", "CENTER_LISTS", "python_values"]

log = logging.getLogger(__name__)

RELATIONS = ("member_of", "shareholder_of", "operated_by", "in_field", "hosted_by", "collaborates_with", "ranked_in")
NODE_TYPES = {"centers": "center", "organizations": "organization", "platforms": "platform"}
# tables that become lists of dicts on the center node, by attribute name
CENTER_LISTS = {"income": "income", "assessments": "assessments", "claims": "claims"}
_NOT_PROPERTIES = {"parsed_value"}  # derived columns that are not part of the contract


def python_values(series: pd.Series) -> list:
    """Column values as plain Python objects: None for every kind of missing, lists for tuples.

    >>> python_values(pd.Series([1, None], dtype="Int64")), python_values(pd.Series([("a",), (), "", "x"]))
    ([1, None], [['a'], None, None, 'x'])
    """
    dtype = series.dtype
    if isinstance(dtype, (pd.Int64Dtype, pd.BooleanDtype)) or dtype.kind in "iub":
        return series.to_numpy(dtype=object, na_value=None).tolist()
    if dtype.kind == "f":
        values = series.to_numpy(dtype=float)
        return np.where(np.isnan(values), None, values.astype(object)).tolist()
    out = series.to_numpy(dtype=object).tolist()
    for i, v in enumerate(out):
        if v is None or isinstance(v, str):
            if v == "":
                out[i] = None
        elif isinstance(v, (tuple, list)):
            out[i] = list(v) if len(v) else None
        elif v is pd.NA or (isinstance(v, float) and v != v):
            out[i] = None
        elif isinstance(v, np.generic):
            out[i] = v.item()
    return out


def _records(frame: pd.DataFrame, drop=()) -> list[dict]:
    """Each row as a dict of its present values (missing values omitted), columns in frame order."""
    cols = [c for c in frame.columns if c not in drop and c not in _NOT_PROPERTIES]
    if not len(frame):
        return []
    columns = [python_values(frame[c]) for c in cols]
    return [{k: v for k, v in zip(cols, row) if v is not None} for row in zip(*columns)]


def _keys(relation: str, u: list, v: list) -> list[str]:
    """``relation`` for the first edge between a pair, ``relation/2``, ``relation/3`` … for parallel ones."""
    if not u:
        return []
    nth = pd.DataFrame({"u": u, "v": v}).groupby(["u", "v"], sort=False, dropna=False).cumcount().to_numpy()
    if not nth.any():
        return [relation] * len(u)
    return [relation if n == 0 else f"{relation}/{n + 1}" for n in nth.tolist()]


def _edges(relation: str, u: list, v: list, data: list[dict] | None = None) -> list[tuple]:
    keys = _keys(relation, u, v)
    if data is None:
        return [(a, b, k, {"relation": relation}) for a, b, k in zip(u, v, keys)]
    for d in data:
        d["relation"] = relation
    return list(zip(u, v, keys, data))


def _explode(frame: pd.DataFrame, key: str, column: str) -> tuple[list, list]:
    """(owner id, item) pairs of a list column, each item once per owner."""
    pairs = frame[[key, column]].explode(column).dropna()
    pairs = pairs[pairs[column] != ""].drop_duplicates()
    return pairs[key].tolist(), pairs[column].tolist()


def _node_tuples(frame: pd.DataFrame, key: str, type_: str) -> list[tuple]:
    records = _records(frame)
    for r in records:
        r["type"] = type_
    return list(zip(frame[key].tolist(), records))


def to_networkx(ds) -> nx.MultiDiGraph:
    """Build the graph of a :class:`graphkit.model.dataset.Dataset` (see the module docstring for its shape)."""
    # The build allocates a few hundred thousand small dicts and no reference cycles; left on, the cyclic
    # collector would re-scan the whole heap many times over (a third of the build time at 50k organisations).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build(ds)
    finally:
        if enabled:
            gc.enable()


def _build(ds) -> nx.MultiDiGraph:
    f = ds.frames
    g = nx.MultiDiGraph(origin=getattr(ds, "origin", ""))
    centers, orgs, platforms = f["centers"], f["organizations"], f["platforms"]

    # ---- nodes ---------------------------------------------------------------------------------------------
    g.add_nodes_from(_node_tuples(orgs, "org_id", "organization"))
    g.add_nodes_from(_node_tuples(platforms, "platform_id", "platform"))
    center_nodes = _node_tuples(centers, "center_id", "center")
    for table, attr in CENTER_LISTS.items():
        frame = f.get(table)
        if frame is None or not len(frame):
            continue
        by_center: dict[str, list] = defaultdict(list)
        for cid, rec in zip(frame["center_id"].tolist(), _records(frame, drop=("center_id",))):
            by_center[cid].append(rec)
        for cid, data in center_nodes:
            if cid in by_center:
                data[attr] = by_center[cid]
    g.add_nodes_from(center_nodes)
    field_nodes = []
    for field in ds.fields.values():
        data = {k: v for k, v in asdict(field).items() if v not in ("", None)}
        data["type"] = "field"
        field_nodes.append((field.field_id, data))
    clash = [fid for fid, _ in field_nodes if fid in g]
    if clash:  # validation keeps ids unique among entities, not against field ids
        log.warning("field ids also used by an entity (their nodes merge): %s", ", ".join(sorted(clash)[:10]))
    g.add_nodes_from(field_nodes)

    # ---- edges ---------------------------------------------------------------------------------------------
    m = f["alliance_members"]
    g.add_edges_from(_edges("member_of", m["member_id"].tolist(), m["center_id"].tolist(),
                            _records(m, drop=("center_id", "member_id"))))
    s = f["shareholders"]
    g.add_edges_from(_edges("shareholder_of", s["org_id"].tolist(), s["center_id"].tolist(),
                            _records(s, drop=("center_id", "org_id"))))
    opco = centers[centers["operating_company_id"].notna()]
    g.add_edges_from(_edges("operated_by", opco["center_id"].tolist(), opco["operating_company_id"].tolist()))
    with_field = centers[centers["field_id"].notna()]
    g.add_edges_from(_edges("in_field", with_field["center_id"].tolist(), with_field["field_id"].tolist()))
    g.add_edges_from(_edges("in_field", *_explode(platforms, "platform_id", "field_ids")))
    g.add_edges_from(_edges("hosted_by", *_explode(platforms, "platform_id", "host_ids")))
    co = f["collaborations"]
    g.add_edges_from(_edges("collaborates_with", co["from_id"].tolist(), co["to_id"].tolist(),
                            _records(co, drop=("from_id", "to_id"))))
    r = f["field_rankings"]
    g.add_edges_from(_edges("ranked_in", r["org_id"].tolist(), r["field_id"].tolist(),
                            _records(r, drop=("org_id", "field_id"))))
    return g
