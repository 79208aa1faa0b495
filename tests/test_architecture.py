"""The package layout is the architecture (docs/architecture.md): no import cycle, layers import downwards only.

The import graph is read from the source with ``ast`` — every ``import`` and ``from … import``, at module level
or inside a function (a lazy import is still a dependency) — so the test needs no module to be imported.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

from conftest import ROOT

PACKAGE = ROOT / "graphkit"

#: What each layer may import, besides itself and the base (errors, settings, the root package's __version__).
ALLOWED = {
    "model": set(),
    "rules": {"model"},
    "io": {"model"},
    "queries": {"model", "rules"},
    "checks": {"model", "rules", "queries"},
    "data": {"model", "io"},
    "neo4j": {"model", "rules", "queries", "checks", "io"},
    "present": {"model", "rules", "queries", "checks", "io"},
    "engine": {"model", "rules", "queries", "checks", "io", "neo4j"},
    "cli": {"model", "rules", "queries", "checks", "io", "neo4j", "present", "data", "engine"},
    "testing": set(),
}
BASE = {"graphkit", "graphkit.errors", "graphkit.settings"}
TOP_LEVEL_LIMIT = 8


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path, name: str, modules: dict[str, Path]) -> set[str]:
    """The graphkit modules ``path`` imports (a ``from pkg import sub`` names the submodule)."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.split(".")[0] == "graphkit"}
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "graphkit":
                continue
            for alias in node.names:
                sub = f"{mod}.{alias.name}"
                out.add(sub if sub in modules else mod)
    return {m for m in out if m != name}


def import_graph() -> nx.DiGraph:
    modules = _modules()
    graph = nx.DiGraph()
    for name, path in modules.items():
        graph.add_node(name)
        for target in _imports(path, name, modules):
            graph.add_edge(name, target)
    return graph


def layer(module: str) -> str:
    parts = module.split(".")
    if module in BASE:
        return "base"
    if len(parts) == 2 and parts[1] == "__main__":
        return "cli"
    return parts[1]


def test_the_package_has_no_import_cycle():
    graph = import_graph()
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == []
    assert not any(graph.has_edge(n, n) for n in graph)


def test_layers_import_downwards_only():
    graph = import_graph()
    wrong = []
    for source, target in graph.edges:
        src, dst = layer(source), layer(target)
        if dst == "base" or src == dst:
            continue
        if src == "base" or dst not in ALLOWED[src]:
            wrong.append(f"{source} ({src}) imports {target} ({dst})")
    assert wrong == []


def test_every_layer_is_known_and_the_top_level_stays_small():
    modules = _modules()
    layers = {layer(m) for m in modules if m != "graphkit"}
    assert layers <= set(ALLOWED) | {"base"}
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= TOP_LEVEL_LIMIT, top
    assert sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()) == [
        "checks", "data", "io", "model", "neo4j", "present", "queries", "rules"]


def test_every_module_opens_with_a_docstring_and_declares_all():
    missing = []
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if ast.get_docstring(tree) is None:
            missing.append(f"{name}: no docstring")
        if path.name not in ("__init__.py", "__main__.py") and not any(
                isinstance(n, (ast.Assign, ast.AnnAssign)) and any(
                    isinstance(t, ast.Name) and t.id == "__all__" for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))
                for n in tree.body):
            missing.append(f"{name}: no __all__")
    assert missing == []


@pytest.mark.parametrize("source,target,expected", [
    ("graphkit.model.dataset", "graphkit.queries.coverage", False),  # model never reaches up
    ("graphkit.queries.coverage", "graphkit.rules.thresholds", True),
    ("graphkit.io.read", "graphkit.checks.conditions", False),
    ("graphkit.cli", "graphkit.present.report", True),
])
def test_the_layer_rule_itself(source, target, expected):
    assert (layer(target) in ALLOWED[layer(source)]) is expected


def test_the_import_graph_sees_lazy_and_package_imports():
    graph = import_graph()
    assert graph.has_edge("graphkit.io.read", "graphkit.io.xlsx")  # imported inside read_raw()
    assert graph.has_edge("graphkit.checks", "graphkit.checks.facts")  # a package's own re-export


def test_old_module_paths_still_import_for_one_release():
    import importlib
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = importlib.import_module("graphkit.dataset")
    assert old.load_dataset is importlib.import_module("graphkit.io.load").load_dataset
    assert old.Dataset is importlib.import_module("graphkit.model.dataset").Dataset
    assert any(issubclass(w.category, DeprecationWarning) and "graphkit.io.load" in str(w.message) for w in caught)
