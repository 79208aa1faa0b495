"""Peak memory of one engine's pass (load + every query once) in a fresh process; prints one JSON object.

    python -m bench.memory graphkit bench/data/M --centers C0001,C0002 [--all-fields-records]

Run by ``bench/run.py`` once per engine and scale, so no engine's numbers carry another's allocations. ``peak_mb``
is the process's peak RSS (VmHWM), ``steps`` the RSS after each step (MB), ``baseline_mb`` the RSS after
the imports, before any data.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def peak_mb() -> float:
    """This process's peak RSS (VmHWM). Not getrusage: after fork + exec, ru_maxrss also counts the parent's
    pages the child was forked with, so every child of a big parent would report the parent's size."""
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * resource.getpagesize() / 2**20


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("engine", choices=["graphkit", "floor", "dictset", "duckdb"])
    parser.add_argument("data")
    parser.add_argument("--centers", default="", help="recruitment centers, comma-separated")
    parser.add_argument("--all-fields-records", action="store_true",
                        help="graphkit: also build every center × field coverage record (huge at L)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    centers = [c for c in args.centers.split(",") if c]
    steps: dict[str, float] = {}

    if args.engine == "graphkit":
        from bench._gk import api
        from bench.subject import Graphkit

        baseline = _rss_mb()
        g = Graphkit(args.data)
        plan = [("load", None), ("coverage matrix", g.coverage), ("coverage records, own field",
                lambda: api("coverage")(g.ds)), ("reach codes", g.reach),
                ("reach records", g.reach_records), ("check", g.check), ("gaps", g.gaps),
                ("recruit", lambda: g.recruit(centers))]
        if args.all_fields_records:
            plan.insert(3, ("coverage records, all fields", g.coverage_records))
    else:
        from bench.ref_duckdb import DuckDB
        from bench.ref_python import DictSet
        from bench.ref_scipy import Floor, read_frames

        baseline = _rss_mb()
        e = {"floor": lambda: Floor(read_frames(args.data)), "dictset": lambda: DictSet(args.data),
             "duckdb": lambda: DuckDB(args.data)}[args.engine]()
        plan = [("load", None), ("coverage", e.coverage), ("reach", e.reach), ("gaps", e.gaps),
                ("recruit", lambda: e.recruit(centers))]
    steps["load"] = _rss_mb()
    for name, fn in plan[1:]:
        result = fn()
        steps[name] = _rss_mb()
        del result
    peak = peak_mb()
    print(json.dumps({"engine": args.engine, "data": args.data, "baseline_mb": baseline, "peak_mb": peak,
                      "steps": steps}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
