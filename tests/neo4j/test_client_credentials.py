"""The Bolt client's doors for credentials (graphkit.neo4j.client, graphkit.errors.redact): a password never
reaches a message — not from a URI that holds one, not from the environment, not from the driver's own text."""

from __future__ import annotations

import pytest
from conftest import DATA, run_cli

from graphkit.errors import BoltUriError, redact

URI = "bolt://user:secretpw@127.0.0.1:1"


@pytest.mark.parametrize("args", [
    ("coverage", "--neo4j", URI),
    ("validate", URI),
    ("check", "--neo4j", URI),
    ("neo4j", "push", DATA / "tiny", "--uri", URI),
    ("neo4j", "pull", "--uri", URI, "-o", "/nonexistent/out"),
    ("neo4j", "wipe", "--uri", URI, "--yes"),
])
def test_a_password_in_the_uri_is_refused_and_never_printed(args, tmp_path):
    r = run_cli(*args, "--lang", "en") if args[0] != "neo4j" else run_cli(*args)
    assert r.exit_code == 2, (r.exit_code, r.stderr)
    assert "secretpw" not in r.stdout + r.stderr
    assert "internal error" not in r.stderr and "Traceback" not in r.stderr


def test_the_uri_refusal_says_what_to_do():
    r = run_cli("coverage", "--neo4j", URI, "--lang", "en")
    assert r.stderr.strip() == (
        "graphkit: the Bolt URI bolt://127.0.0.1:1 holds a user name or password: remove them from the URI, give the "
        "user with --user (or NEO4J_USER) and the password in the environment variable named by --password-env "
        "(default NEO4J_PASSWORD)")


def test_the_client_refuses_a_uri_with_userinfo_before_the_driver_sees_it():
    from graphkit.neo4j.client import BoltClient

    with pytest.raises(BoltUriError) as info:
        BoltClient("neo4j://admin:p%40ss@db.example:7687", password="x")
    assert "p%40ss" not in str(info.value) and "admin" not in str(info.value)
    assert info.value.exit_code == 2


@pytest.mark.parametrize("text, secrets, expected", [
    ("bolt://u:pw@h:1 and neo4j+s://x@y", (), "bolt://h:1 and neo4j+s://y"),
    ("Given URI: 'bolt://user:secretpw@127.0.0.1:1'.", (), "Given URI: 'bolt://127.0.0.1:1'."),
    ("auth failed for s3cr3t! (s3cr3t%21)", ("s3cr3t!",), "auth failed for *** (***)"),
    ("a b c", ("b",), "a b c"),  # a one-character password would blank every such character: left alone
    ("no secret here", (None, ""), "no secret here"),
])
def test_redact(text, secrets, expected):
    assert redact(text, *secrets) == expected


def test_a_password_from_the_environment_is_scrubbed_from_every_stderr_line(monkeypatch):
    """Whatever quotes it — here the URI itself, in the retry warnings and the final message — the password read
    from the environment is never printed."""
    import subprocess
    import sys

    from conftest import ROOT

    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "NEO4J_PASSWORD": "hunter22", "GRAPHKIT_BOLT_RETRIES": "1"}
    proc = subprocess.run([sys.executable, "-m", "graphkit", "coverage", "--neo4j", "bolt://127.0.0.1:1/hunter22",
                           "--lang", "en"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert proc.returncode in (1, 2) and "Traceback" not in proc.stderr
    assert "bolt://127.0.0.1:1/***" in proc.stderr
    assert "hunter22" not in proc.stdout + proc.stderr
