"""The vocabulary as code (graphkit.model.vocab) and the ontology (ontology/*.ttl) cannot drift apart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from graphkit.io.rdf.write import layout_turtle
from graphkit.model import vocab
from graphkit.model.notice import CHECKS, builtin_fields
from graphkit.model.schema import TABLES
from graphkit.model.vocab import CHECK, CODE_LISTS, GK, PREFIXES, SCHEMA, TABLE_TERMS

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY = ROOT / "ontology"
NOTICE = ROOT / "data" / "notice" / "conditions-notice-2017.txt"


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY / "graphkit.ttl", format="turtle")


def _declared(graph: Graph, base: str) -> set[str]:
    return {str(s) for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(base)}


def test_gk_terms_in_python_equal_terms_in_the_ontology(ontology):
    in_python = {str(GK._NS) + name for name in GK.__annotations__}
    in_ttl = _declared(ontology, str(GK._NS))
    assert in_python - in_ttl == set(), "declared in graphkit/vocab.py but not in ontology/graphkit.ttl"
    assert in_ttl - in_python == set(), "declared in ontology/graphkit.ttl but not in graphkit/vocab.py"


def test_code_lists_and_checks_equal_the_ontology(ontology):
    for codes in dict.fromkeys(CODE_LISTS.values()):
        in_python = {str(codes.namespace[v]) for v in codes.values}
        assert in_python == _declared(ontology, codes.base), codes.slug
        for concept in in_python:
            assert (URIRef(concept), SKOS.inScheme, codes.scheme) in ontology
            assert (codes.scheme, RDF.type, SKOS.ConceptScheme) in ontology
    assert {str(CHECK[c]) for c in CHECKS} == _declared(ontology, str(CHECK))


def test_every_class_and_property_of_ours_is_documented(ontology):
    for name in GK.__annotations__:
        term = GK[name]
        langs = {lit.language for lit in ontology.objects(term, RDFS.label)}
        if (term, RDF.type, SKOS.ConceptScheme) in ontology:
            assert {"zh", "en"} <= langs, name
            continue
        assert {"zh", "en"} <= langs, f"{name}: rdfs:label @zh and @en"
        assert {lit.language for lit in ontology.objects(term, RDFS.comment)} >= {"zh", "en"}, f"{name}: rdfs:comment"
        types = set(ontology.objects(term, RDF.type))
        if types & {OWL.ObjectProperty, OWL.DatatypeProperty}:
            assert (term, RDFS.domain, None) in ontology, f"{name}: rdfs:domain"
            assert (term, RDFS.range, None) in ontology, f"{name}: rdfs:range"
        else:
            assert OWL.Class in types, f"{name} is neither a class nor a property"


def test_schema_org_terms_exist():
    # rdflib's SDO lists every schema.org term (but does not fail on typos); ours is closed
    from rdflib.namespace import SDO

    for name in SCHEMA.__annotations__:
        assert name in SDO.__annotations__, name
    with pytest.raises(AttributeError):
        SCHEMA.nmae  # noqa: B018 — the typo is the point
    with pytest.raises(AttributeError):
        GK.InnovationCentre  # noqa: B018


def test_every_contract_column_has_a_term():
    for name, table in TABLES.items():
        if name == "fields":
            assert set(table.column_names) == set(vocab.FIELD_TERMS)
            continue
        terms = TABLE_TERMS[name]
        assert set(terms.predicates) == set(table.column_names), name
        for column in terms.sequences:
            assert table.column(column).is_list
        for column in table.columns:
            if column.type == "enum":
                assert CODE_LISTS[name, column.name].values == column.enum
    standard = [str(ns) for ns in (vocab.ORG._NS, vocab.PROV._NS, vocab.SKOS._NS, vocab.DCTERMS._NS, SCHEMA._NS)]
    for terms in TABLE_TERMS.values():
        for pred in list(terms.predicates.values()) + [terms.cls]:
            assert str(pred).startswith(tuple(standard + [str(GK._NS)])), pred


def test_ontology_prefixes_agree_with_vocab():
    for path in ONTOLOGY.glob("*.ttl"):
        for prefix, iri in re.findall(r"^@prefix (\w*): <([^>]*)> \.$", path.read_text(encoding="utf-8"), re.M):
            if prefix in PREFIXES:
                assert PREFIXES[prefix] == iri, (path.name, prefix)


def test_fields_file_equals_the_generator():
    committed = Graph().parse(ONTOLOGY / "fields-2017-64.ttl", format="turtle")
    assert isomorphic(committed, Graph().parse(data=layout_turtle(), format="turtle")), (
        "ontology/fields-2017-64.ttl is stale: run `python -m graphkit.io.rdf.write ontology/fields-2017-64.ttl`")


def _annex_rows() -> list[tuple[str, str, str]]:
    rows = []
    for line in NOTICE.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0].isdigit():
            rows.append((f"F{int(parts[0]):02d}", parts[1].strip(), parts[2].strip()))
    return rows


def test_fields_scheme_is_the_annex_word_for_word():
    graph = Graph().parse(ONTOLOGY / "fields-2017-64.ttl", format="turtle")
    annex = _annex_rows()
    assert [r[0] for r in annex] == [f"F{i:02d}" for i in range(1, 23)]
    scheme = vocab.iri_for_layout("2017-64")
    concepts = sorted(graph.subjects(SKOS.inScheme, scheme), key=lambda c: str(graph.value(c, SKOS.notation)))
    assert len(concepts) == 22
    for concept, (fid, name, difficulties) in zip(concepts, annex):
        assert str(graph.value(concept, SKOS.notation)) == fid
        labels = {lit.language: str(lit) for lit in graph.objects(concept, SKOS.prefLabel)}
        assert labels["zh"] == name and labels["en"]
        assert graph.value(concept, SKOS.definition) == Literal(difficulties, lang="zh")
        assert (concept, RDF.type, GK.Field) in graph
    assert [f.field_id for f in builtin_fields()] == [r[0] for r in annex]


def test_checks_carry_the_notice_text(ontology):
    for check in CHECKS.values():
        iri = CHECK[check.id]
        labels = {lit.language: str(lit) for lit in ontology.objects(iri, SKOS.prefLabel)}
        assert labels == {"zh": check.title_zh, "en": check.title_en}
        assert str(ontology.value(iri, SKOS.definition)) == check.clause_zh
        assert str(ontology.value(iri, GK.checkKind)) == check.kind


@given(st.text(min_size=1, max_size=30))
def test_id_iris_round_trip_and_are_safe(text):
    iri = str(vocab.iri_for_id(text))
    assert vocab.id_from_iri(iri, vocab.ID_BASE) == text
    local = iri[len(vocab.ID_BASE):]
    assert re.fullmatch(r"[A-Za-z0-9_.%-]+", local) and local not in (".", "..")


def test_row_and_source_iris():
    assert vocab.row_from_iri(str(vocab.iri_for_row("income", 12))) == ("income", 12)
    assert vocab.row_from_iri("https://example.org/x") is None
    assert str(vocab.iri_for_source("synthetic")).endswith("/synthetic")
    long = vocab.iri_for_source("《中国制造2025》, p. 3")
    assert long != vocab.iri_for_source("《中国制造2025》, p. 4") and "sha1-" in long
