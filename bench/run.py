"""graphkit's benchmark: the same answers from graphkit and from reference engines, timed interleaved in one run.

    python -m bench.run                                    # S and M (about 13 minutes on 2 cores)
    python -m bench.run --scales S                         # a quick check (about 2 minutes)
    python bench/run.py --scales S,M,L --repeat 5 --out bench/results/

Per scale: generate the dataset (``graphkit generate --scale X --seed 1`` into bench/data/X, kept between runs;
``--fresh`` regenerates); load it into every engine (interleaved, ``--load-repeat`` times); run every query
``--repeat`` times, the engines in a rotating order; check that every engine gives the reference's answers
(bench/answers.py says what each answer is); then rdflib SPARQL and Cypher over Bolt once each, under
``--cap`` seconds per query; then each engine's peak memory in a fresh process; then the end-to-end CLI. Prints a
Markdown report and writes it to OUT/<date>.md. Any differing answer is printed loudly and the exit code is 1.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import json
import os
import platform
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import _gk, report
from bench.answers import compare, recruit_centers
from bench.ref_duckdb import DuckDB
from bench.ref_python import DictSet
from bench.ref_scipy import Floor, read_frames
from bench.subject import Graphkit

PY = sys.executable
GRAPHKIT_CLI = [PY, "-m", "graphkit"]
QUERIES = ("coverage", "reach", "gaps", "recruit")


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def rotate(items: list, k: int) -> list:
    k %= max(1, len(items))
    return items[k:] + items[:k]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def ensure_data(scale: str, fresh: bool) -> Path:
    folder = ROOT / "bench" / "data" / scale
    if fresh or not (folder / "centers.csv").exists():
        log(f"generating scale {scale} into {folder}")
        subprocess.run([*GRAPHKIT_CLI, "generate", "--scale", scale, "--seed", "1", "-o", str(folder)], check=True,
                       stdout=subprocess.DEVNULL)
        (folder.parent / f"{scale}.ttl").unlink(missing_ok=True)
    return folder


def turtle(folder: Path) -> Path:
    ttl = folder.parent / f"{folder.name}.ttl"
    if not ttl.exists() or ttl.stat().st_mtime < (folder / "centers.csv").stat().st_mtime:
        log(f"exporting {folder.name} to Turtle")
        subprocess.run([*GRAPHKIT_CLI, "export", str(folder), "--to", "turtle", "-o", str(ttl)], check=True,
                       stdout=subprocess.DEVNULL)
    return ttl


class Run:
    """The measurements of one scale: times[op][engine] = [seconds], plus capped results and notes."""

    def __init__(self, scale: str, folder: Path, args):
        self.scale, self.folder, self.args = scale, folder, args
        self.times: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        self.capped: dict[tuple[str, str], str] = {}  # (op, engine) → cell text for a capped run
        self.notes: list[str] = []
        self.problems: list[str] = []
        self.checked: list[tuple] = []  # (answer, engine, keys compared, partial)
        self.memory: dict[str, dict] = {}
        self.cli: dict = {}
        self.bolt: dict = {}
        self.counts: dict = {}
        self.warm: dict = {}  # bench.warm_open: the snapshot, as a whole process

    def verify(self, what: str, engine: str, expected: dict, got: dict, partial: bool = False) -> None:
        if partial:
            expected = {k: v for k, v in expected.items() if k in got}
        found = compare(what, engine, expected, got)
        if found:
            print("\n" + "!" * 100 + f"\n!!! DIFFERENT ANSWER: {what} from {engine} (scale {self.scale})", flush=True)
            for line in found:
                print("!!!   " + line, flush=True)
            print("!" * 100 + "\n", flush=True)
            self.problems += found
        else:
            self.checked.append((what, engine, len(expected), partial))


def bench_scale(scale: str, args) -> Run:
    folder = ensure_data(scale, args.fresh)
    run = Run(scale, folder, args)
    R, LR = args.repeat, args.load_repeat

    # ---- load, interleaved ---------------------------------------------------------------------------------------
    def floor_load():
        _, frames = timed(read_frames, folder)
        t_prep, floor = timed(Floor, frames)
        run.times["prep"]["scipy floor"].append(t_prep)
        return floor

    loaders = {"pandas.read_csv": lambda: read_frames(folder), "graphkit": lambda: Graphkit(folder),
               "scipy floor": floor_load, "dict/set": lambda: DictSet(folder), "DuckDB": lambda: DuckDB(folder)}
    state = {}
    for r in range(LR):
        for name in rotate(list(loaders), r):
            old = state.pop(name, None)
            if hasattr(old, "close"):
                old.close()
            del old
            gc.collect()
            seconds, state[name] = timed(loaders[name])
            run.times["load"][name].append(seconds)
        log(f"{scale}: load round {r + 1}/{LR} done")
    del state["pandas.read_csv"]
    g, floor, d, db = state["graphkit"], state["scipy floor"], state["dict/set"], state["DuckDB"]
    run.counts = g.ds.counts()

    # ---- the reference answers -----------------------------------------------------------------------------------
    ref = {"coverage": floor.canon_coverage(floor.coverage()), "reach": floor.canon_reach(floor.reach()),
           "gaps": floor.canon_gaps(floor.gaps())}
    centers = recruit_centers(ref["coverage"], floor.center_fields())
    ref["recruit"] = {c: tuple(v) for c, v in floor.recruit(centers).items()}
    run.recruit_centers = centers
    C = len(floor.center_ids)
    records_centers = None
    ids = sum(t for t in (v[1] for v in ref["coverage"].values()))  # platform ids in the all-fields records
    if ids > args.records_ids:
        n = max(1, int(args.records_ids * C / ids))
        records_centers = sorted(floor.center_ids.tolist())[:n]
        run.notes.append(f"coverage records API, all fields: timed for the first {n} of {C:,} centers and scaled "
                         f"×{C / n:g} (the records of all centers would hold {ids:,} platform ids)")

    # ---- queries, interleaved: op → engine → (call, canonicaliser, reset graphkit first?) --------------------------
    ops = {
        "coverage": {"scipy floor": (floor.coverage, floor.canon_coverage), "graphkit": (g.coverage, g.canon_coverage, True),
                     "dict/set": (d.coverage, dict), "DuckDB": (db.coverage, db.canon_coverage)},
        "coverage warm": {"graphkit": (g.coverage, g.canon_coverage)},
        "coverage records": {"graphkit": (lambda: g.coverage_records(records_centers), g.canon_coverage_records, True)},
        "reach": {"scipy floor": (floor.reach, floor.canon_reach), "graphkit": (g.reach, g.canon_reach, True),
                  "dict/set": (d.reach, dict), "DuckDB": (db.reach, db.canon_reach)},
        "reach warm": {"graphkit": (g.reach, g.canon_reach)},
        "reach records": {"graphkit": (g.reach_records, g.canon_reach_records, True)},
        "check": {"graphkit": (g.check, g.check_statuses, True)},
        "check warm": {"graphkit": (g.check, g.check_statuses)},
        "gaps": {"scipy floor": (floor.gaps, floor.canon_gaps), "graphkit": (g.gaps, g.canon_gaps, True),
                 "dict/set": (d.gaps, dict), "DuckDB": (db.gaps, db.canon_gaps)},
        "recruit": {"scipy floor": (lambda: floor.recruit(centers), lambda a: {c: tuple(v) for c, v in a.items()}),
                    "graphkit": (lambda: g.recruit(centers), g.canon_recruit, True),
                    "dict/set": (lambda: d.recruit(centers), dict), "DuckDB": (lambda: db.recruit(centers), dict)},
    }
    statuses = {}
    for r in range(R):
        for op, engines in ops.items():
            for engine in rotate(list(engines), r):
                call, canon, *cold = engines[engine]
                if cold:
                    g.reset()
                seconds, answer = timed(call)
                run.times[op][engine].append(seconds)
                if r == 0:
                    base = op.split()[0]
                    if base == "check":
                        statuses[op] = canon(answer)
                    elif op == "coverage records" and records_centers:
                        run.verify(op, engine, {k: v for k, v in ref["coverage"].items() if k[0] in set(records_centers)},
                                   canon(answer))
                    elif op == base or op.endswith("records"):
                        run.verify(op, engine, ref[base], canon(answer))
                del answer
        log(f"{scale}: query round {r + 1}/{R} done")
    if records_centers:
        run.times["coverage records"]["graphkit"] = [t * C / len(records_centers)
                                                     for t in run.times["coverage records"]["graphkit"]]
    if statuses.get("check") != statuses.get("check warm"):
        run.problems.append("check: the first call and the warm call give different statuses")
    run.check_counts = defaultdict(int)
    for status in statuses.get("check", {}).values():
        run.check_counts[status] += 1
    db.close()
    ops.clear()
    state.clear()
    d = db = floor = None  # free the references before the memory passes
    gc.collect()

    # ---- the slow engines, once, under a cap ---------------------------------------------------------------------
    if scale in args.sparql_scales:
        sparql(run, ref, args)
    if scale in args.bolt_scales:
        bolt(run, g, ref, centers, args)
    g = None
    gc.collect()

    # ---- peak memory, one fresh process per engine ---------------------------------------------------------------
    if not args.no_memory:
        for engine in ("graphkit", "floor", "dictset", "duckdb"):
            cmd = [PY, "-m", "bench.memory", engine, str(folder), "--centers", ",".join(centers)]
            if engine == "graphkit" and not records_centers:
                cmd.append("--all-fields-records")
            out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
            if out.returncode:
                run.problems.append(f"memory pass of {engine} failed: {out.stderr[-500:]}")
                continue
            run.memory[engine] = json.loads(out.stdout.strip().splitlines()[-1])
        log(f"{scale}: memory passes done")

    # ---- end to end: the CLI against a pandas + scipy script -----------------------------------------------------
    if scale in args.cli_scales:
        cli(run, folder, args)
    if scale in args.warm_scales:
        from .warm_open import measure

        run.warm = measure(str(folder), args.cli_repeat)
        log(f"{scale}: warm open done")
    return run


def sparql(run: Run, ref: dict, args) -> None:
    """rdflib in its own process (bench/ref_sparql.py), killed when a query passes the cap."""
    from bench.ref_sparql import run_capped

    ttl = turtle(run.folder)
    log(f"{run.scale}: rdflib parses {ttl.name} ({ttl.stat().st_size / 1e6:,.0f} MB)")
    out = run_capped(ttl, ["coverage", "reach"], args.cap, PY, ROOT)
    run.times["load"]["SPARQL"].append(out["load"])
    run.notes.append(f"rdflib: {out['triples']:,} triples from a {ttl.stat().st_size / 1e6:,.0f} MB Turtle file; "
                     f"peak RSS of the SPARQL process {out.get('peak_mb', float('nan')):,.0f} MiB")
    C = out["centers"]
    for op in ("coverage", "reach"):
        r = out[op]
        n = len({k[0] for k in r["answer"]}) if op == "coverage" else len(r["answer"])
        if r["done"]:
            run.times[op]["SPARQL"].append(r["seconds"])
        else:
            run.capped[(op, "SPARQL")] = f">{args.cap:g} s ({n}/{C} centers)"
        run.verify(op, "SPARQL", ref[op], r["answer"], partial=not r["done"])
        log(f"{run.scale}: SPARQL {op}: {n}/{C} centers in {r['seconds']:.1f} s")


def bolt(run: Run, g: Graphkit, ref: dict, centers: list[str], args) -> None:
    missing = _gk.cypher_missing()
    if missing:
        run.notes.append(f"Cypher over Bolt skipped: {missing}")
        log(f"Cypher over Bolt skipped: {missing}")
        return
    from bench.ref_cypher import Cypher, bolt_server

    user, password = (os.environ.get("NEO4J_USER"), os.environ.get("NEO4J_PASSWORD")) if args.bolt_uri else (None, None)
    try:
        with bolt_server(args.bolt_uri) as (uri, pid):
            log(f"{run.scale}: pushing to {uri}")
            engine = Cypher(g.ds, uri, user, password)
            stats = engine.push_stats
            run.times["load"]["Cypher/Bolt"].append(engine.push_seconds)
            run.bolt = {"rows": stats.get("rows_written"), "seconds": engine.push_seconds,
                        "rows_per_second": stats.get("rows_per_second"), "batches": stats.get("batches")}
            if pid:
                import psutil

                run.bolt["server_rss_mb"] = psutil.Process(pid).memory_info().rss / 2**20
            seconds, answer = timed(engine.coverage)
            run.times["coverage"]["Cypher/Bolt"].append(seconds)
            run.verify("coverage", "Cypher/Bolt", ref["coverage"], engine.canon_coverage(answer))
            seconds, answer = timed(engine.gaps)
            run.times["gaps"]["Cypher/Bolt"].append(seconds)
            run.verify("gaps", "Cypher/Bolt", ref["gaps"], engine.canon_gaps(answer))
            for op, call, items in (("reach", engine.reach, engine.center_ids), ("recruit", lambda cap: engine.recruit(centers, cap), centers)):
                seconds, (answer, done) = timed(call, args.cap)
                if done:
                    run.times[op]["Cypher/Bolt"].append(seconds)
                else:
                    run.capped[(op, "Cypher/Bolt")] = f">{args.cap:g} s ({len(answer)}/{len(items)} centers in {seconds:.0f} s)"
                run.verify(op, "Cypher/Bolt", ref[op], getattr(engine, f"canon_{op}")(answer), partial=not done)
            engine.close()
            log(f"{run.scale}: Cypher over Bolt done")
    except Exception as exc:  # noqa: BLE001 — a crashed server is a finding, not a reason to lose the run
        run.problems.append(f"Cypher over Bolt failed: {type(exc).__name__}: {exc}")
        log(f"Cypher over Bolt failed: {exc}")


def cli(run: Run, folder: Path, args) -> None:
    import orjson

    cmds = {"graphkit": [*GRAPHKIT_CLI, "coverage", str(folder), "--all-fields", "--format", "json"],
            "pandas+scipy": [PY, str(ROOT / "bench" / "ref_coverage_cli.py"), str(folder)]}
    outputs = {}
    for name, cmd in cmds.items():
        out = subprocess.run(cmd, capture_output=True, cwd=ROOT, check=False)
        if out.returncode:
            run.problems.append(f"end-to-end {name} failed: {out.stderr[-500:]!r}")
            return
        outputs[name] = orjson.loads(out.stdout)
    same = outputs["graphkit"] == outputs["pandas+scipy"]
    if not same:
        run.verify("CLI JSON", "graphkit", {i: r for i, r in enumerate(outputs["pandas+scipy"])},
                   {i: r for i, r in enumerate(outputs["graphkit"])})
    else:
        run.checked.append(("CLI JSON (graphkit coverage --all-fields vs the pandas+scipy script)", "graphkit",
                            len(outputs["graphkit"]), False))
    size = len(orjson.dumps(outputs["graphkit"]))
    del outputs
    times = defaultdict(list)
    for r in range(args.cli_repeat):
        for name in rotate(list(cmds), r):
            start = time.perf_counter()
            subprocess.run(cmds[name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, check=True)
            times[name].append(time.perf_counter() - start)
    run.cli = {"times": dict(times), "same": same, "bytes": size}
    log(f"{run.scale}: end-to-end CLI done")


def app_latency(data: Path, timeout: float) -> dict:
    out = subprocess.run([PY, str(ROOT / "bench" / "app_latency.py"), str(data), "--timeout", str(timeout)],
                         capture_output=True, text=True, cwd=ROOT, check=False)
    if out.returncode:
        return {"data": str(data), "failed": out.stderr[-800:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def viz_sizes() -> list[list[str]]:
    out = subprocess.run([PY, str(ROOT / "bench" / "viz_sizes.py")], capture_output=True, text=True, cwd=ROOT,
                         check=False)
    lines = [line.split() for line in out.stdout.splitlines() if line.strip()]
    return lines if out.returncode == 0 else [["failed", out.stderr[-300:]]]


def machine() -> dict:
    import duckdb
    import numpy
    import pandas
    import rdflib
    import scipy

    with open("/proc/cpuinfo") as fh:
        cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), "?")
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(),
            "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
            "versions": f"numpy {numpy.__version__}, scipy {scipy.__version__}, pandas {pandas.__version__}, "
                        f"duckdb {duckdb.__version__}, rdflib {rdflib.__version__}"}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scales", default="S,M", help="comma-separated, from S, M, L (default S,M)")
    p.add_argument("--repeat", type=int, default=5, help="runs of each query per engine (median reported)")
    p.add_argument("--load-repeat", type=int, default=3, help="loads per engine (median reported)")
    p.add_argument("--cap", type=float, default=60.0, help="seconds per SPARQL / Cypher query before '> cap'")
    p.add_argument("--sparql-scales", default="S,M", help="scales at which rdflib parses the Turtle export")
    p.add_argument("--bolt-scales", default="S,M", help="scales pushed to a Bolt server ('' to skip)")
    p.add_argument("--bolt-uri", default=None, help="an existing Bolt server (NEO4J_USER / NEO4J_PASSWORD); "
                                                    "its graphkit labels are deleted. Default: a local FalkorDB")
    p.add_argument("--cli-scales", default="S,M", help="scales of the end-to-end CLI comparison")
    p.add_argument("--cli-repeat", type=int, default=3)
    p.add_argument("--warm-scales", default="S,M,L", help="scales of the warm-open comparison (bench/warm_open.py)")
    p.add_argument("--records-ids", type=int, default=10_000_000,
                   help="time the all-fields coverage records of all centers up to this many platform ids in them; "
                        "above, of the first centers holding that many, scaled up")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory processes")
    p.add_argument("--no-app", action="store_true", help="skip the AppTest page timings")
    p.add_argument("--no-viz", action="store_true", help="skip bench/viz_sizes.py")
    p.add_argument("--app-timeout", type=float, default=900.0)
    p.add_argument("--fresh", action="store_true", help="regenerate the datasets")
    p.add_argument("--out", default=str(ROOT / "bench" / "results"), help="folder for <date>.md")
    args = p.parse_args(argv)
    split = lambda s: [x.strip().upper() for x in s.split(",") if x.strip()]
    args.scales = split(args.scales)
    args.sparql_scales, args.bolt_scales, args.cli_scales = (split(args.sparql_scales), split(args.bolt_scales),
                                                             split(args.cli_scales))
    args.warm_scales = split(args.warm_scales)
    started = time.perf_counter()
    info = machine()
    runs = []
    for scale in args.scales:
        log(f"scale {scale}")
        runs.append(bench_scale(scale, args))
    viz = [] if args.no_viz else viz_sizes()
    apps = []
    if not args.no_app:
        apps.append(app_latency(ROOT / "data" / "sample", args.app_timeout))
        if "L" in args.scales:
            apps.append(app_latency(ROOT / "bench" / "data" / "L", args.app_timeout))
        log("app latency done")
    info["duration"] = time.perf_counter() - started
    info["command"] = "python -m bench.run " + " ".join(argv if argv is not None else sys.argv[1:])
    text = report.render(runs, viz, apps, info, args)
    print(text)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{_dt.date.today().isoformat()}.md"
    path.write_text(text, encoding="utf-8")
    log(f"written {path}")
    problems = [p for r in runs for p in r.problems]
    if problems:
        print("\n!!! THE RUN FAILED: " + f"{len(problems)} problem(s), see above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
