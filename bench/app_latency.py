"""App latency per page with streamlit's AppTest (headless): first run and rerun, with GRAPHKIT_DATA = a dataset.

    python bench/app_latency.py data/sample            # prints JSON
    python bench/app_latency.py bench/data/L --timeout 900

"start" is the first script run of a new session (loads the dataset — cached per process by path and
modification time — and draws the overview); then each page is opened (first) and rerun without a change
(rerun: what a widget click costs when nothing needs recomputing). Runs in its own process so that streamlit's
caches start empty; prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["overview", "center", "field", "explorer", "whatif", "claims", "data"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds one script run may take")
    args = parser.parse_args(argv)
    os.environ["GRAPHKIT_DATA"] = str(Path(args.data).resolve())
    sys.path.insert(0, str(ROOT))
    from streamlit.testing.v1 import AppTest

    out = {"data": args.data, "pages": {}, "errors": []}

    def timed(run, *args):
        start = time.perf_counter()
        at = run(*args)
        seconds = time.perf_counter() - start
        if at.exception:
            out["errors"].append([str(e.value)[:300] for e in at.exception])
        return at, seconds

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=args.timeout)
    at, out["start"] = timed(at.run)
    for page in PAGES:
        at, first = timed(lambda app, path: app.switch_page(path).run(), at, f"app_pages/{page}.py")
        at, rerun = timed(at.run)
        out["pages"][page] = {"first": first, "rerun": rerun}
    from bench.memory import peak_mb

    out["peak_mb"] = peak_mb()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
