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
import importlib.abc
import importlib.util
import sys
import warnings

__version__ = "0.1.0"

_EXPORTS = {
    # loading and the model
    "load_dataset": "graphkit.io.load",
    "validate_dataset": "graphkit.io.load",
    "Dataset": "graphkit.model.dataset",
    "ValidationReport": "graphkit.model.dataset",
    "Rules": "graphkit.rules.thresholds",
    "load_rules": "graphkit.rules.thresholds",
    "Settings": "graphkit.settings",
    "get_settings": "graphkit.settings",
    # queries
    "coverage": "graphkit.queries.coverage",
    "coverage_matrix": "graphkit.queries.coverage",
    "check": "graphkit.checks.conditions",
    "reach": "graphkit.queries.reach",
    "gaps": "graphkit.queries.gaps",
    "recruit": "graphkit.queries.recruit",
    "claims": "graphkit.queries.claims",
    "intake": "graphkit.io.intake",
    "application_claims": "graphkit.engine",
    "to_frame": "graphkit.queries.frames",
    # engines and outputs
    "open_engine": "graphkit.engine",
    "EmbeddedEngine": "graphkit.engine",
    "write_report": "graphkit.present.report",
    "render_report": "graphkit.present.report",
    "export_dataset": "graphkit.io.export",
    "to_turtle": "graphkit.io.rdf.write",
    "to_jsonld": "graphkit.io.rdf.write",
    "generate": "graphkit.data.synthetic",
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


# The flat module paths of graphkit 0.1 (``graphkit.dataset``, ``graphkit.cypher`` …) keep importing for one
# release, with a DeprecationWarning naming the new home (see CHANGELOG.md). ``graphkit.rules``,
# ``graphkit.checks`` and ``graphkit.queries`` are packages now and re-export their old names themselves.
_MOVED = {
    "graphkit.schema": ("graphkit.model.schema",),
    "graphkit.vocab": ("graphkit.model.vocab",),
    "graphkit.notice": ("graphkit.model.notice",),
    "graphkit.validate": ("graphkit.model.validate",),
    "graphkit.problems": ("graphkit.model.problems",),
    "graphkit.columns": ("graphkit.model.columns",),
    "graphkit.geo": ("graphkit.model.geo",),
    "graphkit.graph": ("graphkit.model.graph",),
    "graphkit.i18n": ("graphkit.model.i18n",),
    "graphkit.dataset": ("graphkit.model.dataset", "graphkit.io.load"),
    "graphkit.facts": ("graphkit.checks.facts",),
    "graphkit.frames": ("graphkit.queries.frames",),
    "graphkit.read": ("graphkit.io.read", "graphkit.io.csv", "graphkit.io.tables", "graphkit.model.raw"),
    "graphkit.read_xlsx": ("graphkit.io.xlsx",),
    "graphkit.export": ("graphkit.io.export",),
    "graphkit.template": ("graphkit.io.template",),
    "graphkit.files": ("graphkit.io.files",),
    "graphkit.application": ("graphkit.io.application",),
    "graphkit.rdf": ("graphkit.io.rdf.write", "graphkit.io.rdf.read"),
    "graphkit.rdf_read": ("graphkit.io.rdf.read",),
    "graphkit.rdf_parse": ("graphkit.io.rdf.parse",),
    "graphkit.cypher": ("graphkit.neo4j.engine",),
    "graphkit.cypher_bolt": ("graphkit.neo4j.client",),
    "graphkit.cypher_model": ("graphkit.neo4j.model",),
    "graphkit.cypher_io": ("graphkit.neo4j.transfer",),
    "graphkit.cypher_facts": ("graphkit.neo4j.facts",),
    "graphkit.sample": ("graphkit.data.sample",),
    "graphkit.synthetic": ("graphkit.data.synthetic",),
    "graphkit.report": ("graphkit.present.report",),
    "graphkit.views": ("graphkit.present.views",),
    "graphkit.viz": ("graphkit.present.viz",),
}


class _MovedModules(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Answers an old module path with a module holding the names of its new home(s)."""

    def find_spec(self, fullname, path=None, target=None):
        return importlib.util.spec_from_loader(fullname, self) if fullname in _MOVED else None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        homes = _MOVED[module.__name__]
        warnings.warn(f"{module.__name__} moved to {' and '.join(homes)}; the old path goes in graphkit 0.3",
                      DeprecationWarning, stacklevel=2)
        for home in reversed(homes):
            new = importlib.import_module(home)
            module.__dict__.update({k: v for k, v in vars(new).items() if not k.startswith("__")})
        module.__all__ = sorted({n for home in homes for n in getattr(sys.modules[home], "__all__", ())})


if not any(isinstance(f, _MovedModules) for f in sys.meta_path):
    sys.meta_path.append(_MovedModules())
