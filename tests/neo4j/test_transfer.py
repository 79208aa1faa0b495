"""Push convergence across changed datasets (graphkit.neo4j.transfer) and `graphkit neo4j wipe`, on the session's
Bolt server (the ``bolt_uri`` fixture: the local FalkorDB, or ``NEO4J_URI`` — a Neo4j fixture may parametrise it).

Issue 16: after the sample with one renamed center and then a generated dataset, a FalkorDB push exited 1
("rejected a cleanup statement: Attempted to access undefined attribute") and left ``Center`` unqueryable until the
graph was deleted by hand. The promise is that a changed dataset converges, and that a user is never stuck."""

from __future__ import annotations

import csv
import shutil

import pytest
from conftest import ROOT, run_cli

from graphkit import load_dataset
from graphkit.data.synthetic import generate
from graphkit.engine import EmbeddedEngine
from graphkit.neo4j.client import BoltClient
from graphkit.neo4j.engine import CypherEngine, pull, push, wipe
from graphkit.neo4j.model import LABELS

pytestmark = pytest.mark.bolt
SAMPLE = ROOT / "data" / "sample"


def _renamed_sample(out):
    """The sample with its first center renamed and its second center's id changed (and every reference to it)."""
    shutil.copytree(SAMPLE, out)
    with open(out / "centers.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["name"] += "（更名）"
    old = rows[1]["center_id"]
    with open(out / "centers.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for path in out.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace(f"{old},", f"{old}R,").replace(f",{old}\n", f",{old}R\n"), encoding="utf-8")
    return out, old


def _counts(uri, auth) -> dict:
    """Nodes per label: graphkit's labels and one that is not graphkit's."""
    with BoltClient(uri, **auth) as client:
        return {label: client.read(f"MATCH (n:{label}) RETURN count(n) AS n")[0]["n"] for label in (*LABELS, "Other")}


def test_rename_then_grow_converges(bolt_uri, bolt_auth, bolt_driver, tmp_path):
    wipe(bolt_uri, **bolt_auth)
    renamed, old_id = _renamed_sample(tmp_path / "renamed")
    generate("S", 3, tmp_path / "s")
    sample, changed, grown = load_dataset(SAMPLE), load_dataset(renamed), load_dataset(tmp_path / "s")
    assert old_id in sample.index.center_pos and old_id + "R" in changed.index.center_pos
    for ds in (sample, changed, grown):
        push(ds, bolt_uri, **bolt_auth)
        on_server = pull(bolt_uri, bolt_auth["user"], bolt_auth["password"])
        assert on_server.same_as(ds)
        with CypherEngine(bolt_uri, **bolt_auth) as cypher:  # Center is queryable after every push
            got = sorted((c.center_id, c.covered, c.total) for c in cypher.coverage(with_via=False))
        assert got == sorted((c.center_id, c.covered, c.total) for c in EmbeddedEngine(ds).coverage(with_via=False))
    # and back to the sample: shrinking converges too
    stats = push(sample, bolt_uri, **bolt_auth)
    assert stats["nodes_deleted"] > 0
    assert pull(bolt_uri, bolt_auth["user"], bolt_auth["password"]).same_as(sample)


def test_wipe_deletes_graphkits_labels_only_and_asks_first(bolt_uri, bolt_auth, bolt_driver, tmp_path, monkeypatch):
    push(load_dataset(ROOT / "tests" / "fixtures" / "tiny"), bolt_uri, **bolt_auth)
    with BoltClient(bolt_uri, **bolt_auth) as client:
        client.write("CREATE (:Other {id: 'mine'})", "test")
    try:
        before = _counts(bolt_uri, bolt_auth)
        assert before["Center"] == 1 and before["Field"] == 22 and before["Other"] == 1
        args = ["neo4j", "wipe", "--uri", bolt_uri, "--lang", "en"]
        if bolt_auth["user"]:
            monkeypatch.setenv("NEO4J_USER", bolt_auth["user"])
            monkeypatch.setenv("NEO4J_PASSWORD", bolt_auth["password"] or "")
        r = run_cli(*args)  # no terminal, no --yes: nothing deleted
        assert r.exit_code == 2 and "graphkit: nothing was deleted (confirm, or pass --yes)" in r.stderr
        assert _counts(bolt_uri, bolt_auth) == before
        r = run_cli(*args, "--yes", "--format", "json")
        assert r.exit_code == 0, r.stderr
        assert r.json()["nodes_deleted"] == sum(before[label] for label in LABELS)
        assert _counts(bolt_uri, bolt_auth) == {**{label: 0 for label in LABELS}, "Other": 1}
    finally:
        with BoltClient(bolt_uri, **bolt_auth) as client:
            client.write("MATCH (n:Other) DELETE n", "test")
