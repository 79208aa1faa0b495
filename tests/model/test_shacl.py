"""The Turtle export of valid data conforms to ontology/shapes.ttl; every file in tests/fixtures/shacl_invalid does not.

Each invalid file says in its first comment lines which node (``# focus:``) and which property (``# path:``) the
shapes must blame; a new case is a new file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import write_dataset
from hypothesis import HealthCheck, assume, given, settings
from rdflib import Graph, Literal
from rdflib.collection import Collection
from rdflib.namespace import SH
from test_rdf import datasets

from graphkit import load_dataset, validate_dataset
from graphkit.io.rdf.write import to_graph, to_jsonld
from graphkit.model.geo import COUNTRIES
from graphkit.model.notice import CHECK_IDS
from graphkit.model.vocab import CHECK, CODE_LISTS, SCHEMA, TABLE_TERMS

pyshacl = pytest.importorskip("pyshacl")

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT / "ontology" / "shapes.ttl"
INVALID = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "shacl_invalid").glob("*.ttl"))

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's JSON-LD parser


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


def conforms(data: Graph, shapes: Graph) -> tuple[bool, Graph, str]:
    ok, report, text = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
    return ok, report, text


def test_tiny_export_conforms(tiny_dir, shapes):
    ok, _, text = conforms(to_graph(load_dataset(tiny_dir)), shapes)
    assert ok, text


def test_eligible_export_conforms(eligible, shapes):
    ok, _, text = conforms(to_graph(eligible), shapes)
    assert ok, text


def test_jsonld_export_conforms(eligible, shapes):
    ok, _, text = conforms(Graph().parse(data=to_jsonld(eligible), format="json-ld"), shapes)
    assert ok, text


@pytest.mark.slow
def test_sample_export_conforms(shapes):
    sample = ROOT / "data" / "sample"
    if not (sample / "centers.csv").exists():
        pytest.skip("data/sample is not there yet")
    ok, _, text = conforms(to_graph(load_dataset(sample)), shapes)
    assert ok, text[:5000]


def _expectation(path: Path, graph: Graph) -> tuple:
    header = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"#\s*(\w+):\s*(.+?)\s*$", line)
        if not m:
            break
        header[m.group(1)] = m.group(2)
    assert {"invalid", "focus", "path"} <= set(header), f"{path.name}: needs # invalid/# focus/# path lines"
    expand = graph.namespace_manager.expand_curie
    focus, prop = header["focus"], header["path"]
    # a focus node in quotes is a literal (an id value); a path starting with ^ is an inverse path
    focus_term = Literal(focus[1:-1]) if focus.startswith('"') else expand(focus)
    prop_text = "^" + str(expand(prop[1:])) if prop.startswith("^") else str(expand(prop))
    return header["invalid"], focus_term, prop_text


def _path_text(report: Graph, path) -> str | None:
    if path is None:
        return None
    inverse = report.value(path, SH.inversePath)
    return "^" + str(inverse) if inverse is not None else str(path)


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_example_does_not_conform(path, shapes):
    data = Graph().parse(path, format="turtle")
    what, focus, prop = _expectation(path, data)
    ok, report, text = conforms(data, shapes)
    assert not ok, f"{path.name} ({what}) conforms"
    blamed = {(report.value(r, SH.focusNode), _path_text(report, report.value(r, SH.resultPath)))
              for r in report.subjects(SH.focusNode, None)}
    assert (focus, prop) in blamed, f"{path.name}: expected {focus} {prop}, got {sorted(blamed)}\n{text}"


def test_there_are_enough_invalid_examples():
    assert len(INVALID) >= 8


def _sh_in(shapes: Graph, path) -> set[str]:
    """The sh:in values of the property shape(s) on ``path``."""
    out = set()
    for prop_shape in shapes.subjects(SH.path, path):
        for lst in shapes.objects(prop_shape, SH["in"]):
            out |= {str(v) for v in Collection(shapes, lst)}
    return out


def test_shape_enums_equal_the_schema(shapes):
    for (table, column), codes in CODE_LISTS.items():
        pred = TABLE_TERMS[table].predicates[column]
        assert _sh_in(shapes, pred) == {str(codes.namespace[v]) for v in codes.values}, (table, column)
    assert _sh_in(shapes, TABLE_TERMS["assessments"].predicates["check_id"]) == {str(CHECK[c]) for c in CHECK_IDS}
    countries = {str(v) for v in _sh_in(shapes, SCHEMA.addressCountry)}
    assert countries == set(COUNTRIES)
    assert all(isinstance(v, Literal) for v in Collection(shapes, next(
        shapes.objects(next(shapes.subjects(SH.path, SCHEMA.addressCountry)), SH["in"]))))


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(tables=datasets())
def test_every_valid_dataset_conforms(tmp_path_factory, tables, shapes):
    """The shapes are never stricter than validation: whatever loads, exports to a conforming graph."""
    report = validate_dataset(write_dataset(tmp_path_factory.mktemp("ds"), **tables))
    assume(report.ok)
    ok, _, text = conforms(to_graph(report.dataset), shapes)
    assert ok, text
