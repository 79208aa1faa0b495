"""graphkit itself, as the benchmark drives it: the public API (``import graphkit as gk``) plus the reach codes.

Every ``first call`` timing starts from :func:`bench._gk.reset_caches`: the indexes graphkit builds lazily on the
first query (the coverage model, the adjacency, the check tables) are paid again, so a graphkit row never
profits from work a reference does not also do. The same calls without the reset are the ``warm`` rows.
"""

from __future__ import annotations

import datetime as _dt

from . import _gk
from ._gk import api
from .answers import HOPS

__all__ = ["AS_OF", "Graphkit"]

AS_OF = _dt.date(2025, 12, 31)  # a fixed evaluation date: the checks of two runs are comparable


class Graphkit:
    name = "graphkit"

    def __init__(self, folder):
        self.ds = api("load_dataset")(folder, cache=False)  # the cold validated load (bench.warm_open times the snapshot)

    def reset(self) -> None:
        _gk.reset_caches(self.ds)

    # ---- the queries ------------------------------------------------------------------------------------------
    def coverage(self):
        return api("coverage_matrix")(self.ds)

    def coverage_records(self, centers=None):
        """The record API, every center (or ``centers``) in every field, with covered/uncovered ids and via."""
        if centers is None:
            return api("coverage")(self.ds, all_fields=True)
        return [r for c in centers for r in api("coverage")(self.ds, c, all_fields=True)]

    def reach(self):
        """Every center at once (graphkit's batched sparse walk); rows as code arrays for the comparison."""
        ix = _gk.index(self.ds)
        m = _gk.reach_matrix(ix, HOPS)
        return [m.indices[m.indptr[c]: m.indptr[c + 1]] for c in range(ix.shape[0])]

    def reach_records(self):
        return [api("reach")(self.ds, c, HOPS) for c in self.ds.center_ids()]

    def check(self):
        return api("check")(self.ds, as_of=AS_OF)

    def gaps(self):
        return api("gaps")(self.ds)

    def recruit(self, centers: list[str]):
        return [api("recruit")(self.ds, c) for c in centers]

    # ---- canonical answers (not timed) ------------------------------------------------------------------------
    @staticmethod
    def canon_coverage(answer) -> dict:
        covered, totals, cids, fids = answer
        return {(c, f): (int(covered[i, j]), int(totals[j])) for i, c in enumerate(cids) for j, f in enumerate(fids)}

    @staticmethod
    def canon_coverage_records(records) -> dict:
        return {(r.center_id, r.field_id): (r.covered, r.total) for r in records}

    def canon_reach(self, codes) -> dict:
        ix = _gk.index(self.ds)
        return {c: tuple(sorted(ix.orgs[k].tolist())) for c, k in zip(ix.centers, codes)}

    @staticmethod
    def canon_reach_records(records) -> dict:
        return {r.center_id: tuple(r.reached_ids) for r in records}

    @staticmethod
    def canon_gaps(gaps) -> dict:
        return {g.field_id: (g.platforms, g.centers, g.best_center_id, g.best_ratio, g.union_ratio,
                             tuple(sorted(g.unreached_platform_ids))) for g in gaps}

    @staticmethod
    def canon_recruit(plans) -> dict:
        return {p.center_id: tuple(p.orgs) for p in plans}

    @staticmethod
    def check_statuses(results) -> dict:
        return {(r.center_id, c.id): c.status for r in results for c in r.checks}
