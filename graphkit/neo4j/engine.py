"""Neo4j (or any Bolt server graphkit knows) as a graphkit engine: push, pull, and queries pushed down as Cypher.

* :func:`push` writes a dataset as a property graph, idempotently (see :mod:`graphkit.neo4j.transfer`; the
  graph model is in :mod:`graphkit.neo4j.model`);
* :func:`pull` reads it back into an embedded :class:`graphkit.model.dataset.Dataset`, through the normal validation;
* :class:`CypherEngine` answers every query of :class:`graphkit.engine.Engine` on the server and returns the
  same typed objects as the embedded engine: the joins and aggregations run as parameterised Cypher, only
  their results travel, and the rules of the checks, recruitment and claims are the very same Python
  (:func:`graphkit.checks.evaluate`, :func:`graphkit.queries.recruit.plan_recruitment`, the claims verdicts).

Query text is built only from constants of the model (labels, relationship types, column names); every
value travels as a parameter, escaped for FalkorDB by :mod:`graphkit.neo4j.client`.

>>> engine = CypherEngine("bolt://localhost:7687")  # doctest: +SKIP
>>> [c.ratio for c in engine.coverage()]  # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from types import SimpleNamespace

from graphkit.errors import UnknownIdError
from graphkit.model.notice import Field
from graphkit.model.records import Center, Organization, Platform
from graphkit.model.schema import ORG_KINDS
from graphkit.neo4j.client import NEO4J, BoltClient, public_uri
from graphkit.neo4j.facts import FactsMixin
from graphkit.neo4j.model import table_label
from graphkit.neo4j.rows import (
    COUNTED,
    NEIGHBOURS,
    REL_TABLE_NAMES,
    coverage_entry,
    date_params,
    field_of,
    joined_by,
    reach_types,
    row_of,
)
from graphkit.neo4j.transfer import (
    pull_dataset,
    push_dataset,
    read_items,
    read_one,
    wipe_graph,
)
from graphkit.queries.reach import Reach
from graphkit.queries.recruit import Recruitment, plan_recruitment
from graphkit.rules.thresholds import Rules
from graphkit.settings import get_settings


__all__ = ["CypherEngine", "push", "pull", "wipe"]

def push(ds, uri: str, *, user: str | None = None, password: str | None = None, database: str | None = None,
         progress: Callable | None = None, on_batch: Callable[[int], None] | None = None) -> dict:
    """Push ``ds`` to the Bolt server at ``uri``; a second push changes nothing. Returns counts and timings.

    ``progress(message, done, total)`` is called about once a second while rows are written;
    ``on_batch(n)`` after each batch (an exception raised there stops the push: a re-run resumes).
    """
    with BoltClient(uri, user=user, password=password, database=database) as client:
        return push_dataset(ds, client, progress=progress, on_batch=on_batch)


def pull(uri: str, user: str | None = None, password: str | None = None, database: str | None = None):
    """The graph on the server as an embedded dataset (validated like any input; raises InvalidDatasetError)."""
    with BoltClient(uri, user=user, password=password, database=database) as client:
        return pull_dataset(client, public_uri(uri))


def wipe(uri: str, user: str | None = None, password: str | None = None, database: str | None = None) -> dict:
    """Delete every node and relationship of graphkit's labels from the server; other data stays."""
    with BoltClient(uri, user=user, password=password, database=database) as client:
        return wipe_graph(client)


class CypherEngine(FactsMixin):
    """Answers graphkit's queries on a Bolt server (Neo4j 5, Aura, or FalkorDB in tests) holding a pushed graph."""

    name = "bolt"

    def __init__(self, uri: str, user: str | None = None, password: str | None = None, database: str | None = None):
        self.client = BoltClient(uri, user=user, password=password, database=database)
        self.uri = self.client.uri
        self._matcher = None

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "CypherEngine":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def describe(self) -> str:
        return self.client.describe()

    def _read(self, query: str, **params) -> list[dict]:
        return self.client.read(query, "query", **params)

    # ---- lookups ----------------------------------------------------------------------------------------
    def _exists(self, label: str, ident: str) -> bool:
        return bool(self._read(f"MATCH (x:{label} {{id: $id}}) RETURN count(x) AS n", id=ident)[0]["n"])

    def _require(self, kind: str, ident) -> None:
        label = {"center": "Center", "field": "Field", "organisation": "Organization", "platform": "Platform"}[kind]
        if ident is None or not isinstance(ident, str) or not self._exists(label, ident):
            raise UnknownIdError(f"unknown {kind} id {ident}")

    def _record(self, label: str, table: str, ident, kind: str) -> dict:
        props = read_one(self.client, label, ident) if isinstance(ident, str) else None
        if props is None:
            raise UnknownIdError(f"unknown {kind} id {ident}")
        return row_of(table, props)

    def center_ids(self) -> list[str]:
        return sorted(r["id"] for r in self._read("MATCH (c:Center) RETURN c.id AS id"))

    def kind_of(self, id_) -> str | None:
        """``center``, ``org``, ``platform``, ``field`` or None (as :meth:`graphkit.model.dataset.Dataset.kind_of`)."""
        for label, kind in (("Center", "center"), ("Organization", "org"), ("Platform", "platform"), ("Field", "field")):
            if isinstance(id_, str) and self._exists(label, id_):
                return kind
        return None

    def center_provenance(self, center_id) -> dict:
        """Per table, rows by ``source`` among the rows about one center (as the embedded engine's)."""
        self._require("center", center_id)
        c = "MATCH (c:Center {id: $c}) "
        queries = {
            "centers": c + "RETURN c.source AS s",
            "shareholders": c + "MATCH (c)<-[x:SHAREHOLDER_OF]-() RETURN x.source AS s",
            "alliance_members": c + "MATCH (c)<-[x:MEMBER_OF]-() RETURN x.source AS s",
            "collaborations": c + "OPTIONAL MATCH (c)-[:OPERATED_BY]->(op:Organization) WITH c, [y IN [c, op] WHERE y IS NOT NULL] AS fs "
                              "UNWIND fs AS y MATCH (y)-[x:COLLABORATES_WITH]->() RETURN x.source AS s",
            "income": c + "MATCH (c)-[:HAS_INCOME]->(x) RETURN x.source AS s",
            "assessments": c + "MATCH (c)-[:HAS_ASSESSMENT]->(x) RETURN x.source AS s",
            "claims": c + "MATCH (c)-[:HAS_CLAIM]->(x) RETURN x.source AS s",
            "organizations": c + "OPTIONAL MATCH (c)-[:OPERATED_BY]->(op:Organization) "
                             "WITH c, op, [(c)<-[:SHAREHOLDER_OF|MEMBER_OF]-(o:Organization) | o] + "
                             "[(c)-[:COLLABORATES_WITH]->(o:Organization) | o] + [(op)-[:COLLABORATES_WITH]->(o:Organization) | o] AS os "
                             "WITH [o IN os + [op] WHERE o IS NOT NULL] AS os UNWIND os AS o WITH DISTINCT o RETURN o.source AS s",
            "platforms": c + "MATCH (c)-[:IN_FIELD]->(:Field)<-[:IN_FIELD]-(p:Platform) RETURN DISTINCT p.id AS id, p.source AS s "
                         "UNION MATCH (:Center {id: $c})<-[:MEMBER_OF]-(p:Platform) RETURN DISTINCT p.id AS id, p.source AS s",
            "field_rankings": c + "MATCH (c)-[:IN_FIELD]->(f:Field)<-[x:RANKED_IN]-(o:Organization)-[:SHAREHOLDER_OF]->(c) RETURN x.source AS s",
        }
        out = {}
        for table, q in queries.items():
            counts: Counter = Counter(r["s"] or "" for r in self._read(q, c=center_id))
            if counts:
                out[table] = dict(counts)
        return out

    def collaboration_rows(self, from_id, to_id, kind) -> list[dict]:
        """The collaborations from ``from_id`` to ``to_id`` of ``kind`` (year, project, source), in row order."""
        rows = self._read("MATCH (a {id: $a})-[e:COLLABORATES_WITH]->(b:Organization {id: $b}) WHERE e.kind = $kind "
                          "RETURN e.year AS year, e.project AS project, e.source AS source, e.row AS row, e.key AS key",
                          a=from_id, b=to_id, kind=kind)
        rows.sort(key=lambda r: (r["row"] if r["row"] is not None else 1 << 62, r["key"]))
        return [{"year": r["year"], "project": r["project"] or None, "source": r["source"] or None} for r in rows]

    def income_rows(self, center, year, stream) -> list[dict]:
        """The income rows of a center, year and stream (amount, source)."""
        rows = self._read("MATCH (:Center {id: $c})-[:HAS_INCOME]->(i:Income) WHERE i.year = $y AND i.stream = $s "
                          "RETURN i.amount AS amount, i.source AS source, i.id AS id", c=center, y=year, s=stream)
        return [{"amount": r["amount"], "source": r["source"] or None} for r in sorted(rows, key=lambda r: str(r["id"]))]

    def center(self, center_id) -> Center:
        return Center.from_row(self._record("Center", "centers", center_id, "center"))

    def organization(self, org_id) -> Organization:
        return Organization.from_row(self._record("Organization", "organizations", org_id, "organisation"))

    def platform(self, platform_id) -> Platform:
        return Platform.from_row(self._record("Platform", "platforms", platform_id, "platform"))

    def field(self, field_id) -> Field:
        props = read_one(self.client, "Field", field_id) if isinstance(field_id, str) else None
        if props is None:
            raise UnknownIdError(f"unknown field id {field_id}")
        return field_of(field_id, props)

    def _fields(self) -> list[Field]:
        """Every field, in layout order (the built-in 22, then added ones)."""
        found = [(p.get("pos", 1 << 62), i, field_of(i, p)) for i, p in read_items(self.client, "Field", False)]
        return [f for _, _, f in sorted(found, key=lambda t: (t[0], t[1]))]

    def provenance(self) -> dict:
        """Per table, rows by ``source`` value (``synthetic``, a citation, or empty)."""
        out = {}
        for table in ("organizations", "centers", "platforms", "shareholders", "alliance_members", "field_rankings",
                      "collaborations", "income", "assessments", "claims"):
            name = table_label(table)
            pattern = f"MATCH ()-[x:{name}]->()" if table in REL_TABLE_NAMES else f"MATCH (x:{name})"
            counts: Counter = Counter()
            for r in self._read(f"{pattern} WHERE x._big IS NULL RETURN coalesce(x.source, '') AS s, count(*) AS n"):
                counts[r["s"]] += r["n"]
            for r in self._read(f"{pattern} WHERE x._big IS NOT NULL RETURN coalesce(x.key, x.id) AS k"):
                props = read_one(self.client, name, r["k"], table in REL_TABLE_NAMES) or {}
                counts[props.get("source") or ""] += 1
            if counts:
                out[table] = dict(counts)
        return out

    # ---- coverage ---------------------------------------------------------------------------------------
    def _counted(self, rules: Rules, field: str | None = None, as_of=None) -> dict[str, list[tuple[str, str]]]:
        """field → [(platform id, kind)] of its counted platforms (active, of the counted kinds, approved by the
        evaluation year), sorted by id."""
        match = "MATCH (p:Platform)-[:IN_FIELD]->(f:Field {id: $field})" if field else "MATCH (p:Platform)-[:IN_FIELD]->(f:Field)"
        out: dict[str, list] = defaultdict(list)
        for r in self._read(f"{match} WHERE {COUNTED} RETURN f.id AS f, p.id AS p, p.kind AS k",
                            kinds=list(rules.counted_platform_kinds), field=field, **self._when(rules, as_of)):
            out[r["f"]].append((r["p"], r["k"]))
        for plats in out.values():
            plats.sort()
        return out

    @staticmethod
    def _when(rules: Rules, as_of) -> dict:
        return date_params(rules.evaluation_date(as_of))

    def _reached(self, rules: Rules, center: str | None, field: str | None, own: bool, as_of=None) -> dict[str, dict[str, list]]:
        """center → {platform id: members of the center through which it is reached}, for the counted platforms
        of the center's own field (``own``), of ``field``, or of any field."""
        c = "MATCH (c:Center {id: $center})" if center else "MATCH (c:Center)"
        if own:
            scope, tail = f"{c}-[:IN_FIELD]->(f:Field) ", "-[:IN_FIELD]->(f)"
        elif field:
            scope, tail = f"{c} MATCH (f:Field {{id: $field}}) ", "-[:IN_FIELD]->(f)"
        else:
            scope, tail = f"{c} ", ""
        params = {"kinds": list(rules.counted_platform_kinds), "center": center, "field": field, **self._when(rules, as_of)}
        out: dict[str, dict[str, list]] = defaultdict(dict)
        hosted = (f"{scope}MATCH (c)<-[r:{reach_types(rules)}]-(h:Organization)<-[:HOSTED_BY]-(p:Platform){tail} "
                  f"WHERE {COUNTED} AND {joined_by('r')} ")
        member = f"{scope}MATCH (c)<-[r:MEMBER_OF]-(p:Platform){tail} WHERE {COUNTED} AND {joined_by('r')} "
        if self.client.kind == NEO4J:
            # One record per center, its (platform, via) pairs as one list: the driver decodes records one by
            # one (~50 µs each), lists in bulk. Not on FalkorDB, which never answers a record over 64 KB.
            for r in self._read(f"{hosted}WITH c, p, collect(DISTINCT h.id) AS via "
                                "RETURN c.id AS c, collect([p.id, via]) AS pv", **params):
                out[r["c"]].update((pid, sorted(via)) for pid, via in r["pv"])
            for r in self._read(f"{member}RETURN c.id AS c, collect(p.id) AS ps", **params):
                got = out[r["c"]]
                for pid in r["ps"]:
                    got.setdefault(pid, []).append(pid)
            return out
        for r in self._read(f"{hosted}RETURN c.id AS c, p.id AS p, collect(DISTINCT h.id) AS via", **params):
            out[r["c"]][r["p"]] = sorted(r["via"])
        for r in self._read(f"{member}RETURN c.id AS c, p.id AS p", **params):
            out[r["c"]].setdefault(r["p"], []).append(r["p"])
        return out

    def _center_fields(self, center: str | None = None) -> dict[str, str | None]:
        match = "MATCH (c:Center {id: $center})" if center else "MATCH (c:Center)"
        return {r["c"]: r["f"] for r in self._read(f"{match} OPTIONAL MATCH (c)-[:IN_FIELD]->(f:Field) "
                                                   "RETURN c.id AS c, f.id AS f", center=center)}

    def coverage(self, center=None, field=None, *, all_fields=False, rules: Rules | None = None, with_via=True, as_of=None):
        rules = rules or Rules()
        if center is not None:
            self._require("center", center)
        if field is not None:
            self._require("field", field)
        own = field is None and not all_fields
        home = self._center_fields(center)
        only = field if field is not None else (home.get(center) if center is not None and own else None)
        counted = self._counted(rules, None if all_fields else only, as_of)
        reached = self._reached(rules, center, None if all_fields else field, own, as_of)
        order = [f.field_id for f in self._fields()] if all_fields else None
        out = []
        for cid in sorted(home):
            fields = order if all_fields else [field if field is not None else home[cid]]
            for fid in fields:
                out.append(coverage_entry(cid, fid, counted.get(fid, []), reached.get(cid, {}), with_via))
        return out

    def gaps(self, field=None, *, rules: Rules | None = None, as_of=None):
        from graphkit.queries.gaps import Gap

        rules = rules or Rules()
        if field is not None:
            self._require("field", field)
        fields = [f for f in self._fields() if field is None or f.field_id == field]
        counted = self._counted(rules, field, as_of)
        reached = self._reached(rules, None, None, True, as_of)
        params = {"kinds": list(rules.counted_platform_kinds), **self._when(rules, as_of)}
        reached_any = set()
        for statement in (f"MATCH (p:Platform)-[:HOSTED_BY]->(:Organization)-[r:{reach_types(rules)}]->(:Center) "
                          f"WHERE {COUNTED} AND {joined_by('r')} RETURN DISTINCT p.id AS p",
                          f"MATCH (p:Platform)-[r:MEMBER_OF]->(:Center) WHERE {COUNTED} AND {joined_by('r')} RETURN DISTINCT p.id AS p"):
            reached_any |= {r["p"] for r in self._read(statement, **params)}
        unreached = {p for plats in self._counted(rules, None, as_of).values() for p, _ in plats} - reached_any
        by_field: dict[str, list[str]] = defaultdict(list)
        for cid, fid in self._center_fields().items():
            by_field[fid].append(cid)
        out = []
        for f in fields:
            plats = [p for p, _ in counted.get(f.field_id, [])]
            total = len(plats)
            center_ids = sorted(by_field.get(f.field_id, []))
            covered: dict[str, int] = {}
            best_id = best_ratio = union_ratio = None
            if center_ids and total:
                pset = set(plats)
                union: set = set()
                for cid in center_ids:
                    got = pset.intersection(reached.get(cid, {}))
                    covered[cid] = len(got)
                    union |= got
                top = max(covered.values())
                best_id = next(c for c in center_ids if covered[c] == top)  # the first maximum: smallest id
                best_ratio, union_ratio = covered[best_id] / total, len(union) / total
            out.append(Gap(f.field_id, total, len(center_ids), center_ids, best_id, best_ratio, union_ratio,
                           [p for p in plats if p in unreached], f.name_zh, f.name_en, f.layout, covered))
        return out

    def recruit(self, center, *, field=None, rules: Rules | None = None, as_of=None) -> Recruitment:
        rules = rules or Rules()
        self._require("center", center)
        if field is not None:
            self._require("field", field)
        fid = field if field is not None else self._center_fields(center)[center]
        entry = coverage_entry(center, fid, self._counted(rules, fid, as_of).get(fid, []),
                       self._reached(rules, center, fid, False, as_of).get(center, {}), False)
        shareholders = " AND NOT (h)-[:SHAREHOLDER_OF]->(c)" if rules.count_shareholders_in_coverage else ""
        cands: dict[str, set] = defaultdict(set)
        uncovered = set(entry.uncovered_platform_ids)
        # platforms already reached are left out below, by ``uncovered`` (it knows the evaluation date)
        when = self._when(rules, as_of)
        members = {r["m"] for r in self._read(f"MATCH (c:Center {{id: $center}})<-[r:MEMBER_OF]-(m:Organization) "
                                              f"WHERE {joined_by('r')} RETURN m.id AS m", center=center, **when)}
        for r in self._read(
                "MATCH (c:Center {id: $center}) MATCH (f:Field {id: $field})<-[:IN_FIELD]-(p:Platform)-[:HOSTED_BY]->(h:Organization) "
                f"WHERE {COUNTED}{shareholders} RETURN h.id AS h, p.id AS p",
                center=center, field=fid, kinds=list(rules.counted_platform_kinds), **when):
            if r["p"] in uncovered and r["h"] not in members:
                cands[r["h"]].add(r["p"])
        frozen = {k: frozenset(v) for k, v in cands.items()}
        return plan_recruitment(center, fid, entry.covered, entry.total, frozen, rules.min_coverage,
                                get_settings().recruit_exact_max_candidates)

    # ---- reach ------------------------------------------------------------------------------------------
    def reach(self, center, hops=None, *, rules: Rules | None = None, as_of=None) -> Reach:
        """Breadth-first, one hop per round of statements: each expands the frontier on the server and returns
        only the nodes it reaches (a single variable-length query enumerates paths, and FalkorDB copies the
        lists a one-statement BFS must carry row by row: both measured far slower)."""
        self._require("center", center)
        if hops is None:
            hops = rules.reach_hops if rules is not None else 2
        hops = int(hops)
        if hops < 0:
            raise ValueError("hops must be ≥ 0")
        opco = self._read("MATCH (c:Center {id: $center}) OPTIONAL MATCH (c)-[:OPERATED_BY]->(op:Organization) "
                          "RETURN op.id AS op", center=center)[0]["op"]
        when = self._when(rules or Rules(), as_of)
        excluded = {r["id"] for r in self._read("MATCH (c:Center {id: $center})<-[r:MEMBER_OF|SHAREHOLDER_OF]-(m:Organization) "
                                                f"WHERE {joined_by('r')} RETURN DISTINCT m.id AS id", center=center, **when)} | {opco}
        frontier = {("Center", center)} | ({("Organization", opco)} if opco is not None else set())
        seen = set(frontier)
        for _ in range(hops):
            found = set()
            for label in ("Center", "Organization", "Platform"):
                ids = sorted(i for lb, i in frontier if lb == label)
                for batch in self.client.batches(NEIGHBOURS[label], ids, **when):
                    found |= {(r["l"], r["id"]) for r in self._read(NEIGHBOURS[label], rows=batch, **when)}
            frontier = found - seen
            if not frontier:
                break
            seen |= frontier
        reached = sorted(i for lb, i in seen if lb == "Organization" and i not in excluded)
        statement = ("UNWIND $rows AS rid MATCH (o:Organization {id: rid}) "
                     "RETURN o.id AS id, CASE WHEN o._big IS NULL THEN [o.kind, o.country, o.province] END AS v")
        rows = []
        for batch in self.client.batches(statement, reached):
            rows += self._read(statement, rows=batch)
        rows = self._filled(rows, "Organization", ("kind", "country", "province"))
        kinds = Counter(ORG_KINDS.index(r["v"][0]) for r in rows if r["v"][0] in ORG_KINDS)
        countries = Counter(r["v"][1] for r in rows)
        provinces = Counter(r["v"][2] for r in rows if r["v"][2])
        return Reach(
            center_id=center, hops=hops, reached=len(rows),
            foreign=sum(1 for r in rows if r["v"][1] != "CN"),
            by_kind={ORG_KINDS[k]: v for k, v in sorted(kinds.items())},
            countries=dict(sorted(countries.items(), key=lambda kv: (kv[0] is None, kv[0] or ""))),
            provinces=dict(sorted(provinces.items())),
            reached_ids=reached,
        )

    def _filled(self, rows: list[dict], label: str, keys: tuple, value: str = "v", ident: str = "id",
                is_rel: bool = False) -> list[dict]:
        """Rows whose ``value`` the server left out (the item holds properties stored in pieces), completed."""
        for r in rows:
            if r[value] is None:
                props = read_one(self.client, label, r[ident], is_rel) or {}
                r[value] = [props.get(k) for k in keys]
        return rows

    # ---- claims -----------------------------------------------------------------------------------------
    def _name_matcher(self):
        """The claims' name matcher over the platform registry (ids, names, fields, status) and organisation
        aliases: fetched once per engine, never the rest of the graph."""
        if self._matcher is None:
            import pandas as pd

            from graphkit.queries.claims import NameMatcher

            found = sorted(read_items(self.client, "Platform", False), key=lambda t: (t[1].get("row", 1 << 62), t[0]))
            plats = [row_of("platforms", p) for _, p in found]  # in row order: it breaks ties between suggestions
            orgs = [{"org_id": r["id"], "name": r["name"] or "", "aliases": tuple(r["aliases"] or ())}
                    for r in self._read("MATCH (o:Organization) WHERE size(coalesce(o.aliases, [])) > 0 "
                                        "AND o._big IS NULL RETURN o.id AS id, o.name AS name, o.aliases AS aliases")]
            for r in self._read("MATCH (o:Organization) WHERE o._big IS NOT NULL RETURN o.id AS id"):
                p = read_one(self.client, "Organization", r["id"]) or {}
                if p.get("aliases"):
                    orgs.append({"org_id": r["id"], "name": p.get("name") or "", "aliases": tuple(p["aliases"])})
            frames = {
                "platforms": pd.DataFrame({"platform_id": [p["platform_id"] for p in plats],
                                           "name": [p.get("name") or "" for p in plats]}, dtype=object),
                "organizations": pd.DataFrame({"org_id": [o["org_id"] for o in orgs], "name": [o["name"] for o in orgs],
                                               "aliases": pd.Series([o["aliases"] for o in orgs], dtype=object)}),
            }
            matcher = NameMatcher(SimpleNamespace(frames=frames))
            matcher.registry = {p["platform_id"]: p for p in plats}
            self._matcher = matcher
        return self._matcher
