"""Views: the dataset turned into prepared node and edge lists (for :mod:`graphkit.present.viz`) and display tables.

Three network views — the ego network of a center, the network of a field, the explorer's filtered subgraph —
plus name search, node details and the member and platform tables the app shows. Everything is computed from
the dataset's integer codes and sparse matrices (:class:`graphkit.model.dataset.Index`) with numpy, so a view of the
L-scale dataset (4,000 centers, 500,000 organisations) stays fast; only the nodes finally shown become dicts.
Beyond ``cap`` nodes, the least connected are folded into aggregate nodes (kind · province, platform kind or
field), their edges merged with a ``count``.

>>> from graphkit import load_dataset
>>> v = ego_network(load_dataset("tests/fixtures/tiny"), "C1")
>>> len(v.nodes), len(v.edges), v.nodes[0]["id"]
(10, 12, 'C1')
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from graphkit.errors import UnknownIdError
from graphkit.model.schema import ORG_KINDS, PLATFORM_KINDS
from graphkit.present.viz import GROUP_LABELS, GROUP_STYLE
from graphkit.queries.coverage import coverage_model

__all__ = ["NetworkView", "Subgraph", "explore_subgraph", "neighbourhood_subgraph", "GROUPS", "EDGE_KINDS", "PLATFORM_KIND_LABELS", "ego_network", "field_network",
           "explore_network", "neighbourhood_network", "search", "node_info", "names", "member_table",
           "platform_table", "founding_recruitment"]

GROUPS = ("center",) + ORG_KINDS + ("platform",)  # node group codes 0..8
EDGE_KINDS = ("member", "shareholder", "host", "collaboration", "operates")
PLATFORM_KIND_LABELS = {
    "zh": dict(zip(PLATFORM_KINDS, ("国家重点实验室", "国家工程实验室", "国家工程技术研究中心", "国家工程研究中心", "其他国家级平台"))),
    "en": dict(zip(PLATFORM_KINDS, ("state key lab", "national engineering lab", "national engineering technology "
                                    "research center", "national engineering research center", "other national platform"))),
}
_UNCOVERED = {"zh": "未覆盖", "en": "not covered"}
_OPERATES = {"zh": "依托公司", "en": "operating company"}
_LABEL_CHARS = 14


@dataclass
class NetworkView:
    """Nodes and edges ready for :func:`graphkit.present.viz.network_html`, with what the cap folded away."""

    nodes: list[dict]
    edges: list[dict]
    matched_nodes: int  # nodes that met the filters, before the cap
    matched_edges: int
    aggregated: int  # of those, nodes folded into aggregates
    dropped_edges: int = 0  # edges not drawn (beyond the edge cap), counted with their multiplicity

    def node_ids(self) -> list[str]:
        return [n["id"] for n in self.nodes]


@dataclass
class Subgraph:
    """Nodes (id, name, group, province) and edges (source id, target id, kind) of a view before any cap."""

    nodes: list[tuple[str, str, str, str | None]]
    edges: list[tuple[str, str, str]]


def _subgraph(g, nodes, src, dst, kind) -> Subgraph:
    nodes = np.asarray(nodes, np.int64)
    return Subgraph(
        [(str(g.ids[c]), str(g.names[c]), GROUPS[g.group[c]], g.province[c] or None) for c in nodes.tolist()],
        [(str(g.ids[a]), str(g.ids[b]), EDGE_KINDS[k]) for a, b, k in zip(src.tolist(), dst.tolist(), kind.tolist())])


class _Graph:
    """Every node (centers, then organisations, then platforms) and edge of a dataset as arrays."""

    def __init__(self, ds):
        ix = ds.index
        self.index = ix
        C, O, P, _ = ix.shape
        self.offsets = (0, C, C + O, C + O + P)
        c, o, p = ds.frames["centers"], ds.frames["organizations"], ds.frames["platforms"]
        self.ids = np.concatenate([ix.centers.to_numpy(object), ix.orgs.to_numpy(object), ix.platforms.to_numpy(object)])
        self.names = np.concatenate([c["name"].to_numpy(object), o["name"].to_numpy(object), p["name"].to_numpy(object)])
        self.group = np.concatenate([np.zeros(C, np.int8), ix.org_kind.astype(np.int8) + 1, np.full(P, 8, np.int8)])
        self.province = np.concatenate([c["province"].to_numpy(object), o["province"].to_numpy(object),
                                        np.full(P, None, object)])
        self.foreign = np.concatenate([np.zeros(C, bool), ix.org_foreign, np.zeros(P, bool)])
        # what an aggregate groups by, besides the group: a center's field, an org's province, a platform's kind
        self.sub = np.concatenate([ix.fields.to_numpy(object)[ix.center_field], o["province"].fillna("").to_numpy(object),
                                   np.asarray(PLATFORM_KINDS, object)[np.maximum(ix.platform_kind, 0)]])
        self.aliases = o["aliases"].to_numpy(object)
        mo, mp, sh, ho = (m.tocoo() for m in (ix.member_org, ix.member_platform, ix.share, ix.host))
        ok = ix.collab_to >= 0
        cfrom = np.where(ix.collab_from_is_center, ix.collab_from, C + ix.collab_from)[ok]
        parts = [(mo.row, C + mo.col, 0), (mp.row, C + O + mp.col, 0), (C + sh.col, sh.row, 1),
                 (C + ho.col, C + O + ho.row, 2), (cfrom, C + ix.collab_to[ok], 3)]
        self.src = np.concatenate([np.asarray(s, np.int64) for s, _, _ in parts])
        self.dst = np.concatenate([np.asarray(d, np.int64) for _, d, _ in parts])
        self.kind = np.concatenate([np.full(len(s), k, np.int8) for s, _, k in parts])
        self._search = None
        self._adjacency = None

    def adjacency(self):
        """Undirected CSR over every edge kind (for neighbourhoods)."""
        if self._adjacency is None:
            import scipy.sparse as sp

            n = len(self.ids)
            a = sp.csr_matrix((np.ones(2 * len(self.src), np.int8), (np.concatenate([self.src, self.dst]),
                               np.concatenate([self.dst, self.src]))), shape=(n, n))
            a.sum_duplicates()
            self._adjacency = a
        return self._adjacency

    def code(self, id_: str) -> int:
        ix, (_, C, CO, _) = self.index, self.offsets
        for table, base in ((ix.center_pos, 0), (ix.org_pos, C), (ix.platform_pos, CO)):
            if id_ in table:
                return base + table[id_]
        raise UnknownIdError(f"unknown id {id_}")

    def search_text(self) -> pd.Series:
        """Per node "id|name|aliases", NFKC-normalised, lower case, without spaces (built on the first search)."""
        if self._search is None:
            C, CO = self.offsets[1], self.offsets[2]
            alias = [""] * len(self.ids)
            alias[C:CO] = ["|".join(a) for a in self.aliases]
            self._search = pd.Series([_norm(f"{i}|{n}|{a}") for i, n, a in zip(self.ids, self.names, alias)],
                                     dtype="string")
        return self._search


def _graph(ds) -> _Graph:
    g = ds.__dict__.get("_views_graph")
    if g is None or g.index is not ds.index:  # a what-if copy shares the dict but not the index
        g = ds.__dict__["_views_graph"] = _Graph(ds)
    return g


def _short(name: str) -> str:
    return name if len(name) <= _LABEL_CHARS else name[: _LABEL_CHARS - 1] + "…"


def _group_name(code: int, lang: str) -> str:
    return GROUP_LABELS[lang][GROUPS[code]]


def _sub_name(g: _Graph, code: int, sub, lang: str, ds) -> str:
    if GROUPS[g.group[code]] == "platform":
        return PLATFORM_KIND_LABELS[lang].get(sub, sub)
    if GROUPS[g.group[code]] == "center" and sub in ds.fields:
        return ds.fields[sub].name(lang)
    return str(sub or "")


def _fold(g: _Graph, nodes: np.ndarray, kept: np.ndarray, coarse: bool):
    """Aggregate keys of the nodes not kept: (group, sub) or, ``coarse``, the group alone. Returns the final
    kept mask, the folded positions, their aggregate codes and the aggregate keys."""
    kept = kept.copy()
    folded = np.flatnonzero(~kept)
    if not len(folded):
        return kept, folded, np.array([], np.int64), []
    keys = pd.Series(np.asarray(GROUPS, object)[g.group[nodes[folded]]])
    keys = keys + ("|*" if coarse else "|" + pd.Series(g.sub[nodes[folded]]).fillna("").astype(str))
    codes, _ = pd.factorize(keys, sort=False)
    alone = np.bincount(codes)[codes] == 1  # an aggregate of one is just the node: show the node
    kept[folded[alone]] = True
    codes, uniq = pd.factorize(keys[~alone].to_numpy(object), sort=False)
    return kept, folded[~alone], codes, list(uniq)


def _finish(ds, g: _Graph, nodes: np.ndarray, src, dst, kind, *, cap: int, keep=(), lang: str = "zh",
            rings: np.ndarray | None = None, pale: np.ndarray | None = None, edge_cap: int | None = None) -> NetworkView:
    """Cap, aggregate, merge parallel edges and lay out (``rings``: concentric rings per node); build the dicts.

    When the aggregates by (group, sub) would still draw more than ``edge_cap`` edges, they are coarsened to one
    per group; beyond that, the heaviest ``edge_cap`` edges are drawn and the rest counted as dropped."""
    n = len(nodes)
    edge_cap = edge_cap or 8 * cap
    local = np.full(len(g.ids), -1, np.int64)
    local[nodes] = np.arange(n)
    ls, ld = local[src], local[dst]
    must = np.isin(nodes, np.asarray([g.code(k) for k in keep if _known(g, k)], np.int64))
    chosen = np.ones(n, bool)
    if n > cap:
        deg = np.bincount(ls, minlength=n) + np.bincount(ld, minlength=n)
        order = np.lexsort((np.arange(n), -deg, ~must))
        chosen[:] = False
        chosen[order[: max(cap, int(must.sum()))]] = True
    for coarse in (False, True):
        kept, folded, codes, agg_keys = _fold(g, nodes, chosen, coarse)
        new = np.empty(n, np.int64)
        k = int(kept.sum())
        new[kept] = np.arange(k)
        new[folded] = k + codes
        m = k + len(agg_keys)
        es, ed = new[ls], new[ld]
        loop = es == ed
        key = (es[~loop] * m + ed[~loop]) * len(EDGE_KINDS) + kind[~loop]
        uniq, counts = np.unique(key, return_counts=True)
        if len(uniq) <= edge_cap or not len(folded):
            break
    dropped = 0
    if len(uniq) > edge_cap:
        top = np.sort(np.argsort(-counts, kind="stable")[:edge_cap])
        dropped = int(counts.sum() - counts[top].sum())
        uniq, counts = uniq[top], counts[top]
    agg_count = np.bincount(codes) if len(folded) else np.array([], np.int64)
    agg_first = folded[np.unique(codes, return_index=True)[1]] if len(folded) else np.array([], np.int64)
    out_nodes = []
    for pos, code in zip(np.flatnonzero(kept).tolist(), nodes[kept].tolist()):
        out_nodes.append(_node(ds, g, code, lang, pale is not None and bool(pale[pos])))
    for j, (first, count) in enumerate(zip(agg_first.tolist(), agg_count.tolist())):
        code = int(nodes[first])
        sub = "" if agg_keys[j].endswith("|*") else _sub_name(g, code, g.sub[code], lang, ds)
        label = " · ".join(x for x in (_group_name(g.group[code], lang), sub) if x) + f" ({count})"
        out_nodes.append({"id": f"agg:{agg_keys[j]}", "label": label, "title": label, "group": "aggregate",
                          "kind": "aggregate", "count": count, "color": GROUP_STYLE[GROUPS[g.group[code]]]["color"],
                          "size": round(12 + 4 * math.log2(count), 2)})
    ids = [nd["id"] for nd in out_nodes]
    out_edges = []
    for u, c in zip(uniq.tolist(), counts.tolist()):
        pair, kd = divmod(u, len(EDGE_KINDS))
        s, d = divmod(pair, m)
        e = {"source": ids[s], "target": ids[d], "kind": EDGE_KINDS[kd]}
        if EDGE_KINDS[kd] == "operates":
            e["label"] = _OPERATES[lang]
        if c > 1:
            e["count"] = c
        out_edges.append(e)
    if rings is not None:
        _place(out_nodes, np.concatenate([rings[kept], rings[agg_first]]))
    return NetworkView(out_nodes, out_edges, n, int(len(src)), int(len(folded)), dropped)


def _known(g: _Graph, id_) -> bool:
    ix = g.index
    return id_ in ix.center_pos or id_ in ix.org_pos or id_ in ix.platform_pos


def _node(ds, g: _Graph, code: int, lang: str, pale: bool) -> dict:
    group = GROUPS[g.group[code]]
    name = str(g.names[code])
    where = _sub_name(g, code, g.sub[code], lang, ds)
    lines = [name, " · ".join(x for x in (GROUP_LABELS[lang][group], where) if x), str(g.ids[code])]
    if pale:
        lines.append(_UNCOVERED[lang])
    kind = "center" if group == "center" else "platform" if group == "platform" else "org"
    node = {"id": str(g.ids[code]), "label": _short(name), "title": "\n".join(lines), "group": group, "kind": kind}
    if g.province[code]:
        node["province"] = g.province[code]
    if pale:
        node["color"] = "#f6d7b8"
    return node


def _place(nodes: list[dict], ring: np.ndarray) -> None:
    """Concentric rings, nodes spread evenly in their given order: the same input always draws the same way."""
    radius = 0.0
    for r in np.unique(ring).tolist():
        members = np.flatnonzero(ring == r)
        count = len(members)
        if r == 0 and count == 1:
            nodes[members[0]].update(x=0.0, y=0.0)
            continue
        radius = max(radius + 160.0, count * 34.0 / (2 * math.pi))
        for i, pos in enumerate(members.tolist()):
            angle = 2 * math.pi * i / count + 0.3 * r
            nodes[pos].update(x=round(radius * math.cos(angle), 1), y=round(radius * math.sin(angle), 1))


def _row(m, i: int) -> np.ndarray:
    return m.indices[m.indptr[i]: m.indptr[i + 1]]


def ego_network(ds, center_id: str, *, cap: int = 300, lang: str = "zh", keep=(), rules=None) -> NetworkView:
    """The center, its operating company, members, shareholders and collaboration partners, and every counted
    platform of its field (the uncovered ones pale), with membership, shareholding, hosting and collaboration edges.
    """
    g = _graph(ds)
    ix, (_, C, CO, _) = ds.index, g.offsets
    if center_id not in ix.center_pos:
        raise UnknownIdError(f"unknown center id {center_id}")
    c = ix.center_pos[center_id]
    morg, mplat, share = _row(ix.member_org, c), _row(ix.member_platform, c), _row(ix.share, c)
    model = coverage_model(ds, rules)
    fplat = model.field_platforms[int(ix.center_field[c])]
    covered = np.isin(fplat, model.reached_codes(c))
    pos = ix.collab_by_center.get(c, np.array([], np.int64))
    pos = pos[ix.collab_to[pos] >= 0]
    cfrom = np.where(ix.collab_from_is_center[pos], ix.collab_from[pos], C + ix.collab_from[pos])
    opco = int(ix.center_opco[c])
    # host edges: member organisations hosting a platform of the field
    hsub = ix.host[fplat][:, morg].tocoo() if len(fplat) and len(morg) else None
    hs = C + morg[hsub.col] if hsub is not None else np.array([], np.int64)
    hd = CO + fplat[hsub.row] if hsub is not None else np.array([], np.int64)
    parts = [(np.full(len(morg), c), C + morg, 0), (np.full(len(mplat), c), CO + mplat, 0),
             (C + share, np.full(len(share), c), 1), (hs, hd, 2), (cfrom, C + ix.collab_to[pos], 3)]
    if opco >= 0:
        parts.append((np.array([C + opco]), np.array([c]), 4))
    src = np.concatenate([np.asarray(s, np.int64) for s, _, _ in parts])
    dst = np.concatenate([np.asarray(d, np.int64) for _, d, _ in parts])
    kind = np.concatenate([np.full(len(s), k, np.int8) for s, _, k in parts])
    # order = priority on ties, and order along the rings
    ring1 = np.concatenate([[C + opco] if opco >= 0 else [], C + share, C + morg, CO + mplat, C + ix.collab_to[pos]])
    nodes = np.concatenate([[c], ring1, CO + fplat[covered], CO + fplat[~covered]]).astype(np.int64)
    nodes, first = np.unique(nodes, return_index=True)
    nodes = nodes[np.argsort(first, kind="stable")]
    ring1_nodes = nodes[1:][~np.isin(nodes[1:], CO + fplat)]
    ring1_nodes = ring1_nodes[np.lexsort((g.ids[ring1_nodes].astype(str), g.group[ring1_nodes]))]
    fnodes = nodes[np.isin(nodes, CO + fplat)]
    nodes = np.concatenate([[c], ring1_nodes, fnodes]).astype(np.int64)
    rings = np.concatenate([[0], np.ones(len(ring1_nodes), np.int64), np.full(len(fnodes), 2)])
    pale = np.isin(nodes, CO + fplat[~covered])
    return _finish(ds, g, nodes, src, dst, kind, cap=cap, keep=(center_id, *keep), lang=lang, rings=rings, pale=pale)


def field_network(ds, field_id: str, *, cap: int = 400, lang: str = "zh", keep=(), rules=None) -> NetworkView:
    """A field's counted platforms, their hosts and the field's centers: host edges, and membership edges from a
    center to the hosts (or platforms) that are its members — who reaches which platform, through whom."""
    g = _graph(ds)
    ix, (_, C, CO, _) = ds.index, g.offsets
    if field_id not in ix.field_pos:
        raise UnknownIdError(f"unknown field id {field_id}")
    f = ix.field_pos[field_id]
    model = coverage_model(ds, rules)
    fplat = model.field_platforms[f]
    centers = np.flatnonzero(ix.center_field == f)
    centers = centers[np.argsort(ix.centers[centers].to_numpy(str), kind="stable")]
    hcoo = ix.host[fplat].tocoo()
    hosts = np.unique(hcoo.col)
    mo = ix.member_org[centers][:, hosts].tocoo()
    mp = ix.member_platform[centers][:, fplat].tocoo()
    src = np.concatenate([C + hcoo.col, centers[mo.row], centers[mp.row]]).astype(np.int64)
    dst = np.concatenate([CO + fplat[hcoo.row], C + hosts[mo.col], CO + fplat[mp.col]]).astype(np.int64)
    kind = np.concatenate([np.full(len(hcoo.col), 2), np.zeros(len(mo.row) + len(mp.row))]).astype(np.int8)
    reached = np.asarray(model.reached[centers][:, fplat].sum(axis=0)).ravel() > 0 if len(centers) else np.zeros(len(fplat), bool)
    ring_c = 0 if len(centers) == 1 else 1
    nodes = np.concatenate([centers, C + hosts, CO + fplat]).astype(np.int64)
    rings = np.concatenate([np.full(len(centers), ring_c), np.full(len(hosts), 2), np.full(len(fplat), 3)])
    pale = np.concatenate([np.zeros(len(centers) + len(hosts), bool), ~reached])
    return _finish(ds, g, nodes, src, dst, kind, cap=cap, keep=keep, lang=lang, rings=rings, pale=pale)


def explore_network(ds, *, fields=None, groups=None, provinces=None, foreign: str = "any", platform_kinds=None,
                    edge_kinds=None, keep=(), cap: int = 500, lang: str = "zh") -> NetworkView:
    """The subgraph matching the filters (None = no filter), capped with aggregation; the filters as in
    :func:`explore_subgraph`."""
    g = _graph(ds)
    nodes, src, dst, kind = _explore(ds, g, fields, groups, provinces, foreign, platform_kinds, edge_kinds)
    return _finish(ds, g, nodes, src, dst, kind, cap=cap, keep=keep, lang=lang)


def explore_subgraph(ds, *, fields=None, groups=None, provinces=None, foreign: str = "any", platform_kinds=None,
                     edge_kinds=None) -> Subgraph:
    """Exactly the nodes and edges matching the filters — no cap, no aggregate (for an export of the view).

    ``fields``: centers of these fields, platforms listing them, and every organisation linked to either;
    ``groups``: node groups (``center``, an organisation kind, ``platform``); ``provinces``: organisations there,
    and the centers there or having one of them as member or shareholder; ``foreign``: ``any``, ``foreign`` or
    ``domestic`` organisations; ``platform_kinds``; ``edge_kinds``: member, shareholder, host, collaboration.
    """
    g = _graph(ds)
    return _subgraph(g, *_explore(ds, g, fields, groups, provinces, foreign, platform_kinds, edge_kinds))


def _explore(ds, g, fields, groups, provinces, foreign, platform_kinds, edge_kinds):
    ix, (_, C, CO, N) = ds.index, g.offsets
    node = np.ones(N, bool)
    ekind = np.isin(g.kind, [EDGE_KINDS.index(k) for k in (edge_kinds or EDGE_KINDS[:4])])
    if fields:
        fcodes = [ix.field_pos[f] for f in fields if f in ix.field_pos]
        seed = np.zeros(N, bool)
        seed[:C] = np.isin(ix.center_field, fcodes)
        seed[CO:] = np.asarray(ix.platform_field[:, fcodes].sum(axis=1)).ravel() > 0
        touch = ekind & (seed[g.src] | seed[g.dst])
        node = seed.copy()
        node[g.src[touch]] = True
        node[g.dst[touch]] = True
        node[:C] &= seed[:C]
        node[CO:] &= seed[CO:]
    if groups is not None:
        node &= np.isin(g.group, [GROUPS.index(x) for x in groups if x in GROUPS])
    if foreign in ("foreign", "domestic"):
        node[C:CO] &= g.foreign[C:CO] == (foreign == "foreign")
    if platform_kinds is not None:
        node[CO:] &= np.isin(ix.platform_kind, [PLATFORM_KINDS.index(k) for k in platform_kinds])
    if provinces:
        there = pd.Series(g.province[:CO]).isin(list(provinces)).to_numpy()
        node[C:CO] &= there[C:]
        # a center stays when it is there, or when an organisation kept is its member or shareholder
        tie = ekind & (g.kind <= 1) & node[g.src] & node[g.dst]
        linked = np.zeros(C, bool)
        ends = np.concatenate([g.src[tie], g.dst[tie]])
        others = np.concatenate([g.dst[tie], g.src[tie]])
        linked[ends[(ends < C) & (others >= C) & (others < CO)]] = True
        node[:C] &= there[:C] | linked
    emask = ekind & node[g.src] & node[g.dst]
    return np.flatnonzero(node), g.src[emask], g.dst[emask], g.kind[emask]


def neighbourhood_network(ds, node_id: str, *, hops: int = 1, edge_kinds=None, cap: int = 300,
                          lang: str = "zh") -> NetworkView:
    """Every node within ``hops`` of ``node_id`` (a center, organisation or platform) over the chosen edge kinds,
    on concentric rings by distance."""
    g = _graph(ds)
    nodes, src, dst, kind, dist = _neighbourhood(g, node_id, hops, edge_kinds)
    return _finish(ds, g, nodes, src, dst, kind, cap=cap, keep=(node_id,), lang=lang, rings=dist[nodes])


def neighbourhood_subgraph(ds, node_id: str, *, hops: int = 1, edge_kinds=None) -> Subgraph:
    """Exactly the nodes and edges of :func:`neighbourhood_network`, before the cap."""
    g = _graph(ds)
    return _subgraph(g, *_neighbourhood(g, node_id, hops, edge_kinds)[:4])


def _neighbourhood(g, node_id: str, hops: int, edge_kinds):
    start = g.code(node_id)
    a = g.adjacency()
    dist = np.full(len(g.ids), -1, np.int64)
    dist[start] = 0
    frontier = np.array([start])
    for h in range(1, hops + 1):
        nbrs = np.unique(np.concatenate([a.indices[a.indptr[v]: a.indptr[v + 1]] for v in frontier.tolist()] or [[]]))
        nbrs = nbrs[dist[nbrs.astype(np.int64)] < 0].astype(np.int64) if len(nbrs) else np.array([], np.int64)
        dist[nbrs] = h
        frontier = nbrs
    nodes = np.flatnonzero(dist >= 0)
    nodes = nodes[np.lexsort((g.ids[nodes].astype(str), g.group[nodes], dist[nodes]))]
    ek = np.isin(g.kind, [EDGE_KINDS.index(k) for k in (edge_kinds or EDGE_KINDS[:4])])
    emask = ek & (dist[g.src] >= 0) & (dist[g.dst] >= 0)
    return nodes, g.src[emask], g.dst[emask], g.kind[emask], dist


def _norm(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).lower().split())


_ALIASES: dict[str, tuple[str, ...]] | None = None  # the package's short-form table, read once


def _alias_table() -> dict[str, tuple[str, ...]]:
    """Common short forms (哈工大 → 哈尔滨工业大学) from the package data ``graphkit/data/aliases.csv`` when it is
    installed: columns ``alias`` and ``name`` (several names per alias allowed); normalised like the search text."""
    global _ALIASES
    if _ALIASES is None:
        import csv
        from importlib import resources

        table: dict[str, list[str]] = {}
        try:
            with resources.files("graphkit.data").joinpath("aliases.csv").open(encoding="utf-8-sig") as fh:
                for row in csv.DictReader(fh):
                    alias, name = _norm(row.get("alias") or ""), _norm(row.get("name") or "")
                    if alias and name and alias != name:
                        table.setdefault(alias, []).append(name)
        except (FileNotFoundError, OSError, csv.Error, UnicodeDecodeError):
            table = {}
        _ALIASES = {k: tuple(v) for k, v in table.items()}
    return _ALIASES


def search(ds, text: str, *, limit: int = 20) -> list[dict]:
    """Centers, organisations and platforms whose id, name or alias contains ``text``: exact id or name first,
    then names starting with it, then the rest; shorter names first. A common short form also finds the full
    name: through the alias table, else by its characters in order (哈工大 finds 哈尔滨工业大学). No hit is ``[]``.
    """
    q = _norm(text).replace("|", "")
    if not q:
        return []
    g = _graph(ds)
    hay = g.search_text()
    found = hay.str.contains(q, regex=False).to_numpy(dtype=bool)
    for full in _alias_table().get(q, ()):
        found |= hay.str.contains(full, regex=False).to_numpy(dtype=bool)
    if not found.any() and len(q) >= 2:
        import re

        # a short form keeps the full name's first character and the others in order
        pattern = re.escape(q[0]) + "".join(f"[^|]*{re.escape(ch)}" for ch in q[1:])
        names_only = hay.str.split("|", n=2).str[1].fillna("")
        found = names_only.str.match(pattern).to_numpy(dtype=bool)
    codes = np.flatnonzero(found)
    if not len(codes):
        return []
    parts = hay.iloc[codes].str.split("|", n=2, expand=True)
    ids, nm = parts[0].fillna(""), parts[1].fillna("")
    rank = np.select([(ids == q).to_numpy(bool), (nm == q).to_numpy(bool), nm.str.startswith(q).to_numpy(bool),
                      ids.str.startswith(q).to_numpy(bool), nm.str.contains(q, regex=False).to_numpy(bool)],
                     [0, 1, 2, 3, 4], 5)
    order = np.lexsort((ids.to_numpy(str), nm.str.len().to_numpy(), rank))[:limit]
    return [{"id": str(g.ids[c]), "name": str(g.names[c]), "group": GROUPS[g.group[c]],
             "kind": "center" if g.group[c] == 0 else "platform" if g.group[c] == 8 else "org"}
            for c in codes[order].tolist()]


def names(ds, ids) -> list[str]:
    """The names of ``ids`` (centers, organisations or platforms); an unknown id is its own name."""
    g = _graph(ds)
    ix, (_, C, CO, _) = ds.index, g.offsets
    out = []
    for i in map(str, ids):
        code = ix.center_pos.get(i)
        if code is None:
            code = ix.org_pos.get(i)
            code = CO + ix.platform_pos[i] if code is None and i in ix.platform_pos else (None if code is None else C + code)
        out.append(str(g.names[code]) if code is not None else i)
    return out


def node_info(ds, node_id: str, rules=None) -> dict | None:
    """What the app shows about a selected node: its record and its links (None for an aggregate or unknown id)."""
    ix = ds.index
    if node_id in ix.center_pos:
        c = ix.center_pos[node_id]
        rec = ds.center(node_id).to_dict()
        entry = coverage_model(ds, rules).entry(c, int(ix.center_field[c]), with_via=False)
        return {**rec, "entity": "center", "members": len(ds.members(node_id)), "covered": entry.covered,
                "total": entry.total, "ratio": entry.ratio}
    if node_id in ix.org_pos:
        o = ix.org_pos[node_id]
        rec = ds.organization(node_id).to_dict()
        col = lambda m: sorted(ix.centers[m[:, o].nonzero()[0]].tolist())  # noqa: E731
        n_collab = int(((~ix.collab_from_is_center) & (ix.collab_from == o)).sum() + (ix.collab_to == o).sum())
        return {**rec, "entity": "org", "member_of": col(ix.member_org), "shareholder_of": col(ix.share),
                "hosts": sorted(ix.platforms[_row(ix.org_hosts, o)].tolist()), "collaborations": n_collab}
    if node_id in ix.platform_pos:
        p = ix.platform_pos[node_id]
        rec = ds.platform(node_id).to_dict()
        reached = coverage_model(ds, rules).reached[:, p].nonzero()[0]
        return {**rec, "entity": "platform", "member_of": sorted(ix.centers[ix.member_platform[:, p].nonzero()[0]].tolist()),
                "reached_by": sorted(ix.centers[reached].tolist())}
    return None


def member_table(ds, center_id: str, rules=None) -> pd.DataFrame:
    """The alliance of a center, one row per member: id, name, group, province, country, role, joined, whether a
    shareholder, and the platforms of the center's field it brings (hosts or is)."""
    ix = ds.index
    if center_id not in ix.center_pos:
        raise UnknownIdError(f"unknown center id {center_id}")
    c = ix.center_pos[center_id]
    m = ds.frames["alliance_members"]
    m = m[m["center_id"] == center_id]
    g = _graph(ds)
    C, CO = g.offsets[1], g.offsets[2]
    codes = np.array([C + ix.org_pos[x] if x in ix.org_pos else CO + ix.platform_pos[x] for x in m["member_id"]],
                     np.int64)
    brings: dict[str, int] = {}
    for through in coverage_model(ds, rules).entry(c, int(ix.center_field[c])).via.values():
        for member in through:
            brings[member] = brings.get(member, 0) + 1
    country = ds.frames["organizations"]["country"].to_numpy(object)
    is_org = codes < CO
    out = pd.DataFrame({
        "member_id": m["member_id"].to_numpy(object), "name": g.names[codes], "group": np.asarray(GROUPS, object)[g.group[codes]],
        "province": g.province[codes], "country": np.where(is_org, country[np.where(is_org, codes - C, 0)], None),
        "role": m["role"].to_numpy(object), "joined": m["joined"].to_numpy(object),
        "shareholder": m["member_id"].isin(set(ds.shareholders(center_id))).to_numpy(),
        "platforms": [brings.get(x, 0) for x in m["member_id"]],
    })
    return out.sort_values(["platforms", "member_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def platform_table(ds, field_id: str, rules=None) -> pd.DataFrame:
    """The counted platforms of a field: id, name, kind, hosts, status, and the centers that reach each one."""
    ix = ds.index
    if field_id not in ix.field_pos:
        raise UnknownIdError(f"unknown field id {field_id}")
    model = coverage_model(ds, rules)
    codes = model.field_platforms[ix.field_pos[field_id]]
    p = ds.frames["platforms"].iloc[codes]
    reached = model.reached[:, codes].tocsc()
    by = [sorted(ix.centers[_row(reached, j)].tolist()) for j in range(len(codes))]
    all_hosts = sorted({h for hs in p["host_ids"] for h in hs})
    host_names = dict(zip(all_hosts, names(ds, all_hosts)))
    return pd.DataFrame({
        "platform_id": p["platform_id"].to_numpy(object), "name": p["name"].to_numpy(object),
        "kind": p["kind"].to_numpy(object), "host_ids": [list(h) for h in p["host_ids"]],
        "hosts": [[host_names[h] for h in hs] for hs in p["host_ids"]], "approved": p["approved"].to_numpy(object),
        "reached_by": by, "reached": [len(b) for b in by],
    })


def founding_recruitment(ds, field_id: str, rules=None):
    """For a field (typically one with no center): the fewest host organisations a new center would need as
    members to cover the coverage threshold of the field's platforms (a :class:`graphkit.recruit.Recruitment`)."""
    from graphkit.queries.recruit import plan_recruitment
    from graphkit.rules.thresholds import Rules
    from graphkit.settings import get_settings

    rules = rules or Rules()
    ix = ds.index
    if field_id not in ix.field_pos:
        raise UnknownIdError(f"unknown field id {field_id}")
    codes = coverage_model(ds, rules).field_platforms[ix.field_pos[field_id]]
    hosts = ix.host[codes].tocoo()
    cands: dict[str, set] = {}
    for p, o in zip(hosts.row.tolist(), hosts.col.tolist()):
        cands.setdefault(ix.orgs[o], set()).add(ix.platforms[codes[p]])
    return plan_recruitment("", field_id, 0, len(codes), {k: frozenset(v) for k, v in cands.items()},
                            rules.min_coverage, get_settings().recruit_exact_max_candidates)
