"""What the Cypher engine and its checks share: the counted-platform filter, the reach relation types, and the
conversions of server rows to graphkit's records."""

from __future__ import annotations

import json
from collections import Counter

from graphkit.model.notice import Field
from graphkit.model.schema import TABLES
from graphkit.neo4j.model import INTERNAL, NODE_TABLES
from graphkit.rules.thresholds import Rules

__all__ = ["COUNTED", "NEIGHBOURS", "REL_TABLE_NAMES", "reach_types", "row_of", "field_of", "coverage_entry",
           "joined_by", "approved_by", "year_by", "date_params"]


def joined_by(r: str) -> str:
    """Cypher: membership ``r`` holds on the evaluation date ``$as_of`` (undated, or its period starts by then)."""
    return f"({r}.joined IS NULL OR substring(toString({r}.joined) + '-01-01', 0, 10) <= $as_of)"


def approved_by(p: str) -> str:
    """Cypher: platform ``p`` was approved by the evaluation year ``$year`` (or its approval is undated)."""
    return f"({p}.approved IS NULL OR toInteger(substring(toString({p}.approved), 0, 4)) <= $year)"


def year_by(e: str) -> str:
    """Cypher: a collaboration or ranking ``e`` of a year up to the evaluation year ``$year`` (or undated)."""
    return f"({e}.year IS NULL OR {e}.year <= $year)"


def date_params(as_of) -> dict:
    """The parameters of the filters above for an evaluation date."""
    return {"as_of": as_of.isoformat(), "year": as_of.year}


COUNTED = "coalesce(p.status, 'active') = 'active' AND p.kind IN $kinds AND " + approved_by("p")


def reach_types(rules: Rules) -> str:
    """The relationships through which a center's alliance reaches a host (members, and shareholders if counted)."""
    return "MEMBER_OF|SHAREHOLDER_OF" if rules.count_shareholders_in_coverage else "MEMBER_OF"


#: one hop of collaboration reach from nodes of a label: membership and collaboration edges either way, and
#: shareholding, which ties a shareholder to the center's operating company (to the center when it has none)
NEIGHBOURS = {
    "Organization": (
        "UNWIND $rows AS rid MATCH (n:Organization {id: rid})-[e:MEMBER_OF|COLLABORATES_WITH]-(m) "
        f"WHERE {joined_by('e')} AND {year_by('e')} AND (NOT 'Platform' IN labels(m) OR {approved_by('m')}) "
        "RETURN m.id AS id, labels(m)[0] AS l "
        "UNION UNWIND $rows AS rid MATCH (n:Organization {id: rid})-[:SHAREHOLDER_OF]->(s:Center) "
        "OPTIONAL MATCH (s)-[:OPERATED_BY]->(o:Organization) "
        "RETURN coalesce(o.id, s.id) AS id, CASE WHEN o IS NULL THEN 'Center' ELSE 'Organization' END AS l "
        "UNION UNWIND $rows AS rid MATCH (n:Organization {id: rid})<-[:OPERATED_BY]-(:Center)<-[:SHAREHOLDER_OF]-(m:Organization) "
        "RETURN m.id AS id, 'Organization' AS l"),
    "Center": (
        "UNWIND $rows AS rid MATCH (n:Center {id: rid})-[e:MEMBER_OF|COLLABORATES_WITH]-(m) "
        f"WHERE {joined_by('e')} AND {year_by('e')} AND (NOT 'Platform' IN labels(m) OR {approved_by('m')}) "
        "RETURN m.id AS id, labels(m)[0] AS l "
        "UNION UNWIND $rows AS rid MATCH (n:Center {id: rid})<-[:SHAREHOLDER_OF]-(m:Organization) "
        "WHERE NOT (n)-[:OPERATED_BY]->() RETURN m.id AS id, 'Organization' AS l"),
    "Platform": ("UNWIND $rows AS rid MATCH (n:Platform {id: rid})-[e:MEMBER_OF]-(m) "
                 f"WHERE {joined_by('e')} AND {approved_by('n')} RETURN DISTINCT m.id AS id, labels(m)[0] AS l"),
}


REL_TABLE_NAMES = ("shareholders", "alliance_members", "field_rankings", "collaborations")


def row_of(table: str, props: dict) -> dict:
    """A node's properties as the contract row of ``table`` (typed values, extra columns restored)."""
    id_col = NODE_TABLES[table][1]
    row = {c.name: (() if c.is_list else None) for c in TABLES[table].columns}  # as a loaded frame holds them
    for k, v in props.items():
        if k in INTERNAL or k == "extra":
            continue
        if k == "id" and id_col:
            row[id_col] = v
        elif k != "id":
            row[k] = tuple(v) if isinstance(v, list) else v
    if props.get("extra"):
        try:
            extra = json.loads(props["extra"])
        except ValueError:
            extra = {}
        for k, v in extra.items():
            row.setdefault(k, v)
    return row


def field_of(field_id: str, props: dict) -> Field:
    return Field(field_id, props.get("name_zh") or "", props.get("name_en") or "", props.get("layout") or "",
                 props.get("difficulties") or "", props.get("source") or "", props.get("note") or "")


def coverage_entry(cid: str, fid: str, plats: list[tuple[str, str]], reached: dict[str, list], with_via: bool):
    """One :class:`graphkit.coverage.Coverage` from the field's counted platforms and what the center reaches."""
    from graphkit.model.schema import PLATFORM_KINDS
    from graphkit.queries.coverage import Coverage

    covered = [p for p, _ in plats if p in reached]
    uncovered = [p for p, _ in plats if p not in reached]
    tot = Counter(k for _, k in plats)
    cov = Counter(k for p, k in plats if p in reached)
    by_kind = {k: {"covered": cov[k], "total": tot[k]} for k in PLATFORM_KINDS if tot[k]}
    via = {p: list(reached[p]) for p in covered} if with_via else {}
    return Coverage(cid, fid, len(covered), len(plats), covered, uncovered, by_kind, via)
