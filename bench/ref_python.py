"""The same answers in plain Python: the csv module, dicts and sets (what a careful script without numpy would do)."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from .answers import BUILTIN_FIELDS, COUNTED_KINDS, HOPS, greedy, need

__all__ = ["DictSet"]


def _rows(folder: Path, name: str) -> list[dict]:
    path = folder / f"{name}.csv"
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


class DictSet:
    """Load = read every CSV with ``csv.DictReader`` and build the dicts and sets the queries walk."""

    name = "dict/set"

    def __init__(self, folder):
        folder = Path(folder)
        tables = {p.stem: _rows(folder, p.stem) for p in sorted(folder.glob("*.csv"))}
        centers = tables["centers"]
        self.center_ids = sorted(r["center_id"] for r in centers)
        self.field_ids = BUILTIN_FIELDS + [r["field_id"] for r in tables.get("fields", []) if r["field_id"] not in BUILTIN_FIELDS]
        self.center_field = {r["center_id"]: r["field_id"] for r in centers}
        self.opco = {r["center_id"]: r["operating_company_id"] for r in centers if r["operating_company_id"]}
        self.orgs = {r["org_id"] for r in tables["organizations"]}
        platforms = tables.get("platforms", [])
        self.platforms = {r["platform_id"] for r in platforms}
        self.hosted: dict[str, list[str]] = defaultdict(list)  # org → platforms it hosts
        self.hosts: dict[str, list[str]] = {}
        self.field_platforms: dict[str, set] = defaultdict(set)  # counted platforms of each field
        for r in platforms:
            pid = r["platform_id"]
            hosts = [h for h in r["host_ids"].split("|") if h]
            self.hosts[pid] = hosts
            for h in hosts:
                self.hosted[h].append(pid)
            if (r["status"] or "active") == "active" and r["kind"] in COUNTED_KINDS:
                for f in r["field_ids"].split("|"):
                    if f:
                        self.field_platforms[f].add(pid)
        self.members: dict[str, set] = defaultdict(set)
        self.member_platforms: dict[str, set] = defaultdict(set)
        adj: dict[str, set] = defaultdict(set)
        for r in tables.get("alliance_members", []):
            c, m = r["center_id"], r["member_id"]
            (self.member_platforms if m in self.platforms else self.members)[c].add(m)
            adj[c].add(m)
            adj[m].add(c)
        self.shareholders: dict[str, set] = defaultdict(set)
        for r in tables.get("shareholders", []):
            c, o = r["center_id"], r["org_id"]
            self.shareholders[c].add(o)
            target = self.opco.get(c, c)
            adj[o].add(target)
            adj[target].add(o)
        for r in tables.get("collaborations", []):
            a, b = r["from_id"], r["to_id"]
            adj[a].add(b)
            adj[b].add(a)
        self.adj = adj

    def _reached(self, c: str) -> set:
        reached = set(self.member_platforms[c])
        hosted = self.hosted
        for m in self.members[c]:
            reached.update(hosted.get(m, ()))
        return reached

    def coverage(self) -> dict:
        out = {}
        fps = [(f, self.field_platforms.get(f, set())) for f in self.field_ids]
        for c in self.center_ids:
            reached = self._reached(c)
            for f, fp in fps:
                out[(c, f)] = (len(fp & reached), len(fp))
        return out

    def reach(self) -> dict:
        out = {}
        adj, orgs = self.adj, self.orgs
        for c in self.center_ids:
            seen = {c}
            if c in self.opco:
                seen.add(self.opco[c])
            frontier = set(seen)
            for _ in range(HOPS):
                nxt = set()
                for n in frontier:
                    nxt |= adj.get(n, set())
                frontier = nxt - seen
                seen |= frontier
            excluded = self.members[c] | self.shareholders[c] | {self.opco.get(c)}
            out[c] = tuple(sorted(n for n in seen if n in orgs and n not in excluded))
        return out

    def gaps(self) -> dict:
        reached = {c: self._reached(c) for c in self.center_ids}
        anyone = set().union(*reached.values()) if reached else set()
        by_field = defaultdict(list)
        for c in self.center_ids:  # sorted by id
            by_field[self.center_field[c]].append(c)
        out = {}
        for f in self.field_ids:
            fp = self.field_platforms.get(f, set())
            cs = by_field.get(f, [])
            best = best_ratio = union_ratio = None
            if cs and fp:
                counts = [len(fp & reached[c]) for c in cs]
                top = max(range(len(cs)), key=lambda i: (counts[i], -i))
                best, best_ratio = cs[top], counts[top] / len(fp)
                union_ratio = len(fp & set().union(*(reached[c] for c in cs))) / len(fp)
            out[f] = (len(fp), len(cs), best, best_ratio, union_ratio, tuple(sorted(fp - anyone)))
        return out

    def recruit(self, centers: list[str]) -> dict:
        out = {}
        for c in centers:
            fp = self.field_platforms.get(self.center_field[c], set())
            reached = self._reached(c) & fp
            members = self.members[c]
            cands: dict[str, set] = defaultdict(set)
            for p in fp - reached:
                for h in self.hosts[p]:
                    if h not in members:
                        cands[h].add(p)
            out[c] = tuple(greedy(cands, need(len(reached), len(fp))))
        return out
