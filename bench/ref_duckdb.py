"""The same answers in DuckDB SQL over the same CSVs.

Load = ``read_csv_auto`` of every file into a table, plus the derived tables a SQL user would index once (the
``|``-lists unnested, the counted platforms, the undirected edge list); each query is then one SQL statement whose
result is fetched as numpy arrays. Recruitment's candidate sets come from SQL, the greedy choice is the shared
Python :func:`bench.answers.greedy` (a greedy set cover is not a query).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from .answers import BUILTIN_FIELDS, COUNTED_KINDS, HOPS, greedy, need

__all__ = ["DuckDB"]

_DERIVED = """
CREATE TABLE field_list AS
    SELECT unnest($builtin::VARCHAR[]) AS field_id
    UNION ALL SELECT field_id FROM fields WHERE field_id NOT IN (SELECT unnest($builtin::VARCHAR[]));
CREATE TABLE platform_host AS
    SELECT platform_id, unnest(string_split(host_ids, '|')) AS org_id FROM platforms;
CREATE TABLE counted_field AS
    SELECT platform_id, unnest(string_split(field_ids, '|')) AS field_id FROM platforms
    WHERE coalesce(status, 'active') = 'active' AND kind IN (SELECT unnest($counted::VARCHAR[]));
CREATE TABLE member_org AS
    SELECT DISTINCT m.center_id, m.member_id AS org_id FROM alliance_members m JOIN organizations o ON o.org_id = m.member_id;
CREATE TABLE member_platform AS
    SELECT DISTINCT m.center_id, m.member_id AS platform_id FROM alliance_members m JOIN platforms p ON p.platform_id = m.member_id;
CREATE TABLE edge AS
    WITH e AS (
        SELECT center_id AS a, member_id AS b FROM alliance_members
        UNION ALL SELECT s.org_id, coalesce(c.operating_company_id, c.center_id)
            FROM shareholders s JOIN centers c USING (center_id)
        UNION ALL SELECT from_id, to_id FROM collaborations)
    SELECT DISTINCT a, b FROM (SELECT a, b FROM e UNION ALL SELECT b, a FROM e);
CREATE TABLE excluded AS
    SELECT center_id, org_id FROM member_org
    UNION SELECT center_id, org_id FROM shareholders
    UNION SELECT center_id, operating_company_id FROM centers WHERE operating_company_id IS NOT NULL;
"""

_REACHED = """
    SELECT m.center_id, h.platform_id FROM member_org m JOIN platform_host h USING (org_id)
    UNION SELECT center_id, platform_id FROM member_platform
"""

COVERAGE = f"""
WITH reached AS ({_REACHED}),
covered AS (SELECT r.center_id, cf.field_id, count(*) AS covered
            FROM reached r JOIN counted_field cf USING (platform_id) GROUP BY ALL),
total AS (SELECT field_id, count(*) AS total FROM counted_field GROUP BY ALL)
SELECT c.center_id, f.field_id, coalesce(v.covered, 0) AS covered, coalesce(t.total, 0) AS total
FROM centers c CROSS JOIN field_list f
LEFT JOIN covered v ON v.center_id = c.center_id AND v.field_id = f.field_id
LEFT JOIN total t ON t.field_id = f.field_id
"""

REACH = """
WITH start AS (SELECT center_id, center_id AS node FROM centers
               UNION ALL SELECT center_id, operating_company_id FROM centers WHERE operating_company_id IS NOT NULL),
hop1 AS (SELECT DISTINCT s.center_id, e.b AS node FROM start s JOIN edge e ON e.a = s.node),
hop2 AS (SELECT DISTINCT h.center_id, e.b AS node FROM hop1 h JOIN edge e ON e.a = h.node),
near AS (SELECT * FROM hop1 UNION SELECT * FROM hop2)
SELECT n.center_id, n.node AS org_id FROM near n SEMI JOIN organizations o ON o.org_id = n.node
ANTI JOIN excluded x ON x.center_id = n.center_id AND x.org_id = n.node
"""

GAPS = f"""
WITH reached AS ({_REACHED}),
total AS (SELECT field_id, count(*) AS total FROM counted_field GROUP BY ALL),
per_center AS (
    SELECT c.center_id, c.field_id,
           (SELECT count(*) FROM reached r JOIN counted_field cf USING (platform_id)
            WHERE r.center_id = c.center_id AND cf.field_id = c.field_id) AS covered
    FROM centers c),
best AS (SELECT field_id, count(*) AS centers,
                first(center_id ORDER BY covered DESC, center_id) AS best_center_id, max(covered) AS best_covered
         FROM per_center GROUP BY ALL),
uni AS (SELECT cf.field_id, count(DISTINCT cf.platform_id) AS union_covered
        FROM centers c JOIN reached r USING (center_id)
        JOIN counted_field cf ON cf.platform_id = r.platform_id AND cf.field_id = c.field_id GROUP BY ALL),
unreached AS (SELECT field_id, list(platform_id ORDER BY platform_id) AS ids FROM counted_field
              WHERE platform_id NOT IN (SELECT platform_id FROM reached) GROUP BY ALL)
SELECT f.field_id, coalesce(t.total, 0) AS total, coalesce(b.centers, 0) AS centers,
       CASE WHEN t.total > 0 THEN b.best_center_id END AS best_center_id,
       CASE WHEN t.total > 0 THEN b.best_covered::DOUBLE / t.total END AS best_ratio,
       CASE WHEN t.total > 0 AND b.centers > 0 THEN coalesce(u.union_covered, 0)::DOUBLE / t.total END AS union_ratio,
       coalesce(x.ids, []) AS unreached
FROM field_list f LEFT JOIN total t USING (field_id) LEFT JOIN best b USING (field_id)
LEFT JOIN uni u USING (field_id) LEFT JOIN unreached x USING (field_id)
"""

CANDIDATES = f"""
WITH want AS (SELECT unnest($centers::VARCHAR[]) AS center_id),
reached AS ({_REACHED}),
field_of AS (SELECT c.center_id, cf.platform_id FROM centers c SEMI JOIN want USING (center_id)
             JOIN counted_field cf ON cf.field_id = c.field_id),
uncovered AS (SELECT * FROM field_of ANTI JOIN reached USING (center_id, platform_id))
SELECT u.center_id, h.org_id, list(u.platform_id) AS platforms
FROM uncovered u JOIN platform_host h USING (platform_id)
ANTI JOIN member_org m ON m.center_id = u.center_id AND m.org_id = h.org_id
GROUP BY ALL
"""

COUNTS = f"""
WITH want AS (SELECT unnest($centers::VARCHAR[]) AS center_id), reached AS ({_REACHED})
SELECT c.center_id,
       (SELECT count(*) FROM counted_field cf WHERE cf.field_id = c.field_id) AS total,
       (SELECT count(*) FROM reached r JOIN counted_field cf USING (platform_id)
        WHERE r.center_id = c.center_id AND cf.field_id = c.field_id) AS covered
FROM centers c SEMI JOIN want USING (center_id)
"""

assert HOPS == 2  # REACH spells out two hops


class DuckDB:
    """An in-memory DuckDB with the CSVs as tables (threads = the machine's cores, DuckDB's default)."""

    name = "DuckDB"

    def __init__(self, folder):
        self.con = con = duckdb.connect(":memory:")
        for path in sorted(Path(folder).glob("*.csv")):
            con.execute(f"CREATE TABLE {path.stem} AS SELECT * FROM read_csv_auto(?, header = true)", [str(path)])
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        for name, ddl in (("shareholders", "center_id VARCHAR, org_id VARCHAR"),
                          ("collaborations", "from_id VARCHAR, to_id VARCHAR"),
                          ("fields", "field_id VARCHAR")):
            if name not in tables:
                con.execute(f"CREATE TABLE {name} ({ddl})")
        for statement in filter(str.strip, _DERIVED.split(";")):
            params = {k: v for k, v in (("builtin", BUILTIN_FIELDS), ("counted", list(COUNTED_KINDS)))
                      if f"${k}" in statement}
            con.execute(statement, params)

    def close(self) -> None:
        self.con.close()

    def coverage(self):
        return self.con.execute(COVERAGE).fetchnumpy()

    def reach(self):
        return self.con.execute(REACH).fetchnumpy()

    def gaps(self):
        return self.con.execute(GAPS).fetchall()

    def recruit(self, centers: list[str]) -> dict:
        cands: dict[str, dict[str, set]] = {c: {} for c in centers}
        for cid, oid, plats in self.con.execute(CANDIDATES, {"centers": centers}).fetchall():
            cands[cid][oid] = set(plats)
        counts = {cid: (cov, tot) for cid, tot, cov in self.con.execute(COUNTS, {"centers": centers}).fetchall()}
        return {c: tuple(greedy(cands[c], need(*counts[c]))) for c in centers}

    # ---- canonical answers (not timed) ----------------------------------------------------------------------------
    @staticmethod
    def canon_coverage(a) -> dict:
        return {(c, f): (int(v), int(t)) for c, f, v, t in
                zip(a["center_id"].tolist(), a["field_id"].tolist(), a["covered"].tolist(), a["total"].tolist())}

    def canon_reach(self, a) -> dict:
        out: dict[str, list] = {c: [] for c, in self.con.execute("SELECT center_id FROM centers").fetchall()}
        for c, o in zip(a["center_id"].tolist(), a["org_id"].tolist()):
            out[c].append(o)
        return {c: tuple(sorted(v)) for c, v in out.items()}

    @staticmethod
    def canon_gaps(rows) -> dict:
        return {f: (int(t), int(n), b, r, u, tuple(x)) for f, t, n, b, r, u, x in rows}
