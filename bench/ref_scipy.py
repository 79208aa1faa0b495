"""The floor: the same answers from pandas-parsed CSVs with scipy.sparse, written as tight as we can.

Parsing is timed on its own (:func:`read_frames`, the load reference: ``pandas.read_csv`` of every file);
:class:`Floor` then turns the frames into integer codes and sparse matrices (its "prep", timed as part of the
floor's load), and each query runs on those matrices only — that is the floor a query engine cannot beat.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .answers import BUILTIN_FIELDS, COUNTED_KINDS, greedy, need

__all__ = ["Floor", "field_ids", "read_frames"]


def read_frames(folder) -> dict[str, pd.DataFrame]:
    """Every CSV of the dataset with ``pandas.read_csv`` and its defaults (the load reference)."""
    return {p.stem: pd.read_csv(p) for p in sorted(Path(folder).glob("*.csv"))}


def field_ids(frames) -> list[str]:
    extra = frames["fields"]["field_id"].tolist() if "fields" in frames else []
    return BUILTIN_FIELDS + [f for f in extra if f not in BUILTIN_FIELDS]


def _split(ids: np.ndarray, lists: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(owner, item) for a column of "a|b|c" cells."""
    parts = lists.fillna("").astype(str).str.split("|")
    counts = parts.str.len().to_numpy()
    items = np.concatenate(parts.to_numpy()) if len(parts) else np.empty(0, dtype=object)
    owners = np.repeat(ids, counts)
    keep = items != ""
    return owners[keep], items[keep]


def _pattern(rows, cols, shape, dtype=np.int32) -> sp.csr_matrix:
    m = sp.csr_matrix((np.ones(len(rows), dtype=dtype), (rows, cols)), shape=shape)
    m.sum_duplicates()
    m.data[:] = 1
    return m


class Floor:
    """Codes and sparse matrices built from the parsed frames; the queries are a few sparse products each."""

    name = "scipy floor"

    def __init__(self, frames: dict[str, pd.DataFrame]):
        c, o, p = frames["centers"], frames["organizations"], frames["platforms"]
        self.center_ids = c["center_id"].to_numpy(dtype=object)
        self.org_ids = o["org_id"].to_numpy(dtype=object)
        self.platform_ids = p["platform_id"].to_numpy(dtype=object)
        self.field_ids = np.array(field_ids(frames), dtype=object)
        C, O, P, F = len(c), len(o), len(p), len(self.field_ids)
        cix, oix, pix, fix = (pd.Index(x) for x in (self.center_ids, self.org_ids, self.platform_ids, self.field_ids))

        counted = (p["status"].fillna("active") == "active").to_numpy() & p["kind"].isin(COUNTED_KINDS).to_numpy()
        owner, item = _split(np.arange(P), p["host_ids"])
        self.host = _pattern(owner, oix.get_indexer(item), (P, O))  # P × O
        self.host_t = self.host.T.tocsr()  # O × P
        owner, item = _split(np.arange(P), p["field_ids"])
        keep = counted[owner]
        self.pf = _pattern(owner[keep], fix.get_indexer(item[keep]), (P, F))  # counted platforms × fields

        m = frames["alliance_members"]
        mc = cix.get_indexer(m["center_id"])
        mo, mp = oix.get_indexer(m["member_id"]), pix.get_indexer(m["member_id"])
        self.m_org = _pattern(mc[mo >= 0], mo[mo >= 0], (C, O))
        self.m_plat = _pattern(mc[mp >= 0], mp[mp >= 0], (C, P))
        s = frames.get("shareholders", pd.DataFrame({"center_id": [], "org_id": []}))
        sc, so = cix.get_indexer(s["center_id"]), oix.get_indexer(s["org_id"])
        self.share = _pattern(sc, so, (C, O))
        # coverage in one product: [members that are organisations | members that are platforms] ×
        # [what each organisation hosts ; each platform itself] (one product beats a product plus a sparse sum)
        self.members_all = sp.hstack([self.m_org, self.m_plat], format="csr")
        self.reaches = sp.vstack([self.host_t, sp.identity(P, dtype=np.int32, format="csr")], format="csr")
        opco = c["operating_company_id"]
        self.opco = np.where(opco.notna().to_numpy(), oix.get_indexer(opco.fillna("")), -1)
        self.center_field = fix.get_indexer(c["field_id"])

        # reach: one undirected adjacency over centers, organisations, platforms (in that order)
        N = C + O + P
        co = frames.get("collaborations", pd.DataFrame({"from_id": [], "to_id": []}))
        fc, fo = cix.get_indexer(co["from_id"]), oix.get_indexer(co["to_id"])
        from_node = np.where(fc >= 0, fc, C + oix.get_indexer(co["from_id"]))
        sh_target = np.where(self.opco[sc] >= 0, C + self.opco[sc], sc)
        src = np.concatenate([mc[mo >= 0], mc[mp >= 0], C + so, from_node])
        dst = np.concatenate([C + mo[mo >= 0], C + O + mp[mp >= 0], sh_target, C + fo])
        a = _pattern(np.concatenate([src, dst]), np.concatenate([dst, src]), (N, N))
        self.adj = a
        self.adj_org = a[:, C:C + O].tocsr()  # N × O
        has = self.opco >= 0
        rows = np.concatenate([np.arange(C), np.flatnonzero(has)])
        self.start = _pattern(rows, np.concatenate([np.arange(C), C + self.opco[has]]), (C, N))
        excl = (self.m_org + self.share + _pattern(np.flatnonzero(has), self.opco[has], (C, O)))
        excl.data[:] = 2
        self.excluded2 = excl.tocsr()
        # gaps: centers grouped by field, each group sorted by id (best = first maximum = smallest id)
        order = np.argsort(self.center_ids.astype(str), kind="stable")
        self.by_id = order
        self.shape = (C, O, P, F)

    # ---- the queries --------------------------------------------------------------------------------------------
    def reached(self) -> sp.csr_matrix:
        """Centers × platforms: a member hosts it, or it is a member."""
        r = self.members_all @ self.reaches
        r.data[:] = 1
        return r

    def coverage(self):
        """(covered centers × fields, total per field)."""
        return (self.reached() @ self.pf).toarray(), np.diff(self.pf.tocsc().indptr)

    def reach(self) -> sp.csr_matrix:
        """Centers × organisations reached within 2 hops, exclusions applied."""
        within1 = self.start + self.start @ self.adj  # nodes at ≤ 1 hop
        orgs = within1 @ self.adj_org  # organisations at 1 or 2 hops
        orgs.data[:] = 1
        z = orgs - self.excluded2  # 1 = reached and not excluded; -1/-2 otherwise
        z.data = (z.data == 1).astype(np.int8)
        z.eliminate_zeros()
        return z

    def gaps(self):
        """Per field: (total, #centers, best center code or -1, best covered, union covered, unreached codes)."""
        C, _, P, F = self.shape
        r = self.reached()
        cov = (r @ self.pf).toarray()
        totals = np.diff(self.pf.tocsc().indptr)
        group = _pattern(self.center_field, np.arange(C), (F, C))  # field × its centers
        union = ((group @ r).astype(bool).astype(np.int32) @ self.pf).diagonal()
        reached_any = np.zeros(P, dtype=bool)
        reached_any[r.indices] = True
        pf_t = self.pf.tocsc()
        out = []
        cf = self.center_field[self.by_id]
        for f in range(F):
            cs = self.by_id[cf == f]
            codes = pf_t.indices[pf_t.indptr[f]: pf_t.indptr[f + 1]]
            best = int(cs[np.argmax(cov[cs, f])]) if len(cs) else -1
            out.append((int(totals[f]), len(cs), best, int(cov[best, f]) if best >= 0 else 0, int(union[f]),
                        codes[~reached_any[codes]]))
        return out

    def recruit(self, centers: list[str]) -> dict[str, list[str]]:
        pos = {cid: i for i, cid in enumerate(self.center_ids)}
        pf_t = self.pf.tocsc()
        out = {}
        for cid in centers:
            c = pos[cid]
            f = self.center_field[c]
            field = pf_t.indices[pf_t.indptr[f]: pf_t.indptr[f + 1]]
            got = np.zeros(self.shape[2], dtype=bool)
            r = self.m_org[c] @ self.host_t
            got[r.indices] = True
            got[self.m_plat[c].indices] = True
            uncovered = field[~got[field]]
            sub = self.host[uncovered].tocoo()
            members = np.zeros(self.shape[1], dtype=bool)
            members[self.m_org[c].indices] = True
            keep = ~members[sub.col]
            cands: dict[str, set] = {}
            for oid, pid in zip(self.org_ids[sub.col[keep]].tolist(), self.platform_ids[uncovered[sub.row[keep]]].tolist()):
                cands.setdefault(oid, set()).add(pid)
            out[cid] = greedy(cands, need(int(got[field].sum()), len(field)))
        return out

    # ---- canonical answers (not timed) ----------------------------------------------------------------------------
    def canon_coverage(self, answer) -> dict:
        covered, totals = answer
        return {(c, f): (int(covered[i, j]), int(totals[j]))
                for i, c in enumerate(self.center_ids) for j, f in enumerate(self.field_ids)}

    def canon_reach(self, answer: sp.csr_matrix) -> dict:
        return {c: tuple(sorted(self.org_ids[answer.indices[answer.indptr[i]: answer.indptr[i + 1]]].tolist()))
                for i, c in enumerate(self.center_ids)}

    def canon_gaps(self, answer) -> dict:
        out = {}
        for f, (total, n, best, best_cov, union, unreached) in zip(self.field_ids, answer):
            ok = n > 0 and total > 0
            out[f] = (total, n, self.center_ids[best] if ok else None, best_cov / total if ok else None,
                      union / total if ok else None, tuple(sorted(self.platform_ids[unreached].tolist())))
        return out

    def center_fields(self) -> dict[str, str]:
        return dict(zip(self.center_ids.tolist(), self.field_ids[self.center_field].tolist()))
