"""Every graphkit internal the benchmark touches, in one place (the only module that imports past ``graphkit``).

The query modules are moving from ``graphkit/<name>.py`` to ``graphkit/queries/<name>.py`` and the generator from
``graphkit/generate.py`` to ``graphkit/synthetic.py``: each name is looked up at its new home first, then at the
old one, so the benchmark runs on either layout. Everything public comes from ``import graphkit as gk``.
"""

from __future__ import annotations

import importlib

__all__ = ["api", "coverage_model", "cypher", "cypher_missing", "falkordb_server", "goodbye_filter", "index", "reach_codes", "reach_matrix", "reset_caches"]


def api(name: str):
    """``gk.<name>`` — the public function, even when the submodule of the same name shadows it.

    In the current layout ``graphkit.coverage`` is both a lazily exported function and a submodule: once anything
    imports the submodule (``gk.check`` does), ``gk.coverage`` is the module and calling it raises TypeError.
    """
    import graphkit as gk

    obj = getattr(gk, name)
    return getattr(obj, name) if isinstance(obj, type(importlib)) else obj


def _first(name: str, *modules: str):
    errors = []
    for module in modules:
        try:
            return getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as exc:  # not moved yet / moved already
            errors.append(f"{module}: {exc}")
    raise ImportError(f"{name} not found in " + "; ".join(errors))


reach_codes = _first("reach_codes", "graphkit.queries.reach", "graphkit.queries.reach")
reach_matrix = _first("reach_matrix", "graphkit.queries.reach", "graphkit.queries.reach")
coverage_model = _first("coverage_model", "graphkit.queries.coverage", "graphkit.queries.coverage")


def index(ds):
    """The integer codes and sparse relation matrices built at load (``Dataset.index``)."""
    return ds.index


def reset_caches(ds) -> None:
    """Forget every index graphkit builds lazily after load, so the next query pays for it ("first call")."""
    for key in ("_coverage_models", "_check_tables"):
        ds.__dict__.pop(key, None)
    for key in ("adjacency", "collab_by_center"):
        ds.index.__dict__.pop(key, None)


def cypher():
    """``graphkit.neo4j`` (push, wipe, CypherEngine), or None when it cannot be imported yet."""
    try:
        return importlib.import_module("graphkit.neo4j")
    except ImportError:
        return None


def cypher_missing() -> str:
    try:
        importlib.import_module("graphkit.neo4j")
    except ImportError as exc:
        return f"graphkit.neo4j is not importable ({exc})"
    return ""


def falkordb_server(**kw):
    """graphkit.testing.falkordb_server (a throwaway FalkorDB with a Bolt endpoint)."""
    return _first("falkordb_server", "graphkit.testing")(**kw)


def goodbye_filter():
    """graphkit.testing.GoodbyeFilter: the relay that hides FalkorDB's mishandling of Bolt GOODBYE."""
    return _first("GoodbyeFilter", "graphkit.testing")
