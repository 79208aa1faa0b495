"""What is timed, defined once: the answers every engine must give, in one canonical form, and how they are compared.

* coverage   {(center_id, field_id): (covered, total)} for every center × every field (SPEC §5, default rules);
* reach      {center_id: (org ids reached within 2 hops, sorted)} for every center;
* gaps       {field_id: (platforms, centers, best_center_id, best_ratio, union_ratio, (unreached ids, sorted))};
* recruit    {center_id: (org ids in the order the greedy picks them)} for the 20 centers furthest below the
             threshold in their own field (chosen once per scale from the reference's coverage, see
             :func:`recruit_centers`, and handed to every engine).

The rules are the SPEC's defaults, written out here so that the references depend on nothing in graphkit.
"""

from __future__ import annotations

import heapq
import math
from fractions import Fraction

__all__ = [
    "BUILTIN_FIELDS",
    "COUNTED_KINDS",
    "HOPS",
    "MIN_COVERAGE",
    "RECRUIT_CENTERS",
    "compare",
    "greedy",
    "need",
    "recruit_centers",
]

BUILTIN_FIELDS = [f"F{i:02d}" for i in range(1, 23)]  # the 2017 annex, built in (SPEC §3)
COUNTED_KINDS = ("state_key_lab", "national_engineering_lab", "national_engineering_technology_research_center",
                 "national_engineering_research_center")
MIN_COVERAGE = Fraction(1, 2)
HOPS = 2
RECRUIT_CENTERS = 20


def need(covered: int, total: int) -> int:
    """Platforms still to reach for coverage ≥ the threshold (inclusive, exact arithmetic)."""
    return max(0, math.ceil(MIN_COVERAGE * total) - covered)


def greedy(cands: dict[str, set], needed: int) -> list[str]:
    """SPEC §5 recruitment: repeatedly take the organisation reaching the most not-yet-reached platforms, ties by
    smallest id, until ``needed`` are reached or nobody adds anything.

    Lazy greedy: a popped entry whose gain is still what it was pushed with is the true best (every other entry's
    stored gain is an upper bound of its gain, and the heap orders by (-gain, id))."""
    heap = [(-len(s), oid) for oid, s in cands.items() if s]
    heapq.heapify(heap)
    got: set = set()
    chosen: list[str] = []
    while heap and len(got) < needed:
        neg, oid = heapq.heappop(heap)
        gain = len(cands[oid] - got)
        if gain == -neg:
            chosen.append(oid)
            got |= cands[oid]
        elif gain:
            heapq.heappush(heap, (-gain, oid))
    return chosen


def recruit_centers(coverage: dict, center_field: dict[str, str], n: int = RECRUIT_CENTERS) -> list[str]:
    """The ``n`` centers furthest below the threshold in their own field: lowest ratio first, ties by id."""
    below = []
    for cid, fid in center_field.items():
        covered, total = coverage[(cid, fid)]
        if total and Fraction(covered, total) < MIN_COVERAGE:
            below.append((Fraction(covered, total), cid))
    return [cid for _, cid in sorted(below)[:n]]


def compare(what: str, engine: str, expected: dict, got: dict, limit: int = 3) -> list[str]:
    """Differences between two canonical answers, as messages (empty when they are identical)."""
    problems = []
    missing, extra = expected.keys() - got.keys(), got.keys() - expected.keys()
    if missing:
        problems.append(f"{what}/{engine}: {len(missing)} keys missing, e.g. {sorted(missing)[:limit]}")
    if extra:
        problems.append(f"{what}/{engine}: {len(extra)} unexpected keys, e.g. {sorted(extra)[:limit]}")
    wrong = [k for k in expected.keys() & got.keys() if expected[k] != got[k]]
    for k in sorted(wrong)[:limit]:
        a, b = expected[k], got[k]
        if isinstance(a, tuple) and len(a) > 8 and isinstance(b, tuple):
            sa, sb = set(a), set(b)
            detail = f"{len(a)} vs {len(b)} items; only reference: {sorted(sa - sb)[:5]}, only {engine}: {sorted(sb - sa)[:5]}"
        else:
            detail = f"reference {a!r} vs {engine} {b!r}"
        problems.append(f"{what}/{engine}: {k!r}: {detail}")
    if len(wrong) > limit:
        problems.append(f"{what}/{engine}: … {len(wrong)} differing keys in all")
    return problems
