"""The benchmark's Markdown report: one table per scale, then memory, the end-to-end CLI, Bolt, views and the app."""

from __future__ import annotations

import statistics

__all__ = ["render"]

ENGINES = ["scipy floor", "graphkit", "dict/set", "DuckDB", "SPARQL", "Cypher/Bolt"]
# op key, label, what the answer is
ROWS = [
    ("read", "read CSVs (pandas.read_csv, every file)", "the load reference"),
    ("load", "load: CSV → ready for queries", ("floor: read + sparse prep; graphkit: validated + indexed; "
                                              "SPARQL: parse the Turtle export; Cypher: push")),
    ("coverage", "coverage, every center × every field", "(covered, total) per pair; graphkit: coverage_matrix, first call"),
    ("coverage warm", "… graphkit again, model cached", "same"),
    ("coverage records", "… graphkit record API (ids, by kind, via)", "gk.coverage(all_fields=True), first call"),
    ("reach", "reach k=2, every center", "sorted org ids per center; graphkit: reach codes, first call"),
    ("reach warm", "… graphkit again, adjacency cached", "same"),
    ("reach records", "… graphkit record API", "gk.reach per center (counts by kind, country, province)"),
    ("check", "full check, every center", "21 statuses per center (graphkit only), first call"),
    ("check warm", "… graphkit again, tables cached", "same"),
    ("gaps", "gaps, every field", "platforms, centers, best center and ratio, union ratio, unreached ids"),
    ("recruit", "recruitment, 20 centers furthest below 50 %", "greedy org list per center"),
]
CORE_SCALES = ("M", "L")


def med(xs) -> float | None:
    return statistics.median(xs) if xs else None


def fmt(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def ratio(x: float | None, base: float | None) -> str:
    if x is None or not base:
        return ""
    r = x / base
    return f"{r:.2f}×" if r < 10 else f"{r:,.0f}×"


def _targets(run) -> dict[str, str]:
    t = {op: med(v.get("graphkit", [])) for op, v in run.times.items()}
    floor = {op: med(v.get("scipy floor", [])) for op, v in run.times.items()}
    read = med(run.times["load"].get("pandas.read_csv", []))
    out = {}
    core = run.scale in CORE_SCALES

    def mark(ok: bool, applies: bool) -> str:
        return ("✓" if ok else "✗") if applies else ("(✓)" if ok else "(✗)")

    if t.get("load") and read:
        r = t["load"] / read
        out["load"] = f"≤ 6× read_csv at M, L: {mark(r <= 6, core)} {r:.1f}×"
    for op in ("coverage", "reach"):
        if t.get(op) and floor.get(op):
            r = t[op] / floor[op]
            out[op] = f"≤ 3× floor at M, L: {mark(r <= 3, core)} {r:.1f}×"
    if t.get("check") and t.get("coverage") and t.get("reach"):
        r = t["check"] / (t["coverage"] + t["reach"])
        out["check"] = f"< 2× (coverage + reach) at L: {mark(r < 2, run.scale == 'L')} {r:.1f}×"
    if t.get("recruit") and floor.get("recruit"):
        r = t["recruit"] / floor["recruit"]
        out["recruit"] = f"≤ 2× floor at M, L: {mark(r <= 2, core)} {r:.1f}×"
    return out


def scale_table(run) -> list[str]:
    c = run.counts
    lines = [(f"### Scale {run.scale}: {c.get('centers', 0):,} centers, {c.get('organizations', 0):,} organisations, "
             f"{c.get('platforms', 0):,} platforms, {c.get('alliance_members', 0):,} memberships, "
             f"{c.get('collaborations', 0):,} collaborations"), ""]
    engines = [e for e in ENGINES if any(e in v for v in run.times.values()) or any(k[1] == e for k in run.capped)]
    lines.append("| operation | " + " | ".join(engines) + " | target |")
    lines.append("|---|" + "---:|" * len(engines) + "---|")
    targets = _targets(run)
    read = med(run.times["load"].get("pandas.read_csv", []))
    for op, label, _ in ROWS:
        if op == "read":
            cells = [f"{fmt(read)} (1×)" if e == "scipy floor" else "" for e in engines]
            lines.append(f"| {label} | " + " | ".join(cells) + " | reference of load |")
            continue
        times = run.times.get(op, {})
        if not times and not any(k[0] == op for k in run.capped):
            continue
        base = read if op == "load" else med(run.times.get(op.split()[0], {}).get("scipy floor", []))
        cells = []
        for e in engines:
            if (op, e) in run.capped:
                cells.append(run.capped[(op, e)])
                continue
            m = med(times.get(e, []))
            cell = "" if m is None else f"{fmt(m)} ({ratio(m, base)})" if base else fmt(m)
            if op == "load" and e == "Cypher/Bolt" and run.bolt.get("rows_per_second"):
                cell += f", {run.bolt['rows_per_second']:,.0f} rows/s"
            cells.append(cell)
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {targets.get(op, '')} |")
    prep = med(run.times.get("prep", {}).get("scipy floor", []))
    lines += ["", (f"Ratios: load rows to pandas.read_csv, query rows to the scipy floor (its sparse prep: {fmt(prep)}, "
              f"part of its load). Medians of {run.args.repeat} interleaved runs ({run.args.load_repeat} for loads); "
              "SPARQL and Cypher ran once each. ✓/✗ where the target applies at this scale, (✓)/(✗) where it does not.")]
    if getattr(run, "check_counts", None):
        lines.append("Check statuses (every center × 21 checks, as of 2025-12-31): "
                     + ", ".join(f"{k} {v:,}" for k, v in sorted(run.check_counts.items())) + ".")
    return lines


def memory_table(runs) -> list[str]:
    runs = [r for r in runs if r.memory]
    if not runs:
        return []
    names = {"graphkit": "graphkit", "floor": "scipy floor", "dictset": "dict/set", "duckdb": "DuckDB"}
    lines = ["## Peak memory (MiB): load + every query, one fresh process per engine", "",
             "| engine | " + " | ".join(f"{r.scale}: peak (after load)" for r in runs) + " |",
             "|---|" + "---:|" * len(runs)]
    for key, name in names.items():
        cells = []
        for r in runs:
            m = r.memory.get(key)
            cells.append(f"{m['peak_mb']:,.0f} ({m['steps']['load']:,.0f})" if m else "")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    for r in runs:
        m = r.memory.get("graphkit")
        if m and r.scale == "L":
            ok = m["peak_mb"] <= 1024
            lines.append(f"Target: graphkit at L ≤ 1 GiB: {'✓' if ok else '✗'} ({m['peak_mb']:,.0f} MiB).")
        if m:
            steps = ", ".join(f"{k} {v:,.0f}" for k, v in m["steps"].items())
            lines.append(f"graphkit at {r.scale}, RSS after each step (MiB): imports {m['baseline_mb']:,.0f}, {steps}.")
    return lines + [""]


def cli_table(runs) -> list[str]:
    runs = [r for r in runs if r.cli]
    if not runs:
        return []
    lines = ["## End to end: `graphkit coverage DATA --all-fields --format json > /dev/null`", "",
             "| scale | graphkit CLI | pandas + scipy script | ratio | same JSON | JSON size | target ≤ 5× at M |",
             "|---|---:|---:|---:|---|---:|---|"]
    for r in runs:
        g, p = med(r.cli["times"]["graphkit"]), med(r.cli["times"]["pandas+scipy"])
        ok = g / p <= 5
        mark = ("✓" if ok else "✗") if r.scale == "M" else ("(✓)" if ok else "(✗)")
        lines.append(f"| {r.scale} | {fmt(g)} | {fmt(p)} | {g / p:.2f}× | {'identical' if r.cli['same'] else 'DIFFERENT'} "
                     f"| {r.cli['bytes'] / 1e6:,.1f} MB | {mark} |")
    return lines + ["", ("Each run is a new process (interpreter start, imports, read, compute, JSON); "
                    "medians of the interleaved runs."), ""]


def warm_table(runs) -> list[str]:
    runs = [r for r in runs if getattr(r, "warm", None)]
    if not runs:
        return []
    head = ("| scale | first run (validates, writes the snapshot) | warm run | pandas process reading the CSVs | ratio "
            "| ratio of CPU time | target ≤ 1.5× at M and L |")
    lines = ["## Warm open from the snapshot: `graphkit coverage DATA --all-fields --summary` as a whole process", "",
             head, "|---|---:|---:|---:|---:|---:|---|"]
    for r in runs:
        w = r.warm
        ok = w["ratio"] <= 1.5
        mark = ("✓" if ok else "✗") if r.scale in ("M", "L") else ("(✓)" if ok else "(✗)")
        lines.append(f"| {r.scale} | {fmt(w['cold_s'])} | {fmt(w['warm_s'])} | {fmt(w['pandas_s'])} | {w['ratio']:.2f}× "
                     f"| {w['ratio_cpu']:.2f}× | {mark} |")
    return lines + ["", ("bench/warm_open.py: a fresh GRAPHKIT_CACHE_DIR, one cold run, then warm runs interleaved with "
                         "the pandas process (medians; CPU = user + system of the child)."), ""]


def bolt_table(runs) -> list[str]:
    runs = [r for r in runs if r.bolt]
    if not runs:
        return []
    lines = ["## Cypher over Bolt (graphkit.neo4j push + CypherEngine pushdown)", "",
             ("| scale | rows pushed | push | rows/s | server RSS | coverage all fields | reach k=2, every center "
             "| gaps | recruit 20 |"), "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        b = r.bolt

        def cell(op, r=r):
            if (op, "Cypher/Bolt") in r.capped:
                return r.capped[(op, "Cypher/Bolt")]
            return fmt(med(r.times[op].get("Cypher/Bolt", [])))

        rss = f"{b['server_rss_mb']:,.0f} MiB" if b.get("server_rss_mb") else ""
        lines.append(f"| {r.scale} | {b['rows']:,} | {fmt(b['seconds'])} | {b['rows_per_second']:,.0f} | {rss} | "
                     f"{cell('coverage')} | {cell('reach')} | {cell('gaps')} | {cell('recruit')} |")
    return lines + [""]


def viz_table(viz) -> list[str]:
    if not viz:
        return []
    head, *rows = viz
    if head[0] == "failed":
        return ["## Network views", "", "bench/viz_sizes.py failed: " + " ".join(head[1:]), ""]
    head = ["nodes", "edges", "HTML MB", "build s", "cap s", "capped HTML MB", "pyvis s", "pyvis / ours"]
    lines = ["## Network views (bench/viz_sizes.py: graphkit.present.viz HTML, and pyvis' own build for reference)", "",
             "| " + " | ".join(head) + " |", "|" + "---:|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines + ["", ("nodes = n // 100 centers + organisations, each a member of one center; "
                    "'cap' keeps 1,000 nodes and aggregates the rest."), ""]


def app_table(apps) -> list[str]:
    if not apps:
        return []
    cols = []
    for a in apps:
        name = "sample" if "sample" in a["data"] else a["data"].rstrip("/").split("/")[-1]
        cols.append((name, a))
    lines = ["## App latency (streamlit AppTest, seconds; first = open the page, rerun = run again unchanged)", "",
             "| page | " + " | ".join(f"{n} first | {n} rerun" for n, _ in cols) + " |",
             "|---|" + "---:|---:|" * len(cols)]
    failed = [(n, a) for n, a in cols if "failed" in a]
    ok = [(n, a) for n, a in cols if "failed" not in a]
    row = ["new session (load + overview)"]
    for n, a in cols:
        row += [f"{a['start']:.2f}" if "start" in a else "failed", ""]
    lines.append("| " + " | ".join(row) + " |")
    pages = list(ok[0][1]["pages"]) if ok else []
    for page in pages:
        row = [page]
        for n, a in cols:
            p = a.get("pages", {}).get(page)
            row += [f"{p['first']:.2f}", f"{p['rerun']:.2f}"] if p else ["", ""]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    for n, a in ok:
        lines.append(f"{n}: peak RSS of the AppTest process {a.get('peak_mb', 0):,.0f} MiB"
                     + (f"; page errors: {a['errors']}" if a.get("errors") else "; no page raised") + ".")
    for n, a in failed:
        lines.append(f"{n}: AppTest failed: {a['failed']}")
    return lines + [""]


def render(runs, viz, apps, info, args) -> str:
    lines = ["# graphkit benchmark", "",
             (f"`{info['command']}` — {info['duration'] / 60:.1f} min on {info['cpu']} ({info['cores']} cores; "
             f"load average at start {info['load']}); Python {info['python']}, {info['versions']}."), "",
             ("Every engine computes the same answers from the same generated files (bench/answers.py defines them; "
             "bench/README.md explains the columns)."), ""]
    for r in runs:
        lines += scale_table(r) + [""]
    lines += memory_table(runs) + cli_table(runs) + warm_table(runs) + bolt_table(runs) + viz_table(viz) + app_table(apps)
    lines += ["## Equal answers", ""]
    problems = [p for r in runs for p in r.problems]
    if problems:
        lines += ["**DIFFERENT ANSWERS — the run failed:**", ""] + [f"- {p}" for p in problems] + [""]
    for r in runs:
        by_answer: dict[str, list[str]] = {}
        for what, engine, n, partial in r.checked:
            by_answer.setdefault(what, []).append(f"{engine} ({n:,} keys{', the centers finished' if partial else ''})")
        lines.append(f"- {r.scale}: " + "; ".join(f"**{w}** = reference: {', '.join(e)}" for w, e in by_answer.items()) + ".")
    notes = [f"- {r.scale}: {n}" for r in runs for n in r.notes]
    if notes:
        lines += ["", "## Notes", ""] + notes
    return "\n".join(lines) + "\n"
