"""The throwaway Bolt server used by the Bolt tests: it starts, answers, round-trips data and really stops."""

from __future__ import annotations

import os
import signal
import time

import pytest

from graphkit.testing import bolt_driver, falkordb_server, server_died_message

pytestmark = pytest.mark.bolt


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else (a recycled pid)
        return True
    return True


@pytest.fixture(scope="module")
def server():
    """One private FalkorDB for this module (not the shared session server: one test kills it)."""
    with falkordb_server() as srv:
        yield srv


@pytest.fixture
def driver(server):
    with bolt_driver(server.uri) as drv:
        yield drv
    if message := server_died_message(server):
        pytest.fail(message)


def test_return_1(driver):
    records, _, keys = driver.execute_query("RETURN 1 AS one")
    assert keys == ["one"]
    assert records[0]["one"] == 1


def test_server_reports_itself_as_neo4j(driver):
    assert driver.get_server_info().agent.startswith("Neo4j/")


def test_parameterised_write_read_round_trip(driver):
    rows = [
        {"id": "C1", "props": {"name": "国家先进轨道交通装备创新中心", "founded": 2016, "share": 0.35,
                               "active": True, "tags": ["rail", "装备"]}},
        {"id": "C2", "props": {"name": "{braces} // not a comment", "founded": 2018, "share": 0.5,
                               "active": False, "tags": []}},
    ]  # fmt: skip
    upsert = "UNWIND $rows AS r MERGE (n:GkTestingProbe {id: r.id}) SET n += r.props"
    try:
        driver.execute_query(upsert, rows=rows)
        driver.execute_query(upsert, rows=rows)  # idempotent: MERGE finds the same nodes
        records, _, _ = driver.execute_query(
            "MATCH (n:GkTestingProbe) WHERE n.id IN $ids RETURN n.id AS id, properties(n) AS props ORDER BY id",
            ids=["C1", "C2"],
        )
        assert [r["id"] for r in records] == ["C1", "C2"]
        for record, row in zip(records, rows):
            assert record["props"] == {"id": row["id"], **row["props"]}
    finally:
        driver.execute_query("MATCH (n:GkTestingProbe) DETACH DELETE n")


def test_closing_a_driver_does_not_break_the_next_connection(server):
    # FalkorDB mishandles the GOODBYE sent by close(); the relay in front of it must hide that.
    for _ in range(3):
        started = time.monotonic()
        with bolt_driver(server.uri, connection_acquisition_timeout=3.0) as drv:
            drv.verify_connectivity()
        assert time.monotonic() - started < 2.0


def test_log_tail_shows_the_server_log(server):
    assert "FalkorDB" in server.log_tail(200)
    assert server.is_alive()
    assert server_died_message(server) is None
    assert server_died_message(None) is None  # tests running against NEO4J_URI have no server object


def test_crash_is_reported_with_the_server_log():
    # A Bolt message whose spliced text overflows FalkorDB's 4 KB buffer kills the server
    # (docs/cypher-notes.md, "Batch size limit"); the fixture must say so instead of timing out.
    with falkordb_server() as srv, bolt_driver(srv.uri, max_transaction_retry_time=0.0) as drv:
        with pytest.raises(Exception):  # noqa: B017 - the driver's error type depends on timing
            drv.execute_query("RETURN size($s) AS n", s="x" * 20_000)
        message = server_died_message(srv, wait=10.0)
        assert message is not None
        assert str(srv.pid) in message and "killed by" in message
        assert not srv.is_alive()


def test_exit_kills_the_process_and_removes_its_files():
    with falkordb_server() as srv:
        pid, workdir = srv.pid, srv.log_path.parent
        assert _pid_exists(pid)
        assert workdir.is_dir()
    assert not _pid_exists(pid)
    assert not workdir.exists()
    assert not srv.is_alive()


def test_exit_stops_a_server_that_ignores_sigterm():
    with falkordb_server() as srv:
        os.kill(srv.pid, signal.SIGSTOP)  # a stopped process cannot act on SIGTERM
        pid = srv.pid
        srv.stop(grace=0.5)
    assert not _pid_exists(pid)
    assert srv.returncode == -signal.SIGKILL
