"""The facts the checks need about one center, gathered from the embedded engine's indexes.

An engine's only job for the checks is to fill a :class:`CenterFacts` from the dataset as it stood on the
evaluation date (:func:`graphkit.queries.asof.dataset_as_of`); :func:`graphkit.checks.evaluate` then applies the rules. The Cypher engine fills the same record from a server (:mod:`graphkit.neo4j.facts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from graphkit.errors import UnknownIdError
from graphkit.model.schema import ORG_KINDS
from graphkit.queries.coverage import Coverage, coverage_model
from graphkit.rules.thresholds import Rules

__all__ = ["CenterFacts", "CollabFact", "gather_facts", "latest_ranking"]


@dataclass
class CollabFact:
    """One of "the center's collaborations" (from the center or its operating company) with what it reaches."""

    from_id: str
    to_id: str
    kind: str
    project: str | None
    to_kind: str
    to_foreign: bool
    to_sme: bool | None
    to_is_member: bool
    to_is_shareholder: bool
    to_is_operating_company: bool
    year: int | None = None

    @property
    def edge_id(self) -> str:
        return f"{self.from_id}->{self.to_id}:{self.kind}"


@dataclass
class CenterFacts:
    """Everything the checks need to know about one center, whichever engine gathered it."""

    center: dict  # the center's row (contract columns)
    field_layout: str | None
    operating_company_kind: str | None  # None when the center names no operating company
    member_count: int
    member_kinds: dict[str, list[str]]  # kind → member ids of that kind (a member with role "user" also under "user")
    member_provinces: dict[str, list[str]]  # province → member ids
    members_without_province: int  # domestic member organisations whose province is unknown
    coverage: Coverage
    shareholders: list[dict]  # {"org_id", "kind", "rank"}: rank in the field's latest ranking, None if absent from it
    field_has_rankings: bool  # the field has a ranking up to the evaluation year
    income: dict[int, dict[str, float]]  # year → stream → amount
    collaborations: list[CollabFact]
    assessments: dict[str, dict]  # check id → the assessment row that holds
    members_besides_opco: int = 0  # alliance members other than the operating company (check 4.1)
    ranking_year: int | None = None  # the year of the field's latest ranking used by check 4.2 (None: undated)
    names: dict[str, str] = field(default_factory=dict)  # id → name of the operating company and the shareholders


def is_missing(v) -> bool:
    """None, NaN, NaT or pandas.NA: a cell the data leaves empty."""
    if v is None:
        return True
    try:
        if v != v:
            return True
    except (TypeError, ValueError):
        pass
    return type(v).__name__ == "NAType"


def _year(v) -> int | None:
    return None if is_missing(v) else int(v)


def _clean(v):
    if is_missing(v):
        return None
    return v.item() if hasattr(v, "item") and not isinstance(v, str) else v


class _Tables:
    """Per-dataset lookups the checks need, built once."""

    def __init__(self, ds):
        ix = ds.index
        self.ds = ds
        o = ds.frames["organizations"]
        self.org_country = o["country"].to_numpy(dtype=object)
        self.org_names = o["name"].to_numpy(dtype=object)
        # each field's latest ranking (the dataset is already cut at the evaluation date)
        fr = ds.frames["field_rankings"]
        self.ranked_fields = set(fr["field_id"].dropna().tolist())
        self.rank, self.ranking_year = latest_ranking(fr["org_id"].tolist(), fr["field_id"].tolist(),
                                                      fr["year"].astype("float").tolist(), fr["rank"].tolist())
        # income: center → year → stream → amount
        inc = ds.frames["income"]
        self.income: dict[str, dict[int, dict[str, float]]] = {}
        if len(inc):
            g = inc.groupby(["center_id", "year", "stream"], sort=False)["amount"].sum()
            for (cid, year, stream), amount in g.items():
                self.income.setdefault(cid, {}).setdefault(int(year), {})[stream] = float(amount)
        # assessments: latest by date, then by row
        a = ds.frames["assessments"]
        self.assessments: dict[str, dict[str, dict]] = {}
        if len(a):
            ordered = a.assign(_d=a["date"].fillna(""), _r=np.arange(len(a))).sort_values(["_d", "_r"], kind="stable")
            for row in ordered.to_dict("records"):
                rec = {k: _clean(v) for k, v in row.items() if not k.startswith("_")}
                self.assessments.setdefault(rec["center_id"], {})[rec["check_id"]] = rec
        # members with role "user"
        m = ds.frames["alliance_members"]
        users = m[m["role"] == "user"]
        self.user_role: dict[str, list[str]] = {}
        for cid, mid in zip(users["center_id"], users["member_id"]):
            self.user_role.setdefault(cid, []).append(mid)
        self.centers = ds.frames["centers"]
        self.center_rows = self.centers.to_dict("records")
        self.org_ids = ix.orgs.to_numpy(dtype=object)
        co = ds.frames["collaborations"]
        self.collab_columns = [co[k].to_numpy(dtype=object) for k in ("from_id", "to_id", "kind", "project")]
        self.collab_years = co["year"].astype("float").to_numpy()


def latest_ranking(orgs, fields, years, ranks) -> tuple[dict[tuple[str, str], int], dict[str, int | None]]:
    """((org, field) → rank, field → year) in each field's latest ranking year; a field whose rankings are all
    undated uses those (undated rows never outrank a dated year).

    >>> latest_ranking(["A", "B", "A"], ["F1", "F1", "F1"], [2023, 2023, 2024], [3, 1, 12])
    ({('A', 'F1'): 12}, {'F1': 2024})
    """
    latest: dict[str, int | None] = {}
    for fid, y in zip(fields, years):
        y = None if y is None or y != y else int(y)
        if fid not in latest or (y is not None and (latest[fid] is None or y > latest[fid])):
            latest[fid] = y
    rank: dict[tuple[str, str], int] = {}
    for org, fid, y, r in zip(orgs, fields, years, ranks):
        y = None if y is None or y != y else int(y)
        if y == latest[fid] and not is_missing(r):
            key = (org, fid)
            rank[key] = min(int(r), rank.get(key, int(r)))
    return rank, latest


def _tables(ds) -> _Tables:
    cache = ds.__dict__.setdefault("_check_tables", None)
    if cache is None or cache.ds is not ds:
        cache = _Tables(ds)
        ds.__dict__["_check_tables"] = cache
    return cache


def gather_facts(ds, center_id: str, rules: Rules | None = None) -> CenterFacts:
    """The facts of one center from the embedded engine's indexes."""
    rules = rules or Rules()
    ix = ds.index
    if center_id not in ix.center_pos:
        raise UnknownIdError(f"unknown center id {center_id}")
    c = ix.center_pos[center_id]
    t = _tables(ds)
    row = {k: _clean(v) for k, v in t.center_rows[c].items()}
    fid = row["field_id"]
    fld = ds.fields.get(fid)
    opco = int(ix.center_opco[c])
    opco_kind = ORG_KINDS[ix.org_kind[opco]] if opco >= 0 else None

    mo, mp = ix.member_org, ix.member_platform
    morgs = mo.indices[mo.indptr[c]: mo.indptr[c + 1]]
    n_members = len(morgs) + (mp.indptr[c + 1] - mp.indptr[c])
    member_ids = t.org_ids[morgs]
    order = np.argsort(member_ids.astype(str)) if len(morgs) else morgs
    kinds: dict[str, list[str]] = {}
    for kind_code, oid in zip(ix.org_kind[morgs[order]].tolist(), member_ids[order].tolist()):
        kinds.setdefault(ORG_KINDS[kind_code], []).append(oid)
    for mid in sorted(t.user_role.get(center_id, [])):
        if mid in ix.org_pos and mid not in kinds.get("user", []):
            kinds.setdefault("user", []).append(mid)
    provinces: dict[str, list[str]] = {}
    unknown_prov = 0
    for p, oid, foreign in zip(ix.org_province[morgs].tolist(), member_ids.tolist(), ix.org_foreign[morgs].tolist()):
        if p:
            provinces.setdefault(p, []).append(oid)
        elif not foreign:
            unknown_prov += 1

    cov = coverage_model(ds, rules).entry(c, int(ix.center_field[c]), with_via=False, with_uncovered=False)

    sh = ix.share
    shareholders = []
    for code in sh.indices[sh.indptr[c]: sh.indptr[c + 1]].tolist():
        oid = t.org_ids[code]
        shareholders.append({"org_id": oid, "kind": ORG_KINDS[ix.org_kind[code]], "rank": t.rank.get((oid, fid))})
    shareholders.sort(key=lambda s: s["org_id"])

    member_set = set(morgs.tolist())
    share_set = set(sh.indices[sh.indptr[c]: sh.indptr[c + 1]].tolist())
    collabs = []
    positions = ix.collab_by_center.get(c, np.array([], dtype=np.int64))
    if len(positions):
        cols = t.collab_columns
        for pos, from_id, to_id, kind, project in zip(positions.tolist(), *(a[positions].tolist() for a in cols)):
            to = int(ix.collab_to[pos])
            sme = int(ix.org_sme[to])
            collabs.append(CollabFact(
                from_id, to_id, kind, _clean(project), ORG_KINDS[ix.org_kind[to]], bool(ix.org_foreign[to]),
                None if sme < 0 else bool(sme), to in member_set, to in share_set, to == opco, _year(t.collab_years[pos]),
            ))

    return CenterFacts(
        center=row,
        field_layout=fld.layout if fld else None,
        operating_company_kind=opco_kind,
        member_count=int(n_members),
        member_kinds=kinds,
        member_provinces=provinces,
        members_without_province=unknown_prov,
        coverage=cov,
        shareholders=shareholders,
        field_has_rankings=fid in t.ranked_fields,
        income=t.income.get(center_id, {}),
        collaborations=collabs,
        assessments=t.assessments.get(center_id, {}),
        members_besides_opco=int(n_members) - int(opco >= 0 and opco in member_set),
        names={t.org_ids[o]: t.org_names[o] for o in ([opco] if opco >= 0 else []) + sorted(share_set)},
        ranking_year=t.ranking_year.get(fid),
    )
