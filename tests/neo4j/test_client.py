"""The Bolt connection on each server kind: Neo4j's constraints, batch sizes, routing URIs, databases and
authentication, and the timeouts that keep a stalled server from hanging a command (graphkit.neo4j.client)."""

from __future__ import annotations

import socket
import threading

import pytest
from conftest import DATA, run_cli

from graphkit import load_dataset
from graphkit.engine import EmbeddedEngine
from graphkit.errors import ServerError
from graphkit.neo4j.client import FALKORDB, NEO4J, BoltClient
from graphkit.neo4j.engine import CypherEngine, pull, push, wipe
from graphkit.testing import TcpRelay

pytestmark = pytest.mark.bolt

GRAPHKIT_CONSTRAINTS = {
    "graphkit_center_id": ["Center"], "graphkit_organization_id": ["Organization"],
    "graphkit_platform_id": ["Platform"], "graphkit_field_id": ["Field"], "graphkit_income_id": ["Income"],
    "graphkit_assessment_id": ["Assessment"], "graphkit_claim_id": ["Claim"],
}


@pytest.fixture
def clean(bolt_uri, bolt_auth, bolt_driver):
    """The session's server with none of graphkit's nodes, and its kind."""
    wipe(bolt_uri, **bolt_auth)
    with BoltClient(bolt_uri, **bolt_auth) as client:
        return client.kind


def _neo4j_only(kind: str) -> None:
    if kind != NEO4J:
        pytest.skip("Neo4j-specific")


def _cli_auth(bolt_auth, monkeypatch) -> list[str]:
    if not bolt_auth["user"]:
        return []
    monkeypatch.setenv("GK_TEST_PASSWORD", bolt_auth["password"])
    return ["--user", bolt_auth["user"], "--password-env", "GK_TEST_PASSWORD"]


# ---- Neo4j: schema, batches, routing, databases, authentication ------------------------------------------------

def test_constraints_exist_before_the_first_merge(clean, bolt_uri, bolt_auth):
    _neo4j_only(clean)
    with BoltClient(bolt_uri, **bolt_auth) as client:
        client.write("DROP CONSTRAINT graphkit_center_id IF EXISTS")
    seen = {}

    def after_first_batch(done):
        if done == 1:
            with BoltClient(bolt_uri, **bolt_auth) as client:
                rows = client.read("SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties "
                                   "RETURN name, type, labelsOrTypes, properties")
            seen.update({r["name"]: (r["type"], r["labelsOrTypes"], r["properties"]) for r in rows})

    push(load_dataset(DATA / "tiny"), bolt_uri, **bolt_auth, on_batch=after_first_batch)
    for name, labels in GRAPHKIT_CONSTRAINTS.items():
        assert seen[name] == ("UNIQUENESS", labels, ["id"]), name


def test_a_duplicate_center_id_is_refused_by_the_constraint(clean, bolt_uri, bolt_auth):
    _neo4j_only(clean)
    push(load_dataset(DATA / "tiny"), bolt_uri, **bolt_auth)
    with BoltClient(bolt_uri, **bolt_auth) as client, pytest.raises(ServerError, match="ConstraintValidationFailed"):
        client.write("CREATE (:Center {id: 'C1'})")


def test_batch_size_is_a_setting_per_server(clean, bolt_uri, bolt_auth, monkeypatch):
    """Neo4j takes thousands of rows a batch (one batch per label or type for tiny); one row a batch when the Neo4j
    setting says 1. FalkorDB's batches are cut by its own byte cap, and the Neo4j setting does not touch them."""
    ds = load_dataset(DATA / "tiny")
    full = push(ds, bolt_uri, **bolt_auth)
    wipe(bolt_uri, **bolt_auth)
    monkeypatch.setenv("GRAPHKIT_BOLT_BATCH_ROWS_NEO4J", "1")
    one = push(ds, bolt_uri, **bolt_auth)
    assert one["rows_written"] == full["rows_written"] == 54
    with BoltClient(bolt_uri, **bolt_auth) as client:
        rows_cap = client.batch_rows
    if clean == NEO4J:
        assert full["batches"] == 11  # one per node label / relationship type that tiny has
        assert one["batches"] == 54
        assert rows_cap == 1
    else:
        assert one["batches"] == full["batches"] == 15
        assert rows_cap == 1_000_000  # no row cap: the byte cap (bolt_batch_bytes_falkordb) cuts


def test_neo4j_routing_uri_on_a_single_server(clean, bolt_uri, bolt_auth):
    _neo4j_only(clean)
    routed = bolt_uri.replace("bolt://", "neo4j://")
    ds = load_dataset(DATA / "tiny")
    stats = push(ds, routed, **bolt_auth)
    assert stats["nodes_created"] > 0
    with CypherEngine(routed, **bolt_auth) as cyp:
        assert cyp.coverage() == EmbeddedEngine(ds).coverage()
        assert cyp.describe().startswith("bolt: neo4j://127.0.0.1:")
    assert pull(routed, bolt_auth["user"], bolt_auth["password"]).same_as(ds)


def test_another_database_on_community_names_what_community_serves(clean, bolt_uri, bolt_auth, monkeypatch):
    _neo4j_only(clean)
    auth = _cli_auth(bolt_auth, monkeypatch)
    push(load_dataset(DATA / "tiny"), bolt_uri, **bolt_auth)
    r = run_cli("gaps", "--neo4j", bolt_uri, *auth, "--database", "other")
    assert r.exit_code == 2
    assert "Neo4j Community Edition serves one user database ('neo4j', beside 'system')" in r.stderr
    assert "no database 'other'" in r.stderr and "Traceback" not in r.stderr
    ok = run_cli("gaps", "--neo4j", bolt_uri, *auth, "--database", "neo4j", "--format", "json")
    assert ok.exit_code == 0, ok.stderr


def test_wrong_password_is_a_clear_message_and_exit_2(clean, bolt_uri, bolt_auth, monkeypatch):
    _neo4j_only(clean)
    if not bolt_auth["user"]:
        pytest.skip("the server runs without authentication")
    monkeypatch.setenv("GK_WRONG", "not-the-password")
    r = run_cli("gaps", "--neo4j", bolt_uri, "--user", bolt_auth["user"], "--password-env", "GK_WRONG")
    assert r.exit_code == 2
    assert "refused the credentials: check --user and the password variable" in r.stderr
    assert "not-the-password" not in r.stderr + r.stdout and "Traceback" not in r.stderr
    with pytest.raises(ServerError, match="refused the credentials"):
        CypherEngine(bolt_uri)  # no credentials at all


# ---- never hang ------------------------------------------------------------------------------------------------

class SilentServer:
    """A TCP port that accepts connections and never sends a byte."""

    def __init__(self):
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                self._held.append(self._listener.accept()[0])
            except OSError:
                return

    def close(self):
        self._listener.close()
        for s in self._held:
            s.close()


def test_a_server_that_never_answers_is_exit_2_not_a_hang(monkeypatch):
    monkeypatch.setenv("GRAPHKIT_BOLT_CONNECT_TIMEOUT", "1")
    monkeypatch.setenv("GRAPHKIT_BOLT_RETRIES", "1")
    silent = SilentServer()
    try:
        r = run_cli("gaps", "--neo4j", f"bolt://127.0.0.1:{silent.port}")
    finally:
        silent.close()
    assert r.exit_code == 2
    assert f"the Bolt server bolt://127.0.0.1:{silent.port} stopped answering" in r.stderr
    assert "GRAPHKIT_BOLT_CONNECT_TIMEOUT" in r.stderr and "Traceback" not in r.stderr


def test_a_push_stalled_midway_fails_clearly_and_a_rerun_converges(clean, bolt_uri, bolt_auth, monkeypatch):
    monkeypatch.setenv("GRAPHKIT_BOLT_READ_TIMEOUT", "2")
    monkeypatch.setenv("GRAPHKIT_BOLT_RETRIES", "0")
    monkeypatch.setenv("GRAPHKIT_BOLT_BATCH_ROWS_NEO4J", "10")  # several batches on both kinds
    ds = load_dataset(DATA / "tiny")
    relay = TcpRelay(int(bolt_uri.rsplit(":", 1)[1]))
    try:
        with pytest.raises(ServerError, match="stopped answering during a .*GRAPHKIT_BOLT_READ_TIMEOUT"):
            push(ds, f"bolt://127.0.0.1:{relay.port}", **bolt_auth,
                 on_batch=lambda done: relay.stall() if done == 2 else None)
    finally:
        relay.close()
    stats = push(ds, bolt_uri, **bolt_auth)
    assert stats["rows_unchanged"] > 0 and stats["rows_written"] > 0
    assert pull(bolt_uri, bolt_auth["user"], bolt_auth["password"]).same_as(ds)
    assert push(ds, bolt_uri, **bolt_auth)["rows_written"] == 0


def test_falkordb_keeps_its_byte_cap(clean, bolt_uri, bolt_auth):
    if clean != FALKORDB:
        pytest.skip("FalkorDB-specific")
    with BoltClient(bolt_uri, **bolt_auth) as client:
        assert client.batch_bytes == 4_000
