"""The end-to-end reference for ``graphkit coverage DATA --all-fields --format json``: pandas + scipy, same JSON.

    python bench/ref_coverage_cli.py DATA > out.json

Reads the same CSVs, computes every center × every field with the SPEC §5 default rules, and writes the same
records (center_id, field_id, covered, total, ratio, covered_platform_ids, uncovered_platform_ids, by_kind, via)
in the same order (centers by id, fields built-in then fields.csv, platform ids sorted) with orjson — what a
careful analyst's script would do. No validation: it trusts its input, which graphkit must not.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import scipy.sparse as sp

BUILTIN_FIELDS = [f"F{i:02d}" for i in range(1, 23)]
KINDS = ["state_key_lab", "national_engineering_lab", "national_engineering_technology_research_center",
         "national_engineering_research_center", "other_national"]
COUNTED = KINDS[:4]


def _split(lists: pd.Series):
    parts = lists.fillna("").astype(str).str.split("|")
    items = np.concatenate(parts.to_numpy()) if len(parts) else np.empty(0, dtype=object)
    owners = np.repeat(np.arange(len(parts)), parts.str.len().to_numpy())
    keep = items != ""
    return owners[keep], items[keep]


def main(folder: str) -> None:
    folder = Path(folder)
    read = lambda name, cols: pd.read_csv(folder / f"{name}.csv", usecols=cols)
    c = read("centers", ["center_id"])
    o = read("organizations", ["org_id"])
    p = read("platforms", ["platform_id", "kind", "field_ids", "host_ids", "status"])
    m = read("alliance_members", ["center_id", "member_id"])
    extra = read("fields", ["field_id"])["field_id"].tolist() if (folder / "fields.csv").exists() else []
    fields = BUILTIN_FIELDS + [f for f in extra if f not in BUILTIN_FIELDS]
    C, O, P = len(c), len(o), len(p)
    oix, pix, cix, fix = pd.Index(o["org_id"]), pd.Index(p["platform_id"]), pd.Index(c["center_id"]), pd.Index(fields)
    pids = p["platform_id"].to_numpy(dtype=object)
    oids = o["org_id"].to_numpy(dtype=object)

    ones = lambda n: np.ones(n, dtype=np.int32)
    po, ho = _split(p["host_ids"])
    host = sp.csr_matrix((ones(len(po)), (po, oix.get_indexer(ho))), shape=(P, O))
    host.sort_indices()
    mc, mo, mp = cix.get_indexer(m["center_id"]), oix.get_indexer(m["member_id"]), pix.get_indexer(m["member_id"])
    member_org = sp.csr_matrix((ones((mo >= 0).sum()), (mc[mo >= 0], mo[mo >= 0])), shape=(C, O))
    member_plat = sp.csr_matrix((ones((mp >= 0).sum()), (mc[mp >= 0], mp[mp >= 0])), shape=(C, P))
    reached = (member_org @ host.T.tocsr() + member_plat).tocsr()

    kind = pd.Categorical(p["kind"], categories=KINDS).codes
    counted = (p["status"].fillna("active") == "active").to_numpy() & np.isin(kind, [KINDS.index(k) for k in COUNTED])
    fo, ff = _split(p["field_ids"])
    keep = counted[fo]
    fo, ff = fo[keep], fix.get_indexer(ff[keep])
    id_rank = np.argsort(np.argsort(pids.astype(str), kind="stable"), kind="stable")
    field_codes = []
    for f in range(len(fields)):
        codes = fo[ff == f]
        field_codes.append(codes[np.argsort(id_rank[codes], kind="stable")])

    out = []
    for ci in np.argsort(c["center_id"].to_numpy(dtype=str), kind="stable"):
        cid = c["center_id"].iat[ci]
        mask = np.zeros(P, dtype=bool)
        mask[reached.indices[reached.indptr[ci]: reached.indptr[ci + 1]]] = True
        is_member = np.zeros(O, dtype=bool)
        is_member[member_org.indices[member_org.indptr[ci]: member_org.indptr[ci + 1]]] = True
        plat_member = set(member_plat.indices[member_plat.indptr[ci]: member_plat.indptr[ci + 1]].tolist())
        via_cache: dict[int, list[str]] = {}
        for f, codes in enumerate(field_codes):
            hit = mask[codes]
            cov, unc = codes[hit], codes[~hit]
            by_kind = {}
            if len(codes):
                tot = np.bincount(kind[codes], minlength=len(KINDS))
                got = np.bincount(kind[cov], minlength=len(KINDS))
                by_kind = {k: {"covered": int(got[i]), "total": int(tot[i])} for i, k in enumerate(KINDS) if tot[i]}
            via = {}
            for code in cov.tolist():
                v = via_cache.get(code)
                if v is None:
                    hs = host.indices[host.indptr[code]: host.indptr[code + 1]]
                    v = sorted(oids[hs[is_member[hs]]].tolist()) + ([pids[code]] if code in plat_member else [])
                    via_cache[code] = v
                via[pids[code]] = v
            out.append({"center_id": cid, "field_id": fields[f], "covered": len(cov), "total": len(codes),
                        "ratio": len(cov) / len(codes) if len(codes) else None,
                        "covered_platform_ids": pids[cov].tolist(), "uncovered_platform_ids": pids[unc].tolist(),
                        "by_kind": by_kind, "via": via})
    sys.stdout.buffer.write(orjson.dumps(out))
    sys.stdout.buffer.write(b"\n")


if __name__ == "__main__":
    main(sys.argv[1])
