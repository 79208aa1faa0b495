"""Warm open from the snapshot, as a whole process: ``graphkit coverage DATA --all-fields --summary`` against a
pandas process that reads the same CSVs.

    python -m bench.warm_open DATA [--repeat 3] [--command "coverage DATA --summary"]

The snapshot folder is a fresh temporary ``GRAPHKIT_CACHE_DIR``: the first graphkit run validates and writes the
snapshot (reported as ``cold``), every later run opens from it (``warm``, the target row). Runs are interleaved
with the pandas process; times are wall-clock medians and CPU (user + system) medians of the child processes.
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

__all__ = ["measure"]

ROOT = Path(__file__).resolve().parents[1]
PANDAS = ("import glob, sys, pandas as pd\n"
          "for f in sorted(glob.glob(sys.argv[1] + '/*.csv')): pd.read_csv(f)\n")


def _run(cmd: list[str], env: dict) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(data: str, repeat: int = 3, args: list[str] | None = None) -> dict:
    """{"cold": (wall, cpu), "warm": [...], "pandas": [...], ratios} for ``graphkit ARGS`` on ``data``."""
    args = args or ["coverage", str(data), "--all-fields", "--summary", "-q"]
    with tempfile.TemporaryDirectory(prefix="graphkit-bench-cache-") as cache:
        env = dict(os.environ, GRAPHKIT_CACHE_DIR=cache, PYTHONPATH=str(ROOT))
        gk = [sys.executable, "-m", "graphkit", *args]
        pandas = [sys.executable, "-c", PANDAS, str(data)]
        cold = _run(gk, env)
        warm, ref = [], []
        for r in range(repeat):
            for name in (("gk", "pd") if r % 2 == 0 else ("pd", "gk")):
                (warm if name == "gk" else ref).append(_run(gk if name == "gk" else pandas, env))
    def med(xs, i):
        return statistics.median(x[i] for x in xs)

    return {"data": str(data), "command": " ".join(["graphkit", *args]), "cold_s": cold[0], "cold_cpu_s": cold[1],
            "warm_s": med(warm, 0), "warm_cpu_s": med(warm, 1), "pandas_s": med(ref, 0), "pandas_cpu_s": med(ref, 1),
            "ratio": med(warm, 0) / med(ref, 0), "ratio_cpu": med(warm, 1) / med(ref, 1)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("data")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--command", default=None, help='graphkit arguments, DATA standing for the folder')
    a = p.parse_args(argv)
    args = [x.replace("DATA", a.data) for x in a.command.split()] + ["-q"] if a.command else None
    print(json.dumps(measure(a.data, a.repeat, args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
