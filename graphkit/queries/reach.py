"""Collaboration reach (SPEC §5): the organisations a center reaches within k hops beyond its own alliance.

Start from the center and its operating company; walk membership, shareholding and collaboration edges in
either direction (through any node: other centers, platforms, organisations); count the organisations found
within k hops, leaving out the center's own members, shareholders and operating company.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from graphkit.errors import UnknownIdError
from graphkit.model.schema import ORG_KINDS

__all__ = ["Reach", "reach", "reach_codes", "reach_matrix"]


@dataclass
class Reach:
    """The organisations reached from a center within ``hops``, counted by kind, country and province."""

    center_id: str
    hops: int
    reached: int
    foreign: int
    by_kind: dict[str, int]
    countries: dict[str, int]
    provinces: dict[str, int]
    reached_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "center_id": self.center_id,
            "hops": self.hops,
            "reached": self.reached,
            "foreign": self.foreign,
            "by_kind": self.by_kind,
            "countries": self.countries,
            "provinces": self.provinces,
            "reached_ids": self.reached_ids,
        }


def _excluded(ix, c: int) -> np.ndarray:
    mo, sh = ix.member_org, ix.share
    parts = [mo.indices[mo.indptr[c]: mo.indptr[c + 1]], sh.indices[sh.indptr[c]: sh.indptr[c + 1]]]
    if ix.center_opco[c] >= 0:
        parts.append(np.array([ix.center_opco[c]]))
    return np.concatenate(parts)


def reach_codes(ix, c: int, hops: int) -> np.ndarray:
    """Organisation codes reached from center code ``c`` within ``hops`` (exclusions applied), sorted."""
    C, O, P, _ = ix.shape
    a = ix.adjacency
    seen = np.zeros(C + O + P, dtype=bool)
    frontier = [c]
    if ix.center_opco[c] >= 0:
        frontier.append(C + int(ix.center_opco[c]))
    frontier = np.array(frontier, dtype=np.int64)
    seen[frontier] = True
    for _ in range(hops):
        if not len(frontier):
            break
        starts, ends = a.indptr[frontier], a.indptr[frontier + 1]
        lengths = ends - starts
        if lengths.sum() == 0:
            break
        # gather all neighbour lists of the frontier at once
        idx = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(lengths.sum())
        nbrs = a.indices[idx]
        nbrs = nbrs[~seen[nbrs]]
        frontier = np.unique(nbrs)
        seen[frontier] = True
    orgs = np.flatnonzero(seen[C: C + O])
    excluded = np.zeros(O, dtype=bool)
    excluded[_excluded(ix, c)] = True
    return orgs[~excluded[orgs]]


def reach_matrix(ix, hops: int, *, chunk: int = 512) -> sp.csr_matrix:
    """Every center's reach at once: a boolean centers × organisations matrix (exclusions applied).

    Walks of length ≤ ``hops`` from each center's start set are sparse products with the adjacency (a node is
    within k hops exactly when some walk of length ≤ k reaches it); centers go in chunks so that the frontier
    of a 100×-scale graph stays within memory.
    """
    C, O, P, _ = ix.shape
    N = C + O + P
    a = ix.adjacency.astype(bool)
    opco = ix.center_opco
    rows, cols = np.arange(C), np.arange(C)
    has = opco >= 0
    start = sp.csr_matrix((np.ones(C + int(has.sum()), dtype=bool),
                           (np.concatenate([rows, rows[has]]), np.concatenate([cols, C + opco[has]]))), shape=(C, N))
    excluded = (ix.member_org.astype(bool) + ix.share.astype(bool)
                + sp.csr_matrix((np.ones(int(has.sum()), dtype=bool), (rows[has], opco[has])), shape=(C, O)))
    a_org = a[:, C: C + O].tocsr()  # the last hop only needs to land on organisations
    parts = []
    for lo in range(0, C, chunk):
        seen = start[lo: lo + chunk]
        frontier = seen
        for _ in range(hops - 1):
            frontier = frontier @ a
            seen = seen + frontier
        orgs = seen[:, C: C + O] + (frontier @ a_org if hops else 0)
        orgs = sp.csr_matrix(orgs)
        orgs = orgs - orgs.multiply(excluded[lo: lo + chunk])
        orgs.eliminate_zeros()
        parts.append(orgs.astype(bool))
    out = sp.vstack(parts, format="csr") if parts else sp.csr_matrix((0, O), dtype=bool)
    out.sort_indices()
    return out


def reach(ds, center: str, hops: int | None = None, rules=None, *, as_of=None) -> Reach:
    """Reach of ``center`` within ``hops`` (default: the rules' ``reach_hops``, 2), on the dataset as of ``as_of``."""
    from graphkit.queries.asof import view_as_of

    ds = view_as_of(ds, rules, as_of)
    ix = ds.index
    if center not in ix.center_pos:
        raise UnknownIdError(f"unknown center id {center}")
    if hops is None:
        hops = rules.reach_hops if rules is not None else 2
    hops = int(hops)
    if hops < 0:
        raise ValueError("hops must be ≥ 0")
    codes = reach_codes(ix, ix.center_pos[center], hops)
    kinds = Counter(ix.org_kind[codes].tolist())
    org_frame = ds.frames["organizations"]
    countries = Counter(org_frame["country"].to_numpy(dtype=object)[codes].tolist())
    provinces = Counter(p for p in ix.org_province[codes].tolist() if p)
    ids = sorted(ix.orgs[codes].tolist())
    return Reach(
        center_id=center,
        hops=hops,
        reached=int(len(codes)),
        foreign=int(ix.org_foreign[codes].sum()),
        by_kind={ORG_KINDS[k]: v for k, v in sorted(kinds.items())},
        countries=dict(sorted(countries.items())),
        provinces=dict(sorted(provinces.items())),
        reached_ids=ids,
    )
