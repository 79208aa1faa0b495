"""Recruitment (SPEC §5): the fewest non-member organisations whose joining lifts a center's coverage to the threshold.

Greedy by newly reached platforms (ties by id). When the candidates are few, an exact branch-and-bound search
proves the greedy set minimal (``minimal`` true) or finds a smaller one (``minimal`` false, and the smaller set
in ``smallest_orgs``); when the search is not run or not finished, ``minimal`` is None unless a counting bound
already proves the greedy set minimal.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from graphkit.errors import UnknownIdError
from graphkit.queries.coverage import cached_coverage_model, counted_platforms
from graphkit.rules.thresholds import Rules
from graphkit.settings import get_settings

__all__ = ["Recruitment", "recruit", "plan_recruitment"]

_SEARCH_BUDGET = 200_000  # nodes of the exact search before giving up (minimal stays None)


@dataclass
class Recruitment:
    """Whom a center should recruit, and what coverage that gives."""

    center_id: str
    field_id: str
    ratio_before: float | None
    ratio_after: float | None
    orgs: list[str]
    minimal: bool | None
    covered_before: int = 0
    covered_after: int = 0
    total: int = 0
    needed: int = 0
    newly_reached: dict[str, list[str]] = field(default_factory=dict)
    smallest_orgs: list[str] | None = None
    candidates: int = 0

    def to_dict(self) -> dict:
        d = {
            "center_id": self.center_id,
            "ratio_before": self.ratio_before,
            "ratio_after": self.ratio_after,
            "orgs": self.orgs,
            "minimal": self.minimal,
            "field_id": self.field_id,
            "covered_before": self.covered_before,
            "covered_after": self.covered_after,
            "total": self.total,
            "needed": self.needed,
            "newly_reached": self.newly_reached,
            "candidates": self.candidates,
        }
        if self.smallest_orgs is not None:
            d["smallest_orgs"] = self.smallest_orgs
        return d


def _greedy(cands: dict[str, frozenset], need: int) -> list[str]:
    """Lazy greedy: take the candidate reaching the most not-yet-reached platforms, ties by smallest id."""
    heap = [(-len(s), oid) for oid, s in cands.items() if s]
    heapq.heapify(heap)
    got: set = set()
    chosen: list[str] = []
    while heap and len(got) < need:
        neg, oid = heapq.heappop(heap)
        gain = len(cands[oid] - got)
        if gain == 0:
            continue
        if heap and gain < -heap[0][0] or (heap and gain == -heap[0][0] and heap[0][1] < oid):
            heapq.heappush(heap, (-gain, oid))
            continue
        chosen.append(oid)
        got |= cands[oid]
    return chosen


def _exact(cands: dict[str, frozenset], need: int, upper: int) -> tuple[list[str] | None, bool]:
    """Smallest set (size < ``upper``) reaching ``need`` platforms; (None, True) when none exists (proof),
    (set, True) when found, (None, False) when the search budget ran out."""
    universe = sorted(set().union(*cands.values())) if cands else []
    bit = {p: 1 << i for i, p in enumerate(universe)}
    items = sorted(((sum(bit[p] for p in s), oid) for oid, s in cands.items() if s),
                   key=lambda t: (-t[0].bit_count(), t[1]))
    masks = [m for m, _ in items]
    ids = [oid for _, oid in items]
    nodes = 0

    def search(k: int):
        nonlocal nodes
        best = None

        def dfs(start, chosen, covered, left):
            nonlocal nodes, best
            nodes += 1
            if nodes > _SEARCH_BUDGET:
                raise TimeoutError
            have = covered.bit_count()
            if have >= need:
                best = list(chosen)
                return True
            if left == 0:
                return False
            # bound: even the best `left` remaining candidates (ignoring overlap) cannot reach `need`
            gains = sorted(((m & ~covered).bit_count() for m in masks[start:]), reverse=True)[:left]
            if have + sum(gains) < need:
                return False
            for i in range(start, len(masks)):
                gain = (masks[i] & ~covered).bit_count()
                if gain == 0:
                    continue
                chosen.append(ids[i])
                if dfs(i + 1, chosen, covered | masks[i], left - 1):
                    return True
                chosen.pop()
            return False

        dfs(0, [], 0, k)
        return best

    try:
        for k in range(1, upper):
            found = search(k)
            if found is not None:
                return sorted(found), True
        return None, True
    except TimeoutError:
        return None, False


def plan_recruitment(center_id: str, field_id: str, covered: int, total: int, cands: dict[str, frozenset],
                     threshold: float, exact_max: int) -> Recruitment:
    """The engine-neutral part: given coverage and the candidates (org id → uncovered platform ids it would
    newly reach), choose the organisations."""
    if total == 0:
        return Recruitment(center_id, field_id, None, None, [], None, covered, covered, total, 0, candidates=len(cands))
    before = covered / total
    need = max(0, math.ceil(Fraction(str(threshold)) * total) - covered)
    if need == 0:
        return Recruitment(center_id, field_id, before, before, [], True, covered, covered, total, 0, candidates=len(cands))
    chosen = _greedy(cands, need)
    got: set = set()
    newly = {}
    for oid in chosen:
        new = sorted(cands[oid] - got)
        newly[oid] = new
        got |= cands[oid]
    gained = len(got)
    after = (covered + gained) / total
    minimal: bool | None = None
    smallest = None
    if gained >= need:
        gains = sorted((len(s) for s in cands.values()), reverse=True)
        lower = next((k for k in range(1, len(gains) + 1) if sum(gains[:k]) >= need), len(gains))
        if len(chosen) <= lower:
            minimal = True
        elif len(cands) <= exact_max:
            found, complete = _exact(cands, need, len(chosen))
            if complete:
                minimal = found is None
                smallest = found
    return Recruitment(center_id, field_id, before, after, chosen, minimal, covered, covered + gained, total, need,
                       newly, smallest, len(cands))


def recruit(ds, center: str, *, field: str | None = None, rules: Rules | None = None, as_of=None) -> Recruitment:
    """Recruitment for ``center`` in its own field (or ``field``), on the dataset as of ``as_of``."""
    from graphkit.queries.asof import view_as_of

    rules = rules or Rules()
    ds = view_as_of(ds, rules, as_of)
    ix = ds.index
    if center not in ix.center_pos:
        raise UnknownIdError(f"unknown center id {center}")
    c = ix.center_pos[center]
    if field is not None and field not in ix.field_pos:
        raise UnknownIdError(f"unknown field id {field}")
    f = ix.field_pos[field] if field is not None else int(ix.center_field[c])
    model = cached_coverage_model(ds, rules)
    if model is not None:
        codes = model.field_platforms[f]
        hit = model.reached_mask(c)[codes]
    else:  # from this center's rows alone: recruiting for a few centers does not build every center's coverage
        fp = ix.field_platform
        codes = fp.indices[fp.indptr[f]: fp.indptr[f + 1]]
        codes = codes[counted_platforms(ix, rules)[codes]]
        reached = [(ix.member_org[c] @ ix.org_hosts).indices, ix.member_platform[c].indices]
        if rules.count_shareholders_in_coverage:
            reached.append((ix.share[c] @ ix.org_hosts).indices)
        hit = np.isin(codes, np.concatenate(reached))
    uncovered = codes[~hit]
    member = np.zeros(ix.shape[1], dtype=bool)
    mo = ix.member_org
    member[mo.indices[mo.indptr[c]: mo.indptr[c + 1]]] = True
    if rules.count_shareholders_in_coverage:
        sh = ix.share
        member[sh.indices[sh.indptr[c]: sh.indptr[c + 1]]] = True
    # every (uncovered platform, host) pair at once, from the host matrix's rows
    host = ix.host
    starts, lengths = host.indptr[uncovered], host.indptr[uncovered + 1] - host.indptr[uncovered]
    total = int(lengths.sum())
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths) + np.arange(total)
    hosts = host.indices[offsets] if total else np.empty(0, np.int64)
    owner = np.repeat(uncovered, lengths)
    keep = ~member[hosts]
    cands: dict[str, set] = {}
    org_ids, platform_ids = ix.orgs.to_numpy(dtype=object), ix.platforms.to_numpy(dtype=object)
    for oid, pid in zip(org_ids[hosts[keep]].tolist(), platform_ids[owner[keep]].tolist()):
        cands.setdefault(oid, set()).add(pid)
    frozen = {k: frozenset(v) for k, v in cands.items()}
    return plan_recruitment(center, ix.fields[f], int(hit.sum()), int(len(codes)), frozen, rules.min_coverage,
                            get_settings().recruit_exact_max_candidates)
