"""Coverage (SPEC §5): the share of a field's national-level platforms that a center's alliance reaches.

P_f = active platforms of the counted kinds that list field f. A platform is reached by center c when one of its
hosts is an alliance member of c, or the platform itself is a member (shareholders count only when they are also
members, unless the rules say otherwise). A field with no platform has coverage "undefined": ``ratio`` is None.

Everything is computed from sparse matrices: reached = members × hosts (centers × platforms), then per field a
column mask, so the full centers × fields matrix costs a few sparse products.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from graphkit.errors import UnknownIdError
from graphkit.model.schema import PLATFORM_KINDS
from graphkit.rules.thresholds import Rules

__all__ = ["counted_platforms", "cached_coverage_model", "Coverage", "CoverageModel", "IdList", "coverage", "iter_coverage", "coverage_matrix", "coverage_model"]


@lru_cache(maxsize=64)
def _exact(threshold) -> Fraction:
    """A threshold as written (0.5 is exactly 1/2, not the float nearest to it)."""
    return Fraction(str(threshold))


class IdList(Sequence):
    """A read-only list of platform ids, made from the field's platform codes only when it is read.

    The uncovered platforms of every center are most of a coverage answer (at 100x scale about 28 million ids
    for the own-field records alone, 224 MiB of list slots); an ``IdList`` keeps a reference to the field's
    shared code array and the positions of the covered ones instead. It compares equal to a list or tuple of
    the same ids, concatenates with lists, and pickles; :meth:`Coverage.to_dict` turns it into a plain list.
    """

    __slots__ = ("_names", "_codes", "_skip")

    def __init__(self, names: np.ndarray, codes: np.ndarray, skip: np.ndarray | None = None):
        self._names = names  # every platform id, by code (shared)
        self._codes = codes  # the field's counted platform codes, in id order (shared)
        self._skip = skip  # positions in ``codes`` that are left out (the covered ones), or None

    def _selected(self) -> np.ndarray:
        if self._skip is None or not len(self._skip):
            return self._codes
        keep = np.ones(len(self._codes), dtype=bool)
        keep[self._skip] = False
        return self._codes[keep]

    def __len__(self) -> int:
        return len(self._codes) - (0 if self._skip is None else len(self._skip))

    def __getitem__(self, i):
        if isinstance(i, slice):
            return self._names[self._selected()[i]].tolist()
        return self._names[self._selected()[i]]

    def __iter__(self):
        return iter(self._names[self._selected()].tolist())

    def tolist(self) -> list[str]:
        return self._names[self._selected()].tolist()

    def __eq__(self, other):
        if isinstance(other, (IdList, list, tuple)):
            return self.tolist() == list(other)
        return NotImplemented

    __hash__ = None  # mutable-looking, like the list it stands for

    def __add__(self, other):
        return self.tolist() + list(other)

    def __radd__(self, other):
        return list(other) + self.tolist()

    def __repr__(self) -> str:
        return repr(self.tolist())

    def __reduce__(self):
        return (list, (self.tolist(),))  # a pickled answer is a plain list: no shared arrays travel with it


@dataclass
class Coverage:
    """Coverage of one center in one field, with the covered and uncovered platform ids and how each was reached."""

    center_id: str
    field_id: str
    covered: int
    total: int
    covered_platform_ids: list[str]
    uncovered_platform_ids: list[str] | IdList
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    via: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return None if self.total == 0 else self.covered / self.total

    @property
    def fraction(self) -> Fraction | None:
        return None if self.total == 0 else Fraction(self.covered, self.total)

    def meets(self, threshold: float) -> bool | None:
        """True/False against a threshold (inclusive, exact arithmetic), None when coverage is undefined."""
        if self.total == 0:
            return None
        t = _exact(threshold)  # covered / total >= t, in integers
        return self.covered * t.denominator >= t.numerator * self.total

    def to_dict(self) -> dict:
        return {
            "center_id": self.center_id,
            "field_id": self.field_id,
            "covered": self.covered,
            "total": self.total,
            "ratio": self.ratio,
            "covered_platform_ids": self.covered_platform_ids,
            "uncovered_platform_ids": list(self.uncovered_platform_ids),
            "by_kind": self.by_kind,
            "via": self.via,
        }


def counted_platforms(ix, rules: Rules) -> np.ndarray:
    """Boolean over platforms: active and of a kind the rules count."""
    kinds = np.array([k in rules.counted_platform_kinds for k in PLATFORM_KINDS], dtype=bool)
    return ix.platform_active & (ix.platform_kind >= 0) & kinds[np.maximum(ix.platform_kind, 0)]


def cached_coverage_model(ds, rules: Rules):
    """The coverage model already built for ``ds`` and ``rules``, or None (nothing is built)."""
    model = ds.__dict__.get("_coverage_models", {}).get(_model_key(rules))
    return model if model is not None and model.ds is ds else None


def _model_key(rules: Rules) -> tuple:
    return (rules.counted_platform_kinds, rules.count_shareholders_in_coverage)


class CoverageModel:
    """The reached matrix and the counted platforms of every field, built once per dataset and rules."""

    def __init__(self, ds, rules: Rules | None = None):
        rules = rules or Rules()
        ix = ds.index
        self.ds = ds
        self.rules = rules
        C, O, P, F = ix.shape
        counted = counted_platforms(ix, rules)
        self.counted = counted
        hosts_t = ix.org_hosts  # O × P
        reached = (ix.member_org @ hosts_t) + ix.member_platform
        if rules.count_shareholders_in_coverage:
            reached = reached + ix.share @ hosts_t
        reached = sp.csr_matrix(reached)
        reached.data[:] = 1
        reached.eliminate_zeros()
        reached.sort_indices()  # each row's codes ascending: membership tests by binary search
        self.reached = reached  # C × P, every platform a member reaches (counted or not)
        # counted platforms of each field, ordered by platform id for stable output
        fp = ix.field_platform
        order = np.argsort(ix.platforms.to_numpy(dtype=str), kind="stable")
        rank = np.empty(P, dtype=np.int64)
        rank[order] = np.arange(P)
        self.field_platforms: list[np.ndarray] = []
        for f in range(F):
            codes = fp.indices[fp.indptr[f]: fp.indptr[f + 1]]
            codes = codes[counted[codes]]
            self.field_platforms.append(codes[np.argsort(rank[codes], kind="stable")])
        self.field_total = np.array([len(c) for c in self.field_platforms], dtype=np.int64)
        self.platform_ids = ix.platforms.to_numpy(dtype=object)
        self.org_ids = ix.orgs.to_numpy(dtype=object)
        self._sorted: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # per field, built on first use
        self._totals: dict[int, np.ndarray] = {}

    def matrix(self) -> tuple[np.ndarray, np.ndarray]:
        """(covered counts centers × fields, totals per field)."""
        ix = self.ds.index
        pf = ix.platform_field.multiply(self.counted[:, None]).tocsr()
        covered = (self.reached @ pf).toarray().astype(np.int64)
        return covered, self.field_total

    def reached_codes(self, c: int) -> np.ndarray:
        r = self.reached
        return r.indices[r.indptr[c]: r.indptr[c + 1]]

    def reached_mask(self, c: int) -> np.ndarray:
        """Boolean over platforms: reached by center ``c``."""
        mask = np.zeros(self.ds.index.shape[2], dtype=bool)
        mask[self.reached_codes(c)] = True
        return mask

    def entry(self, c: int, f: int, *, with_via: bool = True, with_uncovered: bool = True) -> Coverage:
        return self.entries(c, [f], with_via=with_via, with_uncovered=with_uncovered)[0]

    def entries(self, c: int, fields, *, with_via: bool = True, with_ids: bool = True,
                with_uncovered: bool = True) -> list[Coverage]:
        """``with_uncovered=False`` leaves ``uncovered_platform_ids`` empty (callers that only need what is
        covered: at 100× scale the uncovered lists are most of the work)."""
        """Coverage of center ``c`` in each of ``fields``: the reached set is computed once and sliced per field."""
        ix = self.ds.index
        if len(fields) <= 2:  # a binary search per reached platform beats a mask over every platform
            row = self.reached_codes(c)
            hits = [self._hits(f, row) for f in fields]
        else:
            mask = self.reached_mask(c)
            hits = [mask[self.field_platforms[f]] for f in fields]
        via_all = {}
        with_via = with_via and with_ids
        if with_via:
            covered_any = [self.field_platforms[f][h] for f, h in zip(fields, hits)]
            via_all = self.via(c, np.unique(np.concatenate(covered_any)) if covered_any else np.empty(0, np.int64))
        center_id = ix.centers[c]
        out = []
        for f, hit in zip(fields, hits):
            codes = self.field_platforms[f]
            covered_codes = codes[hit]
            covered_ids = self.platform_ids[covered_codes].tolist() if with_ids else []
            by_kind = {}
            if len(codes):
                tot = self._kind_totals(f)
                cov = np.bincount(ix.platform_kind[covered_codes], minlength=len(PLATFORM_KINDS))
                by_kind = {k: {"covered": int(cov[i]), "total": int(tot[i])} for i, k in enumerate(PLATFORM_KINDS) if tot[i]}
            out.append(Coverage(
                center_id=center_id,
                field_id=ix.fields[f],
                covered=int(len(covered_codes)),
                total=int(len(codes)),
                covered_platform_ids=covered_ids,
                uncovered_platform_ids=(IdList(self.platform_ids, codes, np.flatnonzero(hit).astype(np.int32))
                                        if with_ids and with_uncovered else []),
                by_kind=by_kind,
                via={pid: via_all[pid] for pid in covered_ids} if with_via else {},
            ))
        return out

    def _hits(self, f: int, row: np.ndarray) -> np.ndarray:
        """Boolean over field ``f``'s platforms (in id order): which are in ``row`` (ascending codes)."""
        codes = self.field_platforms[f]
        hit = np.zeros(len(codes), dtype=bool)
        if len(row) and len(codes):
            by_code, where = self._by_code(f)
            at = np.minimum(np.searchsorted(by_code, row), len(by_code) - 1)
            hit[where[at[by_code[at] == row]]] = True
        return hit

    def _by_code(self, f: int) -> tuple[np.ndarray, np.ndarray]:
        """Field ``f``'s platform codes ascending, and each one's position in the id-ordered list."""
        cached = self._sorted.get(f)
        if cached is None:
            where = np.argsort(self.field_platforms[f], kind="stable")
            cached = self._sorted[f] = (self.field_platforms[f][where], where)
        return cached

    def _kind_totals(self, f: int) -> np.ndarray:
        tot = self._totals.get(f)
        if tot is None:
            ix = self.ds.index
            tot = self._totals[f] = np.bincount(ix.platform_kind[self.field_platforms[f]], minlength=len(PLATFORM_KINDS))
        return tot

    def via(self, c: int, platform_codes: np.ndarray) -> dict[str, list[str]]:
        """For each platform: the members of c through which it is reached (hosts that are members, or itself)."""
        ix = self.ds.index
        O = ix.shape[1]
        member = np.zeros(O, dtype=bool)
        mo = ix.member_org
        member[mo.indices[mo.indptr[c]: mo.indptr[c + 1]]] = True
        if self.rules.count_shareholders_in_coverage:
            sh = ix.share
            member[sh.indices[sh.indptr[c]: sh.indptr[c + 1]]] = True
        mp = ix.member_platform
        plat_members = set(mp.indices[mp.indptr[c]: mp.indptr[c + 1]].tolist())
        host = ix.host
        starts, ends = host.indptr[platform_codes], host.indptr[platform_codes + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        out: dict[str, list[str]] = {pid: [] for pid in self.platform_ids[platform_codes].tolist()}
        if total:
            offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(total)
            hosts = host.indices[offsets]
            owner = np.repeat(platform_codes, lengths)
            keep = member[hosts]
            for p, h in zip(self.platform_ids[owner[keep]].tolist(), self.org_ids[hosts[keep]].tolist()):
                out[p].append(h)
        for p in platform_codes.tolist():
            pid = self.platform_ids[p]
            out[pid].sort()
            if p in plat_members:
                out[pid].append(pid)
        return out


def coverage_model(ds, rules: Rules | None = None) -> CoverageModel:
    """The coverage model of a dataset (cached on the dataset per rules)."""
    rules = rules or Rules()
    cache = ds.__dict__.setdefault("_coverage_models", {})
    key = _model_key(rules)
    model = cache.get(key)
    if model is None or model.ds is not ds:
        model = cache[key] = CoverageModel(ds, rules)
    return model


def iter_coverage(ds, center: str | None = None, field: str | None = None, *, all_fields: bool = False,
                  rules: Rules | None = None, with_via: bool = True, with_ids: bool = True, as_of=None):
    """Like :func:`coverage`, one center at a time (a list per center), so huge matrices stream in bounded memory.
    ``with_ids=False`` leaves the id lists (and ``via``) empty: the counts alone. ``as_of``: see :mod:`graphkit.queries.asof`."""
    from graphkit.queries.asof import view_as_of

    ds = view_as_of(ds, rules, as_of)
    model = coverage_model(ds, rules)
    ix = ds.index
    if center is not None:
        if center not in ix.center_pos:
            raise UnknownIdError(f"unknown center id {center}")
        centers = [ix.center_pos[center]]
    else:
        centers = np.argsort(ix.centers.to_numpy(dtype=str), kind="stable").tolist()
    if field is not None and field not in ix.field_pos:
        raise UnknownIdError(f"unknown field id {field}")
    all_f = list(range(ix.shape[3]))
    if not with_ids:  # counts only: one sparse product for the whole matrix, no per-entry work
        covered, totals = model.matrix()
        fids = ix.fields.tolist()  # plain lists and ints: 140,000 entries at L without a pandas call each
        totals = [int(t) for t in totals]

        def counts():
            for c in centers:
                fs = all_f if all_fields else [ix.field_pos[field]] if field is not None else [int(ix.center_field[c])]
                cid, row = ix.centers[c], np.asarray(covered[c]).ravel().tolist()
                yield [Coverage(cid, fids[f], int(row[f]), totals[f], [], []) for f in fs]

        return counts()

    def batches():  # unknown ids are reported above, before the first batch is asked for
        for c in centers:
            if all_fields:
                fields = all_f
            elif field is not None:
                fields = [ix.field_pos[field]]
            else:
                fields = [int(ix.center_field[c])]
            yield model.entries(c, fields, with_via=with_via, with_ids=with_ids)

    return batches()


def coverage(ds, center: str | None = None, field: str | None = None, *, all_fields: bool = False,
             rules: Rules | None = None, with_via: bool = True, as_of=None) -> list[Coverage]:
    """Coverage entries: each center in its own field, or in ``field``, or in every field (``all_fields``).

    >>> from pathlib import Path
    >>> import graphkit
    >>> tiny = Path(graphkit.__file__).parents[1] / "tests" / "fixtures" / "tiny"  # wherever the tests start
    >>> [c.ratio for c in coverage(graphkit.load_dataset(tiny))]
    [1.0]
    """
    return [e for batch in iter_coverage(ds, center, field, all_fields=all_fields, rules=rules, with_via=with_via, as_of=as_of)
            for e in batch]


def coverage_matrix(ds, rules: Rules | None = None, as_of=None):
    """(covered, totals, center ids, field ids): the full centers × fields coverage as arrays."""
    from graphkit.queries.asof import view_as_of

    ds = view_as_of(ds, rules, as_of)
    model = coverage_model(ds, rules)
    covered, totals = model.matrix()
    return covered, totals, list(ds.index.centers), list(ds.index.fields)
