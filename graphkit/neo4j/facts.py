"""The checks and the claims on a Bolt server: :class:`graphkit.checks.CenterFacts` gathered by Cypher.

Each fact query covers one center or all of them at once (grouped by center on the server), so checking
every center costs a handful of statements, not a handful per center. The facts then go through the very
same :func:`graphkit.checks.evaluate` as the embedded engine's, and the claims through the same verdict
functions, so both engines answer alike by construction; the tests hold them to it.
"""

from __future__ import annotations

from collections import defaultdict

from graphkit.checks.conditions import CenterChecks, CenterFacts, CollabFact, evaluate
from graphkit.checks.facts import latest_ranking
from graphkit.model.validate import parse_ratio
from graphkit.neo4j.rows import approved_by, joined_by, year_by
from graphkit.neo4j.transfer import read_one
from graphkit.queries.asof import is_after
from graphkit.queries.claims import (
    ClaimVerdict,
    EntryVerdict,
    verdict_for_count,
    entry_faults,
    verdict_for_list,
    verdict_for_ratio,
)
from graphkit.rules.thresholds import Rules

__all__ = ["FactsMixin"]


def _scope(center: str | None) -> str:
    return "MATCH (c:Center {id: $center})" if center else "MATCH (c:Center)"


class FactsMixin:
    """check() and claims() for :class:`graphkit.neo4j.CypherEngine` (which provides the queries used here)."""

    def check(self, center=None, *, as_of=None, rules: Rules | None = None) -> list[CenterChecks]:
        rules = rules or Rules()
        date = rules.evaluation_date(as_of)
        if center is not None:
            self._require("center", center)
        facts = self._facts(center, rules, date)
        return [evaluate(facts[cid], rules, date) for cid in sorted(facts)]

    def _facts(self, center: str | None, rules: Rules, date) -> dict[str, CenterFacts]:
        """Every center's facts as they stood on ``date`` (SPEC §4: facts dated after it are left out)."""
        from graphkit.neo4j.rows import coverage_entry, date_params, row_of

        scope = _scope(center)
        when = date_params(date)
        read = lambda q, **kw: self._read(q, center=center, **when, **kw)  # noqa: E731
        centers = read(f"{scope} OPTIONAL MATCH (c)-[:IN_FIELD]->(f:Field) OPTIONAL MATCH (c)-[:OPERATED_BY]->(o:Organization) "
                       "RETURN c.id AS id, CASE WHEN c._big IS NULL THEN properties(c) END AS p, f.id AS field, "
                       "CASE WHEN f._big IS NULL THEN [f.layout] END AS layout, o.kind AS opco_kind, o.id AS opco, o.name AS opco_name, "
                       f"[(f)<-[r:RANKED_IN]-(:Organization) WHERE {year_by('r')} | r.year] AS rank_years")
        members = self._filled(read(f"{scope} MATCH (c)<-[r:MEMBER_OF]-(m) "
                                    f"WHERE {joined_by('r')} AND (NOT 'Platform' IN labels(m) OR {approved_by('m')}) "
                                    "RETURN c.id AS c, m.id AS id, 'Platform' IN labels(m) AS platform, r.role AS role, "
                                    "CASE WHEN m._big IS NULL THEN [m.kind, m.country, m.province] END AS v"),
                               "Organization", ("kind", "country", "province"))
        shareholders = read(f"{scope} MATCH (c)<-[:SHAREHOLDER_OF]-(o:Organization) OPTIONAL MATCH (c)-[:IN_FIELD]->(f:Field) "
                            "RETURN c.id AS c, o.id AS org, o.kind AS kind, o.name AS name, "
                            f"[(o)-[r:RANKED_IN]->(f) WHERE {year_by('r')} | [r.year, r.rank]] AS ranks")
        income = read(f"{scope} MATCH (c)-[:HAS_INCOME]->(i:Income) WHERE i.year <= $year "
                      "RETURN c.id AS c, i.year AS y, i.stream AS s, sum(i.amount) AS a")
        collabs = read(f"{scope} OPTIONAL MATCH (c)-[:OPERATED_BY]->(op:Organization) "
                       "WITH c, op, [x IN [c, op] WHERE x IS NOT NULL] AS froms UNWIND froms AS x "
                       f"MATCH (x)-[e:COLLABORATES_WITH]->(t:Organization) WHERE {year_by('e')} "
                       "RETURN c.id AS c, x.id AS from_id, t.id AS to_id, e.kind AS kind, e.row AS row, e.key AS key, e.year AS year, "
                       "CASE WHEN e._big IS NULL THEN [e.project] END AS v, t.kind AS to_kind, t.country AS country, "
                       f"t.is_sme AS sme, size([(t)-[r:MEMBER_OF]->(c) WHERE {joined_by('r')} | 1]) > 0 AS member, "
                       "size([(t)-[:SHAREHOLDER_OF]->(c) | 1]) > 0 AS shareholder, op IS NOT NULL AND t = op AS opco")
        assessments = read(f"{scope} MATCH (c)-[:HAS_ASSESSMENT]->(a:Assessment) "
                           "RETURN c.id AS c, a.id AS id, CASE WHEN a._big IS NULL THEN properties(a) END AS p")
        coverage = self._reached(rules, center, None, True, date)
        counted = self._counted(rules, None, date)

        by_center: dict[str, dict] = defaultdict(lambda: defaultdict(list))
        for name, rows in (("members", members), ("shareholders", shareholders), ("income", income),
                           ("collabs", collabs), ("assessments", assessments)):
            for r in rows:
                by_center[r["c"]][name].append(r)
        out = {}
        for c in centers:
            cid = c["id"]
            mine = by_center[cid]
            row = row_of("centers", c["p"] if c["p"] is not None else read_one(self.client, "Center", cid) or {})
            layout = c["layout"][0] if c["layout"] is not None else (read_one(self.client, "Field", c["field"]) or {}).get("layout")
            fid = c["field"]
            kinds, provinces, unknown, n_members = _members(mine["members"])
            years = c["rank_years"] or []
            _, latest_year = latest_ranking([None] * len(years), [fid] * len(years), years, [None] * len(years))
            ranks = []
            names = {c["opco"]: c["opco_name"]} if c["opco"] is not None else {}
            for s in mine["shareholders"]:
                names[s["org"]] = s["name"]
                rows = [r for yr, r in (s["ranks"] or []) if yr == latest_year.get(fid) and r is not None]
                ranks.append({"org_id": s["org"], "kind": s["kind"], "rank": min(rows) if rows else None})
            money: dict[int, dict[str, float]] = {}
            for i in mine["income"]:
                money.setdefault(int(i["y"]), {})[i["s"]] = float(i["a"])
            collab_rows = self._filled(mine["collabs"], "COLLABORATES_WITH", ("project",), ident="key", is_rel=True)
            collab_rows.sort(key=lambda r: (r["row"] if r["row"] is not None else 1 << 62, r["key"]))
            collaborations = [CollabFact(r["from_id"], r["to_id"], r["kind"], r["v"][0], r["to_kind"], r["country"] != "CN",
                                         r["sme"], r["member"], r["shareholder"], r["opco"], r["year"]) for r in collab_rows]
            out[cid] = CenterFacts(
                center=row, field_layout=layout, operating_company_kind=c["opco_kind"],
                member_count=n_members, member_kinds=kinds, member_provinces=provinces, members_without_province=unknown,
                coverage=coverage_entry(cid, fid, counted.get(fid, []), coverage.get(cid, {}), True),
                shareholders=sorted(ranks, key=lambda s: s["org_id"]), field_has_rankings=bool(years),
                income=money, collaborations=collaborations, assessments=self._assessments(mine["assessments"], date),
                members_besides_opco=n_members - sum(1 for m in mine["members"] if m["id"] == c["opco"] and not m["platform"]),
                ranking_year=latest_year.get(fid), names={k: v for k, v in names.items() if v},
            )
        return out

    def _assessments(self, rows: list[dict], date) -> dict[str, dict]:
        """check id → the assessment that holds on ``date``: the latest by date, then by row (later ones left out)."""
        from graphkit.neo4j.rows import row_of

        recs = []
        for r in rows:
            props = r["p"] if r["p"] is not None else read_one(self.client, "Assessment", r["id"]) or {}
            rec = row_of("assessments", props)
            if is_after(rec.get("date"), date):
                continue
            recs.append((rec.get("date") or "", props.get("row", 1 << 62), r["id"], rec))
        out = {}
        for _, _, _, rec in sorted(recs, key=lambda t: (t[0], t[1], t[2])):
            out[rec["check_id"]] = rec
        return out

    # ---- claims -----------------------------------------------------------------------------------------
    def claims(self, center=None, *, rules: Rules | None = None, as_of=None) -> list[ClaimVerdict]:
        from graphkit.neo4j.rows import coverage_entry, date_params, reach_types, row_of

        rules = rules or Rules()
        date = rules.evaluation_date(as_of)
        when = date_params(date)
        if center is not None:
            self._require("center", center)
        rows = self._read(f"{_scope(center)}-[:HAS_CLAIM]->(x:Claim) RETURN x.id AS id, "
                          "CASE WHEN x._big IS NULL THEN properties(x) END AS p", center=center)
        claims = []
        for r in rows:
            props = r["p"] if r["p"] is not None else read_one(self.client, "Claim", r["id"]) or {}
            claims.append((props.get("row", 1 << 62), r["id"], row_of("claims", props), props.get("row")))
        claims.sort(key=lambda t: (t[0], t[1]))
        if not claims:
            return []
        home = self._center_fields(center)
        counted = self._counted(rules, None, date)
        reached = self._reached(rules, center, None, False, date)
        out = []
        for _, _, rec, row in claims:
            cid, kind = rec["center_id"], rec["claim"]
            fid = rec.get("field_id") or home[cid]
            entry = coverage_entry(cid, fid, counted.get(fid, []), reached.get(cid, {}), True)
            parsed = _parse_claim(kind, rec.get("value"))
            if kind == "coverage_ratio":
                verdict = verdict_for_ratio(parsed, entry.covered, entry.total, rules.claim_tolerance_pp)
                out.append(ClaimVerdict(cid, kind, fid, parsed, entry.ratio, verdict, row=row, source=rec.get("source")))
            elif kind == "member_count":
                n = self._read(f"MATCH (c:Center {{id: $center}})<-[r:MEMBER_OF]-(m) WHERE {joined_by('r')} "
                               f"AND (NOT 'Platform' IN labels(m) OR {approved_by('m')}) RETURN count(m) AS n", center=cid, **when)[0]["n"]
                out.append(ClaimVerdict(cid, kind, fid, parsed, n, verdict_for_count(parsed, n), row=row, source=rec.get("source")))
            else:
                out.append(self._platform_claim(cid, fid, rec, parsed, entry, row, reach_types(rules), rules, when))
        return out

    def _platform_claim(self, cid, fid, rec, parsed, entry, row, reach_types, rules, when) -> ClaimVerdict:
        matcher = self._name_matcher()
        prefer = {r["p"] for r in self._read("MATCH (p:Platform)-[:IN_FIELD]->(:Field {id: $field}) RETURN p.id AS p", field=fid)}
        # a platform approved after the evaluation year is not in the registry yet (SPEC §4)
        future = {pid for pid, p in matcher.registry.items() if _approved_year(p.get("approved")) > when["year"]}
        matched = []
        for item in parsed or ():
            pid, suggestions = matcher.match(item, prefer)
            if pid in future:
                pid, suggestions = None, matcher.suggest(item, 3 + len(future))
            if future and pid is None:
                suggestions = [x for x in suggestions if x.split(" ", 1)[0] not in future][:3]
            matched.append((item, pid, suggestions))
        pids = sorted({pid for _, pid, _ in matched if pid is not None})
        reached = set()
        for statement in (f"MATCH (c:Center {{id: $center}}) UNWIND $rows AS pid MATCH (p:Platform {{id: pid}})-[:HOSTED_BY]->"
                          f"(:Organization)-[r:{reach_types}]->(c) WHERE {joined_by('r')} RETURN DISTINCT p.id AS p",
                          "MATCH (c:Center {id: $center}) UNWIND $rows AS pid MATCH (p:Platform {id: pid})-[r:MEMBER_OF]->(c) "
                          f"WHERE {joined_by('r')} RETURN DISTINCT p.id AS p"):
            for batch in self.client.batches(statement, pids, center=cid, **when):
                reached |= {r["p"] for r in self._read(statement, rows=batch, center=cid, **when)}
        entries = []
        for item, pid, suggestions in matched:
            plat = matcher.registry.get(pid) if pid is not None else {}
            faults = ["not_in_registry"] if pid is None else entry_faults(
                pid, fid in (plat.get("field_ids") or ()), plat.get("kind") in rules.counted_platform_kinds,
                (plat.get("status") or "active") == "active", pid in reached)
            entries.append(EntryVerdict(item, pid, faults[0] if faults else "ok", suggestions, faults))
        covered = set(entry.covered_platform_ids)
        verdict = verdict_for_list(entries, covered)
        return ClaimVerdict(cid, rec["claim"], fid, list(parsed or ()), sorted(covered), verdict, entries, row, rec.get("source"))


def _members(rows: list[dict]) -> tuple[dict, dict, int, int]:
    """(member kinds → ids, provinces → ids, domestic members of unknown province, member count), as gather_facts."""
    orgs = sorted((r for r in rows if not r["platform"]), key=lambda r: r["id"])
    kinds: dict[str, list[str]] = {}
    for r in orgs:
        kinds.setdefault(r["v"][0], []).append(r["id"])
    for mid in sorted(r["id"] for r in orgs if r["role"] == "user"):
        if mid not in kinds.get("user", []):
            kinds.setdefault("user", []).append(mid)
    provinces: dict[str, list[str]] = {}
    unknown = 0
    for r in orgs:
        province, country = r["v"][2], r["v"][1]
        if province:
            provinces.setdefault(province, []).append(r["id"])
        elif country == "CN":
            unknown += 1
    return kinds, provinces, unknown, len(rows)


def _approved_year(value) -> int:
    text = "" if value is None else str(value)
    return int(text[:4]) if text[:4].isdigit() else -1


def _parse_claim(kind: str, value):
    """The claimed value as validation parses it (see graphkit.model.validate)."""
    if value is None:
        return None
    if kind == "coverage_ratio":
        return parse_ratio(value)[0]
    if kind == "member_count":
        return int(float(str(value).replace(",", "").strip()))
    return tuple(x.strip() for x in str(value).split("|") if x.strip())
