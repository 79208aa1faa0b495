"""The loaded dataset: validated tables, typed records on demand, and the indexes every query runs on.

Indexes are built once at load: each id gets an integer code per entity kind, and every relation becomes a
sparse matrix (centers × organisations for membership, platforms × organisations for hosting, platforms ×
fields …). "Members of a center", "hosts of a platform" and "platforms of a field" are then row slices. The
networkx graph that users and exporters see is built from the same tables on first use
(:meth:`Dataset.to_networkx`).

>>> ds = load_dataset("data/sample")  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from graphkit.errors import UnknownIdError
from graphkit.model.problems import Problems
from graphkit.model.records import RECORD_TYPES, Center, Field, Organization, Platform
from graphkit.model.schema import COLLABORATION_KINDS, ORG_KINDS, PLATFORM_KINDS, TABLES
from graphkit.model.validate import Tables

__all__ = ["Dataset", "Index", "ValidationReport", "dataset_from_tables"]

log = logging.getLogger(__name__)


def _codes(index, values) -> np.ndarray:
    """Position of each value in ``index`` (a pd.Index, or its ids as an arrow array); -1 when absent.

    Hashing runs in C (pyarrow); pass the arrow array when the same index is probed many times."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from graphkit.model.columns import to_arrow

    arr = to_arrow(values if isinstance(values, pd.Series) else pd.Series(values, dtype=object))
    value_set = index if isinstance(index, pa.Array) else to_arrow(pd.Series(index, dtype=object))
    found = pc.index_in(arr, value_set=value_set)
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def _enum_codes(values: pd.Series, categories) -> np.ndarray:
    return pd.Categorical(values.to_numpy(dtype=object), categories=list(categories)).codes.astype(np.int8)


def _flat(ids: pd.Series, lists: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(owner id per item, item) for a column of tuples, without pandas' explode."""
    counts = np.fromiter((len(x) for x in lists), np.int64, len(lists))
    owners = np.repeat(ids.to_numpy(dtype=object), counts)
    items = np.fromiter((x for tup in lists for x in tup), object, int(counts.sum())) if counts.sum() else np.empty(0, object)
    return owners, items


def _csr(rows, cols, shape, data=None) -> sp.csr_matrix:
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    if data is None:
        data = np.ones(len(rows), dtype=np.int32)
    m = sp.csr_matrix((data, (rows, cols)), shape=shape)
    m.sum_duplicates()
    return m


class Index:
    """Integer codes and sparse relation matrices for fast queries (see the module docstring)."""

    def __init__(self, frames: dict[str, pd.DataFrame], fields: list[Field]):
        c, o, p = frames["centers"], frames["organizations"], frames["platforms"]
        self.centers = pd.Index(c["center_id"].to_numpy(dtype=object), dtype=object)
        self.orgs = pd.Index(o["org_id"].to_numpy(dtype=object), dtype=object)
        self.platforms = pd.Index(p["platform_id"].to_numpy(dtype=object), dtype=object)
        self.fields = pd.Index([f.field_id for f in fields], dtype=object)
        C, O, P, F = len(self.centers), len(self.orgs), len(self.platforms), len(self.fields)
        self.shape = (C, O, P, F)
        from graphkit.model.columns import to_arrow

        # the ids as arrow arrays, so that every lookup below reuses them
        self._ids = {k: to_arrow(pd.Series(v, dtype=object)) for k, v in
                     (("center", self.centers), ("org", self.orgs), ("platform", self.platforms), ("field", self.fields))}
        ids = self._ids

        # entity attributes as arrays
        self.center_field = _codes(ids["field"], c["field_id"])
        opco = c["operating_company_id"]
        self.center_opco = np.where(opco.notna().to_numpy(), _codes(ids["org"], opco.fillna("")), -1)
        self.org_kind = _enum_codes(o["kind"], ORG_KINDS)
        self.org_foreign = (o["country"] != "CN").to_numpy(dtype=bool)
        sme = o["is_sme"].astype("boolean")
        self.org_sme = np.where(sme.isna().to_numpy(), -1, sme.fillna(False).to_numpy(dtype=bool).astype(np.int8)).astype(np.int8)
        self.org_province = o["province"].to_numpy(dtype=object)
        self.platform_kind = _enum_codes(p["kind"], PLATFORM_KINDS)
        self.platform_active = (p["status"].fillna("active") == "active").to_numpy(dtype=bool)

        # platform ↔ field, platform ↔ host
        owners, items = _flat(pd.Series(np.arange(P)), p["field_ids"])
        self.platform_field = _csr(owners.astype(np.int64), _codes(ids["field"], items), (P, F))
        owners, items = _flat(pd.Series(np.arange(P)), p["host_ids"])
        self.host = _csr(owners.astype(np.int64), _codes(ids["org"], items), (P, O))
        self.field_platform = self.platform_field.T.tocsr()
        self.org_hosts = self.host.T.tocsr()  # org → platforms it hosts

        # shareholders (center × org, data = share in % where known, else NaN marker kept separately)
        s = frames["shareholders"]
        self.share = _csr(_codes(ids["center"], s["center_id"]), _codes(ids["org"], s["org_id"]), (C, O))

        self._set_members(frames["alliance_members"])

        # collaborations: from (center or org) → org
        co = frames["collaborations"]
        from_ids = co["from_id"].to_numpy(dtype=object)
        from_center = _codes(ids["center"], from_ids)
        from_org = _codes(ids["org"], from_ids)
        self.collab_from_is_center = from_center >= 0
        self.collab_from = np.where(self.collab_from_is_center, from_center, from_org)
        self.collab_to = _codes(ids["org"], co["to_id"])
        self.collab_kind = _enum_codes(co["kind"], COLLABORATION_KINDS)
        self.collab_has_project = co["project"].notna().to_numpy(dtype=bool)
        self.collab_rows = np.arange(len(co))

    def _set_members(self, m: pd.DataFrame) -> None:
        C, O, P, _ = self.shape
        mem = m["member_id"].to_numpy(dtype=object)
        rows = _codes(self._ids["center"], m["center_id"])
        as_org = _codes(self._ids["org"], mem)
        as_plat = _codes(self._ids["platform"], mem)
        self.member_org = _csr(rows[as_org >= 0], as_org[as_org >= 0], (C, O))
        self.member_platform = _csr(rows[as_plat >= 0], as_plat[as_plat >= 0], (C, P))
        self.__dict__.pop("adjacency", None)
        self.__dict__.pop("collab_by_center", None)

    def with_members(self, m: pd.DataFrame) -> "Index":
        """A copy sharing everything but the membership matrices (for what-if edits)."""
        clone = object.__new__(Index)
        clone.__dict__.update({k: v for k, v in self.__dict__.items() if k not in ("adjacency", "collab_by_center")})
        clone._set_members(m)
        return clone

    # ---- derived, built on first use -------------------------------------------------------------------
    @cached_property
    def center_pos(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.centers)}

    @cached_property
    def org_pos(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.orgs)}

    @cached_property
    def platform_pos(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.platforms)}

    @cached_property
    def field_pos(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.fields)}

    @cached_property
    def collab_by_center(self) -> dict[int, np.ndarray]:
        """Center code → positions of "the center's collaborations" (from the center or its operating company)."""
        C = self.shape[0]
        out: dict[int, list] = defaultdict(list)
        opco_owner: dict[int, list] = defaultdict(list)
        for cc, oc in enumerate(self.center_opco):
            if oc >= 0:
                opco_owner[int(oc)].append(cc)
        for pos in np.flatnonzero(self.collab_from_is_center):
            out[int(self.collab_from[pos])].append(pos)
        if opco_owner:
            owners = np.array(sorted(opco_owner), dtype=np.int64)
            from_org = ~self.collab_from_is_center
            hit = from_org & np.isin(self.collab_from, owners)
            for pos in np.flatnonzero(hit):
                for cc in opco_owner[int(self.collab_from[pos])]:
                    out[cc].append(pos)
        return {k: np.array(sorted(v), dtype=np.int64) for k, v in out.items() if k < C}

    @cached_property
    def adjacency(self) -> sp.csr_matrix:
        """Undirected adjacency over all nodes (centers, then organisations, then platforms) for reach.

        Edges: membership (center–member), shareholding (shareholder–operating company, or the center when it has
        no operating company) and collaboration (from–to).
        """
        C, O, P, _ = self.shape
        N = C + O + P
        mo = self.member_org.tocoo()
        mp = self.member_platform.tocoo()
        sh = self.share.tocoo()
        opco = self.center_opco[sh.row]
        sh_target = np.where(opco >= 0, C + opco, sh.row)
        cf = np.where(self.collab_from_is_center, self.collab_from, C + self.collab_from)
        ok = self.collab_to >= 0
        src = np.concatenate([mo.row, mp.row, C + sh.col, cf[ok]])
        dst = np.concatenate([C + mo.col, C + O + mp.col, sh_target, C + self.collab_to[ok]])
        a = _csr(np.concatenate([src, dst]), np.concatenate([dst, src]), (N, N), np.ones(2 * len(src), dtype=np.int8))
        a.data[:] = 1
        return a


@dataclass
class ValidationReport:
    """What ``graphkit validate`` prints: problems, row counts, and the dataset when it is valid."""

    problems: Problems
    counts: dict
    dataset: "Dataset | None"

    @property
    def ok(self) -> bool:
        return not self.problems.has_errors()

    def to_dict(self, lang: str = "zh") -> dict:
        return {
            "errors": self.problems.format_errors(lang),
            "warnings": self.problems.format_warnings(lang),
            "counts": self.counts,
            "problems": [p.to_dict(lang) for p in self.problems.errors + self.problems.warnings],
        }


class Dataset:
    """A validated dataset: typed tables, fields, indexes, and the warnings found when it was loaded."""

    def __init__(self, tables: Tables, problems: Problems | None = None, origin: str = "", index: Index | None = None):
        self.frames = tables.frames  # a dict, or a mapping that decodes each table on first use (a snapshot)
        self.fields: dict[str, Field] = {f.field_id: f for f in tables.fields}
        self.labels = tables.labels
        self.problems = problems or Problems()
        self.origin = origin
        self.index = Index(self.frames, tables.fields) if index is None else index  # kept by a snapshot
        self._kind = None

    # ---- counts and provenance -------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        size = getattr(self.frames, "length", None)  # a snapshot's tables know their rows before they are decoded
        out = {name: int(size(name) if size else len(self.frames[name])) for name in TABLES if name != "fields"}
        out["fields"] = len(self.fields)
        return out

    def provenance(self) -> dict[str, dict[str, int]]:
        """Per table: rows by ``source`` (``synthetic``, a citation, or empty), most rows first.

        Counted once and kept on the dataset (the app shows it on every rerun); callers get a copy."""
        cached = self.__dict__.get("_provenance")
        if cached is None:
            cached = {}
            for name, frame in self.frames.items():
                if "source" in frame and len(frame):
                    by: dict[str, int] = {}
                    for k, v in frame["source"].value_counts(dropna=False).items():
                        key = "" if pd.isna(k) else str(k)
                        by[key] = by.get(key, 0) + int(v)
                    cached[name] = dict(sorted(by.items(), key=lambda kv: -kv[1]))
            self.__dict__["_provenance"] = cached
        return {name: dict(by) for name, by in cached.items()}

    def synthetic_share(self) -> dict[str, float]:
        """Per table, the share of rows marked ``source = synthetic`` (tables with rows only)."""
        return {name: sum(n for k, n in by.items() if k.strip().lower() == "synthetic") / len(self.frames[name])
                for name, by in self.provenance().items()}

    @property
    def is_synthetic(self) -> bool:
        return any(v > 0 for v in self.synthetic_share().values())

    # ---- lookups ---------------------------------------------------------------------------------------
    def kind_of(self, id_: str) -> str | None:
        """``center``, ``org``, ``platform``, ``field`` or None."""
        ix = self.index
        if id_ in ix.center_pos:
            return "center"
        if id_ in ix.org_pos:
            return "org"
        if id_ in ix.platform_pos:
            return "platform"
        if id_ in ix.field_pos:
            return "field"
        return None

    def _row(self, table: str, pos: int) -> dict:
        frame = self.frames[table]
        return dict(zip(frame.columns, frame.iloc[pos].tolist()))

    def center(self, center_id: str) -> Center:
        pos = self._pos("center", center_id)
        return Center.from_row(self._row("centers", pos))

    def organization(self, org_id: str) -> Organization:
        return Organization.from_row(self._row("organizations", self._pos("org", org_id)))

    def platform(self, platform_id: str) -> Platform:
        return Platform.from_row(self._row("platforms", self._pos("platform", platform_id)))

    def field(self, field_id: str) -> Field:
        try:
            return self.fields[field_id]
        except KeyError:
            raise UnknownIdError(f"unknown field id {field_id}") from None

    def _pos(self, kind: str, id_: str) -> int:
        table = {"center": self.index.center_pos, "org": self.index.org_pos, "platform": self.index.platform_pos}[kind]
        try:
            return table[id_]
        except KeyError:
            raise UnknownIdError(f"unknown {kind} id {id_}") from None

    def records(self, table: str) -> list:
        """Every row of ``table`` as a typed record (see :mod:`graphkit.model`)."""
        cls = RECORD_TYPES[table]
        frame = self.frames[table]
        cols = list(frame.columns)
        return [cls.from_row(dict(zip(cols, row))) for row in frame.itertuples(index=False, name=None)]

    def center_ids(self) -> list[str]:
        return list(self.index.centers)

    def members(self, center_id: str) -> list[str]:
        """Alliance member ids of a center (organisations, then platforms), sorted."""
        ix = self.index
        c = self._pos("center", center_id)
        orgs = ix.orgs[ix.member_org.indices[ix.member_org.indptr[c]: ix.member_org.indptr[c + 1]]]
        plats = ix.platforms[ix.member_platform.indices[ix.member_platform.indptr[c]: ix.member_platform.indptr[c + 1]]]
        return sorted(orgs) + sorted(plats)

    def shareholders(self, center_id: str) -> list[str]:
        ix = self.index
        c = self._pos("center", center_id)
        return sorted(ix.orgs[ix.share.indices[ix.share.indptr[c]: ix.share.indptr[c + 1]]])

    def hosts(self, platform_id: str) -> list[str]:
        ix = self.index
        p = self._pos("platform", platform_id)
        return sorted(ix.orgs[ix.host.indices[ix.host.indptr[p]: ix.host.indptr[p + 1]]])

    def platforms_of_field(self, field_id: str) -> list[str]:
        ix = self.index
        if field_id not in ix.field_pos:
            raise UnknownIdError(f"unknown field id {field_id}")
        f = ix.field_pos[field_id]
        return sorted(ix.platforms[ix.field_platform.indices[ix.field_platform.indptr[f]: ix.field_platform.indptr[f + 1]]])

    def centers_in_field(self, field_id: str) -> list[str]:
        ix = self.index
        if field_id not in ix.field_pos:
            raise UnknownIdError(f"unknown field id {field_id}")
        return sorted(ix.centers[ix.center_field == ix.field_pos[field_id]])

    # ---- derived datasets ------------------------------------------------------------------------------
    def with_members(self, center_id: str, add=(), remove=()) -> "Dataset":
        """A what-if copy where ``add`` joined and ``remove`` left the center's alliance; this dataset is unchanged."""
        self._pos("center", center_id)
        m = self.frames["alliance_members"]
        remove = set(remove)
        keep = ~((m["center_id"] == center_id) & m["member_id"].isin(remove))
        present = set(m.loc[(m["center_id"] == center_id), "member_id"])
        new_ids = [x for x in dict.fromkeys(add) if x not in present or x in remove]
        for x in new_ids:
            if self.kind_of(x) not in ("org", "platform"):
                raise UnknownIdError(f"unknown organisation or platform id {x}")
        extra = pd.DataFrame({c: [None] * len(new_ids) for c in m.columns})
        if new_ids:
            extra["center_id"] = center_id
            extra["member_id"] = new_ids
            extra["role"] = "member"
            extra["source"] = "what-if"
            start = (int(m.index.max()) + 1) if len(m) else 2
            extra.index = pd.RangeIndex(start, start + len(new_ids))
        frames = dict(self.frames)
        frames["alliance_members"] = pd.concat([m[keep], extra]) if new_ids else m[keep]
        clone = object.__new__(Dataset)
        clone.__dict__.update(self.__dict__)
        clone.frames = frames
        clone.index = self.index.with_members(frames["alliance_members"])
        clone.__dict__.pop("_graph", None)
        clone.__dict__.pop("_coverage_models", None)
        clone.__dict__.pop("_provenance", None)
        return clone

    def canonical(self) -> dict:
        """An order-free form of the dataset for equality: two datasets hold the same graph when their canonical
        forms are equal (row numbers, row order and all-empty extra columns do not matter)."""
        out = {}
        contract = {name: set(t.column_names) for name, t in TABLES.items()}
        for name, frame in self.frames.items():
            cols = [c for c in frame.columns if c != "parsed_value"]
            cols = sorted(c for c in cols if c in contract[name] or frame[c].map(_canon_value).notna().any())
            rows = [tuple(_canon_value(v) for v in rec) for rec in frame[cols].itertuples(index=False, name=None)]
            out[name] = (tuple(cols), sorted(rows, key=repr))
        out["fields"] = sorted(
            (f.field_id, f.name_zh, f.name_en or None, f.layout, f.difficulties or None) for f in self.fields.values()
        )
        return out

    def same_as(self, other: "Dataset") -> bool:
        """True when both datasets hold the same graph (see :meth:`canonical`)."""
        return self.canonical() == other.canonical()

    def to_networkx(self):
        """The dataset as a networkx MultiDiGraph (built once, then cached); see :mod:`graphkit.model.graph`."""
        if getattr(self, "_graph", None) is None:
            from graphkit.model.graph import to_networkx

            self._graph = to_networkx(self)
        return self._graph

    def __repr__(self) -> str:
        c = self.counts()
        return f"<Dataset {self.origin!r}: {c['centers']} centers, {c['organizations']} organisations, {c['platforms']} platforms>"


def _canon_value(v):
    if v is None:
        return None
    if type(v).__name__ == "NAType":
        return None
    if isinstance(v, float):
        if v != v:
            return None
        return int(v) if v.is_integer() else v
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        f = float(v)
        return None if f != f else (int(f) if f.is_integer() else f)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    if isinstance(v, str):
        return v if v != "" else None
    if isinstance(v, (list, tuple)):
        return tuple(v) if len(v) else None
    return v


def dataset_from_tables(frames: dict[str, pd.DataFrame], fields: list[Field] | None = None, origin: str = "") -> Dataset:
    """Build a dataset from already-typed frames (what-if edits, generators); frames are not re-validated."""
    from graphkit.model.notice import builtin_fields

    return Dataset(Tables(frames, list(fields or builtin_fields())), Problems(), origin)
