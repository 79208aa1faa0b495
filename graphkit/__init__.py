"""graphkit: a knowledge graph of China's manufacturing innovation centers (制造业创新中心).

It loads a dataset (CSV folder, XLSX, Turtle, JSON-LD or a Neo4j server), validates it against the data
contract, evaluates the upgrade conditions of 工信厅科〔2017〕64号, and answers the coverage, reach, gap,
recruitment and claims queries.

>>> import graphkit
>>> graphkit.Rules().min_coverage
0.5

Public names are imported lazily, so ``import graphkit`` stays fast and side-effect free.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    # loading and the model
    "load_dataset": "graphkit.dataset",
    "validate_dataset": "graphkit.dataset",
    "Dataset": "graphkit.dataset",
    "ValidationReport": "graphkit.dataset",
    "Rules": "graphkit.rules",
    "load_rules": "graphkit.rules",
    "Settings": "graphkit.settings",
    "get_settings": "graphkit.settings",
    # queries
    "coverage": "graphkit.queries.coverage",
    "coverage_matrix": "graphkit.queries.coverage",
    "check": "graphkit.checks",
    "reach": "graphkit.queries.reach",
    "gaps": "graphkit.queries.gaps",
    "recruit": "graphkit.queries.recruit",
    "claims": "graphkit.queries.claims",
    "to_frame": "graphkit.frames",
    # engines and outputs
    "open_engine": "graphkit.engine",
    "EmbeddedEngine": "graphkit.engine",
    "write_report": "graphkit.report",
    "render_report": "graphkit.report",
    "export_dataset": "graphkit.export",
    "to_turtle": "graphkit.rdf",
    "to_jsonld": "graphkit.rdf",
    "generate": "graphkit.synthetic",
    # errors
    "GraphkitError": "graphkit.errors",
    "InvalidDatasetError": "graphkit.errors",
    "UnknownIdError": "graphkit.errors",
    "RulesError": "graphkit.errors",
    "ServerError": "graphkit.errors",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'graphkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    return __all__
