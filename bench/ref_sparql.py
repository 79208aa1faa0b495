"""The same answers with rdflib SPARQL over graphkit's Turtle export (``graphkit export DATA --to turtle``).

Load = ``rdflib.Graph().parse`` of the Turtle file. Coverage and reach run one prepared query per center (the
center bound through ``initBindings``), so a time cap can stop between centers: what finished is verified, the
rest is reported as "> cap" with the share done.
"""

from __future__ import annotations

import contextlib
import time

from .answers import BUILTIN_FIELDS, COUNTED_KINDS, HOPS

__all__ = ["Sparql"]

GK = "https://w3id.org/graphkit/ns#"
ID = "https://w3id.org/graphkit/id/"
FIELD = "https://w3id.org/graphkit/field/"
PREFIXES = f"""
PREFIX gk: <{GK}>
PREFIX id: <{ID}>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX platformkind: <https://w3id.org/graphkit/code/platform-kind/>
PREFIX platformstatus: <https://w3id.org/graphkit/code/platform-status/>
"""
_COUNTED = " ".join(f"platformkind:{k}" for k in COUNTED_KINDS)
_IS_COUNTED = f"""
    ?p a gk:Platform ; gk:field ?f ; gk:platformKind ?k .
    VALUES ?k {{ {_COUNTED} }}
    FILTER NOT EXISTS {{ ?p gk:platformStatus ?st . FILTER (?st != platformstatus:active) }}
"""
TOTALS = PREFIXES + f"SELECT ?f (COUNT(DISTINCT ?p) AS ?n) WHERE {{ {_IS_COUNTED} }} GROUP BY ?f"
COVERED = PREFIXES + f"""
SELECT ?f (COUNT(DISTINCT ?p) AS ?n) WHERE {{
    {{ ?m org:organization ?c ; org:member ?h . ?p gk:host ?h }} UNION {{ ?m org:organization ?c ; org:member ?p }}
    {_IS_COUNTED}
}} GROUP BY ?f"""


def _steps(x: str, y: str, s: str) -> list[str]:
    """One undirected hop x → y over membership, shareholding and collaboration rows, as alternative triple
    patterns (variables suffixed ``s``)."""
    r, cc, a = f"?r{s}", f"?cc{s}", f"?any{s}"
    return [
        f"{r} org:organization {x} ; org:member {y} .",
        f"{r} org:member {x} ; org:organization {y} .",
        f"{r} gk:collaborationFrom {x} ; gk:collaborationTo {y} .",
        f"{r} gk:collaborationTo {x} ; gk:collaborationFrom {y} .",
        f"{r} gk:shareholder {x} ; gk:center {cc} . {cc} gk:operatingCompany {y} .",
        f"{r} gk:shareholder {x} ; gk:center {y} . FILTER NOT EXISTS {{ {y} gk:operatingCompany {a} }}",
        f"{cc} gk:operatingCompany {x} . {r} gk:center {cc} ; gk:shareholder {y} .",
        f"{r} gk:center {x} ; gk:shareholder {y} . FILTER NOT EXISTS {{ {x} gk:operatingCompany {a} }}",
    ]


# Every path of one or two hops as its own union branch: rdflib evaluates a join lazily (binding the right side
# from the left) only when no join is nested under it, so "start · (step) · (step)" written with nested groups
# makes it enumerate every edge of the graph for the second step; one flat union of plain patterns does not.
_START = "?c gk:operatingCompany? ?s ."
_BRANCHES = [f"{{ {_START} {a} }}" for a in _steps("?s", "?o", "1")]
_BRANCHES += [f"{{ {_START} {a} {b} }}" for a in _steps("?s", "?n", "1") for b in _steps("?n", "?o", "2")]
assert HOPS == 2  # REACH spells out two hops
REACH = PREFIXES + "SELECT DISTINCT ?o WHERE {\n    " + "\n    UNION ".join(_BRANCHES) + """
    ?o a org:Organization .
    FILTER NOT EXISTS { ?mx org:organization ?c ; org:member ?o }
    FILTER NOT EXISTS { ?sx gk:center ?c ; gk:shareholder ?o }
    FILTER NOT EXISTS { ?c gk:operatingCompany ?o }
}"""
CENTERS = PREFIXES + "SELECT ?c WHERE { ?c a gk:InnovationCenter }"
FIELDS = PREFIXES + "SELECT ?f WHERE { ?f a gk:Field }"


class Sparql:
    """An rdflib graph of the Turtle export, and prepared queries."""

    name = "rdflib SPARQL"

    def __init__(self, ttl_path):
        import rdflib
        from rdflib.plugins.sparql import prepareQuery

        self.graph = rdflib.Graph()
        self.graph.parse(str(ttl_path), format="turtle")
        self._q = {name: prepareQuery(text) for name, text in
                   (("totals", TOTALS), ("covered", COVERED), ("reach", REACH))}
        self.centers = sorted(str(r[0]) for r in self.graph.query(CENTERS))
        extra = sorted(str(r[0])[len(FIELD):] for r in self.graph.query(FIELDS))
        self.field_ids = BUILTIN_FIELDS + [f for f in extra if f not in BUILTIN_FIELDS]

    def _each(self, query, cap: float, fn):
        """Run ``query`` per center until done or ``cap`` seconds passed; (answers, finished)."""
        start = time.perf_counter()
        out = {}
        for c in self.centers:
            if time.perf_counter() - start > cap:
                return out, False
            out[c[len(ID):]] = fn(self.graph.query(query, initBindings={"c": self._iri(c)}))
        return out, True

    @staticmethod
    def _iri(text):
        from rdflib import URIRef

        return URIRef(text)

    def coverage(self, cap: float):
        totals = {str(f)[len(FIELD):]: int(n) for f, n in self.graph.query(self._q["totals"])}
        per_center, done = self._each(self._q["covered"], cap,
                                      lambda rows: {str(f)[len(FIELD):]: int(n) for f, n in rows})
        return (totals, per_center), done

    def reach(self, cap: float):
        return self._each(self._q["reach"], cap, lambda rows: sorted(str(o)[len(ID):] for o, in rows))

    # ---- canonical answers (not timed) ----------------------------------------------------------------------------
    def canon_coverage(self, answer) -> dict:
        totals, per_center = answer
        return {(c, f): (got.get(f, 0), totals.get(f, 0)) for c, got in per_center.items() for f in self.field_ids}

    @staticmethod
    def canon_reach(answer) -> dict:
        return {c: tuple(ids) for c, ids in answer.items()}


# ---- a worker process, so that a query running past the cap can be stopped ------------------------------------------

def worker(ttl_path: str, ops: list[str], cap: float) -> None:
    """Load, then run ``ops``, printing one JSON line per event: loaded, totals, one per center, done, peak.

    An op stops by itself between centers once ``cap`` seconds have passed (``done`` then says ``stopped``); the
    parent kills the worker when one center alone runs past the cap."""
    import json
    import sys

    def emit(**kw):
        sys.stdout.write(json.dumps(kw) + "\n")
        sys.stdout.flush()

    start = time.perf_counter()
    engine = Sparql(ttl_path)
    emit(event="loaded", seconds=time.perf_counter() - start, triples=len(engine.graph), centers=engine.centers,
         fields=engine.field_ids)
    for op in ops:
        start = time.perf_counter()
        if op == "coverage":
            emit(event="totals", totals={str(f)[len(FIELD):]: int(n) for f, n in engine.graph.query(engine._q["totals"])})
        query = engine._q["covered" if op == "coverage" else "reach"]
        stopped = False
        for c in engine.centers:
            if time.perf_counter() - start > cap:
                stopped = True
                break
            rows = engine.graph.query(query, initBindings={"c": engine._iri(c)})
            if op == "coverage":
                answer = {str(f)[len(FIELD):]: int(n) for f, n in rows}
            else:
                answer = sorted(str(o)[len(ID):] for o, in rows)
            emit(event="center", op=op, center=c[len(ID):], answer=answer)
        emit(event="done", op=op, seconds=time.perf_counter() - start, stopped=stopped)
    from bench.memory import peak_mb

    emit(event="peak", peak_mb=peak_mb())


_GRACE = 5.0  # seconds past the cap before the parent kills a worker stuck in one center


def run_capped(ttl_path, ops: list[str], cap: float, python: str, cwd) -> dict:
    """Run ``ops`` in a worker process, killing it when an op passes ``cap`` seconds (a fresh worker then loads
    again for the next op). Returns {"load": s, "triples": n, "centers": n, "peak_mb": MiB or absent,
    op: {"seconds": s, "done": bool, "answer": canonical answer of the centers finished}}."""
    import json
    import selectors
    import subprocess

    out: dict = {}
    todo = list(ops)
    totals, fields, answers = {}, list(BUILTIN_FIELDS), {op: {} for op in ops}
    while todo:
        proc = subprocess.Popen([python, "-m", "bench.ref_sparql", str(ttl_path), ",".join(todo), str(cap)], cwd=cwd,
                                stdout=subprocess.PIPE, text=True)
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        op = started = None
        try:
            while True:
                with contextlib.suppress(OSError, StopIteration):  # peak RSS so far, in case the worker is killed
                    with open(f"/proc/{proc.pid}/status") as fh:
                        hwm = next(int(x.split()[1]) for x in fh if x.startswith("VmHWM:")) / 1024
                    out["peak_mb"] = max(out.get("peak_mb", 0.0), hwm)
                if op is not None and time.perf_counter() - started > cap + _GRACE:
                    out[op] = {"seconds": time.perf_counter() - started, "done": False}
                    todo.remove(op)
                    break
                wait = None if op is None else max(0.0, cap + _GRACE - (time.perf_counter() - started)) + 0.01
                if not sel.select(wait):
                    continue
                line = proc.stdout.readline()
                if not line:
                    if op is not None:
                        raise RuntimeError(f"the SPARQL worker died during {op}")
                    break
                ev = json.loads(line)
                kind = ev["event"]
                if kind == "loaded":
                    out.setdefault("load", ev["seconds"])
                    out["triples"], out["centers"], fields = ev["triples"], len(ev["centers"]), ev["fields"]
                    op, started = todo[0], time.perf_counter()
                elif kind == "totals":
                    totals = ev["totals"]
                elif kind == "center":
                    answers[op][ev["center"]] = ev["answer"]
                elif kind == "done":
                    out[op] = {"seconds": ev["seconds"], "done": not ev["stopped"]}
                    todo.remove(op)
                    op, started = (todo[0], time.perf_counter()) if todo else (None, None)
                elif kind == "peak":
                    out["peak_mb"] = max(out.get("peak_mb", 0.0), ev["peak_mb"])
        finally:
            proc.kill()
            proc.wait()
            proc.stdout.close()
    for op in ops:
        got = answers[op]
        if op == "coverage":
            out[op]["answer"] = {(c, f): (v.get(f, 0), totals.get(f, 0)) for c, v in got.items() for f in fields}
        else:
            out[op]["answer"] = {c: tuple(v) for c, v in got.items()}
    return out


if __name__ == "__main__":
    import sys

    worker(sys.argv[1], sys.argv[2].split(","), float(sys.argv[3]))
