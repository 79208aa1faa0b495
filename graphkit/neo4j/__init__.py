"""The neo4j layer: a Bolt server (Neo4j 5, or FalkorDB's Bolt endpoint) as a second engine.

``client`` (the connection: server detection, batching, retries, timeouts), ``model`` (the property-graph model,
both ways), ``transfer`` (idempotent push, pull through validation), ``engine`` (every query pushed down as
parameterised Cypher), ``facts`` (the checks' facts gathered by Cypher) and ``rows`` (what those share).
The official ``neo4j`` driver is imported only when a connection is opened.
"""

from __future__ import annotations

import importlib

__all__ = ["CypherEngine", "push", "pull", "wipe"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module("graphkit.neo4j.engine"), name)
    raise AttributeError(f"module 'graphkit.neo4j' has no attribute {name!r}")
